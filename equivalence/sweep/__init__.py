"""Sweeps: search the inputs where frameworks disagree, judge each disagreement against a
float64 oracle, and shrink it to the smallest example.

A case declares how its inputs may vary with :class:`Sweep` (plain data, see
:mod:`equivalence.sweep.spec`); ``python -m equivalence sweep`` (or :func:`run_sweeps`)
draws examples with hypothesis from that data, runs each in every backend's worker
process, compares them with the reference and with the float64 oracle
(:mod:`equivalence.sweep.oracle`), and shrinks every disagreement that no declared,
bounded known difference covers to a minimal example (:mod:`equivalence.sweep.engine`).

Modules: ``inputs`` and ``spec`` (the declaration, as data), ``strategies`` (hypothesis
strategies, examples as data), ``executor`` and ``worker`` (running an example in every
backend), ``oracle`` and ``judge`` (judging it), ``engine`` (the search), ``findings``
(what was found: sweep.json, sweep.csv), ``page`` (sweep.html), ``cli``, ``pytest_plugin``.

Importing this package is light (no hypothesis, no framework): case files import
:class:`Sweep` and the input kinds from here.
"""

from __future__ import annotations

from typing import Any

from .spec import FLOAT_DTYPES, Bools, Dims, Floats, Ints, OneHot, Sweep

__all__ = ["FLOAT_DTYPES", "Bools", "Dims", "Floats", "Ints", "OneHot", "Sweep", "run_sweeps"]


def run_sweeps(paths: Any = ("cases",), **options: Any) -> Any:
    """Discover the cases under ``paths`` and run their sweeps: see
    :func:`equivalence.sweep.engine.run_sweeps` (returns a :class:`~equivalence.sweep.engine.SweepResult`)."""
    from .engine import run_sweeps as run

    return run(paths, **options)
