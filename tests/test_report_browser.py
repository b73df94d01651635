"""The report in a real browser: headless Chromium loads it without a console error, shows
the numbers of ``results.json``, runs no injected script, links the matrix to the cases,
filters, prints, and is screenshotted.

Chromium is driven over its DevTools pipe (:mod:`equivalence.report.chromium`: standard
library only, no driver to match). Without Chromium the test skips, saying so; ``.ci/run``
installs it. ``EQUIVALENCE_SCREENSHOTS=DIR`` keeps the screenshots there too.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from _report_run import HOSTILE, make_result

from equivalence._text import number
from equivalence.report import write_report
from equivalence.report._markup import anchor
from equivalence.report.chromium import Browser, find_chromium
from equivalence.results import read_results

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does it)"
)

ROWS_JS = """[...document.querySelectorAll('table.comparisons tr[data-reference]')].map(tr => ({
  key: [tr.dataset.case, tr.dataset.output, tr.dataset.backend, tr.dataset.reference],
  status: tr.dataset.status,
  cells: Object.fromEntries([...tr.querySelectorAll('td[data-col]')].map(td => [td.dataset.col, [td.dataset.value, td.textContent]]))
}))"""


def keep(path: Path) -> None:
    folder = os.environ.get("EQUIVALENCE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def expected_text(value: Any) -> tuple[str, str]:
    """(data-value, shown text) of a results.json number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", "-"
    if value in ("inf", "-inf") or (isinstance(value, float) and math.isinf(value)):
        value = float(value)
        return ("inf" if value > 0 else "-inf"), number(value)
    return repr(float(value)), number(float(value))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    result = make_result()
    result.write(out)
    return write_report(result, out)


@pytest.fixture(scope="module")
def browser(report: Path):  # type: ignore[no-untyped-def]
    with Browser(CHROMIUM, width=1280, height=900) as browser:
        browser.open(report.as_uri())
        browser.settle()
        yield browser


def test_the_page_loads_without_console_errors(browser: Browser) -> None:
    assert browser.problems == []
    assert browser.evaluate("document.querySelectorAll('section.case').length") == 5
    assert browser.evaluate("document.getElementById('filters').hidden") is False  # the script ran


def test_injected_markup_stays_text(browser: Browser) -> None:
    assert browser.evaluate("window.__pwned === undefined")
    assert browser.evaluate("document.querySelectorAll('script').length") == 1
    heading = browser.evaluate(f"document.getElementById({json.dumps(anchor(HOSTILE))}).querySelector('h2').textContent")
    assert HOSTILE in heading
    assert not any("dialog" in p for p in browser.problems)


def test_the_numbers_shown_are_those_of_results_json(browser: Browser, report: Path) -> None:
    _, rows = read_results(report.parent / "results.json")
    shown = {tuple(r["key"]): r for r in browser.evaluate(ROWS_JS)}
    assert len(shown) == len(rows)
    for row in rows:
        page = shown[(row["case"], row["output"], row["backend"], row["reference"])]
        assert page["status"] == row["status"]
        for column in ("max_abs_diff", "max_rel_diff", "max_ulp_diff", "rtol", "atol"):
            value, text = page["cells"][column]
            assert (value, text) == expected_text(row[column]), (row["case"], row["output"], column)
            if value not in ("", "inf", "-inf"):
                assert float(value) == float(row[column])  # exactly: the attribute round-trips


def test_a_matrix_cell_leads_to_its_case(browser: Browser, tmp_path: Path) -> None:
    target = browser.evaluate("""(() => {
      const link = document.querySelector('table.matrix a.cell[data-status="fail"]');
      link.click();
      return link.getAttribute('href');
    })()""")
    browser.settle()
    assert target == f"#{anchor('r-fail')}"
    assert browser.evaluate("location.hash") == target
    top = browser.evaluate(f"document.getElementById({json.dumps(target[1:])}).getBoundingClientRect().top")
    assert 0 <= top < 200, "the case's section is scrolled to the top of the window"
    keep(browser.screenshot(tmp_path / "report-case.png"))


def test_filters_by_status_and_text(browser: Browser) -> None:
    visible = "[...document.querySelectorAll('section.case')].filter(s => !s.hidden).map(s => s.id)"
    browser.evaluate("document.querySelector('button[data-filter=\"fail\"]').click()")
    assert browser.evaluate(visible) == [anchor("r-fail")]
    assert browser.evaluate("[...document.querySelectorAll('table.matrix tbody tr')].filter(r => !r.hidden).length") == 1
    browser.evaluate("document.querySelector('button[data-filter=\"fail\"]').click()")
    browser.evaluate("""(() => { const box = document.getElementById('filter-text');
      box.value = 'gradient descent'; box.dispatchEvent(new Event('input')); })()""")
    assert browser.evaluate(visible) == [anchor("r-loop")]
    browser.evaluate("""(() => { const box = document.getElementById('filter-text');
      box.value = ''; box.dispatchEvent(new Event('input')); })()""")
    assert len(browser.evaluate(visible)) == 5


def test_summary_screenshot_and_print(browser: Browser, tmp_path: Path) -> None:
    browser.evaluate("window.scrollTo(0, 0)")
    browser.settle()
    shot = browser.screenshot(tmp_path / "report-summary.png")
    assert shot.stat().st_size > 10_000
    keep(shot)
    pictures = browser.evaluate("[...document.images].map(i => i.complete && i.naturalWidth > 0)")
    assert pictures and all(pictures), "every inline picture decodes"
    assert browser.pdf()[:5] == b"%PDF-"
    assert browser.problems == []
