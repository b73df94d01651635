"""Strict JSON, as every file this package writes has it.

``json`` writes NaN and infinities as the bare words ``NaN`` and ``Infinity``, which
strict parsers (JavaScript's ``JSON.parse``, ``jq``) reject. Here NaN becomes ``null``
and ±inf the strings ``"inf"``/``"-inf"``; ``dumps`` refuses anything else non-finite.
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["dumps", "strict"]


def strict(value: Any) -> Any:
    """NaN -> None, ±inf -> "inf"/"-inf", recursively, for strict JSON."""
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    return value


def dumps(document: Any, indent: int | None = 1) -> str:
    """``document`` as strict JSON text (no trailing newline)."""
    return json.dumps(strict(document), indent=indent, allow_nan=False)
