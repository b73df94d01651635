"""002-13 tape-first-order: y = x·w on a watched constant, and asking the tape twice.

Section 7 ("一阶梯度") watches ``w = tf.constant(1.)`` on a ``tf.GradientTape``, records
``y = x*w`` with ``x = tf.constant(2.)`` and prints ``tape.gradient(y, [w])`` = 2.0. It
then asks the same tape again and prints the traceback::

    RuntimeError: GradientTape.gradient can only be called once on non-persistent tapes.

and repeats the computation on a ``GradientTape(persistent=True)``, whose first gradient
prints 2.0 and whose second call goes through (its value is not shown).

PyTorch frees the graph after a backward pass instead of after a tape query: a second
``backward()`` (or ``autograd.grad``) raises ``RuntimeError`` ("Trying to backward
through the graph a second time ..."), and ``retain_graph=True`` is the analogue of
``persistent=True``. The trap (DIFFERENCES.md §24): ``backward`` *accumulates* into
``w.grad``, so the second call on a retained graph reads 4.0 where TensorFlow's
persistent tape returns 2.0 again; ``torch.autograd.grad`` returns the gradient the
way ``tape.gradient`` does, without accumulating.

Three cases:

- ``002-13-tape-first-order``: the gradients, with PyTorch written as its tutorials do
  (``backward()`` then ``w.grad``): the second gradient on the retained graph is a
  declared known difference.
- ``002-13-tape-first-order-mapped``: PyTorch with ``torch.autograd.grad(...,
  retain_graph=True)``: every framework gives 2.0 three times.
- ``002-13-tape-first-order-reuse``: the error itself, caught in TensorFlow and PyTorch
  and returned as data (raised or not, the exception's type name, its message). NumPy
  has no tape to exhaust, so it has no implementation here (its rows are ``skipped``):
  a hand-written derivative can be evaluated any number of times, and pretending it
  raises or returning ``raises=False`` would compare nothing. The document prints no
  value here, only the traceback: what it shows (a RuntimeError, with that message; no
  error on the persistent tape) gives the ``expected`` outputs. The document's message
  is checked as ``message_as_printed``: TensorFlow 2.21 words it differently
  ("A non-persistent GradientTape can only be used to compute one set of gradients (or
  jacobians)"; tensorflow/python/eager/backprop.py), a drift worth showing.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "7 梯度下降: 一阶梯度")
INPUTS = {"w": np.float32(1.0), "x": np.float32(2.0)}  # tf.constant(1.), tf.constant(2.): float32

# The message in the document's traceback (TensorFlow 2.0, backprop.py line 920).
DOCUMENTED_MESSAGE = "GradientTape.gradient can only be called once on non-persistent tapes."
# TensorFlow 2.21's message, measured here; written down for the reason below only.
TODAYS_MESSAGE = "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)"

# Both are a list's repr, [<tf.Tensor: id=6, shape=(), dtype=float32, numpy=2.0>]: the 0-d
# tensor's numpy= is its NumPy scalar's text.
DOCUMENTED = {
    "grad": printed("2.0", printer="scalar"),
    "grad_persistent_first": printed("2.0", printer="scalar"),  # the persistent tape's second call is not shown
}


case = Case(
    id="002-13-tape-first-order",
    title="dy/dw of y = x·w on a tape; a persistent tape asked twice (PyTorch backward accumulates)",
    source=SOURCE,
    description="tape.gradient once on a plain tape and twice on a persistent one; PyTorch's "
    "backward(retain_graph=True) twice accumulates into w.grad.",
    inputs=INPUTS,
    documented=DOCUMENTED,
    known_differences=[
        KnownDifference(
            "PyTorch's backward() accumulates into w.grad: the second call on the retained graph "
            "reads 2 + 2 = 4.0, while a second tape.gradient on TensorFlow's persistent tape "
            "returns 2.0 again (NumPy: the derivative x = 2.0). Exact arithmetic: 2.0 apart, "
            "bounded at that",
            outputs="grad_persistent_second",
            backends=("numpy", "tensorflow"),
            references="torch",
            max_abs=2.0,
        ),
    ],
)


@case.numpy
def with_numpy(np, w, x):
    dy_dw = x  # y = x·w, by hand; a formula can be evaluated as often as one likes
    return {"grad": dy_dw, "grad_persistent_first": dy_dw, "grad_persistent_second": dy_dw}


@case.tensorflow
def with_tensorflow(tf, w, x):
    with tf.GradientTape() as tape:
        tape.watch([w])  # w is a constant: it is recorded only when watched
        y = x * w
    grad1 = tape.gradient(y, [w])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([w])
        y = x * w
    grad2 = tape.gradient(y, [w])
    grad3 = tape.gradient(y, [w])  # allowed on a persistent tape
    return {"grad": grad1[0], "grad_persistent_first": grad2[0], "grad_persistent_second": grad3[0]}


@case.torch
def with_torch(torch, w, x):
    w.requires_grad_(True)
    y = x * w
    y.backward()
    grad = w.grad.clone()
    w.grad = None  # a fresh start for the "persistent" part
    y = x * w
    y.backward(retain_graph=True)  # retain_graph=True: PyTorch's persistent=True
    first = w.grad.clone()  # clone: backward adds into this very tensor
    y.backward()
    second = w.grad.clone()  # 2 + 2: .grad accumulates
    return {"grad": grad, "grad_persistent_first": first, "grad_persistent_second": second}


mapped = Case(
    id="002-13-tape-first-order-mapped",
    title="dy/dw of y = x·w; a persistent tape asked twice, PyTorch through autograd.grad",
    source=SOURCE,
    description="torch.autograd.grad(retain_graph=True) returns the gradient like tape.gradient, "
    "without accumulating: 2.0 every time in every framework.",
    inputs=INPUTS,
    documented=DOCUMENTED,
)
mapped.implement("numpy")(with_numpy)
mapped.implement("tensorflow")(with_tensorflow)


@mapped.torch
def mapped_with_torch(torch, w, x):
    w.requires_grad_(True)
    y = x * w
    grad1 = torch.autograd.grad(y, [w])
    y = x * w
    grad2 = torch.autograd.grad(y, [w], retain_graph=True)
    grad3 = torch.autograd.grad(y, [w])  # the retained graph can be used once more
    return {"grad": grad1[0], "grad_persistent_first": grad2[0], "grad_persistent_second": grad3[0]}


reuse = Case(
    id="002-13-tape-first-order-reuse",
    title="A second gradient on a non-persistent tape raises RuntimeError (TensorFlow and PyTorch)",
    source=SOURCE,
    description="The document's traceback as data: both frameworks raise RuntimeError with "
    "different messages, and TensorFlow's message is no longer the printed one. "
    "NumPy has no tape: skipped.",
    inputs=INPUTS,
    # The document prints no True or False: it shows a traceback, "RuntimeError:
    # GradientTape.gradient can only be called once on non-persistent tapes.", for the second
    # call on the plain tape, and none for the second call on the persistent one. What that
    # traceback means, as this case's outputs:
    expected={
        "second_call_raises": np.bool_(True),  # a traceback is shown
        "second_call_error_type": np.str_("RuntimeError"),  # its last line names the type
        "message_as_printed": np.bool_(True),  # and the message, DOCUMENTED_MESSAGE
        "persistent_second_call_raises": np.bool_(False),  # no traceback after persistent=True
    },
    known_differences=[
        KnownDifference(
            f"TensorFlow 2.0 printed {DOCUMENTED_MESSAGE!r}; TensorFlow 2.21 says "
            f"{TODAYS_MESSAGE!r} (same RuntimeError, reworded): message_as_printed is False",
            outputs="message_as_printed",
            backends="tensorflow",
            references="expected",
            mismatched=1,
        ),
        KnownDifference(
            "PyTorch's message is its own ('Trying to backward through the graph a second time "
            "... Specify retain_graph=True ...'), never TensorFlow's: message_as_printed is False",
            outputs="message_as_printed",
            backends="torch",
            references="expected",
            mismatched=1,
        ),
        KnownDifference(
            "the frameworks word the error differently: TensorFlow speaks of a non-persistent "
            "GradientTape, PyTorch of backward through a freed graph and retain_graph=True",
            outputs="error_message",
            backends="tensorflow",
            references="torch",
            kind="message",
        ),
    ],
)


def _error(call):
    """What calling ``call()`` raised, as outputs; the type names are compared exactly."""
    try:
        call()
    except Exception as e:  # the document's RuntimeError, whatever its class in a framework
        message = str(e).strip()
        return {
            "second_call_raises": np.bool_(True),
            "second_call_error_type": np.str_(type(e).__name__),
            "error_message": np.str_(message),
            "message_as_printed": np.bool_(message == DOCUMENTED_MESSAGE),
        }
    return {
        "second_call_raises": np.bool_(False),
        "second_call_error_type": np.str_(""),
        "error_message": np.str_(""),
        "message_as_printed": np.bool_(False),
    }


def _raises(call):
    try:
        call()
    except Exception:
        return np.bool_(True)
    return np.bool_(False)


@reuse.tensorflow
def reuse_with_tensorflow(tf, w, x):
    with tf.GradientTape() as tape:
        tape.watch([w])
        y = x * w
    tape.gradient(y, [w])
    outputs = _error(lambda: tape.gradient(y, [w]))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([w])
        y = x * w
    tape.gradient(y, [w])
    outputs["persistent_second_call_raises"] = _raises(lambda: tape.gradient(y, [w]))
    return outputs


@reuse.torch
def reuse_with_torch(torch, w, x):
    w.requires_grad_(True)
    y = x * w  # MulBackward saves x to compute dy/dw; the first backward frees it
    y.backward()
    outputs = _error(lambda: y.backward())
    y = x * w
    y.backward(retain_graph=True)
    outputs["persistent_second_call_raises"] = _raises(lambda: y.backward())
    return outputs
