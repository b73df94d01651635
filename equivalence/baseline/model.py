"""What a baseline holds, in memory: a :class:`Snapshot` per (case, backend), the cases,
and the environment it was made in (:mod:`.storage` writes and reads it as a file)."""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .versions import with_versions

if TYPE_CHECKING:
    import numpy as np

    from ..case import Case
    from ..execution import Execution
    from ..results import RunResult

__all__ = ["Baseline", "Snapshot", "case_records", "now"]

#: What a (case, backend) did: ran, raised, or was skipped.
SNAPSHOT_STATUSES = ("ok", "error", "skipped")


@dataclass
class Snapshot:
    """What one (case, backend) produced: outputs with framework dtype names, or why not."""

    status: str  # one of SNAPSHOT_STATUSES
    message: str = ""
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    dtypes: dict[str, str] = field(default_factory=dict)
    output_errors: dict[str, str] = field(default_factory=dict)
    seconds: float = float("nan")

    @classmethod
    def from_execution(cls, execution: Execution) -> Snapshot:
        if execution.skipped:
            return cls("skipped", execution.skipped, seconds=execution.seconds)
        if execution.error:
            return cls("error", str(execution.error), seconds=execution.seconds)
        return cls("ok", "", dict(execution.outputs), dict(execution.dtypes),
                   dict(execution.output_errors), execution.seconds)


@dataclass
class Baseline:
    """A saved run: snapshots keyed by (case id, backend), the cases and the environment.

    ``environment`` is the run's metadata (``versions``: backend -> framework version,
    ``python``, ``platform`` ...) with the sections of :mod:`.environment` (``packages``,
    ``threads``, ``hardware``, ``blas``, ``frameworks``); older baselines hold fewer."""

    snapshots: dict[tuple[str, str], Snapshot]
    environment: dict[str, Any]
    #: case id -> {"title": ..., "file": ...}, in run order.
    cases: dict[str, dict[str, str]] = field(default_factory=dict)
    name: str = ""
    created: str = ""
    path: Path | None = None

    @classmethod
    def from_result(cls, result: RunResult, name: str = "", *, environment: bool = True) -> Baseline:
        """Everything ``result`` ran, ready to be saved or compared with a saved one.

        ``environment``: record the environment in full (packages, threads, CPU, BLAS,
        what the frameworks run say of themselves: :mod:`.environment`), not only the
        run's metadata."""
        snapshots = {key: Snapshot.from_execution(e) for key, e in result.executions.items()}
        recorded = with_versions(result.metadata)
        if environment:
            from .environment import collect_environment

            recorded.update(collect_environment(result.metadata.get("backends") or []))
        return cls(snapshots, recorded, case_records(result.cases), name, now())

    @property
    def backends(self) -> list[str]:
        return list(dict.fromkeys(backend for _, backend in self.snapshots))

    @property
    def versions(self) -> dict[str, str]:
        """Every version recorded: backend (or package, as ``pandas``) -> version, "" when
        it was not installed."""
        return {str(k): str(v or "") for k, v in (self.environment.get("versions") or {}).items()}

    def version(self, backend: str) -> str:
        """The framework version this baseline recorded for ``backend`` (empty if none)."""
        return str((self.environment.get("versions") or {}).get(backend) or "")

    def label(self) -> str:
        return str(self.path) if self.path else (self.name or "this run")


def case_records(cases: Iterable[Case]) -> dict[str, dict[str, str]]:
    return {c.id: {"title": c.title, "file": _relative(c.path)} for c in cases}


def _relative(path: str) -> str:
    if not path:
        return ""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return path


def now() -> str:
    """The time now, as a baseline records it (UTC, ISO 8601, seconds)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
