"""The terminal summary of a drift table (``baseline check``, ``compare A B``).

Both sides and their environments side by side, what changed marked; counts per backend
and status; then every row that failed or was accepted, largest first, with ``before →
after`` values; new and removed rows, grouped when many; bitwise changes apart.
:data:`LISTED` rows of a kind at most, unless ``verbose``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._text import number, printable, table
from ..results import DRIFT_FAILING, DRIFT_STATUSES

if TYPE_CHECKING:
    from .drift_table import DriftReport, DriftRow

__all__ = ["LISTED", "backend_table", "before_after", "drift_summary", "environment_table"]

#: How many rows of a kind the summary lists before it counts the rest (``-v``: all).
LISTED = 30
#: The rows listed first: what fails, and what was accepted.
NOTABLE = (*DRIFT_FAILING, "accepted")


def before_after(before: str, after: str, limit: int = 70) -> str:
    """``before → after``; for a large output's worst element ``[i, j]: 0.1 → 0.2``."""
    if not before and not after:
        return ""
    where, _, value = before.partition("]: ")
    if before.startswith("[") and value and after.startswith(f"{where}]: "):
        return printable(f"{where}]: {value} → {after[len(where) + 3:]}", limit, newlines=False)
    return printable(f"{before or '-'} → {after or '-'}", limit, newlines=False)


def _far(row: DriftRow) -> str:
    value = row.tolerances
    if value != value or row.status == "unchanged":  # NaN
        return ""
    return "inf" if value == float("inf") else f"{value:.3g}"


def drift_summary(report: DriftReport, verbose: bool = False) -> str:
    """Both sides and their environments side by side (what changed marked), counts per
    backend and status, then every row that moved, largest first, bitwise changes apart."""
    before, after = report.metadata["before"], report.metadata["after"]
    lines = [f"before: {before['path'] or before['name']} ({before['created']})",
             f"after:  {after['path'] or after['name']} ({after['created']})", "",
             environment_table(report, verbose), "", "per backend:", backend_table(report), ""]
    limit = None if verbose else LISTED
    notable = [r for r in report.rows if r.status in NOTABLE]
    if notable:
        lines += ["changed beyond tolerance, errors and accepted changes, largest first (×tol: how many tolerances "
                  "out):", _rows_table(notable, limit), ""]
    moved = [r for r in report.rows if r.status in ("new", "removed")]
    if moved:
        lines += ["new and removed:", _grouped(moved, verbose), ""]
    bitwise = [r for r in report.rows if r.status == "bitwise_change"]
    if bitwise:
        lines += ["bitwise changes within tolerance (reproducibility, not failures), largest first:", table(
            ("case", "output", "backend", "change", "×tol", "max abs", "max rel", "max ulp", "changed"),
            [(r.case, r.output, r.backend, r.change, _far(r), number(r.max_abs_diff), number(r.max_rel_diff),
              number(r.max_ulp_diff), r.message.split(" changed bits")[0].split(": ")[-1][:40])
             for r in bitwise[:limit]]) + _more(bitwise, limit), ""]
    lines.append("  ".join(f"{status}: {n}" for status, n in report.counts().items()))
    return "\n".join(lines)


def _more(rows: Sequence[Any], limit: int | None) -> str:
    if limit is None or len(rows) <= limit:
        return ""
    return f"\n… and {len(rows) - limit} more (-v lists them; all are in drift.csv)"


def _rows_table(rows: Sequence[DriftRow], limit: int | None) -> str:
    return table(
        ("status", "change", "case", "output", "backend", "×tol", "max abs", "max rel", "max ulp", "mismatched",
         "before → after", "message"),
        [(r.status, r.change, r.case, r.output, r.backend, _far(r), number(r.max_abs_diff), number(r.max_rel_diff),
          number(r.max_ulp_diff), f"{r.mismatched}/{r.numel}" if r.numel else "", before_after(r.before, r.after),
          printable(r.message, 110, newlines=False)) for r in rows[:limit]]) + _more(rows, limit)


def _grouped(rows: Sequence[DriftRow], verbose: bool) -> str:
    """New and removed rows: one line per row when few, else per (status, backend, reason)."""
    if verbose or len(rows) <= 12:
        return table(("status", "case", "output", "backend", "message"),
                     [(r.status, r.case, r.output, r.backend, printable(r.message, 100, newlines=False))
                      for r in rows])
    groups: dict[tuple[str, str, str], list[DriftRow]] = {}
    for r in rows:
        groups.setdefault((r.status, r.backend, r.message.split(":")[0][:60]), []).append(r)
    return table(("status", "backend", "rows", "cases", "why"),
                 [(s, b, len(g), len({r.case for r in g}), printable(why, 80))
                  for (s, b, why), g in groups.items()]) + "\n(-v lists every row; all are in drift.csv)"


def backend_table(report: DriftReport) -> str:
    """Counts per backend of each status that occurs."""
    counts = report.by_backend()
    shown = [s for s in DRIFT_STATUSES if any(c[s] for c in counts.values())] or ["unchanged"]
    return table(("backend", *shown), [(b, *(c[s] for s in shown)) for b, c in counts.items()])


def environment_table(report: DriftReport, verbose: bool = False) -> str:
    """The environments side by side: the backends' versions always, then what changed
    (``-v``: every item recorded)."""
    from .environment_diff import environment_rows

    rows = environment_rows(report.metadata["before"]["environment"], report.metadata["after"]["environment"])
    shown = [r for r in rows if verbose or r[3] or (r[0].startswith("version ") and r[1] != "not installed")]
    same = len(rows) - len(shown)
    text = table(("environment", "before", "after", ""),
                 [(label, printable(a, 60, newlines=False), printable(b, 60, newlines=False), "≠ changed" if changed
                   else "") for label, a, b, changed in shown])
    if same:
        text += f"\n({same} more items the same: -v shows them; drift.json holds both environments in full)"
    return text
