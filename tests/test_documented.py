"""Documented values: parsing printed numbers and the tolerance they carry."""

from __future__ import annotations

import numpy as np
import pytest

from equivalence import printed
from equivalence.rows import documented_atol


def test_numpy_printout_keeps_shape_and_precision():
    doc = printed("""[[0.24179898 0.03628056]
 [0.12230478 0.15360723]]""")
    assert doc.values.shape == (2, 2)
    assert doc.values[1, 0] == 0.12230478
    assert np.all(doc.half_unit == 5e-9)


def test_python_list_scalar_and_scientific_notation():
    assert printed("[10.0, 50.0, 100.0]").values.tolist() == [10.0, 50.0, 100.0]
    scalar = printed("2.3025842")
    assert scalar.values.shape == () and scalar.half_unit == pytest.approx(5e-8)
    sci = printed("4.5388937e-05")
    assert sci.values == pytest.approx(4.5388937e-05)
    assert sci.half_unit == pytest.approx(5e-13)
    assert printed("146.0").half_unit == pytest.approx(0.05)


def test_integers_and_booleans_are_exact():
    ints = printed("[3 2 3 1]")
    assert ints.values.dtype == np.int64 and np.all(ints.half_unit == 0.5)
    flags = printed("[[False  True] [ True False]]")
    assert flags.values.dtype == bool and flags.values.shape == (2, 2)


def test_at_selects_part_of_an_output():
    doc = printed("1 2 3", at=np.s_[::10])
    assert doc.select(np.arange(25)).tolist() == [0, 10, 20]


@pytest.mark.parametrize("text", ["", "[1 2", "1 2]", "[[1 2] [3]]"])
def test_malformed_text_is_an_error(text):
    with pytest.raises(ValueError):
        printed(text)


def test_documented_tolerance_is_half_unit_or_one_ulp():
    doc = printed("[0.500000 4749.362305]")
    atol = documented_atol(doc.half_unit, doc.values, "float32")
    assert atol[0] == pytest.approx(5e-7)  # float32 at 0.5 is finer (6e-8): the printed digit decides
    assert atol[1] == pytest.approx(np.spacing(np.float32(4749.362305)))  # float32 cannot hold 6 decimals here
    assert documented_atol(doc.half_unit, doc.values, "float64")[1] == pytest.approx(5e-7)
