"""Baseline checks as pytest tests: ``--equivalence-baseline FILE`` and ``--equivalence-force-regen``.

With ``--equivalence-baseline FILE``, every collected case gets one more test per
backend, ``cases/x.py::<case>[<backend>-vs-baseline]``, that compares the backend's
outputs now with its own outputs in FILE (a file written by ``baseline save``), with
the case's tolerances. The rules are pytest-regressions':

- ``unchanged``, ``bitwise_change`` and ``accepted`` pass (a bitwise change is reported
  as a :class:`BitwiseChangeWarning` in the warnings summary; an accepted change is one
  recorded with ``baseline accept`` in the file beside FILE, still the change accepted);
- ``drift``, ``error``, ``new`` and ``removed`` fail, with a table of the worst
  elements; a backend not installed now is a skip;
- a missing FILE fails every test with the command that creates it;
- ``--equivalence-force-regen``: the tests that would fail still fail, and their
  (case, backend) entries are rewritten in FILE at the end of the session (created
  when missing; entries of tests that passed or did not run are kept as they were;
  the file's environment becomes this session's). Rerun to check against it.
  Regeneration needs one process: under pytest-xdist it fails with that reason.

The pytest plugin (:mod:`equivalence.pytest_plugin`) registers :class:`BaselinePlugin`
when the option is given and yields its items from each case file.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .._text import element, number, printable, table
from ..results import DRIFT_FAILING

if TYPE_CHECKING:
    from ..baseline.drift_table import DriftRow
    from ..case import Case
    from ..outcome import Execution

#: Statuses that fail a baseline test: what fails a check, and anything that means the
#: stored data is not current (pytest-regressions' rule).
FAILS = (*DRIFT_FAILING, "new", "removed")


class BitwiseChangeWarning(UserWarning):
    """Outputs within tolerance of the baseline but not bitwise equal to it."""


class BaselineMismatch(Exception):
    pass


class BaselinePlugin:
    """Per-session state of the baseline tests: the file, and the entries to rewrite."""

    def __init__(self, config: pytest.Config, session_state: Any) -> None:
        self.path = Path(config.getoption("equivalence_baseline"))
        self.force_regen = bool(config.getoption("equivalence_force_regen"))
        self.state = session_state
        self.started = time.time()
        self._loaded: Any = None
        self._accepted: list[Any] = []
        self._load_error: str | None = None
        self._tried = False
        #: (case id, backend) -> Snapshot to write, with the cases they belong to.
        self.regenerate: dict[tuple[str, str], Any] = {}
        self.cases: dict[str, Any] = {}

    def baseline(self) -> Any:
        """The loaded baseline; None when the file does not exist; raises when unusable."""
        from .accepted import load_accepted
        from .storage import BaselineError, load_baseline

        if not self._tried:
            self._tried = True
            if self.path.exists():
                try:
                    self._loaded = load_baseline(self.path)
                    self._accepted = load_accepted(self.path)
                except BaselineError as exc:
                    self._load_error = str(exc)
        if self._load_error and not self.force_regen:
            raise BaselineMismatch(f"{self._load_error}\n(rewrite it with --equivalence-force-regen)")
        return self._loaded

    def items(self, parent: pytest.Collector, case: Case) -> Iterator[pytest.Item]:
        for backend in self.state.backends:
            yield BaselineCheck.from_parent(parent, name=f"{case.id}[{backend}-vs-baseline]", case=case,
                                            backend=backend, plugin=self)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.regenerate or hasattr(session.config, "workerinput"):
            return
        from ..runner import run_metadata
        from .model import Baseline, case_records
        from .storage import save_baseline
        from .versions import with_versions

        old = self._loaded
        snapshots = dict(old.snapshots) if old is not None else {}
        snapshots.update(self.regenerate)
        cases = dict(old.cases) if old is not None else {}
        cases.update(case_records(self.cases.values()))
        environment = with_versions(run_metadata(self.state.backends, self.state.reference, self.started))
        name = old.name if old is not None else self.path.stem
        save_baseline(Baseline(snapshots, environment, cases, name), self.path, force=True)
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"equivalence: regenerated {len(self.regenerate)} (case, backend) entries "
                                f"in {self.path} (--equivalence-force-regen)")


class BaselineCheck(pytest.Item):
    def __init__(self, *, case: Case, backend: str, plugin: BaselinePlugin, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case, self.backend, self.plugin = case, backend, plugin

    def runtest(self) -> None:
        from .drift import compare_snapshots
        from .model import Snapshot

        plugin = self.plugin
        if plugin.force_regen and hasattr(self.config, "workerinput"):
            raise BaselineMismatch("--equivalence-force-regen rewrites one file: run it without pytest-xdist (-n 0)")
        baseline = plugin.baseline()
        if baseline is None and not plugin.force_regen:
            raise BaselineMismatch(
                f"{plugin.path} does not exist; create it with\n"
                f"  python -m equivalence baseline save --path {plugin.path}\n"
                f"or rerun pytest with --equivalence-force-regen")
        execution = plugin.state.execution(self.case, self.backend)
        snapshot = Snapshot.from_execution(execution)
        key = (self.case.id, self.backend)
        if baseline is None:
            self._regenerate(key, snapshot)
            raise BaselineMismatch(f"{plugin.path} did not exist (or was unreadable): written from this run "
                                   "(--equivalence-force-regen); rerun to check against it")
        old = baseline.snapshots.get(key)
        versions = (baseline.version(self.backend), _version(self.backend))
        rows = compare_snapshots(self.case.id, self.backend, old, snapshot, self.case, versions,
                                 removed_why="not run")
        if plugin._accepted:  # changes accepted with `baseline accept` pass, as in `baseline check`
            from .accepted import apply_accepted

            apply_accepted(rows, plugin._accepted)
        if snapshot.status == "skipped":  # a framework not installed here: a skip, as everywhere
            pytest.skip(snapshot.message)
        failing = [r for r in rows if r.status in FAILS]
        if failing:
            message = describe(self.case, self.backend, plugin.path, failing, execution)
            if plugin.force_regen:
                self._regenerate(key, snapshot)
                message += f"\n\nregenerated in {plugin.path} (--equivalence-force-regen); rerun to check against it"
            else:
                message += (f"\n\nif the change is expected: pytest --equivalence-baseline {plugin.path} "
                            f"--equivalence-force-regen -k '{self.case.id}'")
            raise BaselineMismatch(message)
        bitwise = [r for r in rows if r.status == "bitwise_change"]
        if bitwise:
            warnings.warn(BitwiseChangeWarning(
                f"{self.case.id} [{self.backend}]: bitwise change within tolerance in "
                + ", ".join(f"{r.output} (max {number(r.max_ulp_diff)} ulp)" for r in bitwise)), stacklevel=1)

    def _regenerate(self, key: tuple[str, str], snapshot: Any) -> None:
        self.plugin.regenerate[key] = snapshot
        self.plugin.cases[self.case.id] = self.case

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, BaselineMismatch):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return Path(self.path), None, f"{self.case.id}: {self.backend} vs baseline"


def _version(backend: str) -> str:
    from .versions import framework_version

    return framework_version(backend)


def describe(case: Case, backend: str, path: Path, rows: list[DriftRow], execution: Execution) -> str:
    """One line per output that moved, then its worst elements, now against the baseline."""
    lines = [f"{case.id} ({printable(case.title)}): {backend} now vs {backend} in {path}", ""]
    lines.append(table(
        ("output", "status", "change", "max abs", "max rel", "max ulp", "mismatched", "rtol", "atol", "versions",
         "before → after", "message"),
        [(r.output, r.status, r.change, number(r.max_abs_diff), number(r.max_rel_diff), number(r.max_ulp_diff),
          f"{r.mismatched}/{r.numel}", number(r.rtol), number(r.atol), f"{r.version_before} → {r.version_after}",
          printable(f"{r.before or '-'} → {r.after or '-'}", 60) if (r.before or r.after) else "",
          printable(r.message, 100)) for r in rows],
    ))
    for r in rows:
        if r.worst:
            lines += ["", f"worst elements of {r.output}:"]
            lines.append(table(
                ("index", "now", "baseline", "abs diff", "rel diff", "ulp"),
                [(str(i), element(a), element(e), number(d), number(rel), number(u))
                 for i, a, e, d, rel, u in r.worst],
                indent="  ",
            ))
    if execution.error and execution.error.traceback:
        lines += ["", "traceback (case lines):", execution.error.traceback]
    return "\n".join(lines)
