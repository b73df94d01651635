"""Shards and merge: the union of --shard 1/3, 2/3 and 3/3 merged is the whole run, row
for row; a missing or duplicated shard, or parts from other versions, are refused."""

from __future__ import annotations

import json
import textwrap

import pytest

from conftest import write_cases
from equivalence.cli import main
from equivalence.shards import shard_cases

CASE = '''
import numpy as np
from equivalence import Case

def make(i):
    case = Case(f"s-{i}", f"case {i}", inputs={"x": np.arange(3, dtype=np.float32)})
    case.implement("numpy")(lambda np, x: {"y": x * i})
    case.implement("torch")(lambda torch, x: {"y": x * i + (1 if i == 4 else 0)})
    return case

CASES = [make(i) for i in range(7)]
'''


def _rows(folder):
    rows = json.loads((folder / "results.json").read_text())["rows"]
    return sorted(json.dumps({k: v for k, v in r.items() if k != "seconds"}, sort_keys=True) for r in rows)


@pytest.fixture
def folder(tmp_path):
    return write_cases(tmp_path / "c", cases=textwrap.dedent(CASE))


def test_the_merged_shards_are_the_whole_run_row_for_row(folder, tmp_path, capsys):
    backends = ["--backends", "numpy,torch", "-q"]
    assert main(["run", str(folder), "--out", str(tmp_path / "whole"), *backends]) == 1  # s-4 fails
    for k in (1, 2, 3):
        main(["run", str(folder), "--shard", f"{k}/3", "--durations", str(tmp_path / "whole" / "results.json"),
              "--out", str(tmp_path / f"part{k}"), *backends])
    parts = [str(tmp_path / f"part{k}") for k in (1, 2, 3)]
    assert main(["merge", *parts, "--out", str(tmp_path / "merged")]) == 1
    assert _rows(tmp_path / "merged") == _rows(tmp_path / "whole")
    assert (tmp_path / "merged" / "index.html").exists()

    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["merge", parts[0], parts[1], "--out", str(tmp_path / "m2")])
    assert "shard(s) 3/3 missing" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["merge", parts[0], parts[0], parts[1], parts[2], "--out", str(tmp_path / "m3")])
    assert "given twice" in capsys.readouterr().err

    changed = tmp_path / "part3" / "results.json"
    document = json.loads(changed.read_text())
    document["metadata"]["versions"]["numpy"] = "1.26.4"
    changed.write_text(json.dumps(document))
    with pytest.raises(SystemExit):
        main(["merge", *parts, "--out", str(tmp_path / "m4")])
    assert "different framework versions" in capsys.readouterr().err
    assert main(["merge", *parts, "--allow-mixed-versions", "--out", str(tmp_path / "m4")]) == 1


def test_shards_are_disjoint_complete_and_balanced_by_recorded_durations():
    from equivalence import Case

    cases = [Case(f"c{i}", "t") for i in range(6)]
    durations = {(f"c{i}", "numpy"): float(s) for i, s in enumerate([10, 1, 1, 1, 1, 6])}
    parts = [shard_cases(cases, k, 2, durations) for k in (1, 2)]
    assert sorted(c.id for p in parts for c in p) == sorted(c.id for c in cases)
    loads = [sum(durations[(c.id, "numpy")] for c in p) for p in parts]
    assert max(loads) == 10  # c0 alone against the rest (6 + 4 × 1)
    by_count = [shard_cases(cases, k, 3) for k in (1, 2, 3)]
    assert [len(p) for p in by_count] == [2, 2, 2]
