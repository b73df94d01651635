"""Documented values: numbers as a document prints them, with the precision printed.

``printed(text)`` takes the text a document shows, pasted as it is (NumPy's
``[[0.1 0.2] [0.3 0.4]]``, a Python list ``[10.0, 50.0]``, a scalar ``2.3025842``, a
column of a table) and keeps, for every element, half a unit of its last printed digit:
``89.157186`` is known to ±5e-7, ``4.5388937e-05`` to ±5e-13, ``146.0`` to ±0.05. That
half unit is the default tolerance against the document; where the output's dtype
cannot hold that many digits (a float32 printed with 9), one ULP of the dtype is used
instead (see :mod:`equivalence.compare`).

``at`` selects the part of an output the document printed: ``np.s_[::10]`` for a
table printed every tenth step of a trajectory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = ["Printed", "printed"]

_TOKEN = re.compile(
    r"\[|\]|True|False|[-+]?nan|[-+]?inf|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
)


@dataclass(frozen=True, eq=False)
class Printed:
    """A documented value: ``values`` and the half unit of each one's last digit."""

    text: str
    values: Any  # numpy.ndarray: float64, int64 or bool
    half_unit: Any  # numpy.ndarray of float64, same shape
    at: Any = None  # an index applied to the output before comparing

    def select(self, array: Any) -> Any:
        return array if self.at is None else array[self.at]


def _half_unit(token: str) -> float:
    if token in ("True", "False") or "nan" in token or "inf" in token:
        return 0.0
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return float(Decimal(5) * Decimal(10) ** (int(exponent or 0) - decimals - 1))


def _value(token: str) -> Any:
    if token in ("True", "False"):
        return token == "True"
    if re.fullmatch(r"[-+]?\d+", token):
        return int(token)
    return float(token)


def printed(text: str, at: Any = None) -> Printed:
    """Parse printed numbers; brackets give the shape, commas and line breaks are ignored."""
    import numpy as np

    tokens = _TOKEN.findall(text)
    numbers = [t for t in tokens if t not in "[]"]
    if not numbers:
        raise ValueError(f"no number in documented text {text!r}")

    def nest(convert: Any) -> Any:
        stack: list[list[Any]] = [[]]
        for token in tokens:
            if token == "[":
                stack.append([])
            elif token == "]":
                if len(stack) == 1:
                    raise ValueError(f"unbalanced ']' in documented text {text!r}")
                inner = stack.pop()
                stack[-1].append(inner)
            else:
                stack[-1].append(convert(token))
        if len(stack) != 1:
            raise ValueError(f"unbalanced '[' in documented text {text!r}")
        top = stack[0]
        return top[0] if len(top) == 1 else top

    raw = [_value(t) for t in numbers]
    kinds = {type(v) for v in raw}
    dtype = bool if kinds == {bool} else np.int64 if kinds == {int} else np.float64
    values = np.array(nest(_value), dtype=dtype)
    half_unit = np.array(nest(_half_unit), dtype=np.float64)
    if values.shape != half_unit.shape:  # ragged nesting
        raise ValueError(f"documented text {text!r} is not a rectangular array")
    return Printed(text=text, values=values, half_unit=half_unit, at=at)
