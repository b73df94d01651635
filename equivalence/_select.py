"""``-k`` expressions, as pytest has them: ``square and not torch``, ``003 or 001-1``.

A word matches a case when it is a substring (case-insensitive) of the case's id or
title; ``and``, ``or``, ``not`` and parentheses combine words. A word that ends in a
digit does not match where more digits follow: ``002-1`` selects ``002-1-topk-accuracy``,
not ``002-12-crossentropy``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .case import Case

_TOKENS = re.compile(r"\(|\)|[^\s()]+")


def compile_expression(expression: str) -> Callable[[str], bool]:
    parts = []
    for token in _TOKENS.findall(expression):
        if token in ("and", "or", "not", "(", ")"):
            parts.append(token)
        else:
            pattern = re.escape(token.lower()) + (r"(?!\d)" if token[-1].isdigit() else "")
            parts.append(f"(search({pattern!r}, text) is not None)")
    source = " ".join(parts)
    try:
        code = compile(source or "True", "<-k>", "eval")
        eval(code, {"__builtins__": {}}, {"text": "", "search": re.search})
    except SyntaxError:
        raise ValueError(f"invalid -k expression: {expression!r}") from None
    return lambda text: bool(eval(code, {"__builtins__": {}}, {"text": text.lower(), "search": re.search}))


def select(cases: Sequence[Case], expression: str | None) -> list[Case]:
    if not expression:
        return list(cases)
    matches = compile_expression(expression)
    return [c for c in cases if matches(f"{c.id} {c.title}")]
