"""The sweep's page, ``sweep.html``: written beside sweep.json and sweep.csv, it shows each
planted finding's minimal input, the numbers every side gave, the oracle's verdict and the
command that replays it; it escapes a hostile case id, is well-formed and self-contained,
says when a known difference covers a finding, and loads in a browser without an error.

Planted cases run in NumPy and PyTorch only, with a fixed seed and no example database.
"""

from __future__ import annotations

import html
import json
import os
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from chromium import Browser, find_chromium
from test_sweep import FAST, PLANTED, SLOPE, WRONG_ABOVE_50, WRONG_IN_FLOAT16

from conftest import write_cases
from equivalence.sweep.engine import run_sweeps
from equivalence.sweep.page import SHOWN, array_text, render_sweep_page
from equivalence.sweep.strategies import array_to_data, extremes

HOSTILE = '<script>window.__pwned=1</script>"&<b>'
VOID = {"meta", "br", "input", "img", "hr", "link", "wbr", "col", "source"}


class Balance(HTMLParser):
    """Start and end tags, checked to nest; every attribute name seen."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.attributes: list[str] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [name for name, _ in attrs]
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # <meta ... />: a void element, nothing to close
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
        else:
            self.stack.pop()


def planted_cases(folder: Path) -> Path:
    hostile = PLANTED.format(torch=WRONG_IN_FLOAT16, where="in float16", dtypes=("float32", "float16"), known="()")
    hostile = hostile.replace('Case("t-planted"', f"Case({HOSTILE!r}")
    return write_cases(folder, above=PLANTED.format(torch=WRONG_ABOVE_50, where="for |x| > 50", dtypes=("float32",),
                                                    known="()"), hostile=hostile)


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("sweep-page")
    result = run_sweeps(planted_cases(folder / "cases"), examples=30, **FAST)
    return result, result.write(folder / "out")


@pytest.fixture(scope="module")
def page(swept: tuple[Any, dict[str, Path]]) -> str:
    return swept[1]["html"].read_text(encoding="utf-8")


def test_the_page_is_written_beside_the_json_and_the_csv_atomically(swept: tuple[Any, dict[str, Path]]) -> None:
    paths = swept[1]
    assert paths["html"] == paths["json"].parent / "sweep.html"
    assert sorted(p.name for p in paths["html"].parent.iterdir()) == ["sweep.csv", "sweep.html", "sweep.json"]  # no temp
    document = json.loads(paths["json"].read_text())
    assert all("values" in f for f in document["findings"])


def test_each_finding_shows_its_input_the_numbers_the_oracle_verdict_and_the_command(
        swept: tuple[Any, dict[str, Path]], page: str) -> None:
    result = swept[0]
    failing = [f for f in result.findings if f.status == "fail" and f.reference == "oracle"]
    assert {f.case for f in failing} == {"t-planted", HOSTILE}
    for finding in failing:
        x = finding.input["inputs"]["x"]
        assert f"<code>{html.escape(array_text(x))}</code>" in page  # the minimal input, as data
        assert len(x["values"]) == 1
        for side in ("numpy", "torch", "oracle"):  # what every side gave
            assert html.escape(array_text(finding.values[side])) in page
        assert finding.values["torch"]["values"] != finding.values["oracle"]["values"]
        assert html.escape(finding.reproduce, quote=True) in page  # the command, exactly
    assert "torch farther from the float64 oracle than the rule allows" in page
    assert "✗ farther than the rule allows" in page and "✓ within the rule (the best)" in page
    assert "1 (allowed " in page  # torch's error against the oracle, and the bound
    assert "No bounded known difference covers it." in page
    assert page.count('<section class="case"') == len({f.reproduce for f in result.findings})


def test_the_first_screen_tells_the_verdict_and_the_table_has_every_sweep(swept: tuple[Any, dict[str, Path]],
                                                                         page: str) -> None:
    assert page.index('id="verdict"') < page.index('id="summary"') < page.index('id="findings"')
    assert 'class="verdict failed"' in page and "<title>equivalence sweep: FAILS" in page
    table = page[page.index('id="summary"'):page.index('id="findings"')]
    for summary in swept[0].summaries:
        assert html.escape(summary.case) in table and f'data-value="{summary.examples}"' in table
    assert "numpy ex/s" in table and "oracle ex/s" in table and "✗ fail" in table


def test_a_hostile_case_id_stays_text_and_the_page_is_well_formed_and_self_contained(page: str) -> None:
    assert HOSTILE not in page and "<script>window" not in page
    assert html.escape(HOSTILE) in page
    assert page.count("<script") == 1  # the report's own script
    parsed = Balance(page)
    assert parsed.problems == [] and parsed.stack == []
    assert not [a for a in parsed.attributes if a.startswith("on")]
    ids = [attrs["id"] for _, attrs in parsed.tags if "id" in attrs]
    assert len(ids) == len(set(ids))
    for tag, attrs in parsed.tags:
        for name in ("src", "href"):
            assert attrs.get(name, "#").startswith(("#", "data:")), (tag, attrs)
    assert "https://" not in page and "http://" not in page.replace("http://www.w3.org", "")


def test_a_covered_difference_says_which_bounded_known_difference_covers_it(tmp_path: Path) -> None:
    cases = write_cases(tmp_path / "slope", slope=SLOPE.replace("BOUND", "1.0"))
    result = run_sweeps(cases, examples=20, include_known=True, **FAST)
    assert not result.failed
    page = render_sweep_page(result)
    assert "Bounded known differences that cover it" in page and "0.01 against 0.2" in page
    assert "≈ farther; a known difference covers it" in page and 'class="verdict passed"' in page
    assert "No sweep found a failure" in page


def test_a_passing_sweep_says_so_and_large_arrays_are_shown_by_their_extremes(tmp_path: Path) -> None:
    cases = write_cases(tmp_path / "pass", planted=PLANTED.format(torch="", where="nowhere", dtypes=("float32",),
                                                                  known="()"))
    result = run_sweeps(cases, examples=10, **FAST)
    page = render_sweep_page(result)
    assert "✓ No sweep found a failure" in page and "None: every example agreed" in page
    big = np.arange(SHOWN + 1, dtype=np.float32)
    big[3], big[4] = np.nan, np.inf
    text = array_text(array_to_data(big))
    assert text == f"min 0, max {SHOWN}, 1 NaN, 1 infinite (101 elements, every one in sweep.json)"
    assert array_text({"dtype": "float32", "shape": [SHOWN + 1], **extremes(big)}).startswith("min 0, max 100")
    assert array_text(array_to_data(np.array([[1.5, -0.0]], np.float16))) == "[[ 1.5, -0. ]]"
    assert array_text({"skipped": "numpy has no bfloat16 dtype"}).startswith("skipped")


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (apt-get install chromium)")
def test_the_page_loads_in_a_browser_without_console_errors(swept: tuple[Any, dict[str, Path]], tmp_path: Path) -> None:
    page = swept[1]["html"]
    with Browser(find_chromium(), width=1280, height=900) as browser:
        browser.open(page.as_uri())
        browser.settle()
        assert browser.problems == []
        assert browser.evaluate("window.__pwned === undefined")
        assert browser.evaluate("document.getElementById('filters').hidden") is False  # the script ran
        assert browser.evaluate("document.querySelectorAll('section.case').length") == page.read_text().count(
            '<section class="case"')
        headings = browser.evaluate("[...document.querySelectorAll('section.case h2')].map(h => h.textContent)")
        assert any(HOSTILE in h for h in headings)
        browser.evaluate("document.getElementById('next-failure').click()")
        browser.settle(0.1)
        assert browser.evaluate("location.hash").startswith("#")
        shot = browser.screenshot(tmp_path / "sweep.png")
        assert shot.stat().st_size > 10_000
        if os.environ.get("EQUIVALENCE_SCREENSHOTS"):
            Path(os.environ["EQUIVALENCE_SCREENSHOTS"]).mkdir(parents=True, exist_ok=True)
            shot.replace(Path(os.environ["EQUIVALENCE_SCREENSHOTS"]) / "sweep.png")
