"""002-8 scatter-nd: writing updates into a zero tensor at given indices.

Section 4 of document 002 prints two ``tf.scatter_nd(indices, updates, shape)`` calls on
int32 tensors:

- 1-D: indices ``[[4],[3],[1],[7]]``, updates ``[9,10,11,12]``, shape ``[8]`` →
  ``[ 0 11  0 10  9  0  0 12]``;
- 3-D: indices ``[[0],[2]]``, two 4×4 slices of rows 5,6,7,8, shape ``[4,4,4]`` →
  the slices at positions 0 and 2, zeros at 1 and 3.

PyTorch writes it ``torch.zeros(shape).index_put_(tuple(indices.T), updates)``, NumPy
``out[tuple(indices.T)] = updates``: an index tuple with one array per column of
``indices``, the last dimension of ``indices`` naming the leading dimensions of the
output as in ``gather_nd``.

The trap (DIFFERENCES.md §14) is duplicate indices, which the document does not use but
the case adds as a third output (indices ``[[1],[3],[1],[1]]``, updates
``[10,20,30,40]``): ``tf.scatter_nd`` *sums* duplicates ("If indices contains
duplicates, the duplicate values are accumulated (summed)",
https://www.tensorflow.org/api_docs/python/tf/scatter_nd), so index 1 gets 80, while an
assignment keeps one write: ``index_put_`` without ``accumulate`` ("If accumulate is
False, the behavior is undefined if indices contain duplicate elements",
https://pytorch.org/docs/stable/generated/torch.Tensor.index_put_.html; on CPU it keeps
the last, 40) and NumPy's ``out[idx] = v`` (buffered, the last value stays; ``np.add.at``
exists because ``a[indices] += b`` does not accumulate repeated indices either:
https://numpy.org/doc/stable/reference/generated/numpy.ufunc.at.html).
``002-8-scatter-nd`` shows that as a known difference;
``002-8-scatter-nd-mapped`` uses ``index_put_(..., accumulate=True)`` and
``np.add.at``, which sum as ``scatter_nd`` does.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed
from equivalence.sweep import Dims, Ints, Sweep

SLICES = [[5, 5, 5, 5], [6, 6, 6, 6], [7, 7, 7, 7], [8, 8, 8, 8]]

INPUTS = {
    "indices_1d": np.array([[4], [3], [1], [7]], dtype=np.int32),
    "updates_1d": np.array([9, 10, 11, 12], dtype=np.int32),
    "shape_1d": np.array([8], dtype=np.int32),
    "indices_3d": np.array([[0], [2]], dtype=np.int32),
    "updates_3d": np.array([SLICES, SLICES], dtype=np.int32),
    "shape_3d": np.array([4, 4, 4], dtype=np.int32),
    # Not in the document: index 1 three times.
    "indices_dup": np.array([[1], [3], [1], [1]], dtype=np.int32),
    "updates_dup": np.array([10, 20, 30, 40], dtype=np.int32),
}

# Both are the reprs of int32 tensors, <tf.Tensor: ..., numpy=array([ 0, 11, ...])>.
DOCUMENTED = {
    "scatter_1d": printed("[ 0, 11,  0, 10,  9,  0,  0, 12]", printer="array"),
    "scatter_3d": printed("""[[[5, 5, 5, 5],
        [6, 6, 6, 6],
        [7, 7, 7, 7],
        [8, 8, 8, 8]],

       [[0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0]],

       [[5, 5, 5, 5],
        [6, 6, 6, 6],
        [7, 7, 7, 7],
        [8, 8, 8, 8]],

       [[0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0]]]""", printer="array"),
}

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "4 高阶OP: scatter_nd")

case = Case(
    id="002-8-scatter-nd",
    title="scatter_nd into zeros: the document's 1-D and 3-D examples, and duplicate indices",
    source=SOURCE,
    description="tf.scatter_nd against index assignment in PyTorch and NumPy: equal on the document's "
    "distinct indices; with a duplicated index TF sums (80), assignment keeps the last write (40).",
    inputs=INPUTS,
    documented=DOCUMENTED,
    known_differences=[
        KnownDifference(
            "duplicate indices: tf.scatter_nd sums the three updates of index 1 (10+30+40 = 80); "
            "torch index_put_ without accumulate (and NumPy assignment) keeps the last write, 40: "
            "element 1 only, 40 apart",
            outputs="scatter_dup",
            backends="tensorflow",
            references=("torch", "numpy"),
            max_abs=40, mismatched=1, at=np.s_[1],
        ),
    ],
)


@case.numpy
def with_numpy(np, indices_1d, updates_1d, shape_1d, indices_3d, updates_3d, shape_3d, indices_dup, updates_dup):
    def scatter(indices, updates, shape):
        out = np.zeros(shape, dtype=updates.dtype)
        out[tuple(indices.T)] = updates  # duplicates: the last assignment wins
        return out

    return {
        "scatter_1d": scatter(indices_1d, updates_1d, shape_1d),
        "scatter_3d": scatter(indices_3d, updates_3d, shape_3d),
        "scatter_dup": scatter(indices_dup, updates_dup, shape_1d),
    }


@case.tensorflow
def with_tensorflow(tf, indices_1d, updates_1d, shape_1d, indices_3d, updates_3d, shape_3d, indices_dup, updates_dup):
    return {
        "scatter_1d": tf.scatter_nd(indices_1d, updates_1d, shape_1d),
        "scatter_3d": tf.scatter_nd(indices_3d, updates_3d, shape_3d),
        "scatter_dup": tf.scatter_nd(indices_dup, updates_dup, shape_1d),
    }


@case.torch
def with_torch(torch, indices_1d, updates_1d, shape_1d, indices_3d, updates_3d, shape_3d, indices_dup, updates_dup):
    def scatter(indices, updates, shape):
        out = torch.zeros(shape.tolist(), dtype=updates.dtype)
        return out.index_put_(tuple(indices.long().T), updates)  # accumulate=False by default

    return {
        "scatter_1d": scatter(indices_1d, updates_1d, shape_1d),
        "scatter_3d": scatter(indices_3d, updates_3d, shape_3d),
        "scatter_dup": scatter(indices_dup, updates_dup, shape_1d),
    }


mapped = Case(
    id="002-8-scatter-nd-mapped",
    title="scatter_nd as an accumulating scatter: index_put_(accumulate=True), np.add.at",
    source=SOURCE,
    description="Summing duplicates in PyTorch (accumulate=True) and NumPy (np.add.at, unbuffered): "
    "the three frameworks agree, duplicates included.",
    inputs=INPUTS,
    documented=DOCUMENTED,
    # The sweep: 1-D outputs of 1 to 8 elements with 0 to 6 updates at indices inside it
    # (duplicates common), 3-D outputs of (1..4, 0..3, 0..3) with 0 to 4 slices; int32 updates
    # over the whole range, so sums of duplicates overflow. An integer computation: one dtype.
    sweep=Sweep(
        # q, r >= 1: with an empty output and indices tf.scatter_nd raises ("Indices and updates specified for
        # empty output shape"), PyTorch and NumPy scatter nothing (a README finding, not swept further)
        dims={"n": (1, 8), "k": (0, 6), "d": (0, 6), "p": (1, 4), "q": (1, 3), "r": (1, 3), "j": (0, 4)},
        inputs={"indices_1d": Ints(("k", 1), 0, "n-1", dtype="int32"),
                "updates_1d": Ints(("k",), -2**31, 2**31 - 1, dtype="int32"),
                "shape_1d": Dims(("n",), dtype="int32"),
                "indices_dup": Ints(("d", 1), 0, "n-1", dtype="int32"),
                "updates_dup": Ints(("d",), -2**31, 2**31 - 1, dtype="int32"),
                "indices_3d": Ints(("j", 1), 0, "p-1", dtype="int32"),
                "updates_3d": Ints(("j", "q", "r"), -2**31, 2**31 - 1, dtype="int32"),
                "shape_3d": Dims(("p", "q", "r"), dtype="int32")},
        dtypes=("float32",)),
)


@mapped.numpy
def mapped_with_numpy(np, indices_1d, updates_1d, shape_1d, indices_3d, updates_3d, shape_3d, indices_dup, updates_dup):
    def scatter(indices, updates, shape):
        out = np.zeros(shape, dtype=updates.dtype)
        np.add.at(out, tuple(indices.T), updates)  # unbuffered: every duplicate is added
        return out

    return {
        "scatter_1d": scatter(indices_1d, updates_1d, shape_1d),
        "scatter_3d": scatter(indices_3d, updates_3d, shape_3d),
        "scatter_dup": scatter(indices_dup, updates_dup, shape_1d),
    }


mapped.implement("tensorflow")(with_tensorflow)


@mapped.torch
def mapped_with_torch(
    torch, indices_1d, updates_1d, shape_1d, indices_3d, updates_3d, shape_3d, indices_dup, updates_dup
):
    def scatter(indices, updates, shape):
        out = torch.zeros(shape.tolist(), dtype=updates.dtype)
        return out.index_put_(tuple(indices.long().T), updates, accumulate=True)

    return {
        "scatter_1d": scatter(indices_1d, updates_1d, shape_1d),
        "scatter_3d": scatter(indices_3d, updates_3d, shape_3d),
        "scatter_dup": scatter(indices_dup, updates_dup, shape_1d),
    }
