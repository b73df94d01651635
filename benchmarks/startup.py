"""Benchmark 4: start-up of the commands that must not import a framework.

Wall time of ``python -m equivalence list``, ``--help`` and ``run --help`` (median of
several runs, after one run has written the bytecode), beside ``python -c pass`` and
``python -c "import numpy"`` for the floor an interpreter sets; and, in a separate
process, the heavy modules each command leaves in ``sys.modules`` (none of torch,
tensorflow, pandas, matplotlib may be there).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PYTHON, emit, median, run_timed, spread  # noqa: E402

HEAVY = ("torch", "tensorflow", "pandas", "matplotlib", "jax", "keras", "scipy")

PROBE = r"""
import contextlib, io, json, runpy, sys
heavy = json.loads(sys.argv[2])
sys.argv = ["equivalence", *json.loads(sys.argv[1])]
with contextlib.redirect_stdout(io.StringIO()):
    try:
        runpy.run_module("equivalence", run_name="__main__", alter_sys=True)
    except SystemExit:
        pass
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(heavy))))
"""

COMMANDS = {
    "python -c pass": [PYTHON, "-c", "pass"],
    "python -c 'import numpy'": [PYTHON, "-c", "import numpy"],
    "equivalence list": [PYTHON, "-m", "equivalence", "list"],
    "equivalence --help": [PYTHON, "-m", "equivalence", "--help"],
    "equivalence run --help": [PYTHON, "-m", "equivalence", "run", "--help"],
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    rounds = 5 if args.quick else 11
    # One run first writes the bytecode of the package and of the case files (even where
    # PYTHONDONTWRITEBYTECODE is set): the start of a second run on any machine.
    for command in COMMANDS.values():
        run_timed(command, env={"PYTHONDONTWRITEBYTECODE": ""})
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, command in COMMANDS.items():
            timed = run_timed(command)
            assert timed.returncode == 0, (name, timed.stderr)
            times[name].append(timed.seconds)
    heavy = {}
    for name, command in COMMANDS.items():
        if name.startswith("equivalence"):
            arguments = command[3:]
            probe = run_timed([PYTHON, "-c", PROBE, json.dumps(arguments), json.dumps(HEAVY)])
            heavy[name] = json.loads(probe.stdout.strip().splitlines()[-1]) if probe.returncode == 0 else probe.stderr
    emit("startup", {
        "rounds": rounds,
        "commands": {name: {"seconds": median(ts), "range": spread(ts), "heavy_modules_imported": heavy.get(name)}
                     for name, ts in times.items()},
    }, args.json)


if __name__ == "__main__":
    main()
