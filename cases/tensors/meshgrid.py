"""002-9 meshgrid: a 5×5 grid of points from linspace(-2, 2, 5), stacked to [5, 5, 2].

Section 4 of document 002 (``meshgird画三位坐标轴``) makes ``x = y = tf.linspace(-2., 2, 5)``,
``points_x, points_y = tf.meshgrid(x, y)`` and ``points = tf.stack([points_x, points_y],
axis=2)``, and prints all of them: ``points_x`` has x along the columns, ``points_y`` has
y down the rows, ``points[i, j] = (x[j], y[i])``.

Traps:

- **Indexing.** ``tf.meshgrid`` and ``np.meshgrid`` default to Cartesian ``indexing='xy'``
  (the first output varies along columns); ``torch.meshgrid`` defaults to matrix
  ``indexing='ij'`` (it varies along rows), so the as-written PyTorch grids are the
  transposes of the document's (DIFFERENCES.md §16;
  https://pytorch.org/docs/stable/generated/torch.meshgrid.html: "indexing='ij' ... is the
  default"; it warns "in an upcoming release, it will be required to pass the indexing
  argument", with ``TORCH_WARN_ONCE``: once per process, which is why the case turns
  ``torch.set_warn_always`` on around the call to observe it every run).
  ``002-9-meshgrid-mapped`` passes ``indexing='xy'``.
- **linspace dtype** (DIFFERENCES.md §15). The document writes ``-2.``: a float start, and
  TensorFlow gives float32 like PyTorch. With integer endpoints ``tf.linspace(-2, 2, 5)``
  is float64, as NumPy's default, while ``torch.linspace`` stays float32 (the default
  dtype); the output ``x_from_ints`` shows it. NumPy's ``linspace`` is float64 whatever
  the endpoints, so the NumPy grids pass ``dtype=np.float32`` explicitly.
"""

import warnings

import numpy as np

from equivalence import Case, KnownDifference, Source, printed

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "4 高阶OP: meshgird画三位坐标轴")

# Every value is the repr of a float32 tensor: <tf.Tensor: ..., numpy=array([...], dtype=float32)>.
LINE = "[-2., -1.,  0.,  1.,  2.]"
DOCUMENTED = {
    "x": printed(LINE, printer="array", dtype="float32"),
    "y": printed(LINE, printer="array", dtype="float32"),
    "points_x": printed("""[[-2., -1.,  0.,  1.,  2.],
       [-2., -1.,  0.,  1.,  2.],
       [-2., -1.,  0.,  1.,  2.],
       [-2., -1.,  0.,  1.,  2.],
       [-2., -1.,  0.,  1.,  2.]]""", printer="array", dtype="float32"),
    "points_y": printed("""[[-2., -2., -2., -2., -2.],
       [-1., -1., -1., -1., -1.],
       [ 0.,  0.,  0.,  0.,  0.],
       [ 1.,  1.,  1.,  1.,  1.],
       [ 2.,  2.,  2.,  2.,  2.]]""", printer="array", dtype="float32"),
    "points": printed("""[[[-2., -2.],
        [-1., -2.],
        [ 0., -2.],
        [ 1., -2.],
        [ 2., -2.]],

       [[-2., -1.],
        [-1., -1.],
        [ 0., -1.],
        [ 1., -1.],
        [ 2., -1.]],

       [[-2.,  0.],
        [-1.,  0.],
        [ 0.,  0.],
        [ 1.,  0.],
        [ 2.,  0.]],

       [[-2.,  1.],
        [-1.,  1.],
        [ 0.,  1.],
        [ 1.,  1.],
        [ 2.,  1.]],

       [[-2.,  2.],
        [-1.,  2.],
        [ 0.,  2.],
        [ 1.,  2.],
        [ 2.,  2.]]]""", printer="array", dtype="float32"),
}

# PyTorch's default grids against TensorFlow's, NumPy's and the document's: the transposes
# differ off the diagonal, in 20 of 25 grid values (40 of the 50 stacked), by up to 4 (-2
# against 2); exact, the grid values are small integers.
TRANSPOSED = [
    KnownDifference(
        "meshgrid default indexing: tf.meshgrid and np.meshgrid (and the document) use 'xy', "
        f"torch.meshgrid 'ij', so PyTorch's {output} is the transpose: {n} elements differ, by up to 4",
        outputs=output,
        backends="torch",
        references=("tensorflow", "numpy", "documented"),
        max_abs=4, mismatched=n,
    )
    for output, n in (("points_x", 20), ("points_y", 20), ("points", 40))
]

case = Case(
    id="002-9-meshgrid",
    title="meshgrid with each framework's default indexing: 'xy' in TF and NumPy, 'ij' in PyTorch",
    source=SOURCE,
    description="linspace(-2., 2, 5), meshgrid(x, y), stack to [5, 5, 2]; PyTorch's default 'ij' "
    "transposes the grids and warns; integer linspace endpoints give float64 in TF and NumPy.",
    inputs={},
    documented=DOCUMENTED,
    known_differences=[
        *TRANSPOSED,
        KnownDifference(
            "only torch.meshgrid warns when indexing is not given (UserWarning: 'in an upcoming release, "
            "it will be required to pass the indexing argument')",
            outputs="meshgrid_warns",
            backends=("tensorflow", "numpy"),
            references="torch",
            mismatched=1,  # one flag: True against False
        ),
        KnownDifference(
            "linspace(-2, 2, 5) with integer endpoints: float64 in TensorFlow and NumPy, float32 (the "
            "default dtype) in PyTorch; the values are equal",
            outputs="x_from_ints",
            backends=("tensorflow", "numpy"),
            references="torch",
            kind="dtype",
        ),
    ],
)


@case.numpy
def with_numpy(np, indexing=None):
    y = np.linspace(-2.0, 2, 5, dtype=np.float32)  # float64 without dtype=
    x = np.linspace(-2.0, 2, 5, dtype=np.float32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        points_x, points_y = np.meshgrid(x, y) if indexing is None else np.meshgrid(x, y, indexing=indexing)
    points = np.stack([points_x, points_y], axis=2)
    return {
        "x": x, "y": y, "points_x": points_x, "points_y": points_y, "points": points,
        "meshgrid_warns": np.bool_(bool(caught)),
        "x_from_ints": np.linspace(-2, 2, 5),
    }  # fmt: skip


@case.tensorflow
def with_tensorflow(tf, indexing=None):
    y = tf.linspace(-2.0, 2, 5)
    x = tf.linspace(-2.0, 2, 5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        points_x, points_y = tf.meshgrid(x, y) if indexing is None else tf.meshgrid(x, y, indexing=indexing)
    points = tf.stack([points_x, points_y], axis=2)
    return {
        "x": x, "y": y, "points_x": points_x, "points_y": points_y, "points": points,
        "meshgrid_warns": np.bool_(bool(caught)),
        "x_from_ints": tf.linspace(-2, 2, 5),
    }  # fmt: skip


@case.torch
def with_torch(torch, indexing=None):
    y = torch.linspace(-2.0, 2, 5)
    x = torch.linspace(-2.0, 2, 5)
    warn_always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # the indexing warning is TORCH_WARN_ONCE: make every run see it
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            points_x, points_y = torch.meshgrid(x, y) if indexing is None else torch.meshgrid(x, y, indexing=indexing)
    finally:
        torch.set_warn_always(warn_always)
    points = torch.stack([points_x, points_y], dim=2)
    return {
        "x": x, "y": y, "points_x": points_x, "points_y": points_y, "points": points,
        "meshgrid_warns": np.bool_(bool(caught)),
        "x_from_ints": torch.linspace(-2, 2, 5),
    }  # fmt: skip


mapped = Case(
    id="002-9-meshgrid-mapped",
    title="meshgrid with indexing='xy' passed explicitly, linspace dtypes matched",
    source=SOURCE,
    description="indexing='xy' in every framework (no PyTorch warning), and the integer linspace in "
    "float64 everywhere: the three frameworks and the document agree.",
    inputs={"indexing": "xy"},
    documented=DOCUMENTED,
)

mapped.implement("numpy")(with_numpy)
mapped.implement("tensorflow")(with_tensorflow)


@mapped.torch
def mapped_with_torch(torch, indexing):
    outputs = with_torch(torch, indexing=indexing)
    # tf.linspace(-2, 2, 5) and np.linspace(-2, 2, 5) are float64: ask PyTorch for it.
    outputs["x_from_ints"] = torch.linspace(-2, 2, 5, dtype=torch.float64)
    return outputs
