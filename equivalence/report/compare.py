"""The page of ``compare A B``: the verdict, the versions on both sides, what changed.

Apart from :mod:`.drift` (the drift section, which the run report's page uses too) so
that the page shell and the drift section do not import each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .._io import atomic_write_text
from ._markup import esc
from .drift import changed_line, chips, drift_counts, drift_failed, listing, records, sides, text_of

__all__ = ["render_compare_report", "write_compare_report"]


def render_compare_report(drift: Any) -> str:
    """The page of ``compare A B``: the verdict, both sides' versions, the drift rows."""
    from .page import filters_html, shell

    rows, metadata = records(drift)
    counts = drift_counts(drift)
    failed = drift_failed(counts)
    compared = sum(counts.values())
    before, after = metadata.get("before") or {}, metadata.get("after") or {}
    name_a = text_of(before.get("name") or before.get("path")) if isinstance(before, dict) else ""
    name_b = text_of(after.get("name") or after.get("path")) if isinstance(after, dict) else ""
    if failed:
        parts = [f"{counts['drift']} output{'s' if counts['drift'] != 1 else ''} drifted beyond tolerance"] if counts.get("drift") else []
        parts += [f"{counts['error']} error{'s' if counts['error'] != 1 else ''}"] if counts.get("error") else []
        big = f"✗ B differs from A: {', '.join(parts)} (of {compared} outputs)."
    else:
        big = f"✓ No drift from A to B: {counts.get('unchanged', 0)} of {compared} outputs bit for bit unchanged."
    verdict = (f'<div id="verdict" class="verdict {"failed" if failed else "passed"}"><p class="big">{esc(big)}</p>'
               f"<p>{esc(changed_line(metadata).replace('The two sides: ', 'Versions: '))}</p>"
               f"<p class=\"counts\">{chips(counts)}</p></div>")
    listed = {s: n for s, n in counts.items() if s != "unchanged"}
    filters = filters_html(listed, "outputs", "tr.drift-row", "Outputs")
    bar = (f'<a class="brand" href="#top">equivalence compare</a> '
           f'<a class="bar-verdict {"failed" if failed else "passed"}" href="#verdict">{"✗ drift" if failed else "✓ no drift"}</a> '
           f'<a href="#drift">What changed</a> <a href="#sides">The two sides</a>{filters}')
    body = (f'<header id="top"><h1>Did the outputs change from A to B?</h1>'
            f'<p class="sides">A: <code>{esc(name_a)}</code> → B: <code>{esc(name_b)}</code></p>{verdict}</header><main>'
            f'<section id="drift" class="drift {"failed" if failed else "passed"}"><h2>What changed</h2>'
            f'<p class="note">Each backend of B against the same backend in A, output by output, with the tolerance '
            f"{esc(text_of(metadata.get('tolerances')) or 'of the cases')}; unchanged outputs are only counted. How far: "
            f"tolerances out at the largest difference, whose element is listed.</p>"
            f"{listing(rows, set(), True)}</section>"
            f'<section id="sides"><h2>The two sides</h2>{sides(metadata)}</section></main>')
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
