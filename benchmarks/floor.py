"""The floor of a catalogue run: the same implementations, called with no harness.

    python benchmarks/floor.py [PATH ...] [-k EXPR] [--backends numpy,torch,tensorflow]

What the floor does, in one process: import the three frameworks (torch before
tensorflow, the registry's order), load the case files (``equivalence.discovery``), and
for every case make its inputs once (NumPy, from the seed), then for every backend copy
them into that framework's tensors (``np.array``, ``torch.tensor``, ``tf.constant``:
what a user's own script would do) and call ``case.implementations[backend](module,
**inputs)``. An implementation that raises (some cases show a documented error) is
counted and the run goes on.

What it leaves out, and what the harness adds on top: seeding and saving/restoring
global state, turning outputs into NumPy arrays, every comparison, the result rows, the
CSV, JSON and HTML report, the worker processes. The difference between a CLI run and
this script is what the harness costs.
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "cases")])
    parser.add_argument("-k", dest="select", default=None)
    parser.add_argument("--backends", default="numpy,torch,tensorflow")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # as the TensorFlow backend does
    import numpy as np
    import tensorflow as tf
    import torch  # before tensorflow, as the registry orders them

    sys.path.insert(0, str(ROOT))
    from equivalence._select import select
    from equivalence.discovery import discover

    cases, errors = discover(args.paths)
    cases = select(cases, args.select)
    modules = {"numpy": np, "torch": torch, "tensorflow": tf}
    convert = {"numpy": lambda a: np.array(a, copy=True), "torch": torch.tensor, "tensorflow": tf.constant}
    backends = [b for b in modules if b in args.backends.split(",")]
    imported = time.perf_counter()

    calls = raised = 0
    for case in cases:
        inputs = case.make_inputs()
        for backend in backends:
            implementation = case.implementations.get(backend)
            if implementation is None:
                continue
            arguments = {
                name: convert[backend](np.asarray(value)) if isinstance(value, (np.ndarray, np.generic))
                else copy.deepcopy(value)
                for name, value in inputs.items()
            }
            calls += 1
            try:
                implementation(modules[backend], **arguments)
            except Exception:
                raised += 1
    ended = time.perf_counter()
    print(f"floor: {len(cases)} cases, {calls} calls ({raised} raised, {len(errors)} files failed to load); "
          f"imports and loading {imported - started:.2f}s, implementations {ended - imported:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
