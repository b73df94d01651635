"""Drift: each backend compared with its own stored outputs, one row per (case, output, backend).

TensorFlow today is compared with TensorFlow in the baseline, PyTorch with PyTorch, and
so on; backends are never compared with each other here (that is ``run``'s job).
:func:`compare_baselines` compares two baselines (a saved one and this run, or two
saved ones), :func:`compare_snapshots` one (case, backend) of each; an output both hold
is compared by :func:`.output_change.compare_output`. The rows, their columns,
statuses and changes, and the table they make are those of :mod:`.drift_table`
(importable from here too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .drift_table import CHANGES, DRIFT_COLUMNS, DRIFT_FAILING, DRIFT_STATUSES, DriftReport, DriftRow, describe, rank
from .output_change import compare_output, digest, digest_snapshot, digest_text, numel, text, values

if TYPE_CHECKING:
    from ..case import Case
    from .accepted import Acceptance
    from .model import Baseline, Snapshot

__all__ = ["CHANGES", "DRIFT_COLUMNS", "DRIFT_FAILING", "DRIFT_STATUSES", "DriftReport", "DriftRow",
           "compare_baselines", "compare_snapshots", "rank"]


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
                                         after=text(unavailable[case_id])))
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
        return ([row(n, status, message, change=status, numel=numel(snap, n), **values(snap, n, "before"))
                 for n in names] or [row("*", status, message, change=status)])

    then = _then(old)
    if new is None or new.status == "skipped":
        why = removed_why if new is None else f"skipped now: {new.message}"
        if old is None or old.status == "skipped":
            return []
        if old.status == "error":
            return [row("*", "removed", f"{why}; {then}", change="removed", before=text(old.message))]
        return each(old, "removed", why)
    if new.status == "error":
        digests = {"after_sha256": digest_text(new.message),
                   "before_sha256": digest_snapshot(old)}
        if old is not None and old.status == "error":
            same = new.message == old.message
            return [row("*", "error", f"raises now and raised in the baseline too: {new.message}"
                        + ("" if same else f" (then: {old.message})"), change="error", before=text(old.message),
                        after=text(new.message), **digests)]
        return [row("*", "error", f"raises now: {new.message} ({then})", change="error",
                    before="" if old is None else text(old.message) if old.status != "ok" else "(no error)",
                    after=text(new.message), **digests)]
    if old is None or old.status != "ok":
        rows = [row(n, "new", then, change="new", numel=numel(new, n), **values(new, n, "after"),
                    before=text(old.message) if old is not None else "") for n in new.outputs]
        rows += [row(n, "error", f"output {n!r}: {why} ({then})", change="error", after=text(why),
                     after_sha256=digest_text(why)) for n, why in new.output_errors.items() if n not in new.outputs]
        return rows
    rows = []
    names = list(dict.fromkeys([*old.outputs, *new.outputs, *new.output_errors, *old.output_errors]))
    for name in names:
        if name in new.output_errors:
            also = " (in the baseline too)" if name in old.output_errors else ""
            stored = old.outputs.get(name)
            rows.append(row(name, "error", f"output {name!r}: {new.output_errors[name]}{also}", change="error",
                            after=text(new.output_errors[name]), after_sha256=digest_text(new.output_errors[name]),
                            before_sha256=digest_text(old.output_errors.get(name, "")) if stored is None else
                            digest(stored, old.dtypes.get(name, "")), **values(old, name, "before")))
        elif name in new.outputs and name in old.outputs:
            tolerance = case.tolerance_for(name, backend, backend) if case is not None else None
            rows.append(compare_output(row, name, new, old, tolerance))
        elif name in new.outputs:
            why = f"unusable in the baseline: {old.output_errors[name]}" if name in old.output_errors else \
                "output not in the baseline"
            rows.append(row(name, "new", why, change="new", numel=numel(new, name), **values(new, name, "after")))
        elif name in old.outputs:
            rows.append(row(name, "removed", "output no longer returned", change="removed",
                            numel=numel(old, name), **values(old, name, "before")))
    return rows


def _then(old: Snapshot | None) -> str:
    if old is None:
        return "not in the baseline"
    if old.status == "error":
        return f"raised in the baseline: {old.message}"
    if old.status == "skipped":
        return f"skipped in the baseline: {old.message}"
    return f"the baseline has {len(old.outputs)} output(s)"
