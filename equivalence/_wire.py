"""What crosses between the parent and a worker process: plain data, never a pickle.

Unpickling runs code: an array subclass returned by a case could, unpickled in the
parent, patch the comparison and make any case pass. So tasks (the case's file, id,
backend and inputs) and results (an :class:`~equivalence.execution.Execution`) travel as
bytes made of

* ``MAGIC`` (4 bytes), the length of the header (8 bytes, little-endian);
* the header: JSON of strings, numbers, booleans, null, lists and objects only;
* the arrays' raw bytes, one after another, each described in the header by its dtype
  (``dtype.str``, such as ``<f4``), shape, offset and length, in C order.

Arrays are base ``np.ndarray`` copies (a subclass is viewed as a plain array first) of
booleans, integers, floats, complex numbers or ``str`` (``U``): anything else (object,
bytes, datetime, structured dtypes) is refused when encoding and when decoding. Reading
a message parses JSON and copies bytes into new arrays, nothing more; a malformed one
raises :class:`WireError`.

Inputs are a mapping of name to: an ndarray, a NumPy scalar, a Python ``bool``, ``int``,
``float``, ``complex``, ``str`` or ``None``, or lists, tuples and dicts of those. Each
value is tagged (``["nd", 0]``, ``["np", 1]``, ``["float", "0.1"]``, ``["tuple", [...]]``)
so that it decodes to the same type: an ndarray stays an ndarray, a ``np.float32``
scalar a ``np.float32``, a tuple a tuple. Subclasses of the Python types (an ``IntEnum``,
a ``namedtuple``, an ``OrderedDict``) and anything else raise :class:`Unsendable`.
"""

from __future__ import annotations

import json
import math
import struct
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .outcome import Execution

__all__ = [
    "SENDABLE_KINDS", "Unsendable", "WireError", "decode_document", "decode_execution", "decode_task",
    "encode_document", "encode_execution", "encode_task", "unsendable",
]  # fmt: skip

MAGIC = b"EQW1"
_LENGTH = struct.Struct("<Q")
#: dtype kinds that cross: bool, signed and unsigned integers, floats, complex, str.
SENDABLE_KINDS = "biufcU"
_MAX_NDIM = 64
_MAX_DEPTH = 200  # nested lists/tuples/dicts in inputs


class WireError(ValueError):
    """A message that is not one this module wrote."""


class Unsendable(TypeError):
    """An input that cannot cross as plain data: ``name`` is the input, ``what`` names the
    value (``function``, ``an array of dtype object``), ``where`` locates it inside the
    input (``[1]['k']``, empty for the input itself)."""

    def __init__(self, what: str, where: str = "", name: str | None = None) -> None:
        self.what, self.where, self.name = what, where, name
        place = f" (at {name}{where})" if where and name is not None else f" (at {where})" if where else ""
        prefix = "" if name is None else f"input {name!r} cannot be sent to a worker process: "
        super().__init__(f"{prefix}{what}{place}")


def _type_name(value: Any) -> str:
    kind = type(value)
    module = getattr(kind, "__module__", "")
    name = getattr(kind, "__qualname__", kind.__name__)
    return name if module in ("builtins", "numpy", "") else f"{module}.{name}"


def unsendable(value: Any) -> str | None:
    """Why ``value`` cannot travel as an output array, or None when it can.

    It can when it is an ``np.ndarray`` (a base one: subclasses are turned into base
    arrays before) of booleans, integers, floats, complex numbers or ``str``."""
    if not isinstance(value, np.ndarray):
        return f"returned {_type_name(value)}, not an array"
    if not _sendable_dtype(value.dtype):
        return (f"returned an array of dtype {value.dtype} ({_KIND_NAMES.get(value.dtype.kind, 'other')}); only "
                "arrays of booleans, integers, floats, complex numbers and str are compared")
    return None


def _sendable_dtype(dtype: np.dtype[Any]) -> bool:
    return dtype.kind in SENDABLE_KINDS and not dtype.hasobject and dtype.names is None and dtype.subdtype is None


_KIND_NAMES = {"O": "Python objects", "S": "bytes", "V": "raw or structured records", "M": "datetimes",
               "m": "time deltas", "T": "variable-length strings"}


def _base_array(value: np.ndarray) -> np.ndarray:
    """A C-ordered copy of ``value`` as a base ndarray, whatever its class overrides."""
    plain = value if type(value) is np.ndarray else np.ndarray.view(value, np.ndarray)
    return np.ndarray.copy(plain, order="C")


# -- framing -----------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.arrays: list[dict[str, Any]] = []
        self.blobs: list[bytes] = []
        self.offset = 0

    def array(self, array: np.ndarray) -> int:
        array = _base_array(array)
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
        return b"".join([MAGIC, _LENGTH.pack(len(text)), text, *self.blobs])


class _Reader:
    def __init__(self, data: bytes) -> None:
        view = memoryview(data)
        if len(view) < len(MAGIC) + _LENGTH.size or bytes(view[: len(MAGIC)]) != MAGIC:
            raise WireError("not a message of this protocol")
        (length,) = _LENGTH.unpack_from(view, len(MAGIC))
        start = len(MAGIC) + _LENGTH.size
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
        self.specs = _field(header, "arrays", list)

    def array(self, index: Any) -> np.ndarray:
        if type(index) is not int or not 0 <= index < len(self.specs):
            raise WireError(f"no array {index!r}")
        spec = self.specs[index]
        if not isinstance(spec, dict):
            raise WireError("an array description is not an object")
        code, shape = _field(spec, "dtype", str), _field(spec, "shape", list)
        offset, nbytes = _field(spec, "offset", int), _field(spec, "nbytes", int)
        try:
            dtype = np.dtype(code)
        except TypeError:
            raise WireError(f"unknown dtype {code!r}") from None
        if dtype.str != code or not _sendable_dtype(dtype):
            raise WireError(f"dtype {code!r} may not cross")
        if len(shape) > _MAX_NDIM or any(type(n) is not int or n < 0 for n in shape):
            raise WireError(f"bad shape {shape!r}")
        if nbytes != dtype.itemsize * math.prod(shape) or not 0 <= offset <= len(self.payload) - nbytes:
            raise WireError(f"array {index} does not fit its bytes")
        if nbytes == 0:
            return np.zeros(shape, dtype)
        return np.frombuffer(self.payload[offset : offset + nbytes], dtype).reshape(shape).copy()


def _field(mapping: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    value = mapping.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,))):
        raise WireError(f"field {key!r} is {type(value).__name__}, not {getattr(kind, '__name__', kind)}")
    return value


def _optional_str(mapping: dict[str, Any], key: str) -> str | None:
    return None if mapping.get(key) is None else _field(mapping, key, str)


def _str_dict(mapping: dict[str, Any], key: str) -> dict[str, str]:
    value = _field(mapping, key, dict)
    if not all(isinstance(v, str) for v in value.values()):
        raise WireError(f"field {key!r} holds a value that is not a string")
    return dict(value)


# -- values (inputs) ------------------------------------------------------------------------


def _encode_value(value: Any, writer: _Writer, where: str, depth: int = 0) -> list[Any]:
    if depth > _MAX_DEPTH:
        raise Unsendable(f"values nested more than {_MAX_DEPTH} deep (a list that contains itself?)")
    kind = type(value)
    if isinstance(value, np.ndarray):
        if not _sendable_dtype(value.dtype):
            raise Unsendable(f"an array of dtype {value.dtype}", where)
        return ["nd", writer.array(value)]
    if isinstance(value, np.generic):
        array = np.asarray(value)
        if unsendable(array) is not None or type(array[()]) is not kind:
            raise Unsendable(f"a NumPy scalar of type {_type_name(value)}", where)
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
        return [kind.__name__, [_encode_value(v, writer, f"{where}[{i}]", depth + 1) for i, v in enumerate(value)]]
    if kind is dict:
        return ["dict", [[_encode_value(k, writer, f"{where} (a key)", depth + 1),
                          _encode_value(v, writer, f"{where}[{k!r}]", depth + 1)] for k, v in value.items()]]
    raise Unsendable(_type_name(value), where)


def _decode_value(tagged: Any, reader: _Reader, depth: int = 0) -> Any:
    if depth > _MAX_DEPTH + 1 or not isinstance(tagged, list) or len(tagged) != 2 or not isinstance(tagged[0], str):
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
        items = [_decode_value(v, reader, depth + 1) for v in body]
        return items if tag == "list" else tuple(items)
    if tag == "dict" and isinstance(body, list):
        pairs = {}
        for pair in body:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("a malformed dict entry")
            pairs[_decode_value(pair[0], reader, depth + 1)] = _decode_value(pair[1], reader, depth + 1)
        return pairs
    raise WireError(f"unknown value tag {tag!r}")


# -- tasks -------------------------------------------------------------------------------


def encode_task(case_path: str, case_id: str, backend: str, inputs: dict[str, Any]) -> bytes:
    """A task as bytes; raises :class:`Unsendable` naming the input that cannot cross:
    ``input 'f' cannot be sent to a worker process: function``."""
    writer = _Writer()
    encoded = []
    for name, value in inputs.items():
        try:
            encoded.append([str(name), _encode_value(value, writer, "")])
        except Unsendable as exc:
            raise Unsendable(exc.what, exc.where, name=str(name)) from None
    return writer.finish({"kind": "task", "case_path": str(case_path), "case_id": str(case_id),
                          "backend": str(backend), "inputs": encoded})


def decode_task(data: bytes) -> tuple[str, str, str, dict[str, Any]]:
    """``(case_path, case_id, backend, inputs)`` from :func:`encode_task`'s bytes."""
    try:
        reader = _Reader(data)
        header = reader.header
        if header.get("kind") != "task":
            raise WireError("not a task")
        inputs = {}
        for pair in _field(header, "inputs", list):
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                raise WireError("a malformed input")
            inputs[pair[0]] = _decode_value(pair[1], reader)
        return (_field(header, "case_path", str), _field(header, "case_id", str), _field(header, "backend", str),
                inputs)
    except WireError:
        raise
    except Exception as exc:  # anything a malformed message makes the checks above raise
        raise WireError(f"a malformed task: {type(exc).__name__}: {exc}") from None


# -- documents: any plain data -------------------------------------------------------------


def encode_document(kind: str, header: dict[str, Any], values: dict[str, Any]) -> bytes:
    """A message of plain data: ``header`` as JSON (strings, numbers, booleans, None, lists,
    dicts with string keys; NaN and infinities as Python's ``json`` writes them) and
    ``values``, name -> anything an input may be (arrays, NumPy scalars, Python scalars,
    lists, tuples and dicts of them), decoded to the same types.

    Raises :class:`Unsendable` for a value that cannot cross (``where`` starts with its
    name) and ``TypeError``/``ValueError`` for a header that is not JSON data."""
    writer = _Writer()
    encoded = []
    for name, value in values.items():
        try:
            encoded.append([str(name), _encode_value(value, writer, "")])
        except Unsendable as exc:
            raise Unsendable(exc.what, f"{name}{exc.where}") from None
    return writer.finish({"kind": "document", "document": str(kind), "header": header, "values": encoded})


def decode_document(data: bytes, kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(header, values)`` of :func:`encode_document`'s message of this ``kind``; anything
    else raises WireError."""
    try:
        reader = _Reader(data)
        found = reader.header
        if found.get("kind") != "document" or found.get("document") != kind:
            raise WireError(f"not a {kind!r} document")
        header = _field(found, "header", dict)
        values = {}
        for pair in _field(found, "values", list):
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                raise WireError("a malformed value entry")
            values[pair[0]] = _decode_value(pair[1], reader)
        return header, values
    except WireError:
        raise
    except Exception as exc:
        raise WireError(f"a malformed {kind!r} document: {type(exc).__name__}: {exc}") from None


# -- executions ----------------------------------------------------------------------------


def encode_execution(execution: Execution) -> bytes:
    """An Execution as bytes. An output that cannot cross becomes an output error
    saying what was returned (the worker converts outputs before: this is the guard)."""
    writer = _Writer()
    outputs: list[list[Any]] = []
    output_errors = {str(k): str(v) for k, v in execution.output_errors.items()}
    dtypes = {str(k): str(v) for k, v in execution.dtypes.items()}
    for name, array in execution.outputs.items():
        reason = unsendable(array)
        if reason is not None:
            output_errors[str(name)] = f"cannot send output: {reason}"
            dtypes.pop(str(name), None)
            continue
        outputs.append([str(name), writer.array(array)])
    error = execution.error
    return writer.finish({
        "kind": "execution",
        "case_id": str(execution.case_id),
        "backend": str(execution.backend),
        "outputs": outputs,
        "dtypes": dtypes,
        "output_errors": output_errors,
        "error": None if error is None else {"type": str(error.type), "message": str(error.message),
                                             "traceback": str(error.traceback)},
        "skipped": None if execution.skipped is None else str(execution.skipped),
        "seconds": float(execution.seconds) if math.isfinite(execution.seconds) else 0.0,
    })


def decode_execution(data: bytes) -> Execution:
    """The Execution :func:`encode_execution` wrote; anything else raises WireError."""
    from .outcome import ErrorInfo, Execution

    try:
        reader = _Reader(data)
        header = reader.header
        if header.get("kind") != "execution":
            raise WireError("not an execution")
        outputs = {}
        for pair in _field(header, "outputs", list):
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                raise WireError("a malformed output")
            outputs[pair[0]] = reader.array(pair[1])
        error = header.get("error")
        if error is not None:
            if not isinstance(error, dict):
                raise WireError("field 'error' is not an object")
            error = ErrorInfo(_field(error, "type", str), _field(error, "message", str), _field(error, "traceback", str))
        seconds = _field(header, "seconds", (int, float))
        return Execution(
            _field(header, "case_id", str), _field(header, "backend", str), outputs=outputs,
            dtypes=_str_dict(header, "dtypes"), output_errors=_str_dict(header, "output_errors"),
            error=error, skipped=_optional_str(header, "skipped"), seconds=float(seconds),
        )
    except WireError:
        raise
    except Exception as exc:
        raise WireError(f"a malformed execution: {type(exc).__name__}: {exc}") from None
