"""The float kernel of :func:`equivalence.compare.compare_arrays`: every statistic of two
float arrays (mismatches, maxima, worst elements, tolerances out, first mismatch) in one
pass, in one thread.

An array of up to ``SMALL`` elements is compared in one go. A larger one goes in blocks of
``CHUNK`` elements through buffers allocated once per call, so a comparison adds 2 to
3 MB of memory whatever its size. With a tolerance that is one finite, non-negative
pair, a block whose values are all finite takes the fast path: one float64 ``|a - e|``,
whose maximum is also the finiteness check; the relative difference and
``|a - e| / (atol + rtol·|e|)`` from it, the tolerance test only when that ratio reaches
1; the ULP distance as a plain integer difference of the bit patterns when no pair
straddles zero; the worst elements from per-group maxima instead of a sort. Any other
block goes through :func:`reference_block` and :func:`extent_block`, the definitions
written out with masks, which every other path must agree with exactly
(``tests/test_compare.py`` checks them on random arrays with NaN, infinities, signed
zeros and ties).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from ._ulp import SIGNED, as_float, max_ulp, ulp_distance_unchecked
from .tolerance import Tolerance

#: Elements per block: four float64 buffers of 64 Ki elements (2 MiB) stay in cache.
CHUNK = 1 << 16
#: Arrays up to this size skip the blocks: the formulas once, over the whole array.
SMALL = 4096
#: How many of the largest differences a comparison lists.
WORST = 5


class Worst(NamedTuple):
    """What a kernel found: the worst elements (``flat`` indices, their statistics) and the totals."""

    flat: np.ndarray
    diff: np.ndarray
    rel: np.ndarray
    ulp: np.ndarray
    maxima: tuple[float, float, float]
    mismatched: int
    tolerances: float = 0.0
    first: int | None = None  # flat index of the first element outside the tolerance


def reference_block(
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
        ulp = ulp_distance_unchecked(a, e, ulp_dtype)
        ulp[same] = 0.0
        ulp[nan_a ^ nan_e] = np.inf
    return diff, rel, ulp, bad


def extent_block(a: np.ndarray, e: np.ndarray, atol: Any, rtol: float) -> tuple[float, int | None]:
    """(how many tolerances out the worst element is, the flat index of the first element
    outside the tolerance): the definition, written out with masks. NaN against NaN and
    equal infinities count 0, any other non-finite pair inf."""
    with np.errstate(all="ignore"):
        x, y = a.astype(np.float64), e.astype(np.float64)
        diff = np.abs(x - y)
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        diff[same] = 0.0
        diff[~same & ~(np.isfinite(x) & np.isfinite(y))] = np.inf
        bound = atol + rtol * np.abs(y)
        ratio = np.divide(diff, bound, out=np.where(diff == 0, 0.0, np.inf), where=bound > 0)
        ratio[np.isnan(ratio) | np.isinf(diff)] = np.inf  # inf against inf of the other sign; NaN atol
        ratio[diff == 0] = 0.0
        beyond = np.flatnonzero(~(diff <= bound))
    return float(ratio.max()) if ratio.size else 0.0, int(beyond[0]) if beyond.size else None


def _small(
    a: np.ndarray, e: np.ndarray, atol: float, rtol: float, ulp_dtype: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float] | None:
    """``reference_block`` and the ratio of ``extent_block`` for a small array of finite
    values in fewer operations; None when a value is not finite."""
    with np.errstate(all="ignore"):
        x, y = a.astype(np.float64), e.astype(np.float64)
        diff = np.subtract(x, y, out=x)
        np.abs(diff, out=diff)
        if not diff.size or not math.isfinite(diff.max()):  # NaN or inf (an empty max raises)
            return None
        abs_e = np.abs(y, out=y)
        rel = np.divide(diff, abs_e, out=np.zeros_like(diff), where=diff != 0)  # 0 where equal
        bound = abs_e * rtol + atol
        bad = ~(diff <= bound)
        ratio = float(np.divide(diff, bound, out=np.zeros_like(diff), where=diff != 0).max())
        fa, fe = as_float(a, ulp_dtype), as_float(e, ulp_dtype)
        signed = SIGNED[ulp_dtype]
        ia, ie = fa.view(signed), fe.view(signed)
        if (ia ^ ie).min() < 0:  # a pair straddles zero
            ulp = ulp_distance_unchecked(fa, fe, ulp_dtype)
        else:
            ulp = np.abs(ia.astype(np.int64) - ie).astype(np.float64)
    return diff, rel, ulp, bad, ratio


def largest(diff: np.ndarray, above: float) -> np.ndarray:
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


class _Found:
    """What the blocks compared so far contribute: counts, maxima, worst candidates."""

    def __init__(self, size: int, ulp_dtype: str) -> None:
        self.mismatched = 0
        self.max_abs = self.max_rel = self.max_ulp = self.tolerances = 0.0
        self.first: int | None = None
        #: (diff, flat index) of the largest differences, and of the largest mismatches.
        self.largest: list[tuple[float, int]] = []
        self.largest_bad: list[tuple[float, int]] = []
        # Scratch space for one block: four float64 rows, a mask, the ULP integers.
        self.floats = np.empty((4, size), np.float64)
        self.ok = np.empty(size, bool)
        self.ints = np.empty(size, SIGNED[ulp_dtype])

    def floor(self, bad: bool) -> float:
        """A difference must exceed this to enter the list (ties go to the lower index,
        and blocks come in increasing order)."""
        found = self.largest_bad if bad else self.largest
        return found[-1][0] if len(found) >= WORST else -math.inf

    def add(self, diff: np.ndarray, index: np.ndarray, start: int, bad: bool) -> None:
        found = self.largest_bad if bad else self.largest
        found += zip(diff.tolist(), (index + start).tolist(), strict=True)
        found.sort(key=lambda w: (-w[0], w[1]))
        del found[WORST:]


def _float64(x: np.ndarray, buffer: np.ndarray) -> np.ndarray:
    """``x`` as float64: itself, or copied into ``buffer``."""
    if x.dtype == np.float64:
        return x
    np.copyto(buffer, x, casting="unsafe")
    return buffer


def _fast_block(a: np.ndarray, e: np.ndarray, atol: float, rtol: float, ulp_dtype: str, found: _Found,
                start: int) -> bool:
    """Compare one block whose values are all finite into ``found``; False (and nothing
    recorded) when a NaN or an infinity is in it. ``atol`` and ``rtol`` are finite, >= 0."""
    n = a.size
    x, y, d, t = found.floats[:, :n]
    a64, e64 = _float64(a, x), _float64(e, y)
    with np.errstate(all="ignore"):
        np.subtract(a64, e64, out=d)
        np.abs(d, out=d)
        top = float(np.maximum.reduce(d))  # NaN or inf: some value is not finite
        if not math.isfinite(top):
            return False
        if top > 0.0:  # else every element is equal: zero statistics
            np.abs(e64, out=t)
            np.divide(d, t, out=x)  # 0/0 is NaN here, 0 by definition: fmax skips it
            found.max_rel = max(found.max_rel, float(np.fmax.reduce(x)))
            np.multiply(t, rtol, out=t)
            np.add(t, atol, out=t)  # the bound, >= 0
            np.divide(d, t, out=x)  # how many tolerances out: d/0 is inf, 0/0 NaN (0)
            ratio = float(np.fmax.reduce(x))
            found.tolerances = max(found.tolerances, ratio)
            # d > t makes d/t >= 1, rounding included: below 1 every element is inside.
            if ratio >= 1.0:
                ok = found.ok[:n]
                np.less_equal(d, t, out=ok)
                bad = n - int(np.count_nonzero(ok))
                if bad:
                    found.mismatched += bad
                    pool = np.flatnonzero(np.logical_not(ok, out=ok))
                    if found.first is None:
                        found.first = start + int(pool[0])
                    if pool.size > WORST:
                        pool = pool[largest(d[pool], found.floor(True))]
                    found.add(d[pool], pool, start, True)
            found.max_ulp = max(found.max_ulp, max_ulp(a, e, ulp_dtype, found.ints[:n]))
        found.max_abs = max(found.max_abs, top)
        if not found.largest_bad and top > found.floor(False):
            pool = largest(d, found.floor(False))
            found.add(d[pool], pool, start, False)
    return True


def _slow_block(a: np.ndarray, e: np.ndarray, atol: Any, rtol: float, ulp_dtype: str, found: _Found,
                start: int) -> None:
    diff, rel, ulp, bad = reference_block(a, e, atol, rtol, ulp_dtype)
    n_bad = int(np.count_nonzero(bad))
    found.mismatched += n_bad
    found.max_abs = max(found.max_abs, float(diff.max()))
    found.max_rel = max(found.max_rel, float(rel.max()))
    found.max_ulp = max(found.max_ulp, float(ulp.max()))
    ratio, first = extent_block(a, e, atol, rtol)
    found.tolerances = max(found.tolerances, ratio)
    if found.first is None and first is not None:
        found.first = start + first
    if n_bad:
        pool = np.flatnonzero(bad)
        pool = pool[largest(diff[pool], found.floor(True))] if pool.size > WORST else pool
        found.add(diff[pool], pool, start, True)
    if not found.largest_bad:
        pool = largest(diff, found.floor(False))
        found.add(diff[pool], pool, start, False)


def compare_float(actual: np.ndarray, expected: np.ndarray, tolerance: Tolerance, ulp_dtype: str,
                  atol_array: np.ndarray | None) -> Worst:
    """The statistics of two float arrays of one shape, ULPs counted in ``ulp_dtype``."""
    a_flat, e_flat = actual.reshape(-1), expected.reshape(-1)
    atol_flat = None if atol_array is None else np.broadcast_to(atol_array, actual.shape).reshape(-1)
    n, chunk, atol, rtol = a_flat.size, CHUNK, tolerance.atol, tolerance.rtol
    # Per-element, negative or infinite tolerances take the written-out path.
    fast = atol_flat is None and 0 <= atol < math.inf and 0 <= rtol < math.inf
    if n <= SMALL:  # one pass of the definition costs less than setting up blocks
        some = fast and _small(a_flat, e_flat, atol, rtol, ulp_dtype)
        if some:
            diff, rel, ulp, bad, ratio = some
            beyond = np.flatnonzero(bad)
            first = int(beyond[0]) if beyond.size else None
        else:
            atols = atol if atol_flat is None else atol_flat
            diff, rel, ulp, bad = reference_block(a_flat, e_flat, atols, rtol, ulp_dtype)
            ratio, first = extent_block(a_flat, e_flat, atols, rtol)
        pool = np.flatnonzero(bad)
        index = pool[largest(diff[pool], -math.inf)] if pool.size else largest(diff, -math.inf)
        maxima = (float(diff.max()), float(rel.max()), float(ulp.max())) if n else (0.0, 0.0, 0.0)
        return Worst(index, diff[index], rel[index], ulp[index], maxima, int(pool.size), ratio, first)
    found = _Found(min(n, chunk), ulp_dtype)
    for start in range(0, n, chunk):
        a, e = a_flat[start : start + chunk], e_flat[start : start + chunk]
        if not (fast and _fast_block(a, e, atol, rtol, ulp_dtype, found, start)):
            block_atol = atol if atol_flat is None else atol_flat[start : start + chunk]
            _slow_block(a, e, block_atol, rtol, ulp_dtype, found, start)
    index = np.array([i for _, i in (found.largest_bad or found.largest)], dtype=np.intp)
    atol_worst = atol if atol_flat is None else atol_flat[index]
    a_worst, e_worst = a_flat[index], e_flat[index]
    some = fast and _small(a_worst, e_worst, atol, rtol, ulp_dtype)
    diff, rel, ulp = some[:3] if some else reference_block(a_worst, e_worst, atol_worst, rtol, ulp_dtype)[:3]
    maxima = (found.max_abs, found.max_rel, found.max_ulp)
    return Worst(index, diff, rel, ulp, maxima, found.mismatched, found.tolerances, found.first)
