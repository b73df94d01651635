"""What the commands share: parsing backends, the project's settings, finding the cases.

Used by :mod:`equivalence.cli` (``run``, ``list``) and :mod:`equivalence.baseline.cli`
(``baseline save/check``, ``compare``), which import this module and never each other.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .backends import DEFAULT_REFERENCE, backend_names

if TYPE_CHECKING:
    from .case import Case
    from .discovery import LoadError
    from .execution import Execution
    from .results import Row
    from .runner import Progress

__all__ = ["UsageError", "apply_settings", "discover_args", "parse_backends", "progress_printer", "settings_start"]


def parse_backends(value: str) -> list[str]:
    if value.strip() == "all":
        return list(backend_names())
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in backend_names()]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown backend {', '.join(unknown) or '(none)'}; choose from {', '.join(backend_names())}"
        )
    return names


class UsageError(Exception):
    pass


def settings_start(path: str) -> str:
    """Where to look for the project's settings: from the first path given (a project's
    cases run from anywhere find its ``pyproject.toml``), else from here."""
    from pathlib import Path

    given = Path(path)
    return str(given if given.is_dir() else given.parent) if given.exists() else "."


def apply_settings(args: argparse.Namespace, start: str = ".") -> None:
    """Fill what the command line left out from ``[tool.equivalence]`` (:mod:`equivalence.config`),
    then from the defaults: flags override the project, the project the defaults."""
    from .config import ConfigError, load_settings

    try:
        settings = load_settings(start)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    defaults = {"paths": settings.cases or ["cases"], "backends": settings.backends,
                "reference": settings.reference or DEFAULT_REFERENCE, "out": settings.out or "reports",
                "jobs": settings.jobs or 1, "timeout": settings.timeout}
    for name, value in defaults.items():
        if hasattr(args, name) and getattr(args, name) in (None, []):
            setattr(args, name, value)


def discover_args(args: argparse.Namespace) -> tuple[list[Case], list[LoadError]]:
    """The cases of ``args`` (:func:`equivalence.runner.discover_cases`; isolated runs
    hold them as plain data); what cannot be run as found is a usage error."""
    from .discovery import DiscoveryError
    from .runner import discover_cases

    try:
        cases, errors = discover_cases(args.paths, args.select, isolate=getattr(args, "isolate", False))
        ids = getattr(args, "ids", None)
        if ids:
            missing = sorted(set(ids) - {c.id for c in cases})
            if missing:
                raise UsageError(f"no case with id {', '.join(missing)} under {' '.join(args.paths)}")
            cases = [c for c in cases if c.id in ids]
        return cases, errors
    except (DiscoveryError, ValueError) as exc:
        raise UsageError(str(exc)) from None


def progress_printer(cases: Sequence[Case], quiet: bool = False) -> Progress | None:
    """The line printed as each case finishes: its status glyph, id, and per backend
    whether it ran and how long it took (backends the case does not implement left out)."""
    if quiet:
        return None
    from ._text import printable
    from .execution import applies
    from .results import GLYPH, worst

    width = max((len(c.id) for c in cases), default=10)

    def progress(case: Case, executions: dict[str, Execution], rows: list[Row]) -> None:
        parts = []
        for name, execution in executions.items():
            if execution.not_applicable or not applies(case, name):
                continue
            mark = "E" if execution.error else "s" if execution.skipped else "✓"
            parts.append(f"{name} {mark} {execution.seconds:.2f}s")
        status = worst(r.status for r in rows)
        print(f"{GLYPH[status]} {printable(case.id).ljust(width)}  {'  '.join(parts)}", flush=True)

    return progress
