"""A fixed-input run's comparisons with the float64 oracle (``Case(oracle="numpy")``).

A case that names an oracle has that implementation run once more, on the case's inputs
cast up to float64 (every float array and scalar; integers, booleans and strings as they
are). Each backend's outputs are then measured against it by the rule of
:mod:`equivalence.sweep.oracle` (PyTorch's compiler accuracy checker with its fp64
reference): a backend differs from the oracle (``differs="values"``) when it is outside
the comparison tolerance of the oracle *and* its RMS error exceeds a multiple of the best
backend's error plus the dtype's rounding budget. A disagreement every backend shares
is rounding, not a fault: it passes, and the message says how far each backend is.

Rows have the reference ``oracle`` and go through :func:`equivalence._judge.judge`, so a
``KnownDifference(..., references="oracle", max_rel=...)`` bounds a backend's distance
from the oracle like any other. The oracle raising, or not being implemented, is an
``error`` of each backend's comparison with it: nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._judge import judged_row, output_problem, unrunnable_row
from .case import Case
from .execution import Execution, applies
from .results import ORACLE, Row

if TYPE_CHECKING:
    from .compare import Comparison
    from .sweep.oracle import OracleError
    from .tolerance import Tolerance

__all__ = ["ORACLE", "OracleMeasure", "compare_oracle", "float64_inputs", "measure"]


def float64_inputs(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """``inputs`` with every float (array, NumPy scalar, in lists, tuples and dicts) as float64."""
    import numpy as np

    def up(value: Any) -> Any:
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            return value.astype(np.float64)
        if isinstance(value, np.floating):
            return np.float64(value)
        if isinstance(value, dict):
            return {k: up(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(up(v) for v in value)
        return value

    return {name: up(value) for name, value in inputs.items()}


def compare_oracle(case: Case, executions: Mapping[str, Execution], oracle: Execution,
                   only: str | None = None) -> list[Row]:
    """Each backend's outputs (or backend ``only``'s) against the oracle's, judged by the
    oracle rule; the best error is taken over every backend in ``executions``."""
    ran = {b: e for b, e in executions.items() if not e.not_applicable and applies(case, b)}
    rows: list[Row] = []
    for backend, execution in ran.items():
        if only is not None and backend != only:
            continue
        if oracle.not_applicable:
            rows.append(judged_row(case, "*", execution, ORACLE, ("error",),
                                   f"the case names {case.oracle} as its float64 oracle but does not implement it"))
            continue
        unrunnable = unrunnable_row(case, execution, ORACLE, oracle)
        if unrunnable is not None:
            rows.append(unrunnable)
            continue
        for name in oracle.output_names():
            rows.append(_compare_output(case, name, execution, ran, oracle))
    return rows


@dataclass
class OracleMeasure:
    """One backend's output against the oracle, by the rule: its error, the best of its
    peers (the backends whose output has the same dtype), the error the rule allows,
    the comparison within the tolerance, and whether it is farther than allowed."""

    error: OracleError
    best: float
    best_backend: str
    allowed: float
    tolerance: Tolerance
    result: Comparison
    farther: bool
    message: str


def measure(case: Case, name: str, execution: Execution, ran: Mapping[str, Execution],
            oracle: Execution) -> OracleMeasure:
    """``execution``'s output ``name`` against ``oracle``'s (both present, same shape),
    judged by the rule with the best error over ``ran``. Used by fixed-input runs and
    sweeps alike."""
    from .compare import compare_arrays
    from .sweep.oracle import bound, budget, multiplier, oracle_error
    from .tolerance import default_tolerance

    actual, dtype, expected = execution.outputs[name], execution.dtypes[name], oracle.outputs[name]
    # The best error among the backends whose output has the same dtype: a port that
    # computes in float64 and returns float32 does not set the bar for a float16 one. A
    # backend alone in its dtype is held to the others' best instead, not to its own
    # (that would pass anything, NaN included).
    errors: dict[str, OracleError] = {}
    for backend, other in ran.items():
        if other.ok and name in other.outputs and other.outputs[name].shape == expected.shape:
            errors[backend] = oracle_error(other.outputs[name], expected, other.dtypes[name])
    error = errors.get(execution.backend) or oracle_error(actual, expected, dtype)
    peers = {b: e for b, e in errors.items() if ran[b].dtypes[name] == dtype}
    if not set(peers) - {execution.backend}:
        peers = {b: e for b, e in errors.items() if e.exact == error.exact}
    best_backend = min(peers, key=lambda b: peers[b].error, default=execution.backend)
    best = peers[best_backend].error if peers else error.error
    allowed = bound(dtype, int(actual.size), best, error)
    tol = case.tolerance_for(name, execution.backend, ORACLE) or default_tolerance(dtype)
    result = compare_arrays(actual, expected, tol, actual_dtype=dtype, expected_dtype=oracle.dtypes[name],
                            check_dtype=False)
    farther = not result.passed and not error.error <= allowed
    what = "fraction of elements differing from" if error.exact else "RMSE against"
    factor = multiplier(dtype, int(actual.size))
    message = (f"{what} the float64 oracle {error.error:.3g}; best {best:.3g} ({best_backend}); allowed "
               f"{factor:g}×best + {budget(dtype, error):.3g} = {allowed:.3g}")
    if farther:
        message = f"farther from the float64 oracle than the rule allows: {message}"
    elif not result.passed and error.error <= factor * best:
        message = f"beyond the tolerance of the oracle, within the rule (rounding shared by the backends): {message}"
    elif not result.passed:  # allowed by the budget alone: say so, it is no shared rounding
        message = (f"beyond the tolerance of the oracle, within the rule only by the {dtype} rounding budget "
                   f"(one epsilon of max(RMS of the oracle, 1)): {message}")
    elif not error.error:
        message = "equal to the float64 oracle"
    return OracleMeasure(error, best, best_backend, allowed, tol, result, farther, message)


def _compare_output(case: Case, name: str, execution: Execution, ran: Mapping[str, Execution],
                    oracle: Execution) -> Row:
    kind, problem = output_problem(name, execution, oracle)
    if problem:
        return judged_row(case, name, execution, ORACLE, (kind,), problem)
    actual, expected = execution.outputs[name], oracle.outputs[name]
    shapes: dict[str, Any] = {"shape": str(actual.shape), "reference_shape": str(expected.shape),
                              "dtype": execution.dtypes[name], "reference_dtype": oracle.dtypes[name]}
    if actual.shape != expected.shape:
        return judged_row(case, name, execution, ORACLE, ("shape",),
                          f"shape {actual.shape} against the oracle's {expected.shape}", None, None, **shapes)
    found = measure(case, name, execution, ran, oracle)
    return judged_row(case, name, execution, ORACLE, ("values",) if found.farther else (), found.message,
                      found.result, None, rtol=found.tolerance.rtol, atol=found.tolerance.atol, **shapes)
