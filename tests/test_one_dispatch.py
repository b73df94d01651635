"""One dispatch: the pytest plugin runs (case, backend) through the runner's rule, so an
execution mode runs in a worker too, and the pytest process imports no framework."""

from __future__ import annotations

import json

from conftest import write_cases

MODES = '''
import numpy as np
from equivalence import Case

case = Case("t-modes", "a step compiled by tf.function", inputs={"x": np.array([1.0, 2.0], np.float32)})

@case.numpy
def with_numpy(np, x):
    return {"y": x * 2}

@case.tensorflow
def with_tensorflow(tf, x, compile=lambda f: f):
    step = compile(lambda v: v * 2)
    return {"y": step(x)}
'''

RECORD = '''
import json, sys

def pytest_sessionfinish(session):
    loaded = sorted(m for m in ("tensorflow", "torch", "keras") if m in sys.modules)
    with open(__import__("os").environ["EQ_MODULES_OUT"], "w") as handle:
        json.dump(loaded, handle)
'''


def test_no_framework_is_imported_into_the_pytest_process(pytester, tmp_path, monkeypatch):
    folder = write_cases(pytester.path / "m", modes=MODES)
    pytester.makeconftest(RECORD)
    out = tmp_path / "modules.json"
    monkeypatch.setenv("EQ_MODULES_OUT", str(out))
    result = pytester.runpytest_subprocess(
        str(folder), "-p", "equivalence.pytest_plugin", f"--equivalence-cases={folder}",
        "--equivalence-backends=numpy,tensorflow,tensorflow-function", "--equivalence-reference=numpy",
        "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)  # tensorflow and tensorflow-function vs numpy, tensorflow-function vs tensorflow
    assert json.loads(out.read_text()) == []
