"""Results: one row per (case, output, backend, reference), and how they are written.

This module is the one place where the public contract is written down.

Columns (``COLUMNS``, in this order):

=================  ==================================================================
case               the case id
output             the output name; ``*`` when the whole (case, backend) is concerned
backend            the backend that computed the value (``numpy``, ``tensorflow``, ...)
reference          what it is compared with: a backend name, or ``documented``
status             one of ``STATUSES``
tolerances         how many tolerances out the worst element is:
                   max |actual - expected| / (atol + rtol·|expected|); below 1 passes,
                   1.0 is the boundary, inf where the tolerance is 0 and values differ
                   (NaN for documented values, which are compared by their text)
max_abs_diff       max |actual - expected| (NaN when not computed, inf for NaN/inf
                   misplacement)
max_rel_diff       max |actual - expected| / |expected|
max_ulp_diff       max distance in units in the last place, in the coarser dtype
mismatched         number of elements outside the tolerance
numel              number of elements of the output
rtol, atol         the tolerance used (0 for documented values: they are compared by
                   their printed text)
shape              the output's shape, as ``(2, 3)``
reference_shape    the expected side's shape
dtype              the backend's dtype name (the framework's name: ``bfloat16``)
reference_dtype    the expected side's dtype (empty for documented values)
first_mismatch     the first element (C order) outside the tolerance, as ``(50,)``; for
                   a trajectory its first index is the step where it starts to diverge
message            what went wrong (the numbers; the declaration's reason is ``declared``)
seconds            wall time of the backend's implementation for this case
differs            what the two sides differ in, comma-separated: ``values``, ``dtype``,
                   ``shape``, ``message``, ``missing``, ``error`` (empty when equal)
declared           the reason of the known difference that matched the row, if any
bound              what that declaration allows: ``values: max_ulp ≤ 2, at [20]``
text               for documented values: today's value as the document's printer
                   prints it
reference_text     for documented values: the text the document printed
=================  ==================================================================

References: a backend name, ``documented`` (values the source document printed,
compared by their printed text) or ``expected`` (values derived by hand from the
document, compared with the tolerance).

Statuses: ``pass``; ``fail`` (outside tolerance, or shape/dtype mismatch);
``error`` (the backend or the reference raised, or an output is missing or not an
array); ``known_difference`` (a declared difference, still there, of the declared
kind and within its bound; beyond it the row is a ``fail``);
``unexpected_pass`` (a declared difference that is gone: counts as a failure);
``skipped`` (a backend not installed, or not implemented by the case).

Files: ``results.csv`` and ``results.json`` (``{"metadata": {...}, "rows": [...]}``).
JSON is strict: NaN is written as ``null``, infinities as the strings ``"inf"`` and
``"-inf"``. Both are written atomically (a temporary file renamed into place).

Drift against a baseline (:mod:`equivalence.baseline`) has statuses of its own, defined
here beside the run's so that the terminal, the files and the report read one
vocabulary: ``DRIFT_STATUSES``, ``DRIFT_FAILING``, ``DRIFT_SEVERITY`` (worst first),
``DRIFT_GLYPH``, and ``DRIFT_SHOWN_AS`` (the run status whose colour each takes). A
drift row (:class:`~equivalence.baseline.drift_table.DriftRow`) is a :class:`TableRow`
like :class:`Row`, and its table a :class:`Table`: columns, CSV and JSON are written by
the same code.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ._io import atomic_write_text
from ._json import dumps

if TYPE_CHECKING:
    import pandas as pd

    from .case import Case
    from .execution import Execution

__all__ = ["COLUMNS", "DOCUMENTED", "DRIFT_FAILING", "DRIFT_GLYPH", "DRIFT_SEVERITY", "DRIFT_SHOWN_AS", "DRIFT_STATUSES",
           "EXPECTED", "FAILING", "GLYPH", "NOT_BACKENDS", "ORACLE", "SEVERITY", "STATUSES", "STATUS_LABEL", "Row", "RunResult", "Table", "TableRow", "not_a_column",
           "read_results", "worst"]

STATUSES = ("pass", "fail", "error", "known_difference", "unexpected_pass", "skipped")
#: Statuses that make a run exit 1.
FAILING = ("fail", "error", "unexpected_pass")
#: Worst first: the order in which statuses are listed, and a case's status is chosen.
SEVERITY = ("error", "fail", "unexpected_pass", "known_difference", "skipped", "pass")
#: One character per status, for the terminal and the report.
GLYPH = {"pass": "✓", "fail": "✗", "error": "⚠", "known_difference": "≈", "unexpected_pass": "!", "skipped": "–"}
#: How a status is written for a reader.
STATUS_LABEL = {
    "pass": "pass", "fail": "fail", "error": "error", "known_difference": "known difference",
    "unexpected_pass": "unexpected pass", "skipped": "skipped",
}  # fmt: skip


def worst(statuses: Iterable[str]) -> str:
    """The most severe of ``statuses`` (``pass`` for none)."""
    present = set(statuses)
    return next((s for s in SEVERITY if s in present), "pass")


#: Drift of one (case, output, backend) against a baseline (:mod:`equivalence.baseline`).
DRIFT_STATUSES = ("unchanged", "bitwise_change", "drift", "accepted", "new", "removed", "error")
#: Drift statuses that make ``baseline check`` and ``compare`` exit 1.
DRIFT_FAILING = ("drift", "error")
#: Worst first: how drift rows are ranked (before their size) and listed.
DRIFT_SEVERITY = ("error", "drift", "accepted", "removed", "new", "bitwise_change", "unchanged")
#: The run status each drift status is shown as (its colour in the report).
DRIFT_SHOWN_AS = {"error": "error", "drift": "fail", "accepted": "known_difference", "bitwise_change": "known_difference",
                  "new": "skipped", "removed": "unexpected_pass", "unchanged": "pass"}
#: One character per drift status: that of the run status it is shown as, but where
#: that would say something else (a bitwise change is no declared difference, a new
#: output no skip, a removed one no unexpected pass).
DRIFT_GLYPH = {**{s: GLYPH[DRIFT_SHOWN_AS[s]] for s in DRIFT_STATUSES}, "bitwise_change": "~", "new": "+", "removed": "−"}

#: The references that are not backends: printed values, values derived by hand, and the
#: case's implementation run in float64 (``Case(oracle=...)``, :mod:`equivalence._oracle_rows`).
DOCUMENTED = "documented"
EXPECTED = "expected"
ORACLE = "oracle"
NOT_BACKENDS = (DOCUMENTED, EXPECTED, ORACLE)

NAN = float("nan")
_T = TypeVar("_T")


#: Row type -> its columns (fields read once per type).
_COLUMN_NAMES: dict[type[TableRow], tuple[str, ...]] = {}


def not_a_column(default_factory: Callable[[], _T]) -> _T:
    """A field of a row that is not a column (``worst``): out of the CSV and the frame,
    its default made by ``default_factory`` (``list``, ``str``)."""
    return field(default_factory=default_factory, repr=False, metadata={"column": False})


@dataclass
class TableRow:
    """A row of a :class:`Table`: a dataclass whose fields are its columns, in order,
    except those made with :func:`not_a_column`."""

    @classmethod
    def column_names(cls) -> tuple[str, ...]:
        names = _COLUMN_NAMES.get(cls)
        if names is None:
            names = _COLUMN_NAMES[cls] = tuple(f.name for f in fields(cls) if f.metadata.get("column", True))
        return names

    def record(self) -> dict[str, Any]:
        """The columns' values, in order."""
        return {c: getattr(self, c) for c in self.column_names()}

    def json_record(self) -> dict[str, Any]:
        """What a row is in ``<stem>.json``: its record, and what a subclass adds."""
        return self.record()


@dataclass
class Row(TableRow):
    case: str
    output: str
    backend: str
    reference: str
    status: str
    tolerances: float = NAN
    max_abs_diff: float = NAN
    max_rel_diff: float = NAN
    max_ulp_diff: float = NAN
    mismatched: int = 0
    numel: int = 0
    rtol: float = NAN
    atol: float = NAN
    shape: str = ""
    reference_shape: str = ""
    dtype: str = ""
    reference_dtype: str = ""
    first_mismatch: str = ""
    message: str = ""
    seconds: float = NAN
    differs: str = ""
    declared: str = ""
    bound: str = ""
    text: str = ""
    reference_text: str = ""
    #: The largest differences (index, actual, expected, abs, rel, ulp): not a column.
    worst: list[tuple[Any, ...]] = not_a_column(list)


#: The columns of ``results.csv``, in order: the fields of :class:`Row`.
COLUMNS = Row.column_names()


class Table:
    """Rows of fixed columns and statuses, as a DataFrame and as ``<stem>.csv``/``<stem>.json``.

    Shared by run results (here) and drift tables (:mod:`equivalence.baseline.drift_table`):
    a subclass names its ``columns`` (its row type's), ``statuses``, ``failing`` statuses
    and file ``stem``; its rows are :class:`TableRow` instances.
    """

    columns: ClassVar[tuple[str, ...]]
    statuses: ClassVar[tuple[str, ...]]
    failing: ClassVar[tuple[str, ...]]
    stem: ClassVar[str]
    rows: list[Any]
    metadata: dict[str, Any]

    @property
    def frame(self) -> pd.DataFrame:
        """The long-format DataFrame, metadata in ``frame.attrs["metadata"]``."""
        import pandas as pd

        frame = pd.DataFrame([r.record() for r in self.rows], columns=list(self.columns))
        frame.attrs["metadata"] = self.metadata
        return frame

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(self.statuses, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def failed(self) -> bool:
        """A failing row, or nothing compared at all (no row, or every row skipped)."""
        compared = any(row.status != "skipped" for row in self.rows)
        return not compared or any(row.status in self.failing for row in self.rows)

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``<stem>.csv`` and ``<stem>.json`` into ``out_dir``, each atomically.

        Both are UTF-8 text with no raw control character, bidirectional override or
        lone surrogate (:func:`equivalence._text.printable` shows them as escapes): in
        the CSV through ``atomic_write_text``, in the JSON in every string value."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"csv": out / f"{self.stem}.csv", "json": out / f"{self.stem}.json"}
        atomic_write_text(paths["csv"], self.frame.to_csv(index=False))
        document = {"metadata": self.metadata, "rows": [r.json_record() for r in self.rows]}
        atomic_write_text(paths["json"], dumps(document, printable=True) + "\n")
        return paths


@dataclass
class RunResult(Table):
    """A run: rows, metadata, the cases and what each backend produced."""

    columns: ClassVar[tuple[str, ...]] = COLUMNS
    statuses: ClassVar[tuple[str, ...]] = STATUSES
    failing: ClassVar[tuple[str, ...]] = FAILING
    stem: ClassVar[str] = "results"

    rows: list[Row]
    metadata: dict[str, Any]
    cases: list[Case] = field(default_factory=list)
    executions: dict[tuple[str, str], Execution] = field(default_factory=dict)


def read_results(path: str | Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Read a ``results.json``; a truncated or foreign file raises ``ValueError`` naming it."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable results file ({exc})") from exc
    if not isinstance(document, dict) or not isinstance(document.get("rows"), list) or "metadata" not in document:
        raise ValueError(f"{path}: not a results file (expected {{'metadata': ..., 'rows': [...]}})")
    rows = []
    for row in document["rows"]:
        if not isinstance(row, dict) or not set(COLUMNS) <= set(row):
            raise ValueError(f"{path}: a row lacks the result columns")
        rows.append({k: (float(v) if v in ("inf", "-inf") else NAN if v is None and (k.startswith("max_") or k == "tolerances") else v) for k, v in row.items()})
    return document["metadata"], rows
