"""The baseline commands: ``baseline save``, ``baseline check``, ``compare A B``.

Registered into the main parser by :func:`add_commands` (from
:func:`equivalence.cli.build_parser`); nothing heavy is imported until a command runs.

Exit codes: ``save`` 0 once written; ``check`` and ``compare`` 1 when a row is
``drift`` or ``error`` (``removed`` and ``bitwise_change`` are listed, not failures);
2 for a usage error, an unreadable baseline or one that exists already without
``--force``.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._text import number, printable, table

if TYPE_CHECKING:
    from .drift import DriftReport
    from .storage import Baseline

__all__ = ["add_commands"]

BASELINES = Path("reports") / "baselines"
ORDER = {"error": 0, "drift": 1, "removed": 2, "new": 3, "bitwise_change": 4, "unchanged": 5}


def add_commands(commands: Any) -> None:
    """Add ``baseline {save,check}`` and ``compare`` to the subparsers ``commands``."""
    from ..arguments import parse_backends
    from ..backends import DEFAULT_BACKENDS

    def selection(sub: argparse.ArgumentParser, default_backends: str) -> None:
        sub.add_argument("-k", dest="select", metavar="EXPR",
                         help="only cases whose id or title matches, e.g. '003 and not tf'")
        sub.add_argument("--backends", type=parse_backends, default=None, metavar="LIST",
                         help=f"comma-separated backends, or 'all' (default: {default_backends})")
        sub.add_argument("-q", "--quiet", action="store_true", help="no progress lines")

    baseline = commands.add_parser("baseline", help="save the outputs of every case, or check them against a save")
    actions = baseline.add_subparsers(dest="action", required=True, metavar="ACTION")

    save = actions.add_parser("save", help="run the cases and store every backend's outputs with the environment")
    save.add_argument("paths", nargs="*", default=[], metavar="PATH",
                      help="case files or folders (default: [tool.equivalence] cases, else cases/)")
    where = save.add_mutually_exclusive_group()
    where.add_argument("--name", help=f"saved as {BASELINES}/NAME.npz (default: a tag of the framework versions)")
    where.add_argument("--path", metavar="FILE", help="saved as FILE")
    save.add_argument("--force", action="store_true", help="overwrite an existing baseline")
    selection(save, ",".join(DEFAULT_BACKENDS))
    save.set_defaults(handler=command_save)

    check = actions.add_parser(
        "check", help="run the cases and compare each backend with its own outputs in a baseline",
        description="Run the cases and compare each backend with its own stored outputs. BASELINE is a "
        f"file or a name in {BASELINES}/ (default: the newest there); a folder or .py given as BASELINE "
        "is taken as the first PATH.")
    check.add_argument("baseline", nargs="?", metavar="BASELINE")
    check.add_argument("paths", nargs="*", default=None, metavar="PATH",
                       help="case files or folders (default: cases/)")
    check.add_argument("--out", default="reports", metavar="DIR",
                       help="where drift.csv, drift.json, results and the HTML report go (default: reports/)")
    selection(check, "those in the baseline")
    check.set_defaults(handler=command_check)

    compare = commands.add_parser("compare", help="compare two saved baselines, without running anything")
    compare.add_argument("before", metavar="A", help="the earlier baseline (file or name)")
    compare.add_argument("after", metavar="B", help="the later baseline (file or name)")
    compare.add_argument("--cases", nargs="+", default=None, metavar="PATH",
                         help="load the cases under PATH for their tolerances (default: per-dtype defaults)")
    compare.add_argument("--out", default="reports", metavar="DIR",
                         help="where drift.csv and drift.json go (default: reports/)")
    compare.set_defaults(handler=command_compare)


# -- the commands ---------------------------------------------------------------------


def command_save(args: argparse.Namespace) -> int:
    from ..arguments import UsageError, discover_args, progress_printer
    from ..runner import run_cases
    from .storage import Baseline, save_baseline

    explicit = Path(args.path) if args.path else (BASELINES / f"{_safe_name(args.name)}.npz" if args.name else None)
    if explicit is not None and explicit.exists() and not args.force:
        raise UsageError(f"{explicit}: a baseline exists already; pass --force to overwrite it")
    cases, errors = discover_args(args)
    backends = args.backends or _default_backends()
    started = time.perf_counter()
    result = run_cases(cases, backends, _reference(backends), load_errors=errors, progress=progress_printer(cases, args.quiet))
    name = args.name or environment_tag(result.metadata, backends)
    path = explicit or BASELINES / f"{_safe_name(name)}.npz"
    baseline = Baseline.from_result(result, name=name)
    try:
        save_baseline(baseline, path, force=args.force)
    except FileExistsError as exc:
        raise UsageError(str(exc)) from None
    arrays = sum(len(s.outputs) for s in baseline.snapshots.values())
    failed = sorted({f"{c}[{b}]" for (c, b), s in baseline.snapshots.items() if s.status == "error"})
    print(f"saved {arrays} outputs of {len(cases)} cases in {', '.join(backends)} "
          f"({_versions(result.metadata)}) to {path} in {time.perf_counter() - started:.1f}s")
    for error in errors:
        print(f"warning: cannot load {printable(error.path)}: {printable(error.error)} (not in the baseline)")
    if failed:
        print(f"note: {len(failed)} raised and are stored as errors: {printable(', '.join(failed), 200)}")
    return 0


def command_check(args: argparse.Namespace) -> int:
    from ..arguments import discover_args, progress_printer
    from .check import baseline_scope, check_cases

    args.paths = list(args.paths or [])
    if args.baseline and (Path(args.baseline).is_dir() or args.baseline.endswith(".py")):
        args.paths, args.baseline = [args.baseline, *args.paths], None
    if not args.paths:
        from ..arguments import apply_settings

        apply_settings(args)
    baseline = _load(args.baseline)
    cases, errors = discover_args(args)
    backends = args.backends or [b for b in _registered() if b in baseline.backends] or _default_backends()
    started = time.perf_counter()
    if not args.quiet:
        print(f"checking {len(cases)} cases in {', '.join(backends)} against {baseline.path}", flush=True)
    result, report = check_cases(baseline, cases, backends, load_errors=errors,
                                 in_scope=baseline_scope(baseline, args.paths, args.select),
                                 progress=progress_printer(cases, args.quiet))
    out = Path(args.out)
    paths = report.write(out)
    result.write(out)
    try:
        from ..report import write_report
    except ImportError:  # the HTML report is optional here
        pass
    else:
        write_report(result, out / "index.html", drift=report.frame)
    print()
    print(summary(report))
    print(f"\n{time.perf_counter() - started:.1f}s; drift table: {paths['csv']}, {paths['json']}")
    return 1 if report.failed else 0


def command_compare(args: argparse.Namespace) -> int:
    from .drift import compare_baselines

    before, after = _load(args.before), _load(args.after)
    cases = None
    if args.cases:  # their tolerances, as plain data: the case files run in a child process
        from ..arguments import UsageError
        from ..discovery import DiscoveryError
        from ..runner import discover_cases

        try:
            found, _ = discover_cases(args.cases, isolate=True)
        except DiscoveryError as exc:
            raise UsageError(str(exc)) from None
        cases = {c.id: c for c in found}
    report = compare_baselines(before, after, cases=cases)
    paths = report.write(args.out)
    print(summary(report))
    print(f"\ndrift table: {paths['csv']}, {paths['json']}")
    return 1 if report.failed else 0


# -- helpers --------------------------------------------------------------------------


def _default_backends() -> list[str]:
    from ..backends import DEFAULT_BACKENDS

    return list(DEFAULT_BACKENDS)


def _registered() -> list[str]:
    from ..backends import backend_names

    return list(backend_names())


def _reference(backends: list[str]) -> str:
    from ..backends import DEFAULT_REFERENCE

    return DEFAULT_REFERENCE if DEFAULT_REFERENCE in backends else backends[0]


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+-]+", "_", name).strip("._") or "baseline"


def environment_tag(metadata: dict[str, Any], backends: list[str]) -> str:
    """``numpy-2.4.6_torch-2.13.0+cpu_tensorflow-2.21.0``: the versions a baseline was made with."""
    versions = metadata.get("versions") or {}
    return "_".join(f"{b}-{versions[b]}" for b in backends if versions.get(b)) or "baseline"


def _versions(metadata: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in (metadata.get("versions") or {}).items() if v)


def resolve(argument: str | None) -> Path:
    """A baseline argument as a file: a path, a name in reports/baselines/, or the newest there."""
    from ..arguments import UsageError

    if argument is None:
        found = sorted(BASELINES.glob("*.npz"), key=lambda p: p.stat().st_mtime)
        if not found:
            raise UsageError(f"no baseline in {BASELINES}/; save one with: python -m equivalence baseline save")
        if len(found) > 1:
            print(f"using the newest baseline in {BASELINES}/: {found[-1].name} (name one to choose)")
        return found[-1]
    path = Path(argument)
    if path.exists() or path.suffix == ".npz" or len(path.parts) > 1:
        return path
    return BASELINES / f"{argument}.npz"


def _load(argument: str | None) -> Baseline:
    from ..arguments import UsageError
    from .storage import BaselineError, load_baseline

    try:
        return load_baseline(resolve(argument))
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


def summary(report: DriftReport) -> str:
    """Versions before and after, then every row that moved, bitwise changes apart, then counts."""
    before, after = report.metadata["before"], report.metadata["after"]
    lines = [f"before: {before['path'] or before['name']} ({before['created']})",
             f"after:  {after['path'] or after['name']} ({after['created']})", "", version_table(report), ""]
    notable = sorted((r for r in report.rows if r.status not in ("unchanged", "bitwise_change")),
                     key=lambda r: ORDER[r.status])
    if notable:
        lines += ["changed beyond tolerance, errors, new and removed:", table(
            ("status", "case", "output", "backend", "max abs", "max rel", "max ulp", "mismatched", "rtol", "atol",
             "message"),
            [(r.status, r.case, r.output, r.backend, number(r.max_abs_diff), number(r.max_rel_diff),
              number(r.max_ulp_diff), f"{r.mismatched}/{r.numel}", number(r.rtol), number(r.atol),
              printable(r.message, 80)) for r in notable]), ""]
    bitwise = [r for r in report.rows if r.status == "bitwise_change"]
    if bitwise:
        lines += ["bitwise changes within tolerance (reproducibility, not failures):", table(
            ("case", "output", "backend", "max abs", "max rel", "max ulp", "changed"),
            [(r.case, r.output, r.backend, number(r.max_abs_diff), number(r.max_rel_diff), number(r.max_ulp_diff),
              r.message.split(" changed bits")[0]) for r in bitwise]), ""]
    lines.append("  ".join(f"{status}: {n}" for status, n in report.counts().items()))
    return "\n".join(lines)


def version_table(report: DriftReport) -> str:
    env_before = report.metadata["before"]["environment"]
    env_after = report.metadata["after"]["environment"]
    versions_before, versions_after = env_before.get("versions") or {}, env_after.get("versions") or {}
    rows = [(name, str(versions_before.get(name) or "-"), str(versions_after.get(name) or "-"))
            for name in dict.fromkeys([*versions_before, *versions_after])]
    rows += [(key, str(env_before.get(key, "-")), str(env_after.get(key, "-"))) for key in ("python", "platform")]
    return table(("", "before", "after"), [(n, b, a + ("" if a == b else "  (changed)")) for n, b, a in rows])
