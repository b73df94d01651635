"""002-20 chain-rule: y1 = x·w1 + b1, y2 = y1·w2 + b2, derivatives through a persistent tape.

Section 12 of the document watches the four constants on one persistent tape and asks
for dy2/dy1, dy1/dw1 and dy2/dw1, printing 2.0, 1.0 and 2.0: the chain rule
dy2/dw1 = dy2/dy1 · dy1/dw1. PyTorch has no tape to query repeatedly; the same three
derivatives come from ``torch.autograd.grad`` with ``retain_graph=True`` (the analogue
of ``persistent=True``). NumPy writes the chain rule out.
"""

import numpy as np

from equivalence import Case, Source, printed

case = Case(
    id="002-20-chain-rule",
    title="Chain rule through a persistent tape: dy2/dy1, dy1/dw1, dy2/dw1",
    source=Source("002_a2a9bc7e14b96b18.txt", "12 链式法则"),
    description="Two chained affine maps; each framework's derivatives against the chain rule.",
    inputs={name: np.float32(v) for name, v in dict(x=1.0, w1=2.0, b1=1.0, w2=2.0, b2=1.0).items()},
    # print(dy2_dy1.numpy()) etc.: a float32 NumPy scalar each
    documented={
        "dy2_dy1": printed("2.0", printer="scalar"),
        "dy1_dw1": printed("1.0", printer="scalar"),
        "dy2_dw1": printed("2.0", printer="scalar"),
    },
)


@case.numpy
def with_numpy(np, x, w1, b1, w2, b2):
    dy2_dy1 = w2  # y2 = y1·w2 + b2
    dy1_dw1 = x  # y1 = x·w1 + b1
    return {"dy2_dy1": dy2_dy1, "dy1_dw1": dy1_dw1, "dy2_dw1": dy2_dy1 * dy1_dw1}


@case.tensorflow
def with_tensorflow(tf, x, w1, b1, w2, b2):
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([w1, b1, w2, b2])
        y1 = x * w1 + b1
        y2 = y1 * w2 + b2
    [dy2_dy1] = tape.gradient(y2, [y1])
    [dy1_dw1] = tape.gradient(y1, [w1])
    [dy2_dw1] = tape.gradient(y2, [w1])
    return {"dy2_dy1": dy2_dy1, "dy1_dw1": dy1_dw1, "dy2_dw1": dy2_dw1}


@case.torch
def with_torch(torch, x, w1, b1, w2, b2):
    for t in (w1, b1, w2, b2):
        t.requires_grad_(True)
    y1 = x * w1 + b1
    y2 = y1 * w2 + b2
    (dy2_dy1,) = torch.autograd.grad(y2, y1, retain_graph=True)
    (dy1_dw1,) = torch.autograd.grad(y1, w1, retain_graph=True)
    (dy2_dw1,) = torch.autograd.grad(y2, w1)
    return {"dy2_dy1": dy2_dy1, "dy1_dw1": dy1_dw1, "dy2_dw1": dy2_dw1}


@case.jax
def with_jax(jax, x, w1, b1, w2, b2):
    # No tape: each derivative is jax.grad of a function, the chain rule by composition.
    def y1_of(w1):
        return x * w1 + b1

    def y2_of(y1):
        return y1 * w2 + b2

    dy2_dy1 = jax.grad(y2_of)(y1_of(w1))
    dy1_dw1 = jax.grad(y1_of)(w1)
    dy2_dw1 = jax.grad(lambda w1: y2_of(y1_of(w1)))(w1)
    return {"dy2_dy1": dy2_dy1, "dy1_dw1": dy1_dw1, "dy2_dw1": dy2_dw1}
