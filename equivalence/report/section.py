"""One case's section: what it computes, how each backend compares, and how it is written.

Parts, in order: title, id and source; the description; known differences and their
reasons; for a failure or error, the command that reproduces just this case and the
tracebacks; the pictures; one table of every comparison, grouped by output (each number
cell keeps the exact value in ``data-value``); the documented values beside what
each backend computes today; each backend's implementation side by side.

Works with rows alone (no ``Case``, no executions: a pytest-xdist run, a case file that
failed to import): the parts that need more are left out.
"""

from __future__ import annotations

import os
import shlex
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._text import number
from ._markup import STATUS_LABEL, anchor, attrs, badge, esc, num_cell, status_of, table, worst

__all__ = ["section_html"]

FAILING = ("fail", "error", "unexpected_pass")
DOCUMENTED_ROWS = 40


def _path(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def _row_html(row: Any, first: bool, span: int, case: Any = None) -> str:
    status = status_of(row.status)
    output = f'<th class="output" rowspan="{span}"><code>{esc(row.output)}</code></th>' if first else ""
    mismatched = f"{row.mismatched}/{row.numel}" if row.numel else ""
    dtype = esc(row.dtype) + (f" vs {esc(row.reference_dtype)}" if row.reference_dtype and row.reference_dtype != row.dtype else "")
    shape = esc(row.shape) + (f" vs {esc(row.reference_shape)}" if row.reference_shape and row.reference_shape != row.shape else "")
    return (
        f'<tr{attrs(class_="first" if first else None, data_case=row.case, data_output=row.output, data_backend=row.backend, data_reference=row.reference, data_status=status)}>'
        f"{output}<td>{esc(row.backend)}</td><td>{esc(row.reference)}</td><td>{badge(status)}</td>"
        f"{num_cell(row.max_abs_diff, 'max_abs_diff')}{num_cell(row.max_rel_diff, 'max_rel_diff')}"
        f"{num_cell(row.max_ulp_diff, 'max_ulp_diff')}"
        f'<td class="num" data-col="mismatched" data-value="{row.mismatched}">{esc(mismatched)}</td>'
        f"{num_cell(row.rtol, 'rtol')}{num_cell(row.atol, 'atol')}"
        f"<td>{shape}</td><td>{dtype}</td><td class=\"message\">{esc(_message(row, case))}</td></tr>"
    )


def _comparisons(rows: Sequence[Any], case: Any = None) -> str:
    by_output: dict[str, list[Any]] = {}
    for row in rows:
        by_output.setdefault(row.output, []).append(row)
    body = []
    for output_rows in by_output.values():
        body += [_row_html(r, i == 0, len(output_rows), case) for i, r in enumerate(output_rows)]
    headers = ("output", "backend", "vs", "status", "max abs", "max rel", "max ulp", "mismatched",
               "rtol", "atol", "shape", "dtype", "message")
    worst_tables = [_worst(r) for r in rows if r.worst and status_of(r.status) != "pass"]
    return table(headers, body, "comparisons") + "".join(worst_tables)


def _worst(row: Any) -> str:
    body = [f"<tr><td>{esc(index)}</td><td class=\"num\">{esc(actual)}</td><td class=\"num\">{esc(expected)}</td>"
            f"<td class=\"num\">{esc(number(d))}</td><td class=\"num\">{esc(number(rel))}</td>"
            f"<td class=\"num\">{esc(number(u))}</td></tr>" for index, actual, expected, d, rel, u in row.worst]
    return (f"<details class=\"worst\"><summary>largest differences of <code>{esc(row.output)}</code>: "
            f"{esc(row.backend)} vs {esc(row.reference)}</summary>"
            f"{table(('index', row.backend, row.reference, 'abs', 'rel', 'ulp'), body, 'small')}</details>")


def _patterns(value: str | Sequence[str]) -> str:
    return value if isinstance(value, str) else ", ".join(value)


def _message(row: Any, case: Any) -> str:
    """A row's message; a declared difference is named by the first words of its reason
    (listed in full above the table) and its bound."""
    if row.declared:
        name = f"{row.declared[:40]}{'…' if len(row.declared) > 40 else ''}"
        return f"declared above: “{name}” ({row.bound}) {row.message}".strip()
    return row.message


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
    if case is not None and case.path:
        command = f"python -m equivalence run {shlex.quote(_path(case.path))} -k {shlex.quote(case_id)}"
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


def _value_text(value: Any) -> str:
    """An element as its dtype holds it, shortest round-trip (float32 shows 9 digits at most)."""
    if isinstance(value, np.floating):
        if not np.isfinite(value) or value == 0 or 1e-4 <= abs(value) < 1e9:
            return np.format_float_positional(value, unique=True, trim="-")
        return np.format_float_scientific(value, unique=True, trim="-")
    return str(value)


def _documented(case: Any, executions: Mapping[str, Any]) -> str:
    """Per documented output: each printed number beside what each framework prints
    today with the document's printer, and the drift."""
    from ..rows import _tokens

    tables = []
    ran = {b: e for b, e in executions.items() if getattr(e, "ok", False)}
    for name, doc in case.documented.items():
        columns: list[tuple[str, list[str], np.ndarray, set[int]]] = []
        index_labels = None
        for backend, execution in ran.items():
            if name not in execution.outputs:
                continue
            output = execution.outputs[name]
            try:
                selected = np.asarray(doc.select(output))
                where = np.asarray(doc.select(np.arange(output.size).reshape(output.shape)))
                today, differing = doc.differing(selected)
            except Exception:
                continue
            if selected.shape != doc.values.shape:
                continue
            found = _tokens(today)
            columns.append((backend, found if len(found) == len(doc.tokens) else ["?"] * len(doc.tokens),
                            selected.reshape(-1), set(differing)))
            if index_labels is None and output.ndim == 1:
                index_labels = [str(int(k)) for k in where.reshape(-1)]
            elif index_labels is None and output.ndim > 1:
                index_labels = [str(tuple(int(i) for i in np.unravel_index(int(k), output.shape)))
                                for k in where.reshape(-1)]
        values = doc.values.reshape(-1)
        labels = index_labels or [str(i) for i in range(values.size)]
        body = []
        for i in range(min(values.size, DOCUMENTED_ROWS)):
            cells = [f"<td>{esc(labels[i])}</td><td class=\"num\">{esc(doc.tokens[i])}</td>"]
            for _, texts, selected, differing in columns:
                try:
                    drift = float(selected[i]) - float(values[i])
                except (TypeError, ValueError):
                    drift = float("nan")
                off = " off" if i in differing else ""
                cells.append(f'<td class="num drift{off}">{esc(texts[i])}</td>'
                             f'<td class="num drift{off}">{esc(_signed(drift))}</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
        more = f'<p class="note">… {values.size - DOCUMENTED_ROWS} more elements</p>' if values.size > DOCUMENTED_ROWS else ""
        headers = ["element", "printed", *(h for b, _, _, _ in columns for h in (f"{b} prints", "drift"))]
        how = f"printed by {doc.printer}" + (f" in {doc.dtype}" if doc.dtype else "")
        tables.append(f'<div class="documented-output"><h4><code>{esc(name)}</code> <small>({esc(how)})</small></h4>'
                      f'{table(headers, body, "small")}{more}</div>')
    if not tables:
        return ""
    return ('<h3>Printed values and what each framework prints today</h3><p class="note">Each value as the document '
            'printed it, beside today\'s value printed the same way; highlighted where the text differs. '
            'drift = computed − printed.</p>'
            f'<div class="documented">{"".join(tables)}</div>')


def _signed(value: float) -> str:
    if value != value:
        return "-"
    return "0" if value == 0 else ("+" if value > 0 else "") + number(value)


def _implementations(case: Any, backends: Sequence[str]) -> str:
    blocks = []
    for backend in [*backends, *(b for b in case.implementations if b not in backends)]:
        if backend not in case.implementations:
            continue
        code = textwrap.dedent(case.source_code(backend)) or "(source not available)"
        blocks.append(f'<figure class="code"><figcaption>{esc(backend)}</figcaption><pre><code>{esc(code)}</code></pre></figure>')
    if not blocks:
        return ""
    return (f'<details class="implementations" open><summary>Implementations, side by side</summary>'
            f'<div class="impls">{"".join(blocks)}</div></details>')


def section_html(case_id: str, case: Any, rows: Sequence[Any], executions: Mapping[str, Any],
                 backends: Sequence[str], pictures: Sequence[tuple[str, str]], pictures_note: str = "") -> str:
    """The ``<section>`` of one case (``case`` may be None: rows only)."""
    status = worst(status_of(r.status) for r in rows)
    statuses = " ".join(sorted({status_of(r.status) for r in rows}))
    title = case.title if case is not None else ("case file that failed to import" if case_id.endswith(".py") else "")
    search = " ".join([case_id, title, *(str(case.source) for c in [case] if c is not None),
                       *sorted({r.output for r in rows}), *sorted({r.message for r in rows if r.message})])
    parts = [f'<section{attrs(class_=f"case st-{status}", id=anchor(case_id), data_statuses=statuses, data_search=search.lower())}>',
             f'<h2>{badge(status)} <code class="case-id">{esc(case_id)}</code> <span class="case-title">{esc(title)}</span>'
             f'<a class="top" href="#summary" title="back to the summary">↑</a></h2>']
    if case is not None:
        parts.append(f'<p class="meta"><b>Source:</b> {esc(case.source.document) if case.source else "none"}'
                     f'{" § " + esc(case.source.section) if case.source else ""}'
                     f'{f" · <b>file:</b> <code>{esc(_path(case.path))}</code>" if case.path else ""}</p>')
        if case.description:
            parts.append(f'<p class="description">{esc(case.description)}</p>')
        parts.append(_known(case, rows))
    parts.append(_reproduce(case_id, case, rows, executions))
    # Pictures before the table: a loop's curves tell at a glance what the rows detail.
    if pictures:
        parts.append('<div class="pictures">' + "".join(
            f"<figure>{html}<figcaption>{esc(caption)}</figcaption></figure>" for caption, html in pictures) + "</div>")
    elif pictures_note:
        parts.append(f'<p class="note">{esc(pictures_note)}</p>')
    parts.append(_comparisons(rows, case) if rows else '<p class="note">No comparison of this case finished in this run.</p>')
    if case is not None:
        if executions and case.documented:
            parts.append(_documented(case, executions))
        parts.append(_implementations(case, backends))
    parts.append("</section>")
    return "".join(parts)
