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
from typing import Any, Callable, Iterable, Sequence

from .backends import DEFAULT_REFERENCE, backend_names, get_backend
from .case import Case
from .discovery import LoadError
from .execution import Execution, execute
from .results import Row, RunResult

__all__ = ["compare_case", "compare_documented", "compare_pair", "run", "run_cases", "run_metadata"]

DOCUMENTED = "documented"

Progress = Callable[[Case, dict[str, Execution], list[Row]], None]


def run_cases(
    cases: Sequence[Case],
    backends: Sequence[str] | None = None,
    reference: str = DEFAULT_REFERENCE,
    *,
    load_errors: Iterable[LoadError] = (),
    progress: Progress | None = None,
) -> RunResult:
    """Run ``cases`` in ``backends`` (all registered ones by default) and compare."""
    backends = _ordered_backends(backends)
    if reference not in backends:
        raise ValueError(f"reference backend {reference!r} is not among the backends run: {', '.join(backends)}")
    started = time.time()
    rows = [
        Row(case=e.path, output="*", backend="*", reference="*", status="error",
            message=f"case file failed to import: {e.error}")
        for e in load_errors
    ]
    executions: dict[tuple[str, str], Execution] = {}
    for case in cases:
        case_executions = run_case(case, backends)
        executions.update({(case.id, b): e for b, e in case_executions.items()})
        case_rows = compare_case(case, case_executions, reference)
        rows.extend(case_rows)
        if progress is not None:
            progress(case, case_executions, case_rows)
    metadata = run_metadata(backends, reference, started)
    return RunResult(rows=rows, metadata=metadata, cases=list(cases), executions=executions)


def _ordered_backends(backends: Sequence[str] | None) -> list[str]:
    known = backend_names()
    chosen = list(known if backends is None else backends)
    unknown = [b for b in chosen if b not in known]
    if unknown:
        raise ValueError(f"unknown backend(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return [b for b in known if b in chosen]  # registry order: torch before tensorflow


def run_case(case: Case, backends: Sequence[str]) -> dict[str, Execution]:
    """Every backend's execution of one case, from inputs made once."""
    try:
        inputs = case.make_inputs()
    except Exception as exc:
        from .execution import ErrorInfo

        error = ErrorInfo.from_exception(exc)
        error.message = f"making the inputs failed: {error.message}"
        return {b: Execution(case.id, b, error=error) for b in backends}
    return {b: execute(case, b, inputs) for b in _ordered_backends(backends)}


def compare_case(case: Case, executions: dict[str, Execution], reference: str) -> list[Row]:
    rows: list[Row] = []
    ref = executions.get(reference)
    for backend, execution in executions.items():
        if backend != reference and ref is not None:
            rows += compare_pair(case, execution, ref)
        if case.documented:
            rows += compare_documented(case, execution)
    return rows


def _row(case: Case, output: str, execution: Execution, reference: str, status: str, **fields: Any) -> Row:
    return Row(case=case.id, output=output, backend=execution.backend, reference=reference,
               status=status, seconds=execution.seconds, **fields)


def _unrunnable(case: Case, execution: Execution, reference: str, ref: Execution | None = None) -> Row | None:
    """The row for a comparison that cannot be made, or None when both sides ran."""
    if execution.skipped:
        return _row(case, "*", execution, reference, "skipped", message=execution.skipped)
    if execution.error:
        return _row(case, "*", execution, reference, "error", message=str(execution.error))
    if ref is not None and ref.skipped:
        return _row(case, "*", execution, reference, "skipped", message=f"reference {reference}: {ref.skipped}")
    if ref is not None and ref.error:
        return _row(case, "*", execution, reference, "error", message=f"reference {reference} raised {ref.error}")
    return None


def _status(case: Case, output: str, backend: str, reference: str, passed: bool, message: str) -> tuple[str, str]:
    known = case.known_difference(output, backend, reference)
    if known is None:
        return ("pass" if passed else "fail"), message
    if passed:
        return "unexpected_pass", f"declared known difference no longer occurs ({known.reason})"
    return "known_difference", f"{known.reason} [{message}]" if message else known.reason


def compare_pair(case: Case, execution: Execution, ref: Execution) -> list[Row]:
    from .compare import compare_arrays
    from .tolerance import default_tolerance

    reference = ref.backend
    unrunnable = _unrunnable(case, execution, reference, ref)
    if unrunnable:
        return [unrunnable]
    rows = []
    names = list(dict.fromkeys([*ref.output_names(), *execution.output_names()]))
    for name in names:
        problem = _output_problem(name, execution, ref)
        if problem:
            rows.append(_row(case, name, execution, reference, "error", message=problem))
            continue
        actual, expected = execution.outputs[name], ref.outputs[name]
        dt_a, dt_e = execution.dtypes[name], ref.dtypes[name]
        tol = case.tolerance_for(name) or default_tolerance(dt_a, dt_e)
        result = compare_arrays(actual, expected, tol, actual_dtype=dt_a, expected_dtype=dt_e,
                                check_dtype=case.check_dtype)
        status, message = _status(case, name, execution.backend, reference, result.passed, result.message)
        rows.append(_row(
            case, name, execution, reference, status,
            max_abs_diff=result.max_abs_diff, max_rel_diff=result.max_rel_diff,
            max_ulp_diff=result.max_ulp_diff, mismatched=result.mismatched, numel=result.numel,
            rtol=tol.rtol, atol=tol.atol, shape=str(actual.shape), reference_shape=str(expected.shape),
            dtype=dt_a, reference_dtype=dt_e, message=message, worst=result.worst,
        ))
    return rows


def _output_problem(name: str, execution: Execution, ref: Execution | None = None) -> str:
    for ex, whose in ((execution, execution.backend), (ref, f"reference {ref.backend}" if ref else "")):
        if ex is None:
            continue
        if name in ex.output_errors:
            return f"{whose} output {name!r}: {ex.output_errors[name]}"
        if name not in ex.outputs:
            return f"{whose} returned no output {name!r} (it returned: {', '.join(ex.output_names()) or 'nothing'})"
    return ""


def documented_atol(printed_half_unit: Any, values: Any, dtype: str) -> Any:
    """Half a unit of the last printed digit, or one ULP of ``dtype`` where larger."""
    import numpy as np

    spacing_dtype = {"float16": np.float16, "float32": np.float32, "float64": np.float64}.get(dtype)
    if dtype == "bfloat16":
        import ml_dtypes

        spacing_dtype = ml_dtypes.bfloat16
    if spacing_dtype is None or values.dtype.kind not in "f":
        return printed_half_unit
    with np.errstate(invalid="ignore", over="ignore"):
        magnitude = np.abs(values).astype(spacing_dtype)
        if dtype == "bfloat16":
            ulp = (np.nextafter(magnitude.astype(np.float32), np.float32(np.inf)).astype(spacing_dtype).astype(np.float64)
                   - magnitude.astype(np.float64))
        else:
            ulp = np.spacing(magnitude).astype(np.float64)
    return np.maximum(printed_half_unit, np.nan_to_num(ulp, nan=0.0, posinf=0.0))


def compare_documented(case: Case, execution: Execution) -> list[Row]:
    import numpy as np

    from .compare import compare_arrays
    from .tolerance import Tolerance

    unrunnable = _unrunnable(case, execution, DOCUMENTED)
    if unrunnable:
        return [unrunnable]
    rows = []
    for name, doc in case.documented.items():
        problem = _output_problem(name, execution)
        if problem:
            rows.append(_row(case, name, execution, DOCUMENTED, "error", message=problem))
            continue
        try:
            actual = np.asarray(doc.select(execution.outputs[name]))
        except Exception as exc:
            rows.append(_row(case, name, execution, DOCUMENTED, "error",
                             message=f"cannot select {doc.at!r} of output {name!r}: {exc}"))
            continue
        dtype = execution.dtypes[name]
        atol = documented_atol(doc.half_unit, doc.values, dtype)
        tol = Tolerance(0.0, float(np.max(atol)) if np.size(atol) else 0.0)
        result = compare_arrays(actual, doc.values, tol, actual_dtype=dtype,
                                expected_dtype=dtype if doc.values.dtype.kind == "f" else str(doc.values.dtype),
                                atol_array=atol, check_dtype=False)
        status, message = _status(case, name, execution.backend, DOCUMENTED, result.passed, result.message)
        rows.append(_row(
            case, name, execution, DOCUMENTED, status,
            max_abs_diff=result.max_abs_diff, max_rel_diff=result.max_rel_diff,
            max_ulp_diff=result.max_ulp_diff, mismatched=result.mismatched, numel=result.numel,
            rtol=0.0, atol=tol.atol, shape=str(actual.shape), reference_shape=str(doc.values.shape),
            dtype=dtype, reference_dtype="", message=message, worst=result.worst,
        ))
    return rows


def run_metadata(backends: Sequence[str], reference: str, started: float) -> dict[str, Any]:
    versions = {}
    for name in backend_names():
        backend = get_backend(name)
        versions[name] = backend.version() if backend.available else None
    try:
        import pandas

        versions["pandas"] = pandas.__version__
    except ImportError:
        pass
    from . import __version__

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
        "command": shlex.join([os.path.basename(sys.argv[0]), *sys.argv[1:]]) if sys.argv and sys.argv[0] else "",
        "backends": list(backends),
        "reference": reference,
        "complete": True,
    }


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
) -> RunResult:
    """Discover the cases under ``paths``, keep those matching ``select`` (a ``-k``
    expression), run and compare them."""
    from ._select import select as select_cases
    from .discovery import discover

    cases, load_errors = discover([paths] if isinstance(paths, str) else paths)
    return run_cases(select_cases(cases, select), backends, reference,
                     load_errors=load_errors, progress=progress)
