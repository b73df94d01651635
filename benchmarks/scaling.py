"""Benchmark 6: time against the number of cases, and against the length of a loop.

Cases: a folder of N generated trivial cases (``overhead.TRIVIAL``), run through the CLI
(worker processes, and ``--in-process``), N from 1 to 1000; the slope of the least-
squares line is the cost of one more case (all three backends, compared, reported).

Loop length: the catalogue's regression loops (``000-3.1-numpy-linreg``: hand-written
gradients; ``000-3.2-tf-linreg``: GradientTape and Keras SGD against torch.optim) with
``num_epoch`` from 100 to 10 000, run with ``run_cases`` in one process; per backend,
the time the harness measured inside the implementation, and the whole ``run_cases``
(which compares trajectories as long as the loop). Linear means R² near 1 and a small
largest relative residual.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PYTHON, emit, linear_fit, median, run_timed  # noqa: E402
from overhead import TRIVIAL  # noqa: E402

LOOPS = r"""
import dataclasses, json, os, sys, time
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import torch, tensorflow
from equivalence.discovery import discover
from equivalence.runner import run_cases
steps, rounds = json.loads(sys.argv[1]), json.loads(sys.argv[2])
cases, _ = discover(["cases/regression/year_price.py"])
chosen = {c.id: c for c in cases if c.id in ("000-3.1-numpy-linreg", "000-3.2-tf-linreg")}
out = {}
for case_id, case in chosen.items():
    run_cases([dataclasses.replace(case, inputs={**case.inputs, "num_epoch": 10})], ["numpy", "torch", "tensorflow"])
    series = {}
    for n in steps:
        short = dataclasses.replace(case, inputs={**case.inputs, "num_epoch": n})
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            result = run_cases([short], ["numpy", "torch", "tensorflow"])
            total = time.perf_counter() - start
            samples.append({"run_cases": total, **{b: e.seconds for (c, b), e in result.executions.items()}})
        series[n] = samples
    out[case_id] = series
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    rounds = 1 if args.quick else 3
    counts = [1, 30, 300] if args.quick else [1, 10, 100, 300, 1000]
    steps = [100, 300, 1000] if args.quick else [100, 300, 1000, 3000, 10000]

    folder = Path(tempfile.mkdtemp(prefix="equivalence-scaling-"))
    cases_result = {}
    for mode, extra in (("cli_workers", []), ("cli_in_process", ["--in-process"])):
        seconds: dict[int, list[float]] = {n: [] for n in counts}
        for _ in range(rounds):
            for n in counts:
                (folder / f"n{n}").mkdir(exist_ok=True)
                (folder / f"n{n}" / "trivial.py").write_text(TRIVIAL.format(n=n), encoding="utf-8")
                timed = run_timed([PYTHON, "-m", "equivalence", "run", str(folder / f"n{n}"), "--backends",
                                   "numpy,torch,tensorflow", "-q", "--out", str(folder / f"out{n}"), *extra],
                                  env={"TF_CPP_MIN_LOG_LEVEL": "2"})
                assert timed.returncode == 0, timed.stderr[-2000:]
                seconds[n].append(timed.seconds)
        medians = {n: median(v) for n, v in seconds.items()}
        fit = linear_fit(list(medians), list(medians.values()))
        cases_result[mode] = {"seconds": medians, "fit": fit, "ms_per_case": 1e3 * fit["slope"]}

    shutil.rmtree(folder, ignore_errors=True)
    probe = run_timed([PYTHON, "-c", LOOPS, json.dumps(steps), json.dumps(rounds)], env={"TF_CPP_MIN_LOG_LEVEL": "2"})
    loops_result: dict[str, dict] = {}
    try:
        raw = json.loads(probe.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raw = {}
        loops_result["error"] = {"stderr": probe.stderr[-2000:]}
    for case_id, series in raw.items():
        per = {}
        for part in ("run_cases", "numpy", "torch", "tensorflow"):
            medians = {int(n): median([s[part] for s in samples]) for n, samples in series.items()}
            fit = linear_fit(list(medians), list(medians.values()))
            per[part] = {"seconds": medians, "fit": fit, "us_per_step": 1e6 * fit["slope"]}
        loops_result[case_id] = per
    emit("scaling", {"rounds": rounds, "cases": cases_result, "loops": loops_result,
                     "load_average": os.getloadavg()}, args.json)


if __name__ == "__main__":
    main()
