"""Drift: each backend compared with its own stored outputs, one row per (case, output, backend).

TensorFlow today is compared with TensorFlow in the baseline, PyTorch with PyTorch, and
so on; backends are never compared with each other here (that is ``run``'s job).

Columns (``DRIFT_COLUMNS``, in this order):

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

Statuses: ``unchanged`` (bit for bit: -0.0 against 0.0 or another NaN payload is a
change); ``bitwise_change`` (within tolerance, not bitwise equal: it matters for
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

Rows are ranked: failing first (error, drift), then accepted, removed, new and bitwise
changes, each by size (``tolerances``, then ``max_rel_diff``), unchanged last.

Files: ``drift.csv`` and ``drift.json`` (``{"metadata": {"before": ..., "after": ...,
"counts": ..., "by_backend": ...}, "rows": [...]}``), strict JSON as ``results.json``
(NaN -> null, inf -> "inf"), written atomically. Each JSON row also holds ``worst``
(the elements that moved most: ``{"index": [i, j], "before", "after", "abs_diff",
"rel_diff", "ulp_diff"}``), ``after_sha256`` and ``before_sha256`` (digests of the new
value or error message and of the stored one, which ``baseline accept`` records).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from .._io import atomic_write_text
from .._json import dumps
from ..results import Table

if TYPE_CHECKING:
    import numpy as np

    from ..case import Case
    from .accepted import Acceptance
    from .storage import Baseline, Snapshot

__all__ = ["CHANGES", "DRIFT_COLUMNS", "DRIFT_FAILING", "DRIFT_STATUSES", "DriftReport", "DriftRow",
           "compare_baselines", "compare_snapshots", "rank"]

DRIFT_STATUSES = ("unchanged", "bitwise_change", "drift", "accepted", "new", "removed", "error")
DRIFT_FAILING = ("drift", "error")
#: Worst first: how rows are ranked, before their size.
DRIFT_ORDER = ("error", "drift", "accepted", "removed", "new", "bitwise_change", "unchanged")
CHANGES = ("values", "dtype", "dtype+values", "shape", "sign_of_zero", "nan_payload", "error", "new", "removed")
DRIFT_COLUMNS = (
    "case", "output", "backend", "status", "change", "tolerances",
    "max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched", "numel",
    "rtol", "atol", "dtype_before", "dtype_after", "before", "after",
    "version_before", "version_after", "accepted", "message",
)  # fmt: skip
#: Outputs up to this many elements show their values before and after in full.
SMALL_VALUES = 8
#: Longest text of a value or message in the before/after columns.
TEXT_LIMIT = 200

NAN = float("nan")


@dataclass
class DriftRow:
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
    worst: list[tuple[Any, ...]] = field(default_factory=list, repr=False)
    #: sha256 of the new value (dtype, shape and bytes) or error message, and of the
    #: stored one: not columns (``baseline accept`` records them).
    after_sha256: str = field(default="", repr=False)
    before_sha256: str = field(default="", repr=False)

    def record(self) -> dict[str, Any]:
        values = asdict(self)
        return {c: values[c] for c in DRIFT_COLUMNS}

    def json_record(self) -> dict[str, Any]:
        """The record with ``worst`` (indices and values) and ``after_sha256``, for drift.json."""
        worst = [{"index": list(index) if isinstance(index, (tuple, list)) else index, "after": _plain(now),
                  "before": _plain(then), "abs_diff": d, "rel_diff": r, "ulp_diff": u}
                 for index, now, then, d, r, u in self.worst]
        return {**self.record(), "worst": worst, "after_sha256": self.after_sha256,
                "before_sha256": self.before_sha256}


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

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """``drift.csv`` (the columns) and ``drift.json`` (with each row's worst elements)."""
        paths = super().write(out_dir)
        document = {"metadata": self.metadata, "rows": [r.json_record() for r in self.rows]}
        atomic_write_text(paths["json"], dumps(document, printable=True) + "\n")
        return paths


def rank(rows: Sequence[DriftRow]) -> list[DriftRow]:
    """Failing first, then by size (tolerances out, then relative difference); stable."""

    def size(value: float) -> float:
        return -1.0 if math.isnan(value) else value

    return sorted(rows, key=lambda r: (DRIFT_ORDER.index(r.status) if r.status in DRIFT_ORDER else 0,
                                       -size(r.tolerances), -size(r.max_rel_diff)))


def describe(baseline: Baseline) -> dict[str, Any]:
    """A baseline's side of the drift metadata."""
    return {"path": str(baseline.path or ""), "name": baseline.name, "created": baseline.created,
            "environment": baseline.environment}


def compare_baselines(
    before: Baseline,
    after: Baseline,
    *,
    cases: Mapping[str, Case] | None = None,
    unavailable: Mapping[str, str] | None = None,
    accepted: Sequence[Acceptance] = (),
) -> DriftReport:
    """Every (case, backend) of ``after`` against the same one in ``before``.

    ``cases`` (id -> Case) gives the cases' tolerances; without it, per-dtype defaults.
    ``unavailable`` maps ids of cases that cannot be loaded now to why: they give
    ``error`` rows, not ``removed``. ``accepted``: the changes accepted for ``before``
    (:func:`equivalence.baseline.accepted.load_accepted`), which turn the rows they
    still describe into ``accepted``.
    """
    cases = cases or {}
    unavailable = unavailable or {}
    rows: list[DriftRow] = []
    case_ids = list(dict.fromkeys([*after.cases, *(c for c, _ in after.snapshots),
                                   *before.cases, *(c for c, _ in before.snapshots)]))
    backends = list(dict.fromkeys([*after.backends, *before.backends]))
    for case_id in case_ids:
        for backend in backends:
            old, new = before.snapshots.get((case_id, backend)), after.snapshots.get((case_id, backend))
            versions = before.version(backend), after.version(backend)
            if new is None and case_id in unavailable:
                if old is not None and old.status != "skipped":
                    rows.append(DriftRow(case_id, "*", backend, "error", "error", version_before=versions[0],
                                         version_after=versions[1], message=unavailable[case_id],
                                         after=_text(unavailable[case_id])))
                continue
            removed_why = f"case not in {after.label()}" if case_id not in after.cases else \
                f"{backend} not in {after.label()}"
            rows += compare_snapshots(case_id, backend, old, new, cases.get(case_id), versions, removed_why)
    if accepted:
        from .accepted import apply_accepted

        apply_accepted(rows, accepted)
    metadata: dict[str, Any] = {"before": describe(before), "after": describe(after),
                                "tolerances": "the cases'" if cases else "per-dtype defaults"}
    if accepted:
        metadata["accepted"] = len(accepted)
    report = DriftReport(rows, metadata)
    report.refresh()
    return report


def compare_snapshots(
    case_id: str,
    backend: str,
    old: Snapshot | None,
    new: Snapshot | None,
    case: Case | None = None,
    versions: tuple[str, str] = ("", ""),
    removed_why: str = "not in this run",
) -> list[DriftRow]:
    """The drift rows of one (case, backend): ``new`` now against ``old`` in the baseline."""

    def row(output: str, status: str, message: str, **fields: Any) -> DriftRow:
        return DriftRow(case_id, output, backend, status, version_before=versions[0],
                        version_after=versions[1], message=message, **fields)

    def each(snap: Snapshot, status: str, message: str) -> list[DriftRow]:
        names = [*snap.outputs, *(n for n in snap.output_errors if n not in snap.outputs)]
        return ([row(n, status, message, change=status, numel=_numel(snap, n), **_values(snap, n, "before"))
                 for n in names] or [row("*", status, message, change=status)])

    then = _then(old)
    if new is None or new.status == "skipped":
        why = removed_why if new is None else f"skipped now: {new.message}"
        if old is None or old.status == "skipped":
            return []
        if old.status == "error":
            return [row("*", "removed", f"{why}; {then}", change="removed", before=_text(old.message))]
        return each(old, "removed", why)
    if new.status == "error":
        digests = {"after_sha256": _digest_text(new.message),
                   "before_sha256": _digest_snapshot(old)}
        if old is not None and old.status == "error":
            same = new.message == old.message
            return [row("*", "error", f"raises now and raised in the baseline too: {new.message}"
                        + ("" if same else f" (then: {old.message})"), change="error", before=_text(old.message),
                        after=_text(new.message), **digests)]
        return [row("*", "error", f"raises now: {new.message} ({then})", change="error",
                    before="" if old is None else _text(old.message) if old.status != "ok" else "(no error)",
                    after=_text(new.message), **digests)]
    if old is None or old.status != "ok":
        rows = [row(n, "new", then, change="new", numel=_numel(new, n), **_values(new, n, "after"),
                    before=_text(old.message) if old is not None else "") for n in new.outputs]
        rows += [row(n, "error", f"output {n!r}: {why} ({then})", change="error", after=_text(why),
                     after_sha256=_digest_text(why)) for n, why in new.output_errors.items() if n not in new.outputs]
        return rows
    rows = []
    names = list(dict.fromkeys([*old.outputs, *new.outputs, *new.output_errors, *old.output_errors]))
    for name in names:
        if name in new.output_errors:
            also = " (in the baseline too)" if name in old.output_errors else ""
            stored = old.outputs.get(name)
            rows.append(row(name, "error", f"output {name!r}: {new.output_errors[name]}{also}", change="error",
                            after=_text(new.output_errors[name]), after_sha256=_digest_text(new.output_errors[name]),
                            before_sha256=_digest_text(old.output_errors.get(name, "")) if stored is None else
                            _digest(stored, old.dtypes.get(name, "")), **_values(old, name, "before")))
        elif name in new.outputs and name in old.outputs:
            tolerance = case.tolerance_for(name, backend, backend) if case is not None else None
            rows.append(_compare_output(row, name, new, old, tolerance))
        elif name in new.outputs:
            why = f"unusable in the baseline: {old.output_errors[name]}" if name in old.output_errors else \
                "output not in the baseline"
            rows.append(row(name, "new", why, change="new", numel=_numel(new, name), **_values(new, name, "after")))
        elif name in old.outputs:
            rows.append(row(name, "removed", "output no longer returned", change="removed",
                            numel=_numel(old, name), **_values(old, name, "before")))
    return rows


def _then(old: Snapshot | None) -> str:
    if old is None:
        return "not in the baseline"
    if old.status == "error":
        return f"raised in the baseline: {old.message}"
    if old.status == "skipped":
        return f"skipped in the baseline: {old.message}"
    return f"the baseline has {len(old.outputs)} output(s)"


def _numel(snap: Snapshot, name: str) -> int:
    array = snap.outputs.get(name)
    return 0 if array is None else int(array.size)


def _text(value: Any, limit: int = TEXT_LIMIT) -> str:
    from .._text import printable

    return printable(value, limit, newlines=False)


def _kind(dtype: str) -> str:
    """``f`` float (and complex), ``i`` integer, ``b`` boolean, ``s`` string or other."""
    if dtype.startswith(("float", "bfloat", "complex")):
        return "f"
    if dtype.startswith(("int", "uint")):
        return "i"
    if dtype == "bool":
        return "b"
    return "s"


def show(array: np.ndarray, dtype: str = "") -> str:
    """A small array's values as text: each float the shortest that identifies it in its
    dtype (``0.1`` for a float32 0.1), strings quoted, nested lists for matrices."""
    import numpy as np

    def text(a: np.ndarray) -> str:
        if a.ndim:
            return "[" + ", ".join(text(item) for item in a) + "]"
        value = a[()]
        return repr(str(value)) if a.dtype.kind in "US" else str(value)

    return _text(text(np.asarray(array)))


def _values(snap: Snapshot, name: str, side: str) -> dict[str, Any]:
    """The ``before``/``after`` text and dtype of one output, when it is small."""
    array = snap.outputs.get(name)
    if array is None:
        return {}
    dtype = snap.dtypes.get(name, str(array.dtype))
    return {f"dtype_{side}": dtype, side: show(array, dtype) if array.size <= SMALL_VALUES else ""}


def _digest(array: np.ndarray, dtype: str) -> str:
    import numpy as np

    array = np.ascontiguousarray(array)
    header = f"{dtype}|{array.dtype.str}|{array.shape}|".encode()
    return hashlib.sha256(header + array.tobytes()).hexdigest()


def _digest_snapshot(snap: Snapshot | None) -> str:
    """A digest of everything a (case, backend) stored: status, message, every output."""
    if snap is None:
        return ""
    parts = [snap.status, snap.message, *(f"{name}:{_digest(array, snap.dtypes.get(name, ''))}"
                                          for name, array in sorted(snap.outputs.items()))]
    return _digest_text("|".join(parts))


def _digest_text(text: str) -> str:
    return hashlib.sha256(f"text|{text}".encode("utf-8", "surrogatepass")).hexdigest()


def _compare_output(row: Callable[..., DriftRow], name: str, new: Snapshot, old: Snapshot, tolerance: Any) -> DriftRow:
    import numpy as np

    from ..compare import compare_arrays
    from ..tolerance import default_tolerance

    now, then = np.asarray(new.outputs[name]), np.asarray(old.outputs[name])
    dt_now, dt_then = new.dtypes.get(name, str(now.dtype)), old.dtypes.get(name, str(then.dtype))
    tol = tolerance or default_tolerance(dt_then, dt_now)
    fields: dict[str, Any] = {"numel": int(now.size), "rtol": tol.rtol, "atol": tol.atol,
                              "dtype_before": dt_then, "dtype_after": dt_now}
    same_layout = now.shape == then.shape and now.dtype == then.dtype and dt_now == dt_then
    if same_layout and _bytes(now) == _bytes(then):
        return row(name, "unchanged", "", max_abs_diff=0.0, max_rel_diff=0.0, max_ulp_diff=0.0, tolerances=0.0,
                   **fields)
    fields.update(after_sha256=_digest(now, dt_now), before_sha256=_digest(then, dt_then))
    small = now.size <= SMALL_VALUES and then.size <= SMALL_VALUES
    if small:
        fields.update(before=show(then, dt_then), after=show(now, dt_now))
    if now.shape != then.shape:
        also = f"; dtype {dt_then} → {dt_now}" if dt_now != dt_then else ""
        return row(name, "drift", f"shape {then.shape} → {now.shape}{also}", change="shape", **fields)
    result = compare_arrays(now, then, tol, actual_dtype=dt_now, expected_dtype=dt_then, check_dtype=False)
    exact = "f" not in (_kind(dt_now), _kind(dt_then))
    fields.update(max_abs_diff=result.max_abs_diff, max_rel_diff=result.max_rel_diff,
                  max_ulp_diff=NAN if exact else result.max_ulp_diff, mismatched=result.mismatched,
                  worst=result.worst, tolerances=result.tolerances)
    if exact and {"b", "s"} & {_kind(dt_now), _kind(dt_then)}:  # no distance between booleans or texts
        fields.update(max_abs_diff=NAN, max_rel_diff=NAN)
    if not small and result.worst:  # the element that moved most
        index, value_now, value_then = result.worst[0][:3]
        where = list(index)
        fields.update(before=_text(f"{where}: {value_then!r}"), after=_text(f"{where}: {value_now!r}"))
    if dt_now != dt_then:
        # ULPs of two dtypes are not one unit: the row says how many tolerances out instead.
        fields["max_ulp_diff"] = NAN
        equal = result.mismatched == 0 and _equal_by_value(now, then)
        if result.passed:
            how = "the values equal" if equal else (
                f"the values within tolerance (at most {result.tolerances:.2g} of it, {result.max_abs_diff:.3g} abs)")
            return row(name, "drift", f"dtype only: {dt_then} → {dt_now}; {how}", change="dtype", **fields)
        return row(name, "drift", f"dtype {dt_then} → {dt_now}, and {result.message}", change="dtype+values",
                   **fields)
    if not result.passed:
        return row(name, "drift", result.message, change="values", **fields)
    changed = changed_elements(now, then) if same_layout else int(now.size)
    if not exact and same_layout:
        only = _only_zero_signs_or_nan_payloads(now, then)
        if only == "sign_of_zero":
            return row(name, "bitwise_change", f"sign of zero only: {changed} of {now.size} elements are -0.0 "
                       "where the baseline has 0.0, or the reverse", change="sign_of_zero", **fields)
        if only == "nan_payload":
            return row(name, "bitwise_change", f"NaN payload only: {changed} of {now.size} NaN elements changed bits",
                       change="nan_payload", **fields)
    return row(name, "bitwise_change", f"{changed} of {now.size} elements changed bits, within tolerance",
               change="values", **fields)


def _equal_by_value(a: np.ndarray, b: np.ndarray) -> bool:
    import numpy as np

    try:
        with np.errstate(all="ignore"):
            return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc" and b.dtype.kind in "fc"))
    except (TypeError, ValueError):
        return False


def _only_zero_signs_or_nan_payloads(a: np.ndarray, b: np.ndarray) -> str:
    """``sign_of_zero`` when the elements whose bits differ are all zeros of both signs,
    ``nan_payload`` when they are all NaN on both sides, else ``""``."""
    import numpy as np

    width = a.dtype.itemsize
    if a.dtype.kind not in "fc" or a.size == 0 or width == 0:
        return ""
    bytes_a = np.ascontiguousarray(a).reshape(-1).view(np.uint8).reshape(-1, width)
    bytes_b = np.ascontiguousarray(b).reshape(-1).view(np.uint8).reshape(-1, width)
    differ = (bytes_a != bytes_b).any(axis=1)
    x, y = a.reshape(-1)[differ], b.reshape(-1)[differ]
    if x.size and bool(np.all((x == 0) & (y == 0))):
        return "sign_of_zero"
    if x.size and bool(np.all(np.isnan(x) & np.isnan(y))):
        return "nan_payload"
    return ""


def _bytes(array: np.ndarray) -> bytes:
    import numpy as np

    return np.ascontiguousarray(array).tobytes()


def changed_elements(a: np.ndarray, b: np.ndarray) -> int:
    """How many elements of two same-shape, same-dtype arrays differ in their bits."""
    import numpy as np

    width = a.dtype.itemsize
    if a.size == 0 or width == 0:
        return 0
    bytes_a = np.ascontiguousarray(a).reshape(-1).view(np.uint8).reshape(-1, width)
    bytes_b = np.ascontiguousarray(b).reshape(-1).view(np.uint8).reshape(-1, width)
    return int(np.count_nonzero((bytes_a != bytes_b).any(axis=1)))
