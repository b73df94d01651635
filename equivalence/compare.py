"""Comparing one output against its expected value: the numbers behind every row.

Semantics (tested in ``tests/test_compare.py``):

- Shapes must be equal; a shape mismatch fails and leaves the statistics empty (NaN).
- Dtypes must be equal unless the case says ``check_dtype=False``; the statistics are
  still computed, so a dtype mismatch shows how far the values are apart too.
- Integers and booleans compare exactly, by value whatever their width and signedness
  (uint64 18446744073709551615 is not int64 -1); strings exactly (dtype ``str``,
  whatever their length); complex numbers by the tolerance on the real and on the
  imaginary part, an element differing when either part does.
- Floats: ``|a - e| <= atol + rtol * |e|`` element by element (``e``: the expected
  side). NaN against NaN at the same place is equal; NaN against a number is a
  mismatch; an infinity must meet the same infinity; -0.0 equals 0.0 (0 ULP apart).
- ``max_abs_diff`` is ``|a - e|`` computed in float64; ``max_rel_diff`` is
  ``|a - e| / |e|`` (infinite where ``e`` is 0 and ``a`` is not).
- ``max_ulp_diff`` counts the representable numbers between ``a`` and ``e`` in the
  coarser of the two dtypes (float16 < bfloat16 < float32 < float64).
- ``worst`` lists the mismatches with the largest ``|a - e|`` when there are any, else
  the elements with the largest ``|a - e|``; ties go to the lower index.
- ``tolerances`` is how many tolerances out the worst element is,
  ``max |a - e| / (atol + rtol·|e|)``: below 1 passes, 1.0 is the boundary, inf where
  the tolerance is 0 (integers, strings) and the values differ. ``first`` is the first
  element, in C order, outside the tolerance: for a trajectory, the step where it
  starts to diverge.

How: floats go through :mod:`equivalence._float_kernel` (blocks of 64 Ki elements, in one
thread, a fast path for all-finite blocks that the tests hold to the written-out
definition); ULP distances are in :mod:`equivalence._ulp`; integers, booleans, strings and
complex numbers are compared here.

The sizes it is built for, and what was measured (2-core AMD EPYC, shared with other
work, 1-minute load average given; medians of 7 interleaved rounds; the lasting benchmark
is ``benchmarks/comparison.py``):

- The catalogue compares small outputs: 1,703 rows, median 9 elements, 60 above 4 Ki
  (``SMALL``: one pass, no blocks), largest 307,200 (``002-10-dataset``). Users porting a
  model compare weights, gradients and activations of up to 1e7 to 1e8 elements: the
  blocks exist for them, and keep the memory a call adds at 2 to 3 MB whatever the
  size (``numpy.testing.assert_allclose``: 240 MB at 1e7 float32).
- One thread, because a second did not pay. The blocks shared out to two threads took,
  against one, x0.55-0.98 the speed (float32 and float64, 1e5 to 3e7 elements, load 0.5-0.8;
  x0.89 and x0.84 at 1e7), x0.16-1.30 at load 2.3-4 (x0.86-1.23 at 1e7); the whole call,
  x0.56-1.41. The pool, its per-thread buffers and its load-average heuristic are gone.
- The tolerances out and the first mismatch come from the same blocks, not a second pass:
  a call at 1e7 elements takes 41 ms in float32 (271 ms with the separate pass) and 72 ms
  in float64 (140 ms), load 2.5; 0.4 ms and 0.5 ms at 1e5.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._float_kernel import WORST, Worst, compare_float, largest, reference_block
from ._ulp import MANTISSA, coarser, ulp_distance
from .tolerance import Tolerance

__all__ = ["Comparison", "compare_arrays", "coarser", "ulp_distance"]


@dataclass
class Comparison:
    passed: bool
    max_abs_diff: float = float("nan")
    max_rel_diff: float = float("nan")
    max_ulp_diff: float = float("nan")
    mismatched: int = 0
    numel: int = 0
    message: str = ""
    #: The largest differences: (index, actual, expected, abs_diff, rel_diff, ulp_diff).
    worst: list[tuple[tuple[int, ...], Any, Any, float, float, float]] = field(default_factory=list)
    #: How many tolerances out the worst element is: max |a - e| / (atol + rtol·|e|), 1.0
    #: at the boundary (inf where the tolerance is 0 and values differ).
    tolerances: float = 0.0
    #: The first element (C order) outside the tolerance, or None.
    first: tuple[int, ...] | None = None


@functools.lru_cache(maxsize=64)
def _name(dtype: np.dtype) -> str:
    return str(dtype)  # NumPy builds the name in Python, each time: 10 µs


def _kind(dtype: str) -> str:
    if dtype in MANTISSA:
        return "f"
    if dtype.startswith("complex"):
        return "c"
    if dtype == "bool":
        return "b"
    if dtype.startswith(("int", "uint")):
        return "i"
    return "s"  # strings and anything else: compare exactly


def compare_arrays(
    actual: np.ndarray,
    expected: np.ndarray,
    tolerance: Tolerance,
    *,
    actual_dtype: str | None = None,
    expected_dtype: str | None = None,
    atol_array: np.ndarray | None = None,
    check_dtype: bool = True,
) -> Comparison:
    """Compare ``actual`` with ``expected``; ``atol_array`` (broadcastable) replaces atol.

    ``actual_dtype``/``expected_dtype`` name the framework dtypes when the arrays hold
    them in a wider NumPy type (bfloat16 travels as float32).
    """
    actual, expected = np.asarray(actual), np.asarray(expected)
    dt_a = actual_dtype or _name(actual.dtype)
    dt_e = expected_dtype or _name(expected.dtype)
    if actual.shape != expected.shape:
        return Comparison(
            passed=False,
            numel=int(actual.size),
            message=f"shape {actual.shape} != expected shape {expected.shape}",
        )
    messages = []
    if check_dtype and dt_a != dt_e:
        messages.append(f"dtype {dt_a} != expected dtype {dt_e}")
    ka, ke = _kind(dt_a), _kind(dt_e)
    if "s" in (ka, ke) or (ka in "bi" and ke in "bi"):
        worst = _compare_exact(actual, expected, ka, ke)
    elif "c" in (ka, ke):
        worst = _compare_complex(actual, expected, tolerance, dt_a, dt_e)
    else:
        worst = compare_float(actual, expected, tolerance, coarser(dt_a, dt_e), atol_array)
    result = _summarise(actual, expected, worst)
    if result.first is None and result.mismatched:  # exact kinds: the first element that differs
        result.tolerances, result.first = _first_unequal(actual, expected)
    if result.mismatched:
        messages.append(f"{result.mismatched} of {result.numel} elements differ")
    result.message = "; ".join(messages + ([result.message] if result.message else []))
    result.passed = not messages
    return result


# -- integers, booleans, strings, complex numbers -------------------------------------


def _compare_exact(actual: np.ndarray, expected: np.ndarray, ka: str, ke: str) -> Worst:
    if actual.dtype == expected.dtype and np.array_equal(actual, expected):
        # Equal (the common case): zero statistics, no temporaries.
        zero = np.zeros(min(actual.size, WORST))
        return Worst(np.arange(zero.size), zero, zero, zero, (0.0, 0.0, 0.0), 0)
    if "s" in (ka, ke):  # strings: equal or not, no distance
        bad = ~np.asarray(actual == expected, dtype=bool).reshape(-1)
        diff = rel = np.where(bad, np.inf, 0.0)
    else:
        a, e = _by_value(actual.reshape(-1)), _by_value(expected.reshape(-1))
        diff = np.abs(a - e).astype(np.float64)
        abs_e = np.abs(e).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.divide(diff, abs_e, out=np.where(diff == 0, 0.0, np.inf), where=abs_e != 0)
        bad = diff != 0
    pool = np.flatnonzero(bad)
    index = pool[largest(diff[pool], -math.inf)] if pool.size else largest(diff, -math.inf)
    maxima = (float(diff.max()), float(rel.max()), float(diff.max())) if diff.size else (0.0, 0.0, 0.0)
    return Worst(index, diff[index], rel[index], diff[index], maxima, int(np.count_nonzero(bad)))


def _compare_complex(actual: np.ndarray, expected: np.ndarray, tolerance: Tolerance, dt_a: str, dt_e: str) -> Worst:
    """Complex numbers: the real parts and the imaginary parts each by the tolerance; an
    element differs when either part does, and its statistics are its worse part's."""
    part = {"complex64": "float32", "complex128": "float64"}
    ulp_dtype = coarser(part.get(dt_a, dt_a), part.get(dt_e, dt_e))
    a, e = actual.reshape(-1).astype(np.complex128), expected.reshape(-1).astype(np.complex128)
    real = reference_block(a.real, e.real, tolerance.atol, tolerance.rtol, ulp_dtype)
    imag = reference_block(a.imag, e.imag, tolerance.atol, tolerance.rtol, ulp_dtype)
    diff, rel, ulp = (np.maximum(r, i) for r, i in zip(real[:3], imag[:3], strict=True))
    bad = real[3] | imag[3]
    pool = np.flatnonzero(bad)
    index = pool[largest(diff[pool], -math.inf)] if pool.size else largest(diff, -math.inf)
    maxima = (float(diff.max()), float(rel.max()), float(ulp.max())) if diff.size else (0.0, 0.0, 0.0)
    return Worst(index, diff[index], rel[index], ulp[index], maxima, int(pool.size))


def _first_unequal(actual: np.ndarray, expected: np.ndarray) -> tuple[float, tuple[int, ...] | None]:
    unequal: Any = np.flatnonzero(~np.asarray(actual == expected, dtype=bool).reshape(-1)) if actual.size else []
    if not len(unequal):
        return 0.0, None
    return math.inf, _position(int(unequal[0]), actual.shape)


def _position(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _by_value(x: np.ndarray) -> np.ndarray:
    """Integers as int64 where that keeps every value, else as Python integers: uint64
    18446744073709551615 is not int64 -1."""
    if x.dtype.kind == "u" and x.dtype.itemsize == 8 and x.size and int(x.max()) > np.iinfo(np.int64).max:
        return x.astype(object)
    return x.astype(np.int64)


def _summarise(actual: np.ndarray, expected: np.ndarray, worst: Worst) -> Comparison:
    """The result, from the worst elements (flat indices ``worst.flat`` and their statistics)."""
    index = worst.flat
    out = Comparison(passed=True, numel=int(actual.size), mismatched=worst.mismatched, tolerances=worst.tolerances,
                     first=None if worst.first is None else _position(worst.first, actual.shape))
    out.max_abs_diff, out.max_rel_diff, out.max_ulp_diff = worst.maxima
    if not index.size:
        return out
    flat = index.tolist()
    if actual.ndim == 1:
        positions: list[tuple[int, ...]] = [(i,) for i in flat]
    elif actual.ndim == 0:
        positions = [()]
    else:
        positions = [tuple(p) for p in np.transpose(np.unravel_index(index, actual.shape)).tolist()]
    values_a, values_e = actual.reshape(-1)[index].tolist(), expected.reshape(-1)[index].tolist()
    out.worst = [(p, va, ve, float(d), float(r), float(u))
                 for p, va, ve, d, r, u in zip(positions, values_a, values_e, worst.diff.tolist(), worst.rel.tolist(),
                                               worst.ulp.tolist(), strict=True)]
    return out
