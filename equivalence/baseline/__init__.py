"""Baselines: every backend's outputs saved with the environment, and drift against them.

A maintainer who upgrades TensorFlow, PyTorch or NumPy saves a baseline before
(``python -m equivalence baseline save``), checks after (``baseline check``), or
compares two saves made in two environments (``compare A B``). Each backend is
compared with **its own** stored outputs, never with another backend. An expected
change is accepted with a reason (``baseline accept``) in a file beside the baseline.

The public API, for code that saves baselines in other environments and compares them::

    save_command(path, python=VENV_PYTHON, backends=..., select=...)  # the command line
    baseline = load_baseline(path)            # a Baseline; BaselineError if unusable
    baseline.versions, baseline.version(b)    # the framework versions it was made with
    baseline.environment                      # and the environment in full
    report = compare_baselines(before, after, cases=..., accepted=load_accepted(path))
    report.rows                               # DriftRow: case, output, backend, status ...
    report.failed, report.counts(), report.by_backend(), report.write(out_dir)
    drift_summary(report)                     # the text ``compare`` prints
    environment_rows(before.environment, after.environment)  # side by side, changes marked

Statuses (``DRIFT_STATUSES``, ``DRIFT_FAILING``, ``DRIFT_SEVERITY``, ``DRIFT_GLYPH``)
are defined with the run's in :mod:`equivalence.results`.

Modules::

    model            Baseline and Snapshot: what a baseline holds
    storage          the .npz file: save_baseline, load_baseline, BaselineError
    versions         the framework versions recorded, and the tag that names a baseline
    environment      the environment in full (packages, threads, CPU, BLAS); the frameworks
                     from the backend registry
    probe            what each framework says of itself, asked in a child process
    environment_diff two environments side by side
    drift_table      DriftRow, DriftReport, CHANGES, DRIFT_COLUMNS: the drift table
    drift            compare_baselines, compare_snapshots
    output_change    one output now against its stored self (bits, dtype, tolerance)
    accepted         accepted changes: Acceptance, load_accepted, save_accepted, apply_accepted
    check            run the selected cases (isolated, -j, time limits) and compare them with a baseline
    locate           a command's BASELINE argument as a file
    summary          the terminal summary of a drift table
    commands         the commands; cli declares their arguments (registered by equivalence.cli)
    _pytest          --equivalence-baseline / --equivalence-force-regen test items

Importing this package imports neither NumPy nor pandas; the names below load their
module on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..results import DRIFT_FAILING, DRIFT_GLYPH, DRIFT_SEVERITY, DRIFT_STATUSES
    from .accepted import Acceptance, apply_accepted, load_accepted, save_accepted
    from .check import check_cases
    from .cli import save_command
    from .commands import tolerance_cases
    from .drift import compare_baselines, compare_snapshots
    from .drift_table import CHANGES, DRIFT_COLUMNS, DriftReport, DriftRow
    from .environment import collect_environment, environment_rows, frameworks_of
    from .locate import BASELINES
    from .locate import resolve as resolve_baseline
    from .model import Baseline, Snapshot
    from .storage import SCHEMA_VERSION, BaselineError, load_baseline, save_baseline
    from .summary import drift_summary
    from .versions import environment_tag, framework_version

__all__ = [
    "BASELINES",
    "CHANGES",
    "DRIFT_COLUMNS",
    "DRIFT_FAILING",
    "DRIFT_GLYPH",
    "DRIFT_SEVERITY",
    "DRIFT_STATUSES",
    "SCHEMA_VERSION",
    "Acceptance",
    "Baseline",
    "BaselineError",
    "DriftReport",
    "DriftRow",
    "Snapshot",
    "apply_accepted",
    "check_cases",
    "collect_environment",
    "compare_baselines",
    "compare_snapshots",
    "drift_summary",
    "environment_rows",
    "environment_tag",
    "framework_version",
    "frameworks_of",
    "load_accepted",
    "load_baseline",
    "resolve_baseline",
    "save_accepted",
    "save_baseline",
    "save_command",
    "tolerance_cases",
]

#: name -> (module, its name there).
_LAZY: dict[str, tuple[str, str]] = {
    **{n: ("..results", n) for n in ("DRIFT_FAILING", "DRIFT_GLYPH", "DRIFT_SEVERITY", "DRIFT_STATUSES")},
    **{n: (".accepted", n) for n in ("Acceptance", "apply_accepted", "load_accepted", "save_accepted")},
    "check_cases": (".check", "check_cases"),
    "save_command": (".cli", "save_command"),
    "tolerance_cases": (".commands", "tolerance_cases"),
    **{n: (".drift", n) for n in ("compare_baselines", "compare_snapshots")},
    **{n: (".drift_table", n) for n in ("CHANGES", "DRIFT_COLUMNS", "DriftReport", "DriftRow")},
    **{n: (".environment", n) for n in ("collect_environment", "environment_rows", "frameworks_of")},
    "BASELINES": (".locate", "BASELINES"),
    "resolve_baseline": (".locate", "resolve"),
    **{n: (".model", n) for n in ("Baseline", "Snapshot")},
    **{n: (".storage", n) for n in ("SCHEMA_VERSION", "BaselineError", "load_baseline", "save_baseline")},
    "drift_summary": (".summary", "drift_summary"),
    **{n: (".versions", n) for n in ("environment_tag", "framework_version")},
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module, __name__), attribute)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
