"""Rows: what the backends produced, compared and turned into result rows.

Every backend is compared with the reference backend, output by output
(:func:`compare_pair`), every backend (the reference too) with the documented values
(:func:`compare_documented`, by printed text: :mod:`equivalence._documented_rows`) and
with the case's ``expected`` values (:func:`compare_expected`), and, when a case runs
twice, every backend with its own first run (:func:`compare_rerun`: outputs must be
equal bit for bit). :func:`compare_case` makes every comparison of one case; an
execution mode is also compared with its eager framework.

Each comparison says *how* it differs (:data:`equivalence.case.KINDS`: values, dtype,
shape, message, missing, error) and by how much (``max_abs_diff``, ``max_rel_diff``,
``max_ulp_diff``, ``mismatched``); :func:`judge` (:mod:`equivalence._judge`) turns that
into the row's status, the one place where a declared known difference is applied: a
row it matches is ``known_difference`` only when it differs in a declared way and within
the declared bound, else ``fail`` (or ``unexpected_pass`` when it no longer differs).

Invariants: a comparison that cannot be made gives one row for the whole (case,
backend): ``skipped`` when a side did not run, ``error`` when a side raised; a
comparison of no output at all is an ``error``, never a pass; an output that is NaN
everywhere in both backends is a ``fail``: equal, but nothing was checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._documented_rows import compare_documented
from ._judge import declared_mask, judge, judged_row, make_row, measured_stats, output_problem, unrunnable_row
from ._oracle_rows import compare_oracle
from .case import Case
from .execution import Execution
from .results import EXPECTED, Row

if TYPE_CHECKING:
    from .compare import Comparison

__all__ = ["case_reference", "compare_case", "compare_documented", "compare_expected", "compare_pair", "compare_rerun", "judge"]



def compare_case(case: Case, executions: dict[str, Execution], reference: str,
                 oracle: Execution | None = None) -> list[Row]:
    """Every comparison of one case; an execution mode is also compared with its eager
    framework (``tensorflow-function`` against ``tensorflow``), and with ``oracle`` (the
    case's implementation run in float64, for a case that names one) every backend with
    the float64 oracle."""
    from .backends import get_backend
    from .execution import applies

    rows: list[Row] = []
    reference = case_reference(case, reference, executions)
    ref = executions.get(reference)
    for backend, execution in executions.items():
        if execution.not_applicable or not applies(case, backend):
            continue  # the case does not implement it: no row, not a skip
        if backend != reference and ref is not None:
            rows += compare_pair(case, execution, ref)
        eager = executions.get(get_backend(backend).implementation)
        if eager is not None and eager is not execution and eager.backend != reference:
            rows += compare_pair(case, execution, eager)
        if case.documented:
            rows += compare_documented(case, execution)
        if case.expected:
            rows += compare_expected(case, execution)
        if oracle is not None:
            rows += compare_oracle(case, executions, oracle, only=backend)
    return rows


def case_reference(case: Case, reference: str, executions: dict[str, Execution] | None = None) -> str:
    """The run's reference, or, for a case that does not implement it (a case written for
    TensorFlow and PyTorch only, with NumPy as the run's reference), the first backend
    the case implements."""
    from .backends import backend_names, get_backend

    def implemented(name: str) -> bool:
        if executions is not None and name in executions:
            return not executions[name].not_applicable
        return get_backend(name).implementation in case.implementations

    if implemented(reference):
        return reference
    candidates = list(executions) if executions is not None else list(backend_names())
    return next((b for b in candidates if implemented(b) and not get_backend(b).is_mode), reference)


def compare_pair(case: Case, execution: Execution, ref: Execution) -> list[Row]:
    """``execution``'s outputs against ``ref``'s, with the case's or the dtypes' tolerance."""
    reference = ref.backend
    unrunnable = unrunnable_row(case, execution, reference, ref)
    if unrunnable:
        return [unrunnable]
    names = list(dict.fromkeys([*ref.output_names(), *execution.output_names()]))
    if not names:  # nothing dropped silently: a comparison of nothing is not a pass
        return [make_row(case, "*", execution, reference, "error",
                         message=f"neither {execution.backend} nor {reference} returned an output: nothing was compared")]
    rows = []
    for name in names:
        kind, problem = output_problem(name, execution, ref)
        if problem:
            rows.append(judged_row(case, name, execution, reference, (kind,), problem))
            continue
        rows.append(_compare_values(case, name, execution, reference, ref.outputs[name], ref.dtypes[name],
                                    case.check_dtype))
    return rows


def _compare_values(case: Case, name: str, execution: Execution, reference: str, expected: Any,
                    dt_e: str, check_dtype: bool) -> Row:
    """One output against an expected array (a reference backend's, or ``expected``)."""
    from .compare import compare_arrays
    from .tolerance import default_tolerance

    actual, dt_a = execution.outputs[name], execution.dtypes[name]
    tol = case.tolerance_for(name, execution.backend, reference) or default_tolerance(dt_a, dt_e)
    result = compare_arrays(actual, expected, tol, actual_dtype=dt_a, expected_dtype=dt_e, check_dtype=check_dtype)
    message = result.message
    if result.passed and _all_nan(actual) and _all_nan(expected):
        message = "all NaN in both backends: equal, but nothing was checked"
        return make_row(case, name, execution, reference, "fail", message=message, numel=result.numel,
                        rtol=tol.rtol, atol=tol.atol, shape=str(actual.shape), reference_shape=str(expected.shape),
                        dtype=dt_a, reference_dtype=dt_e)

    def split(at: Any) -> tuple[dict[str, float], int]:
        mask = declared_mask(at, actual.shape)
        inside = compare_arrays(actual[mask], expected[mask], tol, actual_dtype=dt_a, expected_dtype=dt_e)
        outside = compare_arrays(actual[~mask], expected[~mask], tol, actual_dtype=dt_a, expected_dtype=dt_e)
        return measured_stats(inside), outside.mismatched

    return judged_row(case, name, execution, reference, _differs(actual, expected, dt_a, dt_e, check_dtype, result),
                      message, result, split if actual.shape == expected.shape else None, rtol=tol.rtol,
                      atol=tol.atol, shape=str(actual.shape), reference_shape=str(expected.shape), dtype=dt_a,
                      reference_dtype=dt_e)


def _differs(actual: Any, expected: Any, dt_a: str, dt_e: str, check_dtype: bool, result: Comparison) -> tuple[str, ...]:
    if actual.shape != expected.shape:
        return ("shape",) + (("dtype",) if check_dtype and dt_a != dt_e else ())
    kinds = []
    if check_dtype and dt_a != dt_e:
        kinds.append("dtype")
    if result.mismatched:
        kinds.append("message" if "str" in (dt_a, dt_e) else "values")
    return tuple(kinds)


def _all_nan(array: Any) -> bool:
    import numpy as np

    return bool(array.size) and array.dtype.kind in "fc" and bool(np.isnan(array).all())


def compare_expected(case: Case, execution: Execution) -> list[Row]:
    """Each output against the case's ``expected`` value (derived, not printed), with
    the tolerance of the output's dtype; dtypes are not compared."""
    unrunnable = unrunnable_row(case, execution, EXPECTED)
    if unrunnable:
        return [unrunnable]
    rows = []
    for name, value in case.expected.items():
        kind, problem = output_problem(name, execution)
        if problem:
            rows.append(judged_row(case, name, execution, EXPECTED, (kind,), problem))
            continue
        rows.append(_compare_values(case, name, execution, EXPECTED, value, execution.dtypes[name]
                                    if value.dtype.kind == "f" else str(value.dtype), False))
    return rows


def compare_rerun(case: Case, first: Execution, second: Execution) -> list[Row]:
    """A backend against its own earlier run: every output must be equal bit for bit."""
    from .compare import compare_arrays
    from .tolerance import Tolerance

    backend = first.backend
    unrunnable = unrunnable_row(case, second, backend, first)
    if unrunnable:
        return [unrunnable]
    rows = []
    for name in dict.fromkeys([*first.output_names(), *second.output_names()]):
        _, problem = output_problem(name, second, first)
        if problem:
            rows.append(make_row(case, name, second, backend, "error", message=f"rerun: {problem}"))
            continue
        again, before = second.outputs[name], first.outputs[name]
        result = compare_arrays(again, before, Tolerance(0.0, 0.0), actual_dtype=second.dtypes[name],
                                expected_dtype=first.dtypes[name])
        identical = again.dtype == before.dtype and again.shape == before.shape and again.tobytes() == before.tobytes()
        message = "" if identical else f"not deterministic: a second run differs bitwise ({result.message or 'e.g. -0.0 against 0.0 or NaN payloads'})"
        rows.append(make_row(
            case, name, second, backend, "pass" if identical else "fail",
            max_abs_diff=result.max_abs_diff, max_rel_diff=result.max_rel_diff, max_ulp_diff=result.max_ulp_diff,
            mismatched=result.mismatched, numel=result.numel, rtol=0.0, atol=0.0, shape=str(again.shape),
            reference_shape=str(before.shape), dtype=second.dtypes[name], reference_dtype=first.dtypes[name],
            message=message, worst=result.worst,
        ))
    return rows
