"""002-1 topk-accuracy: softmax, argmax, ``top_k`` and top-k accuracy on a printed 10x6 matrix.

Section 1 of document 002 draws ``output = tf.random.normal([10,6])`` and prints it; here
that printout is the input, as a float32 literal (NumPy prints float32 with up to 8
decimals, enough to identify every element except perhaps the few below 0.1, where a
difference of 5e-9 in a logit moves no probability by more than 1e-9). It then prints
``softmax(output, axis=1)``, ``argmax(axis=1)``, ``top_k(output, 6).indices``, the
labels broadcast to [6, 10], the hit matrix ``equal(pred, target_)`` and the top-k
accuracies for k = 1..6: [10.0, 50.0, 50.0, 60.0, 70.0, 100.0]. The labels came from
``tf.random.uniform([10], maxval=6, dtype=tf.int32)``; they are the printed literal.

Traps:

- ``tf.math.top_k`` returns int32 indices, ``torch.topk`` int64 (DIFFERENCES.md §3);
  ``tf.argmax`` returns int64 like the others. ``002-1-topk-accuracy`` keeps the
  document's int32 and declares the dtype; ``-mapped`` asks TensorFlow for int64
  (``top_k(..., index_type=tf.int64)``, since TF 2.13) and uses int64 labels everywhere
  (``tf.equal`` refuses int64 against int32).
- Tie order: ``tf.math.top_k`` puts the lower index first among equal values
  (https://www.tensorflow.org/api_docs/python/tf/math/top_k: "If two elements are equal,
  the lower-index element appears first"); ``torch.topk`` promises no order
  (pytorch/pytorch#88227). The document's matrix has no ties (the sorted probabilities
  of every row are at least 4.4e-5 apart), so the document's indices agree in all three
  frameworks. ``002-1-topk-accuracy-ties`` runs the same pipeline on the matrix rounded
  to one decimal, which ties in 6 rows: PyTorch's CPU order differs in 5 of them, its top-2
  accuracy is 50 % where TensorFlow's is 30 %. ``-ties-mapped`` sorts stably in PyTorch
  (``argsort(descending=True, stable=True)``), the order TensorFlow documents.
- ``torch.softmax`` needs ``dim`` (DIFFERENCES.md §1); the NumPy reference subtracts the
  row maximum before ``exp``.
- The printed probabilities do not reproduce digit for digit: printed as the document
  printed them (NumPy's array printing, float32), today's TensorFlow differs in 25 of the
  60 numbers, by up to 5.2e-8, PyTorch in 23 and NumPy in 18, by up to 3.5e-8 (relative
  at most 7.3e-7, 11 float32 ULP); the exact float64 softmax is 3.8e-8 away as well and
  the document's rows sum to 1 ± 8e-8: TensorFlow 2.0's softmax was less accurate than
  today's. Declared as a drift.

The accuracy is computed as the document does (count of hits times 100/batch) and
returned as float64 (the document's Python floats).
"""

import numpy as np

from equivalence import Case, KnownDifference, Source, printed
from equivalence.sweep import Floats, Ints, Sweep

SOURCE = Source("002_a2a9bc7e14b96b18.txt", "1 张量排序实例")
TOPK = (1, 2, 3, 4, 5, 6)

# The document's printout of output = tf.random.normal([10,6]).
LOGITS = np.array([
    [0.76310456, -1.1337202, 1.0353428, 1.0621719, -1.3435235, -0.8340364],
    [-0.47014472, -0.2422621, 0.2518393, -0.23825932, -1.0721133, 0.24922352],
    [0.44158378, 0.6831124, -0.54429495, 1.1736444, -0.26429346, 0.7027973],
    [-0.7662839, 1.4855492, 0.42412958, -0.29403406, 1.043192, 1.0433921],
    [0.44711986, 0.7275903, 0.31700605, 0.2726328, -0.16104753, -1.1572416],
    [-0.90731895, -0.2063934, 0.952755, 0.6108949, 2.9908571, -1.7417939],
    [-0.17370664, -0.03342665, 0.5075081, 1.3842217, 0.4897528, -0.37641558],
    [-1.0750929, -0.03694849, 1.319619, 1.5328622, 1.5641279, -0.2661516],
    [0.4573638, 0.8733606, 0.0470969, 1.0739747, -0.8262296, -0.59460646],
    [1.420134, 1.216806, 0.7350984, -2.035839, 0.675249, 0.5640526],
], dtype=np.float32)  # fmt: skip
LABELS = [4, 5, 5, 5, 4, 1, 3, 3, 4, 3]  # the printed target

# print(x.numpy()): NumPy's array printing (float32 probabilities, int indices, booleans);
# the accuracies are print(res), a Python list of Python floats.
DOCUMENTED = {
    "prob": printed("""
        [[0.24179898 0.03628056 0.31745782 0.32609025 0.02941423 0.04895815]
         [0.12230478 0.15360723 0.25176606 0.15422331 0.0669903  0.25110835]
         [0.15342492 0.19533965 0.05724456 0.31902578 0.07574209 0.199223  ]
         [0.03621496 0.34422845 0.11909077 0.05807425 0.22117367 0.22121793]
         [0.20889905 0.27653062 0.18341242 0.17545176 0.11371368 0.04199244]
         [0.01568617 0.03161731 0.10077128 0.07159271 0.7735231  0.00680941]
         [0.08595599 0.09890062 0.16987287 0.4082027  0.16688333 0.07018443]
         [0.02241746 0.06330627 0.24580826 0.30423334 0.3138957  0.05033905]
         [0.17673211 0.26790482 0.117257   0.3274207  0.04896186 0.0617235 ]
         [0.30757383 0.2509835  0.15503944 0.00970598 0.14603263 0.1306646 ]]""", printer="array",
                    dtype="float32"),
    "pred": printed("[3 2 3 1 1 4 3 4 3 0]", printer="array"),
    "topk_indices": printed("""
        [[3 2 0 5 1 4]
         [2 5 3 1 0 4]
         [3 5 1 0 4 2]
         [1 5 4 2 3 0]
         [1 0 2 3 4 5]
         [4 2 3 1 0 5]
         [3 2 4 1 0 5]
         [4 3 2 1 5 0]
         [3 1 0 2 5 4]
         [0 1 2 4 5 3]]""", printer="array"),
    "target_": printed("""
        [[4 5 5 5 4 1 3 3 4 3]
         [4 5 5 5 4 1 3 3 4 3]
         [4 5 5 5 4 1 3 3 4 3]
         [4 5 5 5 4 1 3 3 4 3]
         [4 5 5 5 4 1 3 3 4 3]
         [4 5 5 5 4 1 3 3 4 3]]""", printer="array"),
    "correct": printed("""
        [[False False False False False False  True False False False]
         [False  True  True  True False False False  True False False]
         [False False False False False False False False False False]
         [False False False False False  True False False False False]
         [False False False False  True False False False False False]
         [ True False False False False False False False  True  True]]""", printer="array"),
    "accuracy": printed("[10.0, 50.0, 50.0, 60.0, 70.0, 100.0]", printer="python"),
}

PROB_DRIFT = KnownDifference(
    "the printed softmax (TensorFlow 2.0) is not today's: printed the same way, TensorFlow 2.21 "
    "differs in 25 of the 60 numbers (by up to 5.2e-8), PyTorch in 23 and NumPy (float32) in 18 "
    "(3.5e-8); at most 11 float32 ULP, relative 7.3e-7. The exact float64 softmax of the printed "
    "logits is 3.8e-8 away too, and the printed rows sum to 1 +- 8e-8",
    outputs="prob",
    references="documented",
    kind="values", max_abs=7.8e-8, max_ulp=17, mismatched=25,
)


def with_numpy(np, logits, target, int64_indices, stable_ties):
    z = logits - logits.max(axis=1, keepdims=True)  # no overflow in exp
    output = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    pred_class = np.argmax(output, axis=1)
    maxk = max(TOPK)
    batch_size = target.shape[0]
    # top_k: largest first, the lower index first among equal values (a stable sort of -p).
    pred = np.argsort(-output, axis=1, kind="stable")[:, :maxk]
    topk_indices = pred
    pred = pred.T
    target_ = np.broadcast_to(target, pred.shape)
    correct = pred == target_
    res = [correct[:k].reshape(-1).astype(np.float64).sum() * (100.0 / batch_size) for k in TOPK]
    return {"prob": output, "pred": pred_class, "topk_indices": topk_indices,
            "target_": target_, "correct": correct, "accuracy": np.array(res)}


def with_tensorflow(tf, logits, target, int64_indices, stable_ties):
    output = tf.math.softmax(logits, axis=1)
    pred_class = tf.argmax(output, axis=1)
    topk = TOPK
    maxk = max(topk)
    batch_size = target.shape[0]
    if int64_indices:  # the mapping: int64 indices, as torch.topk and np.argsort give
        pred = tf.math.top_k(output, maxk, index_type=tf.int64).indices
    else:
        pred = tf.math.top_k(output, maxk).indices  # int32
    topk_indices = pred
    pred = tf.transpose(pred, perm=[1, 0])
    target_ = tf.broadcast_to(target, pred.shape)
    correct = tf.equal(pred, target_)
    res = []
    for k in topk:
        correct_k = tf.cast(tf.reshape(correct[:k], [-1]), dtype=tf.float32)
        correct_k = tf.reduce_sum(correct_k)
        acc = float(correct_k * (100.0 / batch_size))
        res.append(acc)
    return {"prob": output, "pred": pred_class, "topk_indices": topk_indices,
            "target_": target_, "correct": correct, "accuracy": np.array(res)}


def with_torch(torch, logits, target, int64_indices, stable_ties):
    output = torch.softmax(logits, dim=1)  # dim is required: the legacy implicit dim warns
    pred_class = torch.argmax(output, dim=1)
    maxk = max(TOPK)
    batch_size = target.shape[0]
    if stable_ties:  # the mapping: ties in index order, as tf.math.top_k documents
        pred = torch.argsort(output, dim=1, descending=True, stable=True)[:, :maxk]
    else:  # int64; the order of equal values is unspecified (pytorch/pytorch#88227)
        pred = torch.topk(output, maxk, dim=1).indices
    topk_indices = pred
    pred = pred.t()
    target_ = target.expand_as(pred)  # broadcast_to, a view
    correct = pred == target_
    res = [correct[:k].reshape(-1).double().sum() * (100.0 / batch_size) for k in TOPK]
    return {"prob": output, "pred": pred_class, "topk_indices": topk_indices,
            "target_": target_, "correct": correct, "accuracy": torch.stack(res)}


def topk_sweep(label_dtype, known=()):
    """Batches of 1 to 6 rows of 6 to 8 classes (top_k(·, 6) needs 6), logits anywhere in the
    dtype's finite range (ties common), labels below the class count.

    Only the stable mapping is swept: wherever probabilities tie, torch.topk's order is not
    TensorFlow's, and ties are everywhere once probabilities underflow (logits 750 apart in
    float32 give [0, 0, 0, 0, 0, 1]) or round alike (float16, bfloat16)."""
    return Sweep(
        dims={"n": (1, 6), "c": (6, 8)},
        inputs={"logits": Floats(("n", "c")), "target": Ints(("n",), 0, "c-1", dtype=np.dtype(label_dtype).name)},
        known_differences=known,
    )


def topk_case(id, title, description, logits, label_dtype, int64_indices, stable_ties,
              documented=None, known=(), sweep=None):
    case = Case(
        id=id,
        title=title,
        source=SOURCE,
        description=description,
        inputs={
            "logits": logits,
            "target": np.array(LABELS, dtype=label_dtype),
            "int64_indices": int64_indices,
            "stable_ties": stable_ties,
        },
        documented=documented or {},
        known_differences=known,
        sweep=sweep,
        oracle="numpy",
    )
    case.implement("numpy")(with_numpy)
    case.implement("tensorflow")(with_tensorflow)
    case.implement("torch")(with_torch)
    return case


as_written = topk_case(
    "002-1-topk-accuracy",
    "Top-k accuracy on the printed 10x6 matrix, as written (int32 top_k indices in TensorFlow)",
    "softmax, argmax, top_k and top-1..6 accuracy of the document's printed logits and labels; "
    "int32 labels as tf.random.uniform(dtype=tf.int32) made them.",
    LOGITS, np.int32, int64_indices=False, stable_ties=False,
    documented=DOCUMENTED,
    known=[
        KnownDifference(
            "tf.math.top_k returns int32 indices, torch.topk and np.argsort int64 (values equal)",
            outputs="topk_indices", backends="tensorflow", references=("torch", "numpy"),
            kind="dtype",
        ),
        PROB_DRIFT,
    ],
)

mapped = topk_case(
    "002-1-topk-accuracy-mapped",
    "Top-k accuracy on the printed 10x6 matrix, int64 indices and labels everywhere",
    "The same pipeline with TensorFlow's top_k asked for int64 indices and int64 labels "
    "(PyTorch's class-index dtype): the frameworks agree exactly.",
    LOGITS, np.int64, int64_indices=True, stable_ties=False,
    documented=DOCUMENTED,
    known=[PROB_DRIFT],
)

# The printed matrix rounded to one decimal: 6 of the 10 rows hold equal logits, hence
# equal probabilities (exp and the row sum are the same for equal inputs).
TIED_LOGITS = np.round(LOGITS, 1)

TIE_ORDER = (
    "tie order: tf.math.top_k and a stable NumPy argsort put the lower index first among equal "
    "probabilities, torch.topk on CPU does not (pytorch/pytorch#88227)"
)

ties = topk_case(
    "002-1-topk-accuracy-ties",
    "Top-k accuracy with tied scores: torch.topk's tie order is not TensorFlow's",
    "The printed matrix rounded to one decimal (ties in 6 rows), int64 everywhere: "
    "torch.topk orders equal probabilities differently, so its top-k accuracies differ.",
    TIED_LOGITS, np.int64, int64_indices=True, stable_ties=False,
    known=[
        KnownDifference(
            TIE_ORDER + ": the top-6 index rows differ in 5 of 10 rows (10 of 60 indices)",
            outputs="topk_indices", backends=("tensorflow", "numpy"), references="torch",
            kind="values", mismatched=10,
        ),
        KnownDifference(
            TIE_ORDER + ": 4 of the 60 hits move",
            outputs="correct", backends=("tensorflow", "numpy"), references="torch",
            kind="values", mismatched=4,
        ),
        KnownDifference(
            TIE_ORDER + ": top-2 accuracy is 30 % in TensorFlow against 50 % in PyTorch (the only "
            "one of the 6 accuracies that differs)",
            outputs="accuracy", backends=("tensorflow", "numpy"), references="torch",
            kind="values", max_abs=30, mismatched=1,
        ),
        # The float64 oracle (NumPy's stable argsort of the float64 softmax: equal logits give
        # equal probabilities in float64 too) orders ties as TensorFlow documents, so against it
        # PyTorch is the backend that differs, by the same indices, hits and accuracy.
        KnownDifference(
            TIE_ORDER + "; the float64 oracle sorts stably, so PyTorch alone differs from it: "
            "10 of the 60 top-6 indices",
            outputs="topk_indices", backends="torch", references="oracle",
            kind="values", mismatched=10,
        ),
        KnownDifference(
            TIE_ORDER + "; against the float64 oracle PyTorch moves 4 of the 60 hits",
            outputs="correct", backends="torch", references="oracle",
            kind="values", mismatched=4,
        ),
        KnownDifference(
            TIE_ORDER + "; against the float64 oracle PyTorch's top-2 accuracy is 50 % for 30 % "
            "(measured max_abs 20, 1 of the 6 accuracies)",
            outputs="accuracy", backends="torch", references="oracle",
            kind="values", max_abs=30, mismatched=1,
        ),
    ],
)

ties_mapped = topk_case(
    "002-1-topk-accuracy-ties-mapped",
    "Top-k accuracy with tied scores, PyTorch sorting stably",
    "The tied matrix again, PyTorch ranking with argsort(descending=True, stable=True): "
    "the lower index first among equals, as tf.math.top_k documents; the frameworks agree.",
    TIED_LOGITS, np.int64, int64_indices=True, stable_ties=True,
    sweep=topk_sweep(np.int64),
)
