"""The sweep's worker processes: :mod:`equivalence.isolation`'s, plus bfloat16 inputs.

A sweep runs in the same worker processes as ``run``, one per backend, with the same
limits, process groups and clean-up: :class:`SweepPool` is
:class:`equivalence.isolation.WorkerPool` whose workers start this module instead of
``equivalence.isolation``. The one thing added: NumPy has no bfloat16, so a bfloat16
input crosses the wire as a float32 array holding bfloat16 numbers, named in the task's
``BFLOAT16`` entry, and the worker makes it the framework's own bfloat16 tensor before
the case runs (:func:`to_bfloat16`). Everything else is :func:`equivalence.execution.execute`.
"""

from __future__ import annotations

import sys
import warnings
from multiprocessing.connection import Connection
from typing import Any

from ..isolation import Worker, WorkerPool, die_with_parent, serve

__all__ = ["BFLOAT16", "SweepPool", "has_bfloat16", "prepare", "to_bfloat16"]

#: The input entry that names the inputs holding bfloat16 values (a list of names).
BFLOAT16 = "__sweep_bfloat16__"

def has_bfloat16(backend: str) -> bool:
    """Whether ``backend``'s framework has a bfloat16 dtype (imports no framework)."""
    from ..backends import get_backend

    return get_backend(backend).has_bfloat16


def to_bfloat16(backend: str, array: Any) -> Any:
    """A float32 array of bfloat16 numbers as ``backend``'s bfloat16 tensor."""
    from ..backends import get_backend

    return get_backend(backend).from_bfloat16(array)


def prepare(backend: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The task's inputs with the bfloat16 ones made the backend's tensors."""
    inputs = dict(inputs)
    for name in inputs.pop(BFLOAT16, None) or ():
        inputs[name] = to_bfloat16(backend, inputs[name])
    return inputs


class _SweepWorker(Worker):
    """A worker of :mod:`equivalence.isolation` that runs this module."""

    module = "equivalence.sweep.worker"


class SweepPool(WorkerPool):
    """:class:`~equivalence.isolation.WorkerPool` (limits, crashes, clean-up as in
    ``run``) whose workers accept bfloat16 inputs."""

    worker_class = _SweepWorker


if __name__ == "__main__":  # a worker: python -m equivalence.sweep.worker FD BACKEND PARENT
    die_with_parent(int(sys.argv[3]))
    # Extreme inputs make NumPy warn (overflow in exp, 0 * inf) thousands of times; the
    # values are what is compared. execute() restores this filter after every case.
    warnings.simplefilter("ignore")
    serve(Connection(int(sys.argv[1])), sys.argv[2], prepare)
