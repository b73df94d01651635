"""002-15 activations: sigmoid and its gradient, tanh, relu and leaky_relu on linspace grids.

Section 8 prints, in float32, ``a = tf.linspace(-10., 10., 10)``, ``tf.sigmoid(a)`` and
its gradient from a tape, ``tf.tanh(a)``, then ``tf.nn.relu`` and ``tf.nn.leaky_relu`` on
``tf.linspace(-1., 1., 10)``.

What stands between those printouts and today's frameworks:

- **The grid.** The printed ``a`` (-1.1111107, 1.1111116, 3.333334, 5.5555563,
  7.7777786) is not the correctly rounded grid: TensorFlow's float32 linspace computes
  start + i·((stop − start)/(n − 1)) in float32, and today's ``tf.linspace`` still gives
  the printed values bit for bit. ``np.linspace`` (float64, rounded to float32) gives
  -1.1111112, 1.1111112, 3.3333333, 5.5555553, 7.7777777: up to 9.5e-7 (2 ULP) away,
  and ``torch.linspace`` is a third grid (symmetric from both ends, DIFFERENCES.md §15).
  Every backend here receives the same grid made by NumPy; the grid is itself an output
  (``a``) so the report shows it against the printed one.
- **TensorFlow 2.0's sigmoid.** On the document's own grid the printed sigmoid is
  2.0e-4 (relative) below the true value at -10 (4.5388937e-05; exactly 4.5397869e-05;
  TensorFlow 2.21 4.5397861e-05, PyTorch 4.5397872e-05), 3.7e-5 at -7.78, 6e-6 at
  -5.56, 6e-7 at -3.33: TensorFlow 2.0's float32 logistic was inaccurate for negative
  inputs. The printed gradient σ(1 − σ) inherits it. On the positive side the printed
  gradient (4.5416677e-05 at +10, 4.6e-4 above the exact value) is float32 cancellation
  in 1 − σ, which every framework reproduces today.
- **ULPs** (DIFFERENCES.md §8): today's TensorFlow sigmoid is 1 ULP below the printed
  value at 7.78 (0.99958122 against 0.99958128), which 1 − σ turns into a 1.4e-4
  relative gradient difference (5.95e-8 absolute); PyTorch's float32 tanh is 1 ULP
  from the printed (and NumPy's) -0.8044547 at -1.11, and TensorFlow's float32 tanh
  prints 1 ULP away in 5 of the 10 numbers (-0.9999702 against -0.99997014 at -5.56,
  0.9999997 against 0.99999964 at 7.78, ...). Backends are compared with
  rtol 1.3e-6 (torch's float32 default) and atol 1e-7 instead of the default 1e-5,
  which would accept 20 % errors on sigmoid(-10) = 4.5e-5; the largest absolute
  differences measured are 7.5e-8 (sigmoid), 6.0e-8 (gradient), 1.2e-7 (tanh).
- **leaky_relu's slope** (DIFFERENCES.md §7): ``tf.nn.leaky_relu`` defaults to
  alpha = 0.2 (the printed -0.2 at -1), ``torch.nn.functional.leaky_relu`` to
  negative_slope = 0.01.

Two cases:

- ``002-15-activations``: as written, on the ``np.linspace`` grid, each framework's
  leaky_relu with its default slope (NumPy has none: it writes the document's 0.2).
- ``002-15-activations-mapped``: the document's grid (TensorFlow's float32 linspace
  formula in NumPy, equal to the printed ``a``) and the slope 0.2 passed explicitly:
  the frameworks agree with each other and with the printed a, relu and leaky_relu;
  the sigmoid drift of TensorFlow 2.0 and the tanh ULPs remain.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, Tolerance, printed
from equivalence.sweep import Floats, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "8 激活函数及其梯度")

# print(a), print(y), print(grads) (a list of tensor reprs) and the reprs of .numpy(): NumPy's
# array printing, float32.
DOCUMENTED = {
    "a": printed("""[-10.         -7.7777777  -5.5555553  -3.333333   -1.1111107   1.1111116
   3.333334    5.5555563   7.7777786  10.       ]""", printer="array", dtype="float32"),
    "y": printed("""[4.5388937e-05 4.1878223e-04 3.8510561e-03 3.4445226e-02 2.4766389e-01
 7.5233626e-01 9.6555483e-01 9.9614894e-01 9.9958128e-01 9.9995458e-01]""", printer="array", dtype="float32"),
    "grads": printed("""[4.5386874e-05, 4.1860685e-04, 3.8362255e-03, 3.3258751e-02,
       1.8632649e-01, 1.8632641e-01, 3.3258699e-02, 3.8362255e-03,
       4.1854731e-04, 4.5416677e-05]""", printer="array", dtype="float32"),
    "tanh": printed("""[-1.         -0.99999964 -0.99997014 -0.997458   -0.8044547   0.804455
  0.997458    0.99997014  0.99999964  1.        ]""", printer="array", dtype="float32"),
    "relu": printed("""[0.        , 0.        , 0.        , 0.        , 0.        ,
       0.11111116, 0.33333337, 0.5555556 , 0.7777778 , 1.        ]""", printer="array", dtype="float32"),
    "leaky_relu": printed("""[-0.2       , -0.15555556, -0.11111112, -0.06666666, -0.02222222,
        0.11111116,  0.33333337,  0.5555556 ,  0.7777778 ,  1.        ]""", printer="array", dtype="float32"),
}

# ULP-level differences between the frameworks' float32 sigmoid/tanh (see above).
TOLERANCE = {"y": Tolerance(rtol=1.3e-6, atol=1e-7), "grads": Tolerance(rtol=1.3e-6, atol=1e-7),
             "tanh": Tolerance(rtol=1.3e-6, atol=1e-7)}

# The sweeps: both grids any length (empty and size 1 included) and any value of the dtype,
# NaN and infinities too: the activations are defined everywhere.
SWEEP_INPUTS = {"dims": {"n": (0, 12), "m": (0, 12)},
                "inputs": {"a": Floats(("n",), allow_nan=True, allow_infinity=True),
                           "a_relu": Floats(("m",), allow_nan=True, allow_infinity=True)}}
NUMPY_FLOAT32_SLOPE = KnownDifference(
    "NEP 50: the NumPy port multiplies by np.float32(0.2), a float32 scalar that is not weak, so a float16 "
    "a_relu gives a float32 leaky_relu (TensorFlow and PyTorch stay float16); found by the sweep, minimal "
    "example an empty float16 a_relu",
    outputs="leaky_relu", backends="numpy", kind="dtype",
)
SWEEP = Sweep(**SWEEP_INPUTS, known_differences=[
    NUMPY_FLOAT32_SLOPE,
    KnownDifference(
        "default slopes: torch.nn.functional.leaky_relu's negative_slope 0.01 against tf.nn.leaky_relu's (and the "
        "oracle's, NumPy's) 0.2: below 0 PyTorch's value is 0.05 times the exact one, 0 where 0.01x underflows; "
        "found by the sweep, minimal example a_relu = [-1.0] (-0.01 against -0.2), in every dtype. Measured "
        "against the oracle: max_rel 0.95 (1.0 at an underflow)",
        outputs="leaky_relu", backends="torch", references="oracle", max_rel=1.0,
    ),
])
MAPPED_SWEEP = Sweep(**SWEEP_INPUTS, known_differences=[NUMPY_FLOAT32_SLOPE])
GRADIENT_SWEEP = Sweep(**SWEEP_INPUTS, known_differences=[
    KnownDifference(
        "relu's gradient at NaN: PyTorch's threshold_backward passes the gradient unless x <= 0, so 1 at NaN; "
        "TensorFlow's ReluGrad (and NumPy's x > 0) keep it only where x > 0, so 0. Found by the sweep, minimal "
        "example a_relu = [nan], every dtype: 1 against 0",
        outputs="grad_relu", backends="torch", references=("numpy", "tensorflow", "oracle"), max_abs=1,
    ),
    KnownDifference(
        "TensorFlow flushes subnormal numbers to zero on the CPU (its kernels run with FTZ/DAZ set): a subnormal "
        "a_relu is 0 to relu's and leaky_relu's gradients (0 and the slope where the exact ones are 1). Found by "
        "the sweep, minimal example a_relu = [8.3e-40] in bfloat16 (float32's subnormals): 0 against 1",
        outputs=("grad_relu", "grad_leaky_relu"), backends="tensorflow", references=("numpy", "torch", "oracle"),
        max_abs=1,
    ),
])

TF2_SIGMOID = (
    "TensorFlow 2.0's float32 sigmoid was inaccurate for negative inputs: the printed "
    "sigmoid(-10) = 4.5388937e-05 is 2.0e-4 (relative) below the true 4.5397869e-05 that "
    "TensorFlow 2.21, PyTorch and NumPy compute (3.7e-5 at -7.78, 6e-6 at -5.56, 6e-7 at "
    "-3.33); the printed gradient s(1-s) inherits it"
)


def tensorflow_linspace(start, stop, num):
    """TensorFlow's float32 linspace, start + i·((stop − start)/(num − 1)), in NumPy."""
    step = np.float32(stop - start) / np.float32(num - 1)
    return np.float32(start) + np.arange(num, dtype=np.float32) * step


def with_numpy(np, a, a_relu, slope):
    y = 1 / (1 + np.exp(-a))
    grads = y * (1 - y)  # dσ/da = σ(1 − σ), by hand
    alpha = np.float32(0.2) if slope is None else np.float32(slope)  # NumPy has no default: the document's
    return {
        "a": a,
        "y": y,
        "grads": grads,
        "tanh": np.tanh(a),
        "relu": np.maximum(a_relu, 0),
        "leaky_relu": np.where(a_relu > 0, a_relu, alpha * a_relu),
    }


def with_tensorflow(tf, a, a_relu, slope):
    # The document makes a = tf.linspace(-10., 10., 10) here; every backend gets NumPy's grid.
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = tf.sigmoid(a)
    grads = tape.gradient(y, [a])
    leaky = tf.nn.leaky_relu(a_relu) if slope is None else tf.nn.leaky_relu(a_relu, alpha=slope)
    return {
        "a": a,
        "y": y,
        "grads": grads[0],
        "tanh": tf.tanh(a),
        "relu": tf.nn.relu(a_relu),
        "leaky_relu": leaky,
    }


def with_torch(torch, a, a_relu, slope):
    F = torch.nn.functional
    a.requires_grad_(True)
    y = torch.sigmoid(a)
    (grads,) = torch.autograd.grad(y.sum(), a)  # elementwise: the gradient of the sum
    leaky = F.leaky_relu(a_relu) if slope is None else F.leaky_relu(a_relu, negative_slope=slope)
    return {
        "a": a,
        "y": y,
        "grads": grads,
        "tanh": torch.tanh(a),
        "relu": torch.relu(a_relu),
        "leaky_relu": leaky,
    }


case = Case(
    id="002-15-activations",
    title="sigmoid and its gradient, tanh, relu, leaky_relu as written (np.linspace grid, default slopes)",
    source=SOURCE,
    description="The activations on NumPy's linspace grids; leaky_relu with each framework's "
    "default slope: TensorFlow 0.2, PyTorch 0.01.",
    inputs={
        "a": np.linspace(-10.0, 10.0, 10).astype(np.float32),
        "a_relu": np.linspace(-1.0, 1.0, 10).astype(np.float32),
        "slope": None,  # each framework's default
    },
    documented=DOCUMENTED,
    tolerance=TOLERANCE,
    sweep=SWEEP,
    known_differences=[
        KnownDifference(
            "default slopes: tf.nn.leaky_relu alpha=0.2 (NumPy writes the same), "
            "torch.nn.functional.leaky_relu negative_slope=0.01: -0.2 against -0.01 at -1 "
            "(measured 0.19, the five negative inputs only)",
            outputs="leaky_relu",
            backends=("numpy", "tensorflow"),
            references="torch",
            kind="values", max_abs=0.29, at=np.s_[:5],
        ),
        KnownDifference(
            "PyTorch's default negative_slope 0.01 gives -0.01 at -1 where the document prints "
            "TensorFlow's -0.2 (measured 0.19), and the grid differs at 0.11 and 0.33 (below)",
            outputs="leaky_relu",
            backends="torch",
            references="documented",
            kind="values", max_abs=0.29, at=np.s_[:7],
        ),
        KnownDifference(
            "the grid: the printed a is TensorFlow's float32 linspace (start + i*step in float32), "
            "np.linspace rounded to float32 differs in 6 of 10 numbers, by up to 9.6e-7 (2 ULP, at "
            "5.56 and 7.78) or 4 ULP (5e-7, at -1.11 and 1.11)",
            outputs="a",
            references="documented",
            kind="values", max_abs=1.5e-6, max_ulp=6, mismatched=6,
        ),
        KnownDifference(
            "the grid, through tanh: 2.0e-7 (3 ULP) at -1.11 and 1.11 in every framework (NumPy and "
            "PyTorch 2 of 10 numbers); TensorFlow's float32 tanh is also 1 ULP off at -5.56, -3.33, "
            "3.33 and 5.56 (6 of 10, see -mapped)",
            outputs="tanh",
            references="documented",
            kind="values", max_abs=3e-7, max_ulp=5, mismatched=6,
        ),
        KnownDifference(
            "the grid, through relu and leaky_relu: 4.8e-8 (6 ULP) at 0.11, and 0.33 and -0.067 "
            "one digit off: 2 (relu) and 3 (leaky_relu) of 10 numbers",
            outputs=("relu", "leaky_relu"),
            references="documented",
            kind="values", max_abs=7.2e-8, max_ulp=9, mismatched=3,
        ),
        KnownDifference(
            TF2_SIGMOID + "; the np.linspace grid adds up to 1.2e-7 (at -1.11 and 1.11). Measured: "
            "6 or 7 of 10 numbers, max_abs 1.2e-7, max_rel 2.0e-4 (at -10)",
            outputs=("y", "grads"),
            references="documented",
            kind="values", max_abs=1.9e-7, max_rel=3e-4,
        ),
    ],
)
case.implement("numpy")(with_numpy)
case.implement("tensorflow")(with_tensorflow)
case.implement("torch")(with_torch)


mapped = Case(
    id="002-15-activations-mapped",
    title="sigmoid and its gradient, tanh, relu, leaky_relu on the document's grid, slope 0.2 explicit",
    source=SOURCE,
    description="TensorFlow's float32 linspace grid (the printed a) and leaky_relu's slope 0.2 "
    "passed to every framework.",
    inputs={
        "a": tensorflow_linspace(-10.0, 10.0, 10),  # bit for bit the printed a
        "a_relu": tensorflow_linspace(-1.0, 1.0, 10),
        "slope": 0.2,
    },
    documented=DOCUMENTED,
    tolerance=TOLERANCE,
    sweep=MAPPED_SWEEP,
    known_differences=[
        KnownDifference(TF2_SIGMOID + " (today's TensorFlow also differs from the printed y and gradient by "
                        "about 1 ULP at -1.11, 1.11 and 7.78). Measured: 4 to 7 of 10 numbers, max_abs "
                        "6.4e-8, max_rel 2.0e-4 (at -10)",
                        outputs=("y", "grads"), references="documented",
                        kind="values", max_abs=9.7e-8, max_rel=3e-4),
        KnownDifference(
            "float32 tanh, measured on this machine: PyTorch gives -0.8044546 at -1.1111107, 1 ULP from "
            "the printed -0.8044547 (NumPy's and TensorFlow 2.0's value; exactly -0.80445465)",
            outputs="tanh",
            backends="torch",
            references="documented",
            kind="values", max_abs=1.2e-7, max_ulp=2, at=np.s_[4],
        ),
        KnownDifference(
            "float32 tanh, measured on this machine: TensorFlow 2.21 is 1 ULP from the printed value "
            "in 5 of 10 numbers: -0.9999702, -0.99745804, -0.8044546, 0.99745804, 0.9999997 against "
            "the printed -0.99997014, -0.997458, -0.8044547, 0.997458, 0.99999964",
            outputs="tanh",
            backends="tensorflow",
            references="documented",
            kind="values", max_abs=1.2e-7, max_ulp=2, mismatched=5,
        ),
    ],
)
mapped.implement("numpy")(with_numpy)
mapped.implement("tensorflow")(with_tensorflow)
mapped.implement("torch")(with_torch)


# -- every activation's gradient -------------------------------------------------------------
# Not in the document, which differentiates only the sigmoid: the gradients of tanh, relu and
# leaky_relu too, on the document's grids, slope 0.2 everywhere, so that the sweep can search
# them (d sum(f(a)) / da, elementwise). NumPy writes the derivatives by hand: σ(1 − σ),
# 1 − tanh², 1 where a > 0 else 0, 1 where a > 0 else the slope (0 and the slope at 0, as
# TensorFlow's ReluGrad and LeakyReluGrad and PyTorch's threshold_backward and
# leaky_relu_backward have it).


def gradients_with_numpy(np, a, a_relu, slope):
    sigmoid = 1 / (1 + np.exp(-a))
    tanh = np.tanh(a)
    one = np.ones_like(a_relu)
    return {
        "sigmoid": sigmoid, "grad_sigmoid": sigmoid * (1 - sigmoid),
        "tanh": tanh, "grad_tanh": 1 - tanh * tanh,
        "relu": np.maximum(a_relu, 0), "grad_relu": np.where(a_relu > 0, one, 0 * one),
        "leaky_relu": np.where(a_relu > 0, a_relu, slope * a_relu),
        "grad_leaky_relu": np.where(a_relu > 0, one, slope * one),
    }


def gradients_with_tensorflow(tf, a, a_relu, slope):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([a, a_relu])
        out = {"sigmoid": tf.sigmoid(a), "tanh": tf.tanh(a), "relu": tf.nn.relu(a_relu),
               "leaky_relu": tf.nn.leaky_relu(a_relu, alpha=slope)}
    grads = {f"grad_{name}": tape.gradient(y, a if name in ("sigmoid", "tanh") else a_relu)
             for name, y in out.items()}
    return {**out, **grads}


def gradients_with_torch(torch, a, a_relu, slope):
    F = torch.nn.functional
    a.requires_grad_(True)
    a_relu.requires_grad_(True)
    out = {"sigmoid": torch.sigmoid(a), "tanh": torch.tanh(a), "relu": torch.relu(a_relu),
           "leaky_relu": F.leaky_relu(a_relu, negative_slope=slope)}
    grads = {f"grad_{name}": torch.autograd.grad(y.sum(), a if name in ("sigmoid", "tanh") else a_relu)[0]
             for name, y in out.items()}
    return {**out, **grads}


gradients = Case(
    id="002-15-activations-grad",
    title="sigmoid, tanh, relu and leaky_relu(0.2) and their gradients on the document's grids",
    source=SOURCE,
    description="Added for the sweeps: every activation of section 8 with its gradient (the document "
    "differentiates only the sigmoid), slope 0.2 in every framework; NumPy's derivatives by hand.",
    inputs={"a": tensorflow_linspace(-10.0, 10.0, 10), "a_relu": tensorflow_linspace(-1.0, 1.0, 10), "slope": 0.2},
    oracle="numpy",  # the hand-written derivatives on the grids cast up to float64 (slope 0.2 a Python float)
    # As above: ULP-level differences of float32 sigmoid and tanh, on values down to 4.5e-5. And
    # 1 − tanh² cancels: at a = ±7.78 and ±10 tanh is 1 ULP from ±1 or ±1 itself, so the gradient
    # is 0 or 1.19e-7 (2^-23) depending on that ULP; TensorFlow and PyTorch differ by exactly that
    # at 2 of the 10 points (measured 1.19e-7), hence atol 2e-7 for grad_tanh.
    tolerance={**{name: Tolerance(rtol=1.3e-6, atol=1e-7) for name in ("sigmoid", "grad_sigmoid", "tanh")},
               "grad_tanh": Tolerance(rtol=1.3e-6, atol=2e-7)},
    sweep=GRADIENT_SWEEP,
)
gradients.implement("numpy")(gradients_with_numpy)
gradients.implement("tensorflow")(gradients_with_tensorflow)
gradients.implement("torch")(gradients_with_torch)
