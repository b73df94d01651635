"""003-4, 003-5: house price on area and rooms, by gradient descent on a bias column.

Document 003 min-max normalises area and rooms, stacks ``X = (1, x1, x2)`` (16×3) and
``Y = price.reshape(-1, 1)``, draws ``np.random.seed(612); W = np.random.randn(3, 1)``
(float64) and minimises L = ½·mean((XW − Y)²). It shows three loops and three tables:

(a) NumPy, gradient ``X^T(XW − Y)`` (no ``/num``), settings printed beside it
    ``learn_rate=0.01, iter=50, display_step=10``; table ``i: 0, Loss:4368.213908`` …
    ``i: 500, Loss:81.037990``, every 50.
(b) NumPy, gradient ``X^T(XW − Y)/num``, settings ``learn_rate=0.2, iter=50,
    display_step=10``; table ``i: 0, Loss:4593.851656`` … ``i: 500, Loss:80.813389``.
(c) TensorFlow (003-5), ``GradientTape`` on the mean loss, ``W = tf.Variable(randn(3,1))``
    (float64: a NumPy array keeps its dtype), lr 0.2, 50 iterations, every 10;
    table ``i: 0, Loss: 4593.851656`` … ``i: 50, Loss: 80.803450``.

**Which settings made which table** (searched in a scratch script over learning rates,
iteration counts, display steps, ``/num`` or not, initial W, and loss before or after the
update; with the settings found, every printed value is reproduced: the largest difference,
4.6e-7, is within half a unit of the last printed digit, 5e-7):

- (a) is **learn_rate 0.001** (not 0.01), no ``/num``, **500 iterations, display 50**, with
  the loss taken **after** the update, as in 003-1's listing (the listing shown computes it
  before). That is why it starts at 4368.213908 and not at L(W₀) = 4593.851656: the
  first printed loss is that of W₁ = W₀ − 0.001·X^T(XW₀ − Y). Found by fitting the
  eleven printed losses as L* + Σ a_j (1 − ηλ_j)^(2k) over the eigenvalues λ_j of X^TX:
  only η = 0.001 fits (largest residual 3.8e-7), and the fitted W₀ equals W₁ above to
  eight digits. With the printed settings (lr 0.01, 50 iterations, every 10) the loop
  prints 4593.851656, 96.648227, 82.517828, …: a table the document does not show.
- (b) is **learn_rate 0.02** (not 0.2), ``/num``, **500 iterations, display 50**, loss before
  the update, from W₀ (so it starts at 4593.851656).
- (c) matches its printed settings: lr 0.2 with the mean gradient (GradientTape's
  gradient of ½·mean is X^T(XW − Y)/num, the ``/num`` listing), 50 iterations, every 10.
  So the settings printed beside table (b) (``0.2, 50, 10``) are those of table (c): the
  NumPy ``/num`` listing run as printed gives TensorFlow's table, digit for digit.

(c)'s last loss, 80.803450 at i = 50, is close to (b)'s 80.813389 at i = 500 because both
runs have η·i = 10 (0.2·50 and 0.02·500): small steps follow the same gradient flow. It
is not equal: along each eigen-direction the error shrinks by (1 − ηλ)^i, and for the
same η·i a few large steps shrink it more than many small ones, hence the lower loss
with lr 0.2. (a)'s gradient lacks ``/num``, so its lr 0.001 is the mean-gradient lr 0.016:
η·i = 8, and 81.037990 at i = 500.

Every table is reproduced by today's frameworks, digit for digit as the document's
``"%f"`` prints it: one case per table. TensorFlow and
PyTorch take the gradient with autodiff: of ½·mean for (b) and (c), of ½·sum (whose
gradient is X^T(XW − Y), no ``/num``) for (a); the printed loss is ½·mean in all three.
NumPy's gradient is the document's hand-written one. All run in float64, as the
document's ``np.random.randn`` makes them.

The TensorFlow and PyTorch loops take ``compile``, as 003-1's do: ``tf.function`` (with or
without XLA) wraps TensorFlow's loop body, ``torch.compile`` PyTorch's loss. Measured
against eager: tf.function is bitwise eager TensorFlow; XLA and ``torch.compile`` change
the loss in its last bits (up to 9 float64 ULP, 1.4e-12) and XLA W by up to 29 ULP
(7.1e-15): far inside float64's tolerance.
"""

import numpy as np

from equivalence import Case, Source, printed

AREA = [137.97, 104.50, 100.00, 124.32, 79.20, 99.00, 124.00, 114.00,
        106.69, 138.05, 53.75, 46.91, 68.00, 63.02, 81.26, 86.21]  # fmt: skip
ROOM = [3, 2, 2, 3, 1, 2, 3, 2, 2, 3, 1, 1, 1, 1, 2, 2]
PRICE = [145.00, 110.00, 93.00, 116.00, 65.32, 104.00, 118.00, 91.00,
         62.00, 133.00, 51.00, 45.00, 78.50, 69.65, 75.69, 95.30]  # fmt: skip
SOURCE = "003_15d68b7baeeb769e.txt"


def make_inputs(learn_rate, iterations, mean_gradient, loss_after_update):
    def inputs(rng):
        area, room, price = np.array(AREA), np.array(ROOM), np.array(PRICE)
        num = len(area)
        x0 = np.ones(num)
        x1 = (area - area.min()) / (area.max() - area.min())
        x2 = (room - room.min()) / (room.max() - room.min())
        legacy = np.random.RandomState(612)  # np.random.seed(612); W = np.random.randn(3, 1)
        return {
            "X": np.stack((x0, x1, x2), axis=1),
            "Y": price.reshape(-1, 1),
            "W0": legacy.randn(3, 1),
            "learn_rate": learn_rate,
            "iterations": iterations,
            "mean_gradient": mean_gradient,
            "loss_after_update": loss_after_update,
        }

    return inputs


def numpy_descent(np, X, Y, W0, learn_rate, iterations, mean_gradient, loss_after_update):
    """The document's loop with its hand-written gradient."""
    num = len(X)
    W = W0
    mse, Ws = [], []
    for _ in range(0, iterations + 1):
        if not loss_after_update:
            PRED = np.matmul(X, W)
            mse.append(0.5 * np.mean(np.square(Y - PRED)))

        dL_dW = np.matmul(np.transpose(X), np.matmul(X, W) - Y)
        if mean_gradient:
            dL_dW = dL_dW / num
        W = W - learn_rate * dL_dW

        if loss_after_update:
            PRED = np.matmul(X, W)
            mse.append(0.5 * np.mean(np.square(Y - PRED)))
        Ws.append(W)
    return {"loss": np.array(mse), "W": np.stack(Ws)}


def tensorflow_descent(tf, X, Y, W0, learn_rate, iterations, mean_gradient, loss_after_update,
                       compile=lambda f: f):
    """003-5's loop: GradientTape and assign_sub on a float64 Variable.

    ``compile`` is the identity eagerly, ``tf.function`` (or XLA) in the compiled modes; it
    wraps the loop body, which takes no argument (the Python bools are fixed per case), so
    it is traced once; the Python loop stays outside. In 003-5's 51 steps the first call's
    trace (and XLA's compilation) takes most of the compiled modes' time.
    """
    W = tf.Variable(W0)

    @compile
    def step():
        with tf.GradientTape() as tape:
            PRED = tf.matmul(X, W)
            Loss = 0.5 * tf.reduce_mean(tf.square(Y - PRED))
            # Without /num the hand-written gradient X^T(XW − Y) is that of ½·sum.
            objective = Loss if mean_gradient else 0.5 * tf.reduce_sum(tf.square(Y - PRED))

        dL_dW = tape.gradient(objective, W)
        W.assign_sub(learn_rate * dL_dW)

        if loss_after_update:
            Loss = 0.5 * tf.reduce_mean(tf.square(Y - tf.matmul(X, W)))
        return Loss, tf.identity(W)

    mse, Ws = [], []
    for _ in range(0, iterations + 1):
        Loss, W_now = step()
        mse.append(Loss)
        Ws.append(W_now)
    return {"loss": tf.stack(mse), "W": tf.stack(Ws)}


def torch_descent(torch, X, Y, W0, learn_rate, iterations, mean_gradient, loss_after_update,
                  compile=lambda f: f):
    """Autograd for the gradient, an in-place update under no_grad; ``compile`` wraps the loss.

    Under ``torch-compile`` the first call compiles (seconds; a second graph for the call
    under no_grad): that, not the loop, is the mode's time.
    """
    W = W0.clone().requires_grad_(True)

    @compile
    def losses(W):
        residual = Y - X @ W
        loss = 0.5 * torch.mean(torch.square(residual))
        objective = loss if mean_gradient else 0.5 * torch.sum(torch.square(residual))
        return loss, objective

    mse, Ws = [], []
    for _ in range(0, iterations + 1):
        loss, objective = losses(W)
        if not loss_after_update:
            mse.append(loss.detach())

        (dL_dW,) = torch.autograd.grad(objective, [W])
        with torch.no_grad():
            W -= learn_rate * dL_dW
            if loss_after_update:
                mse.append(losses(W)[0])
        Ws.append(W.detach().clone())
    return {"loss": torch.stack(mse), "W": torch.stack(Ws)}


def jax_descent(jax, X, Y, W0, learn_rate, iterations, mean_gradient, loss_after_update,
                compile=lambda f: f):
    """jax.grad of the objective and a pure step returning the new W; ``compile`` (``jax.jit``
    in ``jax-jit``) wraps the step, traced once (W keeps its shape and dtype)."""
    jnp = jax.numpy

    def loss_of(W):
        return 0.5 * jnp.mean(jnp.square(Y - X @ W))

    def objective(W):
        # Without /num the hand-written gradient X^T(XW − Y) is that of ½·sum.
        return loss_of(W) if mean_gradient else 0.5 * jnp.sum(jnp.square(Y - X @ W))

    @compile
    def step(W):
        loss = loss_of(W)
        W = W - learn_rate * jax.grad(objective)(W)
        if loss_after_update:
            loss = loss_of(W)
        return loss, W

    W = W0
    mse, Ws = [], []
    for _ in range(0, iterations + 1):
        loss, W = step(W)
        mse.append(loss)
        Ws.append(W)
    return {"loss": jnp.stack(mse), "W": jnp.stack(Ws)}


def regression_case(id, title, section, learn_rate, iterations, mean_gradient, loss_after_update,
                    every, table, note):
    case = Case(
        id=id,
        title=title,
        source=Source(SOURCE, section),
        description=f"lr {learn_rate}, {iterations} iterations, gradient "
        f"{'X^T(XW−Y)/num' if mean_gradient else 'X^T(XW−Y)'}, loss "
        f"{'after' if loss_after_update else 'before'} the update; table every {every}. {note}",
        inputs=make_inputs(learn_rate, iterations, mean_gradient, loss_after_update),
        documented={"loss": printed(table, at=np.s_[::every], printer="%f")},  # print("i: %i, Loss:%f" % ...)
        trajectories=("loss", "W"),
    )
    case.implement("numpy")(numpy_descent)
    case.implement("tensorflow")(tensorflow_descent)
    case.implement("torch")(torch_descent)
    case.implement("jax")(jax_descent)
    return case


# The documents' Loss columns, as printed.
table_a = regression_case(
    "003-4-numpy-linreg-n-sum", "Price on area and rooms, gradient X^T(XW−Y), lr 0.001, 500 iterations",
    "NumPy实现多元线性回归 (dL_dW = X^T(XW−Y); printed settings learn_rate=0.01, iter=50)",
    0.001, 500, False, True, 50, """
    4368.213908 413.185263 108.845176 84.920786 82.638199 82.107310
    81.782545 81.530512 81.329266 81.167833 81.037990""",
    "The table printed under lr 0.01 / 50 iterations; it belongs to these settings, with the "
    "loss taken after the update.")

table_b = regression_case(
    "003-4-numpy-linreg-n-mean", "Price on area and rooms, gradient X^T(XW−Y)/num, lr 0.02, 500 iterations",
    "NumPy实现多元线性回归 (dL_dW = X^T(XW−Y)/num; printed settings learn_rate=0.2, iter=50)",
    0.02, 500, True, False, 50, """
    4593.851656 264.489194 90.497556 82.899697 82.113957 81.718824
    81.427920 81.207633 81.040008 80.911879 80.813389""",
    "The table printed under lr 0.2 / 50 iterations; it belongs to lr 0.02 and 500 iterations.")

table_c = regression_case(
    "003-5-tf-linreg-n", "Price on area and rooms, GradientTape in float64, lr 0.2, 50 iterations",
    "TensorFlow实现多元线性回归",
    0.2, 50, True, False, 10, """
    4593.851656 85.480869 82.080953 81.408948 81.025841 80.803450""",
    "The printed settings are the table's.")
