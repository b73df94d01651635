"""One configuration for the command line and pytest: ``[tool.equivalence]``.

The nearest ``pyproject.toml`` above the working directory (for pytest: above its
rootdir) that has a ``[tool.equivalence]`` table gives the project's settings; flags on
the command line override them::

    [tool.equivalence]
    cases = ["my_cases"]                 # folders or files, relative to this file
    backends = ["numpy", "torch", "tensorflow"]
    reference = "tensorflow"
    timeout = 600                        # CPU seconds of one case in one backend
    jobs = 2
    out = "reports"                      # relative to this file

Unknown keys are an error (a typo must not be ignored silently).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["KEYS", "Settings", "load_settings"]

#: The keys ``[tool.equivalence]`` may hold, with what each must be.
KEYS = {"cases": "a list of paths", "backends": "a list of backend names", "reference": "a backend name",
        "timeout": "a number of seconds", "jobs": "a number", "out": "a path"}


class ConfigError(ValueError):
    """``[tool.equivalence]`` holds something it cannot."""


@dataclass
class Settings:
    """The project's settings; ``None`` where the project says nothing."""

    source: Path | None = None
    cases: list[str] | None = None
    backends: list[str] | None = None
    reference: str | None = None
    timeout: float | None = None
    jobs: int | None = None
    out: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def _read_toml(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    with path.open("rb") as handle:
        return tomllib.load(handle)


def load_settings(start: str | Path = ".") -> Settings:
    """The settings of the nearest ``pyproject.toml`` with ``[tool.equivalence]`` at or
    above ``start``; empty settings when there is none."""
    folder = Path(start).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / "pyproject.toml"
        if not path.is_file():
            continue
        try:
            table = _read_toml(path).get("tool", {}).get("equivalence")
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: {exc}") from None
        if table is None:
            continue
        return _settings(path, table)
    return Settings()


def _settings(path: Path, table: Any) -> Settings:
    from .backends import backend_names

    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.equivalence] must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [tool.equivalence]: {', '.join(unknown)} "
                          f"(known: {', '.join(KEYS)})")

    def strings(key: str) -> list[str] | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: [tool.equivalence] {key} must be {KEYS[key]}")
        return value

    here = path.parent
    settings = Settings(source=path, raw=dict(table))
    cases = strings("cases")
    settings.cases = None if cases is None else [str((here / c).resolve()) for c in cases]
    settings.backends = strings("backends")
    reference = table.get("reference")
    if reference is not None and not isinstance(reference, str):
        raise ConfigError(f"{path}: [tool.equivalence] reference must be {KEYS['reference']}")
    settings.reference = reference
    for name in (*(settings.backends or ()), *([reference] if reference else [])):
        if name not in backend_names():
            raise ConfigError(f"{path}: [tool.equivalence] names an unknown backend {name!r}; "
                              f"known: {', '.join(backend_names())}")
    for key, kind in (("timeout", float), ("jobs", int)):
        value = table.get(key)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(f"{path}: [tool.equivalence] {key} must be {KEYS[key]} above 0")
            setattr(settings, key, kind(value))
    out = table.get("out")
    if out is not None:
        if not isinstance(out, str):
            raise ConfigError(f"{path}: [tool.equivalence] out must be {KEYS['out']}")
        settings.out = str((here / out).resolve())
    return settings
