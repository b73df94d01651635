"""Baselines: the file format, drift statuses, the commands and the pytest options.

Cases are tiny files written to a temporary folder and run in NumPy and PyTorch only,
so that these tests need no TensorFlow and stay fast: most in this process
(``--in-process``); the tests of isolation run them in worker processes, as the
commands do by default.
"""

from __future__ import annotations

import json
import math
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import AGREEING, write_cases
from equivalence import _io, discovery
from equivalence.baseline import storage
from equivalence.baseline.drift import DRIFT_COLUMNS, compare_baselines
from equivalence.baseline.storage import Baseline, BaselineError, Snapshot, load_baseline, save_baseline
from equivalence.cli import main

BACKENDS = ["--backends", "numpy,torch", "-q", "--in-process"]
#: As the commands run by default: worker processes, a discovery process.
ISOLATED = ["--backends", "numpy,torch", "-q"]

#: t-square with a third output, to remove it later.
EXTRA_OUTPUT = AGREEING.replace('"grad": 2 * x}', '"grad": 2 * x, "z": x + 1}').replace(
    '"grad": x.grad}', '"grad": x.grad, "z": x.detach() + 1}')
#: t-square raising in NumPy now.
RAISING = AGREEING.replace('return {"y": x * x, "grad": 2 * x}', 'raise RuntimeError("boom")')
OTHER = AGREEING.replace('"t-square"', '"t-other"')


def code(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exit:
        return int(exit.code or 0)


def sample() -> Baseline:
    """Every kind of value a baseline must keep bit for bit."""
    quiet_nan_with_payload = np.array([0x7FC00123], dtype=np.uint32).view(np.float32)[0]
    floats = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.5, quiet_nan_with_payload], dtype=np.float32)
    ok = Snapshot("ok", outputs={
        "floats": floats,
        "doubles": np.array([[-0.0, np.nan], [np.inf, 1e-310]]),
        "bf16": np.array([1.0, 0.5], dtype=np.float32),
        "ints": np.array([-(2**63), 2**63 - 1], dtype=np.int64),
        "flags": np.array([True, False]),
        "scalar": np.array(3, dtype=np.uint8),
        "empty": np.zeros((0, 3), dtype=np.float16),
        "name/with %odd chars ü": np.array(["ab", "c"]),
    }, dtypes={"floats": "float32", "doubles": "float64", "bf16": "bfloat16", "ints": "int64", "flags": "bool",
               "scalar": "uint8", "empty": "float16", "name/with %odd chars ü": "<U2"},
        output_errors={"none": "output is None"}, seconds=0.25)
    return Baseline(
        snapshots={("c/1 ü%", "torch"): ok,
                   ("c/1 ü%", "numpy"): Snapshot("error", "RuntimeError: boom"),
                   ("c/1 ü%", "tensorflow"): Snapshot("skipped", "tensorflow is not installed")},
        environment={"versions": {"torch": "2.13.0+cpu", "numpy": "2.4.6"}, "python": "3.11.7"},
        cases={"c/1 ü%": {"title": "a title", "file": "cases/x.py"}}, name="sample")


# -- storage ----------------------------------------------------------------------------


def test_round_trip_keeps_every_bit_and_dtype_name(tmp_path):
    original = sample()
    path = save_baseline(original, tmp_path / "b.npz")
    loaded = load_baseline(path)
    assert loaded.path == path and loaded.name == "sample" and loaded.environment == original.environment
    assert loaded.cases == original.cases
    assert set(loaded.snapshots) == set(original.snapshots)
    before, after = original.snapshots[("c/1 ü%", "torch")], loaded.snapshots[("c/1 ü%", "torch")]
    assert after.dtypes == before.dtypes and after.output_errors == before.output_errors and after.seconds == 0.25
    for name, array in before.outputs.items():
        again = after.outputs[name]
        assert again.dtype == array.dtype and again.shape == array.shape, name
        assert again.tobytes() == array.tobytes(), name  # NaN payload, -0.0, inf: bit for bit
    assert np.signbit(after.outputs["floats"][3])
    assert loaded.snapshots[("c/1 ü%", "numpy")].status == "error"
    assert loaded.snapshots[("c/1 ü%", "numpy")].message == "RuntimeError: boom"
    assert loaded.snapshots[("c/1 ü%", "tensorflow")].status == "skipped"
    with zipfile.ZipFile(path) as archive:  # plain ASCII member names, nothing pickled
        assert all(name.isascii() for name in archive.namelist())
    with np.load(path, allow_pickle=False) as archive:
        assert all(archive[k].dtype != object for k in archive.files)


def test_object_arrays_are_refused(tmp_path):
    bad = Baseline({("c", "numpy"): Snapshot("ok", outputs={"o": np.array([{}], dtype=object)})}, {})
    with pytest.raises(ValueError, match="object array"):
        save_baseline(bad, tmp_path / "b.npz")
    assert not (tmp_path / "b.npz").exists()


def _schema(value: int, tmp_path: Path) -> Path:
    original = storage.SCHEMA_VERSION
    storage.SCHEMA_VERSION = value
    try:
        return save_baseline(sample(), tmp_path / f"schema{value}.npz")
    finally:
        storage.SCHEMA_VERSION = original


def _corruptions(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = save_baseline(sample(), tmp_path / "good.npz").read_bytes()
    files: dict[str, tuple[Path, str]] = {}

    def put(name: str, data: bytes, match: str) -> None:
        path = tmp_path / name
        path.write_bytes(data)
        files[name] = (path, match)

    put("truncated.npz", good[: len(good) // 2], "corrupted or truncated")
    put("random.npz", os.urandom(512), "not a .npz archive")
    put("empty.npz", b"", "not a .npz archive")
    flipped = bytearray(good)
    middle = good.index(b"\x93NUMPY") + 200  # inside the first array's data
    flipped[middle] ^= 0xFF
    put("flipped.npz", bytes(flipped), "corrupted or truncated")
    foreign = tmp_path / "foreign.npz"
    with zipfile.ZipFile(foreign, "w") as archive:
        archive.writestr("readme.txt", "hello")
    files["foreign.npz"] = (foreign, "no metadata entry")
    other_npz = tmp_path / "other.npz"
    np.savez(other_npz, x=np.arange(3))
    files["other.npz"] = (other_npz, "no metadata entry")
    files["schema.npz"] = (_schema(99, tmp_path), "schema 99.*newer")
    return files


def test_unusable_files_raise_a_clear_error_naming_the_file(tmp_path):
    for name, (path, match) in _corruptions(tmp_path).items():
        with pytest.raises(BaselineError, match=match) as raised:
            load_baseline(path)
        assert str(raised.value).startswith(str(path)), name
        assert isinstance(raised.value, ValueError)
    with pytest.raises(BaselineError, match="no such baseline file"):
        load_baseline(tmp_path / "missing.npz")


def test_wrong_magic_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(storage, "MAGIC", "something-else")
    path = save_baseline(sample(), tmp_path / "b.npz")
    monkeypatch.undo()
    with pytest.raises(BaselineError, match="wrong magic"):
        load_baseline(path)


def test_an_existing_baseline_is_kept_unless_forced(tmp_path):
    path = save_baseline(sample(), tmp_path / "b.npz")
    data = path.read_bytes()
    other = sample()
    other.name = "other"
    with pytest.raises(FileExistsError, match="--force"):
        save_baseline(other, path)
    assert path.read_bytes() == data
    save_baseline(other, path, force=True)
    assert load_baseline(path).name == "other"


def test_a_baseline_is_readable_by_others_as_open_would_make_it(tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = save_baseline(sample(), tmp_path / "b.npz")
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600


def test_a_crash_while_writing_leaves_the_old_baseline_intact(tmp_path, monkeypatch):
    path = save_baseline(sample(), tmp_path / "b.npz")
    data = path.read_bytes()

    def crash(fd: int) -> None:  # the data is half on disk when the machine "dies"
        raise KeyboardInterrupt

    monkeypatch.setattr(_io.os, "fsync", crash)
    other = sample()
    other.name = "other"
    with pytest.raises(KeyboardInterrupt):
        save_baseline(other, path, force=True)
    assert path.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["b.npz"]  # no temporary file left behind


# -- the commands -------------------------------------------------------------------------


@pytest.fixture
def saved(case_dir, tmp_path) -> Path:
    path = tmp_path / "base.npz"
    assert code(["baseline", "save", str(case_dir), "--path", str(path), *BACKENDS]) == 0
    return path


def drift_rows(out: Path) -> list[dict]:
    return json.loads((out / "drift.json").read_text())["rows"]


def test_save_then_check_in_the_same_environment_reports_no_drift(case_dir, saved, tmp_path, capsys):
    out = tmp_path / "out"
    assert code(["baseline", "check", str(saved), str(case_dir), "--out", str(out), *BACKENDS]) == 0
    rows = drift_rows(out)
    assert [(r["output"], r["backend"]) for r in rows] == [("y", "numpy"), ("grad", "numpy"), ("y", "torch"),
                                                           ("grad", "torch")]
    assert {r["status"] for r in rows} == {"unchanged"}
    assert rows[0]["version_before"] == rows[0]["version_after"] == np.__version__
    document = json.loads((out / "drift.json").read_text())
    assert document["metadata"]["before"]["path"] == str(saved)
    assert document["metadata"]["before"]["environment"]["versions"]["numpy"] == np.__version__
    assert (out / "drift.csv").read_text().splitlines()[0] == ",".join(DRIFT_COLUMNS)
    assert (out / "results.json").exists()
    assert "unchanged: 4" in capsys.readouterr().out
    # Without --backends, a check runs the backends the baseline holds.
    assert code(["baseline", "check", str(saved), str(case_dir), "--out", str(out), "-q", "--in-process"]) == 0
    assert {r["backend"] for r in drift_rows(out)} == {"numpy", "torch"}


def _edit(path: Path, case: str, backend: str, output: str, change) -> None:  # type: ignore[no-untyped-def]
    baseline = load_baseline(path)
    snapshot = baseline.snapshots[(case, backend)]
    snapshot.outputs[output] = change(snapshot.outputs[output].copy())
    save_baseline(baseline, path, force=True)


def test_a_perturbed_stored_array_is_drift_of_the_right_size(case_dir, saved, tmp_path, capsys):
    def perturb(a: np.ndarray) -> np.ndarray:
        a[1] += 0.5  # 4.0 stored as 4.5
        return a

    _edit(saved, "t-square", "torch", "y", perturb)
    out = tmp_path / "out"
    assert code(["baseline", "check", str(saved), str(case_dir), "--out", str(out), *BACKENDS]) == 1
    rows = {(r["output"], r["backend"]): r for r in drift_rows(out)}
    drift = rows[("y", "torch")]
    assert drift["status"] == "drift" and drift["mismatched"] == 1 and drift["numel"] == 3
    assert drift["max_abs_diff"] == 0.5 and drift["max_rel_diff"] == pytest.approx(0.5 / 4.5)
    assert drift["rtol"] == 1.3e-6 and drift["atol"] == 1e-5  # float32 defaults
    assert rows[("y", "numpy")]["status"] == "unchanged"  # numpy is compared with numpy only
    printed = capsys.readouterr().out
    assert "drift" in printed and "1 of 3 elements differ" in printed


def test_a_bitwise_change_within_tolerance_is_reported_apart(case_dir, saved, tmp_path, capsys):
    _edit(saved, "t-square", "numpy", "y", lambda a: np.nextafter(a, np.float32(np.inf)))
    _edit(saved, "t-square", "numpy", "grad", lambda a: np.where(a == 2, a, a).astype(a.dtype))  # same bits
    out = tmp_path / "out"
    assert code(["baseline", "check", str(saved), str(case_dir), "--out", str(out), *BACKENDS]) == 0
    rows = {(r["output"], r["backend"]): r for r in drift_rows(out)}
    changed = rows[("y", "numpy")]
    assert changed["status"] == "bitwise_change" and changed["mismatched"] == 0
    assert changed["max_ulp_diff"] == 1 and changed["message"].startswith("3 of 3 elements changed bits")
    assert rows[("grad", "numpy")]["status"] == "unchanged"
    assert "bitwise changes within tolerance" in capsys.readouterr().out
    # `accept` takes what fails by default; a bitwise change only when asked for.
    drift = str(out / "drift.json")
    assert code(["baseline", "accept", "--drift", drift, "--reason", "new BLAS"]) == 2
    assert code(["baseline", "accept", "--drift", drift, "--reason", "new BLAS", "--status", "bitwise_change"]) == 0
    assert code(["baseline", "check", str(saved), str(case_dir), "--out", str(out), *BACKENDS]) == 0
    assert {(r["output"], r["status"]) for r in drift_rows(out) if r["backend"] == "numpy"} == {
        ("y", "accepted"), ("grad", "unchanged")}


def test_negative_zero_against_zero_is_a_bitwise_change():
    def base(value: float) -> Baseline:
        return Baseline({("c", "numpy"): Snapshot("ok", outputs={"o": np.array([value])}, dtypes={"o": "float64"})},
                        {"versions": {"numpy": "1"}})

    (row,) = compare_baselines(base(0.0), base(-0.0)).rows
    assert row.status == "bitwise_change" and row.max_abs_diff == 0
    assert row.change == "sign_of_zero" and row.message.startswith("sign of zero only: 1 of 1 elements")
    assert row.max_ulp_diff == 0 and row.max_rel_diff == 0


def test_new_removed_and_erroring_cases(tmp_path, monkeypatch):
    folder = write_cases(tmp_path / "cases", square=EXTRA_OUTPUT, other=OTHER)
    saved = tmp_path / "base.npz"
    assert code(["baseline", "save", str(folder), "--path", str(saved), *BACKENDS]) == 0
    monkeypatch.setattr(discovery, "_LOADED", {})  # a case file is imported once per process: forget it
    (folder / "other.py").unlink()
    write_cases(folder, square=RAISING, third=AGREEING.replace('"t-square"', '"t-third"'))
    out = tmp_path / "out"
    assert code(["baseline", "check", str(saved), str(folder), "--out", str(out), *BACKENDS]) == 1
    rows = {(r["case"], r["output"], r["backend"]): r for r in drift_rows(out)}
    assert rows[("t-square", "*", "numpy")]["status"] == "error"
    assert rows[("t-square", "*", "numpy")]["message"].startswith("raises now: RuntimeError: boom")
    assert rows[("t-square", "z", "torch")]["status"] == "removed"  # an output no longer returned
    assert rows[("t-square", "y", "torch")]["status"] == "unchanged"
    assert {rows[("t-other", o, b)]["status"] for o in ("y", "grad") for b in ("numpy", "torch")} == {"removed"}
    assert {rows[("t-third", o, b)]["status"] for o in ("y", "grad") for b in ("numpy", "torch")} == {"new"}


def test_removed_and_new_alone_do_not_fail_and_k_limits_the_scope(tmp_path):
    folder = write_cases(tmp_path / "cases", square=AGREEING, other=OTHER)
    saved = tmp_path / "base.npz"
    assert code(["baseline", "save", str(folder), "--path", str(saved), *BACKENDS]) == 0
    out = tmp_path / "out"
    assert code(["baseline", "check", str(saved), str(folder), "-k", "t-square", "--out", str(out), *BACKENDS]) == 0
    assert {r["case"] for r in drift_rows(out)} == {"t-square"}  # t-other is out of scope, not removed
    (folder / "other.py").unlink()
    assert code(["baseline", "check", str(saved), str(folder), "--out", str(out), *BACKENDS]) == 0
    assert {r["status"] for r in drift_rows(out) if r["case"] == "t-other"} == {"removed"}


def test_save_refuses_to_overwrite_without_force(case_dir, saved, capsys):
    data = saved.read_bytes()
    assert code(["baseline", "save", str(case_dir), "--path", str(saved), *BACKENDS]) == 2
    assert "--force" in capsys.readouterr().err
    assert saved.read_bytes() == data
    assert code(["baseline", "save", str(case_dir), "--path", str(saved), "--force", *BACKENDS]) == 0


def test_save_by_name_and_check_the_newest(case_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert code(["baseline", "save", str(case_dir), *BACKENDS]) == 0
    (saved,) = (tmp_path / "reports" / "baselines").glob("*.npz")
    assert f"numpy-{np.__version__}" in saved.name and "torch-" in saved.name
    assert code(["baseline", "save", str(case_dir), "--name", "before", *BACKENDS]) == 0
    assert (tmp_path / "reports" / "baselines" / "before.npz").exists()
    assert code(["baseline", "check", "before", str(case_dir), *BACKENDS]) == 0
    assert code(["baseline", "check", str(case_dir), *BACKENDS]) == 0  # a folder first: the newest baseline
    assert (tmp_path / "reports" / "drift.json").exists()


def test_a_corrupted_baseline_is_a_usage_error_naming_the_file(case_dir, saved, tmp_path, capsys):
    saved.write_bytes(saved.read_bytes()[:100])
    assert code(["baseline", "check", str(saved), str(case_dir), *BACKENDS]) == 2
    assert f"{saved}: corrupted or truncated baseline" in capsys.readouterr().err
    assert code(["compare", str(saved), str(saved)]) == 2
    assert code(["baseline", "check", str(tmp_path / "nope.npz"), str(case_dir), *BACKENDS]) == 2


def test_compare_two_saved_runs(case_dir, saved, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no cases/ here: the per-dtype defaults, until --cases names some
    other = tmp_path / "other.npz"
    other.write_bytes(saved.read_bytes())
    out = tmp_path / "out"
    assert code(["compare", str(saved), str(other), "--out", str(out)]) == 0
    assert {r["status"] for r in drift_rows(out)} == {"unchanged"}
    _edit(other, "t-square", "torch", "grad", lambda a: a * np.float32(1 + 1e-6))  # within float32 defaults
    assert code(["compare", str(saved), str(other), "--out", str(out)]) == 0
    assert {r["status"] for r in drift_rows(out) if r["output"] == "grad" and r["backend"] == "torch"} == {
        "bitwise_change"}
    _edit(other, "t-square", "torch", "grad", lambda a: a * np.float32(1.001))
    assert code(["compare", str(saved), str(other), "--out", str(out)]) == 1
    page = (out / "compare.html").read_text(encoding="utf-8")  # compare writes its own page, the drift first
    assert "grad" in page and "drift" in page.lower()
    # A case's own tolerance is used when the cases are given.
    loose = AGREEING.replace('documented={"y": printed("[1. 4. 9.]")})',
                             'documented={"y": printed("[1. 4. 9.]")}, tolerance=__import__("equivalence").'
                             'Tolerance(rtol=0.01, atol=0))')
    folder = write_cases(tmp_path / "loose", square=loose)
    assert code(["compare", str(saved), str(other), "--cases", str(folder), "--out", str(out)]) == 0
    row = next(r for r in drift_rows(out) if r["output"] == "grad" and r["backend"] == "torch")
    assert row["status"] == "bitwise_change" and row["rtol"] == 0.01


def test_drift_json_is_strict(tmp_path):
    before = Baseline({("c", "numpy"): Snapshot("ok", outputs={"o": np.array([1.0])}, dtypes={"o": "float64"})}, {})
    after = Baseline({("c", "numpy"): Snapshot("ok", outputs={"o": np.array([np.nan])}, dtypes={"o": "float64"})}, {})
    report = compare_baselines(before, after)
    paths = report.write(tmp_path)
    text = paths["json"].read_text()
    assert "NaN" not in text and "Infinity" not in text
    (row,) = json.loads(text)["rows"]
    assert row["status"] == "drift" and row["max_abs_diff"] == "inf"
    assert list(report.frame.columns) == list(DRIFT_COLUMNS)


# -- isolation, scope, environment ----------------------------------------------------------

#: t-square sleeping in NumPy: a case that hangs.
SLEEPING = AGREEING.replace('def with_numpy(np, x):\n', 'def with_numpy(np, x):\n    __import__("time").sleep(120)\n')


def test_isolated_save_records_it_and_the_environment_in_full(case_dir, tmp_path):
    path = tmp_path / "iso.npz"
    assert code(["baseline", "save", str(case_dir), "--path", str(path), "-j", "2", "--timeout", "60", *ISOLATED]) == 0
    environment = load_baseline(path).environment
    assert environment["isolated"] is True and environment["jobs"] == 2
    assert environment["packages"]["numpy"] == np.__version__
    assert "torch" in environment["packages"]
    assert environment["blas"]["numpy_blas"]  # NumPy's BLAS as built
    assert environment["frameworks"]["torch"]["threads"] >= 1  # asked of PyTorch itself
    assert environment["frameworks"]["torch"]["cpu_capability"]
    assert "usable_cores" in environment["threads"]
    if Path("/proc/cpuinfo").exists():
        assert environment["hardware"]["flags"] and environment["hardware"]["model"]


def test_a_hanging_case_in_check_becomes_an_error_and_the_check_goes_on(tmp_path, capsys):
    folder = write_cases(tmp_path / "cases", square=AGREEING, other=OTHER)
    saved = tmp_path / "base.npz"
    assert code(["baseline", "save", str(folder), "--path", str(saved), *BACKENDS]) == 0
    write_cases(folder, square=SLEEPING)  # t-square now sleeps in NumPy (the check imports it afresh)
    out = tmp_path / "out"
    assert code(["baseline", "check", str(saved), str(folder), "--out", str(out), "--timeout", "0.3",
                 *ISOLATED]) == 1
    rows = {(r["case"], r["output"], r["backend"]): r for r in drift_rows(out)}
    hung = rows[("t-square", "*", "numpy")]
    assert hung["status"] == "error" and hung["change"] == "error"
    assert "wall-clock time" in hung["message"] and "stopped" in hung["message"]
    # The other backend of that case, and the other case, were checked all the same.
    assert rows[("t-square", "y", "torch")]["status"] == "unchanged"
    assert {rows[("t-other", o, b)]["status"] for o in ("y", "grad") for b in ("numpy", "torch")} == {"unchanged"}
    assert json.loads((out / "drift.json").read_text())["metadata"]["after"]["environment"]["isolated"] is True


def _two(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A saved baseline of t-square and t-other, and a copy whose t-other moved in both backends
    and whose t-square moved in torch."""
    folder = write_cases(tmp_path / "cases", square=AGREEING, other=OTHER)
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    assert code(["baseline", "save", str(folder), "--path", str(a), *BACKENDS]) == 0
    b.write_bytes(a.read_bytes())
    for backend in ("numpy", "torch"):
        _edit(b, "t-other", backend, "y", lambda x: x + np.float32(1))
    _edit(b, "t-square", "torch", "grad", lambda x: x * np.float32(2))
    return folder, a, b


def test_compare_is_scoped_by_k_and_backends(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder, a, b = _two(tmp_path)
    out = tmp_path / "out"
    assert code(["compare", str(a), str(b), "--out", str(out), "--no-cases"]) == 1
    assert {r["case"] for r in drift_rows(out) if r["status"] == "drift"} == {"t-square", "t-other"}
    assert code(["compare", str(a), str(b), "--out", str(out), "-k", "t-square", "--backends", "numpy"]) == 0
    rows = drift_rows(out)
    assert {(r["case"], r["backend"]) for r in rows} == {("t-square", "numpy")}  # not 6 rows `removed`
    assert {r["status"] for r in rows} == {"unchanged"}
    assert code(["compare", str(a), str(b), "--out", str(out), "-k", "not other"]) == 1  # both are titled "square"
    assert {r["case"] for r in drift_rows(out)} == {"t-square"}
    document = json.loads((out / "drift.json").read_text())
    assert document["metadata"]["scope"]["select"] == "not other"


def test_compare_uses_the_cases_tolerances_when_their_files_are_at_hand(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    loose = AGREEING.replace('documented={"y": printed("[1. 4. 9.]")})',
                             'documented={"y": printed("[1. 4. 9.]")}, tolerance=__import__("equivalence").'
                             'Tolerance(rtol=0.01, atol=0))')
    write_cases(tmp_path / "cases", square=loose)  # ./cases: found without --cases
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    assert code(["baseline", "save", "cases", "--path", str(a), *BACKENDS]) == 0
    b.write_bytes(a.read_bytes())
    _edit(b, "t-square", "torch", "grad", lambda x: x * np.float32(1.001))  # within 1 %, beyond float32's defaults
    out = tmp_path / "out"
    assert code(["compare", str(a), str(b), "--out", str(out)]) == 0
    (row,) = [r for r in drift_rows(out) if r["output"] == "grad" and r["backend"] == "torch"]
    assert row["status"] == "bitwise_change" and row["rtol"] == 0.01
    assert "the cases' (from cases)" in capsys.readouterr().out
    assert code(["compare", str(a), str(b), "--out", str(out), "--no-cases"]) == 1


def test_the_summary_shows_the_environments_side_by_side_and_counts_per_backend(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    _, a, b = _two(tmp_path)
    changed = load_baseline(b)
    changed.environment["versions"]["numpy"] = "9.9.9"
    changed.environment["packages"]["keras"] = "4.0.0"
    save_baseline(changed, b, force=True)
    capsys.readouterr()
    code(["compare", str(a), str(b), "--out", str(tmp_path / "out")])
    printed = capsys.readouterr().out
    numpy_line = next(line for line in printed.splitlines() if line.startswith("version numpy"))
    assert np.__version__ in numpy_line and "9.9.9" in numpy_line and "≠ changed" in numpy_line
    assert any(line.startswith("package keras") and "4.0.0" in line and "≠ changed" in line
               for line in printed.splitlines())
    torch_line = next(line for line in printed.splitlines() if line.startswith("version torch"))
    assert "≠" not in torch_line
    assert "per backend:" in printed
    counts = json.loads((tmp_path / "out" / "drift.json").read_text())["metadata"]["by_backend"]
    assert counts["numpy"]["drift"] == 1 and counts["torch"]["drift"] == 2 and counts["numpy"]["unchanged"] == 3


# -- rows a maintainer can act on ----------------------------------------------------------


def _pair(before: dict, after: dict, dtypes_before: dict | None = None, dtypes_after: dict | None = None):  # type: ignore[no-untyped-def]
    def side(outputs: dict, dtypes: dict | None) -> Baseline:
        dtypes = dtypes or {k: "str" if np.asarray(v).dtype.kind == "U" else str(np.asarray(v).dtype)
                            for k, v in outputs.items()}
        return Baseline({("c", "numpy"): Snapshot("ok", outputs={k: np.asarray(v) for k, v in outputs.items()},
                                                  dtypes=dtypes)}, {"versions": {"numpy": "1"}})

    report = compare_baselines(side(before, dtypes_before), side(after, dtypes_after))
    return {r.output: r for r in report.rows}, report


def test_dtype_only_changes_are_named_and_exact_outputs_show_no_ulp():
    rows, _ = _pair(
        {"f": np.array([1.0, 0.1, 3.0]), "i": np.array([1, 2], np.int32), "b": np.array([True, False]),
         "s": np.array("Argument lr"), "g": np.array([0.1, 0.2])},
        {"f": np.array([1.0, 0.1, 3.0], np.float32), "i": np.array([1, 2], np.int64), "b": np.array([True, True]),
         "s": np.array("Argument(s) not recognized"), "g": np.array([0.1, 0.25])})
    f = rows["f"]  # NEP 50: float64 -> float32, the values within float32's tolerance
    assert f.status == "drift" and f.change == "dtype" and f.mismatched == 0
    assert f.message.startswith("dtype only: float64 → float32; the values within tolerance (at most")
    assert math.isnan(f.max_ulp_diff)  # ULPs of two dtypes are not one unit: no 715,294,044 ULP beside 0 mismatched
    assert 0 < f.tolerances < 1
    assert (f.dtype_before, f.dtype_after) == ("float64", "float32")
    i = rows["i"]
    assert i.change == "dtype" and i.message == "dtype only: int32 → int64; the values equal"
    assert math.isnan(i.max_ulp_diff)  # integers: no ULP
    b = rows["b"]
    assert b.status == "drift" and b.change == "values" and b.mismatched == 1
    assert math.isnan(b.max_ulp_diff) and math.isnan(b.max_abs_diff)  # booleans: only what changed
    assert (b.before, b.after) == ("[True, False]", "[True, True]")
    s = rows["s"]
    assert s.change == "values" and math.isnan(s.max_ulp_diff) and s.mismatched == 1
    assert (s.before, s.after) == ("'Argument lr'", "'Argument(s) not recognized'")
    g = rows["g"]
    assert (g.before, g.after) == ("[0.1, 0.2]", "[0.1, 0.25]") and g.change == "values"


def test_nan_payload_only_is_named():
    quiet = np.array([np.nan], np.float32)
    other = np.array([0x7FC00123], np.uint32).view(np.float32)
    rows, _ = _pair({"o": quiet}, {"o": other})
    assert rows["o"].status == "bitwise_change" and rows["o"].change == "nan_payload"


def test_rows_are_ranked_by_size_and_drift_json_has_the_worst_indices(tmp_path):
    before = np.zeros(100, np.float32)
    small, large = before.copy(), before.copy()
    small[7] = 0.01
    large[42], large[3] = 5.0, 1.0
    rows, report = _pair({"a_small": before, "b_large": before, "c_same": before},
                         {"a_small": small, "b_large": large, "c_same": before})
    assert [r.output for r in report.rows] == ["b_large", "a_small", "c_same"]  # largest drift first
    assert rows["b_large"].before == "[42]: 0.0" and rows["b_large"].after == "[42]: 5.0"
    document = json.loads(report.write(tmp_path)["json"].read_text())
    worst = document["rows"][0]["worst"]
    assert worst[0]["index"] == [42] and worst[0]["after"] == 5.0 and worst[0]["before"] == 0.0
    assert worst[1]["index"] == [3]
    assert document["rows"][0]["after_sha256"] and document["metadata"]["by_backend"]["numpy"]["drift"] == 2


# -- accepting an expected change ------------------------------------------------------------


def test_accept_records_a_reason_and_the_next_check_passes_it(case_dir, saved, tmp_path, capsys):
    _edit(saved, "t-square", "torch", "y", lambda a: a + np.float32(0.5))
    out = tmp_path / "out"
    check = ["baseline", "check", str(saved), str(case_dir), "--out", str(out), *BACKENDS]
    assert code(check) == 1
    drift = str(out / "drift.json")
    assert code(["baseline", "accept", "--drift", drift, "-k", "t-square"]) == 2  # a reason is required
    assert "--reason" in capsys.readouterr().err
    assert code(["baseline", "accept", "--drift", drift, "-k", "nothing-matches", "--reason", "x"]) == 2
    assert code(["baseline", "accept", "--drift", drift, "-k", "t-square and torch",
                 "--reason", "torch 2.14 rounds x*x differently"]) == 0
    entries = json.loads((tmp_path / "base.accepted.json").read_text())["accepted"]
    assert [(e["case"], e["output"], e["backend"], e["status"]) for e in entries] == [("t-square", "y", "torch",
                                                                                     "drift")]
    assert entries[0]["reason"] == "torch 2.14 rounds x*x differently" and entries[0]["after_sha256"]
    assert load_baseline(saved).snapshots[("t-square", "torch")].outputs["y"][0] == 1.5  # the baseline is kept
    capsys.readouterr()
    assert code(check) == 0  # accepted: passes, and says why
    row = next(r for r in drift_rows(out) if r["output"] == "y" and r["backend"] == "torch")
    assert row["status"] == "accepted" and row["accepted"] == "torch 2.14 rounds x*x differently"
    assert "torch 2.14 rounds x*x differently" in row["message"]
    assert "accepted" in capsys.readouterr().out
    assert code(["baseline", "accept", "--list", str(saved)]) == 0
    assert "torch 2.14 rounds" in capsys.readouterr().out
    # An entry does not carry over to a rewritten baseline.
    _edit(saved, "t-square", "torch", "y", lambda a: a + np.float32(0.5))
    assert code(check) == 1
    row = next(r for r in drift_rows(out) if r["output"] == "y" and r["backend"] == "torch")
    assert row["status"] == "drift" and "from another stored value" in row["message"]


def test_an_accepted_change_that_grows_fails_again():
    from equivalence.baseline.accepted import Acceptance

    def compare(value: float, accepted: list) -> object:  # type: ignore[type-arg]
        before = Baseline({("c", "numpy"): Snapshot("ok", outputs={"o": np.array([1.0, 2.0])},
                                                    dtypes={"o": "float64"})}, {})
        after = Baseline({("c", "numpy"): Snapshot("ok", outputs={"o": np.array([1.0, value])},
                                                   dtypes={"o": "float64"})}, {})
        (row,) = compare_baselines(before, after, accepted=accepted).rows
        return row

    first = compare(2.5, [])
    record = {**first.record(), "after_sha256": first.after_sha256, "before_sha256": first.before_sha256}
    entry = Acceptance.from_record(record, "a new rounding")
    assert compare(2.5, [entry]).status == "accepted"  # the same value
    smaller = compare(2.25, [entry])  # another value, no larger a change: accepted too
    assert smaller.status == "accepted" and smaller.accepted == "a new rounding"
    larger = compare(3.0, [entry])
    assert larger.status == "drift" and "beyond the change accepted on" in larger.message
    assert "a new rounding" in larger.message
    assert compare(2.0, [entry]).message.startswith("the accepted change no longer occurs")


def test_accept_refuses_a_drift_table_of_another_baseline(case_dir, saved, tmp_path, capsys):
    other = tmp_path / "other.npz"
    other.write_bytes(saved.read_bytes())
    _edit(saved, "t-square", "numpy", "y", lambda a: a + np.float32(1))
    out = tmp_path / "out"
    assert code(["baseline", "check", str(saved), str(case_dir), "--out", str(out), *BACKENDS]) == 1
    assert code(["baseline", "accept", str(other), "--drift", str(out / "drift.json"), "--reason", "x"]) == 2
    assert "not" in capsys.readouterr().err
    assert not (tmp_path / "other.accepted.json").exists()


# -- pytest -------------------------------------------------------------------------------


def _pytest_project(pytester, source: str = AGREEING) -> None:
    write_cases(pytester.path / "my_cases", agreeing=source)
    pytester.makeconftest('pytest_plugins = ["equivalence.pytest_plugin"]')
    pytester.makeini("[pytest]\ntestpaths = my_cases\nequivalence_cases = my_cases\n")


def _run(pytester, *args: str):  # type: ignore[no-untyped-def]
    # In process, without the plugins that are slow to import again in each inner run.
    return pytester.runpytest("--equivalence-backends", "numpy,torch", "--equivalence-in-process", "-k", "vs-baseline",
                              "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark", *args)


def test_pytest_missing_baseline_fails_then_force_regen_creates_it(pytester):
    _pytest_project(pytester)
    path = pytester.path / "base.npz"
    result = _run(pytester, "--equivalence-baseline", str(path))
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*base.npz does not exist; create it with*",
                                 "*python -m equivalence baseline save --path*"])
    assert not path.exists()
    result = _run(pytester, "--equivalence-baseline", str(path), "--equivalence-force-regen")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*regenerated 2 *entries*"])
    result.stdout.fnmatch_lines(["*did not exist*written from this run*"])
    assert set(load_baseline(path).snapshots) == {("t-square", "numpy"), ("t-square", "torch")}
    _run(pytester, "--equivalence-baseline", str(path)).assert_outcomes(passed=2)


def test_pytest_drift_fails_with_the_worst_elements_and_force_regen_rewrites(pytester):
    _pytest_project(pytester)
    path = pytester.path / "base.npz"
    _run(pytester, "--equivalence-baseline", str(path), "--equivalence-force-regen")
    _edit(path, "t-square", "torch", "y", lambda a: a + np.float32(0.25))
    result = _run(pytester, "--equivalence-baseline", str(path), "-rf")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*t-square: torch vs baseline*", "*y*drift*3/3*",
                                 "*worst elements of y:*", "*index*now*baseline*",
                                 "*--equivalence-force-regen -k 't-square'*"])
    result = _run(pytester, "--equivalence-baseline", str(path), "--equivalence-force-regen")
    result.assert_outcomes(passed=1, failed=1)  # regenerating still fails, as pytest-regressions does
    result.stdout.fnmatch_lines(["*regenerated in*base.npz*"])
    _run(pytester, "--equivalence-baseline", str(path)).assert_outcomes(passed=2)


def test_pytest_bitwise_change_passes_with_a_warning_and_corruption_fails(pytester):
    _pytest_project(pytester)
    path = pytester.path / "base.npz"
    _run(pytester, "--equivalence-baseline", str(path), "--equivalence-force-regen")
    _edit(path, "t-square", "numpy", "y", lambda a: np.nextafter(a, np.float32(0)))
    result = _run(pytester, "--equivalence-baseline", str(path))
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(["*BitwiseChangeWarning*t-square [[]numpy[]]*y (max 1 ulp)*"])
    path.write_bytes(b"garbage")
    result = _run(pytester, "--equivalence-baseline", str(path))
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*base.npz: not an equivalence baseline*"])


def test_pytest_passes_a_change_accepted_with_baseline_accept(pytester):
    _pytest_project(pytester)
    path = pytester.path / "base.npz"
    _run(pytester, "--equivalence-baseline", str(path), "--equivalence-force-regen")
    _edit(path, "t-square", "torch", "y", lambda a: a + np.float32(0.25))
    _run(pytester, "--equivalence-baseline", str(path)).assert_outcomes(passed=1, failed=1)
    out = pytester.path / "out"
    assert code(["baseline", "check", str(path), str(pytester.path / "my_cases"), "--out", str(out), *BACKENDS]) == 1
    assert code(["baseline", "accept", "--drift", str(out / "drift.json"), "--reason", "expected: a new kernel"]) == 0
    _run(pytester, "--equivalence-baseline", str(path)).assert_outcomes(passed=2)


def test_pytest_force_regen_needs_a_baseline(pytester):
    _pytest_project(pytester)
    result = _run(pytester, "--equivalence-force-regen")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--equivalence-force-regen needs --equivalence-baseline FILE*"])


def test_the_package_exports_its_names_and_imports_nothing_heavy():
    import subprocess
    import sys

    import equivalence.baseline as baseline

    for name in baseline.__all__:
        assert getattr(baseline, name) is not None, name
    modules = sorted(f"equivalence.baseline.{p.stem}" for p in Path(baseline.__file__).parent.glob("*.py")
                     if p.stem not in ("__init__", "_pytest"))
    assert "equivalence.baseline.cli" in modules and "equivalence.baseline.drift" in modules
    probe = (f"import sys, equivalence.baseline, {', '.join(modules)}\n"
             "print(sorted(m for m in ('numpy', 'pandas', 'torch', 'tensorflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_an_output_a_case_now_returns_is_new(tmp_path, monkeypatch):
    folder = write_cases(tmp_path / "cases", square=AGREEING)
    saved = tmp_path / "base.npz"
    assert code(["baseline", "save", str(folder), "--path", str(saved), *BACKENDS]) == 0
    monkeypatch.setattr(discovery, "_LOADED", {})  # a case file is imported once per process: forget it
    write_cases(folder, square=EXTRA_OUTPUT)
    out = tmp_path / "out"
    code(["baseline", "check", str(saved), str(folder), "--out", str(out), *BACKENDS])
    rows = {(r["case"], r["output"], r["backend"]): r["status"] for r in drift_rows(out)}
    assert rows[("t-square", "z", "numpy")] == "new" and rows[("t-square", "y", "numpy")] == "unchanged"


# -- one vocabulary, a backend is one file, the public API -----------------------------------


def test_drift_rows_share_the_row_machinery_and_the_vocabulary_of_results():
    from equivalence import results
    from equivalence.baseline import drift_table
    from equivalence.baseline.drift import DriftRow
    from equivalence.report import drift as report_drift

    assert issubclass(DriftRow, results.TableRow) and issubclass(results.Row, results.TableRow)
    assert issubclass(drift_table.DriftReport, results.Table)
    assert results.COLUMNS == (  # the contract: the columns of results.csv, in order
        "case", "output", "backend", "reference", "status", "tolerances", "max_abs_diff", "max_rel_diff",
        "max_ulp_diff", "mismatched", "numel", "rtol", "atol", "shape", "reference_shape", "dtype", "reference_dtype",
        "first_mismatch", "message", "seconds", "differs", "declared", "bound", "text", "reference_text")
    assert DRIFT_COLUMNS == (
        "case", "output", "backend", "status", "change", "tolerances", "max_abs_diff", "max_rel_diff", "max_ulp_diff",
        "mismatched", "numel", "rtol", "atol", "dtype_before", "dtype_after", "before", "after", "version_before",
        "version_after", "accepted", "message")
    assert drift_table.DriftReport.statuses is results.DRIFT_STATUSES
    assert drift_table.DriftReport.failing is results.DRIFT_FAILING
    assert set(results.DRIFT_SEVERITY) == set(results.DRIFT_STATUSES) == set(results.DRIFT_GLYPH)
    assert set(results.DRIFT_SHOWN_AS.values()) <= set(results.STATUSES)
    # The report's badges are the results' glyphs and colours; no second table of them.
    for name in ("ORDER", "FAILING", "GLYPH", "COLOUR"):
        assert not hasattr(report_drift, name), name
    chip = report_drift.chips({"bitwise_change": 2, "drift": 1})
    assert f"st-known_difference\">{results.DRIFT_GLYPH['bitwise_change']} bitwise change <b>2</b>" in chip
    assert f"st-fail\">{results.GLYPH['fail']} drift <b>1</b>" in chip
    # A row's worst elements and digests are in drift.json, not in the columns.
    row = DriftRow("c", "o", "numpy", "drift", worst=[((1,), 2.0, 1.0, 1.0, 1.0, 2.0)], after_sha256="ab")
    assert list(row.record()) == list(DRIFT_COLUMNS)
    assert row.json_record()["worst"][0]["index"] == [1] and row.json_record()["after_sha256"] == "ab"


class FakeBackend:
    """A backend file nobody told the baseline about: its framework is the module ``json``."""

    name = implementation = "fake"
    module_name = "json"
    is_mode = False

    def version(self) -> str:
        return "0.0.1"


def test_the_frameworks_come_from_the_backend_registry(monkeypatch):
    import json as json_module

    from equivalence import backends
    from equivalence.baseline.environment import environment_rows, frameworks_of
    from equivalence.baseline.probe import probe_frameworks

    assert frameworks_of(["numpy", "tensorflow-xla", "torch-compile", "jax-jit", "tensorflow", "pandas"]) == [
        "numpy", "tensorflow", "torch", "jax"]
    monkeypatch.setitem(backends.REGISTRY, "fake", f"{__name__}:FakeBackend")
    backends.get_backend.cache_clear()
    try:
        assert frameworks_of(["numpy", "fake"]) == ["numpy", "json"]
        # The child probes any framework for its version; nothing here names it.
        assert probe_frameworks(["json"]) == {"json": {"version": json_module.__version__}}
        labels = [row[0] for row in environment_rows(
            {"versions": {"numpy": "1", "fake": "0.0.1", "tensorflow-xla": "2", "pandas": "3"}}, {})]
        assert labels == ["version numpy", "version fake", "version pandas"]  # a mode has its framework's
    finally:
        backends.get_backend.cache_clear()


def test_the_public_api_loads_compares_and_names_versions(tmp_path):
    import equivalence.baseline as api

    for name in ("load_baseline", "compare_baselines", "environment_rows", "framework_version", "save_command",
                 "Baseline", "DriftRow", "DRIFT_STATUSES"):
        assert name in api.__all__, name
    path = api.save_baseline(sample(), tmp_path / "b.npz")
    loaded = api.load_baseline(path)
    assert loaded.versions == {"torch": "2.13.0+cpu", "numpy": "2.4.6"} and loaded.version("numpy") == "2.4.6"
    report = api.compare_baselines(loaded, api.load_baseline(path), accepted=api.load_accepted(path))
    assert sorted((r.backend, r.status) for r in report.rows if r.status != "unchanged") == [
        ("numpy", "error"), ("torch", "error")]  # numpy raised then and now; torch's output "none" was None
    assert report.failed and report.by_backend()["torch"]["unchanged"] == 8
    assert "per backend:" in api.drift_summary(report)
    assert api.save_command(path, python="/venv/bin/python", backends=["numpy", "torch"], select="002") == [
        "/venv/bin/python", "-m", "equivalence", "baseline", "save", "--path", str(path), "-q",
        "--backends", "numpy,torch", "-k", "002"]
