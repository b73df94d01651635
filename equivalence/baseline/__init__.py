"""Baselines: every backend's outputs saved with the environment, and drift against them.

A maintainer who upgrades TensorFlow, PyTorch or NumPy saves a baseline before
(``python -m equivalence baseline save``), checks after (``baseline check``), or
compares two saves made in two environments (``compare A B``). Each backend is
compared with **its own** stored outputs, never with another backend.

Modules::

    storage   the .npz file: Baseline, Snapshot, save_baseline, load_baseline, BaselineError
    drift     DriftRow/DriftReport, the drift statuses and columns, compare_baselines
    check     run the selected cases and compare them with a baseline
    cli       the commands, registered by equivalence.cli
    _pytest   --equivalence-baseline / --equivalence-force-regen test items

Importing this package imports neither NumPy nor pandas; the names below load their
module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .check import check_cases
    from .drift import DRIFT_COLUMNS, DRIFT_FAILING, DRIFT_STATUSES, DriftReport, DriftRow, compare_baselines
    from .storage import SCHEMA_VERSION, Baseline, BaselineError, Snapshot, load_baseline, save_baseline

__all__ = [
    "DRIFT_COLUMNS",
    "DRIFT_FAILING",
    "DRIFT_STATUSES",
    "SCHEMA_VERSION",
    "Baseline",
    "BaselineError",
    "DriftReport",
    "DriftRow",
    "Snapshot",
    "check_cases",
    "compare_baselines",
    "load_baseline",
    "save_baseline",
]

_LAZY = {
    "check_cases": "check",
    **dict.fromkeys(["DRIFT_COLUMNS", "DRIFT_FAILING", "DRIFT_STATUSES", "DriftReport", "DriftRow",
                     "compare_baselines"], "drift"),
    **dict.fromkeys(["SCHEMA_VERSION", "Baseline", "BaselineError", "Snapshot", "load_baseline",
                     "save_baseline"], "storage"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
