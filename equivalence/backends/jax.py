"""JAX: ``jax.grad`` and ``jax.numpy``, eagerly (``jax``) or with the step under ``jax.jit``.

Optional: ``pip install -c constraints.txt 'equivalence[jax]'`` (jax with its CPU jaxlib);
without it the ``jax`` backends are skipped, saying so. Not in the default backends: ask
for it, ``--backends numpy,torch,tensorflow,jax,jax-jit``.

What differs from the other frameworks, and how this backend meets it:

- **float64.** JAX computes in 32 bits unless ``jax_enable_x64`` is set, and then turns
  a float64 input into float32 (with a warning). The catalogue's float64 cases mean
  float64, so ``configure`` sets ``jax_enable_x64`` once, at import: every input keeps
  its NumPy dtype, as in the other frameworks. The price is JAX's defaults: under x64
  ``jnp.zeros(3)`` and ``jnp.array(0.)`` are float64 (and ``jnp.arange(3)`` int64), so a
  case names its dtypes or builds from its inputs. Python scalars stay weakly typed
  (``0.5 * x`` keeps x's dtype), as under NumPy 2's NEP 50.
- **Random numbers.** JAX has no global generator: a case that draws makes its key,
  ``jax.random.key(seed)``, from a seed it is given. ``seed()`` has nothing to seed.
- **Global state.** JAX's settings (``jax.config``: x64, default matmul precision,
  dtype promotion, ``jax_disable_jit``, ``jax_debug_nans``, ...) are saved before a case
  and those it changed are set back after it.
- **bfloat16.** Travels as float32 with its name kept, as TensorFlow's and PyTorch's do.
- **Threads and devices.** XLA reads ``XLA_FLAGS`` and JAX reads ``JAX_PLATFORMS`` when
  it starts: set them in the environment of the run (the workers inherit it), e.g.
  ``JAX_PLATFORMS=cpu``. Nothing here changes them; on a CPU-only jaxlib arrays live on
  the CPU, as the other backends' do.

``jax-jit`` runs a case's ``jax`` implementation with its step compiled by ``jax.jit``
(the case's ``compile`` argument), and is compared with the reference and with eager JAX.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from .base import Backend, plain_to_numpy

INSTALL = "pip install -c constraints.txt 'equivalence[jax]'"


class JaxBackend(Backend):
    name = "jax"
    module_name = "jax"
    color = "#2ca02c"

    def unavailable_reason(self) -> str | None:
        # jax without its compiled half (jaxlib) imports, then fails at the first array.
        for module in ("jax", "jaxlib"):
            try:
                found = importlib.util.find_spec(module) is not None
            except (ImportError, ValueError):
                found = False
            if not found:
                return f"{module} is not installed ({INSTALL})"
        return None

    def configure(self, module: ModuleType) -> None:
        # float64 inputs stay float64 (see the module docstring). Set before any array is made.
        module.config.update("jax_enable_x64", True)

    def from_numpy(self, array: np.ndarray) -> Any:
        # jnp.array copies (jnp.asarray may share a NumPy buffer on the CPU).
        return self.load().numpy.array(array, copy=True)

    has_bfloat16 = True

    def facts(self, module: Any, ask: Callable[[str, Callable[[], Any]], None]) -> None:
        ask("jaxlib", lambda: importlib.import_module("jaxlib").__version__)
        ask("x64", lambda: bool(module.config.read("jax_enable_x64")))

    def from_bfloat16(self, array: np.ndarray) -> Any:
        jnp = self.load().numpy
        return jnp.asarray(array).astype(jnp.bfloat16)

    def to_numpy(self, value: Any) -> tuple[np.ndarray, str]:
        jax = self.load()
        if isinstance(value, jax.Array):
            dtype = str(value.dtype)
            array = np.array(value, copy=True)  # waits for the computation
            if dtype == "bfloat16":  # ml_dtypes' bfloat16: carried as float32, like the others
                array = array.astype(np.float32)
            return array, dtype
        return plain_to_numpy(value)

    def seed(self, seed: int) -> None:
        """Nothing: JAX has no global generator (a case makes its ``jax.random.key``)."""

    def save_state(self) -> Any:
        return dict(self.load().config.values)

    def restore_state(self, state: Any) -> None:
        config = self.load().config
        for name, value in config.values.items():
            if name in state and state[name] != value:
                config.update(name, state[name])


class JaxJit(JaxBackend):
    """The jax implementation with its step compiled by ``jax.jit`` (XLA on the CPU)."""

    name = "jax-jit"
    implementation = "jax"

    def compile(self, fn: Any) -> Any:
        return self.load().jit(fn)
