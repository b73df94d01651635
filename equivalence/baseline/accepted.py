"""Accepted changes: an expected drift, recorded with its reason, so that the next check passes it.

An upgrade that changes a number on purpose (Keras 3's MSE no longer broadcasting, a
new error message) should not fail every later check, and should not be hidden either.
``python -m equivalence baseline accept -k CASE --reason "why"`` reads the drift table
of the last check (``reports/drift.json``), takes the rows selected that changed
(``drift``, ``error``, ``bitwise_change``) and records each, with the reason, the date,
the versions and what was measured, in a file **beside** the baseline:
``before.npz`` -> ``before.accepted.json``. The baseline itself is never rewritten, so
its numbers stay those of the environment it was made in, and the file is plain JSON
to review in a pull request.

The next ``baseline check`` (and ``compare``, and the pytest baseline tests) turns a row
into ``accepted``, its reason in the ``accepted`` column and in the message, when its
(case, output, backend) has an entry and the change is still the one accepted:

- the stored value is the one the change was accepted from (``before_sha256``: an
  entry does not carry over to a rewritten baseline), and
- the new value (or error message) is the accepted one, bit for bit (``after_sha256``),
  or the row is of the same status and kind of change, and no larger: max abs, max rel
  and max ULP differences and the count of mismatched elements each at most what was
  accepted (an output that wobbles a little from run to run stays accepted; one that
  moves further fails again, saying so).

A row that changed otherwise keeps its status, and its message says which accepted
change it went beyond. A row with an entry that no longer changes is ``unchanged``,
with a note that the entry can go.

The file (``{"magic": "equivalence-accepted", "schema": 1, "baseline": NAME,
"accepted": [entry, ...]}``), one entry per (case, output, backend)::

    {"case", "output", "backend", "reason", "accepted": ISO date, "status", "change",
     "max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched", "numel",
     "before", "after", "after_sha256", "before_sha256", "version_before", "version_after",
     "message"}
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_text
from .._json import dumps
from ..results import DRIFT_FAILING

if TYPE_CHECKING:
    from .drift_table import DriftRow

__all__ = ["ACCEPTABLE", "Acceptance", "accepted_path", "apply_accepted", "load_accepted", "save_accepted"]

MAGIC = "equivalence-accepted"
SCHEMA = 1
#: The statuses a change can be accepted from: what fails, and a bitwise change.
ACCEPTABLE = (*DRIFT_FAILING, "bitwise_change")
NAN = float("nan")


@dataclass
class Acceptance:
    case: str
    output: str
    backend: str
    reason: str
    accepted: str = ""
    status: str = ""
    change: str = ""
    max_abs_diff: float = NAN
    max_rel_diff: float = NAN
    max_ulp_diff: float = NAN
    mismatched: int = 0
    numel: int = 0
    before: str = ""
    after: str = ""
    after_sha256: str = ""
    before_sha256: str = ""
    version_before: str = ""
    version_after: str = ""
    message: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return self.case, self.output, self.backend

    @classmethod
    def from_record(cls, record: dict[str, Any], reason: str, when: str = "") -> Acceptance:
        """An entry from a drift.json row (strict JSON: NaN as null, inf as "inf")."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in record.items() if k in known}
        for key in ("max_abs_diff", "max_rel_diff", "max_ulp_diff"):
            values[key] = _number(values.get(key))
        values.update(reason=reason, accepted=when or _now())
        return cls(**values)

    def describe(self) -> str:
        return f"accepted on {self.accepted[:10]}: {self.reason}"


def _number(value: Any) -> float:
    if value is None:
        return NAN
    if value in ("inf", "-inf"):
        return float(value)
    return float(value)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def accepted_path(baseline: str | Path) -> Path:
    """``reports/baselines/before.npz`` -> ``reports/baselines/before.accepted.json``."""
    path = Path(baseline)
    stem = path.name[: -len(path.suffix)] if path.suffix else path.name
    return path.with_name(f"{stem}.accepted.json")


def load_accepted(baseline: str | Path) -> list[Acceptance]:
    """The entries accepted for the baseline file ``baseline`` (none when there is no file)."""
    from .storage import BaselineError

    path = accepted_path(baseline)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: unreadable accepted changes ({type(exc).__name__}: {exc})") from None
    if not isinstance(document, dict) or document.get("magic") != MAGIC or document.get("schema") != SCHEMA:
        raise BaselineError(f"{path}: not an equivalence accepted-changes file (magic/schema)")
    try:
        return [Acceptance.from_record(entry, entry["reason"], entry.get("accepted", "")) for entry in
                document["accepted"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"{path}: malformed accepted change ({type(exc).__name__}: {exc})") from None


def save_accepted(baseline: str | Path, entries: Iterable[Acceptance]) -> Path:
    """Write ``entries`` beside ``baseline``, atomically, one per (case, output, backend)."""
    path = accepted_path(baseline)
    unique = {entry.key: entry for entry in entries}
    document = {"magic": MAGIC, "schema": SCHEMA, "baseline": Path(baseline).name,
                "accepted": [asdict(e) for e in sorted(unique.values(), key=lambda e: e.key)]}
    atomic_write_text(path, dumps(document) + "\n")
    return path


def _within(now: float, accepted: float) -> bool:
    if math.isnan(now):  # nothing measured now: nothing larger
        return True
    if math.isnan(accepted):
        return False
    return now <= accepted


def still_accepted(row: DriftRow, entry: Acceptance) -> bool:
    """Whether ``row`` (a :class:`~equivalence.baseline.drift_table.DriftRow`) is the change
    ``entry`` accepted (see the module's rules)."""
    if entry.before_sha256 and row.before_sha256 != entry.before_sha256:
        return False  # accepted from another stored value: the baseline was rewritten since
    if entry.after_sha256 and row.after_sha256 == entry.after_sha256:
        return True
    if row.status != entry.status or row.change != entry.change or row.change in ("error", "shape"):
        return False
    return (_within(row.max_abs_diff, entry.max_abs_diff) and _within(row.max_rel_diff, entry.max_rel_diff)
            and _within(row.max_ulp_diff, entry.max_ulp_diff) and row.mismatched <= entry.mismatched)


def apply_accepted(rows: Sequence[DriftRow], entries: Sequence[Acceptance]) -> int:
    """Mark the drift rows the entries still describe ``accepted``; returns how many."""
    by_key = {entry.key: entry for entry in entries}
    count = 0
    for row in rows:
        entry = by_key.get((row.case, row.output, row.backend))
        if entry is None:
            continue
        if row.status == "unchanged":
            row.message = f"the accepted change no longer occurs ({entry.describe()}); its entry can go"
        elif row.status in ACCEPTABLE and still_accepted(row, entry):
            row.status, row.accepted = "accepted", entry.reason
            row.message = f"{entry.describe()} | {row.message}"
            count += 1
        elif row.status in ACCEPTABLE and entry.before_sha256 and row.before_sha256 != entry.before_sha256:
            row.message = (f"{row.message} | not the change {entry.describe()}: that was from another stored "
                           "value (the baseline was rewritten since)")
        elif row.status in ACCEPTABLE:
            row.message = (f"{row.message} | beyond the change {entry.describe()} (then max abs "
                           f"{entry.max_abs_diff:.3g}, max ulp {entry.max_ulp_diff:.3g}, {entry.mismatched} "
                           f"mismatched)")
    return count
