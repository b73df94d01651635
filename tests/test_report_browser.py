"""The report in a real browser: headless Chromium loads it without a console error, tells
its verdict on the first screen (a planted divergence from step 50 stated as step 50),
shows the numbers of ``results.json``, runs no injected script, links the matrix to the
cases and typeable anchors to folded outputs, filters in agreement with its counts (also
from the URL), steps from failure to failure, prints, fits a phone, goes dark; and the
pages of a failing baseline check and of ``compare A B`` lead with their drift.

Chromium is driven over its DevTools pipe (`tests/chromium.py`: standard
library only, no driver to match). Without Chromium the test skips, saying so; ``.ci/run``
installs it. ``EQUIVALENCE_SCREENSHOTS=DIR`` keeps the screenshots there too.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from _report_run import DIVERGES_AT, HOSTILE, drift_report, make_result
from chromium import Browser, find_chromium

from equivalence._text import number
from equivalence.report import write_compare_report, write_report
from equivalence.report._markup import anchor, output_anchor
from equivalence.results import read_results

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium; .ci/run does it)"
)

#: Every comparison line of every case: [case, output, [[data-value or null, text], ...]].
ROWS_JS = """[...document.querySelectorAll('section.case')].flatMap(section =>
  [...section.querySelectorAll('table.comparisons tbody')].flatMap(body => {
    const output = body.querySelector('th[rowspan] code').textContent;
    return [...body.querySelectorAll('tr')].map(tr => [section.dataset.case, output,
      [...tr.querySelectorAll('td')].map(td => [td.dataset.value ?? null, td.textContent])]);
  }))"""
VISIBLE = "[...document.querySelectorAll('section.case')].filter(s => !s.hidden).map(s => s.dataset.case)"
ON_FIRST_SCREEN = "(e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight && r.height > 0; })"


def keep(path: Path) -> None:
    folder = os.environ.get("EQUIVALENCE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def expected_text(value: Any) -> tuple[str, str]:
    """(exact value, shown text) of a results.json number."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "", "-"
    if value in ("inf", "-inf") or (isinstance(value, float) and math.isinf(value)):
        value = float(value)
        return ("inf" if value > 0 else "-inf"), number(value)
    return repr(float(value)), number(float(value))


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    out = tmp_path_factory.mktemp("report")
    result = make_result()
    result.write(out)
    return result, write_report(result, out)


@pytest.fixture(scope="module")
def report(run: tuple[Any, Path]) -> Path:
    return run[1]


@pytest.fixture(scope="module")
def browser(report: Path):  # type: ignore[no-untyped-def]
    with Browser(CHROMIUM, width=1280, height=900) as browser:
        browser.open(report.as_uri())
        browser.settle()
        yield browser


def reopen(browser: Browser, url: str) -> None:
    browser.open("about:blank")
    browser.open(url)
    browser.settle()


def test_the_page_loads_without_console_errors(browser: Browser, run: tuple[Any, Path]) -> None:
    assert browser.problems == []
    assert browser.evaluate("document.querySelectorAll('section.case').length") == len(run[0].cases)
    assert browser.evaluate("document.getElementById('filters').hidden") is False  # the script ran
    assert browser.evaluate("document.documentElement.dataset.ready") is not None


def test_the_first_screen_tells_the_verdict_and_the_step_a_loop_diverges_from(browser: Browser, tmp_path: Path) -> None:
    browser.evaluate("window.scrollTo(0, 0)")
    browser.settle()
    verdict = browser.evaluate("document.getElementById('verdict').textContent")
    assert "cases fail" in verdict and browser.evaluate(f"{ON_FIRST_SCREEN}(document.getElementById('verdict'))")
    line = browser.evaluate("""[...document.querySelectorAll('#failures li li')]
      .map(li => li.textContent).find(t => t.includes('loss') && t.includes('numpy vs torch') && t.includes('diverges'))""")
    assert f"diverges from step {DIVERGES_AT}; by step 200 it is 784 tolerances out" in line
    assert browser.evaluate("""(() => { const li = [...document.querySelectorAll('#failures li li')]
      .find(li => li.textContent.includes('diverges')); const r = li.getBoundingClientRect();
      return r.top > 0 && r.bottom < innerHeight; })()"""), "the divergence is stated on the first screen"
    shot = browser.screenshot(tmp_path / "report-summary.png")
    assert shot.stat().st_size > 10_000
    keep(shot)


def test_injected_markup_stays_text(browser: Browser) -> None:
    assert browser.evaluate("window.__pwned === undefined")
    assert browser.evaluate("document.querySelectorAll('script').length") == 1
    heading = browser.evaluate(f"document.getElementById({json.dumps(anchor(HOSTILE))}).querySelector('h2').textContent")
    assert HOSTILE in heading
    assert not any("dialog" in p for p in browser.problems)


def test_the_numbers_shown_are_those_of_results_json(browser: Browser, report: Path) -> None:
    _, rows = read_results(report.parent / "results.json")
    lines = browser.evaluate(ROWS_JS)
    for row in rows:
        if row["status"] == "pass":
            continue  # passing comparisons share a line (tests/test_report.py checks it)
        [cells] = [c for case, output, c in lines if (case, output, c[0][1], c[1][1])
                   == (row["case"], row["output"], row["backend"], row["reference"])]
        assert row["status"].replace("_", " ") in cells[2][1]
        for i, column in ((4, "max_abs_diff"), (5, "max_rel_diff"), (6, "max_ulp_diff"), (8, "rtol"), (9, "atol")):
            value, text = cells[i]
            if text == "-" and "shape" in row["differs"]:
                continue  # a shape mismatch compares no value
            exact, shown = expected_text(row[column])
            assert text == shown, (row["case"], row["output"], column)
            assert (value if value is not None else text) in (exact, shown)
            if value not in (None, "", "inf", "-inf"):
                assert float(value) == float(row[column])  # exactly: the attribute round-trips


def test_a_matrix_cell_leads_to_its_rows(browser: Browser, tmp_path: Path) -> None:
    target = browser.evaluate("""(() => {
      const link = [...document.querySelectorAll('table.matrix td.st-fail a')].find(a => a.getAttribute('href') === '#r-diverge/loss');
      link.click();
      return link.getAttribute('href');
    })()""")
    browser.settle()
    assert target == f"#{output_anchor('r-diverge', 'loss')}"
    assert browser.evaluate("location.hash") == target
    assert browser.evaluate(f"{ON_FIRST_SCREEN}(document.getElementById({json.dumps(target[1:])}))")
    keep(browser.screenshot(tmp_path / "report-case.png"))


def test_a_typed_anchor_opens_a_folded_case_at_its_output(browser: Browser, report: Path) -> None:
    reopen(browser, report.as_uri() + "#r-loop/loss")
    assert browser.evaluate("document.querySelector('#r-loop > details').open") is True
    assert browser.evaluate(f"{ON_FIRST_SCREEN}(document.getElementById('r-loop/loss'))")


def test_next_failure_steps_through_the_failing_cases(browser: Browser, report: Path) -> None:
    reopen(browser, report.as_uri())
    failing = browser.evaluate("""[...document.querySelectorAll('section.case')]
      .filter(s => ['error', 'fail', 'unexpected_pass'].includes(s.dataset.f)).map(s => s.id)""")
    assert len(failing) == 5
    seen = []
    for _ in range(3):
        browser.evaluate("document.getElementById('next-failure').click()")
        browser.settle(0.1)
        seen.append(browser.evaluate("location.hash.slice(1)"))
    assert seen == failing[:3]


def test_filters_agree_with_their_counts_and_read_the_url(browser: Browser, report: Path) -> None:
    reopen(browser, report.as_uri())
    chips = browser.evaluate("[...document.querySelectorAll('button[data-filter]')].map(b => [b.dataset.filter, +b.querySelector('b').textContent])")
    assert sum(n for _, n in chips) == browser.evaluate("document.querySelectorAll('section.case').length")
    for status, count in chips:
        browser.evaluate(f"document.querySelector('button[data-filter=\"{status}\"]').click()")
        assert len(browser.evaluate(VISIBLE)) == count, status
        rows = browser.evaluate("[...document.querySelectorAll('table.matrix tbody tr')].filter(r => !r.hidden).length")
        assert rows == count, status  # the matrix follows the cases
        browser.evaluate(f"document.querySelector('button[data-filter=\"{status}\"]').click()")
    reopen(browser, report.as_uri() + "?status=fail,error")
    shown = browser.evaluate(VISIBLE)
    assert sorted(shown) == sorted(["r-fail", "r-diverge", "r-grad", "r-shape", HOSTILE])
    assert browser.evaluate("document.getElementById('filter-count').textContent") == "5 of 8 cases"
    for words, expected in (("dw", ["r-grad"]), ("valueerror", [HOSTILE]), ("gradient descent", ["r-loop"])):
        reopen(browser, report.as_uri() + "?q=" + words.replace(" ", "+"))
        assert browser.evaluate(VISIBLE) == expected, words
    reopen(browser, report.as_uri() + "?q=torch")  # a backend: every case compares with it
    assert len(browser.evaluate(VISIBLE)) == 8


def test_the_divergence_picture_draws_and_print_gives_a_page_per_failing_case(browser: Browser, report: Path,
                                                                                 tmp_path: Path) -> None:
    reopen(browser, report.as_uri() + "#r-diverge")
    pictures = browser.evaluate("[...document.images].filter(i => i.offsetParent).map(i => i.complete && i.naturalWidth > 0)")
    assert pictures and all(pictures), "every picture shown decodes"
    keep(browser.screenshot(tmp_path / "report-loop.png"))
    pdf = browser.pdf()
    assert pdf[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 5 < pages < 40, pages  # a page (or a few) per failing case, a line per passing one
    assert browser.problems == []


def test_a_phone_gets_one_column_and_dark_mode_goes_dark(browser: Browser, report: Path, tmp_path: Path) -> None:
    browser.call("Emulation.setDeviceMetricsOverride", session=browser.session, width=390, height=844,
                 deviceScaleFactor=1, mobile=True)
    try:
        reopen(browser, report.as_uri())
        assert browser.evaluate("document.documentElement.scrollWidth") <= 392, "nothing wider than the phone"
        assert browser.evaluate(f"{ON_FIRST_SCREEN}(document.getElementById('verdict'))")
        keep(browser.screenshot(tmp_path / "report-phone.png"))
    finally:
        browser.call("Emulation.setDeviceMetricsOverride", session=browser.session, width=1280, height=900,
                     deviceScaleFactor=1, mobile=False)
    browser.call("Emulation.setEmulatedMedia", session=browser.session,
                 features=[{"name": "prefers-color-scheme", "value": "dark"}])
    try:
        reopen(browser, report.as_uri())
        background = browser.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(13, 17, 23)"
        keep(browser.screenshot(tmp_path / "report-dark.png"))
    finally:
        browser.call("Emulation.setEmulatedMedia", session=browser.session, features=[])


def test_a_failing_baseline_check_page_leads_with_its_drift(browser: Browser, run: tuple[Any, Path],
                                                            tmp_path: Path) -> None:
    result, _ = run
    passing = {"r-pass", "r-loop", "r-known"}
    from equivalence.results import RunResult

    calm = RunResult(rows=[r for r in result.rows if r.case in passing], metadata=result.metadata,
                     cases=[c for c in result.cases if c.id in passing], executions=result.executions)
    page = write_report(calm, tmp_path / "check.html", drift=drift_report(result))
    reopen(browser, page.as_uri())
    assert browser.problems == []
    verdict = browser.evaluate("document.getElementById('verdict').textContent")
    assert "Drift against the baseline: 1 output drifted beyond tolerance, 1 error" in verdict
    assert browser.evaluate("getComputedStyle(document.querySelector('#verdict .big')).color") == "rgb(207, 34, 46)"
    drifted = browser.evaluate("document.querySelector('#drift tr[data-drift=\"drift\"]').textContent")
    assert "r-loop" in drifted and "loss" in drifted and "tol" in drifted
    assert browser.evaluate("document.getElementById('drift').getBoundingClientRect().top < "
                            "document.getElementById('matrix').getBoundingClientRect().top")
    keep(browser.screenshot(tmp_path / "baseline-check.png"))


def test_the_compare_page_shows_both_sides_and_filters_its_rows(browser: Browser, run: tuple[Any, Path],
                                                               tmp_path: Path) -> None:
    page = write_compare_report(drift_report(run[0]), tmp_path)
    reopen(browser, page.as_uri())
    assert browser.problems == []
    assert browser.evaluate(f"{ON_FIRST_SCREEN}(document.getElementById('verdict'))")
    assert "B differs from A" in browser.evaluate("document.getElementById('verdict').textContent")
    changed = browser.evaluate("[...document.querySelectorAll('table.versions tr.changed th')].map(t => t.textContent)")
    assert changed == ["numpy"]
    reopen(browser, page.as_uri() + "?status=drift")
    shown = browser.evaluate("[...document.querySelectorAll('tr.drift-row')].filter(r => !r.hidden).map(r => r.dataset.drift)")
    assert shown == ["drift"]
    assert browser.evaluate("document.getElementById('filter-count').textContent") == "1 of 3 outputs"
    keep(browser.screenshot(tmp_path / "compare.png"))
