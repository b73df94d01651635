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

This module is the plugin pytest loads (the ``pytest11`` entry point names it): its hooks
only. The session's state is :mod:`equivalence._pytest_session`, the items and the
failure message :mod:`equivalence._pytest_items`; their public names are importable
from here too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._pytest_items import CaseFile, Comparison, ComparisonFailed, describe_failure
from ._pytest_session import STATE, CaseFileError, SessionState

__all__ = ["CaseFile", "CaseFileError", "Comparison", "ComparisonFailed", "SessionState", "describe_failure"]


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


def pytest_configure(config: pytest.Config) -> None:
    state = SessionState(config)
    config.stash[STATE] = state
    config.pluginmanager.register(state, "equivalence-session")
    if config.getoption("equivalence_baseline"):  # see equivalence/baseline/_pytest.py
        from .baseline._pytest import BaselinePlugin

        config.pluginmanager.register(BaselinePlugin(config, state), "equivalence-baseline")
    elif config.getoption("equivalence_force_regen"):
        raise pytest.UsageError("--equivalence-force-regen needs --equivalence-baseline FILE")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    state = parent.config.stash[STATE]
    if state.roots and state.is_case_file(file_path):
        return CaseFile.from_parent(parent, path=file_path)
    return None


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(STATE, None)
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
    executions = {k: v for k, v in state.executions.items() if k[0] in with_rows}
    result = RunResult(rows=rows, metadata=metadata, cases=list(cases.values()), executions=executions)
    result.write(state.out)
    from .report import write_report

    write_report(result, state.out)
