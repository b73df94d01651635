"""One output now against its stored self: bit for bit, within tolerance, or how it changed.

:func:`compare_output` gives the drift row of an output that both sides hold: its
status (``unchanged``, ``bitwise_change``, ``drift``), its change (``values``,
``dtype``, ``dtype+values``, ``shape``, ``sign_of_zero``, ``nan_payload``), the sizes of
the difference and the values before and after (small outputs in full, a large one's
worst element). The digests here (:func:`digest`, :func:`digest_text`,
:func:`digest_snapshot`) are what ``baseline accept`` records to know a change again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from ..tolerance import Tolerance
    from .drift_table import DriftRow
    from .model import Snapshot

__all__ = ["SMALL_VALUES", "TEXT_LIMIT", "changed_elements", "compare_output", "digest", "digest_snapshot",
           "digest_text", "show", "text", "values"]

#: Outputs up to this many elements show their values before and after in full.
SMALL_VALUES = 8
#: Longest text of a value or message in the before/after columns.
TEXT_LIMIT = 200

NAN = float("nan")


def numel(snap: Snapshot, name: str) -> int:
    """How many elements output ``name`` of ``snap`` has (0 when it has none)."""
    array = snap.outputs.get(name)
    return 0 if array is None else int(array.size)


def text(value: Any, limit: int = TEXT_LIMIT) -> str:
    """``value`` as one printable line of at most ``limit`` characters."""
    from .._text import printable

    return printable(value, limit, newlines=False)


def _kind(dtype: str) -> str:
    """``f`` float (and complex), ``i`` integer, ``b`` boolean, ``s`` string or other."""
    if dtype.startswith(("float", "bfloat", "complex")):
        return "f"
    if dtype.startswith(("int", "uint")):
        return "i"
    if dtype == "bool":
        return "b"
    return "s"


def show(array: np.ndarray, dtype: str = "") -> str:
    """A small array's values as text: each float the shortest that identifies it in its
    dtype (``0.1`` for a float32 0.1), strings quoted, nested lists for matrices."""
    import numpy as np

    def render(a: np.ndarray) -> str:
        if a.ndim:
            return "[" + ", ".join(render(item) for item in a) + "]"
        value = a[()]
        return repr(str(value)) if a.dtype.kind in "US" else str(value)

    return text(render(np.asarray(array)))


def values(snap: Snapshot, name: str, side: str) -> dict[str, Any]:
    """The ``before``/``after`` text and dtype of one output, when it is small."""
    array = snap.outputs.get(name)
    if array is None:
        return {}
    dtype = snap.dtypes.get(name, str(array.dtype))
    return {f"dtype_{side}": dtype, side: show(array, dtype) if array.size <= SMALL_VALUES else ""}


def digest(array: np.ndarray, dtype: str) -> str:
    """A digest of an array: its framework dtype name, NumPy dtype, shape and bytes."""
    import numpy as np

    array = np.ascontiguousarray(array)
    header = f"{dtype}|{array.dtype.str}|{array.shape}|".encode()
    return hashlib.sha256(header + array.tobytes()).hexdigest()


def digest_snapshot(snap: Snapshot | None) -> str:
    """A digest of everything a (case, backend) stored: status, message, every output."""
    if snap is None:
        return ""
    parts = [snap.status, snap.message, *(f"{name}:{digest(array, snap.dtypes.get(name, ''))}"
                                          for name, array in sorted(snap.outputs.items()))]
    return digest_text("|".join(parts))


def digest_text(message: str) -> str:
    """A digest of an error message (or any text)."""
    return hashlib.sha256(f"text|{message}".encode("utf-8", "surrogatepass")).hexdigest()


def compare_output(row: Callable[..., DriftRow], name: str, new: Snapshot, old: Snapshot,
                   tolerance: Tolerance | None) -> DriftRow:
    """The row of output ``name``, held by both ``new`` and ``old`` (``ok`` snapshots);
    ``row(name, status, message, **fields)`` makes the row with the (case, backend)'s
    columns; ``tolerance``: the case's, or None for the per-dtype default."""
    import numpy as np

    from ..compare import compare_arrays
    from ..tolerance import default_tolerance

    now, then = np.asarray(new.outputs[name]), np.asarray(old.outputs[name])
    dt_now, dt_then = new.dtypes.get(name, str(now.dtype)), old.dtypes.get(name, str(then.dtype))
    tol = tolerance or default_tolerance(dt_then, dt_now)
    fields: dict[str, Any] = {"numel": int(now.size), "rtol": tol.rtol, "atol": tol.atol,
                              "dtype_before": dt_then, "dtype_after": dt_now}
    same_layout = now.shape == then.shape and now.dtype == then.dtype and dt_now == dt_then
    if same_layout and _bytes(now) == _bytes(then):
        return row(name, "unchanged", "", max_abs_diff=0.0, max_rel_diff=0.0, max_ulp_diff=0.0, tolerances=0.0,
                   **fields)
    fields.update(after_sha256=digest(now, dt_now), before_sha256=digest(then, dt_then))
    small = now.size <= SMALL_VALUES and then.size <= SMALL_VALUES
    if small:
        fields.update(before=show(then, dt_then), after=show(now, dt_now))
    if now.shape != then.shape:
        also = f"; dtype {dt_then} → {dt_now}" if dt_now != dt_then else ""
        return row(name, "drift", f"shape {then.shape} → {now.shape}{also}", change="shape", **fields)
    result = compare_arrays(now, then, tol, actual_dtype=dt_now, expected_dtype=dt_then, check_dtype=False)
    exact = "f" not in (_kind(dt_now), _kind(dt_then))
    fields.update(max_abs_diff=result.max_abs_diff, max_rel_diff=result.max_rel_diff,
                  max_ulp_diff=NAN if exact else result.max_ulp_diff, mismatched=result.mismatched,
                  worst=result.worst, tolerances=result.tolerances)
    if exact and {"b", "s"} & {_kind(dt_now), _kind(dt_then)}:  # no distance between booleans or texts
        fields.update(max_abs_diff=NAN, max_rel_diff=NAN)
    if not small and result.worst:  # the element that moved most
        index, value_now, value_then = result.worst[0][:3]
        where = list(index)
        fields.update(before=text(f"{where}: {value_then!r}"), after=text(f"{where}: {value_now!r}"))
    if dt_now != dt_then:
        # ULPs of two dtypes are not one unit: the row says how many tolerances out instead.
        fields["max_ulp_diff"] = NAN
        equal = result.mismatched == 0 and _equal_by_value(now, then)
        if result.passed:
            how = "the values equal" if equal else (
                f"the values within tolerance (at most {result.tolerances:.2g} of it, {result.max_abs_diff:.3g} abs)")
            return row(name, "drift", f"dtype only: {dt_then} → {dt_now}; {how}", change="dtype", **fields)
        return row(name, "drift", f"dtype {dt_then} → {dt_now}, and {result.message}", change="dtype+values",
                   **fields)
    if not result.passed:
        return row(name, "drift", result.message, change="values", **fields)
    changed = changed_elements(now, then) if same_layout else int(now.size)
    if not exact and same_layout:
        only = _only_zero_signs_or_nan_payloads(now, then)
        if only == "sign_of_zero":
            return row(name, "bitwise_change", f"sign of zero only: {changed} of {now.size} elements are -0.0 "
                       "where the baseline has 0.0, or the reverse", change="sign_of_zero", **fields)
        if only == "nan_payload":
            return row(name, "bitwise_change", f"NaN payload only: {changed} of {now.size} NaN elements changed bits",
                       change="nan_payload", **fields)
    return row(name, "bitwise_change", f"{changed} of {now.size} elements changed bits, within tolerance",
               change="values", **fields)


def _equal_by_value(a: np.ndarray, b: np.ndarray) -> bool:
    import numpy as np

    try:
        with np.errstate(all="ignore"):
            return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc" and b.dtype.kind in "fc"))
    except (TypeError, ValueError):
        return False


def _only_zero_signs_or_nan_payloads(a: np.ndarray, b: np.ndarray) -> str:
    """``sign_of_zero`` when the elements whose bits differ are all zeros of both signs,
    ``nan_payload`` when they are all NaN on both sides, else ``""``."""
    import numpy as np

    width = a.dtype.itemsize
    if a.dtype.kind not in "fc" or a.size == 0 or width == 0:
        return ""
    bytes_a = np.ascontiguousarray(a).reshape(-1).view(np.uint8).reshape(-1, width)
    bytes_b = np.ascontiguousarray(b).reshape(-1).view(np.uint8).reshape(-1, width)
    differ = (bytes_a != bytes_b).any(axis=1)
    x, y = a.reshape(-1)[differ], b.reshape(-1)[differ]
    if x.size and bool(np.all((x == 0) & (y == 0))):
        return "sign_of_zero"
    if x.size and bool(np.all(np.isnan(x) & np.isnan(y))):
        return "nan_payload"
    return ""


def _bytes(array: np.ndarray) -> bytes:
    import numpy as np

    return np.ascontiguousarray(array).tobytes()


def changed_elements(a: np.ndarray, b: np.ndarray) -> int:
    """How many elements of two same-shape, same-dtype arrays differ in their bits."""
    import numpy as np

    width = a.dtype.itemsize
    if a.size == 0 or width == 0:
        return 0
    bytes_a = np.ascontiguousarray(a).reshape(-1).view(np.uint8).reshape(-1, width)
    bytes_b = np.ascontiguousarray(b).reshape(-1).view(np.uint8).reshape(-1, width)
    return int(np.count_nonzero((bytes_a != bytes_b).any(axis=1)))
