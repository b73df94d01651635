#!/usr/bin/env python3
"""A real framework upgrade, checked: two fresh environments that differ in what is varied.

    scripts/upgrade_check.py --vary tensorflow 2.20.0 2.21.0      # tensorflow-cpu (the default)
    scripts/upgrade_check.py --vary numpy 1.26.4 2.4.6
    scripts/upgrade_check.py --vary keras 3.10.0 3.15.1
    scripts/upgrade_check.py --vary torch 2.13.0 2.14.1 --allow-cuda   # see "PyTorch" below
    scripts/upgrade_check.py --vary tensorflow 2.15.1 2.16.2 --with-b keras==3.3.3 --with 'pandas<3'
    scripts/upgrade_check.py --vary numpy 1.26.4 2.4.6 -k '002 or 003' --backends numpy,torch -j 1

Each side is a virtual environment of its own (the standard library's ``venv`` with
pip, or ``--installer uv``), made **without** the system's packages, into which this
project is installed with its ``frameworks`` and ``report`` extras (TensorFlow,
PyTorch, NumPy, pandas, matplotlib), under the constraints of ``constraints.txt`` less
what is varied, plus ``PACKAGE==VERSION`` for each ``--vary``. Side B is resolved with
every other package pinned to what side A got, less the pins that conflict with what B
varies (TensorFlow 2.21 needs its own TensorBoard): only the varied packages and what
they require change. The check lists both environments side by side all the same. Each environment is
checked: every varied package imports at the version asked for, from the environment.

The catalogue (``--cases``, default ``cases/``) is copied once into the output folder,
so both sides run the same cases even if ``cases/`` changes meanwhile. Side A saves a
baseline (``A.npz``); side B checks it (``baseline check``: drift.csv, drift.json, the
HTML report, and B's own outputs as ``B.npz``), so that ``python -m equivalence compare
OUT/A.npz OUT/B.npz -k ...`` can look again at any part without running anything. Both
runs use worker processes with a time limit (``-j``, ``--timeout``), as ``run`` does.
Exits with the check's code: 1 when an output drifted beyond tolerance or a case raises
under B, 0 when nothing did; 2 for a usage error or an environment that could not be made.

PyTorch: the registry's Linux ``torch`` wheels are CUDA builds that pull several GB of
``nvidia-*`` packages; the CPU build this project uses comes from the machine's wheel
folder (``constraints.txt``). Before installing, each side's resolution is computed
(``pip install --dry-run --report``, before any environment is made); if it would
install ``nvidia-*``, ``cuda-*`` or ``triton`` packages, the script stops and lists
them, unless ``--allow-cuda``.

Environments are kept (``build/upgrade-venvs/``, about 1.5 GB each with TensorFlow and
PyTorch) and reused when asked for with the same requirements; ``--remove-venvs``
deletes them at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from equivalence.matrix.environments import pip_settings  # noqa: E402  (pip's settings, read in one place)

#: What a name given to --vary installs: TensorFlow's CPU build.
ALIASES = {"tensorflow": "tensorflow-cpu", "tf": "tensorflow-cpu", "pytorch": "torch"}
#: Import name of each distribution checked after the install.
MODULES = {"tensorflow-cpu": "tensorflow", "tensorflow": "tensorflow", "torch": "torch", "numpy": "numpy",
           "keras": "keras", "ml-dtypes": "ml_dtypes", "jax": "jax", "jaxlib": "jaxlib", "scipy": "scipy"}
#: Distributions that mean a CUDA build of PyTorch (or of anything) is about to be installed.
CUDA_PREFIXES = ("nvidia-", "cuda-", "triton")
EXTRAS = "frameworks,report"


class Failure(Exception):
    """An environment that could not be made: the message says why; exit 2."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/upgrade_check.py",
        description="Save a baseline in environment A, check it in environment B; A and B differ in the packages "
                    "given to --vary.")
    parser.add_argument("--vary", nargs=3, action="append", metavar=("PACKAGE", "A", "B"), default=[],
                        help="a package and its versions in A and in B (repeatable): tensorflow (tensorflow-cpu), "
                             "torch, numpy, keras, or any distribution")
    parser.add_argument("--with", dest="both", action="append", default=[], metavar="REQ",
                        help="a further requirement on both sides, e.g. 'pandas<3' (repeatable)")
    parser.add_argument("--with-a", action="append", default=[], metavar="REQ", help="a further requirement of A")
    parser.add_argument("--with-b", action="append", default=[], metavar="REQ", help="a further requirement of B")
    parser.add_argument("-k", dest="select", default=None, metavar="EXPR", help="only the cases matching EXPR")
    parser.add_argument("--backends", default=None, metavar="LIST",
                        help="backends to save and check (default: run's: numpy,torch,tensorflow,"
                             "tensorflow-function; 'all' adds XLA and torch.compile)")
    parser.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="worker processes at once (1)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="CPU seconds of one case in one backend (default: 300)")
    parser.add_argument("--cases", default="cases", metavar="DIR", help="the cases to run (default: cases/)")
    parser.add_argument("--out", default=None, metavar="DIR",
                        help="where the cases' copy, A.npz, B.npz and B's drift table go "
                             "(default: build/upgrade-check/PACKAGE-A-to-B)")
    parser.add_argument("--venvs", default="build/upgrade-venvs", metavar="DIR",
                        help="where the environments are made (default: build/upgrade-venvs)")
    parser.add_argument("--installer", choices=("venv", "uv"), default="venv",
                        help="venv: the standard library's venv and pip (default); uv: uv venv and uv pip")
    parser.add_argument("--python", default=sys.executable, metavar="PYTHON",
                        help="the interpreter both environments are made from (default: this one)")
    parser.add_argument("--allow-cuda", action="store_true",
                        help="install a resolution that holds nvidia-*/cuda-*/triton packages (a CUDA build)")
    parser.add_argument("--remove-venvs", action="store_true", help="delete both environments at the end")
    parser.add_argument("--dry-run", action="store_true",
                        help="print each side's requirements and constraints, and exit")
    args = parser.parse_args(argv)
    if not args.vary:
        parser.error("nothing to vary: give --vary PACKAGE A B, e.g. --vary numpy 1.26.4 2.4.6")
    args.vary = [(ALIASES.get(name.lower(), name.lower()), a, b) for name, a, b in args.vary]
    names = [name for name, _, _ in args.vary]
    if len(set(names)) != len(names):
        parser.error(f"a package is varied twice: {' '.join(names)}")
    if args.out is None:
        label = "_".join(f"{name}-{a}-to-{b}" for name, a, b in args.vary)
        args.out = f"build/upgrade-check/{label}"
    return args


# -- what each side installs ----------------------------------------------------------


def _name(requirement: str) -> str:
    """The distribution name of a requirement line, normalised (``Foo_bar>=1`` -> ``foo-bar``)."""
    name = requirement.strip()
    for stop in "<>=!~;[ @":
        name = name.split(stop)[0]
    return name.lower().replace("_", "-")


def project_constraints() -> list[str]:
    """``constraints.txt``'s requirement lines (comments dropped)."""
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def side(args: argparse.Namespace, which: str, pins: list[str] | None = None) -> dict[str, list[str]]:
    """The requirements and constraints of side ``which`` ("A" or "B").

    Constraints: constraints.txt less the varied packages and what --with names, the
    varied packages at this side's version, and ``pins`` (another side's freeze, less
    the varied packages) when given."""
    index = 1 if which == "A" else 2
    varied = {name: f"{name}=={versions[index - 1]}" for name, *versions in args.vary}
    extra = [*args.both, *(args.with_a if which == "A" else args.with_b)]
    overridden = set(varied) | {_name(r) for r in extra}
    constraints = [c for c in project_constraints() if _name(c) not in overridden]
    constraints += [p for p in (pins or []) if _name(p) not in overridden and _name(p) != "equivalence"]
    constraints += list(varied.values())
    requirements = [f"-e {ROOT}[{EXTRAS}]", *varied.values(), *extra]
    return {"requirements": requirements, "constraints": constraints}


def spec_key(spec: dict[str, list[str]], args: argparse.Namespace) -> str:
    text = json.dumps({**spec, "python": os.path.realpath(shutil.which(args.python) or args.python),
                       "installer": args.installer}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def venv_dir(args: argparse.Namespace, which: str, spec: dict[str, list[str]]) -> Path:
    index = 1 if which == "A" else 2
    label = "_".join(f"{name}-{versions[index - 1]}" for name, *versions in args.vary)
    return ROOT / args.venvs / f"{label}-{spec_key(spec, args)}"


# -- making an environment ------------------------------------------------------------


def run(command: list[str], *, log: Path | None = None, errors: Path | None = None, check: bool = True) -> int:
    """Run ``command`` from the project's root; its output goes to ``log`` when given, its
    standard error to ``errors`` when given (the frameworks' start-up chatter), else to ``log``."""
    if log is None:
        done = subprocess.run(command, cwd=ROOT, check=False)
    else:
        with open(log, "a", encoding="utf-8") as handle, open(errors or os.devnull, "a", encoding="utf-8") as err:
            handle.write(f"$ {shlex.join(command)}\n")
            handle.flush()
            done = subprocess.run(command, cwd=ROOT, stdout=handle, stderr=err if errors else subprocess.STDOUT,
                                  check=False)
    if check and done.returncode != 0:
        where = f"; see {log}" if log else ""
        raise Failure(f"{shlex.join(command)} failed with exit code {done.returncode}{where}")
    return int(done.returncode)


def installer(args: argparse.Namespace, venv: Path) -> list[str]:
    """The install command prefix for ``venv``."""
    python = str(venv / "bin" / "python")
    if args.installer == "venv":
        return [python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    uv = shutil.which("uv") or ""
    command = [uv, "pip", "install", "--python", python, "--quiet", "--index-strategy", "unsafe-best-match"]
    settings = pip_settings(args.python)
    for option in ("find-links", "extra-index-url", "index-url", "constraint"):
        for value in settings[option]:
            command += [f"--{option}", value]
    return command


def make_venv(args: argparse.Namespace, venv: Path, log: Path) -> None:
    if venv.exists():
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    if args.installer == "uv":
        if not shutil.which("uv"):
            raise Failure("--installer uv: uv is not on PATH (pip install uv)")
        run(["uv", "venv", "--quiet", "--seed", "--python", args.python, str(venv)], log=log)
    else:
        run([args.python, "-m", "venv", str(venv)], log=log)  # no --system-site-packages: nothing shared


def cuda_packages(args: argparse.Namespace, spec: dict[str, list[str]], work: Path, log: Path) -> list[str]:
    """The nvidia-*/cuda-*/triton distributions a side's resolution would install, found
    before anything is installed (a dry run of the interpreter's pip, or of uv)."""
    work.mkdir(parents=True, exist_ok=True)
    constraints, requirements = work / "constraints.txt", work / "requirements.txt"
    constraints.write_text("\n".join(spec["constraints"]) + "\n", encoding="utf-8")
    requirements.write_text("\n".join(spec["requirements"]) + "\n", encoding="utf-8")
    files = ["-c", str(constraints), "-r", str(requirements)]
    if args.installer == "uv":
        if not shutil.which("uv"):
            raise Failure("--installer uv: uv is not on PATH (pip install uv)")
        command = [*installer(args, Path(args.python).parent.parent), "--dry-run", *files]
        command[command.index("--python") + 1] = args.python
        listing = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"$ {shlex.join(command)}\n{listing.stdout}{listing.stderr}")
        if listing.returncode != 0:
            raise Failure(f"resolving the requirements failed; see {log}")
        names = [line.split()[1].split("==")[0] for line in (listing.stdout + listing.stderr).splitlines()
                 if line.strip().startswith("+ ") and len(line.split()) > 1]
    else:
        report = work / "resolution.json"
        run([args.python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", "--dry-run",
             "--ignore-installed", "--report", str(report), *files], log=log)
        resolved = json.loads(report.read_text(encoding="utf-8"))
        names = [str(item["metadata"]["name"]) for item in resolved.get("install", [])]
    return sorted({n for n in names if n.lower().replace("_", "-").startswith(CUDA_PREFIXES)})


def closest(args: argparse.Namespace, pins: list[str], out: Path, log: Path) -> dict[str, list[str]]:
    """Side B's spec with as many of A's versions pinned as resolve: a pin pip names in a
    conflict (``tensorflow-cpu 2.21.0 depends on tensorboard~=2.21.0``) is dropped and the
    resolution tried again, a few times at most; then B is resolved on its own."""
    import re

    work = out / "resolution-B-pinned"
    work.mkdir(parents=True, exist_ok=True)
    for _ in range(6):
        spec = side(args, "B", pins)
        (work / "constraints.txt").write_text("\n".join(spec["constraints"]) + "\n", encoding="utf-8")
        (work / "requirements.txt").write_text("\n".join(spec["requirements"]) + "\n", encoding="utf-8")
        done = subprocess.run([args.python, "-m", "pip", "install", "--disable-pip-version-check", "--dry-run",
                               "--ignore-installed", "-c", str(work / "constraints.txt"), "-r",
                               str(work / "requirements.txt")], cwd=ROOT, capture_output=True, text=True,
                              check=False)
        said = done.stdout + done.stderr  # pip explains a conflict on stdout
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"$ (B pinned to A, {len(pins)} pins) exit {done.returncode}\n{said[-3000:]}\n")
        if done.returncode == 0:
            return spec
        named = {n.lower().replace("_", "-") for n in
                 re.findall(r"requested (?:\(constraint\) )?([A-Za-z0-9_.-]+)==", said)}
        kept = [p for p in pins if _name(p) not in named]
        if not named or len(kept) == len(pins):
            break
        print(f"   B: dropping A's pins of {', '.join(sorted(named))} (they conflict with what B varies)", flush=True)
        pins = kept
    print("   B cannot keep A's other versions: resolved on its own", flush=True)
    return side(args, "B")


def preflight(args: argparse.Namespace, out: Path, log: Path) -> None:
    """Refuse, before making anything, a side that would install a CUDA build."""
    for which in ("A", "B"):
        cuda = cuda_packages(args, side(args, which), out / f"resolution-{which}", log)
        if cuda and not args.allow_cuda:
            raise Failure(f"side {which} would install a CUDA build: {', '.join(cuda)} (several GB). This "
                          "machine's CPU PyTorch is torch==2.13.0 (constraints.txt); another torch from the "
                          "registry is a CUDA build. Nothing was installed. Pass --allow-cuda to install it all "
                          "the same.")
        print(f"   {which}: resolves without CUDA packages" if not cuda else
              f"   {which}: resolves WITH {len(cuda)} CUDA packages (--allow-cuda)", flush=True)


def install(args: argparse.Namespace, which: str, spec: dict[str, list[str]], log: Path) -> Path:
    """Side ``which``'s environment, made (or reused when made with the same spec) and checked."""
    venv = venv_dir(args, which, spec)
    marker = venv / ".upgrade-check-spec"
    wanted = json.dumps(spec, indent=1, sort_keys=True)
    if (venv / "bin" / "python").exists() and marker.exists() and marker.read_text() == wanted:
        print(f"== {which}: {os.path.relpath(venv, ROOT)} (made before, same requirements)", flush=True)
        return venv
    started = time.time()
    print(f"== {which}: making {os.path.relpath(venv, ROOT)}: {' '.join(spec['requirements'][1:]) or '(defaults)'}",
          flush=True)
    make_venv(args, venv, log)
    constraints = venv / ".upgrade-check-constraints.txt"
    constraints.write_text("\n".join(spec["constraints"]) + "\n", encoding="utf-8")
    requirements = venv / ".upgrade-check-requirements.txt"
    requirements.write_text("\n".join(spec["requirements"]) + "\n", encoding="utf-8")
    files = ["-c", str(constraints), "-r", str(requirements)]
    try:
        run([*installer(args, venv), *files], log=log)
    except Failure:
        shutil.rmtree(venv, ignore_errors=True)  # a half-made environment is only disk used
        raise
    marker.write_text(wanted, encoding="utf-8")
    print(f"   made in {time.time() - started:.0f}s", flush=True)
    return venv


PROBE = r"""
import importlib, importlib.metadata as md, json, os, sys
venv = os.path.realpath(sys.argv[1]); wanted = json.loads(sys.argv[2]); modules = json.loads(sys.argv[3])
found, problems = {}, []
for dist, module in modules.items():
    try:
        version = md.version(dist)
    except md.PackageNotFoundError:
        continue
    try:
        imported = importlib.import_module(module)
    except Exception as exc:
        problems.append(f"{module} does not import: {type(exc).__name__}: {exc}"); continue
    where = os.path.realpath(getattr(imported, "__file__", "") or "")
    found[dist] = {"version": version, "from_venv": where.startswith(venv)}
    if not where.startswith(venv):
        problems.append(f"{module} imported from {where}, not from the environment {venv}")
    if module == "torch":
        found[dist]["cuda"] = imported.version.cuda or ""
for dist, version in wanted.items():
    got = found.get(dist, {}).get("version")
    if got is None or got.split("+")[0] != version.split("+")[0]:
        problems.append(f"{dist} {got or 'missing'} installed, {version} asked for")
print(json.dumps({"found": found, "problems": problems}))
"""


def verify(args: argparse.Namespace, venv: Path, which: str) -> dict[str, dict[str, object]]:
    """Every varied package imports at the version asked for, from the environment."""
    index = 1 if which == "A" else 2
    wanted = {name: versions[index - 1] for name, *versions in args.vary}
    modules = {d: m for d, m in MODULES.items()}
    modules.update({name: MODULES.get(name, name.replace("-", "_")) for name in wanted})
    done = subprocess.run([str(venv / "bin" / "python"), "-c", PROBE, str(venv), json.dumps(wanted),
                           json.dumps(modules)], cwd=ROOT, capture_output=True, text=True, check=False)
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        raise Failure(f"checking {venv} failed: {done.stderr.strip()[-500:]}") from None
    if answer["problems"]:
        raise Failure(f"side {which} ({venv}): " + "; ".join(answer["problems"]))
    found: dict[str, dict[str, object]] = answer["found"]
    print("   " + ", ".join(f"{d} {f['version']}" + (f" (CUDA {f['cuda']})" if f.get("cuda") else "")
                            for d, f in found.items()) + "; all from the environment", flush=True)
    return found


def freeze(venv: Path) -> list[str]:
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=False).stdout
    return [line.strip() for line in listed.splitlines() if "==" in line and not line.startswith("-e")]


# -- the check ------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = ROOT / args.out
    spec_a = side(args, "A")
    if args.dry_run:
        print(json.dumps({"A": spec_a, "B": side(args, "B"), "B, pinned to A": "A's freeze less the varied "
                          "packages, when it resolves"}, indent=1))
        return 0
    out.mkdir(parents=True, exist_ok=True)
    log = out / "install.log"
    log.write_text("", encoding="utf-8")
    try:
        print("== resolving both sides first (nothing is installed yet)", flush=True)
        preflight(args, out, log)
        venv_a = install(args, "A", spec_a, log)
        verify(args, venv_a, "A")
        spec_b = closest(args, freeze(venv_a), out, log)
        venv_b = install(args, "B", spec_b, log)
        verify(args, venv_b, "B")
    except Failure as exc:
        print(f"upgrade check: {exc}", file=sys.stderr)
        return 2

    cases = out / "cases"
    if cases.exists():
        shutil.rmtree(cases)
    shutil.copytree(ROOT / args.cases, cases, ignore=shutil.ignore_patterns("__pycache__"))
    common = [*(["-k", args.select] if args.select else []), "-j", str(args.jobs),
              *(["--timeout", f"{args.timeout:g}"] if args.timeout else [])]
    a_file, b_file, check_dir = out / "A.npz", out / "B.npz", out / "check"

    def rel(path: Path) -> str:
        return os.path.relpath(path, ROOT)

    label_a = ", ".join(f"{n} {a}" for n, a, _ in args.vary)
    label_b = ", ".join(f"{n} {b}" for n, _, b in args.vary)
    print(f"== A ({label_a}): saving the baseline", flush=True)
    started = time.time()
    for name in ("save.log", "save.stderr.log", "check.log", "check.stderr.log"):
        (out / name).write_text("", encoding="utf-8")
    try:
        run([str(venv_a / "bin" / "python"), "-m", "equivalence", "baseline", "save", rel(cases), "--path",
             rel(a_file), "--force", "-q", *(["--backends", args.backends] if args.backends else []), *common],
            log=out / "save.log", errors=out / "save.stderr.log")
    except Failure as exc:
        print(f"upgrade check: saving under A failed: {exc}", file=sys.stderr)
        return 2
    print(f"   saved in {time.time() - started:.0f}s: {rel(a_file)}", flush=True)

    print(f"== B ({label_b}): checking it", flush=True)
    started = time.time()
    status = run([str(venv_b / "bin" / "python"), "-m", "equivalence", "baseline", "check", rel(a_file), rel(cases),
                  "--out", rel(check_dir), "--save", rel(b_file), "-q", *common], log=out / "check.log",
                 errors=out / "check.stderr.log", check=False)
    print(f"   checked in {time.time() - started:.0f}s; exit code {status} (1: drift or errors found)\n", flush=True)
    print((out / "check.log").read_text(encoding="utf-8").split("\n", 1)[-1])
    print(f"look again without running anything: python -m equivalence compare {rel(a_file)} {rel(b_file)} "
          f"--cases {rel(cases)} -k EXPR --backends LIST")
    if args.remove_venvs:
        for venv in {venv_a, venv_b}:
            shutil.rmtree(venv, ignore_errors=True)
        print(f"removed {venv_a.name} and {venv_b.name}")
    return 1 if status == 1 else (0 if status == 0 else 2)


if __name__ == "__main__":
    sys.exit(main())
