"""The command line: exit codes, outputs, and a user's case folder outside this repository."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import AGREEING, write_cases
from equivalence.cli import main

ROOT = Path(__file__).resolve().parents[1]
# Plugins an inner pytest run does not need (hypothesis' takes seconds to import).
LIGHT = ("-p", "no:hypothesispytest", "-p", "no:benchmark")

FAILING = AGREEING.replace('"t-square"', '"t-failing"').replace('return {"y": x * x, "grad": 2 * x}',
                                                                  'return {"y": x * x + 1, "grad": 2 * x}')


def test_run_exits_0_and_writes_results(case_dir, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(case_dir), "--backends", "numpy,torch", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "t-square" in printed and "pass: 4" in printed
    document = json.loads((out / "results.json").read_text())
    assert {r["status"] for r in document["rows"]} == {"pass"}
    assert (out / "results.csv").exists()


def test_run_exits_1_on_a_failure_and_lists_it(tmp_path, capsys):
    folder = write_cases(tmp_path / "cases", failing=FAILING)
    assert main(["run", str(folder), "--backends", "numpy,torch", "--out", str(tmp_path / "o")]) == 1
    printed = capsys.readouterr().out
    assert "fail" in printed and "t-failing" in printed


def test_usage_errors_exit_2(case_dir, tmp_path, capsys):
    for argv in (
        ["run", str(case_dir), "--backends", "caffe"],
        ["run", str(tmp_path / "missing")],
        ["run", str(case_dir), "--backends", "numpy", "--reference", "torch"],
        ["run", str(case_dir), "-k", "a and ("],
        ["frobnicate"],
    ):
        try:
            code = main(argv)
        except SystemExit as exit:
            code = exit.code
        assert code == 2, argv


def test_k_selects_cases(case_dir, tmp_path, capsys):
    write_cases(case_dir, failing=FAILING)
    assert main(["run", str(case_dir), "-k", "t-square", "--backends", "numpy,torch", "--out", str(tmp_path)]) == 0
    assert main(["list", str(case_dir), "-k", "failing"]) == 0
    listing = capsys.readouterr().out
    assert "t-failing" in listing.split("running")[-1] and "1 cases" in listing


def test_module_entry_point_runs_a_user_folder_outside_the_repo(case_dir, tmp_path):
    assert not str(case_dir).startswith(str(ROOT))
    completed = subprocess.run(
        [sys.executable, "-m", "equivalence", "run", str(case_dir), "--backends", "numpy,torch",
         "--out", str(tmp_path / "o")],
        cwd=tmp_path, capture_output=True, text=True, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert (tmp_path / "o" / "results.json").exists()


def test_pytest_plugin_in_a_user_project(pytester):
    """A user's own project: the plugin enabled in its conftest, its folder named in its ini file."""
    write_cases(pytester.path / "my_cases", agreeing=AGREEING, failing=FAILING)
    pytester.makeconftest('pytest_plugins = ["equivalence.pytest_plugin"]')
    pytester.makeini("[pytest]\ntestpaths = my_cases\nequivalence_cases = my_cases\n")
    result = pytester.runpytest("--equivalence-backends", "numpy,torch", "-p", "no:cacheprovider", *LIGHT,
                                "--equivalence-out", str(pytester.path / "out"))
    result.assert_outcomes(passed=4, failed=2)  # t-failing: vs torch and vs its documented y
    result.stdout.fnmatch_lines([
        "*t-failing: numpy vs torch*",
        "*output*status*max abs*",
        "*y*fail*1*",
        "*worst elements of y:*",
        "*reproduce: python -m equivalence run*",
    ])
    rows = json.loads((pytester.path / "out" / "results.json").read_text())["rows"]
    assert {r["case"] for r in rows} == {"t-square", "t-failing"}


def test_pytest_known_difference_is_a_strict_xfail(pytester, tmp_path):
    known = FAILING.replace("from equivalence import Case, Source, printed",
                            "from equivalence import Case, KnownDifference, Source, printed")
    known = known.replace('documented={"y": printed("[1. 4. 9.]")})',
                          'known_differences=[KnownDifference("numpy adds one", outputs="y", backends="numpy", max_abs=1.5)])')
    gone = known.replace('"t-failing"', '"t-gone"').replace("x * x + 1", "x * x")
    folder = write_cases(tmp_path / "k", known=known, gone=gone)
    result = pytester.runpytest(str(folder), "-p", "equivalence.pytest_plugin", f"--equivalence-cases={folder}",
                                "--equivalence-backends=numpy,torch", "-p", "no:cacheprovider", "-rxX", "--equivalence-in-process", *LIGHT)
    result.assert_outcomes(xfailed=1, failed=1)
    result.stdout.fnmatch_lines(["*unexpected_pass*declared known difference no longer occurs*", "*XFAIL*t-failing*numpy adds one*"])


def test_pytest_collects_no_test_for_a_backend_the_case_lacks(pytester, tmp_path):
    only_numpy = AGREEING.split("@case.torch")[0]
    folder = write_cases(tmp_path / "s", only=only_numpy)
    result = pytester.runpytest(str(folder), "-p", "equivalence.pytest_plugin", f"--equivalence-cases={folder}",
                                "--equivalence-backends=numpy,torch", "-p", "no:cacheprovider", "-rs", "--equivalence-in-process", *LIGHT)
    result.assert_outcomes(passed=1)  # only numpy-vs-documented: no test for what the case does not implement


UNEXPECTED_PASS = '''
import numpy as np
from equivalence import Case, KnownDifference

case = Case("t-gone", "a difference that went away", inputs={"x": np.array([1.0], np.float32)},
            known_differences=[KnownDifference("used to differ", max_abs=1.0)])

@case.numpy
def with_numpy(np, x):
    return {"y": x}

@case.torch
def with_torch(torch, x):
    return {"y": x}
'''

RAISING_CASE = '''
import numpy as np
from equivalence import Case

case = Case("t-raises", "raises in numpy", inputs={"x": np.array([1.0], np.float32)})

@case.numpy
def with_numpy(np, x):
    raise RuntimeError("boom")

@case.torch
def with_torch(torch, x):
    return {"y": x}
'''


@pytest.mark.parametrize("source, status", [(UNEXPECTED_PASS, "unexpected_pass"), (RAISING_CASE, "error")])
def test_any_failing_row_exits_1(tmp_path, capsys, source, status):
    folder = write_cases(tmp_path / "cases", only=source)
    assert main(["run", str(folder), "--backends", "numpy,torch", "--out", str(tmp_path / "o"), "-q"]) == 1
    assert status in capsys.readouterr().out
