"""The float64 oracle: which backend of a disagreement is wrong.

For each example the oracle implementation (NumPy by default, or a framework's float64
path) runs on the example's inputs cast up to float64, exactly. Each backend's output is
then measured against it, and a backend **fails the oracle** when

1. it is not within the comparison tolerance of the oracle (``|a - o| <= atol + rtol·|o|``,
   the output dtype's defaults or the sweep's tolerance), and
2. its error exceeds a stated multiple of the best backend's error plus the dtype's
   rounding budget::

       error(b) > multiplier × min over backends of error + budget

   where ``error`` is the root mean squared error against the oracle, ``multiplier`` is
   3 for float16/bfloat16 outputs and for outputs under 1000 elements, 2 otherwise,
   and ``budget`` is one machine epsilon of the output dtype times the RMS magnitude
   of the oracle's values (at least 1). ``best`` is taken over the backends whose
   output has the same dtype: a NumPy port that computes in float64 and returns
   float32 does not set the bar for a float16 backend.

This is the rule of PyTorch's compiler accuracy checker, ``torch._dynamo.utils.same``
with an ``fp64_ref`` (torch/_dynamo/utils.py in torch 2.13: ``allclose`` first, then
``res_error <= multiplier * ref_error + tol / 10.0`` with ``rmse`` against the fp64
reference, ``multiplier`` 3.0 for float16/bfloat16 or fewer than 1000 elements, else
2.0). There the reference error is eager PyTorch's; here it is the best of every
backend's, so a backend is wrong when it is clearly less accurate than another backend
that computed the same thing in the same dtype, and a difference every backend shares
(an ill-conditioned input, an overflow in float16) is rounding, not a fault. torch's
absolute ``tol / 10`` becomes a relative budget here, since outputs range from 1e-30
to 1e30, with an absolute floor of one epsilon.

Non-finite values: NaN must meet NaN and an infinity the same infinity (an oracle value
that overflows the output dtype counts as that infinity); otherwise the error is
infinite. Integers and booleans compare exactly: the error is the fraction of elements
that differ, the budget 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["EPSILON", "OracleError", "bound", "budget", "multiplier", "oracle_error"]

#: Machine epsilon per float dtype: the rounding budget's unit.
EPSILON = {"float16": 2.0 ** -10, "bfloat16": 2.0 ** -7, "float32": 2.0 ** -23, "float64": 2.0 ** -52}


def multiplier(dtype: str, numel: int) -> float:
    """torch._dynamo.utils.same's multiplier (without its opt-in larger ones)."""
    return 3.0 if dtype in ("float16", "bfloat16") or numel < 1000 else 2.0


def _rounded(oracle: np.ndarray, dtype: str) -> np.ndarray:
    """The oracle's values rounded to ``dtype`` (for where it overflows), as float64."""
    with np.errstate(over="ignore", invalid="ignore"):
        if dtype == "bfloat16":
            import ml_dtypes

            return oracle.astype(ml_dtypes.bfloat16).astype(np.float64)
        if dtype in ("float16", "float32"):
            return oracle.astype(dtype).astype(np.float64)
    return oracle


@dataclass
class OracleError:
    """One backend's distance from the oracle on one output."""

    error: float  # RMSE (floats) or fraction of differing elements (exact types)
    scale: float  # RMS magnitude of the oracle's finite values
    exact: bool  # compared exactly (integers, booleans, strings)


def oracle_error(actual: np.ndarray, oracle: np.ndarray, dtype: str) -> OracleError:
    """``actual`` (of framework dtype name ``dtype``) against the oracle's output."""
    actual, oracle = np.asarray(actual), np.asarray(oracle)
    if actual.shape != oracle.shape:
        raise ValueError(f"shape {actual.shape} against the oracle's {oracle.shape}")
    exact = actual.dtype.kind not in "fc" or oracle.dtype.kind not in "fc"
    if exact:
        if actual.size == 0:
            return OracleError(0.0, 0.0, True)
        if actual.dtype.kind in "US" or oracle.dtype.kind in "US":
            differ = actual.astype(str) != oracle.astype(str)
        else:
            differ = actual != oracle if actual.dtype.kind != "f" and oracle.dtype.kind != "f" else ~np.isclose(
                actual.astype(np.float64), oracle.astype(np.float64), rtol=0, atol=0, equal_nan=True)
        return OracleError(float(np.mean(differ)), 0.0, True)
    a = actual.astype(np.complex128 if actual.dtype.kind == "c" else np.float64)
    o = oracle.astype(np.complex128 if oracle.dtype.kind == "c" else np.float64)
    if a.dtype.kind == "c" or o.dtype.kind == "c":  # real and imaginary parts, side by side
        a, o = np.stack([a.real, a.imag]), np.stack([np.asarray(o).real, np.asarray(o).imag])
    if a.size == 0:
        return OracleError(0.0, 0.0, False)
    finite = np.isfinite(a) & np.isfinite(o)
    rounded = _rounded(o, dtype)
    same_nonfinite = (np.isnan(a) & np.isnan(o)) | (np.isinf(a) & (a == rounded))
    scale = _rms(o[np.isfinite(o)])
    if not (finite | same_nonfinite).all():
        return OracleError(math.inf, scale, False)
    with np.errstate(all="ignore"):
        error = _rms(np.where(finite, a, 0.0) - np.where(finite, o, 0.0))
    return OracleError(error, scale, False)


def _rms(values: np.ndarray) -> float:
    """Root mean square, scaled first so that squares of 1e200 do not overflow."""
    if values.size == 0:
        return 0.0
    largest = float(np.max(np.abs(values)))
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    return largest * float(np.sqrt(np.mean(np.square(values / largest))))


def budget(dtype: str, measured: OracleError) -> float:
    """The dtype's rounding budget: one epsilon of the oracle's RMS magnitude, or of 1
    for outputs smaller than 1 (torch's absolute ``tol / 10``: a gradient that cancels
    to 0 is not judged by the 0 alone); 0 for exact comparisons."""
    if measured.exact:
        return 0.0
    return EPSILON.get(dtype, EPSILON["float64"]) * max(measured.scale, 1.0)


def bound(dtype: str, numel: int, best: float, measured: OracleError) -> float:
    """The largest error the rule allows: multiplier × best + budget."""
    return multiplier(dtype, numel) * best + budget(dtype, measured)
