"""The baseline commands: ``baseline save``, ``baseline check``, ``baseline accept``, ``compare A B``.

Registered into the main parser by :func:`add_commands` (from
:func:`equivalence.cli.build_parser`); nothing heavy is imported until a command runs.
The commands are in :mod:`.commands`, the summary they print in :mod:`.summary`, and
where a named baseline is in :mod:`.locate`.

``save`` and ``check`` run the cases as ``run`` does: each backend in worker processes
(``--in-process`` to run everything here), ``-j`` of them at once, each (case, backend)
stopped at ``--timeout`` seconds of CPU time (ten times that of wall-clock time), so a
case that hangs or crashes becomes an ``error`` and the rest goes on; the case files are
imported by a discovery process, never by this one.

Exit codes: ``save`` 0 once written; ``check`` and ``compare`` 1 when a row is
``drift`` or ``error`` (``accepted``, ``removed``, ``new`` and ``bitwise_change`` are
listed, not failures); ``accept`` 0 once recorded; 2 for a usage error, an unreadable
baseline or one that exists already without ``--force``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import Any

from .commands import command_accept, command_check, command_compare, command_save
from .locate import BASELINES
from .locate import resolve as resolve  # re-exported: defined here before
from .summary import backend_table as backend_table  # re-exported: defined here before
from .summary import drift_summary
from .summary import environment_table as environment_table  # re-exported: defined here before
from .versions import environment_tag as environment_tag  # re-exported: defined here before

__all__ = ["add_commands", "save_command"]

#: The name the summary had here, before it moved to :mod:`.summary`.
summary = drift_summary


def save_command(
    path: str | os.PathLike[str],
    *,
    python: str = "python",
    backends: Sequence[str] = (),
    select: str | None = None,
    cases: Sequence[str] = (),
    jobs: int | None = None,
    timeout: float | None = None,
    force: bool = False,
) -> list[str]:
    """The command line that saves a baseline to ``path`` with the interpreter ``python``
    (another environment's, a venv's): ``python -m equivalence baseline save --path PATH
    ...``, quiet. It exits 0 once the file is written, 2 for a usage error (an existing
    file without ``force``); read the file with :func:`.storage.load_baseline`."""
    command = [python, "-m", "equivalence", "baseline", "save", *cases, "--path", os.fspath(path), "-q"]
    if backends:
        command += ["--backends", ",".join(backends)]
    if select:
        command += ["-k", select]
    if jobs is not None:
        command += ["-j", str(jobs)]
    if timeout is not None:
        command += ["--timeout", f"{timeout:g}"]
    return command + (["--force"] if force else [])


def add_commands(commands: Any) -> None:
    """Add ``baseline {save,check,accept}`` and ``compare`` to the subparsers ``commands``."""
    from ..arguments import parse_backends
    from ..backends import DEFAULT_BACKENDS

    def selection(sub: argparse.ArgumentParser, default_backends: str, dest: str = "backends") -> None:
        sub.add_argument("-k", dest="select", metavar="EXPR",
                         help="only cases whose id or title matches, e.g. '003 and not tf'")
        sub.add_argument("--backends", dest=dest, type=parse_backends, default=None, metavar="LIST",
                         help=f"comma-separated backends, or 'all' (default: {default_backends})")

    def running(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
        sub.add_argument("--in-process", dest="isolate", action="store_false",
                         help="run every backend in this process: no time limit, and a crash ends the command "
                              "(default: one worker process per backend, as `run`)")
        sub.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                         help=f"worker processes running at once (default: 1; this machine has {os.cpu_count()} "
                              "cores)")
        sub.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                         help="CPU-time limit of one case in one backend (default: 300); the wall-clock limit, "
                              "for a case that sleeps or blocks, is 10 times it. A case over it is an error")

    baseline = commands.add_parser("baseline", help="save the outputs of every case, check them against a save, "
                                                    "or accept an expected change")
    actions = baseline.add_subparsers(dest="action", required=True, metavar="ACTION")

    save = actions.add_parser("save", help="run the cases and store every backend's outputs with the environment")
    save.add_argument("paths", nargs="*", default=[], metavar="PATH",
                      help="case files or folders (default: [tool.equivalence] cases, else cases/)")
    where = save.add_mutually_exclusive_group()
    where.add_argument("--name", help=f"saved as {BASELINES}/NAME.npz (default: a tag of the framework versions)")
    where.add_argument("--path", metavar="FILE", help="saved as FILE")
    save.add_argument("--force", action="store_true", help="overwrite an existing baseline")
    selection(save, ",".join(DEFAULT_BACKENDS))
    running(save)
    save.set_defaults(handler=command_save)

    check = actions.add_parser(
        "check", help="run the cases and compare each backend with its own outputs in a baseline",
        description="Run the cases and compare each backend with its own stored outputs. BASELINE is a "
        f"file or a name in {BASELINES}/ (default: the newest there); a folder or .py given as BASELINE "
        "is taken as the first PATH. Changes accepted with `baseline accept` (BASELINE.accepted.json) pass "
        "as `accepted`.")
    check.add_argument("baseline", nargs="?", metavar="BASELINE")
    check.add_argument("case_paths", nargs="*", default=[], metavar="PATH",
                       help="case files or folders (default: [tool.equivalence] cases, else cases/)")
    check.add_argument("--out", default=None, metavar="DIR",
                       help="where drift.csv, drift.json, results and the HTML report go (default: reports/)")
    check.add_argument("--save", metavar="FILE", default=None,
                       help="also store this run as a baseline in FILE (overwritten), for a later `compare`")
    check.add_argument("-v", "--verbose", action="store_true", help="list every row that changed")
    selection(check, "those in the baseline")
    running(check)
    check.set_defaults(handler=command_check)

    accept = actions.add_parser(
        "accept", help="accept a change found by the last check, with a reason: the next check passes it",
        description="Record rows of the last check's drift table (drift, error or bitwise_change) as expected, "
        "with a reason, in BASELINE.accepted.json beside the baseline (which is not rewritten). The next "
        "check shows them as `accepted` with the reason, as long as the change is the one accepted (the same "
        "new value, or no larger). Without -k, --output or --backends, every row of the statuses chosen "
        "(--status, default drift and error) is accepted.")
    accept.add_argument("baseline", nargs="?", metavar="BASELINE",
                        help="the baseline (default: the one the drift table was checked against)")
    accept.add_argument("--reason", default=None, help="why the change is expected (required, shown in every "
                                                       "later check)")
    accept.add_argument("--drift", default=None, metavar="FILE",
                        help="the drift.json of the check (default: reports/drift.json)")
    accept.add_argument("-k", dest="select", metavar="EXPR",
                        help="only rows whose case, output or backend matches, e.g. '002-18 and tensorflow'")
    accept.add_argument("--output", dest="outputs", action="append", default=[], metavar="NAME",
                        help="only this output (repeatable)")
    accept.add_argument("--backends", dest="accept_backends", type=parse_backends, default=None, metavar="LIST",
                        help="only rows of these backends")
    accept.add_argument("--status", dest="accept_statuses", default="drift,error", metavar="LIST",
                        help="which rows: comma-separated of drift, error, bitwise_change (default: drift,error, "
                             "what fails a check)")
    accept.add_argument("--list", action="store_true", help="list the changes accepted for BASELINE and exit")
    accept.set_defaults(handler=command_accept)

    compare = commands.add_parser(
        "compare", help="compare two saved baselines, without running anything",
        description="Compare each backend of B with the same backend in A. The cases' own tolerances are used "
        "when their files are at hand (--cases, else [tool.equivalence] cases or cases/ when it exists).")
    compare.add_argument("before", metavar="A", help="the earlier baseline (file or name)")
    compare.add_argument("after", metavar="B", help="the later baseline (file or name)")
    selection(compare, "every backend in A or B", dest="compare_backends")
    compare.add_argument("--cases", nargs="+", default=None, metavar="PATH",
                         help="load the cases under PATH for their tolerances (default: cases/ when it exists)")
    compare.add_argument("--no-cases", action="store_true",
                         help="do not load the cases: per-dtype default tolerances")
    compare.add_argument("--out", default="reports", metavar="DIR",
                         help="where drift.csv and drift.json go (default: reports/)")
    compare.add_argument("-v", "--verbose", action="store_true", help="list every row that changed")
    compare.set_defaults(handler=command_compare)
