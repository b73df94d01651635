"""``equivalence matrix MATRIX.toml``: a baseline in each environment of a matrix, and the scoreboard.

Registered into the main parser by :func:`add_commands` (from
:func:`equivalence.cli.build_parser`); nothing heavy is imported until the command runs,
and no framework ever is: they run in the environments' own interpreters.

Exit codes: 0 when every environment saved its baseline (outputs that moved are
findings, not failures), 1 when an environment could not be made or could not save its
baseline (its column is errors), 2 for a usage error: an unusable matrix file, an unknown
backend, a torch that is not a CPU build (without ``--allow-cuda``), uv missing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._text import printable, table

if TYPE_CHECKING:
    from .scoreboard import Scoreboard

__all__ = ["add_commands"]


def add_commands(commands: Any) -> None:
    """Add ``matrix`` to the subparsers ``commands``."""
    matrix = commands.add_parser(
        "matrix", help="save a baseline in each environment of a matrix file and show which output moved where",
        description="Make each environment of MATRIX.toml with uv (pinned framework versions), save a baseline in "
        "each, and write the scoreboard: per (case, output, backend), each environment against the one before "
        "(unchanged, bitwise change, drift, new, removed, error). Writes matrix.html, matrix.csv and matrix.json.")
    matrix.add_argument("matrix_file", metavar="MATRIX.toml", help="the environments, in the order of the axis")
    matrix.add_argument("case_paths", nargs="*", default=[], metavar="PATH",
                        help="case files or folders (default: the matrix file's [matrix] cases, else the project's)")
    matrix.add_argument("--out", dest="matrix_out", default="reports/matrix", metavar="DIR",
                        help="where baselines, logs, matrix.html/.csv/.json go (default: reports/matrix)")
    matrix.add_argument("--envs", default=None, metavar="DIR",
                        help="where environments are made and kept (default: ~/.cache/equivalence/envs)")
    matrix.add_argument("-k", dest="matrix_select", metavar="EXPR", help="only cases whose id or title matches")
    matrix.add_argument("--backends", dest="matrix_backends", default=None, metavar="LIST",
                        help="comma-separated backends (default: [matrix] backends, else baseline save's)")
    matrix.add_argument("-j", "--jobs", dest="matrix_jobs", type=int, default=None, metavar="N",
                        help="worker processes of each baseline save (default: 1)")
    matrix.add_argument("--timeout", dest="matrix_timeout", type=float, default=None, metavar="SECONDS",
                        help="CPU seconds of one case in one backend (default: 300)")
    matrix.add_argument("--reuse", action="store_true",
                        help="keep each baseline an earlier run saved for the same environment and scope: only the "
                             "missing ones are saved (then the scoreboard is redrawn)")
    matrix.add_argument("--allow-cuda", action="store_true",
                        help="install a torch whose wheel is not the CPU build (several GB of CUDA packages)")
    matrix.add_argument("--python", default=sys.executable, metavar="PYTHON",
                        help="the interpreter the environments are made from (default: this one)")
    matrix.add_argument("--dry-run", action="store_true",
                        help="check the file and each torch, print what each environment installs, make nothing")
    matrix.set_defaults(handler=command_matrix)


def command_matrix(args: argparse.Namespace) -> int:
    from ..arguments import UsageError, parse_backends
    from .environments import EnvironmentFailure
    from .run import Options, default_envs, plan_matrix, run_matrix
    from .spec import SpecError, load_spec

    try:
        spec = load_spec(args.matrix_file)
        backends = args.matrix_backends or ",".join(spec.backends)
        chosen = tuple(parse_backends(backends)) if backends else ()
    except (SpecError, argparse.ArgumentTypeError) as exc:
        raise UsageError(str(exc)) from None
    options = Options(out=Path(args.matrix_out), envs=Path(args.envs) if args.envs else default_envs(),
                      paths=tuple(str(Path(p).resolve()) for p in args.case_paths) or spec.cases,
                      select=args.matrix_select or spec.select, backends=chosen,
                      jobs=args.matrix_jobs or spec.jobs, timeout=args.matrix_timeout or spec.timeout,
                      reuse=args.reuse, allow_cuda=args.allow_cuda, python=args.python)
    missing = [p for p in options.paths if not Path(p).exists()]
    if missing:
        raise UsageError(f"no such case path: {', '.join(missing)}")
    try:
        plans, checks = plan_matrix(spec, options)
    except EnvironmentFailure as exc:
        print(f"matrix: {exc}", file=sys.stderr)
        return 2
    for check in checks:
        if check.wheel is not None:
            kind = "CPU build" if check.wheel.cpu else "NOT a CPU build (--allow-cuda)"
            print(f"torch {check.version}: {kind}, {check.wheel.describe()}")
    if args.dry_run:
        for env, plan in zip(spec.envs, plans, strict=True):
            print(f"\n{env.name} ({options.envs / env.name}):\n  requirements: {' '.join(plan.requirements)}\n"
                  f"  constraints: {' '.join(plan.constraints) or '-'}"
                  + "".join(f"\n  constraint file: {f}" for f in plan.constraint_files))
        return 0
    print(f"{len(spec.envs)} environments in {options.envs}; baselines, logs and the scoreboard in {options.out}",
          flush=True)
    try:
        outcomes = run_matrix(spec, options, plans)
    except EnvironmentFailure as exc:
        print(f"matrix: {exc}", file=sys.stderr)
        return 2
    board = render(outcomes, options, source=str(spec.path))
    print()
    print(summary(board))
    print(f"\nscoreboard: {options.out / 'matrix.html'}; every cell: {options.out / 'matrix.csv'}")
    return 0 if all(o.ok for o in outcomes) else 1


def render(outcomes: Any, options: Any, *, source: str = "") -> Scoreboard:
    """Build the scoreboard of ``outcomes`` and write matrix.csv and matrix.html."""
    from ..baseline import tolerance_cases
    from .page import write_page
    from .scoreboard import build_scoreboard

    board = build_scoreboard(outcomes, cases=tolerance_cases(list(options.snapshot or options.paths))[0])
    board.write_csv(options.out)
    write_page(board, options.out, source=source)
    return board


def summary(board: Scoreboard) -> str:
    """The transitions as a text table."""
    from .scoreboard import TRANSITIONS as statuses
    rows = []
    for column in board.columns:
        if column.outcome.status != "ok":
            rows.append((column.name, "could not be used", *[""] * (len(statuses) + 1)))
            rows.append(("", printable(column.outcome.reason, 110, newlines=False), *[""] * (len(statuses) + 1)))
        elif not column.compared_with:
            rows.append((column.name, f"start: {column.counts.get('baseline', 0)} outputs", *[""] * len(statuses),
                         ""))
        else:
            rows.append((column.name, f"against {column.compared_with}",
                         *(str(column.counts.get(s, 0)) for s in statuses), str(column.first_moves)))
    return table(("environment", "", *statuses, "moved first"), rows)
