"""The page: header, summary, disagreements, drift, then one section per case.

``render_report(result)`` returns the HTML text; ``write_report(result, path)`` writes it
(``path`` a folder: ``index.html`` inside it) atomically and returns the file's path.

The page is one file with nothing to fetch: stylesheet and script are inlined, pictures
are ``data:`` images, and a Content-Security-Policy forbids every network load and
every script but the page's own (allowed by its hash), so an injected ``<script>``
could not run even if some text escaped escaping. Cases come failures first, in the
matrix and in the sections alike.
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from .._io import atomic_write_text
from .._text import number
from ._markup import SEVERITY, STATUS_LABEL, anchor, attrs, badge, esc, num_cell, status_of, table, worst

__all__ = ["render_report", "write_report"]

DISAGREEING = ("error", "fail", "unexpected_pass", "known_difference")


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _entries(result: Any) -> list[tuple[str, Any, list[Any]]]:
    """(case id, Case or None, rows) per case, failures first, then in run order."""
    cases = {c.id: c for c in result.cases}
    by_case: dict[str, list[Any]] = {c.id: [] for c in result.cases}
    for row in result.rows:
        by_case.setdefault(row.case, []).append(row)
    order = {case_id: i for i, case_id in enumerate(by_case)}
    entries = [(case_id, cases.get(case_id), rows) for case_id, rows in by_case.items()]
    entries.sort(key=lambda e: (SEVERITY.index(worst(status_of(r.status) for r in e[2])), order[e[0]]))
    return entries


def _header(metadata: dict[str, Any]) -> str:
    versions = metadata.get("versions") or {}
    frameworks = " · ".join(
        f"{esc(name)} {esc('not installed' if version is None else version or '(version unknown)')}"
        for name, version in versions.items()
    )
    cpu = esc(metadata.get("cpu", "")) + (f" ({esc(metadata['cpu_count'])} cores)" if metadata.get("cpu_count") else "")
    items = [
        ("Frameworks", frameworks),
        ("Python", esc(metadata.get("python", ""))),
        ("Platform", esc(" ".join(str(metadata.get(k, "")) for k in ("platform", "machine")).strip())),
        ("CPU", cpu),
        ("Date", esc(metadata.get("started", ""))),
        ("Command", f'<code>{esc(_command(str(metadata.get("command", ""))))}</code>'),
        ("Total time", esc(f"{number(metadata.get('seconds'))} s") if metadata.get("seconds") is not None else ""),
        ("Backends", esc(", ".join(metadata.get("backends", []))) + f" (reference: <b>{esc(metadata.get('reference', ''))}</b>)"),
    ]
    shown = {"versions", "python", "platform", "machine", "cpu", "cpu_count", "started", "command", "seconds",
             "backends", "reference", "complete", "unfinished"}
    items += [(str(k), esc(json.dumps(v, default=str) if not isinstance(v, str) else v))
              for k, v in metadata.items() if k not in shown]
    unfinished = ", ".join(str(c) for c in metadata.get("unfinished") or [])
    warning = (f'<p class="warning">This run is incomplete: some cases did not finish{": " + esc(unfinished) if unfinished else ""}.</p>'
               if metadata.get("complete") is False else "")
    wide = {"Frameworks", "Platform", "Command", "Backends"}
    listing = "".join(f'<div{attrs(class_="wide" if label in wide else None)}><dt>{esc(label)}</dt><dd>{value}</dd></div>'
                      for label, value in items if value)
    return f'<header id="top"><h1>Do NumPy, TensorFlow and PyTorch agree?</h1><dl class="meta">{listing}</dl>{warning}</header>'


def _command(command: str) -> str:
    """The command as typed: ``python -m equivalence`` records its argv[0] as ``__main__.py``."""
    for recorded in ("__main__.py", "-m"):
        if command == recorded or command.startswith(recorded + " "):
            return "python -m equivalence" + command[len(recorded):]
    return command


def _headline(entries: list[tuple[str, Any, list[Any]]]) -> str:
    by_status: dict[str, int] = {}
    for _, _, rows in entries:
        status = worst(status_of(r.status) for r in rows)
        by_status[status] = by_status.get(status, 0) + 1
    parts = [f"{badge(s, f'{STATUS_LABEL[s]}: {by_status[s]}')}" for s in SEVERITY if by_status.get(s)]
    failing = sum(by_status.get(s, 0) for s in ("error", "fail", "unexpected_pass"))
    verdict = (f"<b>{failing} of {len(entries)} cases need attention.</b>" if failing
               else f"<b>No case fails</b> ({len(entries)} cases).")
    return f'<p class="headline">{verdict} Cases by their worst comparison: {" ".join(parts)}</p>'


def _filters(counts: dict[str, int]) -> str:
    buttons = "".join(
        f'<button type="button"{attrs(class_=f"chip st-{s}", data_filter=s, aria_pressed="false")}>'
        f"{esc(STATUS_LABEL[s])} <b>{n}</b></button>" for s in SEVERITY if (n := counts.get(s, 0))
    )
    return (f'<div class="filters" id="filters" hidden><span class="label">Show only:</span> '
            f'{buttons}<input type="search" id="filter-text" placeholder="filter by id, title, output, message" '
            f'aria-label="filter cases by text"><span id="filter-count" class="note"></span></div>')


def _reason(case: Any, row: Any) -> str:
    if row.status in ("known_difference", "unexpected_pass") and row.declared:
        return f"{row.declared} (declared: {row.bound})"
    return row.message


def _disagreements(entries: list[tuple[str, Any, list[Any]]]) -> str:
    groups: dict[tuple[str, str, str], list[Any]] = {}
    skipped: dict[str, int] = {}
    for case_id, case, rows in entries:
        for row in rows:
            status = status_of(row.status)
            if status == "skipped":
                skipped[row.message] = skipped.get(row.message, 0) + 1
            elif status in DISAGREEING:
                key = (case_id, status, _reason(case, row) if status in ("known_difference", "unexpected_pass") else "")
                groups.setdefault(key, []).append(row)
    body = []
    ordered = sorted(groups.items(), key=lambda kv: SEVERITY.index(kv[0][1]))
    for (case_id, status, reason), rows in ordered:
        outputs = ", ".join(dict.fromkeys(r.output for r in rows))
        pairs = ", ".join(dict.fromkeys(f"{r.backend} vs {r.reference}" for r in rows))
        why = reason or "; ".join(dict.fromkeys(r.message for r in rows if r.message))
        stats = "".join(num_cell(max((getattr(r, c) for r in rows), key=_magnitude), c)
                        for c in ("max_abs_diff", "max_rel_diff", "max_ulp_diff"))
        body.append(
            f'<tr{attrs(data_statuses=status, data_search=f"{case_id} {outputs} {pairs} {why}".lower())}>'
            f"<td>{badge(status)}</td><td><a href=\"#{anchor(case_id)}\">{esc(case_id)}</a></td>"
            f"<td><code>{esc(outputs)}</code></td><td>{esc(pairs)}</td>{stats}<td class=\"message\">{esc(why)}</td></tr>"
        )
    listing = (table(("status", "case", "outputs", "comparisons", "max abs", "max rel", "max ulp", "why"), body, "disagreements")
               if body else '<p class="note">Every comparison agrees within its tolerance.</p>')
    skips = "".join(f"<li>{n} × {esc(message)}</li>" for message, n in skipped.items())
    skips = f'<details class="skips"><summary>{sum(skipped.values())} comparisons skipped</summary><ul>{skips}</ul></details>' if skips else ""
    return (f'<section id="disagreements"><h2>Where frameworks disagree, and why</h2>'
            f'<p class="note">Failures and errors first; a known difference is declared by its case, with its reason.</p>'
            f"{listing}{skips}</section>")


def _magnitude(value: Any) -> float:
    return value if isinstance(value, float) and value == value else float("-inf")


def _pictures(case: Any, rows: Sequence[Any], result: Any, backends: Sequence[str], reference: str,
              reason: str | None) -> list[tuple[str, str]]:
    if case is None or reason:
        return []
    from .pictures import pictures_for

    executions = {b: result.executions[(case.id, b)] for b in backends if (case.id, b) in result.executions}
    return pictures_for(case, executions, reference, rows)


def render_report(result: Any, *, drift: Any = None) -> str:
    """The report of ``result`` (a :class:`~equivalence.RunResult`) as one HTML page."""
    from .drift import drift_html
    from .matrix import matrix_html
    from .plots import unavailable
    from .section import section_html

    started = time.perf_counter()
    metadata = dict(result.metadata or {})
    reference = metadata.get("reference") or "torch"
    backends = list(metadata.get("backends") or dict.fromkeys(r.backend for r in result.rows if r.backend != "*"))
    entries = _entries(result)
    counts = result.counts() if hasattr(result, "counts") else {}
    if result.executions:
        no_pictures = unavailable()
        note = f"No pictures: {no_pictures}." if no_pictures else ""
    else:
        no_pictures = note = "No pictures or computed values: this report was made from result rows alone."
    sections = []
    for case_id, case, rows in entries:
        case_executions = {b: result.executions[(case_id, b)] for b in backends if (case_id, b) in result.executions}
        sections.append(section_html(case_id, case, rows, case_executions, backends,
                                     _pictures(case, rows, result, backends, reference, no_pictures), note))
    matrix = matrix_html([(cid, c.title if c is not None else "", rows) for cid, c, rows in entries], backends, reference)
    drift_part = drift_html(drift, {cid for cid, _, _ in entries}) if drift is not None else ""
    failing = sum(1 for _, _, rows in entries if worst(status_of(r.status) for r in rows) in ("error", "fail", "unexpected_pass"))
    title = f"equivalence: {len(entries)} cases, {failing} failing"
    script = _asset("report.js")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; "
              "base-uri 'none'; form-action 'none'")
    status_counts = " ".join(badge(s, f"{STATUS_LABEL[s]}: {counts[s]}") for s in SEVERITY if counts.get(s))
    body = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(policy)}">',
        f"<title>{esc(title)}</title><style>{_asset('report.css')}</style></head><body>",
        '<nav class="bar"><b>equivalence</b> <a href="#summary">Summary</a> <a href="#disagreements">Disagreements</a>',
        ' <a href="#drift">Drift</a>' if drift_part else "",
        f' <a href="#cases">Cases</a>{_filters(counts)}</nav>',
        _header(metadata),
        '<main><section id="summary"><h2>Summary</h2>',
        _headline(entries),
        f'<p class="counts">Comparisons: {status_counts}</p>',
        '<p class="note">Each cell: the worst status of one backend against one reference over the case\'s outputs, and how '
        "close the values are (exact, within N ulp, or the relative difference). Click a cell or an id for its case.</p>",
        matrix, "</section>",
        _disagreements(entries),
        drift_part,
        f'<section id="cases"><h2>Cases</h2>{"".join(sections)}</section></main>',
        f'<footer>equivalence {esc(metadata.get("equivalence", ""))} · report written '
        f'{esc(_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))} in '
        f"{time.perf_counter() - started:.2f} s</footer>",
        f"<script>{script}</script></body></html>\n",
    ]
    return "".join(body)


def write_report(result: Any, path: str | Path, *, drift: Any = None) -> Path:
    """Write the report of ``result`` to ``path`` (a folder gets ``index.html``); return the file."""
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        target = target / "index.html"
    atomic_write_text(target, render_report(result, drift=drift))
    return target
