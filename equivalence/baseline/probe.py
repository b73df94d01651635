"""What each framework says of itself, asked in a child process.

The parent of an isolated run never imports a framework, so a baseline asks a fresh
interpreter, ``python -m equivalence.baseline.probe MODULE ...`` (one for all the
frameworks of a run), which imports each framework and prints one JSON line.

Every framework gives its ``version`` (its module's ``__version__``), whatever backend
file brought it: the frameworks come from the backend registry
(:func:`.environment.frameworks_of`). Some also say what only they can tell
(:data:`FACTS`): PyTorch its CPU capability, threads, BLAS and oneDNN; TensorFlow its
Keras, threads, oneDNN and CUDA build; JAX its jaxlib and x64 setting. A framework
without an entry there gives its version only. A framework that cannot be imported
gives ``{"error": ...}``.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["FACTS", "PROBE_TIMEOUT", "probe_frameworks"]

#: Seconds the framework probe may take (importing TensorFlow takes a few).
PROBE_TIMEOUT = 180.0

#: ``ask(key, question)``: records ``question()``, or why it could not be answered.
Ask = Callable[[str, Callable[[], Any]], None]


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


def _torch(torch: Any, ask: Ask) -> None:
    ask("cuda", lambda: torch.version.cuda or "")
    ask("cpu_capability", lambda: torch.backends.cpu.get_cpu_capability())
    ask("threads", torch.get_num_threads)
    ask("interop_threads", torch.get_num_interop_threads)
    ask("mkl", lambda: bool(torch.backends.mkl.is_available()))
    ask("mkldnn", lambda: bool(torch.backends.mkldnn.is_available()))

    def blas() -> str:
        settings = torch.__config__.show().split("Build settings:", 1)[-1]
        parts = [p.strip() for p in settings.split(",")]
        return " ".join(p for p in parts if p.startswith(("BLAS_INFO=", "LAPACK_INFO=")))

    ask("blas", blas)


def _tensorflow(tf: Any, ask: Ask) -> None:
    ask("keras", lambda: importlib.import_module("keras").__version__)
    ask("intra_op_threads", tf.config.threading.get_intra_op_parallelism_threads)
    ask("inter_op_threads", tf.config.threading.get_inter_op_parallelism_threads)
    ask("cuda_build", lambda: bool(tf.test.is_built_with_cuda()))

    def onednn() -> bool:
        util: Any = importlib.import_module("tensorflow.python.util._pywrap_util_port")
        return bool(util.IsMklEnabled())

    ask("onednn", onednn)


def _jax(jax: Any, ask: Ask) -> None:
    ask("jaxlib", lambda: importlib.import_module("jaxlib").__version__)
    ask("x64", lambda: bool(jax.config.read("jax_enable_x64")))


#: Framework (import name) -> what it can say beyond its version. Optional: a framework
#: without an entry is probed for its version alone.
FACTS: dict[str, Callable[[Any, Ask], None]] = {"torch": _torch, "tensorflow": _tensorflow, "jax": _jax}


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
    facts = FACTS.get(framework)
    if facts is not None:
        facts(module, ask)
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
