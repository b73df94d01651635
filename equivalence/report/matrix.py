"""The summary matrix: one row per case, one column per (reference, backend), by status.

A cell is the worst status of that backend's comparisons with that reference over all
the case's outputs, coloured by status, with how close the values are (``exact``,
``≤ 2 ulp``, or the relative difference when they do not agree) and a link to the
case's section. Rows come in the order given (the page puts failures first).

The table is rendered with pandas' ``Styler`` (classes per cell, no inline styles) when
jinja2 is installed, and by a plain loop otherwise; both give the same markup classes.
Cell contents are built here, already escaped, and handed to ``Styler`` unescaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .._text import number
from ..results import DOCUMENTED, EXPECTED
from ._markup import GLYPH, STATUS_LABEL, anchor, attrs, esc, status_of, worst

__all__ = ["matrix_html"]

#: Cell labels, short so that a column per backend fits a laptop screen.
SHORT = {"pass": "pass", "fail": "fail", "error": "error", "known_difference": "known",
         "unexpected_pass": "unexpected", "skipped": "skipped"}
#: A passing cell shows its distance in ULPs up to this many, its absolute difference beyond.
ULP_SHOWN = 64


def _columns(rows: Sequence[Any], backends: Sequence[str], reference: str) -> list[tuple[str, str]]:
    """(reference, backend) pairs that have rows: the reference backend first, then documented."""
    present = {(r.reference, r.backend) for r in rows if r.backend != "*"}
    references = [reference, DOCUMENTED, EXPECTED] + sorted({ref for ref, _ in present} - {reference, DOCUMENTED, EXPECTED, "*"})
    order = list(dict.fromkeys([*backends, *sorted({b for _, b in present})]))
    return [(ref, b) for ref in references for b in order if (ref, b) in present]


def _finite(rows: Sequence[Any], column: str) -> list[float]:
    values = (getattr(r, column) for r in rows)
    return [v for v in values if isinstance(v, float) and not math.isnan(v)]


def _closeness(rows: Sequence[Any], status: str) -> str:
    """How far apart, in a few characters: exact, ≤ N ulp, the relative or absolute
    difference, or what else differs (shape, dtype)."""
    if status in ("error", "skipped"):
        return ""
    abss = _finite(rows, "max_abs_diff")
    if status == "pass":
        ulps = _finite(rows, "max_ulp_diff")
        if (ulps and max(ulps) == 0) or (not ulps and abss and max(abss) == 0):
            return "exact"
        if ulps and max(ulps) <= ULP_SHOWN:
            return f"≤ {number(max(ulps))} ulp"
        # Many ULPs can still pass (near zero, or against an atol): say how far, plainly.
        return f"≤ {number(max(abss))} abs" if abss else ""
    rows = [r for r in rows if status_of(r.status) == status]
    abss = _finite(rows, "max_abs_diff")
    if any(r.shape != r.reference_shape and r.reference_shape for r in rows):
        return "shape differs"
    rels = [v for v in _finite(rows, "max_rel_diff") if not math.isinf(v)]
    if rels and max(rels) > 0:
        return f"rel {number(max(rels))}"
    if abss and max(abss) > 0:
        return f"abs {number(max(abss))}"
    if any(r.dtype != r.reference_dtype and r.reference_dtype for r in rows):
        return "dtype differs"
    return ""


def _cell(case_id: str, rows: Sequence[Any], label: str) -> tuple[str, str]:
    """(HTML, CSS class) of one cell."""
    if not rows:
        return '<span class="none" title="no comparison">·</span>', "empty"
    status = worst(status_of(r.status) for r in rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[STATUS_LABEL[status_of(r.status)]] = counts.get(STATUS_LABEL[status_of(r.status)], 0) + 1
    outputs = sorted({r.output for r in rows})
    tip = f"{label}: {', '.join(f'{n} {s}' for s, n in counts.items())} ({len(outputs)} output(s))"
    closeness = _closeness(rows, status)
    html = (f'<a{attrs(href="#" + anchor(case_id), class_=f"cell st-{status}", data_status=status, title=tip)}>'
            f'{GLYPH[status]} {esc(SHORT[status])}'
            f'{f"<small>{esc(closeness)}</small>" if closeness else ""}</a>')
    return html, f"st-{status}"


def matrix_html(entries: Sequence[tuple[str, str, Sequence[Any]]], backends: Sequence[str], reference: str) -> str:
    """The matrix of ``entries`` = (case id, title, rows) as an HTML table."""
    columns = _columns([r for _, _, rows in entries for r in rows], backends, reference)
    header = [("", "case"), *((f"vs {ref}", b) for ref, b in columns)]
    cells: list[list[str]] = []
    classes: list[list[str]] = []
    for case_id, title, rows in entries:
        line = [f'<a{attrs(href="#" + anchor(case_id), class_="case-link")}>{esc(case_id)}</a>'
                f'<span class="title">{esc(title)}</span>']
        line_classes = ["case-cell"]
        for ref, backend in columns:
            chosen = [r for r in rows if (r.backend, r.reference) == (backend, ref) or r.backend == "*"]
            html, cls = _cell(case_id, chosen, f"{backend} vs {ref}")
            line.append(html)
            line_classes.append(cls)
        cells.append(line)
        classes.append(line_classes)
    try:
        table = _styled(header, cells, classes)
    except ImportError:  # Styler needs jinja2
        table = _plain(header, cells, classes)
    return f'<div class="scroll">{table}</div>'


def _styled(header: list[tuple[str, str]], cells: list[list[str]], classes: list[list[str]]) -> str:
    import jinja2  # noqa: F401  (Styler's template engine: fall back to the plain table without it)
    import pandas as pd

    columns = pd.MultiIndex.from_tuples(header)
    frame = pd.DataFrame(cells, columns=columns)
    styler = frame.style.hide(axis="index").set_td_classes(pd.DataFrame(classes, columns=columns))
    styler = styler.set_uuid("matrix").set_table_attributes('class="matrix"')
    # No inline CSS: the classes carry the colours, so the stylesheet is the one source.
    return styler.to_html(doctype_html=False, exclude_styles=False).replace('<style type="text/css">\n</style>\n', "")


def _plain(header: list[tuple[str, str]], cells: list[list[str]], classes: list[list[str]]) -> str:
    groups: list[tuple[str, int]] = []
    for top, _ in header:
        if groups and groups[-1][0] == top:
            groups[-1] = (top, groups[-1][1] + 1)
        else:
            groups.append((top, 1))
    first = "".join(f'<th colspan="{n}">{esc(top)}</th>' for top, n in groups)
    second = "".join(f"<th>{esc(sub)}</th>" for _, sub in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="{esc(c)}">{html}</td>' for html, c in zip(line, line_classes, strict=True)) + "</tr>"
        for line, line_classes in zip(cells, classes, strict=True)
    )
    return f'<table class="matrix"><thead><tr>{first}</tr><tr>{second}</tr></thead><tbody>{body}</tbody></table>'
