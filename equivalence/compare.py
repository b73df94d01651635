"""Comparing one output against its expected value: the numbers behind every row.

Semantics (tested in ``tests/test_compare.py``):

- Shapes must be equal; a shape mismatch fails and leaves the statistics empty (NaN).
- Dtypes must be equal unless the case says ``check_dtype=False``; the statistics are
  still computed, so a dtype mismatch shows how far the values are apart too.
- Integers, booleans and strings compare exactly.
- Floats: ``|a - e| <= atol + rtol * |e|`` element by element (``e``: the expected
  side). NaN against NaN at the same place is equal; NaN against a number is a
  mismatch; an infinity must meet the same infinity; -0.0 equals 0.0 (0 ULP apart).
- ``max_rel_diff`` is ``|a - e| / |e|`` (infinite where ``e`` is 0 and ``a`` is not).
- ``max_ulp_diff`` counts the representable numbers between ``a`` and ``e`` in the
  coarser of the two dtypes (float16 < bfloat16 < float32 < float64).

The work goes in chunks of ``CHUNK`` elements so that a 1e8-element output needs no
full-size float64 temporaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .tolerance import Tolerance

__all__ = ["Comparison", "compare_arrays", "ulp_distance"]

CHUNK = 1 << 20
WORST = 5

# Mantissa bits, to choose the coarser float dtype; bfloat16 is named, not a NumPy type.
_MANTISSA = {"float16": 10, "bfloat16": 7, "float32": 23, "float64": 52}


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


def _ordered(bits: np.ndarray, nbits: int) -> np.ndarray:
    """Float bit patterns mapped to unsigned integers in the order of the floats."""
    sign = np.uint64(1) << np.uint64(nbits - 1)
    u = bits.astype(np.uint64)
    negative = (u & sign) != 0
    # Negative floats: larger magnitude is smaller, so count down from the sign bit.
    return np.where(negative, sign - (u & ~sign), sign + u)


def _float_bits(x: np.ndarray, dtype: str) -> tuple[np.ndarray, int]:
    if dtype == "float16":
        return x.astype(np.float16).view(np.uint16), 16
    if dtype == "bfloat16":
        import ml_dtypes  # shipped with tensorflow; needed only for bfloat16 outputs

        return x.astype(ml_dtypes.bfloat16).view(np.uint16), 16
    if dtype == "float32":
        return x.astype(np.float32).view(np.uint32), 32
    return x.astype(np.float64).view(np.uint64), 64


def ulp_distance(a: np.ndarray, b: np.ndarray, dtype: str = "float64") -> np.ndarray:
    """How many representable ``dtype`` numbers lie between ``a`` and ``b`` (as float64)."""
    ba, n = _float_bits(np.asarray(a), dtype)
    bb, _ = _float_bits(np.asarray(b), dtype)
    oa, ob = _ordered(ba, n), _ordered(bb, n)
    return np.where(oa >= ob, oa - ob, ob - oa).astype(np.float64)


def coarser(dtype_a: str, dtype_b: str) -> str:
    ma, mb = _MANTISSA.get(dtype_a), _MANTISSA.get(dtype_b)
    if ma is None:
        return dtype_b if mb is not None else "float64"
    if mb is None:
        return dtype_a
    return dtype_a if ma <= mb else dtype_b


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
    dt_a = actual_dtype or str(actual.dtype)
    dt_e = expected_dtype or str(expected.dtype)
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
    if "s" in (ka, ke) or "c" in (ka, ke) or (ka in "bi" and ke in "bi"):
        result = _compare_exact(actual, expected, ka, ke)
    else:
        result = _compare_float(actual, expected, tolerance, coarser(dt_a, dt_e), atol_array)
    if result.mismatched:
        messages.append(f"{result.mismatched} of {result.numel} elements differ")
    result.message = "; ".join(messages + ([result.message] if result.message else []))
    result.passed = not messages
    return result


def _compare_exact(actual: np.ndarray, expected: np.ndarray, ka: str, ke: str) -> Comparison:
    if "s" in (ka, ke):  # strings: equal or not, no distance
        bad = ~np.asarray(actual == expected, dtype=bool).reshape(actual.shape)
        diff = np.where(bad, np.inf, 0.0)
        return _summarise(actual, expected, diff, diff, diff, bad)
    if "c" in (ka, ke):
        a, e = actual.astype(np.complex128), expected.astype(np.complex128)
    else:
        a, e = actual.astype(np.int64), expected.astype(np.int64)
    diff = np.abs(a - e).astype(np.float64)
    abs_e = np.abs(e).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.divide(diff, abs_e, out=np.where(diff == 0, 0.0, np.inf), where=abs_e != 0)
    return _summarise(actual, expected, diff, rel, diff, diff != 0)


def _compare_float(
    actual: np.ndarray,
    expected: np.ndarray,
    tolerance: Tolerance,
    ulp_dtype: str,
    atol_array: np.ndarray | None,
) -> Comparison:
    a_flat, e_flat = actual.reshape(-1), expected.reshape(-1)
    atol_flat = None if atol_array is None else np.broadcast_to(atol_array, actual.shape).reshape(-1)
    out = Comparison(passed=True, numel=int(a_flat.size))
    out.max_abs_diff = out.max_rel_diff = out.max_ulp_diff = 0.0
    # (is_mismatch, abs_diff, flat_index, rel_diff, ulp_diff) of the worst elements so far
    worst: list[tuple[bool, float, int, float, float]] = []
    for start in range(0, a_flat.size, CHUNK):
        a = a_flat[start : start + CHUNK].astype(np.float64, copy=False)
        e = e_flat[start : start + CHUNK].astype(np.float64, copy=False)
        atol = tolerance.atol if atol_flat is None else atol_flat[start : start + CHUNK]
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            nan_a, nan_e = np.isnan(a), np.isnan(e)
            finite = np.isfinite(a) & np.isfinite(e)
            same = (a == e) | (nan_a & nan_e)  # equal infinities, ±0, NaN with NaN
            diff = np.abs(a - e)
            diff[same] = 0.0
            diff[~finite & ~same] = np.inf  # NaN against a number, inf against finite
            abs_e = np.abs(e)
            rel = np.divide(diff, abs_e, out=np.where(diff == 0, 0.0, np.inf), where=(abs_e != 0) & finite)
            bad = ~(same | (finite & (diff <= atol + tolerance.rtol * abs_e)))
            ulp = ulp_distance(a, e, ulp_dtype)
            ulp[same] = 0.0
            ulp[nan_a ^ nan_e] = np.inf
        out.mismatched += int(np.count_nonzero(bad))
        out.max_abs_diff = max(out.max_abs_diff, float(diff.max()))
        out.max_rel_diff = max(out.max_rel_diff, float(rel.max()))
        out.max_ulp_diff = max(out.max_ulp_diff, float(ulp.max()))
        pool = np.flatnonzero(bad) if out.mismatched else np.arange(diff.size)
        if pool.size > WORST:
            pool = pool[np.argpartition(-diff[pool], WORST - 1)[:WORST]]
        worst += [(bool(bad[i]), float(diff[i]), start + int(i), float(rel[i]), float(ulp[i])) for i in pool]
        worst = sorted(worst, key=lambda w: (w[0], w[1]), reverse=True)[:WORST]
    for _, d, i, r, u in worst:
        index = tuple(int(j) for j in np.unravel_index(i, actual.shape)) if actual.ndim else ()
        out.worst.append((index, a_flat[i].item(), e_flat[i].item(), d, r, u))
    return out


def _summarise(
    actual: np.ndarray, expected: np.ndarray, diff: np.ndarray, rel: np.ndarray, ulp: np.ndarray, bad: np.ndarray
) -> Comparison:
    out = Comparison(passed=True, numel=int(actual.size), mismatched=int(np.count_nonzero(bad)))
    out.max_abs_diff = out.max_rel_diff = out.max_ulp_diff = 0.0
    if actual.size:
        out.max_abs_diff, out.max_rel_diff, out.max_ulp_diff = float(diff.max()), float(rel.max()), float(ulp.max())
        flat_diff, flat_bad = diff.reshape(-1), bad.reshape(-1)
        for i in np.lexsort((-flat_diff, ~flat_bad))[:WORST]:
            index = tuple(int(j) for j in np.unravel_index(i, actual.shape)) if actual.ndim else ()
            out.worst.append(
                (index, actual.reshape(-1)[i].item(), expected.reshape(-1)[i].item(),
                 float(flat_diff[i]), float(rel.reshape(-1)[i]), float(ulp.reshape(-1)[i]))
            )
    return out
