"""Running one case in one backend, so that nothing it does leaks out.

``execute(case, backend, inputs)`` gives the backend its own copy of the inputs,
seeds every generator with the case's seed, saves the global state a case may change
(default dtype and device, grad mode, RNG states, NumPy error settings, Keras floatx,
flushing of denormals, Python's warning filters) and restores it afterwards, times the
call, and turns the returned outputs into base NumPy arrays (never a subclass) of
numbers, booleans or strings, as :mod:`equivalence._wire` can send them. An
implementation that takes a ``compile`` argument receives the backend's (the identity,
or ``tf.function``/``torch.compile`` for an execution mode). An
exception becomes an :class:`ErrorInfo` with the traceback lines that point into the
case; it never propagates. Per-output problems (an output that is ``None`` or not an
array) are kept per output, so the other outputs are still compared.
"""

from __future__ import annotations

import copy
import inspect
import random
import time
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from ._text import printable
from ._wire import unsendable
from .backends import get_backend
from .case import Case
from .outcome import ErrorInfo, Execution

__all__ = ["ErrorInfo", "Execution", "applies", "convert_inputs", "execute"]

def convert_inputs(inputs: Mapping[str, Any], backend_name: str) -> dict[str, Any]:
    """A fresh copy of ``inputs`` for one backend: arrays become its tensors."""
    backend = get_backend(backend_name)
    converted = {}
    for name, value in inputs.items():
        if isinstance(value, (np.ndarray, np.generic)):
            converted[name] = backend.from_numpy(np.asarray(value))
        else:
            converted[name] = copy.deepcopy(value)
    return converted


def applies(case: Case, backend_name: str) -> bool:
    """Whether ``backend_name`` has something to run for ``case``.

    A plain backend applies to every case (a missing implementation is a skip worth
    reporting); an execution mode only to cases whose implementation takes ``compile``.
    """
    backend = get_backend(backend_name)
    if not backend.is_mode:
        return True
    implementation = case.implementations.get(backend.implementation)
    return implementation is not None and "compile" in inspect.signature(implementation).parameters


def execute(case: Case, backend_name: str, inputs: Mapping[str, Any]) -> Execution:
    result = Execution(case.id, backend_name)
    backend = get_backend(backend_name)
    reason = backend.unavailable_reason()
    implementation = case.implementations.get(backend.implementation)
    if implementation is None or not applies(case, backend_name):  # not a skip: nothing to run here
        result.not_applicable = True
        result.skipped = (f"case {case.id} has no {backend.implementation} implementation" if implementation is None
                          else f"case {case.id} has no compiled step (its implementation takes no `compile` argument)")
        return result
    if reason is not None:
        result.skipped = reason
        return result
    takes_compile = "compile" in inspect.signature(implementation).parameters
    numpy_backend = get_backend("numpy")
    try:
        module = backend.load()
        states = [(b, b.save_state()) for b in {numpy_backend, backend}]
    except Exception as exc:  # a framework that fails to import is an error of this row
        result.error = ErrorInfo.from_exception(exc)
        return result
    python_random = random.getstate()
    warning_state = _save_warnings()
    try:
        random.seed(case.seed)
        numpy_backend.seed(case.seed)
        backend.seed(case.seed)
        arguments = convert_inputs(inputs, backend_name)
        start = time.perf_counter()
        if takes_compile:
            arguments["compile"] = backend.compile
        returned = implementation(module, **arguments)
        result.seconds = time.perf_counter() - start
        _collect(result, backend, returned)
    except Exception as exc:
        result.error = ErrorInfo.from_exception(exc)
    finally:
        for b, state in states:
            b.restore_state(state)
        random.setstate(python_random)
        _restore_warnings(warning_state)
    return result


def _save_warnings() -> tuple[Any, Any, Any]:
    return warnings.filters, list(warnings.filters), warnings.showwarning


def _restore_warnings(state: tuple[Any, Any, Any]) -> None:
    """Python's warning filters and ``warnings.showwarning`` as they were: a case's
    ``warnings.simplefilter("error")`` must not turn the next case's warnings into errors.
    (Unlike ``warnings.catch_warnings``, nothing is touched when nothing changed, so
    "show once" warnings are still shown once per run, not once per case.)"""
    filters, saved, showwarning = state
    if warnings.filters is not filters or filters != saved:
        filters[:] = saved
        warnings.filters = filters
        mutated = getattr(warnings, "_filters_mutated", None)  # drops the "once" caches
        if mutated is not None:
            mutated()
    if warnings.showwarning is not showwarning:
        warnings.showwarning = showwarning


def _collect(result: Execution, backend: Any, returned: Any) -> None:
    if not isinstance(returned, Mapping):
        raise TypeError(
            f"the {result.backend} implementation returned {type(returned).__name__}; "
            "expected a mapping of output name to array"
        )
    for name, value in returned.items():
        name = str(name)
        if value is None:
            result.output_errors[name] = "output is None (an unconnected gradient?)"
            continue
        try:
            array, dtype = backend.to_numpy(value)
            if isinstance(array, np.ndarray) and type(array) is not np.ndarray:
                # A subclass (np.matrix, a masked array, one of the case's own) may override
                # comparison or pickling: keep only its data, as a base ndarray.
                array = np.ndarray.view(array, np.ndarray).copy()
            reason = unsendable(array)  # what may cross from a worker process: the same in-process
            if reason is not None:
                raise TypeError(reason)
            result.outputs[name], result.dtypes[name] = array, str(dtype)
        except Exception as exc:
            result.output_errors[name] = printable(f"cannot convert output: {type(exc).__name__}: {exc}")
