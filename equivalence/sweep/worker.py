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

import os
import signal
import socket
import subprocess
import sys
import warnings
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..isolation import STARTUP_TIMEOUT, WorkerPool, _die_with_parent, _exit_cause, _Worker

__all__ = ["BFLOAT16", "SweepPool", "to_bfloat16"]

#: The input entry that names the inputs holding bfloat16 values (a list of names).
BFLOAT16 = "__sweep_bfloat16__"
_READY = b"ready"
_STOP = b""


def to_bfloat16(backend: str, array: Any) -> Any:
    """A float32 array of bfloat16 numbers as ``backend``'s bfloat16 tensor."""
    from ..backends import get_backend

    implementation = get_backend(backend).implementation
    module = get_backend(backend).load()
    if implementation == "torch":
        return module.tensor(array).to(module.bfloat16)
    if implementation == "tensorflow":
        return module.cast(module.constant(array), module.bfloat16)
    if implementation == "jax":
        return module.numpy.asarray(array).astype(module.numpy.bfloat16)
    raise TypeError(f"{backend} has no bfloat16 dtype")


def prepare(backend: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The task's inputs with the bfloat16 ones made the backend's tensors."""
    inputs = dict(inputs)
    for name in inputs.pop(BFLOAT16, None) or ():
        inputs[name] = to_bfloat16(backend, inputs[name])
    return inputs


def _serve(conn: Connection, backend: str) -> None:
    """:func:`equivalence.isolation._serve`, with :func:`prepare` before each case."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.set_inheritable(conn.fileno(), False)
    from .._wire import decode_task, encode_execution
    from ..backends import get_backend
    from ..discovery import load_file
    from ..execution import ErrorInfo, Execution, execute

    # Extreme inputs make NumPy warn (overflow in exp, 0 * inf) thousands of times; the
    # values are what is compared. execute() restores this filter after every case.
    warnings.simplefilter("ignore")
    try:
        get_backend(backend).load()
    except Exception:
        pass
    conn.send_bytes(_READY)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if data == _STOP:
            return
        case_id = "?"
        try:
            case_path, case_id, task_backend, inputs = decode_task(data)
            if task_backend != backend:
                raise ValueError(f"a {task_backend} task sent to the {backend} worker")
            case = next(c for c in load_file(Path(case_path)) if c.id == case_id)
            result = execute(case, backend, prepare(backend, inputs))
        except Exception as exc:
            result = Execution(case_id, backend, error=ErrorInfo.from_exception(exc))
        try:
            payload = encode_execution(result)
        except Exception as exc:
            payload = encode_execution(Execution(case_id, backend, error=ErrorInfo.from_exception(exc)))
        conn.send_bytes(payload)


class _SweepWorker(_Worker):
    """A worker of :mod:`equivalence.isolation` that starts this module."""

    def start(self) -> None:  # as _Worker.start, with this module
        ours, theirs = socket.socketpair()
        package_parent = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        path = os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "equivalence.sweep.worker", str(theirs.fileno()), self.backend, str(os.getpid())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, start_new_session=True,
            env={"TF_CPP_MIN_LOG_LEVEL": "2", **os.environ, "PYTHONPATH": path},
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        try:
            answered = self.conn.poll(STARTUP_TIMEOUT)
            started = answered and self.conn.recv_bytes() == _READY
        except (EOFError, OSError):
            answered, started = True, False
        if not started:
            code = self.stop(grace=5.0 if answered else 0.0)
            why = f"it exited ({_exit_cause(code)})" if answered else f"it did not answer within {STARTUP_TIMEOUT:g} s"
            raise RuntimeError(f"the {self.backend} worker process failed to start: {why}")


class SweepPool(WorkerPool):
    """:class:`~equivalence.isolation.WorkerPool` (limits, crashes, clean-up as in
    ``run``) whose workers accept bfloat16 inputs."""

    def _idle_worker(self, backend: str) -> _Worker | None:
        """As the pool's own, with this module's workers."""
        workers = self._workers.setdefault(backend, [])
        idle = next((w for w in workers if w.task is None), None)
        if idle is None and len(workers) < self.jobs:
            idle = _SweepWorker(backend)
            workers.append(idle)
        return idle

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
    _serve(Connection(int(sys.argv[1])), sys.argv[2])
