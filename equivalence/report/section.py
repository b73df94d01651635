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

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ._markup import (
    FAILING,
    anchor,
    attrs,
    badge,
    esc,
    how_far,
    lead,
    output_anchor,
    status_of,
    worst,
    worst_row,
)
from .analysis import divergence, elements, sides, summary
from .case_text import implementations_html, known_html, relative_path, reproduce_html
from .comparisons import comparisons_html, elements_table

if TYPE_CHECKING:
    from ..case import Case
    from ..outcome import Execution
    from ..results import Row

__all__ = ["section_html"]

def _worst_parts(case_id: str, case: Case | None, rows: Sequence[Row], executions: Mapping[str, Execution]) -> tuple[list[str], str]:
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
        html = elements_table(found, "{backend}", row.reference)
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


def section_html(case_id: str, case: Case | None, rows: Sequence[Row], executions: Mapping[str, Execution],
                 backends: Sequence[str], pictures: Sequence[tuple[str, str]] | str, pictures_note: str = "",
                 nav: tuple[str | None, str | None] = (None, None), seen: dict[str, tuple[str, str]] | None = None) -> str:
    """The ``<section>`` of one case (``case`` may be None: rows only); ``pictures`` as
    (caption, HTML) pairs or ready HTML; ``nav`` holds the anchors of the previous and next
    failing cases; ``seen``, the sources shown so far."""
    from .documented import documented_html

    status = worst(status_of(r.status) for r in rows)
    title = case.title if case is not None else ("case file that failed to import" if case_id.endswith(".py") else "")
    search = " ".join([case_id, title, *(str(c.source) for c in [case] if c is not None and c.source is not None),
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
                     f'{f" · <b>file:</b> <code>{esc(relative_path(case.path))}</code>" if case.path else ""}</p>')
        if case.description:
            parts.append(f'<p class="description">{esc(case.description)}</p>')
    findings, worst_tables = _worst_parts(case_id, case, rows, executions)
    if findings:
        parts.append(f'<ul class="findings">{"".join(findings)}</ul>')
    if case is not None:
        parts.append(known_html(case, rows))
    parts.append(reproduce_html(case_id, case, rows, executions))
    # Pictures before the table: a loop's curves tell at a glance what the rows detail.
    parts.append(pictures if isinstance(pictures, str) else pictures_html(pictures, pictures_note))
    parts.append(comparisons_html(case_id, rows) if rows else '<p class="note">No comparison of this case finished in this run.</p>')
    parts.append(worst_tables)
    if case is not None:
        if executions and case.documented:
            parts.append(documented_html(case, executions, 40 if failing else 12))
        parts.append(implementations_html(case, backends, {} if seen is None else seen))
    parts.append("</details></section>")
    return "".join(parts)
