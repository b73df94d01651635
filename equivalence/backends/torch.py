"""PyTorch: autograd, the default reference backend."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from .base import Backend, plain_to_numpy


class TorchBackend(Backend):
    name = "torch"
    module_name = "torch"
    color = "#ee4c2c"

    def from_numpy(self, array: np.ndarray) -> Any:
        # torch.tensor copies; torch.from_numpy would share memory with the case's inputs.
        return self.load().tensor(array)

    has_bfloat16 = True

    def facts(self, module: Any, ask: Callable[[str, Callable[[], Any]], None]) -> None:
        torch = module
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

    def from_bfloat16(self, array: np.ndarray) -> Any:
        torch = self.load()
        return torch.tensor(array).to(torch.bfloat16)

    def to_numpy(self, value: Any) -> tuple[np.ndarray, str]:
        torch = self.load()
        if isinstance(value, torch.Tensor):
            dtype = str(value.dtype).removeprefix("torch.")
            value = value.detach().cpu().resolve_conj().resolve_neg()
            if value.dtype == torch.bfloat16:  # NumPy has no bfloat16: carry it as float32
                value = value.float()
            return value.numpy().copy(), dtype
        return plain_to_numpy(value)

    def seed(self, seed: int) -> None:
        self.load().manual_seed(seed)

    def save_state(self) -> Any:
        torch = self.load()
        return (
            torch.get_default_dtype(),
            torch.is_grad_enabled(),
            torch.get_rng_state(),
            torch.get_num_threads(),
            torch.are_deterministic_algorithms_enabled(),
            torch.is_anomaly_enabled(),
            flushes_denormals(),
            _device_state(torch),
        )

    def restore_state(self, state: Any) -> None:
        torch = self.load()
        dtype, grad, rng, threads, deterministic, anomaly, flush, device = state
        _restore_device(torch, device)
        # torch has no getter for set_flush_denormal: the state is probed (flushes_denormals)
        # before the case and set back when it differs after (it is per thread: this one).
        if flushes_denormals() != flush:
            torch.set_flush_denormal(flush)
        torch.set_default_dtype(dtype)
        torch.set_grad_enabled(grad)
        torch.set_rng_state(rng)
        # Set only what changed: the first use_deterministic_algorithms call takes
        # seconds (it imports torch's compiler stack).
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        if torch.are_deterministic_algorithms_enabled() != deterministic:
            torch.use_deterministic_algorithms(deterministic)
        if torch.is_anomaly_enabled() != anomaly:
            torch.autograd.set_detect_anomaly(anomaly)


def flushes_denormals() -> bool:
    """Whether this thread flushes denormal floats to zero (``torch.set_flush_denormal``,
    which sets the CPU's FTZ/DAZ flags and has no getter): then half the smallest normal
    double is 0. Python's float division runs on the same flags."""
    smallest = sys.float_info.min  # read at run time: the division is not folded into a constant
    return smallest / 2 == 0.0


def _function_modes(torch: Any) -> int | None:
    """How many torch function modes are active (None where torch cannot say)."""
    length = getattr(torch._C, "_len_torch_function_stack", None)
    return int(length()) if length is not None else None


def _device_state(torch: Any) -> tuple[Any, int | None, Any]:
    """The default device, the number of active function modes and the device of the
    innermost ``with torch.device(...)`` (which torch.compile's guards read)."""
    module = sys.modules.get("torch.utils._device")
    return torch.get_default_device(), _function_modes(torch), getattr(module, "CURRENT_DEVICE", None)


def _restore_device(torch: Any, state: tuple[Any, int | None, Any]) -> None:
    device, modes, current = state

    def set_default() -> None:
        if torch.get_default_device() != device:
            torch.set_default_device(None if device == torch.device("cpu") else device)

    set_default()  # set_default_device("meta"): undone by set_default_device, which pops its mode
    # Function modes a case entered and did not leave (`torch.device("meta").__enter__()`,
    # a TorchFunctionMode): popped.
    while modes is not None and (_function_modes(torch) or 0) > modes:
        torch._C._pop_torch_function_stack()
    set_default()
    module = sys.modules.get("torch.utils._device")
    if module is not None and getattr(module, "CURRENT_DEVICE", None) != current:
        setattr(module, "CURRENT_DEVICE", current)  # noqa: B010 (not in the stubs)


class TorchCompile(TorchBackend):
    """The torch implementation with its step compiled by ``torch.compile`` (Inductor, C++ on CPU)."""

    name = "torch-compile"
    implementation = "torch"

    def compile(self, fn: Any) -> Any:
        return self.load().compile(fn)
