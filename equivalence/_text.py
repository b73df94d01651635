"""Plain-text output: safe strings, number formatting and small tables.

Every string that comes from a case (ids, titles, messages) may hold terminal control
characters; ``printable`` shows them as escapes so they cannot move the cursor or
recolour the terminal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: Any, limit: int | None = None) -> str:
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def number(value: Any) -> str:
    """A statistic as a short string: ``0``, ``2.4e-07``, ``inf``, ``-`` for NaN."""
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        if math.isinf(value) or value == 0:
            return f"{value:g}"
        if value == int(value) and abs(value) < 1e9:
            return str(int(value))
        return f"{value:.3g}"
    return str(value)


def element(value: Any) -> str:
    """An array element at full precision (repr round-trips)."""
    return repr(value) if isinstance(value, float) else str(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], indent: str = "") -> str:
    cells = [[printable(h) for h in headers]] + [[printable(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(indent + line for line in lines)
