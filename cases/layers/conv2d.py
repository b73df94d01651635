"""001-4 related: Conv2D in NHWC (TensorFlow) and NCHW (PyTorch), its output and its gradients.

Document 001 ends with headlines of related articles, one of them "tensorflow2建立卷积核
Conv2D函数" (creating a convolution with Conv2D). No computation is shown; this is the
catalogue's extra case: ``tf.keras.layers.Conv2D(filters=4, kernel_size=3, padding="same")``
on a batch x of shape [2, 6, 7, 3], a scalar loss L = ½·Σy², and dL/dx, dL/dkernel,
dL/dbias.

Layouts (DIFFERENCES.md §29): Keras takes NHWC images and an HWIO kernel (3, 3, 3, 4);
PyTorch takes NCHW and an OIHW weight (4, 3, 3, 3). The weights are made once by NumPy
(the initialisers differ: glorot_uniform vs kaiming_uniform) and copied in; PyTorch
permutes x with ``permute(0, 3, 1, 2)``, the kernel with ``permute(3, 2, 0, 1)``, and gives
y back as NHWC and dL/dweight as HWIO, so every output is compared in TensorFlow's layout.

'same' padding with stride 2 is the trap. TensorFlow pads
``max((ceil(n/s) - 1)·s + k - n, 0)`` in total along each axis, the odd one at the bottom and
right (https://www.tensorflow.org/api_docs/python/tf/nn, "Notes on padding";
tensorflow/core/framework/kernel_shape_util.cc): for n = 6,
k = 3, s = 2 one row, at the bottom only; for n = 7 two columns, one on each side.
``torch.nn.Conv2d(..., stride=2, padding="same")`` raises ``ValueError: padding='same' is
not supported for strided convolutions``, and the usual port, ``padding=1``, pads one row
and column on every side: same output shape (3, 4), different values (max |Δ| 8.8 in y,
14.4 in dL/dx here).

- ``001-4-conv2d``: stride 1, ``padding="same"`` in both (symmetric for odd k): all agree.
- ``001-4-conv2d-stride2``: stride 2; PyTorch tries ``padding="same"`` (returned as
  ``same_raises``/``same_error_type``) and falls back on ``padding=1``. Declared.
- ``001-4-conv2d-stride2-mapped``: PyTorch pads with ``F.pad`` by TensorFlow's amounts and
  convolves with ``padding=0``: all agree (y, L, dL/dx and dL/dkernel bitwise equal to
  TensorFlow's here, dL/dbias 3.8e-6 apart).

NumPy convolves directly (im2col: one matrix product over the k·k·C patches) with a
hand-written backward pass (dL/dbias = Σ dy, dL/dkernel = patchesᵀ·dy, dL/dx by scattering
dy·kernelᵀ back onto the padded input and cropping), in float64, cast to float32: the
reference the float32 frameworks are measured against. NumPy implements TensorFlow's
'same' rule (the document is TensorFlow's).

Tolerances: DIFFERENCES.md §33's recommendation for float32 convolutions and their
gradients, rtol 1e-4 and atol 1e-6·max|ref|, with max|ref| measured on the stride-1 case
(y 8.85, L 1070, dL/dx 46.9, dL/dkernel 189, dL/dbias 37.8). Measured against PyTorch:
TensorFlow is bitwise equal on y, L and dL/dkernel, within 5.7e-6 on dL/dx (bitwise equal
in some runs: the reduction order depends on threading) and 9.5e-6 on dL/dbias; NumPy
(float64, rounded) within 9.5e-7 on y, 5.7e-6 on dL/dx, 1.1e-5 on dL/dkernel and 7.6e-6 on
dL/dbias: everything at least 4x inside the tolerance.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, Tolerance
from equivalence.sweep import Floats, Sweep

SOURCE = Source("001_f79c457c30bc01c1.txt", "tensorflow2建立卷積核Conv2D函式 (related article)")
FILTERS, KERNEL_SIZE = 4, 3

TOLERANCE = {
    "y": Tolerance(rtol=1e-4, atol=1e-5),
    "loss": Tolerance(rtol=1e-4, atol=1e-3),
    "dL_dx": Tolerance(rtol=1e-4, atol=5e-5),
    "dL_dkernel": Tolerance(rtol=1e-4, atol=2e-4),
    "dL_dbias": Tolerance(rtol=1e-4, atol=4e-5),
}
GRADIENT_OUTPUTS = ("y", "loss", "dL_dx", "dL_dkernel", "dL_dbias")

# The sweep: batches of 1 or 2 images of 1 to 7 by 1 to 7 pixels (smaller than the kernel
# included), 3 channels, inputs, kernel and bias in [-1, 1] as the fixed inputs have them, so
# that the case's tolerances (DIFFERENCES.md §33, scaled to those magnitudes) apply. float32
# only: the implementations build float32 layers (Keras' default dtype policy casts float16 and
# float64 inputs to float32; torch.nn.Conv2d's float32 weights refuse them, "expected scalar type
# Half but found Float"), and NumPy returns float32 whatever it gets. An empty batch is not swept:
# tf.nn.conv2d returns (0, h, w, 3), the input's channels, for it, and the Keras layer then fails
# adding the bias (a README finding).
SWEEP = Sweep(
    dims={"n": (1, 2), "h": (1, 7), "w": (1, 7)},
    inputs={"x": Floats(("n", "h", "w", 3), -1, 1),
            "kernel": Floats((KERNEL_SIZE, KERNEL_SIZE, 3, FILTERS), -1, 1), "bias": Floats((FILTERS,), -1, 1)},
    dtypes=("float32",),
    tolerance={"float32": TOLERANCE},
)


def make_inputs(stride):
    def inputs(rng):
        return {
            "x": rng.standard_normal((2, 6, 7, 3)).astype(np.float32),  # NHWC
            "kernel": (0.5 * rng.standard_normal((KERNEL_SIZE, KERNEL_SIZE, 3, FILTERS))).astype(np.float32),  # HWIO
            "bias": (0.1 * rng.standard_normal(FILTERS)).astype(np.float32),
            "stride": stride,
        }

    return inputs


def same_padding(n, k, s):
    """TensorFlow's 'same' padding along one axis: (before, after), the odd one after."""
    total = max((-(-n // s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


# --------------------------------------------------------------------------------------
# The three implementations.

def numpy_conv2d(np, x, kernel, bias, stride, **_):
    """y = conv(x, kernel) + bias in NHWC/HWIO by im2col, and the backward pass of ½·Σy²."""
    x64, k64, b64 = (a.astype(np.float64) for a in (x, kernel, bias))
    (top, bottom), (left, right) = (same_padding(n, KERNEL_SIZE, stride) for n in x.shape[1:3])
    xp = np.pad(x64, ((0, 0), (top, bottom), (left, right), (0, 0)))
    n, h, w, c = xp.shape
    kh, kw, _, o = k64.shape
    ho, wo = (h - kh) // stride + 1, (w - kw) // stride + 1

    def window(i, j):  # the input pixels that meet kernel tap (i, j), for every output pixel
        return np.s_[:, i : i + stride * (ho - 1) + 1 : stride, j : j + stride * (wo - 1) + 1 : stride, :]

    patches = np.empty((n, ho, wo, kh, kw, c))
    for i in range(kh):
        for j in range(kw):
            patches[:, :, :, i, j, :] = xp[window(i, j)]
    patches = patches.reshape(n * ho * wo, kh * kw * c)
    k_matrix = k64.reshape(kh * kw * c, o)
    y = (patches @ k_matrix + b64).reshape(n, ho, wo, o)
    loss = 0.5 * np.sum(np.square(y))

    dy = y.reshape(-1, o)  # dL/dy = y
    d_bias = dy.sum(axis=0)
    d_kernel = (patches.T @ dy).reshape(k64.shape)
    d_patches = (dy @ k_matrix.T).reshape(n, ho, wo, kh, kw, c)
    d_xp = np.zeros_like(xp)
    for i in range(kh):
        for j in range(kw):
            d_xp[window(i, j)] += d_patches[:, :, :, i, j, :]
    d_x = d_xp[:, top : h - bottom, left : w - right, :]
    f32 = np.float32
    return {"y": y.astype(f32), "loss": f32(loss), "dL_dx": d_x.astype(f32),
            "dL_dkernel": d_kernel.astype(f32), "dL_dbias": d_bias.astype(f32)}


def tensorflow_conv2d(tf, x, kernel, bias, stride, **_):
    conv = tf.keras.layers.Conv2D(filters=FILTERS, kernel_size=KERNEL_SIZE, strides=stride, padding="same")
    conv.build(x.shape)
    conv.set_weights([kernel.numpy(), bias.numpy()])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = conv(x)
        loss = 0.5 * tf.reduce_sum(tf.square(y))
    dL_dx, dL_dkernel, dL_dbias = tape.gradient(loss, [x, conv.kernel, conv.bias])
    return {"y": y, "loss": loss, "dL_dx": dL_dx, "dL_dkernel": dL_dkernel, "dL_dbias": dL_dbias}


def torch_conv2d(torch, x, kernel, bias, stride, padding, pad=None):
    """NCHW convolution on NHWC data; ``pad`` = F.pad's (left, right, top, bottom) if given."""
    conv = torch.nn.Conv2d(3, FILTERS, kernel_size=KERNEL_SIZE, stride=stride, padding=padding)
    with torch.no_grad():
        conv.weight.copy_(kernel.permute(3, 2, 0, 1))  # HWIO -> OIHW
        conv.bias.copy_(bias)
    x.requires_grad_(True)
    x_nchw = x.permute(0, 3, 1, 2)
    if pad is not None:
        x_nchw = torch.nn.functional.pad(x_nchw, pad)
    y = conv(x_nchw).permute(0, 2, 3, 1)  # NCHW -> NHWC
    loss = 0.5 * torch.sum(torch.square(y))
    loss.backward()
    return {"y": y, "loss": loss, "dL_dx": x.grad,
            "dL_dkernel": conv.weight.grad.permute(2, 3, 1, 0),  # OIHW -> HWIO
            "dL_dbias": conv.bias.grad}


# --------------------------------------------------------------------------------------
# 001-4-conv2d: stride 1, 'same' in both frameworks.

stride1 = Case(
    id="001-4-conv2d",
    title="Conv2D 3x3, stride 1, 'same': NHWC Keras layer against NCHW torch.nn.Conv2d",
    source=SOURCE,
    description="Output and gradients of ½·Σy² w.r.t. input, kernel and bias, weights copied from "
    "NumPy; NumPy by im2col with a hand-written backward pass.",
    inputs=make_inputs(1),
    tolerance=TOLERANCE,
    sweep=SWEEP,
)
stride1.implement("numpy")(numpy_conv2d)
stride1.implement("tensorflow")(tensorflow_conv2d)


@stride1.torch
def stride1_with_torch(torch, x, kernel, bias, stride):
    return torch_conv2d(torch, x, kernel, bias, stride, padding="same")


# --------------------------------------------------------------------------------------
# 001-4-conv2d-stride2: stride 2, as a PyTorch user ports it.

def _no_error(np):
    return {"same_raises": np.bool_(False), "same_error_type": np.str_("")}


PADDING_DIFFERENCE = (
    "TensorFlow's stride-2 'same' pads H=6 by (0, 1) and W=7 by (1, 1) (total "
    "max((ceil(n/s)-1)s+k-n, 0), odd part after); torch padding=1 pads (1, 1) on both axes: "
    "same shape (2,3,4,4), other values (DIFFERENCES.md §29)"
)

stride2 = Case(
    id="001-4-conv2d-stride2",
    title="Conv2D 3x3, stride 2, 'same': torch refuses padding='same', padding=1 is not TF's 'same'",
    source=SOURCE,
    description="TensorFlow pads 'same' asymmetrically (one row at the bottom for H=6); "
    "torch.nn.Conv2d rejects padding='same' with stride 2 and the symmetric padding=1 differs.",
    inputs=make_inputs(2),
    tolerance=TOLERANCE,
    known_differences=[
        KnownDifference(
            "torch.nn.Conv2d(stride=2, padding='same') raises ValueError (\"padding='same' is not "
            "supported for strided convolutions\"); TensorFlow and the NumPy port of its rule "
            "accept it",
            outputs="same_raises",
            backends=("tensorflow", "numpy"),
            references="torch",
            kind="values", mismatched=1,
        ),
        KnownDifference(
            "the type of the error torch.nn.Conv2d raises, 'ValueError', where TensorFlow and "
            "NumPy raise none ('')",
            outputs="same_error_type",
            backends=("tensorflow", "numpy"),
            references="torch",
            kind="message",
        ),
        # Every element differs; the bound is the measured max |Δ| (TensorFlow and NumPy alike) × 1.5.
        *(KnownDifference(
            PADDING_DIFFERENCE + f": measured max |Δ| {measured} in {output}",
            outputs=output,
            backends=("tensorflow", "numpy"),
            references="torch",
            kind="values", max_abs=bound,
        ) for output, measured, bound in (("y", 8.8, 14), ("loss", 58, 88), ("dL_dx", 14.4, 22),
                                          ("dL_dkernel", 36.8, 56), ("dL_dbias", 34.4, 52))),
    ],
)


@stride2.numpy
def stride2_with_numpy(np, **inputs):
    return {**numpy_conv2d(np, **inputs), **_no_error(np)}


@stride2.tensorflow
def stride2_with_tensorflow(tf, **inputs):
    return {**tensorflow_conv2d(tf, **inputs), **_no_error(np)}


@stride2.torch
def stride2_with_torch(torch, x, kernel, bias, stride):
    try:
        torch.nn.Conv2d(3, FILTERS, kernel_size=KERNEL_SIZE, stride=stride, padding="same")
        refused = {"same_raises": np.bool_(False), "same_error_type": np.str_("")}
    except ValueError as e:
        refused = {"same_raises": np.bool_(True), "same_error_type": np.str_(type(e).__name__)}
    # The usual port: padding = k // 2 on every side.
    return {**torch_conv2d(torch, x, kernel, bias, stride, padding=KERNEL_SIZE // 2), **refused}


# --------------------------------------------------------------------------------------
# 001-4-conv2d-stride2-mapped: TensorFlow's padding written out with F.pad.

stride2_mapped = Case(
    id="001-4-conv2d-stride2-mapped",
    title="Conv2D 3x3, stride 2, 'same' with TensorFlow's asymmetric padding done by F.pad",
    source=SOURCE,
    description="PyTorch pads by TensorFlow's 'same' amounts with F.pad, then convolves with "
    "padding=0: output and gradients agree.",
    inputs=make_inputs(2),
    tolerance=TOLERANCE,
    sweep=SWEEP,
)
stride2_mapped.implement("numpy")(numpy_conv2d)
stride2_mapped.implement("tensorflow")(tensorflow_conv2d)


@stride2_mapped.torch
def stride2_mapped_with_torch(torch, x, kernel, bias, stride):
    (top, bottom), (left, right) = (same_padding(n, KERNEL_SIZE, stride) for n in x.shape[1:3])
    # F.pad takes the last dimension first: (left, right, top, bottom) for NCHW.
    return torch_conv2d(torch, x, kernel, bias, stride, padding=0, pad=(left, right, top, bottom))
