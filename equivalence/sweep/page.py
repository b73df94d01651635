"""The sweep's page, ``sweep.html``: the verdict, a table of the sweeps, then one section
per minimal failing example, for someone porting a model who wants to see the input and
the numbers rather than read ``sweep.json``.

Each section shows the example's minimal input as data (in full up to :data:`SHOWN`
elements, else its shape and extremes), what every backend and the float64 oracle gave
for each output that differs, each backend's error against the oracle and the oracle's
verdict (which side is farther than the rule allows), whether a bounded known difference
covers it, and the command that replays it. The page has the main report's look and
safety: its shell (stylesheet, script, Content-Security-Policy) and escaping are
:mod:`equivalence.report`'s, and every text from a case goes through :func:`esc`.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .._io import atomic_write_text
from .._text import number
from ..report._markup import STATUS_LABEL, anchor, attrs, badge, esc, lead, num_cell, status_of, table
from ..report.page import filters_html, run_details, shell
from ..results import FAILING, GLYPH, ORACLE, SEVERITY, worst
from .strategies import array_from_data, extremes

if TYPE_CHECKING:
    from .findings import SweepResult

__all__ = ["SHOWN", "render_sweep_page", "write_sweep_page"]

#: Arrays up to this many elements are printed in full; larger ones by shape and extremes.
SHOWN = 100
#: The page's own ids: a finding whose case id is one of them gets another.
_OWN_IDS = {"top", "verdict", "summary", "findings", "run", "bar", "filters", "filter-text", "filter-count"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def array_text(data: Any) -> str:
    """The values of an array recorded as data (an example's input, a side's output):
    every one up to :data:`SHOWN` elements (exact, at the dtype's precision), else the
    extremes and how many NaN and infinities; what a side gave instead of an output."""
    if not isinstance(data, dict):
        return str(data)
    if "skipped" in data:
        return f"skipped: {data['skipped']}"
    if "error" in data:
        return f"raised: {data['error']}"
    if "text" in data:
        shown = data["text"][:SHOWN]
        return " ".join(shown) + (f" … ({len(data['text'])} shown of {np.prod(data.get('shape') or ())})"
                                  if len(shown) < np.prod(data.get("shape") or ()) else "")
    array: np.ndarray | None = None
    if "values" in data:
        try:
            array = array_from_data(data)
        except (TypeError, ValueError, KeyError):
            return json.dumps(data["values"])
    if array is not None and array.size <= SHOWN:
        return np.array2string(array, separator=", ", floatmode="unique", threshold=SHOWN + 1, max_line_width=88)
    found = extremes(array) if array is not None else data
    parts = [f"min {number(found.get('min'))}", f"max {number(found.get('max'))}"]
    parts += [f"{found[k]} {label}" for k, label in (("nan", "NaN"), ("inf", "infinite")) if found.get(k)]
    size = _plural(int(np.prod(data.get("shape") or ())), "element")
    return f"{', '.join(parts)} ({size}{', every one in sweep.json' if array is not None else ''})"


def _array_cells(data: Any) -> str:
    """dtype, shape and values cells of an array recorded as data; one-line values as
    code, longer ones as a block."""
    text = array_text(data)
    value = f"<pre>{esc(text)}</pre>" if "\n" in text else f"<code>{esc(text)}</code>"
    if not isinstance(data, dict) or "dtype" not in data:
        return f'<td></td><td></td><td>{value}</td>'
    return f"<td>{esc(data['dtype'])}</td><td>{esc(tuple(data.get('shape') or ()))}</td><td>{value}</td>"


def _label(case: str, sweep: str) -> str:
    return case + (f" [{sweep}]" if sweep else "")


def _verdict(result: SweepResult, groups: Sequence[list[Any]]) -> str:
    summaries = result.summaries
    counts = {s: n for s in SEVERITY if (n := sum(x.status == s for x in summaries))}
    examples = sum(s.examples for s in summaries)
    failing = [g for g in groups if any(f.status in FAILING for f in g)]
    known = len(groups) - len(failing)
    lines: list[tuple[str, str]] = []
    if not any(s.status != "skipped" for s in summaries):
        lines.append(("bad", "✗ Nothing was swept: no selected case declares a sweep."))
    if failing:
        cases = len({(g[0].case, g[0].sweep) for g in failing})
        lines.append(("bad", f"✗ {_plural(len(failing), 'minimal example')} where the backends disagree beyond the "
                             f"oracle's rule and every bounded known difference, in {cases} of "
                             f"{_plural(len(summaries), 'sweep')}."))
    if counts.get("error"):
        lines.append(("bad", f"✗ {_plural(counts['error'], 'sweep')} could not run (see the table)."))
    unexplained = counts.get("fail", 0) - len({(g[0].case, g[0].sweep) for g in failing})
    if unexplained > 0:
        lines.append(("bad", f"✗ {_plural(unexplained, 'sweep')} failed without a minimal example (see the table)."))
    if not lines:
        lines.append(("good", f"✓ No sweep found a failure: {_plural(len(summaries), 'sweep')}, "
                              f"{_plural(examples, 'example')}."))
    rounding = sum(s.rounding for s in summaries)
    then = [_plural(examples, "example") + " run"]
    then += [f"{_plural(rounding, 'disagreement')} beyond the tolerance judged rounding by the float64 oracle"] * bool(rounding)
    then += [f"{_plural(known, 'minimal example')} covered by bounded known differences (--known)"] * bool(known)
    lines.append(("", "; ".join(then) + "."))
    html = [f'<p class="{"big" if i == 0 else "then"} {tone}">{esc(text)}</p>' for i, (tone, text) in enumerate(lines)]
    chips = " ".join(badge(s, f"{STATUS_LABEL[s]} {n}") for s, n in counts.items())
    html.append(f'<p class="counts">Sweeps, by status: {chips or "none"}</p>')
    if not result.metadata.get("complete", True):
        html.append('<p class="warning">This sweep was interrupted: the sweeps finished so far are shown.</p>')
    return f'<div id="verdict" class="verdict {"failed" if result.failed else "passed"}">{"".join(html)}</div>'


def _dtypes(counts: dict[str, int]) -> str:
    """The dtypes swept and their examples: ``float32 · float16 (5 each)``."""
    if len(set(counts.values())) == 1:
        n = next(iter(counts.values()))
        return " · ".join(counts) + (f" ({n} each)" if len(counts) > 1 else f" ({n})")
    return " · ".join(f"{d} ({n})" for d, n in counts.items())


def _summary_table(result: SweepResult, first: dict[tuple[str, str], str], sides: list[str]) -> str:
    timed = [b for b in sides if any(b in s.rates() for s in result.summaries)]
    idle = ", ".join(b for b in sides if b not in timed)
    rows = []
    for s in result.summaries:
        link = first.get((s.case, s.sweep))
        label = f"<code>{esc(_label(s.case, s.sweep))}</code>"
        label = f'<a href="#{esc(link)}">{label}</a>' if link else label
        rates = s.rates()
        note = "; ".join(filter(None, [_dtypes(s.dtypes) if s.dtypes else "",
                                       f"{s.invalid} outside the computation's domain" if s.invalid else "",
                                       f"{s.rounding} judged rounding by the oracle" if s.rounding else "", s.message]))
        cells = [f"<td>{label}</td><td>{badge(s.status)}</td>",
                 num_cell(s.examples, "examples"), num_cell(s.failures, "failures"),
                 *(num_cell(rates.get(b), f"{b}/s", text=f"{rates[b]:.0f}" if b in rates else "-") for b in timed),
                 num_cell(s.seconds, "seconds", text=f"{s.seconds:.1f}"), f'<td class="message">{esc(note)}</td>']
        rows.append(f'<tr{attrs(class_=f"st-{status_of(s.status)}")}>{"".join(cells)}</tr>')
    headers = ["case [sweep]", "status", "examples run", "minimal failing", *(f"{b} ex/s" for b in timed), "seconds",
               "dtypes (examples drawn), notes"]
    return (f'<section id="summary"><h2>Sweeps</h2><p class="note">One line per sweep of a case: the examples run and '
            f"judged (shrinking included), the minimal failing examples found (each a section below, linked from its "
            f"case), examples per second in each backend and the oracle, the dtypes swept."
            f"{esc(f' Not run in any sweep: {idle}.' if idle else '')}</p>"
            f'<div class="scroll">{table(headers, rows, "small")}</div></section>')


def _side_rows(output: str, group: list[Any], sides: list[str]) -> str:
    values: dict[str, Any] = next((f.values for f in group if f.output == output and f.values), {})
    judged = {f.backend: f for f in group if f.output == output and f.reference == ORACLE}
    rows = []
    for side in [*(s for s in sides if s in values or s in judged), *(s for s in values if s not in sides)]:
        verdict, error = "–", num_cell(None, "oracle_error")
        row = judged.get(side)
        if side == ORACLE:
            verdict = "float64: the reference of the verdict"
        elif row is not None:
            error = num_cell(row.oracle_error, "oracle_error", text=f"{number(row.oracle_error)} "
                             f"(allowed {number(row.oracle_bound)})")
            verdict = {"fail": "✗ farther than the rule allows", "error": "⚠ not comparable",
                       "known_difference": "≈ farther; a known difference covers it"}.get(
                row.status, "✓ within the rule" + (" (the best)" if row.oracle_error == row.oracle_best else ""))
        cls = f"st-{status_of(row.status)}" if row is not None else None
        rows.append(f"<tr{attrs(class_=cls)}><th>{esc(side)}</th>{_array_cells(values.get(side, ''))}"
                    f"{error}<td>{esc(verdict)}</td></tr>")
    headers = ("side", "dtype", "shape", "what it gave", "error against the oracle", "the oracle's verdict")
    return table(headers, rows, "small sides")


def _headline(output: str, group: list[Any]) -> str:
    """One output's finding in a few words: who is farther from the oracle, else which
    comparisons differ and in what."""
    differing = [f for f in group if f.output == output and f.status != "pass"]
    farther = sorted({f.backend for f in differing if f.reference == ORACLE})
    if farther:
        return f"{output}: {', '.join(farther)} farther from the oracle"
    return f"{output}: " + ", ".join(sorted({f"{f.backend} vs {f.reference}" for f in differing}))


def _output_block(output: str, group: list[Any], sides: list[str]) -> str:
    rows = [f for f in group if f.output == output]
    differing = [f for f in rows if f.status != "pass"]
    farther = sorted({f.backend for f in differing if f.reference == ORACLE})
    if farther:
        verdict = f"{', '.join(farther)} farther from the float64 oracle than the rule allows."
    elif any(f.reference == ORACLE for f in rows):
        verdict = "every backend is within the rule of the float64 oracle: what fails is not their precision."
    else:
        verdict = "none: the oracle gave no value for this output."
    comparisons = [
        f'<tr{attrs(class_=f"st-{status_of(f.status)}")}><td>{badge(f.status)}</td>'
        f"<td>{esc(f.backend)} vs {esc(f.reference)}</td><td>{esc(f.dtype)}</td>"
        + "".join(num_cell(getattr(f, c), c) for c in ("max_abs_diff", "max_rel_diff", "max_ulp_diff"))
        + f'{num_cell(f.mismatched, "mismatched", text=f"{f.mismatched}/{f.numel}")}'
        f'<td class="message">{lead(f.message)}</td></tr>' for f in differing]
    known: dict[tuple[str, str], list[str]] = {}
    for f in differing:
        if f.status == "known_difference" or f.declared:
            known.setdefault((f.declared, f.bound), []).append(f"{f.backend} vs {f.reference}")
    if known:
        items = "".join(f"<li>{esc(', '.join(pairs))}: {esc(declared)} <span class=\"note\">({esc(bound)})</span></li>"
                        for (declared, bound), pairs in known.items())
        cover = f'<div class="known"><h3>Bounded known differences that cover it</h3><ul>{items}</ul></div>'
    else:
        cover = '<p><b>No bounded known difference covers it.</b></p>'
    headers = ("status", "comparison", "dtype", "max abs", "max rel", "max ulp", "outside", "what differs")
    return (f"<h3>Output <code>{esc(output)}</code></h3>{_side_rows(output, group, sides)}"
            f"<p><b>The oracle's verdict</b>: {esc(verdict)}</p>"
            f'<div class="scroll">{table(headers, comparisons, "small")}</div>{cover}')


def _section(ident: str, group: list[Any], sides: list[str]) -> str:
    first = group[0]
    status = worst(f.status for f in group if f.status != "pass")
    outputs = list(dict.fromkeys(f.output for f in group if f.status != "pass"))
    inputs = first.input.get("inputs", {})
    dims = ", ".join(f"{k}={v}" for k, v in first.input.get("dims", {}).items())
    listing = "".join(f"<tr><th><code>{esc(name)}</code></th>{_array_cells(data)}</tr>" for name, data in inputs.items())
    pairs = sorted({f"{f.output}: {f.backend} vs {f.reference}" for f in group if f.status != "pass"})
    heads = [_headline(outputs[0], group)] + [f"+ {_plural(len(outputs) - 1, 'more output')}"] * (len(outputs) > 1)
    search = " ".join([first.case, first.sweep, first.example_dtype, *pairs, *(f.message for f in group)]).lower()
    opened = " open" if status in FAILING else ""
    return (f'<section{attrs(class_="case", id=ident, data_f=status_of(status), data_search=search)}>'
            f"<details{opened}><summary><h2>{badge(status)} <code class=\"case-id\">{esc(_label(first.case, first.sweep))}"
            f'</code> <span class="how">{esc(first.example_dtype)} · {esc("; ".join(heads))}</span></h2></summary>'
            f'<p class="meta">The smallest input hypothesis found (example dtype <b>{esc(first.example_dtype)}</b>'
            f"{esc(f'; sizes {dims}' if dims else '')}); the other inputs are the case's fixed ones.</p>"
            f"<h3>Minimal input</h3>{table(('input', 'dtype', 'shape', 'values'), [listing] if listing else [], 'small')}"
            + "".join(_output_block(o, group, sides) for o in outputs)
            + f'<div class="repro"><b>Reproduce</b> (this example alone, in every backend): <code>{esc(first.reproduce)}'
            "</code></div></details></section>")


def render_sweep_page(result: SweepResult) -> str:
    """The page of a :class:`~equivalence.sweep.findings.SweepResult`."""
    metadata = dict(result.metadata or {})
    backends = [str(b) for b in metadata.get("backends") or []]
    sides = [*backends, ORACLE]
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for finding in result.findings:
        groups.setdefault((finding.case, finding.sweep, finding.reproduce), []).append(finding)
    ordered = sorted(groups.values(), key=lambda g: SEVERITY.index(worst(f.status for f in g if f.status != "pass")))
    used, idents = set(_OWN_IDS), []
    first: dict[tuple[str, str], str] = {}
    for group in ordered:
        ident, n = anchor(group[0].case, "finding"), 1
        while ident in used:
            n += 1
            ident = f"{anchor(group[0].case, 'finding')}-{n}"
        used.add(ident)
        idents.append(ident)
        first.setdefault((group[0].case, group[0].sweep), ident)
    failed = bool(result.failed)
    counts = {s: sum(worst(f.status for f in g if f.status != "pass") == s for g in ordered) for s in SEVERITY}
    filters = filters_html(counts, "findings", "section.case", "Findings")
    bar = (f'<a class="brand" href="#top">equivalence sweep</a> <a class="bar-verdict {"failed" if failed else "passed"}"'
           f' href="#verdict">{GLYPH["fail"] + " fails" if failed else GLYPH["pass"] + " passes"}</a> '
           '<a href="#summary">Sweeps</a> <a href="#findings">Findings</a> <button type="button" id="next-failure" '
           f'hidden title="the next failing example (key n)">next failure ↓</button>{filters}')
    names = ", ".join(backends[:-1]) + f" and {backends[-1]}" if len(backends) > 1 else "the backends"
    sections = "".join(_section(i, g, sides) for i, g in zip(idents, ordered, strict=True))
    rule = metadata.get("oracle_rule", "")
    body = (f'<header id="top"><h1>{esc(f"Sweeps: where do {names} disagree?")}</h1>{_verdict(result, ordered)}'
            f"</header><main>{run_details(metadata)}{_summary_table(result, first, sides)}"
            f'<section id="findings"><h2>Findings: minimal examples</h2><p class="note">Each: the smallest input '
            f"found, what every backend and the float64 oracle gave, the oracle's verdict and how to replay it. "
            f"{esc(rule[:1].upper() + rule[1:] + '.' if rule else '')}</p>"
            + (sections or '<p class="note">None: every example agreed within the tolerance, the oracle\'s rule '
                           "or a bounded known difference.</p>") + "</section></main>")
    title = f"equivalence sweep: {'FAILS' if failed else 'passes'}: {_plural(len(result.summaries), 'sweep')}, " \
            f"{_plural(len(ordered), 'finding')}"
    footer = (f'equivalence {esc(metadata.get("equivalence", ""))} · sweep page written '
              f'{esc(_dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))}')
    return shell(title, bar, body, footer)


def write_sweep_page(result: SweepResult, out_dir: str | Path) -> Path:
    """Write ``sweep.html`` into ``out_dir`` (or to ``out_dir`` itself when it names an
    ``.html`` file), atomically; return the file."""
    target = Path(out_dir)
    if target.suffix.lower() not in (".html", ".htm"):
        target = target / "sweep.html"
    atomic_write_text(target, render_sweep_page(result))
    return target
