"""Benchmark 7: the catalogue's HTML report: its size, how long it takes to write, and
how soon it is interactive in a browser.

The catalogue is run once as ``python -m equivalence run`` runs it (isolated workers,
``-j 1``, the default backends), in this process through the API so that the report can
be written again and timed (``write_report``, median of a few); ``--from DIR`` measures
an existing report instead (``DIR/index.html``, e.g. from ``python -m equivalence run
-j 1 -q --out DIR``), without the writing time. Then headless Chromium
(`tests/chromium.py`) opens the page several times, each in a fresh tab
state (``about:blank`` between loads, the file from the page cache): per load, the
milliseconds from navigation start to ``domInteractive``, to the load event, and to the
report's script having set up its controls (``data-ready``); interactive is the later of
the load event and the controls;
then a status filter is pressed and the time to the next frame is taken; the page as
printed (``@media print``) gives its number of PDF pages. Goals (issue 14): under 1.5 MB,
interactive in under 2 s on this machine.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, emit, median, spread  # noqa: E402

sys.path.insert(0, str(ROOT))

#: The quick mode's selection: the loop cases (the pictures) and a few others.
QUICK_SELECT = "003 or 002-22 or 002-1-"
GOAL_BYTES = 1_500_000
GOAL_INTERACTIVE_MS = 2000

TIMING = """(() => { const n = performance.getEntriesByType('navigation')[0];
  const ready = document.documentElement.dataset.ready;
  return {dom_interactive_ms: n.domInteractive, load_ms: n.loadEventEnd,
          controls_ready_ms: ready === undefined ? null : +ready,
          interactive_ms: Math.max(n.loadEventEnd, ready === undefined ? Infinity : +ready),
          elements: document.getElementsByTagName('*').length,
          height_px: document.documentElement.scrollHeight}; })()"""
FILTER = """new Promise(done => { const button = document.querySelector('button[data-filter]');
  const start = performance.now(); button.click();
  requestAnimationFrame(() => setTimeout(() => { button.click(); done(performance.now() - start); }, 0)); })"""


def catalogue(out: Path, select: str | None, renders: int) -> dict:
    """Run the catalogue into ``out``; time writing its report."""
    import equivalence as eq
    from equivalence.report import write_report

    started = time.perf_counter()
    result = eq.run("cases", select=select, isolate=True, jobs=1)
    ran = time.perf_counter() - started
    result.write(out)
    seconds = []
    for _ in range(renders):
        began = time.perf_counter()
        write_report(result, out)
        seconds.append(time.perf_counter() - began)
    return {"cases": len(result.cases), "rows": len(result.rows), "counts": result.counts(), "run_seconds": ran,
            "write_report_seconds": median(seconds), "write_report_range": spread(seconds)}


def parts(page: str) -> dict[str, int]:
    """Bytes of the page's main parts (each measured by leaving it out)."""
    total = len(page.encode("utf-8"))
    found = {}
    for name, pattern in (("pictures", r'<img [^>]*?src="data:[^"]*"[^>]*>'),
                          ("comparison tables", r'<table class="comparisons".*?</table>'),
                          ("element tables", r'<details class="worst".*?</details>'),
                          ("documented values", r"<h3>Printed values.*?(?=<details class=\"implementations\"|</details></section>)"),
                          ("implementations", r'<details class="implementations".*?</details>'),
                          ("matrix", r'<div class="matrix-box">.*?</table></div>'),
                          ("disagreements", r'<section id="disagreements">.*?</section>'),
                          ("stylesheet and script", r"<style>.*?</style>|<script>.*?</script>")):
        found[name] = total - len(re.sub(pattern, "", page, flags=re.S).encode("utf-8"))
    return found


def browse(page: Path, loads: int) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from chromium import Browser  # a test tool, kept out of the package

    samples = []
    filters = []
    with Browser(width=1400, height=1000, timeout=120) as browser:
        for i in range(loads + 1):  # the first load warms the browser's own caches: not counted
            browser.open("about:blank")
            began = time.perf_counter()
            browser.open(page.as_uri())
            wall = (time.perf_counter() - began) * 1000
            browser.settle(0.05)
            timing = browser.evaluate(TIMING)
            timing["wall_to_load_event_ms"] = wall
            filters.append(browser.evaluate(FILTER))
            if i:
                samples.append(timing)
        pdf = browser.pdf()
        problems = list(browser.problems)
    keys = ("dom_interactive_ms", "load_ms", "controls_ready_ms", "interactive_ms", "wall_to_load_event_ms")
    return {
        "loads": loads,
        **{k: median([s[k] for s in samples if s[k] is not None]) for k in keys},
        **{k.replace("_ms", "_range"): spread([s[k] for s in samples if s[k] is not None]) for k in keys},
        "filter_to_next_frame_ms": median(filters[1:]),
        "elements": samples[-1]["elements"],
        "height_px": samples[-1]["height_px"],
        "printed_pages": len(re.findall(rb"/Type\s*/Page[^s]", pdf)),
        "console_problems": problems,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", default=None)
    parser.add_argument("--from", dest="source", default=None, metavar="DIR",
                        help="measure DIR/index.html (written by a catalogue run) instead of running the catalogue")
    args = parser.parse_args()
    result: dict = {"goal_bytes": GOAL_BYTES, "goal_interactive_ms": GOAL_INTERACTIVE_MS}
    with tempfile.TemporaryDirectory(prefix="equivalence-bench-report-") as scratch:
        if args.source:
            page = Path(args.source) / "index.html"
            result["source"] = str(page)
        else:
            out = Path(scratch)
            result["run"] = catalogue(out, QUICK_SELECT if args.quick else None, 1 if args.quick else 3)
            result["source"] = "the catalogue" + (f" (-k '{QUICK_SELECT}')" if args.quick else "")
            page = out / "index.html"
        text = page.read_text(encoding="utf-8")
        result["bytes"] = len(text.encode("utf-8"))
        result["parts"] = parts(text)
        result["pictures"] = len(re.findall(r'src="data:image/', text))
        result["pictures_left_out"] = text.count("Pictures left out to keep the page small")
        result["browser"] = browse(page, 3 if args.quick else 7)
    result["met"] = {"size": result["bytes"] < GOAL_BYTES,
                     "interactive": result["browser"]["interactive_ms"] < GOAL_INTERACTIVE_MS}
    emit("report", result, args.json)


if __name__ == "__main__":
    main()
