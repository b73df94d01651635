"""Rows: what the backends produced, compared and turned into result rows.

Every backend is compared with the reference backend, output by output
(:func:`compare_pair`), every backend (the reference too) with the documented values
(:func:`compare_documented`), and, when a case runs twice, every backend with its own
first run (:func:`compare_rerun`: outputs must be equal bit for bit). A comparison that
cannot be made gives one row for the whole (case, backend): ``skipped`` when a side did
not run, ``error`` when a side raised.

A row's status comes from :func:`equivalence.compare.compare_arrays`, turned into
``known_difference`` or ``unexpected_pass`` when a declared known difference matches
it. An output that is NaN everywhere in both backends is a ``fail``: equal, but
nothing was checked.
"""

from __future__ import annotations

from typing import Any

from .case import Case
from .execution import Execution
from .results import Row

__all__ = ["DOCUMENTED", "compare_case", "compare_documented", "compare_pair", "compare_rerun", "documented_atol"]

DOCUMENTED = "documented"


def compare_case(case: Case, executions: dict[str, Execution], reference: str) -> list[Row]:
    """Every comparison of one case; an execution mode is also compared with its eager
    framework (``tensorflow-function`` against ``tensorflow``)."""
    from .backends import get_backend
    from .execution import applies

    rows: list[Row] = []
    ref = executions.get(reference)
    for backend, execution in executions.items():
        if not applies(case, backend):
            continue
        if backend != reference and ref is not None:
            rows += compare_pair(case, execution, ref)
        eager = executions.get(get_backend(backend).implementation)
        if eager is not None and eager is not execution and eager.backend != reference:
            rows += compare_pair(case, execution, eager)
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
        if result.passed and _all_nan(actual) and _all_nan(expected):
            result.passed, result.message = False, "all NaN in both backends: equal, but nothing was checked"
        status, message = _status(case, name, execution.backend, reference, result.passed, result.message)
        rows.append(_row(
            case, name, execution, reference, status,
            max_abs_diff=result.max_abs_diff, max_rel_diff=result.max_rel_diff,
            max_ulp_diff=result.max_ulp_diff, mismatched=result.mismatched, numel=result.numel,
            rtol=tol.rtol, atol=tol.atol, shape=str(actual.shape), reference_shape=str(expected.shape),
            dtype=dt_a, reference_dtype=dt_e, message=message, worst=result.worst,
        ))
    return rows


def _all_nan(array: Any) -> bool:
    import numpy as np

    return bool(array.size) and array.dtype.kind in "fc" and bool(np.isnan(array).all())


def compare_rerun(case: Case, first: Execution, second: Execution) -> list[Row]:
    """A backend against its own earlier run: every output must be equal bit for bit."""
    from .compare import compare_arrays
    from .tolerance import Tolerance

    backend = first.backend
    unrunnable = _unrunnable(case, second, backend, first)
    if unrunnable:
        return [unrunnable]
    rows = []
    for name in dict.fromkeys([*first.output_names(), *second.output_names()]):
        problem = _output_problem(name, second, first)
        if problem:
            rows.append(_row(case, name, second, backend, "error", message=f"rerun: {problem}"))
            continue
        again, before = second.outputs[name], first.outputs[name]
        result = compare_arrays(again, before, Tolerance(0.0, 0.0), actual_dtype=second.dtypes[name],
                                expected_dtype=first.dtypes[name])
        identical = again.dtype == before.dtype and again.shape == before.shape and again.tobytes() == before.tobytes()
        message = "" if identical else f"not deterministic: a second run differs bitwise ({result.message or 'e.g. -0.0 against 0.0 or NaN payloads'})"
        rows.append(_row(
            case, name, second, backend, "pass" if identical else "fail",
            max_abs_diff=result.max_abs_diff, max_rel_diff=result.max_rel_diff, max_ulp_diff=result.max_ulp_diff,
            mismatched=result.mismatched, numel=result.numel, rtol=0.0, atol=0.0, shape=str(again.shape),
            reference_shape=str(before.shape), dtype=second.dtypes[name], reference_dtype=first.dtypes[name],
            message=message, worst=result.worst,
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
