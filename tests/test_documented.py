"""Documented values: a printed value is its printed text.

A value reproduces when today's value, printed by the document's printer, gives the
same numbers digit for digit; one float32 ULP off is a difference, however small.
"""

from __future__ import annotations

import numpy as np
import pytest

from equivalence import Case, printed
from equivalence.execution import Execution
from equivalence.rows import compare_documented


def test_numpy_printout_keeps_shape_and_tokens():
    doc = printed("""[[0.24179898 0.03628056]
 [0.12230478 0.15360723]]""")
    assert doc.values.shape == (2, 2) and doc.values[1, 0] == 0.12230478
    assert doc.tokens == ("0.24179898", "0.03628056", "0.12230478", "0.15360723")
    assert doc.printer == "array"


def test_python_list_scalar_and_scientific_notation():
    assert printed("[10.0, 50.0, 100.0]").values.tolist() == [10.0, 50.0, 100.0]
    scalar = printed("2.3025842")
    assert scalar.values.shape == () and scalar.printer == "scalar"
    assert printed("4.5388937e-05").values == pytest.approx(4.5388937e-05)


@pytest.mark.parametrize("text, values, dtype", [
    ("tf.Tensor([-2. -2.], shape=(2,), dtype=float32)", [-2.0, -2.0], "float32"),
    ("tf.Tensor(2.3025842, shape=(), dtype=float32)", 2.3025842, "float32"),
    ("<tf.Tensor: shape=(2,), dtype=float64, numpy=array([0.5, 1.5])>", [0.5, 1.5], "float64"),
    ("<tf.Variable 'Variable:0' shape=(2, 1) dtype=float32, numpy=\narray([[1.],\n       [2.]], dtype=float32)>",
     [[1.0], [2.0]], "float32"),
    ("array([1, 2, 3], dtype=int32)", [1, 2, 3], "int32"),
])
def test_what_the_frameworks_print_is_accepted(text, values, dtype):
    doc = printed(text)
    assert doc.values.tolist() == values and doc.dtype == dtype and doc.printer == "array"


def test_integers_and_booleans():
    assert printed("[3 2 3 1]").values.dtype == np.int64
    flags = printed("[[False  True] [ True False]]")
    assert flags.values.dtype == bool and flags.values.shape == (2, 2)


def test_at_selects_part_of_an_output():
    doc = printed("1 2 3", at=np.s_[::10])
    assert doc.select(np.arange(25)).tolist() == [0, 10, 20]


@pytest.mark.parametrize("text", ["", "[1 2", "1 2]", "[[1 2] [3]]", "tf.Tensor(shape=(2,), dtype=float32)"])
def test_malformed_text_is_an_error(text):
    with pytest.raises(ValueError):
        printed(text)


def test_an_unknown_printer_is_an_error():
    with pytest.raises(ValueError, match="printer"):
        printed("1.0", printer="fortran")


def test_a_printed_float32_pins_one_float32():
    doc = printed("-2.98")  # a float32 printed in its shortest form
    exact = np.float32(-2.98)
    assert doc.differing(exact)[1] == []
    one_ulp = np.nextafter(exact, np.float32(0))
    assert doc.differing(one_ulp) == ("-2.9799998", [0])  # within ±5e-3 of the text, yet not it


def test_each_printer_prints_as_its_framework_did():
    f32 = np.float32(6.054739)
    assert printed("6.054739", printer="scalar").differing(f32)[1] == []
    assert printed("6.054738998413086", printer="python").differing(f32)[1] == []  # print(float(x))
    assert printed("6.054739", printer="python").differing(f32)[1] == [0]
    assert printed("6.05", printer="{:.2f}").differing(f32)[1] == []
    assert printed("6.054739", printer="%f").differing(f32)[1] == []
    # NumPy's array printing caps float64 at 8 decimals; its scalar printing does not.
    f64 = np.array([0.123456789012, 1.0])
    assert printed("[0.12345679 1.        ]").differing(f64)[1] == []
    assert printed("0.123456789012", printer="scalar").differing(f64[0])[1] == []


def test_per_step_prints_each_step_on_its_own():
    steps = np.array([[-2.98, -0.09999999], [-3.7793102, -3.283186]], dtype=np.float32)
    doc = printed("[-2.98       -0.09999999] [-3.7793102 -3.283186 ]", per_step=True)
    assert doc.differing(steps)[1] == []


def test_the_document_dtype_is_used_to_print():
    doc = printed("tf.Tensor(0.1, shape=(), dtype=float32)")
    assert doc.differing(np.float64(0.1) + 1e-12)[1] == []  # printed as the document's float32
    assert printed("0.1").differing(np.float64(0.1) + 1e-12)[1] == [0]  # float64: every digit counts


def _execution(case_id: str, **outputs) -> Execution:
    ex = Execution(case_id, "numpy")
    for name, value in outputs.items():
        ex.outputs[name] = np.asarray(value)
        ex.dtypes[name] = str(np.asarray(value).dtype)
    return ex


def test_a_row_shows_both_texts_and_the_drift_in_ulp_and_relative_terms():
    case = Case("doc", "t", documented={"loss": printed("2.3025842")})
    (row,) = compare_documented(case, _execution("doc", loss=np.float32(2.3025851)))
    assert row.status == "fail" and row.differs == "values"
    assert row.reference_text == "2.3025842" and row.text == "2.3025851"
    assert row.max_ulp_diff == 4 and row.max_rel_diff == pytest.approx(9.25e-7 / 2.3025842, rel=0.05)
    assert "prints 2.3025851, the document printed 2.3025842" in row.message
    (same,) = compare_documented(case, _execution("doc", loss=np.float32(2.3025842)))
    assert same.status == "pass" and same.mismatched == 0


def test_mismatch_count_is_the_number_of_printed_numbers_that_differ():
    case = Case("doc", "t", documented={"x": printed("[1.5 2.5 3.5 4.5]")})
    (row,) = compare_documented(case, _execution("doc", x=np.array([1.5, 2.5000002, 3.5, 4.75], np.float32)))
    assert row.mismatched == 2 and row.numel == 4


def test_a_shape_that_differs_from_the_printout_fails():
    case = Case("doc", "t", documented={"x": printed("[1 2 3]")})
    (row,) = compare_documented(case, _execution("doc", x=np.array([1, 2])))
    assert row.status == "fail" and row.differs == "shape"
