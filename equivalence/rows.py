"""Rows: what the backends produced, compared and turned into result rows.

Every backend is compared with the reference backend, output by output
(:func:`compare_pair`), every backend (the reference too) with the documented values
(:func:`compare_documented`, by printed text) and with the case's ``expected`` values
(:func:`compare_expected`), and, when a case runs twice, every backend with its own
first run (:func:`compare_rerun`: outputs must be equal bit for bit). A comparison that
cannot be made gives one row for the whole (case, backend): ``skipped`` when a side did
not run, ``error`` when a side raised.

Each comparison says *how* it differs (:data:`equivalence.case.KINDS`: values, dtype,
shape, message, missing, error) and by how much (``max_abs_diff``, ``max_rel_diff``,
``max_ulp_diff``, ``mismatched``); :func:`judge` turns that into the row's status, the
one place where a declared known difference is applied: a row it matches is
``known_difference`` only when it differs in a declared way and within the declared
bound, else ``fail`` (or ``unexpected_pass`` when it no longer differs). An output that
is NaN everywhere in both backends is a ``fail``: equal, but nothing was checked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .case import Case, KnownDifference
from .execution import Execution
from .results import DOCUMENTED, EXPECTED, Row

__all__ = ["case_reference", "compare_case", "compare_documented", "compare_expected", "compare_pair", "compare_rerun", "judge"]

#: (measured statistics of the declared elements, how many differ outside them)
Split = Callable[[Any], tuple[dict[str, float], int]]


def compare_case(case: Case, executions: dict[str, Execution], reference: str) -> list[Row]:
    """Every comparison of one case; an execution mode is also compared with its eager
    framework (``tensorflow-function`` against ``tensorflow``)."""
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


def _measured(result: Any) -> dict[str, float]:
    return {"max_abs_diff": result.max_abs_diff, "max_rel_diff": result.max_rel_diff,
            "max_ulp_diff": result.max_ulp_diff, "mismatched": float(result.mismatched)}


def _size(column: str, value: float) -> str:
    name = {"max_abs_diff": "max_abs", "max_rel_diff": "max_rel", "max_ulp_diff": "max_ulp"}.get(column, column)
    return f"{name} {value:.0f}" if column in ("mismatched", "max_ulp_diff") and value == value else f"{name} {value:.3g}"


def judge(case: Case, output: str, backend: str, reference: str, differs: tuple[str, ...],
          measured: dict[str, float], message: str, split: Split | None = None) -> tuple[str, str, KnownDifference | None]:
    """The status of one comparison row, its message, and the declaration that matched.

    ``differs`` says in what the two sides differ (empty: they agree); ``measured`` holds
    the row's statistics; ``split(at)`` recomputes them over the elements a declaration
    names and counts the elements that differ outside them.
    """
    known = case.known_difference(output, backend, reference)
    if known is None:
        unrunnable = {"error", "missing"} & set(differs)
        return ("error" if unrunnable else "fail" if differs else "pass"), message, None
    if not differs:
        return "unexpected_pass", "the declared known difference no longer occurs", known
    other = [k for k in differs if k not in known.kinds]
    if other:
        return "fail", (f"differs in {' and '.join(other)}, which the declared known difference does not cover "
                        f"(declared: {known.describe()}); {message}"), known
    if "values" in differs:
        if known.at is not None and split is not None:
            try:
                measured, outside = split(known.at)
            except (IndexError, TypeError, ValueError) as exc:
                return "fail", f"the declared known difference's at= does not fit the output: {exc}", known
            if outside:
                return "fail", (f"beyond the declared known difference: {outside} element(s) differ outside "
                                f"the declared ones (declared: {known.describe()})"), known
        if not known.bounds:
            now = ", ".join(_size(c, v) for c, v in measured.items())
            return "fail", (f"the declared known difference states no bound: measured {now} (declare max_abs=, "
                            "max_rel=, max_ulp= or mismatched=, measured with a margin)"), known
        beyond = [c for c, bound in known.bounds.items() if not measured.get(c, float("nan")) <= bound]
        if beyond:
            declared = ", ".join(f"{_size(c, b)}".replace(" ", " ≤ ", 1) for c, b in known.bounds.items() if c in beyond)
            now = ", ".join(_size(c, measured.get(c, float("nan"))) for c in beyond)
            return "fail", f"beyond the declared known difference: declared {declared}, now {now}", known
    return "known_difference", message, known


def _row(case: Case, output: str, execution: Execution, reference: str, status: str, **fields: Any) -> Row:
    return Row(case=case.id, output=output, backend=execution.backend, reference=reference,
               status=status, seconds=execution.seconds, **fields)


def _judged(case: Case, output: str, execution: Execution, reference: str, differs: tuple[str, ...],
            message: str, result: Any = None, split: Split | None = None, **fields: Any) -> Row:
    """A row whose status comes from :func:`judge`."""
    measured = _measured(result) if result is not None else dict.fromkeys(
        ("max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched"), float("nan"))
    status, message, known = judge(case, output, execution.backend, reference, differs, measured, message, split)
    if result is not None:
        fields.update(max_abs_diff=result.max_abs_diff, max_rel_diff=result.max_rel_diff,
                      max_ulp_diff=result.max_ulp_diff, mismatched=result.mismatched, numel=result.numel,
                      worst=result.worst, first_mismatch="" if result.first is None else str(result.first))
        fields.setdefault("tolerances", result.tolerances)
    if known is not None:
        fields.update(declared=known.reason, bound=known.describe())
    fields["differs"] = ",".join(differs)
    return _row(case, output, execution, reference, status, message=message, **fields)


def _unrunnable(case: Case, execution: Execution, reference: str, ref: Execution | None = None) -> Row | None:
    """The row for a comparison that cannot be made, or None when both sides ran."""
    if execution.skipped:
        return _row(case, "*", execution, reference, "skipped", message=execution.skipped)
    if execution.error:
        return _judged(case, "*", execution, reference, ("error",), str(execution.error))
    if ref is not None and ref.skipped:
        return _row(case, "*", execution, reference, "skipped", message=f"reference {reference}: {ref.skipped}")
    if ref is not None and ref.error:
        return _judged(case, "*", execution, reference, ("error",), f"reference {reference} raised {ref.error}")
    return None


def _output_problem(name: str, execution: Execution, ref: Execution | None = None) -> tuple[str, str]:
    """(kind, message) when ``name`` cannot be compared: ``missing`` or ``error``; else ("", "")."""
    for ex, whose in ((execution, execution.backend), (ref, f"reference {ref.backend}" if ref else "")):
        if ex is None:
            continue
        if name in ex.output_errors:
            return "error", f"{whose} output {name!r}: {ex.output_errors[name]}"
        if name not in ex.outputs:
            return "missing", f"{whose} returned no output {name!r} (it returned: {', '.join(ex.output_names()) or 'nothing'})"
    return "", ""


def _masks(at: Any, shape: tuple[int, ...], select: Callable[[Any], Any] = lambda m: m) -> Any:
    """A boolean mask, over the compared elements, of those ``at`` names in the output."""
    import numpy as np

    mask = np.zeros(shape, dtype=bool)
    mask[at] = True
    return np.asarray(select(mask))


def compare_pair(case: Case, execution: Execution, ref: Execution) -> list[Row]:
    """``execution``'s outputs against ``ref``'s, with the case's or the dtypes' tolerance."""
    reference = ref.backend
    unrunnable = _unrunnable(case, execution, reference, ref)
    if unrunnable:
        return [unrunnable]
    names = list(dict.fromkeys([*ref.output_names(), *execution.output_names()]))
    if not names:  # nothing dropped silently: a comparison of nothing is not a pass
        return [_row(case, "*", execution, reference, "error",
                     message=f"neither {execution.backend} nor {reference} returned an output: nothing was compared")]
    rows = []
    for name in names:
        kind, problem = _output_problem(name, execution, ref)
        if problem:
            rows.append(_judged(case, name, execution, reference, (kind,), problem))
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
        return _row(case, name, execution, reference, "fail", message=message, numel=result.numel, rtol=tol.rtol,
                    atol=tol.atol, shape=str(actual.shape), reference_shape=str(expected.shape), dtype=dt_a,
                    reference_dtype=dt_e)

    def split(at: Any) -> tuple[dict[str, float], int]:
        mask = _masks(at, actual.shape)
        inside = compare_arrays(actual[mask], expected[mask], tol, actual_dtype=dt_a, expected_dtype=dt_e)
        outside = compare_arrays(actual[~mask], expected[~mask], tol, actual_dtype=dt_a, expected_dtype=dt_e)
        return _measured(inside), outside.mismatched

    return _judged(case, name, execution, reference, _differs(actual, expected, dt_a, dt_e, check_dtype, result),
                   message, result, split if actual.shape == expected.shape else None, rtol=tol.rtol, atol=tol.atol,
                   shape=str(actual.shape), reference_shape=str(expected.shape), dtype=dt_a, reference_dtype=dt_e)


def _differs(actual: Any, expected: Any, dt_a: str, dt_e: str, check_dtype: bool, result: Any) -> tuple[str, ...]:
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
    unrunnable = _unrunnable(case, execution, EXPECTED)
    if unrunnable:
        return [unrunnable]
    rows = []
    for name, value in case.expected.items():
        kind, problem = _output_problem(name, execution)
        if problem:
            rows.append(_judged(case, name, execution, EXPECTED, (kind,), problem))
            continue
        rows.append(_compare_values(case, name, execution, EXPECTED, value, execution.dtypes[name]
                                    if value.dtype.kind == "f" else str(value.dtype), False))
    return rows


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
        _, problem = _output_problem(name, second, first)
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


def compare_documented(case: Case, execution: Execution) -> list[Row]:
    """Each documented output against the document's text: today's value, printed by the
    document's printer, must give the same numbers; the statistics say how far it drifted."""
    import numpy as np

    from .compare import compare_arrays
    from .tolerance import Tolerance

    unrunnable = _unrunnable(case, execution, DOCUMENTED)
    if unrunnable:
        return [unrunnable]
    rows = []
    for name, doc in case.documented.items():
        kind, problem = _output_problem(name, execution)
        if problem:
            rows.append(_judged(case, name, execution, DOCUMENTED, (kind,), problem))
            continue
        output = execution.outputs[name]
        try:
            actual = np.asarray(doc.select(output))
            today, differing = doc.differing(actual)
        except Exception as exc:
            rows.append(_row(case, name, execution, DOCUMENTED, "error",
                             message=f"cannot select {doc.at!r} of output {name!r} or print it: {exc}"))
            continue
        dtype = execution.dtypes[name]
        shapes: dict[str, Any] = dict(shape=str(actual.shape), reference_shape=str(doc.values.shape), dtype=dtype,
                      reference_dtype="", rtol=0.0, atol=0.0, text=today, reference_text=doc.text.strip())
        if actual.shape != doc.values.shape:
            rows.append(_judged(case, name, execution, DOCUMENTED, ("shape",),
                                f"shape {actual.shape} != printed shape {doc.values.shape}", **shapes))
            continue
        result = compare_arrays(actual, doc.values, Tolerance(0.0, 0.0), actual_dtype=dtype,
                                expected_dtype=dtype if doc.values.dtype.kind == "f" else str(doc.values.dtype),
                                check_dtype=False)
        result.mismatched = len(differing)
        result.first = tuple(int(i) for i in np.unravel_index(differing[0], actual.shape)) if differing else None
        shapes["tolerances"] = float("nan")  # compared by text, not by a tolerance
        message = ""
        if differing:
            flat, found = differing[0], [t for t in _tokens(today)]
            where = f"element {tuple(int(i) for i in np.unravel_index(flat, actual.shape))} " if actual.ndim else ""
            now = found[flat] if len(found) == len(doc.tokens) else today
            message = (f"{len(differing)} of {len(doc.tokens)} printed numbers differ: {where}prints {now}, "
                       f"the document printed {doc.tokens[flat]}")

        def split(at: Any, actual: Any = actual, differing: list[int] = differing, doc: Any = doc,
                  dtype: str = dtype, output: Any = output) -> tuple[dict[str, float], int]:
            mask = _masks(at, output.shape, doc.select)
            inside = compare_arrays(actual[mask], doc.values[mask], Tolerance(0.0, 0.0), actual_dtype=dtype,
                                    expected_dtype=dtype if doc.values.dtype.kind == "f" else str(doc.values.dtype),
                                    check_dtype=False)
            flat_mask = mask.reshape(-1)
            inside.mismatched = sum(1 for i in differing if flat_mask[i])
            return _measured(inside), sum(1 for i in differing if not flat_mask[i])

        rows.append(_judged(case, name, execution, DOCUMENTED, ("values",) if differing else (), message, result,
                            split, **shapes))
    return rows


def _tokens(text: str) -> list[str]:
    from .documented import _TOKEN

    return [t for t in _TOKEN.findall(text) if t not in "[]"]
