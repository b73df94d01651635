"""002-10 dataset: an input pipeline over MNIST- and CIFAR-10-shaped arrays.

Section 5 of document 002 loads ``keras.datasets.mnist`` (x uint8 [60000, 28, 28], y uint8
[60000], ``y[:4] = [5 0 4 1]``) and prints ``tf.one_hot(y, depth=10)[:2]``; then loads
CIFAR-10 (x uint8 [50000, 32, 32, 3], y uint8 [50000, 1]) and builds
``tf.data.Dataset.from_tensor_slices((x_test, y_test))``, ``shuffle(10000)``,
``map(preprocess)`` (x to float32 / 255, y to ``one_hot(depth=10)``) and ``batch(32)``,
printing element shapes [32, 32, 3] and [1], mapped shapes [32, 32, 3] and [1, 10], and
batch shapes [32, 32, 32, 3] and [32, 1, 10].

Nothing is downloaded here: the case makes arrays of the same dtypes and trailing shapes
with NumPy, N = 100 elements each (four batches: 32, 32, 32, 4), MNIST labels starting
[5, 0, 4, 1] so that the printed one-hot rows apply, CIFAR labels starting [6, 9, 9, 4]
as the document prints them. PyTorch builds the same pipeline with a ``Dataset`` and a
``DataLoader(batch_size=32)``; NumPy by slicing.

Batches are compared element for element without shuffling. Shuffling cannot be
compared by order (TensorFlow's ``shuffle(buffer)`` and ``DataLoader(shuffle=True)`` draw
from different generators, DIFFERENCES.md §30), so a shuffled epoch is compared as a
multiset: its elements sorted by their bytes (``shuffled_x``/``shuffled_y``), plus two
flags, the order changed and a second epoch was reshuffled (both frameworks reshuffle
every epoch: ``reshuffle_each_iteration=True`` by default,
https://www.tensorflow.org/api_docs/python/tf/data/Dataset#shuffle; a ``RandomSampler``
draws a new permutation per iteration). The buffer (10000) exceeds N, so TF's windowed
shuffle is a full one here, as in the document (10000 test images).

Traps in ``002-10-dataset``, mapped in ``002-10-dataset-mapped``:

- ``F.one_hot`` returns int64 and takes int64 indices only (``y.long()``), where
  ``tf.one_hot`` returns float32 (DIFFERENCES.md §18;
  https://pytorch.org/docs/stable/generated/torch.nn.functional.one_hot.html): every
  one-hot label is int64 in PyTorch. Mapped: ``.float()``.
- ``DataLoader`` batches by default (``batch_size=1``), so "the first element" of a
  ``DataLoader`` over the dataset has a leading dimension of 1 ([1, 32, 32, 3]), where
  an unbatched ``tf.data.Dataset`` yields the element itself. Mapped: ``batch_size=None``
  (https://pytorch.org/docs/stable/data.html#disable-automatic-batching).
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed

N = 100
BATCH = 32
SOURCE = Source("002_a2a9bc7e14b96b18.txt", "5 数据加载")


def make_inputs(rng):
    mnist_y = rng.integers(0, 10, N).astype(np.uint8)
    mnist_y[:4] = [5, 0, 4, 1]  # y[:4] as the document prints it
    cifar_y = rng.integers(0, 10, (N, 1)).astype(np.uint8)
    cifar_y[:4, 0] = [6, 9, 9, 4]
    return {
        "mnist_x": rng.integers(0, 256, (N, 28, 28)).astype(np.uint8),
        "mnist_y": mnist_y,
        "cifar_x": rng.integers(0, 256, (N, 32, 32, 3)).astype(np.uint8),
        "cifar_y": cifar_y,
    }


def multiset(x, y):
    """The elements of an epoch in a fixed order (sorted by the bytes of x): order-free."""
    x, y = np.asarray(x), np.asarray(y)
    order = np.lexsort(x.reshape(len(x), -1).T[::-1])
    return x[order], y[order]


def changed(a, b):
    return np.bool_(bool(np.any(np.asarray(a) != np.asarray(b))))


def shape(t):
    return np.array(tuple(t.shape), dtype=np.int64)


# y_onehot[:2] is the repr of a float32 tensor (NumPy's array printing); the shapes are
# TensorShape reprs, TensorShape([32, 32, 3]): lists of Python ints.
DOCUMENTED = {
    "mnist_onehot_head": printed("""[[0., 0., 0., 0., 0., 1., 0., 0., 0., 0.],
       [1., 0., 0., 0., 0., 0., 0., 0., 0., 0.]]""", printer="array", dtype="float32"),
    "element_x_shape": printed("[32, 32, 3]", printer="python"),
    "element_y_shape": printed("[1]", printer="python"),
    "mapped_x_shape": printed("[32, 32, 3]", printer="python"),
    "mapped_y_shape": printed("[1, 10]", printer="python"),
    "batch_x_shape": printed("[32, 32, 32, 3]", printer="python"),
    "batch_y_shape": printed("[32, 1, 10]", printer="python"),
}
ONE_HOT = ("mnist_onehot_head", "mnist_batch_y", "batch_y", "shuffled_y")
UNBATCHED = ("element_x", "element_y", "element_x_shape", "element_y_shape", "mapped_x_shape", "mapped_y_shape")


case = Case(
    id="002-10-dataset",
    title="from_tensor_slices / map / batch(32) against a PyTorch Dataset and DataLoader",
    source=SOURCE,
    description=f"MNIST- and CIFAR-10-shaped uint8 arrays (N = {N}) through from_tensor_slices, "
    "map(preprocess), batch(32) and shuffle; PyTorch's one_hot is int64 and its DataLoader batches "
    "single elements by default.",
    inputs=make_inputs,
    documented=DOCUMENTED,
    known_differences=[
        KnownDifference(
            "F.one_hot returns int64 (tf.one_hot and NumPy's eye rows float32): the one-hot labels "
            "differ in dtype, not in value",
            outputs=ONE_HOT,
            backends=("tensorflow", "numpy"),
            references="torch",
            kind="dtype",
        ),
        KnownDifference(
            "DataLoader's default batch_size=1 adds a leading dimension of 1 to 'one element' "
            "([1, 32, 32, 3], [1, 1], [1, 1, 10]); an unbatched tf.data.Dataset yields the element itself",
            outputs=UNBATCHED,
            backends=("tensorflow", "numpy"),
            references="torch",
            kind="shape",
        ),
        KnownDifference(
            "DataLoader's default batch_size=1: the element shapes PyTorch reports carry a leading 1 "
            "that the document's [32, 32, 3], [1], [32, 32, 3] and [1, 10] do not",
            outputs=("element_x_shape", "element_y_shape", "mapped_x_shape", "mapped_y_shape"),
            backends="torch",
            references="documented",
            kind="shape",
        ),
    ],
)


@case.numpy
def with_numpy(np, mnist_x, mnist_y, cifar_x, cifar_y):
    def preprocess(x, y):
        x = x.astype(np.float32) / 255.0
        y = np.eye(10, dtype=np.float32)[y.astype(np.int64)]  # one_hot(depth=10)
        return x, y

    def batches(x, y):
        return [preprocess(x[i : i + BATCH], y[i : i + BATCH]) for i in range(0, len(x), BATCH)]

    y_onehot = preprocess(mnist_x, mnist_y)[1]
    element = cifar_x[0], cifar_y[0]
    mapped = preprocess(*element)
    batch_x, batch_y = batches(cifar_x, cifar_y)[0]
    mnist_batch_x, mnist_batch_y = batches(mnist_x, mnist_y)[0]

    rng = np.random  # seeded by the engine with the case's seed
    epochs = []
    for _ in range(2):  # shuffle(buffer >= N) is a uniform permutation, redrawn every epoch
        order = rng.permutation(len(cifar_x))
        epoch = batches(cifar_x[order], cifar_y[order])
        epochs.append((np.concatenate([b[0] for b in epoch]), np.concatenate([b[1] for b in epoch])))
    unshuffled_x = np.concatenate([b[0] for b in batches(cifar_x, cifar_y)])
    shuffled_x, shuffled_y = multiset(*epochs[0])
    return {
        "mnist_onehot_head": y_onehot[:2],
        "element_x": element[0], "element_y": element[1],
        "element_x_shape": shape(element[0]), "element_y_shape": shape(element[1]),
        "mapped_x_shape": shape(mapped[0]), "mapped_y_shape": shape(mapped[1]),
        "batch_x": batch_x, "batch_y": batch_y,
        "batch_x_shape": shape(batch_x), "batch_y_shape": shape(batch_y),
        "batch_sizes": np.array([len(b[0]) for b in batches(cifar_x, cifar_y)], dtype=np.int64),
        "mnist_batch_x": mnist_batch_x, "mnist_batch_y": mnist_batch_y,
        "shuffled_x": shuffled_x, "shuffled_y": shuffled_y,
        "shuffle_moved": changed(epochs[0][0], unshuffled_x),
        "reshuffled": changed(epochs[0][0], epochs[1][0]),
    }  # fmt: skip


@case.tensorflow
def with_tensorflow(tf, mnist_x, mnist_y, cifar_x, cifar_y):
    def preprocess(x, y):  # the document's
        x = tf.cast(x, dtype=tf.float32) / 255.0
        y = tf.cast(y, dtype=tf.int32)
        y = tf.one_hot(y, depth=10)
        return x, y

    y_onehot = tf.one_hot(mnist_y, depth=10)
    db = tf.data.Dataset.from_tensor_slices((cifar_x, cifar_y))
    element = next(iter(db))
    db2 = db.map(preprocess)
    mapped = next(iter(db2))
    db3 = db2.batch(32)
    batch_x, batch_y = next(iter(db3))
    mnist_db = tf.data.Dataset.from_tensor_slices((mnist_x, mnist_y)).map(preprocess).batch(32)
    mnist_batch_x, mnist_batch_y = next(iter(mnist_db))

    shuffled = db.shuffle(10000).map(preprocess).batch(32)
    epochs = []
    for _ in range(2):  # every iteration over the dataset is a new epoch, reshuffled
        xs, ys = zip(*((x.numpy(), y.numpy()) for x, y in shuffled), strict=True)
        epochs.append((np.concatenate(xs), np.concatenate(ys)))
    unshuffled_x = np.concatenate([x.numpy() for x, _ in db3])
    shuffled_x, shuffled_y = multiset(*epochs[0])
    return {
        "mnist_onehot_head": y_onehot[:2],
        "element_x": element[0], "element_y": element[1],
        "element_x_shape": shape(element[0]), "element_y_shape": shape(element[1]),
        "mapped_x_shape": shape(mapped[0]), "mapped_y_shape": shape(mapped[1]),
        "batch_x": batch_x, "batch_y": batch_y,
        "batch_x_shape": shape(batch_x), "batch_y_shape": shape(batch_y),
        "batch_sizes": np.array([int(x.shape[0]) for x, _ in db3], dtype=np.int64),
        "mnist_batch_x": mnist_batch_x, "mnist_batch_y": mnist_batch_y,
        "shuffled_x": shuffled_x, "shuffled_y": shuffled_y,
        "shuffle_moved": changed(epochs[0][0], unshuffled_x),
        "reshuffled": changed(epochs[0][0], epochs[1][0]),
    }  # fmt: skip


def torch_pipeline(torch, mnist_x, mnist_y, cifar_x, cifar_y, one_hot_float, element_batch_size):
    """The pipeline with a Dataset and DataLoaders; the two PyTorch implementations differ only
    in the one-hot dtype and in the loader used to take single elements."""
    from torch.utils.data import DataLoader, Dataset, TensorDataset

    F = torch.nn.functional

    def preprocess(x, y):
        x = x.float() / 255.0
        y = F.one_hot(y.long(), num_classes=10)  # int64; takes int64 indices only
        return x, (y.float() if one_hot_float else y)

    class Preprocessed(Dataset):
        def __init__(self, x, y):
            self.x, self.y = x, y

        def __len__(self):
            return len(self.x)

        def __getitem__(self, i):
            return preprocess(self.x[i], self.y[i])

    y_onehot = preprocess(mnist_x, mnist_y)[1]
    element = next(iter(DataLoader(TensorDataset(cifar_x, cifar_y), batch_size=element_batch_size)))
    dataset = Preprocessed(cifar_x, cifar_y)
    mapped = next(iter(DataLoader(dataset, batch_size=element_batch_size)))
    loader = DataLoader(dataset, batch_size=32, shuffle=False)
    batch_x, batch_y = next(iter(loader))
    mnist_batch_x, mnist_batch_y = next(iter(DataLoader(Preprocessed(mnist_x, mnist_y), batch_size=32)))

    shuffled = DataLoader(dataset, batch_size=32, shuffle=True)
    epochs = []
    for _ in range(2):  # every iteration draws a new permutation (RandomSampler)
        xs, ys = zip(*((x.numpy(), y.numpy()) for x, y in shuffled), strict=True)
        epochs.append((np.concatenate(xs), np.concatenate(ys)))
    unshuffled_x = np.concatenate([x.numpy() for x, _ in loader])
    shuffled_x, shuffled_y = multiset(*epochs[0])
    return {
        "mnist_onehot_head": y_onehot[:2],
        "element_x": element[0], "element_y": element[1],
        "element_x_shape": shape(element[0]), "element_y_shape": shape(element[1]),
        "mapped_x_shape": shape(mapped[0]), "mapped_y_shape": shape(mapped[1]),
        "batch_x": batch_x, "batch_y": batch_y,
        "batch_x_shape": shape(batch_x), "batch_y_shape": shape(batch_y),
        "batch_sizes": np.array([len(x) for x, _ in loader], dtype=np.int64),
        "mnist_batch_x": mnist_batch_x, "mnist_batch_y": mnist_batch_y,
        "shuffled_x": shuffled_x, "shuffled_y": shuffled_y,
        "shuffle_moved": changed(epochs[0][0], unshuffled_x),
        "reshuffled": changed(epochs[0][0], epochs[1][0]),
    }  # fmt: skip


@case.torch
def with_torch(torch, mnist_x, mnist_y, cifar_x, cifar_y):
    # F.one_hot as it comes (int64); "one element" as next(iter(DataLoader(dataset))),
    # whose default batch_size is 1.
    return torch_pipeline(torch, mnist_x, mnist_y, cifar_x, cifar_y, one_hot_float=False, element_batch_size=1)


mapped = Case(
    id="002-10-dataset-mapped",
    title="The same pipeline with float32 one-hot labels and DataLoader(batch_size=None) for single elements",
    source=SOURCE,
    description="F.one_hot(...).float() and automatic batching disabled for single elements: the "
    "three frameworks agree with each other and with the document's shapes.",
    inputs=make_inputs,
    documented=DOCUMENTED,
)

mapped.implement("numpy")(with_numpy)
mapped.implement("tensorflow")(with_tensorflow)


@mapped.torch
def mapped_with_torch(torch, mnist_x, mnist_y, cifar_x, cifar_y):
    # float32 one-hot labels like tf.one_hot; batch_size=None disables automatic batching.
    return torch_pipeline(torch, mnist_x, mnist_y, cifar_x, cifar_y, one_hot_float=True, element_batch_size=None)
