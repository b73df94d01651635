"""The pytest plugin's items: a case file's tests, one comparison each, and its failure message.

:class:`CaseFile` yields, for every case of a file and every chosen backend the case
implements, one :class:`Comparison` per reference (the run's reference, for an
execution mode its eager framework too), one against the documented values and one
against ``expected`` when the case has them, and the baseline plugin's items. A
:class:`Comparison` compares with the functions of :mod:`equivalence.rows`, so its
verdict is the command line's: ``fail``, ``error`` and ``unexpected_pass`` fail the
test with :func:`describe_failure`'s table, all-``skipped`` skips it, a
``known_difference`` is an xfail naming the declaration.

Invariants: with isolation, case files are read from the discovery process's plain data
(:meth:`equivalence._pytest_session.SessionState.cases_in`), never imported here; a
test's rows are attached to its report (``equivalence_rows``) so that the controller
under pytest-xdist gets them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._pytest_session import STATE
from ._text import element, number, table
from .results import DOCUMENTED, EXPECTED, FAILING, ORACLE

if TYPE_CHECKING:
    from .case import Case
    from .outcome import Execution
    from .results import Row

__all__ = ["CaseFile", "Comparison", "ComparisonFailed", "describe_failure"]


class CaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from .backends import get_backend
        from .execution import applies
        from .rows import case_reference

        state = self.config.stash[STATE]
        for case in state.cases_in(Path(self.path)):
            reference_of_case = case_reference(case, state.reference)
            for backend in state.backends:
                if get_backend(backend).implementation not in case.implementations or not applies(case, backend):
                    continue  # not implemented, or an execution mode the case does not opt in to: no test
                # the reference, and for an execution mode its eager framework too
                references = dict.fromkeys([reference_of_case, get_backend(backend).implementation])
                for reference in (r for r in references if r != backend and r in state.backends):
                    yield Comparison.from_parent(self, name=f"{case.id}[{backend}-vs-{reference}]",
                                                 case=case, backend=backend, reference=reference)
                for fixed, values in ((DOCUMENTED, case.documented), (EXPECTED, case.expected), (ORACLE, case.oracle)):
                    if values:
                        yield Comparison.from_parent(self, name=f"{case.id}[{backend}-vs-{fixed}]",
                                                     case=case, backend=backend, reference=fixed)
            baseline = self.config.pluginmanager.get_plugin("equivalence-baseline")
            if baseline is not None:
                yield from baseline.items(self, case)


class ComparisonFailed(Exception):
    pass


class Comparison(pytest.Item):
    def __init__(self, *, case: Case, backend: str, reference: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case, self.backend, self.reference = case, backend, reference

    def runtest(self) -> None:
        from ._oracle_rows import compare_oracle
        from .backends import get_backend
        from .execution import applies
        from .rows import compare_documented, compare_expected, compare_pair

        state = self.config.stash[STATE]
        execution = state.execution(self.case, self.backend)
        if self.reference == DOCUMENTED:
            rows = compare_documented(self.case, execution)
        elif self.reference == EXPECTED:
            rows = compare_expected(self.case, execution)
        elif self.reference == ORACLE:  # the best error is over every backend of the session
            ran = {b: state.execution(self.case, b) for b in state.backends
                   if get_backend(b).implementation in self.case.implementations and applies(self.case, b)}
            rows = compare_oracle(self.case, ran, state.oracle(self.case), only=self.backend)
        else:
            rows = compare_pair(self.case, execution, state.execution(self.case, self.reference))
        self.user_properties.append(("equivalence_rows", [r.record() for r in rows]))
        failing = [r for r in rows if r.status in FAILING]
        if failing:
            raise ComparisonFailed(describe_failure(self.case, self.backend, self.reference, failing, execution))
        if rows and all(r.status == "skipped" for r in rows):
            pytest.skip(rows[0].message)
        known = [r for r in rows if r.status == "known_difference"]
        if known:
            pytest.xfail("known difference: " + "; ".join(sorted({f"{r.declared} ({r.bound})" for r in known})))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ComparisonFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return Path(self.path), None, f"{self.case.id}: {self.backend} vs {self.reference}"


def describe_failure(case: Case, backend: str, reference: str, rows: list[Row], execution: Execution) -> str:
    """The failure message: per failing output, how far first (how many tolerances out)
    and where it starts (for a loop, the step it diverges from); the numbers; then the
    worst elements, each with how many tolerances out it is."""
    from .report._markup import tolerances_text
    from .report.analysis import summary
    from .report.failure import listed_tolerances, max_rel_note, row_divergence

    lines = [f"{case.id} ({case.title}): {backend} vs {reference}", ""]
    trajectories = set(getattr(case, "trajectories", ()) or ())
    for r in rows:
        lines.append(f"{r.output}: {summary(r, row_divergence(r, trajectories))}{max_rel_note(r)}")
    shaped = ["shape" in str(r.differs) for r in rows]  # a shape mismatch compares no value
    lines += ["", table(
        ("output", "status", "tolerances out", "first outside", "max abs", "max rel", "max ulp", "mismatched", "rtol",
         "atol", "message"),
        [(r.output, r.status, "-" if shape else tolerances_text(r.tolerances) or "-", r.first_mismatch or "-",
          number(r.max_abs_diff), number(r.max_rel_diff), number(r.max_ulp_diff),
          "-" if shape else f"{r.mismatched}/{r.numel}", number(r.rtol), number(r.atol), r.message)
         for r, shape in zip(rows, shaped, strict=True)],
    )]
    for r in rows:
        if r.worst:
            lines += ["", f"worst elements of {r.output}:"]
            lines.append(table(
                ("index", backend, reference, "tolerances out", "abs diff", "rel diff", "ulp"),
                [(str(i), element(a), element(e), tolerances_text(listed_tolerances(r, d, e)) or "-", number(d),
                  number(rel), number(u)) for i, a, e, d, rel, u in r.worst],
                indent="  ",
            ))
    if execution.error and execution.error.traceback:
        lines += ["", "traceback (case lines):", execution.error.traceback]
    from .runner import reproduce_command

    lines += ["", f"reproduce: {reproduce_command(case, backend, reference)}"]
    return "\n".join(lines)
