"""002-4 clip: maximum, minimum, clip_by_value and relu on range(10), and their gradients at the kinks.

Section 3 of document 002 takes ``a = tf.range(10)`` (int32) and prints
``maximum(a, 2)``, ``minimum(a, 8)``, then ``a - 5``, ``tf.nn.relu(a - 5)`` and
``maximum(a - 5, 0)``; it also computes ``clip_by_value(a, 2, 8)`` without printing it.
``002-4-clip`` reproduces the printed int32 vectors (the other frameworks make the range
as int32 explicitly; the default integer dtype is 002-3's subject).

The document takes no gradient here, but these ops are where the frameworks' gradients
part ways, exactly at the points the document's range hits: x = 2 for ``maximum(x, 2)``,
x = 8 for ``minimum(x, 8)``, x - 5 = 0 for relu (DIFFERENCES.md §6). The same ops on the
float32 range, with d sum(f(x)) / dx:

- ``tf.maximum``/``tf.minimum`` give the whole gradient to x at a tie (TensorFlow's
  ``_MaximumMinimumGrad`` masks with ``x >= y`` / ``x <= y``,
  tensorflow/python/ops/math_grad.py); ``torch.maximum``/``torch.minimum`` split it
  0.5/0.5 (pytorch/pytorch#56734). So the gradient at x = 2 is 1 in TensorFlow and 0.5
  in PyTorch, and at x = 5 ``maximum(x - 5, 0)`` gives 1 against 0.5.
- ``relu`` has gradient 0 at 0 in both, while TensorFlow's own ``maximum(x - 5, 0)`` has
  1 there: the document's two "equal" relus are equal in value only.
- ``clip_by_value``/``torch.clamp`` give 1 at both bounds in both frameworks.

The derivative does not exist at a kink; any value in [0, 1] is a subgradient, and a
central difference gives 0.5 there. The NumPy side writes TensorFlow's convention by
hand (the gradient goes to x where x is the one kept, ties included).
``002-4-clip-grad`` ports the ops name for name (``torch.maximum`` for ``tf.maximum``)
and declares the tie gradients; ``002-4-clip-grad-mapped`` writes PyTorch's
maximum/minimum as ``torch.where(x >= y, x, y)`` / ``torch.where(x <= y, x, y)``,
TensorFlow's mask, and all agree (``torch.clamp(x, min=y)`` also gives 1 at the tie).
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed
from equivalence.sweep import Floats, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "3 张量的限幅")

values = Case(
    id="002-4-clip",
    title="maximum, minimum, clip_by_value and relu on range(10)",
    source=SOURCE,
    description="The document's int32 vectors: maximum(a,2), minimum(a,8), clip_by_value(a,2,8), "
    "a-5, relu(a-5) and maximum(a-5,0).",
    documented={  # print(a) of int32 tensors: tf.Tensor([0 1 2 ...], shape=(10,), dtype=int32)
        "a": printed("[0 1 2 3 4 5 6 7 8 9]", printer="array"),
        "b": printed("[2 2 2 3 4 5 6 7 8 9]", printer="array"),
        "c": printed("[0 1 2 3 4 5 6 7 8 8]", printer="array"),
        "a_minus_5": printed("[-5 -4 -3 -2 -1  0  1  2  3  4]", printer="array"),
        "d": printed("[0 0 0 0 0 0 1 2 3 4]", printer="array"),
        "e": printed("[0 0 0 0 0 0 1 2 3 4]", printer="array"),
    },
)


@values.numpy
def values_with_numpy(np):
    a = np.arange(10, dtype=np.int32)  # tf.range(10) is int32
    b = np.maximum(a, 2)
    c = np.minimum(a, 8)
    clipped = np.clip(a, 2, 8)
    a_minus_5 = a - 5
    d = np.maximum(a_minus_5, 0)  # NumPy has no relu
    e = np.maximum(a_minus_5, 0)
    return {"a": a, "b": b, "c": c, "clipped": clipped, "a_minus_5": a_minus_5, "d": d, "e": e}


@values.tensorflow
def values_with_tensorflow(tf):
    a = tf.range(10)
    b = tf.maximum(a, 2)
    c = tf.minimum(a, 8)
    clipped = tf.clip_by_value(a, 2, 8)
    a_minus_5 = a - 5
    d = tf.nn.relu(a_minus_5)
    e = tf.maximum(a_minus_5, 0)
    return {"a": a, "b": b, "c": c, "clipped": clipped, "a_minus_5": a_minus_5, "d": d, "e": e}


@values.torch
def values_with_torch(torch):
    a = torch.arange(10, dtype=torch.int32)
    b = torch.clamp(a, min=2)
    c = torch.clamp(a, max=8)
    clipped = torch.clamp(a, 2, 8)
    a_minus_5 = a - 5
    d = torch.relu(a_minus_5)
    e = torch.clamp(a_minus_5, min=0)
    return {"a": a, "b": b, "c": c, "clipped": clipped, "a_minus_5": a_minus_5, "d": d, "e": e}


GRAD_INPUTS = {"x": np.arange(10, dtype=np.float32)}  # the document's range, as floats


def grads_with_numpy(np, x):
    # TensorFlow's convention at a tie: the gradient goes to the argument that is kept.
    one = np.float32(1)
    return {
        "maximum": np.maximum(x, 2), "grad_maximum": (x >= 2) * one,
        "minimum": np.minimum(x, 8), "grad_minimum": (x <= 8) * one,
        "clipped": np.clip(x, 2, 8), "grad_clipped": ((x >= 2) & (x <= 8)) * one,
        "relu": np.maximum(x - 5, 0), "grad_relu": (x - 5 > 0) * one,
        "relu_maximum": np.maximum(x - 5, 0), "grad_relu_maximum": (x - 5 >= 0) * one,
    }


def grads_with_tensorflow(tf, x):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        outputs = {
            "maximum": tf.maximum(x, 2),
            "minimum": tf.minimum(x, 8),
            "clipped": tf.clip_by_value(x, 2, 8),
            "relu": tf.nn.relu(x - 5),
            "relu_maximum": tf.maximum(x - 5, 0),
        }
    grads = {f"grad_{name}": tape.gradient(y, x) for name, y in outputs.items()}  # d sum(y)/dx
    return {**outputs, **grads}


def torch_grads(torch, x, outputs):
    grads = {
        f"grad_{name}": torch.autograd.grad(y.sum(), x, retain_graph=True)[0]
        for name, y in outputs.items()
    }
    return {**outputs, **grads}


grads = Case(
    id="002-4-clip-grad",
    title="Gradients of maximum, minimum, clip and relu at their kinks, ops ported name for name",
    source=SOURCE,
    description="d sum(f(x))/dx on x = 0..9 (float32), ties at 2, 8 and 5; "
    "torch.maximum/minimum for tf.maximum/minimum.",
    inputs=GRAD_INPUTS,
    known_differences=[
        # One element each, the tie, and exactly 1 against 0.5 there.
        KnownDifference(
            "at a tie tf.maximum/tf.minimum give the whole gradient to x (mask x >= y / x <= y), "
            "torch.maximum/torch.minimum split it 0.5/0.5 (pytorch/pytorch#56734): gradient 1 "
            f"against 0.5 at x = {tie} ({op})",
            outputs=output,
            backends=("tensorflow", "numpy"),
            references="torch",
            max_abs=0.5, mismatched=1, at=np.s_[tie],
        )
        for output, tie, op in (("grad_maximum", 2, "maximum(x, 2)"), ("grad_minimum", 8, "minimum(x, 8)"),
                                ("grad_relu_maximum", 5, "maximum(x - 5, 0)"))
    ],
)
grads.implement("numpy")(grads_with_numpy)
grads.implement("tensorflow")(grads_with_tensorflow)


@grads.torch
def grads_with_torch(torch, x):
    x.requires_grad_(True)
    return torch_grads(torch, x, {
        "maximum": torch.maximum(x, torch.tensor(2.0)),
        "minimum": torch.minimum(x, torch.tensor(8.0)),
        "clipped": torch.clamp(x, 2, 8),
        "relu": torch.relu(x - 5),
        "relu_maximum": torch.maximum(x - 5, torch.tensor(0.0)),
    })


grads_mapped = Case(
    id="002-4-clip-grad-mapped",
    title="Gradients at the kinks with TensorFlow's tie rule written in PyTorch",
    source=SOURCE,
    description="The same gradients with maximum/minimum written as torch.where(x >= y, x, y) / "
    "torch.where(x <= y, x, y): the frameworks agree.",
    inputs=GRAD_INPUTS,
    # Any vector, the kinks (2, 5, 8) often: values in [-1, 11] shrink to integers. What the sweep found
    # at NaN is declared (measured in every dtype).
    sweep=Sweep(dims={"n": (0, 10)}, inputs={"x": Floats(("n",), -1, 11, allow_nan=True, allow_infinity=True)},
                known_differences=[
                    KnownDifference(
                        "the mapping writes maximum/minimum as torch.where(x >= y, x, y): at NaN the comparison is "
                        "False and it returns y (2, 8 or 0), where tf.maximum/tf.minimum and NumPy propagate NaN. "
                        "Found by the sweep, minimal example x = [nan]",
                        outputs=("maximum", "minimum", "relu_maximum"), backends="torch",
                        references=("numpy", "tensorflow", "oracle"), max_abs=float("inf")),
                    KnownDifference(
                        "relu's gradient at NaN: PyTorch's threshold_backward passes it unless x <= 0 (1), "
                        "TensorFlow's ReluGrad only where x > 0 (0). Found by the sweep, minimal example x = [nan]",
                        outputs="grad_relu", backends="torch", references=("numpy", "tensorflow", "oracle"), max_abs=1),
                    KnownDifference(
                        "NEP 50: the NumPy gradients multiply booleans by np.float32(1), so they are float32 whatever "
                        "the dtype of x (found by the sweep in float16 and float64)",
                        outputs="grad_*", backends="numpy", kind="dtype"),
                ]),
)
grads_mapped.implement("numpy")(grads_with_numpy)
grads_mapped.implement("tensorflow")(grads_with_tensorflow)


@grads_mapped.torch
def grads_mapped_with_torch(torch, x):
    x.requires_grad_(True)
    two, eight, zero = (torch.tensor(v) for v in (2.0, 8.0, 0.0))
    return torch_grads(torch, x, {
        "maximum": torch.where(x >= two, x, two),  # tf.maximum's gradient mask: x >= y
        "minimum": torch.where(x <= eight, x, eight),  # tf.minimum's: x <= y
        "clipped": torch.clamp(x, 2, 8),
        "relu": torch.relu(x - 5),
        "relu_maximum": torch.where(x - 5 >= zero, x - 5, zero),
    })
