"""Drift: each backend compared with its own stored outputs, one row per (case, output, backend).

TensorFlow today is compared with TensorFlow in the baseline, PyTorch with PyTorch, and
so on; backends are never compared with each other here (that is ``run``'s job).

Columns (``DRIFT_COLUMNS``, in this order):

=================  ==================================================================
case, output       the case id and output name (``*``: the whole (case, backend))
backend            whose outputs are compared with their earlier selves
status             one of ``DRIFT_STATUSES``
max_abs_diff ...   max_abs_diff, max_rel_diff, max_ulp_diff, mismatched, numel: as in
                   ``results.py``, the stored value being the expected side
rtol, atol         the tolerance: the case's for that output when the case is known,
                   else the per-dtype default of both dtypes (``tolerance.py``)
version_before     that backend's framework version in the baseline
version_after      and now
message            what changed, or why a row could not be compared
=================  ==================================================================

Statuses: ``unchanged`` (bit for bit: -0.0 against 0.0 or another NaN payload is a
change); ``bitwise_change`` (within tolerance, not bitwise equal: it matters for
reproducibility, not for correctness); ``drift`` (beyond tolerance, or a shape or dtype
change); ``new`` (not in the baseline: a new case or output, or one that raised or was
skipped then and runs now); ``removed`` (in the baseline, not now: a case deleted, an
output no longer returned, a framework no longer installed); ``error`` (raises now, or
cannot be loaded now; the message says whether it raised in the baseline too).

``drift`` and ``error`` fail (``DRIFT_FAILING``); ``removed`` does not: removing a case
is a change of the catalogue, not of the numbers, and it is listed all the same.

Files: ``drift.csv`` and ``drift.json`` (``{"metadata": {"before": ..., "after": ...},
"rows": [...]}``), strict JSON as ``results.json`` (NaN -> null, inf -> "inf"), written
atomically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from ..results import Table

if TYPE_CHECKING:
    import numpy as np

    from ..case import Case
    from .storage import Baseline, Snapshot

__all__ = ["DRIFT_COLUMNS", "DRIFT_FAILING", "DRIFT_STATUSES", "DriftReport", "DriftRow", "compare_baselines",
           "compare_snapshots"]

DRIFT_STATUSES = ("unchanged", "bitwise_change", "drift", "new", "removed", "error")
DRIFT_FAILING = ("drift", "error")
DRIFT_COLUMNS = (
    "case", "output", "backend", "status",
    "max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched", "numel",
    "rtol", "atol", "version_before", "version_after", "message",
)  # fmt: skip

NAN = float("nan")


@dataclass
class DriftRow:
    case: str
    output: str
    backend: str
    status: str
    max_abs_diff: float = NAN
    max_rel_diff: float = NAN
    max_ulp_diff: float = NAN
    mismatched: int = 0
    numel: int = 0
    rtol: float = NAN
    atol: float = NAN
    version_before: str = ""
    version_after: str = ""
    message: str = ""
    #: The largest differences (index, now, before, abs, rel, ulp): not a column.
    worst: list[tuple[Any, ...]] = field(default_factory=list, repr=False)

    def record(self) -> dict[str, Any]:
        values = asdict(self)
        return {c: values[c] for c in DRIFT_COLUMNS}


@dataclass
class DriftReport(Table):
    """The drift table: ``frame``, ``counts()``, ``failed``, ``write()`` (``drift.csv``/``.json``)."""

    columns: ClassVar[tuple[str, ...]] = DRIFT_COLUMNS
    statuses: ClassVar[tuple[str, ...]] = DRIFT_STATUSES
    failing: ClassVar[tuple[str, ...]] = DRIFT_FAILING
    stem: ClassVar[str] = "drift"

    rows: list[DriftRow]
    metadata: dict[str, Any]


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
) -> DriftReport:
    """Every (case, backend) of ``after`` against the same one in ``before``.

    ``cases`` (id -> Case) gives the cases' tolerances; without it, per-dtype defaults.
    ``unavailable`` maps ids of cases that cannot be loaded now to why: they give
    ``error`` rows, not ``removed``.
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
                    rows.append(DriftRow(case_id, "*", backend, "error", version_before=versions[0],
                                         version_after=versions[1], message=unavailable[case_id]))
                continue
            removed_why = f"case not in {after.label()}" if case_id not in after.cases else \
                f"{backend} not in {after.label()}"
            rows += compare_snapshots(case_id, backend, old, new, cases.get(case_id), versions, removed_why)
    metadata = {"before": describe(before), "after": describe(after),
                "tolerances": "the cases'" if cases else "per-dtype defaults"}
    report = DriftReport(rows, metadata)
    metadata["counts"] = report.counts()
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
        return [row(n, status, message, numel=_numel(snap, n)) for n in names] or [row("*", status, message)]

    then = _then(old)
    if new is None or new.status == "skipped":
        why = removed_why if new is None else f"skipped now: {new.message}"
        if old is None or old.status == "skipped":
            return []
        if old.status == "error":
            return [row("*", "removed", f"{why}; {then}")]
        return each(old, "removed", why)
    if new.status == "error":
        if old is not None and old.status == "error":
            same = new.message == old.message
            return [row("*", "error", f"raises now and raised in the baseline too: {new.message}"
                        + ("" if same else f" (then: {old.message})"))]
        return [row("*", "error", f"raises now: {new.message} ({then})")]
    if old is None or old.status != "ok":
        rows = [row(n, "new", then, numel=_numel(new, n)) for n in new.outputs]
        rows += [row(n, "error", f"output {n!r}: {why} ({then})") for n, why in new.output_errors.items()
                 if n not in new.outputs]
        return rows
    rows = []
    names = list(dict.fromkeys([*old.outputs, *new.outputs, *new.output_errors, *old.output_errors]))
    for name in names:
        if name in new.output_errors:
            also = " (in the baseline too)" if name in old.output_errors else ""
            rows.append(row(name, "error", f"output {name!r}: {new.output_errors[name]}{also}"))
        elif name in new.outputs and name in old.outputs:
            tolerance = case.tolerance_for(name) if case is not None else None
            rows.append(_compare_output(row, name, new, old, tolerance))
        elif name in new.outputs:
            why = f"unusable in the baseline: {old.output_errors[name]}" if name in old.output_errors else \
                "output not in the baseline"
            rows.append(row(name, "new", why, numel=_numel(new, name)))
        elif name in old.outputs:
            rows.append(row(name, "removed", "output no longer returned", numel=_numel(old, name)))
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


def _compare_output(row: Callable[..., DriftRow], name: str, new: Snapshot, old: Snapshot, tolerance: Any) -> DriftRow:
    import numpy as np

    from ..compare import compare_arrays
    from ..tolerance import default_tolerance

    now, then = np.asarray(new.outputs[name]), np.asarray(old.outputs[name])
    dt_now, dt_then = new.dtypes.get(name, str(now.dtype)), old.dtypes.get(name, str(then.dtype))
    tol = tolerance or default_tolerance(dt_then, dt_now)
    fields: dict[str, Any] = {"numel": int(now.size), "rtol": tol.rtol, "atol": tol.atol}
    same_layout = now.shape == then.shape and now.dtype == then.dtype and dt_now == dt_then
    if same_layout and _bytes(now) == _bytes(then):
        return row(name, "unchanged", "", max_abs_diff=0.0, max_rel_diff=0.0, max_ulp_diff=0.0, **fields)
    result = compare_arrays(now, then, tol, actual_dtype=dt_now, expected_dtype=dt_then, check_dtype=True)
    fields.update(max_abs_diff=result.max_abs_diff, max_rel_diff=result.max_rel_diff,
                  max_ulp_diff=result.max_ulp_diff, mismatched=result.mismatched, worst=result.worst)
    if not result.passed:
        return row(name, "drift", result.message, **fields)
    changed = changed_elements(now, then) if same_layout else int(now.size)
    return row(name, "bitwise_change", f"{changed} of {now.size} elements changed bits, within tolerance", **fields)


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
