"""What crosses between the parent and a worker process: plain data, never a pickle.

Unpickling runs code: an array subclass returned by a case could, unpickled in the
parent, patch the comparison and make any case pass. So the messages here travel as
the bytes of :mod:`equivalence._wire_format`: a JSON header and raw array bytes. They are

* a task (:func:`encode_task`): the case's file, id, backend and inputs;
* a result (:func:`encode_execution`): an :class:`~equivalence.execution.Execution`;
* a document (:func:`encode_document`): any plain data under a kind name (the cases'
  manifest of :mod:`equivalence.manifest`).

Arrays are base ``np.ndarray`` copies of booleans, integers, floats, complex numbers or
``str`` (``U``): anything else (object, bytes, datetime, structured dtypes) is refused
when encoding and when decoding. Reading a message parses JSON and copies bytes into new
arrays, nothing more; a malformed one, or one of another kind, raises :class:`WireError`.

Inputs are a mapping of name to: an ndarray, a NumPy scalar, a Python ``bool``, ``int``,
``float``, ``complex``, ``str`` or ``None``, or lists, tuples and dicts of those. Each
value is tagged so that it decodes to the same type: an ndarray stays an ndarray, a
``np.float32`` scalar a ``np.float32``, a tuple a tuple. Subclasses of the Python types
(an ``IntEnum``, a ``namedtuple``, an ``OrderedDict``) and anything else raise
:class:`Unsendable`, naming the input. An output that cannot cross becomes that output's
error in the Execution, never a failed message.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ._wire_format import (
    SENDABLE_KINDS,
    Reader,
    Unsendable,
    WireError,
    Writer,
    decode_value,
    encode_value,
    field,
    optional_str,
    str_dict,
    unsendable,
)

if TYPE_CHECKING:
    from .outcome import Execution

__all__ = [
    "SENDABLE_KINDS", "Unsendable", "WireError", "decode_document", "decode_execution", "decode_task",
    "encode_document", "encode_execution", "encode_task", "unsendable",
]  # fmt: skip


# -- tasks -------------------------------------------------------------------------------


def encode_task(case_path: str, case_id: str, backend: str, inputs: dict[str, Any]) -> bytes:
    """A task as bytes; raises :class:`Unsendable` naming the input that cannot cross:
    ``input 'f' cannot be sent to a worker process: function``."""
    writer = Writer()
    encoded = []
    for name, value in inputs.items():
        try:
            encoded.append([str(name), encode_value(value, writer, "")])
        except Unsendable as exc:
            raise Unsendable(exc.what, exc.where, name=str(name)) from None
    return writer.finish({"kind": "task", "case_path": str(case_path), "case_id": str(case_id),
                          "backend": str(backend), "inputs": encoded})


def decode_task(data: bytes) -> tuple[str, str, str, dict[str, Any]]:
    """``(case_path, case_id, backend, inputs)`` from :func:`encode_task`'s bytes."""
    try:
        reader = Reader(data)
        header = reader.header
        if header.get("kind") != "task":
            raise WireError("not a task")
        inputs = {}
        for pair in field(header, "inputs", list):
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                raise WireError("a malformed input")
            inputs[pair[0]] = decode_value(pair[1], reader)
        return (field(header, "case_path", str), field(header, "case_id", str), field(header, "backend", str),
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
    writer = Writer()
    encoded = []
    for name, value in values.items():
        try:
            encoded.append([str(name), encode_value(value, writer, "")])
        except Unsendable as exc:
            raise Unsendable(exc.what, f"{name}{exc.where}") from None
    return writer.finish({"kind": "document", "document": str(kind), "header": header, "values": encoded})


def decode_document(data: bytes, kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(header, values)`` of :func:`encode_document`'s message of this ``kind``; anything
    else raises WireError."""
    try:
        reader = Reader(data)
        found = reader.header
        if found.get("kind") != "document" or found.get("document") != kind:
            raise WireError(f"not a {kind!r} document")
        header = field(found, "header", dict)
        values = {}
        for pair in field(found, "values", list):
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                raise WireError("a malformed value entry")
            values[pair[0]] = decode_value(pair[1], reader)
        return header, values
    except WireError:
        raise
    except Exception as exc:
        raise WireError(f"a malformed {kind!r} document: {type(exc).__name__}: {exc}") from None


# -- executions ----------------------------------------------------------------------------


def encode_execution(execution: Execution) -> bytes:
    """An Execution as bytes. An output that cannot cross becomes an output error
    saying what was returned (the worker converts outputs before: this is the guard)."""
    writer = Writer()
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
        reader = Reader(data)
        header = reader.header
        if header.get("kind") != "execution":
            raise WireError("not an execution")
        outputs = {}
        for pair in field(header, "outputs", list):
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                raise WireError("a malformed output")
            outputs[pair[0]] = reader.array(pair[1])
        error = header.get("error")
        if error is not None:
            if not isinstance(error, dict):
                raise WireError("field 'error' is not an object")
            error = ErrorInfo(field(error, "type", str), field(error, "message", str), field(error, "traceback", str))
        seconds = field(header, "seconds", (int, float))
        return Execution(
            field(header, "case_id", str), field(header, "backend", str), outputs=outputs,
            dtypes=str_dict(header, "dtypes"), output_errors=str_dict(header, "output_errors"),
            error=error, skipped=optional_str(header, "skipped"), seconds=float(seconds),
        )
    except WireError:
        raise
    except Exception as exc:
        raise WireError(f"a malformed execution: {type(exc).__name__}: {exc}") from None
