"""002-7 where: coordinates of a mask, boolean_mask, gather_nd and three-argument where.

Section 4 of document 002 draws ``a = tf.random.normal([3,3])``, takes ``mask = a > 0``
and prints the mask, ``tf.boolean_mask(a, mask)`` (six values), ``tf.where(mask)`` (a
6×2 int64 tensor of coordinates), ``tf.gather_nd(a, indices)`` (the same six values) and
``tf.where(mask, ones, zeros)``. The random draw cannot be reproduced, so ``a`` is built
from what was printed: the six printed values at the mask's True positions and negative
values of our choosing at its False positions, so that ``a > 0`` is the printed mask.

Traps, each a case of this file:

- ``002-7-where``: ``where`` with one argument is not the same function everywhere.
  ``tf.where(c)`` returns an (N, rank) int64 array of coordinates; ``torch.where(c)``
  and ``np.where(c)`` return a tuple of rank index arrays (they are ``nonzero``), one
  row per dimension once stacked: (2, 6) instead of (6, 2). The tuple is what fancy
  indexing wants, so ``a[torch.where(mask)]`` still gathers the right values.
  (https://pytorch.org/docs/stable/generated/torch.where.html: "torch.where(condition)
  is identical to torch.nonzero(condition, as_tuple=True)";
  https://numpy.org/doc/stable/reference/generated/numpy.where.html: "When only
  condition is provided, this function is a shorthand for np.asarray(condition).nonzero()".)
  ``002-7-where-mapped`` uses ``torch.argwhere`` / ``np.argwhere``, which are TF's
  one-argument ``where``.
- ``002-7-where-int-mask``: a mask of 0/1 integers is a boolean mask for TensorFlow
  (``boolean_mask`` hands it to ``where``, which selects the non-zero positions:
  tensorflow/python/ops/array_ops.py, ``boolean_mask._apply_mask_1d``) but a list of
  row indices for PyTorch and NumPy (advanced integer indexing): six values against a
  (3, 3, 3) array of rows. DIFFERENCES.md §12 records an error in TF; TensorFlow 2.21
  raises none, it treats the integers as booleans. The mapped case casts to bool.
- ``002-7-where-sqrt-grad``: the gradient of ``where(a > 0, sqrt(a), 0)``. The branch not
  taken still has a gradient ``0 · sqrt'(a)``, and ``sqrt'(a)`` is NaN for a < 0.
  PyTorch's autograd multiplies: NaN (pytorch#52248, pytorch#23395). TensorFlow's
  sqrt gradient kernel returns 0 when the incoming gradient is 0
  (``scalar_sqrt_gradient_op`` in tensorflow/core/kernels/cwise_ops_gradients.h), so TF
  gives 0, the true derivative.
  The mapped case uses the double-where pattern of tf.where's docstring (tensorflow#38349:
  feed sqrt a safe value where the mask is False), after which all three agree.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed
from equivalence.sweep import Floats, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "4 高阶OP: where(tensor)")

# The printed mask and boolean_mask values; the three negatives are ours (the document
# does not print a), chosen so that a > 0 is the printed mask.
A = np.array(
    [
        [-0.8159134, 0.52404463, 0.62450945],
        [-1.2405691, -0.35130015, 0.6324052],
        [0.4014356, 1.3766853, 0.8314979],
    ],
    dtype=np.float32,
)

# Every value is the repr of a tensor, <tf.Tensor: ..., numpy=array([...], dtype=float32)>:
# NumPy's array printing (the mask bool, the indices int64, the values float32).
DOCUMENTED = {
    "mask": printed("""[[False,  True,  True],
       [False, False,  True],
       [ True,  True,  True]]""", printer="array"),
    "masked": printed("""[0.52404463, 0.62450945, 0.6324052 , 0.4014356 , 1.3766853 ,
       0.8314979 ]""", printer="array", dtype="float32"),
    "indices": printed("""[[0, 1],
       [0, 2],
       [1, 2],
       [2, 0],
       [2, 1],
       [2, 2]]""", printer="array"),
    "gathered": printed("""[0.52404463, 0.62450945, 0.6324052 , 0.4014356 , 1.3766853 ,
       0.8314979 ]""", printer="array", dtype="float32"),
    "selected": printed("""[[0., 1., 1.],
       [0., 0., 1.],
       [1., 1., 1.]]""", printer="array", dtype="float32"),
}

case = Case(
    id="002-7-where",
    title="where(mask), boolean_mask, gather_nd, where(mask, A, B): one-argument where as each framework spells it",
    source=SOURCE,
    description="The document's 3x3 example with each framework's own where(mask): TensorFlow returns "
    "(6, 2) coordinates, torch.where / np.where a tuple of index arrays, (2, 6) once stacked.",
    inputs={"a": A},
    documented=DOCUMENTED,
    known_differences=[
        KnownDifference(
            "one-argument where: tf.where(mask) returns (6, 2) int64 coordinates, torch.where(mask) a "
            "tuple of 2 index tensors (nonzero(as_tuple=True)), np.where(mask) too, stacked here to (2, 6)",
            outputs="indices",
            backends="tensorflow",
            references=("torch", "numpy"),
            kind="shape",
        ),
        KnownDifference(
            "one-argument where: torch.where(mask) and np.where(mask) return one index array per "
            "dimension ((2, 6) once stacked), the document prints TF's (6, 2) coordinates",
            outputs="indices",
            backends=("torch", "numpy"),
            references="documented",
            kind="shape",
        ),
    ],
)


@case.numpy
def with_numpy(np, a):
    mask = a > 0
    indices = np.where(mask)  # a tuple (rows, cols), as ndarray.nonzero()
    return {
        "mask": mask,
        "masked": a[mask],
        "indices": np.stack(indices),  # stacked to return it: one row per dimension
        "gathered": a[indices],
        "selected": np.where(mask, np.ones([3, 3], dtype=np.float32), np.zeros([3, 3], dtype=np.float32)),
    }


@case.tensorflow
def with_tensorflow(tf, a):
    mask = a > 0
    indices = tf.where(mask)
    A = tf.ones([3, 3])
    B = tf.zeros([3, 3])
    return {
        "mask": mask,
        "masked": tf.boolean_mask(a, mask),
        "indices": indices,
        "gathered": tf.gather_nd(a, indices),
        "selected": tf.where(mask, A, B),
    }


@case.torch
def with_torch(torch, a):
    mask = a > 0
    indices = torch.where(mask)  # a tuple (rows, cols): torch.nonzero(mask, as_tuple=True)
    return {
        "mask": mask,
        "masked": a[mask],
        "indices": torch.stack(indices),  # stacked to return it: one row per dimension
        "gathered": a[indices],
        "selected": torch.where(mask, torch.ones(3, 3), torch.zeros(3, 3)),
    }


mapped = Case(
    id="002-7-where-mapped",
    title="where(mask) as coordinates: torch.argwhere / np.argwhere, gather_nd as a[tuple(indices.T)]",
    source=SOURCE,
    description="The same computation with TF's one-argument where mapped to argwhere: the three "
    "frameworks and the document agree.",
    inputs={"a": A},
    documented=DOCUMENTED,
    # Any 3x3 matrix (the implementations select between 3x3 ones and zeros): signed zeros,
    # subnormals, NaN and infinities included.
    sweep=Sweep(inputs={"a": Floats((3, 3), allow_nan=True, allow_infinity=True)}, known_differences=[
        KnownDifference(
            "TensorFlow flushes subnormal numbers to zero on the CPU (FTZ/DAZ): a > 0 is False for a subnormal "
            "positive a, so the mask, the selected values and their coordinates lose it. Found by the sweep, minimal "
            "example a = 2.2e-309 everywhere (float64): mask all False; TensorFlow against the oracle, the 9 "
            "elements of the mask at most",
            outputs=("mask", "selected"), backends="tensorflow", max_abs=1, mismatched=9),
        KnownDifference(
            "the same flush: fewer values are selected, so masked, indices and gathered have another shape",
            outputs=("masked", "indices", "gathered"), backends="tensorflow", kind="shape"),
    ]),
)


@mapped.numpy
def mapped_with_numpy(np, a):
    mask = a > 0
    indices = np.argwhere(mask)  # (N, rank) int64, like tf.where(mask)
    return {
        "mask": mask,
        "masked": a[mask],
        "indices": indices,
        "gathered": a[tuple(indices.T)],  # gather_nd: one index array per column
        "selected": np.where(mask, np.ones([3, 3], dtype=np.float32), np.zeros([3, 3], dtype=np.float32)),
    }


mapped.implement("tensorflow")(with_tensorflow)


@mapped.torch
def mapped_with_torch(torch, a):
    mask = a > 0
    indices = torch.argwhere(mask)  # (N, rank) int64, = torch.nonzero(mask)
    return {
        "mask": mask,
        "masked": a[mask],
        "indices": indices,
        "gathered": a[tuple(indices.T)],
        "selected": torch.where(mask, torch.ones(3, 3), torch.zeros(3, 3)),
    }


# -- an integer mask -------------------------------------------------------------------
INT_MASK = {"a": A, "int_mask": (A > 0).astype(np.int32)}
MASKED = {"masked": DOCUMENTED["masked"]}

int_mask = Case(
    id="002-7-where-int-mask",
    title="boolean_mask with a 0/1 integer mask: TF selects the non-zeros, PyTorch and NumPy index rows",
    source=SOURCE,
    description="The document's mask given as int32 0/1: TensorFlow still returns the six values, "
    "PyTorch and NumPy read the integers as row indices and return a (3, 3, 3) array.",
    inputs=INT_MASK,
    documented=MASKED,
    known_differences=[
        KnownDifference(
            "int mask: tf.boolean_mask selects the non-zero positions (shape (6,)); torch a[int_mask] "
            "(and NumPy's) is advanced indexing by row numbers 0/1 (shape (3, 3, 3))",
            outputs="masked",
            backends="tensorflow",
            references=("torch", "numpy"),
            kind="shape",
        ),
        KnownDifference(
            "int mask: PyTorch and NumPy index rows 0/1 (shape (3, 3, 3)) instead of selecting the "
            "document's six values",
            outputs="masked",
            backends=("torch", "numpy"),
            references="documented",
            kind="shape",
        ),
    ],
)


@int_mask.numpy
def int_mask_with_numpy(np, a, int_mask):
    return {"masked": a[int_mask]}


@int_mask.tensorflow
def int_mask_with_tensorflow(tf, a, int_mask):
    return {"masked": tf.boolean_mask(a, int_mask)}


@int_mask.torch
def int_mask_with_torch(torch, a, int_mask):
    return {"masked": a[int_mask]}


int_mask_mapped = Case(
    id="002-7-where-int-mask-mapped",
    title="boolean_mask with an integer mask cast to bool first",
    source=SOURCE,
    description="Casting the 0/1 mask to bool makes a[mask] a boolean mask in every framework.",
    inputs=INT_MASK,
    documented=MASKED,
)


@int_mask_mapped.numpy
def int_mask_mapped_with_numpy(np, a, int_mask):
    return {"masked": a[int_mask.astype(bool)]}


@int_mask_mapped.tensorflow
def int_mask_mapped_with_tensorflow(tf, a, int_mask):
    return {"masked": tf.boolean_mask(a, tf.cast(int_mask, tf.bool))}


@int_mask_mapped.torch
def int_mask_mapped_with_torch(torch, a, int_mask):
    return {"masked": a[int_mask.bool()]}


# -- the gradient through where ---------------------------------------------------------
sqrt_grad = Case(
    id="002-7-where-sqrt-grad",
    title="Gradient of where(a > 0, sqrt(a), 0): TensorFlow 0, PyTorch NaN in the branch not taken",
    source=SOURCE,
    description="y = sum(where(a > 0, sqrt(a), 0)) on the document's a; dy/da is 0 where a <= 0. "
    "PyTorch's autograd gives NaN there (0 * sqrt'(a < 0)); TensorFlow's sqrt gradient gives 0.",
    inputs={"a": A},
    known_differences=[
        KnownDifference(
            "where(a > 0, sqrt(a), 0): torch autograd computes 0 * sqrt'(a) = 0 * NaN = NaN at the three "
            "negative a (pytorch#52248); TF's sqrt gradient kernel returns 0 for a zero incoming gradient "
            "(cwise_ops_gradients.h), NumPy's hand-written derivative is 0 there",
            outputs="dy_da",
            backends=("tensorflow", "numpy"),
            references="torch",
            mismatched=3, at=np.s_[[0, 1, 1], [0, 0, 1]],  # a[0, 0], a[1, 0], a[1, 1]: the negatives
        ),
    ],
)


@sqrt_grad.numpy
def sqrt_grad_with_numpy(np, a):
    mask = a > 0
    with np.errstate(invalid="ignore"):  # np.where evaluates sqrt(a) everywhere, as the frameworks do
        y = np.sum(np.where(mask, np.sqrt(a), np.float32(0)))
        dy_da = np.where(mask, np.float32(0.5) / np.sqrt(a), np.float32(0))  # d sqrt(a)/da = 1/(2 sqrt a)
    return {"y": y, "dy_da": dy_da}


@sqrt_grad.tensorflow
def sqrt_grad_with_tensorflow(tf, a):
    with tf.GradientTape() as tape:
        tape.watch(a)
        y = tf.reduce_sum(tf.where(a > 0, tf.sqrt(a), 0.0))
    return {"y": y, "dy_da": tape.gradient(y, a)}


@sqrt_grad.torch
def sqrt_grad_with_torch(torch, a):
    a.requires_grad_(True)
    y = torch.where(a > 0, torch.sqrt(a), 0.0).sum()
    (dy_da,) = torch.autograd.grad(y, a)
    return {"y": y, "dy_da": dy_da}


sqrt_grad_mapped = Case(
    id="002-7-where-sqrt-grad-mapped",
    title="Gradient through where with the double-where pattern: sqrt of a safe value",
    source=SOURCE,
    description="safe = where(a > 0, a, 1); y = sum(where(a > 0, sqrt(safe), 0)): no NaN enters the "
    "graph, and the three frameworks give dy/da = 0 where a <= 0.",
    inputs={"a": A},
    # Any shape up to 3x3, any finite value (zeros of both signs and subnormals, where sqrt's
    # derivative is largest).
    sweep=Sweep(dims={"r": (0, 3), "c": (0, 3)}, inputs={"a": Floats(("r", "c"))}, known_differences=[
        KnownDifference(
            "NEP 50: the NumPy port writes np.float32(0) and np.float32(0.5), float32 scalars, so its results are "
            "float32 for float16 a (found by the sweep, minimal example an empty float16 a)",
            backends="numpy", kind="dtype"),
        KnownDifference(
            "TensorFlow flushes subnormal numbers to zero on the CPU (FTZ/DAZ): a > 0 is False for a subnormal a, "
            "so where() takes the 0 branch: y and dy/da are 0 there where sqrt(a) and 1/(2 sqrt(a)) are not",
            backends="tensorflow", references="oracle", max_abs=float("inf")),
    ]),
)

sqrt_grad_mapped.implement("numpy")(sqrt_grad_with_numpy)


@sqrt_grad_mapped.tensorflow
def sqrt_grad_mapped_with_tensorflow(tf, a):
    with tf.GradientTape() as tape:
        tape.watch(a)
        mask = a > 0
        safe = tf.where(mask, a, 1.0)
        y = tf.reduce_sum(tf.where(mask, tf.sqrt(safe), 0.0))
    return {"y": y, "dy_da": tape.gradient(y, a)}


@sqrt_grad_mapped.torch
def sqrt_grad_mapped_with_torch(torch, a):
    a.requires_grad_(True)
    mask = a > 0
    safe = torch.where(mask, a, 1.0)
    y = torch.where(mask, torch.sqrt(safe), 0.0).sum()
    (dy_da,) = torch.autograd.grad(y, a)
    return {"y": y, "dy_da": dy_da}
