"""The upgrade check's plan: which versions each side gets, and the rules that keep it on
the CPU. Building the environments themselves takes minutes and the registry: that is
measured by hand (docs/upgrade-check.md), not here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parent.parent


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("upgrade_check", ROOT / "scripts" / "upgrade_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["upgrade_check"] = module
    spec.loader.exec_module(module)
    return module


upgrade_check = _script()


def test_the_frameworks_extra_pins_no_framework_and_constraints_keep_torch_on_the_cpu():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for requirement in extras["frameworks"]:
        assert not any(op in requirement for op in "<>=~!"), requirement  # any version can be installed
    assert "torch==2.13.0" in upgrade_check.project_constraints()


def test_each_side_pins_what_varies_and_keeps_the_rest():
    args = upgrade_check.parse_args(["--vary", "numpy", "1.26.4", "2.4.6", "--with", "pandas<3"])
    a, b = upgrade_check.side(args, "A"), upgrade_check.side(args, "B")
    assert "numpy==1.26.4" in a["requirements"] and "numpy==1.26.4" in a["constraints"]
    assert "numpy==2.4.6" in b["constraints"] and "pandas<3" in b["requirements"]
    assert "torch==2.13.0" in a["constraints"]  # not varied: the CPU build
    assert any(r.startswith("-e ") and r.endswith("[frameworks,report]") for r in a["requirements"])
    pinned = upgrade_check.side(args, "B", pins=["numpy==1.26.4", "keras==3.15.1", "pandas==2.3.3",
                                                  "equivalence==0.1.0"])
    assert "keras==3.15.1" in pinned["constraints"]  # B keeps A's other versions
    assert "numpy==1.26.4" not in pinned["constraints"]  # but not what varies,
    assert "pandas==2.3.3" not in pinned["constraints"]  # what --with names,
    assert not any(c.startswith("equivalence") for c in pinned["constraints"])  # or the project itself


def test_varying_torch_replaces_the_cpu_pin_for_that_side_only_and_aliases():
    args = upgrade_check.parse_args(["--vary", "pytorch", "2.13.0", "2.14.1", "--vary", "tensorflow", "2.20.0",
                                     "2.21.0"])
    assert [name for name, _, _ in args.vary] == ["torch", "tensorflow-cpu"]
    b = upgrade_check.side(args, "B")
    assert "torch==2.14.1" in b["constraints"] and "torch==2.13.0" not in b["constraints"]
    assert "tensorflow-cpu==2.21.0" in b["constraints"]
    assert args.out == "build/upgrade-check/torch-2.13.0-to-2.14.1_tensorflow-cpu-2.20.0-to-2.21.0"
    assert upgrade_check.venv_dir(args, "A", upgrade_check.side(args, "A")) != upgrade_check.venv_dir(args, "B", b)


def test_usage_errors(capsys):
    with pytest.raises(SystemExit):
        upgrade_check.parse_args([])
    assert "--vary" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        upgrade_check.parse_args(["--vary", "tf", "1", "2", "--vary", "tensorflow", "3", "4"])


def test_dry_run_prints_the_plan(capsys):
    assert upgrade_check.main(["--vary", "keras", "3.10.0", "3.15.1", "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "keras==3.10.0" in printed and "keras==3.15.1" in printed


def test_pip_settings_are_read_for_uv(monkeypatch):
    monkeypatch.setenv("PIP_FIND_LINKS", "/somewhere/wheels")
    settings = upgrade_check.pip_settings(sys.executable)
    assert "/somewhere/wheels" in settings["find-links"]
    assert set(settings) == {"find-links", "extra-index-url", "index-url", "constraint"}
