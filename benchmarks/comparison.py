"""Benchmark 3: the comparison engine against NumPy's and PyTorch's assertions.

The same pair of arrays goes to ``equivalence.compare.compare_arrays`` (max absolute,
relative and ULP differences, mismatch count, NaN and infinity placement, the worst
elements), ``numpy.testing.assert_allclose`` and ``torch.testing.assert_close`` (on
``torch.from_numpy`` views: no copy), all with torch's default tolerance of the dtype.
``actual`` is ``expected`` with a relative noise of a tenth of that tolerance, so every
element differs and every check passes: the common case of a comparison in a run.

``ours`` runs in one thread (``equivalence/compare.py`` says why: a second thread did not
pay on this machine). ``extra_mb`` is the peak resident memory a call adds beyond the
arrays (``VmHWM`` after resetting it through ``/proc/self/clear_refs``).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, emit, median  # noqa: E402


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        return next(int(line.split()[1]) for line in handle if line.startswith(field))


def extra_memory_mb(fn: Any) -> float | None:
    """Peak resident memory ``fn`` adds, in MiB (None where the kernel cannot reset it).

    Freed heap memory is given back to the system first (``malloc_trim``), or a call
    would reuse pages an earlier one touched and look free of cost."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        return None
    before = _status_kb("VmRSS")
    fn()
    return max(0.0, (_status_kb("VmHWM") - before) / 1024)


def methods_for(actual: Any, expected: Any, tol: Any) -> dict[str, Callable[[], Any]]:
    """The calls compared, on one pair of arrays."""
    import numpy as np
    import torch

    import equivalence.compare as compare

    ta, te = torch.from_numpy(actual), torch.from_numpy(expected)
    return {
        "ours": lambda: compare.compare_arrays(actual, expected, tol),
        "numpy_assert_allclose": lambda: np.testing.assert_allclose(actual, expected, rtol=tol.rtol, atol=tol.atol),
        "torch_assert_close": lambda: torch.testing.assert_close(ta, te, rtol=tol.rtol, atol=tol.atol),
    }


def measure(methods: dict[str, Callable[[], Any]], n: int, repeat: int, seed: int) -> dict[str, Any]:
    for fn in methods.values():
        fn()  # warm up (and every check passes: the assertions would raise)
    number = max(1, 100_000 // n)
    times: dict[str, list[float]] = {m: [] for m in methods}
    order, shuffler = list(methods), random.Random(seed)
    for _ in range(repeat):
        # Interleaved, so the machine's load falls on every method alike, and shuffled:
        # torch's threads spin a while after an operation, slowing whatever follows.
        shuffler.shuffle(order)
        for method in order:
            fn = methods[method]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            times[method].append((time.perf_counter() - start) / number)
    row: dict[str, Any] = {"n": n}
    for method, fn in methods.items():
        row[f"{method}_ms"] = 1e3 * median(times[method])
        if method in ("ours", "numpy_assert_allclose", "torch_assert_close"):
            row[f"{method}_extra_mb"] = extra_memory_mb(fn)
    # The ratio, as every other, taken round by round, then its median.
    best = [min(a, b) for a, b in zip(times["numpy_assert_allclose"], times["torch_assert_close"], strict=True)]
    row["ours_over_best"] = median([o / b for o, b in zip(times["ours"], best, strict=True)])
    row["ours_ns_per_element"] = 1e9 * median(times["ours"]) / n
    return row


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import numpy as np

    import equivalence.compare as compare
    from equivalence.tolerance import default_tolerance

    exponents = range(3, 8) if args.quick else range(3, 9)
    rng = np.random.default_rng(0)
    rows = []
    for dtype in (np.float32, np.float64):
        name = np.dtype(dtype).name
        tol = default_tolerance(name)
        for exponent in exponents:
            n = 10**exponent
            expected = rng.standard_normal(n, dtype=np.float64).astype(dtype)
            actual = (expected * (1 + rng.uniform(-tol.rtol / 10, tol.rtol / 10, size=n))).astype(dtype)
            result = compare.compare_arrays(actual, expected, tol)
            assert result.passed, result.message
            repeat = 3 if exponent >= 8 else 5 if exponent >= 7 else 9
            row = {"dtype": name, **measure(methods_for(actual, expected, tol), n, repeat, exponent)}
            rows.append(row)
            print(f"{name} 1e{exponent}: " + ", ".join(f"{k} {v:.3g}" for k, v in row.items()
                                                     if isinstance(v, float)), file=sys.stderr, flush=True)
            del expected, actual
    emit("comparison", {"rows": rows, "load_average": os.getloadavg()}, args.json)


if __name__ == "__main__":
    main()
