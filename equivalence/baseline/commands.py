"""The baseline commands themselves: ``baseline save``, ``baseline check``, ``baseline accept``, ``compare A B``.

Their arguments are those :func:`equivalence.baseline.cli.add_commands` declares; each
returns the exit code (:mod:`equivalence.baseline.cli` says which), and a usage error
raises :class:`~equivalence.arguments.UsageError`. They call the package's public
functions: :func:`.storage.save_baseline`, :func:`.locate.load_named`,
:func:`.check.check_cases`, :func:`.drift.compare_baselines`, :mod:`.accepted`, and
print :func:`.summary.drift_summary`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._text import printable, table
from .locate import BASELINES, checked_baseline, load_named, resolve, safe_name, same_file
from .summary import before_after, drift_summary
from .versions import environment_tag, versions_text

if TYPE_CHECKING:
    from ..case import Case
    from .accepted import Acceptance
    from .drift_table import DriftReport

__all__ = ["command_accept", "command_check", "command_compare", "command_save", "tolerance_cases"]


def command_save(args: argparse.Namespace) -> int:
    from ..arguments import UsageError, discover_args, progress_printer
    from ..runner import run_cases
    from .storage import Baseline, save_baseline

    started = time.perf_counter()
    explicit = Path(args.path) if args.path else (BASELINES / f"{safe_name(args.name)}.npz" if args.name else None)
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
    path = explicit or BASELINES / f"{safe_name(name)}.npz"
    baseline = Baseline.from_result(result, name=name)
    try:
        save_baseline(baseline, path, force=args.force)
    except FileExistsError as exc:
        raise UsageError(str(exc)) from None
    arrays = sum(len(s.outputs) for s in baseline.snapshots.values())
    failed = sorted({f"{c}[{b}]" for (c, b), s in baseline.snapshots.items() if s.status == "error"})
    print(f"saved {arrays} outputs of {len(cases)} cases in {', '.join(backends)} "
          f"({versions_text(result.metadata)}) to {path} in {time.perf_counter() - started:.1f}s "
          "(wall-clock, discovery and framework imports included)")
    for error in errors:
        print(f"warning: cannot load {printable(error.path)}: {printable(error.error)} (not in the baseline)")
    if failed:
        print(f"note: {len(failed)} raised or timed out and are stored as errors: {printable(', '.join(failed), 300)}")
    return 0


def command_check(args: argparse.Namespace) -> int:
    from ..arguments import apply_settings, discover_args, progress_printer, settings_start
    from .check import baseline_scope, check_cases
    from .storage import Baseline, save_baseline

    started = time.perf_counter()
    args.paths = list(args.case_paths or [])
    if args.baseline and (Path(args.baseline).is_dir() or args.baseline.endswith(".py")):
        args.paths, args.baseline = [args.baseline, *args.paths], None
    apply_settings(args, start=settings_start(args.paths[0]) if args.paths else ".")
    baseline = load_named(args.baseline)
    accepted = accepted_for(baseline.path)
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
    print(drift_summary(report, verbose=args.verbose))
    print(f"\n{time.perf_counter() - started:.1f}s wall-clock (discovery and framework imports included); "
          f"drift table: {paths['csv']}, {paths['json']}")
    return 1 if report.failed else 0


def command_compare(args: argparse.Namespace) -> int:
    from .check import matching, scoped
    from .drift import compare_baselines

    before, after = load_named(args.before), load_named(args.after)
    backends = args.compare_backends
    if args.select or backends:
        ids = matching(before, args.select) | matching(after, args.select)
        keep = list(backends or dict.fromkeys([*before.backends, *after.backends]))
        before, after = scoped(before, ids, keep), scoped(after, ids, keep)
    cases, where = (None, "") if args.no_cases else tolerance_cases(args.cases)
    report = compare_baselines(before, after, cases=cases, accepted=accepted_for(before.path))
    if where:
        report.metadata["tolerances"] = f"the cases' (from {where})"
    if args.select or backends:
        report.metadata["scope"] = {"select": args.select or "", "backends": list(backends or [])}
    paths = report.write(args.out)
    page = _compare_page(report, args.out)
    print(drift_summary(report, verbose=args.verbose))
    print(f"\ntolerances: {report.metadata['tolerances']}; drift table: {paths['csv']}, {paths['json']}"
          + (f"; report: {page}" if page else ""))
    return 1 if report.failed else 0


def command_accept(args: argparse.Namespace) -> int:
    import json

    from .._select import compile_expression
    from ..arguments import UsageError
    from .accepted import ACCEPTABLE, Acceptance, accepted_path, save_accepted

    drift_path = Path(args.drift) if args.drift else Path("reports") / "drift.json"
    if args.list:
        baseline = resolve(args.baseline) if args.baseline else checked_baseline(drift_path)
        entries = accepted_for(baseline)
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
    checked = checked_baseline(drift_path, metadata)
    baseline = resolve(args.baseline) if args.baseline else checked
    if not baseline.exists():
        raise UsageError(f"{baseline}: no such baseline")
    if not same_file(baseline, checked):
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
    entries = accepted_for(baseline)
    new = [Acceptance.from_record(r, args.reason.strip()) for r in chosen]
    path = save_accepted(baseline, [*entries, *new])
    print(table(("case", "output", "backend", "status", "change", "before → after"),
                [(e.case, e.output, e.backend, e.status, e.change, before_after(e.before, e.after, 60))
                 for e in new]))
    print(f"\naccepted {len(new)} change(s) of {baseline} in {path}: {printable(args.reason.strip(), 200)}\n"
          "the next check shows them as `accepted` while they stay the change accepted")
    return 0


# -- helpers --------------------------------------------------------------------------


def accepted_for(baseline: Path | None) -> list[Acceptance]:
    """The changes accepted for the baseline file ``baseline`` (none without a file); an
    unreadable file of them is a usage error."""
    from ..arguments import UsageError
    from .accepted import load_accepted
    from .storage import BaselineError

    if baseline is None:
        return []
    try:
        return load_accepted(baseline)
    except BaselineError as exc:
        raise UsageError(str(exc)) from None


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


def tolerance_cases(paths: Sequence[str] | None) -> tuple[dict[str, Case] | None, str]:
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


def _default_backends() -> list[str]:
    from ..backends import DEFAULT_BACKENDS

    return list(DEFAULT_BACKENDS)


def _registered() -> list[str]:
    from ..backends import backend_names

    return list(backend_names())


def _reference(backends: list[str]) -> str:
    from ..backends import DEFAULT_REFERENCE

    return DEFAULT_REFERENCE if DEFAULT_REFERENCE in backends else backends[0]


def _compare_page(report: Any, out: str) -> str | None:
    """``compare.html`` beside the drift table; a page that cannot be written never costs the verdict."""
    try:
        from ..report import write_compare_report

        return str(write_compare_report(report, out))
    except Exception as exc:
        print(f"warning: the HTML page was not written: {type(exc).__name__}: {exc}", file=sys.stderr)
        return None
