"""Drift against a baseline: the section of a ``baseline check`` report, and the page of
``compare A B``.

The drift table comes as a :class:`~equivalence.baseline.drift.DriftReport` (rows and
metadata: the worst elements are known, so each drift says how many tolerances out it is
and which element), as its ``frame`` (a DataFrame, metadata in ``attrs``), or as a list
of records. Expected columns: ``case, output, backend, status, max_abs_diff,
max_rel_diff, max_ulp_diff, mismatched, numel, rtol, atol, version_before,
version_after, message``, and when present ``tolerances``, ``change``, ``before``,
``after`` and ``accepted``; ``status`` is one of ``unchanged, bitwise_change, drift,
accepted, new, removed, error``. Missing columns show as empty cells and extra ones are
ignored, so the two features can evolve apart. Rows are listed worst first
(``DRIFT_SEVERITY``: error, drift, then accepted, removed, new, bitwise changes), each
by size; unchanged rows are only counted. The statuses, their order, glyphs and colours
are :mod:`equivalence.results`' (``DRIFT_*``), as the terminal's.
"""

from __future__ import annotations

import math
from typing import Any

from .._text import number
from ..results import DRIFT_FAILING, DRIFT_GLYPH, DRIFT_SEVERITY, DRIFT_SHOWN_AS
from ._markup import anchor, attrs, esc, output_anchor, table, tolerances_text

__all__ = ["badge", "changed_line", "chips", "drift_counts", "drift_failed", "drift_html", "listing", "records", "sides",
           "text_of", "versions_table"]


def badge(status: str, label: str, extra: str = "") -> str:
    """A drift status as the run's badges show theirs: the colour of the run status it is
    shown as, its glyph, ``label`` (escaped) and ``extra`` (markup)."""
    shown = DRIFT_SHOWN_AS.get(status, "error")
    return f'<span class="badge st-{shown}">{DRIFT_GLYPH.get(status, DRIFT_GLYPH["error"])} {esc(label)}{extra}</span>'


def drift_failed(counts: dict[str, int]) -> bool:
    """Whether drift counts hold a failing status (``DRIFT_FAILING``)."""
    return any(counts.get(s) for s in DRIFT_FAILING)


def text_of(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def records(drift: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(one dict per row, with ``worst`` when known; the metadata)."""
    if hasattr(drift, "rows") and hasattr(drift, "metadata"):  # a DriftReport
        found = [{**row.record(), "worst": list(getattr(row, "worst", []) or [])} for row in drift.rows]
        return found, dict(drift.metadata or {})
    if hasattr(drift, "to_dict"):
        return drift.to_dict("records"), dict(getattr(drift, "attrs", {}).get("metadata") or {})
    return [dict(r) for r in drift], {}


def drift_counts(drift: Any) -> dict[str, int]:
    counts = dict.fromkeys(DRIFT_SEVERITY, 0)
    for record in records(drift)[0]:
        status = text_of(record.get("status")) or "error"
        counts[status] = counts.get(status, 0) + 1
    return counts


def _tolerances(record: dict[str, Any]) -> float:
    """How many tolerances out: the ``tolerances`` column, else the worst listed element's
    |now − before| / (atol + rtol·|before|) (the elements are the largest differences)."""
    if "tolerances" in record:
        return _float(record["tolerances"])
    rtol, atol = _float(record.get("rtol")), _float(record.get("atol"))
    found = math.nan
    for element in record.get("worst") or []:
        try:
            if isinstance(element, dict):
                d, before = float(element["abs_diff"]), float(element["before"])
            else:
                d, before = float(element[3]), float(element[2])
        except (TypeError, ValueError, IndexError, KeyError):
            continue
        bound = atol + rtol * abs(before)
        ratio = d / bound if bound > 0 else (0.0 if d == 0 else math.inf)
        found = ratio if math.isnan(found) else max(found, ratio)
    return found


def _where(record: dict[str, Any]) -> str:
    worst = record.get("worst") or []
    if not worst:
        return ""
    first = worst[0]
    index = first.get("index") if isinstance(first, dict) else first[0]
    return str(tuple(index)) if isinstance(index, (list, tuple)) else text_of(index)


def _far(record: dict[str, Any]) -> str:
    """How far: the tolerances out, and what changed when it is not the values alone."""
    far = tolerances_text(_tolerances(record))
    change = text_of(record.get("change"))
    parts = [f"{far} tol" if far and far != "0" else ""]
    if change and change not in ("values", "error", "new", "removed"):
        parts.append(change.replace("_", " "))
    return " · ".join(p for p in parts if p)


def _values(record: dict[str, Any]) -> str:
    before, after = text_of(record.get("before")), text_of(record.get("after"))
    return f"{before} → {after}" if before or after else ""


def _status(record: dict[str, Any]) -> str:
    return text_of(record.get("status")) or "error"


def _rows(listed: list[dict[str, Any]], known_cases: set[str], with_data: bool) -> list[str]:
    body = []
    for r in listed:
        status = _status(record=r)
        case, output = text_of(r.get("case")), text_of(r.get("output"))
        target = (output_anchor(case, output) if output and output != "*" else anchor(case)) if case in known_cases else ""
        link = f'<a href="#{esc(target)}">{esc(case)}</a>' if target else esc(case)
        versions = " → ".join(v for v in (text_of(r.get("version_before")), text_of(r.get("version_after"))) if v)
        mismatched = f"{text_of(r.get('mismatched'))}/{text_of(r.get('numel'))}" if text_of(r.get("numel")) else ""
        row_attrs = attrs(class_="drift-row", data_drift=status, data_f=status if with_data else None,
                          data_search=f"{case} {output} {text_of(r.get('backend'))} {text_of(r.get('message'))}".lower()
                          if with_data else None)
        body.append(
            f"<tr{row_attrs}>"
            f"<td>{badge(status, status.replace('_', ' '))}</td>"
            f'<td class="num far">{esc(_far(r))}</td>'
            f"<td>{link}</td><td><code>{esc(output)}</code></td><td>{esc(text_of(r.get('backend')))}</td>"
            f"<td>{esc(_where(r))}</td><td class=\"values\">{esc(_values(r))}</td>"
            f"<td class=\"num\">{esc(number(_float(r.get('max_abs_diff'))))}</td>"
            f"<td class=\"num\">{esc(number(_float(r.get('max_rel_diff'))))}</td>"
            f"<td class=\"num\">{esc(number(_float(r.get('max_ulp_diff'))))}</td><td class=\"num\">{esc(mismatched)}</td>"
            f"<td>{esc(versions)}</td><td class=\"message\">{esc(_message(r))}</td></tr>")
    return body


def _message(record: dict[str, Any]) -> str:
    accepted = text_of(record.get("accepted"))
    message = text_of(record.get("message"))
    return f"accepted: {accepted}; {message}" if accepted else message


def listing(rows: list[dict[str, Any]], known_cases: set[str], with_data: bool) -> str:
    listed = sorted((r for r in rows if _status(r) != "unchanged"),
                    key=lambda r: (DRIFT_SEVERITY.index(_status(r)) if _status(r) in DRIFT_SEVERITY else 0,
                                   -_magnitude(_tolerances(r)),
                                   text_of(r.get("case")), text_of(r.get("output"))))
    if not listed:
        return '<p class="note">Every value is bitwise what the baseline holds.</p>'
    headers = ("status", "how far", "case", "output", "backend", "largest at", "before → after", "max abs", "max rel",
               "max ulp", "mismatched", "versions", "message")
    return f'<div class="scroll">{table(headers, _rows(listed, known_cases, with_data), "drift")}</div>'


def _magnitude(value: float) -> float:
    return value if value == value else -1.0


def chips(counts: dict[str, int]) -> str:
    return " ".join(badge(s, s.replace("_", " "), f" <b>{n}</b>")
                    for s, n in counts.items() if n) or "no rows"


def drift_html(drift: Any, known_cases: set[str]) -> str:
    """The section (``id="drift"``), red when a row drifted or errs; ``known_cases`` get links."""
    rows, metadata = records(drift)
    counts = drift_counts(drift)
    failed = drift_failed(counts)
    about = sides(metadata)
    folded = f'<details class="sides"><summary>{esc(changed_line(metadata))}</summary>{about}</details>' if about else ""
    return (f'<section id="drift" class="drift {"failed" if failed else "passed"}"><h2>Drift against the baseline</h2>'
            f"<p>{chips(counts)}</p><p class=\"note\">Each backend against its own outputs in the baseline; "
            f"unchanged outputs are only counted. How far: tolerances out at the largest difference.</p>"
            f"{listing(rows, known_cases, False)}{folded}</section>")


def _changed(metadata: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, before, after) of every framework version that differs between the sides."""
    before, after = metadata.get("before") or {}, metadata.get("after") or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    a = (before.get("environment") or {}).get("versions") or {}
    b = (after.get("environment") or {}).get("versions") or {}
    return [(n, text_of(a.get(n)) or "–", text_of(b.get(n)) or "–") for n in dict.fromkeys([*a, *b])
            if text_of(a.get(n)) != text_of(b.get(n))]


def changed_line(metadata: dict[str, Any]) -> str:
    changed = _changed(metadata)
    if not changed:
        return "The two sides: no framework version changed"
    return "The two sides: " + ", ".join(f"{n} {a} → {b}" for n, a, b in changed)


def sides(metadata: dict[str, Any]) -> str:
    before, after = metadata.get("before") or {}, metadata.get("after") or {}
    if not isinstance(before, dict) or not isinstance(after, dict) or not (before or after):
        about = " · ".join(f"{esc(k)}: {esc(v)}" for k, v in metadata.items() if isinstance(v, (str, int, float)) and v != "")
        return f'<p class="note">{about}</p>' if about else ""
    return versions_table(before, after)


def versions_table(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The two sides' environments side by side, what changed marked."""
    env_a, env_b = before.get("environment") or {}, after.get("environment") or {}
    lines = [("baseline", text_of(before.get("path") or before.get("name")), text_of(after.get("path") or after.get("name"))),
             ("created", text_of(before.get("created")), text_of(after.get("created")))]
    versions_a, versions_b = env_a.get("versions") or {}, env_b.get("versions") or {}
    for name in dict.fromkeys([*versions_a, *versions_b]):
        lines.append((name, text_of(versions_a.get(name)) or "–", text_of(versions_b.get(name)) or "–"))
    for key in ("python", "platform", "cpu"):
        if env_a.get(key) or env_b.get(key):
            lines.append((key, text_of(env_a.get(key)), text_of(env_b.get(key))))
    body = [f'<tr{attrs(class_="changed" if a != b and i >= 2 else None)}><th>{esc(k)}</th><td>{esc(a)}</td><td>{esc(b)}</td>'
            f"<td>{'changed' if a != b and i >= 2 else ''}</td></tr>" for i, (k, a, b) in enumerate(lines)]
    return f'<div class="scroll" id="versions">{table(("", "before (A)", "after (B)", ""), body, "versions")}</div>'
