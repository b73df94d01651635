"""TensorFlow 2: eager execution and ``tf.GradientTape``, as the documents use it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from .base import Backend, plain_to_numpy


class TensorflowBackend(Backend):
    name = "tensorflow"
    module_name = "tensorflow"
    color = "#ff8f00"

    def load(self) -> ModuleType:
        if self._module is None:
            # TensorFlow logs its CPU features and oneDNN notice at import; keep errors.
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            # Keras 3 is TF 2.16+'s tf.keras; nothing here selects Keras 2.
        return super().load()

    def from_numpy(self, array: np.ndarray) -> Any:
        return self.load().constant(array)  # tf.constant copies

    has_bfloat16 = True

    def facts(self, module: Any, ask: Callable[[str, Callable[[], Any]], None]) -> None:
        import importlib

        tf = module
        ask("keras", lambda: importlib.import_module("keras").__version__)
        ask("intra_op_threads", tf.config.threading.get_intra_op_parallelism_threads)
        ask("inter_op_threads", tf.config.threading.get_inter_op_parallelism_threads)
        ask("cuda_build", lambda: bool(tf.test.is_built_with_cuda()))

        def onednn() -> bool:
            util: Any = importlib.import_module("tensorflow.python.util._pywrap_util_port")
            return bool(util.IsMklEnabled())

        ask("onednn", onednn)

    def from_bfloat16(self, array: np.ndarray) -> Any:
        tf = self.load()
        return tf.cast(tf.constant(array), tf.bfloat16)

    def to_numpy(self, value: Any) -> tuple[np.ndarray, str]:
        tf = self.load()
        if isinstance(value, (tf.Tensor, tf.Variable)):
            dtype = value.dtype.name
            if value.dtype == tf.bfloat16:
                value = tf.cast(value, tf.float32)
            return np.array(value.numpy(), copy=True), dtype
        if hasattr(value, "numpy") and not isinstance(value, np.ndarray):  # a Keras variable
            return self.to_numpy(tf.convert_to_tensor(value))
        return plain_to_numpy(value)

    def seed(self, seed: int) -> None:
        # Most of TensorFlow's per-case cost: set_seed clears the eager kernel cache
        # (tensorflow/python/eager/context.py, Context._set_global_seed: "Also clear the
        # kernel cache, to reset any existing seeds"), so each case's first ops make
        # their kernels again: 0.9 of 1.16 ms for a one-op case, measured. It has to: a
        # stateful random kernel keeps its stream, so without it a seeded random op
        # would go on from where the previous case left it, and a case would not
        # give the same numbers twice in one worker.
        self.load().random.set_seed(seed)

    def save_state(self) -> Any:
        tf = self.load()
        keras = sys.modules.get("keras")
        floatx = keras.backend.floatx() if keras is not None else None
        return floatx, tf.config.functions_run_eagerly()

    def restore_state(self, state: Any) -> None:
        tf = self.load()
        floatx, eagerly = state
        keras = sys.modules.get("keras")
        if keras is not None and floatx is not None:
            keras.backend.set_floatx(floatx)
        tf.config.run_functions_eagerly(eagerly)


class TensorflowFunction(TensorflowBackend):
    """The tensorflow implementation with its step traced into a graph by ``tf.function``."""

    name = "tensorflow-function"
    implementation = "tensorflow"

    def compile(self, fn: Any) -> Any:
        return self.load().function(fn)


class TensorflowXla(TensorflowBackend):
    """The tensorflow implementation with its step compiled by XLA (``jit_compile=True``)."""

    name = "tensorflow-xla"
    implementation = "tensorflow"

    def compile(self, fn: Any) -> Any:
        return self.load().function(fn, jit_compile=True)
