"""The pytest plugin's per-session state: options, cases, and each (case, backend) run once.

:class:`SessionState` reads the ``--equivalence-*`` options and ``[tool.equivalence]``
(refusing an unknown backend, or a reference not among the backends, as the command
line does), holds (with isolation) the cases of every case file as plain data from one
discovery process (:mod:`equivalence.manifest`), and runs each (case, backend) once per
session, shared by the tests that need it. It is registered as a plugin (to gather the rows of test reports
and to close its workers) and kept in ``config.stash[STATE]``.

Invariants: whether a (case, backend) runs in a worker process is decided by
:func:`equivalence.runner.runs_in_worker`, as for the command line, so that with
isolation no framework is imported into the pytest process; inputs are made once per
case, so every backend gets the same; inputs that cannot be made are that case's error
in every backend.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

if TYPE_CHECKING:
    from .case import Case
    from .outcome import Execution

__all__ = ["STATE", "CaseFileError", "SessionState"]


class CaseFileError(Exception):
    """A case file that failed to import in the discovery process."""


class SessionState:
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
        self.executions: dict[tuple[str, str], Execution] = {}
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
        """The cases of one file: with isolation, as plain data from a discovery process
        run once for every folder (:mod:`equivalence.manifest`), so no case code runs in
        this process; in-process, the file imported here."""
        from .discovery import load_file
        from .manifest import discover_isolated

        if not self.isolate:
            return load_file(path)
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

    def execution(self, case: Case, backend: str) -> Execution:
        return self._execution(case, backend, backend)

    def oracle(self, case: Case) -> Execution:
        """The case's float64 oracle: its ``oracle`` implementation on float64 inputs."""
        from .results import ORACLE

        assert case.oracle is not None, "only asked of a case that names an oracle"
        return self._execution(case, case.oracle, ORACLE)

    def _execution(self, case: Case, backend: str, role: str) -> Execution:
        from ._oracle_rows import ORACLE, float64_inputs
        from .execution import ErrorInfo, Execution, execute
        from .runner import runs_in_worker

        key = (case.id, role)
        if key not in self.executions:
            if case.id not in self._inputs:
                try:
                    self._inputs[case.id] = case.make_inputs()
                except Exception as exc:
                    self._inputs[case.id] = ErrorInfo.from_exception(exc)
            inputs = self._inputs[case.id]
            if role == ORACLE and not isinstance(inputs, ErrorInfo):
                inputs = float64_inputs(inputs)
            if isinstance(inputs, ErrorInfo):
                self.executions[key] = Execution(case.id, backend, error=inputs)
            elif runs_in_worker(case, backend, self.isolate):
                self.executions[key] = self._isolated(case, backend, inputs)
            else:
                self.executions[key] = execute(case, backend, inputs)
        return self.executions[key]

    def _isolated(self, case: Case, backend: str, inputs: Any) -> Execution:
        from .isolation import DEFAULT_TIMEOUT, Task, WorkerPool

        if self._pool is None:
            self._pool = WorkerPool(jobs=1, timeout=self.timeout or DEFAULT_TIMEOUT)
        found: list[Execution] = []
        self._pool.run([Task(case.path, case.id, backend, inputs)], lambda task, execution: found.append(execution))
        return found[0]

    def pytest_unconfigure(self) -> None:
        if self._pool is not None:
            self._pool.close()


#: Where the session's state is kept (``config.stash[STATE]``).
STATE = pytest.StashKey[SessionState]()
