"""``matrix.html``: the scoreboard as one self-contained page (no file, font or script fetched).

From the top: the environments with their exact versions (a version that differs from
the environment before is marked), a summary per transition (how many outputs stayed
bit for bit, changed bits within tolerance, drifted, appeared, went, raised; how many
moved there first; which backends), then the table: the rows that changed somewhere,
those that moved earliest first, the cell of the first move framed; the rows that never
changed folded away below. Every text from a baseline, a case or a matrix file goes
through :func:`equivalence.report._markup.esc`; the page is well-formed XML as well as
HTML.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from .._io import atomic_write_text
from .._text import number
from ..report._markup import attrs, esc, tolerances_text
from ..report.page import policy_meta
from ..results import DRIFT_GLYPH
from .scoreboard import TRANSITIONS, Cell, Column, Scoreboard, ScoreRow

__all__ = ["PACKAGES", "render_page", "write_page"]

#: The distributions the environments table lists (when one of the environments has them), then any pinned.
PACKAGES = ("tensorflow-cpu", "tensorflow", "keras", "tf-keras", "tensorboard", "ml-dtypes", "torch", "numpy",
            "scipy", "jax", "jaxlib", "opt-einsum", "pandas", "protobuf", "h5py")
SHORT = {"tensorflow-cpu": "tf", "tensorflow": "tf", "numpy": "np"}
LABEL = {"baseline": "baseline", "unchanged": "unchanged", "bitwise_change": "bitwise", "drift": "drift",
         "new": "new", "removed": "removed", "error": "error", "absent": ""}
#: A baseline check's glyphs (results.DRIFT_GLYPH), and the first environment's and an absent cell's.
GLYPH = {**DRIFT_GLYPH, "baseline": "●", "absent": ""}
CHANGED = ' class="changed"'


CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em;color:#1d2430;background:#fff}
h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.15em;margin:1.6em 0 .5em}
.lede{max-width:62em;color:#333}.muted{color:#667}code{font-size:.95em}
table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #d5d9e0;padding:3px 7px;vertical-align:top}
th{background:#f2f4f7;text-align:left;font-weight:600}
.envs td.changed{background:#fff3c4;font-weight:600}.envs td.err,.trans td.err{color:#8a2b00}
.num{text-align:right;font-variant-numeric:tabular-nums}
.board{font-size:12.5px}.board th,.board td{padding:2px 5px}.board thead th{position:sticky;top:0;z-index:1;box-shadow:0 1px 0 #d5d9e0}
.board td.c{text-align:center;white-space:nowrap;min-width:3.5em}
.board th.env{text-align:center;min-width:5em;max-width:8.5em}.board th.env span{white-space:nowrap}
.board tr.group th{background:#e6eaf0;font-weight:600;padding:6px 7px;position:static;box-shadow:none}
td.backend{white-space:nowrap}.board th.env small{display:block;font-weight:400;color:#556}
.board th.env small b{color:#1d2430}
td.id{white-space:nowrap}
.st-baseline{color:#445;background:#f7f8fa}.st-unchanged{color:#5a7d5a;background:#f1f8f1}
.st-bitwise_change{background:#fff1c7;color:#6b4e00}.st-drift{background:#ffd9d6;color:#8e1600;font-weight:600}
.st-new{background:#dcecff;color:#0b4a8b}.st-removed{background:#eee3f7;color:#5b2c83}
.st-error{background:#ffe4cc;color:#8a2b00}.st-absent{background:#fff}
td.first,.chip.first{outline:3px solid #1d2430;outline-offset:-3px}
.chip{display:inline-block;padding:1px 7px;margin:0 .4em .3em 0;border-radius:3px;border:1px solid #d5d9e0}
details{margin:.8em 0}summary{cursor:pointer;font-weight:600}
#filter{font:inherit;padding:3px 6px;width:24em;margin:.2em 0 .6em}
"""

SCRIPT = """
(function () {
  var box = document.getElementById('filter');
  box.addEventListener('input', function () {
    var words = box.value.toLowerCase().split(' ').filter(function (w) { return w.length; });
    var rows = document.querySelectorAll('tr[data-key]');
    for (var i = 0; i !== rows.length; i++) {
      var key = rows[i].getAttribute('data-key');
      var shown = words.every(function (w) { return key.indexOf(w) !== -1; });
      rows[i].style.display = shown ? '' : 'none';
    }
  });
})();
"""


def _short(name: str, version: str) -> str:
    return f"{SHORT.get(name, name)} {version}"


def _packages(columns: Sequence[Column]) -> list[str]:
    present = {name for c in columns for name in c.packages} | {name for c in columns for name in c.outcome.pins}
    pinned = [n for c in columns for n in c.outcome.pins]
    return list(dict.fromkeys([*(p for p in PACKAGES if p in present), *pinned]))


def _environments(columns: Sequence[Column]) -> str:
    head = "<tr><th></th>" + "".join(f"<th>{esc(c.name)}</th>" for c in columns) + "</tr>"
    asked = [" · ".join([*(_short(n, v) for n, v in c.outcome.pins.items()), *c.outcome.extra]) for c in columns]
    lines = ["<tr><th>asked for</th>" + "".join(f"<td>{esc(a)}</td>" for a in asked) + "</tr>"]
    status = []
    for c in columns:
        if c.outcome.status == "ok":
            status.append("<td>baseline " + ("reused" if c.outcome.reused_baseline else "saved") + "</td>")
        else:
            status.append(f'<td class="err"{attrs(title=c.outcome.reason)}>⚠ {esc(_clip(c.outcome.reason, 160))}</td>')
    lines.append("<tr><th>status</th>" + "".join(status) + "</tr>")
    for name in _packages(columns):
        cells, before = [], None
        for c in columns:
            version = c.packages.get(name) or c.outcome.pins.get(name, "")
            changed = before is not None and version != before
            cells.append(f"<td{CHANGED if changed else ''}>{esc(version or '–')}</td>")
            before = version
        lines.append(f"<tr><th>{esc(name)}</th>{''.join(cells)}</tr>")
    blas = [c.blas for c in columns]
    if any(blas):
        lines.append("<tr><th>NumPy's BLAS</th>" + "".join(
            f"<td{CHANGED if i and b != blas[i - 1] else ''}>{esc(b or '–')}</td>" for i, b in enumerate(blas))
            + "</tr>")
    times = [f"{_seconds(c.outcome.made_seconds)}" + (", reused" if c.outcome.reused_environment else "")
             for c in columns]
    lines.append("<tr><th>environment made in</th>" + "".join(f"<td>{esc(t)}</td>" for t in times) + "</tr>")
    lines.append("<tr><th>baseline saved in</th>" + "".join(
        f"<td>{esc(_seconds(c.outcome.saved_seconds))}</td>" for c in columns) + "</tr>")
    return f'<table class="envs"><thead>{head}</thead><tbody>{"".join(lines)}</tbody></table>'


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} s"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _what_changed(before: Column, after: Column, names: Sequence[str]) -> str:
    moved = [f"{n} {before.packages.get(n, '–')} → {after.packages.get(n, '–')}" for n in names
             if before.packages.get(n) != after.packages.get(n)]
    others = {n for n in {*before.packages, *after.packages} - set(names)
              if before.packages.get(n) != after.packages.get(n)}
    if before.blas != after.blas:
        moved.append(f"BLAS {before.blas or '–'} → {after.blas or '–'}")
    return "; ".join(moved) + (f"; {len(others)} other package(s)" if others else "") or "nothing recorded"


def _transitions(board: Scoreboard) -> str:
    columns, names = board.columns, _packages(board.columns)
    head = ["from → to", "what changed", *(LABEL[s] for s in TRANSITIONS), "moved first here", "by backend"]
    lines = []
    by_name = {c.name: c for c in columns}
    for column in columns:
        if column.outcome.status != "ok":
            lines.append(f"<tr><td>{esc(column.name)}</td>"
                         f'<td class="err" colspan="{len(head) - 1}">⚠ could not be used: '
                         f"{esc(_clip(column.outcome.reason, 400))}</td></tr>")
            continue
        if not column.compared_with:
            lines.append(f"<tr><td>{esc(column.name)}</td><td colspan=\"{len(head) - 1}\" class=\"muted\">the "
                         f"start of the axis: {column.counts.get('baseline', 0):,} outputs, "
                         f"{column.counts.get('error', 0):,} raising</td></tr>")
            continue
        before = by_name[column.compared_with]
        counts = "".join(f'<td class="num st-{s}">{column.counts.get(s, 0):,}</td>' if column.counts.get(s) else
                         '<td class="num">0</td>' for s in TRANSITIONS)
        backends = "; ".join(
            f"{backend}: " + ", ".join(f"{n} {LABEL[s]}" for s in TRANSITIONS[1:] if (n := found.get(s, 0)))
            for backend, found in column.by_backend.items() if any(found.get(s) for s in TRANSITIONS[1:]))
        lines.append(f"<tr><td>{esc(before.name)} → {esc(column.name)}</td>"
                     f"<td>{esc(_what_changed(before, column, names))}</td>{counts}"
                     f'<td class="num">{_jump(column)}</td><td>{esc(backends or "–")}</td></tr>')
    header = "".join(f"<th>{esc(h)}</th>" for h in head)
    return f'<table class="trans"><thead><tr>{header}</tr></thead><tbody>{"".join(lines)}</tbody></table>'


def _jump(column: Column) -> str:
    """How many outputs moved first here, linked to their group in the table."""
    if not column.first_moves:
        return "0"
    return f'<a href="#moved-{column.position}">{column.first_moves:,}</a>'


def _cell_text(cell: Cell) -> str:
    status = cell.status
    mark = GLYPH[status]
    if status == "baseline":
        return _clip(cell.message, 18)
    if status == "bitwise_change":
        if cell.change == "sign_of_zero":
            return f"{mark} ±0"
        if cell.change == "nan_payload":
            return f"{mark} NaN bits"
        if isinstance(cell.max_ulp_diff, float) and math.isfinite(cell.max_ulp_diff) and cell.max_ulp_diff:
            return f"{mark} {number(cell.max_ulp_diff)} ulp"
        return f"{mark} {tolerances_text(cell.tolerances) or 'bits'}" + (" tol" if tolerances_text(cell.tolerances) else "")
    if status == "drift":
        far = tolerances_text(cell.tolerances)
        if cell.change == "shape":
            return f"{mark} shape"
        if cell.change == "dtype":
            return f"{mark} {_dtype(cell.dtype_before)}→{_dtype(cell.dtype_after)}"
        if cell.tolerances == math.inf:  # an exact output (integers, booleans, text): how many elements differ
            return f"{mark} {cell.mismatched:,}/{cell.numel:,} differ"
        return f"{mark} {far} tol" + (" +dtype" if cell.change == "dtype+values" else "") if far else f"{mark} values"
    if status == "error":
        return f"{mark} env" if cell.change == "environment" else f"{mark} error"
    if status == "unchanged":
        return mark
    return f"{GLYPH[status]} {LABEL[status]}".strip()


def _dtype(name: str) -> str:
    """``float32`` -> ``f32``, ``bfloat16`` -> ``bf16``, ``int64`` -> ``i64``; others as they are."""
    for long, short in (("bfloat", "bf"), ("float", "f"), ("complex", "c"), ("uint", "u"), ("int", "i")):
        if name.startswith(long) and name[len(long):].isdigit():
            return short + name[len(long):]
    return name or "?"


def _cell_title(cell: Cell, column: Column) -> str:
    parts = [f"{column.name}: {LABEL[cell.status] or 'absent'}"
             + (f" against {cell.compared_with}" if cell.compared_with else "")]
    if cell.status in ("bitwise_change", "drift"):
        parts.append(f"max abs {number(cell.max_abs_diff)}, rel {number(cell.max_rel_diff)}, "
                     f"ulp {number(cell.max_ulp_diff)}, ×tol {tolerances_text(cell.tolerances) or '-'}, "
                     f"{cell.mismatched:,} of {cell.numel:,} elements differ")
    if cell.dtype_before and cell.dtype_after and cell.dtype_before != cell.dtype_after:
        parts.append(f"dtype {cell.dtype_before} → {cell.dtype_after}")
    if cell.before or cell.after:
        parts.append(f"{_clip(cell.before, 120)} → {_clip(cell.after, 120)}")
    if cell.message:
        parts.append(_clip(cell.message, 400))
    return "\n".join(parts)


def _row(row: ScoreRow, columns: Sequence[Column], detailed: bool) -> str:
    key = f"{row.case} {row.output} {row.backend}".lower()
    cells = []
    for column, cell in zip(columns, row.cells, strict=True):
        cls = f"c st-{cell.status}" + (" first" if cell.first else "")
        title = _cell_title(cell, column) if detailed or cell.status not in ("unchanged", "baseline") else None
        cells.append(f"<td{attrs(class_=cls, title=title)}>{esc(_cell_text(cell))}</td>")
    return (f"<tr{attrs(data_key=key)}><td class=\"id\">{esc(row.case)}</td><td>{esc(row.output)}</td>"
            f"<td class=\"backend\">{esc(row.backend)}</td>{''.join(cells)}</tr>")


def _board_head(columns: Sequence[Column]) -> str:
    heads = []
    for column in columns:
        before = columns[column.position - 1].outcome.pins if column.position else {}
        pins = " · ".join(f"<b>{esc(_short(n, v))}</b>" if before and before.get(n) != v else esc(_short(n, v))
                          for n, v in column.outcome.pins.items())
        heads.append(f'<th class="env"><span>{esc(column.name)}</span><small>{pins}</small></th>')
    return f"<thead><tr><th>case</th><th>output</th><th>backend</th>{''.join(heads)}</tr></thead>"


def _groups(board: Scoreboard) -> str:
    """The changed rows, grouped by the environment where they first moved (drifts before
    bitwise changes), each group under a header row to jump to; then the rows that only
    appeared, went or raised."""
    columns, width = board.columns, len(board.columns) + 3
    moved: dict[int, list[ScoreRow]] = {}
    others = []
    for row in board.rows:
        first = row.first_moved
        if first is not None:
            moved.setdefault(first, []).append(row)
        elif row.changed:
            others.append(row)
    parts = []
    for position in sorted(moved):
        rows = sorted(moved[position], key=lambda r: r.cells[position].status != "drift")
        column = columns[position]
        drift = sum(1 for r in rows if r.cells[position].status == "drift")
        parts.append(f'<tr class="group" id="moved-{position}"><th colspan="{width}">First moved in '
                     f"{esc(column.name)}, against {esc(column.compared_with)}: {len(rows):,} outputs "
                     f"({drift:,} drift, {len(rows) - drift:,} bitwise)</th></tr>")
        parts += [_row(r, columns, True) for r in rows]
    if others:
        parts.append(f'<tr class="group" id="moved-none"><th colspan="{width}">Never moved, but appeared, went or '
                     f"raised somewhere: {len(others):,} outputs</th></tr>")
        parts += [_row(r, columns, True) for r in others]
    return "".join(parts)


def render_page(board: Scoreboard, *, title: str = "Version scoreboard", source: str = "") -> str:
    columns = board.columns
    changed = [r for r in board.rows if r.changed]
    quiet = [r for r in board.rows if not r.changed]
    moved = sum(1 for r in board.rows if r.first_moved is not None)
    firsts = ", ".join(f"{c.name} ({c.first_moves:,})" for c in columns if c.first_moves)
    backends = sorted({r.backend for r in board.rows})
    legend = "".join(f'<span class="chip st-{s}">{esc(GLYPH[s])} {esc(LABEL[s])}</span>' for s in LABEL if LABEL[s])
    head = _board_head(columns)
    body = _groups(board)
    folded = "".join(_row(r, columns, False) for r in quiet)
    lede = (f"{len(columns)} environments along the axis; {len(board.rows):,} outputs (case × output × backend) "
            f"in {', '.join(backends) or 'no backend'}. Each cell compares an output with the environment before "
            f"it (tolerances: {board.tolerances}). {moved:,} outputs moved somewhere along the axis"
            + (f", first in {firsts}" if firsts else "") + "; the cell of each output's first move is framed.")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8" /><meta name="viewport" content="width=device-width" />
{policy_meta(SCRIPT)}<title>{esc(title)}</title><style>{CSS}</style></head>
<body>
<h1>{esc(title)}</h1>
<p class="lede">{esc(lede)}{f' <span class="muted">Matrix file: <code>{esc(source)}</code>.</span>' if source else ''}</p>
<h2 id="environments">Environments</h2>
{_environments(columns)}
<h2 id="transitions">Transitions</h2>
{_transitions(board)}
<h2 id="scoreboard">Scoreboard</h2>
<p>{legend}<span class="chip first">framed: the first move</span></p>
<p><input id="filter" type="search" placeholder="filter rows: case, output or backend words" /></p>
<p class="muted">{len(changed):,} outputs changed somewhere (moved, appeared, went or raised); hover a cell for
its numbers. matrix.csv holds every cell.</p>
<table class="board">{head}<tbody>{body}</tbody></table>
<details><summary>{len(quiet):,} outputs never changed: bit for bit the same in every environment</summary>
<table class="board">{head}<tbody>{folded}</tbody></table></details>
<script>{SCRIPT}</script>
</body></html>
"""


def write_page(board: Scoreboard, out: Path, *, source: str = "") -> Path:
    path = out / "matrix.html"
    atomic_write_text(path, render_page(board, source=source))
    return path
