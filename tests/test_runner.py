"""Running cases: errors, missing backends, known differences, isolation of inputs and state."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import equivalence as eq
from equivalence import Case, KnownDifference, Source, printed
from equivalence.runner import run_cases

FAST = ["numpy", "torch"]


def make_case(**kwargs):
    kwargs.setdefault("inputs", {"x": np.array([1.0, 2.0], np.float32)})
    return Case(kwargs.pop("id", "t-case"), "title", Source("doc.txt", "§"), **kwargs)


def statuses(result):
    return {(r.case, r.output, r.backend, r.reference): r.status for r in result.rows}


def test_run_over_a_folder_gives_rows_and_a_frame(case_dir):
    result = eq.run(str(case_dir), backends=FAST)
    frame = result.frame
    assert list(frame.columns) == list(eq.COLUMNS)
    assert set(frame.status) == {"pass"}
    assert set(frame.reference) == {"torch", "documented"}
    assert frame.attrs["metadata"]["versions"]["torch"].startswith("2.")
    assert all(r.seconds >= 0 for r in result.rows)


def test_an_exception_in_one_backend_is_recorded_and_the_rest_runs():
    broken = make_case(id="t-broken")

    @broken.numpy
    def with_numpy(np, x):
        raise ZeroDivisionError("numpy side exploded")

    @broken.torch
    def with_torch(torch, x):
        return {"y": x}

    fine = make_case(id="t-fine")
    fine.implement("numpy")(lambda np, x: {"y": x})
    fine.implement("torch")(lambda torch, x: {"y": x})
    result = run_cases([broken, fine], FAST)
    rows = statuses(result)
    assert rows[("t-broken", "*", "numpy", "torch")] == "error"
    message = next(r.message for r in result.rows if r.case == "t-broken")
    assert "ZeroDivisionError: numpy side exploded" in message
    assert "with_numpy" in result.executions[("t-broken", "numpy")].error.traceback
    assert rows[("t-fine", "y", "numpy", "torch")] == "pass"
    assert result.failed


def test_an_error_in_the_reference_is_an_error_of_the_comparison():
    case = make_case()
    case.implement("numpy")(lambda np, x: {"y": x})

    @case.torch
    def with_torch(torch, x):
        raise RuntimeError("reference broke")

    [row] = run_cases([case], FAST).rows
    assert row.status == "error" and "reference torch raised RuntimeError: reference broke" in row.message


def test_a_backend_the_case_does_not_implement_gets_no_row_not_a_skip():
    case = make_case(documented={"y": printed("[1. 2.]")})
    case.implement("torch")(lambda torch, x: {"y": x})
    rows = run_cases([case], FAST).rows
    assert [(r.backend, r.reference, r.status) for r in rows] == [("torch", "documented", "pass")]


def test_a_case_without_the_reference_is_compared_with_a_backend_it_implements():
    case = make_case()
    case.implement("numpy")(lambda np, x: {"y": x})
    case.implement("tensorflow")(lambda tf, x: {"y": x})
    rows = run_cases([case], ["numpy", "torch", "tensorflow"], "torch").rows
    assert [(r.backend, r.reference, r.status) for r in rows] == [("tensorflow", "numpy", "pass")]


def test_known_difference_is_strict():
    case = make_case(known_differences=[KnownDifference("numpy doubles", outputs="y", backends="numpy", max_abs=2.5)])
    case.implement("numpy")(lambda np, x: {"y": 2 * x, "z": x})
    case.implement("torch")(lambda torch, x: {"y": x, "z": x})
    rows = statuses(run_cases([case], FAST))
    assert rows[("t-case", "y", "numpy", "torch")] == "known_difference"
    assert rows[("t-case", "z", "numpy", "torch")] == "pass"

    gone = make_case(known_differences=[KnownDifference("used to differ", outputs="y", max_ulp=1)])
    gone.implement("numpy")(lambda np, x: {"y": x})
    gone.implement("torch")(lambda torch, x: {"y": x})
    [row] = run_cases([gone], FAST).rows
    assert row.status == "unexpected_pass" and row.declared == "used to differ" and "no longer occurs" in row.message


def test_missing_output_none_output_and_non_mapping_are_errors_not_crashes():
    case = make_case()
    case.implement("numpy")(lambda np, x: {"y": x, "g": None})
    case.implement("torch")(lambda torch, x: {"y": x, "g": x, "only_torch": x})
    rows = {r.output: r for r in run_cases([case], FAST).rows}
    assert rows["y"].status == "pass"
    assert rows["g"].status == "error" and "None" in rows["g"].message
    assert rows["only_torch"].status == "error" and "returned no output 'only_torch'" in rows["only_torch"].message
    assert rows["only_torch"].differs == "missing"

    listy = make_case()
    listy.implement("numpy")(lambda np, x: [x])
    listy.implement("torch")(lambda torch, x: {"y": x})
    [row] = run_cases([listy], FAST).rows
    assert row.status == "error" and "returned list" in row.message


def test_documented_values_pass_and_fail_by_printed_text():
    case = make_case(documented={"y": printed("[1.0 2.1]")})
    case.implement("numpy")(lambda np, x: {"y": x})
    case.implement("torch")(lambda torch, x: {"y": x})
    rows = [r for r in run_cases([case], FAST).rows if r.reference == "documented"]
    assert {r.backend: r.status for r in rows} == {"numpy": "fail", "torch": "fail"}
    assert rows[0].mismatched == 1 and rows[0].max_abs_diff == pytest.approx(0.1, rel=1e-6)


def test_inputs_are_not_shared_between_backends():
    seen = {}
    case = make_case()

    @case.numpy
    def with_numpy(np, x):
        x += 100  # in place on the numpy copy
        return {"y": x}

    @case.torch
    def with_torch(torch, x):
        seen["torch"] = x.clone()
        x.mul_(0)
        return {"y": x}

    inputs = case.make_inputs()
    run_cases([case], FAST)
    assert seen["torch"].tolist() == [1.0, 2.0]
    assert inputs["x"].tolist() == [1.0, 2.0]


def test_global_state_is_restored_after_a_case():
    import torch

    case = make_case()

    @case.torch
    def with_torch(torch, x):
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
        return {"y": x}

    @case.numpy
    def with_numpy(np, x):
        np.seterr(all="raise")
        return {"y": x}

    run_cases([case], FAST)
    assert torch.get_default_dtype() == torch.float32
    assert torch.is_grad_enabled()
    assert np.geterr()["divide"] == "warn"


def test_seeds_are_set_before_each_backend():
    case = make_case(seed=7)
    case.implement("numpy")(lambda np, x: {"draw": np.random.rand(3)})
    case.implement("torch")(lambda torch, x: {"draw": torch.tensor(__import__("numpy").random.rand(3))})
    result = run_cases([case], FAST)
    first = result.executions[("t-case", "numpy")].outputs["draw"]
    assert np.array_equal(first, np.random.RandomState(7).rand(3))
    assert np.array_equal(first, result.executions[("t-case", "torch")].outputs["draw"])


def test_results_files_are_strict_json_with_the_contract(tmp_path, case_dir):
    case = make_case()
    case.implement("numpy")(lambda np, x: {"y": np.array([np.nan, np.inf])})
    case.implement("torch")(lambda torch, x: {"y": torch.tensor([1.0, np.inf])})
    paths = run_cases([case], FAST).write(tmp_path)
    text = paths["json"].read_text()
    document = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    assert set(document) == {"metadata", "rows"}
    row = document["rows"][0]
    assert list(row) == list(eq.COLUMNS)
    assert row["max_abs_diff"] == "inf" and row["status"] == "fail"
    metadata, rows = eq.results.read_results(paths["json"])
    assert rows[0]["max_abs_diff"] == float("inf")
    assert paths["csv"].read_text().splitlines()[0] == ",".join(eq.COLUMNS)


def test_a_missing_framework_is_skipped_with_its_reason(tmp_path, case_dir):
    """TensorFlow hidden from a subprocess: its comparisons are skipped, the rest runs."""
    script = textwrap.dedent(f"""
        import sys
        sys.modules["torch"] = None  # as if not installed: find_spec gives None, import fails
        import equivalence as eq, json
        result = eq.run({str(case_dir)!r}, backends=["numpy", "torch"])
        print(json.dumps([[r.backend, r.reference, r.status, r.message] for r in result.rows]))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    rows = json.loads(out.strip().splitlines()[-1])
    torch = [r for r in rows if r[0] == "torch"]
    assert torch and all(r[2] == "skipped" and "torch is not installed" in r[3] for r in torch)
    assert {r[2] for r in rows if r[0] == "numpy" and r[1] == "documented"} == {"pass"}
    assert {r[2] for r in rows if r[0] == "numpy" and r[1] == "torch"} == {"skipped"}


def test_duplicate_ids_name_both_files(tmp_path):
    from conftest import AGREEING, write_cases
    from equivalence.discovery import DiscoveryError

    folder = write_cases(tmp_path / "dups", first=AGREEING, second=AGREEING)
    with pytest.raises(DiscoveryError) as error:
        eq.discover([folder])
    assert "first.py" in str(error.value) and "second.py" in str(error.value)


def test_a_case_file_that_fails_to_import_is_reported_and_others_run(tmp_path):
    from conftest import AGREEING, write_cases

    folder = write_cases(tmp_path / "mixed", good=AGREEING, bad="raise ImportError('no such thing')\n")
    result = eq.run(str(folder), backends=FAST)
    bad = [r for r in result.rows if r.case.endswith("bad.py")]
    assert bad and bad[0].status == "error" and "no such thing" in bad[0].message
    assert any(r.case == "t-square" and r.status == "pass" for r in result.rows)


def test_select_expression():
    from equivalence._select import select

    cases = [make_case(id=i) for i in ("001-1-square", "002-12-crossentropy", "003-2-numpy", "002-1-topk")]
    assert [c.id for c in select(cases, "square or 003")] == ["001-1-square", "003-2-numpy"]
    assert [c.id for c in select(cases, "002-1")] == ["002-1-topk"]  # not 002-12
    assert [c.id for c in select(cases, "002-1 or 002-12")] == ["002-12-crossentropy", "002-1-topk"]
    assert [c.id for c in select(cases, "not square and not numpy")] == ["002-12-crossentropy", "002-1-topk"]
    with pytest.raises(ValueError):
        select(cases, "square and (")
