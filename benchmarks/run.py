"""Run every benchmark and write ``benchmarks/results.json`` and ``benchmarks/results.md``.

    python benchmarks/run.py            # the full set (about an hour on 2 cores)
    python benchmarks/run.py --quick    # a smoke run of every benchmark (a few minutes)
    python benchmarks/run.py --only comparison,startup

Each benchmark is a script of its own (``suite.py``, ``overhead.py``, ``comparison.py``,
``startup.py``, ``scaling.py``, ``report.py``), run in a fresh interpreter so that what one imports
cannot speed up or slow down another; each writes JSON, and this script renders the
table with the machine it ran on (:mod:`_render`). ``floor.py`` is the plain script the
catalogue is measured against.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import PYTHON, ROOT, machine  # noqa: E402
from _render import render  # noqa: E402

BENCHMARKS = ("startup", "comparison", "overhead", "scaling", "suite", "report")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds and smaller sizes: a smoke run")
    parser.add_argument("--only", default=None, metavar="LIST", help=f"some of {','.join(BENCHMARKS)}")
    parser.add_argument("--out", default=str(HERE), metavar="DIR", help="where results.{json,md} go")
    args = parser.parse_args()
    chosen = BENCHMARKS if not args.only else tuple(b for b in BENCHMARKS if b in args.only.split(","))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    previous = out / "results.json"
    results: dict = {}
    if args.only and previous.exists():  # keep the other benchmarks' last results
        results = json.loads(previous.read_text(encoding="utf-8")).get("benchmarks", {})
    started = time.time()
    before = machine()
    with tempfile.TemporaryDirectory(prefix="equivalence-bench-") as scratch:
        for name in chosen:
            path = Path(scratch) / f"{name}.json"
            command = [PYTHON, str(HERE / f"{name}.py"), "--json", str(path), *(["--quick"] if args.quick else [])]
            print(f"[{time.strftime('%H:%M:%S')}] {name} ...", flush=True)
            began, load_before = time.perf_counter(), machine()["load_average"]
            finished = subprocess.run(command, cwd=ROOT)
            if finished.returncode != 0 or not path.exists():
                print(f"  {name} failed (exit code {finished.returncode})", file=sys.stderr)
                results[name] = {"error": f"exit code {finished.returncode}"}
                continue
            results[name] = json.loads(path.read_text(encoding="utf-8"))
            results[name]["wall_seconds"] = time.perf_counter() - began
            results[name]["measured"] = {
                "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "mode": "quick" if args.quick else "full",
                "load_average": [load_before[0], machine()["load_average"][0]],
            }
            print(f"  done in {results[name]['wall_seconds']:.0f}s", flush=True)
    document = {
        "mode": "quick" if args.quick else "full",
        "started": time.strftime("%Y-%m-%d %H:%M", time.gmtime(started)) + " UTC",
        "minutes": round((time.time() - started) / 60, 1),
        "machine": before,
        "load_average_after": machine()["load_average"],
        "benchmarks": results,
    }
    (out / "results.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    (out / "results.md").write_text(render(document), encoding="utf-8")
    print(f"wrote {out / 'results.md'} and {out / 'results.json'}")
    return 1 if any("error" in r for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
