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
ignored, so the two features can evolve apart. Rows are listed worst first (error,
drift, then accepted, removed, new, bitwise changes), each by size; unchanged rows are
only counted.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from .._io import atomic_write_text
from .._text import number
from ._markup import anchor, attrs, esc, output_anchor, table, tolerances_text

__all__ = ["drift_counts", "drift_html", "render_compare_report", "write_compare_report"]

ORDER = ("error", "drift", "accepted", "removed", "new", "bitwise_change", "unchanged")
FAILING = ("error", "drift")
#: Drift statuses mapped onto the stylesheet's status colours.
COLOUR = {"error": "error", "drift": "fail", "accepted": "known_difference", "bitwise_change": "known_difference",
          "new": "skipped", "removed": "unexpected_pass", "unchanged": "pass"}
GLYPH = {"error": "⚠", "drift": "✗", "accepted": "≈", "bitwise_change": "~", "new": "+", "removed": "−", "unchanged": "✓"}


def _text(value: Any) -> str:
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
    counts = dict.fromkeys(ORDER, 0)
    for record in records(drift)[0]:
        status = _text(record.get("status")) or "error"
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
    return str(tuple(index)) if isinstance(index, (list, tuple)) else _text(index)


def _far(record: dict[str, Any]) -> str:
    """How far: the tolerances out, and what changed when it is not the values alone."""
    far = tolerances_text(_tolerances(record))
    change = _text(record.get("change"))
    parts = [f"{far} tol" if far and far != "0" else ""]
    if change and change not in ("values", "error", "new", "removed"):
        parts.append(change.replace("_", " "))
    return " · ".join(p for p in parts if p)


def _values(record: dict[str, Any]) -> str:
    before, after = _text(record.get("before")), _text(record.get("after"))
    return f"{before} → {after}" if before or after else ""


def _status(record: dict[str, Any]) -> str:
    return _text(record.get("status")) or "error"


def _rows(listed: list[dict[str, Any]], known_cases: set[str], with_data: bool) -> list[str]:
    body = []
    for r in listed:
        status = _status(record=r)
        case, output = _text(r.get("case")), _text(r.get("output"))
        target = (output_anchor(case, output) if output and output != "*" else anchor(case)) if case in known_cases else ""
        link = f'<a href="#{esc(target)}">{esc(case)}</a>' if target else esc(case)
        versions = " → ".join(v for v in (_text(r.get("version_before")), _text(r.get("version_after"))) if v)
        mismatched = f"{_text(r.get('mismatched'))}/{_text(r.get('numel'))}" if _text(r.get("numel")) else ""
        row_attrs = attrs(class_="drift-row", data_drift=status, data_f=status if with_data else None,
                          data_search=f"{case} {output} {_text(r.get('backend'))} {_text(r.get('message'))}".lower()
                          if with_data else None)
        body.append(
            f"<tr{row_attrs}>"
            f'<td><span class="badge st-{COLOUR.get(status, "error")}">{GLYPH.get(status, "⚠")} {esc(status.replace("_", " "))}</span></td>'
            f'<td class="num far">{esc(_far(r))}</td>'
            f"<td>{link}</td><td><code>{esc(output)}</code></td><td>{esc(_text(r.get('backend')))}</td>"
            f"<td>{esc(_where(r))}</td><td class=\"values\">{esc(_values(r))}</td>"
            f"<td class=\"num\">{esc(number(_float(r.get('max_abs_diff'))))}</td>"
            f"<td class=\"num\">{esc(number(_float(r.get('max_rel_diff'))))}</td>"
            f"<td class=\"num\">{esc(number(_float(r.get('max_ulp_diff'))))}</td><td class=\"num\">{esc(mismatched)}</td>"
            f"<td>{esc(versions)}</td><td class=\"message\">{esc(_message(r))}</td></tr>")
    return body


def _message(record: dict[str, Any]) -> str:
    accepted = _text(record.get("accepted"))
    message = _text(record.get("message"))
    return f"accepted: {accepted}; {message}" if accepted else message


def _listing(rows: list[dict[str, Any]], known_cases: set[str], with_data: bool) -> str:
    listed = sorted((r for r in rows if _status(r) != "unchanged"),
                    key=lambda r: (ORDER.index(_status(r)) if _status(r) in ORDER else 0, -_magnitude(_tolerances(r)),
                                   _text(r.get("case")), _text(r.get("output"))))
    if not listed:
        return '<p class="note">Every value is bitwise what the baseline holds.</p>'
    headers = ("status", "how far", "case", "output", "backend", "largest at", "before → after", "max abs", "max rel",
               "max ulp", "mismatched", "versions", "message")
    return f'<div class="scroll">{table(headers, _rows(listed, known_cases, with_data), "drift")}</div>'


def _magnitude(value: float) -> float:
    return value if value == value else -1.0


def _chips(counts: dict[str, int]) -> str:
    return " ".join(f'<span class="badge st-{COLOUR.get(s, "error")}">{GLYPH.get(s, "⚠")} {esc(s.replace("_", " "))} <b>{n}</b></span>'
                    for s, n in counts.items() if n) or "no rows"


def drift_html(drift: Any, known_cases: set[str]) -> str:
    """The section (``id="drift"``), red when a row drifted or errs; ``known_cases`` get links."""
    rows, metadata = records(drift)
    counts = drift_counts(drift)
    failed = any(counts.get(s) for s in FAILING)
    about = _sides(metadata)
    sides = f'<details class="sides"><summary>{esc(_changed_line(metadata))}</summary>{about}</details>' if about else ""
    return (f'<section id="drift" class="drift {"failed" if failed else "passed"}"><h2>Drift against the baseline</h2>'
            f"<p>{_chips(counts)}</p><p class=\"note\">Each backend against its own outputs in the baseline; "
            f"unchanged outputs are only counted. How far: tolerances out at the largest difference.</p>"
            f"{_listing(rows, known_cases, False)}{sides}</section>")


def _changed(metadata: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(name, before, after) of every framework version that differs between the sides."""
    before, after = metadata.get("before") or {}, metadata.get("after") or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return []
    a = (before.get("environment") or {}).get("versions") or {}
    b = (after.get("environment") or {}).get("versions") or {}
    return [(n, _text(a.get(n)) or "–", _text(b.get(n)) or "–") for n in dict.fromkeys([*a, *b])
            if _text(a.get(n)) != _text(b.get(n))]


def _changed_line(metadata: dict[str, Any]) -> str:
    changed = _changed(metadata)
    if not changed:
        return "The two sides: no framework version changed"
    return "The two sides: " + ", ".join(f"{n} {a} → {b}" for n, a, b in changed)


def _sides(metadata: dict[str, Any]) -> str:
    before, after = metadata.get("before") or {}, metadata.get("after") or {}
    if not isinstance(before, dict) or not isinstance(after, dict) or not (before or after):
        about = " · ".join(f"{esc(k)}: {esc(v)}" for k, v in metadata.items() if isinstance(v, (str, int, float)) and v != "")
        return f'<p class="note">{about}</p>' if about else ""
    return versions_table(before, after)


def versions_table(before: dict[str, Any], after: dict[str, Any]) -> str:
    """The two sides' environments side by side, what changed marked."""
    env_a, env_b = before.get("environment") or {}, after.get("environment") or {}
    lines = [("baseline", _text(before.get("path") or before.get("name")), _text(after.get("path") or after.get("name"))),
             ("created", _text(before.get("created")), _text(after.get("created")))]
    versions_a, versions_b = env_a.get("versions") or {}, env_b.get("versions") or {}
    for name in dict.fromkeys([*versions_a, *versions_b]):
        lines.append((name, _text(versions_a.get(name)) or "–", _text(versions_b.get(name)) or "–"))
    for key in ("python", "platform", "cpu"):
        if env_a.get(key) or env_b.get(key):
            lines.append((key, _text(env_a.get(key)), _text(env_b.get(key))))
    body = [f'<tr{attrs(class_="changed" if a != b and i >= 2 else None)}><th>{esc(k)}</th><td>{esc(a)}</td><td>{esc(b)}</td>'
            f"<td>{'changed' if a != b and i >= 2 else ''}</td></tr>" for i, (k, a, b) in enumerate(lines)]
    return f'<div class="scroll" id="versions">{table(("", "before (A)", "after (B)", ""), body, "versions")}</div>'


def render_compare_report(drift: Any) -> str:
    """The page of ``compare A B``: the verdict, both sides' versions, the drift rows."""
    from .page import filters_html, shell

    rows, metadata = records(drift)
    counts = drift_counts(drift)
    failed = any(counts.get(s) for s in FAILING)
    compared = sum(counts.values())
    before, after = metadata.get("before") or {}, metadata.get("after") or {}
    name_a = _text(before.get("name") or before.get("path")) if isinstance(before, dict) else ""
    name_b = _text(after.get("name") or after.get("path")) if isinstance(after, dict) else ""
    if failed:
        parts = [f"{counts['drift']} output{'s' if counts['drift'] != 1 else ''} drifted beyond tolerance"] if counts.get("drift") else []
        parts += [f"{counts['error']} error{'s' if counts['error'] != 1 else ''}"] if counts.get("error") else []
        big = f"✗ B differs from A: {', '.join(parts)} (of {compared} outputs)."
    else:
        big = f"✓ No drift from A to B: {counts.get('unchanged', 0)} of {compared} outputs bit for bit unchanged."
    verdict = (f'<div id="verdict" class="verdict {"failed" if failed else "passed"}"><p class="big">{esc(big)}</p>'
               f"<p>{esc(_changed_line(metadata).replace('The two sides: ', 'Versions: '))}</p>"
               f"<p class=\"counts\">{_chips(counts)}</p></div>")
    listed = {s: n for s, n in counts.items() if s != "unchanged"}
    filters = filters_html(listed, "outputs", "tr.drift-row", "Outputs")
    bar = (f'<a class="brand" href="#top">equivalence compare</a> '
           f'<a class="bar-verdict {"failed" if failed else "passed"}" href="#verdict">{"✗ drift" if failed else "✓ no drift"}</a> '
           f'<a href="#drift">What changed</a> <a href="#sides">The two sides</a>{filters}')
    body = (f'<header id="top"><h1>Did the outputs change from A to B?</h1>'
            f'<p class="sides">A: <code>{esc(name_a)}</code> → B: <code>{esc(name_b)}</code></p>{verdict}</header><main>'
            f'<section id="drift" class="drift {"failed" if failed else "passed"}"><h2>What changed</h2>'
            f'<p class="note">Each backend of B against the same backend in A, output by output, with the tolerance '
            f"{esc(_text(metadata.get('tolerances')) or 'of the cases')}; unchanged outputs are only counted. How far: "
            f"tolerances out at the largest difference, whose element is listed.</p>"
            f"{_listing(rows, set(), True)}</section>"
            f'<section id="sides"><h2>The two sides</h2>{_sides(metadata)}</section></main>')
    title = f"equivalence compare: {'DRIFT' if failed else 'no drift'}: {name_a} → {name_b}"
    return shell(title, bar, body, "equivalence compare")


def write_compare_report(drift: Any, out_dir: str | Path) -> Path:
    """Write the page of ``compare A B`` (``drift``: the ``DriftReport`` that
    ``compare_baselines`` returns, its ``frame``, or records) to ``out_dir/compare.html``
    (or to ``out_dir`` itself when it names an ``.html`` file), atomically; return the file."""
    target = Path(out_dir)
    if target.suffix.lower() not in (".html", ".htm"):
        target = target / "compare.html"
    atomic_write_text(target, render_compare_report(drift))
    return target
