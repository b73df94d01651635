"""The documented values of a case beside what each backend prints today.

Per documented output: each printed number, and for each group of backends that print
the same text today (usually all of them: one column, not four), that text and the drift
(computed − printed), highlighted where the text differs from the document's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .._text import number
from ._markup import esc, table

if TYPE_CHECKING:
    from ..case import Case
    from ..outcome import Execution

__all__ = ["documented_html"]

#: Printed elements listed per output at most; fewer when every one is reproduced.
DOCUMENTED_ROWS = 40
REPRODUCED_ROWS = 12


def _signed(value: float) -> str:
    if value != value:
        return "-"
    return "0" if value == 0 else ("+" if value > 0 else "") + number(value)


def _column(doc: Any, output: np.ndarray) -> tuple[list[str], np.ndarray, set[int], list[str]] | None:
    """(today's numbers as printed, the selected values, differing positions, index labels)."""
    from ..documented import printed_tokens

    try:
        selected = np.asarray(doc.select(output))
        where = np.asarray(doc.select(np.arange(output.size).reshape(output.shape)))
        today, differing = doc.differing(selected)
    except Exception:
        return None
    if selected.shape != doc.values.shape:
        return None
    found = printed_tokens(today)
    texts = found if len(found) == len(doc.tokens) else ["?"] * len(doc.tokens)
    if output.ndim == 1:
        labels = [str(int(k)) for k in where.reshape(-1)]
    elif output.ndim > 1:
        labels = [str(tuple(int(i) for i in np.unravel_index(int(k), output.shape))) for k in where.reshape(-1)]
    else:
        labels = []
    return texts, selected.reshape(-1), set(differing), labels


def documented_html(case: Case, executions: Mapping[str, Execution], rows: int = DOCUMENTED_ROWS) -> str:
    tables = []
    ran = {b: e for b, e in executions.items() if getattr(e, "ok", False)}
    for name, doc in case.documented.items():
        groups: dict[tuple[Any, ...], tuple[list[str], np.ndarray, set[int]]] = {}
        labels: list[str] | None = None
        names: dict[tuple[Any, ...], list[str]] = {}
        for backend, execution in ran.items():
            if name not in execution.outputs:
                continue
            column = _column(doc, execution.outputs[name])
            if column is None:
                continue
            texts, selected, differing, found_labels = column
            labels = labels or found_labels
            key = (*texts, selected.dtype.str, selected.tobytes())  # same text and same values
            groups.setdefault(key, (texts, selected, differing))
            names.setdefault(key, []).append(backend)
        values = doc.values.reshape(-1)
        labels = labels or [str(i) for i in range(values.size)]
        body = []
        reproduced = not any(differing for _, _, differing in groups.values())
        limit = min(REPRODUCED_ROWS, rows) if reproduced else rows
        for i in range(min(values.size, limit)):
            cells = [f"<td>{esc(labels[i])}</td><td>{esc(doc.tokens[i])}</td>"]
            for texts, selected, differing in groups.values():
                try:
                    drift = float(selected[i]) - float(values[i])
                except (TypeError, ValueError):
                    drift = float("nan")
                off = ' class="off"' if i in differing else ""
                cells.append(f"<td{off}>{esc(texts[i])}</td><td{off}>{esc(_signed(drift))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        rest = values.size - limit
        more = (f'<p class="note">… {rest} more elements{", every one reproduced" if reproduced else ""}</p>'
                if rest > 0 else "")
        headers = ["element", "printed", *(h for key in groups for h in (f"{', '.join(names[key])} print", "drift"))]
        how = f"printed by {doc.printer}" + (f" in {doc.dtype}" if doc.dtype else "")
        tables.append(f'<div class="documented-output"><h4><code>{esc(name)}</code> <small>({esc(how)})</small></h4>'
                      f'<div class="scroll">{table(headers, body, "small doc")}</div>{more}</div>')
    if not tables:
        return ""
    return ('<h3>Printed values and what each framework prints today</h3><p class="note">Each value as the document '
            'printed it, beside today\'s value printed the same way (backends that print the same text share a '
            'column); highlighted where the text differs. drift = computed − printed.</p>'
            f'<div class="documented">{"".join(tables)}</div>')
