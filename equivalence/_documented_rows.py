"""Comparing outputs with the values a document printed: by printed text, not by a tolerance.

:func:`compare_documented` prints today's value of each documented output with the
document's printer (:mod:`equivalence.documented`) and compares the numbers as printed:
a row passes only when every printed number is the same. The statistics (max abs, rel,
ulp) say how far the value drifted; ``mismatched`` counts the printed numbers that
differ. Rows are judged by :func:`equivalence._judge.judge` like every other comparison
(a declared known difference against ``documented`` with ``at=`` counts the printed
numbers inside and outside the declared elements).
"""

from __future__ import annotations

from typing import Any

from ._judge import declared_mask, judged_row, make_row, measured_stats, output_problem, unrunnable_row
from .case import Case
from .documented import printed_tokens
from .execution import Execution
from .results import DOCUMENTED, Row

__all__ = ["compare_documented"]


def compare_documented(case: Case, execution: Execution) -> list[Row]:
    """Each documented output against the document's text: today's value, printed by the
    document's printer, must give the same numbers; the statistics say how far it drifted."""
    import numpy as np

    from .compare import compare_arrays
    from .tolerance import Tolerance

    unrunnable = unrunnable_row(case, execution, DOCUMENTED)
    if unrunnable:
        return [unrunnable]
    rows = []
    for name, doc in case.documented.items():
        kind, problem = output_problem(name, execution)
        if problem:
            rows.append(judged_row(case, name, execution, DOCUMENTED, (kind,), problem))
            continue
        output = execution.outputs[name]
        try:
            actual = np.asarray(doc.select(output))
            today, differing = doc.differing(actual)
        except Exception as exc:
            rows.append(make_row(case, name, execution, DOCUMENTED, "error",
                                 message=f"cannot select {doc.at!r} of output {name!r} or print it: {exc}"))
            continue
        dtype = execution.dtypes[name]
        shapes: dict[str, Any] = dict(shape=str(actual.shape), reference_shape=str(doc.values.shape), dtype=dtype,
                      reference_dtype="", rtol=0.0, atol=0.0, text=today, reference_text=doc.text.strip())
        if actual.shape != doc.values.shape:
            rows.append(judged_row(case, name, execution, DOCUMENTED, ("shape",),
                                   f"shape {actual.shape} != printed shape {doc.values.shape}", **shapes))
            continue
        result = compare_arrays(actual, doc.values, Tolerance(0.0, 0.0), actual_dtype=dtype,
                                expected_dtype=dtype if doc.values.dtype.kind == "f" else str(doc.values.dtype),
                                check_dtype=False)
        result.mismatched = len(differing)
        result.first = tuple(int(i) for i in np.unravel_index(differing[0], actual.shape)) if differing else None
        shapes["tolerances"] = float("nan")  # compared by text, not by a tolerance
        message = ""
        if differing:
            flat, found = differing[0], printed_tokens(today)
            where = f"element {tuple(int(i) for i in np.unravel_index(flat, actual.shape))} " if actual.ndim else ""
            now = found[flat] if len(found) == len(doc.tokens) else today
            message = (f"{len(differing)} of {len(doc.tokens)} printed numbers differ: {where}prints {now}, "
                       f"the document printed {doc.tokens[flat]}")

        def split(at: Any, actual: Any = actual, differing: list[int] = differing, doc: Any = doc,
                  dtype: str = dtype, output: Any = output) -> tuple[dict[str, float], int]:
            mask = declared_mask(at, output.shape, doc.select)
            inside = compare_arrays(actual[mask], doc.values[mask], Tolerance(0.0, 0.0), actual_dtype=dtype,
                                    expected_dtype=dtype if doc.values.dtype.kind == "f" else str(doc.values.dtype),
                                    check_dtype=False)
            flat_mask = mask.reshape(-1)
            inside.mismatched = sum(1 for i in differing if flat_mask[i])
            return measured_stats(inside), sum(1 for i in differing if not flat_mask[i])

        rows.append(judged_row(case, name, execution, DOCUMENTED, ("values",) if differing else (), message, result,
                               split, **shapes))
    return rows

