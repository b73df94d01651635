"""Strict JSON, as every file this package writes has it.

``json`` writes NaN and infinities as the bare words ``NaN`` and ``Infinity``, which
strict parsers (JavaScript's ``JSON.parse``, ``jq``) reject. Here NaN becomes ``null``
and ±inf the strings ``"inf"``/``"-inf"``; ``dumps`` refuses anything else non-finite.

The text is ASCII (``\\uXXXX`` escapes), so it never holds a raw control character and
encodes whatever the strings hold. ``dumps(..., printable=True)`` also passes every
string (keys too) through :func:`equivalence._text.printable`, so that what a reader
gets back holds no control character, bidirectional override or lone surrogate either:
for files people read (results, drift tables). Files that must give back exactly what
was stored (a baseline's metadata) leave it off.
"""

from __future__ import annotations

import json
import math
from typing import Any

from ._text import printable as _printable

__all__ = ["dumps", "strict"]


def strict(value: Any, printable: bool = False) -> Any:
    """NaN -> None, ±inf -> "inf"/"-inf", recursively, for strict JSON; with
    ``printable``, strings (and string keys) with their unsafe characters escaped."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, str):
        return _printable(value) if printable else value
    if isinstance(value, dict):
        return {(_printable(k) if printable and isinstance(k, str) else k): strict(v, printable) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v, printable) for v in value]
    return value


def dumps(document: Any, indent: int | None = 1, *, printable: bool = False) -> str:
    """``document`` as strict JSON text, ASCII only (no trailing newline)."""
    return json.dumps(strict(document, printable), indent=indent, allow_nan=False, ensure_ascii=True)
