"""``equivalence sweep``: search the inputs where frameworks disagree.

Registered into the main parser by :func:`add_commands` (from
:func:`equivalence.cli.build_parser`); nothing heavy is imported until the command runs.

Exit codes: 0 when no sweep found a failure (known differences within their bounds
and rounding excused by the oracle are not failures), 1 when one did, a sweep could
not run, or nothing was swept; 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._text import number, printable, table
from ..results import GLYPH, SEVERITY

if TYPE_CHECKING:
    from ..sweep.findings import SweepResult

__all__ = ["add_commands"]


def add_commands(commands: Any) -> None:
    """Add ``sweep`` to the subparsers ``commands``."""
    from ..arguments import parse_backends
    from ..backends import DEFAULT_BACKENDS, DEFAULT_REFERENCE, backend_names

    sweep = commands.add_parser(
        "sweep", help="search the inputs where the backends disagree (cases that declare a sweep)",
        description="Draw examples from each case's sweep declaration with hypothesis, run them in every backend, "
        "judge disagreements against a float64 oracle and shrink each failure to a minimal example. Writes "
        "sweep.json, sweep.csv and the page sweep.html.")
    sweep.add_argument("paths", nargs="*", default=[], metavar="PATH",
                       help="case files or folders (default: [tool.equivalence] cases, else cases/)")
    sweep.add_argument("-k", dest="select", metavar="EXPR",
                       help="only cases whose id or title matches, e.g. 'softmax and not mapped'")
    sweep.add_argument("--id", dest="ids", action="append", default=[], metavar="ID",
                       help="only the case with exactly this id (repeatable)")
    sweep.add_argument("--sweep", dest="sweep_name", metavar="NAME", help="only the sweep of this name")
    sweep.add_argument("--examples", type=int, default=100, metavar="N",
                       help="examples per sweep, shared out among its dtypes (default: 100)")
    sweep.add_argument("--seed", type=int, default=None, metavar="S",
                       help="hypothesis' seed (default: a random one, printed)")
    sweep.add_argument("--example", metavar="JSON",
                       help="run this one example (the JSON of a finding's input, or @FILE) instead of searching")
    sweep.add_argument("--known", dest="include_known", action="store_true",
                       help="shrink and report declared known differences too (to find their minimal examples)")
    sweep.add_argument("--no-database", dest="database", action="store_false",
                       help="neither replay nor save examples in hypothesis' database (.hypothesis/)")
    sweep.add_argument("--backends", type=parse_backends, default=None, metavar="LIST",
                       help=f"comma-separated backends, or 'all' (default: {','.join(DEFAULT_BACKENDS)})")
    sweep.add_argument("--reference", default=None, choices=backend_names(),
                       help=f"the backend every other one is compared with (default: {DEFAULT_REFERENCE})")
    sweep.add_argument("--out", default=None, metavar="DIR", help="where sweep.json, .csv and .html go (default: reports/)")
    sweep.add_argument("--in-process", dest="isolate", action="store_false",
                       help="run every backend in this process (default: one worker process per backend)")
    sweep.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                       help=f"worker processes running at once (default: 1; this machine has {os.cpu_count()} cores)")
    sweep.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                       help="time limit of one example in one backend (default: 300)")
    sweep.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    sweep.set_defaults(handler=command_sweep)


def command_sweep(args: argparse.Namespace) -> int:
    from ..arguments import UsageError
    from ..backends import DEFAULT_BACKENDS, DEFAULT_REFERENCE
    from ..discovery import DiscoveryError
    from .engine import run_sweeps

    chosen = args.backends or list(DEFAULT_BACKENDS)
    args.reference = args.reference or DEFAULT_REFERENCE
    if args.reference not in chosen:
        raise UsageError(f"--reference {args.reference} is not among --backends {','.join(chosen)}")
    example = None
    if args.example is not None:
        text = Path(args.example[1:]).read_text(encoding="utf-8") if args.example.startswith("@") else args.example
        try:
            example = json.loads(text)
            example = example.get("input", example)  # a whole finding is fine too
        except (ValueError, AttributeError) as exc:
            raise UsageError(f"--example is not the JSON of an example: {exc}") from None
    started = time.perf_counter()

    def progress(event: str, data: Any) -> None:
        if args.quiet:
            return
        if event == "start":
            if sys.stdout.isatty():
                case, sweep = data
                label = case.id + (f" [{sweep.name}]" if sweep.name else "")
                print(f"  {printable(label)} ...", end="\r", flush=True)
        elif event == "done":
            summary, findings = data
            label = summary.case + (f" [{summary.sweep}]" if summary.sweep else "")
            mark = GLYPH.get(summary.status, "?")
            rates = "  ".join(f"{b} {r:.0f}/s" for b, r in summary.rates().items())
            extra = f"; {summary.rounding} beyond tolerance, rounding by the oracle" if summary.rounding else ""
            found = f"; {summary.failures} failing" if summary.failures else ""
            print(f"{mark} {printable(label):<44} {summary.examples:>4} runs in {summary.seconds:5.1f}s "
                  f"({rates}){found}{extra}" + (f"  {printable(summary.message, 120)}" if summary.message else ""),
                  flush=True)

    try:
        result = run_sweeps(args.paths or ["cases"], select=args.select, ids=args.ids, sweep_name=args.sweep_name,
                            backends=chosen, reference=args.reference, examples=args.examples, seed=args.seed,
                            isolate=args.isolate, jobs=args.jobs or 1, timeout=args.timeout,
                            database="default" if args.database else None, include_known=args.include_known,
                            example=example, progress=progress)
    except (DiscoveryError, ValueError, KeyError) as exc:
        raise UsageError(str(exc)) from None
    paths = result.write(args.out or "reports")
    print()
    print(summary_text(result))
    print(f"\n{time.perf_counter() - started:.1f}s; seed {result.metadata['seed']}; results: {paths['csv']}, "
          f"{paths['json']}; page: {paths['html']}")
    if not result.metadata["complete"]:
        print("interrupted: the sweeps finished so far are written", file=sys.stderr)
        return 130
    if not any(s.status != "skipped" for s in result.summaries):
        print("nothing was swept: no selected case declares a sweep", file=sys.stderr)
    return 1 if result.failed else 0


def summary_text(result: SweepResult) -> str:
    """Counts, then every finding: its minimal input, the oracle's verdict and how to
    reproduce it."""
    summaries = result.summaries
    counts: dict[str, int] = {}
    for s in summaries:
        counts[s.status] = counts.get(s.status, 0) + 1
    examples = sum(s.examples for s in summaries)
    lines = [f"{len(summaries)} sweeps, {examples} examples: "
             + ", ".join(f"{counts[s]} {s}" for s in SEVERITY if s in counts)]
    shown = [f for f in result.findings if f.status != "pass"]
    if shown:
        lines += ["", table(
            ("status", "case", "dtype", "output", "backend", "vs", "max abs", "ulp", "minimal input"),
            [(f"{GLYPH.get(f.status, '?')} {f.status}", f.case + (f"[{f.sweep}]" if f.sweep else ""), f.example_dtype,
              f.output, f.backend, f.reference, number(f.max_abs_diff), number(f.max_ulp_diff),
              printable(_inputs(f.input), 70))
             for f in shown])]
        seen = set()
        for f in shown:
            if f.reproduce in seen:
                continue
            seen.add(f.reproduce)
            lines += ["", f"{f.case}{f' [{f.sweep}]' if f.sweep else ''}, {f.example_dtype}: "
                      f"{printable(f.message, 300)}", f"  reproduce: {printable(f.reproduce, 400)}"]
    return "\n".join(lines)


def _inputs(data: dict[str, Any]) -> str:
    parts = []
    for name, value in data.get("inputs", {}).items():
        parts.append(f"{name}={json.dumps(value['values'], separators=(',', ':'))}")
    return " ".join(parts)
