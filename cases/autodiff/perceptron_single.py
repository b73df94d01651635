"""002-18 perceptron-1: gradients of a single-output perceptron, sigmoid(x@w + b), under MSE.

Section 10 draws ``x = tf.random.normal([1,3])``, sets ``w = tf.ones([3,1])``,
``b = tf.ones([1])``, ``y = tf.constant([1])`` and on a tape computes::

    prob = tf.sigmoid(x@w+b)
    loss = tf.reduce_mean(tf.losses.MSE(y, prob))
    grads = tape.gradient(loss, [w, b])

printing dL/dw = [[0.41205588], [-0.10961942], [0.04508047]] and dL/db = [-0.27709824].

**Shapes** (DIFFERENCES.md §22). ``y`` has shape (1,) and ``prob`` (1, 1). Keras 3's
``mean_squared_error`` first calls ``squeeze_or_expand_to_same_rank`` (keras/src/losses/losses.py)
and then averages the last axis: one loss per sample. TensorFlow 2.0's ``tf.keras``
version did not squeeze (``backend.mean(math_ops.squared_difference(y_pred, y_true),
axis=-1)``, tensorflow/python/keras/losses.py), and PyTorch's ``F.mse_loss(prob, y)``
broadcasts (1, 1) against (1,) with a UserWarning ("Using a target size ... that is
different to the input size ... This will likely lead to incorrect results due to
broadcasting"). With one sample all of these give the same number, so the document's
case shows no difference, honestly. With a batch they do not: ``002-18-perceptron-1-batch``
runs the same code on 4 samples, where PyTorch's literal ``F.mse_loss(prob, y)`` averages
a 4×4 broadcast matrix (a known difference; TensorFlow 2.0's function would have done
the same, Keras 3 squeezes), and ``002-18-perceptron-1-batch-mapped`` matches the shapes
in PyTorch (``prob.squeeze(-1)``).

**The printed gradients.** ``x`` was random and is not printed, but it can be recovered:
with one sample dL/dw = xᵀ·dL/dz and dL/db = dL/dz, so x = dL/dw / dL/db
= [-1.4870, 0.3956, -0.1627]. ``002-18-perceptron-1-printed`` runs the document's code on
that ``x``: dL/db = 2(σ − 1)σ(1 − σ) at z = Σx + 1 is then an independent check of the
printout, dL/dw mostly a check of the rounding. TensorFlow and PyTorch print both as
the document does, digit for digit; NumPy's float64 gradient, rounded to float32, prints
2 and 1 float32 ULP away at dL/dw[0] and dL/dw[1] and 1 ULP away at dL/db, where
TensorFlow 2.0 computed in float32 (known differences).

NumPy's gradients are central differences in float64 (``numerical_gradient``), with the
shapes matched as Keras 3 matches them.
"""

import warnings

import numpy as np

from equivalence import Case, KnownDifference, Source, numerical_gradient, printed

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "10 单输出感知机梯度")
# grads[0] and grads[1], each printed as a tensor's repr (numpy=array([...], dtype=float32)):
# NumPy's array printing of float32.
PRINTED_GRAD_W = "[[ 0.41205588], [-0.10961942], [ 0.04508047]]"
PRINTED_GRAD_B = "[-0.27709824]"


def parameters():
    return {"w": np.ones((3, 1), dtype=np.float32), "b": np.ones(1, dtype=np.float32)}


def document_inputs(rng):
    # tf.random.normal([1,3]) and tf.constant([1]) (int32)
    return {"x": rng.standard_normal((1, 3)).astype(np.float32), **parameters(),
            "y": np.array([1], dtype=np.int32)}


def printed_inputs(rng):
    x = printed(PRINTED_GRAD_W).values / printed(PRINTED_GRAD_B).values  # x = dL/dw / dL/db, (3, 1)
    return {"x": x.T.astype(np.float32), **parameters(), "y": np.array([1], dtype=np.int32)}


def batch_inputs(rng):
    return {"x": rng.standard_normal((4, 3)).astype(np.float32), **parameters(),
            "y": np.array([1, 0, 1, 1], dtype=np.int32)}


def with_numpy(np, x, w, b, y):
    x64, target = x.astype(np.float64), y.astype(np.float64)

    def loss(w, b):
        prob = 1 / (1 + np.exp(-(x64 @ w + b)))  # (N, 1)
        return np.mean((prob[:, 0] - target) ** 2)  # one sample per row, as Keras 3 squeezes

    grad_w, grad_b = numerical_gradient(loss, w, b)
    prob = 1 / (1 + np.exp(-(x64 @ w.astype(np.float64) + b)))
    return {"prob": prob.astype(np.float32), "loss": np.float32(loss(w.astype(np.float64), b.astype(np.float64))),
            "grad_w": grad_w.astype(np.float32), "grad_b": grad_b.astype(np.float32)}


def with_tensorflow(tf, x, w, b, y):
    with tf.GradientTape() as tape:
        tape.watch([w, b])
        prob = tf.sigmoid(x @ w + b)
        loss = tf.reduce_mean(tf.losses.MSE(y, prob))  # y (N,) against prob (N, 1): Keras 3 squeezes
    grads = tape.gradient(loss, [w, b])
    return {"prob": prob, "loss": loss, "grad_w": grads[0], "grad_b": grads[1]}


def with_torch(torch, x, w, b, y):
    """Shapes matched: prob (N, 1) squeezed to (N,) against y, as Keras 3 does."""
    F = torch.nn.functional
    w.requires_grad_(True)
    b.requires_grad_(True)
    prob = torch.sigmoid(x @ w + b)
    loss = F.mse_loss(prob.squeeze(-1), y.to(prob.dtype))
    grad_w, grad_b = torch.autograd.grad(loss, [w, b])
    return {"prob": prob, "loss": loss, "grad_w": grad_w, "grad_b": grad_b}


def literal_with_torch(torch, x, w, b, y):
    """``F.mse_loss(prob, y)``, the document's call translated word for word."""
    F = torch.nn.functional
    w.requires_grad_(True)
    b.requires_grad_(True)
    prob = torch.sigmoid(x @ w + b)
    with warnings.catch_warnings():
        # PyTorch warns that (N, 1) against (N,) broadcasts, and broadcasts: the case shows it.
        warnings.filterwarnings("ignore", message="Using a target size", category=UserWarning)
        loss = F.mse_loss(prob, y.to(prob.dtype))
    grad_w, grad_b = torch.autograd.grad(loss, [w, b])
    return {"prob": prob, "loss": loss, "grad_w": grad_w, "grad_b": grad_b}


def with_jax(jax, x, w, b, y):
    """jax.value_and_grad of the loss; prob comes out beside it (has_aux). Shapes matched as
    Keras 3 matches them: prob (N, 1) against y (N,) would broadcast to (N, N)."""
    jnp = jax.numpy

    def loss_of(w, b):
        prob = jax.nn.sigmoid(x @ w + b)
        return jnp.mean((prob[:, 0] - y) ** 2), prob

    (loss, prob), (grad_w, grad_b) = jax.value_and_grad(loss_of, argnums=(0, 1), has_aux=True)(w, b)
    return {"prob": prob, "loss": loss, "grad_w": grad_w, "grad_b": grad_b}


def perceptron_case(id, title, description, inputs, torch_implementation, documented=None, known=()):
    # The float64 oracle is PyTorch's autograd on the inputs cast up (NumPy's central differences
    # return float32 whatever the inputs); not where PyTorch runs the literal, broadcasting port.
    oracle = "torch" if torch_implementation is with_torch else None
    case = Case(id=id, title=title, source=SOURCE, description=description, inputs=inputs, seed=18,
                documented=documented or {}, known_differences=known, oracle=oracle)
    case.implement("numpy")(with_numpy)
    case.implement("tensorflow")(with_tensorflow)
    case.implement("torch")(torch_implementation)
    case.implement("jax")(with_jax)
    return case


case = perceptron_case(
    "002-18-perceptron-1",
    "Single-output perceptron: gradients of reduce_mean(MSE(y, sigmoid(x@w+b)))",
    "One random sample, w and b all ones; the shapes (1,) and (1, 1) are harmless with one sample.",
    document_inputs,
    with_torch,
)

printed_x = perceptron_case(
    "002-18-perceptron-1-printed",
    "Single-output perceptron on the x recovered from the printed gradients",
    "x = dL/dw / dL/db from the printout; dL/db must then come out as printed.",
    printed_inputs,
    with_torch,
    documented={"grad_w": printed(PRINTED_GRAD_W, printer="array", dtype="float32"),
                "grad_b": printed(PRINTED_GRAD_B, printer="array", dtype="float32")},
    known=[
        KnownDifference(
            "float32 in the printout: NumPy's float64 gradient for this x, rounded to float32, "
            "prints dL/dw[0] = 0.41205594 and dL/dw[1] = -0.10961943 where TensorFlow 2.0, in "
            "float32, printed 0.41205588 and -0.10961942 (2 and 1 ULP, 5.9e-8 at most); "
            "TensorFlow 2.21 and PyTorch in float32 print the document's digits",
            outputs="grad_w", backends="numpy", references="documented",
            at=np.s_[:2], max_abs=9e-8, max_ulp=3,  # measured 2 ULP (5.9e-8)
        ),
        KnownDifference(
            "float32 in the printout: NumPy's float64 dL/db for this x prints -0.27709827, the "
            "document's float32 one -0.27709824 (1 ULP, 2.8e-8)",
            outputs="grad_b", backends="numpy", references="documented",
            max_abs=4.3e-8, max_ulp=2,  # measured 1 ULP (2.8e-8)
        ),
    ],
)

batch = perceptron_case(
    "002-18-perceptron-1-batch",
    "Single-output perceptron on 4 samples: F.mse_loss(prob, y) broadcasts (4, 1) against (4,)",
    "The document's code with a batch of 4: Keras 3 squeezes prob to (4,), PyTorch's literal "
    "F.mse_loss(prob, y) averages a 4×4 broadcast.",
    batch_inputs,
    literal_with_torch,
    known=[KnownDifference(
        "PyTorch's F.mse_loss(prob, y) broadcasts prob (4, 1) against y (4,) to a 4×4 matrix of every "
        "prediction against every label (with a UserWarning) and averages that; Keras 3's MSE squeezes "
        "prob to (4,) first (TensorFlow 2.0's tf.keras MSE did not, and would have broadcast too): "
        f"{output} differs by {measured} on this batch",
        outputs=output,
        backends=("numpy", "tensorflow", "jax*"),  # jax: shapes matched as Keras 3 matches them
        references="torch",
        max_abs=bound,
    ) for output, measured, bound in (
        ("loss", "0.047 (20% relative)", 0.072),
        ("grad_w", "0.073 (up to 4.6 times)", 0.11),
        ("grad_b", "0.020 (1.3 times)", 0.031),
    )],
)

batch_mapped = perceptron_case(
    "002-18-perceptron-1-batch-mapped",
    "Single-output perceptron on 4 samples, shapes matched in PyTorch",
    "F.mse_loss(prob.squeeze(-1), y): the same per-sample losses as Keras 3.",
    batch_inputs,
    with_torch,
)
