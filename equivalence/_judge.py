"""judge(): the status of one comparison row, the one place a known difference is applied.

A comparison (:mod:`equivalence.rows`, :mod:`equivalence._documented_rows`) says *how*
two sides differ (:data:`equivalence.case.KINDS`: values, dtype, shape, message,
missing, error) and by how much (``max_abs_diff``, ``max_rel_diff``, ``max_ulp_diff``,
``mismatched``); :func:`judge` turns that into the row's status. The row builders here
(:func:`judged_row`, :func:`unrunnable_row`, :func:`make_row`) are how comparisons make
rows, so that every judged row goes through :func:`judge`.

Invariants: with no declaration matching, a row is ``pass`` only when nothing differs,
``error`` when a side raised or an output is missing, else ``fail``. A row a declaration
matches is ``known_difference`` only when it differs in declared kinds only, within every
declared bound (a declaration with no bound never is), and, with ``at=``, in the declared
elements only; ``unexpected_pass`` when it no longer differs; else ``fail``. A row
carries its declaration's reason and bound as fields (``declared``, ``bound``), not in
its message. A comparison that cannot be made gives one row (``output`` ``*``) for the
whole (case, backend): ``skipped`` when a side did not run, ``error`` when one raised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .case import Case, KnownDifference
from .execution import Execution
from .results import Row

if TYPE_CHECKING:
    from .compare import Comparison

__all__ = [
    "Split", "declared_mask", "judge", "judged_row", "make_row", "measured_stats", "output_problem", "unrunnable_row",
]  # fmt: skip

#: (measured statistics of the declared elements, how many differ outside them)
Split = Callable[[Any], tuple[dict[str, float], int]]


def measured_stats(result: Comparison) -> dict[str, float]:
    """The statistics of a comparison (:class:`equivalence.compare.Comparison`) a bound may name."""
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


def make_row(case: Case, output: str, execution: Execution, reference: str, status: str, **fields: Any) -> Row:
    """A row with the status given (not judged: for skips, errors and bitwise reruns)."""
    return Row(case=case.id, output=output, backend=execution.backend, reference=reference,
               status=status, seconds=execution.seconds, **fields)


def judged_row(case: Case, output: str, execution: Execution, reference: str, differs: tuple[str, ...],
               message: str, result: Comparison | None = None, split: Split | None = None, **fields: Any) -> Row:
    """A row whose status comes from :func:`judge`."""
    measured = measured_stats(result) if result is not None else dict.fromkeys(
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
    return make_row(case, output, execution, reference, status, message=message, **fields)


def unrunnable_row(case: Case, execution: Execution, reference: str, ref: Execution | None = None) -> Row | None:
    """The row for a comparison that cannot be made, or None when both sides ran."""
    if execution.skipped:
        return make_row(case, "*", execution, reference, "skipped", message=execution.skipped)
    if execution.error:
        return judged_row(case, "*", execution, reference, ("error",), str(execution.error))
    if ref is not None and ref.skipped:
        return make_row(case, "*", execution, reference, "skipped", message=f"reference {reference}: {ref.skipped}")
    if ref is not None and ref.error:
        return judged_row(case, "*", execution, reference, ("error",), f"reference {reference} raised {ref.error}")
    return None


def output_problem(name: str, execution: Execution, ref: Execution | None = None) -> tuple[str, str]:
    """(kind, message) when ``name`` cannot be compared: ``missing`` or ``error``; else ("", "")."""
    for ex, whose in ((execution, execution.backend), (ref, f"reference {ref.backend}" if ref else "")):
        if ex is None:
            continue
        if name in ex.output_errors:
            return "error", f"{whose} output {name!r}: {ex.output_errors[name]}"
        if name not in ex.outputs:
            return "missing", f"{whose} returned no output {name!r} (it returned: {', '.join(ex.output_names()) or 'nothing'})"
    return "", ""


def declared_mask(at: Any, shape: tuple[int, ...], select: Callable[[Any], Any] = lambda m: m) -> Any:
    """A boolean mask, over the compared elements, of those ``at`` names in the output."""
    import numpy as np

    mask = np.zeros(shape, dtype=bool)
    mask[at] = True
    return np.asarray(select(mask))
