"""Comparison semantics on hand-made arrays (equivalence.compare)."""

from __future__ import annotations

import numpy as np
import pytest

import equivalence._float_kernel as kernel
from equivalence.compare import coarser, compare_arrays, ulp_distance
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
    rng = np.random.default_rng(0)
    e = rng.normal(size=(300, 70)).astype(np.float32)
    a = (e + rng.normal(scale=1e-6, size=e.shape)).astype(np.float32)
    a[7, 3] = np.nan
    whole = compare_arrays(a, e, F32)
    monkeypatch.setattr(kernel, "CHUNK", 1000)
    chunked = compare_arrays(a, e, F32)
    assert (whole.mismatched, whole.max_abs_diff, whole.max_ulp_diff) == (
        chunked.mismatched, chunked.max_abs_diff, chunked.max_ulp_diff)
    assert whole.worst[0][0] == chunked.worst[0][0] == (7, 3)
    assert (whole.tolerances, whole.first) == (chunked.tolerances, chunked.first) == (np.inf, (7, 3))


def test_per_element_atol_array():
    a = np.array([1.04, 2.4])
    e = np.array([1.0, 2.0])
    assert compare_arrays(a, e, Tolerance(0, 0), atol_array=np.array([0.05, 0.5])).passed
    assert not compare_arrays(a, e, Tolerance(0, 0), atol_array=np.array([0.05, 0.05])).passed


# -- the fast kernel against the definition ---------------------------------------------
# compare_arrays splits large arrays in blocks and takes shortcuts on blocks of finite
# values; whatever path it takes, every statistic, the worst elements, the tolerances out
# and the first mismatch must equal the definition applied to the whole array at once.

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _by_definition(actual, expected, tolerance, ulp_dtype, atol_array=None):
    """The statistics from ``reference_block`` and ``extent_block`` over the whole array,
    worst by a full sort."""
    a, e = actual.reshape(-1), expected.reshape(-1)
    atol = tolerance.atol if atol_array is None else np.broadcast_to(atol_array, actual.shape).reshape(-1)
    diff, rel, ulp, bad = kernel.reference_block(a, e, atol, tolerance.rtol, ulp_dtype)
    pool = np.flatnonzero(bad) if bad.any() else np.arange(a.size)
    order = sorted(pool.tolist(), key=lambda i: (-diff[i], i))[: kernel.WORST]
    maxima = tuple(float(x.max()) if x.size else 0.0 for x in (diff, rel, ulp))
    worst = [(int(i), a[i].item(), e[i].item(), float(diff[i]), float(rel[i]), float(ulp[i])) for i in order]
    tolerances, first = kernel.extent_block(a, e, atol, tolerance.rtol)
    if first is None and bad.any():  # outside no tolerance, yet a mismatch: the first unequal element
        tolerances, first = np.inf, int(np.flatnonzero(~(a == e))[0])
    return int(np.count_nonzero(bad)), maxima, worst, tolerances, first


def _same(x, y):
    return x == y or (x != x and y != y)


def _assert_agrees(actual, expected, tolerance, atol_array=None, **names):
    result = compare_arrays(actual, expected, tolerance, atol_array=atol_array, check_dtype=False, **names)
    ulp_dtype = coarser(names.get("actual_dtype", str(actual.dtype)), names.get("expected_dtype", str(expected.dtype)))
    mismatched, maxima, worst, tolerances, first = _by_definition(actual, expected, tolerance, ulp_dtype, atol_array)
    assert result.mismatched == mismatched
    assert result.tolerances == tolerances
    assert result.first == (None if first is None else _position(first, actual.shape))
    assert (result.max_abs_diff, result.max_rel_diff, result.max_ulp_diff) == maxima
    got = [(int(np.ravel_multi_index(w[0], actual.shape)) if actual.ndim else 0, *w[1:]) for w in result.worst]
    assert len(got) == len(worst)
    for g, w in zip(got, worst, strict=True):
        assert g[0] == w[0] and all(_same(x, y) for x, y in zip(g[1:], w[1:], strict=True)), (g, w)


def _position(flat, shape):
    return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()


def _arrays(seed, n, dtype, other_dtype, special, noise, ties):
    """``expected`` and an ``actual`` near it, with NaN, ±inf, ±0.0, sign flips, ties."""
    rng = np.random.default_rng(seed)
    with np.errstate(over="ignore"):  # 1e30 is inf in float16: more infinities
        e = rng.normal(scale=rng.choice([1e-3, 1.0, 1e30]), size=n).astype(dtype)
        if ties:  # a few distinct differences, many equal ones: the worst list breaks ties by index
            a = e + rng.integers(0, 3, size=n).astype(dtype) * dtype(noise)
        else:
            a = e * (1 + rng.normal(scale=noise, size=n)).astype(dtype)
        a = a.astype(other_dtype)
    for target in (a, e):
        for value in (np.nan, np.inf, -np.inf, 0.0, -0.0):
            hit = rng.random(n) < special
            target[hit] = value
    flip = rng.random(n) < special  # pairs straddling zero
    a[flip] = -a[flip]
    return a, e


@settings(max_examples=60, deadline=None, database=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.sampled_from([0, 1, 7, 100, 256, 300, 1500, 4097, 9000]),
    dtypes=st.sampled_from([(np.float32, np.float32), (np.float64, np.float64), (np.float16, np.float16),
                            (np.float32, np.float64), (np.float64, np.float32)]),
    special=st.sampled_from([0.0, 0.0, 1e-3, 0.05]),
    noise=st.sampled_from([0.0, 1e-8, 1e-6, 1e-3]),
    ties=st.booleans(),
    tolerance=st.sampled_from([Tolerance(0, 0), F32, Tolerance(1e-7, 1e-7), Tolerance(0.5, 0)]),
    chunk=st.sampled_from([1024, 2048, 1 << 16]),
    per_element_atol=st.booleans(),
)
def test_every_path_agrees_with_the_definition(seed, n, dtypes, special, noise, ties, tolerance, chunk,
                                               per_element_atol):
    e_dtype, a_dtype = dtypes
    a, e = _arrays(seed, n, e_dtype, a_dtype, special, noise, ties)
    atol = np.random.default_rng(seed).uniform(0, 1e-5, size=n) if per_element_atol else None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kernel, "CHUNK", chunk)
        for small in (0, kernel.SMALL):  # blocks always, and the default
            patch.setattr(kernel, "SMALL", small)
            _assert_agrees(a, e, tolerance, atol)
            if n:  # two dimensions: positions unravelled
                _assert_agrees(a.reshape(-1, 1), e.reshape(-1, 1), tolerance,
                               None if atol is None else atol.reshape(-1, 1))


def test_fast_path_edge_cases_agree_with_the_definition(monkeypatch):
    monkeypatch.setattr(kernel, "CHUNK", 1024)
    monkeypatch.setattr(kernel, "SMALL", 0)
    n = 5000
    big = np.full(n, 1.7e308)
    _assert_agrees(big, -big, Tolerance(0, 0))  # |a - e| overflows float64: inf
    _assert_agrees(np.full(n, 1e300), np.full(n, 1.0), F32, actual_dtype="float64",
                   expected_dtype="float32")  # 1e300 is inf in the coarser float32
    zeros = np.zeros(n, np.float32)
    _assert_agrees(-zeros, zeros, Tolerance(0, 0))  # -0.0 against 0.0 everywhere: 0 ULP
    _assert_agrees(zeros, zeros.copy(), Tolerance(0, 0))  # equal: worst are the first elements
    one = np.ones(n, np.float32)
    _assert_agrees(one + np.float32(2**-23), one, Tolerance(0, 0))  # all tied: worst by index
    tiny = np.full(n, np.nextafter(np.float32(0), np.float32(1)))
    _assert_agrees(-tiny, tiny, Tolerance(0, 0))  # straddling zero: 2 ULP
    sparse = one.copy()
    sparse[[3, 1500, 4999]] = [2, 3, 2]
    _assert_agrees(sparse, one, F32)  # few mismatches: only they are the worst
    _assert_agrees(one, one * 0, F32)  # relative difference against zero: inf
    _assert_agrees(zeros, zeros, Tolerance(0, 0), atol_array=np.full(n, np.nan))  # equal passes
    near = one * np.float32(1 + 2**-20)
    for odd in (Tolerance(0, np.inf), Tolerance(np.inf, 0), Tolerance(np.inf, np.inf)):
        _assert_agrees(near, one, odd)  # infinite tolerances: the written-out path
        _assert_agrees(one, one.copy(), odd)
    rng = np.random.default_rng(1)
    for tolerance in (Tolerance(1e-7, 1e-7), Tolerance(1e-3, 0.0), Tolerance(0.0, 1e-5)):
        e = rng.normal(scale=rng.choice([1e-300, 1.0, 1e300]), size=n)
        bound = tolerance.atol + tolerance.rtol * np.abs(e)
        steps = rng.integers(-3, 4, size=n) * 2.0**-52  # a few ULPs on either side of the bound
        _assert_agrees(e + bound * (1 + steps), e, tolerance)
        _assert_agrees(e + bound * (1 - 2.0**-45), e, tolerance)  # all inside, just
    ml_dtypes = pytest.importorskip("ml_dtypes")
    bf = np.linspace(-3, 3, n, dtype=np.float32)
    near = bf.astype(ml_dtypes.bfloat16).astype(np.float32)
    _assert_agrees(bf, near, Tolerance(0, 0), actual_dtype="bfloat16", expected_dtype="bfloat16")


def test_integer_worst_elements_are_the_mismatches_largest_first():
    e = np.arange(5000, dtype=np.int64)
    a = e.copy()
    a[[7, 4000, 20]] += [3, 9, 3]
    result = compare_arrays(a, e, F32)
    assert result.mismatched == 3 and result.max_abs_diff == 9.0
    assert [w[0] for w in result.worst] == [(4000,), (7,), (20,)]  # ties to the lower index
    assert result.worst[0][4] == pytest.approx(9 / 4000)


def test_per_element_atol_that_is_nan_fails_all_but_equal_elements():
    a = np.array([1.0, 2.0, 3.0])
    e = np.array([1.0, 2.5, 3.0])
    result = compare_arrays(a, e, Tolerance(0, 0), atol_array=np.full(3, np.nan))
    assert result.mismatched == 1 and result.worst[0][0] == (1,)
    _assert_agrees(a, e, Tolerance(0, 0), atol_array=np.full(3, np.nan))


def test_integers_of_different_signedness_and_width_compare_by_value():
    result = compare_arrays(np.array([2**64 - 1], np.uint64), np.array([-1], np.int64), F32, check_dtype=False)
    assert not result.passed and result.mismatched == 1  # the same bits, not the same number
    assert result.max_abs_diff == pytest.approx(2.0**64)
    assert compare_arrays(np.array([7, 255], np.uint8), np.array([7, 255], np.int64), F32, check_dtype=False).passed
    assert compare_arrays(np.array([True, False]), np.array([1, 0], np.int32), F32, check_dtype=False).passed


def test_mismatch_counts_are_exact():
    e = np.zeros(10_000, np.float32)
    a = e.copy()
    a[[3, 500, 9_999]] = 1.0  # three elements beyond atol 1e-5
    a[[7, 8]] = 5e-6  # two within it
    result = compare_arrays(a, e, F32)
    assert result.mismatched == 3 and result.numel == 10_000


@pytest.mark.parametrize("shape_a, shape_e", [((3,), (1, 3)), ((1,), ()), ((2, 1), (2, 2)), ((0,), (1,))])
def test_shapes_are_never_broadcast(shape_a, shape_e):
    result = compare_arrays(np.zeros(shape_a), np.zeros(shape_e), F32)
    assert not result.passed and "shape" in result.message


def test_complex_values_compare_by_tolerance_on_both_parts():
    e = np.array([1 + 1j, 2 - 2j, 3 + 0j], np.complex64)
    near = e + np.complex64(1e-7 + 1e-7j)  # within float32's tolerance on both parts
    assert compare_arrays(near, e, F32).passed
    off_imag = e.copy()
    off_imag[1] += np.complex64(1e-2j)
    result = compare_arrays(off_imag, e, F32)
    assert not result.passed and result.mismatched == 1 and result.worst[0][0] == (1,)
    assert result.max_abs_diff == pytest.approx(1e-2, rel=1e-4)
    nan = e.copy()
    nan[0] = complex(np.nan, 1)
    assert compare_arrays(nan, e, F32).mismatched == 1


def test_nans_of_different_sign_or_payload_are_equal_and_zero_ulp_apart():
    quiet = np.array([np.nan, 1.0], np.float32)
    other = quiet.copy()
    other[0] = -np.float32(np.nan)  # another bit pattern
    assert quiet.view(np.uint32)[0] != other.view(np.uint32)[0]
    result = compare_arrays(np.concatenate([other, [np.inf]]).astype(np.float32),
                            np.concatenate([quiet, [np.inf]]).astype(np.float32), Tolerance(0, 0))
    assert result.passed and result.max_ulp_diff == 0 and result.max_abs_diff == 0


def test_negative_zero_equals_zero_with_no_ulp_between():
    result = compare_arrays(np.array([-0.0, 0.0], np.float32), np.array([0.0, -0.0], np.float32), Tolerance(0, 0))
    assert result.passed and result.max_ulp_diff == 0


def test_tolerances_out_and_the_first_mismatch():
    tol = Tolerance(rtol=0.0, atol=1e-3)
    e = np.zeros(201)
    a = e.copy()
    a[50:] = np.linspace(2e-3, 3.0, 151)  # a loop diverging from step 50
    result = compare_arrays(a, e, tol)
    assert result.first == (50,) and result.tolerances == pytest.approx(3000.0)
    at_boundary = compare_arrays(np.array([1.001]), np.array([1.0]), Tolerance(0.0, 1e-3 + 1e-12))
    assert at_boundary.passed and at_boundary.tolerances == pytest.approx(1.0, rel=1e-6)
    equal = compare_arrays(e, e, tol)
    assert equal.tolerances == 0.0 and equal.first is None
    ints = compare_arrays(np.array([[1, 2], [3, 4]]), np.array([[1, 2], [3, 5]]), F32)
    assert ints.tolerances == np.inf and ints.first == (1, 1)
