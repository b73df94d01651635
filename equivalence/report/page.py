"""The page: the verdict and the failures first, then contents, matrix, disagreements, cases.

``render_report(result)`` returns the HTML text; ``write_report(result, path)`` writes it
(``path`` a folder: ``index.html`` inside it) atomically and returns the file's path.
With ``drift=`` (a baseline check) the drift leads when it fails: red, counted, before
the matrix.

The page is one file with nothing to fetch: stylesheet and script are inlined, pictures
are ``data:`` images, and a Content-Security-Policy forbids every network load and
every script but the page's own (allowed by its hash), so an injected ``<script>``
could not run even if some text escaped escaping. Cases come failures first, in the
matrix and in the sections alike; passing cases are folded (one line each).
"""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import json
import re
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._io import atomic_write_text
from .._text import number
from ._markup import FAILING, SEVERITY, STATUS_LABEL, anchor, attrs, esc, status_of, worst
from .summary import Entry, contents_html, disagreements_html, failures_html, verdict_html

if TYPE_CHECKING:
    from ..results import RunResult

__all__ = ["policy_meta", "render_report", "shell", "write_report"]


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _entries(result: RunResult, backends: list[str]) -> list[Entry]:
    """(case id, Case or None, rows, executions) per case, failures first, then in run order."""
    cases = {c.id: c for c in result.cases}
    by_case: dict[str, list[Any]] = {c.id: [] for c in result.cases}
    for row in result.rows:
        by_case.setdefault(row.case, []).append(row)
    order = {case_id: i for i, case_id in enumerate(by_case)}
    entries = [(case_id, cases.get(case_id), rows,
                {b: result.executions[(case_id, b)] for b in backends if (case_id, b) in result.executions})
               for case_id, rows in by_case.items()]
    entries.sort(key=lambda e: (SEVERITY.index(worst(status_of(r.status) for r in e[2])), order[e[0]]))
    return entries


def versions_text(metadata: dict[str, Any]) -> str:
    versions = metadata.get("versions") or {}
    return " · ".join(f"{name} {'not installed' if version is None else version or '(version unknown)'}"
                      for name, version in versions.items())


def _command(command: str) -> str:
    """The command as typed: ``python -m equivalence`` records its argv[0] as ``__main__.py``."""
    for recorded in ("__main__.py", "-m"):
        if command == recorded or command.startswith(recorded + " "):
            return "python -m equivalence" + command[len(recorded):]
    return command


def run_details(metadata: dict[str, Any]) -> str:
    """The run's metadata, folded: versions, machine, command, time."""
    cpu = esc(metadata.get("cpu", "")) + (f" ({esc(metadata['cpu_count'])} cores)" if metadata.get("cpu_count") else "")
    items = [
        ("Frameworks", esc(versions_text(metadata))),
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
    wide = {"Frameworks", "Platform", "Command", "Backends"}
    listing = "".join(f'<div{attrs(class_="wide" if label in wide else None)}><dt>{esc(label)}</dt><dd>{value}</dd></div>'
                      for label, value in items if value)
    line = esc(" · ".join(filter(None, [versions_text(metadata), str(metadata.get("started", ""))])))
    return (f'<details id="run" class="run"><summary>The run: {line}</summary>'
            f'<dl class="meta">{listing}</dl></details>')


def filters_html(counts: dict[str, int], unit: str, item: str, what: str) -> str:
    """Status chips (``counts`` of ``unit`` elements by status) and a search box; hidden
    until the script runs. ``item``: CSS selector of the elements counted."""
    buttons = "".join(
        f'<button type="button"{attrs(class_=f"chip st-{s}", data_filter=s, aria_pressed="false")}>'
        f"{esc(STATUS_LABEL.get(s, s.replace('_', ' ')))} <b>{n}</b></button>" for s, n in counts.items() if n)
    return (f'<div class="filters" id="filters"{attrs(data_unit=unit, data_item=item)} hidden>'
            f'<span class="label">{esc(what)}:</span> {buttons}'
            f'<input type="search" id="filter-text" placeholder="search case, output, backend, message" '
            f'aria-label="search cases by id, title, output, backend or message"><span id="filter-count" class="note"></span>'
            f"</div>")


def policy_meta(script: str) -> str:
    """The page's Content-Security-Policy: nothing loads from anywhere, and no script runs
    but ``script`` (allowed by its hash), so an injected ``<script>`` would not run."""
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    policy = (f"default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{script_hash}'; "
              "base-uri 'none'; form-action 'none'")
    return f'<meta http-equiv="Content-Security-Policy" content="{esc(policy)}" />'


def shell(title: str, bar: str, body: str, footer: str) -> str:
    """A whole page around ``body``: stylesheet, policy, the bar, the script."""
    script = _asset("report.js")
    return "".join([
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="color-scheme" content="light dark">',
        policy_meta(script),
        f"<title>{esc(title)}</title><style>{_asset('report.css')}</style></head><body>",
        f'<nav class="bar" id="bar">{bar}</nav>', body,
        f"<footer>{footer}</footer><script>{script}</script></body></html>\n",
    ])


#: Bytes a page holds at most, pictures included. Failing cases always get their pictures;
#: then cases with known differences, then passing ones, while the page stays under this
#: (the catalogue's page: under 1.5 MB). A section left without says how to draw them.
PAGE_BUDGET = 1_400_000
#: Below this many bytes left, no picture but a failing case's is drawn (none would fit).
SMALLEST_PICTURE = 8_000
LEFT_OUT = ("Pictures left out to keep the page small (it holds those of the cases that differ first); a run of "
            "this case alone draws them: python -m equivalence run -k {}")


def _slot(index: int) -> str:
    """Where the pictures of the ``index``-th case go until they are drawn: a NUL never
    reaches the page otherwise (escaping shows it as ``\\x00``)."""
    return f"\x00pictures:{index}\x00"


def _fill_pictures(page: str, entries: list[Entry], reference: str, reason: str | None, note: str) -> str:
    """``page`` with every case's slot filled: its pictures, while the page stays under
    ``PAGE_BUDGET`` (failing cases first, whatever the size), or why they were left out."""
    import shlex

    from .pictures import pictures_for
    from .section import pictures_html

    rank = {s: i for i, s in enumerate((*FAILING, "known_difference", "skipped", "pass"))}
    budget = PAGE_BUDGET - len(page.encode("utf-8"))
    filled: dict[str, str] = {}
    order = sorted(range(len(entries)), key=lambda i: rank[worst(status_of(r.status) for r in entries[i][2])])
    for index in order:
        case_id, case, rows, executions = entries[index]
        slot = str(index)
        if case is None or reason:
            filled[slot] = pictures_html([], note)
            continue
        failing = worst(status_of(r.status) for r in rows) in FAILING
        left_out = pictures_html([], LEFT_OUT.format(shlex.quote(case_id)))
        if budget < SMALLEST_PICTURE and not failing:
            worth = case.trajectories or any(r.status != "pass" for r in rows)  # else it would draw nothing much
            filled[slot] = left_out if worth else ""
            continue
        block = pictures_html(pictures_for(case, executions, reference, rows), note)
        size = len(block.encode("utf-8"))
        if size > budget and not failing:
            block = left_out
        else:
            budget -= size
        filled[slot] = block
    parts = re.split(r"\x00pictures:(\d+)\x00", page)
    return "".join(filled.get(part, "") if i % 2 else part for i, part in enumerate(parts))


def _bar(failed: bool, links: list[tuple[str, str]], filters: str) -> str:
    verdict = '<a class="bar-verdict failed" href="#verdict">✗ fails</a>' if failed else \
        '<a class="bar-verdict passed" href="#verdict">✓ passes</a>'
    nav = " ".join(f'<a href="#{key}">{esc(label)}</a>' for key, label in links)
    return (f'<a class="brand" href="#top">equivalence</a> {verdict} {nav} '
            f'<button type="button" id="next-failure" hidden title="the next failing case (key n)">next failure ↓</button>'
            f"{filters}")


def render_report(result: RunResult, *, drift: Any = None) -> str:
    """The report of ``result`` (a :class:`~equivalence.RunResult`) as one HTML page;
    ``drift``: a baseline check's drift table (a ``DriftReport``, its ``frame``, or records)."""
    from .drift import drift_counts, drift_html
    from .matrix import matrix_html
    from .plots import unavailable
    from .section import section_html

    started = time.perf_counter()
    metadata = dict(result.metadata or {})
    reference = metadata.get("reference") or "torch"
    backends = list(metadata.get("backends") or dict.fromkeys(r.backend for r in result.rows if r.backend != "*"))
    entries = _entries(result, backends)
    counts = result.counts() if hasattr(result, "counts") else {}
    if result.executions:
        no_pictures = unavailable()
        note = f"No pictures: {no_pictures}." if no_pictures else ""
    else:
        no_pictures = note = "No pictures or computed values: this report was made from result rows alone."
    failing = [anchor(cid) for cid, _, rows, _ in entries if worst(status_of(r.status) for r in rows) in FAILING]
    sections: list[str] = []
    seen: dict[str, tuple[str, str]] = {}
    for case_id, case, rows, executions in entries:
        here = anchor(case_id)
        i = failing.index(here) if here in failing else -1
        nav = (failing[i - 1] if i > 0 else None, failing[i + 1] if 0 <= i < len(failing) - 1 else None)
        sections.append(section_html(case_id, case, rows, executions, backends, _slot(len(sections)), note, nav, seen))
    dcounts = drift_counts(drift) if drift is not None else None
    verdict, failed = verdict_html(entries, counts, dcounts, metadata)
    failures = failures_html(entries)
    drift_part = drift_html(drift, {cid for cid, _, _, _ in entries}) if drift is not None else ""
    drift_leads = bool(dcounts and (dcounts.get("drift") or dcounts.get("error")))
    by_case: dict[str, int] = {}
    for _, _, rows, _ in entries:
        status = worst(status_of(r.status) for r in rows)
        by_case[status] = by_case.get(status, 0) + 1
    links = [("failures", "Failures")] if failures else []
    links += [("drift", "Drift")] if drift_part else []
    links += [("matrix", "Matrix"), ("disagreements", "Disagreements"), ("cases", "Cases")]
    filters = filters_html({s: by_case.get(s, 0) for s in SEVERITY}, "cases", "section.case", "Cases")
    title = f"equivalence: {'FAILS' if failed else 'passes'}: {len(entries)} cases, {len(failing)} failing"
    matrix = matrix_html([(cid, c.title if c is not None else "", rows) for cid, c, rows, _ in entries], backends, reference)
    body = "".join([
        f'<header id="top"><h1>{esc(_question(metadata))}</h1>', verdict, "</header><main>",
        failures, drift_part if drift_leads else "",
        contents_html(entries, bool(drift_part), bool(failures)), run_details(metadata),
        '<section id="matrix"><h2>Matrix of cases × backends</h2>',
        '<p class="note">Each cell: the worst status of one backend against one reference over the case\'s outputs, '
        "and how far apart the values are, in tolerances (1 is the boundary) or what differs; the output named is "
        "the worst. Click a cell for its rows, an id for its case.</p>", matrix, "</section>",
        disagreements_html(entries), "" if drift_leads else drift_part,
        f'<section id="cases"><h2>Cases</h2><p class="note">Failing cases are open; the others open with a click, '
        f'a link or a search.</p>{"".join(sections)}</section></main>',
    ])
    footer = (f'equivalence {esc(metadata.get("equivalence", ""))} · report written '
              f'{esc(_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))} in \x00seconds\x00 s')
    page = _fill_pictures(shell(title, _bar(failed, links, filters), body, footer), entries, reference, no_pictures, note)
    return page.replace("\x00seconds\x00", f"{time.perf_counter() - started:.2f}")


def write_report(result: RunResult, path: str | Path, *, drift: Any = None) -> Path:
    """Write the report of ``result`` to ``path`` (a folder gets ``index.html``); return the file."""
    target = Path(path)
    if target.suffix.lower() not in (".html", ".htm"):
        target = target / "index.html"
    atomic_write_text(target, render_report(result, drift=drift))
    return target


def _question(metadata: dict[str, Any]) -> str:
    """The page's title, from the backends the run compared (the registry's names)."""
    names = [str(b) for b in metadata.get("backends") or []]
    if len(names) < 2:
        return "Do the backends agree?"
    return f"Do {', '.join(names[:-1])} and {names[-1]} agree?"
