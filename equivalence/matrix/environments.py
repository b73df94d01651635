"""Making one environment with uv, reusing it when its pins are the same, and checking it.

Each environment is a virtual environment of its own (``uv venv``, no system packages)
into which uv installs the project's dependencies (``[project] dependencies`` and the
``frameworks`` extra of ``pyproject.toml``), the environment's pins and its further
requirements, under the project's ``constraints.txt`` less what the environment pins,
then the project itself, editable and without dependencies. uv does not read pip's
configuration: pip's find-links, indexes and constraint files (``pip config list`` and
``PIP_*``) are passed to it.

``.equivalence-matrix.json`` in the environment records what it was made from (the
*plan*: requirements, constraints, interpreter, indexes) and is written last, so a half
made environment is never reused: it is made again. One whose marker holds the same plan
is reused as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._io import atomic_write_text
from .spec import EnvSpec, normalise

__all__ = ["MARKER", "EnvironmentFailure", "Made", "Plan", "child_environment", "ensure_environment", "find_uv",
           "pip_settings", "plan_for", "project_root", "read_marker", "verify"]

MARKER = ".equivalence-matrix.json"
#: The import name of each distribution an environment is checked for.
MODULES = {"tensorflow-cpu": "tensorflow", "tensorflow": "tensorflow", "torch": "torch", "numpy": "numpy",
           "keras": "keras", "jax": "jax", "jaxlib": "jaxlib", "pandas": "pandas", "scipy": "scipy"}
#: Variables that would make an environment's Python see packages that are not its own.
SCRUBBED = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP", "PYTHONUSERBASE")


class EnvironmentFailure(Exception):
    """An environment that could not be made or used; the message says why."""


@dataclass(frozen=True)
class Plan:
    """What one environment is made from: its key says whether an existing one can be reused."""

    name: str
    requirements: tuple[str, ...]
    constraints: tuple[str, ...]
    python: str
    index_options: tuple[str, ...]
    constraint_files: tuple[str, ...]
    root: str

    def record(self) -> dict[str, Any]:
        return {"requirements": list(self.requirements), "constraints": list(self.constraints),
                "python": self.python, "index_options": list(self.index_options),
                "constraint_files": {f: _text_of(f) for f in self.constraint_files}, "root": self.root}

    @property
    def key(self) -> str:
        return hashlib.sha256(json.dumps(self.record(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Made:
    """An environment ready: where, whether it was there already, the seconds making it
    took (then, when reused), every distribution's version."""

    path: Path
    reused: bool
    seconds: float
    packages: dict[str, str]


def _text_of(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError:
        return ""


def project_root() -> Path:
    """The source checkout this package runs from (installed editable into each environment)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file():
        raise EnvironmentFailure(f"{root} holds no pyproject.toml: the matrix installs this project from its source "
                                 "checkout (pip install -e .)")
    return root


def _project_requirements(root: Path) -> list[str]:
    """``[project] dependencies`` and the ``frameworks`` extra."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")).get("project", {})
    extras = project.get("optional-dependencies", {})
    return [str(r) for r in [*project.get("dependencies", []), *extras.get("frameworks", [])]]


def _name(requirement: str) -> str:
    name = requirement.strip()
    for stop in "<>=!~;[ @":
        name = name.split(stop)[0]
    return normalise(name)


def pip_settings(python: str = sys.executable) -> dict[str, list[str]]:
    """pip's find-links, indexes and constraint files as this machine configures them."""
    found: dict[str, list[str]] = {"find-links": [], "extra-index-url": [], "index-url": [], "constraint": []}
    try:
        listed = subprocess.run([python, "-m", "pip", "config", "list"], capture_output=True, text=True,
                                timeout=60, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        listed = ""
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        option = key.split(".")[-1]
        if option in found:
            found[option] += [v for v in value.strip().strip("'\"").split() if v and v not in found[option]]
    for variable, option in (("PIP_FIND_LINKS", "find-links"), ("PIP_EXTRA_INDEX_URL", "extra-index-url"),
                             ("PIP_INDEX_URL", "index-url"), ("PIP_CONSTRAINT", "constraint")):
        found[option] += [v for v in os.environ.get(variable, "").split() if v not in found[option]]
    return found


def plan_for(env: EnvSpec, settings: dict[str, list[str]], *, python: str, torch_pin: str | None = None) -> Plan:
    """The requirements and constraints of ``env``: the project's, its pins (torch at
    ``torch_pin``, the exact CPU build found), under constraints.txt less what it pins."""
    root = project_root()
    pins = dict(env.pins)
    if torch_pin:
        pins["torch"] = torch_pin
    pinned = set(pins) | {_name(r) for r in env.extra}
    lines = (root / "constraints.txt").read_text(encoding="utf-8").splitlines() \
        if (root / "constraints.txt").is_file() else []
    constraints = [c for c in (line.split("#")[0].strip() for line in lines) if c and _name(c) not in pinned]
    requirements = [*(r for r in _project_requirements(root) if _name(r) not in pins),
                    *(f"{name}=={version}" for name, version in pins.items()), *env.extra]
    options: list[str] = []
    for option in ("index-url", "extra-index-url", "find-links"):
        for value in settings.get(option, []):
            options += [f"--{option}", value]
    return Plan(env.name, tuple(requirements), tuple(constraints), os.path.realpath(python), tuple(options),
                tuple(settings.get("constraint", [])), str(root))


def find_uv() -> str:
    """The uv executable: on PATH, or the one the ``uv`` package installed beside this Python."""
    found = shutil.which("uv")
    if found:
        return found
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file():
        return str(beside)
    raise EnvironmentFailure("uv is not installed: pip install uv (the matrix makes its environments with it)")


def child_environment() -> dict[str, str]:
    """This process' environment less what would leak the system's packages into a child."""
    return {k: v for k, v in os.environ.items() if k not in SCRUBBED}


def _run(command: list[str], log: Path, cwd: Path | None = None) -> None:
    with open(log, "a", encoding="utf-8") as handle:
        handle.write(f"$ {' '.join(command)}\n")
        handle.flush()
        done = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, env=child_environment(),
                              cwd=cwd, check=False)
    if done.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-6:]
        raise EnvironmentFailure(f"{Path(command[0]).name} {command[1]} {command[2]} failed (exit "
                                 f"{done.returncode}): " + " | ".join(line.strip() for line in tail))


def read_marker(path: Path) -> dict[str, Any]:
    try:
        data = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def ensure_environment(plan: Plan, where: Path, log: Path, uv: str) -> Made:
    """The environment of ``plan`` at ``where``: reused when its marker holds the same
    plan, else made afresh (anything there before is removed first)."""
    started = time.perf_counter()
    python = where / "bin" / "python"
    marker = read_marker(where)
    if python.exists() and marker.get("key") == plan.key:  # seconds: what making it took then
        return Made(where, True, float(marker.get("seconds") or 0.0), dict(marker.get("packages") or {}))
    if where.exists():
        if not (where / "pyvenv.cfg").exists():
            raise EnvironmentFailure(f"{where} exists and is not a virtual environment: not removed; choose "
                                     "another --envs folder or name")
        shutil.rmtree(where)
    where.parent.mkdir(parents=True, exist_ok=True)
    try:
        _run([uv, "venv", "--quiet", "--python", plan.python, str(where)], log)
        files = where / ".equivalence-matrix"
        files.mkdir()
        (files / "requirements.txt").write_text("\n".join(plan.requirements) + "\n", encoding="utf-8")
        (files / "constraints.txt").write_text("\n".join(plan.constraints) + "\n", encoding="utf-8")
        common = [uv, "pip", "install", "--python", str(python), "--index-strategy", "unsafe-best-match",
                  *plan.index_options, *(a for f in plan.constraint_files for a in ("--constraint", f))]
        _run([*common, "-r", str(files / "requirements.txt"), "--constraint", str(files / "constraints.txt")], log)
        _run([*common, "--no-deps", "-e", plan.root], log)
        packages = verify(where, plan)
    except BaseException:
        shutil.rmtree(where, ignore_errors=True)  # never reused half made; only disk was used
        raise
    seconds = time.perf_counter() - started
    atomic_write_text(where / MARKER, json.dumps({"key": plan.key, "name": plan.name, "plan": plan.record(),
                                                  "packages": packages, "seconds": round(seconds, 1)}, indent=1))
    return Made(where, False, seconds, packages)


PROBE = r"""
import importlib, importlib.metadata as md, json, os, sys
where = os.path.realpath(sys.argv[1]); wanted = json.loads(sys.argv[2]); modules = json.loads(sys.argv[3])
packages, problems = {}, []
for dist in md.distributions():
    packages[str(dist.metadata["Name"] or "").lower().replace("_", "-")] = dist.version
for dist, version in wanted.items():
    got = packages.get(dist)
    if got is None or (got != version and got.split("+")[0] != version):
        problems.append(f"{dist} {got or 'is missing'}{' installed' if got else ''}, {version} asked for")
for module in modules:
    try:
        imported = importlib.import_module(module)
    except Exception as exc:
        problems.append(f"{module} does not import: {type(exc).__name__}: {str(exc)[:300]}"); continue
    home = os.path.realpath(getattr(imported, "__file__", "") or "")
    if not home.startswith(where):
        problems.append(f"{module} is imported from {home}, not from the environment")
print(json.dumps({"packages": packages, "problems": problems}))
"""


def verify(where: Path, plan: Plan) -> dict[str, str]:
    """Every pinned distribution is installed at its version, and NumPy, TensorFlow and
    PyTorch import from the environment; returns every distribution's version."""
    wanted = {_name(r): r.split("==", 1)[1].strip() for r in plan.requirements if "==" in r and ";" not in r}
    modules = sorted({MODULES[d] for d in ("numpy", "torch", "tensorflow-cpu", *wanted) if d in MODULES})
    done = subprocess.run([str(where / "bin" / "python"), "-c", PROBE, str(where), json.dumps(wanted),
                           json.dumps(modules)], capture_output=True, text=True, env=child_environment(), check=False)
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise EnvironmentFailure(f"checking the environment failed: {done.stderr.strip()[-400:]}") from None
    if answer["problems"]:
        raise EnvironmentFailure("; ".join(answer["problems"]))
    return {str(k): str(v) for k, v in answer["packages"].items()}
