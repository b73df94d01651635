"""Declaring a sweep: how a case's inputs may vary, as plain data.

A sweep is data, never code: the dtypes to try, named sizes shared between inputs, and
for each input that varies what its values are (:class:`Floats`, :class:`Ints`,
:class:`Bools`, :class:`OneHot`, :class:`Dims`). The engine turns that data into
hypothesis strategies in the process that compares (:mod:`equivalence.sweep.strategies`),
so examples are drawn, shrunk and replayed from the example database without running
any case code there; the case's implementations run in the backends' worker processes
as in ``run``. Inputs the sweep does not name keep the case's fixed values (float arrays
among them take the example's dtype)::

    case = Case(..., sweep=Sweep(
        dims={"n": (0, 8)},                                   # a size, from 0 to 8
        inputs={"a": Floats(("n",), -100, 100)},               # a vector of n floats in [-100, 100]
        dtypes=("float32", "float64", "float16", "bfloat16"),  # the example's dtype
    ))

The input kinds and the size expressions of their shapes are
:mod:`equivalence.sweep.inputs`' (importable from here too).

``oracle`` names the implementation that runs on the example in float64 (every float
input cast up exactly): NumPy by default, or a framework's own float64 path. Each
backend's error against it decides which side of a disagreement is wrong
(:mod:`equivalence.sweep.oracle`). ``known_differences`` are the sweep's own, measured
over the sweep (``KnownDifference(..., references="oracle")`` bounds a backend's
distance from the oracle); the case's fixed-input declarations do not apply to sweeps.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..case import KnownDifference
from ..tolerance import Tolerance
from .inputs import (
    FLOAT_DTYPES,
    INT_DTYPES,
    KINDS,
    Bools,
    Dims,
    Floats,
    Ints,
    OneHot,
    Size,
    Spec,
    evaluate,
    referenced_dims,
)

__all__ = ["FLOAT_DTYPES", "INT_DTYPES", "Bools", "Dims", "Floats", "Ints", "OneHot", "Size", "Spec", "Sweep", "evaluate",
           "sweep_data", "sweep_from_data", "sweeps_of"]


@dataclass(frozen=True)
class Sweep:
    """How a case's inputs vary: see the module docstring.

    ``tolerance`` is one :class:`~equivalence.tolerance.Tolerance` (scoped ones too) or a
    mapping from dtype name to a case-style tolerance (one, scoped ones, or a mapping by
    output), for the comparisons; None takes the per-dtype defaults. ``known_differences`` is a sequence, or a mapping from dtype name
    (``"*"``: every dtype) to the declarations that hold for examples of that dtype (a
    bfloat16 rounding bound need not hold for float32). ``name`` tells apart several
    sweeps of one case."""

    inputs: Mapping[str, Spec] = field(default_factory=dict)
    dims: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    dtypes: Sequence[str] = ("float32", "float64", "float16", "bfloat16")
    oracle: str | None = "numpy"
    known_differences: Sequence[KnownDifference] | Mapping[str, Sequence[KnownDifference]] = ()
    tolerance: Tolerance | Sequence[Tolerance] | Mapping[str, Tolerance] | None = None
    name: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", dict(self.inputs))
        object.__setattr__(self, "dims", {k: (int(v[0]), int(v[1])) for k, v in self.dims.items()})
        object.__setattr__(self, "dtypes", tuple(self.dtypes))
        known: Any = self.known_differences
        if isinstance(known, Mapping):
            bad = [k for k in known if k != "*" and k not in FLOAT_DTYPES]
            if bad:
                raise ValueError(f"a sweep's known differences are keyed by dtype or '*', got {bad}")
            known = {k: tuple(v) for k, v in known.items()}
        else:
            known = {"*": tuple(known)}
        object.__setattr__(self, "known_differences", known)
        if not self.dtypes:
            raise ValueError("a sweep needs at least one dtype")
        unknown = [d for d in self.dtypes if d not in FLOAT_DTYPES]
        if unknown:
            raise ValueError(f"sweep dtypes must be among {', '.join(FLOAT_DTYPES)}, got {', '.join(unknown)}")
        for name, (low, high) in self.dims.items():
            if not 0 <= low <= high:
                raise ValueError(f"sweep dimension {name!r}: need 0 <= min <= max, got ({low}, {high})")
        for name, spec in self.inputs.items():
            if not isinstance(spec, tuple(KINDS.values())):
                raise TypeError(f"sweep input {name!r}: expected Floats, Ints, Bools, OneHot or Dims, got {spec!r}")
            missing = [n for n in referenced_dims(spec) if n not in self.dims]
            if missing:
                raise ValueError(f"sweep input {name!r} uses undeclared dimension(s) {', '.join(missing)}")
        groups: Mapping[str, Sequence[KnownDifference]] = self.known_differences  # type: ignore[assignment]
        for declared in (k for group in groups.values() for k in group):
            if declared.at is not None:
                raise ValueError("a sweep's known difference cannot name elements (at=): shapes vary")
        if self.name and not re.fullmatch(r"[\w.-]+", self.name):
            raise ValueError(f"a sweep name is letters, digits, '.', '-' and '_', got {self.name!r}")
        from ..backends import implementation_names

        if self.oracle is not None and self.oracle not in implementation_names():
            raise ValueError(f"sweep oracle {self.oracle!r} is not an implementation name "
                             f"({', '.join(implementation_names())})")
        self.tolerance_for_dtype("float32")  # checks the type

    def known_for_dtype(self, dtype: str) -> list[KnownDifference]:
        """The declarations that hold for examples of ``dtype``: that dtype's, then ``"*"``'s."""
        groups: Mapping[str, Sequence[KnownDifference]] = self.known_differences  # type: ignore[assignment]
        return [*groups.get(dtype, ()), *groups.get("*", ())]

    def tolerance_for_dtype(self, dtype: str) -> Tolerance | Sequence[Tolerance] | None:
        """The case-style tolerance for the comparisons of examples of ``dtype``."""
        tolerance = self.tolerance
        if tolerance is None or isinstance(tolerance, Tolerance):
            return tolerance
        if isinstance(tolerance, Mapping):
            bad = [k for k in tolerance if k not in FLOAT_DTYPES]
            if bad:
                raise ValueError(f"a sweep's tolerance mapping is keyed by dtype ({', '.join(FLOAT_DTYPES)}), got {bad}")
            return tolerance.get(dtype)  # a Tolerance, or a case-style mapping by output or scoped list
        if not all(isinstance(t, Tolerance) for t in tolerance):
            raise TypeError("a sweep's tolerance is a Tolerance, a sequence of them or a mapping by dtype")
        return list(tolerance)

    # -- as plain data (the manifest carries it from the discovery process) ---------------

    def to_data(self) -> dict[str, Any]:
        def spec_data(spec: Spec) -> dict[str, Any]:
            kind = next(k for k, cls in KINDS.items() if isinstance(spec, cls))
            values = {f: getattr(spec, f) for f in spec.__dataclass_fields__}
            values = {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}
            return {"kind": kind, **values}

        tolerance: Any = self.tolerance
        if isinstance(tolerance, Mapping):
            tolerance = {"by_dtype": {k: _case_tolerance_data(v) for k, v in tolerance.items()}}
        else:
            tolerance = _case_tolerance_data(tolerance)
        return {
            "name": self.name, "description": self.description, "oracle": self.oracle,
            "dtypes": list(self.dtypes), "dims": {k: list(v) for k, v in self.dims.items()},
            "inputs": {name: spec_data(spec) for name, spec in self.inputs.items()},
            "known_differences": {d: [_known_data(k) for k in group]
                                  for d, group in self.known_differences.items()},  # type: ignore[union-attr]
            "tolerance": tolerance,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Sweep:
        inputs = {}
        for name, spec in data["inputs"].items():
            spec = dict(spec)
            kind = KINDS[spec.pop("kind")]
            inputs[name] = kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()})
        tolerance: Any = data["tolerance"]
        if tolerance is not None and "by_dtype" in tolerance:
            tolerance = {k: _case_tolerance_from(v) for k, v in tolerance["by_dtype"].items()}
        else:
            tolerance = _case_tolerance_from(tolerance)
        return cls(inputs=inputs, dims={k: tuple(v) for k, v in data["dims"].items()}, dtypes=tuple(data["dtypes"]),
                   oracle=data["oracle"],
                   known_differences={d: [_known_from(k) for k in group] for d, group in data["known_differences"].items()},
                   tolerance=tolerance, name=data["name"], description=data["description"])


def _patterns(value: Any) -> Any:
    return value if isinstance(value, str) else list(value)


def _case_tolerance_data(tol: Any) -> Any:
    """A case-style tolerance (one, a mapping by output, or scoped ones) as data."""
    if tol is None:
        return None
    if isinstance(tol, Tolerance):
        return {"one": _tolerance_data(tol)}
    if isinstance(tol, Mapping):
        return {"by_output": [[k, _tolerance_data(v)] for k, v in tol.items()]}
    return {"scoped": [_tolerance_data(t) for t in tol]}


def _case_tolerance_from(data: Any) -> Any:
    if data is None:
        return None
    if "one" in data:
        return _tolerance_from(data["one"])
    if "by_output" in data:
        return {k: _tolerance_from(v) for k, v in data["by_output"]}
    return [_tolerance_from(t) for t in data["scoped"]]


def _tolerance_data(tol: Tolerance) -> dict[str, Any]:
    return {"rtol": tol.rtol, "atol": tol.atol, "outputs": _patterns(tol.outputs),
            "backends": _patterns(tol.backends), "references": _patterns(tol.references)}


def _tolerance_from(data: Mapping[str, Any]) -> Tolerance:
    return Tolerance(data["rtol"], data["atol"], outputs=data["outputs"], backends=data["backends"],
                     references=data["references"])


def _known_data(known: KnownDifference) -> dict[str, Any]:
    return {"reason": known.reason, "outputs": _patterns(known.outputs), "backends": _patterns(known.backends),
            "references": _patterns(known.references), "kind": list(known.kinds), "max_abs": known.max_abs,
            "max_rel": known.max_rel, "max_ulp": known.max_ulp, "mismatched": known.mismatched}


def _known_from(data: Mapping[str, Any]) -> KnownDifference:
    return KnownDifference(data["reason"], outputs=data["outputs"], backends=data["backends"],
                           references=data["references"],
                           kind=data["kind"][0] if len(data["kind"]) == 1 else tuple(data["kind"]), max_abs=data["max_abs"],
                           max_rel=data["max_rel"], max_ulp=data["max_ulp"], mismatched=data["mismatched"])


def sweeps_of(case: Any) -> list[Sweep]:
    """A case's sweeps (its ``sweep`` field: None, one :class:`Sweep` or several), each
    checked; several need distinct names."""
    declared = getattr(case, "sweep", None)
    if declared is None:
        return []
    found = [declared] if isinstance(declared, Sweep) else list(declared)
    for sweep in found:
        if not isinstance(sweep, Sweep):
            raise TypeError(f"case {case.id}: sweep must be a Sweep or a list of them, got {type(sweep).__name__}")
    names = [s.name for s in found]
    if len(set(names)) != len(names):
        raise TypeError(f"case {case.id}: several sweeps need distinct names, got {names}")
    return found


def sweep_data(case: Any) -> list[dict[str, Any]] | None:
    """The case's sweeps as data for the manifest (None: it declares none)."""
    found = sweeps_of(case)
    return [s.to_data() for s in found] if found else None


def sweep_from_data(data: Any) -> list[Sweep] | None:
    return None if not data else [Sweep.from_data(d) for d in data]
