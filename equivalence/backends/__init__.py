"""The backend registry: which frameworks exist, found without importing any of them.

A backend is one module here with one class; adding a framework is that file plus one
line in ``REGISTRY``. Names are the frameworks' import names everywhere (registry key,
CLI value, DataFrame value, file names).

Execution modes are backends too: ``tensorflow-function`` runs a case's ``tensorflow``
implementation with its step compiled by ``tf.function``, and is compared like any
other backend (and with eager TensorFlow). A case opts in by taking a ``compile``
argument and applying it to its step function; the eager backends pass the identity.
Modes whose compilation takes long are not in ``DEFAULT_BACKENDS``: ask for them by name
or with ``--backends all``.
"""

from __future__ import annotations

import importlib
from functools import cache
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
    "jax": "equivalence.backends.jax:JaxBackend",  # optional: the `jax` extra
    # Execution modes: another backend's implementation with its step compiled.
    "tensorflow-function": "equivalence.backends.tensorflow:TensorflowFunction",
    "tensorflow-xla": "equivalence.backends.tensorflow:TensorflowXla",
    "torch-compile": "equivalence.backends.torch:TorchCompile",
    "jax-jit": "equivalence.backends.jax:JaxJit",
}

#: What runs when no backend is named: the frameworks, and tf.function (cheap to trace).
DEFAULT_BACKENDS = ("numpy", "torch", "tensorflow", "tensorflow-function")

DEFAULT_REFERENCE = "torch"

__all__ = ["DEFAULT_BACKENDS", "DEFAULT_REFERENCE", "REGISTRY", "backend_names", "get_backend", "implementation_names"]


def backend_names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def implementation_names() -> tuple[str, ...]:
    """The names a case may implement (``@case.numpy`` ...): the frameworks, not the modes."""
    return tuple(name for name in REGISTRY if not get_backend(name).is_mode)


@cache
def get_backend(name: str) -> Backend:
    """The backend object (cheap: the framework itself is imported on first use)."""
    try:
        module_name, _, class_name = REGISTRY[name].partition(":")
    except KeyError:
        raise ValueError(f"unknown backend {name!r}; known: {', '.join(REGISTRY)}") from None
    backend: Backend = getattr(importlib.import_module(module_name), class_name)()
    return backend
