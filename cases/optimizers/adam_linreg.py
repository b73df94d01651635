"""001-3 adam-linreg: fitting y = 2x + noise with Adam(lr=0.05) for 500 steps; the `lr=` keyword.

Document 001's third listing ("實現 線性回歸") makes ``x = tf.range(10)`` and
``y = 2x + tf.random.normal([10])`` in float32, starts from ``w = b = tf.Variable(0.)``,
and runs 500 steps of ``tf.keras.optimizers.Adam(lr=0.05)`` on
``reduce_mean(square(w*x + b - y))``, printing the loss at every step with ``tf.print``
(the values are not shown). The scraped listing lost the call around
``zip(l_gradx, variables))``: it is ``optimizer.apply_gradients(zip(...))``. The noise is
drawn once by NumPy (seed 0) and given to every framework; the cases return the loss of
every step (before the update) and w, b after it.

**The `lr` keyword (001-3-adam-lr-keyword).** Keras 2.3.0 renamed the optimizers' ``lr``
to ``learning_rate`` (fchollet in keras-team/keras#13319); TensorFlow's
``optimizer_v2`` kept ``lr`` with a warning ("The `lr` argument is deprecated, use
`learning_rate` instead."); the optimizers of TF 2.11 warned and *ignored* it
(tensorflow/tensorflow#58831, keras-team/keras#17338); Keras 3 (TensorFlow 2.16+) raises
``ValueError: Argument(s) not recognized: {'lr': 0.05}``
(keras/src/optimizers/base_optimizer.py). So the document's line no longer runs; the
as-written case uses ``learning_rate=0.05``. PyTorch's ``torch.optim.Adam`` takes ``lr``
and accepts it. NumPy has no optimizer library: the NumPy side is this file's own Adam
(Kingma & Ba 2015, Algorithm 1) with ``torch.optim.Adam``'s signature, so it accepts
``lr`` too. The case returns whether construction raised and the exception's type and
message; TensorFlow's rows are the declared upgrade break.

**Keras' Adam is not PyTorch's (001-3-adam-linreg).** Measured over the 500 steps,
TensorFlow against PyTorch: loss 4.4e-5 relative, w 8.4e-6, b 8.5e-6. NumPy's Algorithm 1
against PyTorch: loss 1.4e-6, w 1.8e-7, b 1.0e-7. The cause is not float32 and not mainly
epsilon:

- Keras computes the bias correction from ``ops.cast(self.beta_2, dtype)``, and ``tf.cast``
  of a Python float goes through float32 (tensorflow/tensorflow#35938, #57779; documented
  in ``tf.cast`` since PR #58526): β₂ = 0.999 becomes 0.99900001287, so 1 − β₂ᵗ at t = 1 is
  9.9998713e-4 while the second moment is scaled by the Python 1 − 0.999 = 1e-3. The first
  step is 0.049999665 instead of 0.05 (6.7e-6 relative), and the same in float64 variables
  (0.04999967; PyTorch computes 1 − β₂ᵗ with Python floats).
- ε: Keras 1e-7 added to √v, PyTorch 1e-8 added to √v/√(1 − β₂ᵗ) (DIFFERENCES.md §27).
  Here |g| ≫ ε: setting ε = 0 moves TensorFlow's w and b by 4.8e-7 at most.

**001-3-adam-linreg-mapped** passes β₁, β₂ and the learning rate as float32-exact values
(``float(np.float32(0.9))`` …) and ε = 0 to every framework: TensorFlow against PyTorch
then differs by 1.6e-6 (w, b) and 4.3e-6 (loss), the float32 rounding of Keras' ``β**t``
computed in float32; in float64 the same mapping agrees to 2e-15 (measured).

**Compiled modes.** The TensorFlow and PyTorch loops take ``compile``: ``tf.function``
(``tensorflow-function``, ``tensorflow-xla``) wraps the loop body with
``apply_gradients``, ``torch.compile`` (``torch-compile``) the loss. Against their eager
frameworks (measured, 500 steps): ``tensorflow-function`` is bitwise eager TensorFlow in
001-3-adam-linreg, but not in -mapped, where ε = 0: Grappler folds away Keras'
``sqrt(v) + 0.0`` and then rewrites ``m·α / sqrt(v)`` as ``m·α · rsqrt(v)`` (constant
folding, then the arithmetic optimizer; with either turned off the graph is bitwise
eager), which rounds differently: 7.5e-7 relative on the loss, 1 ULP on w.
``tensorflow-xla`` (fused kernels) is 1.4e-6 relative off eager TensorFlow on the loss and
up to 7 ULP on w, b; ``torch-compile`` (Inductor's fused loss and its backward) 1.7e-6
relative on the loss and up to 8 ULP on w, b off eager PyTorch. All within the cases'
tolerances; the compiled Keras Adam keeps its difference from PyTorch's (declared for
``tensorflow*``).
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, Tolerance

SOURCE = Source("001_f79c457c30bc01c1.txt", "實現 線性回歸 (tf.keras.optimizers.adam(lr=0.05))")
TRAJECTORIES = ("loss", "w", "b")


def make_inputs(rng):
    return {
        "noise": rng.standard_normal(10).astype(np.float32),  # the document's tf.random.normal([10,])
        "steps": 500,
        "learning_rate": 0.05,
    }


class NumpyAdam:
    """Adam as Kingma & Ba (2015) write it (Algorithm 1), with ``torch.optim.Adam``'s signature.

    ``params`` are NumPy arrays updated in place; ``step(grads)`` takes their gradients.
    The bias corrections ``1 - beta**t`` are Python floats, as in PyTorch.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.params, self.lr, self.betas, self.eps = list(params), lr, betas, eps
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self, grads):
        beta1, beta2 = self.betas
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m[...] = beta1 * m + (1 - beta1) * g
            v[...] = beta2 * v + (1 - beta2) * g * g
            m_hat = m / (1 - beta1**self.t)
            v_hat = v / (1 - beta2**self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def numpy_adam(np, noise, steps, learning_rate, **adam):
    x = np.arange(10, dtype=np.float32)
    y = 2 * x + noise
    w = np.zeros((), dtype=np.float32)
    b = np.zeros((), dtype=np.float32)
    optimizer = NumpyAdam([w, b], lr=learning_rate, **adam)
    losses, ws, bs = [], [], []
    for _ in range(steps):
        r = w * x + b - y
        losses.append(np.mean(np.square(r)))
        optimizer.step([np.mean(2 * r * x), np.mean(2 * r)])  # d mean(r²) / dw, db
        ws.append(w.copy())
        bs.append(b.copy())
    return {"loss": np.array(losses), "w": np.array(ws), "b": np.array(bs)}


def tensorflow_adam(tf, noise, steps, learning_rate, compile=lambda f: f, **adam):
    """The document's loop; ``compile`` (identity, or ``tf.function`` with or without XLA)
    wraps its body, ``apply_gradients`` included. The step takes no argument, so it is never
    retraced; its first call traces twice (tf.function traces again once Adam has created
    its moment variables), which with the XLA compilation is about half of the compiled
    modes' time.
    """
    # 設定隨機資料
    x = tf.range(10)
    y = tf.range(10,)
    x = tf.cast(x, dtype=tf.float32)  # 轉為float
    y = 2 * tf.cast(y, dtype=tf.float32) + noise  # 增加隨機擾動 (the noise drawn by NumPy)

    # 引數初始化
    w = tf.Variable(initial_value=0.)
    b = tf.Variable(initial_value=0.)

    # 定義優化器: the document's Adam(lr=0.05) raises in Keras 3 (001-3-adam-lr-keyword)
    optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate, **adam)
    # 需要更新的引數
    variables = [w, b]

    @compile
    def step():
        with tf.GradientTape() as tape:
            l = tf.reduce_mean(tf.square(tf.multiply(w, x) + b - y))  # loss  # noqa: E741
        l_gradx = tape.gradient(l, variables)  # 針對loss和需要更新引數求梯度
        optimizer.apply_gradients(zip(l_gradx, variables))  # noqa: B905 (the document's line)
        return l, w.read_value(), b.read_value()

    losses, ws, bs = [], [], []
    for _ in tf.range(steps):
        l, w_now, b_now = step()  # noqa: E741
        losses.append(l)  # tf.print([l])
        ws.append(w_now)
        bs.append(b_now)
    return {"loss": tf.stack(losses), "w": tf.stack(ws), "b": tf.stack(bs)}


def torch_adam(torch, noise, steps, learning_rate, compile=lambda f: f, **adam):
    """``compile`` wraps the loss; backward and ``optimizer.step`` stay eager. Under
    ``torch-compile`` the first call's compilation (seconds) outweighs the 500 steps."""
    x = torch.arange(10, dtype=torch.float32)
    y = 2 * x + noise
    w = torch.tensor(0.0, requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.Adam([w, b], lr=learning_rate, **adam)

    @compile
    def loss_of(w, b):
        return torch.mean(torch.square(w * x + b - y))

    losses, ws, bs = [], [], []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_of(w, b)
        loss.backward()
        optimizer.step()
        losses.append(loss.detach())
        ws.append(w.detach().clone())
        bs.append(b.detach().clone())
    return {"loss": torch.stack(losses), "w": torch.stack(ws), "b": torch.stack(bs)}


# --------------------------------------------------------------------------------------
# 001-3-adam-linreg: each framework's Adam with its defaults (Keras eps 1e-7, torch 1e-8).

KERAS_ADAM = (
    "Keras' Adam takes 1 - beta_2**t from tf.cast(0.999) = 0.99900001287 (tf.cast of a Python "
    "float goes through float32, tensorflow#35938) but scales v by the Python 1 - 0.999: its first "
    "step is 0.049999665, not 0.05 (6.7e-6 relative); the epsilons (1e-7 vs 1e-8, placed "
    "differently, DIFFERENCES.md §27) move w, b by <4.8e-7."
)

case = Case(
    id="001-3-adam-linreg",
    title="y = 2x + noise fitted by Adam(learning_rate=0.05), 500 steps, each framework's defaults",
    source=SOURCE,
    description="Keras Adam against torch.optim.Adam and Kingma & Ba's Algorithm 1 in NumPy; "
    "Keras' float32 beta_2 in the bias correction makes its first step 6.7e-6 smaller (declared).",
    inputs=make_inputs,
    # NumPy's Algorithm 1 against PyTorch: 1.4e-6 relative on the loss, 1.8e-7 on w and b;
    # rtol 3e-6 keeps twice that margin and still sees Keras' 6.7e-6 systematic difference.
    tolerance={name: Tolerance(rtol=3e-6, atol=1e-6) for name in TRAJECTORIES},
    trajectories=TRAJECTORIES,
    known_differences=[
        KnownDifference(
            KERAS_ADAM + f" Over 500 steps TensorFlow's {output} differs from PyTorch's by {measured}.",
            outputs=output,
            backends="tensorflow*",  # the same optimizer traced (tensorflow-function, -xla)
            references=("numpy", "torch*"),  # NumPy's Algorithm 1 computes as PyTorch does
            max_abs=max_abs, max_rel=max_rel,
        ) for output, measured, max_abs, max_rel in (
            ("loss", "3.9e-4 (4.4e-5 relative)", 6e-4, 6.7e-5),
            ("w", "7.8e-6 (8.4e-6 relative)", 1.2e-5, 1.3e-5),
            ("b", "7.4e-6 (8.5e-6 relative)", 1.2e-5, 1.3e-5),
        )
    ],
)
case.implement("numpy")(numpy_adam)
case.implement("tensorflow")(tensorflow_adam)
case.implement("torch")(torch_adam)


# --------------------------------------------------------------------------------------
# 001-3-adam-linreg-mapped: float32-exact hyperparameters and eps = 0 everywhere.

def _f32(value):
    return float(np.float32(value))


mapped = Case(
    id="001-3-adam-linreg-mapped",
    title="y = 2x + noise fitted by Adam with float32-exact betas and learning rate, eps = 0",
    source=SOURCE,
    description="beta_1, beta_2, lr = float32(0.9), float32(0.999), float32(0.05) and epsilon 0 in "
    "every framework: Keras and PyTorch then agree within float32 rounding.",
    inputs=lambda rng: {**make_inputs(rng), "learning_rate": _f32(0.05)},
    # Long float32 runs (DIFFERENCES.md §33): measured TensorFlow vs PyTorch 4.3e-6 relative
    # (loss), 1.6e-6 (w, b): Keras raises the float32 betas to the power t in float32.
    tolerance={name: Tolerance(rtol=1e-5, atol=1e-6) for name in TRAJECTORIES},
    trajectories=TRAJECTORIES,
)


@mapped.numpy
def mapped_with_numpy(np, noise, steps, learning_rate):
    return numpy_adam(np, noise, steps, learning_rate, betas=(_f32(0.9), _f32(0.999)), eps=0.0)


@mapped.tensorflow
def mapped_with_tensorflow(tf, noise, steps, learning_rate, compile=lambda f: f):
    return tensorflow_adam(tf, noise, steps, learning_rate, compile, beta_1=_f32(0.9), beta_2=_f32(0.999),
                           epsilon=0.0)


@mapped.torch
def mapped_with_torch(torch, noise, steps, learning_rate, compile=lambda f: f):
    return torch_adam(torch, noise, steps, learning_rate, compile, betas=(_f32(0.9), _f32(0.999)), eps=0.0)


# --------------------------------------------------------------------------------------
# 001-3-adam-lr-keyword: the document's spelling, Adam(lr=0.05).

def _outcome(construct):
    try:
        construct()
    except Exception as e:  # the type is the result
        return {"raises": np.bool_(True), "error_type": np.str_(type(e).__name__), "message": np.str_(e)}
    return {"raises": np.bool_(False), "error_type": np.str_(""), "message": np.str_("")}


LR_REJECTED = (
    "Keras 3 rejects lr: ValueError 'Argument(s) not recognized: {'lr': 0.05}' "
    "(keras/src/optimizers/base_optimizer.py). Keras 2.3 renamed it learning_rate and "
    "warned; TF 2.11's optimizers warned and ignored it (tensorflow#58831). "
    "torch.optim.Adam's keyword is lr, and the NumPy Adam here follows torch:"
)

keyword = Case(
    id="001-3-adam-lr-keyword",
    title="Adam(lr=0.05): the document's keyword raises in Keras 3, PyTorch's Adam takes lr",
    source=SOURCE,
    description="Constructing the optimizer with the keyword lr=0.05: whether it raises, the "
    "exception type and message.",
    inputs={"lr": 0.05},
    known_differences=[
        KnownDifference(
            LR_REJECTED + " raises is True, against False",
            outputs="raises",
            backends="tensorflow",
            references=("numpy", "torch"),
            mismatched=1,
        ),
        KnownDifference(
            LR_REJECTED + " error_type 'ValueError' and its message, against ''",
            outputs=("error_type", "message"),
            backends="tensorflow",
            references=("numpy", "torch"),
            kind="message",
        ),
    ],
)


@keyword.numpy
def keyword_with_numpy(np, lr):
    w = np.zeros((), dtype=np.float32)
    return _outcome(lambda: NumpyAdam([w], lr=lr))


@keyword.tensorflow
def keyword_with_tensorflow(tf, lr):
    return _outcome(lambda: tf.keras.optimizers.Adam(lr=lr))


@keyword.torch
def keyword_with_torch(torch, lr):
    w = torch.tensor(0.0, requires_grad=True)
    return _outcome(lambda: torch.optim.Adam([w], lr=lr))
