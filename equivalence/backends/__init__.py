"""The backend registry: which frameworks exist, found without importing any of them.

A backend is one module here with one class; adding a framework is that file plus one
line in ``REGISTRY``. Names are the frameworks' import names everywhere (registry key,
CLI value, DataFrame value, file names).

``implementation`` says whose implementation a backend runs: a plain backend runs its
own; an execution mode (a compiled variant of a framework) would run another's.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Backend

#: backend name -> "module:Class". Order matters: torch is imported before tensorflow in
#: one process (Keras 3's conftest notes that the other order can crash), and it is the
#: default reference.
REGISTRY: dict[str, str] = {
    "numpy": "equivalence.backends.numpy:NumpyBackend",
    "torch": "equivalence.backends.torch:TorchBackend",
    "tensorflow": "equivalence.backends.tensorflow:TensorflowBackend",
}

DEFAULT_REFERENCE = "torch"

__all__ = ["DEFAULT_REFERENCE", "REGISTRY", "backend_names", "get_backend", "implementation_names"]


def backend_names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def implementation_names() -> tuple[str, ...]:
    """The names a case may implement (``@case.numpy`` ...)."""
    return tuple(REGISTRY)


@lru_cache(maxsize=None)
def get_backend(name: str) -> "Backend":
    """The backend object (cheap: the framework itself is imported on first use)."""
    try:
        module_name, _, class_name = REGISTRY[name].partition(":")
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; known: {', '.join(REGISTRY)}") from None
    return getattr(importlib.import_module(module_name), class_name)()
