"""Running sweeps: examples drawn by hypothesis, run in every backend, judged, shrunk.

For each sweep of each selected case (:func:`run_sweeps`):

1. hypothesis draws an :class:`~equivalence.sweep.strategies.Example` from the sweep's
   declaration (plain data interpreted here: no case code runs in this process);
2. every backend runs the case on it in its worker process (:mod:`.executor`:
   ``run``'s isolation and limits), and the oracle implementation runs it in float64;
3. each backend is compared with the reference backend and with the oracle, and the
   example fails when a row fails that no bounded known difference of the sweep covers
   (:mod:`.judge`); an example in which every backend and the oracle raise is outside
   the computation's domain and is discarded (``hypothesis.reject``);
4. hypothesis shrinks every failure to a minimal example; failures are told apart by
   (output, backend, reference, what differs), each shrunk on its own, and the minimal
   example of each is replayed and recorded with its rows and a command that
   reproduces it (``--example``) as :class:`~.findings.Finding` rows (:mod:`.findings`:
   ``sweep.json``, ``sweep.csv``, ``sweep.html``).

Examples the search found failing are kept in hypothesis' example database
(``.hypothesis/`` under the working directory) and replayed first next time. The names
of :mod:`.executor`, :mod:`.judge` and :mod:`.findings` are importable from here too.
"""

from __future__ import annotations

import dataclasses
import math
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..backends import DEFAULT_REFERENCE
from ..case import Case
from ..execution import ErrorInfo
from ..results import FAILING, Row
from .executor import Executor, example_inputs
from .findings import FINDING_COLUMNS, Finding, SweepResult, SweepSummary, findings_of
from .judge import DIFFERING, ORACLE, Judged, evaluate, judge_example
from .spec import Sweep, sweeps_of
from .strategies import Example, example_strategy

__all__ = ["DEFAULT_EXAMPLES", "FINDING_COLUMNS", "ORACLE", "Executor", "Finding", "Judged", "SweepResult",
           "SweepSummary", "evaluate", "example_inputs", "judge_example", "run_sweeps", "sweep_case"]

DEFAULT_EXAMPLES = 100


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
            return [r for r in judged.rows if r.status in DIFFERING]
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
            findings += findings_of(case, sweep, judged, backends, reference, include_known)
        summary.failures = 1 if judged.failing else 0
        summary.status = ("fail" if any(r.status in FAILING for r in judged.failing)
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
        findings += findings_of(case, sweep, judged, backends, reference, include_known)
    summary.failures = len(minimal)
    if minimal:
        summary.status = "fail" if any(r.status in FAILING for j in minimal.values() for r in j.failing) \
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
    from ..runner import discover_cases, ordered_backends, run_metadata

    started = time.time()
    chosen = ordered_backends(backends)
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
