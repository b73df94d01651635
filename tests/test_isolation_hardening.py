"""No false pass, whatever a case does (issue 11): each fault provoked, and survived.

- Outputs and tasks cross between processes as plain data (``equivalence._wire``), never
  a pickle: an array subclass whose unpickling would run code in the parent is just its
  numbers; an input that cannot be sent is an error of its case, and the run goes on.
- Workers run in process groups of their own, killed when a case times out, a worker
  dies or the pool closes: processes a case started do not outlive the run. Warning
  filters, flushing of denormals and torch's default device are restored after a case.
- The time limit is CPU time, with a much larger wall-clock limit for what sleeps.
- Control characters, bidirectional overrides and lone surrogates are escaped in every
  text written: results.csv/json, the HTML report, error messages.

Worker-process tests use case files (workers load cases by path) and only the NumPy and
PyTorch backends, to stay fast. No test measures how long something took.
"""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import equivalence as eq
from conftest import write_cases
from equivalence import _wire
from equivalence._text import printable
from equivalence.execution import ErrorInfo, Execution

FAST = ["numpy", "torch"]
HAS_PROC = Path(f"/proc/{os.getpid()}/stat").exists()


def statuses(result, case_id):
    return [r.status for r in result.rows if r.case == case_id]


def messages(result, case_id):
    return " | ".join(r.message for r in result.rows if r.case == case_id)


@pytest.fixture
def torch_state():
    """Puts torch's global state back should a test's restoring fail (later tests need it)."""
    import torch

    yield torch
    torch.set_flush_denormal(False)
    if torch.get_default_device() != torch.device("cpu"):
        torch.set_default_device(None)


# -- 1. plain data across processes ------------------------------------------------------


def test_inputs_of_every_plain_type_decode_to_the_same_types_and_values():
    inputs = {
        "strided": np.arange(12, dtype=np.float32).reshape(3, 4)[:, ::2],
        "big_endian": np.array([1, 2], ">i4"),
        "empty": np.zeros((0, 3)),
        "strings": np.array(["ab", "c\udcff"]),
        "scalar": np.float32(1.5),
        "text_scalar": np.str_("q"),
        "flag": True,
        "huge": 10**5000,
        "nan": float("nan"),
        "negative_zero": -0.0,
        "complex": 1 + 2j,
        "nested": (1, [2.5, None], {"k": np.int64(3), 4: "x\udcff"}),
        "masked": np.ma.masked_array([1, 2], [0, 1]),  # its data, as np.asarray gives in-process
    }
    path, case_id, backend, decoded = _wire.decode_task(_wire.encode_task("c\udcff.py", "id", "numpy", inputs))
    assert (path, case_id, backend) == ("c\udcff.py", "id", "numpy")
    assert list(decoded) == list(inputs)
    for name, value in inputs.items():
        got = decoded[name]
        if isinstance(value, np.ndarray):
            assert type(got) is np.ndarray and got.dtype == value.dtype and got.flags.writeable
            assert np.array_equal(got, np.asarray(value))
        elif name == "nan":
            assert type(got) is float and got != got
        else:
            assert type(got) is type(value) and got == value
    assert str(decoded["negative_zero"]) == "-0.0"
    assert type(decoded["nested"][2]["k"]) is np.int64


@pytest.mark.parametrize("value, what", [
    (lambda v: v, "function"),
    (object(), "object"),
    (np.array([1], object), "an array of dtype object"),
    (np.array([b"a"]), "an array of dtype |S1"),
    (np.datetime64(1, "s"), "a NumPy scalar of type datetime64"),
    ([1, {"k": print}], "builtin_function_or_method (at f[1]['k'])"),
])
def test_inputs_that_are_not_plain_data_cannot_be_encoded(value, what):
    with pytest.raises(_wire.Unsendable) as caught:
        _wire.encode_task("p.py", "id", "numpy", {"f": value})
    assert str(caught.value) == f"input 'f' cannot be sent to a worker process: {what}"


def test_an_execution_crosses_as_plain_arrays_and_refuses_what_is_not():
    class Sneaky(np.ndarray):
        def __reduce__(self):  # would run in whoever unpickles it
            raise AssertionError("pickled")

    execution = Execution("c", "numpy", outputs={"y": np.arange(3.0).view(Sneaky), "o": np.array([None])},
                          dtypes={"y": "float64", "o": "object"}, error=ErrorInfo("E", "m\x1b", "tb"), seconds=1.5)
    decoded = _wire.decode_execution(_wire.encode_execution(execution))
    assert type(decoded.outputs["y"]) is np.ndarray and decoded.outputs["y"].tolist() == [0.0, 1.0, 2.0]
    assert "o" not in decoded.outputs and "dtype object" in decoded.output_errors["o"]
    assert decoded.error == ErrorInfo("E", "m\x1b", "tb") and decoded.seconds == 1.5


def test_a_document_carries_json_and_values_of_any_plain_type():
    header = {"cases": [{"id": "a\udcff", "rtol": float("inf"), "pair": [1, 2]}], "problem": None}
    values = {"a": {"inputs": {"x": np.arange(3, dtype=np.int8), "n": 2}, "expected": {"y": np.float32(0.5)}}}
    got_header, got_values = _wire.decode_document(_wire.encode_document("manifest", header, values), "manifest")
    assert got_header == header
    assert got_values["a"]["inputs"]["x"].dtype == np.int8 and got_values["a"]["inputs"]["n"] == 2
    assert type(got_values["a"]["expected"]["y"]) is np.float32
    with pytest.raises(_wire.WireError):
        _wire.decode_document(_wire.encode_document("probe", {}, {}), "manifest")
    with pytest.raises(_wire.Unsendable, match=r"function \(at v\['f'\]\)"):
        _wire.encode_document("probe", {}, {"v": {"f": lambda: 0}})
    with pytest.raises(TypeError):
        _wire.encode_document("probe", {"x": object()}, {})


def test_malformed_messages_are_refused():
    good = _wire.encode_execution(Execution("c", "numpy", outputs={"y": np.arange(3.0)}))
    forged_dtype = good.replace(b'"<f8"', b'"|O8"')
    for junk in [b"", b"EQW1", good[:20], good[:-1], forged_dtype, good.replace(b'"execution"', b'"task"     ')]:
        with pytest.raises(_wire.WireError):
            _wire.decode_execution(junk)


EVIL = '''
import numpy as np
from equivalence import Case, Source

MARKER = {marker!r}

class Evil(np.ndarray):
    """Unpickled, it would run code in the parent (here: create MARKER)."""
    def __reduce__(self):
        return (exec, ("open(" + repr(MARKER) + ", 'w').close()",))
    def __eq__(self, other):
        return np.ones(np.shape(self), bool)

x = {{"x": np.array([1.0, 2.0], np.float32)}}
evil = Case("w-evil", "an array subclass with a poisoned __reduce__", Source("doc", "s"), inputs=x)
evil.implement("numpy")(lambda np, x: {{"y": np.array([9.0, 9.0], np.float32).view(Evil)}})
evil.implement("torch")(lambda torch, x: {{"y": x}})
'''


@pytest.mark.parametrize("isolate", [True, False])
def test_an_array_subclass_is_only_its_numbers(tmp_path, monkeypatch, isolate):
    from multiprocessing.reduction import ForkingPickler

    def refuse(*args, **kwargs):
        raise AssertionError("the parent unpickled something")

    monkeypatch.setattr(ForkingPickler, "loads", refuse)
    monkeypatch.setattr("pickle.loads", refuse)
    marker = tmp_path / "unpickled"
    folder = write_cases(tmp_path / "evil", evil=EVIL.format(marker=str(marker)))
    result = eq.run(str(folder), backends=FAST, isolate=isolate)
    [row] = [r for r in result.rows if r.reference == "torch"]
    assert row.status == "fail" and row.mismatched == 2
    assert type(result.executions[("w-evil", "numpy")].outputs["y"]) is np.ndarray
    assert not marker.exists()


UNSENDABLE = '''
import numpy as np
from equivalence import Case, Source

x = np.array([1.0, 2.0], np.float32)
fn = Case("u-fn", "a function as an input", Source("doc", "s"), inputs={"x": x, "f": lambda v: v * 2})
fn.implement("numpy")(lambda np, x, f: {"y": f(x)})
fn.implement("torch")(lambda torch, x, f: {"y": f(x)})

after = Case("u-after", "a good case after it", Source("doc", "s"), inputs={"x": x})
after.implement("numpy")(lambda np, x: {"y": x * 2})
after.implement("torch")(lambda torch, x: {"y": x * 2})
'''


def test_an_input_that_cannot_be_sent_is_an_error_of_its_case_and_the_run_goes_on(tmp_path):
    folder = write_cases(tmp_path / "unsendable", unsendable=UNSENDABLE)
    isolated = eq.run(str(folder), backends=FAST, isolate=True)
    assert statuses(isolated, "u-fn") == ["error"]
    assert "input 'f' cannot be sent to a worker process: function" in messages(isolated, "u-fn")
    assert statuses(isolated, "u-after") == ["pass"]
    assert isolated.metadata["complete"] is True
    assert statuses(eq.run(str(folder), backends=FAST, isolate=False), "u-fn") == ["pass"]  # in-process it can


TYPES = '''
import numpy as np
from equivalence import Case, Source

types = Case("u-types", "inputs of every plain type", Source("doc", "s"),
             inputs={"a": np.arange(3, dtype=np.int16), "s": np.float32(0.5), "n": 3, "f": 0.25, "b": True,
                     "t": (1, [2.0, None], {"k": "v\\udcff"}), "z": None})

def kinds(module, a, s, n, f, b, t, z):
    values = (a, s, n, f, b, t, t[1], t[1][1], t[2], t[2]["k"], z)
    return {"kinds": np.array([type(v).__name__ for v in values]), "text": np.array(t[2]["k"]),
            "n": np.array(n), "f": np.array(f)}

types.implement("numpy")(kinds)
types.implement("torch")(kinds)
'''


def test_isolated_inputs_are_what_in_process_inputs_are(tmp_path):
    folder = write_cases(tmp_path / "types", types=TYPES)
    isolated = eq.run(str(folder), backends=FAST, isolate=True)
    in_process = eq.run(str(folder), backends=FAST, isolate=False)
    for backend in FAST:
        here, there = in_process.executions[("u-types", backend)], isolated.executions[("u-types", backend)]
        assert here.ok and there.ok, (here.error, there.error)
        assert here.outputs.keys() == there.outputs.keys()
        for name, array in here.outputs.items():
            assert there.outputs[name].dtype == array.dtype and np.array_equal(there.outputs[name], array)
    assert in_process.executions[("u-types", "numpy")].outputs["text"][()] == "v\udcff"


FORGER = '''
import os, sys
import numpy as np
from equivalence import Case, Source
from equivalence._wire import encode_execution
from equivalence.execution import Execution

x = {"x": np.array([1.0, 2.0], np.float32)}

def send(message):  # what multiprocessing.connection writes: a 4-byte length, the bytes
    os.write(int(sys.argv[1]), len(message).to_bytes(4, "big") + message)

junk = Case("p-junk", "writes junk to the worker's connection", Source("doc", "s"), inputs=x)
junk.implement("numpy")(lambda np, x: (send(b"not a result"), {"y": x})[1])
junk.implement("torch")(lambda torch, x: {"y": x})

other = Case("p-other", "sends a passing result for another case", Source("doc", "s"), inputs=x)
other.implement("numpy")(lambda np, x: (send(encode_execution(Execution("p-after", "numpy", {"y": x * 2}))), {"y": x})[1])
other.implement("torch")(lambda torch, x: {"y": x})

after = Case("p-after", "a good case after them", Source("doc", "s"), inputs=x)
after.implement("numpy")(lambda np, x: {"y": x * 2})
after.implement("torch")(lambda torch, x: {"y": x * 2})
'''


def test_a_message_that_is_not_the_cases_result_is_an_error(tmp_path):
    folder = write_cases(tmp_path / "forger", forger=FORGER)
    result = eq.run(str(folder), backends=FAST, isolate=True)
    assert statuses(result, "p-junk") == ["error"] and "WorkerProtocolError" in messages(result, "p-junk")
    assert statuses(result, "p-other") == ["error"] and "for case 'p-after'" in messages(result, "p-other")
    assert statuses(result, "p-after") == ["pass"]


# -- 2. clean-up: processes a case started, global state ---------------------------------------


CHILDREN = '''
import os, subprocess, time
import numpy as np
from equivalence import Case, Source

PIDS = {pids!r}
x = {{"x": np.array([1.0, 2.0], np.float32)}}

def start_sleep(tag):
    child = subprocess.Popen(["sleep", "300"])
    with open(os.path.join(PIDS, tag), "w") as handle:
        handle.write(str(child.pid))

def leaves(np, x):
    start_sleep("returns")
    return {{"y": x}}

def hangs(np, x):
    start_sleep("hangs")
    time.sleep(3600)

def crashes(np, x):
    start_sleep("crashes")
    os.abort()

# In this order each way of ending is tested alone: the hang's group is killed at its
# time limit, the crash's when its worker died, the last one's when the pool closes.
for name, implementation in (("hangs", hangs), ("crashes", crashes), ("returns", leaves)):
    globals()[name] = case = Case(f"k-{{name}}", f"starts sleep 300 and {{name}}", Source("doc", "s"), inputs=x)
    case.implement("numpy")(implementation)
    case.implement("torch")(lambda torch, x: {{"y": x}})
'''


def ended(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie not yet reaped by init counts)."""
    for _ in range(500):  # SIGKILL was sent before run() returned; its delivery is not instant
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.01)
    return False


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
def test_processes_a_case_started_do_not_outlive_the_run(tmp_path, monkeypatch):
    import equivalence.isolation

    monkeypatch.setattr(equivalence.isolation, "WALL_FACTOR", 3.0)  # the hang: 2 s CPU, 6 s wall
    pids = tmp_path / "pids"
    pids.mkdir()
    folder = write_cases(tmp_path / "children", children=CHILDREN.format(pids=str(pids)))
    result = eq.run(str(folder), backends=FAST, isolate=True, timeout=2)
    assert statuses(result, "k-returns") == ["pass"]
    assert statuses(result, "k-hangs") == ["error"] and "Timeout" in messages(result, "k-hangs")
    assert statuses(result, "k-crashes") == ["error"] and "SIGABRT" in messages(result, "k-crashes")
    started = {p.name: int(p.read_text()) for p in pids.iterdir()}
    assert set(started) == {"returns", "hangs", "crashes"}
    assert {tag: ended(pid) for tag, pid in started.items()} == dict.fromkeys(started, True)


STATE = '''
import warnings
import numpy as np
from equivalence import Case, Source

x = {"x": np.array([1.0, 2.0], np.float32)}

def case(id, numpy, torch):
    made = Case(id, id, Source("doc", "s"), inputs=x)
    made.implement("numpy")(numpy)
    made.implement("torch")(torch)
    return made

def strict_warnings(module, x):
    warnings.simplefilter("error")
    return {"y": x}

def warns(module, x):
    warnings.warn("harmless", UserWarning)
    return {"y": x * 2}

def flush_denormals(torch, x):
    torch.set_flush_denormal(True)
    return {"y": x}

def denormal_numpy(np, x):
    return {"bits": np.array([2], np.int32)}

def denormal_torch(torch, x):
    smallest = torch.tensor([1], dtype=torch.int32).view(torch.float32)  # the smallest denormal, from its bits
    return {"bits": (smallest * 2).view(torch.int32)}  # 0 when denormals are flushed

def meta_default(torch, x):
    torch.set_default_device("meta")
    return {"y": x}

def meta_context(torch, x):
    torch.device("meta").__enter__()  # never left
    return {"y": x}

def ones_numpy(np, x):
    return {"y": np.ones(2, np.float32) * x}

def ones_torch(torch, x):
    return {"y": torch.ones(2) * x}  # a meta tensor, not convertible, if the device leaked

a = case("g-1-warnings", strict_warnings, strict_warnings)
b = case("g-2-after-warnings", warns, warns)
c = case("g-3-flush-denormals", lambda np, x: {"y": x}, flush_denormals)
d = case("g-4-after-flush", denormal_numpy, denormal_torch)
e = case("g-5-meta-default", lambda np, x: {"y": x}, meta_default)
f = case("g-6-after-meta-default", ones_numpy, ones_torch)
g = case("g-7-meta-context", lambda np, x: {"y": x}, meta_context)
h = case("g-8-after-meta-context", ones_numpy, ones_torch)
'''


# pytest's own "ignore" filter keeps the output clean; a leaked "error" filter comes first
# in the list, so it would still turn the warning into an error.
@pytest.mark.filterwarnings("ignore:harmless")
@pytest.mark.parametrize("isolate", [False, True])
def test_global_state_a_case_changes_is_restored(tmp_path, torch_state, isolate):
    from equivalence.backends.torch import flushes_denormals

    torch = torch_state
    if not torch.set_flush_denormal(True):
        pytest.skip("this CPU cannot flush denormals")
    torch.set_flush_denormal(False)
    filters = list(warnings.filters)
    device_module = sys.modules.get("torch.utils._device")
    current_device = getattr(device_module, "CURRENT_DEVICE", None)
    folder = write_cases(tmp_path / "state", state=STATE)
    result = eq.run(str(folder), backends=FAST, isolate=isolate)
    failing = {(r.case, r.output): (r.status, r.message) for r in result.rows if r.status != "pass"}
    assert failing == {}
    assert {r.case for r in result.rows} == {f"g-{i}" for i in (
        "1-warnings", "2-after-warnings", "3-flush-denormals", "4-after-flush", "5-meta-default",
        "6-after-meta-default", "7-meta-context", "8-after-meta-context")}
    # In-process, this process is as it was.
    assert warnings.filters == filters
    assert not flushes_denormals()
    assert torch.get_default_device() == torch.device("cpu")
    assert torch.ones(1).device.type == "cpu"
    assert getattr(device_module, "CURRENT_DEVICE", None) == current_device


def test_the_denormal_probe_sees_torchs_setting(torch_state):
    from equivalence.backends.torch import flushes_denormals

    torch = torch_state
    if not torch.set_flush_denormal(True):
        pytest.skip("this CPU cannot flush denormals")
    try:
        assert flushes_denormals()
    finally:
        torch.set_flush_denormal(False)
    assert not flushes_denormals()


# -- 3. time limits: CPU time, and a larger wall-clock limit ----------------------------------


SLEEPY = '''
import time
import numpy as np
from equivalence import Case, Source

x = {"x": np.array([1.0, 2.0], np.float32)}
sleepy = Case("t-sleepy", "sleeps longer than the CPU limit, using no CPU", Source("doc", "s"), inputs=x)
sleepy.implement("numpy")(lambda np, x: (time.sleep(3), {"y": x})[1])
sleepy.implement("torch")(lambda torch, x: {"y": x})
'''


@pytest.mark.skipif(not HAS_PROC, reason="CPU time is read from /proc")
def test_the_limit_is_cpu_time_so_a_case_that_waits_is_not_stopped_by_it(tmp_path):
    folder = write_cases(tmp_path / "sleepy", sleepy=SLEEPY)
    result = eq.run(str(folder), backends=FAST, isolate=True, timeout=1)  # 1 s CPU, 10 s wall
    assert statuses(result, "t-sleepy") == ["pass"], messages(result, "t-sleepy")


def test_the_pool_keeps_its_constructor_and_takes_a_wall_clock_limit():
    from equivalence.isolation import DEFAULT_TIMEOUT, WALL_FACTOR, WorkerPool

    assert WorkerPool().timeout == DEFAULT_TIMEOUT and WorkerPool().wall_timeout == WALL_FACTOR * DEFAULT_TIMEOUT
    pool = WorkerPool(2, 3)
    assert (pool.jobs, pool.timeout, pool.wall_timeout) == (2, 3, 30)
    assert WorkerPool(1, 2, wall_timeout=5).wall_timeout == 5


@pytest.mark.skipif(not HAS_PROC, reason="reads /proc")
def test_cpu_time_is_read_from_proc():
    from equivalence.isolation import cpu_seconds

    before = cpu_seconds(os.getpid())
    assert before is not None
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    after = cpu_seconds(os.getpid())
    assert after is not None and after - before >= 0.2
    assert cpu_seconds(2**22 + 12345) is None  # no such process


# -- 4. text: controls, bidirectional overrides, lone surrogates ------------------------------


def test_printable_escapes_what_is_unsafe_and_keeps_lines():
    assert printable("a\x1b[31mb\x07") == "a\\x1b[31mb\\x07"
    assert printable("\u202eevil\u2066\u2069\u200e\u200f\u061c") == "\\u202eevil\\u2066\\u2069\\u200e\\u200f\\u061c"
    assert printable("bad \udcff name") == "bad \\udcff name"
    assert printable("\x85\x9b\x7f") == "\\x85\\x9b\\x7f"
    assert printable("one\ntwo\tthree\r\nfour\rfive") == "one\ntwo\tthree\r\nfour\\rfive"
    assert printable("one\ntwo\tthree\r\n", newlines=False) == "one\\ntwo\\tthree\\r\\n"
    assert printable("plain ü → ✓") == "plain ü → ✓"
    hostile = "x\udcff\x1b\u202e\r\n"
    assert printable(printable(hostile)) == printable(hostile)
    printable(hostile).encode("utf-8")  # never a UnicodeEncodeError
    assert printable("\x1b" * 10, 5) == "\\x1b…"


def test_html_escaping_shows_unsafe_characters_as_text():
    from equivalence.report._markup import anchor, esc

    assert esc("\u202e<b>\udcff\x1b") == "\\u202e&lt;b&gt;\\udcff\\x1b"
    assert esc("line\n\tindented") == "line\n\tindented"
    assert anchor("x\udcff").startswith("case-x-")  # any id has an anchor


def test_written_text_files_never_hold_raw_unsafe_characters(tmp_path):
    from equivalence._io import atomic_write_text
    from equivalence._json import dumps

    atomic_write_text(tmp_path / "a.txt", "bad \udcff \x1b[2J \u202e\r\nok\n")
    assert (tmp_path / "a.txt").read_bytes() == b"bad \\udcff \\x1b[2J \\u202e\r\nok\n"
    document = json.loads(dumps({"k\x1b": ["v\udcff", {"m": "\u202e"}]}, printable=True))
    assert document == {"k\\x1b": ["v\\udcff", {"m": "\\u202e"}]}
    assert json.loads(dumps({"k": "v\udcff"})) == {"k": "v\udcff"}  # exact unless asked


def test_an_exception_whose_str_raises_still_gives_a_message():
    class Broken(Exception):
        def __str__(self):
            raise RuntimeError("no")

    error = ErrorInfo.from_exception(Broken())
    assert error.type == "Broken" and "str() of the exception raised RuntimeError" in error.message


HOSTILE = '''
import numpy as np
from equivalence import Case, Source

case = Case("h-text", "title \\u202e evil \\x07", Source("doc", "s"), inputs={"x": np.array([1.0], np.float32)})

@case.numpy
def raises(np, x):
    raise Exception("bad \\udcff name \\x1b[31m red \\u202e evil")  # RAW

case.implement("torch")(lambda torch, x: {"y": x})
'''.replace("# RAW", "# \x1b[0m \u202e raw in the source")


@pytest.mark.parametrize("isolate", [False, True])
def test_hostile_text_is_escaped_in_every_file(tmp_path, isolate):
    import pandas as pd

    from equivalence.report import write_report
    from equivalence.results import read_results

    folder = write_cases(tmp_path / "hostile", hostile=HOSTILE)
    result = eq.run(str(folder), backends=FAST, isolate=isolate)
    [row] = result.rows
    assert row.status == "error"
    out = tmp_path / "out"
    paths = result.write(out)
    page = write_report(result, out)
    for path in (paths["csv"], paths["json"], page):
        text = path.read_bytes().decode("utf-8")  # strict: a lone surrogate could not be in it
        for raw in ("\x1b", "\x07", "\u202e"):
            assert raw not in text, (path.name, raw)
        assert not any("\ud800" <= char <= "\udfff" for char in text)
    _, rows = read_results(paths["json"])
    assert "bad \\udcff name \\x1b[31m red \\u202e evil" in rows[0]["message"]
    assert "bad \\udcff name \\x1b[31m red \\u202e evil" in pd.read_csv(paths["csv"])["message"][0]
    html = page.read_text(encoding="utf-8")
    assert "\\x1b[31m red \\u202e evil" in html and "title \\u202e evil \\x07" in html
    error = result.executions[("h-text", "numpy")].error
    assert error is not None and "\\x1b[0m \\u202e raw in the source" in error.traceback

