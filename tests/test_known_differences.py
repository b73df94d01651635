"""Known differences say what differs and how far: beyond that, a row fails.

Each test here would pass with the old, unbounded declarations; each failing assertion
names the mistake it guards against.
"""

from __future__ import annotations

import numpy as np
import pytest

from equivalence import Case, KnownDifference, Tolerance
from equivalence.runner import run_cases

FAST = ["numpy", "torch"]


def rows_of(case, backends=FAST, reference="torch"):
    return {(r.output, r.backend, r.reference): r for r in run_cases([case], backends, reference).rows}


def case_with(numpy_y, torch_y, *known, **kwargs):
    case = Case("kd", "t", inputs={"x": np.array([1.0, 2.0, 3.0], np.float32)}, known_differences=known, **kwargs)
    case.implement("numpy")(lambda np, x: {"y": numpy_y(np, x)})
    case.implement("torch")(lambda torch, x: {"y": torch_y(torch, x)})
    return case


def test_within_the_bound_is_a_known_difference_with_its_reason_and_bound_as_fields():
    case = case_with(lambda np, x: x + np.float32(1e-3), lambda torch, x: x,
                     KnownDifference("numpy adds a thousandth", outputs="y", max_abs=1.5e-3))
    row = rows_of(case)[("y", "numpy", "torch")]
    assert row.status == "known_difference"
    assert row.declared == "numpy adds a thousandth" and row.bound == "values: max_abs ≤ 0.0015"
    assert row.differs == "values" and "thousandth" not in row.message


def test_beyond_the_bound_fails_naming_the_declared_and_the_measured_size():
    case = case_with(lambda np, x: x + np.float32(0.1), lambda torch, x: x,
                     KnownDifference("numpy adds a thousandth", outputs="y", max_abs=1.5e-3))
    row = rows_of(case)[("y", "numpy", "torch")]
    assert row.status == "fail"
    assert "beyond the declared known difference: declared max_abs ≤ 0.0015, now max_abs 0.1" in row.message


@pytest.mark.parametrize("bound, ok", [({"max_ulp": 1}, True), ({"max_ulp": 0.5}, False),
                                       ({"max_rel": 1.2e-7}, True), ({"max_rel": 1e-8}, False),
                                       ({"mismatched": 1}, True), ({"mismatched": 0}, False)])
def test_each_bound_column_is_enforced(bound, ok):
    one_ulp = lambda np, x: x + np.array([0, 0, np.spacing(np.float32(3))], np.float32)  # noqa: E731
    case = case_with(one_ulp, lambda torch, x: x, KnownDifference("one ULP", **bound),
                     tolerance=Tolerance(0, 0))
    assert rows_of(case)[("y", "numpy", "torch")].status == ("known_difference" if ok else "fail")


def test_a_difference_of_another_kind_fails():
    case = case_with(lambda np, x: x.astype(np.float64), lambda torch, x: x,
                     KnownDifference("values differ", max_abs=1.0))
    row = rows_of(case)[("y", "numpy", "torch")]
    assert row.status == "fail" and "differs in dtype" in row.message and row.differs == "dtype"
    declared = case_with(lambda np, x: x.astype(np.float64), lambda torch, x: x,
                         KnownDifference("NumPy promotes", kind="dtype"))
    assert rows_of(declared)[("y", "numpy", "torch")].status == "known_difference"


def test_a_dtype_declaration_does_not_excuse_values():
    case = case_with(lambda np, x: (x * 2).astype(np.float64), lambda torch, x: x,
                     KnownDifference("NumPy promotes", kind="dtype"))
    row = rows_of(case)[("y", "numpy", "torch")]
    assert row.status == "fail" and "differs in values" in row.message


def test_a_values_declaration_without_a_bound_fails_and_says_what_was_measured():
    case = case_with(lambda np, x: x + 1, lambda torch, x: x, KnownDifference("no bound"))
    row = rows_of(case)[("y", "numpy", "torch")]
    assert row.status == "fail" and "states no bound: measured max_abs 1" in row.message


def test_a_difference_that_is_gone_is_an_unexpected_pass():
    case = case_with(lambda np, x: x, lambda torch, x: x, KnownDifference("used to differ", max_abs=1))
    assert rows_of(case)[("y", "numpy", "torch")].status == "unexpected_pass"


def test_at_names_the_only_elements_that_may_differ():
    def step_two(np, x):
        y = x.copy()
        y[2] += 1
        return y

    def all_steps(np, x):
        return x + 1

    declared = KnownDifference("step 2 only", at=np.s_[2], max_abs=1.5)
    assert rows_of(case_with(step_two, lambda torch, x: x, declared))[("y", "numpy", "torch")].status == "known_difference"
    row = rows_of(case_with(all_steps, lambda torch, x: x, declared))[("y", "numpy", "torch")]
    assert row.status == "fail" and "2 element(s) differ outside the declared ones" in row.message


def test_a_declaration_is_about_a_pair_whichever_side_is_the_reference():
    case = case_with(lambda np, x: x + np.float32(1e-3), lambda torch, x: x,
                     KnownDifference("numpy adds a thousandth", backends="numpy", references="torch", max_abs=1.5e-3))
    assert rows_of(case)[("y", "numpy", "torch")].status == "known_difference"
    swapped = rows_of(case, reference="numpy")[("y", "torch", "numpy")]
    assert swapped.status == "known_difference" and swapped.declared == "numpy adds a thousandth"


def test_a_wildcard_holds_every_backend_it_matches_to_the_bound():
    case = Case("kd", "t", inputs={"x": np.array([1.0, 2.0], np.float32)},
                known_differences=[KnownDifference("the others add a thousandth", backends="*", max_abs=1.5e-3)])
    case.implement("torch")(lambda torch, x: {"y": x})
    case.implement("numpy")(lambda np, x: {"y": x + np.float32(1e-3)})
    case.implement("tensorflow")(lambda tf, x: {"y": x + 0.5})  # a different, larger mismatch
    rows = rows_of(case, ["numpy", "torch", "tensorflow"])
    assert rows[("y", "numpy", "torch")].status == "known_difference"
    assert rows[("y", "tensorflow", "torch")].status == "fail"
    assert "now max_abs 0.5" in rows[("y", "tensorflow", "torch")].message


def test_tolerances_can_be_scoped_to_a_pair_of_backends():
    loose_for_numpy = [Tolerance(0.0, 1e-2, backends="numpy")]
    case = case_with(lambda np, x: x + np.float32(1e-3), lambda torch, x: x, tolerance=loose_for_numpy)
    assert rows_of(case)[("y", "numpy", "torch")].status == "pass"
    other = Case("kd2", "t", inputs={"x": np.array([1.0], np.float32)}, tolerance=loose_for_numpy)
    other.implement("numpy")(lambda np, x: {"y": x})
    other.implement("torch")(lambda torch, x: {"y": x})
    other.implement("tensorflow")(lambda tf, x: {"y": x + 1e-3})
    rows = rows_of(other, ["numpy", "torch", "tensorflow"])
    assert rows[("y", "tensorflow", "torch")].status == "fail"  # loosening numpy's check left TF's alone


def test_errors_and_missing_outputs_are_declarable_kinds():
    case = Case("kd", "t", inputs={"x": np.array([1.0], np.float32)},
                known_differences=[KnownDifference("numpy has no tape", kind="missing", outputs="grad")])
    case.implement("numpy")(lambda np, x: {"y": x})
    case.implement("torch")(lambda torch, x: {"y": x, "grad": x})
    rows = rows_of(case)
    assert rows[("grad", "numpy", "torch")].status == "known_difference"

    def raises(np, x):
        raise RuntimeError("not supported")

    broken = Case("kd3", "t", inputs={"x": np.array([1.0], np.float32)},
                  known_differences=[KnownDifference("numpy refuses", kind="error", backends="numpy")])
    broken.implement("numpy")(raises)
    broken.implement("torch")(lambda torch, x: {"y": x})
    (row,) = run_cases([broken], FAST).rows
    assert row.status == "known_difference" and row.differs == "error"
    undeclared = Case("kd4", "t", inputs={"x": np.array([1.0], np.float32)})
    undeclared.implement("numpy")(raises)
    undeclared.implement("torch")(lambda torch, x: {"y": x})
    assert [r.status for r in run_cases([undeclared], FAST).rows] == ["error"]  # never a skip


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind"):
        KnownDifference("x", kind="vibes")
    with pytest.raises(ValueError, match="non-negative"):
        KnownDifference("x", max_abs=-1)
