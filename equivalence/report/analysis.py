"""What the report works out for one row: the element behind each maximum, where a loop
starts to diverge and how far it gets.

A row (:class:`~equivalence.Row`) carries its maxima, ``tolerances`` (how many
tolerances out the worst element is), ``first_mismatch`` and its largest differences
(``worst``). With the arrays behind it (the executions of an in-process or isolated run),
:func:`sides` recovers the two compared arrays and the report can show *which* element
makes each maximum (a "max rel inf" comes from an element whose expected value is 0, and
the table says so) and, for a trajectory, the tolerances step by step. With rows alone
(under pytest-xdist) it says what the row says, no more.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..results import DOCUMENTED, EXPECTED
from ._markup import tolerances_text

if TYPE_CHECKING:
    from ..case import Case
    from ..outcome import Execution
    from ..results import Row

__all__ = ["Divergence", "Element", "Sides", "divergence", "elements", "position", "sides"]

#: Largest differences listed beside the elements behind the maxima.
MORE = 3


@dataclass
class Sides:
    """The two arrays a row compared, element for element."""

    actual: np.ndarray
    expected: np.ndarray
    #: For documented values picked out of an output (``at=``): each compared element's
    #: flat position in the output; None when the output was compared whole.
    where: np.ndarray | None
    output_shape: tuple[int, ...]

    def output_index(self, flat: int) -> tuple[int, ...]:
        """The position in the output of the ``flat``-th compared element."""
        if self.where is None:
            return _unravel(flat, self.actual.shape)
        return _unravel(int(self.where.reshape(-1)[flat]), self.output_shape)


@dataclass
class Element:
    """One element of the worst-elements table, with why it is listed."""

    index: tuple[int, ...]
    actual: Any
    expected: Any
    abs: float
    rel: float
    ulp: float
    tolerances: float
    why: list[str]


@dataclass
class Divergence:
    """Where a trajectory leaves the tolerance and how far it goes."""

    first: int | None  # the first step outside the tolerance (or printed differently)
    steps: int | None = None
    outside: int | None = None  # steps with an element outside the tolerance
    worst_step: int | None = None
    worst: float = math.nan  # the most tolerances out, over the steps
    last: float = math.nan  # tolerances out at the last step
    documented: bool = False

    def text(self) -> str:
        """``diverges from step 50; by step 200 it is 3e3 tolerances out (...)``."""
        if self.first is None:
            return ""
        if self.documented:
            found = f"the printed values differ from step {self.first}"
            return found + (f" ({self.outside} of {self.steps} printed steps)" if self.outside is not None else "")
        parts = [f"diverges from step {self.first}"]
        if self.steps is not None and not math.isnan(self.last):
            last = f"by step {self.steps - 1} it is {_tol(self.last)} out"
            if self.worst_step is not None and self.worst_step != self.steps - 1:
                last += f" (the most: {_tol(self.worst)}, at step {self.worst_step})"
            parts.append(last)
        elif not math.isnan(self.worst):
            at = f", at step {self.worst_step}" if self.worst_step is not None else ""
            parts.append(f"at most {_tol(self.worst)} out{at}")
        return "; ".join(parts)

    def extent(self) -> str:
        """``151 of 201 steps outside the tolerance``, or ``""``."""
        if self.documented or self.outside is None or self.steps is None:
            return ""
        return f"{self.outside} of {self.steps} steps outside the tolerance"


def _tol(value: float) -> str:
    return f"{tolerances_text(value)} tolerance{'' if value == 1 else 's'}"


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def position(text: str) -> tuple[int, ...] | None:
    """``"(50, 1)"`` (a row's ``first_mismatch``) as a tuple; None for ``""``."""
    if not text:
        return None
    return tuple(int(i) for i in re.findall(r"-?\d+", text))


def _numeric(array: np.ndarray) -> bool:
    return array.dtype.kind in "fiub"


def sides(row: Row, case: Case | None, executions: Mapping[str, Execution]) -> Sides | None:
    """The arrays ``row`` compared, or None (rows alone, an error, a shape mismatch,
    strings or complex numbers)."""
    if case is None or row.output == "*":
        return None
    run = executions.get(row.backend)
    if run is None or not getattr(run, "ok", False) or row.output not in run.outputs:
        return None
    actual = np.asarray(run.outputs[row.output])
    where = None
    try:
        if row.reference == DOCUMENTED:
            doc = case.documented.get(row.output)
            if doc is None:
                return None
            where = np.asarray(doc.select(np.arange(actual.size).reshape(actual.shape)))
            selected, expected = np.asarray(doc.select(actual)), np.asarray(doc.values)
        elif row.reference == EXPECTED:
            selected, expected = actual, np.asarray(case.expected.get(row.output))
        else:
            ref = executions.get(row.reference)
            if ref is None or not getattr(ref, "ok", False) or row.output not in ref.outputs:
                return None
            selected, expected = actual, np.asarray(ref.outputs[row.output])
    except Exception:  # an at= that does not fit: the row says so already
        return None
    if selected.shape != expected.shape or not (_numeric(selected) and _numeric(expected)):
        return None
    return Sides(selected, expected, where, actual.shape)


def _stats(s: Sides, row: Row) -> dict[str, np.ndarray]:
    """Per element (flat): abs, rel, ulp and tolerances out, as the comparison defines them."""
    from ..compare import coarser, ulp_distance

    a = s.actual.reshape(-1).astype(np.float64)
    e = s.expected.reshape(-1).astype(np.float64)
    with np.errstate(all="ignore"):
        same = (a == e) | (np.isnan(a) & np.isnan(e))
        diff = np.abs(a - e)
        diff[same] = 0.0
        diff[~same & ~(np.isfinite(a) & np.isfinite(e))] = np.inf
        rel = np.divide(diff, np.abs(e), out=np.where(diff == 0, 0.0, np.inf), where=np.abs(e) > 0)
        if s.actual.dtype.kind == "f" or s.expected.dtype.kind == "f":
            ulp = ulp_distance(s.actual.reshape(-1), s.expected.reshape(-1).astype(s.actual.dtype)
                               if s.expected.dtype.kind != "f" else s.expected.reshape(-1),
                               coarser(str(row.dtype), str(row.reference_dtype or row.dtype)))
            ulp[same] = 0.0
        else:
            ulp = diff.copy()
        rtol, atol = float(row.rtol), float(row.atol)
        if row.reference == DOCUMENTED or math.isnan(rtol) or math.isnan(atol):
            ratio = np.full_like(diff, np.nan)
        else:
            bound = atol + rtol * np.abs(e)
            ratio = np.divide(diff, bound, out=np.where(diff == 0, 0.0, np.inf), where=bound > 0)
            ratio[np.isinf(diff) | np.isnan(ratio)] = np.inf
            ratio[diff == 0] = 0.0
    return {"abs": diff, "rel": rel, "ulp": ulp, "tolerances": ratio}


def _item(array: np.ndarray, flat: int) -> Any:
    value = array.reshape(-1)[flat]
    return value.item() if hasattr(value, "item") else value


def elements(row: Row, s: Sides | None, more: int = MORE) -> list[Element]:
    """The worst-elements table of ``row``: the element behind each maximum (first outside
    the tolerance, most tolerances out, largest abs, rel and ULP difference), then a few
    more of the largest differences. From ``row.worst`` alone when ``s`` is None."""
    if s is None:
        return _from_worst(row)[: 1 + more]
    stats = _stats(s, row)
    if not stats["abs"].size or not np.any(stats["abs"] != 0):
        return []
    chosen: dict[int, list[str]] = {}
    first = position(row.first_mismatch)
    if first is not None and len(first) == s.actual.ndim:
        try:
            chosen.setdefault(int(np.ravel_multi_index(first, s.actual.shape)), []).append("first outside")
        except ValueError:
            pass
    labels = (("tolerances", "most tolerances"), ("abs", "largest abs"), ("rel", "largest rel"), ("ulp", "most ulp"))
    for key, label in labels:
        values = stats[key]
        if np.all(np.isnan(values)):
            continue
        chosen.setdefault(int(np.nanargmax(values)), []).append(label)
    added = 0
    for flat in np.argsort(-stats["abs"], kind="stable"):
        if added >= more or stats["abs"][flat] == 0:
            break
        if int(flat) not in chosen:
            chosen[int(flat)], added = [], added + 1
    return [Element(s.output_index(flat), _item(s.actual, flat), _item(s.expected, flat), float(stats["abs"][flat]),
                    float(stats["rel"][flat]), float(stats["ulp"][flat]), float(stats["tolerances"][flat]), why)
            for flat, why in chosen.items()]


def _from_worst(row: Row) -> list[Element]:
    found = []
    rtol, atol = float(row.rtol), float(row.atol)
    for index, actual, expected, d, rel, ulp in row.worst:
        ratio = math.nan
        if row.reference != DOCUMENTED and not (math.isnan(rtol) or math.isnan(atol)):
            try:
                bound = atol + rtol * abs(float(expected))
                ratio = d / bound if bound > 0 else (0.0 if d == 0 else math.inf)
            except (TypeError, ValueError):
                pass
        found.append(Element(tuple(index), actual, expected, float(d), float(rel), float(ulp), ratio, []))
    if found:
        found[0].why.append("largest abs")
    return found


def divergence(row: Row, case: Case | None, s: Sides | None) -> Divergence | None:
    """Where a trajectory of ``case`` leaves the tolerance, for a row that differs in values."""
    if case is None or row.output not in getattr(case, "trajectories", ()) or not row.first_mismatch:
        return None
    first = position(row.first_mismatch)
    if not first:
        return None
    documented = row.reference == DOCUMENTED
    if s is None:
        return Divergence(first[0], documented=documented, worst=float(row.tolerances))
    flat = int(np.ravel_multi_index(first, s.actual.shape)) if len(first) == s.actual.ndim else None
    step = s.output_index(flat)[0] if flat is not None and s.output_index(flat) else first[0]
    if documented:
        steps = s.actual.shape[0] if s.actual.ndim else 1
        return Divergence(step, steps, int(row.mismatched), documented=True)
    stats = _stats(s, row)
    if s.actual.ndim == 0:
        return None
    per_step = stats["tolerances"].reshape(s.actual.shape[0], -1)
    if per_step.shape[1] == 0:
        return None
    per_step = np.nanmax(per_step, axis=1)
    worst_step = int(np.nanargmax(per_step)) if not np.all(np.isnan(per_step)) else None
    return Divergence(step, len(per_step), int(np.sum(~(per_step <= 1.0))), worst_step,
                      float(per_step[worst_step]) if worst_step is not None else math.nan, float(per_step[-1]))


def summary(row: Row, div: Divergence | None = None) -> str:
    """One row in words, how far and where first: ``6.7e3 tolerances out (max abs 0.002,
    ...); 1 of 4 elements outside the tolerance, the first at (1,)``, or for a loop
    ``diverges from step 50; by step 200 it is 784 tolerances out; ...``."""
    from .._text import number

    differs = set(filter(None, str(row.differs or "").split(",")))
    if row.status == "unexpected_pass":
        return "the declared known difference no longer occurs"
    if row.status in ("error", "skipped") or differs & {"error", "missing"}:
        return str(row.message)
    if "shape" in differs:
        return f"shape {row.shape} where {row.reference} has {row.reference_shape}"
    if "message" in differs:
        return str(row.message)
    parts: list[str] = []
    documented = row.reference == DOCUMENTED
    loop = div.text() if div is not None else ""
    if documented and row.mismatched:
        parts.append(loop or f"{row.mismatched} of {row.numel} printed numbers differ, the first at {row.first_mismatch}")
        if loop:
            parts.append(f"{row.mismatched} of {row.numel} printed numbers differ")
    elif not documented and row.tolerances and row.tolerances == row.tolerances:
        size = f"max abs {number(row.max_abs_diff)}, {number(row.max_ulp_diff)} ulp"
        if math.isinf(row.tolerances):
            parts.append(f"{row.mismatched} of {row.numel} elements differ (compared exactly), the first at "
                         f"{row.first_mismatch}")
        elif loop:
            parts += [f"{loop} ({size})", *filter(None, [div.extent() if div is not None else ""])]
        else:
            parts.append(f"{_tol(row.tolerances)} out ({size})")
            if row.first_mismatch and row.mismatched:
                parts.append(f"{row.mismatched} of {row.numel} elements outside the tolerance, the first at "
                             f"{row.first_mismatch}")
    if "dtype" in differs:
        parts.append(f"dtype {row.dtype} where {row.reference} has {row.reference_dtype}")
    if row.status == "pass" and not parts:
        return "within the tolerance" if row.tolerances else "equal"
    return "; ".join(parts) or str(row.message)
