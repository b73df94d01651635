"""The HTML comparison report: what differs, where it starts, and by how much, in one file.

``write_report(result, "reports")`` writes ``reports/index.html`` from a
:class:`~equivalence.RunResult`: the verdict and the failures first (how many tolerances
out, where a loop starts to diverge), a table of contents, the run's metadata, a matrix
of cases × backends, the disagreements with their reasons, an optional drift against a
baseline (leading when it fails), then one section per case (failing ones open).
``write_compare_report(drift, "reports")`` writes ``reports/compare.html``, the page of
``compare A B``: its verdict, both sides' versions, the drift rows. The pages work
offline, print (a page per failing case), fit a phone and follow a dark system theme.

Modules::

    page.py       the page, its bar and metadata; render_report, write_report, shell
    summary.py    the verdict, the failures, the contents, the disagreements
    matrix.py     the cases × backends matrix
    section.py    one case's section
    documented.py the documented values beside what each backend prints today
    analysis.py   per row: the element behind each maximum, where a loop diverges
    failure.py    the same from a row alone, for the pytest failure message
    drift.py      the drift section
    compare.py    render_compare_report, write_compare_report: the page of compare A B
    pictures.py   which pictures a case gets: generic ones and hooks
    curves.py     a loop's figure: values per step, tolerances out per step, the divergence
    plots.py      the other matplotlib figures, colours, axes with readable log ticks
    svg.py        figures as small, inert SVG data: URLs
    _markup.py    escaping, anchors, numbers, "how far"
    report.css, report.js   inlined into the page
    chromium.py   headless Chromium, for the browser tests and the screenshots

Importing this package imports neither pandas nor matplotlib; rendering does. Without
matplotlib the report has no pictures and says why; with rows alone (no executions,
as under pytest-xdist) it has no pictures and no computed values.
"""

from __future__ import annotations

from .compare import render_compare_report, write_compare_report
from .page import render_report, write_report
from .pictures import HOOKS, SURFACES, PlotContext, surface_hook

__all__ = ["HOOKS", "SURFACES", "PlotContext", "render_compare_report", "render_report", "surface_hook",
           "write_compare_report", "write_report"]
