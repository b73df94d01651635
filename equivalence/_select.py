"""``-k`` expressions, as pytest has them: ``square and not torch``, ``003 or 001-1``.

A word matches a case when it is a substring (case-insensitive) of the case's id or
title; ``and``, ``or``, ``not`` and parentheses combine words.
"""

from __future__ import annotations

import re
from typing import Sequence

from .case import Case

_TOKENS = re.compile(r"\(|\)|[^\s()]+")


def compile_expression(expression: str):  # -> Callable[[str], bool]
    parts = []
    for token in _TOKENS.findall(expression):
        if token in ("and", "or", "not", "(", ")"):
            parts.append(token)
        else:
            parts.append(f"({token.lower()!r} in text)")
    source = " ".join(parts)
    try:
        code = compile(source or "True", "<-k>", "eval")
        eval(code, {"__builtins__": {}}, {"text": ""})
    except SyntaxError:
        raise ValueError(f"invalid -k expression: {expression!r}") from None
    return lambda text: bool(eval(code, {"__builtins__": {}}, {"text": text.lower()}))


def select(cases: Sequence[Case], expression: str | None) -> list[Case]:
    if not expression:
        return list(cases)
    matches = compile_expression(expression)
    return [c for c in cases if matches(f"{c.id} {c.title}")]
