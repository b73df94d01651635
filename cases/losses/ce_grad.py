"""002-17 ce-grad: the gradient of softmax cross-entropy computed from logits.

Section 9 ("Crossentropy gradient") draws ``x`` [2,4] and ``w`` [4,3] from
``tf.random.normal``, sets ``b = tf.zeros([3])`` and ``y = [2, 0]``, and on a tape::

    logits = x@w+b
    loss = tf.reduce_mean(tf.losses.categorical_crossentropy(tf.one_hot(y,depth=3), logits, from_logits=True))
    grads = tape.gradient(loss, [w, b])

The printed gradients belong to random inputs that are not printed (nothing fixes
them: dL/db is the mean of softmax − one_hot, which needs the logits), so the case draws
its own inputs from NumPy (seeded). PyTorch's ``F.cross_entropy(logits, y)`` takes class
indices and averages over the batch by default (``reduction='mean'``), which is the
document's ``reduce_mean``. NumPy writes the standard gradient by hand:
dL/dz = (softmax(z) − one_hot(y))/N, dL/dw = xᵀ·dL/dz, dL/db = Σ_rows dL/dz.

The trap (DIFFERENCES.md §20): ``categorical_crossentropy`` treats its input as
probabilities unless ``from_logits=True``. Given logits it silently divides them by
their row sum and clips the result to [1e-7, 1 − 1e-7] (keras/src/backend/tensorflow/nn.py,
``categorical_crossentropy``), so the numbers are wrong without any error.
``002-17-ce-grad-logits-as-probabilities`` drops ``from_logits=True`` in TensorFlow
(PyTorch and NumPy keep the correct cross-entropy): a declared known difference. The
main case, with ``from_logits=True`` as the document writes it, is the mapping.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "9 损失函数及其梯度: Crossentropy gradient")


def make_inputs(rng):
    return {
        "x": rng.standard_normal((2, 4)).astype(np.float32),
        "w": rng.standard_normal((4, 3)).astype(np.float32),
        "b": np.zeros(3, dtype=np.float32),  # tf.zeros([3])
        "y": np.array([2, 0], dtype=np.int32),  # tf.constant([2,0]) is int32
    }


def with_numpy(np, x, w, b, y):
    z = x @ w + b
    z = z - z.max(axis=1, keepdims=True)  # stable: softmax and log-softmax of shifted logits
    log_prob = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    onehot = np.eye(3, dtype=x.dtype)[y]
    n = x.shape[0]
    loss = -np.sum(onehot * log_prob) / n
    dz = (np.exp(log_prob) - onehot) / n  # d(mean CE)/d logits = (softmax − one_hot)/N
    return {"logits": x @ w + b, "loss": loss, "grad_w": x.T @ dz, "grad_b": dz.sum(axis=0)}


def with_tensorflow(tf, x, w, b, y):
    with tf.GradientTape() as tape:
        tape.watch([w, b])
        logits = x @ w + b
        # logits into the loss: from_logits=True applies the softmax inside, stably
        loss = tf.reduce_mean(tf.losses.categorical_crossentropy(
            tf.one_hot(y, depth=3), logits, from_logits=True))
    grads = tape.gradient(loss, [w, b])
    return {"logits": logits, "loss": loss, "grad_w": grads[0], "grad_b": grads[1]}


def with_torch(torch, x, w, b, y):
    F = torch.nn.functional
    w.requires_grad_(True)
    b.requires_grad_(True)
    logits = x @ w + b
    loss = F.cross_entropy(logits, y.long())  # (input, target); target as class indices; mean
    grad_w, grad_b = torch.autograd.grad(loss, [w, b])
    return {"logits": logits, "loss": loss, "grad_w": grad_w, "grad_b": grad_b}


case = Case(
    id="002-17-ce-grad",
    title="Gradients of reduce_mean(categorical_crossentropy(one_hot(y), x@w+b, from_logits=True))",
    source=SOURCE,
    description="Softmax cross-entropy from logits and its gradients; PyTorch F.cross_entropy, "
    "NumPy (softmax - one_hot)/N by hand.",
    inputs=make_inputs,
    seed=17,
)
case.implement("numpy")(with_numpy)
case.implement("tensorflow")(with_tensorflow)
case.implement("torch")(with_torch)


logits_as_probabilities = Case(
    id="002-17-ce-grad-logits-as-probabilities",
    title="Logits passed to categorical_crossentropy without from_logits=True: silently wrong",
    source=SOURCE,
    description="TensorFlow with from_logits=False (the default) treats the logits as "
    "probabilities; PyTorch and NumPy compute the softmax cross-entropy.",
    inputs=make_inputs,
    seed=17,
    known_differences=[
        KnownDifference(
            "without from_logits=True Keras takes the logits for probabilities: it divides each row "
            "by its sum and clips to [1e-7, 1-1e-7] before the log, so loss and gradients are "
            "nonsense, with no error (here 8.2932 against 3.0568: the second row's logits "
            "[-0.059, -0.160, 3.166] become [-0.020, -0.054, 1.074], and its true class is clipped "
            "to 1e-7, a loss of 16.118); F.cross_entropy (and NumPy) apply the softmax",
            outputs=("loss", "grad_w", "grad_b"),
            backends="tensorflow",
            references="torch",
        ),
    ],
)
logits_as_probabilities.implement("numpy")(with_numpy)


@logits_as_probabilities.tensorflow
def forgotten_from_logits_with_tensorflow(tf, x, w, b, y):
    with tf.GradientTape() as tape:
        tape.watch([w, b])
        logits = x @ w + b
        loss = tf.reduce_mean(tf.losses.categorical_crossentropy(tf.one_hot(y, depth=3), logits))
    grads = tape.gradient(loss, [w, b])
    return {"logits": logits, "loss": loss, "grad_w": grads[0], "grad_b": grads[1]}


logits_as_probabilities.implement("torch")(with_torch)
