"""Process isolation: every backend runs in a long-lived worker process of its own.

Why: in one process, a case that hangs in a framework's C code cannot be stopped, and
one that crashes the interpreter (a segfault, ``os.abort()``) takes the whole run with
it. A worker per backend imports its framework once and runs that backend's part of
every case, so isolation costs little: the parent never imports a framework at all.
When a worker exceeds a time limit it is killed, the (case, backend) becomes an
``error`` that says so, and a fresh worker takes the next case; a worker that dies is
reported the same way.

Time limits: ``timeout`` (``--timeout``, 300 s) is CPU time of the worker process, read
from ``/proc/<pid>/stat`` (user + system time of the worker and of the children it
waited for), so that a busy machine, which slows a case down without the case doing
more, does not trip it; a runaway loop does. A case that sleeps or blocks uses no CPU:
``wall_timeout`` (10 times ``timeout`` unless given) stops it. Where ``/proc`` is
missing, ``timeout`` counts wall-clock time.

Workers are fresh interpreters (``python -m equivalence.isolation FD BACKEND PARENT``):
forking a process that has imported PyTorch or TensorFlow is unsafe, and
multiprocessing's ``spawn`` would re-run the user's ``__main__`` script in every worker.
They talk to the parent over a socket pair in plain data (:mod:`equivalence._wire`:
JSON and raw array bytes, never a pickle, so nothing a case returns can run code in the
parent), load case files by path, and receive the inputs made once in the parent, so
every backend still gets bit-identical inputs. An input that cannot travel as plain
data (a function, an object) makes that (case, backend) an ``error``; the run goes on.

Clean-up: each worker starts a session and process group of its own; when a case times
out, a worker dies or the pool closes, the whole group is killed, so processes a case
started (``subprocess.Popen(["sleep", "300"])``) do not outlive the run (unless they
left the group themselves with ``setsid``). On Linux a worker is also killed when the
parent dies. Workers ignore SIGINT: the parent decides what an interrupt means. Up to
``jobs`` workers run at once.

This module is the pool (:class:`WorkerPool`: which worker runs which task, the time
limits, closing) and a worker's entry point; the parent's handle on one worker process
is :mod:`equivalence._worker_handle`, the loop inside a worker
:mod:`equivalence._worker_loop`, the bytes between them :mod:`equivalence._wire`.
Invariants: every task given to :meth:`WorkerPool.run` reaches ``done`` exactly once;
no more than ``jobs`` tasks run at once; after :meth:`WorkerPool.close` (or an
exception in ``run``) no worker, nor its process group, is left running.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection, wait

from ._wire import Unsendable, encode_task
from ._worker_handle import STARTUP_TIMEOUT, Task, Worker, cpu_seconds
from ._worker_loop import STOP, die_with_parent, serve
from .execution import ErrorInfo, Execution

__all__ = [
    "DEFAULT_TIMEOUT", "STARTUP_TIMEOUT", "WALL_FACTOR", "Task", "Worker", "WorkerPool", "cpu_seconds",
    "die_with_parent", "serve",
]  # fmt: skip

#: CPU seconds one (case, backend) may use. The slowest documented loop (000-3.2: 10 000
#: eager TensorFlow epochs) takes about 20 s on a 2-core machine.
DEFAULT_TIMEOUT = 300.0
#: The wall-clock limit, unless given, is this many times the CPU limit: for a case that
#: sleeps or blocks.
WALL_FACTOR = 10.0



class WorkerPool:
    """Runs tasks in per-backend worker processes, at most ``jobs`` at once: with
    ``jobs=2`` two workers of one backend may run side by side (the long eager
    TensorFlow loops need it), each importing its framework once. Tasks start in the
    order given, so a caller that puts the longest first balances the workers.

    ``timeout`` is the CPU seconds one task may use, ``wall_timeout`` the wall-clock
    seconds (default: ``WALL_FACTOR`` times ``timeout``)."""

    def __init__(self, jobs: int = 1, timeout: float = DEFAULT_TIMEOUT, wall_timeout: float | None = None) -> None:
        self.jobs = max(1, jobs)
        self.timeout = timeout
        self.wall_timeout = WALL_FACTOR * timeout if wall_timeout is None else wall_timeout
        self._workers: dict[str, list[Worker]] = {}

    #: The workers this pool starts (a subclass runs another worker module).
    worker_class: type[Worker] = Worker

    def run(self, tasks: Iterable[Task], done: Callable[[Task, Execution], None]) -> None:
        """Execute ``tasks`` (in order, per backend); ``done`` is called as each finishes.

        A task whose inputs cannot be sent as plain data, or whose worker cannot start,
        is given to ``done`` as an error Execution at once."""
        pending = list(tasks)
        busy: list[Worker] = []
        try:
            while pending or busy:
                for task in list(pending):
                    if len(busy) >= self.jobs:
                        break
                    worker = self._idle_worker(task.backend)
                    if worker is None:
                        continue
                    pending.remove(task)
                    try:
                        payload = encode_task(task.case_path, task.case_id, task.backend, task.inputs)
                        worker.submit(task, payload)
                    except Unsendable as exc:
                        done(task, Execution(task.case_id, task.backend, error=ErrorInfo("UnsendableInput", str(exc))))
                        continue
                    except RuntimeError as exc:  # the worker did not start
                        done(task, Execution(task.case_id, task.backend, error=ErrorInfo("WorkerStartFailed", str(exc))))
                        continue
                    busy.append(worker)
                if not busy:
                    continue
                nearest = min(w.next_check(self.timeout, self.wall_timeout) for w in busy)
                ready = wait([w.conn for w in busy if w.conn is not None], timeout=max(0.0, nearest - time.monotonic()))
                for worker in list(busy):
                    running = worker.task
                    assert running is not None
                    if worker.conn in ready:
                        execution: Execution | None = worker.collect()
                    else:
                        execution = worker.check(self.timeout, self.wall_timeout)
                    if execution is None:
                        continue
                    busy.remove(worker)
                    done(running, execution)
        except BaseException:
            self.close()
            raise

    def _idle_worker(self, backend: str) -> Worker | None:
        """An idle worker of ``backend``, a new one while there are fewer than ``jobs``,
        or None when all of them are busy."""
        workers = self._workers.setdefault(backend, [])
        idle = next((w for w in workers if w.task is None), None)
        if idle is None and len(workers) < self.jobs:
            idle = self.worker_class(backend)
            workers.append(idle)
        return idle

    def prestart(self, backend: str) -> None:
        """Start a worker of ``backend`` before its first task, so that importing the
        framework is not counted in the first task's time. One that fails to start is
        left to :meth:`run`, which reports it per task."""
        workers = self._workers.setdefault(backend, [])
        if not workers:
            worker = self.worker_class(backend)
            workers.append(worker)
            try:
                worker.start()
            except RuntimeError:
                pass

    def close(self) -> None:
        """Stop every worker and kill its process group (what cases started, too)."""
        asked = []
        every = [w for workers in self._workers.values() for w in workers]
        for worker in every:
            if worker.conn is not None and worker.task is None and not worker.exited():
                try:
                    worker.conn.send_bytes(STOP)  # let it exit on its own
                    asked.append(worker)
                except OSError:
                    pass
        for worker in every:
            worker.stop(grace=2.0 if worker in asked else 0.0)
        self._workers.clear()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":  # a worker: python -m equivalence.isolation FD BACKEND PARENT
    die_with_parent(int(sys.argv[3]))
    serve(Connection(int(sys.argv[1])), sys.argv[2])
