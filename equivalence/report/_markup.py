"""Small HTML helpers shared by the report's modules: escaping, anchors, number cells.

Invariant: every string that reaches the page from a case or a result (ids, titles,
messages, source code, dtype names) goes through :func:`esc` or :func:`attrs`, which
also show control characters, bidirectional overrides and lone surrogates as escapes;
nothing here builds an event handler or a ``style`` from such a string. Anchors are
slugs plus a hash of the id, so any id gives a valid, unique, inert ``id`` attribute.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Iterable
from typing import Any

from .._text import number, printable

__all__ = [
    "SEVERITY", "STATUS_LABEL", "anchor", "attrs", "badge", "data_value", "esc", "num_cell",
    "status_of", "table", "worst",
]  # fmt: skip

#: Statuses from the most to the least alarming: the order of "worst" and of sorting.
SEVERITY = ("error", "fail", "unexpected_pass", "known_difference", "skipped", "pass")
STATUS_LABEL = {
    "pass": "pass", "fail": "fail", "error": "error", "known_difference": "known difference",
    "unexpected_pass": "unexpected pass", "skipped": "skipped",
}  # fmt: skip
GLYPH = {"pass": "✓", "fail": "✗", "error": "⚠", "known_difference": "≈", "unexpected_pass": "!", "skipped": "–"}


def esc(value: Any) -> str:
    """``value`` as text that HTML shows literally (quotes too, so attributes are safe).

    Control characters, bidirectional overrides and lone surrogates are shown as escapes
    (``\\x1b``, ``\\u202e``, ``\\udcff``: :func:`equivalence._text.printable`), so
    they cannot reorder what the page shows or make writing it fail; tabs and newlines
    are kept (source code)."""
    return html.escape(printable(value), quote=True)


def attrs(**values: Any) -> str:
    """`` name="value"`` pairs, escaped; ``data_x`` becomes ``data-x``; None is left out."""
    return "".join(
        f' {name.rstrip("_").replace("_", "-")}="{esc(value)}"' for name, value in values.items() if value is not None
    )


def anchor(case_id: str, prefix: str = "case") -> str:
    """A safe, unique ``id`` for a case's section: a readable slug and a hash of the id."""
    slug = re.sub(r"[^a-z0-9]+", "-", str(case_id).lower()).strip("-")[:48] or "x"
    digest = hashlib.sha1(str(case_id).encode("utf-8", "surrogatepass")).hexdigest()[:8]  # any id, even '\udcff'
    return f"{prefix}-{slug}-{digest}"


def worst(statuses: Iterable[str]) -> str:
    """The most alarming of ``statuses`` (``pass`` for none)."""
    present = set(statuses)
    return next((s for s in SEVERITY if s in present), "pass")


def status_of(status: str) -> str:
    """A status known to the stylesheet (anything else is shown as an error)."""
    return status if status in STATUS_LABEL else "error"


def badge(status: str, text: str | None = None) -> str:
    status = status_of(status)
    label = STATUS_LABEL[status] if text is None else text
    return f'<span class="badge st-{status}">{GLYPH[status]} {esc(label)}</span>'


def data_value(value: Any) -> str:
    """The exact value for a ``data-value`` attribute, spelled as ``results.json`` spells
    it: ``repr`` of the float (round-trips), ``""`` for NaN (``null``), ``inf``/``-inf``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    return str(value)


def num_cell(value: Any, column: str, extra_class: str = "") -> str:
    """A table cell showing ``value`` short, holding it exactly in ``data-value``."""
    cls = f"num {extra_class}".strip()
    return f'<td class="{cls}" data-col="{esc(column)}" data-value="{esc(data_value(value))}">{esc(number(value))}</td>'


def table(headers: Iterable[str], body: Iterable[str], cls: str = "") -> str:
    """A table from escaped header labels and ready-made ``<tr>`` strings."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    return f'<table class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
