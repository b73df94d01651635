"""Mutation testing by hand: break the comparison semantics on purpose, one mistake at a
time, and check that the engine's tests catch each (issue 10).

    python scripts/mutate.py            # every mutation; prints caught/survived, exit 1 if one survived
    python scripts/mutate.py -k ulp     # those whose name contains "ulp"

Each mutation replaces one snippet of the engine's source (it must occur exactly once)
in a scratch copy of the project, never in the working tree, and runs the tests named
for it there in a fresh interpreter. A mutation is *caught* when those tests fail.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMPARE = ["tests/test_compare.py"]
VERDICT = ["tests/test_known_differences.py", "tests/test_runner.py"]
DOCUMENTED = ["tests/test_documented.py"]

#: (name, file, original snippet, mutated snippet, tests that must catch it)
MUTATIONS: list[tuple[str, str, str, str, list[str]]] = [
    ("nan-equals-a-number", "equivalence/_float_kernel.py",
     "same = (a == e) | (nan_a & nan_e)", "same = (a == e) | nan_a | nan_e", COMPARE),
    ("infinity-sign-ignored", "equivalence/_float_kernel.py",
     "same = (a == e) | (nan_a & nan_e)", "same = (np.abs(a) == np.abs(e)) | (nan_a & nan_e)", COMPARE),
    ("inf-against-finite-not-flagged", "equivalence/_float_kernel.py",
     "diff[~finite & ~same] = np.inf", "diff[~finite & ~same] = 0.0", COMPARE),
    ("nan-payloads-count-ulps", "equivalence/_float_kernel.py",
     "        ulp[same] = 0.0\n", "", COMPARE),
    ("ints-by-bits", "equivalence/compare.py",
     "        return x.astype(object)\n    return x.astype(np.int64)", "        return x.astype(np.int64)\n    return x.astype(np.int64)", COMPARE),
    ("rtol-atol-swapped-small", "equivalence/_float_kernel.py",
     "bound = abs_e * rtol + atol", "bound = abs_e * atol + rtol", COMPARE),
    ("rtol-atol-swapped-reference", "equivalence/_float_kernel.py",
     "bad = ~(same | (finite & (diff <= atol + rtol * abs_e)))", "bad = ~(same | (finite & (diff <= rtol + atol * abs_e)))", COMPARE),
    ("strict-inequality", "equivalence/_float_kernel.py",
     "bad = ~(diff <= bound)", "bad = ~(diff < bound)", COMPARE),
    ("fast-path-tolerances-dropped", "equivalence/_float_kernel.py",
     "            found.tolerances = max(found.tolerances, ratio)\n", "", COMPARE),
    ("first-mismatch-of-a-later-block", "equivalence/_float_kernel.py",
     "                    if found.first is None:\n                        found.first", "                    if True:\n                        found.first", COMPARE),
    ("finer-dtype-for-ulp", "equivalence/_ulp.py",
     "return dtype_a if ma <= mb else dtype_b", "return dtype_a if ma >= mb else dtype_b", COMPARE),
    ("mismatch-count-off-by-one", "equivalence/compare.py",
     "messages.append(f\"{result.mismatched} of", "result.mismatched = max(result.mismatched - 1, 0)\n        messages.append(f\"{result.mismatched} of", COMPARE),
    ("shapes-broadcast", "equivalence/compare.py",
     "if actual.shape != expected.shape:", "if np.broadcast_shapes(actual.shape, expected.shape) is None:", COMPARE),
    ("dtype-mismatch-passes", "equivalence/compare.py",
     "messages.append(f\"dtype {dt_a} != expected dtype {dt_e}\")", "pass", COMPARE),
    ("known-difference-unbounded", "equivalence/_judge.py",
     "beyond = [c for c, bound in known.bounds.items() if not measured.get(c, float(\"nan\")) <= bound]", "beyond = []", VERDICT),
    ("known-difference-any-kind", "equivalence/_judge.py",
     "other = [k for k in differs if k not in known.kinds]", "other = []", VERDICT),
    ("known-difference-at-ignored", "equivalence/_judge.py",
     "            if outside:\n", "            if False:\n", VERDICT),
    ("known-difference-ordered-pair", "equivalence/tolerance.py",
     "                or (_any(reference, self.backends) and _any(backend, self.references)))", "                or False)", VERDICT),
    ("unbounded-declaration-accepted", "equivalence/_judge.py",
     "        if not known.bounds:\n", "        if False:\n", VERDICT),
    ("unexpected-pass-passes", "equivalence/_judge.py",
     "return \"unexpected_pass\", \"the declared known difference no longer occurs\", known", "return \"pass\", \"\", known", VERDICT),
    ("error-becomes-skip", "equivalence/_judge.py",
     "return (\"error\" if unrunnable else", "return (\"skipped\" if unrunnable else", VERDICT),
    ("unexpected-pass-exits-0", "equivalence/results.py",
     "FAILING = (\"fail\", \"error\", \"unexpected_pass\")", "FAILING = (\"fail\", \"error\")", ["tests/test_cli.py"]),
    ("error-exits-0", "equivalence/results.py",
     "FAILING = (\"fail\", \"error\", \"unexpected_pass\")", "FAILING = (\"fail\", \"unexpected_pass\")", ["tests/test_cli.py"]),
    ("printed-by-tolerance", "equivalence/documented.py",
     "    return (da.is_nan() and db.is_nan()) or da == db", "    return (da.is_nan() and db.is_nan()) or abs(da - db) <= abs(db) * Decimal('1e-6')", DOCUMENTED),
    ("printed-dtype-ignored", "equivalence/documented.py",
     "        if self.dtype and a.dtype.kind == \"f\" and self.dtype != str(a.dtype):", "        if False:", DOCUMENTED),
    ("cli-discovers-in-the-comparing-process", "equivalence/arguments.py",
     'isolate=getattr(args, "isolate", False)', "isolate=False", ["tests/test_verdict_out_of_reach.py"]),
    ("pytest-collects-in-the-comparing-process", "equivalence/_pytest_items.py",
     "state.cases_in(Path(self.path)) if state.isolate else", "", ["tests/test_verdict_out_of_reach.py"]),
    ("pytest-own-isolation-rule", "equivalence/_pytest_session.py",
     "elif runs_in_worker(case, backend, self.isolate):", "elif self.isolate and case.path and backend in case.implementations:",
     ["tests/test_one_dispatch.py"]),
    ("import-cycle", "equivalence/baseline/cli.py",
     "from ..arguments import parse_backends", "from ..cli import main  # noqa: F401\n    from ..arguments import parse_backends",
     ["tests/test_imports.py"]),
    ("baseline-removed-outputs-ignored", "equivalence/baseline/drift.py",
     'rows.append(row(name, "removed", "output no longer returned"', 'rows.append(row(name, "unchanged", "output no longer returned"',
     ["tests/test_baseline.py"]),
    ("baseline-new-outputs-ignored", "equivalence/baseline/drift.py",
     'rows.append(row(name, "new", why', 'rows.append(row(name, "unchanged", why', ["tests/test_baseline.py"]),
]


def run(copy: Path, name: str, path: str, old: str, new: str, tests: list[str]) -> bool:
    file = copy / path
    source = file.read_text(encoding="utf-8")
    if old and source.count(old) != 1:
        raise SystemExit(f"{name}: the snippet occurs {source.count(old)} times in {path}; update the mutation")
    try:
        file.write_text(source.replace(old, new), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                              cwd=copy, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"})
    finally:
        file.write_text(source, encoding="utf-8")
    return done.returncode != 0


def _copy() -> Path:
    """The project's engine and tests in a scratch folder, importable before the installed copy."""
    copy = Path(tempfile.mkdtemp(prefix="equivalence-mutants-"))
    for part in ("equivalence", "tests", "cases"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    for part in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / part, copy / part)
    found = subprocess.run([sys.executable, "-c", "import equivalence; print(equivalence.__file__)"], cwd=copy,
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(copy)}).stdout
    if not found.startswith(str(copy)):
        raise SystemExit(f"the scratch copy is not the one imported ({found.strip()})")
    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only mutations whose name contains this")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if args.k in m[0]]
    survived = []
    copy = _copy()
    tests = sorted({t for m in chosen for t in m[4]})
    if run(copy, "unmutated", "equivalence/__init__.py", "", "", tests):  # the tests pass as the code is
        raise SystemExit(f"the tests fail without a mutation: {' '.join(tests)}")
    for name, path, old, new, tests in chosen:
        caught = run(copy, name, path, old, new, tests)
        print(f"{'caught  ' if caught else 'SURVIVED'} {name}  ({path}; {' '.join(tests)})", flush=True)
        if not caught:
            survived.append(name)
    shutil.rmtree(copy, ignore_errors=True)
    print(f"\n{len(chosen) - len(survived)} of {len(chosen)} mutations caught")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
