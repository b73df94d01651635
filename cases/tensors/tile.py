"""002-3 tile: ``tf.tile`` of a 3x3 Python list by [1,2], [2,1], [2,2], and ``broadcast_to``.

Section 2 of document 002 tiles ``a = [[0,1,2],[3,4,5],[5,3,3]]`` (a Python list) and
prints the three results, int32 ``tf.Tensor``s of shapes (3, 6), (6, 3), (6, 6). It adds
that ``broadcast_to`` also repeats data, though not in memory; the case broadcasts
``a`` to [2, 3, 3] and checks it against ``tile(a[None], [2, 1, 1])``.

Traps:

- The integer default: TensorFlow makes int32 from a Python list of ints, PyTorch and
  NumPy int64 (DIFFERENCES.md §28). ``002-3-tile`` passes the document's Python list
  to every framework and declares the dtype; ``002-3-tile-mapped`` passes an explicit
  int32 NumPy array, and the three agree exactly.
- The op: PyTorch's ``Tensor.repeat`` is ``tf.tile`` (whole copies, one multiple per
  dimension; ``torch.tile`` and ``np.tile`` also accept fewer multiples and prepend 1s,
  which ``tf.tile`` rejects). ``np.repeat`` and ``torch.repeat_interleave``, whose names
  suggest it, repeat each element in place instead: ``002-3-tile-repeat-interleave`` is
  that mistaken port, declared (https://pytorch.org/docs/stable/generated/torch.Tensor.repeat.html,
  https://numpy.org/doc/stable/reference/generated/numpy.repeat.html).
- ``broadcast_to``: PyTorch's idiom is ``expand``, a stride-0 view (writing into it
  raises); TensorFlow and NumPy ``broadcast_to`` give the same values.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed
from equivalence.sweep import Ints, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "2 填充与复制: 复制 tile")
A = [[0, 1, 2], [3, 4, 5], [5, 3, 3]]

# print(b) of an int32 tf.Tensor: NumPy's array printing inside "tf.Tensor(..., shape=(3, 6), dtype=int32)".
DOCUMENTED = {
    "b": printed("""
        [[0 1 2 0 1 2]
         [3 4 5 3 4 5]
         [5 3 3 5 3 3]]""", printer="array"),
    "c": printed("""
        [[0 1 2]
         [3 4 5]
         [5 3 3]
         [0 1 2]
         [3 4 5]
         [5 3 3]]""", printer="array"),
    "d": printed("""
        [[0 1 2 0 1 2]
         [3 4 5 3 4 5]
         [5 3 3 5 3 3]
         [0 1 2 0 1 2]
         [3 4 5 3 4 5]
         [5 3 3 5 3 3]]""", printer="array"),
}


def with_numpy(np, a):
    b = np.tile(a, [1, 2])
    c = np.tile(a, [2, 1])
    d = np.tile(a, [2, 2])
    a = np.asarray(a)
    return {"b": b, "c": c, "d": d,
            "broadcast": np.broadcast_to(a, [2, 3, 3]), "tiled": np.tile(a[None], [2, 1, 1])}


def with_tensorflow(tf, a):
    b = tf.tile(a, [1, 2])
    c = tf.tile(a, [2, 1])
    d = tf.tile(a, [2, 2])
    return {"b": b, "c": c, "d": d,
            "broadcast": tf.broadcast_to(a, [2, 3, 3]),
            "tiled": tf.tile(tf.expand_dims(a, 0), [2, 1, 1])}


def with_torch(torch, a):
    a = torch.as_tensor(a)  # a list becomes int64; a tensor stays as it is
    b = a.repeat(1, 2)  # Tensor.repeat is tf.tile
    c = a.repeat(2, 1)
    d = a.repeat(2, 2)
    return {"b": b, "c": c, "d": d,
            "broadcast": a.expand(2, 3, 3),  # a stride-0 view, no copy
            "tiled": a.unsqueeze(0).repeat(2, 1, 1)}


case = Case(
    id="002-3-tile",
    title="tf.tile of a Python list: int32 in TensorFlow, int64 in PyTorch and NumPy",
    source=SOURCE,
    description="The document's tiles of a Python list of ints; each framework picks its "
    "default integer dtype.",
    inputs={"a": A},  # a Python list, passed to each framework as it is
    documented=DOCUMENTED,
    known_differences=[
        KnownDifference(
            "a Python list of ints becomes int32 in TensorFlow, int64 in PyTorch and NumPy "
            "(values equal)",
            backends="tensorflow", references=("torch", "numpy"), kind="dtype",
        ),
    ],
)
case.implement("numpy")(with_numpy)
case.implement("tensorflow")(with_tensorflow)
case.implement("torch")(with_torch)

mapped = Case(
    id="002-3-tile-mapped",
    title="tf.tile of an explicit int32 array: the frameworks agree",
    source=SOURCE,
    description="The same tiles of the matrix made as an int32 NumPy array.",
    inputs={"a": np.array(A, dtype=np.int32)},
    documented=DOCUMENTED,
    # Matrices of 0 to 4 by 0 to 4 int32 values over the whole int32 range. An integer
    # computation: one dtype is enough (the example's float dtype is not used).
    sweep=Sweep(dims={"n": (0, 4), "m": (0, 4)},
                inputs={"a": Ints(("n", "m"), -2**31, 2**31 - 1, dtype="int32")}, dtypes=("float32",)),
)
mapped.implement("numpy")(with_numpy)
mapped.implement("tensorflow")(with_tensorflow)
mapped.implement("torch")(with_torch)


repeat = Case(
    id="002-3-tile-repeat-interleave",
    title="tf.tile ported as np.repeat / repeat_interleave: element-wise repetition, not tiling",
    source=SOURCE,
    description="The tempting but wrong port of tile: each element repeated in place. "
    "int32 everywhere, so only the op differs.",
    inputs={"a": np.array(A, dtype=np.int32)},
    documented=DOCUMENTED,
    known_differences=[
        # One per output, against TensorFlow and against the document alike (both tile):
        # the largest difference and the number of elements that differ, exact (integers).
        KnownDifference(
            "np.repeat and repeat_interleave repeat each element (each row for axis 0) in "
            "place, tf.tile and the document repeat the whole tensor: [0 0 1 1 2 2] against "
            f"[0 1 2 0 1 2]; {output}: {n} of {size} elements differ, by up to {most}",
            outputs=output, backends=("numpy", "torch"), references=("tensorflow", "documented"),
            max_abs=most, mismatched=n,
        )
        for output, most, n, size in (("b", 2, 10, 18), ("c", 3, 12, 18), ("d", 4, 28, 36))
    ],
)
repeat.implement("tensorflow")(with_tensorflow)


@repeat.numpy
def repeat_with_numpy(np, a):
    b = np.repeat(a, 2, axis=1)
    c = np.repeat(a, 2, axis=0)
    d = np.repeat(np.repeat(a, 2, axis=0), 2, axis=1)
    return {"b": b, "c": c, "d": d,
            "broadcast": np.broadcast_to(a, [2, 3, 3]), "tiled": np.repeat(a[None], 2, axis=0)}


@repeat.torch
def repeat_with_torch(torch, a):
    b = a.repeat_interleave(2, dim=1)
    c = a.repeat_interleave(2, dim=0)
    d = a.repeat_interleave(2, dim=0).repeat_interleave(2, dim=1)
    return {"b": b, "c": c, "d": d,
            "broadcast": a.expand(2, 3, 3), "tiled": a.unsqueeze(0).repeat_interleave(2, dim=0)}
