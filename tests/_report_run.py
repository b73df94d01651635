"""A small run for the report's tests: every status, a loop, a matrix, a hostile case.

Cases are made in memory and run in NumPy and PyTorch only (fast, no TensorFlow):

- ``r-pass``: y = 2x, documented;
- ``r-known``: a 3×3 matrix where NumPy is off by 1e-3 in one element, declared;
- ``r-fail``: NumPy returns the wrong value, undeclared;
- ``r-loop``: gradient descent on a line fit (inputs x, y; outputs loss, w, b trajectories);
- ``HOSTILE``: id, title, description, known-difference reason, error message and source
  code full of markup that must show as text; NumPy raises (an exception);

and the failures the report must tell on its first screen:

- ``r-diverge``: a loop (201 steps) that NumPy makes diverge from step 50, by a relative
  1e-6 growing 3 % a step (about 10 tolerances out at step 50, 840 at step 200);
- ``r-grad``: a gradient with a 1e-3 relative error in one element, beside a near-zero
  element whose 5 % relative noise is harmless (its max rel is not the story);
- ``r-shape``: NumPy returns 3 elements where PyTorch returns 2.
"""

from __future__ import annotations

import numpy as np

from equivalence import Case, KnownDifference, Source, printed

HOSTILE = "<script>alert(1)</script>"
HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1">"quoted" & more'
BACKENDS = ["numpy", "torch"]


def make_cases(hostile: bool = True) -> list[Case]:
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

    if hostile:
        raising = Case(HOSTILE, HOSTILE_TITLE, Source("<b>doc</b>.txt", "</section><h1>x</h1>"),
                       description=f"description {HOSTILE}", inputs={"x": np.array([1.0], np.float32)},
                       known_differences=[KnownDifference(f"reason {HOSTILE}", outputs="never")])

        @raising.numpy
        def hostile_numpy(np, x):
            raise ValueError(f"message {HOSTILE} </pre><script>window.__pwned=2</script>")

        raising.implement("torch")(lambda torch, x: {"y": x})  # "</script><script>window.__pwned=3</script>"
    else:  # the same exception, in words a screenshot can show
        raising = Case("r-raises", "an exception", Source("doc.txt", "§8"), inputs={"x": np.array([1.0], np.float32)})

        @raising.numpy
        def raises(np, x):
            return {"y": np.log(x) / np.linalg.norm(x, ord="nuclear")}  # ValueError: a 1-D array has no nuclear norm

        raising.implement("torch")(lambda torch, x: {"y": torch.log(x)})
    return [passing, known, failing, loop, raising, *planted()]


DIVERGES_AT = 50


def trajectory(steps: int, kick: bool) -> dict[str, np.ndarray]:
    """A decaying loss and a 2-component weight; with ``kick``, off from step 50 on."""
    t = np.arange(steps, dtype=np.float64)
    loss = 100 * 0.99**t
    w = np.stack([1 - 0.995**t, 2 - 0.99**t], axis=1)
    if kick:
        grow = np.where(t >= DIVERGES_AT, 1e-6 * 1.03 ** (t - DIVERGES_AT), 0.0)
        loss = loss * (1 + grow)
        w = w.copy()
        w[:, 1] *= 1 + grow
    return {"loss": loss, "w": w}


def planted() -> list[Case]:
    diverge = Case("r-diverge", "a loop that diverges from step 50", Source("doc.txt", "§5"),
                   inputs={"steps": 201}, trajectories=("loss", "w"))
    diverge.implement("numpy")(lambda np, steps: trajectory(steps, kick=True))
    diverge.implement("torch")(lambda torch, steps: trajectory(steps, kick=False))

    grad = Case("r-grad", "a gradient 1e-3 off in one element", Source("doc.txt", "§6"),
                inputs={"g": np.array([1.0, 2.0, 1e-12, -3.0])})
    grad.implement("numpy")(lambda np, g: {"dw": g * np.array([1.0, 1.001, 1.05, 1.0])})
    grad.implement("torch")(lambda torch, g: {"dw": g.clone()})

    shape = Case("r-shape", "a shape mismatch", Source("doc.txt", "§7"), inputs={"x": np.array([1.0, 2.0])})
    shape.implement("numpy")(lambda np, x: {"y": np.append(x, 3.0)})
    shape.implement("torch")(lambda torch, x: {"y": x})
    return [diverge, grad, shape]


def make_result(hostile: bool = True):  # -> RunResult
    from equivalence.runner import run_cases

    return run_cases(make_cases(hostile), BACKENDS, "torch")


def drift_report(result):  # -> DriftReport
    """Two baselines of ``result``, the second with planted changes (NumPy's version
    bumped; ``r-loop`` loss 1e-3 off in NumPy, ``r-pass`` y one ULP off in PyTorch)."""
    import copy

    from equivalence.baseline.drift import compare_baselines
    from equivalence.baseline.storage import Baseline

    before = Baseline.from_result(result, name="before")
    after = copy.deepcopy(before)
    after.name = "after"
    after.environment["versions"] = {**after.environment.get("versions", {}), "numpy": "9.9.9"}
    snapshot = after.snapshots[("r-loop", "numpy")]
    snapshot.outputs["loss"] = snapshot.outputs["loss"] * (1 + 1e-3)
    snapshot = after.snapshots[("r-pass", "torch")]
    snapshot.outputs["y"] = np.nextafter(snapshot.outputs["y"], np.float32(9))
    return compare_baselines(before, after, cases={c.id: c for c in result.cases})


def main(out: str) -> None:
    """The planted pages, for the README's screenshots: ``python tests/_report_run.py DIR``
    writes DIR/planted/index.html (a run with planted failures), DIR/check/index.html (a
    failing baseline check of the cases that pass) and DIR/compare.html."""
    from pathlib import Path

    from equivalence.report import write_compare_report, write_report
    from equivalence.results import RunResult

    result = make_result(hostile=False)
    print(write_report(result, Path(out) / "planted"))
    calm = {"r-pass", "r-loop", "r-known"}
    passing = RunResult(rows=[r for r in result.rows if r.case in calm], metadata=result.metadata,
                        cases=[c for c in result.cases if c.id in calm], executions=result.executions)
    drift = drift_report(result)
    print(write_report(passing, Path(out) / "check", drift=drift))
    print(write_compare_report(drift, out))


if __name__ == "__main__":
    import sys

    main(sys.argv[1] if len(sys.argv) > 1 else "reports/planted")
