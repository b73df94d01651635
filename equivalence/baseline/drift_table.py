"""The drift table: one row per (case, output, backend), each backend against its own stored outputs.

Columns (``DRIFT_COLUMNS``: the fields of :class:`DriftRow`, in this order):

=================  ==================================================================
case, output       the case id and output name (``*``: the whole (case, backend))
backend            whose outputs are compared with their earlier selves
status             one of ``DRIFT_STATUSES``
change             what changed, one of ``CHANGES`` (empty when nothing did)
tolerances         how many tolerances out the worst element is:
                   max |now - before| / (atol + rtol·|before|); below 1 is within
                   tolerance, inf for an exact output (integer, boolean, string) that
                   changed; NaN when not compared
max_abs_diff ...   max_abs_diff, max_rel_diff, max_ulp_diff, mismatched, numel: as in
                   ``results.py``, the stored value being the expected side. Exact
                   outputs have no ULP (NaN); booleans and strings no abs/rel
                   difference either (NaN): ``mismatched`` counts what changed. A
                   dtype change has no ULP either (the units differ), and its
                   values are compared across the two dtypes
rtol, atol         the tolerance: the case's for that output when the case is known,
                   else the per-dtype default of both dtypes (``tolerance.py``)
dtype_before/after the framework dtype names in the baseline and now
before, after      the values, for small outputs (up to ``SMALL_VALUES`` elements) and
                   strings; for a larger output that changed, its worst element
                   (``[i, j]: value``); for an error, the messages
version_before     that backend's framework version in the baseline
version_after      and now
accepted           the reason of the accepted change that matched the row, if any
message            what changed, or why a row could not be compared
=================  ==================================================================

Statuses (``DRIFT_STATUSES``, defined with the run's in :mod:`equivalence.results`):
``unchanged`` (bit for bit: -0.0 against 0.0 or another NaN payload is a change);
``bitwise_change`` (within tolerance, not bitwise equal: it matters for
reproducibility, not for correctness); ``drift`` (beyond tolerance, or a shape or dtype
change); ``accepted`` (a ``drift``, ``error`` or ``bitwise_change`` that a maintainer
accepted with ``baseline accept``, with a reason, and that is still the change
accepted: the same new value bit for bit, or no larger than what was accepted; see
:mod:`equivalence.baseline.accepted`); ``new`` (not in the baseline: a new case or
output, or one that raised or was skipped then and runs now); ``removed`` (in the
baseline, not now: a case deleted, an output no longer returned, a framework no longer
installed); ``error`` (raises now, or cannot be loaded now; the message says whether it
raised in the baseline too).

Changes (``CHANGES``): ``values`` (numbers or text differ), ``dtype`` (the dtype only:
the values are equal, or within tolerance, once compared across dtypes; the message
says which), ``dtype+values``, ``shape``, ``sign_of_zero`` (bits differ only where -0.0
meets 0.0: abs, rel and ULP differences are all 0), ``nan_payload`` (bits differ only
between NaNs), ``error`` (raises now), ``new``, ``removed``.

``drift`` and ``error`` fail (``DRIFT_FAILING``); ``accepted``, ``removed`` and ``new``
do not: removing a case is a change of the catalogue, not of the numbers, and it is
listed all the same.

Rows are ranked (``DRIFT_SEVERITY``): failing first (error, drift), then accepted,
removed, new and bitwise changes, each by size (``tolerances``, then
``max_rel_diff``), unchanged last.

Files: ``drift.csv`` and ``drift.json`` (``{"metadata": {"before": ..., "after": ...,
"counts": ..., "by_backend": ...}, "rows": [...]}``), written by
:class:`equivalence.results.Table` as ``results.csv`` and ``results.json`` are (strict
JSON, NaN -> null, inf -> "inf", atomically). Each JSON row also holds ``worst`` (the
elements that moved most: ``{"index": [i, j], "before", "after", "abs_diff",
"rel_diff", "ulp_diff"}``), ``after_sha256`` and ``before_sha256`` (digests of the new
value or error message and of the stored one, which ``baseline accept`` records).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from ..results import DRIFT_FAILING, DRIFT_SEVERITY, DRIFT_STATUSES, Table, TableRow, not_a_column

if TYPE_CHECKING:
    from .model import Baseline

__all__ = ["CHANGES", "DRIFT_COLUMNS", "DRIFT_FAILING", "DRIFT_STATUSES", "DriftReport", "DriftRow", "describe", "rank"]

CHANGES = ("values", "dtype", "dtype+values", "shape", "sign_of_zero", "nan_payload", "error", "new", "removed")

NAN = float("nan")


@dataclass
class DriftRow(TableRow):
    case: str
    output: str
    backend: str
    status: str
    change: str = ""
    tolerances: float = NAN
    max_abs_diff: float = NAN
    max_rel_diff: float = NAN
    max_ulp_diff: float = NAN
    mismatched: int = 0
    numel: int = 0
    rtol: float = NAN
    atol: float = NAN
    dtype_before: str = ""
    dtype_after: str = ""
    before: str = ""
    after: str = ""
    version_before: str = ""
    version_after: str = ""
    accepted: str = ""
    message: str = ""
    #: The largest differences (index, now, before, abs, rel, ulp): not a column.
    worst: list[tuple[Any, ...]] = not_a_column(list)
    #: sha256 of the new value (dtype, shape and bytes) or error message, and of the
    #: stored one: not columns (``baseline accept`` records them).
    after_sha256: str = not_a_column(str)
    before_sha256: str = not_a_column(str)

    def json_record(self) -> dict[str, Any]:
        """The record with ``worst`` (indices and values) and the digests, for drift.json."""
        worst = [{"index": list(index) if isinstance(index, (tuple, list)) else index, "after": _plain(now),
                  "before": _plain(then), "abs_diff": d, "rel_diff": r, "ulp_diff": u}
                 for index, now, then, d, r, u in self.worst]
        return {**self.record(), "worst": worst, "after_sha256": self.after_sha256,
                "before_sha256": self.before_sha256}


#: The columns of ``drift.csv``, in order: the fields of :class:`DriftRow`.
DRIFT_COLUMNS = DriftRow.column_names()


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


@dataclass
class DriftReport(Table):
    """The drift table: ``frame``, ``counts()``, ``by_backend()``, ``failed``, ``write()``."""

    columns: ClassVar[tuple[str, ...]] = DRIFT_COLUMNS
    statuses: ClassVar[tuple[str, ...]] = DRIFT_STATUSES
    failing: ClassVar[tuple[str, ...]] = DRIFT_FAILING
    stem: ClassVar[str] = "drift"

    rows: list[DriftRow]
    metadata: dict[str, Any]

    def by_backend(self) -> dict[str, dict[str, int]]:
        """Counts per backend and status (every status, zeros included)."""
        counts: dict[str, dict[str, int]] = {}
        for row in self.rows:
            counts.setdefault(row.backend, dict.fromkeys(self.statuses, 0))[row.status] += 1
        return counts

    def refresh(self) -> None:
        """Rank the rows and recount them into the metadata (after rows changed)."""
        self.rows = rank(self.rows)
        self.metadata["counts"] = self.counts()
        self.metadata["by_backend"] = self.by_backend()


def rank(rows: Sequence[DriftRow]) -> list[DriftRow]:
    """Failing first, then by size (tolerances out, then relative difference); stable."""

    def size(value: float) -> float:
        return -1.0 if math.isnan(value) else value

    return sorted(rows, key=lambda r: (DRIFT_SEVERITY.index(r.status) if r.status in DRIFT_SEVERITY else 0,
                                       -size(r.tolerances), -size(r.max_rel_diff)))


def describe(baseline: Baseline) -> dict[str, Any]:
    """A baseline's side of the drift metadata."""
    return {"path": str(baseline.path or ""), "name": baseline.name, "created": baseline.created,
            "environment": baseline.environment}
