"""Running cases in every backend and turning what they produced into rows.

For each case: inputs are made once; each selected backend runs it (see
:mod:`equivalence.execution`); then every backend is compared with the reference
backend, output by output, and every backend (the reference too) with the documented
values. A backend that raised gives ``error`` rows and the run goes on.

Status of a comparison row: ``pass``/``fail`` from :func:`equivalence.compare.compare_arrays`,
turned into ``known_difference``/``unexpected_pass`` when a declared known difference
matches the row.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from ._oracle_rows import ORACLE, float64_inputs
from .backends import DEFAULT_BACKENDS, DEFAULT_REFERENCE, backend_names, get_backend
from .case import Case
from .discovery import LoadError
from .execution import Execution, applies, execute
from .results import Row, RunResult
from .rows import compare_case, compare_rerun

__all__ = ["discover_cases", "ordered_backends", "reproduce_command", "run", "run_cases", "run_metadata", "runs_in_worker"]

Progress = Callable[[Case, dict[str, Execution], list[Row]], None]


def run_cases(
    cases: Sequence[Case],
    backends: Sequence[str] | None = None,
    reference: str = DEFAULT_REFERENCE,
    *,
    load_errors: Iterable[LoadError] = (),
    progress: Progress | None = None,
    isolate: bool = False,
    jobs: int = 1,
    timeout: float | None = None,
    repeat: int = 1,
    durations: Mapping[tuple[str, str], float] | None = None,
) -> RunResult:
    """Run ``cases`` in ``backends`` (``DEFAULT_BACKENDS`` by default) and compare.

    ``isolate`` runs every backend in worker processes (:mod:`equivalence.isolation`),
    ``jobs`` of them at once, each (case, backend) stopped after ``timeout`` seconds;
    cases not declared in a file (made in memory) run in this process. ``repeat=2``
    runs everything twice and flags outputs that differ bitwise between the runs.
    ``durations`` (seconds per (case, backend), from an earlier results.json) starts the
    longest tasks first, so that ``jobs`` workers stay busy to the end.
    An interrupt (Ctrl-C, or SIGTERM turned into KeyboardInterrupt by the CLI) stops the
    run; the result then holds the finished cases, with ``metadata["complete"]`` False.
    """
    backends = ordered_backends(backends)
    if reference not in backends:
        raise ValueError(f"reference backend {reference!r} is not among the backends run: {', '.join(backends)}")
    started = time.time()
    load_rows = [
        Row(case=e.path, output="*", backend="*", reference="*", status="error",
            message=f"case file failed to import: {e.error}")
        for e in load_errors
    ]
    by_id = {case.id: case for case in cases}
    runs: dict[tuple[str, str], list[Execution]] = {}
    finished: dict[str, list[Row]] = {}
    tasks: list[Any] = []

    wanted = {case.id: {b: repeat for b in backends} for case in cases}  # executions each case waits for

    def record(case_id: str, backend: str, execution: Execution) -> None:
        runs.setdefault((case_id, backend), []).append(execution)
        if all(len(runs.get((case_id, b), ())) == n for b, n in wanted[case_id].items()):
            case = by_id[case_id]
            first = {b: runs[(case_id, b)][0] for b in backends}
            oracle = runs[(case_id, ORACLE)][0] if ORACLE in wanted[case_id] else None
            rows = compare_case(case, first, reference, oracle)
            for b in backends:
                for again in runs[(case_id, b)][1:]:
                    rows += compare_rerun(case, first[b], again)
            finished[case_id] = rows
            if progress is not None:
                progress(case, first, rows)

    complete = True
    try:
        for case in cases:
            made = _make_inputs(case)
            runs_here: list[tuple[str, str, dict[str, Any]]] = []  # (backend, recorded as, inputs)
            if case.oracle is not None and not isinstance(made, Execution):
                wanted[case.id][ORACLE] = 1  # the float64 oracle: once, before the backends
                runs_here.append((case.oracle, ORACLE, float64_inputs(made)))
            if not isinstance(made, Execution):
                runs_here += [(backend, backend, made) for _ in range(repeat) for backend in backends]
            else:
                for _ in range(repeat):
                    for backend in backends:
                        record(case.id, backend, Execution(case.id, backend, error=made.error))
            for backend, role, inputs in runs_here:
                if runs_in_worker(case, backend, isolate):
                    from .isolation import Task

                    tasks.append(Task(case.path, case.id, backend, inputs, role=role))
                else:  # skipped at once, or a case made in memory: run here
                    record(case.id, role, execute(case, backend, inputs))
        if tasks:
            from .isolation import DEFAULT_TIMEOUT, WorkerPool

            if durations:  # longest first; unknown ones (new cases) first of all, to be safe
                tasks.sort(key=lambda t: -durations.get((t.case_id, t.backend), float("inf")))

            with WorkerPool(jobs=jobs, timeout=timeout or DEFAULT_TIMEOUT) as pool:
                pool.run(tasks, lambda task, execution: record(task.case_id, task.key, execution))
    except KeyboardInterrupt:
        complete = False
    rows = load_rows + [row for case in cases for row in finished.get(case.id, [])]
    executions = {key: found[0] for key, found in runs.items() if key[0] in finished}
    metadata = run_metadata(backends, reference, started)
    metadata.update(complete=complete, isolated=isolate, jobs=jobs, repeat=repeat, cases=[c.id for c in cases])
    if not complete:
        metadata["unfinished"] = [case.id for case in cases if case.id not in finished]
    return RunResult(rows=rows, metadata=metadata, cases=[c for c in cases if c.id in finished], executions=executions)


def runs_in_worker(case: Case, backend: str, isolate: bool) -> bool:
    """The one rule, for the command line, the API and pytest: whether (case, backend)
    runs in a worker process. It does when the run is isolated and there is something to
    run (the framework installed, the case implementing it, an execution mode the case
    opts in to); otherwise it runs here, which for anything but an in-process run only
    ever means a skip (nothing of the case's is called)."""
    chosen = get_backend(backend)
    return (isolate and bool(case.path) and chosen.available and chosen.implementation in case.implementations
            and applies(case, backend))


def ordered_backends(backends: Sequence[str] | None) -> list[str]:
    """``backends`` (None: the default ones) in registry order, torch before TensorFlow;
    ValueError naming any unknown one."""
    known = backend_names()
    chosen = list(DEFAULT_BACKENDS if backends is None else backends)
    unknown = [b for b in chosen if b not in known]
    if unknown:
        raise ValueError(f"unknown backend(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [b for b in known if b in chosen]  # registry order: torch before tensorflow


def _make_inputs(case: Case) -> dict[str, Any] | Execution:
    """The case's inputs, or an Execution carrying why they could not be made."""
    try:
        return case.make_inputs()
    except Exception as exc:
        from .execution import ErrorInfo

        error = ErrorInfo.from_exception(exc)
        error.message = f"making the inputs failed: {error.message}"
        return Execution(case.id, "", error=error)


def run_metadata(backends: Sequence[str], reference: str, started: float) -> dict[str, Any]:
    versions = {}
    for name in backend_names():
        backend = get_backend(name)
        versions[name] = backend.version() if backend.available else None
    try:  # without importing pandas (0.3 s)
        import importlib.metadata

        versions["pandas"] = importlib.metadata.version("pandas")
    except importlib.metadata.PackageNotFoundError:
        pass
    from ._version import __version__

    return {
        "equivalence": __version__,
        "versions": versions,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpu_name(),
        "cpu_count": os.cpu_count(),
        "started": _dt.datetime.fromtimestamp(started, _dt.timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(time.time() - started, 3),
        "command": _command(),
        "backends": list(backends),
        "reference": reference,
    }


def reproduce_command(case: Case, backend: str, reference: str, *, timeout: float | None = None) -> str:
    """The command that re-runs exactly one comparison: the case's file, its exact id,
    the two backends (``reference`` may be ``documented``, ``expected`` or ``oracle``) and
    the reference, with the same time limit. A comparison with the oracle is judged
    against the best of the backends, so it re-runs every framework the case implements."""
    from .backends import get_backend
    from .results import NOT_BACKENDS, ORACLE

    sides = [backend] if reference in NOT_BACKENDS else [backend, reference]
    if reference == ORACLE:
        sides += list(case.implementations)
    eager = get_backend(backend).implementation  # a mode is also compared with its framework
    names = [b for b in backend_names() if b in {*sides, eager}]
    chosen_reference = reference if reference not in NOT_BACKENDS else names[0]
    parts = ["python", "-m", "equivalence", "run", case.path or "cases", "--id", case.id,
             "--backends", ",".join(names), "--reference", chosen_reference]
    if timeout is not None:
        parts += ["--timeout", f"{timeout:g}"]
    return shlex.join(parts)


def _command() -> str:
    """How this process was started, as a user would type it."""
    if not sys.argv or not sys.argv[0]:
        return ""
    program = os.path.basename(sys.argv[0])
    if program == "__main__.py":  # python -m package
        program = f"python -m {os.path.basename(os.path.dirname(sys.argv[0]))}"
    return f"{program} {shlex.join(sys.argv[1:])}".strip()


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def run(
    paths: str | Sequence[str] = ("cases",),
    *,
    backends: Sequence[str] | None = None,
    reference: str = DEFAULT_REFERENCE,
    select: str | None = None,
    progress: Progress | None = None,
    **options: Any,
) -> RunResult:
    """Discover the cases under ``paths``, keep those matching ``select`` (a ``-k``
    expression), run and compare them; ``options`` go to :func:`run_cases`."""
    cases, load_errors = discover_cases(paths, select, isolate=bool(options.get("isolate")))
    return run_cases(cases, backends, reference, load_errors=load_errors, progress=progress, **options)


def discover_cases(paths: str | Sequence[str], select: str | None = None, *,
                   isolate: bool = False) -> tuple[list[Case], list[LoadError]]:
    """The cases under ``paths`` matching ``select`` (a ``-k`` expression), and the files
    that failed to load. ``isolate``: imported by a child process and held here as plain
    data (:mod:`equivalence.manifest`), so that no case code runs in this process.
    Raises :class:`~equivalence.discovery.DiscoveryError` (a missing path, a duplicate id)."""
    from ._select import select as select_cases
    from .discovery import discover

    found = [paths] if isinstance(paths, str) else list(paths)
    if isolate:
        from .manifest import discover_isolated

        cases, load_errors = discover_isolated(found)
    else:
        cases, load_errors = discover(found)
    return select_cases(cases, select), load_errors
