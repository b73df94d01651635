"""JAX, an optional backend that is one file and one registry line: the command line, the
pytest plugin, baselines and the report handle it like any other backend.

The tests that run JAX skip, saying why, on a machine without it (the ``jax`` extra); the
first test runs everywhere: a missing JAX is a skipped row, not an error.
"""

from __future__ import annotations

import importlib.util
import json
import sys

import numpy as np
import pytest

from conftest import write_cases
from equivalence.backends import DEFAULT_BACKENDS, backend_names, get_backend, implementation_names
from equivalence.cli import main
from equivalence.runner import run_cases

HAS_JAX = importlib.util.find_spec("jax") is not None and importlib.util.find_spec("jaxlib") is not None
needs_jax = pytest.mark.skipif(not HAS_JAX, reason="jax is not installed (pip install -c constraints.txt '.[jax]')")
# Plugins an inner pytest run does not need (hypothesis' takes seconds to import).
LIGHT = ("-p", "no:hypothesispytest", "-p", "no:benchmark", "-p", "no:cacheprovider")

#: Three gradient-descent steps, NumPy by hand and JAX by jax.value_and_grad, the step taking
#: ``compile`` (jax.jit in jax-jit); a float64 output checks that float64 stays float64.
STEPS = '''
import numpy as np
from equivalence import Case

case = Case("t-jax-steps", "three steps of gradient descent",
            inputs={"x": np.array([1.0, 2.0, 3.0], np.float32), "lr": 0.125})

@case.numpy
def with_numpy(np, x, lr):
    w, losses = np.zeros_like(x), []
    for _ in range(3):
        losses.append(np.sum(np.square(w - x)))
        w = w - lr * 2 * (w - x)
    return {"loss": np.stack(losses), "w": w, "wide": x.astype(np.float64) / 3}

@case.jax
def with_jax(jax, x, lr, compile=lambda f: f):
    jnp = jax.numpy

    @compile
    def step(w):
        loss, grad = jax.value_and_grad(lambda w: jnp.sum(jnp.square(w - x)))(w)
        return loss, w - lr * grad

    w, losses = jnp.zeros_like(x), []
    for _ in range(3):
        loss, w = step(w)
        losses.append(loss)
    return {"loss": jnp.stack(losses), "w": w, "wide": x.astype(jnp.float64) / 3}
'''
BACKENDS = "numpy,jax,jax-jit"


def test_jax_is_registered_optional_and_skipped_cleanly_when_missing(tmp_path, monkeypatch):
    assert "jax" in implementation_names() and "jax-jit" in backend_names()
    mode = get_backend("jax-jit")
    assert mode.is_mode and mode.implementation == "jax"
    assert not {"jax", "jax-jit"} & set(DEFAULT_BACKENDS)  # asked for by name or with --backends all
    # Without jax (find_spec finds no module that sys.modules holds as None): a skip naming the extra.
    monkeypatch.setitem(sys.modules, "jax", None)
    reason = get_backend("jax").unavailable_reason()
    assert reason is not None and "jax is not installed" in reason and "[jax]" in reason
    folder = write_cases(tmp_path / "c", steps=STEPS)
    out = tmp_path / "out"
    code = main(["run", str(folder), "--backends", BACKENDS, "--reference", "numpy", "--in-process", "-q",
                 "--out", str(out)])
    rows = json.loads((out / "results.json").read_text())["rows"]
    jax_rows = [r for r in rows if r["backend"].startswith("jax")]
    assert jax_rows and {r["status"] for r in jax_rows} == {"skipped"}
    assert all("jax is not installed" in r["message"] for r in jax_rows)
    assert code == 1  # nothing was compared at all: said, not hidden


@needs_jax
def test_conversion_keeps_dtypes_and_copies():
    backend = get_backend("jax")
    source = np.array([1.5, 2.5], np.float64)
    tensor = backend.from_numpy(source)
    source[0] = 99.0  # the backend's copy does not see the case's inputs change
    array, dtype = backend.to_numpy(tensor)
    assert dtype == "float64" and array.dtype == np.float64 and array.tolist() == [1.5, 2.5]  # x64 is on
    for kind in (np.float32, np.int32, np.int64, np.bool_, np.uint8):
        array, dtype = backend.to_numpy(backend.from_numpy(np.zeros(2, kind)))
        assert dtype == np.dtype(kind).name and array.dtype == kind
    jax = backend.load()
    bf16, name = backend.to_numpy(jax.numpy.array([1.0, 3.0], dtype=jax.numpy.bfloat16))
    assert name == "bfloat16" and bf16.dtype == np.float32 and bf16.tolist() == [1.0, 3.0]
    assert backend.to_numpy(np.str_("text"))[1] == "str"  # what is not a JAX array: as NumPy's


@needs_jax
def test_a_case_that_changes_jax_config_leaves_no_trace():
    from equivalence import Case

    case = Case("t-jax-config", "changes jax.config", inputs={"x": np.ones(2, np.float32)})

    @case.jax
    def with_jax(jax, x):
        jax.config.update("jax_enable_x64", False)
        jax.config.update("jax_default_matmul_precision", "bfloat16")
        return {"y": x * 2}

    case.implement("numpy")(lambda np, x: {"y": x * 2})
    result = run_cases([case], ["numpy", "jax"], reference="numpy", isolate=False)
    assert {r.status for r in result.rows} == {"pass"}
    config = get_backend("jax").load().config
    assert config.values["jax_enable_x64"] is True and config.values["jax_default_matmul_precision"] is None


@needs_jax
def test_cli_runs_jax_and_its_jit_mode_in_workers_and_reports_them(tmp_path, capsys):
    folder = write_cases(tmp_path / "c", steps=STEPS)
    out = tmp_path / "out"
    assert main(["run", str(folder), "--backends", BACKENDS, "--reference", "numpy", "--out", str(out)]) == 0
    document = json.loads((out / "results.json").read_text())
    pairs = {(r["backend"], r["reference"], r["output"]): r for r in document["rows"]}
    for pair in (("jax", "numpy"), ("jax-jit", "numpy"), ("jax-jit", "jax")):  # a mode against eager too
        for output in ("loss", "w", "wide"):
            assert pairs[(*pair, output)]["status"] == "pass", pairs[(*pair, output)]
    assert pairs[("jax", "numpy", "wide")]["dtype"] == "float64"
    assert document["metadata"]["versions"]["jax"]
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "jax-jit" in html and "with_jax" in html  # its column and its implementation


@needs_jax
def test_pytest_plugin_collects_and_runs_jax(pytester):
    folder = write_cases(pytester.path / "c", steps=STEPS)
    result = pytester.runpytest_subprocess(
        str(folder), "-p", "equivalence.pytest_plugin", f"--equivalence-cases={folder}",
        f"--equivalence-backends={BACKENDS}", "--equivalence-reference=numpy", "-v", *LIGHT)
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*t-jax-steps?jax-vs-numpy?*PASSED*", "*t-jax-steps?jax-jit-vs-jax?*PASSED*"])


@needs_jax
def test_baseline_round_trip_with_jax(tmp_path):
    folder = write_cases(tmp_path / "c", steps=STEPS)
    path = tmp_path / "baseline.npz"
    assert main(["baseline", "save", str(folder), "--path", str(path), "--backends", BACKENDS, "-q"]) == 0
    out = tmp_path / "out"
    assert main(["baseline", "check", str(path), str(folder), "--out", str(out), "-q"]) == 0
    rows = json.loads((out / "drift.json").read_text())["rows"]
    assert {r["backend"] for r in rows} == {"numpy", "jax", "jax-jit"}
    assert {r["status"] for r in rows} == {"unchanged"}
