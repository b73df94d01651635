"""A small run for the report's tests: every status, a loop, a matrix, a hostile case.

Cases are made in memory and run in NumPy and PyTorch only (fast, no TensorFlow):

- ``r-pass``: y = 2x, documented;
- ``r-known``: a 3×3 matrix where NumPy is off by 1e-3 in one element, declared;
- ``r-fail``: NumPy returns the wrong value, undeclared;
- ``r-loop``: gradient descent on a line fit (inputs x, y; outputs loss, w, b trajectories);
- ``HOSTILE``: id, title, description, known-difference reason, error message and source
  code full of markup that must show as text.
"""

from __future__ import annotations

import numpy as np

from equivalence import Case, KnownDifference, Source, printed

HOSTILE = "<script>alert(1)</script>"
HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1">"quoted" & more'
BACKENDS = ["numpy", "torch"]


def make_cases() -> list[Case]:
    passing = Case("r-pass", "y = 2x", Source("doc.txt", "§1"), description="Doubles x.",
                   inputs={"x": np.array([1.0, 2.0, 3.0], np.float32)}, documented={"y": printed("[2. 4. 6.]")})
    passing.implement("numpy")(lambda np, x: {"y": 2 * x})
    passing.implement("torch")(lambda torch, x: {"y": 2 * x})

    known = Case("r-known", "a matrix that differs", Source("doc.txt", "§2"),
                 inputs={"a": np.arange(9, dtype=np.float64).reshape(3, 3)},
                 known_differences=[KnownDifference("NumPy adds 1e-3 to one element, on purpose", outputs="m",
                                                    max_abs=1.5e-3, mismatched=1, at=np.s_[1, 2])])

    @known.numpy
    def known_numpy(np, a):
        m = a.copy()
        m[1, 2] += 1e-3
        return {"m": m}

    known.implement("torch")(lambda torch, a: {"m": a.clone()})

    failing = Case("r-fail", "a wrong answer", Source("doc.txt", "§3"),
                   inputs={"x": np.array([1.0, 2.0], np.float64)})
    failing.implement("numpy")(lambda np, x: {"y": x + 0.5})
    failing.implement("torch")(lambda torch, x: {"y": x})

    loop = Case("r-loop", "a line fitted by gradient descent", Source("doc.txt", "§4"),
                inputs={"x": np.linspace(0.0, 1.0, 8), "y": 3 * np.linspace(0.0, 1.0, 8) + 1, "steps": 30},
                trajectories=("loss", "w", "b"), documented={"loss": printed("[3.60714286]", at=np.s_[:1])})

    def descend(xp, x, y, steps):
        w, b, losses, ws, bs = 0.0, 0.0, [], [], []
        for _ in range(steps):
            residual = w * x + b - y
            losses.append(float((residual**2).mean()) / 2)
            w, b = w - 0.5 * float((residual * x).mean()), b - 0.5 * float(residual.mean())
            ws.append(w)
            bs.append(b)
        return {"loss": np.array(losses), "w": np.array(ws), "b": np.array(bs)}  # NumPy arrays from either

    loop.implement("numpy")(descend)
    loop.implement("torch")(descend)  # the same code on torch tensors

    hostile = Case(HOSTILE, HOSTILE_TITLE, Source("<b>doc</b>.txt", "</section><h1>x</h1>"),
                   description=f"description {HOSTILE}", inputs={"x": np.array([1.0], np.float32)},
                   known_differences=[KnownDifference(f"reason {HOSTILE}", outputs="never")])

    @hostile.numpy
    def hostile_numpy(np, x):
        raise ValueError(f"message {HOSTILE} </pre><script>window.__pwned=2</script>")

    hostile.implement("torch")(lambda torch, x: {"y": x})  # "</script><script>window.__pwned=3</script>"
    return [passing, known, failing, loop, hostile]


def make_result():  # -> RunResult
    from equivalence.runner import run_cases

    return run_cases(make_cases(), BACKENDS, "torch")
