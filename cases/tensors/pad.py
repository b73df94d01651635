"""002-2 pad: ``tf.pad`` of a 3x3 matrix and of a batch of images, and the paddings order trap.

Section 2 of document 002 pads ``a = reshape(range(9), [3, 3])`` by ``[[0,0],[0,0]]``
(unchanged) and ``[[1,1],[1,1]]`` (a frame of zeros), printing both matrices, then pads
``tf.random.normal([4,28,28,3])`` by ``[[0,0],[2,2],[2,2],[0,0]]`` and prints the shape
(4, 32, 32, 3). Here the images are NumPy normal draws (seed 0), so the padded values
are compared too, and the gradient of ``sum(w * pad(x))`` with respect to ``x`` is added:
padding's gradient is the upstream gradient with the frame cut off (the NumPy side
writes that slice by hand). ``tf.range(9)`` is int32; the other frameworks make the
range as int32 explicitly (the default integer dtype is 002-3's subject).

The trap (DIFFERENCES.md §4): TensorFlow and NumPy take one ``[before, after]`` pair per
dimension, first dimension first; ``torch.nn.functional.pad`` takes one flat tuple that
starts from the *last* dimension (https://pytorch.org/docs/stable/generated/torch.nn.functional.pad.html:
"starting from the last dimension and moving forward"). Flattening TensorFlow's list in
its own order, ``sum(p, [])``, happens to be right for every padding in the document:
``[1,1,1,1]`` and ``[0,0,2,2,2,2,0,0]`` read the same backwards. It is wrong as soon as
a padding is asymmetric, so both cases add one that is not in the document,
``[[1,0],[2,1]]`` on the 3x3 matrix (shape (4, 6); the naive order gives (6, 4)) and
``[[0,0],[1,3],[2,0],[0,0]]`` on the images ((4, 32, 30, 3); naive (4, 30, 32, 3)).
``002-2-pad`` writes PyTorch with the naive flattening and declares the asymmetric
outputs; ``002-2-pad-mapped`` converts with ``sum(reversed(p), [])``, and all agree.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed
from equivalence.sweep import Floats, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "2 填充与复制: 填充 pad")
ASYM = [[1, 0], [2, 1]]  # not in the document: an asymmetric padding of the 3x3 matrix
ASYM_IMAGE = [[0, 0], [1, 3], [2, 0], [0, 0]]  # not in the document: the same for the images


def make_inputs(rng):
    return {
        "image": rng.standard_normal((4, 28, 28, 3)).astype(np.float32),  # tf.random.normal([4,28,28,3])
        "weights": rng.standard_normal((4, 32, 32, 3)).astype(np.float32),  # for the gradient
    }


# print('a\n', a.numpy()) and so on: NumPy arrays; print(b.shape): a TensorShape, Python ints.
DOCUMENTED = {
    "a": printed("""
        [[0 1 2]
         [3 4 5]
         [6 7 8]]""", printer="array"),
    "b": printed("""
        [[0 1 2]
         [3 4 5]
         [6 7 8]]""", printer="array"),
    "c": printed("""
        [[0 0 0 0 0]
         [0 0 1 2 0]
         [0 3 4 5 0]
         [0 6 7 8 0]
         [0 0 0 0 0]]""", printer="array"),
    "image_shape": printed("(4, 32, 32, 3)", printer="python"),
}


def with_numpy(np, image, weights):
    a = np.arange(9, dtype=np.int32).reshape(3, 3)
    b = np.pad(a, [[0, 0], [0, 0]])  # np.pad takes TensorFlow's per-dimension pairs
    c = np.pad(a, [[1, 1], [1, 1]])
    padded = np.pad(image, [[0, 0], [2, 2], [2, 2], [0, 0]])
    loss = np.sum(weights * padded)
    dloss_dimage = weights[:, 2:-2, 2:-2, :]  # the gradient of a pad: cut the frame off
    return {
        "a": a, "b": b, "c": c,
        "image_padded": padded, "image_shape": np.array(padded.shape),
        "loss": loss, "dloss_dimage": dloss_dimage,
        "asym": np.pad(a, ASYM), "asym_image_shape": np.array(np.pad(image, ASYM_IMAGE).shape),
    }


def with_tensorflow(tf, image, weights):
    a = tf.reshape(tf.range(9), [3, 3])
    b = tf.pad(a, [[0, 0], [0, 0]])
    c = tf.pad(a, [[1, 1], [1, 1]])
    with tf.GradientTape() as tape:
        tape.watch(image)
        padded = tf.pad(image, [[0, 0], [2, 2], [2, 2], [0, 0]])
        loss = tf.reduce_sum(weights * padded)
    dloss_dimage = tape.gradient(loss, image)
    return {
        "a": a, "b": b, "c": c,
        "image_padded": padded, "image_shape": np.array(padded.shape.as_list()),
        "loss": loss, "dloss_dimage": dloss_dimage,
        "asym": tf.pad(a, ASYM), "asym_image_shape": np.array(tf.pad(image, ASYM_IMAGE).shape.as_list()),
    }


def torch_pads(torch, image, weights, flatten):
    """The document's pads in PyTorch; ``flatten`` turns TensorFlow's pairs into F.pad's tuple."""
    F = torch.nn.functional
    a = torch.arange(9, dtype=torch.int32).reshape(3, 3)  # tf.range(9) is int32
    b = F.pad(a, flatten([[0, 0], [0, 0]]))
    c = F.pad(a, flatten([[1, 1], [1, 1]]))
    image.requires_grad_(True)
    padded = F.pad(image, flatten([[0, 0], [2, 2], [2, 2], [0, 0]]))
    loss = torch.sum(weights * padded)
    loss.backward()
    return {
        "a": a, "b": b, "c": c,
        "image_padded": padded, "image_shape": np.array(padded.shape),
        "loss": loss, "dloss_dimage": image.grad,
        "asym": F.pad(a, flatten(ASYM)), "asym_image_shape": np.array(F.pad(image, flatten(ASYM_IMAGE)).shape),
    }


def with_torch_naive(torch, image, weights):
    # TensorFlow's pairs flattened in their own order: F.pad reads them from the last dimension.
    return torch_pads(torch, image, weights, flatten=lambda paddings: sum(paddings, []))


def with_torch_mapped(torch, image, weights):
    # The conversion: last dimension first (DIFFERENCES.md §4).
    return torch_pads(torch, image, weights, flatten=lambda paddings: sum(reversed(paddings), []))


case = Case(
    id="002-2-pad",
    title="tf.pad of a matrix and of images; PyTorch flattening the paddings in TensorFlow's order",
    source=SOURCE,
    description="The document's pads (all symmetric, so the naive F.pad order is right by "
    "coincidence) and two asymmetric ones added to show it is not.",
    inputs=make_inputs,
    documented=DOCUMENTED,
    known_differences=[
        KnownDifference(
            "F.pad reads its flat tuple from the last dimension: TensorFlow's paddings "
            "flattened in their own order pad the wrong dimensions once they are asymmetric, "
            "[[1,0],[2,1]] gives shape (6, 4) instead of (4, 6)",
            outputs="asym", backends=("tensorflow", "numpy"), references="torch", kind="shape",
        ),
        KnownDifference(
            "the same for the images: the padding gives (4, 30, 32, 3) instead of (4, 32, 30, 3); "
            "dimensions 1 and 2 swap, 2 apart (exact: shapes are integers)",
            outputs="asym_image_shape", backends=("tensorflow", "numpy"), references="torch",
            max_abs=2, mismatched=2, at=np.s_[1:3],
        ),
    ],
)
case.implement("numpy")(with_numpy)
case.implement("tensorflow")(with_tensorflow)
case.implement("torch")(with_torch_naive)

mapped = Case(
    id="002-2-pad-mapped",
    title="tf.pad of a matrix and of images; PyTorch converting the paddings, last dimension first",
    source=SOURCE,
    description="The same pads with F.pad's tuple made by sum(reversed(paddings), []): "
    "values, shapes and the gradient agree.",
    inputs=make_inputs,
    documented=DOCUMENTED,
    # Batches of 0 to 2 images of 0 to 4 by 0 to 4 pixels and 0 to 3 channels (empty and
    # size-1 dimensions), any values; the weights have the padded shape.
    sweep=Sweep(dims={"b": (0, 2), "h": (0, 4), "w": (0, 4), "c": (0, 3)},
                inputs={"image": Floats(("b", "h", "w", "c"), allow_nan=True, allow_infinity=True),
                        "weights": Floats(("b", "h+4", "w+4", "c"), -10, 10)}),
)
mapped.implement("numpy")(with_numpy)
mapped.implement("tensorflow")(with_tensorflow)
mapped.implement("torch")(with_torch_mapped)
