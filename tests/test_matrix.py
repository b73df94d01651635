"""The version scoreboard (``equivalence matrix``): the matrix file, the torch CPU-wheel
rule, the scoreboard's cells, failing environments, the CSV and the page.

No test makes a real environment: baselines are saved by ``baseline save`` in this
Python (NumPy only, a tiny case whose outputs depend on an environment variable, standing
for the framework versions) or built with the baseline API, and the making of
environments is replaced where a whole matrix runs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import write_cases
from equivalence.baseline import Baseline, Snapshot, save_baseline
from equivalence.cli import main
from equivalence.matrix import environments, run
from equivalence.matrix.environments import EnvironmentFailure, Made, Plan
from equivalence.matrix.outcome import EnvOutcome, read_outcomes
from equivalence.matrix.page import render_page
from equivalence.matrix.scoreboard import CSV_COLUMNS, build_scoreboard
from equivalence.matrix.spec import SpecError, load_spec
from equivalence.matrix.wheels import Wheel, check_torch, find_wheels, python_tag

ROOT = Path(__file__).resolve().parents[1]

VARYING = '''
import os
import numpy as np
from equivalence import Case

case = Case("m-vary", "outputs that move with MATRIX_TEST_MODE", inputs={"x": np.array([1.0, 2.0, 3.0], np.float32)})

@case.numpy
def with_numpy(np, x):
    mode = os.environ.get("MATRIX_TEST_MODE", "a")
    wobble = x / np.float32(3)
    if mode in ("b", "c"):
        wobble = np.nextafter(wobble, np.float32(10))  # one ULP: a bitwise change within tolerance
    out = {"same": x * 2, "wobble": wobble, "far": x + (np.float32(1) if mode == "c" else np.float32(0))}
    if mode == "a":
        out["gone"] = x
    else:
        out["extra"] = x - 1
    return out
'''

RAISING = '''
import os
import numpy as np
from equivalence import Case

case = Case("m-raise", "raises under MATRIX_TEST_MODE=c", inputs={"x": np.array([1.0, 2.0], np.float32)})

@case.numpy
def with_numpy(np, x):
    if os.environ.get("MATRIX_TEST_MODE") == "c":
        raise RuntimeError("broken in this version")
    return {"y": x + 1, "z": x * 3}
'''


def code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit:
        return int(exit.code or 0)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- the matrix file ----------------------------------------------------------------------


def test_a_matrix_file_is_read_in_order_with_aliases_and_paths_from_the_file(tmp_path):
    spec = load_spec(write(tmp_path / "m.toml", '''
[matrix]
cases = ["cases"]
select = "002"
backends = "numpy, torch"
jobs = 2
[[env]]
name = "tf2.19-np2.1"
tensorflow = "2.19.1"
numpy = "2.1.3"
[[env]]
name = "tf2.21"
tensorflow-cpu = "2.21.0"
Torch = "2.13.0+cpu"
with = ["keras==3.10.0"]
'''))
    assert [e.name for e in spec.envs] == ["tf2.19-np2.1", "tf2.21"]
    assert spec.envs[0].pins == {"tensorflow-cpu": "2.19.1", "numpy": "2.1.3"}
    assert spec.envs[1].requirements() == ["tensorflow-cpu==2.21.0", "torch==2.13.0+cpu", "keras==3.10.0"]
    assert spec.cases == (str(tmp_path / "cases"),) and spec.select == "002"
    assert spec.backends == ("numpy", "torch") and spec.jobs == 2


@pytest.mark.parametrize(("text", "match"), [
    ("", "no environment"),
    ("[env]\nname = 'a'\nnumpy = '2.1.3'", "array of tables"),
    ("[[env]]\nnumpy = '2.1.3'", "#1: no name"),
    ("[[env]]\nname = 'a/b'\nnumpy = '2.1.3'", "not usable as a folder name"),
    ("[[env]]\nname = 'a'\nnumpy = 2.1", r"numpy = 2\.1: write versions as strings"),
    ("[[env]]\nname = 'a'\nnumpy = '>=2.1'", "not an exact version"),
    ("[[env]]\nname = 'a'\nnumpy = '2.*'", "not an exact version"),
    ("[[env]]\nname = 'a'", "pins nothing"),
    ("[[env]]\nname = 'a'\ntensorflow = '2.20.0'\ntensorflow-cpu = '2.20.0'", "tensorflow-cpu is pinned twice"),
    ("[[env]]\nname = 'a'\nnumpy = '2.1.3'\nwith = [1]", "with must be a list of requirements"),
    ("[[env]]\nname = 'A'\nnumpy = '2.1.3'\n[[env]]\nname = 'a'\nnumpy = '2.4.6'", "used by \\[\\[env\\]\\] #1"),
    ("[matrix]\ncase = ['x']\n[[env]]\nname = 'a'\nnumpy = '2.1.3'", "unknown key 'case'"),
    ("[matrix]\njobs = 0\n[[env]]\nname = 'a'\nnumpy = '2.1.3'", "jobs must be a positive whole number"),
    ("[envs]\nname = 'a'", "unknown table or key 'envs'"),
    ("[[env]\nname = 'a'", "not valid TOML"),
])
def test_a_mistake_in_the_matrix_file_is_a_clear_error_naming_file_and_environment(tmp_path, text, match):
    path = write(tmp_path / "m.toml", text)
    with pytest.raises(SpecError, match=match) as raised:
        load_spec(path)
    assert str(raised.value).startswith(str(path))


def test_the_command_refuses_a_bad_matrix_file_before_making_anything(tmp_path, capsys):
    path = write(tmp_path / "m.toml", "[[env]]\nname = 'np'\nnumpy = 2.1\n")
    envs, out = tmp_path / "envs", tmp_path / "out"
    assert code(["matrix", str(path), "--envs", str(envs), "--out", str(out)]) == 2
    assert "write versions as strings" in capsys.readouterr().err
    assert not envs.exists() and not out.exists()
    assert code(["matrix", str(tmp_path / "missing.toml")]) == 2
    assert "no such file" in capsys.readouterr().err


# -- the torch CPU-wheel rule ---------------------------------------------------------------

CUDA_WHEEL = Wheel("torch-2.14.1-cp311-cp311-manylinux_2_28_x86_64.whl", "2.14.1", "/opt/x/torch-2.14.1.whl",
                   554_581_699, ("cuda-toolkit", "nvidia-cudnn-cu13", "triton"))
CPU_WHEEL = Wheel("torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl", "2.13.0+cpu", "/opt/wheels/t.whl",
                  191_794_682, ())


def fake_lookup(version: str) -> list[Wheel]:
    return {"2.13.0": [CPU_WHEEL], "2.14.1": [CUDA_WHEEL]}.get(version, [])


def test_a_cuda_torch_is_refused_with_its_size_and_a_cpu_one_pinned_exactly():
    refused = check_torch("2.14.1", lookup=fake_lookup)
    assert "554.6 MB" in refused.refused and "CUDA build" in refused.refused and "nvidia-cudnn-cu13" in refused.refused
    assert check_torch("2.14.1", allow_cuda=True, lookup=fake_lookup).refused == ""
    cpu = check_torch("2.13.0", lookup=fake_lookup)
    assert cpu.refused == "" and cpu.pin == "2.13.0+cpu"
    unknown = check_torch("9.9.9", lookup=fake_lookup)
    assert "no wheel" in unknown.refused


def test_the_command_refuses_a_cuda_torch_before_making_anything(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "find_wheels", lambda project, version, **kw: fake_lookup(version))
    monkeypatch.setattr(run, "ensure_environment", lambda *a, **k: pytest.fail("an environment was made"))
    path = write(tmp_path / "m.toml", "[[env]]\nname = 'ok'\ntorch = '2.13.0'\n"
                                      "[[env]]\nname = 'cuda'\ntorch = '2.14.1'\n")
    envs, out = tmp_path / "envs", tmp_path / "out"
    assert code(["matrix", str(path), "--envs", str(envs), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cuda: torch 2.14.1" in err and "554.6 MB" in err and "ok:" not in err
    assert "Nothing was made" in err and "--allow-cuda" in err
    assert not envs.exists() and not out.exists()


def _wheel_file(folder: Path, name: str, requires: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    version = name.split("-")[1]
    metadata = "Metadata-Version: 2.1\nName: torch\nVersion: {}\n{}".format(
        version, "".join(f"Requires-Dist: {r}\n" for r in requires))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"torch-{version}.dist-info/METADATA", metadata)
    return path


def test_wheels_are_found_in_folders_file_indexes_and_remote_indexes_without_downloading_them(tmp_path):
    tag = python_tag()
    _wheel_file(tmp_path / "links", f"torch-9.0.0+cpu-{tag}-{tag}-manylinux_2_28_x86_64.whl", ["filelock"])
    cuda = _wheel_file(tmp_path / "files", f"torch-9.1.0-{tag}-{tag}-manylinux_2_28_x86_64.whl",
                       ['nvidia-cudnn-cu13==9.2; platform_system == "Linux"', "optree; extra == 'optree'"])
    (tmp_path / "simple" / "torch").mkdir(parents=True)
    write(tmp_path / "simple" / "torch" / "index.html", f'<a href="../../files/{cuda.name}#sha256=00">x</a>')
    asked: list[str] = []

    def fetch(url: str, accept: str) -> bytes:
        asked.append(url)
        if url.endswith(".metadata"):
            return b"Name: torch\nRequires-Dist: triton==3.8\n"
        return json.dumps({"files": [{"filename": f"torch-9.2.0-{tag}-{tag}-manylinux_2_28_x86_64.whl",
                                      "url": "https://files.example/torch-9.2.0.whl", "size": 500_000_000,
                                      "core-metadata": True}]}).encode()

    where = {"find_links": [str(tmp_path / "links")], "tag": tag, "machine": "x86_64", "fetch": fetch,
             "indexes": [(tmp_path / "simple").as_uri(), "https://index.example/simple"]}
    [cpu] = find_wheels("torch", "9.0.0", **where)
    assert cpu.cpu and cpu.version == "9.0.0+cpu" and asked == []  # a local CPU build: the network is not asked
    [local_cuda] = find_wheels("torch", "9.1.0", **where)
    assert not local_cuda.cpu and local_cuda.cuda == ("nvidia-cudnn-cu13",) and local_cuda.size == cuda.stat().st_size
    [remote] = find_wheels("torch", "9.2.0", **where)
    assert remote.size == 500_000_000 and remote.cuda == ("triton",) and not remote.cpu
    assert asked[-1] == "https://files.example/torch-9.2.0.whl.metadata"
    assert find_wheels("torch", "9.0.0", **{**where, "machine": "aarch64"}) == []


# -- the scoreboard ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def varying_baselines(tmp_path_factory) -> dict[str, Path]:
    """Baselines saved by ``baseline save`` in this Python under MATRIX_TEST_MODE a, b and c."""
    folder = tmp_path_factory.mktemp("matrix")
    cases = write_cases(folder / "cases", varying=VARYING, raising=RAISING)
    saved = {}
    for mode in "abc":
        path = folder / f"{mode}.npz"
        subprocess.run([sys.executable, "-m", "equivalence", "baseline", "save", str(cases), "--path", str(path),
                        "--backends", "numpy", "--in-process", "-q"], cwd=folder, check=True, capture_output=True,
                       env={**os.environ, "MATRIX_TEST_MODE": mode})
        saved[mode] = path
    return saved


def outcomes_of(saved: dict[str, Path], failing: str = "uv pip install failed: no solution for numpy==0.1"):
    return [EnvOutcome("A", {"numpy": "1.0"}, baseline=str(saved["a"])),
            EnvOutcome("B", {"numpy": "1.1"}, baseline=str(saved["b"])),
            EnvOutcome("C", {"numpy": "1.2"}, baseline=str(saved["c"])),
            EnvOutcome("D", {"numpy": "0.1"}, status="error", reason=failing),
            EnvOutcome("E", {"numpy": "1.3"}, baseline=str(saved["a"]))]


def grid(board) -> dict[tuple[str, str], list[str]]:
    return {(r.case, r.output): [c.status for c in r.cells] for r in board.rows}


def test_each_cell_is_the_output_against_the_previous_environment(varying_baselines):
    board = build_scoreboard(outcomes_of(varying_baselines))
    cells = grid(board)
    err = "error"
    assert cells[("m-vary", "same")] == ["baseline", "unchanged", "unchanged", err, "unchanged"]
    assert cells[("m-vary", "wobble")] == ["baseline", "bitwise_change", "unchanged", err, "bitwise_change"]
    assert cells[("m-vary", "far")] == ["baseline", "unchanged", "drift", err, "drift"]
    assert cells[("m-vary", "gone")] == ["baseline", "removed", "absent", err, "new"]
    assert cells[("m-vary", "extra")] == ["absent", "new", "unchanged", err, "removed"]
    # the case raising under C: every output of it is an error there, and new again in E (compared with C)
    assert cells[("m-raise", "y")] == ["baseline", "unchanged", "error", err, "new"]
    assert ("m-raise", "*") not in cells
    rows = {(r.case, r.output): r for r in board.rows}
    assert rows[("m-vary", "wobble")].first_moved == 1 and rows[("m-vary", "wobble")].cells[1].first
    assert not rows[("m-vary", "wobble")].cells[4].first  # only the first move is marked
    assert rows[("m-vary", "far")].first_moved == 2 and rows[("m-vary", "same")].first_moved is None
    far = rows[("m-vary", "far")].cells[2]
    assert far.max_abs_diff == 1.0 and far.compared_with == "B" and far.change == "values"
    assert rows[("m-vary", "wobble")].cells[1].max_ulp_diff == 1.0
    assert [c.compared_with for c in board.columns] == ["", "A", "B", "", "C"]  # E skips the failed D
    assert [c.first_moves for c in board.columns] == [0, 1, 1, 0, 0]
    assert board.columns[1].counts["bitwise_change"] == 1 and board.columns[2].counts["drift"] == 1


def test_a_failing_environment_is_a_column_of_errors_with_its_reason(varying_baselines):
    board = build_scoreboard(outcomes_of(varying_baselines))
    column = [row.cells[3] for row in board.rows]
    assert {c.status for c in column} == {"error"} and {c.change for c in column} == {"environment"}
    assert all("no solution for numpy==0.1" in c.message for c in column)
    unreadable = outcomes_of(varying_baselines)
    unreadable[1].baseline = str(varying_baselines["a"].with_name("missing.npz"))
    board = build_scoreboard(unreadable)
    assert {row.cells[1].status for row in board.rows} == {"error"}
    assert "cannot be read" in board.rows[0].cells[1].message and board.columns[2].compared_with == "A"


def test_the_csv_has_one_line_per_row_and_environment(varying_baselines, tmp_path):
    board = build_scoreboard(outcomes_of(varying_baselines))
    path = board.write_csv(tmp_path)
    lines = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert tuple(lines[0]) == CSV_COLUMNS
    assert len(lines) == len(board.rows) * 5
    far = [line for line in lines if line["output"] == "far" and line["environment"] == "C"][0]
    assert far["status"] == "drift" and far["first_change"] == "true" and float(far["max_abs_diff"]) == 1.0
    assert far["position"] == "2" and far["compared_with"] == "B"
    assert [p.name for p in tmp_path.iterdir()] == ["matrix.csv"]  # written whole, no temporary file left


EVIL = '<script>alert("x")</script> & \u202e'


def test_the_page_is_well_formed_self_contained_and_escapes_every_text(tmp_path, varying_baselines):
    snapshot = Snapshot("ok", outputs={f"o{EVIL}": np.array([1.0, 2.0])}, dtypes={f"o{EVIL}": "float64"})
    moved = Snapshot("ok", outputs={f"o{EVIL}": np.array([1.0, 3.0])}, dtypes={f"o{EVIL}": "float64"})
    paths = []
    for name, snap in (("one", snapshot), ("two", moved)):
        baseline = Baseline({(f"c{EVIL}", "numpy"): snap}, {"packages": {"numpy": f"2.{len(name)}"}},
                            {f"c{EVIL}": {"title": EVIL, "file": "x.py"}}, name=name)
        paths.append(save_baseline(baseline, tmp_path / f"{name}.npz"))
    outcomes = [EnvOutcome("one", {"numpy": "2.3"}, baseline=str(paths[0])),
                EnvOutcome("two", {"numpy": "2.4"}, baseline=str(paths[1])),
                EnvOutcome("bad", {"numpy": "2.5"}, status="error", reason=f"install failed: {EVIL}")]
    page = render_page(build_scoreboard(outcomes), source=f"m{EVIL}.toml")
    assert "<script>alert" not in page and "\u202e" not in page and "&lt;script&gt;" in page
    assert "http://" not in page and "https://" not in page and "<link" not in page  # nothing fetched
    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))
    cells = root.findall(".//table[@class='board']/tbody/tr/td")
    first = [c for c in cells if "first" in c.get("class", "").split()]
    assert len(first) == 1 and "drift" in first[0].get("class", "") and "install failed" in page
    scripts = root.findall(".//script")
    assert len(scripts) == 1 and "alert" not in (scripts[0].text or "")
    policy = root.find(".//meta[@http-equiv='Content-Security-Policy']")  # only the page's own script runs
    assert policy is not None and "script-src 'sha256-" in policy.get("content", "")


def test_the_page_folds_the_rows_that_never_changed(varying_baselines):
    page = render_page(build_scoreboard(outcomes_of(varying_baselines)[:3]))
    root = ET.fromstring(page.removeprefix("<!DOCTYPE html>\n"))
    shown = [r for r in root.findall(".//body/table[@class='board']/tbody/tr") if r.get("data-key")]
    groups = [r.get("id") for r in root.findall(".//body/table[@class='board']/tbody/tr[@class='group']")]
    folded = root.findall(".//details//tbody/tr")
    assert groups == ["moved-1", "moved-2", "moved-none"]  # by where they first moved, then the others
    assert root.find(".//table[@class='trans']//a[@href='#moved-1']") is not None
    assert [r.get("data-key") for r in folded] == ["m-vary same numpy"]
    keys = [r.get("data-key") for r in shown]
    assert keys[0] == "m-vary wobble numpy" and "m-vary far numpy" in keys  # earliest move first
    assert all("same" not in k for k in keys)


def test_building_the_scoreboard_imports_no_framework(varying_baselines):
    probe = (f"import sys, json\nfrom equivalence.matrix.outcome import EnvOutcome\n"
             f"from equivalence.matrix.scoreboard import build_scoreboard\nfrom equivalence.matrix.page import "
             f"render_page\nrender_page(build_scoreboard([EnvOutcome('a', {{}}, baseline={str(varying_baselines['a'])!r}),"
             f" EnvOutcome('b', {{}}, baseline={str(varying_baselines['b'])!r})]))\n"
             "print(json.dumps([m for m in ('torch', 'tensorflow', 'jax') if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


# -- a whole matrix, its environments replaced --------------------------------------------


def fake_environments(monkeypatch, made: list[str], failing: str = "", saves: list | None = None) -> None:
    """ensure_environment and the save replaced: environment ``failing`` cannot be made;
    the others "save" a baseline of the tiny case under the mode their name ends with."""
    saves = [] if saves is None else saves
    monkeypatch.setattr(run, "find_wheels", lambda project, version, **kw: fake_lookup(version))
    monkeypatch.setattr(run, "pip_settings", lambda python=None: {"find-links": [], "extra-index-url": [],
                                                                  "index-url": [], "constraint": []})
    monkeypatch.setattr(run, "find_uv", lambda: "/no/uv")

    def ensure(plan: Plan, where: Path, log: Path, uv: str) -> Made:
        if plan.name == failing:
            raise EnvironmentFailure("uv pip install failed: no solution for tensorflow-cpu==0.0.1")
        made.append(plan.name)
        return Made(where, False, 0.5, {"numpy": plan.name})

    def save(python: Path, target: Path, options: run.Options, log: Path) -> None:
        saves.append(options.snapshot)
        saved = Path(os.environ["MATRIX_TEST_BASELINES"]) / f"{target.stem[-1]}.npz"
        target.write_bytes(saved.read_bytes())

    monkeypatch.setattr(run, "ensure_environment", ensure)
    monkeypatch.setattr(run, "_save", save)


MATRIX = """
[matrix]
backends = "numpy"
cases = ["{cases}"]
[[env]]
name = "env-a"
numpy = "1.26.4"
[[env]]
name = "broken-x"
tensorflow-cpu = "0.0.1"
[[env]]
name = "env-b"
numpy = "2.1.3"
[[env]]
name = "env-c"
numpy = "2.4.6"
"""


def test_a_whole_matrix_runs_on_after_a_failing_environment_and_reuses_baselines(tmp_path, monkeypatch,
                                                                                     varying_baselines, capsys):
    monkeypatch.setenv("MATRIX_TEST_BASELINES", str(varying_baselines["a"].parent))
    made: list[str] = []
    saves: list[tuple[str, ...]] = []
    fake_environments(monkeypatch, made, failing="broken-x", saves=saves)
    cases = varying_baselines["a"].parent / "cases"
    path, out = write(tmp_path / "m.toml", MATRIX.format(cases=cases)), tmp_path / "out"
    argv = ["matrix", str(path), "--out", str(out), "--envs", str(tmp_path / "envs")]
    assert code(argv) == 1  # an environment failed
    printed = capsys.readouterr().out
    assert "broken-x" in printed and "no solution for tensorflow-cpu==0.0.1" in printed
    assert made == ["env-a", "env-b", "env-c"]
    outcomes, metadata = read_outcomes(out / "matrix.json")
    assert [o.status for o in outcomes] == ["ok", "error", "ok", "ok"]
    assert outcomes[0].pins == {"numpy": "1.26.4", "torch": "2.13.0+cpu"}  # constraints.txt's CPU build, exact
    assert metadata["scope"]["backends"] == ["numpy"]
    assert sorted(p.name for p in (out / "baselines").iterdir()) == [
        "env-a.json", "env-a.npz", "env-b.json", "env-b.npz", "env-c.json", "env-c.npz"]
    rows = list(csv.DictReader(io.StringIO((out / "matrix.csv").read_text(encoding="utf-8"))))
    assert {r["status"] for r in rows if r["environment"] == "broken-x"} == {"error"}
    assert [r["status"] for r in rows if r["output"] == "far"] == ["baseline", "error", "unchanged", "drift"]
    page = (out / "matrix.html").read_text(encoding="utf-8")
    assert "no solution for tensorflow-cpu==0.0.1" in page
    # again with --reuse: no environment is looked at, the baselines are kept, the scoreboard redrawn
    made.clear()
    assert code([*argv, "--reuse"]) == 1
    assert made == [] and "reused" in capsys.readouterr().out
    # another scope is not reused
    assert code([*argv, "--reuse", "-k", "m-vary"]) == 1
    assert made == ["env-a", "env-b", "env-c"]
    # every environment ran one copy of the cases; edited since, the baselines are saved again
    assert (out / "cases" / "cases" / "varying.py").is_file()
    assert saves and all(p.startswith(str((out / "cases").resolve())) for paths in saves for p in paths)
    made.clear()
    assert code([*argv, "--reuse", "-k", "m-vary"]) == 1 and made == []
    (cases / "raising.py").write_text(RAISING + "\n# edited\n", encoding="utf-8")
    assert code([*argv, "--reuse", "-k", "m-vary"]) == 1 and made == ["env-a", "env-b", "env-c"]
    (cases / "raising.py").write_text(RAISING, encoding="utf-8")


def test_an_environment_is_made_once_and_reused_while_its_plan_is_the_same(tmp_path, monkeypatch):
    calls: list[list[str]] = []

    def fake_run(command: list[str], log: Path, cwd: Path | None = None) -> None:
        calls.append(command)
        if command[1] == "venv":
            (Path(command[-1]) / "bin").mkdir(parents=True)
            (Path(command[-1]) / "bin" / "python").write_text("", encoding="utf-8")
            (Path(command[-1]) / "pyvenv.cfg").write_text("", encoding="utf-8")

    monkeypatch.setattr(environments, "_run", fake_run)
    monkeypatch.setattr(environments, "verify", lambda where, plan: {"numpy": "2.1.3"})
    plan = Plan("e", ("numpy==2.1.3",), (), sys.executable, ("--find-links", "/opt/wheels"), (), str(ROOT))
    where, log = tmp_path / "envs" / "e", tmp_path / "log"
    first = environments.ensure_environment(plan, where, log, "uv")
    assert not first.reused and len(calls) == 3 and (where / environments.MARKER).is_file()
    assert "--find-links" in calls[1] and "--no-deps" in calls[2]
    again = environments.ensure_environment(plan, where, log, "uv")
    assert again.reused and len(calls) == 3
    other = Plan("e", ("numpy==2.4.6",), (), sys.executable, (), (), str(ROOT))
    assert not environments.ensure_environment(other, where, log, "uv").reused and len(calls) == 6

    def broken(command: list[str], log: Path, cwd: Path | None = None) -> None:
        fake_run(command, log)
        if command[1] == "pip":
            raise EnvironmentFailure("uv pip install failed")

    monkeypatch.setattr(environments, "_run", broken)
    with pytest.raises(EnvironmentFailure):
        environments.ensure_environment(plan, where, log, "uv")
    assert not where.exists()  # never left half made


def test_a_baseline_is_renamed_into_place_only_when_its_save_succeeded(tmp_path, monkeypatch):
    fake = write(tmp_path / "python", f"#!{sys.executable}\nimport os, sys\n"
                 "path = sys.argv[sys.argv.index('--path') + 1]\nopen(path, 'wb').write(b'saved')\n"
                 "print('saving...'); sys.exit(int(os.environ.get('MATRIX_FAKE_EXIT', '0')))\n")
    fake.chmod(0o755)
    target, log = tmp_path / "b" / "env.npz", tmp_path / "save.log"
    target.parent.mkdir()
    options = run.Options(out=tmp_path, select="002", backends=("numpy",), jobs=2)
    run._save(fake, target, options, log)
    assert target.read_bytes() == b"saved" and [p.name for p in target.parent.iterdir()] == ["env.npz"]
    assert "-k 002 --backends numpy -j 2" in log.read_text(encoding="utf-8")
    target.unlink()
    monkeypatch.setenv("MATRIX_FAKE_EXIT", "3")
    with pytest.raises(EnvironmentFailure, match=r"exit 3\): .*saving\.\.\."):
        run._save(fake, target, options, log)
    assert list(target.parent.iterdir()) == []  # nothing half written
