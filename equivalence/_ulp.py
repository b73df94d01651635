"""Distances in units in the last place (ULP), and which of two float dtypes is coarser.

``coarser`` orders the float dtypes by mantissa (float16 < bfloat16 < float32 < float64);
:func:`ulp_distance` counts the representable numbers of one dtype between two values;
:func:`max_ulp` is its maximum over finite arrays, from an integer subtraction when it can.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["MANTISSA", "SIGNED", "as_float", "coarser", "max_ulp", "ulp_distance", "ulp_distance_unchecked"]

#: Mantissa bits, to choose the coarser float dtype; bfloat16 is named, not a NumPy type.
MANTISSA = {"float16": 10, "bfloat16": 7, "float32": 23, "float64": 52}
#: Signed integers as wide as each float: their difference is the ULP distance of two
#: floats of one sign.
SIGNED: dict[str, type[np.signedinteger[Any]]] = {
    "float16": np.int16, "bfloat16": np.int16, "float32": np.int32, "float64": np.int64}


def coarser(dtype_a: str, dtype_b: str) -> str:
    """The float dtype of the two with the fewer mantissa bits (float64 for non-floats)."""
    ma, mb = MANTISSA.get(dtype_a), MANTISSA.get(dtype_b)
    if ma is None:
        return dtype_b if mb is not None else "float64"
    if mb is None:
        return dtype_a
    return dtype_a if ma <= mb else dtype_b


def as_float(x: np.ndarray, dtype: str) -> np.ndarray:
    """``x`` held in the NumPy type of the float dtype ``dtype`` (no copy when it is)."""
    if dtype == "bfloat16":
        import ml_dtypes  # shipped with tensorflow; needed only for bfloat16 outputs

        target: Any = ml_dtypes.bfloat16
    else:
        target = {"float16": np.float16, "float32": np.float32}.get(dtype, np.float64)
    return x.astype(target, copy=False)  # callers silence the overflow to inf


def _ordered(bits: np.ndarray, nbits: int) -> np.ndarray:
    """Float bit patterns mapped to unsigned integers in the order of the floats."""
    sign = np.uint64(1) << np.uint64(nbits - 1)
    u = bits.astype(np.uint64)
    negative = (u & sign) != 0
    # Negative floats: larger magnitude is smaller, so count down from the sign bit.
    return np.where(negative, sign - (u & ~sign), sign + u)


def _float_bits(x: np.ndarray, dtype: str) -> tuple[np.ndarray, int]:
    bits = as_float(x, dtype)
    return bits.view({2: np.uint16, 4: np.uint32}.get(bits.itemsize, np.uint64)), 8 * bits.itemsize


def ulp_distance(a: np.ndarray, b: np.ndarray, dtype: str = "float64") -> np.ndarray:
    """How many representable ``dtype`` numbers lie between ``a`` and ``b`` (as float64)."""
    with np.errstate(over="ignore", invalid="ignore"):  # a float64 beyond float32 is inf
        return ulp_distance_unchecked(np.asarray(a), np.asarray(b), dtype)


def ulp_distance_unchecked(a: np.ndarray, b: np.ndarray, dtype: str) -> np.ndarray:
    """:func:`ulp_distance` for callers that have silenced NumPy's overflow warnings."""
    ba, n = _float_bits(np.asarray(a), dtype)
    bb, _ = _float_bits(np.asarray(b), dtype)
    oa, ob = _ordered(ba, n), _ordered(bb, n)
    distance: np.ndarray = np.where(oa >= ob, oa - ob, ob - oa).astype(np.float64)
    return distance


def max_ulp(a: np.ndarray, e: np.ndarray, ulp_dtype: str, scratch: np.ndarray) -> float:
    """The largest ULP distance between finite ``a`` and ``e`` in ``ulp_dtype``;
    ``scratch``: ``a.size`` integers of type ``SIGNED[ulp_dtype]``."""
    fa, fe = as_float(a, ulp_dtype), as_float(e, ulp_dtype)
    signed = SIGNED[ulp_dtype]
    # For two floats of one sign, the bit patterns read as integers are ordered like the
    # floats (reversed for negatives): their difference is the distance, and cannot
    # overflow. For a pair straddling zero (-0.0 against 0.0 too) the difference, wrapped,
    # is at least 2**mantissa + 1 in magnitude whatever the finite values; so is the
    # distance of two floats of one sign a factor of 2 apart. Below that bound, then, the
    # difference is the distance; at or above it, the written-out path decides.
    np.subtract(fa.view(signed), fe.view(signed), out=scratch)
    largest = max(int(scratch.max()), -int(scratch.min()))
    if largest < 1 << MANTISSA[ulp_dtype]:
        return float(largest)
    return float(ulp_distance_unchecked(fa, fe, ulp_dtype).max())
