"""002-17 ce-grad: the gradient of softmax cross-entropy computed from logits.

Section 9 ("Crossentropy gradient") draws ``x`` [2,4] and ``w`` [4,3] from
``tf.random.normal``, sets ``b = tf.zeros([3])`` and ``y = [2, 0]``, and on a tape::

    logits = x@w+b
    loss = tf.reduce_mean(tf.losses.categorical_crossentropy(tf.one_hot(y,depth=3), logits, from_logits=True))
    grads = tape.gradient(loss, [w, b])

The printed gradients belong to random inputs that are not printed, so the case draws
its own inputs from NumPy (seeded). PyTorch's ``F.cross_entropy(logits, y)`` takes class
indices and averages over the batch by default (``reduction='mean'``), which is the
document's ``reduce_mean``. NumPy writes the standard gradient by hand:
dL/dz = (softmax(z) − one_hot(y))/N, dL/dw = xᵀ·dL/dz, dL/db = Σ_rows dL/dz.

**The printed gradients** (``002-17-ce-grad-printed``). With p_i = softmax(logits_i),
dL/dz_i = (p_i − one_hot(y_i))/2, dL/db = dL/dz_0 + dL/dz_1 and dL/dw = xᵀ·dL/dz. So the
printed dL/db gives p_0 + p_1 = 2·dL/db + one_hot(2) + one_hot(0) = [0.36997712, 1.4027008,
0.2273221], but not p_0 and p_1 apart: p_0 keeps two free numbers (its third makes it sum
to 1). Once p_0 is chosen, dL/dz is known, and x follows from the printed dL/dw (each
column of x solves 3 equations of rank 2: every row of dL/dz sums to 0), then w from
x@w = log p (b is the document's zeros). Every admissible p_0 (p_0 and p_1 positive)
reproduces both printed gradients in exact arithmetic, so the inputs are not the
document's but a member of a two-parameter family consistent with its printout; the case
takes p_0 = [0.2964, 0.5307, 0.1729], near the member whose x and w are the most probable
standard-normal draws (smallest ‖x‖² + ‖w‖², 6.89, at p_0 ≈ [0.29640, 0.53068, 0.17291];
the rows of log p are centred, which makes w smallest). The printed rows of dL/dw sum to
0, 2e-8, 1e-8 and 1e-8 where the model forces 0, and the gradients are float32 numbers of
0.03 to 0.7 printed to every digit float32 has, so float32 rounding on other inputs than
the document's moves some last digits: measured and declared.

The trap (DIFFERENCES.md §20): ``categorical_crossentropy`` treats its input as
probabilities unless ``from_logits=True``. Given logits it silently divides them by
their row sum and clips the result to [1e-7, 1 − 1e-7] (keras/src/backend/tensorflow/nn.py,
``categorical_crossentropy``), so the numbers are wrong without any error.
``002-17-ce-grad-logits-as-probabilities`` drops ``from_logits=True`` in TensorFlow
(PyTorch and NumPy keep the correct cross-entropy): a declared known difference. The
main case, with ``from_logits=True`` as the document writes it, is the mapping.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed
from equivalence.sweep import Floats, Ints, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "9 损失函数及其梯度: Crossentropy gradient")
LABELS = np.array([2, 0], dtype=np.int32)  # tf.constant([2,0]) is int32


def make_inputs(rng):
    return {
        "x": rng.standard_normal((2, 4)).astype(np.float32),
        "w": rng.standard_normal((4, 3)).astype(np.float32),
        "b": np.zeros(3, dtype=np.float32),  # tf.zeros([3])
        "y": LABELS,
    }


# The tensor reprs the document shows for grads[0] and grads[1] (dtype=float32).
PRINTED_GRAD_W = """array([[ 0.59179735, -0.6549072 ,  0.06310985],
       [-0.51698416,  0.70245177, -0.18546759],
       [ 0.38274866, -0.50988907,  0.12714042],
       [ 0.3166223 ,  0.03204821, -0.3486705 ]], dtype=float32)"""
PRINTED_GRAD_B = "array([-0.31501144,  0.7013504 , -0.38633895], dtype=float32)"


def printed_gradients_inputs(rng):
    """x and w consistent with the printed gradients, for the chosen p_0 (see the docstring)."""
    one_hot = np.eye(3)[LABELS]
    p_sum = 2 * printed(PRINTED_GRAD_B, printer="array").values + one_hot.sum(axis=0)  # p_0 + p_1
    p_0 = np.array([0.2964, 0.5307, 0.1729])  # free: near the most probable x and w
    prob = np.stack([p_0, p_sum - p_0])
    prob /= prob.sum(axis=1, keepdims=True)  # p_sum sums to 2 + 2e-8
    dL_dz = (prob - one_hot) / 2
    grad_w = printed(PRINTED_GRAD_W, printer="array").values
    x = (grad_w @ np.linalg.pinv(dL_dz)).T.astype(np.float32)  # dL/dw = xᵀ·dL/dz
    log_prob = np.log(prob)
    logits = log_prob - log_prob.mean(axis=1, keepdims=True)  # the same softmax, the smallest w
    w = np.linalg.pinv(x) @ logits  # x (2×4) has rank 2: x @ w = logits
    return {"x": x, "w": w.astype(np.float32), "b": np.zeros(3, dtype=np.float32), "y": LABELS}


def with_numpy(np, x, w, b, y):
    z = x @ w + b
    z = z - z.max(axis=1, keepdims=True)  # stable: softmax and log-softmax of shifted logits
    log_prob = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    onehot = np.eye(3, dtype=x.dtype)[y]
    n = x.shape[0]
    loss = -np.sum(onehot * log_prob) / n
    dz = (np.exp(log_prob) - onehot) / n  # d(mean CE)/d logits = (softmax − one_hot)/N
    return {"logits": x @ w + b, "loss": loss, "grad_w": x.T @ dz, "grad_b": dz.sum(axis=0)}


def with_tensorflow(tf, x, w, b, y):
    with tf.GradientTape() as tape:
        tape.watch([w, b])
        logits = x @ w + b
        # logits into the loss: from_logits=True applies the softmax inside, stably
        loss = tf.reduce_mean(tf.losses.categorical_crossentropy(
            tf.one_hot(y, depth=3), logits, from_logits=True))
    grads = tape.gradient(loss, [w, b])
    return {"logits": logits, "loss": loss, "grad_w": grads[0], "grad_b": grads[1]}


def with_torch(torch, x, w, b, y):
    F = torch.nn.functional
    w.requires_grad_(True)
    b.requires_grad_(True)
    logits = x @ w + b
    loss = F.cross_entropy(logits, y.long())  # (input, target); target as class indices; mean
    grad_w, grad_b = torch.autograd.grad(loss, [w, b])
    return {"logits": logits, "loss": loss, "grad_w": grad_w, "grad_b": grad_b}


def with_jax(jax, x, w, b, y):
    jnp = jax.numpy

    def loss_of(w, b):
        logits = x @ w + b
        log_prob = jax.nn.log_softmax(logits, axis=1)  # stable, as from_logits=True
        return -jnp.mean(jnp.take_along_axis(log_prob, y[:, None], axis=1)), logits  # mean of -log p[y]

    (loss, logits), (grad_w, grad_b) = jax.value_and_grad(loss_of, argnums=(0, 1), has_aux=True)(w, b)
    return {"logits": logits, "loss": loss, "grad_w": grad_w, "grad_b": grad_b}


case = Case(
    id="002-17-ce-grad",
    title="Gradients of reduce_mean(categorical_crossentropy(one_hot(y), x@w+b, from_logits=True))",
    source=SOURCE,
    description="Softmax cross-entropy from logits and its gradients; PyTorch F.cross_entropy, "
    "NumPy (softmax - one_hot)/N by hand.",
    oracle="numpy",
    inputs=make_inputs,
    seed=17,
    # Batches of 0 to 6 samples of 0 to 5 features, weights and inputs in [-100, 100] (logits
    # up to 5e4: beyond float16's range), labels among the 3 classes.
    sweep=Sweep(dims={"n": (0, 6), "k": (0, 5)},
                inputs={"x": Floats(("n", "k"), -100, 100), "w": Floats(("k", 3), -100, 100),
                        "b": Floats((3,), -100, 100), "y": Ints(("n",), 0, 2, dtype="int32")}),
)
case.implement("numpy")(with_numpy)
case.implement("tensorflow")(with_tensorflow)
case.implement("torch")(with_torch)
case.implement("jax")(with_jax)


printed_gradients = Case(
    id="002-17-ce-grad-printed",
    title="The printed dL/dw and dL/db reproduced from inputs solved from the printout",
    source=SOURCE,
    description="p_0 + p_1 from the printed dL/db; p_0 chosen (the printout does not fix it: any "
    "admissible choice gives the printed gradients); x solved from the printed dL/dw = xᵀ·dL/dz, "
    "w from x@w = log p, b = 0. Both printed gradients compared.",
    oracle="numpy",
    inputs=printed_gradients_inputs,
    documented={"grad_w": printed(PRINTED_GRAD_W, printer="array"),
                "grad_b": printed(PRINTED_GRAD_B, printer="array")},
    known_differences=[
        KnownDifference(
            "float32 rounding on inputs that are not the document's (and printed rows of dL/dw that "
            "sum to 1e-8 to 2e-8, not 0): last digits differ by 1 or 2 float32 ULP. Measured: "
            "NumPy 5 of 12 numbers, TensorFlow and PyTorch 3 (e.g. -0.65490717 against the printed "
            "-0.6549072 at [0, 1]); max_abs 3.3e-8, 2 ULP",
            outputs="grad_w", references="documented",
            kind="values", max_abs=5e-8, max_ulp=3, mismatched=5,
        ),
        KnownDifference(
            "float32 rounding, as for dL/dw: measured 1 of 3 numbers, 1 ULP, in PyTorch (0.70135045 "
            "against the printed 0.7013504) and TensorFlow (-0.38633898 against -0.38633895); "
            "NumPy prints all three",
            outputs="grad_b", backends=("tensorflow", "torch"), references="documented",
            kind="values", max_abs=7.6e-8, max_ulp=2, mismatched=1,
        ),
    ],
)
printed_gradients.implement("numpy")(with_numpy)
printed_gradients.implement("tensorflow")(with_tensorflow)
printed_gradients.implement("torch")(with_torch)
printed_gradients.implement("jax")(with_jax)


FORGOTTEN_FROM_LOGITS = (
    "without from_logits=True Keras takes the logits for probabilities: it divides each row "
    "by its sum and clips to [1e-7, 1-1e-7] before the log, so loss and gradients are "
    "nonsense, with no error; F.cross_entropy (and NumPy) apply the softmax"
)

logits_as_probabilities = Case(
    id="002-17-ce-grad-logits-as-probabilities",
    title="Logits passed to categorical_crossentropy without from_logits=True: silently wrong",
    source=SOURCE,
    description="TensorFlow with from_logits=False (the default) treats the logits as "
    "probabilities; PyTorch and NumPy compute the softmax cross-entropy.",
    oracle="numpy",
    inputs=make_inputs,
    seed=17,
    known_differences=[
        KnownDifference(
            FORGOTTEN_FROM_LOGITS + " (here 8.2932 against 3.0568: the second row's logits "
            "[-0.059, -0.160, 3.166] become [-0.020, -0.054, 1.074], and its true class is clipped "
            "to 1e-7, a loss of 16.118); measured max_abs 5.24",
            outputs="loss", backends="tensorflow", references=("torch", "numpy", "jax*", "oracle"),
            kind="values", max_abs=7.9,
        ),
        KnownDifference(
            FORGOTTEN_FROM_LOGITS + "; measured max_abs 1.47 (12 of 12 elements)",
            outputs="grad_w", backends="tensorflow", references=("torch", "numpy", "jax*", "oracle"),
            kind="values", max_abs=2.2,
        ),
        KnownDifference(
            FORGOTTEN_FROM_LOGITS + "; measured max_abs 0.25 (3 of 3 elements)",
            outputs="grad_b", backends="tensorflow", references=("torch", "numpy", "jax*", "oracle"),
            kind="values", max_abs=0.38,
        ),
    ],
)
logits_as_probabilities.implement("numpy")(with_numpy)


@logits_as_probabilities.tensorflow
def forgotten_from_logits_with_tensorflow(tf, x, w, b, y):
    with tf.GradientTape() as tape:
        tape.watch([w, b])
        logits = x @ w + b
        loss = tf.reduce_mean(tf.losses.categorical_crossentropy(tf.one_hot(y, depth=3), logits))
    grads = tape.gradient(loss, [w, b])
    return {"logits": logits, "loss": loss, "grad_w": grads[0], "grad_b": grads[1]}


logits_as_probabilities.implement("torch")(with_torch)
logits_as_probabilities.implement("jax")(with_jax)
