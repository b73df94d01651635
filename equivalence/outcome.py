"""What one (case, backend) produced: :class:`Execution`, and :class:`ErrorInfo` for what it raised.

Plain data only, so that it crosses between processes as such (:mod:`equivalence._wire`)
and is shared by the modules that run cases and those that send them, without a cycle.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass, field

import numpy as np

from ._text import printable

__all__ = ["ErrorInfo", "Execution"]

#: Frames in the engine are left out of a case's traceback.
_ENGINE_DIR = os.path.dirname(os.path.abspath(__file__))


@dataclass
class ErrorInfo:
    type: str
    message: str
    traceback: str = ""

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"

    @classmethod
    def from_exception(cls, exc: BaseException) -> ErrorInfo:
        """The exception's type, message and the traceback lines in the case's code.

        Text is passed through :func:`equivalence._text.printable` (control characters,
        bidirectional overrides and lone surrogates become escapes); an exception whose
        ``str()`` itself raises still gives a message."""
        frames = [
            f for f in traceback.extract_tb(exc.__traceback__)
            if not os.path.abspath(f.filename).startswith(_ENGINE_DIR)
        ]
        lines = traceback.format_list(frames[-6:])
        try:
            message = str(exc).strip()
        except Exception as inner:
            message = f"(str() of the exception raised {type(inner).__name__})"
        return cls(printable(type(exc).__name__), printable(message), printable("".join(lines).rstrip()))


@dataclass
class Execution:
    """What one (case, backend) produced."""

    case_id: str
    backend: str
    outputs: dict[str, np.ndarray] = field(default_factory=dict)
    #: Framework dtype names (``bfloat16`` travels as a float32 array).
    dtypes: dict[str, str] = field(default_factory=dict)
    #: Outputs that were returned but could not be used, with why.
    output_errors: dict[str, str] = field(default_factory=dict)
    error: ErrorInfo | None = None
    skipped: str | None = None
    seconds: float = 0.0
    #: The case does not implement this backend (or mode): it gets no rows at all.
    not_applicable: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and self.skipped is None

    def output_names(self) -> list[str]:
        return [*self.outputs, *(n for n in self.output_errors if n not in self.outputs)]
