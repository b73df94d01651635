"""Benchmark 2: what the harness adds to one trivial case, per backend.

The trivial case is ``y = x + 1`` on a float32 scalar with one documented value, in
every framework; the file declares ``N`` copies of it. For each backend, and for the
three together (compared with the reference, torch), the cases run through
``run_cases`` in this process and in worker processes; a progress callback stamps the
time each case finishes, and the per-case cost is the median interval between stamps
(start-up, framework imports and worker launches fall outside it). The floor is the
implementation called on freshly converted inputs, timed the same way. Overhead =
harness - floor, per case.

``breakdown`` times the steps of one in-process case directly: making the inputs,
``execute`` (seeds, state saved and restored, inputs converted, outputs collected), the
implementation alone, with its inputs converted, and that right after seeding, the seeding, NumPy's state saved and
restored (``execute`` does it for every backend), and each comparison.
"""

from __future__ import annotations

import argparse
import atexit
import copy
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, best_of, emit, median  # noqa: E402

TRIVIAL = '''
import numpy as np
from equivalence import Case, Source


def make(i):
    case = Case(f"trivial-{{i:05d}}", "y = x + 1", Source("benchmark", "trivial"),
                inputs={{"x": np.float32(3.0)}}, documented={{"y": "4.0"}})

    @case.numpy
    def with_numpy(np, x):
        return {{"y": x + 1}}

    @case.torch
    def with_torch(torch, x):
        return {{"y": x + 1}}

    @case.tensorflow
    def with_tensorflow(tf, x):
        return {{"y": x + 1}}

    return case


for _i in range({n}):
    globals()[f"case_{{_i}}"] = make(_i)
'''

BACKENDS = ("numpy", "torch", "tensorflow")


def trivial_cases(n: int) -> list:
    from equivalence.discovery import discover

    folder = Path(tempfile.mkdtemp(prefix="equivalence-trivial-"))
    atexit.register(shutil.rmtree, folder, True)
    (folder / "trivial.py").write_text(TRIVIAL.format(n=n), encoding="utf-8")
    cases, errors = discover([folder])
    assert not errors, errors
    return cases


def per_case(cases: list, backends: list[str], isolate: bool) -> tuple[float, list[float]]:
    """Median seconds between consecutive finished cases (the steady state)."""
    from equivalence.runner import run_cases

    stamps: list[float] = []
    result = run_cases(cases, backends, "torch" if "torch" in backends else backends[0], isolate=isolate,
                       progress=lambda *_: stamps.append(time.perf_counter()))
    bad = [r for r in result.rows if r.status not in ("pass",)]
    assert not bad, bad[:3]
    intervals = [b - a for a, b in zip(stamps, stamps[1:], strict=False)][len(stamps) // 10 :]  # skip the warm-up
    return median(intervals), intervals


def floor(case, backends: list[str], number: int) -> float:
    """Seconds per case of the implementations alone, on freshly converted inputs."""
    import numpy as np
    import tensorflow as tf
    import torch

    modules = {"numpy": np, "torch": torch, "tensorflow": tf}
    convert = {"numpy": lambda a: np.array(a, copy=True), "torch": torch.tensor, "tensorflow": tf.constant}
    inputs = case.make_inputs()

    def once() -> None:
        for b in backends:
            arguments = {k: convert[b](np.asarray(v)) if isinstance(v, (np.ndarray, np.generic)) else copy.deepcopy(v)
                         for k, v in inputs.items()}
            case.implementations[b](modules[b], **arguments)

    return median(best_of(once, 7, number))


def breakdown(case, number: int) -> dict[str, dict[str, float]]:
    from equivalence.backends import get_backend
    from equivalence.execution import convert_inputs, execute
    from equivalence.rows import compare_documented, compare_pair

    inputs = case.make_inputs()
    executions = {b: execute(case, b, inputs) for b in BACKENDS}
    steps: dict[str, dict[str, float]] = {}
    numpy_state = get_backend("numpy")
    for b in BACKENDS:
        execute_time = median(best_of(lambda b=b: execute(case, b, inputs), 7, number))
        steps[b] = {
            "make_inputs_ms": 1e3 * median(best_of(case.make_inputs, 7, number)),
            "execute_ms": 1e3 * execute_time,
            "implementation_ms": 1e3 * floor(case, [b], number),
            "compare_documented_ms": 1e3 * median(best_of(lambda b=b: compare_documented(case, executions[b]), 7, number)),
        }
        backend = get_backend(b)
        module, implementation = backend.load(), case.implementations[b]
        steps[b]["seed_ms"] = 1e3 * median(best_of(lambda backend=backend: backend.seed(case.seed), 7, number))
        # A seed can cost more than itself: tf.random.set_seed empties TensorFlow's kernel cache.
        steps[b]["convert_and_implementation_ms"] = 1e3 * median(best_of(
            lambda b=b, module=module, implementation=implementation: implementation(
                module, **convert_inputs(inputs, b)), 7, number))
        steps[b]["seed_convert_and_implementation_ms"] = 1e3 * median(best_of(
            lambda b=b, backend=backend, module=module, implementation=implementation: (
                backend.seed(case.seed), implementation(module, **convert_inputs(inputs, b))), 7, number))
        steps[b]["numpy_state_save_restore_ms"] = 1e3 * median(best_of(
            lambda: numpy_state.restore_state(numpy_state.save_state()), 7, number))
        if b != "torch":
            steps[b]["compare_with_torch_ms"] = 1e3 * median(
                best_of(lambda b=b: compare_pair(case, executions[b], executions["torch"]), 7, number))
    return steps


def fixed_cost(case, backends: list[str], rounds: int) -> dict[str, float]:
    """What one ``run_cases`` call costs beyond its cases, frameworks already imported:
    a single trivial case in the three backends, the first call (the frameworks' first
    ops) and the median of the later ones, less the case's own per-case cost; and
    ``run_metadata`` (framework versions, platform) alone, which every run pays once."""
    from equivalence.runner import run_cases, run_metadata

    def once() -> float:
        began = time.perf_counter()
        run_cases([case], backends=backends)
        return time.perf_counter() - began

    first = once()
    later = median([once() for _ in range(rounds)])
    began = time.perf_counter()
    for _ in range(rounds):
        run_metadata(backends, backends[0], began)
    metadata = (time.perf_counter() - began) / rounds
    return {"first_call_s": first, "later_calls_s": later, "run_metadata_s": metadata}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow  # noqa: F401
    import torch  # noqa: F401  (torch before tensorflow)

    n = 100 if args.quick else 400
    cases = trivial_cases(n)
    number = 50 if args.quick else 200
    fixed = fixed_cost(cases[0], list(BACKENDS), 10 if args.quick else 30)
    results: dict[str, dict[str, float]] = {}
    for label, backends in [*((b, [b]) for b in BACKENDS), ("all three", list(BACKENDS))]:
        floor_s = floor(cases[0], backends, number)
        entry = {"floor_ms": 1e3 * floor_s}
        for mode, isolate in (("in_process", False), ("workers", True)):
            harness_s, _ = per_case(cases, backends, isolate)
            entry[f"{mode}_ms"] = 1e3 * harness_s
            entry[f"{mode}_overhead_ms"] = 1e3 * (harness_s - floor_s)
        results[label] = entry
    all_three = results["all three"]["in_process_ms"] / 1e3
    fixed["beyond_cases_s"] = fixed["later_calls_s"] - all_three
    emit("overhead", {"cases": n, "per_case": results, "breakdown": breakdown(cases[0], number), "fixed": fixed},
         args.json)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
