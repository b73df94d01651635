"""The HTML report: escaped, self-contained, linked, exact numbers, pictures, degraded modes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _report_run import HOSTILE, HOSTILE_TITLE, make_result

from equivalence._text import number
from equivalence.report import render_report, write_report
from equivalence.report._markup import anchor
from equivalence.results import RunResult, read_results


class Page(HTMLParser):
    """Every start tag with its attributes, and the ids, of an HTML text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.ids: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values))
        if "id" in values:
            self.ids.add(values["id"])


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


def test_every_link_points_to_an_element_of_the_page(page: str, result: RunResult) -> None:
    parsed = Page(page)
    links = [attrs["href"] for tag, attrs in parsed.tags if tag == "a" and "href" in attrs]
    assert links and all(link[1:] in parsed.ids for link in links)
    matrix_links = {attrs["href"] for tag, attrs in parsed.tags if tag == "a" and "cell" in attrs.get("class", "")}
    assert matrix_links == {f"#{anchor(c.id)}" for c in result.cases}


def test_anchors_are_safe_and_distinct() -> None:
    ids = [HOSTILE, "a b", "A-B", "a_b", "", "Ünïcode/../x"]
    anchors = [anchor(i) for i in ids]
    assert len(set(anchors)) == len(ids)
    assert all(a.replace("-", "").isalnum() and a.isascii() for a in anchors)


def test_numbers_in_the_page_are_those_of_results_json(page: str, result: RunResult, tmp_path: Path) -> None:
    _, rows = read_results(result.write(tmp_path)["json"])
    cells: dict[tuple[str, ...], dict[str, str]] = {}
    row_key: tuple[str, ...] = ()
    for tag, attrs in Page(page).tags:
        if tag == "tr" and "data-reference" in attrs:
            row_key = tuple(attrs[f"data-{k}"] for k in ("case", "output", "backend", "reference"))
            cells[row_key] = {"status": attrs["data-status"]}
        elif tag == "td" and "data-col" in attrs and row_key in cells:
            cells[row_key][attrs["data-col"]] = attrs["data-value"]
    assert len(cells) == len(rows)
    for row in rows:
        shown = cells[(row["case"], row["output"], row["backend"], row["reference"])]
        assert shown["status"] == row["status"]
        for column in ("max_abs_diff", "max_rel_diff", "max_ulp_diff", "rtol", "atol"):
            value = row[column]
            expected = "" if value is None or (isinstance(value, float) and math.isnan(value)) else (
                value if isinstance(value, str) else ("inf" if value == math.inf else repr(float(value))))
            assert shown[column] == expected, (row["case"], row["output"], column)
        assert shown["mismatched"] == str(row["mismatched"])
    fail = next(r for r in result.rows if r.status == "fail")
    assert f">{number(fail.max_abs_diff)}</td>" in page


def test_failures_come_first_with_a_command_that_reproduces_them(page: str) -> None:
    order = [page.index(f'id="{anchor(case_id)}"') for case_id in (HOSTILE, "r-fail", "r-known", "r-pass")]
    assert order == sorted(order)
    assert "python -m equivalence run -k r-fail" in page
    assert "Reproduce just this case" in page


def test_sections_show_source_known_reasons_and_code_side_by_side(page: str) -> None:
    assert "NumPy adds 1e-3 to one element, on purpose" in page
    assert "doc.txt § §2" in page
    assert 'class="impls"' in page and "m[1, 2] += 1e-3" in page
    assert "&lt;/script&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;" in page  # the source code, escaped


def test_pictures_are_inline_svg(page: str) -> None:
    pytest.importorskip("matplotlib")
    loop = page[page.index(f'id="{anchor("r-loop")}"'):]
    loop = loop[: loop.index("</section>")]
    assert "Trajectories (loss, w, b)" in loop
    assert "The fitted line over the data points" in loop  # the x, y, w, b naming convention
    known = page[page.index(f'id="{anchor("r-known")}"'):]
    assert "m: where the elements differ from torch" in known[: known.index("</section>")]  # a heat map
    assert page.count('src="data:image/svg+xml;base64,') == 3


def test_a_report_from_rows_alone_renders_without_pictures(result: RunResult) -> None:
    rows_only = RunResult(rows=result.rows, metadata=result.metadata)
    text = render_report(rows_only)
    assert "<img" not in text and "made from result rows alone" in text
    assert all(f'id="{anchor(c.id)}"' in text for c in result.cases)


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


def test_drift_section_lists_drift_and_errors_first(result: RunResult) -> None:
    pd = pytest.importorskip("pandas")
    drift = pd.DataFrame([
        {"case": "r-pass", "output": "y", "backend": "numpy", "status": "bitwise_change", "max_abs_diff": 1e-9,
         "extra": 1},
        {"case": "r-pass", "output": "y", "backend": "torch", "status": "unchanged", "max_abs_diff": 0.0},
        {"case": HOSTILE, "output": "y", "backend": "torch", "status": "error", "message": HOSTILE},
        {"case": "r-loop", "output": "w", "backend": "numpy", "status": "drift", "max_abs_diff": 0.1,
         "version_before": "2.0", "version_after": "2.1"},
    ])
    text = render_report(result, drift=drift)
    section = text[text.index('id="drift"'):]
    section = section[: section.index("</section>")]
    assert section.index('data-drift="error"') < section.index('data-drift="drift"') < section.index('data-drift="bitwise_change"')
    assert 'data-drift="unchanged"' not in section and "unchanged <b>1</b>" in section
    assert HOSTILE not in section and "2.0 → 2.1" in section
    assert f'href="#{anchor("r-loop")}"' in section


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


def test_without_jinja2_the_matrix_is_a_plain_table(result: RunResult, monkeypatch: pytest.MonkeyPatch) -> None:
    styled = render_report(RunResult(rows=result.rows, metadata=result.metadata, cases=result.cases))
    monkeypatch.setitem(sys.modules, "jinja2", None)
    plain = render_report(RunResult(rows=result.rows, metadata=result.metadata, cases=result.cases))
    def links(text: str) -> list[str]:
        return sorted(a["href"] for t, a in Page(text).tags if t == "a" and "cell" in a.get("class", ""))

    assert 'id="T_matrix"' in styled and 'id="T_matrix"' not in plain
    assert links(plain) == links(styled)


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
