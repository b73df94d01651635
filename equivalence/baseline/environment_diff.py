"""Two environments side by side: one row per item either records, what differs marked.

The first thing to read when a check finds drift: which framework, companion package,
thread setting, CPU flag or BLAS changed between the baseline and now. Works on any
environment a baseline holds, older ones (fewer sections) included.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = ["environment_rows", "flatten"]


def _is_mode(name: str) -> bool:
    """Whether ``name`` is a registered execution mode (``tensorflow-function``), which
    has its framework's version; a name that is no backend (``pandas``) is not."""
    from ..backends import get_backend

    try:
        return get_backend(name).is_mode
    except ValueError:
        return False


def flatten(environment: Mapping[str, Any]) -> dict[str, str]:
    """One label per item of an environment (a run's metadata with the sections above),
    in a fixed order, with its value as text; older baselines give what they hold."""
    rows: dict[str, str] = {}
    versions = environment.get("versions") or {}
    for name, version in versions.items():
        if not _is_mode(name):  # an execution mode has its framework's version
            rows[f"version {name}"] = str(version) if version else "not installed"
    for name, version in (environment.get("packages") or {}).items():
        rows[f"package {name}"] = str(version)
    for key in ("python", "platform"):
        if environment.get(key):
            rows[key] = str(environment[key])
    cpu = environment.get("hardware") or environment.get("cpu")
    if isinstance(cpu, Mapping):
        for key in ("model", "machine", "cores", "microcode"):
            if cpu.get(key) not in (None, ""):
                rows[f"cpu {key}"] = str(cpu[key])
        if cpu.get("flags"):
            rows["cpu flags"] = " ".join(cpu["flags"])
    elif cpu:  # an older baseline: the model only
        rows["cpu model"] = str(cpu)
    if environment.get("cpu_count") and "cpu cores" not in rows:
        rows["cpu cores"] = str(environment["cpu_count"])
    for key, value in (environment.get("threads") or {}).items():
        rows[f"threads {key}"] = str(value)
    for key, value in (environment.get("blas") or {}).items():
        if key == "threadpools" and isinstance(value, list):
            for pool in value:
                label = f"threadpool {pool.get('internal_api', '?')} {os.path.basename(str(pool.get('prefix', '')))}"
                rows[label.strip()] = " ".join(f"{k}={pool[k]}" for k in ("version", "num_threads", "architecture",
                                                                         "threading_layer") if k in pool)
        else:
            rows[f"blas {key}"] = str(value)
    for framework, facts in (environment.get("frameworks") or {}).items():
        if isinstance(facts, Mapping):
            for key, value in facts.items():
                if key != "version":
                    rows[f"{framework} {key}"] = str(value)
        else:
            rows[f"{framework}"] = str(facts)
    for key in ("isolated", "jobs"):
        if key in environment:
            rows[f"run {key}"] = str(environment[key])
    return rows


def environment_rows(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str, str, bool]]:
    """``(item, before, after, changed)`` for every item either side records; CPU flags
    are shown as what was added and removed when they differ."""
    old, new = flatten(before), flatten(after)
    rows = []
    for label in dict.fromkeys([*old, *new]):
        a, b = old.get(label, "-"), new.get(label, "-")
        if label == "cpu flags":
            flags_a, flags_b = set(a.split()) - {"-"}, set(b.split()) - {"-"}
            if flags_a == flags_b:
                a = b = f"{len(flags_a)} flags, the same"
            else:
                a = f"{len(flags_a)} flags" + (f"; only here: {' '.join(sorted(flags_a - flags_b))}"
                                               if flags_a - flags_b else "")
                b = f"{len(flags_b)} flags" + (f"; only here: {' '.join(sorted(flags_b - flags_a))}"
                                               if flags_b - flags_a else "")
        rows.append((label, a, b, old.get(label, "-") != new.get(label, "-")))
    return rows
