"""The HTML report: the verdict first, how far and where it starts, escaped, self-contained,
linked by typeable anchors, exact numbers, pictures, degraded modes, drift and compare pages."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import subprocess
import sys
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from _report_run import DIVERGES_AT, HOSTILE, HOSTILE_TITLE, drift_report, make_result

from equivalence._text import number
from equivalence.report import render_compare_report, render_report, write_compare_report, write_report
from equivalence.report._markup import anchor, output_anchor, tolerances_text
from equivalence.results import RunResult, read_results


class Page(HTMLParser):
    """Every start tag with its attributes, the ids, and the table rows (cell texts and
    attributes) of an HTML text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()
        self.rows: list[tuple[dict[str, str], list[tuple[dict[str, str], str]]]] = []
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "tr":
            self.rows.append((values, []))
        elif tag in ("td", "th") and self.rows:
            self._cell = []
            self.rows[-1][1].append((values, ""))

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            attrs, _ = self.rows[-1][1][-1]
            self.rows[-1][1][-1] = (attrs, "".join(self._cell).strip())
            self._cell = None


def text_of(html: str) -> str:
    """The text of ``html``, tags dropped (entities kept)."""
    return re.sub(r"<[^>]+>", "", html)


def section_of(page: str, case_id: str) -> str:
    start = page.index(f'id="{anchor(case_id)}"')
    return page[start: page.index("</section>", start)]


@pytest.fixture(scope="module")
def result() -> RunResult:
    return make_result()


@pytest.fixture(scope="module")
def page(result: RunResult) -> str:
    return render_report(result)


def test_text_from_cases_is_escaped(page: str) -> None:
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 1  # the report's own script, at the end
    assert "window.__pwned" not in page.replace("window.__pwned=", "")  # only inside escaped text
    parsed = Page(page)
    handlers = [(tag, name) for tag, attrs in parsed.tags for name in attrs if name.startswith("on")]
    assert handlers == []
    assert not any(tag == "img" and attrs.get("src") == "x" for tag, attrs in parsed.tags)
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;&quot;quoted&quot; &amp; more" in page
    assert HOSTILE_TITLE not in page


def test_the_page_is_self_contained(page: str) -> None:
    parsed = Page(page)
    assert not any(tag == "link" for tag, _ in parsed.tags)
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "srcset", "action", "poster"):
            value = attrs.get(name)
            if value is None:
                continue
            assert value.startswith(("#", "data:")), f"<{tag} {name}={value[:60]!r}> would need a network or a file"
    assert "http://" not in page.replace("http://www.w3.org", "")  # SVG namespaces are names, not loads
    assert "https://" not in page
    policy = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]


def test_the_verdict_comes_first_and_tells_the_truth(page: str, result: RunResult) -> None:
    verdict = page.index('id="verdict"')
    assert verdict < page.index('id="failures"') < page.index('id="matrix"') < page.index('id="cases"')
    assert 'class="verdict failed"' in page and "<title>equivalence: FAILS" in page
    failing_cases = {r.case for r in result.rows if r.status in ("fail", "error", "unexpected_pass")}
    assert f"✗ {len(failing_cases)} of {len(result.cases)} cases fail" in page
    # A run whose cases all pass (or differ as declared) says so, green.
    passing = {"r-pass", "r-known", "r-loop"}
    calm = RunResult(rows=[r for r in result.rows if r.case in passing], metadata=result.metadata,
                     cases=[c for c in result.cases if c.id in passing])
    text = render_report(calm)
    assert 'class="verdict passed"' in text and "✓ No case fails: 3 cases" in text and 'id="failures"' not in text
    # Nothing compared is no pass.
    skipped = RunResult(rows=[dataclasses.replace(r, status="skipped") for r in calm.rows], metadata=result.metadata)
    assert "Nothing was compared" in render_report(skipped)


def test_failures_say_how_far_and_where_a_loop_starts_to_diverge(page: str) -> None:
    failures = page[page.index('id="failures"'): page.index("</section>", page.index('id="failures"'))]
    assert f"<b>diverges from step {DIVERGES_AT}</b>; by step 200 it is 784 tolerances out" in failures
    assert "<b>6.7e3 tolerances out" in failures  # the 1e-3 relative error in one gradient element
    assert "shape (3,) where torch has (2,)" in failures
    assert "ValueError: message &lt;script&gt;" in failures
    assert f'href="#{output_anchor("r-diverge", "loss")}"' in failures
    # The section says it too, and the disagreements list leads with the tolerances.
    assert f"diverges from step {DIVERGES_AT}; by step 200" in text_of(section_of(page, "r-diverge"))
    disagreements = page[page.index('id="disagreements"'):]
    assert ">784 tol<" in disagreements and f">step {DIVERGES_AT}<" in disagreements


def test_a_report_from_rows_alone_still_states_the_step(result: RunResult) -> None:
    rows_only = RunResult(rows=result.rows, metadata=result.metadata, cases=result.cases)
    text = render_report(rows_only)
    assert "<img" not in text and "made from result rows alone" in text
    assert f"diverges from step {DIVERGES_AT}; at most 784 tolerances out" in text_of(text)
    bare = render_report(RunResult(rows=result.rows, metadata=result.metadata))
    assert all(f'id="{anchor(c.id)}"' in bare for c in result.cases)


def test_the_element_behind_each_maximum_is_listed(page: str) -> None:
    section = section_of(page, "r-grad")
    table = section[section.index("the element behind each maximum"):]
    rows = {cells[0][1]: cells for _, cells in Page(table).rows if cells and cells[0][1].startswith("(")}
    assert rows["(1,)"][1][1] == "first outside, most tolerances, largest abs"
    assert rows["(2,)"][1][1] == "largest rel, most ulp"  # the near-zero element: max rel 0.05, within tolerance
    assert rows["(1,)"][4][1] == "6.7e3" and float(rows["(2,)"][4][1]) < 1


def test_every_link_points_to_an_element_of_the_page(page: str, result: RunResult) -> None:
    parsed = Page(page)
    links = [attrs["href"] for tag, attrs in parsed.tags if tag == "a" and "href" in attrs]
    assert links and all(link[1:] in parsed.ids for link in links)
    matrix = page[page.index('<table class="matrix">'): page.index("</table>", page.index('<table class="matrix">'))]
    cells = {a["href"] for t, a in Page(matrix).tags if t == "a" and "case-link" not in a.get("class", "")}
    assert f"#{output_anchor('r-diverge', 'loss')}" in cells  # a failing cell names its worst output
    assert "#r-pass" in cells


def test_anchors_are_stable_typeable_safe_and_distinct() -> None:
    assert anchor("003-3-tf-linreg-1") == "003-3-tf-linreg-1"
    assert output_anchor("003-3-tf-linreg-1", "loss") == "003-3-tf-linreg-1/loss"
    ids = [HOSTILE, "a b", "A-B", "a_b", "", "Ünïcode/../x", "summary", "case-x", "x\udcff"]
    anchors = [anchor(i) for i in ids]
    assert len(set(anchors)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+", a) for a in anchors)
    assert anchor("summary") != "summary" and anchor("case-x").startswith("case-")  # the page's own ids stay its own
    outputs = [output_anchor("c", o) for o in ("*", "loss", "o-x", "<b>", "a/b")]
    assert len(set(outputs)) == len(outputs) and all(re.fullmatch(r"c/[A-Za-z0-9._-]+", o) for o in outputs)


def _comparison_rows(page: str) -> dict[tuple[str, ...], list[tuple[dict[str, str], str]]]:
    """(case, output, backends, reference) -> the cells of its comparison line."""
    found = {}
    for case_id in re.findall(r'<section class="case[^"]*" id="[^"]*" data-case="([^"]*)"', page):
        case_id = Page(f'<p title="{case_id}">').tags[0][1]["title"]
        section = section_of(page, case_id)
        if "comparisons" not in section:
            continue
        table = section[section.index('<table class="comparisons"'):]
        output = ""
        for _, cells in Page(table[: table.index("</table>")]).rows:
            if len(cells) == 14 and cells[0][0].get("rowspan"):
                output, values = cells[0][1], cells[1:]
            elif len(cells) == 13:
                values = cells
            else:
                continue  # the header
            found[(case_id, output, values[0][1], values[1][1])] = values
    return found


def test_numbers_in_the_page_are_those_of_results_json(page: str, result: RunResult, tmp_path: Path) -> None:
    _, rows = read_results(result.write(tmp_path)["json"])
    shown = _comparison_rows(page)
    for row in rows:
        key = (row["case"], row["output"], row["backend"], row["reference"])
        if row["status"] == "pass":  # passing comparisons share a line: the largest of each number
            line = next(cells for (c, o, b, r), cells in shown.items()
                        if (c, o, r) == (key[0], key[1], key[3]) and row["backend"] in b.split(", "))
            group = [x for x in rows if (x["case"], x["output"], x["reference"]) == (row["case"], row["output"], row["reference"])
                     and x["status"] == "pass"]
            assert line[2][1] == "✓ pass"
            for i, column in ((4, "max_abs_diff"), (5, "max_rel_diff"), (6, "max_ulp_diff")):
                assert line[i][1] == number(max(float(x[column]) for x in group))
            continue
        cells = shown[key]
        assert cells[2][1].endswith(row["status"].replace("_", " "))
        for i, column in ((3, "tolerances"), (4, "max_abs_diff"), (5, "max_rel_diff"), (6, "max_ulp_diff"), (8, "rtol"),
                          (9, "atol")):
            attrs, text = cells[i]
            value = row[column]
            exact = attrs.get("data-value", text)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                assert exact in ("", "-"), (key, column)
            elif exact != "-":  # "-": not a number to read (a shape mismatch compares no value)
                assert float(exact) == float(value), (key, column)  # exactly: the attribute round-trips
        assert cells[7][0]["data-value"] == str(row["mismatched"])
        assert cells[10][1] == row["first_mismatch"]
    fail = next(r for r in result.rows if r.case == "r-grad")
    assert tolerances_text(fail.tolerances) == "6.7e3"


def test_failures_come_first_open_and_chained_with_a_command_that_reproduces_them(page: str) -> None:
    order = [page.index(f'id="{anchor(case_id)}"') for case_id in (HOSTILE, "r-fail", "r-known", "r-pass")]
    assert order == sorted(order)
    assert "python -m equivalence run -k r-fail" in page
    assert "Reproduce just this case" in page
    assert "<details open><summary>" in section_of(page, "r-fail")
    assert "<details><summary>" in section_of(page, "r-pass")  # a passing case is folded
    nav = section_of(page, "r-fail")
    assert f'href="#{anchor(HOSTILE)}"' in nav and 'href="#r-diverge"' in nav  # previous and next failure


def test_sections_show_source_known_reasons_and_code_side_by_side(page: str) -> None:
    assert "NumPy adds 1e-3 to one element, on purpose" in page
    assert "doc.txt § §2" in page
    assert 'class="impls"' in page and "m[1, 2] += 1e-3" in page
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;" in page  # the source code, escaped
    assert page.count("The same code as") >= 1  # r-loop's torch runs the same function as its numpy


def _svgs(text: str) -> list[str]:
    return [urllib.parse.unquote(u) for u in re.findall(r'src="data:image/svg\+xml,([^"]*)"', text)]


def test_pictures_are_inline_svg_with_the_divergence_and_the_band(page: str) -> None:
    pytest.importorskip("matplotlib")
    loop = section_of(page, "r-loop")
    assert "Trajectories (loss)" in loop and "not drawn, compared in the table: w, b" in loop  # folded: one curve
    assert "The fitted line over the data points" in loop  # the x, y, w, b naming convention
    assert "m: where the elements differ from torch" in section_of(page, "r-known")  # a heat map
    assert len(_svgs(page)) == 4
    [diverging] = _svgs(section_of(page, "r-diverge"))
    for text in (f"step {DIVERGES_AT}", "within tolerance", "first divergent step", ">1000<", ">1<", ">0.1<"):
        assert text in diverging, text
    assert "tolerances out per step" in diverging


def test_log_axes_keep_labelled_ticks_over_any_range() -> None:
    pytest.importorskip("matplotlib")
    from equivalence.report.plots import log_axis, new_axes, new_figure

    for low, high in ((1e-16, 1e3), (1e-300, 1e300), (2e-3, 5e-3), (1e-7, 1e-6), (3.0, 3.0)):
        axes = new_axes(new_figure(3, 2))[0, 0]
        assert log_axis(axes, [np.array([low, high])])
        ticks = [t for t in axes.get_yticks() if axes.get_ylim()[0] <= t <= axes.get_ylim()[1]]
        assert 2 <= len(ticks) <= 9, (low, high, ticks)
        assert axes.get_ylim()[0] <= low and axes.get_ylim()[1] >= high
    assert not log_axis(new_axes(new_figure(3, 2))[0, 0], [np.array([0.0, np.nan])])


def test_svg_data_urls_are_inert_and_exact() -> None:
    from equivalence.report.svg import minify_svg, svg_url

    svg = """<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><metadata>x</metadata>
      <path id="unused" d="M 1.23456 2 L 3 4.5 L 5 6" style="fill: #ffffff; stroke: #ff8f00"/>
      <text x="1.234">a "b" &amp; #c 100% é < </text></svg>"""
    small = minify_svg(svg)
    assert "metadata" not in small and "unused" not in small and "M 1.2 2 3 4.5 5 6" in small and "fill:#fff" in small
    assert '"b" &amp; #c 100% é' in small  # text content untouched
    url = svg_url(small)
    assert not set(url) & set('"&\n')
    assert urllib.parse.unquote(url.removeprefix("data:image/svg+xml,")) == small


def test_without_matplotlib_the_report_says_why(result: RunResult, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    text = render_report(result)
    assert "<img" not in text and "matplotlib is not installed" in text


def test_a_picture_that_fails_costs_only_itself(result: RunResult, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    from equivalence.report import pictures

    def broken(context):  # type: ignore[no-untyped-def]
        """A broken picture."""
        raise RuntimeError("<b>no</b>")

    monkeypatch.setattr(pictures, "HOOKS", (broken,))
    text = render_report(result)
    assert "could not be drawn: RuntimeError: &lt;b&gt;no&lt;/b&gt;" in text


def test_pictures_beyond_the_budget_are_left_out_failures_first(result: RunResult, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("matplotlib")
    from equivalence.report import page

    monkeypatch.setattr(page, "PAGE_BUDGET", 0)
    text = render_report(result)
    assert _svgs(section_of(text, "r-diverge"))  # a failing case always has its pictures
    assert not _svgs(section_of(text, "r-loop")) and "Pictures left out to keep the page small" in section_of(text, "r-loop")


def _drift_frame():  # type: ignore[no-untyped-def]
    pd = pytest.importorskip("pandas")
    return pd.DataFrame([
        {"case": "r-pass", "output": "y", "backend": "numpy", "status": "bitwise_change", "max_abs_diff": 1e-9,
         "extra": 1},
        {"case": "r-pass", "output": "y", "backend": "torch", "status": "unchanged", "max_abs_diff": 0.0},
        {"case": HOSTILE, "output": "y", "backend": "torch", "status": "error", "message": HOSTILE},
        {"case": "r-loop", "output": "w", "backend": "numpy", "status": "drift", "max_abs_diff": 0.1, "tolerances": 2.5e4,
         "version_before": "2.0", "version_after": "2.1"},
    ])


def test_a_failing_baseline_check_leads_with_the_drift(result: RunResult) -> None:
    text = render_report(result, drift=_drift_frame())
    section = text[text.index('id="drift"'):]
    section = section[: section.index("</section>")]
    assert section.index('data-drift="error"') < section.index('data-drift="drift"') < section.index('data-drift="bitwise_change"')
    assert 'data-drift="unchanged"' not in section and "unchanged <b>1</b>" in section
    assert HOSTILE not in section and "2.0 → 2.1" in section and ">2.5e4 tol<" in section
    assert f'href="#{output_anchor("r-loop", "w")}"' in section
    assert 'class="drift failed"' in section
    # The drift leads: in the verdict, red, counted, and its section before the matrix.
    assert "✗ Drift against the baseline: 1 output drifted beyond tolerance, 1 error." in text
    assert text.index('id="verdict"') < text.index('id="drift"') < text.index('id="matrix"')


def test_a_baseline_check_whose_rows_all_pass_but_drift_fails_is_red(result: RunResult) -> None:
    passing = {"r-pass", "r-loop"}
    calm = RunResult(rows=[r for r in result.rows if r.case in passing], metadata=result.metadata,
                     cases=[c for c in result.cases if c.id in passing])
    text = render_report(calm, drift=_drift_frame())
    assert 'class="verdict failed"' in text and "No case fails" in text and "Drift against the baseline: 1 output" in text
    assert "<title>equivalence: FAILS" in text
    quiet = _drift_frame()
    quiet = quiet[~quiet.status.isin(["drift", "error"])]
    assert 'class="verdict passed"' in render_report(calm, drift=quiet)


def test_the_compare_page_shows_both_sides_and_leads_with_the_drift(result: RunResult, tmp_path: Path) -> None:
    report = drift_report(result)
    path = write_compare_report(report, tmp_path)
    assert path == tmp_path / "compare.html"
    text = path.read_text(encoding="utf-8")
    assert text.index('id="verdict"') < text.index('id="drift"') < text.index('id="sides"')
    assert f"Versions: numpy {result.metadata['versions']['numpy']} → 9.9.9" in text[: text.index('id="drift"')]
    # The hostile case raised on both sides: an error row too, counted, listed first.
    assert 'class="verdict failed"' in text and "B differs from A: 1 output drifted beyond tolerance, 1 error" in text
    versions = text[text.index('<table class="versions"'):]
    assert "9.9.9" in versions and '<tr class="changed"><th>numpy</th>' in versions
    rows = [a for t, a in Page(text).tags if t == "tr" and "drift-row" in a.get("class", "")]
    assert [r["data-drift"] for r in rows] == ["error", "drift", "bitwise_change"]
    assert HOSTILE not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<title>equivalence compare: DRIFT" in text
    assert write_compare_report(report, tmp_path / "x.html") == tmp_path / "x.html"
    same = render_compare_report(report.frame[report.frame.status == "unchanged"])
    assert 'class="verdict passed"' in same and "No drift from A to B" in same


def test_write_report_takes_a_folder_or_a_file(result: RunResult, tmp_path: Path) -> None:
    assert write_report(result, tmp_path) == tmp_path / "index.html"
    assert write_report(result, tmp_path / "x" / "r.html").is_file()


def test_importing_the_report_imports_neither_pandas_nor_matplotlib() -> None:
    code = "import sys, equivalence, equivalence.report; print(json.dumps(sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", "import json; " + code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_cli_writes_index_html(tmp_path: Path, case_dir: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "equivalence", "run", str(case_dir), "--backends", "numpy,torch",
                           "--out", str(out), "-q", "--in-process"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (out / "index.html").is_file() and str(out / "index.html") in done.stdout
    assert "t-square" in (out / "index.html").read_text(encoding="utf-8")


def test_the_pytest_plugin_writes_index_html(pytester: pytest.Pytester, case_dir: Path) -> None:
    out = pytester.path / "out"
    result = pytester.runpytest_subprocess("-p", "equivalence.pytest_plugin", str(case_dir), "--equivalence-cases",
                                           str(case_dir), "--equivalence-backends", "numpy,torch",
                                           "--equivalence-in-process", "--equivalence-out", str(out))
    result.assert_outcomes(passed=3)
    text = (out / "index.html").read_text(encoding="utf-8")
    assert f'id="{anchor("t-square")}"' in text and "square" in text


def test_the_pytest_failure_message_leads_with_how_far_and_where(result: RunResult) -> None:
    from equivalence.pytest_plugin import describe_failure

    cases = {c.id: c for c in result.cases}
    rows = [r for r in result.rows if r.case == "r-diverge" and r.status == "fail"]
    message = describe_failure(cases["r-diverge"], "numpy", "torch", rows, result.executions[("r-diverge", "numpy")])
    assert f"loss: diverges from step {DIVERGES_AT}; by step 200 it is 784 tolerances out" in message
    assert "output  status  tolerances out  first outside" in message and "worst elements of loss" in message
    rows = [r for r in result.rows if r.case == "r-grad" and r.status == "fail"]
    message = describe_failure(cases["r-grad"], "numpy", "torch", rows, result.executions[("r-grad", "numpy")])
    assert message.splitlines()[2].startswith("dw: 6.7e3 tolerances out")
    assert "max rel 0.05 is at an element within the tolerance" in message


def test_the_page_needs_neither_pandas_nor_jinja2(result: RunResult, monkeypatch: pytest.MonkeyPatch) -> None:
    before = render_report(RunResult(rows=result.rows, metadata=result.metadata, cases=result.cases))
    monkeypatch.setitem(sys.modules, "jinja2", None)
    monkeypatch.setitem(sys.modules, "pandas", None)
    after = render_report(RunResult(rows=result.rows, metadata=result.metadata, cases=result.cases))

    def links(text: str) -> list[str]:
        return sorted(a["href"] for t, a in Page(text).tags if t == "a" and "href" in a)

    assert links(after) == links(before)


def test_a_case_file_that_failed_to_import_has_its_section(result: RunResult) -> None:
    from equivalence.results import Row

    broken = Row(case="cases/x/broken.py", output="*", backend="*", reference="*", status="error",
                 message="case file failed to import: SyntaxError: <oops>")
    metadata = {**result.metadata, "complete": False, "unfinished": ["r-slow"]}
    text = render_report(RunResult(rows=[broken, *result.rows], metadata=metadata, cases=result.cases))
    section = text[text.index(f'id="{anchor("cases/x/broken.py")}"'):]
    assert "case file that failed to import" in section[:2000] and "SyntaxError: &lt;oops&gt;" in section
    assert "python -m equivalence run cases/x/broken.py" in section
    assert "This run is incomplete" in text and "r-slow" in text
    assert all(link[1:] in Page(text).ids for link in (a["href"] for t, a in Page(text).tags if t == "a" and "href" in a))


def test_every_backend_has_its_own_colour():
    """Colours come from the registry (a backend's declared colour, else the palette by
    registry position): no two registered backends share one, so modes such as jax-jit
    and tensorflow-xla are told apart in every figure, and a new backend needs no edit
    in the report."""
    from equivalence.backends import backend_names
    from equivalence.report.plots import color

    colours = {name: color(name) for name in backend_names()}
    assert len(set(colours.values())) == len(colours), colours
    assert color("a-backend-from-elsewhere") == color("a-backend-from-elsewhere")
