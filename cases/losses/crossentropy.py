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

case = Case(
    id="002-12-crossentropy",
    title="Cross-entropy as each framework writes it: Keras renormalises, PyTorch does not",
    source=Source("002_a2a9bc7e14b96b18.txt", "6 误差计算: 交叉熵"),
    description="Categorical cross-entropy of one-hot [0,1,0,0] against three distributions, "
    "and binary cross-entropy of 1 against 0.1.",
    inputs=INPUTS,
    documented=DOCUMENTED,
    known_differences=[
        KnownDifference(
            "Keras divides p by its sum (1.1 here) before the log; -sum(y*log p) in PyTorch "
            "and NumPy does not: 2.3978953 against 2.3025851 (measured 0.0953)",
            outputs="ce_wrong",
            backends="tensorflow",
            references=("torch", "numpy"),
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
        BCE_DRIFT,
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


mapped = Case(
    id="002-12-crossentropy-mapped",
    title="Cross-entropy with Keras' renormalise-and-clip ported to PyTorch and NumPy",
    source=Source("002_a2a9bc7e14b96b18.txt", "6 误差计算: 交叉熵"),
    description="The same five losses, with p / sum(p) and clip(p, 1e-7, 1-1e-7) written out "
    "in every framework: the frameworks agree; the binary value still drifts from the document.",
    inputs=INPUTS,
    documented=DOCUMENTED,
    known_differences=[BCE_DRIFT],
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
