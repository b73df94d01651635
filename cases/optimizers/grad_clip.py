"""002-6 grad-clip: gradient clipping by global norm on a small model.

Section 3 of document 002 ends with the heading "Gradient Clipping" and no code (the
listing under it only loads MNIST). The computation the heading names is
``tf.clip_by_global_norm``: every gradient scaled by ``c / max(global_norm, c)``, the
global norm being the 2-norm of all gradients together. Here it clips the gradients of
a small model made by NumPy (seed 0): 16 samples of 4 features, a tanh layer of 8, 3
classes, mean softmax cross-entropy; NumPy writes the backward pass by hand.

The frameworks' formulas (DIFFERENCES.md §10):

- TensorFlow: ``scale = c * min(1 / n, 1 / c)`` and ``g * scale``
  (tensorflow/python/ops/clip_ops.py, ``clip_by_global_norm``).
- PyTorch ``torch.nn.utils.clip_grad_norm_``: ``g * min(c / (n + 1e-6), 1)``
  (torch/nn/utils/clip_grad.py, ``_clip_grads_with_norm_``): the 1e-6 makes every
  clipped gradient smaller by a relative 1e-6 / n, 8.9e-7 here (n = 1.122, c = 1).
  In float32 that is within the default tolerance (rtol 1.3e-6); the model runs in
  float64, where it is 1e4 times the frameworks' agreement, so it shows.
- Below the threshold PyTorch multiplies by exactly 1.0. TensorFlow multiplies by
  ``c * (1 / c)``, which is exactly 1 for most c, but not for all: in float64,
  49 * (1/49) = 1 - 2^-53 (49 is the smallest such integer; 41 and 47 in float32). Clipping
  at c = 49 (the global norm is 1.12), TensorFlow changes all 67 gradient elements by
  one ULP; ``below_changed`` counts them (an exact comparison).

``002-6-grad-clip`` uses each framework's own clipping and declares both;
``002-6-grad-clip-mapped`` writes TensorFlow's formula in PyTorch, and all agree.

Tolerance: float64 TensorFlow and PyTorch gradients of this size agree to ~1e-15
(DIFFERENCES.md §33: MLP float64, 8.9e-16); the default float64 tolerance (rtol 1e-7,
atol 1e-7) would hide most of a 9e-7 relative difference on gradients of 0.1-0.3, so
the comparison uses DIFFERENCES.md's recommended float64 tolerance, rtol 1e-10 and
atol 1e-12 · max|ref| (max|ref| ≈ 0.3, so 1e-13).
"""

from equivalence import Case, KnownDifference, Source, Tolerance
from equivalence.sweep import Floats, Ints, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "3 张量的限幅: Gradient Clipping")
CLIP = 1.0  # below the global norm (1.122): the gradients are scaled down
CLIP_ABOVE = 49.0  # above it: nothing should change; 49 * (1/49) != 1 in float64
NAMES = ("w1", "b1", "w2", "b2")


def make_inputs(rng):
    n, features, hidden, classes = 16, 4, 8, 3
    return {
        "x": rng.standard_normal((n, features)),
        "y": rng.integers(0, classes, size=n),
        "w1": rng.standard_normal((features, hidden)),
        "b1": rng.standard_normal(hidden) * 0.1,
        "w2": rng.standard_normal((hidden, classes)),
        "b2": rng.standard_normal(classes) * 0.1,
    }


def outputs(loss, grads, global_norm, clipped, clipped_above, count_changed):
    out = {"loss": loss, "global_norm": global_norm}
    out.update({f"grad_{name}": g for name, g in zip(NAMES, grads, strict=True)})
    out.update({f"clipped_{name}": g for name, g in zip(NAMES, clipped, strict=True)})
    out["below_changed"] = sum(count_changed(a, g) for a, g in zip(clipped_above, grads, strict=True))
    return out


def with_numpy(np, x, y, w1, b1, w2, b2):
    # forward
    h = np.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    n = x.shape[0]
    loss = -np.mean(np.log(p[np.arange(n), y]))
    # backward, by hand
    dlogits = p.copy()
    dlogits[np.arange(n), y] -= 1
    dlogits /= n
    grad_w2, grad_b2 = h.T @ dlogits, dlogits.sum(axis=0)
    dpre = (dlogits @ w2.T) * (1 - h**2)
    grad_w1, grad_b1 = x.T @ dpre, dpre.sum(axis=0)
    grads = [grad_w1, grad_b1, grad_w2, grad_b2]
    # tf.clip_by_global_norm's formula
    global_norm = np.sqrt(sum(np.sum(g * g) for g in grads))

    def clip(c):
        scale = c * min(1.0 / global_norm, 1.0 / c)
        return [g * scale for g in grads]

    return outputs(loss, grads, global_norm, clip(CLIP), clip(CLIP_ABOVE),
                   lambda a, g: np.count_nonzero(a != g))


def with_tensorflow(tf, x, y, w1, b1, w2, b2):
    variables = [tf.Variable(v) for v in (w1, b1, w2, b2)]
    w1, b1, w2, b2 = variables
    with tf.GradientTape() as tape:
        h = tf.tanh(x @ w1 + b1)
        logits = h @ w2 + b2
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
    grads = tape.gradient(loss, variables)
    clipped, global_norm = tf.clip_by_global_norm(grads, CLIP)
    clipped_above, _ = tf.clip_by_global_norm(grads, CLIP_ABOVE)
    return outputs(loss, grads, global_norm, clipped, clipped_above,
                   lambda a, g: tf.math.count_nonzero(a != g))


def torch_gradients(torch, x, y, w1, b1, w2, b2):
    params = [t.requires_grad_(True) for t in (w1, b1, w2, b2)]
    h = torch.tanh(x @ w1 + b1)
    logits = h @ w2 + b2
    loss = torch.nn.functional.cross_entropy(logits, y)
    loss.backward()
    return loss, params, [p.grad.clone() for p in params]


def count_changed(a, g):
    return int((a != g).sum())


def with_torch(torch, x, y, w1, b1, w2, b2):
    loss, params, grads = torch_gradients(torch, x, y, w1, b1, w2, b2)
    global_norm = torch.nn.utils.clip_grad_norm_(params, CLIP)  # rescales .grad in place
    clipped = [p.grad.clone() for p in params]
    for p, g in zip(params, grads, strict=True):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(params, CLIP_ABOVE)
    clipped_above = [p.grad for p in params]
    return outputs(loss, grads, global_norm, clipped, clipped_above, count_changed)


def with_torch_mapped(torch, x, y, w1, b1, w2, b2):
    loss, params, grads = torch_gradients(torch, x, y, w1, b1, w2, b2)
    global_norm = torch.sqrt(sum(torch.sum(g * g) for g in grads))

    def clip_by_global_norm(c):  # tf.clip_by_global_norm's formula, no epsilon
        scale = c * torch.minimum(1.0 / global_norm, torch.tensor(1.0 / c, dtype=global_norm.dtype))
        return [g * scale for g in grads]

    return outputs(loss, grads, global_norm, clip_by_global_norm(CLIP),
                   clip_by_global_norm(CLIP_ABOVE), count_changed)


TOLERANCE = Tolerance(rtol=1e-10, atol=1e-13)  # see the module docstring

case = Case(
    id="002-6-grad-clip",
    title="Clipping by global norm: tf.clip_by_global_norm against torch clip_grad_norm_",
    source=SOURCE,
    description="Gradients of a small tanh model (float64) clipped to global norm 1 (norm 1.122) "
    "and to 49 (above the norm), each framework with its own clipping.",
    inputs=make_inputs,
    tolerance=TOLERANCE,
    known_differences=[
        KnownDifference(
            "clip_grad_norm_ divides by n + 1e-6: the clipped gradients are smaller than "
            "TensorFlow's c/n scaling by a relative 1e-6/n = 8.9e-7 (measured 8.91e-7, up to 2.4e-7)",
            outputs="clipped_*", backends=("tensorflow", "numpy"), references="torch",
            max_abs=3.6e-7, max_rel=1.4e-6,
        ),
        KnownDifference(
            "below the threshold clip_grad_norm_ multiplies by exactly 1.0; TensorFlow by "
            "49 * (1/49) = 1 - 2^-53 in float64, which moves all 67 gradient elements by one ULP: "
            "below_changed counts 67 against PyTorch's 0",
            outputs="below_changed", backends=("tensorflow", "numpy"), references="torch",
            max_abs=67,  # every gradient element: the count cannot be larger
        ),
    ],
)
case.implement("numpy")(with_numpy)
case.implement("tensorflow")(with_tensorflow)
case.implement("torch")(with_torch)

mapped = Case(
    id="002-6-grad-clip-mapped",
    title="Clipping by global norm with TensorFlow's formula written in PyTorch",
    source=SOURCE,
    description="The same gradients clipped with scale = c * min(1/n, 1/c) in every framework.",
    inputs=make_inputs,
    tolerance=TOLERANCE,
    # The sweep: 1 to 16 samples, 1 to 4 features, 1 to 8 hidden units, 3 classes; inputs and
    # weights in [-10, 10] (global norms from 0 to far above both thresholds). The sweep uses
    # the dtypes' default tolerances, not the fixed input's float64 one.
    # float16 and bfloat16 are not swept: every output of the model is a few ULP apart between the
    # frameworks there, each accumulating in its own way (measured by earlier sweeps: in float16
    # TensorFlow and NumPy 2 to 5 ULP farther from the exact global norm and loss than PyTorch, which
    # accumulates in float32; in bfloat16 PyTorch's dL/dw1 25 times farther than TensorFlow's), which
    # 002-16-mse-grad and 001-2-matrix-loss show on smaller computations.
    sweep=Sweep(dims={"n": (1, 16), "f": (1, 4), "h": (1, 8)},
                inputs={"x": Floats(("n", "f"), -10, 10), "y": Ints(("n",), 0, 2),
                        "w1": Floats(("f", "h"), -10, 10), "b1": Floats(("h",), -10, 10),
                        "w2": Floats(("h", 3), -10, 10), "b2": Floats((3,), -10, 10)},
                dtypes=("float32", "float64"),
                known_differences=[KnownDifference(
                    "below_changed counts the gradient elements that c * (1/c) scaling moves by a rounding: which "
                    "ones depends on each backend's last bits, so the counts differ by rounding (found by the "
                    "sweep in float64: 1 against 0); at most every gradient element, 67",
                    outputs="below_changed", max_abs=67)]),
)
mapped.implement("numpy")(with_numpy)
mapped.implement("tensorflow")(with_tensorflow)
mapped.implement("torch")(with_torch_mapped)
