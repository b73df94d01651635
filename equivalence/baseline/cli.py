"""The baseline commands: ``baseline save``, ``baseline check``, ``baseline accept``, ``compare A B``.

Registered into the main parser by :func:`add_commands` (from
:func:`equivalence.cli.build_parser`); nothing heavy is imported until a command runs.

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
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._text import number, printable, table

if TYPE_CHECKING:
    from ..case import Case
    from .drift import DriftReport, DriftRow
    from .storage import Baseline

__all__ = ["add_commands"]

BASELINES = Path("reports") / "baselines"
#: How many rows of a kind the summary lists before it counts the rest (``-v``: all).
LISTED = 30


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


# -- the commands ---------------------------------------------------------------------


def command_save(args: argparse.Namespace) -> int:
    from ..arguments import UsageError, discover_args, progress_printer
    from ..runner import run_cases
    from .storage import Baseline, save_baseline

    started = time.perf_counter()
    explicit = Path(args.path) if args.path else (BASELINES / f"{_safe_name(args.name)}.npz" if args.name else None)
    if explicit is not None and explicit.exists() and not args.force:
        raise UsageError(f"{explicit}: a baseline exists already; pass --force to overwrite it")
    cases, errors = discover_args(args)
    backends = args.backends or _default_backends()
    if not args.quiet:
        print(f"saving {len(cases)} cases in {', '.join(backends)} ({_how(args)})", flush=True)
    result = run_cases(cases, backends, _reference(backends), load_errors=errors,
                       progress=progress_printer(cases, args.quiet), isolate=args.isolate, jobs=args.jobs or 1,
                       timeout=args.timeout)
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
          f"({_versions(result.metadata)}) to {path} in {time.perf_counter() - started:.1f}s "
          "(wall-clock, discovery and framework imports included)")
    for error in errors:
        print(f"warning: cannot load {printable(error.path)}: {printable(error.error)} (not in the baseline)")
    if failed:
        print(f"note: {len(failed)} raised or timed out and are stored as errors: {printable(', '.join(failed), 300)}")
    return 0


def command_check(args: argparse.Namespace) -> int:
    from ..arguments import apply_settings, discover_args, progress_printer, settings_start
    from .accepted import load_accepted
    from .check import baseline_scope, check_cases
    from .storage import Baseline, BaselineError, save_baseline

    started = time.perf_counter()
    args.paths = list(args.case_paths or [])
    if args.baseline and (Path(args.baseline).is_dir() or args.baseline.endswith(".py")):
        args.paths, args.baseline = [args.baseline, *args.paths], None
    apply_settings(args, start=settings_start(args.paths[0]) if args.paths else ".")
    baseline = _load(args.baseline)
    try:
        accepted = load_accepted(baseline.path) if baseline.path else []
    except BaselineError as exc:
        from ..arguments import UsageError

        raise UsageError(str(exc)) from None
    cases, errors = discover_args(args)
    backends = args.backends or [b for b in _registered() if b in baseline.backends] or _default_backends()
    if not args.quiet:
        print(f"checking {len(cases)} cases in {', '.join(backends)} against {baseline.path} ({_how(args)})"
              + (f"; {len(accepted)} accepted change(s)" if accepted else ""), flush=True)
    result, report = check_cases(baseline, cases, backends, load_errors=errors,
                                 in_scope=baseline_scope(baseline, args.paths, args.select),
                                 progress=progress_printer(cases, args.quiet), isolate=args.isolate,
                                 jobs=args.jobs or 1, timeout=args.timeout, accepted=accepted)
    out = Path(args.out or "reports")
    paths = report.write(out)
    result.write(out)
    _write_html(result, out, report)
    if args.save:
        saved = save_baseline(Baseline.from_result(result, name=Path(args.save).stem), args.save, force=True)
        print(f"this run saved as a baseline: {saved}")
    print()
    print(summary(report, verbose=args.verbose))
    print(f"\n{time.perf_counter() - started:.1f}s wall-clock (discovery and framework imports included); "
          f"drift table: {paths['csv']}, {paths['json']}")
    return 1 if report.failed else 0


def command_compare(args: argparse.Namespace) -> int:
    from .accepted import load_accepted
    from .check import scoped
    from .drift import compare_baselines
    from .storage import BaselineError

    before, after = _load(args.before), _load(args.after)
    backends = args.compare_backends
    if args.select or backends:
        ids = _matching(before, args.select) | _matching(after, args.select)
        keep = list(backends or dict.fromkeys([*before.backends, *after.backends]))
        before, after = scoped(before, ids, keep), scoped(after, ids, keep)
    cases, where = (None, "") if args.no_cases else _tolerance_cases(args.cases)
    try:
        accepted = load_accepted(before.path) if before.path else []
    except BaselineError as exc:
        from ..arguments import UsageError

        raise UsageError(str(exc)) from None
    report = compare_baselines(before, after, cases=cases, accepted=accepted)
    if where:
        report.metadata["tolerances"] = f"the cases' (from {where})"
    if args.select or backends:
        report.metadata["scope"] = {"select": args.select or "", "backends": list(backends or [])}
    paths = report.write(args.out)
    page = _compare_page(report, args.out)
    print(summary(report, verbose=args.verbose))
    print(f"\ntolerances: {report.metadata['tolerances']}; drift table: {paths['csv']}, {paths['json']}"
          + (f"; report: {page}" if page else ""))
    return 1 if report.failed else 0


def command_accept(args: argparse.Namespace) -> int:
    import json

    from .._select import compile_expression
    from ..arguments import UsageError
    from .accepted import ACCEPTABLE, Acceptance, accepted_path, load_accepted, save_accepted
    from .storage import BaselineError

    drift_path = Path(args.drift) if args.drift else Path("reports") / "drift.json"
    if args.list:
        baseline = resolve(args.baseline) if args.baseline else _checked_baseline(drift_path)
        try:
            entries = load_accepted(baseline)
        except BaselineError as exc:
            raise UsageError(str(exc)) from None
        print(f"{len(entries)} accepted change(s) for {baseline} ({accepted_path(baseline)})")
        if entries:
            print(table(("case", "output", "backend", "status", "change", "accepted", "reason"),
                        [(e.case, e.output, e.backend, e.status, e.change, e.accepted[:10], printable(e.reason, 80))
                         for e in entries]))
        return 0
    if not (args.reason or "").strip():
        raise UsageError("baseline accept needs --reason TEXT: why the change is expected (it is shown in every "
                         "later check)")
    try:
        document = json.loads(drift_path.read_text(encoding="utf-8"))
        rows, metadata = document["rows"], document["metadata"]
    except FileNotFoundError:
        raise UsageError(f"{drift_path}: no drift table; run `python -m equivalence baseline check` first "
                         "(or name one with --drift)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{drift_path}: not a drift table ({type(exc).__name__}: {exc})") from None
    checked = _checked_baseline(drift_path, metadata)
    baseline = resolve(args.baseline) if args.baseline else checked
    if not baseline.exists():
        raise UsageError(f"{baseline}: no such baseline")
    if not _same_file(baseline, checked):
        raise UsageError(f"{drift_path} compares against {checked}, not {baseline}: check {baseline} first")
    statuses = [s.strip() for s in args.accept_statuses.split(",") if s.strip()]
    unknown = [s for s in statuses if s not in ACCEPTABLE]
    if unknown or not statuses:
        raise UsageError(f"--status {args.accept_statuses}: choose from {', '.join(ACCEPTABLE)}")
    matches = compile_expression(args.select) if args.select else (lambda text: True)
    chosen = [r for r in rows if r.get("status") in statuses and matches(f"{r['case']} {r['output']} {r['backend']}")
              and (not args.outputs or r["output"] in args.outputs)
              and (not args.accept_backends or r["backend"] in args.accept_backends)]
    if not chosen:
        raise UsageError(f"no row of {drift_path} with status {', '.join(statuses)} matches the selection")
    try:
        entries = load_accepted(baseline)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None
    new = [Acceptance.from_record(r, args.reason.strip()) for r in chosen]
    path = save_accepted(baseline, [*entries, *new])
    print(table(("case", "output", "backend", "status", "change", "before → after"),
                [(e.case, e.output, e.backend, e.status, e.change, _before_after(e.before, e.after, 60))
                 for e in new]))
    print(f"\naccepted {len(new)} change(s) of {baseline} in {path}: {printable(args.reason.strip(), 200)}\n"
          "the next check shows them as `accepted` while they stay the change accepted")
    return 0


# -- helpers --------------------------------------------------------------------------


def _how(args: argparse.Namespace) -> str:
    if not args.isolate:
        return "in this process, no time limit"
    from ..isolation import DEFAULT_TIMEOUT

    limit = args.timeout or DEFAULT_TIMEOUT
    return f"isolated: {args.jobs or 1} worker(s) at once, {limit:g} s of CPU time per case and backend"


def _write_html(result: Any, out: Path, report: DriftReport) -> None:
    try:
        from ..report import write_report
    except ImportError:  # the HTML report is optional here
        return
    try:
        write_report(result, out / "index.html", drift=report)
    except Exception as exc:  # a report that cannot be written never costs the check
        print(f"warning: the HTML report was not written: {type(exc).__name__}: {exc}")


def _matching(baseline: Baseline, select: str | None) -> set[str]:
    from .._select import compile_expression

    ids = [*baseline.cases, *(c for c, _ in baseline.snapshots)]
    if not select:
        return set(ids)
    matches = compile_expression(select)
    return {i for i in ids if matches(f"{i} {baseline.cases.get(i, {}).get('title', '')}")}


def _tolerance_cases(paths: Sequence[str] | None) -> tuple[dict[str, Case] | None, str]:
    """The cases whose tolerances apply, as plain data (the case files run in a child
    process): those under ``paths``, else the project's cases when they are at hand."""
    from ..arguments import UsageError
    from ..discovery import DiscoveryError
    from ..runner import discover_cases

    explicit = bool(paths)
    if not paths:
        from ..config import ConfigError, load_settings

        try:
            paths = load_settings(".").cases or ["cases"]
        except ConfigError:
            paths = ["cases"]
        paths = [p for p in paths if Path(p).exists()]
        if not paths:
            return None, ""
    try:
        found, errors = discover_cases(list(paths), isolate=True)
    except DiscoveryError as exc:
        if explicit:
            raise UsageError(str(exc)) from None
        print(f"warning: the cases in {' '.join(paths)} could not be loaded ({exc}): per-dtype default tolerances")
        return None, ""
    for error in errors:
        print(f"warning: cannot load {printable(error.path)}: {printable(error.error, 200)} (its cases' tolerances "
              "are the per-dtype defaults)")
    return {c.id: c for c in found}, " ".join(paths)


def _checked_baseline(drift_path: Path, metadata: dict[str, Any] | None = None) -> Path:
    from ..arguments import UsageError

    if metadata is None:
        import json

        try:
            metadata = json.loads(drift_path.read_text(encoding="utf-8"))["metadata"]
        except (OSError, ValueError, KeyError, TypeError):
            raise UsageError(f"{drift_path}: no drift table to find the baseline in; name the BASELINE") from None
    before = (metadata or {}).get("before") or {}
    if not before.get("path"):
        raise UsageError(f"{drift_path}: the baseline it was checked against has no file; name the BASELINE")
    return Path(before["path"])


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return a.resolve() == b.resolve()


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


# -- the summary ----------------------------------------------------------------------


def _before_after(before: str, after: str, limit: int = 70) -> str:
    """``before → after``; for a large output's worst element ``[i, j]: 0.1 → 0.2``."""
    if not before and not after:
        return ""
    where, _, value = before.partition("]: ")
    if before.startswith("[") and value and after.startswith(f"{where}]: "):
        return printable(f"{where}]: {value} → {after[len(where) + 3:]}", limit, newlines=False)
    return printable(f"{before or '-'} → {after or '-'}", limit, newlines=False)


def _far(row: DriftRow) -> str:
    value = row.tolerances
    if value != value or row.status == "unchanged":  # NaN
        return ""
    return "inf" if value == float("inf") else f"{value:.3g}"


def summary(report: DriftReport, verbose: bool = False) -> str:
    """Both sides and their environments side by side (what changed marked), counts per
    backend and status, then every row that moved, largest first, bitwise changes apart."""
    before, after = report.metadata["before"], report.metadata["after"]
    lines = [f"before: {before['path'] or before['name']} ({before['created']})",
             f"after:  {after['path'] or after['name']} ({after['created']})", "",
             environment_table(report, verbose), "", "per backend:", backend_table(report), ""]
    limit = None if verbose else LISTED
    notable = [r for r in report.rows if r.status in ("error", "drift", "accepted")]
    if notable:
        lines += ["changed beyond tolerance, errors and accepted changes, largest first (×tol: how many tolerances "
                  "out):", _rows_table(notable, limit), ""]
    moved = [r for r in report.rows if r.status in ("new", "removed")]
    if moved:
        lines += ["new and removed:", _grouped(moved, verbose), ""]
    bitwise = [r for r in report.rows if r.status == "bitwise_change"]
    if bitwise:
        lines += ["bitwise changes within tolerance (reproducibility, not failures), largest first:", table(
            ("case", "output", "backend", "change", "×tol", "max abs", "max rel", "max ulp", "changed"),
            [(r.case, r.output, r.backend, r.change, _far(r), number(r.max_abs_diff), number(r.max_rel_diff),
              number(r.max_ulp_diff), r.message.split(" changed bits")[0].split(": ")[-1][:40])
             for r in bitwise[:limit]]) + _more(bitwise, limit), ""]
    lines.append("  ".join(f"{status}: {n}" for status, n in report.counts().items()))
    return "\n".join(lines)


def _more(rows: Sequence[Any], limit: int | None) -> str:
    if limit is None or len(rows) <= limit:
        return ""
    return f"\n… and {len(rows) - limit} more (-v lists them; all are in drift.csv)"


def _rows_table(rows: Sequence[DriftRow], limit: int | None) -> str:
    return table(
        ("status", "change", "case", "output", "backend", "×tol", "max abs", "max rel", "max ulp", "mismatched",
         "before → after", "message"),
        [(r.status, r.change, r.case, r.output, r.backend, _far(r), number(r.max_abs_diff), number(r.max_rel_diff),
          number(r.max_ulp_diff), f"{r.mismatched}/{r.numel}" if r.numel else "", _before_after(r.before, r.after),
          printable(r.message, 110, newlines=False)) for r in rows[:limit]]) + _more(rows, limit)


def _grouped(rows: Sequence[DriftRow], verbose: bool) -> str:
    """New and removed rows: one line per row when few, else per (status, backend, reason)."""
    if verbose or len(rows) <= 12:
        return table(("status", "case", "output", "backend", "message"),
                     [(r.status, r.case, r.output, r.backend, printable(r.message, 100, newlines=False))
                      for r in rows])
    groups: dict[tuple[str, str, str], list[DriftRow]] = {}
    for r in rows:
        groups.setdefault((r.status, r.backend, r.message.split(":")[0][:60]), []).append(r)
    return table(("status", "backend", "rows", "cases", "why"),
                 [(s, b, len(g), len({r.case for r in g}), printable(why, 80))
                  for (s, b, why), g in groups.items()]) + "\n(-v lists every row; all are in drift.csv)"


def backend_table(report: DriftReport) -> str:
    from .drift import DRIFT_STATUSES

    counts = report.by_backend()
    shown = [s for s in DRIFT_STATUSES if any(c[s] for c in counts.values())] or ["unchanged"]
    return table(("backend", *shown), [(b, *(c[s] for s in shown)) for b, c in counts.items()])


def environment_table(report: DriftReport, verbose: bool = False) -> str:
    """The environments side by side: the backends' versions always, then what changed
    (``-v``: every item recorded)."""
    from .environment import environment_rows

    rows = environment_rows(report.metadata["before"]["environment"], report.metadata["after"]["environment"])
    shown = [r for r in rows if verbose or r[3] or (r[0].startswith("version ") and r[1] != "not installed")]
    same = len(rows) - len(shown)
    text = table(("environment", "before", "after", ""),
                 [(label, printable(a, 60, newlines=False), printable(b, 60, newlines=False), "≠ changed" if changed
                   else "") for label, a, b, changed in shown])
    if same:
        text += f"\n({same} more items the same: -v shows them; drift.json holds both environments in full)"
    return text


def _compare_page(report: Any, out: str) -> str | None:
    """``compare.html`` beside the drift table; a page that cannot be written never costs the verdict."""
    try:
        from ..report import write_compare_report

        return str(write_compare_report(report, out))
    except Exception as exc:
        print(f"warning: the HTML page was not written: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None
