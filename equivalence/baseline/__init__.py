"""Baselines: every backend's outputs saved with the environment, and drift against them.

A maintainer who upgrades TensorFlow, PyTorch or NumPy saves a baseline before
(``python -m equivalence baseline save``), checks after (``baseline check``), or
compares two saves made in two environments (``compare A B``). Each backend is
compared with **its own** stored outputs, never with another backend. An expected
change is accepted with a reason (``baseline accept``) in a file beside the baseline.

Modules::

    storage      the .npz file: Baseline, Snapshot, save_baseline, load_baseline, BaselineError
    environment  the environment in full (packages, threads, CPU, BLAS, the frameworks'
                 own settings) and two of them side by side
    drift        DriftRow/DriftReport, the drift statuses, changes and columns, compare_baselines
    accepted     accepted changes: Acceptance, load_accepted, save_accepted, apply_accepted
    check        run the selected cases (isolated, -j, time limits) and compare them with a baseline
    cli          the commands, registered by equivalence.cli
    _pytest      --equivalence-baseline / --equivalence-force-regen test items

Importing this package imports neither NumPy nor pandas; the names below load their
module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .accepted import Acceptance, load_accepted, save_accepted
    from .check import check_cases
    from .drift import CHANGES, DRIFT_COLUMNS, DRIFT_FAILING, DRIFT_STATUSES, DriftReport, DriftRow, compare_baselines
    from .environment import collect_environment, environment_rows
    from .storage import SCHEMA_VERSION, Baseline, BaselineError, Snapshot, load_baseline, save_baseline

__all__ = [
    "CHANGES",
    "DRIFT_COLUMNS",
    "DRIFT_FAILING",
    "DRIFT_STATUSES",
    "SCHEMA_VERSION",
    "Acceptance",
    "Baseline",
    "BaselineError",
    "DriftReport",
    "DriftRow",
    "Snapshot",
    "check_cases",
    "collect_environment",
    "compare_baselines",
    "environment_rows",
    "load_accepted",
    "load_baseline",
    "save_accepted",
    "save_baseline",
]

_LAZY = {
    "check_cases": "check",
    **dict.fromkeys(["Acceptance", "load_accepted", "save_accepted"], "accepted"),
    **dict.fromkeys(["collect_environment", "environment_rows"], "environment"),
    **dict.fromkeys(["CHANGES", "DRIFT_COLUMNS", "DRIFT_FAILING", "DRIFT_STATUSES", "DriftReport", "DriftRow",
                     "compare_baselines"], "drift"),
    **dict.fromkeys(["SCHEMA_VERSION", "Baseline", "BaselineError", "Snapshot", "load_baseline",
                     "save_baseline"], "storage"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
