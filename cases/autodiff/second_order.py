"""002-14 second-order: second derivatives through nested tapes.

Section 7 ("二阶梯度") gives no code: "略,嵌套两层即可" (omitted: nest two tapes). This
case builds what the sentence describes, twice:

- a scalar: y = x³ at x = 2, so dy/dx = 3x² = 12 and d²y/dx² = 6x = 12;
- a vector: f(w) = Σ tanh(X·w) for a 3×4 ``X`` and ``w`` of 4, with its gradient
  g = Xᵀ(1 − tanh²(Xw)), the Hessian-vector product H·v (the gradient of g·v, the usual
  way to get second-order information without the full Hessian) and the full Hessian
  H = Xᵀ·diag(−2·tanh(Xw)·(1 − tanh²(Xw)))·X.

TensorFlow nests a tape inside another and asks the inner one *inside* the outer
``with`` block (``tape.jacobian`` for the full Hessian); PyTorch asks
``torch.autograd.grad(..., create_graph=True)`` so the first derivative is itself
differentiable; NumPy writes the derivatives out (float64, then cast to float32).
The default float32 tolerances hold; measured on this input, TensorFlow is the farthest
from PyTorch (Hessian 2.0e-6, H·v 4.1e-6 absolute, 2e-5 relative) because its float32
tanh is 1 ULP off near ±1 here and 1 − tanh² ≈ 0.02 amplifies that; NumPy (float64)
is within 3.9e-7 of PyTorch.

``002-14-second-order-lost`` shows the two ways of losing the second derivative
(DIFFERENCES.md §25): in TensorFlow the inner gradient taken *after* the outer block
is not recorded, and the outer tape returns ``None``; in PyTorch a first derivative
taken without ``create_graph=True`` has no graph, and differentiating it raises
``RuntimeError``. Both frameworks lose it, in different ways, declared as a known
difference; NumPy has no graph to lose (no implementation: skipped).
"""

import numpy as np

from equivalence import Case, KnownDifference, Source

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "7 梯度下降: 二阶梯度")


def make_inputs(rng):
    return {
        "x": np.float32(2.0),
        "X": rng.standard_normal((3, 4)).astype(np.float32),
        "w": rng.standard_normal(4).astype(np.float32),
        "v": rng.standard_normal(4).astype(np.float32),
    }


case = Case(
    id="002-14-second-order",
    title="Second derivatives by nested tapes / create_graph: d²(x³) at 2 and a tanh Hessian",
    source=SOURCE,
    description="d/dx and d²/dx² of x³ at x = 2 (12 and 12); gradient, Hessian-vector product "
    "and Hessian of sum(tanh(X·w)), NumPy by hand.",
    inputs=make_inputs,
    seed=14,
)


@case.numpy
def with_numpy(np, x, X, w, v):
    X64, w64, v64 = (a.astype(np.float64) for a in (X, w, v))
    t = np.tanh(X64 @ w64)
    d1 = 1 - t**2  # tanh'
    d2 = -2 * t * d1  # tanh''
    hessian = X64.T @ (d2[:, None] * X64)
    return {
        "y": x**3,
        "dy_dx": 3 * x**2,
        "d2y_dx2": 6 * x,
        "f": np.float32(np.sum(t)),
        "grad_f": (X64.T @ d1).astype(np.float32),
        "hvp": (hessian @ v64).astype(np.float32),
        "hessian": hessian.astype(np.float32),
    }


@case.tensorflow
def with_tensorflow(tf, x, X, w, v):
    with tf.GradientTape() as tape2:
        tape2.watch(x)
        with tf.GradientTape() as tape1:
            tape1.watch(x)
            y = x**3
        dy_dx = tape1.gradient(y, x)  # inside tape2's block: recorded by tape2
    d2y_dx2 = tape2.gradient(dy_dx, x)

    with tf.GradientTape(persistent=True) as outer:
        outer.watch(w)
        with tf.GradientTape() as inner:
            inner.watch(w)
            f = tf.reduce_sum(tf.tanh(tf.linalg.matvec(X, w)))
        grad_f = inner.gradient(f, w)
        grad_dot_v = tf.reduce_sum(grad_f * v)
    hvp = outer.gradient(grad_dot_v, w)
    hessian = outer.jacobian(grad_f, w)
    return {"y": y, "dy_dx": dy_dx, "d2y_dx2": d2y_dx2,
            "f": f, "grad_f": grad_f, "hvp": hvp, "hessian": hessian}


@case.torch
def with_torch(torch, x, X, w, v):
    x.requires_grad_(True)
    y = x**3
    (dy_dx,) = torch.autograd.grad(y, x, create_graph=True)  # dy/dx keeps a graph
    (d2y_dx2,) = torch.autograd.grad(dy_dx, x)

    w.requires_grad_(True)
    f = torch.tanh(X @ w).sum()
    (grad_f,) = torch.autograd.grad(f, w, create_graph=True)
    (hvp,) = torch.autograd.grad(grad_f @ v, w, retain_graph=True)
    hessian = torch.stack([torch.autograd.grad(grad_f[i], w, retain_graph=True)[0] for i in range(w.numel())])
    return {"y": y, "dy_dx": dy_dx, "d2y_dx2": d2y_dx2,
            "f": f, "grad_f": grad_f, "hvp": hvp, "hessian": hessian}


@case.jax
def with_jax(jax, x, X, w, v):
    jnp = jax.numpy

    def cube(x):
        return x**3

    y = cube(x)
    dy_dx = jax.grad(cube)(x)
    d2y_dx2 = jax.grad(jax.grad(cube))(x)  # nesting is composing: grad of grad

    def f_of(w):
        return jnp.sum(jnp.tanh(X @ w))

    f, grad_f = jax.value_and_grad(f_of)(w)
    _, hvp = jax.jvp(jax.grad(f_of), (w,), (v,))  # forward-over-reverse: H·v without H
    hessian = jax.hessian(f_of)(w)
    return {"y": y, "dy_dx": dy_dx, "d2y_dx2": d2y_dx2,
            "f": f, "grad_f": grad_f, "hvp": hvp, "hessian": hessian}


lost = Case(
    id="002-14-second-order-lost",
    title="Losing the second derivative: TensorFlow returns None, PyTorch raises",
    source=SOURCE,
    description="The inner gradient taken outside the outer tape (TensorFlow) or without "
    "create_graph=True (PyTorch): no second derivative in either, for different reasons. "
    "NumPy has no graph: skipped.",
    inputs={"x": np.float32(2.0)},
    known_differences=[
        KnownDifference(
            "TensorFlow's outer tape did not record an inner gradient taken after its block and "
            "silently returns None; PyTorch raises RuntimeError ('element 0 of tensors does not "
            "require grad and does not have a grad_fn') for a first derivative taken without "
            "create_graph=True",
            outputs="what_happens",
            backends="tensorflow",
            references="torch",
            kind="message",  # 'None' against 'RuntimeError'
        ),
    ],
)


@lost.tensorflow
def lost_with_tensorflow(tf, x):
    with tf.GradientTape() as tape2:
        tape2.watch(x)
        with tf.GradientTape() as tape1:
            tape1.watch(x)
            y = x**3
    dy_dx = tape1.gradient(y, x)  # outside tape2's block: tape2 does not see it
    d2y_dx2 = tape2.gradient(dy_dx, x)
    return {
        "dy_dx": dy_dx,
        "second_derivative_available": np.bool_(d2y_dx2 is not None),
        "what_happens": np.str_("None" if d2y_dx2 is None else "a value"),
    }


@lost.torch
def lost_with_torch(torch, x):
    x.requires_grad_(True)
    y = x**3
    (dy_dx,) = torch.autograd.grad(y, x)  # no create_graph: dy/dx is a plain number
    try:
        torch.autograd.grad(dy_dx, x)
    except RuntimeError as e:
        return {"dy_dx": dy_dx, "second_derivative_available": np.bool_(False),
                "what_happens": np.str_(type(e).__name__)}
    return {"dy_dx": dy_dx, "second_derivative_available": np.bool_(True), "what_happens": np.str_("a value")}
