"""Judging one example: every backend against the reference and the float64 oracle.

Each backend is compared with the reference backend (:func:`equivalence.rows.compare_pair`,
with the sweep's tolerance and known differences) and with the oracle
(:mod:`equivalence.sweep.oracle`). An example **fails** when a row fails that no bounded
known difference of the sweep covers: a backend farther from the oracle than the rule
allows, a difference in dtype, shape, raising or missing outputs, or (when no oracle
could be computed) values beyond the tolerance. A disagreement beyond the tolerance
where every backend is within the oracle's bound is rounding: counted, not a failure.
An example in which every backend and the oracle raise is outside the computation's
domain (:attr:`Judged.invalid`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..backends import get_backend
from ..case import Case
from ..execution import Execution, applies
from ..results import FAILING, ORACLE, Row, worst
from .executor import Executor, example_inputs
from .spec import Sweep
from .strategies import Example
from .worker import has_bfloat16

__all__ = ["DIFFERING", "ORACLE", "Judged", "evaluate", "judge_example"]

#: The statuses of a row that differs: the failing ones (:data:`equivalence.results.FAILING`)
#: and a declared, bounded known difference (a finding under ``--known``).
DIFFERING = (*FAILING, "known_difference")


@dataclass
class Judged:
    """What one example gave: its rows, which of them fail, and the per-backend times."""

    example: Example
    rows: list[Row]
    failing: list[Row]
    #: Rows beyond the tolerance that the oracle judged rounding.
    rounding: int = 0
    #: Every backend and the oracle raised: not in the computation's domain.
    invalid: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    oracle_dtype: str = ""
    #: What each side gave (the backends by name, the oracle as :data:`ORACLE`).
    executions: dict[str, Execution] = field(default_factory=dict)

    def signature(self) -> tuple[str, ...]:
        row = self.failing[0]
        return (row.output, row.backend, row.reference, row.status, row.differs)


def _view(case: Case, sweep: Sweep, dtype: str) -> Case:
    """The case as the comparisons of a sweep see it: the sweep's tolerance and known
    differences instead of the fixed inputs' ones."""
    return dataclasses.replace(case, tolerance=sweep.tolerance_for_dtype(dtype),
                               known_differences=sweep.known_for_dtype(dtype))


def _known_for(view: Case, output: str, backend: str, reference: str, kinds: Sequence[str],
               measured: Mapping[str, float]) -> Any:
    """The first of the sweep's declarations that covers ``kinds`` of this comparison
    (within its bounds when ``values`` is among them), or None. Unlike a fixed-input
    run, where the first declaration matching a row decides, a sweep's row may be
    covered in parts: its dtype by one declaration, its values by another."""
    for known in view.known_differences:
        if not known.matches(output, backend, reference) or not set(kinds) <= set(known.kinds):
            continue
        if "values" in kinds and (not known.bounds or any(
                not measured.get(column, math.nan) <= bound for column, bound in known.bounds.items())):
            continue
        return known
    return None


def _status(view: Case, row: Row, kinds: Sequence[str], measured: Mapping[str, float]) -> str:
    """``known_difference`` (and the row's ``declared``/``bound`` filled) when a
    declaration covers ``kinds``, else ``fail``."""
    if not kinds:
        return "pass"
    known = _known_for(view, row.output, row.backend, row.reference, kinds, measured)
    if known is None:
        return "error" if {"error", "missing"} & set(kinds) else "fail"
    row.declared = "; ".join(x for x in dict.fromkeys([row.declared, known.reason]) if x)
    row.bound = "; ".join(x for x in dict.fromkeys([row.bound, known.describe()]) if x)
    return "known_difference"


def _oracle_rows(view: Case, executions: Mapping[str, Execution], oracle: Execution) -> list[Row]:
    """Each backend's outputs against the oracle, measured by the rule of fixed-input runs
    (:func:`equivalence._oracle_rows.measure`), judged by the sweep's declarations."""
    from .._judge import measured_stats
    from .._oracle_rows import measure

    rows: list[Row] = []
    for name, expected in oracle.outputs.items():
        for backend, execution in executions.items():
            if not execution.ok or name not in execution.outputs:
                continue
            actual = execution.outputs[name]
            row = Row(case=view.id, output=name, backend=backend, reference=ORACLE, status="pass",
                      seconds=execution.seconds, shape=str(actual.shape), reference_shape=str(expected.shape),
                      dtype=execution.dtypes[name], reference_dtype=oracle.dtypes.get(name, ""))
            if actual.shape != expected.shape:
                row.differs, row.message = "shape", f"shape {actual.shape} against the oracle's {expected.shape}"
                row.status = _status(view, row, ("shape",), {})
                rows.append(row)
                continue
            found = measure(view, name, execution, executions, oracle)
            result = found.result
            row.message, row.differs = found.message, "values" if found.farther else ""
            row.rtol, row.atol = found.tolerance.rtol, found.tolerance.atol
            row.max_abs_diff, row.max_rel_diff, row.max_ulp_diff = result.max_abs_diff, result.max_rel_diff, result.max_ulp_diff
            row.mismatched, row.numel, row.tolerances, row.worst = result.mismatched, result.numel, result.tolerances, result.worst
            row.status = _status(view, row, ("values",) if found.farther else (), measured_stats(result))
            row.oracle_error, row.oracle_best, row.oracle_bound = found.error.error, found.best, found.allowed  # type: ignore[attr-defined]
            rows.append(row)
    return rows


def _rejudge(view: Case, row: Row, sides: list[Row]) -> int:
    """A failing comparison between two backends, judged again in parts: what differs
    besides the values (dtype, shape, an error) by the sweep's declarations; the values,
    when the oracle judged both sides, by their oracle rows (both within the rule:
    rounding, which passes), else by the declarations' bounds. Returns 1 when the values
    were rounding."""
    kinds = tuple(k for k in row.differs.split(",") if k)
    row.declared = row.bound = ""
    others = tuple(k for k in kinds if k != "values")
    statuses = [_status(view, row, others, {})] if others else []
    rounding = 0
    if "values" in kinds and len(sides) == 2:
        farther = [s for s in sides if s.status in DIFFERING]
        if farther:
            statuses.append(worst(s.status for s in farther))
            row.message = "; ".join(f"{s.backend} {s.message}" for s in farther) + f" ({row.message})"
            row.declared = "; ".join(x for x in dict.fromkeys([row.declared, *(s.declared for s in farther)]) if x)
            row.bound = "; ".join(x for x in dict.fromkeys([row.bound, *(s.bound for s in farther)]) if x)
        else:
            row.message = f"beyond the tolerance, rounding by the float64 oracle: {row.message}"
            rounding = 1
    elif "values" in kinds:
        measured = {"max_abs_diff": row.max_abs_diff, "max_rel_diff": row.max_rel_diff,
                    "max_ulp_diff": row.max_ulp_diff, "mismatched": float(row.mismatched)}
        statuses.append(_status(view, row, ("values",), measured))
    row.status = worst(statuses) if statuses else "pass"
    return rounding


def judge_example(case: Case, sweep: Sweep, example: Example, executions: Mapping[str, Execution],
                  oracle: Execution | None, reference: str) -> Judged:
    """The rows of one example, and those that fail (see the module docstring)."""
    from ..rows import compare_pair

    view = _view(case, sweep, example.dtype)
    ran = {b: e for b, e in executions.items() if applies(case, b)}
    ok_oracle = oracle if oracle is not None and oracle.ok else None
    raised = [e for e in ran.values() if e.error is not None]
    if raised and not any(e.ok for e in ran.values()) and (oracle is None or oracle.error is not None):
        return Judged(example, [], [], invalid=True)  # outside the computation's domain
    oracle_rows = _oracle_rows(view, ran, ok_oracle) if ok_oracle is not None else []
    by_side = {(r.output, r.backend): r for r in oracle_rows}
    pair_rows: list[Row] = []
    ref = ran.get(reference)
    rounding = 0
    for backend, execution in ran.items():
        if backend == reference or ref is None:
            continue
        compared = [(execution, ref)]
        eager = ran.get(get_backend(backend).implementation)
        if eager is not None and eager is not execution and eager.backend != reference:
            compared.append((execution, eager))
        for one, other in compared:
            for row in compare_pair(view, one, other):
                if row.status == "unexpected_pass":
                    row.status, row.message, row.declared, row.bound = "pass", "", "", ""
                elif row.status == "fail" and not row.differs:  # NaN everywhere in both: NaN in, NaN out
                    row.status = "pass"
                if row.status in DIFFERING and row.differs:
                    sides = [by_side.get((row.output, b)) for b in (row.backend, row.reference)]
                    rounding += _rejudge(view, row, [s for s in sides if s is not None])
                pair_rows.append(row)
    rows = oracle_rows + pair_rows
    failing = [r for r in rows if r.status in FAILING]
    gave = {**ran, **({ORACLE: oracle} if oracle is not None else {})}
    return Judged(example, rows, failing, rounding=rounding, executions=gave,
                  oracle_dtype=",".join(sorted(set(ok_oracle.dtypes.values()))) if ok_oracle is not None else "")


def evaluate(case: Case, sweep: Sweep, example: Example, executor: Executor, backends: Sequence[str],
             reference: str, fixed: Mapping[str, Any]) -> Judged:
    """Run one example in every backend and the oracle, and judge it."""
    tasks: list[tuple[str, str, dict[str, Any]]] = []
    skipped: dict[str, Execution] = {}
    inputs = example_inputs(fixed, example)
    for backend in backends:
        if example.dtype == "bfloat16" and not has_bfloat16(backend):
            skipped[backend] = Execution(case.id, backend, skipped=f"{backend} has no bfloat16 dtype")
        elif not applies(case, backend):
            skipped[backend] = Execution(case.id, backend, skipped="not an execution mode of this case")
        else:
            tasks.append((backend, backend, inputs))
    if sweep.oracle is not None and sweep.oracle in case.implementations and get_backend(sweep.oracle).available:
        tasks.append((ORACLE, sweep.oracle, example_inputs(fixed, example, "float64")))
    done = executor.run(case, tasks)
    executions = {b: (skipped[b] if b in skipped else done[b][0]) for b in backends}
    judged = judge_example(case, sweep, example, executions, done[ORACLE][0] if ORACLE in done else None, reference)
    judged.seconds = {key: seconds for key, (_, seconds) in done.items()}
    return judged

