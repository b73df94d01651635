"""001-1 square: y = x² and dy/dx at x = 3, through a gradient tape.

The document's first autodiff example: a ``tf.Variable`` initialised to ``3.``, ``y =
tf.square(x)`` recorded on a ``tf.GradientTape``, then ``tape.gradient(y, x)``. It
prints ``[y, y_grad]`` but the text never shows the output, so nothing here is
documented: y = 3² = 9 and dy/dx = 2·3 = 6 are derived by hand and compared as
``expected`` values (exact in float32).
"""

import numpy as np

from equivalence import Case, Source

case = Case(
    id="001-1-square",
    title="y = x² and dy/dx at x = 3",
    source=Source("001_f79c457c30bc01c1.txt", "tf.GradientTape: y(x) = x^2 at x = 3"),
    description="The derivative of a square through each framework's autodiff; NumPy by hand.",
    inputs={"x": np.float32(3.0)},  # tf.Variable(initial_value=3.) is float32
    # Not printed by the document (its print([y, y_grad]) shows no output): by hand,
    # y = x² = 3² = 9 and dy/dx = 2x = 6 at x = 3.
    expected={"y": np.float32(9.0), "dy_dx": np.float32(6.0)},
)


@case.numpy
def with_numpy(np, x):
    y = np.square(x)
    dy_dx = 2 * x  # d(x²)/dx, by hand
    return {"y": y, "dy_dx": dy_dx}


@case.tensorflow
def with_tensorflow(tf, x):
    x = tf.Variable(initial_value=x)
    with tf.GradientTape() as tape:
        y = tf.square(x)
    y_grad = tape.gradient(y, x)
    return {"y": y, "dy_dx": y_grad}


@case.torch
def with_torch(torch, x):
    x.requires_grad_(True)
    y = torch.square(x)
    y.backward()
    return {"y": y, "dy_dx": x.grad}


@case.jax
def with_jax(jax, x):
    y, dy_dx = jax.value_and_grad(jax.numpy.square)(x)  # y and dy/dx of a function, no tape
    return {"y": y, "dy_dx": dy_dx}
