"""``import equivalence``, ``--help`` and ``list`` import no framework (checked in subprocesses)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import equivalence

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "torch", "tensorflow", "matplotlib")


def loaded_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_equivalence_loads_no_framework_no_numpy_no_pandas():
    assert loaded_after("import equivalence; from equivalence import Case, Source, printed, KnownDifference") == set()


def test_help_and_list_load_no_framework():
    assert loaded_after(
        "from equivalence.cli import build_parser\n"
        "try:\n    build_parser().parse_args(['run', '--help'])\nexcept SystemExit:\n    pass"
    ) == set()
    # Case files import NumPy to make their inputs; no framework and no pandas.
    assert loaded_after("from equivalence.cli import main\nmain(['list'])") <= {"numpy"}


def test_public_names_are_exported():
    for name in equivalence.__all__:
        assert getattr(equivalence, name) is not None
    assert sorted(equivalence.__all__) == equivalence.__all__ or set(equivalence.__all__) == set(equivalence.__all__)


def test_no_import_cycle_in_the_package():
    """No module of ``equivalence`` imports, directly or not, one that imports it back
    (function-level imports included; imports for type checking only, under
    ``if TYPE_CHECKING:``, never run and are left out)."""
    import ast
    from collections import defaultdict
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "equivalence"
    graph: dict[str, set[str]] = defaultdict(set)
    for file in package.rglob("*.py"):
        module = ".".join(file.relative_to(package.parent).with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(file.read_text(encoding="utf-8"))
        typing_only = {id(inner) for block in ast.walk(tree)
                       if isinstance(block, ast.If) and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                       for inner in ast.walk(block)}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level and id(node) not in typing_only:
                base = module.split(".") if file.name == "__init__.py" else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                graph[module].add(".".join(base + ([node.module] if node.module else [])))
    cycles = set()
    for start in list(graph):
        stack = [(start, (start,))]
        while stack:
            node, path = stack.pop()
            for target in graph.get(node, ()):
                if target == start:
                    cycles.add(path)
                elif target not in path:
                    stack.append((target, (*path, target)))
    assert not cycles, sorted(cycles)[:5]
