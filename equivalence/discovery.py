"""Finding cases: every ``Case`` defined at the top level of the ``.py`` files under a path.

Cases come out sorted by id, numbers compared as numbers (``002-2`` before ``002-12``).

Files whose name starts with ``_`` or ``test_`` and ``conftest.py`` are not case files.
A file is imported once per process (by absolute path), so the CLI, the pytest plugin
and the API see the same ``Case`` objects. A file that fails to import is reported as
a :class:`LoadError` and the others still load; two cases with one id are an error
that names both files, since results are keyed by id.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .case import Case

__all__ = ["DiscoveryError", "LoadError", "case_files", "discover", "load_file"]


class DiscoveryError(Exception):
    """The cases cannot be run as found (a missing path, a duplicate id)."""


@dataclass
class LoadError:
    path: str
    error: str
    traceback: str = ""


_LOADED: dict[Path, list[Case]] = {}


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*.py"))
                if not p.name.startswith(("_", "test_"))
                and p.name != "conftest.py"
                and not any(part.startswith((".", "__")) for part in p.relative_to(path).parts[:-1])
            )
        else:
            raise DiscoveryError(f"no such file or directory: {path}")
    return files


def load_file(path: Path) -> list[Case]:
    """The cases a file defines, in definition order (imported once per process)."""
    path = path.resolve()
    if path not in _LOADED:
        digest = hashlib.sha1(str(path).encode()).hexdigest()[:10]
        name = f"equivalence_cases.{path.stem}_{digest}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        cases = [v for v in vars(module).values() if isinstance(v, Case)]
        for case in cases:
            case.path = str(path)
        _LOADED[path] = cases
    return _LOADED[path]


def discover(paths: Iterable[str | Path]) -> tuple[list[Case], list[LoadError]]:
    """All cases under ``paths``; raises :class:`DiscoveryError` on a duplicate id."""
    import traceback

    cases: list[Case] = []
    errors: list[LoadError] = []
    seen: dict[str, Case] = {}
    for file in case_files(paths):
        try:
            found = load_file(file)
        except Exception as exc:  # one broken file must not hide the others
            errors.append(LoadError(str(file), f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=-3)))
            continue
        for case in found:
            if case.id in seen and seen[case.id] is not case:
                raise DiscoveryError(
                    f"duplicate case id {case.id!r}: defined in {seen[case.id].path} and in {case.path}"
                )
            if case.id not in seen:
                seen[case.id] = case
                cases.append(case)
    cases.sort(key=lambda c: natural_key(c.id))
    return cases, errors


def natural_key(text: str) -> list[object]:
    """``002-2`` before ``002-12``: numbers compare as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text)]
