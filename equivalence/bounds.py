"""What a run measured, to write a known difference's bound from (``equivalence bounds``).

A declared known difference states how far it goes, measured today with a margin, never
guessed. For every declaration of the cases run, this lists the rows it matched, what
they differ in and the largest ``max_abs_diff``, ``max_rel_diff``, ``max_ulp_diff`` and
``mismatched``, and suggests the bound to write: :data:`MARGIN` times the measured size,
rounded up to two significant digits (a count of elements is written as measured).
Rows that fail with no declaration are listed too, with a declaration to start from.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .case import Case, KnownDifference
from .results import Row

__all__ = ["MARGIN", "Measurement", "measure", "render", "suggest"]

#: The margin between a measured size and the bound suggested for it.
MARGIN = 1.5

_COLUMNS = ("max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched")


@dataclass
class Measurement:
    case: str
    declaration: KnownDifference | None
    rows: list[Row] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return sorted({k for r in self.rows for k in r.differs.split(",") if k})

    def largest(self, column: str) -> float:
        values = [float(getattr(r, column)) for r in self.rows]
        finite = [v for v in values if not math.isnan(v)]
        return max(finite) if finite else math.nan


def _round_up(value: float) -> float:
    if value <= 0 or not math.isfinite(value):
        return value
    exponent = math.floor(math.log10(value)) - 1
    return float(math.ceil(value / 10**exponent) * 10**exponent)


def suggest(measurement: Measurement) -> dict[str, Any]:
    """The keyword arguments of a bounded declaration covering ``measurement``."""
    kinds = measurement.kinds
    out: dict[str, Any] = {"kind": kinds[0] if len(kinds) == 1 else tuple(kinds)}
    if "values" in kinds:
        ulp, abs_ = measurement.largest("max_ulp_diff"), measurement.largest("max_abs_diff")
        if math.isfinite(abs_):
            out["max_abs"] = float(f"{_round_up(abs_ * MARGIN):.2g}")
        if math.isfinite(ulp) and any(r.dtype.startswith(("float", "bfloat")) for r in measurement.rows):
            out["max_ulp"] = max(math.ceil(ulp * MARGIN), int(ulp) + 1)
        else:
            out["mismatched"] = int(measurement.largest("mismatched"))
    return out


def measure(rows: Iterable[Row], cases: Sequence[Case]) -> list[Measurement]:
    """Rows grouped by the declaration that matched them; failing rows no declaration
    matched, grouped by (case, output)."""
    by_id = {c.id: c for c in cases}
    groups: dict[tuple[str, Any], Measurement] = {}
    for row in rows:
        case = by_id.get(row.case)
        if case is None or row.status in ("pass", "skipped"):
            continue
        known = case.known_difference(row.output, row.backend, row.reference)
        key = (row.case, id(known) if known is not None else row.output)
        groups.setdefault(key, Measurement(row.case, known)).rows.append(row)
    return list(groups.values())


def render(measurements: Sequence[Measurement]) -> str:
    from ._text import number, printable

    lines = []
    for m in measurements:
        head = (f"{m.case}: {m.declaration.reason[:70]!r}" if m.declaration is not None
                else f"{m.case}: output {m.rows[0].output!r}, not declared")
        lines.append(printable(head))
        if m.declaration is not None:
            lines.append(f"  declared:  {m.declaration.describe()}")
        pairs = sorted({f"{r.backend}~{r.reference}" for r in m.rows})
        statuses = sorted({r.status for r in m.rows})
        lines.append(f"  {len(m.rows)} rows ({', '.join(statuses)}): {', '.join(pairs)}")
        lines.append("  measured:  " + (", ".join(m.kinds) or "no difference") + "; " + ", ".join(
            f"{c} {number(m.largest(c))}" for c in _COLUMNS))
        kwargs = ", ".join(f"{k}={v!r}" for k, v in suggest(m).items())
        lines.append(f"  suggested: KnownDifference(..., {kwargs})  (×{MARGIN} margin)")
    return "\n".join(lines) + ("\n" if lines else "")
