"""Small HTML helpers shared by the report's modules: escaping, anchors, numbers, "how far".

Invariant: every string that reaches the page from a case or a result (ids, titles,
messages, source code, dtype names) goes through :func:`esc` or :func:`attrs`, which
also show control characters, bidirectional overrides and lone surrogates as escapes;
nothing here builds an event handler or a ``style`` from such a string.

Anchors are stable and typeable: a case whose id is made of letters, digits, ``.``,
``_`` and ``-`` is found at ``#<id>`` (``#003-3-tf-linreg-1``) and its outputs at
``#<id>/<output>`` (``#003-3-tf-linreg-1/loss``); any other id gets a slug plus a hash
of the id (``#case-x-1f2e3d4c``), so every id gives a valid, unique, inert ``id``.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

from .._text import number, printable
from ..results import FAILING, GLYPH, SEVERITY, STATUS_LABEL, worst  # the vocabulary, re-exported

__all__ = [
    "FAILING", "GLYPH", "SEVERITY", "STATUS_LABEL", "anchor", "attrs", "badge", "data_value", "esc", "how_far", "lead",
    "num_cell", "output_anchor", "status_of", "table", "tolerances_text", "worst", "worst_row",
]  # fmt: skip


#: Ids the page uses for itself: a case with one of these ids gets a hashed anchor.
RESERVED = frozenset({"top", "verdict", "failures", "contents", "summary", "matrix", "disagreements", "drift",
                      "cases", "run", "filters", "filter-text", "filter-count", "versions", "bar"})
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z")


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


def _hashed(text: str, prefix: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:48] or "x"
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]  # any id, even '\udcff'
    return f"{prefix}-{slug}-{digest}"


def anchor(case_id: str, prefix: str = "case") -> str:
    """The ``id`` of a case's section: the id itself when it is safe to type, else a slug
    and a hash of the id (``prefix-slug-hash``)."""
    text = str(case_id)
    if _SAFE.match(text) and text not in RESERVED and not text.startswith(f"{prefix}-"):
        return text
    return _hashed(text, prefix)


def output_anchor(case_id: str, output: str) -> str:
    """The ``id`` of one output of a case: ``<case anchor>/<output>`` (``o-slug-hash``
    for an output name that is not safe to type, ``*`` included)."""
    name = str(output)
    part = name if _SAFE.match(name) and not name.startswith("o-") else _hashed(name, "o")
    return f"{anchor(case_id)}/{part}"


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


def num_cell(value: Any, column: str, extra_class: str = "", text: str | None = None) -> str:
    """A table cell showing ``value`` short (or ``text``), holding it exactly in ``data-value``."""
    cls = f"num {extra_class}".strip()
    shown = number(value) if text is None else text
    return f'<td class="{cls}" data-col="{esc(column)}" data-value="{esc(data_value(value))}">{esc(shown)}</td>'


def table(headers: Iterable[str], body: Iterable[str], cls: str = "", head_attrs: str = "") -> str:
    """A table from escaped header labels and ready-made ``<tr>`` strings."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    return f'<table class="{esc(cls)}"{head_attrs}><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def lead(text: str) -> str:
    """``text`` escaped, its first clause (up to the first ``; ``) in bold: how far comes first."""
    first, sep, rest = str(text).partition("; ")
    return f"<b>{esc(first)}</b>{esc(sep + rest)}"


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def tolerances_text(value: Any) -> str:
    """How many tolerances out, in a few characters: ``0.31``, ``12``, ``3.1e3``, ``∞``;
    ``""`` when it does not apply (NaN: documented values, compared by their text)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
        return ""
    if math.isinf(value):
        return "∞"
    if value == 0:
        return "0"
    if value < 0.01:
        mantissa, exponent = f"{value:.0e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    if value < 10:
        return f"{value:.2g}"
    if value < 1000:
        return f"{value:.0f}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}e{int(exponent)}"


def _severity(row: Any) -> tuple[int, float]:
    tolerances = row.tolerances if _finite(row.tolerances) or (isinstance(row.tolerances, float)
                                                                and math.isinf(row.tolerances)) else -1.0
    return SEVERITY.index(status_of(row.status)), -tolerances


def worst_row(rows: Sequence[Any]) -> Any:
    """The row that says most about ``rows``: the most alarming status, then the most tolerances out."""
    return min(rows, key=_severity)


def how_far(row: Any) -> str:
    """How far one row's two sides are apart, in a few words, the tolerances first:
    ``3.1e3 tol``, ``shape (3,) vs (2,)``, ``dtype float64 vs float32``, ``2/60 printed
    differ``, ``exact``; ``""`` for errors and skips."""
    status = status_of(row.status)
    differs = set(filter(None, str(getattr(row, "differs", "") or "").split(",")))
    if status == "unexpected_pass":
        return "no longer differs"
    if status in ("error", "skipped") or differs & {"error", "missing"}:
        return "missing" if "missing" in differs else ""
    if "shape" in differs:
        return f"shape {row.shape} vs {row.reference_shape}"
    if "message" in differs:
        return "message differs"
    tolerances = row.tolerances
    documented = not isinstance(tolerances, (int, float)) or isinstance(tolerances, bool) or math.isnan(tolerances)
    if documented:
        if row.mismatched:
            return f"{row.mismatched}/{row.numel} printed differ"
        return f"dtype {row.dtype} vs {row.reference_dtype}" if "dtype" in differs else "reproduced"
    if tolerances == 0:
        return f"dtype {row.dtype} vs {row.reference_dtype}" if "dtype" in differs else "exact"
    if math.isinf(tolerances):  # a tolerance of 0: integers, booleans, strings compared exactly
        text = f"{row.mismatched}/{row.numel} differ (exact)" if row.numel else "differs (exact)"
    else:
        text = f"{tolerances_text(tolerances)} tol"
    return f"{text} · dtype" if "dtype" in differs else text
