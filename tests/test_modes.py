"""Execution modes: a case's step compiled (tf.function), compared with eager and the reference."""

from __future__ import annotations

import numpy as np
import pytest

from equivalence import Case, Source
from equivalence.backends import DEFAULT_BACKENDS, get_backend, implementation_names
from equivalence.runner import run_cases

pytest.importorskip("tensorflow")


def loop_case():
    case = Case("t-loop", "a compiled step", Source("doc", "§"), inputs={"x": np.array([1.0, 2.0], np.float32)})

    @case.tensorflow
    def with_tensorflow(tf, x, compile=lambda f: f):
        w = tf.Variable(tf.zeros_like(x))

        @compile
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.square(w - x))
            w.assign_sub(0.25 * tape.gradient(loss, w))
            return loss

        return {"loss": tf.stack([step() for _ in range(5)]), "w": w}

    @case.torch
    def with_torch(torch, x, compile=lambda f: f):
        w = torch.zeros_like(x, requires_grad=True)
        losses = []
        for _ in range(5):
            loss = compile(lambda w: torch.sum(torch.square(w - x)))(w)
            (grad,) = torch.autograd.grad(loss, w)
            with torch.no_grad():
                w -= 0.25 * grad
            losses.append(loss.detach())
        return {"loss": torch.stack(losses), "w": w}

    return case


def test_modes_are_backends_but_not_implementations():
    assert "tensorflow-function" in DEFAULT_BACKENDS
    assert "tensorflow-function" not in implementation_names()
    mode = get_backend("tensorflow-function")
    assert mode.is_mode and mode.implementation == "tensorflow"
    assert not get_backend("tensorflow").is_mode


def test_a_compiled_step_is_compared_with_eager_and_with_the_reference():
    result = run_cases([loop_case()], ["torch", "tensorflow", "tensorflow-function"])
    pairs = {(r.backend, r.reference, r.output): r.status for r in result.rows}
    assert pairs[("tensorflow-function", "torch", "loss")] == "pass"
    assert pairs[("tensorflow-function", "tensorflow", "w")] == "pass"
    assert pairs[("tensorflow", "torch", "w")] == "pass"
    assert result.executions[("t-loop", "tensorflow-function")].ok


def test_a_mode_does_not_apply_to_a_case_without_compile():
    case = Case("t-plain", "no compile", Source("doc", "§"), inputs={"x": np.ones(2, np.float32)})
    case.implement("tensorflow")(lambda tf, x: {"y": x})
    case.implement("torch")(lambda torch, x: {"y": x})
    rows = run_cases([case], ["torch", "tensorflow", "tensorflow-function"]).rows
    assert {r.backend for r in rows} == {"tensorflow"}
