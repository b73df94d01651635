"""Running sweeps: examples drawn by hypothesis, run in every backend, judged, shrunk.

For each sweep of each selected case (:func:`run_sweeps`):

1. hypothesis draws an :class:`~equivalence.sweep.strategies.Example` from the sweep's
   declaration (plain data interpreted here: no case code runs in this process);
2. every backend runs the case on it in its worker process (:class:`~equivalence.sweep.worker.SweepPool`:
   ``run``'s isolation and limits), and the oracle implementation runs it in float64;
3. each backend is compared with the reference backend (:func:`equivalence.rows.compare_pair`,
   with the sweep's tolerance and known differences) and with the oracle
   (:mod:`equivalence.sweep.oracle`);
4. an example **fails** when a row fails that no bounded known difference of the sweep
   covers: a backend farther from the oracle than the rule allows, a difference in
   dtype, shape, raising or missing outputs, or (when no oracle could be computed)
   values beyond the tolerance. A disagreement beyond the tolerance where every
   backend is within the oracle's bound is rounding: counted, not a failure. An example
   in which every backend and the oracle raise is outside the computation's domain and
   is discarded (``hypothesis.reject``).
5. hypothesis shrinks every failure to a minimal example; failures are told apart by
   (output, backend, reference, what differs), each shrunk on its own, and the minimal
   example of each is replayed and recorded with its rows and a command that
   reproduces it (``--example``).

Examples the search found failing are kept in hypothesis' example database
(``.hypothesis/`` under the working directory) and replayed first next time.
"""

from __future__ import annotations

import dataclasses
import json
import math
import secrets
import shlex
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._text import printable
from ..backends import DEFAULT_BACKENDS, DEFAULT_REFERENCE, get_backend
from ..case import Case
from ..execution import ErrorInfo, Execution, applies, execute
from ..results import Row
from .oracle import OracleError, budget, multiplier, oracle_error
from .oracle import bound as allowed_error
from .spec import Sweep, sweeps_of
from .strategies import Example, example_strategy, numpy_dtype, round_bfloat16
from .worker import BFLOAT16, SweepPool, prepare

__all__ = ["ORACLE", "Finding", "SweepResult", "SweepSummary", "evaluate", "run_sweeps", "sweep_case"]

#: The reference name of comparisons with the float64 oracle.
ORACLE = "oracle"
DEFAULT_EXAMPLES = 100


# -- running one example in every backend ---------------------------------------------------


class Executor:
    """Runs a case in several backends at once: in worker processes (``isolate``) or here."""

    def __init__(self, isolate: bool = True, jobs: int = 1, timeout: float | None = None) -> None:
        self.isolate, self.jobs, self.timeout = isolate, jobs, timeout
        self._pool: SweepPool | None = None

    def run(self, case: Case, tasks: Sequence[tuple[str, str, dict[str, Any]]]) -> dict[str, tuple[Execution, float]]:
        """``tasks`` are (key, backend, inputs); returns key -> (execution, wall seconds)."""
        from ..runner import runs_in_worker

        results: dict[str, tuple[Execution, float]] = {}
        remote = [t for t in tasks if runs_in_worker(case, t[1], self.isolate)]
        for key, backend, inputs in (t for t in tasks if not any(t is r for r in remote)):
            start = time.perf_counter()
            if self.isolate:  # nothing to run (a skip): no case code, no framework, here
                inputs = {k: v for k, v in inputs.items() if k != BFLOAT16}
            try:
                execution = execute(case, backend, inputs if self.isolate else prepare(backend, inputs))
            except Exception as exc:  # preparing bfloat16 inputs failed
                execution = Execution(case.id, backend, error=ErrorInfo.from_exception(exc))
            results[key] = (execution, time.perf_counter() - start)
        if remote:
            from ..isolation import DEFAULT_TIMEOUT, Task

            if self._pool is None:
                self._pool = SweepPool(jobs=self.jobs, timeout=self.timeout or DEFAULT_TIMEOUT)
            keys: dict[int, str] = {}
            pending = []
            for key, backend, inputs in remote:
                self._pool.prestart(backend)
                task = Task(case.path, case.id, backend, inputs)
                keys[id(task)] = key
                pending.append(task)
            last = time.perf_counter()

            def done(task: Any, execution: Execution) -> None:
                nonlocal last
                now = time.perf_counter()
                results[keys[id(task)]] = (execution, now - last)
                last = now

            self._pool.run(pending, done)
        return results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _cast(value: Any, dtype: str) -> Any:
    """A float array (or NumPy float scalar) as ``dtype``; anything else unchanged."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        cast = value.astype(numpy_dtype(dtype))
        return round_bfloat16(cast) if dtype == "bfloat16" else cast
    if isinstance(value, np.floating):
        cast = numpy_dtype(dtype)(value)
        return np.float32(round_bfloat16(np.array([cast]))[0]) if dtype == "bfloat16" else cast
    return value


def example_inputs(fixed: Mapping[str, Any], example: Example, dtype: str | None = None) -> dict[str, Any]:
    """The inputs of one example: the case's fixed inputs with their float arrays in the
    example's dtype (or ``dtype``: float64 for the oracle), the swept ones over them;
    bfloat16 inputs are named under :data:`~equivalence.sweep.worker.BFLOAT16`."""
    target = dtype or example.dtype
    inputs: dict[str, Any] = {}
    bfloat16 = []
    for name, value in fixed.items():
        if name in example.inputs:
            continue
        inputs[name] = _cast(value, target)
        if target == "bfloat16" and inputs[name] is not value:
            bfloat16.append(name)
    for name, value in example.inputs.items():
        if dtype is not None and value.dtype.kind == "f":
            value = value.astype(numpy_dtype(dtype))
        elif dtype is None and name in example.bfloat16:
            bfloat16.append(name)
        inputs[name] = value
    if bfloat16:
        inputs[BFLOAT16] = bfloat16
    return inputs


# -- judging one example ---------------------------------------------------------------------


@dataclass
class Judged:
    """What one example gave: its rows, which of them fail, and the per-backend times."""

    example: Example
    rows: list[Row]
    failing: list[Row]
    #: Rows beyond the tolerance that the oracle judged rounding.
    rounding: int = 0
    #: Every backend and the oracle raised: not in the computation's domain.
    invalid: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    oracle_dtype: str = ""

    def signature(self) -> tuple[str, ...]:
        row = self.failing[0]
        return (row.output, row.backend, row.reference, row.status, row.differs)


def _view(case: Case, sweep: Sweep, dtype: str) -> Case:
    """The case as the comparisons of a sweep see it: the sweep's tolerance and known
    differences instead of the fixed inputs' ones."""
    return dataclasses.replace(case, tolerance=sweep.tolerance_for_dtype(dtype),
                               known_differences=sweep.known_for_dtype(dtype))


def _known_for(view: Case, output: str, backend: str, reference: str, kinds: Sequence[str],
               measured: Mapping[str, float]) -> Any:
    """The first of the sweep's declarations that covers ``kinds`` of this comparison
    (within its bounds when ``values`` is among them), or None. Unlike a fixed-input
    run, where the first declaration matching a row decides, a sweep's row may be
    covered in parts: its dtype by one declaration, its values by another."""
    for known in view.known_differences:
        if not known.matches(output, backend, reference) or not set(kinds) <= set(known.kinds):
            continue
        if "values" in kinds and (not known.bounds or any(
                not measured.get(column, math.nan) <= bound for column, bound in known.bounds.items())):
            continue
        return known
    return None


def _status(view: Case, row: Row, kinds: Sequence[str], measured: Mapping[str, float]) -> str:
    """``known_difference`` (and the row's ``declared``/``bound`` filled) when a
    declaration covers ``kinds``, else ``fail``."""
    if not kinds:
        return "pass"
    known = _known_for(view, row.output, row.backend, row.reference, kinds, measured)
    if known is None:
        return "error" if {"error", "missing"} & set(kinds) else "fail"
    row.declared = "; ".join(x for x in dict.fromkeys([row.declared, known.reason]) if x)
    row.bound = "; ".join(x for x in dict.fromkeys([row.bound, known.describe()]) if x)
    return "known_difference"


def _oracle_rows(view: Case, executions: Mapping[str, Execution], oracle: Execution) -> list[Row]:
    from ..compare import compare_arrays
    from ..tolerance import default_tolerance

    rows: list[Row] = []
    for name, expected in oracle.outputs.items():
        measured: dict[str, OracleError] = {}
        problems: dict[str, str] = {}
        for backend, execution in executions.items():
            if not execution.ok or name not in execution.outputs:
                continue
            try:
                measured[backend] = oracle_error(execution.outputs[name], expected, execution.dtypes[name])
            except ValueError as exc:
                problems[backend] = str(exc)
        # the best of the backends whose output has the same dtype (peers, as torch compares
        # eager and compiled results of one dtype)
        bests: dict[str, tuple[float, str]] = {}
        for backend, error in measured.items():
            dtype = executions[backend].dtypes[name]
            if dtype not in bests or error.error < bests[dtype][0]:
                bests[dtype] = (error.error, backend)
        for backend, problem in problems.items():
            execution = executions[backend]
            row = Row(case=view.id, output=name, backend=backend, reference=ORACLE, status="fail", message=problem,
                      seconds=execution.seconds, differs="shape", shape=str(execution.outputs[name].shape),
                      reference_shape=str(expected.shape), dtype=execution.dtypes[name],
                      reference_dtype=oracle.dtypes.get(name, ""))
            row.status = _status(view, row, ("shape",), {})
            rows.append(row)
        for backend, error in measured.items():
            execution = executions[backend]
            actual, dtype = execution.outputs[name], execution.dtypes[name]
            best, best_backend = bests[dtype]
            tol = view.tolerance_for(name, backend, ORACLE) or default_tolerance(dtype)
            result = compare_arrays(actual, expected, tol, actual_dtype=dtype,
                                    expected_dtype=oracle.dtypes.get(name), check_dtype=False)
            allowed = allowed_error(dtype, int(actual.size), best, error)
            farther = not result.passed and not error.error <= allowed
            what = "fraction of elements differing from" if error.exact else "RMSE against"
            message = (f"{what} the float64 oracle {error.error:.3g}; best {best:.3g} ({best_backend}); allowed "
                       f"{multiplier(dtype, int(actual.size)):g}×best + {budget(dtype, error):.3g} = "
                       f"{allowed:.3g}")
            if farther:
                message = f"farther from the oracle than the rule allows: {message}"
            elif not result.passed:
                message = f"beyond the tolerance of the oracle, within the rule (rounding): {message}"
            stats = {"max_abs_diff": result.max_abs_diff, "max_rel_diff": result.max_rel_diff,
                     "max_ulp_diff": result.max_ulp_diff, "mismatched": float(result.mismatched)}
            row = Row(case=view.id, output=name, backend=backend, reference=ORACLE, status="pass", message=message,
                      seconds=execution.seconds, differs="values" if farther else "", shape=str(actual.shape),
                      reference_shape=str(expected.shape), dtype=dtype, reference_dtype=oracle.dtypes.get(name, ""),
                      rtol=tol.rtol, atol=tol.atol, max_abs_diff=result.max_abs_diff,
                      max_rel_diff=result.max_rel_diff, max_ulp_diff=result.max_ulp_diff,
                      mismatched=result.mismatched, numel=result.numel, tolerances=result.tolerances,
                      worst=result.worst)
            row.status = _status(view, row, ("values",) if farther else (), stats)
            row.oracle_error, row.oracle_best, row.oracle_bound = error.error, best, allowed  # type: ignore[attr-defined]
            rows.append(row)
    return rows


def _rejudge(view: Case, row: Row, sides: list[Row]) -> int:
    """A failing comparison between two backends, judged again in parts: what differs
    besides the values (dtype, shape, an error) by the sweep's declarations; the values,
    when the oracle judged both sides, by their oracle rows (both within the rule:
    rounding, which passes), else by the declarations' bounds. Returns 1 when the values
    were rounding."""
    from ..results import worst

    kinds = tuple(k for k in row.differs.split(",") if k)
    row.declared = row.bound = ""
    others = tuple(k for k in kinds if k != "values")
    statuses = [_status(view, row, others, {})] if others else []
    rounding = 0
    if "values" in kinds and len(sides) == 2:
        farther = [s for s in sides if s.status in ("fail", "known_difference")]
        if farther:
            statuses.append("fail" if any(s.status == "fail" for s in farther) else "known_difference")
            row.message = "; ".join(f"{s.backend} {s.message}" for s in farther) + f" ({row.message})"
            row.declared = "; ".join(x for x in dict.fromkeys([row.declared, *(s.declared for s in farther)]) if x)
            row.bound = "; ".join(x for x in dict.fromkeys([row.bound, *(s.bound for s in farther)]) if x)
        else:
            row.message = f"beyond the tolerance, rounding by the float64 oracle: {row.message}"
            rounding = 1
    elif "values" in kinds:
        measured = {"max_abs_diff": row.max_abs_diff, "max_rel_diff": row.max_rel_diff,
                    "max_ulp_diff": row.max_ulp_diff, "mismatched": float(row.mismatched)}
        statuses.append(_status(view, row, ("values",), measured))
    row.status = worst(statuses) if statuses else "pass"
    return rounding


def judge_example(case: Case, sweep: Sweep, example: Example, executions: Mapping[str, Execution],
                  oracle: Execution | None, reference: str) -> Judged:
    """The rows of one example, and those that fail (see the module docstring)."""
    from ..rows import compare_pair

    view = _view(case, sweep, example.dtype)
    ran = {b: e for b, e in executions.items() if applies(case, b)}
    ok_oracle = oracle if oracle is not None and oracle.ok else None
    raised = [e for e in ran.values() if e.error is not None]
    if raised and not any(e.ok for e in ran.values()) and (oracle is None or oracle.error is not None):
        return Judged(example, [], [], invalid=True)  # outside the computation's domain
    oracle_rows = _oracle_rows(view, ran, ok_oracle) if ok_oracle is not None else []
    by_side = {(r.output, r.backend): r for r in oracle_rows}
    pair_rows: list[Row] = []
    ref = ran.get(reference)
    rounding = 0
    for backend, execution in ran.items():
        if backend == reference or ref is None:
            continue
        compared = [(execution, ref)]
        eager = ran.get(get_backend(backend).implementation)
        if eager is not None and eager is not execution and eager.backend != reference:
            compared.append((execution, eager))
        for one, other in compared:
            for row in compare_pair(view, one, other):
                if row.status == "unexpected_pass":
                    row.status, row.message, row.declared, row.bound = "pass", "", "", ""
                elif row.status == "fail" and not row.differs:  # NaN everywhere in both: NaN in, NaN out
                    row.status = "pass"
                if row.status in ("fail", "error", "known_difference") and row.differs:
                    sides = [by_side.get((row.output, b)) for b in (row.backend, row.reference)]
                    rounding += _rejudge(view, row, [s for s in sides if s is not None])
                pair_rows.append(row)
    rows = oracle_rows + pair_rows
    failing = [r for r in rows if r.status in ("fail", "error")]
    return Judged(example, rows, failing, rounding=rounding,
                  oracle_dtype=",".join(sorted(set(ok_oracle.dtypes.values()))) if ok_oracle is not None else "")


def evaluate(case: Case, sweep: Sweep, example: Example, executor: Executor, backends: Sequence[str],
             reference: str, fixed: Mapping[str, Any]) -> Judged:
    """Run one example in every backend and the oracle, and judge it."""
    tasks: list[tuple[str, str, dict[str, Any]]] = []
    skipped: dict[str, Execution] = {}
    inputs = example_inputs(fixed, example)
    for backend in backends:
        implementation = get_backend(backend).implementation
        if example.dtype == "bfloat16" and implementation == "numpy":
            skipped[backend] = Execution(case.id, backend, skipped="NumPy has no bfloat16 dtype")
        elif not applies(case, backend):
            skipped[backend] = Execution(case.id, backend, skipped="not an execution mode of this case")
        else:
            tasks.append((backend, backend, inputs))
    if sweep.oracle is not None and sweep.oracle in case.implementations and get_backend(sweep.oracle).available:
        tasks.append((ORACLE, sweep.oracle, example_inputs(fixed, example, "float64")))
    done = executor.run(case, tasks)
    executions = {b: (skipped[b] if b in skipped else done[b][0]) for b in backends}
    judged = judge_example(case, sweep, example, executions, done[ORACLE][0] if ORACLE in done else None, reference)
    judged.seconds = {key: seconds for key, (_, seconds) in done.items()}
    return judged


# -- results --------------------------------------------------------------------------------

FINDING_COLUMNS = (
    "case", "sweep", "output", "backend", "reference", "status", "dtype", "example_dtype", "shape",
    "max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched", "numel", "oracle_error", "oracle_best",
    "oracle_bound", "message", "declared", "bound", "input", "reproduce",
)  # fmt: skip


@dataclass
class Finding:
    """One row of a minimal failing example (``sweep.csv``/``sweep.json``)."""

    case: str
    sweep: str
    output: str
    backend: str
    reference: str
    status: str
    dtype: str
    example_dtype: str
    shape: str
    max_abs_diff: float
    max_rel_diff: float
    max_ulp_diff: float
    mismatched: int
    numel: int
    oracle_error: float
    oracle_best: float
    oracle_bound: float
    message: str
    declared: str
    bound: str
    input: dict[str, Any]
    reproduce: str

    def record(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        return {c: values[c] for c in FINDING_COLUMNS}


@dataclass
class SweepSummary:
    """One sweep of one case: what ran, how fast, what it found."""

    case: str
    sweep: str
    path: str
    examples: int = 0
    invalid: int = 0
    rounding: int = 0
    failures: int = 0
    status: str = "pass"  # pass, fail, error (the sweep could not run), skipped
    message: str = ""
    seconds: float = 0.0
    #: Wall seconds spent per backend (and the oracle), over all examples.
    backend_seconds: dict[str, float] = field(default_factory=dict)
    backend_examples: dict[str, int] = field(default_factory=dict)
    dtypes: dict[str, int] = field(default_factory=dict)
    seed: int = 0

    def rates(self) -> dict[str, float]:
        """Examples per second, per backend."""
        return {b: self.backend_examples[b] / s for b, s in self.backend_seconds.items() if s > 0}

    def record(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "examples_per_second": self.rates()}


@dataclass
class SweepResult:
    summaries: list[SweepSummary]
    findings: list[Finding]
    metadata: dict[str, Any]

    @property
    def failed(self) -> bool:
        """A failing finding, a sweep that could not run, or nothing swept at all."""
        return (not any(s.status != "skipped" for s in self.summaries)
                or any(s.status in ("fail", "error") for s in self.summaries))

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        from .._io import atomic_write_text
        from .._json import dumps

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"csv": out / "sweep.csv", "json": out / "sweep.json"}
        document = {"metadata": self.metadata, "sweeps": [s.record() for s in self.summaries],
                    "findings": [f.record() for f in self.findings]}
        atomic_write_text(paths["json"], dumps(document, printable=True) + "\n")
        import csv
        import io

        from .._json import strict

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(FINDING_COLUMNS)
        for finding in self.findings:
            record = strict(finding.record())
            writer.writerow([json.dumps(v, separators=(",", ":")) if isinstance(v, (dict, list)) else
                             "" if v is None else v for v in record.values()])
        atomic_write_text(paths["csv"], buffer.getvalue())
        return paths


# -- the search --------------------------------------------------------------------------------


class Disagreement(Exception):
    """Raised from the hypothesis test for a failing example; one subclass per signature,
    so that hypothesis shrinks each kind of failure on its own."""


_CLASSES: dict[tuple[str, ...], type[Disagreement]] = {}


def _disagreement(signature: tuple[str, ...]) -> type[Disagreement]:
    if signature not in _CLASSES:
        _CLASSES[signature] = type(f"Disagreement{len(_CLASSES)}", (Disagreement,), {"signature": signature})
    return _CLASSES[signature]


def _raise(judged: Judged) -> None:
    row = judged.failing[0]
    raise _disagreement(judged.signature())(f"{row.case} {row.output}: {row.backend} vs {row.reference}: {row.message}")


def _leaves(error: BaseException) -> Iterable[BaseException]:
    """The exceptions inside an exception group (hypothesis reports several failures as
    one; Python 3.10 has the ``exceptiongroup`` backport's), or the exception itself."""
    inner = getattr(error, "exceptions", None)
    if isinstance(inner, (list, tuple)) and all(isinstance(e, BaseException) for e in inner):
        for one in inner:
            yield from _leaves(one)
    else:
        yield error


def _reproduce(case: Case, sweep: Sweep, example: Example, backends: Sequence[str], reference: str,
               cwd: Path) -> str:
    try:
        path = str(Path(case.path).resolve().relative_to(cwd))
    except ValueError:
        path = case.path
    words = ["python", "-m", "equivalence", "sweep", path, "--id", case.id]
    if sweep.name:
        words += ["--sweep", sweep.name]
    if list(backends) != list(DEFAULT_BACKENDS):
        words += ["--backends", ",".join(backends)]
    if reference != DEFAULT_REFERENCE:
        words += ["--reference", reference]
    words += ["--example", example.text()]
    return shlex.join(words)


def _findings(case: Case, sweep: Sweep, judged: Judged, backends: Sequence[str], reference: str,
              include_known: bool) -> list[Finding]:
    shown = ("fail", "error", "known_difference") if include_known else ("fail", "error")
    wanted = [r for r in judged.rows if r.status in shown]
    outputs = {r.output for r in wanted}
    # the oracle rows of those outputs too: which side is farther, in numbers
    context = [r for r in judged.rows if r.reference == ORACLE and r.output in outputs and r not in wanted]
    command = _reproduce(case, sweep, judged.example, backends, reference, Path.cwd())
    data = judged.example.to_data()
    return [Finding(
        case=case.id, sweep=sweep.name, output=r.output, backend=r.backend, reference=r.reference, status=r.status,
        dtype=r.dtype, example_dtype=judged.example.dtype, shape=r.shape, max_abs_diff=r.max_abs_diff,
        max_rel_diff=r.max_rel_diff, max_ulp_diff=r.max_ulp_diff, mismatched=r.mismatched, numel=r.numel,
        oracle_error=getattr(r, "oracle_error", math.nan), oracle_best=getattr(r, "oracle_best", math.nan),
        oracle_bound=getattr(r, "oracle_bound", math.nan), message=printable(r.message), declared=r.declared,
        bound=r.bound, input=data, reproduce=command) for r in wanted + context]


Progress = Callable[[str, Any], None]


def sweep_case(case: Case, sweep: Sweep, executor: Executor, *, backends: Sequence[str], reference: str,
               examples: int = DEFAULT_EXAMPLES, seed: int | None = None, database: Any = "default",
               include_known: bool = False, example: Example | None = None,
               progress: Progress | None = None) -> tuple[SweepSummary, list[Finding]]:
    """Search one sweep of one case; the summary and the minimal failing examples' rows.

    ``database``: ``"default"`` (hypothesis' own, ``.hypothesis/`` here), None (none), or
    a hypothesis database. ``include_known``: declared known differences count as
    failures for the search too (to find their minimal examples). ``example``: run only
    this example, no search."""
    seed = secrets.randbelow(2**32) if seed is None else seed
    summary = SweepSummary(case.id, sweep.name, case.path, seed=seed)
    findings: list[Finding] = []
    started = time.perf_counter()
    try:
        fixed = case.make_inputs()
    except Exception as exc:
        summary.status, summary.message = "error", f"making the fixed inputs failed: {ErrorInfo.from_exception(exc)}"
        return summary, findings

    def failing(judged: Judged) -> list[Row]:
        if include_known:
            return [r for r in judged.rows if r.status in ("fail", "error", "known_difference")]
        return judged.failing

    def account(judged: Judged) -> None:
        summary.dtypes[judged.example.dtype] = summary.dtypes.get(judged.example.dtype, 0) + 1
        if judged.invalid:
            summary.invalid += 1
            return
        summary.examples += 1
        summary.rounding += judged.rounding
        for key, seconds in judged.seconds.items():
            summary.backend_seconds[key] = summary.backend_seconds.get(key, 0.0) + seconds
            summary.backend_examples[key] = summary.backend_examples.get(key, 0) + 1
        if progress is not None:
            progress("example", (summary, judged))

    def run_one(drawn: Example) -> Judged:
        judged = evaluate(case, sweep, drawn, executor, backends, reference, fixed)
        judged.failing = failing(judged)
        account(judged)
        return judged

    if example is not None:
        judged = run_one(example)
        if judged.failing:
            findings += _findings(case, sweep, judged, backends, reference, include_known)
        summary.failures = 1 if judged.failing else 0
        summary.status = ("fail" if any(r.status in ("fail", "error") for r in judged.failing)
                          else "known_difference" if judged.failing else "pass")
        if judged.invalid:
            summary.message = "every backend and the oracle raised on this example"
        summary.seconds = time.perf_counter() - started
        return summary, findings

    from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings
    from hypothesis import seed as seeded
    from hypothesis.control import current_build_context
    from hypothesis.errors import Flaky, Unsatisfiable

    minimal: dict[tuple[str, ...], Judged] = {}

    def test(drawn: Example) -> None:
        judged = run_one(drawn)
        if judged.invalid:
            reject()
        if judged.failing:
            if current_build_context().is_final:
                minimal[(judged.example.dtype, *judged.signature())] = judged
            _raise(judged)

    chosen = getattr(settings.default, "database", None) if database == "default" else database
    # Each dtype is searched on its own, with an equal share of the examples: drawn as one
    # more choice, hypothesis would spend most examples on the first dtype (its simplest).
    per_dtype = max(1, math.ceil(examples / len(sweep.dtypes)))
    configured = settings(
        max_examples=per_dtype, deadline=None, database=chosen, verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck), report_multiple_bugs=True, print_blob=False,
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
    )
    for dtype in sweep.dtypes:
        strategy = example_strategy(dataclasses.replace(sweep, dtypes=(dtype,)))
        wrapped: Any = seeded(seed)(configured(given(strategy)(test)))  # type: ignore[no-untyped-call]
        # One example-database key per sweep and dtype (hypothesis would key them all by this test function).
        wrapped._hypothesis_internal_database_key = f"equivalence-sweep/{case.id}/{sweep.name}/{dtype}".encode()
        try:
            wrapped()
        except Unsatisfiable:
            summary.message += f"{dtype}: no valid example (every backend and the oracle raised on all of them); "
        except Flaky as exc:  # a failure that did not reproduce on replay: a non-deterministic backend?
            summary.status = "fail"
            summary.message += f"{dtype}: a failure did not reproduce when replayed (flaky): {exc}; "
        except Exception as exc:
            unknown = [e for e in _leaves(exc) if not isinstance(e, Disagreement)]
            if unknown:
                raise
    for judged in minimal.values():
        findings += _findings(case, sweep, judged, backends, reference, include_known)
    summary.failures = len(minimal)
    if minimal:
        summary.status = "fail" if any(r.status in ("fail", "error") for j in minimal.values() for r in j.failing) \
            else "known_difference"
    if summary.status == "pass" and summary.examples == 0:
        summary.status = "error"
        summary.message = summary.message or "no example ran"
    summary.seconds = time.perf_counter() - started
    return summary, findings


def run_sweeps(paths: str | Path | Sequence[str | Path] = ("cases",), *, select: str | None = None, ids: Sequence[str] = (),
               sweep_name: str | None = None, backends: Sequence[str] | None = None,
               reference: str = DEFAULT_REFERENCE, examples: int = DEFAULT_EXAMPLES, seed: int | None = None,
               isolate: bool = True, jobs: int = 1, timeout: float | None = None, database: Any = "default",
               include_known: bool = False, example: Mapping[str, Any] | Example | None = None,
               progress: Progress | None = None) -> SweepResult:
    """Discover the cases under ``paths`` (in a child process when ``isolate``), keep those
    matching ``select`` (``-k``) and ``ids`` (exact ids), and run every sweep they declare."""
    from ..runner import _ordered_backends, discover_cases, run_metadata

    started = time.time()
    chosen = _ordered_backends(backends)
    if reference not in chosen:
        raise ValueError(f"reference backend {reference!r} is not among the backends run: {', '.join(chosen)}")
    found = [str(paths)] if isinstance(paths, (str, Path)) else [str(p) for p in paths]
    cases, errors = discover_cases(found, select, isolate=isolate)
    if ids:
        missing = sorted(set(ids) - {c.id for c in cases})
        if missing:
            raise ValueError(f"no case with id {', '.join(missing)} under {' '.join(found)}")
        cases = [c for c in cases if c.id in ids]
    summaries: list[SweepSummary] = []
    findings: list[Finding] = []
    for error in errors:
        summaries.append(SweepSummary(error.path, "", error.path, status="error",
                                      message=f"case file failed to import: {error.error}"))
    seed = secrets.randbelow(2**32) if seed is None else seed
    if isinstance(example, Mapping):
        example = Example.from_data(example)
    executor = Executor(isolate=isolate, jobs=jobs, timeout=timeout)
    complete = True
    try:
        for case in cases:
            for sweep in sweeps_of(case):
                if sweep_name is not None and sweep.name != sweep_name:
                    continue
                if progress is not None:
                    progress("start", (case, sweep))
                summary, found_here = sweep_case(case, sweep, executor, backends=chosen, reference=reference,
                                                 examples=examples, seed=seed, database=database,
                                                 include_known=include_known, example=example, progress=progress)
                summaries.append(summary)
                findings += found_here
                if progress is not None:
                    progress("done", (summary, found_here))
    except KeyboardInterrupt:
        complete = False
    finally:
        executor.close()
    metadata = run_metadata(chosen, reference, started)
    metadata.update(complete=complete, isolated=isolate, jobs=jobs, examples=examples, seed=seed,
                    include_known=include_known, oracle_rule=(
                        "a backend fails the oracle when it is outside the tolerance of the float64 oracle and its "
                        "RMSE exceeds multiplier x the best backend's RMSE + eps(dtype) x RMS(oracle); multiplier 3 "
                        "for float16/bfloat16 or < 1000 elements, else 2 (torch._dynamo.utils.same with fp64_ref)"))
    return SweepResult(summaries, findings, metadata)
