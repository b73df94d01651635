"""The matrix file: the environments along the axis, read and checked before anything is made.

A TOML file with an optional ``[matrix]`` table (what every environment runs) and one
``[[env]]`` table per environment, in the order of the axis::

    [matrix]
    cases = ["../cases"]          # relative to this file (default: the project's cases)
    select = "002 or 003"         # like -k
    backends = "numpy,torch,tensorflow,tensorflow-function"
    jobs = 1                      # worker processes of each `baseline save`
    timeout = 300                 # CPU seconds of one case in one backend

    [[env]]
    name = "tf2.19-np2.1"         # letters, digits, . _ + -: the environment's folder
    tensorflow-cpu = "2.19.1"     # any other key: a distribution pinned to exactly this version
    numpy = "2.1.3"
    torch = "2.13.0"
    with = ["keras==3.10.0"]      # further requirements, as pip writes them (optional)

``tensorflow`` and ``tf`` mean ``tensorflow-cpu``, ``pytorch`` means ``torch`` (what the
project's ``frameworks`` extra installs). Every mistake is a :class:`SpecError` naming the
file and the environment, raised before any environment is made; unknown keys of
``[matrix]`` and top-level tables are mistakes, never ignored.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ALIASES", "EnvSpec", "MatrixSpec", "SpecError", "load_spec", "parse_spec"]

#: What a pin's name installs: TensorFlow's CPU build, PyTorch.
ALIASES = {"tensorflow": "tensorflow-cpu", "tf": "tensorflow-cpu", "pytorch": "torch"}
#: Keys of ``[matrix]`` with what each must be.
MATRIX_KEYS = {"cases": "a list of paths", "select": "a -k expression", "backends": "a list of backend names",
               "jobs": "a number of processes", "timeout": "a number of seconds"}
#: Keys of an ``[[env]]`` table that are not pins.
ENV_KEYS = ("name", "with")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]{0,63}\Z")
_DISTRIBUTION = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\Z")
#: An exact version (PEP 440, local label allowed): no operator, no wildcard, no space.
_VERSION = re.compile(r"([0-9]+!)?[0-9]+(\.[0-9]+)*([-_.]?(a|b|rc|alpha|beta|c|pre|preview|post|rev|r|dev)[-_.]?[0-9]*)*"
                      r"(\+[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*)?\Z", re.IGNORECASE)


class SpecError(ValueError):
    """A matrix file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True)
class EnvSpec:
    """One environment of the axis: its name and what it pins."""

    name: str
    #: distribution (normalised, aliases resolved) -> exact version, in the file's order.
    pins: dict[str, str]
    #: Further requirements, as written.
    extra: tuple[str, ...] = ()

    def requirements(self) -> list[str]:
        """``name==version`` for each pin, then the further requirements."""
        return [f"{name}=={version}" for name, version in self.pins.items()] + list(self.extra)

    def label(self) -> str:
        """The pins in a few words: ``tensorflow-cpu 2.19.1, numpy 2.1.3``."""
        return ", ".join(f"{name} {version}" for name, version in self.pins.items()) + (
            f" + {', '.join(self.extra)}" if self.extra else "")


@dataclass(frozen=True)
class MatrixSpec:
    """The matrix file read: the environments in the axis' order and what each runs."""

    path: Path
    envs: tuple[EnvSpec, ...]
    #: Case paths, absolute (resolved against the file's folder); empty: the project's default.
    cases: tuple[str, ...] = ()
    select: str | None = None
    backends: tuple[str, ...] = ()
    jobs: int | None = None
    timeout: float | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


def normalise(name: str) -> str:
    """A distribution name as the registries compare it (``Tensorflow_CPU`` -> ``tensorflow-cpu``)."""
    plain = re.sub(r"[-_.]+", "-", name.strip()).lower()
    return ALIASES.get(plain, plain)


def _read(path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SpecError(f"{path}: no such file") from None
    except OSError as exc:
        raise SpecError(f"{path}: cannot be read: {exc}") from None
    except ValueError as exc:  # tomllib.TOMLDecodeError
        raise SpecError(f"{path}: not valid TOML: {exc}") from None


def load_spec(path: str | Path) -> MatrixSpec:
    """The matrix file at ``path``, checked (:class:`SpecError` when it cannot be used)."""
    where = Path(path)
    return parse_spec(_read(where), where)


def parse_spec(data: dict[str, Any], path: Path) -> MatrixSpec:
    """A matrix from TOML already read; ``path`` names it in errors and anchors relative case paths."""
    unknown = sorted(set(data) - {"matrix", "env"})
    if unknown:
        raise SpecError(f"{path}: unknown table or key {', '.join(map(repr, unknown))}: a matrix file holds "
                        "[matrix] (optional) and [[env]] tables")
    settings = data.get("matrix", {})
    if not isinstance(settings, dict):
        raise SpecError(f"{path}: [matrix] must be a table")
    envs = data.get("env")
    if envs is None:
        raise SpecError(f"{path}: no environment: add [[env]] tables, each with a name and pinned versions, "
                        'e.g. [[env]] name = "tf2.20" tensorflow-cpu = "2.20.0"')
    if not isinstance(envs, list) or not all(isinstance(e, dict) for e in envs):
        raise SpecError(f"{path}: env must be an array of tables: write each environment as [[env]]")
    parsed = [_env(entry, index, path) for index, entry in enumerate(envs, 1)]
    seen: dict[str, int] = {}
    for index, env in enumerate(parsed, 1):
        if env.name.lower() in seen:
            raise SpecError(f"{path}: [[env]] #{index}: the name {env.name!r} is used by [[env]] "
                            f"#{seen[env.name.lower()]} already (names are folders: case does not tell them apart)")
        seen[env.name.lower()] = index
    return MatrixSpec(path, tuple(parsed), raw=data, **_settings(settings, path))


def _env(entry: dict[str, Any], index: int, path: Path) -> EnvSpec:
    name = entry.get("name")
    here = f"{path}: [[env]] #{index}"
    if name is None:
        raise SpecError(f'{here}: no name: add name = "..." (letters, digits, . _ + -)')
    if not isinstance(name, str) or not _NAME.match(name):
        raise SpecError(f"{here}: name {name!r} is not usable as a folder name: letters, digits, '.', '_', '+' "
                        "and '-', starting with a letter or digit, at most 64 characters")
    here = f"{path}: [[env]] {name!r}"
    pins: dict[str, str] = {}
    for key, value in entry.items():
        if key in ENV_KEYS:
            continue
        if not _DISTRIBUTION.match(key):
            raise SpecError(f"{here}: {key!r} is not a distribution name")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise SpecError(f'{here}: {key} = {value!r}: write versions as strings, e.g. {key} = "{value}.0" '
                            "(TOML reads 2.10 as the number 2.1)")
        if not isinstance(value, str) or not _VERSION.match(value.strip()):
            raise SpecError(f"{here}: {key} = {value!r} is not an exact version: pin one release, e.g. "
                            f'{key} = "2.20.0" (no operator, no wildcard; further requirements go in with = [...])')
        dist = normalise(key)
        if dist in pins:
            raise SpecError(f"{here}: {dist} is pinned twice ({key!r} is another name of it)")
        pins[dist] = value.strip()
    extra = entry.get("with", [])
    if isinstance(extra, str):
        extra = [extra]
    if not isinstance(extra, list) or not all(isinstance(e, str) and e.strip() for e in extra):
        raise SpecError(f'{here}: with must be a list of requirements, e.g. with = ["keras==3.10.0"]')
    if not pins and not extra:
        raise SpecError(f'{here}: pins nothing: add the versions it installs, e.g. tensorflow-cpu = "2.20.0"')
    return EnvSpec(name, pins, tuple(e.strip() for e in extra))


def _settings(table: dict[str, Any], path: Path) -> dict[str, Any]:
    unknown = sorted(set(table) - set(MATRIX_KEYS))
    if unknown:
        raise SpecError(f"{path}: [matrix]: unknown key {', '.join(map(repr, unknown))}; known: "
                        + ", ".join(f"{k} ({v})" for k, v in MATRIX_KEYS.items()))
    found: dict[str, Any] = {}
    cases = table.get("cases", [])
    if isinstance(cases, str):
        cases = [cases]
    if not isinstance(cases, list) or not all(isinstance(c, str) and c for c in cases):
        raise SpecError(f'{path}: [matrix] cases must be a list of paths, e.g. cases = ["../cases"]')
    found["cases"] = tuple(str((path.parent / c).resolve()) for c in cases)
    select = table.get("select")
    if select is not None and not isinstance(select, str):
        raise SpecError(f"{path}: [matrix] select must be a string, a -k expression")
    found["select"] = select or None
    backends = table.get("backends", [])
    if isinstance(backends, str):
        backends = [b.strip() for b in backends.split(",") if b.strip()]
    if not isinstance(backends, list) or not all(isinstance(b, str) for b in backends):
        raise SpecError(f'{path}: [matrix] backends must be a list of backend names, e.g. ["numpy", "torch"]')
    found["backends"] = tuple(backends)
    for key, kind in (("jobs", int), ("timeout", float)):
        value = table.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0 or (
                kind is int and not isinstance(value, int)):
            raise SpecError(f"{path}: [matrix] {key} must be a positive {'whole ' if kind is int else ''}number")
        found[key] = kind(value)
    return found
