"""Checking the catalogue against a baseline: run what is selected, compare with what was saved.

The scope of a check is what the command line selects: cases under the given paths
that match ``-k``, in the given backends. A baseline case outside that scope is not
compared at all (checking ``-k 003`` does not report every other case as removed); a
baseline case inside it that cannot be found now is ``removed``, or ``error`` when its
file failed to import.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .drift import DriftReport, compare_baselines
from .model import Baseline

if TYPE_CHECKING:
    from ..case import Case
    from ..discovery import LoadError
    from ..results import RunResult
    from ..runner import Progress
    from .accepted import Acceptance

__all__ = ["baseline_scope", "check_cases", "matching", "scoped"]


def check_cases(
    baseline: Baseline,
    cases: Sequence[Case],
    backends: Sequence[str] | None = None,
    *,
    load_errors: Sequence[LoadError] = (),
    in_scope: Sequence[str] | None = None,
    progress: Progress | None = None,
    isolate: bool = False,
    jobs: int = 1,
    timeout: float | None = None,
    accepted: Sequence[Acceptance] = (),
) -> tuple[RunResult, DriftReport]:
    """Run ``cases`` and compare every backend with its outputs in ``baseline``.

    ``in_scope``: ids of baseline cases that should be there now (default: those that
    ran); a baseline case outside it is left out of the comparison. ``isolate``,
    ``jobs`` and ``timeout`` are :func:`~equivalence.runner.run_cases`': in worker
    processes a case that hangs or crashes becomes an ``error`` row and the check goes
    on. ``accepted``: the changes accepted for ``baseline`` (:mod:`.accepted`).
    """
    from ..backends import DEFAULT_REFERENCE, backend_names
    from ..runner import run_cases

    chosen = list(backends or backend_names())
    reference = DEFAULT_REFERENCE if DEFAULT_REFERENCE in chosen else chosen[0]
    result = run_cases(cases, chosen, reference, load_errors=load_errors, progress=progress, isolate=isolate,
                       jobs=jobs, timeout=timeout)
    after = Baseline.from_result(result, name="this run")
    running = {c.id for c in cases}
    keep = running | set(in_scope or ())
    before = scoped(baseline, keep, chosen)
    unavailable = {}
    failed_files = {_resolved(e.path): e.error for e in load_errors}
    for case_id, record in before.cases.items():
        file = _resolved(record.get("file", ""))
        if case_id not in running and file in failed_files:
            unavailable[case_id] = f"case file failed to import: {failed_files[file]}"
    report = compare_baselines(before, after, cases={c.id: c for c in cases}, unavailable=unavailable,
                               accepted=accepted)
    return result, report


def scoped(baseline: Baseline, case_ids: set[str], backends: Sequence[str]) -> Baseline:
    """``baseline`` restricted to ``case_ids`` in ``backends``."""
    snapshots = {k: s for k, s in baseline.snapshots.items() if k[0] in case_ids and k[1] in backends}
    cases = {i: r for i, r in baseline.cases.items() if i in case_ids}
    return replace(baseline, snapshots=snapshots, cases=cases)


def baseline_scope(baseline: Baseline, paths: Sequence[str], select: str | None) -> list[str]:
    """Ids of baseline cases whose file lies under ``paths`` and that match ``select``."""
    from .._select import compile_expression

    matches = compile_expression(select) if select else (lambda text: True)
    roots = [Path(p).resolve() for p in paths]
    ids = []
    for case_id, record in baseline.cases.items():
        file = _resolved(record.get("file", ""))
        under = file is None or any(file == root or root in file.parents for root in roots)
        if under and matches(f"{case_id} {record.get('title', '')}"):
            ids.append(case_id)
    return ids


def matching(baseline: Baseline, select: str | None) -> set[str]:
    """Ids of the cases ``baseline`` holds whose id or title match ``select`` (all without one)."""
    from .._select import compile_expression

    ids = [*baseline.cases, *(c for c, _ in baseline.snapshots)]
    if not select:
        return set(ids)
    matches = compile_expression(select)
    return {i for i in ids if matches(f"{i} {baseline.cases.get(i, {}).get('title', '')}")}


def _resolved(path: str) -> Path | None:
    return Path(path).resolve() if path else None
