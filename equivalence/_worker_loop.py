"""Inside a worker process: the loop that runs one backend's part of every case.

A worker (started by :class:`equivalence._worker_handle.Worker`, run as
``python -m equivalence.isolation FD BACKEND PARENT`` or a module that calls
:func:`serve` the same way) imports its framework once, says :data:`READY`, then
answers each task (:func:`equivalence._wire.encode_task`'s bytes) with one
:class:`~equivalence.execution.Execution` (:func:`equivalence._wire.encode_execution`'s
bytes), until it reads :data:`STOP` or the connection closes.

Invariants: every task gets exactly one reply, an error Execution when the task cannot
be read, its case cannot be loaded or its result cannot be encoded; a task for another
backend is refused, not run; the worker ignores SIGINT (the parent decides what an
interrupt means) and does not hand its connection to processes a case starts;
:func:`die_with_parent` ends the worker with its parent.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ._wire import decode_task, encode_execution
from .execution import ErrorInfo, Execution

__all__ = ["READY", "STOP", "die_with_parent", "serve"]

#: What a worker sends once its framework is imported.
READY = b"ready"
#: What the parent sends to let an idle worker exit on its own.
STOP = b""


def die_with_parent(parent: int) -> None:
    """Linux: have the kernel kill this worker when the parent dies (a worker busy in a
    loop would otherwise run on); anywhere: exit if the parent is gone already."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except Exception:
            pass
    if os.getppid() != parent:
        os._exit(1)


def serve(conn: Connection, backend: str,
          prepare: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None) -> None:
    """The worker's loop: receive a task, execute it, send the Execution back;
    ``prepare(backend, inputs)``, when given, turns the inputs as they arrive into those
    the case receives (the sweeps' bfloat16 tensors)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Processes a case starts do not inherit the connection (they would keep it open).
    os.set_inheritable(conn.fileno(), False)
    from .backends import get_backend
    from .discovery import load_file
    from .execution import execute

    try:  # import the framework before the first time limit starts
        get_backend(backend).load()
    except Exception:
        pass  # execute() reports the import error of every case
    conn.send_bytes(READY)

    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        if data == STOP:
            return
        case_id = "?"
        try:
            case_path, case_id, task_backend, inputs = decode_task(data)
            if task_backend != backend:
                raise ValueError(f"a {task_backend} task sent to the {backend} worker")
            case = next(c for c in load_file(Path(case_path)) if c.id == case_id)
            result = execute(case, backend, inputs if prepare is None else prepare(backend, inputs))
        except Exception as exc:  # an unreadable task, or loading the case file failed
            result = Execution(case_id, backend, error=ErrorInfo.from_exception(exc))
        try:
            payload = encode_execution(result)
        except Exception as exc:
            payload = encode_execution(Execution(case_id, backend, error=ErrorInfo.from_exception(exc)))
        conn.send_bytes(payload)
