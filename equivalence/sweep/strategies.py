"""From a sweep's declaration (plain data) to hypothesis strategies, and examples as data.

This is engine code: it runs in the comparing process and interprets the declaration of
:mod:`equivalence.sweep.spec`; nothing of the case runs here. An :class:`Example` is the
example's dtype, its sizes and the arrays of the inputs the sweep varies; bfloat16
values travel as float32 arrays holding bfloat16 numbers exactly (NumPy has no
bfloat16 dtype), and the worker makes them the framework's bfloat16 tensors.

Shrinking goes the way hypothesis shrinks: the dtype towards the first one declared,
sizes towards their minimum, values towards zero and simple numbers (integers first),
copies of one element onto another (ties) away.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .spec import Bools, Dims, Floats, Ints, OneHot, Spec, Sweep, evaluate

__all__ = ["Example", "array_from_data", "array_to_data", "example_strategy", "extremes", "numpy_dtype",
           "round_bfloat16"]

#: The NumPy dtype that holds each float dtype's values (bfloat16: float32).
_HOLDER = {"float16": np.float16, "bfloat16": np.float32, "float32": np.float32, "float64": np.float64}
_WIDTH: dict[str, Literal[16, 32, 64]] = {"float16": 16, "bfloat16": 32, "float32": 32, "float64": 64}


def numpy_dtype(dtype: str) -> Any:
    """The NumPy type that holds values of ``dtype`` (bfloat16 values in float32)."""
    return _HOLDER[dtype] if dtype in _HOLDER else np.dtype(dtype).type


def round_bfloat16(values: np.ndarray) -> np.ndarray:
    """``values`` rounded to the nearest bfloat16, held in float32."""
    import ml_dtypes

    return np.asarray(values, np.float32).astype(ml_dtypes.bfloat16).astype(np.float32)


def _finfo(dtype: str) -> tuple[float, float]:
    """(largest finite, smallest normal) of a float dtype."""
    info: Any
    if dtype == "bfloat16":
        import ml_dtypes

        info = ml_dtypes.finfo(ml_dtypes.bfloat16)  # type: ignore[no-untyped-call]
    else:
        info = np.finfo(_HOLDER[dtype])
    return float(info.max), float(info.smallest_normal)


def _bounds(spec: Floats, dtype: str) -> tuple[float, float]:
    """The declared bounds clamped to the dtype's finite range and made representable at
    the generating width (hypothesis requires it), moved inwards when they are not."""
    largest, _ = _finfo(dtype)
    holder: Any = _HOLDER[dtype]
    low = -largest if spec.min_value is None else max(float(spec.min_value), -largest)
    high = largest if spec.max_value is None else min(float(spec.max_value), largest)
    lo, hi = holder(low), holder(high)
    if float(lo) < low:
        lo = np.nextafter(lo, holder(np.inf))
    if float(hi) > high:
        hi = np.nextafter(hi, holder(-np.inf))
    if dtype == "bfloat16":  # bfloat16 numbers inside the range
        return _bfloat16_towards(float(lo), up=True), _bfloat16_towards(float(hi), up=False)
    return float(lo), float(hi)


def _bfloat16_towards(value: float, up: bool) -> float:
    """The bfloat16 number nearest ``value`` on its ``up`` (or down) side: bfloat16 is
    the upper half of a float32's bits."""
    bits = int(np.array([value], np.float32).view(np.uint32)[0])
    truncated = bits & 0xFFFF0000  # towards zero
    result = float(np.array([truncated], np.uint32).view(np.float32)[0])
    if result != value and (value > 0) == up:  # towards zero went the wrong way: one step away from zero
        result = float(np.array([truncated + 0x10000], np.uint32).view(np.float32)[0])
    return result


def _float_elements(spec: Floats, dtype: str) -> Any:
    import hypothesis.strategies as st

    low, high = _bounds(spec, dtype)
    _, smallest_normal = _finfo(dtype)
    subnormal = spec.allow_subnormal and low < smallest_normal and high > -smallest_normal and (low, high) != (0.0, 0.0)
    base = st.floats(low, high, width=_WIDTH[dtype], allow_nan=False, allow_infinity=False,
                     allow_subnormal=subnormal or None if spec.allow_subnormal else False)
    extra = ([math.nan] if spec.allow_nan else []) + ([math.inf, -math.inf] if spec.allow_infinity else [])
    return st.one_of(base, st.sampled_from(extra)) if extra else base


@dataclass
class Example:
    """One example: its dtype, sizes, and the values of the inputs the sweep varies."""

    dtype: str
    dims: dict[str, int] = field(default_factory=dict)
    inputs: dict[str, np.ndarray] = field(default_factory=dict)
    #: Inputs holding bfloat16 values (in float32 arrays).
    bfloat16: tuple[str, ...] = ()

    def to_data(self) -> dict[str, Any]:
        return {"dtype": self.dtype, "dims": dict(self.dims),
                "inputs": {name: array_to_data(a, "bfloat16" if name in self.bfloat16 else None)
                           for name, a in self.inputs.items()}}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Example:
        inputs, bfloat16 = {}, []
        for name, value in data["inputs"].items():
            inputs[name] = array_from_data(value)
            if value.get("dtype") == "bfloat16":
                bfloat16.append(name)
        return cls(str(data["dtype"]), {k: int(v) for k, v in data.get("dims", {}).items()}, inputs, tuple(bfloat16))

    def text(self) -> str:
        """The example as one line of JSON, for messages and the reproduction command."""
        return json.dumps(self.to_data(), separators=(",", ":"))


def _number(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    number = float(value)
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    return number  # repr of a float64 holding the exact value; -0.0 stays -0.0


def array_to_data(array: np.ndarray, dtype: str | None = None) -> dict[str, Any]:
    """An array as JSON data: dtype, shape and exact values (NaN and infinities as text)."""
    array = np.asarray(array)
    values = np.vectorize(_number, otypes=[object])(array).tolist() if array.size else []
    if array.ndim == 0 and array.size:
        values = _number(array.item())
    elif array.size == 0:
        values = []
    return {"dtype": dtype or str(array.dtype), "shape": list(array.shape), "values": values}


def extremes(array: np.ndarray) -> dict[str, Any]:
    """What an array too large to show holds: its smallest and largest finite values and
    how many NaN and infinities (``min``/``max`` None when nothing is finite)."""
    array = np.asarray(array)
    if array.dtype.kind not in "biuf" or array.size == 0:
        return {"min": None, "max": None, "nan": 0, "inf": 0}
    values = array.astype(np.float64)
    finite = values[np.isfinite(values)]
    return {"min": float(finite.min()) if finite.size else None, "max": float(finite.max()) if finite.size else None,
            "nan": int(np.isnan(values).sum()), "inf": int(np.isinf(values).sum())}


def array_from_data(data: Mapping[str, Any]) -> np.ndarray:
    dtype, shape = str(data["dtype"]), tuple(int(n) for n in data["shape"])
    holder = numpy_dtype(dtype) if dtype in _HOLDER else np.dtype(dtype)

    def number(v: Any) -> Any:
        return float(v) if isinstance(v, str) else v

    values = data["values"]
    flat = np.vectorize(number, otypes=[object])(np.array(values, dtype=object)) if np.size(values) else values
    array = np.array(flat, dtype=np.float64 if np.dtype(holder).kind == "f" else holder).astype(holder)
    return array.reshape(shape)


def _shape(shape: tuple[Any, ...], dims: Mapping[str, int]) -> tuple[int, ...]:
    return tuple(max(0, evaluate(size, dims)) for size in shape)


def _input_strategy(spec: Spec, dtype: str, dims: Mapping[str, int]) -> Any:
    """The strategy of one input's values, given the example's dtype and sizes."""
    import hypothesis.strategies as st
    from hypothesis.extra.numpy import arrays

    if isinstance(spec, Dims):
        return st.just(np.array([evaluate(s, dims) for s in spec.sizes], dtype=spec.dtype))
    if isinstance(spec, Bools):
        return arrays(np.bool_, _shape(spec.shape, dims), elements=st.booleans())
    if isinstance(spec, Ints):
        low, high = evaluate(spec.min_value, dims), evaluate(spec.max_value, dims)
        info = np.iinfo(spec.dtype)
        low, high = max(low, int(info.min)), min(high, int(info.max))
        shape = _shape(spec.shape, dims)
        if low > high:
            if math.prod(shape):
                return st.nothing()
            return st.just(np.zeros(shape, spec.dtype))
        return _with_ties(arrays(np.dtype(spec.dtype), shape, elements=st.integers(low, high)))
    if isinstance(spec, OneHot):
        float_dtype = spec.dtype or dtype
        shape = _shape(spec.shape, dims)
        classes, rows = shape[-1], math.prod(shape[:-1])
        if classes == 0 or rows == 0:
            return st.just(np.zeros(shape, numpy_dtype(float_dtype)))

        def one_hot(labels: list[int]) -> np.ndarray:
            out = np.zeros((rows, classes), numpy_dtype(float_dtype))
            out[np.arange(rows), labels] = 1
            return out.reshape(shape)

        return st.lists(st.integers(0, classes - 1), min_size=rows, max_size=rows).map(one_hot)
    assert isinstance(spec, Floats)
    float_dtype = spec.dtype or dtype
    drawn = arrays(_HOLDER[float_dtype], _shape(spec.shape, dims), elements=_float_elements(spec, float_dtype),
                   unique=spec.unique)
    values = drawn if spec.unique else _with_ties(drawn)
    if float_dtype == "bfloat16":
        lowest, highest = _bounds(spec, "bfloat16")
        return values.map(lambda a: _clip_finite(round_bfloat16(a), lowest, highest))
    return values


def _clip_finite(a: np.ndarray, low: float, high: float) -> np.ndarray:
    finite = np.isfinite(a)
    out = a.copy()
    out[finite] = np.clip(a[finite], low, high)
    return out


def _with_ties(strategy: Any) -> Any:
    """Arrays with a few elements copied onto others: ties beyond hypothesis' fills."""
    import hypothesis.strategies as st

    def copies(array: np.ndarray) -> Any:
        n = array.size
        if n < 2:
            return st.just(array)
        pairs = st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=min(n, 4))

        def apply(moves: list[tuple[int, int]]) -> np.ndarray:
            out = array.copy()
            for target, source in moves:
                out.flat[target] = out.flat[source]
            return out

        return pairs.map(apply)

    return strategy.flatmap(copies)


def example_strategy(sweep: Sweep) -> Any:
    """The strategy of one sweep's examples: a dtype, the sizes, then every input."""
    import hypothesis.strategies as st

    @st.composite
    def examples(draw: Any) -> Example:
        dtype = draw(st.sampled_from(sweep.dtypes))
        dims = {name: draw(st.integers(low, high)) for name, (low, high) in sweep.dims.items()}
        inputs, bfloat16 = {}, []
        for name, spec in sweep.inputs.items():
            inputs[name] = draw(_input_strategy(spec, dtype, dims))
            if isinstance(spec, (Floats, OneHot)) and (spec.dtype or dtype) == "bfloat16":
                bfloat16.append(name)
        return Example(dtype, dims, inputs, tuple(bfloat16))

    return examples()
