"""Benchmarks 1 and 5: the catalogue through the CLI against its floor, and its memory.

Each round runs, one after the other: the floor (``floor.py``: the same implementations,
no harness), then ``python -m equivalence run`` with worker processes (the default),
with ``-j 2`` (tasks longest first, by the durations the run before it recorded), and
``--in-process``; all with ``--backends numpy,torch,tensorflow`` (the
three frameworks the floor calls; the execution modes are the lead's benchmarks). The
ratios CLI/floor are taken within a round, then their median over rounds.

Then, once, where a CLI run's time goes (``phases``): in one process, framework
imports, loading, ``run_cases`` (and the part of it inside the implementations, as
the harness times it), writing CSV/JSON, and the HTML report.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PYTHON, ROOT, emit, median, run_timed, spread  # noqa: E402

BACKENDS = "numpy,torch,tensorflow"
#: The quick mode's selection: a folder of fast cases (the fixed start-up costs dominate).
QUICK_PATHS = ["cases/tensors"]

PHASES = r"""
import json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
t0 = time.perf_counter()
import numpy, torch, tensorflow
t1 = time.perf_counter()
from equivalence._select import select
from equivalence.discovery import discover
from equivalence.runner import run_cases
from equivalence.report import write_report
paths, expression, out = json.loads(sys.argv[1])
cases, errors = discover(paths)
cases = select(cases, expression)
t2 = time.perf_counter()
result = run_cases(cases, ["numpy", "torch", "tensorflow"], "torch", load_errors=errors)
t3 = time.perf_counter()
result.write(out)
t4 = time.perf_counter()
write_report(result, out)
t5 = time.perf_counter()
inside = sum(e.seconds for e in result.executions.values())
print(json.dumps({"imports": t1 - t0, "loading": t2 - t1, "run_cases": t3 - t2,
                  "implementations": inside, "harness_in_run_cases": t3 - t2 - inside,
                  "write_csv_json": t4 - t3, "html_report": t5 - t4}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    rounds = args.rounds or (1 if args.quick else 3)
    paths = QUICK_PATHS if args.quick else ["cases"]
    out = Path(tempfile.mkdtemp(prefix="equivalence-bench-"))
    cli = [PYTHON, "-m", "equivalence", "run", *paths, "--backends", BACKENDS, "-q"]
    modes = {
        "floor": [PYTHON, str(ROOT / "benchmarks" / "floor.py"), *paths],
        "cli_workers": [*cli, "--out", str(out / "workers")],
        # longest first, by the seconds the run just before it recorded (as a CI job would
        # with the results.json of its previous run)
        "cli_workers_j2": [*cli, "-j", "2", "--durations", str(out / "workers" / "results.json"), "--out", str(out / "j2")],
        "cli_in_process": [*cli, "--in-process", "--out", str(out / "in-process")],
    }
    runs: dict[str, list[dict]] = {name: [] for name in modes}
    for _ in range(rounds):
        for name, command in modes.items():
            timed = run_timed(command, env={"TF_CPP_MIN_LOG_LEVEL": "2"})
            record = {"seconds": timed.seconds, "returncode": timed.returncode,
                      "peak_rss_mb": timed.peak_rss / 2**20, "peak_tree_rss_mb": timed.peak_tree_rss / 2**20}
            if name == "floor":
                found = re.search(r"floor: .*", timed.stdout)
                record["summary"] = found.group(0) if found else timed.stderr[-500:]
            runs[name].append(record)
    ratios = {
        name: median([r["seconds"] / f["seconds"] for r, f in zip(runs[name], runs["floor"], strict=False)])
        for name in modes if name != "floor"
    }
    summary = {
        name: {
            "seconds": median([r["seconds"] for r in rs]),
            "range": spread([r["seconds"] for r in rs]),
            "ratio_to_floor": ratios.get(name, 1.0),
            "peak_rss_mb": median([r["peak_rss_mb"] for r in rs]),
            "peak_tree_rss_mb": median([r["peak_tree_rss_mb"] for r in rs]),
            "returncodes": sorted({r["returncode"] for r in rs}),
        }
        for name, rs in runs.items()
    }
    phases_run = run_timed([PYTHON, "-c", PHASES, json.dumps([paths, None, str(out / "phases")])])
    try:
        phases = _last_json(phases_run.stdout)
    except ValueError:
        phases = {"error": phases_run.stderr[-2000:]}
    shutil.rmtree(out, ignore_errors=True)
    emit("suite", {"paths": paths, "backends": BACKENDS, "rounds": rounds, "summary": summary,
                   "runs": runs, "phases": phases, "floor_summary": runs["floor"][-1].get("summary", "")},
         args.json)


def _last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError("no JSON line in the output")


if __name__ == "__main__":
    main()
