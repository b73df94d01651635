"""Process isolation: every backend runs in a long-lived worker process of its own.

Why: in one process, a case that hangs in a framework's C code cannot be stopped, and
one that crashes the interpreter (a segfault, ``os.abort()``) takes the whole run with
it. A worker per backend imports its framework once and runs that backend's part of
every case, so isolation costs little: the parent never imports a framework at all.
When a worker exceeds the time limit it is killed, the (case, backend) becomes an
``error`` that says so, and a fresh worker takes the next case; a worker that dies is
reported the same way.

Workers are fresh interpreters (``python -m equivalence.isolation FD BACKEND``): forking
a process that has imported PyTorch or TensorFlow is unsafe, and multiprocessing's
``spawn`` would re-run the user's ``__main__`` script in every worker. They talk to the
parent over a socket pair with ``multiprocessing.connection``, load case files by path,
and receive the inputs made once in the parent, so every backend still gets
bit-identical inputs. Workers ignore SIGINT: the parent decides what an interrupt
means. Up to ``jobs`` workers run at once.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .execution import ErrorInfo, Execution

__all__ = ["DEFAULT_TIMEOUT", "Task", "WorkerPool"]

#: Seconds one (case, backend) may take. The slowest documented loop (000-3.2: 10 000
#: eager TensorFlow epochs) takes about 20 s on a 2-core machine.
DEFAULT_TIMEOUT = 300.0
#: Seconds a new worker may take to start and import its framework.
STARTUP_TIMEOUT = 300.0


@dataclass
class Task:
    case_path: str
    case_id: str
    backend: str
    inputs: dict[str, Any]


def _serve(conn: Connection, backend: str) -> None:
    """The worker's loop: receive a task, execute it, send the Execution back."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .backends import get_backend
    from .discovery import load_file
    from .execution import execute

    try:  # import the framework before the first time limit starts
        get_backend(backend).load()
    except Exception:
        pass  # execute() reports the import error of every case
    conn.send("ready")

    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            case = next(c for c in load_file(Path(task.case_path)) if c.id == task.case_id)
            result = execute(case, backend, task.inputs)
        except Exception as exc:  # loading the case file failed in the worker
            result = Execution(task.case_id, backend, error=ErrorInfo.from_exception(exc))
        conn.send(result)


class _Worker:
    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.process: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None
        self.task: Task | None = None
        self.deadline = 0.0
        self.started = 0.0

    def submit(self, task: Task, timeout: float) -> None:
        if self.process is None or self.process.poll() is not None:
            ours, theirs = socket.socketpair()
            package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            path = os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))
            self.process = subprocess.Popen(
                [sys.executable, "-m", "equivalence.isolation", str(theirs.fileno()), self.backend],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env={"TF_CPP_MIN_LOG_LEVEL": "2", **os.environ, "PYTHONPATH": path},
            )
            theirs.close()
            parent = self.conn = Connection(ours.detach())
            # Importing a framework takes seconds: it does not count against a case's limit.
            if not parent.poll(STARTUP_TIMEOUT) or parent.recv() != "ready":
                raise RuntimeError(f"the {self.backend} worker process did not start within {STARTUP_TIMEOUT} s")
        assert self.conn is not None
        self.task, self.started, self.deadline = task, time.monotonic(), time.monotonic() + timeout
        self.conn.send(task)

    def collect(self) -> Execution:
        """The finished task's execution (the connection is ready or closed)."""
        assert self.conn is not None and self.task is not None
        task, self.task = self.task, None
        try:
            return self.conn.recv()
        except (EOFError, OSError):
            assert self.process is not None
            try:
                code: int | None = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = None
            cause = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
            self.stop()
            return Execution(task.case_id, self.backend, error=ErrorInfo(
                "WorkerCrashed", f"the {self.backend} worker process died ({cause}) while running this case"))

    def expire(self, timeout: float) -> Execution:
        assert self.task is not None
        task, self.task = self.task, None
        self.stop()
        return Execution(task.case_id, self.backend, seconds=timeout, error=ErrorInfo(
            "Timeout", f"the {self.backend} implementation ran longer than the {timeout:g} s time limit "
                       "and was stopped (raise it with --timeout)"))

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.wait(timeout=5)
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None


class WorkerPool:
    """Runs tasks in per-backend worker processes, at most ``jobs`` at once."""

    def __init__(self, jobs: int = 1, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self._workers: dict[str, _Worker] = {}

    def run(self, tasks: Iterable[Task], done: Callable[[Task, Execution], None]) -> None:
        """Execute ``tasks`` (in order, per backend); ``done`` is called as each finishes."""
        pending = list(tasks)
        busy: list[_Worker] = []
        try:
            while pending or busy:
                for task in list(pending):
                    if len(busy) >= self.jobs:
                        break
                    worker = self._workers.setdefault(task.backend, _Worker(task.backend))
                    if worker.task is None:
                        pending.remove(task)
                        worker.submit(task, self.timeout)
                        busy.append(worker)
                nearest = min(w.deadline for w in busy)
                ready = wait([w.conn for w in busy if w.conn is not None], timeout=max(0.0, nearest - time.monotonic()))
                for worker in list(busy):
                    running = worker.task
                    assert running is not None
                    if worker.conn in ready:
                        execution = worker.collect()
                    elif time.monotonic() >= worker.deadline:
                        execution = worker.expire(self.timeout)
                    else:
                        continue
                    busy.remove(worker)
                    done(running, execution)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        for worker in self._workers.values():
            if worker.conn is not None and worker.task is None and worker.process is not None:
                try:
                    worker.conn.send(None)  # let it exit on its own
                    worker.process.wait(timeout=2)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            worker.stop()
        self._workers.clear()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":  # a worker: python -m equivalence.isolation FD BACKEND
    _serve(Connection(int(sys.argv[1])), sys.argv[2])
