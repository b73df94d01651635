"""Benchmark: sweeps, examples per second per backend.

Runs ``equivalence.sweep.run_sweeps`` over the catalogue's sweeps (or ``--cases``) with a
fixed seed and no example database, ``--examples`` examples each, in worker processes as
the command does, and reports per sweep and in total:

- wall seconds of the sweep (drawing, running, comparing, shrinking what fails);
- runs: examples run, the replays and shrinking steps of a failure included;
- examples per second per backend: runs divided by the wall time of that backend's
  round trips (sending the inputs, running the case, sending the outputs back), the
  oracle (the float64 run) as a backend of its own.

The machine is shared, so the figures are of one run, with the load average before and
after; ``--repeat`` runs everything again and reports the medians.

    python benchmarks/sweep.py                       # the catalogue, 100 examples per sweep
    python benchmarks/sweep.py --examples 20 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def one_round(cases: str, examples: int, seed: int) -> tuple[float, list[dict]]:
    from equivalence.sweep.engine import run_sweeps

    started = time.perf_counter()
    result = run_sweeps(cases, examples=examples, seed=seed, database=None)
    seconds = time.perf_counter() - started
    return seconds, [s.record() for s in result.summaries]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=str(ROOT / "cases"))
    parser.add_argument("--examples", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()

    load_before = os.getloadavg()
    rounds = [one_round(args.cases, args.examples, args.seed) for _ in range(args.repeat)]
    load_after = os.getloadavg()
    total = statistics.median(seconds for seconds, _ in rounds)
    summaries = rounds[-1][1]
    backend_seconds: dict[str, float] = {}
    backend_runs: dict[str, int] = {}
    print(f"{'sweep':<40} {'runs':>5} {'seconds':>8}  examples per second per backend")
    for summary in summaries:
        label = summary["case"] + (f"[{summary['sweep']}]" if summary["sweep"] else "")
        rates = "  ".join(f"{b} {r:.0f}" for b, r in summary["examples_per_second"].items())
        print(f"{label:<40} {summary['examples']:>5} {summary['seconds']:>8.1f}  {rates}")
        for backend, seconds in summary["backend_seconds"].items():
            backend_seconds[backend] = backend_seconds.get(backend, 0.0) + seconds
            backend_runs[backend] = backend_runs.get(backend, 0) + summary["backend_examples"][backend]
    overall = {b: backend_runs[b] / s for b, s in backend_seconds.items() if s > 0}
    runs = sum(s["examples"] for s in summaries)
    print(f"\n{len(summaries)} sweeps, {runs} runs, {total:.1f} s in all (median of {args.repeat}); "
          f"load {load_before[0]:.1f} before, {load_after[0]:.1f} after")
    print("examples per second, over every sweep: " + ", ".join(f"{b} {r:.0f}" for b, r in overall.items()))
    print(f"end to end: {runs / total:.1f} runs per second (every backend, the oracle, comparison and search)")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "examples": args.examples, "seed": args.seed, "seconds": total, "runs": runs,
            "examples_per_second": overall, "load": [load_before[0], load_after[0]], "sweeps": summaries,
        }, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
