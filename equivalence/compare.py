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

How (the float kernel; ``benchmarks/comparison.py`` measures it): an array of up to
``SMALL`` elements is compared in one go. A larger one goes in blocks of ``CHUNK`` elements, small enough for
a block's float64 temporaries to stay in the core's cache, written into buffers each
thread allocates once; blocks are shared out to up to ``THREADS`` threads, as many as
there are idle cores (NumPy releases the GIL inside its loops). A block whose values
are all finite takes the fast path: one float64 ``|a - e|``, whose maximum is also the
finiteness check; the relative difference from it; the tolerance test only where the
two maxima do not already prove it; the ULP distance as a plain integer difference of
the bit patterns when no pair straddles zero; the worst elements from per-group maxima
instead of a sort. A block holding a NaN or an infinity goes through
:func:`_reference_block`, the definition written out with masks, which every other path
must agree with exactly (``tests/test_compare.py`` checks them all on random arrays
with NaN, infinities, signed zeros and ties).
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .tolerance import Tolerance

__all__ = ["Comparison", "compare_arrays", "ulp_distance"]

#: Elements per block: four float64 buffers of 64 Ki elements (2 MiB) per thread.
CHUNK = 1 << 16
#: Threads comparing the blocks of one large array: at most the cores this process may
#: use, and only those idle (see ``_idle_cores``).
THREADS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
#: Arrays of fewer blocks than this (2 Mi elements) are compared in the calling thread
#: alone: below, waking a thread and sharing the GIL cost what a second core saves
#: (measured on 2 cores: 1.3 times slower at 1e6 elements, 1.1 to 1.5 times faster from 1e7).
PARALLEL_BLOCKS = 32
WORST = 5
#: Arrays up to this size skip the blocks: the formulas once, over the whole array.
SMALL = 4096

# Mantissa bits, to choose the coarser float dtype; bfloat16 is named, not a NumPy type.
_MANTISSA = {"float16": 10, "bfloat16": 7, "float32": 23, "float64": 52}
# Signed integers as wide as each float: their difference is the ULP distance of two
# floats of one sign.
_SIGNED = {"float16": np.int16, "bfloat16": np.int16, "float32": np.int32, "float64": np.int64}


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


def _ordered(bits: np.ndarray, nbits: int) -> np.ndarray:
    """Float bit patterns mapped to unsigned integers in the order of the floats."""
    sign = np.uint64(1) << np.uint64(nbits - 1)
    u = bits.astype(np.uint64)
    negative = (u & sign) != 0
    # Negative floats: larger magnitude is smaller, so count down from the sign bit.
    return np.where(negative, sign - (u & ~sign), sign + u)


def _as_float(x: np.ndarray, dtype: str) -> np.ndarray:
    """``x`` held in the NumPy type of the float dtype ``dtype`` (no copy when it is)."""
    if dtype == "bfloat16":
        import ml_dtypes  # shipped with tensorflow; needed only for bfloat16 outputs

        target: Any = ml_dtypes.bfloat16
    else:
        target = {"float16": np.float16, "float32": np.float32}.get(dtype, np.float64)
    return x.astype(target, copy=False)  # callers silence the overflow to inf


def _float_bits(x: np.ndarray, dtype: str) -> tuple[np.ndarray, int]:
    bits = _as_float(x, dtype)
    return bits.view({2: np.uint16, 4: np.uint32}.get(bits.itemsize, np.uint64)), 8 * bits.itemsize


def ulp_distance(a: np.ndarray, b: np.ndarray, dtype: str = "float64") -> np.ndarray:
    """How many representable ``dtype`` numbers lie between ``a`` and ``b`` (as float64)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a float64 beyond float32 is inf
        return _ulp_distance(np.asarray(a), np.asarray(b), dtype)


def _ulp_distance(a: np.ndarray, b: np.ndarray, dtype: str) -> np.ndarray:
    ba, n = _float_bits(np.asarray(a), dtype)
    bb, _ = _float_bits(np.asarray(b), dtype)
    oa, ob = _ordered(ba, n), _ordered(bb, n)
    distance: np.ndarray = np.where(oa >= ob, oa - ob, ob - oa).astype(np.float64)
    return distance


def coarser(dtype_a: str, dtype_b: str) -> str:
    ma, mb = _MANTISSA.get(dtype_a), _MANTISSA.get(dtype_b)
    if ma is None:
        return dtype_b if mb is not None else "float64"
    if mb is None:
        return dtype_a
    return dtype_a if ma <= mb else dtype_b


@functools.lru_cache(maxsize=64)
def _name(dtype: np.dtype) -> str:
    return str(dtype)  # NumPy builds the name in Python, each time: 10 µs


def _kind(dtype: str) -> str:
    if dtype in _MANTISSA:
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
        result = _compare_exact(actual, expected, ka, ke)
    elif "c" in (ka, ke):
        result = _compare_complex(actual, expected, tolerance, dt_a, dt_e)
    else:
        result = _compare_float(actual, expected, tolerance, coarser(dt_a, dt_e), atol_array)
        result.tolerances, result.first = _extent(actual, expected, tolerance, atol_array)
    if result.first is None and result.mismatched:  # exact kinds: the first element that differs
        result.tolerances, result.first = _first_unequal(actual, expected)
    if result.mismatched:
        messages.append(f"{result.mismatched} of {result.numel} elements differ")
    result.message = "; ".join(messages + ([result.message] if result.message else []))
    result.passed = not messages
    return result


# -- integers, booleans, strings, complex numbers -------------------------------------


def _compare_exact(actual: np.ndarray, expected: np.ndarray, ka: str, ke: str) -> Comparison:
    if actual.dtype == expected.dtype and np.array_equal(actual, expected):
        # Equal (the common case): zero statistics, no temporaries.
        zero = np.zeros(min(actual.size, WORST))
        return _summarise(actual, expected, np.arange(zero.size), zero, zero, zero, (0.0, 0.0, 0.0), 0)
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
    index = pool[_largest(diff[pool], -math.inf)] if pool.size else _largest(diff, -math.inf)
    maxima = (float(diff.max()), float(rel.max()), float(diff.max())) if diff.size else (0.0, 0.0, 0.0)
    return _summarise(actual, expected, index, diff[index], rel[index], diff[index], maxima,
                      int(np.count_nonzero(bad)))


def _compare_complex(actual: np.ndarray, expected: np.ndarray, tolerance: Tolerance, dt_a: str, dt_e: str) -> Comparison:
    """Complex numbers: the real parts and the imaginary parts each by the tolerance; an
    element differs when either part does, and its statistics are its worse part's."""
    part = {"complex64": "float32", "complex128": "float64"}
    ulp_dtype = coarser(part.get(dt_a, dt_a), part.get(dt_e, dt_e))
    a, e = actual.reshape(-1).astype(np.complex128), expected.reshape(-1).astype(np.complex128)
    real = _reference_block(a.real, e.real, tolerance.atol, tolerance.rtol, ulp_dtype)
    imag = _reference_block(a.imag, e.imag, tolerance.atol, tolerance.rtol, ulp_dtype)
    diff, rel, ulp = (np.maximum(r, i) for r, i in zip(real[:3], imag[:3], strict=True))
    bad = real[3] | imag[3]
    pool = np.flatnonzero(bad)
    index = pool[_largest(diff[pool], -math.inf)] if pool.size else _largest(diff, -math.inf)
    maxima = (float(diff.max()), float(rel.max()), float(ulp.max())) if diff.size else (0.0, 0.0, 0.0)
    return _summarise(actual, expected, index, diff[index], rel[index], ulp[index], maxima, int(pool.size))


def _extent(actual: np.ndarray, expected: np.ndarray, tolerance: Tolerance,
            atol_array: np.ndarray | None) -> tuple[float, tuple[int, ...] | None]:
    """(how many tolerances out the worst element is, the first element outside the
    tolerance), in blocks of ``CHUNK`` elements: NaN against NaN and equal infinities
    count 0, any other non-finite pair inf."""
    a, e = actual.reshape(-1), expected.reshape(-1)
    atol_flat = None if atol_array is None else np.broadcast_to(atol_array, actual.shape).reshape(-1)
    worst, first = 0.0, None
    with np.errstate(all="ignore"):
        for start in range(0, a.size, CHUNK):
            x = a[start:start + CHUNK].astype(np.float64)
            y = e[start:start + CHUNK].astype(np.float64)
            atol = tolerance.atol if atol_flat is None else atol_flat[start:start + CHUNK]
            diff = np.abs(x - y)
            same = (x == y) | (np.isnan(x) & np.isnan(y))
            diff[same] = 0.0
            diff[~same & ~(np.isfinite(x) & np.isfinite(y))] = np.inf
            bound = atol + tolerance.rtol * np.abs(y)
            ratio = np.divide(diff, bound, out=np.where(diff == 0, 0.0, np.inf), where=bound > 0)
            ratio[np.isnan(ratio) | np.isinf(diff)] = np.inf  # inf against inf of the other sign; NaN atol
            ratio[diff == 0] = 0.0
            if ratio.size:
                worst = max(worst, float(ratio.max()))
            if first is None:
                beyond = np.flatnonzero(~(diff <= bound))
                if beyond.size:
                    first = _position(start + int(beyond[0]), actual.shape)
    return worst, first


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


def _summarise(
    actual: np.ndarray, expected: np.ndarray, index: np.ndarray, diff: np.ndarray, rel: np.ndarray,
    ulp: np.ndarray, maxima: tuple[float, float, float], mismatched: int,
) -> Comparison:
    """The result, from the worst elements (flat ``index`` and their statistics)."""
    out = Comparison(passed=True, numel=int(actual.size), mismatched=mismatched)
    out.max_abs_diff, out.max_rel_diff, out.max_ulp_diff = maxima
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
                 for p, va, ve, d, r, u in zip(positions, values_a, values_e, diff.tolist(), rel.tolist(), ulp.tolist(),
                                                   strict=True)]
    return out


# -- floats ---------------------------------------------------------------------------


def _reference_block(
    a: np.ndarray, e: np.ndarray, atol: Any, rtol: float, ulp_dtype: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(diff, rel, ulp, bad)`` of every element: the semantics, written out with masks."""
    a, e = a.astype(np.float64, copy=False), e.astype(np.float64, copy=False)
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        nan_a, nan_e = np.isnan(a), np.isnan(e)
        finite = np.isfinite(a) & np.isfinite(e)
        same = (a == e) | (nan_a & nan_e)  # equal infinities, ±0, NaN with NaN
        diff = np.abs(a - e)
        diff[same] = 0.0
        diff[~finite & ~same] = np.inf  # NaN against a number, inf against finite
        abs_e = np.abs(e)
        rel = np.divide(diff, abs_e, out=np.where(diff == 0, 0.0, np.inf), where=(abs_e != 0) & finite)
        bad = ~(same | (finite & (diff <= atol + rtol * abs_e)))
        ulp = _ulp_distance(a, e, ulp_dtype)
        ulp[same] = 0.0
        ulp[nan_a ^ nan_e] = np.inf
    return diff, rel, ulp, bad


class _Found:
    """What the blocks one thread compared contribute: counts, maxima, worst candidates."""

    def __init__(self) -> None:
        self.mismatched = 0
        self.max_abs = self.max_rel = self.max_ulp = 0.0
        #: (diff, flat index) of the largest differences, and of the largest mismatches.
        self.largest: list[tuple[float, int]] = []
        self.largest_bad: list[tuple[float, int]] = []

    def floor(self, bad: bool) -> float:
        """A difference must exceed this to enter the list (ties go to the lower index,
        and a thread's blocks come in increasing order)."""
        found = self.largest_bad if bad else self.largest
        return found[-1][0] if len(found) >= WORST else -math.inf

    def add(self, diff: np.ndarray, index: np.ndarray, start: int, bad: bool) -> None:
        found = self.largest_bad if bad else self.largest
        found += zip(diff.tolist(), (index + start).tolist(), strict=True)
        found.sort(key=lambda w: (-w[0], w[1]))
        del found[WORST:]

    def merge(self, other: _Found) -> None:
        self.mismatched += other.mismatched
        self.max_abs, self.max_rel = max(self.max_abs, other.max_abs), max(self.max_rel, other.max_rel)
        self.max_ulp = max(self.max_ulp, other.max_ulp)
        for mine, theirs in ((self.largest, other.largest), (self.largest_bad, other.largest_bad)):
            mine += theirs
            mine.sort(key=lambda w: (-w[0], w[1]))
            del mine[WORST:]


def _largest(diff: np.ndarray, above: float) -> np.ndarray:
    """Flat indices of the ``WORST`` largest ``diff`` greater than ``above``, largest
    first, ties to the lower index; no sort of the block (introselect is slow on ties)."""
    n = diff.size
    rows = 64
    if n >= 16 * rows:
        # The k-th largest of the maxima of k+ disjoint groups is at most the k-th largest
        # element; elements above it lie in fewer than k groups, so they are few.
        width = n // rows
        groups = np.maximum.reduce(diff[: rows * width].reshape(rows, width), axis=0)
        tops = np.concatenate([groups, diff[rows * width :]])
        kth = float(np.sort(tops)[-WORST])
    else:
        kth = float(np.sort(diff)[-WORST]) if n >= WORST else -math.inf
    cut = max(kth, above)
    pool = np.flatnonzero(diff > cut)
    if pool.size < WORST and kth > above:  # fill up with the first elements equal to the k-th
        pool = np.concatenate([pool, np.flatnonzero(diff == kth)[: WORST - pool.size]])
    return pool[np.lexsort((pool, -diff[pool]))[:WORST]]


class _Buffers(threading.local):
    """Per-thread scratch space of ``CHUNK`` elements, allocated once per size."""

    size = 0

    def get(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[Any, np.ndarray]]:
        if self.size != CHUNK:
            self.size = CHUNK
            self.f64 = np.empty((4, CHUNK), np.float64)
            self.ok = np.empty(CHUNK, bool)
            self.ints = {t: np.empty(CHUNK, t) for t in (np.int16, np.int32, np.int64)}
        return (*self.f64[:, :n], self.ok[:n], self.ints)


_BUFFERS = _Buffers()


def _fast_block(
    a: np.ndarray, e: np.ndarray, atol: Any, rtol: float, ulp_dtype: str, found: _Found, start: int,
    buffers: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[Any, np.ndarray]],
) -> bool:
    """Compare one block whose values are all finite into ``found``; False (and nothing
    recorded) when a NaN or an infinity is in it."""
    x, y, d, t, ok, ints = buffers
    if a.dtype != np.float64:
        np.copyto(x, a, casting="unsafe")
        a64 = x
    else:
        a64 = a
    if e.dtype != np.float64:
        np.copyto(y, e, casting="unsafe")
        e64 = y
    else:
        e64 = e
    with np.errstate(all="ignore"):
        np.subtract(a64, e64, out=d)
        np.abs(d, out=d)
        top = float(np.maximum.reduce(d))  # NaN or inf: some value is not finite
        if not math.isfinite(top):
            return False
        if top > 0.0:  # else every element is equal: zero statistics
            np.abs(e64, out=t)
            np.divide(d, t, out=x)  # 0/0 is NaN here, 0 by definition: fmax skips it
            rel = float(np.fmax.reduce(x))
            rel = rel if rel == rel else 0.0
            found.max_rel = max(found.max_rel, rel)
            if not _all_within(top, rel, atol, rtol):
                np.multiply(t, rtol, out=t)
                np.add(t, atol, out=t)
                np.less_equal(d, t, out=ok)
                if isinstance(atol, np.ndarray):  # equal elements pass whatever the tolerance
                    np.logical_or(ok, np.equal(d, 0.0), out=ok)
                bad = d.size - int(np.count_nonzero(ok))
                if bad:
                    found.mismatched += bad
                    np.logical_not(ok, out=ok)
                    pool = np.flatnonzero(ok)
                    if pool.size > WORST:
                        pool = pool[_largest(d[pool], found.floor(True))]
                    found.add(d[pool], pool, start, True)
            found.max_ulp = max(found.max_ulp, _max_ulp(a, e, ulp_dtype, ints))
        found.max_abs = max(found.max_abs, top)
        if not found.largest_bad and top > found.floor(False):
            pool = _largest(d, found.floor(False))
            found.add(d[pool], pool, start, False)
    return True


def _small(
    a: np.ndarray, e: np.ndarray, atol: Any, rtol: float, ulp_dtype: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
    """``_reference_block`` for a small array of finite values in fewer operations;
    None when a value is not finite."""
    with np.errstate(all="ignore"):
        x, y = a.astype(np.float64), e.astype(np.float64)
        diff = np.subtract(x, y, out=x)
        np.abs(diff, out=diff)
        if not diff.size or not math.isfinite(diff.max()):  # NaN or inf (an empty max raises)
            return None
        abs_e = np.abs(y, out=y)
        rel = np.divide(diff, abs_e, out=np.zeros_like(diff), where=diff != 0)  # 0 where equal
        bad = ~(diff <= abs_e * rtol + atol)
        if isinstance(atol, np.ndarray):  # equal elements pass whatever the tolerance (NaN too)
            bad &= diff != 0
        fa, fe = _as_float(a, ulp_dtype), _as_float(e, ulp_dtype)
        signed = _SIGNED[ulp_dtype]
        ia, ie = fa.view(signed), fe.view(signed)
        if (ia ^ ie).min() < 0:  # a pair straddles zero
            ulp = _ulp_distance(fa, fe, ulp_dtype)
        else:
            ulp = np.abs(ia.astype(np.int64) - ie).astype(np.float64)
    return diff, rel, ulp, bad


def _all_within(max_abs: float, max_rel: float, atol: Any, rtol: float) -> bool:
    """Whether the maxima alone prove ``|a - e| <= atol + rtol·|e|`` everywhere, rounding
    included: ``|a - e| <= atol`` does; so does ``|a - e|/|e| <= rtol`` with a margin of a
    few float64 ULPs for the rounding of the quotient and of ``rtol·|e|``, and any
    ``atol > 0`` for a product ``rtol·|e|`` that underflows."""
    if isinstance(atol, np.ndarray):
        return False
    return max_abs <= atol or (atol > 0 and max_rel <= rtol * (1 - 2**-50))


def _max_ulp(a: np.ndarray, e: np.ndarray, ulp_dtype: str, ints: dict[Any, np.ndarray]) -> float:
    """The largest ULP distance between finite ``a`` and ``e`` in ``ulp_dtype``."""
    fa, fe = _as_float(a, ulp_dtype), _as_float(e, ulp_dtype)
    signed = _SIGNED[ulp_dtype]
    scratch = ints[signed][: a.size]
    # For two floats of one sign, the bit patterns read as integers are ordered like the
    # floats (reversed for negatives): their difference is the distance, and cannot
    # overflow. For a pair straddling zero (-0.0 against 0.0 too) the difference, wrapped,
    # is at least 2**mantissa + 1 in magnitude whatever the finite values; so is the
    # distance of two floats of one sign a factor of 2 apart. Below that bound, then, the
    # difference is the distance; at or above it, the written-out path decides.
    np.subtract(fa.view(signed), fe.view(signed), out=scratch)
    largest = max(int(scratch.max()), -int(scratch.min()))
    if largest < 1 << _MANTISSA[ulp_dtype]:
        return float(largest)
    return float(_ulp_distance(fa, fe, ulp_dtype).max())


def _slow_block(
    a: np.ndarray, e: np.ndarray, atol: Any, rtol: float, ulp_dtype: str, found: _Found, start: int
) -> None:
    diff, rel, ulp, bad = _reference_block(a, e, atol, rtol, ulp_dtype)
    n_bad = int(np.count_nonzero(bad))
    found.mismatched += n_bad
    found.max_abs = max(found.max_abs, float(diff.max()))
    found.max_rel = max(found.max_rel, float(rel.max()))
    found.max_ulp = max(found.max_ulp, float(ulp.max()))
    if n_bad:
        pool = np.flatnonzero(bad)
        pool = pool[_largest(diff[pool], found.floor(True))] if pool.size > WORST else pool
        found.add(diff[pool], pool, start, True)
    if not found.largest_bad:
        pool = _largest(diff, found.floor(False))
        found.add(diff[pool], pool, start, False)


def _compare_float(
    actual: np.ndarray,
    expected: np.ndarray,
    tolerance: Tolerance,
    ulp_dtype: str,
    atol_array: np.ndarray | None,
) -> Comparison:
    a_flat, e_flat = actual.reshape(-1), expected.reshape(-1)
    atol_flat = None if atol_array is None else np.broadcast_to(atol_array, actual.shape).reshape(-1)
    n, chunk, rtol = a_flat.size, CHUNK, tolerance.rtol
    # A tolerance that is not finite (rtol·0 would be NaN) takes the written-out path.
    fast = math.isfinite(tolerance.rtol) and math.isfinite(tolerance.atol)
    if n <= SMALL:  # one pass of the definition costs less than setting up blocks
        atol = tolerance.atol if atol_flat is None else atol_flat
        diff, rel, ulp, bad = (fast and _small(a_flat, e_flat, atol, rtol, ulp_dtype)
                               or _reference_block(a_flat, e_flat, atol, rtol, ulp_dtype))
        pool = np.flatnonzero(bad)
        mismatched = pool.size
        index = pool[_largest(diff[pool], -math.inf)] if mismatched else _largest(diff, -math.inf)
        maxima = (float(diff.max()), float(rel.max()), float(ulp.max())) if n else (0.0, 0.0, 0.0)
        return _summarise(actual, expected, index, diff[index], rel[index], ulp[index], maxima, mismatched)
    blocks = -(-n // chunk)
    counter = itertools.count()

    def work() -> _Found:
        found = _Found()
        while (k := next(counter)) < blocks:  # next() on a count is atomic: blocks in order
            start = k * chunk
            a, e = a_flat[start : start + chunk], e_flat[start : start + chunk]
            atol = tolerance.atol if atol_flat is None else atol_flat[start : start + chunk]
            buffers = _BUFFERS.get(a.size)
            if not (fast and _fast_block(a, e, atol, rtol, ulp_dtype, found, start, buffers)):
                _slow_block(a, e, atol, rtol, ulp_dtype, found, start)
        return found

    threads = min(THREADS, blocks // PARALLEL_BLOCKS, 1 + _idle_cores())
    if threads > 1:
        helpers = [_pool().submit(work) for _ in range(threads - 1)]
        total = work()
        for helper in helpers:
            # A helper the scheduler has not started yet (the cores are busy) has nothing
            # left to do: cancel it rather than wait for it to be scheduled.
            if not helper.cancel():
                total.merge(helper.result())
    else:
        total = work()
    index = np.array([i for _, i in (total.largest_bad or total.largest)], dtype=np.intp)
    atol_worst = tolerance.atol if atol_flat is None else atol_flat[index]
    a_worst, e_worst = a_flat[index], e_flat[index]
    diff, rel, ulp, _ = (fast and _small(a_worst, e_worst, atol_worst, rtol, ulp_dtype)
                         or _reference_block(a_worst, e_worst, atol_worst, rtol, ulp_dtype))
    maxima = (total.max_abs, total.max_rel, total.max_ulp)
    return _summarise(actual, expected, index, diff, rel, ulp, maxima, total.mismatched)


def _idle_cores() -> int:
    """Cores no process is waiting for (from the 1-minute load average, which counts this
    one). On a machine other work keeps busy, a second thread only waits for a core: the
    GIL, held by a thread the scheduler has paused, stalls the other."""
    try:
        return max(0, int(THREADS - os.getloadavg()[0] + 0.5))
    except OSError:
        return THREADS


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max(1, THREADS - 1), thread_name_prefix="equivalence-compare")
        return _POOL
