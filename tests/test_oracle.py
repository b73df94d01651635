"""A fixed-input run judged against the float64 oracle (``Case(oracle="numpy")``).

Two backends that disagree say that one is wrong, not which: the oracle (the case's
NumPy implementation on the inputs cast to float64) says which. The rule is the sweep's
(:mod:`equivalence.sweep.oracle`): farther than a multiple of the best backend's error
plus the dtype's rounding budget, and outside the tolerance.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from equivalence import Case, KnownDifference, Tolerance
from equivalence.cli import main
from equivalence.results import ORACLE, read_results
from equivalence.runner import run_cases

BACKENDS = ["numpy", "torch"]


def _inputs(rng):
    return {"x": rng.standard_normal(4096).astype(np.float32)}


def summing(torch_sum=lambda torch, x: torch.sum(x), *known, numpy_sum=lambda np, x: np.sum(x)):
    """A float32 sum, the oracle being its NumPy implementation in float64; faults are
    planted in ``torch_sum`` (or in ``numpy_sum``, which the oracle runs too)."""
    case = Case("sum", "a float32 sum", inputs=_inputs, seed=3, oracle="numpy", known_differences=known)
    case.implement("numpy")(lambda np, x: {"s": numpy_sum(np, x)})
    case.implement("torch")(lambda torch, x: {"s": torch_sum(torch, x)})
    return case


def oracle_rows(case, backends=BACKENDS):
    return {r.backend: r for r in run_cases([case], backends, "torch").rows if r.reference == ORACLE}


def test_backends_that_round_alike_pass_against_the_oracle():
    rows = oracle_rows(summing())
    assert set(rows) == {"numpy", "torch"}
    for row in rows.values():
        assert row.status == "pass", row
        assert row.reference_dtype == "float64" and row.dtype == "float32"
        assert "oracle" in row.message  # says how far each is, and the rule's bound


def test_an_error_every_backend_shares_is_rounding_not_a_fault():
    # (x + 1e8) - 1e8 in float32 loses x to cancellation in every backend alike: far
    # outside the tolerance of the float64 answer, yet no backend is farther than another.
    case = Case("cancel", "t", inputs=_inputs, oracle="numpy")
    case.implement("numpy")(lambda np, x: {"y": (x + x.dtype.type(1e8)) - x.dtype.type(1e8)})
    case.implement("torch")(lambda torch, x: {"y": (x + 1e8) - 1e8})
    rows = oracle_rows(case)
    for row in rows.values():
        assert row.status == "pass" and row.max_abs_diff > 1, row
        assert "within the rule (rounding shared by the backends)" in row.message


def test_the_backend_farther_from_the_oracle_is_the_one_that_fails():
    # torch adds one part in 10^4 to every element: numpy vs torch only says they disagree
    case = summing(lambda torch, x: torch.sum(x * (1 + 1e-4)))
    result = run_cases([case], BACKENDS, "torch")
    pair = next(r for r in result.rows if r.reference == "torch")
    assert pair.status == "fail"
    rows = {r.backend: r for r in result.rows if r.reference == ORACLE}
    assert rows["torch"].status == "fail" and rows["torch"].differs == "values"
    assert "farther from the float64 oracle" in rows["torch"].message and "best" in rows["torch"].message
    assert rows["numpy"].status == "pass"


def test_a_declared_distance_from_the_oracle_is_bounded():
    planted = lambda torch, x: torch.sum(x * (1 + 1e-4))  # noqa: E731
    measured = oracle_rows(summing(planted))["torch"].max_rel_diff
    within = KnownDifference("torch scales by 1 + 1e-4", backends="torch", references="oracle",
                             max_rel=1.5 * measured)
    row = oracle_rows(summing(planted, within))["torch"]
    assert row.status == "known_difference" and row.declared == "torch scales by 1 + 1e-4"
    beyond = KnownDifference("torch scales by 1 + 1e-4", backends="torch", references="oracle",
                             max_rel=measured / 10)
    row = oracle_rows(summing(planted, beyond))["torch"]
    assert row.status == "fail" and "beyond the declared known difference" in row.message


def test_the_oracle_gets_float64_inputs_and_its_failure_is_every_backends_error():
    def numpy_sum(np, x):
        if x.dtype == np.float64:
            raise FloatingPointError("the oracle path raised")
        return np.sum(x)

    rows = oracle_rows(summing(numpy_sum=numpy_sum))
    assert {b: r.status for b, r in rows.items()} == {"numpy": "error", "torch": "error"}
    assert all("the oracle path raised" in r.message for r in rows.values())


def test_an_oracle_the_case_does_not_implement_is_an_error_not_a_silent_pass():
    case = Case("only-torch", "t", inputs=_inputs, oracle="numpy")
    case.implement("torch")(lambda torch, x: {"s": torch.sum(x)})
    rows = oracle_rows(case, ["torch"])
    assert rows["torch"].status == "error" and "does not implement it" in rows["torch"].message


def test_an_unknown_oracle_is_refused_when_the_case_is_declared():
    with pytest.raises(ValueError, match="oracle 'fortran'"):
        Case("c", "t", oracle="fortran")


CASE_FILE = textwrap.dedent('''
    import numpy as np
    from equivalence import Case

    case = Case("planted", "numpy is off by 1e-4", inputs=lambda rng: {"x": rng.standard_normal(512).astype(np.float32)},
                oracle="numpy")

    @case.numpy
    def with_numpy(np, x):
        return {"s": np.sum(x * np.float32(1 + 1e-4)) if x.dtype == np.float32 else np.sum(x)}

    @case.torch
    def with_torch(torch, x):
        return {"s": torch.sum(x)}
''')


def test_isolated_cli_and_pytest_judge_the_oracle_alike(tmp_path, pytester):
    folder = tmp_path / "cases"
    folder.mkdir()
    (folder / "planted.py").write_text(CASE_FILE)
    assert main(["run", str(folder), "--backends", "numpy,torch", "--out", str(tmp_path / "out"), "-q"]) == 1
    _, records = read_results(tmp_path / "out" / "results.json")
    statuses = {r["backend"]: r["status"] for r in records if r["reference"] == ORACLE}
    assert statuses == {"numpy": "fail", "torch": "pass"}

    (pytester.path / "planted.py").write_text(CASE_FILE)
    result = pytester.runpytest_subprocess("planted.py", "--equivalence-cases", str(pytester.path),
                                           "--equivalence-backends", "numpy,torch", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*FAILED*planted[[]numpy-vs-oracle[]]*"])
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed") == 2 and outcomes.get("passed") == 1, outcomes  # numpy vs torch, numpy vs oracle


@pytest.mark.parametrize("wrong", ["nan", "plus-one"])
def test_a_backend_alone_in_its_dtype_is_held_to_the_others_best_not_its_own(wrong):
    # torch returns float64 where NumPy returns float32: alone in its dtype, it used to be
    # its own bar (allowed = 3 x its own error), so NaN or every element off by 1 passed.
    case = Case("lone", "t", inputs={"x": np.array([1.0, 2.0, 3.0], np.float32)}, oracle="numpy")
    case.implement("numpy")(lambda np, x: {"y": x * 1})
    if wrong == "nan":
        case.implement("torch")(lambda torch, x: {"y": (x * float("nan")).double()})
    else:
        case.implement("torch")(lambda torch, x: {"y": (x + 1).double()})
    rows = oracle_rows(case)
    assert rows["numpy"].status == "pass"
    assert rows["torch"].status == "fail" and "farther from the float64 oracle" in rows["torch"].message


def test_a_pass_by_the_rounding_budget_alone_does_not_claim_a_shared_rounding():
    # Values near 1e-8: one float32 epsilon of max(RMS, 1) allows 1.2e-7, so torch 70 % off
    # is within the rule; the message says it is the budget, not rounding every side shares.
    case = Case("small", "t", inputs={"x": np.array([1e-8, 2e-8, 3e-8], np.float32)}, oracle="numpy",
                tolerance=Tolerance(rtol=1.3e-6, atol=1e-14))
    case.implement("numpy")(lambda np, x: {"y": x * 1})
    case.implement("torch")(lambda torch, x: {"y": x * 0.3})
    row = oracle_rows(case)["torch"]
    assert row.status == "pass" and row.max_rel_diff > 0.5
    assert "only by the float32 rounding budget" in row.message and "shared" not in row.message
