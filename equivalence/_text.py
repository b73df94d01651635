"""Plain-text output: safe strings, number formatting and small tables.

Every string that comes from a case (ids, titles, messages, file names) may hold
characters that are unsafe to show or to write: terminal control characters (ESC, BEL,
C1 controls), bidirectional overrides and isolates that make text read differently than
it is (U+202E), and lone surrogates, which is what ``os.fsdecode`` makes of a file name
that is not UTF-8 and which no UTF-8 file can hold. ``printable`` shows each of them as
a ``repr``-style escape (``\\x1b``, ``\\u202e``, ``\\udcff``), so they cannot move the
cursor, recolour the terminal, reorder a line, or make writing a file fail.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

# C0 and C1 controls and DEL; bidirectional marks, embeddings, overrides and isolates
# (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069); lone surrogates.
_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
#: Keeps tabs, newlines and the carriage return of a CRLF line end.
_IN_TEXT = re.compile(f"[{_UNSAFE}]|\r(?!\n)")
#: For one line: tabs and line ends are escaped too.
_IN_LINE = re.compile(f"[{_UNSAFE}\t\n\r]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _SHORT.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(text: Any, limit: int | None = None, *, newlines: bool = True) -> str:
    """``text`` with every unsafe character shown as its ``repr`` escape.

    Unsafe: C0/C1 control characters and DEL, bidirectional controls (U+061C, U+200E,
    U+200F, U+202A-U+202E, U+2066-U+2069) and lone surrogates (U+D800-U+DFFF). With
    ``newlines`` (the default) tabs, newlines and CRLF line ends are kept; without, they
    are escaped too, for text that must stay on one line. Backslashes are left alone, so
    applying ``printable`` twice changes nothing; the result always encodes as UTF-8.
    ``limit`` shortens the result to that many characters, ending with an ellipsis.
    """
    safe = str((_IN_TEXT if newlines else _IN_LINE).sub(_escape, str(text)))
    if limit is not None and len(safe) > limit:
        safe = safe[: limit - 1] + "…"
    return safe


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
