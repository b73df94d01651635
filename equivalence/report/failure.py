"""A failure in words from its row alone, for the pytest failure message
(:func:`equivalence.pytest_plugin.describe_failure`), which has the row and not the
reference's arrays: how far the listed worst elements are, where a loop starts to
diverge, and where a max rel that misleads comes from.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .._text import number
from ..results import DOCUMENTED
from .analysis import Divergence, position

if TYPE_CHECKING:
    from ..results import Row

__all__ = ["listed_tolerances", "max_rel_note", "row_divergence"]


def listed_tolerances(row: Row, difference: Any, expected: Any) -> float:
    """How many tolerances out one listed element is (NaN where no tolerance applies)."""
    if row.reference == DOCUMENTED:
        return math.nan
    try:
        bound = float(row.atol) + float(row.rtol) * abs(float(expected))
        difference = float(difference)
    except (TypeError, ValueError):
        return math.nan
    if math.isnan(bound):
        return math.nan
    return difference / bound if bound > 0 else (0.0 if difference == 0 else math.inf)


def _listed(row: Row) -> list[tuple[tuple[int, ...], float]]:
    """(index, tolerances out) of each listed worst element that has an index."""
    return [(tuple(i), listed_tolerances(row, d, e)) for i, _, e, d, _, _ in row.worst if tuple(i)]


def row_divergence(row: Row, trajectories: set[str] | frozenset[str]) -> Divergence | None:
    """Where a loop starts to diverge (the row's first mismatch) and how far the listed
    elements get: "by step 200 it is 784 tolerances out" when the last step is listed."""
    first = position(row.first_mismatch)
    if not first or row.output not in trajectories:
        return None
    if row.reference == DOCUMENTED:
        return Divergence(first[0], documented=True)
    shape = position(row.shape)
    steps = shape[0] if shape else None
    listed = [f for f in _listed(row) if not math.isnan(f[1])]
    farthest = max(listed, key=lambda f: f[1]) if listed else None
    last = next((ratio for index, ratio in listed if steps and index[0] == steps - 1), math.nan)
    return Divergence(first[0], steps if not math.isnan(last) else None, None, farthest[0][0] if farthest else None,
                      float(row.tolerances), last)


def max_rel_note(row: Row) -> str:
    """``"; max rel 0.05 is at an element within the tolerance ..."`` when the listed
    elements do not hold the max rel (an element whose expected value is near zero):
    what fails is elsewhere. ``""`` otherwise."""
    listed = [rel for _, _, _, _, rel, _ in row.worst]
    if not listed or math.isnan(row.max_rel_diff) or max(listed) >= row.max_rel_diff:
        return ""
    where = "an element within the tolerance" if row.mismatched <= len(listed) else "an element not listed"
    return f"; max rel {number(row.max_rel_diff)} is at {where} (a small expected value), not what fails"
