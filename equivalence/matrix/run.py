"""Running a matrix: every environment made (or reused) in turn, and a baseline saved in each.

Before anything is made, every environment's PyTorch is checked (:mod:`.wheels`): a
version whose wheel is not the CPU build stops the matrix, unless ``allow_cuda``. The
cases are copied once into ``OUT/cases`` (every environment runs the same files, however
they are edited meanwhile; the digest of the copy is part of each baseline's scope). Then,
in the axis' order, each environment is made with uv (:mod:`.environments`) and runs
``python -m equivalence baseline save`` in a child process, into a temporary file renamed
into place once complete, with a record of the environment and scope it was saved for
(``baselines/NAME.json``). ``reuse``: a baseline recorded for the same environment and
scope is kept and its environment not even looked at. An environment that cannot be made
or whose save fails is an ``error`` outcome with the reason; the others go on.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._io import atomic_write_text
from .environments import (
    EnvironmentFailure,
    Plan,
    child_environment,
    ensure_environment,
    find_uv,
    pip_settings,
    plan_for,
    project_root,
    read_marker,
)
from .outcome import EnvOutcome, write_outcomes
from .spec import MatrixSpec
from .wheels import TorchCheck, Wheel, check_torch, find_wheels

__all__ = ["Options", "default_envs", "plan_matrix", "run_matrix", "snapshot_cases"]


def default_envs() -> Path:
    """Where environments are made unless ``--envs``: outside any repository."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "equivalence" / "envs"


@dataclass
class Options:
    out: Path
    envs: Path = field(default_factory=default_envs)
    paths: tuple[str, ...] = ()
    select: str | None = None
    backends: tuple[str, ...] = ()
    jobs: int | None = None
    timeout: float | None = None
    reuse: bool = False
    allow_cuda: bool = False
    python: str = sys.executable
    say: Callable[[str], None] = print

    #: The copy of the cases every environment runs, and the digest of its files (set by :func:`run_matrix`).
    snapshot: tuple[str, ...] = ()
    cases_digest: str = ""

    def scope(self) -> dict[str, Any]:
        """What a baseline is saved for: kept beside it, compared by ``reuse``."""
        return {"paths": list(self.paths), "select": self.select or "", "backends": list(self.backends),
                "timeout": self.timeout, "cases": self.cases_digest}


def snapshot_cases(paths: Sequence[str], out: Path) -> tuple[tuple[str, ...], str]:
    """A copy of the case files and folders under ``out/cases`` (the project's cases when
    ``paths`` is empty), so that every environment runs the same cases even when they are
    edited meanwhile; with the sha256 of every file copied."""
    import hashlib
    import shutil

    if not paths:
        from ..config import ConfigError, load_settings

        try:
            found = load_settings(".").cases or ["cases"]
        except ConfigError:
            found = ["cases"]
        paths = [str(Path(p).resolve()) for p in found if Path(p).exists()]
    staging = out / ".cases.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    copied = []
    for number, source in enumerate(Path(p) for p in paths):
        target = staging / (source.name if number == 0 or not (staging / source.name).exists()
                            else f"{number}-{source.name}")
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target)
        copied.append(target.name)
    digest = hashlib.sha256()
    for file in sorted(f for f in staging.rglob("*") if f.is_file()):
        digest.update(f"{file.relative_to(staging)}\0".encode("utf-8", "surrogateescape") + file.read_bytes())
    shutil.rmtree(out / "cases", ignore_errors=True)
    os.replace(staging, out / "cases")
    return tuple(str((out / "cases" / name).resolve()) for name in copied), digest.hexdigest()[:16]


def _torch_version(spec_pins: dict[str, str], root: Path) -> str | None:
    if "torch" in spec_pins:
        return spec_pins["torch"]
    constraints = root / "constraints.txt"
    lines = constraints.read_text(encoding="utf-8").splitlines() if constraints.is_file() else []
    for line in lines:
        text = line.split("#")[0].replace(" ", "")
        if text.lower().startswith("torch=="):
            return text.split("==", 1)[1]
    return None


def plan_matrix(spec: MatrixSpec, options: Options,
                lookup: Callable[[str], list[Wheel]] | None = None) -> tuple[list[Plan], list[TorchCheck]]:
    """Every environment's plan, its torch checked; :class:`EnvironmentFailure` listing
    every refused torch, before anything is made."""
    root = project_root()
    settings = pip_settings(options.python)
    if lookup is None:
        indexes = settings["index-url"][:1] or ["https://pypi.org/simple"]
        indexes += settings["extra-index-url"]

        def lookup(version: str) -> list[Wheel]:
            return find_wheels("torch", version, find_links=settings["find-links"], indexes=indexes)

    checks: dict[str, TorchCheck] = {}
    plans, refused = [], []
    for env in spec.envs:
        version = _torch_version(env.pins, root)
        if version is None:
            if not options.allow_cuda:
                refused.append(f"{env.name}: torch is not pinned and constraints.txt does not pin it: the registry's "
                               "torch is a CUDA build; pin a CPU build (torch = \"2.13.0\") or pass --allow-cuda")
            plans.append(plan_for(env, settings, python=options.python))
            continue
        if version not in checks:
            checks[version] = check_torch(version, allow_cuda=options.allow_cuda, lookup=lookup)
        check = checks[version]
        if check.refused:
            refused.append(f"{env.name}: {check.refused}")
        plans.append(plan_for(env, settings, python=options.python, torch_pin=check.pin))
    if refused:
        raise EnvironmentFailure("\n".join(refused) + "\nNothing was made. Pin a CPU build of torch (2.13.0 on this "
                                 "machine: constraints.txt), or pass --allow-cuda to install it all the same (a CUDA "
                                 "build brings several GB of nvidia-* packages)")
    return plans, list(checks.values())


def _recorded(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(python: Path, target: Path, options: Options, log: Path) -> None:
    """``baseline save`` in the environment, into a temporary file renamed to ``target`` when complete."""
    partial = target.with_name(f".{target.stem}.saving.npz")
    command = [str(python), "-m", "equivalence", "baseline", "save", *(options.snapshot or options.paths), "--path",
               str(partial),
               "--force", "-q", *(["-k", options.select] if options.select else []),
               *(["--backends", ",".join(options.backends)] if options.backends else []),
               *(["-j", str(options.jobs)] if options.jobs else []),
               *(["--timeout", f"{options.timeout:g}"] if options.timeout else [])]
    import subprocess

    try:
        with open(log, "w", encoding="utf-8") as handle:
            handle.write(f"$ {' '.join(command)}\n")
            handle.flush()
            done = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, env=child_environment(),
                                  check=False)
        if done.returncode != 0 or not partial.is_file():
            tail = [line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                    if line.strip()][-4:]
            raise EnvironmentFailure(f"baseline save failed (exit {done.returncode}): {' | '.join(tail)} "
                                     f"(see {log})")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)  # interrupted or failed: no partial baseline stays behind


def run_matrix(spec: MatrixSpec, options: Options, plans: Sequence[Plan] | None = None) -> list[EnvOutcome]:
    """Make each environment and save its baseline; ``matrix.json`` records each outcome as it comes."""
    plans = list(plans) if plans is not None else plan_matrix(spec, options)[0]
    out = options.out
    (out / "baselines").mkdir(parents=True, exist_ok=True)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    options.snapshot, options.cases_digest = snapshot_cases(options.paths, out)
    metadata = {"matrix": str(spec.path), "scope": options.scope(), "envs": str(options.envs),
                "python": options.python, "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    outcomes: list[EnvOutcome] = []
    uv: str | None = None
    for number, (env, plan) in enumerate(zip(spec.envs, plans, strict=True), 1):
        asked = {r.split("==")[0]: r.split("==", 1)[1] for r in plan.requirements if "==" in r}
        pins = {name: asked.get(name, version) for name, version in env.pins.items()}
        if "torch" in asked and "torch" not in pins:  # the CPU build constraints.txt names
            pins["torch"] = asked["torch"]
        outcome = EnvOutcome(env.name, pins, extra=list(env.extra), environment=str(options.envs / env.name))
        target, record = out / "baselines" / f"{env.name}.npz", out / "baselines" / f"{env.name}.json"
        here = f"[{number}/{len(spec.envs)}] {env.name} ({outcome.label()})"
        recorded = _recorded(record)
        if options.reuse and target.is_file() and recorded.get("key") == plan.key and \
                recorded.get("scope") == options.scope():
            outcome.baseline, outcome.reused_baseline = str(target), True
            outcome.packages = dict(recorded.get("packages") or {})
            outcome.made_seconds, outcome.saved_seconds = recorded.get("made_seconds"), recorded.get("saved_seconds")
            marker = read_marker(options.envs / env.name)
            if marker.get("key") == plan.key:  # the environment is still there: how long making it took
                outcome.made_seconds, outcome.reused_environment = marker.get("seconds"), True
            options.say(f"{here}: baseline of an earlier run reused ({target})")
        else:
            try:
                uv = uv or find_uv()
                made = ensure_environment(plan, options.envs / env.name, out / "logs" / f"{env.name}.install.log", uv)
                outcome.packages, outcome.reused_environment = made.packages, made.reused
                outcome.made_seconds = round(made.seconds, 1)
                options.say(f"{here}: environment " + (f"reused (made in {made.seconds:.0f}s)" if made.reused else
                                                       f"made in {made.seconds:.0f}s") + "; saving the baseline")
                started = time.perf_counter()
                record.unlink(missing_ok=True)
                _save(made.path / "bin" / "python", target, options, out / "logs" / f"{env.name}.save.log")
                outcome.saved_seconds = round(time.perf_counter() - started, 1)
                outcome.baseline = str(target)
                atomic_write_text(record, json.dumps({"key": plan.key, "scope": options.scope(),
                                                      "packages": outcome.packages,
                                                      "made_seconds": outcome.made_seconds,
                                                      "saved_seconds": outcome.saved_seconds}, indent=1))
                options.say(f"{here}: baseline saved in {outcome.saved_seconds:.0f}s")
            except EnvironmentFailure as exc:
                outcome.status, outcome.reason = "error", str(exc)
                options.say(f"{here}: ERROR: {exc}")
        outcomes.append(outcome)
        write_outcomes(out / "matrix.json", outcomes, metadata)
    return outcomes
