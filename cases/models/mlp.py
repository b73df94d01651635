"""002-21 mlp-grad: gradients of a multi-layer perceptron, and a few optimizer steps.

Section 13 of document 002 (多层感知机梯度) only says the derivation is omitted: "from
back to front, layer by layer ... it can be programmed". These cases build it: an MLP
with two hidden ReLU layers and a softmax cross-entropy on the logits,

    h1 = relu(x W1 + b1),  h2 = relu(h1 W2 + b2),  logits = h2 W3 + b3,
    L = mean_i −log softmax(logits_i)[y_i],

with the same initial weights in every framework (He-normal W, small uniform b, drawn once
by NumPy). TensorFlow writes it as section 9's code does (``x@w+b``, ``tf.Variable``,
``GradientTape``, ``categorical_crossentropy(one_hot(y), logits, from_logits=True)``),
PyTorch with ``nn.Sequential`` of ``nn.Linear`` (which stores its weight as [out, in]: the
[in, out] matrices are copied transposed, and the gradients transposed back), NumPy with
the backward pass by hand: ∂L/∂logits = (softmax − one_hot)/n, then per layer
∂W = inputᵀ·δ, ∂b = Σ_rows δ, δ_prev = (δ·Wᵀ) ⊙ [z > 0] (the ReLU mask).

Cases:

- ``002-21-mlp-grad`` (float32) and ``-grad-float64``: loss and the six gradients of a
  784-256-128-10 network (MNIST-sized, as DIFFERENCES.md §33 measured) on a batch of 32.
- ``002-21-mlp-sgd``, ``-sgd-mapped``, ``-sgd-float32``: five SGD steps, lr 0.1, of a
  20-16-12-5 network on 16 samples (small enough to return every parameter at every step):
  Keras ``SGD`` + ``apply_gradients``, ``torch.optim.SGD``, NumPy ``w -= lr·g``.
- ``002-21-mlp-adam``, ``-adam-mapped``, ``-adam-mapped-float32``: five Adam steps, lr 1e-3,
  same network: Keras ``Adam``, ``torch.optim.Adam``, NumPy by hand.

The training cases return the loss at each step (before that step's update) and every
parameter after each update, stacked along a first "step" axis.

Traps (DIFFERENCES.md §26-27, checked in the installed sources):

- **Keras keeps the learning rate in a float32 variable** whatever the weights' dtype
  (``keras/src/optimizers/base_optimizer.py``: ``backend.Variable(learning_rate, ...,
  dtype=backend.floatx())``; ``update_step`` casts it to the variable's dtype). In float64,
  lr 0.1 is really 0.10000000149011612: after five steps Keras' float64 weights are up to
  2.2e-9 from PyTorch's and NumPy's, the loss 5.7e-9 (``002-21-mlp-sgd``, known difference).
  ``-sgd-mapped`` gives PyTorch and NumPy ``float(np.float32(0.1))``: all agree to 4.4e-16.
  In float32 the question does not arise (``-sgd-float32``).
- **Adam's epsilon: value and place.** Keras: ε = 1e-7, added to √v *before* the
  bias correction of v (Kingma & Ba's "epsilon hat"; ``keras/src/optimizers/adam.py``:
  ``alpha = lr·√(1−β2ᵗ)/(1−β1ᵗ)``, ``w -= m·alpha/(√v + ε)``). PyTorch: ε = 1e-8, added
  after it (``torch/optim/adam.py``: ``denom = √v/√(1−β2ᵗ) + ε``,
  ``w -= lr/(1−β1ᵗ)·m/denom``). So Keras behaves like PyTorch with ε_t = 1e-7/√(1−β2ᵗ)
  (31.6·1e-7 at t = 1), which no constant eps reproduces. eps = 0 in both is no way out
  here: the weights leaving a ReLU unit that is inactive on the whole batch get a zero
  gradient (14 elements of W2 in these inputs), so m = v = 0 and 0/0 puts NaN in the
  weights at the first step (measured).
- **Keras' float64 Adam uses float32 betas in the bias corrections** (found here, not in
  DIFFERENCES.md): ``update_step`` computes ``ops.power(ops.cast(self.beta_1,
  variable.dtype), t)``, and ``ops.cast`` of a Python float goes through a float32 tensor:
  β2 = 0.999 becomes 0.9990000128746033, so 1 − β2ᵗ is 1.3e-5 (relative) too small at
  t = 1 and the first float64 step 6.7e-6 (relative) shorter than the formula says. The
  moment updates use the exact betas. On its own this moves the weights by 3.3e-8 in five
  steps.

Together with the float32 lr, Keras' float64 weights end up to 3.2e-4 from PyTorch's after
five steps, mostly from the epsilon (``002-21-mlp-adam``, known difference).
``-adam-mapped`` keeps Keras as it is and gives ``torch.optim.Adam``, through
``param_groups``, the lr and eps of each step that make its update Keras' (see
:func:`torch_adam_settings_like_keras`); NumPy writes Keras' formula with the float32
lr and betas. The three then agree to 4.4e-16 in float64 and to float32 rounding
(6e-8) in float32.

NumPy writes each optimizer as the reference framework (PyTorch) computes it in the
as-written cases, and as Keras does in the mapped ones, so it always agrees with PyTorch.

The training cases take ``compile``: ``tf.function`` (with or without XLA) wraps the
Keras step, ``apply_gradients`` included, ``torch.compile`` the loss. Measured against
eager: ``tensorflow-function`` is bitwise eager TensorFlow in all six; XLA and
``torch-compile`` differ in the last bits (float64: up to 4.4e-16 on the loss, 1.1e-16
on the weights; float32: 2.4e-7 on the loss, 6e-8 on the weights), within the tolerances.
The compiled Keras optimizers keep their differences from PyTorch's (declared for
``tensorflow*``). With five steps, tracing and compiling are nearly all of the compiled
modes' time.
"""

import math

import numpy as np

from equivalence import Case, KnownDifference, Source, Tolerance

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "13 多层感知机梯度")
PARAMETERS = ("W1", "b1", "W2", "b2", "W3", "b3")
KERAS_EPSILON = 1e-7  # keras.optimizers.Adam(epsilon=1e-7)
BETA_1, BETA_2 = 0.9, 0.999  # the defaults of both Adams


MNIST_SIZED = (784, 256, 128, 10)
SMALL = (20, 16, 12, 5)


def make_inputs(sizes, batch, dtype, **settings):
    """A batch of standard-normal inputs, integer labels, He-normal weights, small biases."""

    def inputs(rng):
        made = {
            "x": rng.standard_normal((batch, sizes[0])).astype(dtype),
            "y": rng.integers(0, sizes[-1], batch),  # int64 class indices
        }
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
            made[f"W{i}"] = (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2 / fan_in)).astype(dtype)
            made[f"b{i}"] = rng.uniform(-0.1, 0.1, fan_out).astype(dtype)
        return {**made, **settings}

    return inputs


# --- the network in each framework -----------------------------------------------------------


def numpy_loss_and_gradients(np, x, y, W1, b1, W2, b2, W3, b3):
    """Forward pass, then the backward pass by hand, layer by layer from the back."""
    n = len(x)
    z1 = x @ W1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0)
    logits = h2 @ W3 + b3

    shifted = logits - logits.max(axis=1, keepdims=True)  # log-softmax without overflow
    log_prob = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    one_hot = np.eye(logits.shape[1], dtype=logits.dtype)[y]
    loss = -np.mean(np.sum(one_hot * log_prob, axis=1))

    delta3 = (np.exp(log_prob) - one_hot) / n  # ∂L/∂logits of the mean softmax cross-entropy
    delta2 = (delta3 @ W3.T) * (z2 > 0)  # back through W3, then the ReLU mask
    delta1 = (delta2 @ W2.T) * (z1 > 0)
    gradients = {
        "W1": x.T @ delta1, "b1": delta1.sum(axis=0),
        "W2": h1.T @ delta2, "b2": delta2.sum(axis=0),
        "W3": h2.T @ delta3, "b3": delta3.sum(axis=0),
    }  # fmt: skip
    return loss, gradients


def tensorflow_loss(tf, x, y, W1, b1, W2, b2, W3, b3):
    h1 = tf.nn.relu(x @ W1 + b1)
    h2 = tf.nn.relu(h1 @ W2 + b2)
    logits = h2 @ W3 + b3
    y_onehot = tf.one_hot(y, depth=logits.shape[1], dtype=logits.dtype)
    return tf.reduce_mean(tf.losses.categorical_crossentropy(y_onehot, logits, from_logits=True))


def torch_model(torch, W1, b1, W2, b2, W3, b3):
    """nn.Sequential of nn.Linear, loaded with the given [in, out] weights."""
    nn = torch.nn
    model = nn.Sequential(
        nn.Linear(*W1.shape), nn.ReLU(),
        nn.Linear(*W2.shape), nn.ReLU(),
        nn.Linear(*W3.shape),
    ).to(W1.dtype)  # fmt: skip
    with torch.no_grad():
        for linear, W, b in zip(linears(model), (W1, W2, W3), (b1, b2, b3), strict=True):
            linear.weight.copy_(W.T)  # nn.Linear keeps weight as [out, in] and computes x Wᵀ + b
            linear.bias.copy_(b)
    return model


def linears(model):
    return [layer for layer in model if hasattr(layer, "weight")]


def torch_parameters(model):
    """W1, b1, ... in the [in, out] layout of the other frameworks."""
    values = {}
    for i, linear in enumerate(linears(model), start=1):
        values[f"W{i}"], values[f"b{i}"] = linear.weight.T, linear.bias
    return values


# --- 002-21-mlp-grad: loss and gradients ---------------------------------------------------


def gradients_with_numpy(np, x, y, W1, b1, W2, b2, W3, b3):
    loss, gradients = numpy_loss_and_gradients(np, x, y, W1, b1, W2, b2, W3, b3)
    return {"loss": loss, **{f"grad_{name}": g for name, g in gradients.items()}}


def gradients_with_tensorflow(tf, x, y, W1, b1, W2, b2, W3, b3):
    params = [tf.Variable(p) for p in (W1, b1, W2, b2, W3, b3)]
    with tf.GradientTape() as tape:
        loss = tensorflow_loss(tf, x, y, *params)
    grads = tape.gradient(loss, params)
    return {"loss": loss, **{f"grad_{name}": g for name, g in zip(PARAMETERS, grads, strict=True)}}


def gradients_with_torch(torch, x, y, W1, b1, W2, b2, W3, b3):
    model = torch_model(torch, W1, b1, W2, b2, W3, b3)
    loss = torch.nn.functional.cross_entropy(model(x), y)  # mean over the batch, from logits
    loss.backward()
    grads = {}
    for i, linear in enumerate(linears(model), start=1):
        grads[f"grad_W{i}"], grads[f"grad_b{i}"] = linear.weight.grad.T, linear.bias.grad
    return {"loss": loss, **grads}


def gradient_case(id, title, dtype, tolerance, oracle=None):
    case = Case(
        id=id,
        title=title,
        source=SOURCE,
        description=f"784-256-128-10 ReLU network, softmax cross-entropy from logits, batch 32, "
        f"{np.dtype(dtype).name}: loss and gradients of every weight and bias; NumPy by hand.",
        inputs=make_inputs(MNIST_SIZED, 32, dtype),
        tolerance=tolerance,
        oracle=oracle,
    )
    case.implement("numpy")(gradients_with_numpy)
    case.implement("tensorflow")(gradients_with_tensorflow)
    case.implement("torch")(gradients_with_torch)
    return case


gradients_float32 = gradient_case(
    "002-21-mlp-grad", "MLP gradients, 784-256-128-10, float32", np.float32,
    # Measured against PyTorch: max |Δ| 1.2e-7 (TensorFlow and NumPy) on gradients of max
    # 0.07-0.42; relative differences reach 5e-2 on near-zero elements (1.5e-4 on elements
    # above 1e-3·max), so an rtol alone cannot be used. rtol 1e-5 + atol 5e-7 (≈ 1e-6·max|ref|,
    # DIFFERENCES.md §33) is tighter than torch's float32 default (1.3e-6 + 1e-5) for |g| < 1.
    {"grad_*": Tolerance(rtol=1e-5, atol=5e-7)},
    # NumPy's hand-written backward pass on the float32 inputs cast up to float64. (Not on
    # -float64: its inputs are float64 already, so the oracle would be the NumPy backend itself.)
    oracle="numpy",
)

gradients_float64 = gradient_case(
    "002-21-mlp-grad-float64", "MLP gradients, 784-256-128-10, float64", np.float64,
    # Measured: max |Δ| 4.4e-16 (loss) and 3.9e-16 (gradients); torch's float64 default
    # atol 1e-7 would hide errors of 1e-6 relative, so tighter (DIFFERENCES.md §33).
    Tolerance(rtol=1e-10, atol=1e-12),
)


# --- 002-21-mlp-sgd / -adam: five optimizer steps -----------------------------------------


def keras_float(value):
    """A Python float as Keras applies it: its learning rate lives in a float32 variable, and
    ``ops.cast(0.999, "float64")`` converts through a float32 tensor (0.9990000128746033)."""
    return float(np.float32(value))


def torch_adam_settings_like_keras(keras_lr, t):
    """lr and eps for step t that make ``torch.optim.Adam``'s update Keras Adam's.

    torch: w -= lr/(1−β1ᵗ) · m/(√v/√(1−β2ᵗ) + eps)
    Keras: w -= lr_K·√(1−b2ᵗ)/(1−b1ᵗ) · m/(√v + ε), b1 and b2 being β1 and β2 in float32
    (moments are updated with the exact β in both). Equal when eps = ε/√(1−β2ᵗ) and
    lr = lr_K·(1−β1ᵗ)/(1−b1ᵗ)·√(1−b2ᵗ)/√(1−β2ᵗ).
    """
    b1, b2 = keras_float(BETA_1), keras_float(BETA_2)
    lr = keras_lr * (1 - BETA_1**t) / (1 - b1**t) * math.sqrt(1 - b2**t) / math.sqrt(1 - BETA_2**t)
    return lr, KERAS_EPSILON / math.sqrt(1 - BETA_2**t)


def train_with_numpy(np, x, y, W1, b1, W2, b2, W3, b3, optimizer, learning_rate, steps, match_keras):
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}
    if match_keras:
        learning_rate = keras_float(learning_rate)  # the value Keras' float32 variable holds
    m = {name: np.zeros_like(p) for name, p in params.items()}
    v = {name: np.zeros_like(p) for name, p in params.items()}
    losses, trajectory = [], {name: [] for name in PARAMETERS}
    for t in range(1, steps + 1):
        loss, grads = numpy_loss_and_gradients(np, x, y, **params)
        for name, g in grads.items():
            if optimizer == "sgd":
                params[name] = params[name] - learning_rate * g
            elif match_keras:  # Keras: ε added to √v before v's bias correction
                b1, b2 = keras_float(BETA_1), keras_float(BETA_2)  # float32 in the corrections
                alpha = learning_rate * math.sqrt(1 - b2**t) / (1 - b1**t)
                m[name] = m[name] + (g - m[name]) * (1 - BETA_1)
                v[name] = v[name] + (np.square(g) - v[name]) * (1 - BETA_2)
                params[name] = params[name] - m[name] * alpha / (np.sqrt(v[name]) + KERAS_EPSILON)
            else:  # PyTorch, Kingma & Ba's Algorithm 1: ε = 1e-8 added after the correction
                m[name] = BETA_1 * m[name] + (1 - BETA_1) * g
                v[name] = BETA_2 * v[name] + (1 - BETA_2) * np.square(g)
                denominator = np.sqrt(v[name]) / math.sqrt(1 - BETA_2**t) + 1e-8
                params[name] = params[name] - learning_rate / (1 - BETA_1**t) * m[name] / denominator
            trajectory[name].append(params[name])
        losses.append(loss)
    return {"loss": np.stack(losses), **{name: np.stack(values) for name, values in trajectory.items()}}


def train_with_tensorflow(tf, x, y, W1, b1, W2, b2, W3, b3, optimizer, learning_rate, steps, match_keras,
                          compile=lambda f: f):
    """Keras as a user writes it, in both variants: only the other frameworks are mapped.

    ``compile`` (identity, or ``tf.function`` with or without XLA) wraps the training step,
    ``apply_gradients`` included; it takes no argument and is never retraced (Adam's first
    call traces twice: again once its moment variables exist). With five steps, the first
    call's tracing (and XLA's compilation) takes most of the compiled modes' time.
    """
    params = [tf.Variable(p) for p in (W1, b1, W2, b2, W3, b3)]
    if optimizer == "sgd":
        opt = tf.keras.optimizers.SGD(learning_rate=learning_rate)
    else:
        opt = tf.keras.optimizers.Adam(learning_rate=learning_rate)  # epsilon=1e-7

    @compile
    def step():
        with tf.GradientTape() as tape:
            loss = tensorflow_loss(tf, x, y, *params)
        grads = tape.gradient(loss, params)
        opt.apply_gradients(zip(grads, params, strict=True))
        return loss, [tf.identity(p) for p in params]

    losses, trajectory = [], {name: [] for name in PARAMETERS}
    for _ in range(steps):
        loss, values = step()
        losses.append(loss)
        for name, value in zip(PARAMETERS, values, strict=True):
            trajectory[name].append(value)
    return {"loss": tf.stack(losses), **{name: tf.stack(values) for name, values in trajectory.items()}}


def train_with_torch(torch, x, y, W1, b1, W2, b2, W3, b3, optimizer, learning_rate, steps, match_keras,
                     compile=lambda f: f):
    """``compile`` wraps the loss (the model and the cross-entropy); backward and
    ``opt.step`` stay eager (the mapped Adam changes the Python floats lr and eps at every
    step: a compiled ``opt.step`` would recompile each time). Under ``torch-compile`` the
    first call's compilation is all of the mode's time."""
    model = torch_model(torch, W1, b1, W2, b2, W3, b3)
    if match_keras:
        learning_rate = keras_float(learning_rate)  # Keras keeps lr in a float32 variable
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=learning_rate)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=learning_rate)  # eps=1e-8

    @compile
    def loss_of(x, y):
        return torch.nn.functional.cross_entropy(model(x), y)

    losses, trajectory = [], {name: [] for name in PARAMETERS}
    for t in range(1, steps + 1):
        if optimizer == "adam" and match_keras:
            lr_t, eps_t = torch_adam_settings_like_keras(learning_rate, t)
            for group in opt.param_groups:
                group["lr"], group["eps"] = lr_t, eps_t
        opt.zero_grad()
        loss = loss_of(x, y)
        loss.backward()
        opt.step()
        losses.append(loss.detach())
        for name, value in torch_parameters(model).items():
            trajectory[name].append(value.detach().clone())
    return {"loss": torch.stack(losses), **{name: torch.stack(values) for name, values in trajectory.items()}}


def training_case(id, title, optimizer, dtype, match_keras, description, tolerance=None, known=()):
    case = Case(
        id=id,
        title=title,
        source=SOURCE,
        description=f"20-16-12-5 ReLU network, batch 16, {np.dtype(dtype).name}: {description}",
        inputs=make_inputs(SMALL, 16, dtype, optimizer=optimizer,
                           learning_rate=0.1 if optimizer == "sgd" else 1e-3,
                           steps=5, match_keras=match_keras),
        tolerance=tolerance,
        known_differences=known,
        trajectories=("loss", *PARAMETERS),
    )
    case.implement("numpy")(train_with_numpy)
    case.implement("tensorflow")(train_with_tensorflow)
    case.implement("torch")(train_with_torch)
    return case


def keras_drift(reason, bounds):
    """One known difference per output: Keras (eager or compiled) against PyTorch and NumPy,
    which write the same rule; ``bounds`` maps each output to (max_abs, max_rel), the
    differences measured after five steps × 1.5."""
    return [
        KnownDifference(reason, outputs=output, backends="tensorflow*", references=("torch", "numpy"),
                        kind="values", max_abs=max_abs, max_rel=max_rel)
        for output, (max_abs, max_rel) in bounds.items()
    ]


# float64: DIFFERENCES.md §33's tolerance; measured where the frameworks agree (the mapped
# cases and NumPy everywhere): max |Δ| 4.4e-16 (loss), 1.1e-16 (parameters). Torch's
# float64 default (1e-7, 1e-7) would let the float32-lr drift of 2e-9 pass unseen.
FLOAT64 = Tolerance(rtol=1e-10, atol=1e-12)

sgd = training_case(
    "002-21-mlp-sgd", "Five SGD steps (lr 0.1) of an MLP, float64, as each framework writes it",
    "sgd", np.float64, False,
    "Keras SGD(0.1), torch.optim.SGD(lr=0.1), NumPy w -= 0.1·g.",
    tolerance=FLOAT64,
    known=keras_drift(
        "Keras keeps the learning rate in a float32 variable, even for float64 weights: 0.1 "
        "becomes 0.10000000149011612 (1.5e-8 relative); after 5 steps Keras' weights are up "
        "to 2.2e-9 from PyTorch's (1.6e-6 relative on a small weight), the loss 5.7e-9",
        # measured: loss 5.7e-9 (4.0e-9 relative), W1 1.4e-9 (1.6e-6), b1 5.0e-10 (4.6e-7),
        # W2 2.2e-9 (3.0e-7), b2 7.6e-10 (1.8e-7), W3 1.2e-9 (2.5e-7), b3 2.3e-10 (1.8e-8)
        {"loss": (8.5e-9, 6.1e-9), "W1": (2.1e-9, 2.5e-6), "b1": (7.5e-10, 6.9e-7),
         "W2": (3.4e-9, 4.6e-7), "b2": (1.2e-9, 2.8e-7), "W3": (1.8e-9, 3.9e-7), "b3": (3.4e-10, 2.8e-8)},
    ),
)

sgd_mapped = training_case(
    "002-21-mlp-sgd-mapped", "Five SGD steps of an MLP, float64, with Keras' float32 learning rate everywhere",
    "sgd", np.float64, True,
    "PyTorch and NumPy use float(np.float32(0.1)), the learning rate Keras really applies.",
    tolerance=FLOAT64,
)

sgd_float32 = training_case(
    "002-21-mlp-sgd-float32", "Five SGD steps (lr 0.1) of an MLP, float32",
    "sgd", np.float32, False,
    "Keras SGD(0.1), torch.optim.SGD(lr=0.1), NumPy w -= 0.1·g; the float32 lr is no difference "
    "here. Measured: max |Δ| 2.4e-7 (loss), 6.0e-8 (weights): inside torch's float32 defaults.",
)

adam = training_case(
    "002-21-mlp-adam", "Five Adam steps (lr 1e-3) of an MLP, float64, as each framework writes it",
    "adam", np.float64, False,
    "Keras Adam(1e-3) (ε = 1e-7 before the bias correction), torch.optim.Adam(lr=1e-3) "
    "(ε = 1e-8 after it), NumPy writing PyTorch's rule.",
    tolerance=FLOAT64,
    known=keras_drift(
        "Adam's epsilon: Keras adds ε = 1e-7 to √v before v's bias correction, PyTorch adds "
        "1e-8 after it (Keras acts as PyTorch with eps = 1e-7/√(1−β2ᵗ), 3.2e-6 at t = 1); "
        "Keras' lr is float32 and its float64 bias corrections use float32 betas. After 5 "
        "steps: weights up to 3.2e-4 apart (12% relative on a bias), loss 5.9e-6",
        # measured: loss 5.9e-6 (2.8e-6 relative), W1 3.2e-4 (3.5e-3), b1 1.2e-6 (1.4e-4),
        # W2 2.0e-4 (1.2e-3), b2 4.6e-5 (0.12), W3 7.0e-5 (3.8e-4), b3 4.2e-7 (1.9e-5)
        {"loss": (8.9e-6, 4.3e-6), "W1": (4.9e-4, 5.3e-3), "b1": (1.9e-6, 2.1e-4),
         "W2": (3.1e-4, 1.9e-3), "b2": (7e-5, 0.19), "W3": (1.1e-4, 5.8e-4), "b3": (6.3e-7, 2.9e-5)},
    ),
)

adam_mapped = training_case(
    "002-21-mlp-adam-mapped", "Five Adam steps of an MLP, float64, with PyTorch mapped onto Keras' rule",
    "adam", np.float64, True,
    "torch.optim.Adam given, at step t, the lr and eps that make its update Keras' "
    "(eps = 1e-7/√(1−β2ᵗ); lr with Keras' float32 lr and betas); NumPy writes Keras' formula.",
    tolerance=FLOAT64,
)

adam_mapped_float32 = training_case(
    "002-21-mlp-adam-mapped-float32", "Five Adam steps of an MLP, float32, with PyTorch mapped onto Keras' rule",
    "adam", np.float32, True,
    "As -adam-mapped, in float32.",
)
