"""Where baselines are: a command's BASELINE argument as a file, and the file loaded.

A baseline is named on the command line by its file (``before.npz``,
``build/a/base.npz``) or by its name in :data:`BASELINES` (``before`` is
``reports/baselines/before.npz``); none named means the newest there. Every failure is
a :class:`~equivalence.arguments.UsageError` (exit 2) that says what to do.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import Baseline

__all__ = ["BASELINES", "checked_baseline", "load_named", "resolve", "safe_name", "same_file"]

#: Where ``baseline save --name NAME`` writes, and where a bare name is looked for.
BASELINES = Path("reports") / "baselines"


def resolve(argument: str | None) -> Path:
    """A baseline argument as a file: a path, a name in reports/baselines/, or the newest there."""
    from ..arguments import UsageError

    if argument is None:
        found = sorted(BASELINES.glob("*.npz"), key=lambda p: p.stat().st_mtime)
        if not found:
            raise UsageError(f"no baseline in {BASELINES}/; save one with: python -m equivalence baseline save")
        if len(found) > 1:
            print(f"using the newest baseline in {BASELINES}/: {found[-1].name} (name one to choose)")
        return found[-1]
    path = Path(argument)
    if path.exists() or path.suffix == ".npz" or len(path.parts) > 1:
        return path
    return BASELINES / f"{argument}.npz"


def load_named(argument: str | None) -> Baseline:
    """The baseline a command argument names (:func:`resolve`), loaded; a file that is
    not a usable baseline is a usage error."""
    from ..arguments import UsageError
    from .storage import BaselineError, load_baseline

    try:
        return load_baseline(resolve(argument))
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def safe_name(name: str) -> str:
    """``name`` as a file name: runs of other characters than letters, digits and
    ``._+-`` become ``_``."""
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", name).strip("._") or "baseline"


def checked_baseline(drift_path: Path, metadata: dict[str, Any] | None = None) -> Path:
    """The baseline file a drift table (``drift.json``) was checked against."""
    from ..arguments import UsageError

    if metadata is None:
        import json

        try:
            metadata = json.loads(drift_path.read_text(encoding="utf-8"))["metadata"]
        except (OSError, ValueError, KeyError, TypeError):
            raise UsageError(f"{drift_path}: no drift table to find the baseline in; name the BASELINE") from None
    before = (metadata or {}).get("before") or {}
    if not before.get("path"):
        raise UsageError(f"{drift_path}: the baseline it was checked against has no file; name the BASELINE")
    return Path(before["path"])


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()
