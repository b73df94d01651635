"""The "Drift against baseline" section, from the baseline comparison's DataFrame.

Expected columns: ``case, output, backend, status, max_abs_diff, max_rel_diff,
max_ulp_diff, mismatched, numel, rtol, atol, version_before, version_after, message``;
``status`` is one of ``unchanged, bitwise_change, drift, new, removed, error``. Missing
columns show as empty cells and extra ones are ignored, so the two features can evolve
apart. Rows are listed worst first (error, drift, then bitwise changes, new, removed);
unchanged rows are only counted.
"""

from __future__ import annotations

import math
from typing import Any

from ._markup import anchor, attrs, esc, num_cell, table

__all__ = ["drift_html"]

ORDER = ("error", "drift", "bitwise_change", "new", "removed", "unchanged")
#: Drift statuses mapped onto the stylesheet's status colours.
COLOUR = {"error": "error", "drift": "fail", "bitwise_change": "known_difference", "new": "skipped",
          "removed": "unexpected_pass", "unchanged": "pass"}


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def drift_html(drift: Any, known_cases: set[str]) -> str:
    """The section, or a note when ``drift`` is empty. ``known_cases`` get links."""
    records = drift.to_dict("records") if hasattr(drift, "to_dict") else list(drift)
    counts = {s: 0 for s in ORDER}
    for record in records:
        status = _text(record.get("status")) or "error"
        counts[status] = counts.get(status, 0) + 1
    chips = " ".join(
        f'<span class="badge st-{COLOUR.get(s, "error")}">{esc(s.replace("_", " "))} <b>{n}</b></span>'
        for s, n in counts.items() if n
    ) or "no rows"
    listed = sorted(
        (r for r in records if _text(r.get("status")) != "unchanged"),
        key=lambda r: (ORDER.index(r["status"]) if r.get("status") in ORDER else 0, _text(r.get("case")), _text(r.get("output"))),
    )
    body = []
    for r in listed:
        status = _text(r.get("status")) or "error"
        case = _text(r.get("case"))
        link = f'<a href="#{anchor(case)}">{esc(case)}</a>' if case in known_cases else esc(case)
        versions = " → ".join(v for v in (_text(r.get("version_before")), _text(r.get("version_after"))) if v)
        mismatched = f"{_text(r.get('mismatched'))}/{_text(r.get('numel'))}" if _text(r.get("numel")) else ""
        search = f"{case} {_text(r.get('output'))} {_text(r.get('message'))}".lower()
        body.append(
            f'<tr{attrs(data_drift=status, data_case=case, data_statuses=COLOUR.get(status, "error"), data_search=search)}>'
            f'<td><span class="badge st-{COLOUR.get(status, "error")}">{esc(status.replace("_", " "))}</span></td>'
            f"<td>{link}</td><td><code>{esc(_text(r.get('output')))}</code></td><td>{esc(_text(r.get('backend')))}</td>"
            f"{num_cell(_float(r.get('max_abs_diff')), 'max_abs_diff')}{num_cell(_float(r.get('max_rel_diff')), 'max_rel_diff')}"
            f"{num_cell(_float(r.get('max_ulp_diff')), 'max_ulp_diff')}<td class=\"num\">{esc(mismatched)}</td>"
            f"<td>{esc(versions)}</td><td class=\"message\">{esc(_text(r.get('message')))}</td></tr>"
        )
    listing = (table(("status", "case", "output", "backend", "max abs", "max rel", "max ulp", "mismatched",
                      "versions", "message"), body, "drift")
               if body else '<p class="note">Every value is bitwise what the baseline holds.</p>')
    metadata = getattr(drift, "attrs", {}).get("metadata") or {}
    about = " · ".join(f"{esc(k)}: {esc(v)}" for k, v in metadata.items() if isinstance(v, (str, int, float)) and v != "")
    about = f'<p class="note">{about}</p>' if about else ""
    return (f'<section id="drift" class="drift"><h2>Drift against baseline</h2>{about}<p>{chips}</p>{listing}</section>')
