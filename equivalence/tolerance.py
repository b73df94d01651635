"""Tolerances: the defaults per dtype, and where a case's own tolerances apply.

An element passes when ``|actual - expected| <= atol + rtol * |expected|`` (the
expected side is the reference backend or the ``expected`` value), as in
``torch.testing.assert_close``. The per-dtype defaults are torch's
(https://pytorch.org/docs/stable/testing.html, ``torch.testing.assert_close``:
float16 1e-3/1e-5, bfloat16 1.6e-2/1e-5, float32 1.3e-6/1e-5, float64 1e-7/1e-7);
with two different dtypes the looser of the two applies. Integers, booleans and
strings compare exactly. Documented (printed) values have no tolerance: they are
compared by their printed text (:mod:`equivalence.documented`).

A :class:`Tolerance` may be scoped, like a known difference, to outputs and to a pair
of backends (:class:`Scope`): ``Tolerance(1e-5, 1e-6, backends="tensorflow-xla")``
loosens XLA's comparisons without loosening anyone else's.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Scope", "Tolerance", "default_tolerance"]

Patterns = str | Sequence[str]


def _patterns(value: Patterns) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _any(value: str, patterns: Patterns) -> bool:
    return any(fnmatch.fnmatchcase(value, p) for p in _patterns(patterns))


@dataclass(frozen=True)
class Scope:
    """Which comparison rows a declaration is about: ``fnmatch`` patterns (``"*"`` for
    all) over the output and over a *pair* of sides.

    A pair is unordered: ``backends="tensorflow", references="torch"`` covers
    tensorflow against torch and, with ``--reference tensorflow``, torch against
    tensorflow. ``references`` may also name ``"documented"`` or ``"expected"``.
    """

    outputs: Patterns = "*"
    backends: Patterns = "*"
    references: Patterns = "*"

    def matches(self, output: str, backend: str, reference: str) -> bool:
        if not _any(output, self.outputs):
            return False
        return ((_any(backend, self.backends) and _any(reference, self.references))
                or (_any(reference, self.backends) and _any(backend, self.references)))


@dataclass(frozen=True)
class Tolerance(Scope):
    """``|actual - expected| <= atol + rtol * |expected|``, element by element, on the
    rows its scope matches (every row by default)."""

    rtol: float = 0.0
    atol: float = 0.0

    def __init__(self, rtol: float, atol: float, *, outputs: Patterns = "*", backends: Patterns = "*",
                 references: Patterns = "*") -> None:
        object.__setattr__(self, "rtol", float(rtol))
        object.__setattr__(self, "atol", float(atol))
        object.__setattr__(self, "outputs", outputs)
        object.__setattr__(self, "backends", backends)
        object.__setattr__(self, "references", references)
        if not (self.rtol >= 0 and self.atol >= 0):
            raise ValueError(f"tolerances must be non-negative, got rtol={rtol}, atol={atol}")


#: dtype name -> (rtol, atol), as torch.testing.assert_close has them.
DEFAULTS: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}


def default_tolerance(*dtypes: str) -> Tolerance:
    """The looser of the defaults of ``dtypes``; exact (0, 0) when none is a float."""
    rtol = max((DEFAULTS[d][0] for d in dtypes if d in DEFAULTS), default=0.0)
    atol = max((DEFAULTS[d][1] for d in dtypes if d in DEFAULTS), default=0.0)
    return Tolerance(rtol, atol)
