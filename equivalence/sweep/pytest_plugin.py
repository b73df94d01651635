"""Sweeps under pytest: ``pytest -p equivalence.sweep.pytest_plugin --equivalence-sweep N``.

With ``--equivalence-sweep N`` every sweep of the collected case files becomes one test,
``cases/x.py::<case id>[sweep]`` (``[sweep-<name>]`` for a named one), that searches N
examples (shared out among the sweep's dtypes) with ``--equivalence-sweep-seed`` (0 by
default, so that CI runs are repeatable) and no example database. It fails when the
sweep finds a failure (the message lists each minimal example, the oracle's verdict and
the command that reproduces it) or cannot run. Without the option nothing is collected.

The case folders are those of the equivalence plugin (``equivalence_cases`` in the ini
file, ``--equivalence-cases``); its ``--equivalence-backends``, ``--equivalence-reference``,
``--equivalence-in-process`` and ``--equivalence-timeout`` apply too. Cases are held as
plain data (discovered in a child process, :mod:`equivalence.manifest`) and every example
runs in the backends' worker processes, as for the other tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .._pytest_session import STATE, SessionState

if TYPE_CHECKING:
    from ..case import Case
    from ..sweep.spec import Sweep

__all__ = ["SweepItem"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("equivalence", "cross-framework equivalence cases")
    group.addoption("--equivalence-sweep", type=int, default=None, metavar="N",
                    help="also run every case's sweeps, N examples each (shared out among the dtypes)")
    group.addoption("--equivalence-sweep-seed", type=int, default=0, metavar="S",
                    help="the sweeps' hypothesis seed (default: 0)")


class _State:
    """The sweep's settings; the case folders, backends, reference, isolation and time
    limit are the equivalence plugin's (:class:`equivalence._pytest_session.SessionState`:
    validated there as for the command line), read when first needed."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.examples: int = config.getoption("equivalence_sweep")
        self.seed: int = config.getoption("equivalence_sweep_seed")
        self._executor: Any = None

    @property
    def session(self) -> SessionState:
        found = self.config.stash.get(STATE, None)
        if found is None:
            raise pytest.UsageError("--equivalence-sweep needs the equivalence plugin (equivalence.pytest_plugin)")
        return found

    @property
    def executor(self) -> Any:
        if self._executor is None:
            from .engine import Executor

            self._executor = Executor(isolate=self.session.isolate, timeout=self.session.timeout)
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.close()


_STATE = pytest.StashKey[_State]()


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("equivalence_sweep") is not None:
        config.stash[_STATE] = _State(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is not None:
        state.close()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash.get(_STATE, None)
    if state is not None and state.session.roots and state.session.is_case_file(file_path):
        return SweepFile.from_parent(parent, path=file_path)
    return None


class SweepFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from .spec import sweeps_of

        state = self.config.stash[_STATE]
        for case in state.session.cases_in(Path(self.path)):
            for sweep in sweeps_of(case):
                name = f"{case.id}[sweep{'-' + sweep.name if sweep.name else ''}]"
                yield SweepItem.from_parent(self, name=name, case=case, sweep=sweep)


class SweepFailed(Exception):
    pass


class SweepItem(pytest.Item):
    def __init__(self, *, case: Case, sweep: Sweep, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case, self.sweep = case, sweep

    def runtest(self) -> None:
        from ..results import FAILING
        from .engine import sweep_case

        state = self.config.stash[_STATE]
        summary, findings = sweep_case(self.case, self.sweep, state.executor, backends=state.session.backends,
                                       reference=state.session.reference, examples=state.examples, seed=state.seed,
                                       database=None)
        if summary.status in FAILING:
            raise SweepFailed(describe(summary, findings))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, SweepFailed):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return Path(self.path), None, f"{self.case.id}: sweep {self.sweep.name}".rstrip()


def describe(summary: Any, findings: list[Any]) -> str:
    from .._text import printable
    from ..results import FAILING

    lines = [f"{summary.case} sweep{' ' + summary.sweep if summary.sweep else ''}: {summary.status} after "
             f"{summary.examples} runs (seed {summary.seed}) {printable(summary.message)}".rstrip()]
    shown = [f for f in findings if f.status in FAILING]
    seen: set[str] = set()
    for finding in shown:
        lines.append(f"  {finding.example_dtype} {finding.output}: {finding.backend} vs {finding.reference}: "
                     f"{printable(finding.message, 300)}")
        if finding.reproduce not in seen:
            seen.add(finding.reproduce)
            lines.append(f"    reproduce: {printable(finding.reproduce, 600)}")
    return "\n".join(lines)
