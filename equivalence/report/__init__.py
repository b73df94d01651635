"""The HTML comparison report: what differs, where, and by how much, in one file.

``write_report(result, "reports")`` writes ``reports/index.html`` from a
:class:`~equivalence.RunResult`: the run's metadata, a summary (counts, a matrix of cases
× backends by status, the disagreements with their reasons), an optional drift against
a baseline, then one section per case (comparisons, pictures, documented values,
implementations side by side). The page works offline and prints.

Modules::

    page.py       the page and its header and summary; render_report, write_report
    matrix.py     the cases × backends matrix (pandas Styler)
    section.py    one case's section
    drift.py      the drift against a baseline
    pictures.py   which pictures a case gets: generic ones and hooks
    plots.py      the matplotlib figures, inlined as SVG
    _markup.py    escaping, anchors, number cells
    report.css, report.js   inlined into the page

Importing this package imports neither pandas nor matplotlib; rendering does. Without
matplotlib the report has no pictures and says why; with rows alone (no executions,
as under pytest-xdist) it has no pictures and no computed values.
"""

from __future__ import annotations

from .page import render_report, write_report
from .pictures import HOOKS, SURFACES, PlotContext, surface_hook

__all__ = ["HOOKS", "SURFACES", "PlotContext", "render_report", "surface_hook", "write_report"]
