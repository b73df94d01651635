"""000-3.1, 000-3.2: linear regression of price on year, by hand-written gradients and by an optimizer.

Section 3 of document 000 fits ``y ≈ a·X + b`` to five (year, price) points, 2013..2017
and 12000..17500, both min-max normalised to [0, 1], from a = b = 0, for 10000 epochs at
learning rate 1e-3, on L = ½·Σ(a·X + b − y)². It prints only the final ``a, b``, and the
text shows no output: there are no documented values. Every case returns the trajectory
of every epoch: the loss before the update and a, b after it.

**000-3.1-numpy-linreg** is the document's NumPy loop (§3.1): hand-written gradients
``grad_a = (y_pred - y).dot(X)``, ``grad_b = (y_pred - y).sum()``. It starts from the
Python ints ``a, b = 0, 0`` with float32 arrays. Under NumPy 2's promotion rules (NEP 50,
https://numpy.org/neps/nep-0050-scalar-promotion.html) Python scalars are "weak":
``0 * X`` is float32, the dot product is a ``np.float32`` scalar, and
``a - learning_rate * grad_a`` (a Python float times a float32 scalar) stays float32.
So from the first update on a and b are ``np.float32`` and the whole loop runs in
float32, as TensorFlow's does (the case returns ``a_dtype``: "float32" everywhere).
Under NumPy 1.x the same line gave ``np.float64`` (the legacy rules promoted a Python
float with a NumPy *scalar* to float64; per NEP 50, not run here), so a and b were
float64 while ``a * X`` stayed a float32 array: the document's NumPy run mixed
precisions; today's does not. The
TensorFlow and PyTorch implementations write the same hand gradients with their own ops.
With the same update expression everywhere, only the summation order differs: PyTorch
against TensorFlow and NumPy (which give the same figures) is 1.2e-7 off on the loss
(9.2e-7 relative), 7.5e-9 on a (1.1e-7), 1.5e-8 on b (2.0e-7).

**000-3.2-tf-linreg** is the document's TensorFlow loop (§3.2): ``tf.Variable(0.)``,
``GradientTape``, ``tf.keras.optimizers.SGD(learning_rate=1e-3).apply_gradients``. The
listing lacks ``import tensorflow as tf``; it is added. PyTorch uses ``torch.optim.SGD``
and autograd; NumPy is 000-3.1's loop (the same gradient, by hand).

Differences (DIFFERENCES.md §26), measured here on the float32 trajectories, 10000 epochs:

- PyTorch against TensorFlow, and against NumPy with the same figures: max |Δ| 1.2e-7 on
  the loss (1.0e-6 relative), 6.0e-8 on a (1.4e-7), 3.0e-8 on b (2.0e-7). Not the
  optimizer alone: a PyTorch loop with NumPy's exact update expression still differs
  from step 3 on, because ``torch.sum`` adds the five float32
  terms in another order than ``np.sum``/``tf.reduce_sum``; Keras' two roundings
  (``var - lr*g``) against torch's one (``add_(g, alpha=-lr)``) add the rest. The
  tolerance is §33's for long float32 runs (rtol 1e-5, atol 1e-6), ten times the largest
  relative difference measured.
- Keras stores the learning rate as a float32 variable: 1e-3 becomes
  0.0010000000474974513, while ``torch.optim.SGD`` keeps the Python float 0.001
  (returned as ``learning_rate``; declared).
- ``000-3.2-tf-linreg-mapped`` uses lr = 2⁻¹⁰, exact in float32 and float64, so the stored
  learning rates are equal and ``lr*g`` is exact (one rounding in both optimizers). The
  trajectories still differ by the summation order (max 1.2e-7 on the loss, 7.5e-9 on a,
  3.0e-8 on b), within the same tolerance.

**Compiled modes (000-3.2).** The document's loop runs eagerly, and eager TensorFlow takes
20-40 s for the 10000 epochs here. ``tensorflow_sgd`` and ``torch_sgd`` take ``compile``:
``tf.function`` (``tensorflow-function``, with XLA ``tensorflow-xla``) wraps the loop body
with ``apply_gradients``, about ten times faster (3-5 s: the call overhead of 10000 calls);
``torch.compile`` (``torch-compile``) wraps the loss. Measured against eager:
``tensorflow-function`` is bitwise eager TensorFlow; XLA's fused step is 1.2e-7 off on the
loss (1.2e-6 relative, 17 ULP), 1 ULP on a, 6 ULP on b; ``torch-compile`` 1.2e-7 on the
loss (2 ULP) and 1 ULP on a and b: all within the tolerance. The compiled Keras optimizer
keeps its float32 learning rate (declared for ``tensorflow*``).

**JAX** (optional: ``--backends ...,jax,jax-jit``): ``jax.value_and_grad`` and the SGD
update written out (a Python float times a float32 array stays float32, as in Keras).
Eager JAX traces the gradient again at every step, 36 s for the 10000 epochs here (as
slow as eager TensorFlow); ``jax.jit`` compiles the step once (2.7 s). Against PyTorch
both stay within the tolerance: at most 1.2e-7 on the loss (16 ULP), 1.2e-7 on a, 7.8e-8
on b.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, Tolerance

DOCUMENT = "000_4ed7118bfe9059aa.txt"
EPOCHS = 10000

INPUTS = {
    "X_raw": np.array([2013, 2014, 2015, 2016, 2017], dtype=np.float32),
    "y_raw": np.array([12000, 14000, 15000, 16500, 17500], dtype=np.float32),
    "num_epoch": EPOCHS,
    "learning_rate": 1e-3,
}

# Long float32 runs (DIFFERENCES.md §33): measured max relative difference 1.0e-6 (loss).
TRAJECTORY_TOLERANCE = {name: Tolerance(rtol=1e-5, atol=1e-6) for name in ("loss", "a", "b")}


def numpy_descent(np, X_raw, y_raw, num_epoch, learning_rate):
    """The document's §3.1 loop, with the loss recorded at every epoch."""
    X = (X_raw - X_raw.min()) / (X_raw.max() - X_raw.min())
    y = (y_raw - y_raw.min()) / (y_raw.max() - y_raw.min())

    a, b = 0, 0
    losses, a_s, b_s = [], [], []
    for _epoch in range(num_epoch):
        # 手动计算损失函数关于自变量(模型参数)的梯度
        y_pred = a * X + b
        losses.append(0.5 * np.sum(np.square(y_pred - y)))  # not in the document: the loss it minimises
        grad_a, grad_b = (y_pred - y).dot(X), (y_pred - y).sum()

        # 更新参数
        a, b = a - learning_rate * grad_a, b - learning_rate * grad_b
        a_s.append(a)
        b_s.append(b)
    return {
        "X": X,
        "y": y,
        "loss": np.array(losses),
        "a": np.array(a_s),
        "b": np.array(b_s),
        "a_dtype": np.str_(type(a).__name__),  # np.float32 under NEP 50
    }


# --------------------------------------------------------------------------------------
# 000-3.1: hand-written gradients in every framework.

hand = Case(
    id="000-3.1-numpy-linreg",
    title="Year/price linear regression with hand-written gradients, 10000 epochs",
    source=Source(DOCUMENT, "3.1 普通NumPy 下的线性回归求导实现"),
    description="The document's NumPy loop from the Python ints a, b = 0, 0 (float32 under NEP 50), "
    "and the same hand gradients in TensorFlow and PyTorch ops; lr 1e-3.",
    inputs=INPUTS,
    tolerance=TRAJECTORY_TOLERANCE,
    trajectories=("loss", "a", "b"),
)
hand.implement("numpy")(numpy_descent)


@hand.tensorflow
def hand_with_tensorflow(tf, X_raw, y_raw, num_epoch, learning_rate):
    X = (X_raw - tf.reduce_min(X_raw)) / (tf.reduce_max(X_raw) - tf.reduce_min(X_raw))
    y = (y_raw - tf.reduce_min(y_raw)) / (tf.reduce_max(y_raw) - tf.reduce_min(y_raw))

    a, b = 0, 0
    losses, a_s, b_s = [], [], []
    for _epoch in range(num_epoch):
        y_pred = a * X + b
        losses.append(0.5 * tf.reduce_sum(tf.square(y_pred - y)))
        grad_a, grad_b = tf.tensordot(y_pred - y, X, axes=1), tf.reduce_sum(y_pred - y)
        a, b = a - learning_rate * grad_a, b - learning_rate * grad_b
        a_s.append(a)
        b_s.append(b)
    return {"X": X, "y": y, "loss": tf.stack(losses), "a": tf.stack(a_s), "b": tf.stack(b_s),
            "a_dtype": np.str_(a.dtype.name)}


@hand.torch
def hand_with_torch(torch, X_raw, y_raw, num_epoch, learning_rate):
    X = (X_raw - X_raw.min()) / (X_raw.max() - X_raw.min())
    y = (y_raw - y_raw.min()) / (y_raw.max() - y_raw.min())

    a, b = 0, 0
    losses, a_s, b_s = [], [], []
    for _epoch in range(num_epoch):
        y_pred = a * X + b
        losses.append(0.5 * torch.sum(torch.square(y_pred - y)))
        grad_a, grad_b = torch.dot(y_pred - y, X), torch.sum(y_pred - y)
        a, b = a - learning_rate * grad_a, b - learning_rate * grad_b
        a_s.append(a)
        b_s.append(b)
    return {"X": X, "y": y, "loss": torch.stack(losses), "a": torch.stack(a_s), "b": torch.stack(b_s),
            "a_dtype": np.str_(str(a.dtype).removeprefix("torch."))}


@hand.jax
def hand_with_jax(jax, X_raw, y_raw, num_epoch, learning_rate):
    jnp = jax.numpy
    X = (X_raw - X_raw.min()) / (X_raw.max() - X_raw.min())
    y = (y_raw - y_raw.min()) / (y_raw.max() - y_raw.min())

    a, b = 0, 0
    losses, a_s, b_s = [], [], []
    for _epoch in range(num_epoch):
        y_pred = a * X + b
        losses.append(0.5 * jnp.sum(jnp.square(y_pred - y)))
        grad_a, grad_b = jnp.dot(y_pred - y, X), jnp.sum(y_pred - y)
        a, b = a - learning_rate * grad_a, b - learning_rate * grad_b
        a_s.append(a)
        b_s.append(b)
    # jnp.array, not jnp.stack: stack compiles one 10000-operand concatenation (24 s here).
    return {"X": X, "y": y, "loss": jnp.array(losses), "a": jnp.array(a_s), "b": jnp.array(b_s),
            "a_dtype": np.str_(str(a.dtype))}


# --------------------------------------------------------------------------------------
# 000-3.2: GradientTape + Keras SGD; autograd + torch.optim.SGD.

def tensorflow_sgd(tf, X_raw, y_raw, num_epoch, learning_rate, compile=lambda f: f):
    """The document's §3.2 loop (normalisation in TensorFlow ops: the same values).

    ``compile`` is the identity eagerly and ``tf.function`` (with or without XLA) in the
    compiled modes. It wraps the loop body, optimizer update included: the Keras optimizer
    is made outside the function and builds its variables at the first trace. The step takes
    no argument, so it is traced once; the Python loop stays outside.
    """
    X = (X_raw - tf.reduce_min(X_raw)) / (tf.reduce_max(X_raw) - tf.reduce_min(X_raw))
    y = (y_raw - tf.reduce_min(y_raw)) / (tf.reduce_max(y_raw) - tf.reduce_min(y_raw))

    # 1、定义Tensor类型
    X = tf.constant(X)
    y = tf.constant(y)

    # 2、参数使用变量初始化
    a = tf.Variable(initial_value=0.)
    b = tf.Variable(initial_value=0.)
    variables = [a, b]

    optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)

    @compile
    def step():
        # 使用tf.GradientTape()记录损失函数的梯度信息
        with tf.GradientTape() as tape:
            y_pred = a * X + b
            loss = 0.5 * tf.reduce_sum(tf.square(y_pred - y))
        # TensorFlow自动计算损失函数关于自变量(模型参数)的梯度
        grads = tape.gradient(loss, variables)
        # TensorFlow自动根据梯度更新参数
        optimizer.apply_gradients(grads_and_vars=zip(grads, variables))  # noqa: B905 (the document's line)
        return loss, a.read_value(), b.read_value()

    losses, a_s, b_s = [], [], []
    for _epoch in range(num_epoch):
        loss, a_now, b_now = step()
        losses.append(loss)
        a_s.append(a_now)
        b_s.append(b_now)
    return {"loss": tf.stack(losses), "a": tf.stack(a_s), "b": tf.stack(b_s),
            "learning_rate": tf.convert_to_tensor(optimizer.learning_rate)}  # a Keras variable, read


def torch_sgd(torch, X_raw, y_raw, num_epoch, learning_rate, compile=lambda f: f):
    """``compile`` wraps the loss; backward and ``optimizer.step`` stay eager.

    Measured here over the 10000 steps (after a first call of 2-3 s that compiles): the
    compiled loss takes as long per step as eager PyTorch (0.22 ms); compiling the whole
    step works too (Dynamo breaks the graph at ``backward`` and compiles ``step`` apart)
    but is slower (0.30 ms): on five-element tensors the guards cost more than they save.
    """
    X = (X_raw - X_raw.min()) / (X_raw.max() - X_raw.min())
    y = (y_raw - y_raw.min()) / (y_raw.max() - y_raw.min())

    a = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([a, b], lr=learning_rate)

    @compile
    def loss_of(a, b):
        return 0.5 * torch.sum(torch.square(a * X + b - y))

    losses, a_s, b_s = [], [], []
    for _epoch in range(num_epoch):
        optimizer.zero_grad()
        loss = loss_of(a, b)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
        a_s.append(a.detach().clone())
        b_s.append(b.detach().clone())
    return {"loss": torch.stack(losses), "a": torch.stack(a_s), "b": torch.stack(b_s),
            "learning_rate": optimizer.param_groups[0]["lr"]}  # the Python float, as given


def jax_sgd(jax, X_raw, y_raw, num_epoch, learning_rate, compile=lambda f: f):
    """``jax.value_and_grad`` and plain SGD written out (JAX itself has no optimizers; optax's
    ``sgd`` is the same update). ``compile`` (``jax.jit`` in ``jax-jit``) wraps the step."""
    jnp = jax.numpy
    X = (X_raw - X_raw.min()) / (X_raw.max() - X_raw.min())
    y = (y_raw - y_raw.min()) / (y_raw.max() - y_raw.min())

    def loss_of(a, b):
        return 0.5 * jnp.sum(jnp.square(a * X + b - y))

    @compile
    def step(a, b):
        loss, (grad_a, grad_b) = jax.value_and_grad(loss_of, argnums=(0, 1))(a, b)
        return loss, a - learning_rate * grad_a, b - learning_rate * grad_b

    a = b = jnp.zeros((), X.dtype)  # tf.Variable(0.) is float32 (jnp.array(0.) would be float64 under x64)
    losses, a_s, b_s = [], [], []
    for _epoch in range(num_epoch):
        loss, a, b = step(a, b)
        losses.append(loss)
        a_s.append(a)
        b_s.append(b)
    return {"loss": jnp.array(losses), "a": jnp.array(a_s), "b": jnp.array(b_s),  # not jnp.stack: see hand_with_jax
            "learning_rate": learning_rate}  # the Python float, as given


def numpy_sgd(np, X_raw, y_raw, num_epoch, learning_rate):
    """000-3.1's loop: plain SGD with the gradient written by hand."""
    out = numpy_descent(np, X_raw, y_raw, num_epoch, learning_rate)
    return {"loss": out["loss"], "a": out["a"], "b": out["b"], "learning_rate": learning_rate}


sgd = Case(
    id="000-3.2-tf-linreg",
    title="Year/price linear regression with GradientTape and Keras SGD, 10000 epochs",
    source=Source(DOCUMENT, "3.2 TensorFlow 下的线性回归求导"),
    description="tf.keras.optimizers.SGD(1e-3).apply_gradients against torch.optim.SGD(lr=1e-3) "
    "and NumPy's hand-written SGD; Keras' float32 learning rate is declared.",
    inputs=INPUTS,
    # The stored learning rate is a setting, not a computation: compared exactly, so that
    # Keras' float32 rounding of it (4.7e-8 relative, inside float64's default rtol 1e-7) shows.
    tolerance={**TRAJECTORY_TOLERANCE, "learning_rate": Tolerance(rtol=0, atol=0)},
    trajectories=("loss", "a", "b"),
    known_differences=[
        KnownDifference(
            "Keras keeps the learning rate in a float32 variable: 1e-3 is stored as "
            "0.0010000000474974513 (4.7e-11 off, 4.7e-8 relative); torch.optim.SGD (and NumPy's "
            "loop) keep the Python float 0.001 (DIFFERENCES.md §26). The trajectories agree "
            "within 1.0e-6 relative.",
            outputs="learning_rate",
            backends="tensorflow*",  # the same optimizer traced (tensorflow-function, -xla)
            references=("numpy", "torch*", "jax*"),  # jax: the Python float, as given
            kind=("dtype", "values"),  # float32 against float64, and the value
            max_abs=7.2e-11, max_rel=7.2e-8,  # measured 4.75e-11 (4.75e-8 relative)
        ),
    ],
)
sgd.implement("numpy")(numpy_sgd)
sgd.implement("tensorflow")(tensorflow_sgd)
sgd.implement("torch")(torch_sgd)
sgd.implement("jax")(jax_sgd)


sgd_mapped = Case(
    id="000-3.2-tf-linreg-mapped",
    title="Year/price linear regression, Keras SGD against torch.optim.SGD at lr = 2^-10",
    source=Source(DOCUMENT, "3.2 TensorFlow 下的线性回归求导"),
    description="The same loops with a learning rate exact in float32 (2^-10 = 0.0009765625): the "
    "stored learning rates agree; the trajectories agree within the float32 tolerance.",
    inputs={**INPUTS, "learning_rate": 2.0**-10},
    tolerance=TRAJECTORY_TOLERANCE,
    trajectories=("loss", "a", "b"),
)
sgd_mapped.implement("numpy")(numpy_sgd)


@sgd_mapped.tensorflow
def mapped_with_tensorflow(tf, compile=lambda f: f, **inputs):
    out = tensorflow_sgd(tf, compile=compile, **inputs)
    out["learning_rate"] = np.float64(out["learning_rate"].numpy())  # the stored value, widened
    return out


sgd_mapped.implement("torch")(torch_sgd)
sgd_mapped.implement("jax")(jax_sgd)
