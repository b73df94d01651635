"""Cases as plain data: discovery in a process of its own, so that the verdict is out of
the cases' reach.

A case file is code. Imported into the process that compares and writes results, it
could patch the comparison (a real mismatch would then show ``pass``). So, for an
isolated run, discovery happens in a child process (``python -m equivalence.manifest
OUT PATH...``) that imports the case files, makes every case's inputs, and writes one
message of plain data (:mod:`equivalence._wire`: JSON and raw array bytes, never a
pickle): for each case its id, title, source, description, seed, tolerances, known
differences, documented and expected values, trajectories, which backends it
implements and whether each takes ``compile``, the implementations' source text, and
the inputs as made (or why making them failed); and every file that failed to load.

The parent rebuilds :class:`~equivalence.case.Case` objects from that data with engine
classes only: each implementation is a :class:`Remote` stub that knows its signature and
source but raises if called, because the implementations run in the backends' worker
processes (:mod:`equivalence.isolation`), which load the case file themselves. Case
``plots`` hooks are case code too: they are not drawn from an isolated run (the report
says so).
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .case import Case, KnownDifference, Source
from .discovery import DiscoveryError, LoadError
from .documented import Printed, printed
from .sweep.spec import sweep_data, sweep_from_data
from .tolerance import Tolerance

__all__ = ["DISCOVERY_TIMEOUT", "Remote", "decode", "discover_isolated", "encode"]

#: Wall-clock seconds the discovery process may take (importing case files, making inputs).
DISCOVERY_TIMEOUT = 900.0


class Remote:
    """An implementation that lives in another process: its signature and source, for
    :func:`~equivalence.execution.applies` and the report; calling it is a bug."""

    def __init__(self, backend: str, parameters: Sequence[str], source: str) -> None:
        self.backend, self.source = backend, source
        self.__signature__ = inspect.Signature(
            [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in parameters])

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"the {self.backend} implementation runs in a worker process, not in this one")


class _Unmade:
    """A case's ``inputs`` whose making failed in the discovery process: calling it
    raises that failure again, so the runner reports it like any other."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, rng: Any) -> Any:
        raise RuntimeError(self.message)


# -- indices (``at=``) as JSON ----------------------------------------------------------


def _index(index: Any) -> Any:
    import numpy as np

    if index is None or isinstance(index, (bool, int)) and not isinstance(index, bool):
        return index
    if isinstance(index, np.integer):
        return int(index)
    if isinstance(index, slice):
        return {"slice": [_index(index.start), _index(index.stop), _index(index.step)]}
    if index is Ellipsis:
        return {"ellipsis": True}
    if isinstance(index, (tuple, list)):
        return {type(index).__name__: [_index(i) for i in index]}
    if isinstance(index, np.ndarray) and index.dtype.kind in "biu":
        return {"array": index.tolist(), "dtype": str(index.dtype)}
    raise TypeError(f"an index that cannot be described as data: {index!r}")


def _unindex(data: Any) -> Any:
    import numpy as np

    if data is None or isinstance(data, int):
        return data
    if isinstance(data, dict):
        if "slice" in data:
            return slice(*(_unindex(v) for v in data["slice"]))
        if "ellipsis" in data:
            return Ellipsis
        if "tuple" in data:
            return tuple(_unindex(v) for v in data["tuple"])
        if "list" in data:
            return [_unindex(v) for v in data["list"]]
        if "array" in data:
            return np.asarray(data["array"], dtype=data["dtype"])
    raise ValueError(f"not an index: {data!r}")


# -- one case ------------------------------------------------------------------------------


def _scope(item: Any) -> dict[str, Any]:
    def patterns(value: Any) -> Any:
        return value if isinstance(value, str) else list(value)

    return {"outputs": patterns(item.outputs), "backends": patterns(item.backends),
            "references": patterns(item.references)}


def _tolerance(tol: Tolerance) -> dict[str, Any]:
    return {"rtol": tol.rtol, "atol": tol.atol, **_scope(tol)}


def describe(case: Case) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the case as JSON data, the values to send as arrays: inputs and expected)."""
    tolerance: Any = None
    if isinstance(case.tolerance, Tolerance):
        tolerance = {"one": _tolerance(case.tolerance)}
    elif isinstance(case.tolerance, Mapping):
        tolerance = {"by_output": [[k, _tolerance(v)] for k, v in case.tolerance.items()]}
    elif case.tolerance is not None:
        tolerance = {"scoped": [_tolerance(t) for t in case.tolerance if isinstance(t, Tolerance)]}
    implementations = {}
    for backend, fn in case.implementations.items():
        try:
            parameters = list(inspect.signature(fn).parameters)
        except (TypeError, ValueError):
            parameters = []
        implementations[backend] = {"parameters": parameters, "source": case.source_code(backend)}
    data = {
        "id": case.id, "title": case.title, "path": case.path, "seed": case.seed,
        "description": case.description, "check_dtype": case.check_dtype, "oracle": case.oracle,
        "source": None if case.source is None else [case.source.document, case.source.section],
        "tolerance": tolerance,
        "known_differences": [{"reason": k.reason, **_scope(k), "kind": list(k.kinds), "max_abs": k.max_abs,
                               "max_rel": k.max_rel, "max_ulp": k.max_ulp, "mismatched": k.mismatched,
                               "at": _index(k.at)} for k in case.known_differences],
        "documented": {name: {"text": p.text, "at": _index(p.at), "printer": p.printer, "dtype": p.dtype,
                              "per_step": p.per_step} for name, p in case.documented.items()},
        "trajectories": list(case.trajectories),
        "implementations": implementations,
        "plots": len(getattr(case, "plots", ())),
        "sweep": sweep_data(case),  # plain data: equivalence.sweep.spec
    }
    values: dict[str, Any] = {"expected": dict(case.expected)}
    try:
        values["inputs"] = case.make_inputs()
    except Exception as exc:
        from .execution import ErrorInfo

        data["inputs_error"] = str(ErrorInfo.from_exception(exc))
    return data, values


def rebuild(data: dict[str, Any], values: dict[str, Any]) -> Case:
    """A :class:`Case` from :func:`describe`'s data, made of engine classes only."""
    def tol(t: dict[str, Any]) -> Tolerance:
        return Tolerance(t["rtol"], t["atol"], outputs=t["outputs"], backends=t["backends"],
                         references=t["references"])

    spec = data["tolerance"]
    tolerance: Any = None
    if spec is not None:
        tolerance = (tol(spec["one"]) if "one" in spec else {k: tol(v) for k, v in spec["by_output"]}
                     if "by_output" in spec else [tol(t) for t in spec["scoped"]])
    documented: dict[str, Printed] = {
        name: printed(p["text"], _unindex(p["at"]), printer=p["printer"], dtype=p["dtype"], per_step=p["per_step"])
        for name, p in data["documented"].items()}
    known = [KnownDifference(k["reason"], outputs=k["outputs"], backends=k["backends"], references=k["references"],
                             kind=tuple(k["kind"]), max_abs=k["max_abs"], max_rel=k["max_rel"], max_ulp=k["max_ulp"],
                             mismatched=k["mismatched"], at=_unindex(k["at"])) for k in data["known_differences"]]
    inputs: Any = values["inputs"] if "inputs_error" not in data else _Unmade(data["inputs_error"])
    case = Case(
        id=data["id"], title=data["title"], source=None if data["source"] is None else Source(*data["source"]),
        inputs=inputs, seed=data["seed"], description=data["description"], tolerance=tolerance,
        documented=documented, expected=values.get("expected", {}), known_differences=known,
        trajectories=tuple(data["trajectories"]), check_dtype=data["check_dtype"], path=data["path"],
        sweep=sweep_from_data(data.get("sweep")), oracle=data.get("oracle"),
    )
    case.implementations = {b: Remote(b, i["parameters"], i["source"]) for b, i in data["implementations"].items()}
    case.undrawn_plots = data["plots"]
    return case


# -- the message -------------------------------------------------------------------------


def encode(cases: Iterable[Case], errors: Iterable[LoadError], problem: str | None = None) -> bytes:
    """Every case and load error as one plain-data message. An input that cannot cross
    makes that case's inputs an error (each backend of the case reports it, the run goes
    on); a case that cannot be described otherwise (an ``at=`` that is not an index, an
    expected value that is not an array) becomes a load error of its file."""
    from ._wire import Unsendable, encode_document

    described, values, failed = [], {}, [[e.path, e.error, e.traceback] for e in errors]
    for case in cases:
        try:
            data, arrays = describe(case)
            for name, value in arrays.get("inputs", {}).items():
                try:
                    encode_document("probe", {}, {"v": value})
                except Unsendable as exc:
                    data["inputs_error"] = f"input {name!r} cannot be sent to a worker process: {exc}"
                    del arrays["inputs"]
                    break
            encode_document("probe", {}, {"v": arrays})  # fails here, not for every case, if unsendable
        except (Unsendable, TypeError) as exc:
            failed.append([case.path, f"case {case.id} cannot be sent to the comparing process: {exc}", ""])
            continue
        described.append(data)
        values[case.id] = arrays
    return encode_document("manifest", {"cases": described, "errors": failed, "problem": problem}, values)


def decode(data: bytes) -> tuple[list[Case], list[LoadError]]:
    """The cases and load errors of :func:`encode`'s message; raises
    :class:`~equivalence.discovery.DiscoveryError` for what made discovery impossible."""
    from ._wire import decode_document

    header, values = decode_document(data, "manifest")
    if header.get("problem"):
        raise DiscoveryError(header["problem"])
    cases = [rebuild(c, values[c["id"]]) for c in header["cases"]]
    return cases, [LoadError(*e) for e in header["errors"]]


def discover_isolated(paths: Sequence[str | Path], timeout: float = DISCOVERY_TIMEOUT) -> tuple[list[Case], list[LoadError]]:
    """:func:`equivalence.discovery.discover` run in a child process: the cases as data."""
    from .discovery import case_files

    case_files(paths)  # a missing path is a usage error here, at once
    with tempfile.TemporaryDirectory(prefix="equivalence-manifest-") as scratch:
        out = Path(scratch) / "manifest"
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))}
        try:
            done = subprocess.run([sys.executable, "-m", "equivalence.manifest", str(out), *map(str, paths)],
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
                                  env=env, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise DiscoveryError(f"importing the case files took longer than {timeout:g} s") from None
        if not out.exists():
            tail = "\n".join(done.stderr.strip().splitlines()[-8:])
            raise DiscoveryError(f"the discovery process ended with exit code {done.returncode} and no result:\n{tail}")
        return decode(out.read_bytes())


def _main(out: str, paths: list[str]) -> None:
    from ._io import atomic_write_bytes
    from .discovery import discover

    try:
        cases, errors = discover(paths)
        message = encode(cases, errors)
    except DiscoveryError as exc:
        message = encode([], [], problem=str(exc))
    atomic_write_bytes(Path(out), message)


if __name__ == "__main__":  # python -m equivalence.manifest OUT PATH...
    _main(sys.argv[1], sys.argv[2:])
