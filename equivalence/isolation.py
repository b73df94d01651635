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

from ._wire import Unsendable, WireError, decode_execution, decode_task, encode_execution, encode_task
from .execution import ErrorInfo, Execution

__all__ = ["DEFAULT_TIMEOUT", "WALL_FACTOR", "Task", "WorkerPool"]

#: CPU seconds one (case, backend) may use. The slowest documented loop (000-3.2: 10 000
#: eager TensorFlow epochs) takes about 20 s on a 2-core machine.
DEFAULT_TIMEOUT = 300.0
#: The wall-clock limit, unless given, is this many times the CPU limit: for a case that
#: sleeps or blocks.
WALL_FACTOR = 10.0
#: Seconds a new worker may take to start and import its framework.
STARTUP_TIMEOUT = 300.0
#: How often (seconds) the CPU time of a busy worker is read, at most.
_POLL = 0.5
_READY = b"ready"
_STOP = b""

try:
    _CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
except (AttributeError, OSError, ValueError):
    _CLOCK_TICKS = 100


@dataclass
class Task:
    case_path: str
    case_id: str
    backend: str
    inputs: dict[str, Any]


def _die_with_parent(parent: int) -> None:
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
            result = execute(case, backend, inputs if prepare is None else prepare(backend, inputs))
        except Exception as exc:  # an unreadable task, or loading the case file failed
            result = Execution(case_id, backend, error=ErrorInfo.from_exception(exc))
        try:
            payload = encode_execution(result)
        except Exception as exc:
            payload = encode_execution(Execution(case_id, backend, error=ErrorInfo.from_exception(exc)))
        conn.send_bytes(payload)


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` and of its waited-for children, from
    ``/proc/<pid>/stat``; None where that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
        # Fields after the command name (which may hold spaces and parentheses): state is
        # field 3; utime, stime, cutime, cstime are fields 14 to 17.
        fields = stat[stat.rindex(b")") + 2 :].split()
        return sum(int(f) for f in fields[11:15]) / _CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return None


class _Worker:
    def __init__(self, backend: str) -> None:
        self.backend = backend
        self.process: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None
        self.task: Task | None = None
        self.started = 0.0
        self.cpu_start: float | None = None

    #: The module a worker process runs (``python -m MODULE FD BACKEND PARENT``).
    module = "equivalence.isolation"

    def start(self) -> None:
        ours, theirs = socket.socketpair()
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        path = os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))
        self.process = subprocess.Popen(
            [sys.executable, "-m", self.module, str(theirs.fileno()), self.backend, str(os.getpid())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, start_new_session=True,
            env={"TF_CPP_MIN_LOG_LEVEL": "2", **os.environ, "PYTHONPATH": path},
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        # Importing a framework takes seconds: it does not count against a case's limit.
        try:
            answered = self.conn.poll(STARTUP_TIMEOUT)
            started = answered and self.conn.recv_bytes() == _READY
        except (EOFError, OSError):
            answered, started = True, False
        if not started:
            code = self.stop(grace=5.0 if answered else 0.0)
            why = f"it exited ({_exit_cause(code)})" if answered else f"it did not answer within {STARTUP_TIMEOUT:g} s"
            raise RuntimeError(f"the {self.backend} worker process failed to start: {why}")

    def submit(self, task: Task, payload: bytes) -> None:
        if self.process is None or self._exited():
            self.stop()
            self.start()
        assert self.conn is not None and self.process is not None
        self.task, self.started = task, time.monotonic()
        self.cpu_start = _cpu_seconds(self.process.pid)
        try:
            self.conn.send_bytes(payload)
        except OSError:
            pass  # the worker is gone: collect() reports it

    def cpu_used(self) -> float | None:
        """CPU seconds the running task has used; None where they cannot be read."""
        if self.cpu_start is None or self.process is None:
            return None
        now = _cpu_seconds(self.process.pid)
        return None if now is None else now - self.cpu_start

    def next_check(self, cpu_limit: float, wall_limit: float) -> float:
        """When (``time.monotonic()``) the limits should next be checked."""
        wall_deadline = self.started + wall_limit
        if self.cpu_start is None:  # no /proc: the CPU limit counts wall-clock time
            return min(wall_deadline, self.started + cpu_limit)
        left = cpu_limit - (self.cpu_used() or 0.0)
        return min(wall_deadline, time.monotonic() + min(_POLL, max(0.05, left)))

    def check(self, cpu_limit: float, wall_limit: float) -> Execution | None:
        """An error Execution, the worker stopped, when the running task is over a limit."""
        elapsed = time.monotonic() - self.started
        cpu = self.cpu_used()
        if cpu is not None and cpu > cpu_limit:
            message = (f"the {self.backend} implementation used more than {cpu_limit:g} s of CPU time and was "
                       f"stopped after {elapsed:.3g} s (raise the limit with --timeout)")
        elif cpu is None and elapsed >= cpu_limit:
            message = (f"the {self.backend} implementation ran longer than the {cpu_limit:g} s time limit and was "
                       "stopped (CPU time cannot be read here: wall-clock time was counted; raise it with --timeout)")
        elif elapsed >= wall_limit:
            used = "" if cpu is None else f" after {cpu:.3g} s of CPU time"
            message = (f"the {self.backend} implementation ran longer than {wall_limit:g} s of wall-clock time (it "
                       f"was not using the CPU: sleeping or blocked?) and was stopped{used}; the limits are "
                       f"{cpu_limit:g} s of CPU time (--timeout) and {wall_limit:g} s of wall-clock time")
        else:
            return None
        assert self.task is not None
        task, self.task = self.task, None
        self.stop()
        return Execution(task.case_id, self.backend, seconds=elapsed, error=ErrorInfo("Timeout", message))

    def collect(self) -> Execution:
        """The finished task's execution (the connection is ready or closed)."""
        assert self.conn is not None and self.task is not None
        task, self.task = self.task, None
        try:
            data = self.conn.recv_bytes()
        except (EOFError, OSError):
            code = self.stop(grace=5.0)
            return Execution(task.case_id, self.backend, error=ErrorInfo(
                "WorkerCrashed", f"the {self.backend} worker process died ({_exit_cause(code)}) while running this case"))
        try:
            execution = decode_execution(data)
            if execution.case_id != task.case_id or execution.backend != self.backend:
                raise WireError(f"it is for case {execution.case_id!r} in {execution.backend!r}")
        except WireError as exc:
            self.stop()
            return Execution(task.case_id, self.backend, error=ErrorInfo(
                "WorkerProtocolError", f"the {self.backend} worker process sent a reply that is not this case's "
                                       f"result ({exc}); it was stopped and nothing of the reply is used"))
        return execution

    def _exited(self) -> bool:
        """Whether the worker has exited, without reaping it: until it is reaped its pid,
        which is its process group's id, cannot be given to another process."""
        process = self.process
        if process is None or process.returncode is not None:
            return True
        waitid = getattr(os, "waitid", None)
        if waitid is None:  # macOS before Python 3.13
            return process.poll() is not None
        try:
            return waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            return True

    def stop(self, grace: float = 0.0) -> int | None:
        """Kill the worker's process group (after ``grace`` seconds for the worker to exit
        on its own) and reap the worker; its exit code (negative: a signal)."""
        code = None
        if self.process is not None:
            deadline = time.monotonic() + grace
            while not self._exited() and time.monotonic() < deadline:
                time.sleep(0.01)
            if self.process.returncode is None:  # not reaped: the group id is still ours
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except OSError:
                    pass
            try:
                code = self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:  # it left its group: kill it alone
                self.process.kill()
                try:
                    code = self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None
        return code


def _exit_cause(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


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
        self._workers: dict[str, list[_Worker]] = {}

    #: The workers this pool starts (a subclass runs another worker module).
    worker_class: type[_Worker] = _Worker

    def run(self, tasks: Iterable[Task], done: Callable[[Task, Execution], None]) -> None:
        """Execute ``tasks`` (in order, per backend); ``done`` is called as each finishes.

        A task whose inputs cannot be sent as plain data, or whose worker cannot start,
        is given to ``done`` as an error Execution at once."""
        pending = list(tasks)
        busy: list[_Worker] = []
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

    def _idle_worker(self, backend: str) -> _Worker | None:
        """An idle worker of ``backend``, a new one while there are fewer than ``jobs``,
        or None when all of them are busy."""
        workers = self._workers.setdefault(backend, [])
        idle = next((w for w in workers if w.task is None), None)
        if idle is None and len(workers) < self.jobs:
            idle = self.worker_class(backend)
            workers.append(idle)
        return idle

    def close(self) -> None:
        """Stop every worker and kill its process group (what cases started, too)."""
        asked = []
        every = [w for workers in self._workers.values() for w in workers]
        for worker in every:
            if worker.conn is not None and worker.task is None and not worker._exited():
                try:
                    worker.conn.send_bytes(_STOP)  # let it exit on its own
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
    _die_with_parent(int(sys.argv[3]))
    serve(Connection(int(sys.argv[1])), sys.argv[2])
