"""The environment a baseline was made in, in full, and what changed between two of them.

A framework upgrade rarely comes alone: a new TensorFlow brings its Keras, ml_dtypes and
TensorBoard; a new CPU brings other SIMD paths; a thread setting changes the order of a
reduction. So a baseline records, besides the framework versions of the run
(``runner.run_metadata``):

``packages``   the version of every distribution that takes part in the numbers, when
               installed: the frameworks (tensorflow, tensorflow-cpu, torch, jax,
               jaxlib, numpy) and their companions (keras, tf-keras, ml_dtypes,
               tensorboard, triton, scipy, opt_einsum, pandas, threadpoolctl, mkl ...),
               and any ``nvidia-*``/``cuda-*`` distribution (a CUDA build);
``threads``    the thread settings in the environment (``OMP_NUM_THREADS``,
               ``TF_NUM_INTRAOP_THREADS``, ``TF_ENABLE_ONEDNN_OPTS``, ``XLA_FLAGS`` ...;
               only those set), and the cores this process may use;
``hardware``   the CPU model, its flags (``/proc/cpuinfo``), the number of cores;
``blas``       NumPy's BLAS and LAPACK (``numpy.show_config``) and, when threadpoolctl
               is installed, the native thread pools it finds (library, version,
               threads, architecture);
``frameworks`` per framework run, what only the framework itself can say, asked in a
               child process (the parent of an isolated run never imports a framework):
               PyTorch's CPU capability, threads, BLAS and oneDNN; TensorFlow's Keras,
               threads, oneDNN and CUDA build; NumPy's SIMD extensions.

:func:`environment_rows` lays two environments side by side, one row per item, and
marks what differs: the first thing to read when a check finds drift.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["COMPANIONS", "THREAD_VARIABLES", "collect_environment", "environment_rows"]

#: Distributions recorded when installed, in this order.
COMPANIONS = (
    "tensorflow", "tensorflow-cpu", "tensorflow-intel", "tf-keras", "keras", "keras-nightly", "tensorboard",
    "ml-dtypes", "tensorflow-io-gcs-filesystem", "torch", "triton", "jax", "jaxlib", "numpy", "scipy", "opt-einsum",
    "pandas", "h5py", "protobuf", "threadpoolctl", "mkl", "intel-openmp", "sympy",
)  # fmt: skip

#: Environment variables that change how many threads run, or which kernels.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "TF_ENABLE_ONEDNN_OPTS",
    "TF_DETERMINISTIC_OPS", "TF_CPP_MIN_LOG_LEVEL", "XLA_FLAGS", "TF_XLA_FLAGS", "KMP_AFFINITY", "KMP_BLOCKTIME",
    "OMP_PROC_BIND", "OMP_PLACES", "MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "OPENBLAS_CORETYPE", "ONEDNN_MAX_CPU_ISA",
    "DNNL_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "CUDA_VISIBLE_DEVICES", "PYTHONHASHSEED", "KERAS_BACKEND",
)  # fmt: skip

#: Seconds the framework probe may take (importing TensorFlow takes a few).
PROBE_TIMEOUT = 180.0


def collect_environment(backends: Sequence[str] = (), *, probe: bool = True) -> dict[str, Any]:
    """The packages, threads, CPU and BLAS of this interpreter; with ``probe``, what the
    frameworks behind ``backends`` report of themselves (asked in a child process)."""
    environment: dict[str, Any] = {
        "packages": installed_packages(),
        "threads": thread_settings(),
        "hardware": cpu_description(),
        "blas": blas_description(),
    }
    frameworks = _frameworks(backends)
    if probe and frameworks:
        key = tuple(frameworks)
        if key not in _PROBED:  # once per process: the frameworks installed do not change under it
            _PROBED[key] = probe_frameworks(frameworks)
        environment["frameworks"] = copy.deepcopy(_PROBED[key])
    return environment


_PROBED: dict[tuple[str, ...], dict[str, Any]] = {}


def installed_packages() -> dict[str, str]:
    """Version of each distribution of :data:`COMPANIONS` installed, and of every
    ``nvidia-*``/``cuda-*`` one, read from the metadata (nothing is imported)."""
    import importlib.metadata as metadata

    found: dict[str, str] = {}
    for name in COMPANIONS:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    cuda = set()
    for distribution in metadata.distributions():
        name = str(distribution.metadata["Name"] or "").lower().replace("_", "-")
        if name.startswith(("nvidia-", "cuda-")):
            cuda.add((name, distribution.version))
    found.update(sorted(cuda))
    return found


def thread_settings() -> dict[str, Any]:
    settings: dict[str, Any] = {name: os.environ[name] for name in THREAD_VARIABLES if name in os.environ}
    if hasattr(os, "sched_getaffinity"):
        settings["usable_cores"] = len(os.sched_getaffinity(0))
    return settings


def cpu_description(cpuinfo: str = "/proc/cpuinfo") -> dict[str, Any]:
    """Model, flags (sorted) and counts, from ``/proc/cpuinfo`` where there is one."""
    described: dict[str, Any] = {"machine": platform.machine(), "cores": os.cpu_count()}
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        described["model"] = platform.processor()
        return described
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key == "model name" and "model" not in described:
            described["model"] = value.strip()
        elif key in ("flags", "Features") and "flags" not in described:  # x86, ARM
            described["flags"] = sorted(set(value.split()))
        elif key == "microcode" and "microcode" not in described:
            described["microcode"] = value.strip()
    return described


def blas_description() -> dict[str, Any]:
    """NumPy's BLAS and LAPACK as built, and the thread pools threadpoolctl sees."""
    described: dict[str, Any] = {}
    config: Any = None
    try:
        import numpy as np

        config = np.show_config(mode="dicts")  # NumPy >= 1.25
    except Exception:  # an older NumPy, or none
        pass
    if isinstance(config, Mapping):
        dependencies = config.get("Build Dependencies") or {}
        for part in ("blas", "lapack"):
            info = dependencies.get(part) or {}
            if info:
                described[f"numpy_{part}"] = " ".join(str(info.get(k)) for k in ("name", "version") if info.get(k))
                if info.get("openblas configuration"):
                    described[f"numpy_{part}_config"] = str(info["openblas configuration"])
        simd = config.get("SIMD Extensions") or {}
        if simd:
            described["numpy_simd"] = " ".join(str(s) for s in simd.get("found") or [])
    try:
        import threadpoolctl  # optional: not a dependency
    except ImportError:
        return described
    try:
        described["threadpools"] = [
            {k: info.get(k) for k in ("internal_api", "prefix", "version", "num_threads", "architecture",
                                      "threading_layer") if info.get(k) is not None}
            for info in threadpoolctl.threadpool_info()]
    except Exception as exc:  # a broken native library must not cost the baseline
        described["threadpools"] = f"unavailable: {type(exc).__name__}: {exc}"
    return described


def _frameworks(backends: Iterable[str]) -> list[str]:
    """The frameworks (import names) behind ``backends``: ``tensorflow-xla`` is TensorFlow."""
    names = []
    for backend in backends:
        framework = backend.split("-")[0]
        if framework in ("numpy", "torch", "tensorflow", "jax") and framework not in names:
            names.append(framework)
    return names


def probe_frameworks(frameworks: Sequence[str], timeout: float = PROBE_TIMEOUT) -> dict[str, Any]:
    """What each framework says of itself, asked in a fresh interpreter (one for all)."""
    command = [sys.executable, "-m", "equivalence.baseline.environment", *frameworks]
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


def _probe(framework: str) -> dict[str, Any]:  # runs in the child
    found: dict[str, Any] = {}

    def ask(key: str, question: Any) -> None:
        try:
            found[key] = question()
        except Exception as exc:
            found[key] = f"unavailable: {type(exc).__name__}"

    if framework == "numpy":
        import numpy as np

        found["version"] = np.__version__
    elif framework == "torch":
        import torch

        found["version"] = torch.__version__
        found["cuda"] = torch.version.cuda or ""
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
    elif framework == "tensorflow":
        import tensorflow as tf

        found["version"] = tf.__version__
        ask("keras", lambda: __import__("keras").__version__)
        ask("intra_op_threads", tf.config.threading.get_intra_op_parallelism_threads)
        ask("inter_op_threads", tf.config.threading.get_inter_op_parallelism_threads)
        ask("cuda_build", lambda: bool(tf.test.is_built_with_cuda()))

        def onednn() -> bool:
            from tensorflow.python.util import _pywrap_util_port

            return bool(_pywrap_util_port.IsMklEnabled())

        ask("onednn", onednn)
    elif framework == "jax":
        import jax

        found["version"] = jax.__version__
        ask("jaxlib", lambda: __import__("jaxlib").__version__)
        ask("x64", lambda: bool(jax.config.read("jax_enable_x64")))
    return found


def _main(frameworks: list[str]) -> None:
    found: dict[str, Any] = {}
    for framework in frameworks:
        try:
            found[framework] = _probe(framework)
        except Exception as exc:  # not installed, or fails to import: say so
            found[framework] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    sys.stdout.write("\n" + json.dumps(found, default=str) + "\n")


# -- side by side ---------------------------------------------------------------------


def flatten(environment: Mapping[str, Any]) -> dict[str, str]:
    """One label per item of an environment (a run's metadata with the sections above),
    in a fixed order, with its value as text; older baselines give what they hold."""
    rows: dict[str, str] = {}
    versions = environment.get("versions") or {}
    for name, version in versions.items():
        if "-" not in name:  # an execution mode has its framework's version
            rows[f"version {name}"] = str(version) if version else "not installed"
    for name, version in (environment.get("packages") or {}).items():
        rows[f"package {name}"] = str(version)
    for key in ("python", "platform"):
        if environment.get(key):
            rows[key] = str(environment[key])
    cpu = environment.get("hardware") or environment.get("cpu")
    if isinstance(cpu, Mapping):
        for key in ("model", "machine", "cores", "microcode"):
            if cpu.get(key) not in (None, ""):
                rows[f"cpu {key}"] = str(cpu[key])
        if cpu.get("flags"):
            rows["cpu flags"] = " ".join(cpu["flags"])
    elif cpu:  # an older baseline: the model only
        rows["cpu model"] = str(cpu)
    if environment.get("cpu_count") and "cpu cores" not in rows:
        rows["cpu cores"] = str(environment["cpu_count"])
    for key, value in (environment.get("threads") or {}).items():
        rows[f"threads {key}"] = str(value)
    for key, value in (environment.get("blas") or {}).items():
        if key == "threadpools" and isinstance(value, list):
            for pool in value:
                label = f"threadpool {pool.get('internal_api', '?')} {os.path.basename(str(pool.get('prefix', '')))}"
                rows[label.strip()] = " ".join(f"{k}={pool[k]}" for k in ("version", "num_threads", "architecture",
                                                                         "threading_layer") if k in pool)
        else:
            rows[f"blas {key}"] = str(value)
    for framework, facts in (environment.get("frameworks") or {}).items():
        if isinstance(facts, Mapping):
            for key, value in facts.items():
                if key != "version":
                    rows[f"{framework} {key}"] = str(value)
        else:
            rows[f"{framework}"] = str(facts)
    for key in ("isolated", "jobs"):
        if key in environment:
            rows[f"run {key}"] = str(environment[key])
    return rows


def environment_rows(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str, str, bool]]:
    """``(item, before, after, changed)`` for every item either side records; CPU flags
    are shown as what was added and removed when they differ."""
    old, new = flatten(before), flatten(after)
    rows = []
    for label in dict.fromkeys([*old, *new]):
        a, b = old.get(label, "-"), new.get(label, "-")
        if label == "cpu flags":
            flags_a, flags_b = set(a.split()) - {"-"}, set(b.split()) - {"-"}
            if flags_a == flags_b:
                a = b = f"{len(flags_a)} flags, the same"
            else:
                a = f"{len(flags_a)} flags" + (f"; only here: {' '.join(sorted(flags_a - flags_b))}"
                                               if flags_a - flags_b else "")
                b = f"{len(flags_b)} flags" + (f"; only here: {' '.join(sorted(flags_b - flags_a))}"
                                               if flags_b - flags_a else "")
        rows.append((label, a, b, old.get(label, "-") != new.get(label, "-")))
    return rows


if __name__ == "__main__":
    _main(sys.argv[1:])
