"""The table of a case's comparisons, and the table of the elements behind its maxima.

One line per comparison that does not pass, the passing ones of each reference folded
into one line holding their largest numbers; every number holds its exact value
(``data-value``, as ``results.json`` spells it) where the text shown is rounded. A row's
message ends with the bound its declaration holds it to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._text import number
from ._markup import GLYPH, STATUS_LABEL, attrs, data_value, esc, output_anchor, status_of, table, tolerances_text

if TYPE_CHECKING:
    from ..results import Row
    from .analysis import Element

__all__ = ["comparisons_html", "elements_table", "exact_cell"]

#: Numbers of a comparison row, in the order of the table's columns.
NUMBERS = ("tolerances", "max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched", "rtol", "atol")


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


def _row_html(row: Row) -> str:
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


def _passing_html(rows: Sequence[Row]) -> str:
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


def comparisons_html(case_id: str, rows: Sequence[Row]) -> str:
    """Every comparison, by output: each one that does not pass on a line of its own,
    the passing ones of each reference together (their largest numbers)."""
    by_output: dict[str, list[Row]] = {}
    for row in rows:
        by_output.setdefault(row.output, []).append(row)
    head = "".join(f"<th>{esc(h)}</th>" for h in HEADERS)
    groups = []
    for output, output_rows in by_output.items():
        lines: list[str] = []
        passing: dict[str, list[Row]] = {}
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


def elements_table(found: list[Element], backend: str, reference: str) -> str:
    body = [f"<tr><td>{esc(e.index)}</td><td>{esc(', '.join(e.why))}</td><td>{esc(_value(e.actual))}</td>"
            f"<td>{esc(_value(e.expected))}</td><td>{esc(tolerances_text(e.tolerances) or '-')}</td>"
            f"<td>{esc(number(e.abs))}</td><td>{esc(number(e.rel))}</td><td>{esc(number(e.ulp))}</td></tr>"
            for e in found]
    headers = ("element", "listed as", backend, reference, "tolerances out", "abs", "rel", "ulp")
    return f'<div class="scroll">{table(headers, body, "small elements")}</div>'


def _value(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def _message(row: Row) -> str:
    """A row's message; for a declared difference, with the bound it is held to (its
    reason is listed above the table)."""
    if row.declared:
        return f"{row.message} (declared: {row.bound})".strip()
    return str(row.message)
