"""equivalence: does a computation give the same answer in NumPy, TensorFlow and PyTorch?

A computation is declared once as a :class:`Case` with one implementation per
framework; :func:`run` executes every case in every installed backend and compares
each backend with the reference backend (``torch``) and with the values the source
document printed, into a :class:`RunResult` (``result.frame`` is a pandas DataFrame).

Importing this package imports no framework and not pandas (``tests/test_imports.py``
proves it): frameworks load when a case first runs in them.

Public names::

    Case, Source, KnownDifference, Tolerance, printed     declaring cases
    numerical_gradient                                     float64 central differences
    run, discover, run_cases, RunResult, Row               running them
    COLUMNS, STATUSES                                      the results contract
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .case import Case, KnownDifference, Source
from .documented import Printed, printed
from .results import COLUMNS, STATUSES, Row, RunResult
from .tolerance import Tolerance

if TYPE_CHECKING:
    from .discovery import discover
    from .gradients import numerical_gradient
    from .runner import run, run_cases

from ._version import __version__ as __version__

__all__ = [
    "COLUMNS",
    "Case",
    "KnownDifference",
    "Printed",
    "Row",
    "RunResult",
    "STATUSES",
    "Source",
    "Tolerance",
    "discover",
    "numerical_gradient",
    "printed",
    "run",
    "run_cases",
]

_LAZY = {"discover": "discovery", "numerical_gradient": "gradients", "run": "runner", "run_cases": "runner"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
