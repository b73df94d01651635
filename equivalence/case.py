"""Declaring a case: one computation, written once per framework.

A case is data (id, title, source, inputs, tolerances, documented values, known
differences) plus one implementation per backend::

    case = Case("001-1-square", "y = x² and dy/dx at x = 3",
                Source("001_f79c457c30bc01c1.txt", "tf.GradientTape"),
                inputs={"x": np.float32(3.0)},
                documented={"y": printed("9.0"), "dy_dx": printed("6.0")})

    @case.tensorflow
    def _(tf, x):
        x = tf.Variable(x)
        ...
        return {"y": y, "dy_dx": dy_dx}

Invariants:

- Inputs are made once, by NumPy (from ``seed`` when ``inputs`` is a function), and
  every backend receives its own copy converted to its own tensor type, so no backend
  can see another's changes (``torch.from_numpy`` would share memory; we copy).
- An implementation receives the framework module as its first argument and the
  inputs as keyword arguments, and returns a mapping of output name to array-like.
- Known differences are data: the runner turns them into ``known_difference`` or, when
  the difference has gone, ``unexpected_pass``.

Nothing here imports a framework; backend names are checked against the registry in
:mod:`equivalence.backends`, so adding a backend never touches this file.
"""

from __future__ import annotations

import fnmatch
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .documented import Printed, printed
from .tolerance import Tolerance

Implementation = Callable[..., Mapping[str, Any]]

__all__ = ["Case", "KnownDifference", "Source"]


@dataclass(frozen=True)
class Source:
    """Where a computation is published: a document file and a section in it."""

    document: str
    section: str

    def __str__(self) -> str:
        return f"{self.document} § {self.section}"


def _patterns(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class KnownDifference:
    """An expected mismatch, with its reason.

    ``outputs``, ``backends`` and ``references`` are ``fnmatch`` patterns (``"*"`` for
    all); ``references`` may name a backend or ``"documented"``. Every comparison row it
    matches must fail: a matched row that passes becomes ``unexpected_pass``, so a
    difference that disappears after an upgrade is reported, not hidden.
    """

    reason: str
    outputs: str | Sequence[str] = "*"
    backends: str | Sequence[str] = "*"
    references: str | Sequence[str] = "*"

    def matches(self, output: str, backend: str, reference: str) -> bool:
        return all(
            any(fnmatch.fnmatchcase(value, p) for p in _patterns(patterns))
            for value, patterns in (
                (output, self.outputs),
                (backend, self.backends),
                (reference, self.references),
            )
        )


@dataclass(eq=False)
class Case:
    """One documented computation, declared once and implemented per backend.

    ``inputs`` is a mapping of name to value, or a function ``inputs(rng)`` of a
    ``numpy.random.Generator`` seeded with ``seed`` that returns one. NumPy arrays and
    NumPy scalars are converted to each backend's tensor type; any other value (a
    learning rate, a step count) is passed as it is, deep-copied.

    ``tolerance`` is one :class:`Tolerance` for every output or a mapping from output
    name patterns to tolerances (first match wins); outputs it does not cover get the
    per-dtype defaults of :func:`equivalence.tolerance.default_tolerance`.

    ``documented`` maps output names to values the document prints (see
    :func:`equivalence.printed`); a plain string is parsed with ``printed``.

    ``trajectories`` names outputs whose first axis is the step of a loop, so reports
    can draw them as curves; ``plots`` adds pictures of the case's own, functions of an
    :class:`equivalence.report.pictures.PlotContext` returning a matplotlib figure
    (``equivalence.report.surface_hook`` draws a surface with descent paths).
    """

    id: str
    title: str
    source: Source
    inputs: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] = field(default_factory=dict)
    seed: int = 0
    description: str = ""
    tolerance: Tolerance | Mapping[str, Tolerance] | None = None
    documented: Mapping[str, Printed] = field(default_factory=dict)  # a str is parsed by printed()
    known_differences: Sequence[KnownDifference] = ()
    trajectories: Sequence[str] = ()
    plots: Sequence[Callable[[Any], Any]] = ()
    check_dtype: bool = True
    implementations: dict[str, Implementation] = field(default_factory=dict, repr=False)
    #: The file the case was declared in (set by discovery).
    path: str = ""

    def __post_init__(self) -> None:
        if not self.id or any(c.isspace() for c in self.id):
            raise ValueError(f"case id must be a non-empty string without spaces, got {self.id!r}")
        self.documented = {
            name: printed(value) if isinstance(value, str) else value
            for name, value in self.documented.items()
        }

    def implement(self, backend: str) -> Callable[[Implementation], Implementation]:
        """Decorator registering ``fn`` as this case's implementation for ``backend``."""
        from .backends import implementation_names

        if backend not in implementation_names():
            raise ValueError(
                f"unknown backend {backend!r} in case {self.id!r}; "
                f"known: {', '.join(implementation_names())}"
            )

        def register(fn: Implementation) -> Implementation:
            if backend in self.implementations:
                raise ValueError(f"case {self.id!r} implements {backend!r} twice")
            self.implementations[backend] = fn
            return fn

        return register

    def __getattr__(self, name: str) -> Callable[[Implementation], Implementation]:
        # ``@case.numpy``, ``@case.tensorflow``, ``@case.torch``: one spelling per
        # registered backend, without a method per backend here.
        from .backends import implementation_names

        if not name.startswith("_") and name in implementation_names():
            return self.implement(name)
        raise AttributeError(name)

    def tolerance_for(self, output: str) -> Tolerance | None:
        if self.tolerance is None or isinstance(self.tolerance, Tolerance):
            return self.tolerance
        for pattern, tol in self.tolerance.items():
            if fnmatch.fnmatchcase(output, pattern):
                return tol
        return None

    def known_difference(self, output: str, backend: str, reference: str) -> KnownDifference | None:
        for known in self.known_differences:
            if known.matches(output, backend, reference):
                return known
        return None

    def make_inputs(self) -> dict[str, Any]:
        """The inputs, made once; callers hand each backend a converted copy."""
        import numpy as np

        if callable(self.inputs):
            made = self.inputs(np.random.default_rng(self.seed))
        else:
            made = self.inputs
        if not isinstance(made, Mapping):
            raise TypeError(f"inputs of case {self.id!r} must be a mapping, got {type(made).__name__}")
        return dict(made)

    def source_code(self, backend: str) -> str:
        """The implementation's source, for reports."""
        fn = self.implementations.get(backend)
        if fn is None:
            return ""
        try:
            return inspect.getsource(fn)
        except (OSError, TypeError):
            return ""

