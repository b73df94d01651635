"""The top of the page: the verdict, the failures, the contents, the disagreements.

The verdict is computed from every row (and from the drift, when there is one), so it
never says "no case fails" of a run whose rows fail, nor of a baseline check whose
outputs drifted; it is red when the command exits 1. The failures follow it, one line
per failing comparison, how far first and where it starts, each linking to its output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..results import DRIFT_FAILING
from ._markup import (
    FAILING,
    SEVERITY,
    STATUS_LABEL,
    anchor,
    attrs,
    badge,
    esc,
    how_far,
    lead,
    output_anchor,
    status_of,
    table,
    worst,
    worst_row,
)
from .analysis import divergence, sides, summary

if TYPE_CHECKING:
    from ..results import Row

__all__ = ["Entry", "contents_html", "disagreements_html", "failures_html", "verdict_html"]

#: (case id, Case or None, rows, executions of the case)
Entry = tuple[str, Any, list[Any], dict[str, Any]]
#: Failing comparisons listed on the first screen at most; the matrix and sections hold the rest.
LISTED = 40
#: Characters of a known difference's reason in the disagreements (the section has it all).
REASON = 160


def case_status(rows: Sequence[Row]) -> str:
    return worst(status_of(r.status) for r in rows)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def verdict_html(entries: Sequence[Entry], counts: dict[str, int], drift_counts: dict[str, int] | None,
                 metadata: dict[str, Any]) -> tuple[str, bool]:
    """(the verdict block, whether the command failed)."""
    by_case: dict[str, int] = {}
    for _, _, rows, _ in entries:
        status = case_status(rows)
        by_case[status] = by_case.get(status, 0) + 1
    failing_cases = sum(by_case.get(s, 0) for s in FAILING)
    failing_rows = sum(counts.get(s, 0) for s in FAILING)
    compared = sum(n for s, n in counts.items() if s != "skipped")
    lines = []
    drifted = sum((drift_counts or {}).get(s, 0) for s in DRIFT_FAILING)
    if drift_counts is not None:  # a baseline check: the drift comes first
        if drifted:
            parts = [_plural(drift_counts.get("drift", 0), "output") + " drifted beyond tolerance"] if drift_counts.get("drift") else []
            parts += [_plural(drift_counts["error"], "error")] if drift_counts.get("error") else []
            lines.append(("bad", f"✗ Drift against the baseline: {', '.join(parts)}."))
        else:
            lines.append(("good", "✓ No drift against the baseline."))
        others = [f"{n} {s.replace('_', ' ')}" for s, n in drift_counts.items() if n and s not in DRIFT_FAILING]
        if others:
            lines.append(("", f"Against the baseline, also: {', '.join(others)}."))
    if failing_rows:
        detail = ", ".join(f"{n} {STATUS_LABEL[s]}" for s in FAILING if (n := counts.get(s, 0)))
        lines.append(("bad", f"✗ {failing_cases} of {_plural(len(entries), 'case')} fail: {detail} "
                             f"({_plural(failing_rows, 'comparison')} of {compared})."))
    elif not compared:
        lines.append(("bad", "✗ Nothing was compared: every comparison was skipped, or there was none."))
    else:
        lines.append(("good", f"✓ No case fails: {_plural(len(entries), 'case')}, {_plural(compared, 'comparison')}."))
    # The first line is the headline, what fails if anything does; the others follow, smaller.
    bad = next((line for line in lines if line[0] == "bad"), None)
    if bad is not None and lines[0] != bad:
        lines.remove(bad)
        lines.insert(0, bad)
    html = [f'<p class="{"big" if i == 0 else "then"} {tone}">{esc(text)}</p>' for i, (tone, text) in enumerate(lines)]
    chips = " ".join(badge(s, f"{STATUS_LABEL[s]} {counts[s]}") for s in SEVERITY if counts.get(s))
    cases = " ".join(badge(s, f"{STATUS_LABEL[s]} {by_case[s]}") for s in SEVERITY if by_case.get(s))
    html.append(f'<p class="counts">Comparisons: {chips or "none"}<br>Cases, by their worst comparison: {cases or "none"}</p>')
    if counts.get("known_difference"):
        html.append(f'<p class="note">A known difference is declared by its case, with its reason and a bound it stays '
                    f"within; {_plural(counts['known_difference'], 'comparison')} {'is' if counts['known_difference'] == 1 else 'are'}.</p>")
    if metadata.get("complete") is False:
        unfinished = ", ".join(str(c) for c in metadata.get("unfinished") or [])
        html.append(f'<p class="warning">This run is incomplete: some cases did not finish'
                    f'{": " + esc(unfinished) if unfinished else ""}.</p>')
    failed = bool(failing_rows or drifted or not compared)
    return f'<div id="verdict" class="verdict {"failed" if failed else "passed"}">{"".join(html)}</div>', failed


def failures_html(entries: Sequence[Entry]) -> str:
    """Every failing comparison (up to ``LISTED``), grouped by case: how far, where it starts."""
    items, listed, total = [], 0, 0
    for case_id, case, rows, executions in entries:
        failing = [r for r in rows if status_of(r.status) in FAILING]
        if not failing:
            continue
        total += len(failing)
        lines = []
        for row in failing:
            if listed >= LISTED:
                break
            listed += 1
            target = output_anchor(case_id, row.output) if row.output != "*" else anchor(case_id)
            text = summary(row, divergence(row, case, sides(row, case, executions)))
            lines.append(f'<li>{badge(row.status)} <a href="#{esc(target)}"><code>{esc(row.output)}</code></a> '
                         f"<span class=\"pair\">{esc(row.backend)} vs {esc(row.reference)}</span>: {lead(text)}</li>")
        if lines:
            title = case.title if case is not None else ""
            items.append(f'<li{attrs(data_case=case_id)}>'
                         f'<a href="#{esc(anchor(case_id))}"><b><code>{esc(case_id)}</code></b></a> '
                         f'<span class="case-title">{esc(title)}</span><ul>{"".join(lines)}</ul></li>')
    if not items:
        return ""
    more = (f'<p class="note">… and {total - listed} more failing comparisons: the matrix and the cases below list '
            "them all.</p>") if total > listed else ""
    return f'<section id="failures"><h2>Failures</h2><ul class="failures">{"".join(items)}</ul>{more}</section>'


def contents_html(entries: Sequence[Entry], drift: bool, failures: bool) -> str:
    """Links to every part and to every case, by status (passing cases folded)."""
    by_status: dict[str, list[str]] = {}
    for case_id, _, rows, _ in entries:
        by_status.setdefault(case_status(rows), []).append(case_id)
    parts = [("failures", "Failures")] if failures else []
    parts += [("drift", "Drift against the baseline")] if drift else []
    parts += [("matrix", "Matrix of cases × backends"), ("disagreements", "Where frameworks disagree, and why"),
              ("cases", f"Cases ({len(entries)})")]
    links = "".join(f'<li><a href="#{key}">{esc(label)}</a></li>' for key, label in parts)
    groups = []
    for status in SEVERITY:
        ids = by_status.get(status)
        if not ids:
            continue
        listing = " ".join(f'<a href="#{esc(anchor(i))}">{esc(i)}</a>' for i in ids)
        label = f"{badge(status)} {len(ids)}"
        opened = " open" if status in FAILING else ""
        groups.append(f'<details class="toc-group"{opened}><summary>{label}</summary><p class="ids">{listing}</p></details>')
    return f'<nav id="contents" aria-label="contents"><h2>Contents</h2><ol>{links}</ol>{"".join(groups)}</nav>'


def _reason(row: Row) -> str:
    if status_of(row.status) in ("known_difference", "unexpected_pass") and row.declared:
        return f"{row.declared} (declared: {row.bound})"
    return str(row.message)


def disagreements_html(entries: Sequence[Entry]) -> str:
    """One line per (case, output, status, reason), how far first: the numbers are those
    of the output's worst comparison, never mixed across outputs."""
    groups: dict[tuple[str, str, str, str], list[Any]] = {}
    skipped: dict[str, int] = {}
    for case_id, _, rows, _ in entries:
        for row in rows:
            status = status_of(row.status)
            if status == "skipped":
                skipped[row.message] = skipped.get(row.message, 0) + 1
            elif status != "pass":
                reason = _reason(row) if status in ("known_difference", "unexpected_pass") else ""
                groups.setdefault((case_id, row.output, status, reason), []).append(row)
    body = []
    trajectories = {case_id: tuple(getattr(case, "trajectories", ()) or ()) for case_id, case, _, _ in entries}
    for (case_id, output, status, reason), rows in sorted(groups.items(), key=lambda kv: SEVERITY.index(kv[0][2])):
        chosen = worst_row(rows)
        pairs = ", ".join(dict.fromkeys(f"{r.backend} vs {r.reference}" for r in rows))
        why = reason or "; ".join(dict.fromkeys(r.message for r in rows if r.message))
        if status == "known_difference" and len(why) > REASON:  # in full in the case's section
            why = why[: REASON - 1].rsplit(" ", 1)[0] + " …"
        target = output_anchor(case_id, output) if output != "*" else anchor(case_id)
        first = chosen.first_mismatch
        if first and output in trajectories[case_id] and chosen.reference != "documented":
            first = f"step {first.strip('(),').split(',')[0]}"
        body.append(
            f'<tr{attrs(data_case=case_id)}>'
            f'<td>{badge(status)}</td><td class="num far">{esc(how_far(chosen))}</td>'
            f'<td><a href="#{esc(target)}"><code>{esc(case_id)}</code> / <code>{esc(output)}</code></a></td>'
            f"<td>{esc(pairs)}</td><td>{esc(first)}</td><td class=\"message\">{esc(why)}</td></tr>")
    listing = (f'<div class="scroll">{table(("status", "how far", "case / output", "comparisons", "first outside", "why"), body, "disagreements")}</div>'
               if body else '<p class="note">Every comparison agrees within its tolerance.</p>')
    skips = "".join(f"<li>{n} × {esc(message)}</li>" for message, n in skipped.items())
    skips = f'<details class="skips"><summary>{sum(skipped.values())} comparisons skipped</summary><ul>{skips}</ul></details>' if skips else ""
    return (f'<section id="disagreements"><h2>Where frameworks disagree, and why</h2>'
            f'<p class="note">Failures and errors first. How far: the tolerances out of the worst comparison of that '
            f"output (1 is the boundary), or what differs; first outside: the first element outside the tolerance "
            f"(for a loop, the step where it starts to diverge).</p>{listing}{skips}</section>")

