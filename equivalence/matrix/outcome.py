"""What became of each environment of a matrix: its baseline, or why there is none.

The list is kept as ``matrix.json`` in the output folder, rewritten (atomically) after
each environment, so a matrix stopped half way shows what it did; the scoreboard is
built from it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .._io import atomic_write_text

__all__ = ["EnvOutcome", "read_outcomes", "write_outcomes"]


@dataclass
class EnvOutcome:
    """One environment of the axis, after the matrix ran it."""

    name: str
    #: distribution -> exact version asked for (torch: the CPU build's full version).
    pins: dict[str, str]
    #: ``ok`` (a baseline was saved or reused) or ``error`` (``reason`` says why).
    status: str = "ok"
    reason: str = ""
    baseline: str = ""
    environment: str = ""
    extra: list[str] = field(default_factory=list)
    #: Every distribution installed in the environment, with its version.
    packages: dict[str, str] = field(default_factory=dict)
    #: Seconds to make the environment (or to find it made), and to save its baseline.
    made_seconds: float | None = None
    saved_seconds: float | None = None
    reused_environment: bool = False
    reused_baseline: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.baseline)

    def label(self) -> str:
        return ", ".join(f"{n} {v}" for n, v in self.pins.items()) + (f" + {', '.join(self.extra)}"
                                                                       if self.extra else "")


def write_outcomes(path: Path, outcomes: list[EnvOutcome], metadata: dict[str, Any]) -> None:
    document = {"metadata": metadata, "environments": [asdict(o) for o in outcomes]}
    atomic_write_text(path, json.dumps(document, indent=1) + "\n")


def read_outcomes(path: Path) -> tuple[list[EnvOutcome], dict[str, Any]]:
    """The environments recorded in a ``matrix.json`` (ValueError when it is not one)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        outcomes = [EnvOutcome(**entry) for entry in document["environments"]]
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: not a matrix record: {exc}") from None
    return outcomes, dict(document.get("metadata") or {})
