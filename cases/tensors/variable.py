"""000-2 variable: ``tf.Variable(initial_value=3.)``, its dtype and value in each framework.

Section 2 of document 000 ("Tensorflow变量", headed ``tf.Variable(initial_value=3.)``) shows
a picture of a variable made from the Python float ``3.``; TensorFlow makes it float32
(the catalogue's documented fact; nothing is printed as text, so there is no documented
value to compare). The equivalents:

- PyTorch: a trainable tensor, ``torch.tensor(3., requires_grad=True)``: float32, the
  default dtype (``torch.get_default_dtype()``).
- NumPy: ``np.array(3.)``: **float64**. A Python float is a C double and NumPy keeps it;
  a port that relies on NumPy's defaults silently computes in float64 (DIFFERENCES.md §28).

``000-2-variable`` writes each framework's default and declares the trap: a dtype mismatch
is a failure of the comparison even though the values are equal. It also makes a variable
from the Python int ``3``: int32 in TensorFlow, int64 in PyTorch and NumPy. And it updates
the variable in place (``assign_add(1.)``; ``add_`` under ``no_grad``; ``+=``), which keeps
each dtype. ``000-2-variable-mapped`` passes ``dtype`` explicitly (float32 and int64)
everywhere, and all agree.
"""

import numpy as np

from equivalence import Case, KnownDifference, Source

SOURCE = Source("000_4ed7118bfe9059aa.txt", "2 Tensorflow变量(tf.Variable(initial_value=3.)")

# Python values, passed to every backend as they are (not converted to arrays).
INPUTS = {"initial_value": 3.0, "int_initial_value": 3}

case = Case(
    id="000-2-variable",
    title="tf.Variable(initial_value=3.): float32 in TensorFlow and PyTorch, float64 in NumPy",
    source=SOURCE,
    description="A variable from the Python float 3. and from the int 3, each framework's default "
    "dtype; the NumPy float64 and TensorFlow int32 defaults are declared.",
    inputs=INPUTS,
    known_differences=[
        KnownDifference(
            "np.array(3.) is float64 (a Python float is a double and NumPy keeps it); "
            "tf.Variable(3.) and torch.tensor(3.) are float32. Values are equal.",
            outputs=("value", "updated"),
            backends="numpy",
            references=("torch", "tensorflow"),
            kind="dtype",
        ),
        KnownDifference(
            "the dtype names: 'float64' in NumPy, 'float32' in TensorFlow and PyTorch",
            outputs="dtype",
            backends="numpy",
            references=("torch", "tensorflow"),
            kind="message",
        ),
        KnownDifference(
            "tf.Variable(3) is int32 (TensorFlow converts Python ints to int32); "
            "torch.tensor(3) and np.array(3) are int64. Values are equal.",
            outputs="int_value",
            backends="tensorflow",
            references=("torch", "numpy"),
            kind="dtype",
        ),
        KnownDifference(
            "the dtype names: 'int32' in TensorFlow, 'int64' in PyTorch and NumPy",
            outputs="int_dtype",
            backends="tensorflow",
            references=("torch", "numpy"),
            kind="message",
        ),
    ],
)


@case.numpy
def with_numpy(np, initial_value, int_initial_value):
    v = np.array(initial_value)
    value = v.copy()
    v += 1.0
    k = np.array(int_initial_value)
    return {
        "value": value,
        "dtype": np.str_(value.dtype.name),
        "updated": v,
        "int_value": k,
        "int_dtype": np.str_(k.dtype.name),
    }


@case.tensorflow
def with_tensorflow(tf, initial_value, int_initial_value):
    v = tf.Variable(initial_value=initial_value)
    value = tf.identity(v)
    v.assign_add(1.0)
    k = tf.Variable(initial_value=int_initial_value)
    return {
        "value": value,
        "dtype": np.str_(v.dtype.name),
        "updated": v,
        "int_value": k,
        "int_dtype": np.str_(k.dtype.name),
    }


@case.torch
def with_torch(torch, initial_value, int_initial_value):
    v = torch.tensor(initial_value, requires_grad=True)  # a leaf tensor autograd will track
    value = v.detach().clone()
    with torch.no_grad():
        v.add_(1.0)
    k = torch.tensor(int_initial_value)  # an int tensor cannot require grad
    return {
        "value": value,
        "dtype": np.str_(str(v.dtype).removeprefix("torch.")),
        "updated": v,
        "int_value": k,
        "int_dtype": np.str_(str(k.dtype).removeprefix("torch.")),
    }


mapped = Case(
    id="000-2-variable-mapped",
    title="A variable with an explicit dtype: float32 and int64 everywhere",
    source=SOURCE,
    description="The same variables with dtype=float32 (and int64 for the int): all agree.",
    inputs=INPUTS,
)


@mapped.numpy
def mapped_with_numpy(np, initial_value, int_initial_value):
    v = np.array(initial_value, dtype=np.float32)
    value = v.copy()
    v += np.float32(1.0)
    k = np.array(int_initial_value, dtype=np.int64)
    return {
        "value": value,
        "dtype": np.str_(value.dtype.name),
        "updated": v,
        "int_value": k,
        "int_dtype": np.str_(k.dtype.name),
    }


@mapped.tensorflow
def mapped_with_tensorflow(tf, initial_value, int_initial_value):
    v = tf.Variable(initial_value=initial_value, dtype=tf.float32)
    value = tf.identity(v)
    v.assign_add(1.0)
    k = tf.Variable(initial_value=int_initial_value, dtype=tf.int64)
    return {
        "value": value,
        "dtype": np.str_(v.dtype.name),
        "updated": v,
        "int_value": k,
        "int_dtype": np.str_(k.dtype.name),
    }


@mapped.torch
def mapped_with_torch(torch, initial_value, int_initial_value):
    v = torch.tensor(initial_value, dtype=torch.float32, requires_grad=True)
    value = v.detach().clone()
    with torch.no_grad():
        v.add_(1.0)
    k = torch.tensor(int_initial_value, dtype=torch.int64)
    return {
        "value": value,
        "dtype": np.str_(str(v.dtype).removeprefix("torch.")),
        "updated": v,
        "int_value": k,
        "int_dtype": np.str_(str(k.dtype).removeprefix("torch.")),
    }
