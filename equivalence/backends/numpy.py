"""NumPy: the backend whose gradients are written by hand."""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Backend


class NumpyBackend(Backend):
    name = "numpy"
    module_name = "numpy"
    color = "#4d77cf"

    def from_numpy(self, array: np.ndarray) -> np.ndarray:
        return np.array(array, copy=True)

    def seed(self, seed: int) -> None:
        np.random.seed(seed)

    def save_state(self) -> Any:
        return np.geterr(), np.random.get_state(), np.get_printoptions()

    def restore_state(self, state: Any) -> None:
        err, random_state, printoptions = state
        np.seterr(**err)
        np.random.set_state(random_state)
        np.set_printoptions(**printoptions)
