"""The bytes of a wire message, and the plain values they can hold (:mod:`equivalence._wire`'s layer below).

A message is

* ``MAGIC`` (4 bytes), the length of the header (8 bytes, little-endian);
* the header: JSON of strings, numbers, booleans, null, lists and objects only;
* the arrays' raw bytes, one after another, each described in the header's ``arrays``
  list by its dtype (``dtype.str``, such as ``<f4``), shape, offset and length, in C order.

:class:`Writer` collects arrays and writes a message; :class:`Reader` reads one. Values
(inputs, a document's values) are tagged (``["nd", 0]``, ``["np", 1]``,
``["float", "0.1"]``, ``["tuple", [...]]``) by :func:`encode_value` so that
:func:`decode_value` gives back the same type.

Invariants: arrays are base ``np.ndarray`` copies (a subclass is viewed as a plain array
first) of booleans, integers, floats, complex numbers or ``str`` (``U``): anything else
(object, bytes, datetime, structured dtypes) is refused when writing and when reading.
Reading parses JSON and copies bytes into new arrays, nothing more: no pickle, no code
runs; anything malformed raises :class:`WireError`, a value that cannot be written
:class:`Unsendable`. Only the exact Python types cross (a subclass of ``int``, ``tuple``
or ``dict`` is refused); nesting is limited to ``MAX_DEPTH``.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

import numpy as np

__all__ = [
    "KIND_NAMES", "LENGTH", "MAGIC", "MAX_DEPTH", "MAX_NDIM", "SENDABLE_KINDS", "Reader", "Unsendable",
    "WireError", "Writer", "base_array", "decode_value", "encode_value", "field", "optional_str",
    "sendable_dtype", "str_dict", "type_name", "unsendable",
]  # fmt: skip

MAGIC = b"EQW1"
LENGTH = struct.Struct("<Q")
#: dtype kinds that cross: bool, signed and unsigned integers, floats, complex, str.
SENDABLE_KINDS = "biufcU"
MAX_NDIM = 64
MAX_DEPTH = 200  # nested lists/tuples/dicts in inputs


class WireError(ValueError):
    """A message that is not one :mod:`equivalence._wire` wrote."""


class Unsendable(TypeError):
    """An input that cannot cross as plain data: ``name`` is the input, ``what`` names the
    value (``function``, ``an array of dtype object``), ``where`` locates it inside the
    input (``[1]['k']``, empty for the input itself)."""

    def __init__(self, what: str, where: str = "", name: str | None = None) -> None:
        self.what, self.where, self.name = what, where, name
        place = f" (at {name}{where})" if where and name is not None else f" (at {where})" if where else ""
        prefix = "" if name is None else f"input {name!r} cannot be sent to a worker process: "
        super().__init__(f"{prefix}{what}{place}")


def type_name(value: Any) -> str:
    kind = type(value)
    module = getattr(kind, "__module__", "")
    name = getattr(kind, "__qualname__", kind.__name__)
    return name if module in ("builtins", "numpy", "") else f"{module}.{name}"


def unsendable(value: Any) -> str | None:
    """Why ``value`` cannot travel as an output array, or None when it can.

    It can when it is an ``np.ndarray`` (a base one: subclasses are turned into base
    arrays before) of booleans, integers, floats, complex numbers or ``str``."""
    if not isinstance(value, np.ndarray):
        return f"returned {type_name(value)}, not an array"
    if not sendable_dtype(value.dtype):
        return (f"returned an array of dtype {value.dtype} ({KIND_NAMES.get(value.dtype.kind, 'other')}); only "
                "arrays of booleans, integers, floats, complex numbers and str are compared")
    return None


def sendable_dtype(dtype: np.dtype[Any]) -> bool:
    return dtype.kind in SENDABLE_KINDS and not dtype.hasobject and dtype.names is None and dtype.subdtype is None


KIND_NAMES = {"O": "Python objects", "S": "bytes", "V": "raw or structured records", "M": "datetimes",
               "m": "time deltas", "T": "variable-length strings"}


def base_array(value: np.ndarray) -> np.ndarray:
    """A C-ordered copy of ``value`` as a base ndarray, whatever its class overrides."""
    plain = value if type(value) is np.ndarray else np.ndarray.view(value, np.ndarray)
    return np.ndarray.copy(plain, order="C")


# -- framing -----------------------------------------------------------------------------


class Writer:
    """Collects arrays (each written once, referred to by index) and writes a message."""

    def __init__(self) -> None:
        self.arrays: list[dict[str, Any]] = []
        self.blobs: list[bytes] = []
        self.offset = 0

    def array(self, array: np.ndarray) -> int:
        array = base_array(array)
        blob = array.tobytes(order="C")
        self.arrays.append({"dtype": array.dtype.str, "shape": list(array.shape), "offset": self.offset,
                            "nbytes": len(blob)})
        self.blobs.append(blob)
        self.offset += len(blob)
        return len(self.arrays) - 1

    def finish(self, header: dict[str, Any]) -> bytes:
        header = {**header, "arrays": self.arrays}
        # ensure_ascii: lone surrogates (non-UTF-8 file names) travel as \\udcff escapes.
        # NaN and infinities only in a document's header (Python's json reads them back).
        text = json.dumps(header, ensure_ascii=True, allow_nan=True, separators=(",", ":")).encode("ascii")
        return b"".join([MAGIC, LENGTH.pack(len(text)), text, *self.blobs])


class Reader:
    """Reads a message: its header, and its arrays by index, each checked against its bytes."""

    def __init__(self, data: bytes) -> None:
        view = memoryview(data)
        if len(view) < len(MAGIC) + LENGTH.size or bytes(view[: len(MAGIC)]) != MAGIC:
            raise WireError("not a message of this protocol")
        (length,) = LENGTH.unpack_from(view, len(MAGIC))
        start = len(MAGIC) + LENGTH.size
        if length > len(view) - start:
            raise WireError("truncated header")
        try:
            header = json.loads(bytes(view[start : start + length]).decode("ascii"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise WireError(f"unreadable header: {exc}") from None
        if not isinstance(header, dict):
            raise WireError("the header is not an object")
        self.header: dict[str, Any] = header
        self.payload = view[start + length :]
        self.specs = field(header, "arrays", list)

    def array(self, index: Any) -> np.ndarray:
        if type(index) is not int or not 0 <= index < len(self.specs):
            raise WireError(f"no array {index!r}")
        spec = self.specs[index]
        if not isinstance(spec, dict):
            raise WireError("an array description is not an object")
        code, shape = field(spec, "dtype", str), field(spec, "shape", list)
        offset, nbytes = field(spec, "offset", int), field(spec, "nbytes", int)
        try:
            dtype = np.dtype(code)
        except TypeError:
            raise WireError(f"unknown dtype {code!r}") from None
        if dtype.str != code or not sendable_dtype(dtype):
            raise WireError(f"dtype {code!r} may not cross")
        if len(shape) > MAX_NDIM or any(type(n) is not int or n < 0 for n in shape):
            raise WireError(f"bad shape {shape!r}")
        if nbytes != dtype.itemsize * math.prod(shape) or not 0 <= offset <= len(self.payload) - nbytes:
            raise WireError(f"array {index} does not fit its bytes")
        if nbytes == 0:
            return np.zeros(shape, dtype)
        return np.frombuffer(self.payload[offset : offset + nbytes], dtype).reshape(shape).copy()


def field(mapping: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    """``mapping[key]``, which must be of ``kind`` (a bool is not an int); else WireError."""
    value = mapping.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,))):
        raise WireError(f"field {key!r} is {type(value).__name__}, not {getattr(kind, '__name__', kind)}")
    return value


def optional_str(mapping: dict[str, Any], key: str) -> str | None:
    return None if mapping.get(key) is None else field(mapping, key, str)


def str_dict(mapping: dict[str, Any], key: str) -> dict[str, str]:
    value = field(mapping, key, dict)
    if not all(isinstance(v, str) for v in value.values()):
        raise WireError(f"field {key!r} holds a value that is not a string")
    return dict(value)


# -- values (inputs) ------------------------------------------------------------------------


def encode_value(value: Any, writer: Writer, where: str, depth: int = 0) -> list[Any]:
    if depth > MAX_DEPTH:
        raise Unsendable(f"values nested more than {MAX_DEPTH} deep (a list that contains itself?)")
    kind = type(value)
    if isinstance(value, np.ndarray):
        if not sendable_dtype(value.dtype):
            raise Unsendable(f"an array of dtype {value.dtype}", where)
        return ["nd", writer.array(value)]
    if isinstance(value, np.generic):
        array = np.asarray(value)
        if unsendable(array) is not None or type(array[()]) is not kind:
            raise Unsendable(f"a NumPy scalar of type {type_name(value)}", where)
        return ["np", writer.array(array)]
    if value is None:
        return ["none", None]
    if kind is bool:
        return ["bool", value]
    if kind is int:
        return ["int", hex(value)]  # hex: str() refuses ints of more than 4300 digits
    if kind is float:
        return ["float", float.hex(value)]
    if kind is complex:
        return ["complex", [float.hex(value.real), float.hex(value.imag)]]
    if kind is str:
        return ["str", value]
    if kind in (list, tuple):
        return [kind.__name__, [encode_value(v, writer, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]]
    if kind is dict:
        return ["dict", [[encode_value(k, writer, f"{where} (a key)", depth + 1),
                          encode_value(v, writer, f"{where}[{k!r}]", depth + 1)] for k, v in value.items()]]
    raise Unsendable(type_name(value), where)


def decode_value(tagged: Any, reader: Reader, depth: int = 0) -> Any:
    if depth > MAX_DEPTH + 1 or not isinstance(tagged, list) or len(tagged) != 2 or not isinstance(tagged[0], str):
        raise WireError("a malformed value")
    tag, body = tagged
    if tag == "nd":
        return reader.array(body)
    if tag == "np":
        array = reader.array(body)
        if array.ndim != 0:
            raise WireError("a NumPy scalar that is not 0-d")
        return array[()]
    if tag == "none" and body is None:
        return None
    if tag == "bool" and isinstance(body, bool):
        return body
    if tag == "int" and isinstance(body, str):
        return int(body, 16)
    if tag == "float" and isinstance(body, str):
        return float.fromhex(body)
    if tag == "complex" and isinstance(body, list) and len(body) == 2 and all(isinstance(b, str) for b in body):
        return complex(float.fromhex(body[0]), float.fromhex(body[1]))
    if tag == "str" and isinstance(body, str):
        return body
    if tag in ("list", "tuple") and isinstance(body, list):
        items = [decode_value(v, reader, depth + 1) for v in body]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and isinstance(body, list):
        pairs = {}
        for pair in body:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("a malformed dict entry")
            pairs[decode_value(pair[0], reader, depth + 1)] = decode_value(pair[1], reader, depth + 1)
        return pairs
    raise WireError(f"unknown value tag {tag!r}")
