"""Documented values: numbers as a document printed them, held to their printed text.

``printed(text)`` takes the text a document shows, pasted as it is: NumPy's
``[[0.1 0.2] [0.3 0.4]]``, a Python list ``[10.0, 50.0]``, a scalar ``2.3025842``, a
column of a table, a TensorFlow tensor ``tf.Tensor([-2. -2.], shape=(2,),
dtype=float32)`` or ``<tf.Variable ... numpy=array([...], dtype=float32)>``.

A printed value is its printed text. NumPy and TensorFlow print a float in the shortest
form that identifies it (up to their precision), so ``-2.98`` printed for a float32
pins one float32, not ±5e-3. A documented value is *reproduced* when today's value,
printed by the same printer the document used, gives the same numbers, digit for digit
(``1.`` and ``1.0`` are the same number):

- ``"array"``: NumPy's array printing with its default options (precision 8,
  ``floatmode="maxprec"``), which is what ``print(ndarray)``, ``print(tensor)`` and a
  tensor's repr use. The default when the text has brackets or names a tensor/array.
- ``"scalar"``: a NumPy scalar (``print(x.numpy())`` of a 0-d tensor): the shortest
  text that round-trips in its dtype. The default for a lone number.
- ``"python"``: a Python number, ``print(float(x))`` or a list of them: float64's
  shortest text, so a float32 shows its exact binary value (``6.054738998413086``).
- a format string (``"{:.6f}"`` or ``"%.6f"``): the document formatted it itself.

``per_step=True`` prints an ``"array"`` one step (first axis) at a time, as a loop
that prints every n-th step does. ``dtype`` is the dtype the document printed (taken
from ``dtype=`` in the text when there); by default, the output's own. ``at`` selects
the part of an output the document printed: ``np.s_[::10]`` for every tenth step.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = ["PRINTERS", "Printed", "printed", "printed_tokens"]

#: The printers a document may have used (or a format string).
PRINTERS = ("array", "scalar", "python")

_TOKEN = re.compile(
    r"\[|\]|True|False|[-+]?nan|[-+]?inf|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
)
# What framework reprs wrap around the numbers: `tf.Tensor(`, `shape=(2, 3)`,
# `dtype=float32`, a variable's name `'Variable:0'`, `numpy=`, `array(`.
_WRAPPING = re.compile(r"shape=\([^)]*\)|dtype=['\"]?\w+['\"]?|'[^']*'|\"[^\"]*\"|<tf\.\w+:?|tf\.\w+\(|numpy=|array\(")
_DTYPE = re.compile(r"dtype=['\"]?(\w+)")


def printed_tokens(text: str) -> list[str]:
    """The numbers in ``text`` as a printer wrote them, in order (brackets dropped)."""
    return [t for t in _TOKEN.findall(text) if t not in "[]"]

@dataclass(frozen=True, eq=False)
class Printed:
    """A documented value: its text, the numbers in it, and how it was printed."""

    text: str
    values: Any  # numpy.ndarray: float64, int64 or bool, shaped like the printout
    tokens: tuple[str, ...]  # the numbers as printed, flat, in order
    at: Any = None  # an index applied to the output before comparing
    printer: str = "array"
    dtype: str | None = None
    per_step: bool = False

    def select(self, array: Any) -> Any:
        return array if self.at is None else array[self.at]

    def render(self, array: Any) -> str:
        """``array`` (the selected output) as the document's printer prints it today."""
        import numpy as np

        a = np.asarray(array)
        if self.dtype and a.dtype.kind == "f" and self.dtype != str(a.dtype):
            a = a.astype(self.dtype)
        if self.printer == "array":
            with np.printoptions(precision=8, floatmode="maxprec", suppress=False, linewidth=75, sign="-",
                                 legacy=False, threshold=sys.maxsize):
                if self.per_step and a.ndim:
                    return "\n".join(str(step) for step in a)
                return str(a)
        texts = [_one(x, self.printer) for x in a.reshape(-1)]
        return " ".join(texts) if a.ndim else texts[0]

    def differing(self, array: Any) -> tuple[str, list[int]]:
        """Today's text and the flat positions whose number prints differently (every
        position when the count of numbers differs)."""
        today = self.render(array)
        found = printed_tokens(today)
        if len(found) != len(self.tokens):
            return today, list(range(len(self.tokens)))
        return today, [i for i, (a, b) in enumerate(zip(found, self.tokens, strict=True)) if not _same(a, b)]


def _one(x: Any, printer: str) -> str:
    if printer == "scalar":
        return str(x)  # a NumPy scalar: the shortest text that round-trips in its dtype
    value = x.item()
    if printer == "python":
        return repr(value)
    return printer.format(value) if "{" in printer else printer % value


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        da, db = Decimal(a), Decimal(b)
    except InvalidOperation:
        return False
    return (da.is_nan() and db.is_nan()) or da == db


def _value(token: str) -> Any:
    if token in ("True", "False"):
        return token == "True"
    if re.fullmatch(r"[-+]?\d+", token):
        return int(token)
    return float(token)


def printed(text: str, at: Any = None, *, printer: str | None = None, dtype: str | None = None,
            per_step: bool = False) -> Printed:
    """Parse printed numbers; brackets give the shape, commas and line breaks are ignored."""
    import numpy as np

    if printer is not None and printer not in PRINTERS and "{" not in printer and "%" not in printer:
        raise ValueError(f"printer {printer!r}: one of {', '.join(PRINTERS)} or a format string")
    named = _DTYPE.search(text)
    numbers_only = _WRAPPING.sub(" ", text)
    tokens = _TOKEN.findall(numbers_only)
    numbers = printed_tokens(numbers_only)
    if not numbers:
        raise ValueError(f"no number in documented text {text!r}")

    def nest() -> Any:
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
                stack[-1].append(_value(token))
        if len(stack) != 1:
            raise ValueError(f"unbalanced '[' in documented text {text!r}")
        top = stack[0]
        return top[0] if len(top) == 1 else top

    kinds = {type(_value(t)) for t in numbers}
    array_dtype = bool if kinds == {bool} else np.int64 if kinds == {int} else np.float64
    try:
        values = np.array(nest(), dtype=array_dtype)
    except ValueError as exc:  # ragged nesting
        raise ValueError(f"documented text {text!r} is not a rectangular array") from exc
    if values.size != len(numbers):
        raise ValueError(f"documented text {text!r} is not a rectangular array")
    if printer is None:
        printer = "array" if "[" in numbers_only or named else "scalar"
    return Printed(text=text, values=values, tokens=tuple(numbers), at=at, printer=printer,
                   dtype=dtype or (named.group(1) if named else None), per_step=per_step)
