"""What each framework says of itself, asked in a child process.

The parent of an isolated run never imports a framework, so a baseline asks a fresh
interpreter, ``python -m equivalence.baseline.probe MODULE ...`` (one for all the
frameworks of a run), which imports each framework and prints one JSON line.

Every framework gives its ``version`` (its module's ``__version__``), whatever backend
file brought it: the frameworks come from the backend registry
(:func:`.environment.frameworks_of`). Its backend may say more
(:meth:`equivalence.backends.base.Backend.facts`): PyTorch its CPU capability, threads,
BLAS and oneDNN; TensorFlow its Keras, threads, oneDNN and CUDA build; JAX its jaxlib
and x64 setting. A framework that cannot be imported
gives ``{"error": ...}``.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["PROBE_TIMEOUT", "probe_frameworks"]

#: Seconds the framework probe may take (importing TensorFlow takes a few).
PROBE_TIMEOUT = 180.0



def probe_frameworks(frameworks: Sequence[str], timeout: float = PROBE_TIMEOUT) -> dict[str, Any]:
    """What each framework (an import name) says of itself, asked in a fresh interpreter."""
    command = [sys.executable, "-m", __name__, *frameworks]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return {"probe": f"failed: {type(exc).__name__}"}
    for line in reversed(done.stdout.splitlines()):  # the last line is ours; frameworks may print before
        if line.startswith("{"):
            try:
                found = json.loads(line)
            except json.JSONDecodeError:
                break
            if isinstance(found, dict):
                return found
    return {"probe": f"failed (exit {done.returncode}): {done.stderr.strip()[-300:]}"}


# -- in the child ---------------------------------------------------------------------


def probe(framework: str) -> dict[str, Any]:
    """Import ``framework`` here and ask it (runs in the child)."""
    found: dict[str, Any] = {}

    def ask(key: str, question: Callable[[], Any]) -> None:
        try:
            found[key] = question()
        except Exception as exc:
            found[key] = f"unavailable: {type(exc).__name__}"

    module: Any = importlib.import_module(framework)
    found["version"] = str(getattr(module, "__version__", ""))
    from ..backends import backend_names, get_backend

    owner = next((get_backend(n) for n in backend_names()
                  if get_backend(n).module_name == framework and not get_backend(n).is_mode), None)
    if owner is not None:
        owner.facts(module, ask)
    return found


def main(frameworks: Sequence[str]) -> None:
    found: dict[str, Any] = {}
    for framework in frameworks:
        try:
            found[framework] = probe(framework)
        except Exception as exc:  # not installed, or fails to import: say so
            found[framework] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    sys.stdout.write("\n" + json.dumps(found, default=str) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
