"""One case's section: what differs and by how much first, then how it is written.

A section is a ``<details>``: open for a case that fails (it is what the reader came
for), closed for the others (one line each: the catalogue's page stays short and quick,
and a link or a search opens it). Its id is the case's anchor (``#003-3-tf-linreg-1``);
each output's rows carry ``#<case>/<output>``.

Parts, in order: the heading (status, id, title, how far, links to the previous and next
failing case); source and description; for a failure, one sentence per failing
comparison, how far first and where it starts ("784 tolerances out; diverges from step
50; ..."); known differences and their reasons; the command that reproduces the case
and the tracebacks; the pictures; one table of every comparison, grouped by output (each
number holds its exact value: ``data-value`` where the text shown is rounded); the
element behind each maximum; the documented values beside what each backend prints
today; each backend's implementation side by side (wrapped, never cut off).

Works with rows alone (no ``Case``, no executions: a pytest-xdist run, a case file that
failed to import): the parts that need more are left out.
"""

from __future__ import annotations

import os
import shlex
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from .._text import number
from ._markup import (
    FAILING,
    GLYPH,
    STATUS_LABEL,
    anchor,
    attrs,
    badge,
    data_value,
    esc,
    how_far,
    lead,
    output_anchor,
    status_of,
    table,
    tolerances_text,
    worst,
    worst_row,
)
from .analysis import Element, divergence, elements, sides, summary

__all__ = ["section_html"]

#: Numbers of a comparison row, in the order of the table's columns.
NUMBERS = ("tolerances", "max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched", "rtol", "atol")


def _path(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def exact_cell(value: Any, column: str, text: str | None = None) -> str:
    """A number cell: the short text, and ``data-value`` (the exact value, as
    ``results.json`` spells it) only where the text does not already say it exactly."""
    shown = number(value) if text is None else text
    exact = data_value(value)
    same = shown == exact or (exact == "" and shown in ("-", "")) or _equal(shown, exact)
    return f"<td>{esc(shown)}</td>" if same else f'<td data-value="{esc(exact)}">{esc(shown)}</td>'


def _equal(shown: str, exact: str) -> bool:
    try:
        return float(shown) == float(exact)
    except ValueError:
        return False


def _row_html(row: Any) -> str:
    status = status_of(row.status)
    differs = set(filter(None, str(row.differs or "").split(",")))
    mismatched = "" if not row.numel or "shape" in differs else f"{row.mismatched}/{row.numel}"
    dtype = esc(row.dtype) + (f" vs {esc(row.reference_dtype)}" if row.reference_dtype and row.reference_dtype != row.dtype else "")
    shape = esc(row.shape) + (f" vs {esc(row.reference_shape)}" if row.reference_shape and row.reference_shape != row.shape else "")
    # A shape mismatch compares no value: its numbers are not numbers to read.
    shaped = "shape" in differs
    cells = [exact_cell(row.tolerances, "tolerances", "-" if shaped else tolerances_text(row.tolerances) or "-")]
    cells += [exact_cell(getattr(row, c), c, "-" if shaped else None) for c in NUMBERS[1:4]]
    cells.append(f'<td data-value="{esc(row.mismatched)}">{esc(mismatched)}</td>')
    cells += [exact_cell(row.rtol, "rtol"), exact_cell(row.atol, "atol")]
    return (f'<tr class="st-{status}"><td>{esc(row.backend)}</td><td>{esc(row.reference)}</td>'
            f"<td>{GLYPH[status]} {esc(STATUS_LABEL[status])}</td>{''.join(cells)}"
            f"<td>{esc(row.first_mismatch)}</td><td>{shape} {dtype}</td><td>{esc(_message(row))}</td></tr>")


def _largest(values: list[Any]) -> Any:
    numbers = [v for v in values if isinstance(v, (int, float)) and v == v]
    return max(numbers) if numbers else float("nan")


def _passing_html(rows: Sequence[Any]) -> str:
    """The passing comparisons of one output with one reference, as one line: the
    backends, and the largest of each number over them (rounded: results.json holds
    each comparison's numbers exactly)."""
    one = rows[0]
    same = {c: len({data_value(getattr(r, c)) for r in rows}) == 1 for c in ("rtol", "atol")}
    # Rounded, without data-value: exact values here weighed a third of the table.
    largest = {c: _largest([getattr(r, c) for r in rows]) for c in NUMBERS[:4]}
    cells = [f"<td>{esc(tolerances_text(largest['tolerances']) or '-')}</td>",
             *(f"<td>{esc(number(largest[c]))}</td>" for c in NUMBERS[1:4])]
    cells.append(f"<td>0/{esc(one.numel)}</td>" if len({r.numel for r in rows}) == 1 else "<td>0</td>")
    cells += [exact_cell(one.rtol, "rtol") if same["rtol"] else "<td>…</td>",
              exact_cell(one.atol, "atol") if same["atol"] else "<td>…</td>"]
    layout = {f"{r.shape} {r.dtype}" for r in rows}
    return (f'<tr class="pass"><td>{esc(", ".join(r.backend for r in rows))}</td><td>{esc(one.reference)}</td>'
            f"<td>✓ pass</td>{''.join(cells)}<td></td><td>{esc(layout.pop() if len(layout) == 1 else '…')}</td>"
            f"<td></td></tr>")


#: The comparison table's columns; ``data-cols`` names them as results.json does (the
#: output's cell opens its first line only).
HEADERS = ("output", "backend", "vs", "status", "tolerances out", "max abs", "max rel", "max ulp", "mismatched", "rtol",
           "atol", "first outside", "shape, dtype", "message")
COLUMNS = ("output", "backend", "reference", "status", *NUMBERS, "first_mismatch", "shape", "message")


def _comparisons(case_id: str, rows: Sequence[Any]) -> str:
    """Every comparison, by output: each one that does not pass on a line of its own,
    the passing ones of each reference together (their largest numbers)."""
    by_output: dict[str, list[Any]] = {}
    for row in rows:
        by_output.setdefault(row.output, []).append(row)
    head = "".join(f"<th>{esc(h)}</th>" for h in HEADERS)
    groups = []
    for output, output_rows in by_output.items():
        lines: list[str] = []
        passing: dict[str, list[Any]] = {}
        for r in output_rows:
            if status_of(r.status) == "pass":
                passing.setdefault(r.reference, []).append(r)
            else:
                lines.append(_row_html(r))
        lines += [_passing_html(group) for group in passing.values()]
        name = f'<th rowspan="{len(lines)}"><code>{esc(output)}</code></th>'
        lines[0] = lines[0].replace(">", ">" + name, 1)
        groups.append(f'<tbody id="{esc(output_anchor(case_id, output))}">{"".join(lines)}</tbody>')
    return (f'<div class="scroll"><table class="comparisons"{attrs(data_cols=" ".join(COLUMNS))}>'
            f"<thead><tr>{head}</tr></thead>{''.join(groups)}</table></div>")


def _elements_table(found: list[Element], backend: str, reference: str) -> str:
    body = [f"<tr><td>{esc(e.index)}</td><td>{esc(', '.join(e.why))}</td><td>{esc(_value(e.actual))}</td>"
            f"<td>{esc(_value(e.expected))}</td><td>{esc(tolerances_text(e.tolerances) or '-')}</td>"
            f"<td>{esc(number(e.abs))}</td><td>{esc(number(e.rel))}</td><td>{esc(number(e.ulp))}</td></tr>"
            for e in found]
    headers = ("element", "listed as", backend, reference, "tolerances out", "abs", "rel", "ulp")
    return f'<div class="scroll">{table(headers, body, "small elements")}</div>'


def _value(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _worst_parts(case_id: str, case: Any, rows: Sequence[Any], executions: Mapping[str, Any]) -> tuple[list[str], str]:
    """(a sentence per failing row, the worst-elements tables of the rows that differ)."""
    findings: list[str] = []
    tables: dict[str, tuple[list[str], str]] = {}
    for row in rows:
        status = status_of(row.status)
        if status == "pass" or status == "skipped":
            continue
        pair = sides(row, case, executions)
        div = divergence(row, case, pair)
        if status in FAILING:
            target = output_anchor(case_id, row.output) if row.output != "*" else anchor(case_id)
            findings.append(f'<li>{badge(status)} <a href="#{esc(target)}"><code>{esc(row.output)}</code></a>, '
                            f"{esc(row.backend)} vs {esc(row.reference)}: {lead(summary(row, div))}</li>")
        if pair is None and status not in FAILING:
            continue  # a declared difference of strings or from rows alone: its row says enough
        found = elements(row, pair, more=3 if status in FAILING else 0)
        if not found or (len(found) == 1 and status not in FAILING):
            continue  # one element behind every maximum: the row's "first outside" names it
        html = _elements_table(found, "{backend}", row.reference)
        key = f"{row.output}\0{row.reference}\0{html}"  # the same table for several backends is shown once
        tables.setdefault(key, ([], html))[0].append(row.backend)
    parts = []
    for key, (names, html) in tables.items():
        output, reference = key.split("\0")[:2]
        label = names[0] if len(names) == 1 else "backend"
        listed = ", ".join(names)
        opened = " open" if any(status_of(r.status) in FAILING for r in rows if r.output == output and r.backend in names) else ""
        parts.append(f'<details class="worst"{opened}><summary>the element behind each maximum of <code>{esc(output)}</code>: '
                     f"{esc(listed)} vs {esc(reference)}</summary>{html.replace('{backend}', esc(label), 1)}</details>")
    return findings, "".join(parts)


def _message(row: Any) -> str:
    """A row's message; for a declared difference, with the bound it is held to (its
    reason is listed above the table)."""
    if row.declared:
        return f"{row.message} (declared: {row.bound})".strip()
    return str(row.message)


def _patterns(value: str | Sequence[str]) -> str:
    return value if isinstance(value, str) else ", ".join(value)


def _known(case: Any, rows: Sequence[Any]) -> str:
    items = []
    for known in case.known_differences:
        matched = [r for r in rows if known.matches(r.output, r.backend, r.reference)]
        state = worst(status_of(r.status) for r in matched) if matched else "skipped"
        where = "; ".join(f"{label} {_patterns(value)}" for label, value in
                          (("outputs", known.outputs), ("backends", known.backends), ("vs", known.references)))
        now = ("still there, within the bound" if state == "known_difference" else "gone: the rows pass now (unexpected pass)"
               if state == "unexpected_pass" else "not compared in this run" if not matched else STATUS_LABEL[state])
        items.append(f"<li>{esc(known.reason)} <small>(declared: {esc(known.describe())}; {esc(where)}; "
                     f"this run: {esc(now)})</small></li>")
    return f'<div class="known"><h3>Known differences</h3><ul>{"".join(items)}</ul></div>' if items else ""


def _reproduce(case_id: str, case: Any, rows: Sequence[Any], executions: Mapping[str, Any]) -> str:
    if not any(status_of(r.status) in FAILING for r in rows):
        return ""
    failing = [r for r in rows if status_of(r.status) in FAILING and r.backend != "*"]
    if case is not None and case.path and failing:  # exactly the failing comparisons: --id, backends, reference
        from ..runner import reproduce_command

        commands = dict.fromkeys(reproduce_command(case, r.backend, r.reference) for r in failing)
        command = "\n".join(commands)
    elif case is not None and case.path:
        command = f"python -m equivalence run {shlex.quote(_path(case.path))} --id {shlex.quote(case_id)}"
    elif case is None and case_id.endswith(".py"):
        command = f"python -m equivalence run {shlex.quote(_path(case_id))}"
    else:
        command = f"python -m equivalence run -k {shlex.quote(case_id)}"
    parts = [f'<div class="repro"><b>Reproduce just this case:</b> <code class="command">{esc(command)}</code></div>']
    for backend, execution in executions.items():
        error = getattr(execution, "error", None)
        if error is not None:
            parts.append(f"<details class=\"traceback\" open><summary>{esc(backend)} raised "
                         f"<code>{esc(error)}</code></summary><pre>{esc(error.traceback or '(no traceback)')}</pre></details>")
    return "".join(parts)


def _implementations(case: Any, backends: Sequence[str], seen: dict[str, tuple[str, str]]) -> str:
    """Each implementation's source, side by side; a source already shown on the page (a
    parametrized case, a -mapped variant) is a link to it instead."""
    blocks = []
    for backend in backends:
        if backend not in case.implementations:
            continue
        code = textwrap.dedent(case.source_code(backend)) or "(source not available)"
        first = seen.setdefault(code, (case.id, backend))
        if first != (case.id, backend) and len(code) > 80:
            body = (f'<p class="note">The same code as <a href="#{esc(anchor(first[0]))}">{esc(first[0])}</a> '
                    f"({esc(first[1])}).</p>")
        else:
            body = f"<pre><code>{esc(code)}</code></pre>"
        blocks.append(f'<figure class="code"><figcaption>{esc(backend)}</figcaption>{body}</figure>')
    others = [b for b in case.implementations if b not in backends]
    if not blocks and not others:
        return ""
    also = f'<p class="note">Also implemented for {esc(", ".join(others))} (not run here).</p>' if others else ""
    return (f'<details class="implementations" open><summary>Implementations, side by side</summary>'
            f'<div class="impls">{"".join(blocks)}</div>{also}</details>')


def pictures_html(pictures: Sequence[tuple[str, str]], note: str = "") -> str:
    """The pictures of a case, each with its caption, or the note saying why there are none."""
    if pictures:
        return '<div class="pictures">' + "".join(
            f"<figure>{html}<figcaption>{esc(caption)}</figcaption></figure>" for caption, html in pictures) + "</div>"
    return f'<p class="note">{esc(note)}</p>' if note else ""


def _nav(previous: str | None, following: str | None) -> str:
    links = []
    if previous:
        links.append(f'<a class="prev" href="#{esc(previous)}" title="the previous failing case">↑ previous failure</a>')
    if following:
        links.append(f'<a class="next" href="#{esc(following)}" title="the next failing case">↓ next failure</a>')
    links.append('<a class="top" href="#top" title="back to the verdict">⇑ top</a>')
    return f'<span class="nav">{" ".join(links)}</span>'


def section_html(case_id: str, case: Any, rows: Sequence[Any], executions: Mapping[str, Any],
                 backends: Sequence[str], pictures: Sequence[tuple[str, str]] | str, pictures_note: str = "",
                 nav: tuple[str | None, str | None] = (None, None), seen: dict[str, tuple[str, str]] | None = None) -> str:
    """The ``<section>`` of one case (``case`` may be None: rows only); ``pictures`` as
    (caption, HTML) pairs or ready HTML; ``nav`` holds the anchors of the previous and next
    failing cases; ``seen``, the sources shown so far."""
    from .documented import documented_html

    status = worst(status_of(r.status) for r in rows)
    title = case.title if case is not None else ("case file that failed to import" if case_id.endswith(".py") else "")
    search = " ".join([case_id, title, *(str(case.source) for c in [case] if c is not None and c.source is not None),
                       *sorted({r.output for r in rows}), *sorted({r.backend for r in rows}),
                       *sorted({r.reference for r in rows}), *sorted({r.message for r in rows if r.message}),
                       *sorted({r.declared for r in rows if r.declared})])
    far = how_far(worst_row(rows)) if rows else ""
    failing = status in FAILING
    parts = [f'<section{attrs(class_=f"case st-{status}", id=anchor(case_id), data_case=case_id, data_f=status, data_search=search.lower())}>',
             f'<details{" open" if failing else ""}><summary><h2>{badge(status)} <code class="case-id">{esc(case_id)}</code> '
             f'<span class="case-title">{esc(title)}</span>{f" <small class=how>{esc(far)}</small>" if far else ""}</h2>'
             f"{_nav(*nav) if failing else ''}</summary>"]
    if case is not None:
        source = f"{esc(case.source.document)} § {esc(case.source.section)}" if case.source else "none"
        parts.append(f'<p class="meta"><b>Source:</b> {source}'
                     f'{f" · <b>file:</b> <code>{esc(_path(case.path))}</code>" if case.path else ""}</p>')
        if case.description:
            parts.append(f'<p class="description">{esc(case.description)}</p>')
    findings, worst_tables = _worst_parts(case_id, case, rows, executions)
    if findings:
        parts.append(f'<ul class="findings">{"".join(findings)}</ul>')
    if case is not None:
        parts.append(_known(case, rows))
    parts.append(_reproduce(case_id, case, rows, executions))
    # Pictures before the table: a loop's curves tell at a glance what the rows detail.
    parts.append(pictures if isinstance(pictures, str) else pictures_html(pictures, pictures_note))
    parts.append(_comparisons(case_id, rows) if rows else '<p class="note">No comparison of this case finished in this run.</p>')
    parts.append(worst_tables)
    if case is not None:
        if executions and case.documented:
            parts.append(documented_html(case, executions, 40 if failing else 12))
        parts.append(_implementations(case, backends, {} if seen is None else seen))
    parts.append("</details></section>")
    return "".join(parts)
