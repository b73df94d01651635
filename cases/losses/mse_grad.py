"""002-16 mse-grad: the gradient of a mean squared error on softmax probabilities.

Section 9 draws ``x`` [3,4], ``w`` [4,3] and ``b`` [3] from ``tf.random.normal``, takes
``y = [2, 0, 1]``, and on a tape computes::

    prob = tf.nn.softmax(x @ w + b, axis=1)
    loss = tf.reduce_mean(tf.losses.MSE(tf.one_hot(y, depth=3), prob))
    grads = tape.gradient(loss, [w, b])

printing ``prob`` and both gradients. The inputs were random and are not printed, so
``002-16-mse-grad`` draws its own from NumPy (seeded) and compares the frameworks:
PyTorch's ``F.mse_loss`` (mean over every element) equals ``reduce_mean`` of Keras'
per-sample MSE here because every sample has the same number of classes. NumPy's
gradients are central differences in float64 (``numerical_gradient``).

The printout can still be checked. ``dL/db`` is the column sum of ``dL/dz``
(z = x@w + b), and ``dL/dz`` depends only on ``prob`` and ``y``. ``002-16-mse-grad-printed-prob``
feeds the document's code logits whose softmax is the printed ``prob``: ``x = [I₃ | 0]``,
``w = [log prob; 0]``, ``b = 0``, so ``x @ w + b = log prob`` and ``grads[1]`` must come out as printed
(``grads[0]`` depends on the unknown ``x`` and is not compared). ``prob`` is not compared
with the printout either: it is the input here, and float32 log-then-softmax returns it
only to 2-4 ULP (the printed rows sum to 1 ± 6e-8), which says nothing about the
frameworks. TensorFlow and PyTorch (float32) reproduce the printed ``grads[1]`` digit for
digit; NumPy's float64 derivative, 0.1094238688 for the first element, prints as
0.10942387, 1.2e-8 (2 float32 ULP) below the printed 0.10942388: the printout carries
TensorFlow's float32 rounding (the same 0.1094238688 comes from the printed prob directly
in float64).

``grads[0]`` = xᵀ·dL/dz (4×3) gives ``x`` back, though not all of it.
``002-16-mse-grad-printed`` solves for it: with ``D`` = dL/dz (3×3, from the printed prob
renormalised and y), each column k of x satisfies x[:,k]ᵀ·D = grads[0][k]. Every row of D
sums to 0 (a softmax does not change when a constant is added to its row), so D has rank 2 and a left null vector
u (uᵀ·D = 0, u ≈ [-0.081, -0.981, -0.177]): the printout fixes each column of x only up to
adding a multiple of u, four numbers it cannot give. The case takes the smallest solution
(``pinv(D)``), whose columns are orthogonal to u, and then the smallest ``w``, ``b`` with
``x @ w + b = log prob`` (x has rank 2 then, so ``b`` is needed). Any other choice gives the
same gradients in exact arithmetic; only float32 rounding depends on it. Both printed
gradients are compared. The printout is itself slightly inconsistent: rows 0, 2 and 3 of
``grads[0]`` sum to -1e-8 where the model forces 0, so no x reproduces every digit. PyTorch
and NumPy reproduce 11 of the 12 printed ``grads[0]`` (0.05285117 at [3, 0], printed
0.05285116), TensorFlow 9 (also a last digit off at [1, 1] and [3, 2]); ``grads[1]`` prints as
documented in TensorFlow and PyTorch (declared known differences, measured).

The trap (DIFFERENCES.md §22): ``tf.losses.MSE`` (``keras.losses.mean_squared_error``)
averages over the *last axis only* and returns one loss per sample ("Returns: Mean
squared error values with shape = [batch_size, d0, .. dN-1]", keras/src/losses/losses.py);
``torch.nn.functional.mse_loss`` averages over everything (``reduction='mean'``).
``002-16-mse-per-sample`` drops the document's outer ``reduce_mean``: TensorFlow and
NumPy return a vector of 3, PyTorch's ``F.mse_loss`` a scalar (a known difference);
``002-16-mse-per-sample-mapped`` writes ``((prob - y)**2).mean(-1)`` in PyTorch.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, numerical_gradient, printed
from equivalence.sweep import Floats, Ints, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "9 损失函数及其梯度: Mean Squared error(MSE)")
LABELS = np.array([2, 0, 1], dtype=np.int32)  # tf.constant([2,0,1]) is int32

# print(prob.numpy()), print('grads[0]:\n', grads[0].numpy()), print('grads[1]:\n', ...):
# NumPy's array printing of float32 arrays.
PRINTED_PROB = """[[0.6746528  0.0133454  0.31200182]
 [0.74632466 0.15744632 0.09622896]
 [0.5631675  0.4008012  0.0360313 ]]"""
PRINTED_GRAD_W = """[[ 0.0165339  -0.03772166  0.02118775]
 [ 0.03422298 -0.08465307  0.05043009]
 [ 0.01001721 -0.0136021   0.00358488]
 [ 0.05285116  0.02282622 -0.07567739]]"""
PRINTED_GRAD_B = "[ 0.10942388 -0.05007509 -0.05934878]"


def random_inputs(rng):
    return {
        "x": rng.standard_normal((3, 4)).astype(np.float32),
        "w": rng.standard_normal((4, 3)).astype(np.float32),
        "b": rng.standard_normal(3).astype(np.float32),
        "y": LABELS,
    }


def printed_prob_inputs(rng):
    log_prob = np.log(printed(PRINTED_PROB, printer="array").values)  # float64 logits whose softmax is prob
    return {
        "x": np.eye(3, 4, dtype=np.float32),  # [I₃ | 0]: x @ w picks w's first three rows
        "w": np.vstack([log_prob, np.zeros((1, 3))]).astype(np.float32),
        "b": np.zeros(3, dtype=np.float32),
        "y": LABELS,
    }


def printed_gradients_inputs(rng):
    prob = printed(PRINTED_PROB, printer="array").values
    prob = prob / prob.sum(axis=1, keepdims=True)  # the printed rows sum to 1 ± 6e-8
    g = 2 * (prob - np.eye(3)[LABELS]) / 9  # dL/dprob of the mean of 3×3 squared errors
    dL_dz = prob * (g - np.sum(prob * g, axis=1, keepdims=True))  # through the softmax
    # grads[0] = xᵀ·dL/dz; dL/dz has rank 2: the smallest x (rcond drops the zero singular value)
    grad_w = printed(PRINTED_GRAD_W, printer="array").values
    x = (grad_w @ np.linalg.pinv(dL_dz, rcond=1e-6)).T.astype(np.float32)
    # the smallest w and b with x @ w + b = log prob: [x | 1] @ [w; b] = log prob
    w_and_b = np.linalg.pinv(np.hstack([x, np.ones((3, 1))])) @ np.log(prob)
    return {"x": x, "w": w_and_b[:4].astype(np.float32), "b": w_and_b[4].astype(np.float32), "y": LABELS}


def softmax(np, z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def with_numpy(np, x, w, b, y):
    x64 = x.astype(np.float64)
    onehot = np.eye(3)[y]

    def loss(w, b):
        return np.mean(np.mean((onehot - softmax(np, x64 @ w + b)) ** 2, axis=-1))

    grad_w, grad_b = numerical_gradient(loss, w, b)
    prob = softmax(np, x64 @ w.astype(np.float64) + b)
    return {
        "prob": prob.astype(np.float32),
        "loss": np.float32(loss(w.astype(np.float64), b.astype(np.float64))),
        "grad_w": grad_w.astype(np.float32),
        "grad_b": grad_b.astype(np.float32),
    }


def with_tensorflow(tf, x, w, b, y):
    with tf.GradientTape() as tape:
        tape.watch([w, b])  # constants: recorded only when watched (as in the document)
        prob = tf.nn.softmax(x @ w + b, axis=1)
        loss = tf.reduce_mean(tf.losses.MSE(tf.one_hot(y, depth=3), prob))
    grads = tape.gradient(loss, [w, b])
    return {"prob": prob, "loss": loss, "grad_w": grads[0], "grad_b": grads[1]}


def with_torch(torch, x, w, b, y):
    F = torch.nn.functional
    w.requires_grad_(True)
    b.requires_grad_(True)
    prob = F.softmax(x @ w + b, dim=1)
    target = F.one_hot(y.long(), num_classes=3).to(prob.dtype)  # one_hot wants int64, returns int64
    loss = F.mse_loss(prob, target)  # mean over all 3×3 elements = mean of the per-sample means
    grad_w, grad_b = torch.autograd.grad(loss, [w, b])
    return {"prob": prob, "loss": loss, "grad_w": grad_w, "grad_b": grad_b}


def with_jax(jax, x, w, b, y):
    jnp = jax.numpy

    def loss_of(w, b):
        prob = jax.nn.softmax(x @ w + b, axis=1)
        onehot = jax.nn.one_hot(y, 3, dtype=prob.dtype)  # its default is float64 under x64
        return jnp.mean(jnp.mean((onehot - prob) ** 2, axis=-1)), prob  # Keras' per-sample MSE, then the mean

    (loss, prob), (grad_w, grad_b) = jax.value_and_grad(loss_of, argnums=(0, 1), has_aux=True)(w, b)
    return {"prob": prob, "loss": loss, "grad_w": grad_w, "grad_b": grad_b}


# NumPy's float64 dL/db against the float32 printout, in both -printed cases.
NUMPY_FLOAT64_GRAD_B = KnownDifference(
    "float32 in the printout: NumPy's float64 derivative is the exact dL/db for these "
    "probabilities, 0.1094238688, printed 0.10942387, 1.2e-8 (2 float32 ULP) below the printed "
    "0.10942388 that TensorFlow 2.0 computed in float32; TensorFlow 2.21 and PyTorch in float32 "
    "print every digit (measured: 1 of 3 numbers, max_abs 1.2e-8)",
    outputs="grad_b", backends="numpy", references="documented",
    kind="values", max_abs=1.8e-8, mismatched=1,
)

# JAX's float32 dL/db against the printout, in both -printed cases.
JAX_FLOAT32_GRAD_B = KnownDifference(
    "float32 rounding: JAX's softmax and its derivative (jax.nn.softmax, XLA's reductions) round "
    "dL/db[1] to -0.05007508 where TensorFlow 2.0 printed -0.05007509 (2 ULP, 6.0e-9); TensorFlow "
    "2.21 and PyTorch print every digit",
    outputs="grad_b", backends="jax*", references="documented",
    at=np.s_[1], max_abs=9.1e-9, max_ulp=3,  # measured 2 ULP (6.0e-9)
)


# The sweep: 1 to 5 samples of 0 to 4 features, values in [-10, 10]. The oracle is PyTorch's
# float64 autograd: NumPy's side is a central difference, accurate to about 1e-10 and returned
# as float32 whatever the inputs (it casts), which is no oracle for float64 examples.
MSE_SWEEP = Sweep(
    dims={"n": (1, 5), "k": (0, 4)},
    inputs={"x": Floats(("n", "k"), -10, 10), "w": Floats(("k", 3), -10, 10), "b": Floats((3,), -10, 10),
            "y": Ints(("n",), 0, 2, dtype="int32")},
    oracle="torch",
    known_differences={
        "*": [KnownDifference(
            "the NumPy port computes in float64 (central differences) and returns float32 whatever the inputs' "
            "dtype (found by the sweep in float64 and float16)", backends="numpy", kind="dtype")],
    },
)


def mse_case(id, title, description, inputs, documented=None, known=(), sweep=None):
    # The float64 oracle is PyTorch's autograd on the inputs cast up, as in the sweep: NumPy's
    # central differences return float32 whatever the inputs, which is no float64 oracle.
    case = Case(id=id, title=title, source=SOURCE, description=description, inputs=inputs, seed=16,
                documented=documented or {}, known_differences=known, sweep=sweep, oracle="torch")
    case.implement("numpy")(with_numpy)
    case.implement("tensorflow")(with_tensorflow)
    case.implement("torch")(with_torch)
    case.implement("jax")(with_jax)
    return case


case = mse_case(
    "002-16-mse-grad",
    "Gradients of reduce_mean(MSE(one_hot(y), softmax(x@w+b))) with respect to w and b",
    "Random x, w, b from NumPy; TensorFlow's per-sample MSE then reduce_mean against "
    "PyTorch's F.mse_loss; NumPy by central differences.",
    random_inputs,
    sweep=MSE_SWEEP,
)

printed_prob = mse_case(
    "002-16-mse-grad-printed-prob",
    "The printed dL/db reproduced from the printed probabilities",
    "Logits log(prob) through x = [I | 0], w = [log prob; 0], b = 0: the document's prob "
    "and dL/db, which depends only on prob and y.",
    printed_prob_inputs,
    documented={"grad_b": printed(PRINTED_GRAD_B, printer="array")},
    known=[NUMPY_FLOAT64_GRAD_B, JAX_FLOAT32_GRAD_B],
)

printed_gradients = mse_case(
    "002-16-mse-grad-printed",
    "The printed dL/dw and dL/db reproduced from inputs solved from the printout",
    "x solved from the printed dL/dw = xᵀ·dL/dz (dL/dz from the printed prob), the smallest of "
    "the solutions: the printout fixes x only up to a multiple of u (uᵀ·dL/dz = 0) in each column; "
    "w and b the smallest with x@w + b = log prob. Both printed gradients compared (prob is "
    "the input here, as in -printed-prob).",
    printed_gradients_inputs,
    documented={"grad_w": printed(PRINTED_GRAD_W, printer="array"),
                "grad_b": printed(PRINTED_GRAD_B, printer="array")},
    known=[
        KnownDifference(
            "as for the other frameworks (the printout is not exactly consistent, x is not the "
            "document's), float32 rounding moves last digits, elsewhere in JAX: it prints 0.05285116 at "
            "[3, 0] as the document does, but 5 others one digit off (0.01653391 at [0, 0] for the "
            "printed 0.0165339, -0.0756774 at [3, 2] for -0.07567739, ...), max_abs 1.4e-8",
            outputs="grad_w", backends="jax*", references="documented",
            at=np.s_[[0, 1, 1, 2, 3], [0, 0, 1, 0, 2]], max_abs=2.1e-8,  # measured 1.4e-8
            max_ulp=24,  # measured 16 at 0.01001722: eight decimals are coarser than float32 there
        ),
        KnownDifference(
            "the printout is not exactly consistent and x is not the document's: rows 0, 2 and 3 of "
            "the printed dL/dw sum to -1e-8 where the model forces 0, and the float32 rounding follows "
            "the recovered inputs. Measured: every framework prints 0.05285117 at [3, 0] (printed "
            "0.05285116); TensorFlow also -0.08465306 at [1, 1] and -0.0756774 at [3, 2] (printed "
            "-0.08465307, -0.07567739): up to 3 of 12 numbers, max_abs 1.4e-8",
            outputs="grad_w", references="documented",
            kind="values", max_abs=2.2e-8, mismatched=3,
        ),
        NUMPY_FLOAT64_GRAD_B,
        JAX_FLOAT32_GRAD_B,
    ],
)


per_sample = Case(
    id="002-16-mse-per-sample",
    title="tf.losses.MSE is per sample; F.mse_loss averages everything",
    source=SOURCE,
    description="MSE(one_hot(y), prob) without the outer reduce_mean: a vector of 3 in "
    "TensorFlow (and NumPy's port), a scalar from PyTorch's F.mse_loss.",
    inputs=random_inputs,
    seed=16,
    known_differences=[
        KnownDifference(
            "tf.losses.MSE averages the last axis only and returns one loss per sample, shape (3,); "
            "F.mse_loss(reduction='mean') averages all 9 elements into a scalar (their mean)",
            outputs="mse",
            backends=("numpy", "tensorflow"),
            references="torch",
            kind="shape",
        ),
    ],
)


@per_sample.numpy
def per_sample_with_numpy(np, x, w, b, y):
    prob = softmax(np, x @ w + b)
    return {"mse": np.mean((np.eye(3, dtype=np.float32)[y] - prob) ** 2, axis=-1)}  # Keras' MSE: last axis


@per_sample.tensorflow
def per_sample_with_tensorflow(tf, x, w, b, y):
    prob = tf.nn.softmax(x @ w + b, axis=1)
    return {"mse": tf.losses.MSE(tf.one_hot(y, depth=3), prob)}


@per_sample.torch
def per_sample_with_torch(torch, x, w, b, y):
    F = torch.nn.functional
    prob = F.softmax(x @ w + b, dim=1)
    return {"mse": F.mse_loss(prob, F.one_hot(y.long(), num_classes=3).to(prob.dtype))}


per_sample_mapped = Case(
    id="002-16-mse-per-sample-mapped",
    title="Per-sample MSE in PyTorch: ((prob - y)**2).mean(-1)",
    source=SOURCE,
    description="The mean over the last axis written out in PyTorch: the same per-sample "
    "vector as tf.losses.MSE.",
    inputs=random_inputs,
    seed=16,
    oracle="numpy",
)
per_sample_mapped.implement("numpy")(per_sample_with_numpy)
per_sample_mapped.implement("tensorflow")(per_sample_with_tensorflow)


@per_sample_mapped.torch
def per_sample_mapped_with_torch(torch, x, w, b, y):
    F = torch.nn.functional
    prob = F.softmax(x @ w + b, dim=1)
    target = F.one_hot(y.long(), num_classes=3).to(prob.dtype)
    return {"mse": ((prob - target) ** 2).mean(-1)}
