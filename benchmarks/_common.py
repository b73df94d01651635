"""What every benchmark shares: medians, timed subprocesses with their memory, the machine.

The machine is shared with other work, so a single time means little: every figure is a
median of several runs, and a harness is compared with its floor as the median of
ratios measured in the same round (the two runs a few seconds apart, under the same
load). The load average is recorded before and after.

Memory of a command is measured two ways: ``peak_rss`` is the kernel's high-water mark
of the largest single process (``wait4``'s ``ru_maxrss``, exact); ``peak_tree_rss`` is
the largest sum of the resident sizes of the process and all its descendants, sampled
every 20 ms from ``/proc`` (worker processes run beside their parent).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PAGE = os.sysconf("SC_PAGE_SIZE")


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values))


def spread(values: Sequence[float]) -> str:
    """``min–max`` of the runs, to show how noisy the machine was."""
    return f"{min(values):.3g}–{max(values):.3g}" if values else ""


def best_of(fn: Callable[[], Any], repeat: int, number: int = 1) -> list[float]:
    """Seconds per call of ``fn``, ``repeat`` times (each the mean of ``number`` calls)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return times


@dataclass
class Timed:
    seconds: float
    returncode: int
    peak_rss: int  # bytes, largest single process
    peak_tree_rss: int  # bytes, largest sampled sum over the process tree
    stdout: str = ""
    stderr: str = ""


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as handle:
                todo.extend(int(c) for c in handle.read().split())
        except OSError:
            pass
    return found


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def run_timed(command: Sequence[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> Timed:
    """Run ``command`` to its end: wall seconds, exit code, peak memory, its output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, env={**os.environ, **(env or {})},
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=err, text=True)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                peak[0] = max(peak[0], sum(_rss(p) for p in _tree(process.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # wait4, not Popen.wait: its rusage is this child's (and its reaped workers') own.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        out.seek(0)
        err.seek(0)
        return Timed(seconds, process.returncode, usage.ru_maxrss * 1024, peak[0], out.read(), err.read())


def machine() -> dict[str, Any]:
    """CPU, cores, memory, system and the versions the figures were measured with."""
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), cpu)
    except OSError:
        pass
    memory = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            memory = int(next(line.split()[1] for line in handle if line.startswith("MemTotal"))) * 1024
    except (OSError, StopIteration):
        pass

    def version(*names: str) -> str | None:
        for name in names:
            try:
                return metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
        return None

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gb": round(memory / 2**30, 1),
        "system": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            "numpy": version("numpy"),
            "torch": version("torch"),
            "tensorflow": version("tensorflow", "tensorflow-cpu"),
            "pandas": version("pandas"),
            "matplotlib": version("matplotlib"),
        },
        "load_average": os.getloadavg(),
    }


def emit(name: str, result: dict[str, Any], path: str | None) -> None:
    """Write one benchmark's result as JSON (to ``path`` or stdout)."""
    text = json.dumps({"benchmark": name, **result}, indent=2, default=_default)
    if path:
        Path(path).write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


def _default(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def linear_fit(xs: Sequence[float], ys: Sequence[float]) -> dict[str, float]:
    """Least squares ``y = intercept + slope·x``, with R² and the largest relative residual."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=False)) / sxx if sxx else 0.0
    intercept = my - slope * mx
    fitted = [intercept + slope * x for x in xs]
    ss_res = sum((y - f) ** 2 for y, f in zip(ys, fitted, strict=False))
    ss_tot = sum((y - my) ** 2 for y in ys)
    return {
        "slope": slope,
        "intercept": intercept,
        "r2": 1 - ss_res / ss_tot if ss_tot else 1.0,
        "max_relative_residual": max(abs(y - f) / y for y, f in zip(ys, fitted, strict=False) if y) if n else 0.0,
    }
