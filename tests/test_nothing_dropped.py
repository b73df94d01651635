"""Nothing is dropped silently: a case that yields no comparison is an error, a case
file that yields no case says so, a run that compared nothing exits 1; parametrized
cases and a project's own helper modules are found."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import write_cases
from equivalence import Case
from equivalence.cli import main
from equivalence.discovery import NoCaseWarning, discover
from equivalence.runner import run_cases

FAST = ["numpy", "torch"]


def test_backends_that_return_nothing_are_an_error_not_a_pass(tmp_path, capsys):
    case = Case("t-empty", "returns nothing", inputs={"x": np.array([1.0], np.float32)})
    case.implement("numpy")(lambda np, x: {})
    case.implement("torch")(lambda torch, x: {})
    (row,) = run_cases([case], FAST).rows
    assert row.status == "error" and "nothing was compared" in row.message

    folder = write_cases(tmp_path / "c", empty=textwrap.dedent('''
        import numpy as np
        from equivalence import Case
        case = Case("t-empty", "returns nothing", inputs={"x": np.array([1.0], np.float32)})
        case.implement("numpy")(lambda np, x: {})
        case.implement("torch")(lambda torch, x: {})
    '''))
    assert main(["run", str(folder), "--backends", "numpy,torch", "--out", str(tmp_path / "o"), "-q"]) == 1


def test_a_run_that_compared_nothing_exits_1(tmp_path, capsys):
    folder = write_cases(tmp_path / "c", only_numpy=textwrap.dedent('''
        import numpy as np
        from equivalence import Case
        case = Case("t-alone", "one backend", inputs={"x": np.array([1.0], np.float32)})
        case.implement("numpy")(lambda np, x: {"y": x})
    '''))
    assert main(["run", str(folder), "--backends", "numpy,torch", "--out", str(tmp_path / "o"), "-q"]) == 1
    assert "nothing was compared" in capsys.readouterr().err


def test_a_case_file_without_a_case_says_so(tmp_path):
    folder = write_cases(tmp_path / "c", nothing="X = 1\n")
    with pytest.warns(NoCaseWarning, match="defines no case"):
        cases, errors = discover([folder])
    assert not cases and not errors


def test_a_case_made_but_hidden_is_named(tmp_path):
    hidden = PARAMETRIZED.replace("CASES = [", "def _hide():\n    return [").replace("BY_NAME = ", "_X = ")
    folder = write_cases(tmp_path / "c", hidden=hidden + "\n_hide()\n")
    with pytest.warns(NoCaseWarning, match="t-sum-float32, t-sum-float64 made but not found"):
        cases, _ = discover([folder])
    assert [c.id for c in cases] == ["t-sum-int64"]


PARAMETRIZED = '''
import numpy as np
from equivalence import Case

def make(dtype):
    case = Case(f"t-sum-{np.dtype(dtype).name}", f"sum in {np.dtype(dtype).name}",
                inputs={"x": np.arange(4, dtype=dtype)})
    case.implement("numpy")(lambda np, x: {"s": x.sum()})
    case.implement("torch")(lambda torch, x: {"s": x.sum()})
    return case

CASES = [make(d) for d in (np.float32, np.float64)]
BY_NAME = {"int": make(np.int64)}
'''


def test_cases_in_lists_and_dicts_are_found_each_with_its_id(tmp_path):
    folder = write_cases(tmp_path / "c", sums=PARAMETRIZED)
    cases, errors = discover([folder])
    assert not errors and [c.id for c in cases] == ["t-sum-float32", "t-sum-float64", "t-sum-int64"]


def test_a_case_file_imports_its_projects_helpers_from_any_directory(tmp_path):
    project = tmp_path / "project"
    (project / "my_cases").mkdir(parents=True)
    (project / "my_cases" / "helpers.py").write_text("SCALE = 3.0\n")
    (project / "my_cases" / "scaled.py").write_text(textwrap.dedent('''
        import numpy as np
        from equivalence import Case
        from helpers import SCALE

        case = Case("t-scaled", "scaled", inputs={"x": np.array([1.0], np.float32)})
        case.implement("numpy")(lambda np, x: {"y": x * SCALE})
        case.implement("torch")(lambda torch, x: {"y": x * SCALE})
    '''))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([sys.executable, "-m", "equivalence", "run", str(project / "my_cases"),
                           "--backends", "numpy,torch", "--out", str(tmp_path / "o"), "-q"],
                          cwd=elsewhere, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pass: 1" in done.stdout
