"""Finding cases: every ``Case`` defined at the top level of the ``.py`` files under a path.

Cases come out sorted by id, numbers compared as numbers (``002-2`` before ``002-12``).

Files whose name starts with ``_`` or ``test_`` and ``conftest.py`` are not case files.
A case is a ``Case`` at the top level of the file, or one in a top-level list, tuple or
dict of them (``CASES = [make(dtype) for dtype in ...]``: parametrized cases). A file
is imported once per process (by absolute path), so the CLI, the pytest plugin and the
API see the same ``Case`` objects; like pytest's rootdir-relative imports, the first
folder above it that is not a package is put on ``sys.path`` first, so a case file can
import the helper modules of its own project from wherever the command runs. A file
that fails to import is reported as a :class:`LoadError` and the others still load; one
that defines no case, or makes a case it does not expose, gets a :class:`NoCaseWarning`; two cases with one id are an error that names both files, since
results are keyed by id.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .case import Case

__all__ = ["DiscoveryError", "LoadError", "NoCaseWarning", "case_files", "discover", "load_file"]


class NoCaseWarning(UserWarning):
    """A case file defines no case, or makes cases discovery cannot find."""


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
        base = str(_import_base(path))
        if base not in sys.path:
            sys.path.insert(0, base)
        try:
            with Case.track() as created:
                spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[name]
            raise
        cases = list(dict.fromkeys(_cases_in(vars(module).values())))
        unseen = [c.id for c in created if c not in cases]
        if unseen:
            warnings.warn(f"{path}: case(s) {', '.join(unseen)} made but not found: put them at the top level, or in "
                          "a top-level list, tuple or dict", NoCaseWarning, stacklevel=2)
        elif not cases:
            warnings.warn(f"{path}: defines no case (a helper module? name it _{path.name} to say so)",
                          NoCaseWarning, stacklevel=2)
        for case in cases:
            case.path = str(path)
        _LOADED[path] = cases
    return _LOADED[path]


def _cases_in(values: Iterable[object]) -> Iterable[Case]:
    for value in values:
        if isinstance(value, Case):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, Case))
        elif isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, Case))


def _import_base(path: Path) -> Path:
    """The first folder above ``path`` without an ``__init__.py`` (pytest's rootdir rule
    for ``prepend`` imports): where the file's own imports are resolved from."""
    folder = path.parent
    while (folder / "__init__.py").exists() and folder.parent != folder:
        folder = folder.parent
    return folder


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
