"""The scoreboard: per (case, output, backend) a row, per environment a cell, each cell the
drift of that output against the previous environment of the axis.

Each cell comes from :func:`equivalence.baseline.compare_baselines` run on two
consecutive baselines (no comparison of its own): ``unchanged`` (bit for bit),
``bitwise_change`` (within tolerance), ``drift`` (beyond tolerance, or a dtype or shape
change), ``new``, ``removed``, ``error`` (raises there, or the environment could not be
made: ``change`` is then ``environment``). The first environment's cells, and those of
one with no earlier baseline to compare with, are ``baseline``: what it produced, its
dtype and shape. ``absent``: the output is in neither. An environment that failed is
skipped over: the next one is compared with the last one that has a baseline
(``compared_with`` says which). A case that raises in an environment gives its error to
every output of that (case, backend) there.

``matrix.csv``: one line per row and environment, columns :data:`CSV_COLUMNS`; floats
written exactly (``repr``), NaN as an empty field.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_text
from ..results import DRIFT_STATUSES
from .outcome import EnvOutcome

if TYPE_CHECKING:
    from ..baseline import Baseline, DriftRow
    from ..case import Case

__all__ = ["CELL_STATUSES", "CSV_COLUMNS", "MOVED", "TRANSITIONS", "Cell", "Column", "ScoreRow", "Scoreboard", "build_scoreboard"]

#: What one environment's baseline says of an output against the previous one: the drift
#: statuses of a baseline check (no acceptance here), in their order.
TRANSITIONS = tuple(s for s in DRIFT_STATUSES if s != "accepted")
#: A cell: the first environment's ``baseline``, a transition, or ``absent`` (no row there).
CELL_STATUSES = ("baseline", *TRANSITIONS, "absent")
#: What counts as an output moving: the first such cell of a row is marked.
MOVED = ("bitwise_change", "drift")
CSV_COLUMNS = (
    "case", "output", "backend", "position", "environment", "compared_with", "status", "change", "first_change",
    "tolerances", "max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched", "numel", "dtype_before",
    "dtype_after", "before", "after", "message",
)  # fmt: skip
NAN = float("nan")
Key = tuple[str, str, str]


@dataclass
class Cell:
    status: str
    change: str = ""
    compared_with: str = ""
    tolerances: float = NAN
    max_abs_diff: float = NAN
    max_rel_diff: float = NAN
    max_ulp_diff: float = NAN
    mismatched: int = 0
    numel: int = 0
    dtype_before: str = ""
    dtype_after: str = ""
    before: str = ""
    after: str = ""
    message: str = ""
    first: bool = False


@dataclass
class Column:
    """One environment of the axis, with the counts of its cells."""

    position: int
    outcome: EnvOutcome
    compared_with: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    by_backend: dict[str, dict[str, int]] = field(default_factory=dict)
    #: Rows whose first move is in this column.
    first_moves: int = 0
    #: Every distribution's version (the environment's, else its baseline's record), NumPy's BLAS.
    packages: dict[str, str] = field(default_factory=dict)
    blas: str = ""

    @property
    def name(self) -> str:
        return self.outcome.name


@dataclass
class ScoreRow:
    case: str
    output: str
    backend: str
    cells: list[Cell]

    @property
    def first_moved(self) -> int | None:
        """The position of the first environment where this output moved, if it did."""
        return next((i for i, c in enumerate(self.cells) if c.status in MOVED), None)

    @property
    def changed(self) -> bool:
        """Anything but ``baseline``, ``unchanged`` and ``absent`` anywhere."""
        return any(c.status not in ("baseline", "unchanged", "absent") for c in self.cells)


@dataclass
class Scoreboard:
    columns: list[Column]
    rows: list[ScoreRow]
    tolerances: str = "per-dtype defaults"

    def records(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            for column, cell in zip(self.columns, row.cells, strict=True):
                yield {"case": row.case, "output": row.output, "backend": row.backend, "position": column.position,
                       "environment": column.name, "compared_with": cell.compared_with, "status": cell.status,
                       "change": cell.change, "first_change": cell.first, "tolerances": cell.tolerances,
                       "max_abs_diff": cell.max_abs_diff, "max_rel_diff": cell.max_rel_diff,
                       "max_ulp_diff": cell.max_ulp_diff, "mismatched": cell.mismatched, "numel": cell.numel,
                       "dtype_before": cell.dtype_before, "dtype_after": cell.dtype_after, "before": cell.before,
                       "after": cell.after, "message": cell.message}

    def csv_text(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for record in self.records():
            writer.writerow([_field(record[c]) for c in CSV_COLUMNS])
        return buffer.getvalue()

    def write_csv(self, out: Path) -> Path:
        path = out / "matrix.csv"
        atomic_write_text(path, self.csv_text())
        return path


def _field(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "" if math.isnan(value) else ("inf" if value == math.inf else "-inf" if value == -math.inf
                                             else repr(value))
    return str(value)


def _from_drift(row: DriftRow, compared_with: str) -> Cell:
    return Cell(row.status, row.change, compared_with, row.tolerances, row.max_abs_diff, row.max_rel_diff,
                row.max_ulp_diff, row.mismatched, row.numel, row.dtype_before, row.dtype_after, row.before, row.after,
                row.message)


def _baseline_cells(baseline: Baseline) -> Iterator[tuple[Key, Cell]]:
    """What each output of ``baseline`` is, for a column with nothing before it."""
    for (case, backend), snap in baseline.snapshots.items():
        if snap.status == "error":
            yield (case, "*", backend), Cell("error", "error", message=snap.message)
        if snap.status != "ok":
            continue
        for name, array in snap.outputs.items():
            dtype = snap.dtypes.get(name, str(array.dtype))
            shape = "×".join(map(str, array.shape)) or "scalar"
            yield (case, name, backend), Cell("baseline", dtype_after=dtype, numel=int(array.size),
                                              message=f"{dtype} {shape}")
        for name, why in snap.output_errors.items():
            if name not in snap.outputs:
                yield (case, name, backend), Cell("error", "error", message=why)


def build_scoreboard(outcomes: Sequence[EnvOutcome], *, cases: Mapping[str, Case] | None = None,
                     load: Callable[[str], Baseline] | None = None) -> Scoreboard:
    """The scoreboard of ``outcomes`` in the axis' order (each baseline loaded with ``load``)."""
    from ..baseline import BaselineError, compare_baselines, load_baseline

    load = load or load_baseline
    columns = [Column(i, outcome) for i, outcome in enumerate(outcomes)]
    found: dict[Key, dict[int, Cell]] = {}
    failed: dict[int, str] = {}
    previous: tuple[Baseline, str] | None = None
    for column in columns:
        outcome = column.outcome
        column.packages = dict(outcome.packages)
        if not outcome.ok:
            failed[column.position] = outcome.reason or "no baseline"
            continue
        try:
            current = load(outcome.baseline)
        except (BaselineError, OSError, ValueError) as exc:
            failed[column.position] = f"the baseline cannot be read: {exc}"
            outcome.status, outcome.reason = "error", failed[column.position]
            continue
        column.packages = dict(outcome.packages or current.environment.get("packages") or {})
        column.blas = str((current.environment.get("blas") or {}).get("numpy_blas") or "")
        if previous is None:
            for key, cell in _baseline_cells(current):
                found.setdefault(key, {})[column.position] = cell
        else:
            column.compared_with = previous[1]
            for drift in compare_baselines(previous[0], current, cases=cases).rows:
                found.setdefault((drift.case, drift.output, drift.backend), {})[column.position] = \
                    _from_drift(drift, previous[1])
        previous = (current, outcome.name)
    _spread_case_errors(found)
    rows = []
    for (case, output, backend), cells in found.items():
        line = [cells.get(i) or Cell("absent") for i in range(len(columns))]
        for position, reason in failed.items():
            line[position] = Cell("error", "environment", message=f"environment {columns[position].name}: {reason}")
        rows.append(ScoreRow(case, output, backend, line))
    for row in rows:
        first = row.first_moved
        if first is not None:
            row.cells[first].first = True
            columns[first].first_moves += 1
    for column in columns:
        column.counts = dict.fromkeys(CELL_STATUSES, 0)
        for row in rows:
            status = row.cells[column.position].status
            column.counts[status] += 1
            column.by_backend.setdefault(row.backend, dict.fromkeys(CELL_STATUSES, 0))[status] += 1
    return Scoreboard(columns, rows, "the cases'" if cases else "per-dtype defaults")


def _spread_case_errors(found: dict[Key, dict[int, Cell]]) -> None:
    """A (case, ``*``, backend) cell, a case that raised as a whole, given to every output
    of that (case, backend) without a cell there; such ``*`` rows are then dropped when
    the (case, backend) has outputs of its own elsewhere on the axis."""
    outputs: dict[tuple[str, str], list[Key]] = {}
    for key in found:
        if key[1] != "*":
            outputs.setdefault((key[0], key[2]), []).append(key)
    for key in [k for k in found if k[1] == "*"]:
        keys = outputs.get((key[0], key[2]))
        if not keys:
            continue
        for position, cell in found[key].items():
            for other in keys:
                found[other].setdefault(position, replace(cell))
        del found[key]
