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

from ..isolation import WorkerPool, _die_with_parent, _Worker, serve

__all__ = ["BFLOAT16", "BFLOAT16_FRAMEWORKS", "SweepPool", "framework_bfloat16", "has_bfloat16", "prepare",
           "to_bfloat16"]

#: The input entry that names the inputs holding bfloat16 values (a list of names).
BFLOAT16 = "__sweep_bfloat16__"

# -- the sweep's only per-framework code -------------------------------------------------------
# A backend should be one file: these two are to become members of
# equivalence.backends.base.Backend (``has_bfloat16``, a class attribute, and
# ``from_bfloat16(array)``, a method each framework's backend overrides). Until then,
# nothing else in the sweep asks which framework a backend runs.

#: The frameworks (a backend's ``implementation``) that have a bfloat16 dtype; NumPy has none.
BFLOAT16_FRAMEWORKS = ("torch", "tensorflow", "jax")


def framework_bfloat16(implementation: str, module: Any, array: Any) -> Any:
    """A float32 array holding bfloat16 numbers as the framework's bfloat16 tensor
    (``module``: the framework, loaded)."""
    if implementation == "torch":
        return module.tensor(array).to(module.bfloat16)
    if implementation == "tensorflow":
        return module.cast(module.constant(array), module.bfloat16)
    if implementation == "jax":
        return module.numpy.asarray(array).astype(module.numpy.bfloat16)
    raise TypeError(f"{implementation} has no bfloat16 dtype")


# -- framework-independent --------------------------------------------------------------------


def has_bfloat16(backend: str) -> bool:
    """Whether ``backend``'s framework has a bfloat16 dtype (imports no framework)."""
    from ..backends import get_backend

    return get_backend(backend).implementation in BFLOAT16_FRAMEWORKS


def to_bfloat16(backend: str, array: Any) -> Any:
    """A float32 array of bfloat16 numbers as ``backend``'s bfloat16 tensor."""
    from ..backends import get_backend

    chosen = get_backend(backend)
    if not has_bfloat16(backend):
        raise TypeError(f"{backend} has no bfloat16 dtype")
    return framework_bfloat16(chosen.implementation, chosen.load(), array)


def prepare(backend: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The task's inputs with the bfloat16 ones made the backend's tensors."""
    inputs = dict(inputs)
    for name in inputs.pop(BFLOAT16, None) or ():
        inputs[name] = to_bfloat16(backend, inputs[name])
    return inputs


class _SweepWorker(_Worker):
    """A worker of :mod:`equivalence.isolation` that runs this module."""

    module = "equivalence.sweep.worker"


class SweepPool(WorkerPool):
    """:class:`~equivalence.isolation.WorkerPool` (limits, crashes, clean-up as in
    ``run``) whose workers accept bfloat16 inputs."""

    worker_class = _SweepWorker

    def prestart(self, backend: str) -> None:
        """Start a worker of ``backend`` before its first task, so that importing the
        framework is not counted in the first example's time. One that fails to start
        is left to :meth:`run`, which reports it per task."""
        workers = self._workers.setdefault(backend, [])
        if not workers:
            worker = _SweepWorker(backend)
            workers.append(worker)
            try:
                worker.start()
            except RuntimeError:
                pass


if __name__ == "__main__":  # a worker: python -m equivalence.sweep.worker FD BACKEND PARENT
    _die_with_parent(int(sys.argv[3]))
    # Extreme inputs make NumPy warn (overflow in exp, 0 * inf) thousands of times; the
    # values are what is compared. execute() restores this filter after every case.
    warnings.simplefilter("ignore")
    serve(Connection(int(sys.argv[1])), sys.argv[2], prepare)
