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

import contextlib
import fnmatch
import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .documented import Printed, printed
from .tolerance import Patterns, Scope, Tolerance

Implementation = Callable[..., Mapping[str, Any]]

__all__ = ["Case", "KnownDifference", "Source"]


@dataclass(frozen=True)
class Source:
    """Where a computation is published: a document file and a section in it."""

    document: str
    section: str

    def __str__(self) -> str:
        return f"{self.document} § {self.section}"


#: What a comparison can differ in; a :class:`KnownDifference` names which it declares.
KINDS = ("values", "dtype", "shape", "message", "missing", "error")


@dataclass(frozen=True)
class KnownDifference(Scope):
    """An expected mismatch: what differs, how far, and why.

    The scope (``outputs``, ``backends``, ``references``, see :class:`Scope`) says which
    rows; a pair of sides is unordered, so a declaration holds whichever side is the
    reference. ``kind`` says what differs, one or several of :data:`KINDS`:

    - ``values``: numbers beyond the tolerance (or other printed digits, against a
      document). Needs a bound: ``max_abs``, ``max_rel``, ``max_ulp`` and/or
      ``mismatched`` (how many elements may differ), measured today with a stated
      margin (``python -m equivalence bounds`` lists what a run measures). ``at`` (an
      index into the output, ``np.s_[20]``) names the only elements allowed to differ.
    - ``dtype``, ``shape``: the dtype, the shape differs.
    - ``message``: strings differ (an error message a case returns as an output).
    - ``missing``: one side has no such output; ``error``: one side raised.

    Every row it matches must differ in a declared way and within the bound: a matched
    row that differs in another way, or by more, is a ``fail`` ("beyond the declared
    known difference"); one that no longer differs is an ``unexpected_pass``.
    """

    reason: str = ""
    kind: str | Sequence[str] = "values"
    max_abs: float | None = None
    max_rel: float | None = None
    max_ulp: float | None = None
    mismatched: int | None = None
    at: Any = None

    def __init__(self, reason: str, *, outputs: Patterns = "*", backends: Patterns = "*",
                 references: Patterns = "*", kind: str | Sequence[str] = "values", max_abs: float | None = None,
                 max_rel: float | None = None, max_ulp: float | None = None, mismatched: int | None = None,
                 at: Any = None) -> None:
        for name, value in (("reason", reason), ("outputs", outputs), ("backends", backends),
                            ("references", references), ("kind", kind), ("max_abs", max_abs),
                            ("max_rel", max_rel), ("max_ulp", max_ulp), ("mismatched", mismatched), ("at", at)):
            object.__setattr__(self, name, value)
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown or not self.kinds:
            raise ValueError(f"known difference kind {kind!r}: each must be one of {', '.join(KINDS)}")
        # A declaration of values without a bound is allowed here, so that a run can
        # measure what to write; every row it matches fails, saying what was measured.
        if any(v < 0 for v in self.bounds.values()):
            raise ValueError(f"known difference bounds must be non-negative, got {self.bounds}")

    @property
    def kinds(self) -> tuple[str, ...]:
        return _tuple(self.kind)

    @property
    def bounds(self) -> dict[str, float]:
        """The declared bounds, by the row's column they limit."""
        pairs = (("max_abs_diff", self.max_abs), ("max_rel_diff", self.max_rel), ("max_ulp_diff", self.max_ulp),
                 ("mismatched", self.mismatched))
        return {column: float(v) for column, v in pairs if v is not None}

    def describe(self) -> str:
        """What is declared, as one line: ``values: max_abs ≤ 1e-06, at [20]``."""
        parts = [f"{_SHORT[c]} ≤ {v:.3g}" for c, v in self.bounds.items()]
        if self.at is not None:
            parts.append(f"at {_index_text(self.at)}")
        return ", ".join(self.kinds) + (": " + ", ".join(parts) if parts else "")


_SHORT = {"max_abs_diff": "max_abs", "max_rel_diff": "max_rel", "max_ulp_diff": "max_ulp", "mismatched": "mismatched"}


def _tuple(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _index_text(index: Any) -> str:
    """``np.s_[::20, 1]`` as ``[::20, 1]``."""
    def one(i: Any) -> str:
        if isinstance(i, slice):
            text = ":".join("" if v is None else str(v) for v in (i.start, i.stop, i.step))
            return text[:-1] if text.endswith(":") and i.step is None else text
        return repr(i)
    return "[" + ", ".join(one(i) for i in (index if isinstance(index, tuple) else (index,))) + "]"


@dataclass(eq=False)
class Case:
    """One documented computation, declared once and implemented per backend.

    ``inputs`` is a mapping of name to value, or a function ``inputs(rng)`` of a
    ``numpy.random.Generator`` seeded with ``seed`` that returns one. NumPy arrays and
    NumPy scalars are converted to each backend's tensor type; any other value (a
    learning rate, a step count) is passed as it is, deep-copied.

    ``tolerance`` is one :class:`Tolerance`, a sequence of scoped tolerances (the first
    whose scope matches the row wins: per output, per pair of backends), or a mapping
    from output name patterns to tolerances; rows none covers get the per-dtype defaults
    of :func:`equivalence.tolerance.default_tolerance`.

    ``documented`` maps output names to values the document *prints* (see
    :func:`equivalence.printed`; a plain string is parsed with ``printed``), compared by
    their printed text. ``expected`` maps output names to values the document never
    printed but that follow from it (derived by hand: say how in a comment), compared
    with the tolerance like a backend (reference ``expected``).

    ``source`` names the document; a case of your own may leave it out.

    ``trajectories`` names outputs whose first axis is the step of a loop, so reports
    can draw them as curves; ``plots`` adds pictures of the case's own, functions of an
    :class:`equivalence.report.pictures.PlotContext` returning a matplotlib figure
    (``equivalence.report.surface_hook`` draws a surface with descent paths).

    ``sweep`` declares how the inputs may vary beyond the fixed ones, as plain data
    (:class:`equivalence.sweep.Sweep`, or a list of named ones); ``python -m equivalence
    sweep`` searches those inputs for disagreements. None: the case is not swept.

    ``oracle`` names an implementation (``"numpy"``) to run once more on the fixed inputs
    cast up to float64; every backend is then also judged against it (reference
    ``oracle``) by the rule of :mod:`equivalence.sweep.oracle`, which says which backend is
    farther from the exact answer, not only that two backends disagree.
    """

    id: str
    title: str
    source: Source | None = None
    inputs: Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] = field(default_factory=dict)
    seed: int = 0
    description: str = ""
    tolerance: Tolerance | Mapping[str, Tolerance] | Sequence[Tolerance] | None = None
    documented: Mapping[str, Printed] = field(default_factory=dict)  # a str is parsed by printed()
    expected: Mapping[str, Any] = field(default_factory=dict)
    known_differences: Sequence[KnownDifference] = ()
    trajectories: Sequence[str] = ()
    plots: Sequence[Callable[[Any], Any]] = ()
    check_dtype: bool = True
    sweep: Any = None
    oracle: str | None = None
    implementations: dict[str, Implementation] = field(default_factory=dict, repr=False)
    #: The file the case was declared in (set by discovery).
    path: str = ""
    #: For a case rebuilt from plain data (:mod:`equivalence.manifest`): how many of its
    #: ``plots`` could not come along (they are case code).
    undrawn_plots: int = field(default=0, repr=False)

    #: Cases made while :meth:`track` is active (discovery: cases a file makes but hides).
    _tracking: ClassVar[list[list[Case]]] = []

    @classmethod
    @contextlib.contextmanager
    def track(cls) -> Iterator[list[Case]]:
        made: list[Case] = []
        cls._tracking.append(made)
        try:
            yield made
        finally:
            cls._tracking.remove(made)

    def __post_init__(self) -> None:
        for made in self._tracking:
            made.append(self)
        if not self.id or any(c.isspace() for c in self.id):
            raise ValueError(f"case id must be a non-empty string without spaces, got {self.id!r}")
        if self.oracle is not None:
            from .backends import implementation_names

            if self.oracle not in implementation_names():
                raise ValueError(f"case {self.id!r}: oracle {self.oracle!r} is not one of "
                                 f"{', '.join(implementation_names())}")
        import numpy as np

        self.expected = {name: np.asarray(value) for name, value in self.expected.items()}
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

    def tolerance_for(self, output: str, backend: str = "*", reference: str = "*") -> Tolerance | None:
        """The case's tolerance for one row, or None for the per-dtype defaults."""
        if self.tolerance is None:
            return None
        if isinstance(self.tolerance, Tolerance):
            candidates: list[Tolerance] = [self.tolerance]
        elif isinstance(self.tolerance, Mapping):
            candidates = [tol for pattern, tol in self.tolerance.items() if fnmatch.fnmatchcase(output, pattern)]
        else:
            candidates = list(self.tolerance)
        return next((t for t in candidates if t.matches(output, backend, reference)), None)

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
        source = getattr(fn, "source", None)  # an implementation in another process
        if isinstance(source, str):
            return source
        try:
            return inspect.getsource(fn)
        except (OSError, TypeError):
            return ""

