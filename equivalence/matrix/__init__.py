"""The version scoreboard: one baseline per environment of a matrix, and which output moved where.

``python -m equivalence matrix MATRIX.toml`` makes each environment of the file (pinned
TensorFlow, PyTorch, NumPy, ... versions) with uv, saves a baseline in each with that
environment's own interpreter, and compares each environment's baseline with the one
before it along the axis (:func:`equivalence.baseline.compare_baselines`): per (case,
output, backend) and environment, unchanged, bitwise change, drift, new, removed or
error, the first move of each output marked. This process imports no framework.

Modules::

    spec          the matrix file: MatrixSpec, EnvSpec, load_spec, SpecError
    wheels        which torch wheel an environment would get, and whether it is the CPU build
    environments  making (or reusing) one environment with uv, and checking it
    outcome       what became of each environment: EnvOutcome, matrix.json
    run           plan every environment, then make each and save its baseline
    scoreboard    the table: Scoreboard, Column, ScoreRow, Cell; matrix.csv
    page          matrix.html
    cli           the command, registered by equivalence.cli
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .outcome import EnvOutcome
    from .page import render_page
    from .scoreboard import Scoreboard, build_scoreboard
    from .spec import EnvSpec, MatrixSpec, SpecError, load_spec

__all__ = ["EnvOutcome", "EnvSpec", "MatrixSpec", "Scoreboard", "SpecError", "build_scoreboard", "load_spec",
           "render_page"]

_LAZY = {"EnvOutcome": "outcome", "render_page": "page", "Scoreboard": "scoreboard", "build_scoreboard": "scoreboard",
         "EnvSpec": "spec", "MatrixSpec": "spec", "SpecError": "spec", "load_spec": "spec"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
