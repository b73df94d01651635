"""Tolerances: the defaults per dtype, and the rule for documented values.

An element passes when ``|actual - expected| <= atol + rtol * |expected|`` (the
expected side is the reference backend or the documented value), as in
``torch.testing.assert_close``. The per-dtype defaults are torch's
(https://pytorch.org/docs/stable/testing.html, ``torch.testing.assert_close``:
float16 1e-3/1e-5, bfloat16 1.6e-2/1e-5, float32 1.3e-6/1e-5, float64 1e-7/1e-7);
with two different dtypes the looser of the two applies. Integers, booleans and
strings compare exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Tolerance", "default_tolerance"]


@dataclass(frozen=True)
class Tolerance:
    """``|actual - expected| <= atol + rtol * |expected|``, element by element."""

    rtol: float
    atol: float

    def __post_init__(self) -> None:
        if not (self.rtol >= 0 and self.atol >= 0):
            raise ValueError(f"tolerances must be non-negative, got rtol={self.rtol}, atol={self.atol}")


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
