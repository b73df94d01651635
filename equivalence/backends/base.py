"""What every backend does: availability, conversion, seeds and global state.

A backend never imports its framework at module import: ``load()`` does, on first use,
so that ``import equivalence`` stays light and a missing framework is a skip, not a
crash. Subclasses override only what differs.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.util
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np


class Backend:
    #: Registry name, also the import name of the framework.
    name: str = ""
    #: The framework's import name (its version is the module's ``__version__``).
    module_name: str = ""
    #: Whose case implementation this backend runs: its own name, or for an execution
    #: mode the framework it compiles.
    implementation: str = ""
    #: The colour of this backend's lines in the report's figures (close to the project's
    #: own), declared by the backend's own class: a mode (a subclass of its framework's
    #: backend) that declares none gets one of the report's palette by registry position.
    color: str = ""

    def __init__(self) -> None:
        self._module: ModuleType | None = None
        self.implementation = self.implementation or self.name

    @property
    def is_mode(self) -> bool:
        return self.implementation != self.name

    def compile(self, fn: Any) -> Any:
        """What a case's ``compile`` argument does to its step function: nothing, eagerly."""
        return fn

    # -- availability -------------------------------------------------------------
    def unavailable_reason(self) -> str | None:
        """``None`` when the framework can be imported, else why not; imports nothing."""
        try:
            found = importlib.util.find_spec(self.module_name) is not None
        except (ImportError, ValueError):
            found = False
        return None if found else f"{self.module_name} is not installed"

    @property
    def available(self) -> bool:
        return self.unavailable_reason() is None

    def load(self) -> ModuleType:
        if self._module is None:
            reason = self.unavailable_reason()
            if reason:
                raise ImportError(reason)
            self._module = importlib.import_module(self.module_name)
            self.configure(self._module)
        return self._module

    def configure(self, module: ModuleType) -> None:
        """One-time settings after import (threads, logging)."""

    def version(self) -> str:
        """The framework's version, from the module when imported, else from its package
        (``tensorflow`` is installed by ``tensorflow``, ``tensorflow-cpu``, ...)."""
        if self._module is not None:
            return str(getattr(self._module, "__version__", "?"))
        # The usual distribution names first: packages_distributions() reads every
        # installed file list (0.2 to 3 s), so it is the last resort, and done once.
        for distribution in (self.module_name, f"{self.module_name}-cpu"):
            try:
                return importlib.metadata.version(distribution)
            except importlib.metadata.PackageNotFoundError:
                continue
        for distribution in _distributions().get(self.module_name, []):
            try:
                return importlib.metadata.version(distribution)
            except importlib.metadata.PackageNotFoundError:
                continue
        return ""

    # -- conversion ---------------------------------------------------------------
    def from_numpy(self, array: np.ndarray) -> Any:
        """A new framework tensor holding a copy of ``array``."""
        raise NotImplementedError

    def facts(self, module: Any, ask: Callable[[str, Callable[[], Any]], None]) -> None:
        """What the framework says of itself beyond its version, for a baseline's record of
        the environment (asked in a child process, :mod:`equivalence.baseline.probe`):
        ``ask(key, question)`` records ``question()``, or why it could not be answered."""

    #: Whether the framework has a bfloat16 dtype (sweeps over bfloat16 skip the others).
    has_bfloat16: bool = False

    def from_bfloat16(self, array: np.ndarray) -> Any:
        """A float32 array holding bfloat16 numbers as this framework's bfloat16 tensor
        (the reverse of :meth:`to_numpy`, which carries bfloat16 as float32)."""
        raise TypeError(f"{self.name} has no bfloat16 dtype")

    def to_numpy(self, value: Any) -> tuple[np.ndarray, str]:
        """An output as a NumPy array and the framework's dtype name.

        The array is a copy; the dtype name is the framework's (``bfloat16`` travels as
        float32 with its name kept). Raises ``TypeError`` for what is not an array.
        """
        return plain_to_numpy(value)

    # -- state around one case -----------------------------------------------------
    def seed(self, seed: int) -> None:
        """Seed the framework's global generators before a case."""

    def save_state(self) -> Any:
        """Global state a case may change; given back to ``restore_state`` after it."""
        return None

    def restore_state(self, state: Any) -> None:
        pass


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return dict(importlib.metadata.packages_distributions())


def plain_to_numpy(value: Any) -> tuple[np.ndarray, str]:
    """NumPy arrays, NumPy scalars, Python numbers, booleans and strings."""
    if isinstance(value, np.ndarray):
        array = value.copy()
    elif isinstance(value, (np.generic, bool, int, float, complex, str)):
        array = np.asarray(value)
    else:
        raise TypeError(f"expected an array, got {type(value).__module__}.{type(value).__qualname__}")
    if array.dtype == object:
        raise TypeError("expected an array of numbers, got an object array")
    return array, dtype_name(array)


def dtype_name(array: np.ndarray) -> str:
    """The dtype's name; strings are ``str`` whatever their length (``<U12`` is NumPy detail)."""
    return "str" if array.dtype.kind in "US" else str(array.dtype)
