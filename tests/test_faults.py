"""Reliability: each fault a misbehaving case can cause, provoked and survived (issue 6).

The README's "Faults survived" list points here. Worker-process tests use case files
(workers load cases by path) and only the NumPy and PyTorch backends, to stay fast.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import equivalence as eq
from conftest import AGREEING, write_cases
from equivalence import Case, Source
from equivalence.runner import run_cases

ROOT = Path(__file__).resolve().parents[1]
FAST = ["numpy", "torch"]

MISBEHAVING = '''
import os, time
import numpy as np
from equivalence import Case, Source

x = {"x": np.array([1.0, 2.0], np.float32)}

hang = Case("f-hang", "hangs in numpy", Source("doc", "s"), inputs=x)
hang.implement("numpy")(lambda np, x: time.sleep(3600))
hang.implement("torch")(lambda torch, x: {"y": x})

spin = Case("f-spin", "busy loop in torch", Source("doc", "s"), inputs=x)
spin.implement("numpy")(lambda np, x: {"y": x})

@spin.torch
def spins(torch, x):
    while True:
        pass

abort = Case("f-abort", "os.abort() in torch", Source("doc", "s"), inputs=x)
abort.implement("numpy")(lambda np, x: {"y": x})
abort.implement("torch")(lambda torch, x: os.abort())

segv = Case("f-segv", "segfault in numpy", Source("doc", "s"), inputs=x)

@segv.numpy
def crashes(np, x):
    import ctypes
    ctypes.string_at(0)

segv.implement("torch")(lambda torch, x: {"y": x})

after = Case("f-after", "a good case after the bad ones", Source("doc", "s"), inputs=x)
after.implement("numpy")(lambda np, x: {"y": x * 2})
after.implement("torch")(lambda torch, x: {"y": x * 2})
'''


def by_case(result):
    rows: dict[str, list] = {}
    for row in result.rows:
        rows.setdefault(row.case, []).append(row)
    return rows


def test_hangs_and_crashes_become_errors_and_the_run_goes_on(tmp_path, monkeypatch):
    import equivalence.isolation

    # 2 s of CPU time, 5 s of wall-clock time (the runner takes the CPU limit; the wall
    # limit is WALL_FACTOR times it). Nothing here measures how long the run took: on a
    # busy machine it takes longer, and the limits still stop what they should.
    monkeypatch.setattr(equivalence.isolation, "WALL_FACTOR", 2.5)
    folder = write_cases(tmp_path / "bad", misbehaving=MISBEHAVING)
    result = eq.run(str(folder), backends=FAST, isolate=True, timeout=2, jobs=2)
    rows = by_case(result)
    [hang] = rows["f-hang"]
    assert hang.status == "error" and "Timeout" in hang.message
    assert "ran longer than 5 s of wall-clock time (it was not using the CPU: sleeping or blocked?)" in hang.message
    [spin] = rows["f-spin"]
    assert spin.status == "error" and "reference torch raised Timeout" in spin.message
    # A busy loop is stopped by either limit (by the CPU one unless the machine is so busy
    # that it got less than 2 s of CPU in 5 s).
    assert "used more than 2 s of CPU time" in spin.message or "5 s of wall-clock time" in spin.message
    [abort] = rows["f-abort"]
    assert abort.status == "error" and "SIGABRT" in abort.message
    [segv] = rows["f-segv"]
    assert segv.status == "error" and "SIGSEGV" in segv.message
    assert [r.status for r in rows["f-after"]] == ["pass"]  # fresh workers took over
    assert result.metadata["complete"] is True


def test_in_process_and_isolated_runs_give_the_same_results(case_dir):
    isolated = eq.run(str(case_dir), backends=FAST, isolate=True)
    in_process = eq.run(str(case_dir), backends=FAST, isolate=False)
    columns = ["case", "output", "backend", "reference", "status", "max_abs_diff", "max_ulp_diff"]
    assert isolated.frame[columns].equals(in_process.frame[columns])
    for key, execution in in_process.executions.items():
        for name, array in execution.outputs.items():
            assert isolated.executions[key].outputs[name].tobytes() == array.tobytes()


def make_case(**kwargs):
    kwargs.setdefault("inputs", {"x": np.array([1.0, 2.0], np.float32)})
    return Case(kwargs.pop("id", "t-case"), "title", Source("doc.txt", "§"), **kwargs)


def test_global_state_a_case_changes_is_restored():
    import tensorflow as tf
    import torch

    keras = tf.keras
    before = (torch.get_num_threads(), keras.backend.floatx(), np.random.get_state()[1].copy())
    case = make_case()

    @case.torch
    def with_torch(torch, x):
        torch.set_num_threads(1)
        torch.manual_seed(123)
        return {"y": x}

    @case.tensorflow
    def with_tensorflow(tf, x):
        tf.keras.backend.set_floatx("float64")
        tf.config.run_functions_eagerly(True)
        return {"y": x}

    @case.numpy
    def with_numpy(np, x):
        np.random.seed(99)
        np.set_printoptions(precision=2)
        return {"y": x}

    run_cases([case], ["numpy", "torch", "tensorflow"])
    assert torch.get_num_threads() == before[0]
    assert keras.backend.floatx() == before[1]
    assert not tf.config.functions_run_eagerly()
    assert np.array_equal(np.random.get_state()[1], before[2])
    assert np.get_printoptions()["precision"] == 8


@pytest.mark.parametrize(
    "returned, status, fragment",
    [
        ("lambda np, x: {'y': [1.0, 2.0]}", "error", "cannot convert output"),
        ("lambda np, x: {'y': object()}", "error", "cannot convert output"),
        ("lambda np, x: {'y': np.array([1.0, 2.0], object)}", "error", "object array"),
        ("lambda np, x: {'z': x}", "error", "returned no output 'y'"),
        ("lambda np, x: x", "error", "returned ndarray"),
        ("lambda np, x: {'y': x[:1]}", "fail", "shape (1,) != expected shape (2,)"),
    ],
)
def test_unexpected_returns_are_errors_or_mismatches_never_passes(returned, status, fragment):
    case = make_case()
    case.implement("numpy")(eval(returned))
    case.implement("torch")(lambda torch, x: {"y": x})
    rows = run_cases([case], FAST).rows
    row = next(r for r in rows if r.output in ("y", "*"))
    assert row.status == status and fragment in row.message


def test_a_python_float_is_a_dtype_mismatch_not_a_pass():
    case = make_case()
    case.implement("numpy")(lambda np, x: {"y": 3.0})
    case.implement("torch")(lambda torch, x: {"y": x.sum()})
    [row] = run_cases([case], FAST).rows
    assert row.status == "fail" and "dtype float64 != expected dtype float32" in row.message
    assert row.max_abs_diff == 0.0  # the value itself is right


def test_framework_objects_are_converted():
    """A tf.Variable, a tensor that requires grad and bfloat16 are values like any other."""
    case = make_case()
    case.implement("tensorflow")(lambda tf, x: {"y": tf.Variable(x), "h": tf.cast(x, tf.bfloat16)})
    case.implement("torch")(lambda torch, x: {"y": x.clone().requires_grad_(True) * 1, "h": x.to(torch.bfloat16)})
    rows = {(r.output, r.backend): r for r in run_cases([case], ["torch", "tensorflow"]).rows}
    assert rows[("y", "tensorflow")].status == "pass"
    assert rows[("h", "tensorflow")].status == "pass" and rows[("h", "tensorflow")].dtype == "bfloat16"


def test_nan_and_infinity_placement_and_all_nan_outputs():
    case = make_case()
    case.implement("numpy")(lambda np, x: {"placed": np.array([np.nan, np.inf], np.float32),
                                           "moved": np.array([np.nan, 1.0], np.float32),
                                           "all_nan": np.full(2, np.nan, np.float32)})
    case.implement("torch")(lambda torch, x: {"placed": torch.tensor([float("nan"), float("inf")]),
                                              "moved": torch.tensor([1.0, float("nan")]),
                                              "all_nan": torch.full((2,), float("nan"))})
    rows = {r.output: r for r in run_cases([case], FAST).rows}
    assert rows["placed"].status == "pass"
    assert rows["moved"].status == "fail" and rows["moved"].mismatched == 2
    assert rows["all_nan"].status == "fail" and "all NaN" in rows["all_nan"].message


def test_repeat_flags_outputs_that_differ_bitwise_between_runs():
    case = make_case()
    case.implement("numpy")(lambda np, x: {"y": x, "clock": np.array(time.perf_counter_ns() % 1000003, np.int64)})
    case.implement("torch")(lambda torch, x: {"y": x, "clock": torch.tensor(7)})
    rows = run_cases([case], FAST, repeat=2).rows
    reruns = {(r.output, r.backend): r for r in rows if r.reference == r.backend}
    assert reruns[("y", "numpy")].status == "pass" and reruns[("y", "torch")].status == "pass"
    assert reruns[("clock", "numpy")].status == "fail" and "not deterministic" in reruns[("clock", "numpy")].message
    assert reruns[("clock", "torch")].status == "pass"


SLOW = '''
import time
import numpy as np
from equivalence import Case, Source

for i in range(6):
    globals()[f"case{i}"] = c = Case(f"s-{i}", "slow", Source("doc", "s"), inputs={"x": np.ones(2, np.float32)})
    c.implement("numpy")(lambda np, x: (time.sleep(1.5), {"y": x})[1])
    c.implement("torch")(lambda torch, x: {"y": x})
'''


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_an_interrupted_run_keeps_what_finished_and_says_it_is_incomplete(tmp_path, sig, code):
    folder = write_cases(tmp_path / "slow", slow=SLOW)
    out = tmp_path / "reports"
    out.mkdir()
    (out / "results.json").write_text('{"metadata": {"old": true}, "rows": []}')
    process = subprocess.Popen(
        [sys.executable, "-m", "equivalence", "run", str(folder), "--backends", "numpy,torch", "--out", str(out)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # A test suite started in the background (``cmd &`` in a script, nohup) runs with
        # SIGINT ignored, and a child inherits that: give the run Ctrl-C's usual meaning.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    for line in process.stdout:  # wait for the first finished case, however long it takes
        if "s-0" in line:
            break
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=600)  # only a guard against hanging forever
    assert process.returncode == code, stderr
    document = json.loads((out / "results.json").read_text())
    assert document["metadata"]["complete"] is False
    assert "s-5" in document["metadata"]["unfinished"]
    assert {r["case"] for r in document["rows"]} >= {"s-0"}
    assert "interrupted" in stderr
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_truncated_or_foreign_results_files_name_the_file(tmp_path):
    from equivalence.results import read_results

    truncated = tmp_path / "results.json"
    truncated.write_text('{"metadata": {}, "rows": [{"case": "a"')
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"hello": "world"}')
    for path in (truncated, foreign, tmp_path / "missing.json"):
        with pytest.raises(ValueError, match=str(path.name)):
            read_results(path)


def test_hostile_text_is_escaped_in_the_terminal(tmp_path, capsys):
    from equivalence.cli import main

    hostile = AGREEING.replace('"t-square", "square"', '"t-\\x1b[2J\\x1b[31mred", "title \\x07 bell"').replace(
        'return {"y": x * x, "grad": 2 * x}', 'raise ValueError("boom \\x1b]0;pwned\\x07")')
    folder = write_cases(tmp_path / "hostile", hostile=hostile)
    assert main(["run", str(folder), "--backends", "numpy,torch", "--out", str(tmp_path / "o"), "--in-process"]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J" in out and "\\x1b]0;pwned" in out


def test_xdist_gives_the_serial_results_and_workers_do_not_clobber_files(pytester, tmp_path):
    pytest.importorskip("xdist")
    from conftest import write_cases as write

    folder = write(pytester.path / "cases", agreeing=AGREEING,
                   other=AGREEING.replace('"t-square"', '"t-other"'), third=AGREEING.replace('"t-square"', '"t-third"'))
    common = ["-p", "equivalence.pytest_plugin", f"--equivalence-cases={folder}", "--equivalence-backends=numpy,torch",
              "-p", "no:cacheprovider", str(folder)]
    serial = pytester.runpytest_subprocess(*common, f"--equivalence-out={tmp_path / 'serial'}")
    parallel = pytester.runpytest_subprocess(*common, "-n", "2", f"--equivalence-out={tmp_path / 'parallel'}")
    serial.assert_outcomes(passed=9)  # 3 cases: numpy-vs-torch and two vs-documented tests each
    parallel.assert_outcomes(passed=9)

    def rows(name):
        document = json.loads((tmp_path / name / "results.json").read_text())
        keep = ("case", "output", "backend", "reference", "status", "max_abs_diff", "max_ulp_diff", "mismatched")
        return sorted(tuple(r[k] for k in keep) for r in document["rows"])

    assert rows("serial") == rows("parallel") and len(rows("serial")) == 12
