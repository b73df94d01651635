"""The environment a baseline was made in, in full, and what changed between two of them.

A framework upgrade rarely comes alone: a new TensorFlow brings its Keras, ml_dtypes and
TensorBoard; a new CPU brings other SIMD paths; a thread setting changes the order of a
reduction. So a baseline records, besides the framework versions of the run
(``runner.run_metadata``):

``packages``   the version of every distribution that takes part in the numbers, when
               installed: the frameworks of the registered backends (each module's
               distribution, and its ``-cpu`` build: tensorflow, tensorflow-cpu,
               torch, jax, numpy ...), their companions (keras, tf-keras, ml_dtypes,
               tensorboard, triton, jaxlib, scipy, opt_einsum, pandas, threadpoolctl,
               mkl ...), and any ``nvidia-*``/``cuda-*`` distribution (a CUDA build);
``threads``    the thread settings in the environment (``OMP_NUM_THREADS``,
               ``TF_NUM_INTRAOP_THREADS``, ``TF_ENABLE_ONEDNN_OPTS``, ``XLA_FLAGS`` ...;
               only those set), and the cores this process may use;
``hardware``   the CPU model, its flags (``/proc/cpuinfo``), the number of cores;
``blas``       NumPy's BLAS and LAPACK (``numpy.show_config``) and, when threadpoolctl
               is installed, the native thread pools it finds (library, version,
               threads, architecture);
``frameworks`` per framework run (the backends' modules, from the registry: a mode
               such as ``tensorflow-function`` is its framework's), what the framework
               itself says, asked in a child process (the parent of an isolated run
               never imports a framework; :mod:`.probe`): its version, and for some
               more (PyTorch's CPU capability, threads, BLAS and oneDNN; TensorFlow's
               Keras, threads, oneDNN and CUDA build; JAX's jaxlib and x64).

:func:`environment_rows` (:mod:`.environment_diff`) lays two environments side by side,
one row per item, and marks what differs: the first thing to read when a check finds
drift.
"""

from __future__ import annotations

import copy
import os
import platform
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .environment_diff import environment_rows as environment_rows  # re-exported: defined here before
from .environment_diff import flatten as flatten  # re-exported: defined here before
from .probe import PROBE_TIMEOUT as PROBE_TIMEOUT  # re-exported: defined here before
from .probe import probe_frameworks

__all__ = ["COMPANIONS", "THREAD_VARIABLES", "collect_environment", "environment_rows", "frameworks_of"]

#: Distributions recorded when installed, in this order, after the frameworks' own
#: (:func:`framework_distributions`).
COMPANIONS = (
    "tensorflow-intel", "tf-keras", "keras", "keras-nightly", "tensorboard", "ml-dtypes",
    "tensorflow-io-gcs-filesystem", "triton", "jaxlib", "scipy", "opt-einsum", "pandas", "h5py", "protobuf",
    "threadpoolctl", "mkl", "intel-openmp", "sympy",
)  # fmt: skip

#: Environment variables that change how many threads run, or which kernels.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "TF_ENABLE_ONEDNN_OPTS",
    "TF_DETERMINISTIC_OPS", "TF_CPP_MIN_LOG_LEVEL", "XLA_FLAGS", "TF_XLA_FLAGS", "KMP_AFFINITY", "KMP_BLOCKTIME",
    "OMP_PROC_BIND", "OMP_PLACES", "MKL_CBWR", "MKL_ENABLE_INSTRUCTIONS", "OPENBLAS_CORETYPE", "ONEDNN_MAX_CPU_ISA",
    "DNNL_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "CUDA_VISIBLE_DEVICES", "PYTHONHASHSEED", "KERAS_BACKEND",
)  # fmt: skip


def collect_environment(backends: Sequence[str] = (), *, probe: bool = True) -> dict[str, Any]:
    """The packages, threads, CPU and BLAS of this interpreter; with ``probe``, what the
    frameworks behind ``backends`` report of themselves (asked in a child process)."""
    environment: dict[str, Any] = {
        "packages": installed_packages(),
        "threads": thread_settings(),
        "hardware": cpu_description(),
        "blas": blas_description(),
    }
    frameworks = frameworks_of(backends)
    if probe and frameworks:
        key = tuple(frameworks)
        if key not in _PROBED:  # once per process: the frameworks installed do not change under it
            _PROBED[key] = probe_frameworks(frameworks)
        environment["frameworks"] = copy.deepcopy(_PROBED[key])
    return environment


_PROBED: dict[tuple[str, ...], dict[str, Any]] = {}


def frameworks_of(backends: Iterable[str]) -> list[str]:
    """The frameworks (import names) behind ``backends``, from the registry, each once:
    ``tensorflow-xla`` is TensorFlow's. A name that is not a registered backend is left out."""
    from ..backends import get_backend

    names: list[str] = []
    for backend in backends:
        try:
            module = get_backend(backend).module_name
        except ValueError:
            continue
        if module and module not in names:
            names.append(module)
    return names


def framework_distributions() -> list[str]:
    """The distributions that may provide each registered backend's framework: the one
    named like its module, and that module's ``-cpu`` build (``tensorflow-cpu``)."""
    from ..backends import backend_names

    names: list[str] = []
    for module in frameworks_of(backend_names()):
        names += [d for d in (module, f"{module}-cpu") if d not in names]
    return names


def installed_packages() -> dict[str, str]:
    """Version of each framework distribution and each of :data:`COMPANIONS` installed,
    and of every ``nvidia-*``/``cuda-*`` one, read from the metadata (nothing is imported)."""
    import importlib.metadata as metadata

    found: dict[str, str] = {}
    for name in dict.fromkeys([*framework_distributions(), *COMPANIONS]):
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
