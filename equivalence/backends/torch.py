"""PyTorch: autograd, the default reference backend."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Backend, plain_to_numpy


class TorchBackend(Backend):
    name = "torch"
    module_name = "torch"

    def from_numpy(self, array: np.ndarray) -> Any:
        # torch.tensor copies; torch.from_numpy would share memory with the case's inputs.
        return self.load().tensor(array)

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
        )

    def restore_state(self, state: Any) -> None:
        torch = self.load()
        dtype, grad, rng, threads, deterministic, anomaly = state
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


class TorchCompile(TorchBackend):
    """The torch implementation with its step compiled by ``torch.compile`` (Inductor, C++ on CPU)."""

    name = "torch-compile"
    implementation = "torch"

    def compile(self, fn: Any) -> Any:
        return self.load().compile(fn)
