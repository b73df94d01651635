"""The inputs a sweep varies, as plain data: :class:`Floats`, :class:`Ints`, :class:`Bools`,
:class:`OneHot`, :class:`Dims`, and the size expressions of their shapes.

Shapes are tuples of sizes: an int, a name from the sweep's ``dims``, or a name plus or
minus a constant (``"h+4"``, ``"c-1"``); the bounds of :class:`Ints` may be such
expressions too (labels below a class count). Float values are drawn by
``hypothesis.strategies.floats`` at the dtype's width within the bounds (clamped to the
dtype's finite range), which favours the bounds, zeros of both signs, subnormals
(``allow_subnormal``) and, when allowed, NaN and infinities; arrays repeat values often
(hypothesis fills them) and a few elements are copied onto others, so ties are common.
The strategies are :mod:`equivalence.sweep.strategies`'; the declaration that holds these
is :class:`equivalence.sweep.spec.Sweep`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["FLOAT_DTYPES", "INT_DTYPES", "KINDS", "Bools", "Dims", "Floats", "Ints", "OneHot", "Size", "Spec", "evaluate",
           "referenced_dims"]

#: The float dtypes a sweep may try.
FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")

Size = int | str
_EXPRESSION = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:([+-])\s*(\d+))?\s*$")


def _names(expression: Size) -> list[str]:
    if isinstance(expression, bool) or not isinstance(expression, (int, str)):
        raise TypeError(f"a size is an int or a dimension name (\"n\", \"n+1\"), got {expression!r}")
    if isinstance(expression, int):
        return []
    match = _EXPRESSION.match(expression)
    if match is None:
        raise ValueError(f"a size expression is NAME, NAME+K or NAME-K, got {expression!r}")
    return [match.group(1)]


def evaluate(expression: Size, dims: Mapping[str, int]) -> int:
    """The value of a size expression (``3``, ``"n"``, ``"h+4"``) given the example's sizes."""
    if isinstance(expression, int):
        return expression
    match = _EXPRESSION.match(expression)
    if match is None:
        raise ValueError(f"a size expression is NAME, NAME+K or NAME-K, got {expression!r}")
    name, sign, constant = match.groups()
    value = dims[name]
    if constant:
        value = value + int(constant) if sign == "+" else value - int(constant)
    return value


def _shape(shape: Sequence[Size]) -> tuple[Size, ...]:
    if isinstance(shape, (str, int)):
        shape = (shape,)
    shape = tuple(shape)
    for size in shape:
        _names(size)
    return shape


@dataclass(frozen=True)
class Floats:
    """A float array of ``shape``, values in [``min_value``, ``max_value``] (None: the
    dtype's finite range). ``dtype`` None takes the example's dtype; ``unique`` draws
    distinct values (no ties)."""

    shape: tuple[Size, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    allow_nan: bool = False
    allow_infinity: bool = False
    allow_subnormal: bool = True
    dtype: str | None = None
    #: Distinct values only (no ties): for computations whose ties are another sweep's subject.
    unique: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", _shape(self.shape))
        if self.dtype is not None and self.dtype not in FLOAT_DTYPES:
            raise ValueError(f"Floats dtype must be one of {', '.join(FLOAT_DTYPES)}, got {self.dtype!r}")
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValueError(f"Floats: min_value {self.min_value} > max_value {self.max_value}")


@dataclass(frozen=True)
class Ints:
    """An integer array of ``shape``, values in [``min_value``, ``max_value``] (ints or
    size expressions such as ``"c-1"``)."""

    shape: tuple[Size, ...] = ()
    min_value: Size = 0
    max_value: Size = 100
    dtype: str = "int64"

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", _shape(self.shape))
        _names(self.min_value)
        _names(self.max_value)
        if self.dtype not in INT_DTYPES:
            raise ValueError(f"Ints dtype must be one of {', '.join(INT_DTYPES)}, got {self.dtype!r}")


@dataclass(frozen=True)
class Bools:
    """A boolean array of ``shape``."""

    shape: tuple[Size, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", _shape(self.shape))


@dataclass(frozen=True)
class OneHot:
    """One-hot rows: ``shape``'s last axis holds the classes, exactly one 1 per row
    (float; ``dtype`` None takes the example's dtype)."""

    shape: tuple[Size, ...] = ()
    dtype: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "shape", _shape(self.shape))
        if not self.shape:
            raise ValueError("OneHot needs at least one axis (the classes)")
        if self.dtype is not None and self.dtype not in FLOAT_DTYPES:
            raise ValueError(f"OneHot dtype must be one of {', '.join(FLOAT_DTYPES)}, got {self.dtype!r}")


@dataclass(frozen=True)
class Dims:
    """The example's sizes as a 1-D integer array: ``Dims(("n", 4))`` is ``[n, 4]``
    (a ``shape`` argument, as ``scatter_nd`` takes one)."""

    sizes: tuple[Size, ...] = ()
    dtype: str = "int64"

    def __post_init__(self) -> None:
        object.__setattr__(self, "sizes", _shape(self.sizes))
        if self.dtype not in INT_DTYPES:
            raise ValueError(f"Dims dtype must be one of {', '.join(INT_DTYPES)}, got {self.dtype!r}")


Spec = Floats | Ints | Bools | OneHot | Dims
KINDS: dict[str, type] = {"floats": Floats, "ints": Ints, "bools": Bools, "onehot": OneHot, "dims": Dims}


def referenced_dims(spec: Spec) -> list[str]:
    """The names of the sizes ``spec`` uses (its shape's, and an :class:`Ints`' bounds')."""
    sizes = list(spec.sizes if isinstance(spec, Dims) else spec.shape)
    if isinstance(spec, Ints):
        sizes += [spec.min_value, spec.max_value]
    return [name for size in sizes for name in _names(size)]
