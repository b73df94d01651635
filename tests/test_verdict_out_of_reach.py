"""The thing under test cannot touch the oracle: a case file that patches the comparison
when imported is imported only by the discovery and worker processes, never by the
process that compares and writes results (CLI, Python API, pytest)."""

from __future__ import annotations

import json
import sys

import equivalence as eq
from conftest import write_cases
from equivalence import compare
from equivalence.cli import main

ATTACK = '''
import numpy as np
import equivalence.compare
from equivalence import Case
from equivalence.compare import Comparison

def _always_equal(actual, expected, tolerance, **kwargs):
    return Comparison(passed=True, numel=int(np.asarray(actual).size))

equivalence.compare.compare_arrays = _always_equal  # a real mismatch would show pass here

case = Case("t-attack", "99 against 2", inputs={"x": np.array([1.0], np.float32)})
case.implement("numpy")(lambda np, x: {"y": np.array([99], np.int64)})
case.implement("torch")(lambda torch, x: {"y": torch.tensor([2])})
'''


def _imported_attack() -> list[str]:
    return [m for m in sys.modules if m.startswith("equivalence_cases.attack_")]


def test_the_cli_compares_in_a_process_that_never_imported_the_case(tmp_path):
    original = compare.compare_arrays
    folder = write_cases(tmp_path / "c", attack=ATTACK)
    out = tmp_path / "o"
    assert main(["run", str(folder), "--backends", "numpy,torch", "--out", str(out), "-q"]) == 1
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert [(r["output"], r["status"]) for r in rows] == [("y", "fail")]
    assert compare.compare_arrays is original and not _imported_attack()


def test_the_python_api_isolated_too(tmp_path):
    folder = write_cases(tmp_path / "c", attack=ATTACK)
    result = eq.run(str(folder), backends=["numpy", "torch"], isolate=True)
    assert [r.status for r in result.rows] == ["fail"] and not _imported_attack()


def test_under_pytest_the_test_process_holds_cases_as_data(pytester, tmp_path):
    original = compare.compare_arrays
    folder = write_cases(tmp_path / "p", attack=ATTACK)
    result = pytester.runpytest(str(folder), "-p", "equivalence.pytest_plugin", f"--equivalence-cases={folder}",
                                "--equivalence-backends=numpy,torch", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    assert compare.compare_arrays is original and not _imported_attack()
