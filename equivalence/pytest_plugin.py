"""The pytest plugin: every (case, backend, reference) comparison as one test.

Enabled by installing the package (entry point ``pytest11``), by
``pytest_plugins = ["equivalence.pytest_plugin"]`` in a ``conftest.py``, or by
``-p equivalence.pytest_plugin``. It collects nothing until told where cases live::

    [tool.pytest.ini_options]
    equivalence_cases = ["cases"]        # folders of case files, relative to the ini file
    testpaths = ["tests", "cases"]       # so that a bare ``pytest`` walks them

or ``--equivalence-cases DIR`` on the command line (the folder must also be among the
paths pytest collects).

Test ids read ``cases/autodiff/square.py::001-1-square[tensorflow-vs-torch]``. A
failure prints the worst mismatches as a table; a backend that is not installed is a
skip with its reason; a declared known difference is an xfail, and strict: when it no
longer occurs the test fails. Each (case, backend) runs once per session and is shared
by the tests that need it, in a worker process per backend (:mod:`equivalence.isolation`)
unless ``--equivalence-in-process`` is given; then case files are imported by a discovery
process too (:mod:`equivalence.manifest`), and the pytest process, which compares, holds
the cases as plain data only.

``--equivalence-baseline FILE`` adds ``<case>[<backend>-vs-baseline]`` tests against a
saved baseline, ``--equivalence-force-regen`` rewrites it (:mod:`equivalence.baseline._pytest`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from ._text import element, number, table
from .results import DOCUMENTED, EXPECTED


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("equivalence", "cross-framework equivalence cases")
    group.addoption("--equivalence-cases", action="append", default=[], metavar="DIR",
                    help="a folder (or file) of equivalence cases to collect; repeatable")
    group.addoption("--equivalence-backends", default=None, metavar="LIST",
                    help="comma-separated backends to compare, or 'all' (default: numpy, torch, tensorflow, "
                    "tensorflow-function)")
    group.addoption("--equivalence-reference", default=None, metavar="NAME",
                    help="the reference backend (default: torch)")
    group.addoption("--equivalence-in-process", action="store_true", default=False,
                    help="run the backends in the test process (default: one worker process per backend, "
                    "so a hang is stopped by the time limit and a crash fails one test)")
    group.addoption("--equivalence-timeout", type=float, default=None, metavar="SECONDS",
                    help="time limit of one case in one backend (default: 300)")
    group.addoption("--equivalence-out", default=None, metavar="DIR",
                    help="write results.csv, results.json and the HTML report index.html of the "
                    "collected comparisons to DIR")
    group.addoption("--equivalence-baseline", default=None, metavar="FILE",
                    help="also check every case and backend against its own outputs in FILE "
                    "(written by `python -m equivalence baseline save`)")
    group.addoption("--equivalence-force-regen", action="store_true", default=False,
                    help="rewrite the baseline entries that fail (and still fail them), as pytest-regressions")
    parser.addini("equivalence_cases", type="paths", default=[],
                  help="folders of equivalence cases, relative to the ini file")


class _Session:
    """Per-session state: inputs and executions, shared by the tests of a case."""

    def __init__(self, config: pytest.Config) -> None:
        from .backends import DEFAULT_BACKENDS, DEFAULT_REFERENCE, backend_names
        from .config import ConfigError, load_settings

        try:  # [tool.equivalence], as the command line reads it; the options override it
            settings = load_settings(config.rootpath)
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
        self.roots = [Path(p).resolve() for p in config.getoption("equivalence_cases")]
        self.roots += [Path(p).resolve() for p in config.getini("equivalence_cases")]
        if not self.roots and settings.cases:
            self.roots = [Path(p) for p in settings.cases]
        option = config.getoption("equivalence_backends")
        if option == "all":
            option = ",".join(backend_names())
        chosen = [b.strip() for b in option.split(",")] if option else settings.backends or list(DEFAULT_BACKENDS)
        self.reference = config.getoption("equivalence_reference") or settings.reference or DEFAULT_REFERENCE
        unknown = [b for b in [*chosen, self.reference] if b not in backend_names()]
        if unknown:
            raise pytest.UsageError(f"unknown equivalence backend(s): {', '.join(unknown)}")
        if self.reference not in chosen:  # as the command line: refused, not added
            raise pytest.UsageError(f"the equivalence reference {self.reference} is not among the backends "
                                    f"{','.join(chosen)}")
        self.backends = [b for b in backend_names() if b in chosen]  # registry order: torch before tensorflow
        self.out = config.getoption("equivalence_out")
        self.isolate = not config.getoption("equivalence_in_process")
        self.timeout = config.getoption("equivalence_timeout") or settings.timeout
        self._pool: Any = None
        self._manifest: dict[Path, list[Any]] | None = None
        self._load_errors: dict[Path, Any] = {}
        self._inputs: dict[str, Any] = {}
        self._executions: dict[tuple[str, str], Any] = {}
        #: Result rows of every comparison that ran, gathered from test reports (so that
        #: under pytest-xdist the controller has the workers' rows too).
        self.records: list[dict[str, Any]] = []
        self.started = time.time()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call":
            for key, value in report.user_properties:
                if key == "equivalence_rows":
                    self.records.extend(cast("list[dict[str, Any]]", value))

    def is_case_file(self, path: Path) -> bool:
        if path.suffix != ".py" or path.name.startswith(("_", "test_")) or path.name == "conftest.py":
            return False
        resolved = path.resolve()
        return any(resolved == root or root in resolved.parents for root in self.roots)

    def cases_in(self, path: Path) -> list[Any]:
        """The cases of one file, as plain data from a discovery process run once for
        every folder (:mod:`equivalence.manifest`): no case code runs in this process."""
        from .manifest import discover_isolated

        if self._manifest is None:
            cases, errors = discover_isolated(self.roots)
            self._manifest = {}
            for case in cases:
                self._manifest.setdefault(Path(case.path).resolve(), []).append(case)
            self._load_errors = {Path(e.path).resolve(): e for e in errors}
        error = self._load_errors.get(path.resolve())
        if error is not None:
            raise CaseFileError(f"{error.error}\n{error.traceback}".strip())
        return self._manifest.get(path.resolve(), [])

    def execution(self, case: Any, backend: str) -> Any:
        from .execution import ErrorInfo, Execution, execute
        from .runner import runs_in_worker

        key = (case.id, backend)
        if key not in self._executions:
            if case.id not in self._inputs:
                try:
                    self._inputs[case.id] = case.make_inputs()
                except Exception as exc:
                    self._inputs[case.id] = ErrorInfo.from_exception(exc)
            inputs = self._inputs[case.id]
            if isinstance(inputs, ErrorInfo):
                self._executions[key] = Execution(case.id, backend, error=inputs)
            elif runs_in_worker(case, backend, self.isolate):
                self._executions[key] = self._isolated(case, backend, inputs)
            else:
                self._executions[key] = execute(case, backend, inputs)
        return self._executions[key]

    def _isolated(self, case: Any, backend: str, inputs: Any) -> Any:
        from .isolation import DEFAULT_TIMEOUT, Task, WorkerPool

        if self._pool is None:
            self._pool = WorkerPool(jobs=1, timeout=self.timeout or DEFAULT_TIMEOUT)
        found: list[Any] = []
        self._pool.run([Task(case.path, case.id, backend, inputs)], lambda task, execution: found.append(execution))
        return found[0]

    def pytest_unconfigure(self) -> None:
        if self._pool is not None:
            self._pool.close()


_STATE = pytest.StashKey[_Session]()


def pytest_configure(config: pytest.Config) -> None:
    state = _Session(config)
    config.stash[_STATE] = state
    config.pluginmanager.register(state, "equivalence-session")
    if config.getoption("equivalence_baseline"):  # see equivalence/baseline/_pytest.py
        from .baseline._pytest import BaselinePlugin

        config.pluginmanager.register(BaselinePlugin(config, state), "equivalence-baseline")
    elif config.getoption("equivalence_force_regen"):
        raise pytest.UsageError("--equivalence-force-regen needs --equivalence-baseline FILE")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash[_STATE]
    if state.roots and state.is_case_file(file_path):
        return CaseFile.from_parent(parent, path=file_path)
    return None


class CaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from .backends import get_backend
        from .discovery import load_file
        from .execution import applies
        from .rows import case_reference

        state = self.config.stash[_STATE]
        for case in state.cases_in(Path(self.path)) if state.isolate else load_file(Path(self.path)):
            reference_of_case = case_reference(case, state.reference)
            for backend in state.backends:
                if get_backend(backend).implementation not in case.implementations or not applies(case, backend):
                    continue  # not implemented, or an execution mode the case does not opt in to: no test
                # the reference, and for an execution mode its eager framework too
                references = dict.fromkeys([reference_of_case, get_backend(backend).implementation])
                for reference in (r for r in references if r != backend and r in state.backends):
                    yield Comparison.from_parent(self, name=f"{case.id}[{backend}-vs-{reference}]",
                                                 case=case, backend=backend, reference=reference)
                for fixed, values in ((DOCUMENTED, case.documented), (EXPECTED, case.expected)):
                    if values:
                        yield Comparison.from_parent(self, name=f"{case.id}[{backend}-vs-{fixed}]",
                                                     case=case, backend=backend, reference=fixed)
            baseline = self.config.pluginmanager.get_plugin("equivalence-baseline")
            if baseline is not None:
                yield from baseline.items(self, case)


class ComparisonFailed(Exception):
    pass


class CaseFileError(Exception):
    """A case file that failed to import in the discovery process."""


class Comparison(pytest.Item):
    def __init__(self, *, case: Any, backend: str, reference: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case, self.backend, self.reference = case, backend, reference

    def runtest(self) -> None:
        from .rows import compare_documented, compare_expected, compare_pair

        state = self.config.stash[_STATE]
        execution = state.execution(self.case, self.backend)
        if self.reference == DOCUMENTED:
            rows = compare_documented(self.case, execution)
        elif self.reference == EXPECTED:
            rows = compare_expected(self.case, execution)
        else:
            rows = compare_pair(self.case, execution, state.execution(self.case, self.reference))
        self.user_properties.append(("equivalence_rows", [r.record() for r in rows]))
        failing = [r for r in rows if r.status in ("fail", "error", "unexpected_pass")]
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


def describe_failure(case: Any, backend: str, reference: str, rows: list[Any], execution: Any) -> str:
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


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(_STATE, None)
    if state is None or not state.out or hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller writes
    from .results import Row, RunResult
    from .runner import run_metadata

    metadata = run_metadata(state.backends, state.reference, state.started)
    rows = [Row(**record) for record in state.records]
    # Cases and executions exist in this process only without xdist; the report then has
    # pictures and computed values, and under xdist it is made from the rows alone.
    with_rows = {r.case for r in rows}
    cases = {i.case.id: i.case for i in session.items if isinstance(i, Comparison) and i.case.id in with_rows}
    executions = {k: v for k, v in state._executions.items() if k[0] in with_rows}
    result = RunResult(rows=rows, metadata=metadata, cases=list(cases.values()), executions=executions)
    result.write(state.out)
    from .report import write_report

    write_report(result, state.out)
