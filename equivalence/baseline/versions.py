"""The framework versions a baseline records, and the tag they give a baseline's name.

A run's metadata (``runner.run_metadata``) names each registered backend's version, or
"" when it could not tell without importing the framework; a baseline fills those in
from the installed distributions (:func:`with_versions`), so that every baseline says
what it was made with, and ``baseline save`` without ``--name`` is named after them
(:func:`environment_tag`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["environment_tag", "framework_version", "versions_text", "with_versions"]


def framework_version(backend: str) -> str:
    """``backend``'s framework version, also when the framework was never imported here.

    ``Backend.version()`` asks for the distribution named like the module, and
    ``tensorflow-cpu`` is not named ``tensorflow``: without the module loaded (cases run
    in worker processes) it gives "". The distributions that provide the module answer.
    Raises ``ValueError`` for a name that is not a registered backend.
    """
    import importlib.metadata as metadata

    from ..backends import get_backend

    found = get_backend(backend).version()
    if found:
        return found
    for distribution in metadata.packages_distributions().get(get_backend(backend).module_name, []):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return ""


def with_versions(environment: Mapping[str, Any]) -> dict[str, Any]:
    """``environment`` with the versions a run could not name filled in."""
    environment = dict(environment)
    versions = dict(environment.get("versions") or {})
    for backend, version in versions.items():
        if version == "":
            try:
                versions[backend] = framework_version(backend)
            except ValueError:  # not a backend (pandas)
                pass
    environment["versions"] = versions
    return environment


def environment_tag(metadata: Mapping[str, Any], backends: Sequence[str]) -> str:
    """``numpy-2.4.6_torch-2.13.0+cpu_tensorflow-2.21.0``: the versions a baseline was made with."""
    versions = metadata.get("versions") or {}
    return "_".join(f"{b}-{versions[b]}" for b in backends if versions.get(b)) or "baseline"


def versions_text(metadata: Mapping[str, Any]) -> str:
    """``numpy 2.4.6, torch 2.13.0+cpu, ...``: every version the metadata names."""
    return ", ".join(f"{k} {v}" for k, v in (metadata.get("versions") or {}).items() if v)
