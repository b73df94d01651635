"""Shared test helpers: pytester, and small case files written to a temporary folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

# pytester's in-process runs unload the modules first imported during the run, and
# PyTorch's extension cannot be loaded twice in one process: import it once, here.
try:
    import torch  # noqa: F401
except ImportError:
    pass

#: A case file every backend agrees on, in NumPy and PyTorch (fast: no TensorFlow).
AGREEING = '''
import numpy as np
from equivalence import Case, Source, printed

case = Case("t-square", "square", Source("doc.txt", "1"),
            inputs={"x": np.array([1.0, 2.0, 3.0], np.float32)},
            documented={"y": printed("[1. 4. 9.]")})

@case.numpy
def with_numpy(np, x):
    return {"y": x * x, "grad": 2 * x}

@case.torch
def with_torch(torch, x):
    x.requires_grad_(True)
    y = x * x
    y.sum().backward()
    return {"y": y, "grad": x.grad}
'''


def write_cases(folder: Path, **files: str) -> Path:
    """Write ``name=source`` case files into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, source in files.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return folder


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    return write_cases(tmp_path / "my_cases", agreeing=AGREEING)
