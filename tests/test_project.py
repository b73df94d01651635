"""A user's own project: its pyproject.toml settings, a helper module, parametrized cases,
a case written for two frameworks, a project-wide reference; the same results from the
console script run anywhere and from pytest; a printed command that re-runs exactly one
failing comparison."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from equivalence.cli import main

PYPROJECT = '''
[tool.equivalence]
cases = ["my_cases"]
backends = ["numpy", "torch"]
reference = "numpy"
timeout = 120

[tool.pytest.ini_options]
testpaths = ["my_cases"]
'''

HELPERS = "SCALE = 3.0\n"

CASES = '''
import numpy as np
from equivalence import Case
from helpers import SCALE

def make(dtype):
    case = Case(f"p-scale-{np.dtype(dtype).name}", "x times a project constant",
                inputs={"x": np.arange(4, dtype=dtype)})
    case.implement("numpy")(lambda np, x: {"y": x * SCALE})
    case.implement("torch")(lambda torch, x: {"y": x * SCALE})
    return case

CASES = [make(d) for d in (np.float32, np.float64)]

two = Case("p-two-frameworks", "torch only, and numpy", inputs={"x": np.array([1.0, 2.0])})
two.implement("torch")(lambda torch, x: {"y": x + 1})
two.implement("numpy")(lambda np, x: {"y": x + 1})

wrong = Case("p-wrong", "torch is off by one", inputs={"x": np.array([1.0, 2.0])})
wrong.implement("numpy")(lambda np, x: {"y": x})
wrong.implement("torch")(lambda torch, x: {"y": x + 1})

wrong_mapped = Case("p-wrong-mapped", "a case whose id extends another's", inputs={"x": np.array([1.0])})
wrong_mapped.implement("numpy")(lambda np, x: {"y": x})
wrong_mapped.implement("torch")(lambda torch, x: {"y": x})
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "my_cases").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "my_cases" / "helpers.py").write_text(HELPERS)
    (root / "my_cases" / "scaled.py").write_text(textwrap.dedent(CASES))
    return root


def _keys(rows: list[dict]) -> set[tuple]:
    return {(r["case"], r["output"], r["backend"], r["reference"], r["status"]) for r in rows}


def test_the_console_script_from_anywhere_and_pytest_agree(project: Path, tmp_path: Path) -> None:
    script = shutil.which("equivalence") or pytest.skip("the console script is not installed")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "cli-out"
    done = subprocess.run([script, "run", str(project / "my_cases"), "--out", str(out), "-q"],
                          cwd=elsewhere, capture_output=True, text=True)
    assert done.returncode == 1, done.stdout + done.stderr  # p-wrong fails
    cli_rows = json.loads((out / "results.json").read_text())["rows"]
    assert {r["reference"] for r in cli_rows} == {"numpy"}  # the project's reference
    assert {r["case"] for r in cli_rows} == {"p-scale-float32", "p-scale-float64", "p-two-frameworks", "p-wrong",
                                            "p-wrong-mapped"}
    assert not [r for r in cli_rows if r["status"] == "skipped"]

    pytest_out = tmp_path / "pytest-out"
    tested = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                             f"--equivalence-out={pytest_out}"], cwd=project, capture_output=True, text=True)
    assert tested.returncode == 1, tested.stdout[-3000:]
    pytest_rows = json.loads((pytest_out / "results.json").read_text())["rows"]
    assert _keys(pytest_rows) == _keys(cli_rows)

    # The printed command re-runs that one comparison, and only it.
    command = next(line.strip() for line in done.stdout.splitlines() if "--id p-wrong " in line + " ")
    again = subprocess.run(shlex.split(command.replace("python", sys.executable, 1)) + ["--out", str(tmp_path / "r")],
                           cwd=elsewhere, capture_output=True, text=True)
    assert again.returncode == 1
    rerun = json.loads((tmp_path / "r" / "results.json").read_text())["rows"]
    assert {(r["case"], r["backend"], r["reference"]) for r in rerun} == {("p-wrong", "torch", "numpy")}


def test_flags_override_the_project_settings(project: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(project)
    out = tmp_path / "o"
    assert main(["run", "--id", "p-two-frameworks", "--reference", "torch", "--out", str(out), "-q"]) == 0
    rows = json.loads((out / "results.json").read_text())["rows"]
    assert {r["reference"] for r in rows} == {"torch"}


def test_a_typo_in_the_settings_is_a_usage_error(project: Path, monkeypatch, capsys) -> None:
    (project / "pyproject.toml").write_text(PYPROJECT.replace("reference =", "referenec ="))
    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "-q"])
    assert exit_info.value.code == 2 and "unknown key(s) in [tool.equivalence]: referenec" in capsys.readouterr().err
