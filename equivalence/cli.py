"""The command line: ``equivalence run``, ``equivalence list``; ``baseline save``, ``baseline check``
and ``compare`` come from :mod:`equivalence.baseline.cli`.

Exit codes: 0 when no comparison failed or errored, 1 when one did (``fail``,
``error``, ``unexpected_pass``), 2 for a usage error (an unknown backend, a missing
path, two cases with one id). ``list`` and ``--help`` import no framework.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._text import number, printable, table
from .arguments import UsageError, apply_settings, discover_args, parse_backends, progress_printer, settings_start
from .backends import DEFAULT_BACKENDS, DEFAULT_REFERENCE, backend_names
from .results import FAILING, SEVERITY, Row, RunResult

if TYPE_CHECKING:
    pass

__all__ = ["main"]

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="equivalence",
        description="Run computations declared once in NumPy, TensorFlow and PyTorch and compare them.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def selection(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("paths", nargs="*", default=[], metavar="PATH",
                         help="case files or folders (default: [tool.equivalence] cases, else cases/)")
        sub.add_argument("-k", dest="select", metavar="EXPR",
                         help="only cases whose id or title matches, e.g. '003 and not tf'")
        sub.add_argument("--id", dest="ids", action="append", default=[], metavar="ID",
                         help="only the case with exactly this id (repeatable)")

    run = commands.add_parser("run", help="run the cases and compare the backends")
    selection(run)
    run.add_argument("--backends", type=parse_backends, default=None, metavar="LIST",
                     help=f"comma-separated backends to run, or 'all' (default: {','.join(DEFAULT_BACKENDS)}; "
                          f"all: {','.join(backend_names())})")
    run.add_argument("--reference", default=None, choices=backend_names(),
                     help=f"the backend every other one is compared with (default: {DEFAULT_REFERENCE})")
    run.add_argument("--out", default=None, metavar="DIR", help="where results are written (default: reports/)")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    run.add_argument("--in-process", dest="isolate", action="store_false",
                     help="run every backend in this process: no time limit, and a crash ends the run "
                          "(default: one worker process per backend)")
    run.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                     help=f"worker processes running at once (default: 1; this machine has {os.cpu_count()} cores)")
    run.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                     help="CPU-time limit of one case in one backend, in worker processes (default: 300); the "
                          "wall-clock limit, for a case that sleeps or blocks, is 10 times it")
    run.add_argument("--repeat", type=int, default=1, choices=(1, 2, 3), metavar="N",
                     help="run everything N times and flag outputs that differ bitwise between runs")
    run.add_argument("--shard", metavar="K/N", default=None,
                     help="run only shard K of N (balanced by --durations, else by count); merge the parts "
                          "with `equivalence merge`")
    run.add_argument("--durations", metavar="RESULTS", default=None,
                     help="a results.json whose recorded durations balance the shards and start the longest "
                          "tasks first (default: the one in --out, when there is one)")
    run.add_argument("--bounds", action="store_true",
                     help="after the run, list what each known difference matched and measured, with a bound to "
                          "declare (and the failing rows no declaration covers)")
    run.add_argument("-v", "--verbose", action="store_true", help="list every known-difference row in the summary")
    run.set_defaults(handler=command_run)

    merging = commands.add_parser("merge", help="combine the results of every shard of a run into one")
    merging.add_argument("parts", nargs="+", metavar="DIR", help="the --out folders of the shards")
    merging.add_argument("--out", default="reports", metavar="DIR", help="where the merged results go")
    merging.add_argument("--allow-mixed-versions", action="store_true",
                         help="merge parts that ran with different framework versions")
    merging.set_defaults(handler=command_merge)

    listing = commands.add_parser("list", help="list the cases found, without running them")
    selection(listing)
    listing.set_defaults(handler=command_list)

    from .baseline.cli import add_commands  # baseline save/check, compare A B

    add_commands(commands)
    from .sweep.cli import add_commands as add_sweep  # sweep: search inputs where backends disagree

    add_sweep(commands)
    from .matrix.cli import add_commands as add_matrix  # matrix: a baseline per environment, the scoreboard

    add_matrix(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        paths = getattr(args, "paths", None)
        apply_settings(args, start=settings_start(paths[0]) if paths else ".")
        return int(args.handler(args))
    except UsageError as exc:
        parser.error(str(exc))  # exits 2
    return 2


def command_list(args: argparse.Namespace) -> int:
    cases, errors = discover_args(args)
    rows = [(c.id, ",".join(c.implementations), c.title) for c in cases]
    print(table(("case", "backends", "title"), rows))
    for error in errors:
        print(f"cannot load {printable(error.path)}: {printable(error.error)}", file=sys.stderr)
    print(f"\n{len(cases)} cases")
    return 1 if errors else 0


def command_run(args: argparse.Namespace) -> int:
    from .runner import run_cases

    cases, errors = discover_args(args)
    backends = args.backends or list(DEFAULT_BACKENDS)
    if args.reference not in backends:
        raise UsageError(f"--reference {args.reference} is not among --backends {','.join(backends)}")
    started = time.perf_counter()
    durations = _durations(args)
    if args.shard:
        from .shards import parse_shard, shard_cases

        try:
            k, n = parse_shard(args.shard)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        cases = shard_cases(cases, k, n, durations)
    progress = progress_printer(cases, args.quiet)

    if not args.quiet:
        print(f"running {len(cases)} cases in {', '.join(backends)} (reference: {args.reference})", flush=True)
    with _sigterm_as_interrupt() as received:
        result = run_cases(cases, backends, args.reference, load_errors=errors, progress=progress,
                           isolate=args.isolate, jobs=args.jobs, timeout=args.timeout, repeat=args.repeat,
                           durations=durations)
    if args.shard:
        result.metadata["shard"] = [k, n]
    paths = result.write(args.out)
    report = _write_report(result, args.out)
    print()
    print(summary(result, verbose=args.verbose))
    print(_reproduce(result, args))
    if args.bounds:
        from .bounds import measure, render

        print("\nMeasured, for the bounds of known differences:\n" + render(measure(result.rows, result.cases)))
    print(f"\n{time.perf_counter() - started:.1f}s; results: {paths['csv']}, {paths['json']}"
          + (f"; report: {report}" if report else ""))
    if not result.metadata["complete"]:
        unfinished = result.metadata["unfinished"]
        print(f"interrupted: {len(unfinished)} cases did not finish; the results written are marked incomplete",
              file=sys.stderr)
        return 128 + (received[0] if received else signal.SIGINT)
    if not any(r.status != "skipped" for r in result.rows):
        print("nothing was compared: no case ran in two backends (or against documented values)", file=sys.stderr)
    return 1 if result.failed else 0


def _durations(args: argparse.Namespace) -> dict[tuple[str, str], float]:
    """Recorded durations: from --durations, else from the results.json of --out."""
    from pathlib import Path

    from .shards import load_durations

    path = Path(args.durations) if args.durations else Path(args.out) / "results.json"
    if not path.exists():
        if args.durations:
            raise UsageError(f"--durations {path}: no such file")
        return {}
    try:
        return load_durations(path)
    except ValueError as exc:
        if args.durations:
            raise UsageError(str(exc)) from None
        return {}  # an unreadable old results.json only costs the balance


def command_merge(args: argparse.Namespace) -> int:
    from .shards import MergeError, merge_results

    try:
        result = merge_results(args.parts, allow_mixed_versions=args.allow_mixed_versions)
    except MergeError as exc:
        raise UsageError(str(exc)) from None
    paths = result.write(args.out)
    report = _write_report(result, args.out)
    print(summary(result))
    print(f"\nmerged {len(args.parts)} parts; results: {paths['csv']}, {paths['json']}"
          + (f"; report: {report}" if report else ""))
    return 1 if result.failed else 0


def _reproduce(result: RunResult, args: argparse.Namespace, limit: int = 10) -> str:
    """A command per failing comparison that re-runs exactly it (the first ``limit``)."""
    from .runner import reproduce_command

    by_id = {c.id: c for c in result.cases}
    commands = list(dict.fromkeys(
        reproduce_command(by_id[r.case], r.backend, r.reference, timeout=args.timeout)
        for r in result.rows if r.status in FAILING and r.case in by_id and r.backend != "*"))
    if not commands:
        return ""
    more = f"\n  … and {len(commands) - limit} more" if len(commands) > limit else ""
    return "\nreproduce a failing comparison:\n" + "\n".join(f"  {printable(c)}" for c in commands[:limit]) + more


class _sigterm_as_interrupt:
    """SIGTERM (a CI job cancelled) ends the run like Ctrl-C: finished cases are kept."""

    def __enter__(self) -> list[int]:
        self.received: list[int] = []

        def handler(signum: int, frame: object) -> None:
            self.received.append(signum)
            raise KeyboardInterrupt

        try:
            self.previous = signal.signal(signal.SIGTERM, handler)
        except ValueError:  # not the main thread
            self.previous = None
        return self.received

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def _write_report(result: RunResult, out: str) -> str | None:
    """``index.html`` beside the results; a report that cannot be written never costs the run."""
    from .report import write_report

    try:
        return str(write_report(result, out))
    except Exception as exc:
        print(f"warning: the HTML report was not written: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None


def summary(result: RunResult, verbose: bool = False) -> str:
    """Counts by status; every failing row, worst first; known differences one line per
    case (every row with ``verbose``)."""
    counts = result.counts()
    lines = ["  ".join(f"{status}: {n}" for status, n in counts.items())]
    shown = (*FAILING, "known_difference") if verbose else FAILING
    notable = sorted((r for r in result.rows if r.status in shown), key=lambda r: SEVERITY.index(r.status))
    if notable:
        lines.append("")
        lines.append(table(
            ("status", "case", "output", "backend", "vs", "max abs", "max rel", "ulp", "message"),
            [(r.status, r.case, r.output, r.backend, r.reference, number(r.max_abs_diff),
              number(r.max_rel_diff), number(r.max_ulp_diff), printable(r.message, 90)) for r in notable],
        ))
    known: dict[str, list[Row]] = {}
    for r in result.rows:
        if r.status == "known_difference" and not verbose:
            known.setdefault(r.case, []).append(r)
    if known:
        lines.append("")
        lines.append(f"known differences, within their declared bounds ({sum(map(len, known.values()))} rows; -v lists them):")
        for case_id, rows in known.items():
            declared = len({r.declared for r in rows})
            lines.append(f"  {printable(case_id)}: {len(rows)} rows, {declared} declaration{'s' if declared > 1 else ''}")
    return "\n".join(lines)
