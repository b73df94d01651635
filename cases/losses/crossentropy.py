"""002-12 crossentropy: the document's categorical and binary cross-entropy values.

Section 6 prints ``tf.losses.categorical_crossentropy([0,1,0,0], p)`` for three
distributions and ``BinaryCrossentropy()([1],[0.1])`` / ``binary_crossentropy([1],[0.1])``.

Two traps sit in these five numbers:

- Keras' probability cross-entropy is not −Σ y·log p. It divides ``p`` by its sum and
  clips it to [1e-7, 1 − 1e-7] first (keras/src/backend/tensorflow/nn.py,
  ``categorical_crossentropy``: "Adjust the predictions so that the probability of each
  class for every sample adds up to 1"). ``[0.1, 0.1, 0.8, 0.1]`` sums to 1.1, so Keras
  gives −log(0.1/1.1) = 2.3978953, the printed value, while the textbook formula, what
  PyTorch's ``nll_loss(log p)`` computes, gives −log 0.1 = 2.3025851.
- The printed binary value 2.3025842 is −log(0.1 + 1e-7): TensorFlow 2.0's Keras added
  epsilon inside the log. Keras 3 clips ``p`` to [1e-7, 1 − 1e-7] and takes log p
  (``binary_crossentropy`` in the same file), so today's TensorFlow prints 2.3025851,
  as PyTorch's ``binary_cross_entropy`` does: the document has drifted by 9e-7, about
  4 ULP of float32.

``002-12-crossentropy`` runs the computation as each framework's user would write it
and declares both differences; ``002-12-crossentropy-mapped`` ports Keras'
renormalise-and-clip into PyTorch and NumPy, where the three agree.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed
from equivalence.sweep import Floats, OneHot, Sweep

EPSILON = 1e-7  # keras.backend.epsilon()

INPUTS = {
    "y_true": np.array([0.0, 1.0, 0.0, 0.0], dtype=np.float32),
    "p_uniform": np.array([0.25, 0.25, 0.25, 0.25], dtype=np.float32),
    "p_wrong": np.array([0.1, 0.1, 0.8, 0.1], dtype=np.float32),  # sums to 1.1
    "p_right": np.array([0.01, 0.97, 0.01, 0.01], dtype=np.float32),
    "b_true": np.array([1.0], dtype=np.float32),
    "b_pred": np.array([0.1], dtype=np.float32),
}

# The document shows each loss as a 0-d tensor's repr, <tf.Tensor: ..., dtype=float32,
# numpy=1.3862944>: the NumPy float32 scalar's shortest text.
DOCUMENTED = {
    "ce_uniform": printed("1.3862944", printer="scalar", dtype="float32"),
    "ce_wrong": printed("2.3978953", printer="scalar", dtype="float32"),
    "ce_right": printed("0.030459179", printer="scalar", dtype="float32"),
    "bce_class": printed("2.3025842", printer="scalar", dtype="float32"),
    "bce_function": printed("2.3025842", printer="scalar", dtype="float32"),
}

BCE_DRIFT = KnownDifference(
    "TensorFlow 2.0's Keras printed -log(0.1 + 1e-7) = 2.3025842; Keras 3 clips p to "
    "[1e-7, 1-1e-7] and takes log p = 2.3025851, as PyTorch does (measured in every framework: "
    "9.3e-7, 4 float32 ULP)",
    outputs="bce_*",
    references="documented",
    kind="values", max_abs=1.4e-6, max_ulp=6,
)

JAX_LOG = KnownDifference(
    "XLA's float32 log (JAX's, not the C library's) rounds -log(0.97) to 0.030459177, one float32 "
    "ULP (2.3e-9) below the correctly rounded 0.030459179 that the document and the other "
    "frameworks print",
    outputs="ce_right", backends="jax*", references="documented",
    kind="values", max_abs=3.4e-9, max_ulp=2,  # measured 1 ULP (2.3e-9)
)

case = Case(
    id="002-12-crossentropy",
    title="Cross-entropy as each framework writes it: Keras renormalises, PyTorch does not",
    source=Source("002_a2a9bc7e14b96b18.txt", "6 误差计算: 交叉熵"),
    description="Categorical cross-entropy of one-hot [0,1,0,0] against three distributions, "
    "and binary cross-entropy of 1 against 0.1.",
    inputs=INPUTS,
    documented=DOCUMENTED,
    oracle="numpy",
    known_differences=[
        KnownDifference(
            "Keras divides p by its sum (1.1 here) before the log; -sum(y*log p) in PyTorch "
            "and NumPy does not: 2.3978953 against 2.3025851 (measured 0.0953)",
            outputs="ce_wrong",
            backends="tensorflow",
            references=("torch", "numpy"),
            kind="values", max_abs=0.15,
        ),
        # The float64 oracle is NumPy's textbook -sum(y*log p): against it TensorFlow alone is off
        # on ce_wrong (the other four losses agree with it to float32 rounding).
        KnownDifference(
            "Keras divides p by its sum before the log (keras/src/backend/tensorflow/nn.py, "
            "categorical_crossentropy: \"Adjust the predictions so that the probability of each class for "
            "every sample adds up to 1\"); the float64 oracle, the textbook -sum(y*log p), does not: "
            "2.3978953 against 2.302585093 (measured 0.0953, relative 0.041)",
            outputs="ce_wrong",
            backends="tensorflow",
            references="oracle",
            kind="values", max_abs=0.15,
        ),
        KnownDifference(
            "the textbook -sum(y*log p) does not renormalise p, Keras (and the document) does: "
            "2.3025851 against the printed 2.3978953 (measured 0.0953)",
            outputs="ce_wrong",
            backends=("torch", "numpy"),
            references="documented",
            kind="values", max_abs=0.15,
        ),
        KnownDifference(
            "JAX written as the textbook -sum(y*log p), as in NumPy: 2.3025851 against Keras' and the "
            "printed 2.3978953 (measured 0.0953)",
            outputs="ce_wrong",
            backends="jax*",
            references=("documented", "tensorflow"),
            kind="values", max_abs=0.15,
        ),
        BCE_DRIFT,
        JAX_LOG,
    ],
)


@case.numpy
def with_numpy(np, y_true, p_uniform, p_wrong, p_right, b_true, b_pred):
    def categorical(y, p):
        return -np.sum(y * np.log(p))

    def binary(y, p):
        return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))

    return {
        "ce_uniform": categorical(y_true, p_uniform),
        "ce_wrong": categorical(y_true, p_wrong),
        "ce_right": categorical(y_true, p_right),
        "bce_class": binary(b_true, b_pred),
        "bce_function": binary(b_true, b_pred),
    }


@case.tensorflow
def with_tensorflow(tf, y_true, p_uniform, p_wrong, p_right, b_true, b_pred):
    return {
        "ce_uniform": tf.losses.categorical_crossentropy(y_true, p_uniform),
        "ce_wrong": tf.losses.categorical_crossentropy(y_true, p_wrong),
        "ce_right": tf.losses.categorical_crossentropy(y_true, p_right),
        "bce_class": tf.losses.BinaryCrossentropy()(b_true, b_pred),
        "bce_function": tf.losses.binary_crossentropy(b_true, b_pred),
    }


@case.torch
def with_torch(torch, y_true, p_uniform, p_wrong, p_right, b_true, b_pred):
    F = torch.nn.functional
    target = y_true.argmax().reshape(1)  # nll_loss takes class indices

    def categorical(p):
        return F.nll_loss(torch.log(p).reshape(1, -1), target)

    return {
        "ce_uniform": categorical(p_uniform),
        "ce_wrong": categorical(p_wrong),
        "ce_right": categorical(p_right),
        "bce_class": torch.nn.BCELoss()(b_pred, b_true),
        "bce_function": F.binary_cross_entropy(b_pred, b_true),
    }


@case.jax
def with_jax(jax, y_true, p_uniform, p_wrong, p_right, b_true, b_pred):
    jnp = jax.numpy  # JAX has no losses of its own (optax has them): the formulas, as in NumPy

    def categorical(y, p):
        return -jnp.sum(y * jnp.log(p))

    def binary(y, p):
        return jnp.mean(-(y * jnp.log(p) + (1 - y) * jnp.log(1 - p)))

    return {
        "ce_uniform": categorical(y_true, p_uniform),
        "ce_wrong": categorical(y_true, p_wrong),
        "ce_right": categorical(y_true, p_right),
        "bce_class": binary(b_true, b_pred),
        "bce_function": binary(b_true, b_pred),
    }


KERAS_LOSS_CLASS_FLOAT32 = KnownDifference(
    "Keras loss objects compute in their dtype policy, float32: BinaryCrossentropy()(y, p) of float64, float16 "
    "or bfloat16 inputs is float32 (the function binary_crossentropy keeps the dtype); found by the sweep",
    outputs="bce_class", backends="tensorflow", kind="dtype")
EPSILON_ROUNDS_TO_ONE = KnownDifference(
    "1 - 1e-7 rounds to 1 in float16 and bfloat16, so Keras' clip to [1e-7, 1 - 1e-7] (and the NumPy port of it) "
    "leaves p = 1 and log(1 - p) = -inf: binary_crossentropy(0, 1) is inf (its gradient inf or NaN), where "
    "PyTorch's binary_cross_entropy clamps log at -100 (100) and the float64 oracle, clipped, gives 16.118. Found "
    "by the sweep, minimal example b_true = [0], b_pred = [1.0]",
    outputs=("bce*", "grad_bce"), backends=("tensorflow", "numpy"), references="oracle", max_abs=float("inf"))
TF_FLUSHES_SUBNORMALS = KnownDifference(
    "TensorFlow flushes subnormal numbers to zero on the CPU (FTZ/DAZ): a subnormal probability is 0 to it "
    "(float16 subnormals are below 6.1e-5, and 1e-7, Keras' epsilon, is one), so the clip, the log and the "
    "gradient see 0. Found by the sweep, minimal example p_wrong = [1.0, 1.2e-07] in float16: the gradient is "
    "inf or NaN where the exact one is finite",
    outputs=("ce*", "grad_ce", "bce*", "grad_bce"), backends="tensorflow", references="oracle",
    max_abs=float("inf"))

# The sweep: distributions of 1 to 6 classes with probabilities anywhere in [0, 1] (zeros, ones,
# subnormals, rows that sum to anything), binary targets and predictions in [0, 1], 0 to 4 of them.
SWEEP_INPUTS = {
    "dims": {"c": (1, 6), "m": (0, 4)},
    "inputs": {"y_true": OneHot(("c",)), "p_uniform": Floats(("c",), 0, 1), "p_wrong": Floats(("c",), 0, 1),
               "p_right": Floats(("c",), 0, 1), "b_true": Floats(("m",), 0, 1), "b_pred": Floats(("m",), 0, 1)},
}

mapped = Case(
    id="002-12-crossentropy-mapped",
    title="Cross-entropy with Keras' renormalise-and-clip ported to PyTorch and NumPy",
    source=Source("002_a2a9bc7e14b96b18.txt", "6 误差计算: 交叉熵"),
    description="The same five losses, with p / sum(p) and clip(p, 1e-7, 1-1e-7) written out "
    "in every framework: the frameworks agree; the binary value still drifts from the document.",
    inputs=INPUTS,
    documented=DOCUMENTED,
    oracle="numpy",
    known_differences=[BCE_DRIFT, JAX_LOG],
    sweep=Sweep(**SWEEP_INPUTS, known_differences={
        "*": [KERAS_LOSS_CLASS_FLOAT32, TF_FLUSHES_SUBNORMALS],
        "float16": [EPSILON_ROUNDS_TO_ONE], "bfloat16": [EPSILON_ROUNDS_TO_ONE]}),
)


@mapped.numpy
def mapped_with_numpy(np, y_true, p_uniform, p_wrong, p_right, b_true, b_pred):
    def categorical(y, p):
        p = np.clip(p / np.sum(p), EPSILON, 1 - EPSILON)
        return -np.sum(y * np.log(p))

    def binary(y, p):
        p = np.clip(p, EPSILON, 1 - EPSILON)
        return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))

    return {
        "ce_uniform": categorical(y_true, p_uniform),
        "ce_wrong": categorical(y_true, p_wrong),
        "ce_right": categorical(y_true, p_right),
        "bce_class": binary(b_true, b_pred),
        "bce_function": binary(b_true, b_pred),
    }


mapped.implement("tensorflow")(with_tensorflow)


@mapped.torch
def mapped_with_torch(torch, y_true, p_uniform, p_wrong, p_right, b_true, b_pred):
    F = torch.nn.functional
    target = y_true.argmax().reshape(1)

    def categorical(p):
        p = torch.clamp(p / p.sum(), EPSILON, 1 - EPSILON)
        return F.nll_loss(torch.log(p).reshape(1, -1), target)

    def binary(p, y):
        return F.binary_cross_entropy(torch.clamp(p, EPSILON, 1 - EPSILON), y)

    return {
        "ce_uniform": categorical(p_uniform),
        "ce_wrong": categorical(p_wrong),
        "ce_right": categorical(p_right),
        "bce_class": binary(b_pred, b_true),
        "bce_function": binary(b_pred, b_true),
    }


@mapped.jax
def mapped_with_jax(jax, y_true, p_uniform, p_wrong, p_right, b_true, b_pred):
    jnp = jax.numpy

    def categorical(y, p):
        p = jnp.clip(p / jnp.sum(p), EPSILON, 1 - EPSILON)
        return -jnp.sum(y * jnp.log(p))

    def binary(y, p):
        p = jnp.clip(p, EPSILON, 1 - EPSILON)
        return jnp.mean(-(y * jnp.log(p) + (1 - y) * jnp.log(1 - p)))

    return {
        "ce_uniform": categorical(y_true, p_uniform),
        "ce_wrong": categorical(y_true, p_wrong),
        "ce_right": categorical(y_true, p_right),
        "bce_class": binary(b_true, b_pred),
        "bce_function": binary(b_true, b_pred),
    }


# -- the gradients ---------------------------------------------------------------------------
# Not in the document: the gradients of both losses with respect to the probabilities, with
# Keras' renormalise-and-clip ported as in -mapped, so that the sweep can search them. NumPy by
# hand: with q = p / S (S = sum p) and c = clip(q, eps, 1 - eps), dCE/dq = -y / c where
# eps <= q <= 1 - eps (tf.clip_by_value and torch.clamp pass the gradient at the bounds), 0
# outside; dCE/dp = (dCE/dq - sum(dCE/dq * q)) / S. dBCE/dp = (c - y) / (c (1 - c)) / m inside
# the clip, 0 outside.


def gradients_with_numpy(np, y_true, p_wrong, b_true, b_pred):
    eps = np.asarray(EPSILON, dtype=p_wrong.dtype)
    total = np.sum(p_wrong)
    q = p_wrong / total
    c = np.clip(q, eps, 1 - eps)
    inside = (q >= eps) & (q <= 1 - eps)
    d_q = np.where(inside, -y_true / c, 0 * c)
    b = np.clip(b_pred, eps, 1 - eps)
    m = b_pred.shape[0]
    return {
        "ce": -np.sum(y_true * np.log(c)),
        "grad_ce": (d_q - np.sum(d_q * q)) / total,  # d_q/S - sum(d_q p)/S^2, without S^2 (it underflows)
        "bce": np.mean(-(b_true * np.log(b) + (1 - b_true) * np.log(1 - b))),
        "grad_bce": np.where((b_pred >= eps) & (b_pred <= 1 - eps), (b - b_true) / (b * (1 - b)) / m, 0 * b),
    }


def gradients_with_tensorflow(tf, y_true, p_wrong, b_true, b_pred):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([p_wrong, b_pred])
        ce = tf.losses.categorical_crossentropy(y_true, p_wrong)
        bce = tf.losses.binary_crossentropy(b_true, b_pred)
    return {"ce": ce, "grad_ce": tape.gradient(ce, p_wrong), "bce": bce, "grad_bce": tape.gradient(bce, b_pred)}


def gradients_with_torch(torch, y_true, p_wrong, b_true, b_pred):
    F = torch.nn.functional
    p_wrong.requires_grad_(True)
    b_pred.requires_grad_(True)
    ce = F.nll_loss(torch.log(torch.clamp(p_wrong / p_wrong.sum(), EPSILON, 1 - EPSILON)).reshape(1, -1),
                    y_true.argmax().reshape(1))
    bce = F.binary_cross_entropy(torch.clamp(b_pred, EPSILON, 1 - EPSILON), b_true)
    return {"ce": ce, "grad_ce": torch.autograd.grad(ce, p_wrong)[0],
            "bce": bce, "grad_bce": torch.autograd.grad(bce, b_pred)[0]}


gradients = Case(
    id="002-12-crossentropy-grad",
    title="Categorical and binary cross-entropy and their gradients, Keras' renormalise-and-clip ported",
    source=Source("002_a2a9bc7e14b96b18.txt", "6 误差计算: 交叉熵"),
    description="Added for the sweeps: d/dp of categorical_crossentropy(y, p) and binary_crossentropy(y, p) "
    "on the document's [0.1, 0.1, 0.8, 0.1] and [0.1]; PyTorch and NumPy renormalise and clip as Keras does.",
    inputs={"y_true": INPUTS["y_true"], "p_wrong": INPUTS["p_wrong"], "b_true": INPUTS["b_true"],
            "b_pred": INPUTS["b_pred"]},
    sweep=Sweep(dims=SWEEP_INPUTS["dims"], inputs={k: v for k, v in SWEEP_INPUTS["inputs"].items()
                                                   if k in ("y_true", "p_wrong", "b_true", "b_pred")},
                known_differences={"*": [TF_FLUSHES_SUBNORMALS], "float16": [EPSILON_ROUNDS_TO_ONE, KnownDifference(
                    "autograd's gradient of p / sum(p) divides by sum(p)^2 (PyTorch's div backward, -grad * p / S^2), "
                    "which underflows to 0 in float16 once S < 2.4e-4: NaN where the exact gradient and NumPy's "
                    "(d_q - sum(d_q * q)) / S are finite. Found by the sweep, minimal example y_true = [1], "
                    "p_wrong = [1.2e-07] in float16",
                    outputs="grad_ce", backends="torch", references="oracle", max_abs=float("inf"))],
                                   "bfloat16": [EPSILON_ROUNDS_TO_ONE]}),
    oracle="numpy",
)
gradients.implement("numpy")(gradients_with_numpy)
gradients.implement("tensorflow")(gradients_with_tensorflow)
gradients.implement("torch")(gradients_with_torch)
