"""The summary matrix: one row per case, one column per (reference, backend), by status.

A cell is the worst status of that backend's comparisons with that reference over all
the case's outputs, coloured by status, with how far the values are, the number of
tolerances first (``3.1e3 tol``; ``exact``; ``shape (3,) vs (2,)``; ``2/60 printed
differ``), and, where it is not a pass, the output that is worst; it links to that
output's rows (``#case/output``), a passing cell to the case. Rows come in the order
given (the page puts failures first) and carry the case's status, which the filters use.

A plain table (its header stays in view while the rows scroll, and so does the case
column): one class per cell and nothing else, so 92 cases × 8 columns weigh ~100 kB.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..results import NOT_BACKENDS
from ._markup import GLYPH, STATUS_LABEL, anchor, attrs, esc, how_far, output_anchor, status_of, worst, worst_row

if TYPE_CHECKING:
    from ..results import Row

__all__ = ["matrix_html"]

#: Cell labels, short so that a column per backend fits a laptop screen.
SHORT = {"pass": "pass", "fail": "fail", "error": "error", "known_difference": "known",
         "unexpected_pass": "unexpected", "skipped": "skipped"}


def _columns(rows: Sequence[Row], backends: Sequence[str], reference: str) -> list[tuple[str, str]]:
    """(reference, backend) pairs that have rows: the reference backend first, then documented."""
    present = {(r.reference, r.backend) for r in rows if r.backend != "*"}
    references = [reference, *NOT_BACKENDS] + sorted({ref for ref, _ in present} - {reference, *NOT_BACKENDS, "*"})
    order = list(dict.fromkeys([*backends, *sorted({b for _, b in present})]))
    return [(ref, b) for ref in references for b in order if (ref, b) in present]


def _cell(case_id: str, rows: Sequence[Row], label: str) -> str:
    if not rows:
        return '<td class="empty">·</td>'
    chosen = worst_row(rows)
    status = status_of(chosen.status)
    counts: dict[str, int] = {}
    for r in rows:
        counts[STATUS_LABEL[status_of(r.status)]] = counts.get(STATUS_LABEL[status_of(r.status)], 0) + 1
    outputs = sorted({r.output for r in rows})
    far = how_far(chosen)
    if status == "pass":
        passing = [r for r in rows if r.tolerances == r.tolerances]  # documented rows have none
        far = how_far(worst_row(passing)) if passing else far
        far = far if far in ("exact", "reproduced") else f"≤ {far}"
        target = anchor(case_id)
    else:
        target = output_anchor(case_id, chosen.output) if chosen.output != "*" else anchor(case_id)
    which = f" · {chosen.output}" if status != "pass" and len(outputs) > 1 and chosen.output != "*" else ""
    # A tooltip only where the cell holds several statuses: 700 cells × 60 characters add up.
    tip = f"{label}: {', '.join(f'{n} {s}' for s, n in counts.items())}" if len(counts) > 1 else None
    small = f"<small>{esc(far)}{esc(which)}</small>" if far or which else ""
    return (f'<td class="st-{status}"><a{attrs(href="#" + target, title=tip)}>'
            f"{GLYPH[status]} {esc(SHORT[status])}{small}</a></td>")


def matrix_html(entries: Sequence[tuple[str, str, Sequence[Any]]], backends: Sequence[str], reference: str) -> str:
    """The matrix of ``entries`` = (case id, title, rows) as an HTML table."""
    columns = _columns([r for _, _, rows in entries for r in rows], backends, reference)
    groups: list[tuple[str, int]] = []
    for ref, _ in columns:
        if groups and groups[-1][0] == ref:
            groups[-1] = (ref, groups[-1][1] + 1)
        else:
            groups.append((ref, 1))
    first = '<th rowspan="2" class="case-head">case</th>' + "".join(
        f'<th colspan="{n}">vs {esc(ref)}</th>' for ref, n in groups)
    second = "".join(f"<th>{esc(backend)}</th>" for _, backend in columns)
    body = []
    for case_id, title, rows in entries:
        status = worst(status_of(r.status) for r in rows)
        line = [f'<th class="case-cell"><a{attrs(href="#" + anchor(case_id), class_="case-link")}>{esc(case_id)}</a>'
                f'<span class="title">{esc(title)}</span></th>']
        for ref, backend in columns:
            chosen = [r for r in rows if (r.backend, r.reference) == (backend, ref) or r.backend == "*"]
            line.append(_cell(case_id, chosen, f"{backend} vs {ref}"))
        body.append(f'<tr{attrs(class_=f"row-{status}", data_case=case_id)}>{"".join(line)}</tr>')
    return (f'<div class="matrix-box"><table class="matrix"><thead><tr>{first}</tr><tr>{second}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')
