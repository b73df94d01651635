"""000-1 tensors: creating tensors (fixed and random values), casting them, their rank and shape.

Section 1 of document 000 ("Tensorflow张量") shows only pictures: the tensor types,
ranks, "创建固定值张量" (fixed-value tensors), "创建随机值张量" (random tensors),
"张量类型的变换" (casting) and other tensor operations, pointing to
https://www.tensorflow.org/api_docs/python/tf/Tensor. Nothing is printed as text, so these
cases use the standard TensorFlow API of those names and have no documented values.

- ``000-1-fixed``: ``tf.zeros``, ``tf.ones``, ``tf.fill``, ``tf.constant`` (floats and
  ints), ``tf.zeros_like``/``tf.ones_like``, each written with the framework's defaults.
  The values agree; the dtypes do not (DIFFERENCES.md §28): a Python float makes float32
  in TensorFlow and PyTorch but float64 in NumPy (``np.zeros``, ``np.full``, ``np.array``
  default to float64), and a Python int makes int32 in TensorFlow but int64 in PyTorch
  and NumPy. Declared; ``000-1-fixed-mapped`` passes the dtypes explicitly.
- ``000-1-random``: ``tf.random.normal``, ``tf.random.uniform`` and
  ``tf.random.truncated_normal`` against ``torch.normal``/``torch.rand``/
  ``torch.nn.init.trunc_normal_`` and NumPy's ``Generator``. This is the one place where
  the frameworks' own generators are used, by design: the generators are what is
  compared, and their streams differ (DIFFERENCES.md §32), so only shapes, dtypes and
  sample moments are compared, never values (tolerances from the sample size, below).
  Two traps: NumPy's ``Generator.normal``/``random`` return float64; and
  ``tf.random.truncated_normal`` discards "and re-draw[s] any samples that are more than
  two standard deviations from the mean"
  (https://tensorflow.org/api_docs/python/tf/random/truncated_normal), while
  ``torch.nn.init.trunc_normal_(t, mean=0., std=1., a=-2., b=2.)`` redraws "values outside
  [a, b]", a and b being absolute "cutoff values" (torch.nn.init docs). With std=0.1 the
  PyTorch call is an untruncated normal: std 0.100 and max |x| 0.48 in 1e6 draws, against
  0.0880 and 0.2000 in TensorFlow. NumPy has no truncated normal; the NumPy code re-draws
  beyond 2σ as TensorFlow does. ``000-1-random-mapped`` draws float32 in NumPy and passes
  ``a=-2*std, b=2*std`` to PyTorch.
- ``000-1-cast``: ``tf.cast`` float32 -> int32 truncates toward zero (-2.7 -> -2, -0.5 ->
  0), as ``Tensor.to(torch.int32)`` and ``ndarray.astype(np.int32)`` do; int -> float;
  -> bool (nonzero is True, NaN too); bool -> float; float64 -> float32 rounding. Out-of-range
  float -> int conversions and NaN -> int are undefined behaviour in C++ and differ by
  platform: left out. All agree.
- ``000-1-rank``: ``tf.rank``, ``tf.shape``, ``tf.size`` return int32 *tensors*; PyTorch's
  ``Tensor.dim()``, ``.shape`` and ``.numel()`` and NumPy's ``ndim``, ``shape``, ``size``
  return Python ints (int64 here). Values agree, dtypes are declared;
  ``000-1-rank-mapped`` uses ``tf.shape(x, out_type=tf.int64)`` and the static
  ``x.shape``.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, Tolerance

DOCUMENT = "000_4ed7118bfe9059aa.txt"

# --------------------------------------------------------------------------------------
# 000-1-fixed: fixed values, as each framework writes them with its defaults.

FIXED_FLOAT_OUTPUTS = ("zeros", "ones", "fill", "constant_float", "zeros_like", "ones_like")

fixed = Case(
    id="000-1-fixed",
    title="Fixed-value tensors (zeros, ones, fill, constant) with each framework's default dtypes",
    source=Source(DOCUMENT, "1.3.1 创建固定值张量"),
    description="zeros/ones [2,3], fill([2,3], 8.), constant of a float and of an int list, "
    "zeros_like/ones_like; values agree, NumPy's float64 and TensorFlow's int32 defaults do not.",
    known_differences=[
        KnownDifference(
            "NumPy creates float64 from Python floats (np.zeros, np.ones, np.full, np.array); "
            "TensorFlow and PyTorch create float32 (DIFFERENCES.md §28). Values are equal.",
            outputs=FIXED_FLOAT_OUTPUTS,
            backends="numpy",
            references=("torch", "tensorflow"),
            kind="dtype",
        ),
        KnownDifference(
            "tf.constant of Python ints is int32 and tf.fill with an int value is int32; "
            "torch.tensor/torch.full and NumPy make int64 (DIFFERENCES.md §28). Values are equal.",
            outputs=("constant_int", "fill_int"),
            backends="tensorflow",
            references=("torch", "numpy"),
            kind="dtype",
        ),
    ],
)


@fixed.numpy
def fixed_with_numpy(np):
    c = np.array([[1.0, 2.0], [3.0, 4.0]])
    return {
        "zeros": np.zeros((2, 3)),
        "ones": np.ones((2, 3)),
        "fill": np.full((2, 3), 8.0),
        "fill_int": np.full((2, 3), 8),
        "constant_float": c,
        "constant_int": np.array([1, 2, 3]),
        "zeros_like": np.zeros_like(c),
        "ones_like": np.ones_like(c),
    }


@fixed.tensorflow
def fixed_with_tensorflow(tf):
    c = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    return {
        "zeros": tf.zeros([2, 3]),
        "ones": tf.ones([2, 3]),
        "fill": tf.fill([2, 3], 8.0),
        "fill_int": tf.fill([2, 3], 8),
        "constant_float": c,
        "constant_int": tf.constant([1, 2, 3]),
        "zeros_like": tf.zeros_like(c),
        "ones_like": tf.ones_like(c),
    }


@fixed.torch
def fixed_with_torch(torch):
    c = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    return {
        "zeros": torch.zeros(2, 3),
        "ones": torch.ones(2, 3),
        "fill": torch.full((2, 3), 8.0),
        "fill_int": torch.full((2, 3), 8),
        "constant_float": c,
        "constant_int": torch.tensor([1, 2, 3]),
        "zeros_like": torch.zeros_like(c),
        "ones_like": torch.ones_like(c),
    }


fixed_mapped = Case(
    id="000-1-fixed-mapped",
    title="Fixed-value tensors with explicit dtypes (float32, int64)",
    source=Source(DOCUMENT, "1.3.1 创建固定值张量"),
    description="The same tensors with dtype=float32 / int64 passed everywhere: all agree.",
)


@fixed_mapped.numpy
def fixed_mapped_with_numpy(np):
    c = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    return {
        "zeros": np.zeros((2, 3), dtype=np.float32),
        "ones": np.ones((2, 3), dtype=np.float32),
        "fill": np.full((2, 3), 8.0, dtype=np.float32),
        "fill_int": np.full((2, 3), 8, dtype=np.int64),
        "constant_float": c,
        "constant_int": np.array([1, 2, 3], dtype=np.int64),
        "zeros_like": np.zeros_like(c),
        "ones_like": np.ones_like(c),
    }


@fixed_mapped.tensorflow
def fixed_mapped_with_tensorflow(tf):
    c = tf.constant([[1.0, 2.0], [3.0, 4.0]], dtype=tf.float32)
    return {
        "zeros": tf.zeros([2, 3], dtype=tf.float32),
        "ones": tf.ones([2, 3], dtype=tf.float32),
        "fill": tf.fill([2, 3], tf.constant(8.0, dtype=tf.float32)),
        "fill_int": tf.fill([2, 3], tf.constant(8, dtype=tf.int64)),
        "constant_float": c,
        "constant_int": tf.constant([1, 2, 3], dtype=tf.int64),
        "zeros_like": tf.zeros_like(c),
        "ones_like": tf.ones_like(c),
    }


@fixed_mapped.torch
def fixed_mapped_with_torch(torch):
    c = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float32)
    return {
        "zeros": torch.zeros(2, 3, dtype=torch.float32),
        "ones": torch.ones(2, 3, dtype=torch.float32),
        "fill": torch.full((2, 3), 8.0, dtype=torch.float32),
        "fill_int": torch.full((2, 3), 8, dtype=torch.int64),
        "constant_float": c,
        "constant_int": torch.tensor([1, 2, 3], dtype=torch.int64),
        "zeros_like": torch.zeros_like(c),
        "ones_like": torch.ones_like(c),
    }


# --------------------------------------------------------------------------------------
# 000-1-random: the frameworks' own generators; shapes, dtypes and moments only.
#
# Sample sizes and tolerances. Two independent samples of n = 1e6 draws: the difference of
# their means has standard error sqrt(2)·σ/sqrt(n), the difference of their standard
# deviations about sqrt(2)·σ/sqrt(2n) = σ/sqrt(n) (normal case; for the uniform
# sqrt((μ4 − σ⁴)/n)/(2σ)·sqrt(2) = 1.8e-4). Every atol below is 5 to 8 such standard errors,
# so a correct generator fails with probability below 1e-6, while a wrong σ, mean or
# truncation (the trunc_normal_ trap moves std by 0.012 and max |x| by 0.29) fails surely.
# The moments are computed in float64 in every framework (population std, ddof=0).

N_SAMPLES = 1_000_000
MEAN, STDDEV = 1.0, 2.0  # tf.random.normal(shape, mean=1., stddev=2.)
TRUNC_STDDEV = 0.1  # tf.random.truncated_normal(shape, stddev=0.1)

RANDOM_TOLERANCE = {
    # normal(1, 2): SE(mean diff) = 2.8e-3, SE(std diff) = 2.0e-3
    "normal_mean": Tolerance(rtol=0.0, atol=0.015),
    "normal_std": Tolerance(rtol=0.0, atol=0.012),
    # uniform [0, 1): σ = 0.2887: SE(mean diff) = 4.1e-4, SE(std diff) = 1.8e-4
    "uniform_mean": Tolerance(rtol=0.0, atol=2.5e-3),
    "uniform_std": Tolerance(rtol=0.0, atol=1.2e-3),
    # min and max of 1e6 uniforms are within 1e-4 of 0 and 1 with probability 1 - e^-100
    "uniform_min": Tolerance(rtol=0.0, atol=1e-4),
    "uniform_max": Tolerance(rtol=0.0, atol=1e-4),
    # truncated at 2σ, σ = 0.1: std 0.0880: SE(mean diff) = 1.2e-4, SE(std diff) < 1e-4
    "truncated_mean": Tolerance(rtol=0.0, atol=7e-4),
    "truncated_std": Tolerance(rtol=0.0, atol=6e-4),
    # the density at ±2σ is φ(2)/(0.9545·σ) = 5.66 per unit: 1e6 draws leave a gap of ~1e-7
    # below 0.2; a gap of 1e-4 has probability exp(-1e6·2·5.66·1e-4) = e^-1132
    "truncated_max_abs": Tolerance(rtol=0.0, atol=1e-4),
}

TRUNC_TRAP = (
    "torch.nn.init.trunc_normal_(t, std=0.1) truncates at the absolute bounds a=-2, b=2 "
    "(20 standard deviations), so it is an untruncated normal: std 0.100, max |x| 0.48 in 1e6 draws; "
    "tf.random.truncated_normal re-draws beyond 2 stddev: std 0.0880, max |x| 0.2000 "
    "(DIFFERENCES.md §32). NumPy re-draws beyond 2σ as TensorFlow does."
)


def _moments(np, normal, uniform, truncated):
    """Shapes, dtype names and float64 moments of three NumPy samples."""

    def f64(a):
        return np.asarray(a, dtype=np.float64)

    return {
        "normal_shape": np.array(normal.shape, dtype=np.int64),
        "normal_dtype": np.str_(normal.dtype.name),
        "normal_mean": f64(normal).mean(),
        "normal_std": f64(normal).std(),
        "uniform_shape": np.array(uniform.shape, dtype=np.int64),
        "uniform_dtype": np.str_(uniform.dtype.name),
        "uniform_mean": f64(uniform).mean(),
        "uniform_std": f64(uniform).std(),
        "uniform_min": f64(uniform).min(),
        "uniform_max": f64(uniform).max(),
        "truncated_shape": np.array(truncated.shape, dtype=np.int64),
        "truncated_dtype": np.str_(truncated.dtype.name),
        "truncated_mean": f64(truncated).mean(),
        "truncated_std": f64(truncated).std(),
        "truncated_max_abs": np.abs(f64(truncated)).max(),
    }


def _tf_moments(tf, normal, uniform, truncated):
    def stats(x):
        x64 = tf.cast(x, tf.float64)
        return tf.reduce_mean(x64), tf.math.reduce_std(x64)

    out = {}
    for name, x in (("normal", normal), ("uniform", uniform), ("truncated", truncated)):
        out[f"{name}_shape"] = tf.constant(x.shape.as_list(), dtype=tf.int64)
        out[f"{name}_dtype"] = np.str_(x.dtype.name)
        out[f"{name}_mean"], out[f"{name}_std"] = stats(x)
    out["uniform_min"] = tf.reduce_min(tf.cast(uniform, tf.float64))
    out["uniform_max"] = tf.reduce_max(tf.cast(uniform, tf.float64))
    out["truncated_max_abs"] = tf.reduce_max(tf.abs(tf.cast(truncated, tf.float64)))
    return out


def _torch_moments(torch, normal, uniform, truncated):
    out = {}
    for name, x in (("normal", normal), ("uniform", uniform), ("truncated", truncated)):
        x64 = x.double()
        out[f"{name}_shape"] = torch.tensor(x.shape, dtype=torch.int64)
        out[f"{name}_dtype"] = np.str_(str(x.dtype).removeprefix("torch."))
        out[f"{name}_mean"] = x64.mean()
        out[f"{name}_std"] = x64.std(correction=0)  # torch.std defaults to the unbiased estimate
    out["uniform_min"] = uniform.double().min()
    out["uniform_max"] = uniform.double().max()
    out["truncated_max_abs"] = truncated.double().abs().max()
    return out


def _numpy_truncated_normal(np, rng, shape, stddev, dtype=None):
    """Normal draws re-drawn while more than 2 stddev from the mean (TensorFlow's rule)."""
    draw = (lambda n: rng.standard_normal(n, dtype=dtype)) if dtype else (lambda n: rng.standard_normal(n))
    x = draw(int(np.prod(shape)))
    outside = np.abs(x) > 2.0
    while outside.any():
        x[outside] = draw(int(outside.sum()))
        outside = np.abs(x) > 2.0
    return (x * (dtype or np.float64)(stddev)).reshape(shape)


random_case = Case(
    id="000-1-random",
    title="Random tensors (normal, uniform, truncated normal): shapes, dtypes, moments",
    source=Source(DOCUMENT, "1.3.2 创建随机值张量"),
    description="1e6 draws of normal(1, 2), uniform[0, 1) and truncated normal(0, 0.1) from each "
    "framework's own generator; moments compared within 5-8 standard errors. NumPy's float64 "
    "and PyTorch's absolute truncation bounds are declared.",
    inputs={"seed": 0},
    tolerance=RANDOM_TOLERANCE,
    known_differences=[
        KnownDifference(
            "NumPy's Generator.normal, .random and .standard_normal return float64 by default; "
            "TensorFlow and PyTorch draw float32",
            outputs="*_dtype",
            backends="numpy",
            references=("torch", "tensorflow"),
            kind="message",  # the dtype names: "float64" against "float32"
        ),
        # The seeds are fixed, so the moments are the same every run: measured std 0.0880
        # against 0.100 (0.0121 apart), max |x| 0.2000 against 0.481 (0.281 apart); bounds ×1.5.
        KnownDifference(
            TRUNC_TRAP, outputs="truncated_std", backends=("tensorflow", "numpy"), references="torch",
            max_abs=0.019,
        ),
        KnownDifference(
            TRUNC_TRAP, outputs="truncated_max_abs", backends=("tensorflow", "numpy"), references="torch",
            max_abs=0.43,
        ),
    ],
)


@random_case.numpy
def random_with_numpy(np, seed):
    rng = np.random.default_rng(seed)
    normal = rng.normal(MEAN, STDDEV, size=(1000, 1000))
    uniform = rng.random((500, 2000))
    truncated = _numpy_truncated_normal(np, rng, (2000, 500), TRUNC_STDDEV)
    return _moments(np, normal, uniform, truncated)


@random_case.tensorflow
def random_with_tensorflow(tf, seed):
    tf.random.set_seed(seed)
    normal = tf.random.normal([1000, 1000], mean=MEAN, stddev=STDDEV)
    uniform = tf.random.uniform([500, 2000], minval=0, maxval=1)
    truncated = tf.random.truncated_normal([2000, 500], mean=0.0, stddev=TRUNC_STDDEV)
    return _tf_moments(tf, normal, uniform, truncated)


@random_case.torch
def random_with_torch(torch, seed):
    torch.manual_seed(seed)
    normal = torch.normal(MEAN, STDDEV, size=(1000, 1000))
    uniform = torch.rand(500, 2000)
    truncated = torch.nn.init.trunc_normal_(torch.empty(2000, 500), mean=0.0, std=TRUNC_STDDEV)
    return _torch_moments(torch, normal, uniform, truncated)


random_mapped = Case(
    id="000-1-random-mapped",
    title="Random tensors with float32 NumPy draws and trunc_normal_ bounds at ±2σ",
    source=Source(DOCUMENT, "1.3.2 创建随机值张量"),
    description="The same draws with dtype=float32 in NumPy and a=-2σ, b=2σ passed to "
    "torch.nn.init.trunc_normal_: shapes, dtypes and moments agree.",
    inputs={"seed": 0},
    tolerance=RANDOM_TOLERANCE,
)


@random_mapped.numpy
def random_mapped_with_numpy(np, seed):
    rng = np.random.default_rng(seed)
    normal = np.float32(MEAN) + np.float32(STDDEV) * rng.standard_normal((1000, 1000), dtype=np.float32)
    uniform = rng.random((500, 2000), dtype=np.float32)
    truncated = _numpy_truncated_normal(np, rng, (2000, 500), TRUNC_STDDEV, dtype=np.float32)
    return _moments(np, normal, uniform, truncated)


random_mapped.implement("tensorflow")(random_with_tensorflow)


@random_mapped.torch
def random_mapped_with_torch(torch, seed):
    torch.manual_seed(seed)
    normal = torch.normal(MEAN, STDDEV, size=(1000, 1000))
    uniform = torch.rand(500, 2000)
    truncated = torch.nn.init.trunc_normal_(
        torch.empty(2000, 500), mean=0.0, std=TRUNC_STDDEV, a=-2 * TRUNC_STDDEV, b=2 * TRUNC_STDDEV
    )
    return _torch_moments(torch, normal, uniform, truncated)


# --------------------------------------------------------------------------------------
# 000-1-cast

cast = Case(
    id="000-1-cast",
    title="Casting: float -> int truncates toward zero, int -> float, -> bool, float64 -> float32",
    source=Source(DOCUMENT, "1.3.3 张量类型的变换"),
    description="tf.cast against Tensor.to and ndarray.astype, negatives and NaN included.",
    inputs={
        "x": np.array([-2.7, -1.5, -0.5, -0.0, 0.5, 1.5, 2.7, 99.9], dtype=np.float32),
        "k": np.array([-3, -1, 0, 1, 2, 16777217], dtype=np.int32),  # 2^24 + 1 is not a float32
        "flags": np.array([True, False, True]),
        "x_nan": np.array([0.0, -0.0, 1e-30, np.nan, -np.inf], dtype=np.float32),
        "d": np.array([0.1, 1 / 3, 2 / 3, 1e-46, 3.5e38], dtype=np.float64),  # underflow, overflow
    },
)


@cast.numpy
def cast_with_numpy(np, x, k, flags, x_nan, d):
    with np.errstate(over="ignore"):  # 3.5e38 -> inf, as in the other frameworks
        d32 = d.astype(np.float32)
    return {
        "float_to_int": x.astype(np.int32),  # C conversion: truncation toward zero
        "int_to_float": k.astype(np.float32),
        "float_to_bool": x_nan.astype(bool),
        "int_to_bool": k.astype(bool),
        "bool_to_float": flags.astype(np.float32),
        "float64_to_float32": d32,
    }


@cast.tensorflow
def cast_with_tensorflow(tf, x, k, flags, x_nan, d):
    return {
        "float_to_int": tf.cast(x, tf.int32),
        "int_to_float": tf.cast(k, tf.float32),
        "float_to_bool": tf.cast(x_nan, tf.bool),
        "int_to_bool": tf.cast(k, tf.bool),
        "bool_to_float": tf.cast(flags, tf.float32),
        "float64_to_float32": tf.cast(d, tf.float32),
    }


@cast.torch
def cast_with_torch(torch, x, k, flags, x_nan, d):
    return {
        "float_to_int": x.to(torch.int32),
        "int_to_float": k.to(torch.float32),
        "float_to_bool": x_nan.to(torch.bool),
        "int_to_bool": k.to(torch.bool),
        "bool_to_float": flags.to(torch.float32),
        "float64_to_float32": d.to(torch.float32),
    }


# --------------------------------------------------------------------------------------
# 000-1-rank

RANK_INPUTS = {
    "scalar": np.float32(3.0),
    "vector": np.zeros(3, dtype=np.float32),
    "matrix": np.zeros((2, 3), dtype=np.float32),
    "cube": np.zeros((2, 3, 4), dtype=np.float32),
    "images": np.zeros((4, 28, 28, 3), dtype=np.float32),  # a batch of 28x28 RGB images
}
RANK_NAMES = tuple(RANK_INPUTS)

rank = Case(
    id="000-1-rank",
    title="Rank, shape and size of tensors of rank 0 to 4",
    source=Source(DOCUMENT, "1.2 张量的阶"),
    description="tf.rank / tf.shape / tf.size (int32 tensors) against Tensor.dim() / .shape / "
    ".numel() and ndarray.ndim / .shape / .size (Python ints): values agree, dtypes do not.",
    inputs=RANK_INPUTS,
    known_differences=[
        KnownDifference(
            "tf.rank, tf.shape and tf.size return int32 tensors (tf.shape/tf.size default "
            "out_type=tf.int32); PyTorch and NumPy give Python ints, int64 as arrays. Values are equal.",
            outputs=("rank_*", "shape_*", "size_*"),
            backends="tensorflow",
            references=("torch", "numpy"),
            kind="dtype",
        ),
    ],
)


@rank.numpy
def rank_with_numpy(np, **tensors):
    out = {}
    for name, x in tensors.items():
        out[f"rank_{name}"] = x.ndim
        out[f"shape_{name}"] = np.array(x.shape, dtype=np.int64)
        out[f"size_{name}"] = x.size
    return out


@rank.tensorflow
def rank_with_tensorflow(tf, **tensors):
    out = {}
    for name, x in tensors.items():
        out[f"rank_{name}"] = tf.rank(x)
        out[f"shape_{name}"] = tf.shape(x)
        out[f"size_{name}"] = tf.size(x)
    return out


@rank.torch
def rank_with_torch(torch, **tensors):
    out = {}
    for name, x in tensors.items():
        out[f"rank_{name}"] = x.dim()
        out[f"shape_{name}"] = torch.tensor(x.shape, dtype=torch.int64)
        out[f"size_{name}"] = x.numel()
    return out


rank_mapped = Case(
    id="000-1-rank-mapped",
    title="Rank, shape and size with int64 results in TensorFlow",
    source=Source(DOCUMENT, "1.2 张量的阶"),
    description="x.ndim, tf.shape(x, out_type=tf.int64), tf.size(x, out_type=tf.int64): all agree.",
    inputs=RANK_INPUTS,
)
rank_mapped.implement("numpy")(rank_with_numpy)
rank_mapped.implement("torch")(rank_with_torch)


@rank_mapped.tensorflow
def rank_mapped_with_tensorflow(tf, **tensors):
    out = {}
    for name, x in tensors.items():
        out[f"rank_{name}"] = x.ndim  # the static rank, a Python int (x.shape.rank)
        out[f"shape_{name}"] = tf.shape(x, out_type=tf.int64)
        out[f"size_{name}"] = tf.size(x, out_type=tf.int64)
    return out
