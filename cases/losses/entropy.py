"""002-11 entropy: H(a) = -Σ a·log₂ a of a uniform and of a peaked distribution.

Section 6 of document 002 computes ``a * tf.math.log(a) / tf.math.log(2.)`` and
``-tf.reduce_sum(...)`` for ``a = tf.fill([4], 0.25)`` (terms ``[-0.5 -0.5 -0.5 -0.5]``,
H = 2.0) and ``a = [0.01, 0.01, 0.01, 0.97]`` (terms ``[-0.06643856 -0.06643856
-0.06643856 -0.04262501]``, H = 0.24194068). The document takes no gradient; the case
adds dH/da, by autodiff in TensorFlow and PyTorch and by hand in NumPy:
dH/da = -(log a + 1) / log 2.

Traps:

- **NEP 50** (DIFFERENCES.md §19, §28). The word-for-word NumPy translation
  ``a * np.log(a) / np.log(2.)`` divides a float32 array by ``np.log(2.)``, a
  ``np.float64`` scalar, not a Python float: under NEP 50 (NumPy 2) a NumPy scalar is
  not "weak", so the result is float64 (https://numpy.org/neps/nep-0050-scalar-promotion.html).
  ``002-11-entropy`` keeps that translation, a known difference in dtype only: its
  float64 values, printed in float32 as the document printed them, give its digits
  (H = 0.24194068406 prints as 0.24194068; terms within 2.1e-9).
  ``002-11-entropy-mapped`` takes the log of ``np.float32(2.)`` and is float32 like
  TensorFlow and PyTorch. (float32 H is 5e-8 below the exact 0.24194073 of the
  decimal inputs in every framework, as printed.)
- **p = 0** (``002-11-entropy-zero``, not in the document): ``0 · log 0 = 0 · (-inf)`` is
  NaN in all three frameworks (returned as the terms, NaN at p = 0, and as
  ``entropy_is_nan``: an output that is NaN everywhere would count as unchecked).
  ``xlogy(a, a)`` defines 0·log 0 = 0 and gives H = 1.5 for [0, 0.25, 0.25, 0.5]
  everywhere, but the derivative at p = 0 does not exist (it tends to +inf) and each
  framework answers something else: TensorFlow 0 (its xlogy gradient is
  ``xlogy(x != 0, y)`` and ``xdivy(x, y)``, tensorflow/python/ops/math_grad.py
  ``_XLogyGrad``), PyTorch NaN (``other: grad * self / other`` = 0/0 in
  tools/autograd/derivatives.yaml), NumPy's hand-written -(log a + 1)/log 2 gives +inf;
  on a plain ``a·log a`` TF and PyTorch both give NaN. The gradients agree where p > 0.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed
from equivalence.sweep import Floats, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "6 误差计算: 熵的概念")

INPUTS = {
    "a_uniform": np.full([4], 0.25, dtype=np.float32),  # tf.fill([4], 0.25)
    "a_peaked": np.array([0.01, 0.01, 0.01, 0.97], dtype=np.float32),
}

# The document shows tensor reprs: numpy=array([...], dtype=float32) for the terms, a float32
# scalar's shortest text (numpy=2.0) for the entropy. dtype="float32": what the document printed,
# so NumPy's float64 result (002-11-entropy) is printed as float32 would print it.
DOCUMENTED = {
    "terms_uniform": printed("[-0.5, -0.5, -0.5, -0.5]", printer="array", dtype="float32"),
    "entropy_uniform": printed("2.0", printer="scalar", dtype="float32"),
    "terms_peaked": printed("[-0.06643856, -0.06643856, -0.06643856, -0.04262501]", printer="array",
                            dtype="float32"),
    "entropy_peaked": printed("0.24194068", printer="scalar", dtype="float32"),
}


def numpy_entropy(np, a_uniform, a_peaked, log2):
    """Terms, entropy and hand-written gradient dH/da = -(log a + 1) / log 2."""
    out = {}
    for name, a in (("uniform", a_uniform), ("peaked", a_peaked)):
        terms = a * np.log(a) / log2
        out[f"terms_{name}"] = terms
        out[f"entropy_{name}"] = -np.sum(terms)
        out[f"grad_{name}"] = -(np.log(a) + 1) / log2
    return out


case = Case(
    id="002-11-entropy",
    title="Entropy -sum(a*log(a)/log(2.)): float32 in TF and PyTorch, float64 in NumPy by NEP 50",
    source=SOURCE,
    description="Entropy in bits of [0.25]*4 and [0.01, 0.01, 0.01, 0.97] and its gradient; NumPy's "
    "np.log(2.) is a float64 scalar, which makes the NumPy result float64.",
    inputs=INPUTS,
    oracle="numpy",
    documented=DOCUMENTED,
    known_differences=[
        KnownDifference(
            "NEP 50: float32 array / np.log(2.) (a np.float64 scalar, not a weak Python float) is float64 "
            "in NumPy 2; TF and PyTorch stay float32. Only the dtype differs: the values are within the "
            "float32 tolerance (H 0.24194068406 vs 0.24194068)",
            outputs="*",
            backends="numpy",
            references=("torch", "tensorflow"),
            kind="dtype",
        ),
    ],
)


@case.numpy
def with_numpy(np, a_uniform, a_peaked):
    return numpy_entropy(np, a_uniform, a_peaked, log2=np.log(2.0))  # np.float64: promotes to float64


@case.tensorflow
def with_tensorflow(tf, a_uniform, a_peaked):
    out = {}
    for name, a in (("uniform", a_uniform), ("peaked", a_peaked)):
        with tf.GradientTape() as tape:
            tape.watch(a)
            terms = a * tf.math.log(a) / tf.math.log(2.0)
            entropy = -tf.reduce_sum(terms)
        out[f"terms_{name}"] = terms
        out[f"entropy_{name}"] = entropy
        out[f"grad_{name}"] = tape.gradient(entropy, a)
    return out


@case.torch
def with_torch(torch, a_uniform, a_peaked):
    out = {}
    for name, a in (("uniform", a_uniform), ("peaked", a_peaked)):
        a.requires_grad_(True)
        terms = a * torch.log(a) / torch.log(torch.tensor(2.0))
        entropy = -torch.sum(terms)
        (grad,) = torch.autograd.grad(entropy, a)
        out[f"terms_{name}"] = terms
        out[f"entropy_{name}"] = entropy
        out[f"grad_{name}"] = grad
    return out


mapped = Case(
    id="002-11-entropy-mapped",
    title="Entropy with log(2) taken in float32 in NumPy too",
    source=SOURCE,
    description="np.log(np.float32(2.)) keeps NumPy in float32: the three frameworks and the document agree.",
    inputs=INPUTS,
    documented=DOCUMENTED,
    # Probability vectors of any length, values anywhere in [0, 1] (zeros, subnormals, ones).
    sweep=Sweep(dims={"n": (0, 8), "m": (0, 8)},
                inputs={"a_uniform": Floats(("n",), 0, 1), "a_peaked": Floats(("m",), 0, 1)},
                known_differences={
                    "*": [KnownDifference(
                        "dH/da at p = 0 does not exist (-(log p + 1)/log 2 tends to +inf): a*log(a) gives NaN in TensorFlow and PyTorch (log 0 + 0 * (1/0)), NumPy's "
                        "formula (the oracle) +inf, as in 002-11-entropy-zero. Found by the sweep, minimal example "
                        "a = [0.0]; and TensorFlow flushes subnormal probabilities to 0 (FTZ/DAZ), with the same "
                        "result", outputs="grad_*", backends=("tensorflow", "torch"), references="oracle",
                        max_abs=float("inf"))],
                    **{dtype: [
                        KnownDifference(
                            "tf.math.log(2.0) is a float32 tensor and TensorFlow does not promote: a * log(a) / "
                            f"tf.math.log(2.0) raises for {dtype} a (\"`x` and `y` must have the same dtype\"), "
                            "where PyTorch and NumPy promote; found by the sweep, minimal example two empty vectors",
                            backends="tensorflow", kind="error"),
                        KnownDifference(
                            "NEP 50: the NumPy port divides by np.log(np.float32(2.)), a float32 scalar, so its "
                            f"results are float32 for {dtype} a",
                            backends="numpy", kind="dtype")] for dtype in ("float64", "float16", "bfloat16")},
                }),
)


@mapped.numpy
def mapped_with_numpy(np, a_uniform, a_peaked):
    return numpy_entropy(np, a_uniform, a_peaked, log2=np.log(np.float32(2.0)))


mapped.implement("tensorflow")(with_tensorflow)
mapped.implement("torch")(with_torch)


# -- a zero probability ---------------------------------------------------------------
GRADIENT_AT_ZERO = (
    "dH/da at p = 0 does not exist (-(log p + 1)/log 2 tends to +inf); each framework answers differently at index 0: "
)

zero = Case(
    id="002-11-entropy-zero",
    title="Entropy with a zero probability: NaN from 0*log(0), xlogy, and three answers for the gradient at 0",
    source=SOURCE,
    description="p = [0, 0.25, 0.25, 0.5]: a*log(a) gives NaN everywhere; xlogy gives H = 1.5 everywhere; "
    "the gradient at p = 0 is 0 in TF, NaN in PyTorch, +inf by NumPy's formula; equal where p > 0.",
    inputs={"p": np.array([0.0, 0.25, 0.25, 0.5], dtype=np.float32)},
    known_differences=[
        KnownDifference(
            GRADIENT_AT_ZERO + "a*log(a): TF and PyTorch NaN (log 0 + 0 * (1/0)), NumPy's formula +inf",
            outputs="grad",
            backends="numpy",
            references=("torch", "tensorflow"),
            kind="values", mismatched=1, at=np.s_[0],
        ),
        KnownDifference(
            GRADIENT_AT_ZERO + "xlogy: TF 0 (_XLogyGrad uses xlogy(x != 0, y) and xdivy(x, y)), PyTorch NaN "
            "(d/dother = grad * self / other = 0/0), NumPy's formula +inf: every pair differs there",
            outputs="grad_xlogy",
            kind="values", mismatched=1, at=np.s_[0],
        ),
    ],
)


@zero.numpy
def zero_with_numpy(np, p):
    log2 = np.log(np.float32(2.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = p * np.log(p) / log2  # 0 * -inf = NaN at p = 0
        entropy = -np.sum(terms)
        entropy_xlogy = -np.sum(np.where(p == 0, np.float32(0), p * np.log(p)) / log2)
        grad = -(np.log(p) + 1) / log2  # +inf at p = 0: the derivative's limit
    return {
        "terms": terms,
        "entropy_is_nan": np.isnan(entropy),
        "grad": grad,
        "entropy_xlogy": entropy_xlogy,
        "grad_xlogy": grad,
        "grad_xlogy_positive": grad[p > 0],
    }


@zero.tensorflow
def zero_with_tensorflow(tf, p):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(p)
        terms = p * tf.math.log(p) / tf.math.log(2.0)
        entropy = -tf.reduce_sum(terms)
        entropy_xlogy = -tf.reduce_sum(tf.math.xlogy(p, p) / tf.math.log(2.0))
    grad_xlogy = tape.gradient(entropy_xlogy, p)
    return {
        "terms": terms,
        "entropy_is_nan": tf.math.is_nan(entropy),
        "grad": tape.gradient(entropy, p),
        "entropy_xlogy": entropy_xlogy,
        "grad_xlogy": grad_xlogy,
        "grad_xlogy_positive": tf.boolean_mask(grad_xlogy, p > 0),
    }


@zero.torch
def zero_with_torch(torch, p):
    p.requires_grad_(True)
    log2 = torch.log(torch.tensor(2.0))
    terms = p * torch.log(p) / log2
    entropy = -torch.sum(terms)
    entropy_xlogy = -torch.sum(torch.xlogy(p, p) / log2)
    (grad,) = torch.autograd.grad(entropy, p)
    (grad_xlogy,) = torch.autograd.grad(entropy_xlogy, p)
    return {
        "terms": terms,
        "entropy_is_nan": torch.isnan(entropy),
        "grad": grad,
        "entropy_xlogy": entropy_xlogy,
        "grad_xlogy": grad_xlogy,
        "grad_xlogy_positive": grad_xlogy[p.detach() > 0],
    }
