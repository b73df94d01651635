"""The parent's handle on one worker process: start it, give it a task, watch its limits, stop it.

A :class:`Worker` starts ``python -m MODULE FD BACKEND PARENT`` (``MODULE`` is
:attr:`Worker.module`; the loop it runs is :func:`equivalence._worker_loop.serve`) in a
session and process group of its own, with one end of a socket pair, and waits up to
:data:`STARTUP_TIMEOUT` for it to import its framework. It runs one :class:`Task` at a
time; :meth:`Worker.check` reads the task's CPU time from ``/proc`` (:func:`cpu_seconds`)
and wall-clock time and stops the worker when either is over its limit.

Invariants: a task's result is an :class:`~equivalence.execution.Execution` for that
task's case and this worker's backend, or an error Execution saying why not (a time
limit, the worker died, a reply that is not this case's: nothing of it is used);
stopping a worker kills its whole process group, and a worker is reaped only after its
group is killed (its pid is the group's id); a worker that exited is restarted before
its next task.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ._wire import WireError, decode_execution
from ._worker_loop import READY
from .execution import ErrorInfo, Execution

__all__ = ["STARTUP_TIMEOUT", "Task", "Worker", "cpu_seconds", "exit_cause"]

#: Seconds a new worker may take to start and import its framework.
STARTUP_TIMEOUT = 300.0
#: How often (seconds) the CPU time of a busy worker is read, at most.
POLL = 0.5

try:
    CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
except (AttributeError, OSError, ValueError):
    CLOCK_TICKS = 100


@dataclass
class Task:
    """One (case, backend) to run: the case's file and id, the backend, the inputs, and
    the name its execution is recorded under when that is not the backend (``oracle``:
    the float64 oracle, which runs the backend's implementation on float64 inputs)."""

    case_path: str
    case_id: str
    backend: str
    inputs: dict[str, Any]
    role: str = ""

    @property
    def key(self) -> str:
        return self.role or self.backend


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of process ``pid`` and of its waited-for children, from
    ``/proc/<pid>/stat``; None where that cannot be read."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
        # Fields after the command name (which may hold spaces and parentheses): state is
        # field 3; utime, stime, cutime, cstime are fields 14 to 17.
        fields = stat[stat.rindex(b")") + 2 :].split()
        return sum(int(f) for f in fields[11:15]) / CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return None


class Worker:
    """One worker process of ``backend`` (started on first use, restarted after it
    exits) and the task it is running, if any."""

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
            started = answered and self.conn.recv_bytes() == READY
        except (EOFError, OSError):
            answered, started = True, False
        if not started:
            code = self.stop(grace=5.0 if answered else 0.0)
            why = f"it exited ({exit_cause(code)})" if answered else f"it did not answer within {STARTUP_TIMEOUT:g} s"
            raise RuntimeError(f"the {self.backend} worker process failed to start: {why}")

    def submit(self, task: Task, payload: bytes) -> None:
        if self.process is None or self.exited():
            self.stop()
            self.start()
        assert self.conn is not None and self.process is not None
        self.task, self.started = task, time.monotonic()
        self.cpu_start = cpu_seconds(self.process.pid)
        try:
            self.conn.send_bytes(payload)
        except OSError:
            pass  # the worker is gone: collect() reports it

    def cpu_used(self) -> float | None:
        """CPU seconds the running task has used; None where they cannot be read."""
        if self.cpu_start is None or self.process is None:
            return None
        now = cpu_seconds(self.process.pid)
        return None if now is None else now - self.cpu_start

    def next_check(self, cpu_limit: float, wall_limit: float) -> float:
        """When (``time.monotonic()``) the limits should next be checked."""
        wall_deadline = self.started + wall_limit
        if self.cpu_start is None:  # no /proc: the CPU limit counts wall-clock time
            return min(wall_deadline, self.started + cpu_limit)
        left = cpu_limit - (self.cpu_used() or 0.0)
        return min(wall_deadline, time.monotonic() + min(POLL, max(0.05, left)))

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
                "WorkerCrashed", f"the {self.backend} worker process died ({exit_cause(code)}) while running this case"))
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

    def exited(self) -> bool:
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
            while not self.exited() and time.monotonic() < deadline:
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


def exit_cause(code: int | None) -> str:
    """How a process ended, from its exit code (negative: a signal)."""
    if code is not None and code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"
