"""002-5 clip-by-norm: ``tf.norm`` and ``tf.clip_by_norm(a, 15)`` of a 2x2 matrix near 10.

Section 3 of document 002 draws ``a = tf.random.normal([2,2], mean=10)``, prints it, its
norm 20.742897, ``clip_by_norm(a, 15)`` and that result's norm 14.999999 ("scale in
proportion, the direction is kept"). The printed ``a`` is taken as a float32 literal
input, so those four printouts are documented values (TensorFlow 2.21 reproduces all four
bit for bit); a matrix drawn by NumPy (``normal(10, 1)``, seed 0) is clipped the same way.

``tf.clip_by_norm(t, c)`` computes ``t * c / max(‖t‖, c)`` (tensorflow/python/ops/clip_ops.py).
PyTorch has no ``clip_by_norm``; its norm clipping is ``torch.nn.utils.clip_grad_norm_``,
which rescales ``.grad`` by ``min(c / (‖g‖ + 1e-6), 1)`` (torch/nn/utils/clip_grad.py,
DIFFERENCES.md §10). ``002-5-clip-by-norm`` uses it (on a tensor holding the matrix as
its ``.grad``); ``002-5-clip-by-norm-mapped`` writes TensorFlow's formula in PyTorch.
NumPy writes TensorFlow's formula by hand in both, with the norm as sqrt(sum(a²)), as
``tf.norm`` defines it (``np.linalg.norm`` takes a BLAS dot and gives 20.742895 here,
1 float32 ULP lower).

What separates the two formulas, measured here:

- On the document's matrix the 1e-6 is 5e-8 of the norm, yet it moves the float32 scale
  c/(n + 1e-6) one ULP below c/n (0.72313905 against 0.72313911), and multiplying by a
  rounded scale, where TensorFlow multiplies by c and then divides, costs up to one more:
  ``clip_grad_norm_`` lands 1-2 ULP below TensorFlow in all four elements (7.8863525
  against the printed 7.8863535). Within the default float32 tolerance of TensorFlow,
  but printed, all four elements differ from the document (1, 1, 2 and 2 ULP), and so
  does the norm of the result (14.999998 against the printed 14.999999, 1 ULP).
- Small norms (an added probe, not in the document): a matrix of norm 4.3e-7 clipped to
  1e-7. The 1e-6 then dominates, and PyTorch scales by 0.070 instead of 0.230.
- Below the threshold (an added probe): 1000 normal values (norm 9.3) clipped to 15.
  TensorFlow still computes ``t * 15 / 15``, which rounds: 66 of the 1000 elements
  change by one ULP; ``clip_grad_norm_`` multiplies by exactly 1.0 and changes none.
  The output ``below_changed`` counts the changed elements (an exact comparison).
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, Tolerance, printed
from equivalence.sweep import Floats, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "3 张量的限幅: 等比例缩放 clip_by_norm")
CLIP = 15.0  # the document's clip_norm
TINY_CLIP = 1e-7  # the small-norm probe's clip_norm


def make_inputs(rng):
    return {
        # The document's printout of tf.random.normal([2,2], mean=10).
        "a": np.array([[9.901226, 11.381033], [10.905721, 9.152639]], dtype=np.float32),
        "a_random": rng.normal(10.0, 1.0, size=(2, 2)).astype(np.float32),
        "a_tiny": (rng.standard_normal((2, 2)) * 2.5e-7).astype(np.float32),  # norm 4.3e-7
        "a_below": (rng.standard_normal(1000) * 0.3).astype(np.float32),  # norm ~9.3 < 15
    }


# print(b), print(c), print(d) of float32 tensors: tf.Tensor(20.742897, shape=(), dtype=float32).
DOCUMENTED = {
    "norm": printed("20.742897", printer="array", dtype="float32"),
    "clipped": printed("""
        [[7.1599636 8.23007  ]
         [7.8863535 6.618632 ]]""", printer="array", dtype="float32"),
    "clipped_norm": printed("14.999999", printer="array", dtype="float32"),
}

# The small-norm probe holds values near 1e-7: the float32 default atol of 1e-5 would
# accept anything there, so its comparison is relative (float32's default rtol) with an
# atol at 1e-7 of the values' scale.
TOLERANCE = {"tiny_clipped": Tolerance(rtol=1.3e-6, atol=1e-14)}


def with_numpy(np, a, a_random, a_tiny, a_below):
    def norm(t):
        return np.sqrt(np.sum(t * t))

    def clip_by_norm(t, clip_norm):  # TensorFlow's formula
        return t * np.float32(clip_norm) / np.maximum(norm(t), np.float32(clip_norm))

    below = clip_by_norm(a_below, CLIP)
    return {
        "norm": norm(a), "clipped": clip_by_norm(a, CLIP), "clipped_norm": norm(clip_by_norm(a, CLIP)),
        "random_norm": norm(a_random), "random_clipped": clip_by_norm(a_random, CLIP),
        "random_clipped_norm": norm(clip_by_norm(a_random, CLIP)),
        "tiny_clipped": clip_by_norm(a_tiny, TINY_CLIP),
        "below_clipped": below, "below_changed": np.count_nonzero(below != a_below),
    }


def with_tensorflow(tf, a, a_random, a_tiny, a_below):
    b = tf.norm(a)
    c = tf.clip_by_norm(a, 15)
    d = tf.norm(c)
    random_clipped = tf.clip_by_norm(a_random, CLIP)
    below = tf.clip_by_norm(a_below, CLIP)
    return {
        "norm": b, "clipped": c, "clipped_norm": d,
        "random_norm": tf.norm(a_random), "random_clipped": random_clipped,
        "random_clipped_norm": tf.norm(random_clipped),
        "tiny_clipped": tf.clip_by_norm(a_tiny, TINY_CLIP),
        "below_clipped": below, "below_changed": tf.math.count_nonzero(below != a_below),
    }


def torch_outputs(torch, clip_by_norm, a, a_random, a_tiny, a_below):
    norm = torch.linalg.vector_norm  # the 2-norm of all elements, as tf.norm of a matrix
    clipped, random_clipped, below = (clip_by_norm(t, CLIP) for t in (a, a_random, a_below))
    return {
        "norm": norm(a), "clipped": clipped, "clipped_norm": norm(clipped),
        "random_norm": norm(a_random), "random_clipped": random_clipped,
        "random_clipped_norm": norm(random_clipped),
        "tiny_clipped": clip_by_norm(a_tiny, TINY_CLIP),
        "below_clipped": below, "below_changed": torch.count_nonzero(below != a_below),
    }


def with_torch_clip_grad_norm(torch, a, a_random, a_tiny, a_below):
    def clip_by_norm(t, clip_norm):
        # PyTorch's norm clipping works on .grad: g * min(c / (‖g‖ + 1e-6), 1), in place.
        holder = torch.zeros_like(t, requires_grad=True)
        holder.grad = t.clone()
        torch.nn.utils.clip_grad_norm_([holder], clip_norm)
        return holder.grad

    return torch_outputs(torch, clip_by_norm, a, a_random, a_tiny, a_below)


def with_torch_mapped(torch, a, a_random, a_tiny, a_below):
    def clip_by_norm(t, clip_norm):  # tf.clip_by_norm's formula: t * c / max(‖t‖, c)
        c = torch.tensor(clip_norm, dtype=t.dtype)
        return t * c / torch.maximum(torch.linalg.vector_norm(t), c)

    return torch_outputs(torch, clip_by_norm, a, a_random, a_tiny, a_below)


case = Case(
    id="002-5-clip-by-norm",
    title="clip_by_norm(a, 15): TensorFlow's formula against PyTorch's clip_grad_norm_",
    source=SOURCE,
    description="The printed 2x2 matrix and a NumPy draw clipped to norm 15, plus two probes: "
    "a norm of 4.3e-7 clipped to 1e-7, and 1000 values below the threshold.",
    inputs=make_inputs,
    documented=DOCUMENTED,
    tolerance=TOLERANCE,
    oracle="numpy",
    known_differences=[
        KnownDifference(
            "clip_grad_norm_ multiplies once by the float32 scale c/(n + 1e-6), one ULP below c/n, "
            "where TensorFlow multiplies by c and divides by n: it prints "
            "[[7.159963 8.230069] [7.8863525 6.618631]] against the document's "
            "[[7.1599636 8.23007] [7.8863535 6.618632]], 1 to 2 float32 ULP below (1.1e-6) in all four",
            outputs="clipped", backends="torch", references="documented",
            max_abs=1.7e-6, max_ulp=3,
        ),
        KnownDifference(
            "the norm of clip_grad_norm_'s result prints 14.999998, the document's 14.999999: "
            "1 float32 ULP (9.5e-7) below",
            outputs="clipped_norm", backends="torch", references="documented",
            max_abs=1.4e-6, max_ulp=2,
        ),
        KnownDifference(
            "clip_grad_norm_ adds 1e-6 to the norm: with a norm of 4.34e-7 and a threshold of 1e-7 "
            "PyTorch scales by 1e-7/(n + 1e-6) = 0.0697, TensorFlow by 1e-7/n = 0.230: all four "
            "elements differ, by up to 5.2e-8: relative 2.3 to PyTorch's values (0.70 to TensorFlow's)",
            outputs="tiny_clipped", backends=("tensorflow", "numpy"), references="torch",
            max_abs=7.9e-8, max_rel=3.5,
        ),
        KnownDifference(
            "below the threshold TensorFlow still computes t * 15 / 15, which changes 66 of 1000 "
            "elements by one ULP; clip_grad_norm_ multiplies by exactly 1.0 and changes none "
            "(a count: exact)",
            outputs="below_changed", backends=("tensorflow", "numpy"), references="torch",
            max_abs=66,
        ),
        # The float64 oracle runs TensorFlow's formula on the inputs cast up: a float32 value times
        # 15 is exact in float64 (24 + 4 bits), so t * 15 / 15 gives t back and changes no element.
        # PyTorch's multiplication by exactly 1.0 agrees with it; TensorFlow's float32 rounding
        # does not (in -mapped every backend rounds alike: rounding shared, a pass).
        KnownDifference(
            "below the threshold TensorFlow computes t * 15 / 15 in float32, which moves 66 of 1000 "
            "elements by one ULP; in float64 (the oracle) t * 15 is exact and / 15 gives t back, so the "
            "oracle counts 0 changed elements, as PyTorch's multiplication by 1.0 does (a count: exact)",
            outputs="below_changed", backends=("tensorflow", "numpy"), references="oracle",
            max_abs=99,  # measured 66 (--bounds, ×1.5)
        ),
    ],
)
case.implement("numpy")(with_numpy)
case.implement("tensorflow")(with_tensorflow)
case.implement("torch")(with_torch_clip_grad_norm)

# The sweep: matrices of 0 to 3 by 0 to 3 with values anywhere in the dtype's range (norms
# from 0 to overflow), tiny ones in [-1e-6, 1e-6] against the 1e-7 threshold, and vectors of up
# to 16 values in [-1, 1] below the threshold of 15.
SWEEP = Sweep(
    dims={"r": (0, 3), "c": (0, 3), "k": (0, 16)},
    inputs={"a": Floats(("r", "c")), "a_random": Floats(("r", "c"), -100, 100),
            "a_tiny": Floats(("r", "c"), -1e-6, 1e-6), "a_below": Floats(("k",), -1, 1)},
    known_differences={
        "*": [
            KnownDifference(
                "NEP 50: the NumPy port multiplies by np.float32(clip_norm), a float32 scalar, so its results are "
                "float32 for float16 inputs (found by the sweep, minimal example empty inputs)",
                backends="numpy", kind="dtype"),
            KnownDifference(
                "TensorFlow flushes subnormal numbers to zero on the CPU (FTZ/DAZ): the tiny probe's subnormal "
                "values (every one in float16, where they are below 6.1e-5) are 0 to it, and so is the 1e-7 "
                "threshold in float16: its clipped values are 0 or NaN where the exact ones are below 1e-6",
                outputs="tiny_clipped", backends="tensorflow", references="oracle", max_abs=float("inf")),
        ],
        "float16": [
            KnownDifference(
                "below_changed counts the elements that t * 15 / 15 moves by a rounding; the NumPy port computes it "
                "in float32 (NEP 50), TensorFlow and PyTorch in float16, so the counts differ (found by the sweep, "
                "minimal example a_below = [0.66]: 1 against 0); at most every element, 16",
                outputs="below_changed", max_abs=16),
            KnownDifference(
                "tf.norm (and the NumPy port's sqrt(sum(t * t))) squares in float16: for elements of 256 and more "
                "the square overflows and the norm is inf, where torch.linalg.vector_norm gives the norm (256 for "
                "[256]); the clipped values that divide by it follow. Found by the sweep, minimal example "
                "a = [[256.0]]",
                outputs=("norm", "clipped", "clipped_norm", "random_*"), backends=("tensorflow", "numpy"),
                references="oracle", max_abs=float("inf")),
        ],
    },
)

mapped = Case(
    id="002-5-clip-by-norm-mapped",
    title="clip_by_norm(a, 15) with TensorFlow's formula written in PyTorch",
    source=SOURCE,
    description="The same inputs with t * c / max(norm(t), c) in every framework: "
    "the frameworks agree and reproduce the printed values.",
    inputs=make_inputs,
    documented=DOCUMENTED,
    tolerance=TOLERANCE,
    oracle="numpy",
    sweep=SWEEP,
)
mapped.implement("numpy")(with_numpy)
mapped.implement("tensorflow")(with_tensorflow)
mapped.implement("torch")(with_torch_mapped)
