"""Comparison semantics on hand-made arrays (equivalence.compare)."""

from __future__ import annotations

import numpy as np
import pytest

from equivalence.compare import compare_arrays, ulp_distance
from equivalence.tolerance import Tolerance, default_tolerance

F32 = default_tolerance("float32")


def test_default_tolerances_are_torchs_and_the_looser_wins():
    assert default_tolerance("float32") == Tolerance(1.3e-6, 1e-5)
    assert default_tolerance("float64") == Tolerance(1e-7, 1e-7)
    assert default_tolerance("float16") == Tolerance(1e-3, 1e-5)
    assert default_tolerance("bfloat16") == Tolerance(1.6e-2, 1e-5)
    assert default_tolerance("float32", "float64") == Tolerance(1.3e-6, 1e-5)
    assert default_tolerance("int64", "int32") == Tolerance(0.0, 0.0)


def test_equal_arrays_pass_with_zero_statistics():
    a = np.linspace(-3, 3, 7, dtype=np.float32)
    result = compare_arrays(a, a.copy(), F32)
    assert result.passed and result.mismatched == 0 and result.numel == 7
    assert result.max_abs_diff == result.max_rel_diff == result.max_ulp_diff == 0.0


def test_nan_against_nan_at_the_same_place_is_equal():
    a = np.array([1.0, np.nan, 3.0], np.float32)
    result = compare_arrays(a, a.copy(), F32)
    assert result.passed and result.max_abs_diff == 0.0 and result.max_ulp_diff == 0.0


def test_nan_against_a_number_is_a_mismatch_even_with_huge_tolerance():
    a = np.array([1.0, np.nan, 3.0], np.float32)
    e = np.array([1.0, 2.0, np.nan], np.float32)
    result = compare_arrays(a, e, Tolerance(1e9, 1e9))
    assert not result.passed
    assert result.mismatched == 2
    assert result.max_abs_diff == np.inf and result.max_ulp_diff == np.inf
    assert {w[0] for w in result.worst[:2]} == {(1,), (2,)}


@pytest.mark.parametrize(
    "actual, expected, equal",
    [
        (np.inf, np.inf, True),
        (-np.inf, -np.inf, True),
        (np.inf, -np.inf, False),
        (np.inf, 3.4e38, False),  # an infinity must meet the same infinity, whatever the tolerance
        (-0.0, 0.0, True),
    ],
)
def test_infinities_and_signed_zero(actual, expected, equal):
    result = compare_arrays(np.array([actual], np.float32), np.array([expected], np.float32), Tolerance(1.0, 1e38))
    assert result.passed is equal
    if actual == expected:
        assert result.max_ulp_diff == 0.0  # -0.0 and 0.0 are 0 ULP apart


def test_ulp_distance_matches_nextafter():
    x = np.float32(1.5)
    steps = [x]
    for _ in range(5):
        steps.append(np.nextafter(steps[-1], np.float32(np.inf)))
    for n, y in enumerate(steps):
        assert ulp_distance(np.array([x]), np.array([y]), "float32")[0] == n
    # across zero: the smallest subnormals on either side are 2 ULP apart (via ±0)
    tiny = np.nextafter(np.float32(0), np.float32(1))
    assert ulp_distance(np.array([-tiny]), np.array([tiny]), "float32")[0] == 2
    d = np.float64(1e300)
    assert ulp_distance(np.array([d]), np.array([np.nextafter(d, np.inf)]), "float64")[0] == 1
    assert ulp_distance(np.array([1.0]), np.array([np.nextafter(np.float16(1), np.float16(2))]), "float16")[0] == 1


def test_ulp_is_counted_in_the_coarser_dtype():
    a = np.array([1.0], np.float32)
    e = np.array([np.nextafter(np.float32(1), np.float32(2))], np.float64)
    result = compare_arrays(a, e, Tolerance(0, 0), check_dtype=False)
    assert result.max_ulp_diff == 1.0  # one float32 ULP, not 2**29 float64 ULPs


def test_relative_difference_and_tolerance_formula():
    e = np.array([100.0, 0.0, 2.0])
    a = np.array([100.5, 0.0, 2.0])
    result = compare_arrays(a, e, Tolerance(rtol=4e-3, atol=0.1))  # 0.5 <= 0.1 + 0.4
    assert result.passed
    assert result.max_abs_diff == pytest.approx(0.5) and result.max_rel_diff == pytest.approx(0.005)
    result = compare_arrays(a, e, Tolerance(rtol=3e-3, atol=0.1))  # 0.5 > 0.1 + 0.3
    assert not result.passed and result.mismatched == 1


def test_relative_difference_against_zero_is_infinite():
    result = compare_arrays(np.array([1e-9]), np.array([0.0]), Tolerance(0, 1e-6))
    assert result.passed and result.max_rel_diff == np.inf


def test_shape_mismatch_fails_without_statistics():
    result = compare_arrays(np.zeros((3,)), np.zeros((3, 1)), F32)
    assert not result.passed
    assert "shape (3,) != expected shape (3, 1)" in result.message
    assert np.isnan(result.max_abs_diff)


def test_dtype_mismatch_fails_but_reports_the_values():
    result = compare_arrays(np.ones(3, np.float32), np.ones(3, np.float64), F32)
    assert not result.passed and "dtype float32 != expected dtype float64" in result.message
    assert result.max_abs_diff == 0.0
    assert compare_arrays(np.ones(3, np.float32), np.ones(3, np.float64), F32, check_dtype=False).passed


def test_integers_compare_exactly_whatever_the_tolerance():
    big = np.array([2**53 + 1], np.int64)
    result = compare_arrays(big, big - 1, Tolerance(1.0, 1.0))
    assert not result.passed and result.max_abs_diff == 1.0
    assert compare_arrays(np.arange(4, dtype=np.int32), np.arange(4, dtype=np.int64), F32, check_dtype=False).passed


def test_booleans_and_strings_compare_exactly():
    assert not compare_arrays(np.array([True, False]), np.array([True, True]), F32).passed
    assert compare_arrays(np.array("RuntimeError"), np.array("RuntimeError"), F32).passed
    result = compare_arrays(np.array("RuntimeError"), np.array("ValueError"), F32)
    assert not result.passed and result.mismatched == 1


def test_bfloat16_named_dtype_counts_ulps_in_bfloat16():
    pytest.importorskip("ml_dtypes")
    one = np.array([1.0], np.float32)
    next_bf16 = np.array([1.0 + 2**-7], np.float32)
    result = compare_arrays(one, next_bf16, default_tolerance("bfloat16"), actual_dtype="bfloat16",
                            expected_dtype="bfloat16")
    assert result.max_ulp_diff == 1.0 and result.passed


def test_worst_elements_put_mismatches_first():
    e = np.zeros(1000, np.float64)
    a = e.copy()
    a[10] = 5e-8  # within atol: not a mismatch
    a[500] = 1.0
    result = compare_arrays(a, e, Tolerance(0, 1e-7))
    assert result.mismatched == 1
    assert result.worst[0][0] == (500,) and result.worst[0][3] == 1.0


def test_chunked_comparison_agrees_with_a_single_pass(monkeypatch):
    import equivalence.compare as compare

    rng = np.random.default_rng(0)
    e = rng.normal(size=(300, 70)).astype(np.float32)
    a = (e + rng.normal(scale=1e-6, size=e.shape)).astype(np.float32)
    a[7, 3] = np.nan
    whole = compare_arrays(a, e, F32)
    monkeypatch.setattr(compare, "CHUNK", 1000)
    chunked = compare_arrays(a, e, F32)
    assert (whole.mismatched, whole.max_abs_diff, whole.max_ulp_diff) == (
        chunked.mismatched, chunked.max_abs_diff, chunked.max_ulp_diff)
    assert whole.worst[0][0] == chunked.worst[0][0] == (7, 3)


def test_per_element_atol_array():
    a = np.array([1.04, 2.4])
    e = np.array([1.0, 2.0])
    assert compare_arrays(a, e, Tolerance(0, 0), atol_array=np.array([0.05, 0.5])).passed
    assert not compare_arrays(a, e, Tolerance(0, 0), atol_array=np.array([0.05, 0.05])).passed
