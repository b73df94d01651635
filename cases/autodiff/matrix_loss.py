"""001-2 matrix-loss: L = 0.5·Σ(Xw + b − y)² and its gradients with respect to w and b.

The document's second autodiff example. ``b`` is a scalar Variable broadcast over the
2×1 product, so dL/db sums over both rows. The document prints
``[l.numpy(), w_grad.numpy(), b_grad.numpy()]`` without showing the output; by hand:
Xw + b − y = [[5], [10]], so L = 62.5, dL/dw = Xᵀ(Xw + b − y) = [[35], [50]] and
dL/db = 15. Nothing is printed, so these are ``expected`` values, not documented ones
(exact in float32).
"""

import numpy as np

from equivalence import Case, KnownDifference, Source
from equivalence.sweep import Floats, Sweep

case = Case(
    id="001-2-matrix-loss",
    title="L = 0.5·Σ(Xw + b − y)², dL/dw and dL/db",
    source=Source("001_f79c457c30bc01c1.txt", "tf.GradientTape: L(w, b) = 0.5*sum((Xw + b - y)^2)"),
    description="A matrix loss with a broadcast scalar bias; NumPy gradients by hand.",
    oracle="numpy",
    inputs={
        "X": np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32),
        "y": np.array([[1.0], [2.0]], dtype=np.float32),
        "w": np.array([[1.0], [2.0]], dtype=np.float32),
        "b": np.float32(1.0),
    },
    # Not printed by the document (its print([l.numpy(), w_grad.numpy(), b_grad.numpy()])
    # shows no output): by hand, Xw + b − y = [[1+4+1−1], [3+8+1−2]] = [[5], [10]], so
    # L = 0.5·(25 + 100) = 62.5, dL/dw = Xᵀ[[5], [10]] = [[1·5+3·10], [2·5+4·10]] = [[35], [50]]
    # and dL/db = 5 + 10 = 15 (b is broadcast over both rows).
    expected={
        "L": np.float32(62.5),
        "dL_dw": np.array([[35.0], [50.0]], dtype=np.float32),
        "dL_db": np.float32(15.0),
    },
    # The sweep: 0 to 5 rows of 0 to 4 features, values in [-1000, 1000] (squares beyond
    # float16's range), a scalar bias.
    sweep=Sweep(dims={"n": (0, 5), "k": (0, 4)},
                inputs={"X": Floats(("n", "k"), -1000, 1000), "y": Floats(("n", 1), -1000, 1000),
                        "w": Floats(("k", 1), -1000, 1000), "b": Floats((), -1000, 1000)},
                known_differences={"float16": [KnownDifference(
                    "autodiff of 0.5 * sum(r^2) computes 2 * r before halving it: in float16 the gradients overflow "
                    "to inf once |r| > 32752 (TensorFlow and PyTorch alike) where the result, r, and NumPy's "
                    "hand-written X^T r are finite. Found by the sweep, minimal example X = [[936.0]], w = [[35.0]], "
                    "y = [[0.0]], b = 0",
                    outputs=("dL_dw", "dL_db"), backends=("tensorflow", "torch"), references="oracle",
                    max_abs=float("inf"))]}),
)


@case.numpy
def with_numpy(np, X, y, w, b):
    residual = X @ w + b - y
    L = 0.5 * np.sum(np.square(residual))
    dL_dw = X.T @ residual  # ∂L/∂w = Xᵀ(Xw + b − y)
    dL_db = np.sum(residual)  # b is broadcast over every row: its gradient sums them
    return {"L": L, "dL_dw": dL_dw, "dL_db": dL_db}


@case.tensorflow
def with_tensorflow(tf, X, y, w, b):
    w = tf.Variable(initial_value=w)
    b = tf.Variable(initial_value=b)
    with tf.GradientTape() as tape:
        L = 0.5 * tf.reduce_sum(tf.square(tf.matmul(X, w) + b - y))
    w_grad, b_grad = tape.gradient(L, [w, b])
    return {"L": L, "dL_dw": w_grad, "dL_db": b_grad}


@case.torch
def with_torch(torch, X, y, w, b):
    w.requires_grad_(True)
    b.requires_grad_(True)
    L = 0.5 * torch.sum(torch.square(X @ w + b - y))
    L.backward()
    return {"L": L, "dL_dw": w.grad, "dL_db": b.grad}


@case.jax
def with_jax(jax, X, y, w, b):
    jnp = jax.numpy

    def loss(w, b):
        return 0.5 * jnp.sum(jnp.square(X @ w + b - y))

    L, (dL_dw, dL_db) = jax.value_and_grad(loss, argnums=(0, 1))(w, b)  # one gradient per argument
    return {"L": L, "dL_dw": dL_dw, "dL_db": dL_db}
