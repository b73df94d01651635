"""Running one example in every backend: in their worker processes, or here.

:class:`Executor` hands each backend's task to :class:`~equivalence.sweep.worker.SweepPool`
(``run``'s isolation and limits) and times it; :func:`example_inputs` makes the inputs
of one example: the case's fixed inputs in the example's dtype (or float64, for the
oracle) with the swept ones over them, bfloat16 ones named for the worker to convert.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..case import Case
from ..execution import ErrorInfo, Execution, execute
from .strategies import Example, numpy_dtype, round_bfloat16
from .worker import BFLOAT16, SweepPool, prepare

__all__ = ["Executor", "example_inputs"]


class Executor:
    """Runs a case in several backends at once: in worker processes (``isolate``) or here."""

    def __init__(self, isolate: bool = True, jobs: int = 1, timeout: float | None = None) -> None:
        self.isolate, self.jobs, self.timeout = isolate, jobs, timeout
        self._pool: SweepPool | None = None

    def run(self, case: Case, tasks: Sequence[tuple[str, str, dict[str, Any]]]) -> dict[str, tuple[Execution, float]]:
        """``tasks`` are (key, backend, inputs); returns key -> (execution, wall seconds)."""
        from ..runner import runs_in_worker

        results: dict[str, tuple[Execution, float]] = {}
        remote = [t for t in tasks if runs_in_worker(case, t[1], self.isolate)]
        for key, backend, inputs in (t for t in tasks if not any(t is r for r in remote)):
            start = time.perf_counter()
            if self.isolate:  # nothing to run (a skip): no case code, no framework, here
                inputs = {k: v for k, v in inputs.items() if k != BFLOAT16}
            try:
                execution = execute(case, backend, inputs if self.isolate else prepare(backend, inputs))
            except Exception as exc:  # preparing bfloat16 inputs failed
                execution = Execution(case.id, backend, error=ErrorInfo.from_exception(exc))
            results[key] = (execution, time.perf_counter() - start)
        if remote:
            from ..isolation import DEFAULT_TIMEOUT, Task

            if self._pool is None:
                self._pool = SweepPool(jobs=self.jobs, timeout=self.timeout or DEFAULT_TIMEOUT)
            keys: dict[int, str] = {}
            pending = []
            for key, backend, inputs in remote:
                self._pool.prestart(backend)
                task = Task(case.path, case.id, backend, inputs)
                keys[id(task)] = key
                pending.append(task)
            last = time.perf_counter()

            def done(task: Any, execution: Execution) -> None:
                nonlocal last
                now = time.perf_counter()
                results[keys[id(task)]] = (execution, now - last)
                last = now

            self._pool.run(pending, done)
        return results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _cast(value: Any, dtype: str) -> Any:
    """A float array (or NumPy float scalar) as ``dtype``; anything else unchanged."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        cast = value.astype(numpy_dtype(dtype))
        return round_bfloat16(cast) if dtype == "bfloat16" else cast
    if isinstance(value, np.floating):
        cast = numpy_dtype(dtype)(value)
        return np.float32(round_bfloat16(np.array([cast]))[0]) if dtype == "bfloat16" else cast
    return value


def example_inputs(fixed: Mapping[str, Any], example: Example, dtype: str | None = None) -> dict[str, Any]:
    """The inputs of one example: the case's fixed inputs with their float arrays in the
    example's dtype (or ``dtype``: float64 for the oracle), the swept ones over them;
    bfloat16 inputs are named under :data:`~equivalence.sweep.worker.BFLOAT16`."""
    target = dtype or example.dtype
    inputs: dict[str, Any] = {}
    bfloat16 = []
    for name, value in fixed.items():
        if name in example.inputs:
            continue
        inputs[name] = _cast(value, target)
        if target == "bfloat16" and inputs[name] is not value:
            bfloat16.append(name)
    for name, value in example.inputs.items():
        if dtype is not None and value.dtype.kind == "f":
            value = value.astype(numpy_dtype(dtype))
        elif dtype is None and name in example.bfloat16:
            bfloat16.append(name)
        inputs[name] = value
    if bfloat16:
        inputs[BFLOAT16] = bfloat16
    return inputs

