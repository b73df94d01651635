"""The parts of a case's section that come from how the case is written: its declared
known differences (and whether each still holds), the command that reproduces exactly
its failing comparisons with the tracebacks, and its implementations side by side."""

from __future__ import annotations

import os
import shlex
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from ._markup import FAILING, STATUS_LABEL, anchor, esc, status_of, worst

if TYPE_CHECKING:
    from ..case import Case
    from ..outcome import Execution
    from ..results import Row

__all__ = ["implementations_html", "known_html", "relative_path", "reproduce_html"]


def relative_path(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def _patterns(value: str | Sequence[str]) -> str:
    return value if isinstance(value, str) else ", ".join(value)


def known_html(case: Case, rows: Sequence[Row]) -> str:
    items = []
    for known in case.known_differences:
        matched = [r for r in rows if known.matches(r.output, r.backend, r.reference)]
        state = worst(status_of(r.status) for r in matched) if matched else "skipped"
        where = "; ".join(f"{label} {_patterns(value)}" for label, value in
                          (("outputs", known.outputs), ("backends", known.backends), ("vs", known.references)))
        now = ("still there, within the bound" if state == "known_difference" else "gone: the rows pass now (unexpected pass)"
               if state == "unexpected_pass" else "not compared in this run" if not matched else STATUS_LABEL[state])
        items.append(f"<li>{esc(known.reason)} <small>(declared: {esc(known.describe())}; {esc(where)}; "
                     f"this run: {esc(now)})</small></li>")
    return f'<div class="known"><h3>Known differences</h3><ul>{"".join(items)}</ul></div>' if items else ""


def reproduce_html(case_id: str, case: Case | None, rows: Sequence[Row], executions: Mapping[str, Execution]) -> str:
    if not any(status_of(r.status) in FAILING for r in rows):
        return ""
    failing = [r for r in rows if status_of(r.status) in FAILING and r.backend != "*"]
    if case is not None and case.path and failing:  # exactly the failing comparisons: --id, backends, reference
        from ..runner import reproduce_command

        commands = dict.fromkeys(reproduce_command(case, r.backend, r.reference) for r in failing)
        command = "\n".join(commands)
    elif case is not None and case.path:
        command = f"python -m equivalence run {shlex.quote(relative_path(case.path))} --id {shlex.quote(case_id)}"
    elif case is None and case_id.endswith(".py"):
        command = f"python -m equivalence run {shlex.quote(relative_path(case_id))}"
    else:
        command = f"python -m equivalence run -k {shlex.quote(case_id)}"
    parts = [f'<div class="repro"><b>Reproduce just this case:</b> <code class="command">{esc(command)}</code></div>']
    for backend, execution in executions.items():
        error = getattr(execution, "error", None)
        if error is not None:
            parts.append(f"<details class=\"traceback\" open><summary>{esc(backend)} raised "
                         f"<code>{esc(error)}</code></summary><pre>{esc(error.traceback or '(no traceback)')}</pre></details>")
    return "".join(parts)


def implementations_html(case: Case, backends: Sequence[str], seen: dict[str, tuple[str, str]]) -> str:
    """Each implementation's source, side by side; a source already shown on the page (a
    parametrized case, a -mapped variant) is a link to it instead."""
    blocks = []
    for backend in backends:
        if backend not in case.implementations:
            continue
        code = textwrap.dedent(case.source_code(backend)) or "(source not available)"
        first = seen.setdefault(code, (case.id, backend))
        if first != (case.id, backend) and len(code) > 80:
            body = (f'<p class="note">The same code as <a href="#{esc(anchor(first[0]))}">{esc(first[0])}</a> '
                    f"({esc(first[1])}).</p>")
        else:
            body = f"<pre><code>{esc(code)}</code></pre>"
        blocks.append(f'<figure class="code"><figcaption>{esc(backend)}</figcaption>{body}</figure>')
    others = [b for b in case.implementations if b not in backends]
    if not blocks and not others:
        return ""
    also = f'<p class="note">Also implemented for {esc(", ".join(others))} (not run here).</p>' if others else ""
    return (f'<details class="implementations" open><summary>Implementations, side by side</summary>'
            f'<div class="impls">{"".join(blocks)}</div>{also}</details>')
