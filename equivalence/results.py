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
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ._io import atomic_write_text
from ._json import dumps

if TYPE_CHECKING:
    import pandas as pd

    from .case import Case
    from .execution import Execution

__all__ = ["COLUMNS", "DOCUMENTED", "EXPECTED", "FAILING", "GLYPH", "SEVERITY", "STATUSES", "Row", "RunResult", "Table",
           "read_results", "worst"]

STATUSES = ("pass", "fail", "error", "known_difference", "unexpected_pass", "skipped")
#: Statuses that make a run exit 1.
FAILING = ("fail", "error", "unexpected_pass")
#: Worst first: the order in which statuses are listed, and a case's status is chosen.
SEVERITY = ("error", "fail", "unexpected_pass", "known_difference", "skipped", "pass")
#: One character per status, for the terminal and the report.
GLYPH = {"pass": "✓", "fail": "✗", "error": "⚠", "known_difference": "≈", "unexpected_pass": "!", "skipped": "–"}


def worst(statuses: Iterable[str]) -> str:
    """The most severe of ``statuses`` (``pass`` for none)."""
    present = set(statuses)
    return next((s for s in SEVERITY if s in present), "pass")

COLUMNS = (
    "case", "output", "backend", "reference", "status", "tolerances",
    "max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched", "numel",
    "rtol", "atol", "shape", "reference_shape", "dtype", "reference_dtype",
    "first_mismatch", "message", "seconds", "differs", "declared", "bound", "text", "reference_text",
)  # fmt: skip

#: The references that are not backends: printed values, and values derived by hand.
DOCUMENTED = "documented"
EXPECTED = "expected"

NAN = float("nan")


@dataclass
class Row:
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
    worst: list[tuple[Any, ...]] = field(default_factory=list, repr=False)

    def record(self) -> dict[str, Any]:
        values = asdict(self)
        return {c: values[c] for c in COLUMNS}


class Table:
    """Rows of fixed columns and statuses, as a DataFrame and as ``<stem>.csv``/``<stem>.json``.

    Shared by run results (here) and drift tables (:mod:`equivalence.baseline.drift`):
    a subclass names its ``columns``, ``statuses``, ``failing`` statuses and file ``stem``.
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
        document = {"metadata": self.metadata, "rows": [r.record() for r in self.rows]}
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
