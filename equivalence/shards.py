"""Splitting a run into shards for parallel CI jobs, and merging them back into one.

``run --shard K/N`` runs a deterministic, balanced part of the cases: balanced by the
durations a previous ``results.json`` recorded (each case's total seconds over its
backends, longest first into the lightest shard: the LPT rule), or, without one, by
count (every N-th case in id order). Each shard's ``results.json`` records ``shard``
(``[K, N]``) and the ids it ran. ``merge DIR...`` combines the parts into one
``results.json``/``results.csv`` and one report: it refuses parts from different
framework versions (unless asked) and fails clearly when a shard is missing or given
twice. The union of the shards is the whole run, row for row.

The same durations order the tasks of one run longest first, so that ``-j 2`` keeps
both workers busy to the end.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .case import Case
from .results import Row, RunResult, read_results

__all__ = ["MergeError", "load_durations", "merge_results", "parse_shard", "shard_cases"]


class MergeError(ValueError):
    """The parts cannot be merged: missing, duplicated, or from different environments."""


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` as ``(2, 3)``; raises ``ValueError`` unless 1 ≤ K ≤ N."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard must be K/N, like 2/3; got {text!r}") from None
    if not 1 <= k <= n:
        raise ValueError(f"--shard {text}: K must be between 1 and N")
    return k, n


def load_durations(path: str | Path) -> dict[tuple[str, str], float]:
    """Seconds per (case, backend) recorded in a ``results.json``."""
    _, rows = read_results(path)
    durations: dict[tuple[str, str], float] = {}
    for row in rows:
        seconds = row.get("seconds")
        if isinstance(seconds, (int, float)) and seconds == seconds and row.get("backend") not in (None, "*"):
            durations[(row["case"], row["backend"])] = float(seconds)
    return durations


def case_seconds(durations: Mapping[tuple[str, str], float]) -> dict[str, float]:
    total: dict[str, float] = {}
    for (case_id, _), seconds in durations.items():
        total[case_id] = total.get(case_id, 0.0) + seconds
    return total


def shard_cases(cases: Sequence[Case], k: int, n: int,
                durations: Mapping[tuple[str, str], float] | None = None) -> list[Case]:
    """The cases of shard ``k`` of ``n``, in their original order."""
    if durations:
        seconds = case_seconds(durations)
        loads = [0.0] * n
        owner: dict[str, int] = {}
        # Longest first, each to the lightest shard (ties to the lowest index): every
        # shard computes the same assignment from the same file.
        for case in sorted(cases, key=lambda c: (-seconds.get(c.id, 0.0), c.id)):
            lightest = min(range(n), key=lambda i: (loads[i], i))
            owner[case.id] = lightest
            loads[lightest] += seconds.get(case.id, 0.0)
        return [c for c in cases if owner[c.id] == k - 1]
    ordered = sorted(cases, key=lambda c: c.id)
    chosen = {c.id for i, c in enumerate(ordered) if i % n == k - 1}
    return [c for c in cases if c.id in chosen]


def merge_results(folders: Sequence[str | Path], allow_mixed_versions: bool = False) -> RunResult:
    """One result from the ``results.json`` of every shard of one run."""
    parts: list[tuple[Path, dict[str, Any], list[dict[str, Any]]]] = []
    for folder in folders:
        path = Path(folder) / "results.json" if Path(folder).is_dir() else Path(folder)
        try:
            metadata, records = read_results(path)
        except ValueError as exc:
            raise MergeError(str(exc)) from None
        parts.append((path, metadata, records))
    if not parts:
        raise MergeError("nothing to merge")
    shards: dict[tuple[int, int], Path] = {}
    for path, metadata, _ in parts:
        shard = metadata.get("shard")
        if not (isinstance(shard, list) and len(shard) == 2):
            raise MergeError(f"{path}: not a shard (run it with --shard K/N)")
        k, n = shard
        if (k, n) in shards:
            raise MergeError(f"shard {k}/{n} given twice: {shards[(k, n)]} and {path}")
        shards[(k, n)] = path
    sizes = {n for _, n in shards}
    if len(sizes) != 1:
        raise MergeError(f"the parts come from splits into different numbers of shards: {sorted(sizes)}")
    (n,) = sizes
    missing = [k for k in range(1, n + 1) if (k, n) not in shards]
    if missing:
        raise MergeError(f"shard(s) {', '.join(f'{k}/{n}' for k in missing)} missing")
    versions = {repr(sorted(m.get("versions", {}).items())) for _, m, _ in parts}
    if len(versions) > 1 and not allow_mixed_versions:
        details = "; ".join(f"{p}: {m.get('versions')}" for p, m, _ in parts)
        raise MergeError(f"the parts ran with different framework versions ({details}); "
                         "--allow-mixed-versions merges them anyway")
    first = parts[0][1]
    metadata = {**first, "shard": None, "merged_from": [str(p) for p, _, _ in parts],
                "seconds": round(sum(float(m.get("seconds") or 0) for _, m, _ in parts), 3),
                "complete": all(m.get("complete", True) for _, m, _ in parts),
                "cases": sorted(c for _, m, _ in parts for c in m.get("cases", []))}
    rows = [Row(**{k: v for k, v in row.items() if k in Row.__dataclass_fields__})
            for _, _, part_rows in parts for row in part_rows]
    from .discovery import natural_key

    rows.sort(key=lambda r: natural_key(r.case))  # stable: each case's rows keep their order
    return RunResult(rows=rows, metadata=metadata)
