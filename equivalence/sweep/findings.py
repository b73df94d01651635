"""What a sweep found, and the files it is written to.

:class:`Finding` is one row of a minimal failing example, :class:`SweepSummary` one
sweep of one case, :class:`SweepResult` all of them with the run's metadata;
:meth:`SweepResult.write` writes ``sweep.json``, ``sweep.csv`` and the page ``sweep.html``
(:mod:`.page`), each atomically.
"""

from __future__ import annotations

import dataclasses
import json
import math
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._text import printable
from ..backends import DEFAULT_BACKENDS, DEFAULT_REFERENCE
from ..case import Case
from ..execution import Execution
from ..results import FAILING
from .judge import DIFFERING, ORACLE, Judged
from .spec import Sweep
from .strategies import Example, array_to_data, extremes

__all__ = ["FINDING_COLUMNS", "RECORDED", "Finding", "SweepResult", "SweepSummary", "findings_of",
           "reproduce_command", "side_values"]

#: A finding's output values are recorded in full up to this many elements, else by their extremes.
RECORDED = 1000

FINDING_COLUMNS = (
    "case", "sweep", "output", "backend", "reference", "status", "dtype", "example_dtype", "shape",
    "max_abs_diff", "max_rel_diff", "max_ulp_diff", "mismatched", "numel", "oracle_error", "oracle_best",
    "oracle_bound", "message", "declared", "bound", "input", "values", "reproduce",
)  # fmt: skip


@dataclass
class Finding:
    """One row of a minimal failing example (``sweep.csv``/``sweep.json``)."""

    case: str
    sweep: str
    output: str
    backend: str
    reference: str
    status: str
    dtype: str
    example_dtype: str
    shape: str
    max_abs_diff: float
    max_rel_diff: float
    max_ulp_diff: float
    mismatched: int
    numel: int
    oracle_error: float
    oracle_best: float
    oracle_bound: float
    message: str
    declared: str
    bound: str
    input: dict[str, Any]
    reproduce: str
    #: The output as each side gave it (the backends, and ``oracle``): :func:`side_values`.
    values: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        return {c: values[c] for c in FINDING_COLUMNS}


@dataclass
class SweepSummary:
    """One sweep of one case: what ran, how fast, what it found."""

    case: str
    sweep: str
    path: str
    examples: int = 0
    invalid: int = 0
    rounding: int = 0
    failures: int = 0
    #: pass, fail, known_difference (only covered ones found), error (the sweep could not run), skipped:
    #: statuses of :data:`equivalence.results.STATUSES`.
    status: str = "pass"
    message: str = ""
    seconds: float = 0.0
    #: Wall seconds spent per backend (and the oracle), over all examples.
    backend_seconds: dict[str, float] = field(default_factory=dict)
    backend_examples: dict[str, int] = field(default_factory=dict)
    dtypes: dict[str, int] = field(default_factory=dict)
    seed: int = 0

    def rates(self) -> dict[str, float]:
        """Examples per second, per backend."""
        return {b: self.backend_examples[b] / s for b, s in self.backend_seconds.items() if s > 0}

    def record(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "examples_per_second": self.rates()}


@dataclass
class SweepResult:
    summaries: list[SweepSummary]
    findings: list[Finding]
    metadata: dict[str, Any]

    @property
    def failed(self) -> bool:
        """A failing finding, a sweep that could not run, or nothing swept at all."""
        return (not any(s.status != "skipped" for s in self.summaries)
                or any(s.status in FAILING for s in self.summaries))

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        from .._io import atomic_write_text
        from .._json import dumps

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"csv": out / "sweep.csv", "json": out / "sweep.json"}
        document = {"metadata": self.metadata, "sweeps": [s.record() for s in self.summaries],
                    "findings": [f.record() for f in self.findings]}
        atomic_write_text(paths["json"], dumps(document, printable=True) + "\n")
        import csv
        import io

        from .._json import strict

        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(FINDING_COLUMNS)
        for finding in self.findings:
            record = strict(finding.record())
            writer.writerow([json.dumps(v, separators=(",", ":")) if isinstance(v, (dict, list)) else
                             "" if v is None else v for v in record.values()])
        atomic_write_text(paths["csv"], buffer.getvalue())
        from .page import write_sweep_page

        paths["html"] = write_sweep_page(self, out / "sweep.html")
        return paths



def reproduce_command(case: Case, sweep: Sweep, example: Example, backends: Sequence[str], reference: str,
                      cwd: Path) -> str:
    """The command that runs ``example`` alone again (``--example``), from ``cwd``."""
    try:
        path = str(Path(case.path).resolve().relative_to(cwd))
    except ValueError:
        path = case.path
    words = ["python", "-m", "equivalence", "sweep", path, "--id", case.id]
    if sweep.name:
        words += ["--sweep", sweep.name]
    if list(backends) != list(DEFAULT_BACKENDS):
        words += ["--backends", ",".join(backends)]
    if reference != DEFAULT_REFERENCE:
        words += ["--reference", reference]
    words += ["--example", example.text()]
    return shlex.join(words)


def findings_of(case: Case, sweep: Sweep, judged: Judged, backends: Sequence[str], reference: str,
                include_known: bool) -> list[Finding]:
    """The rows of a minimal failing example as findings, with the oracle rows of their
    outputs (which side is farther, in numbers)."""
    shown = DIFFERING if include_known else FAILING
    wanted = [r for r in judged.rows if r.status in shown]
    outputs = {r.output for r in wanted}
    # the oracle rows of those outputs too: which side is farther, in numbers
    context = [r for r in judged.rows if r.reference == ORACLE and r.output in outputs and r not in wanted]
    command = reproduce_command(case, sweep, judged.example, backends, reference, Path.cwd())
    data = judged.example.to_data()
    values = {name: {side: side_values(e, name) for side, e in judged.executions.items()} for name in outputs}
    return [Finding(
        case=case.id, sweep=sweep.name, output=r.output, backend=r.backend, reference=r.reference, status=r.status,
        dtype=r.dtype, example_dtype=judged.example.dtype, shape=r.shape, max_abs_diff=r.max_abs_diff,
        max_rel_diff=r.max_rel_diff, max_ulp_diff=r.max_ulp_diff, mismatched=r.mismatched, numel=r.numel,
        oracle_error=getattr(r, "oracle_error", math.nan), oracle_best=getattr(r, "oracle_best", math.nan),
        oracle_bound=getattr(r, "oracle_bound", math.nan), message=printable(r.message), declared=r.declared,
        bound=r.bound, input=data, reproduce=command, values=values[r.output]) for r in wanted + context]


def side_values(execution: Execution | None, output: str) -> dict[str, Any]:
    """One side's ``output`` as data: ``{"dtype", "shape", "values"}`` (as an example's
    inputs are) up to :data:`RECORDED` elements, else ``{"dtype", "shape", "min", "max",
    "nan", "inf"}``; strings and complex numbers as ``{"dtype", "shape", "text"}`` (the first
    :data:`RECORDED` elements, flat); ``{"skipped": why}`` or ``{"error": what}`` when there is none."""
    if execution is None:
        return {"error": "did not run"}
    if execution.skipped is not None:
        return {"skipped": printable(execution.skipped)}
    if execution.error is not None:
        return {"error": printable(str(execution.error), 300)}
    if output not in execution.outputs:
        return {"error": printable(execution.output_errors.get(output, f"no output {output!r}"), 300)}
    array = np.asarray(execution.outputs[output])
    dtype = execution.dtypes.get(output, str(array.dtype))
    if array.dtype.kind not in "biuf":  # strings, complex numbers: as text
        flat = [printable(v, 200) for v in array.reshape(-1)[:RECORDED].tolist()]
        return {"dtype": dtype, "shape": list(array.shape), "text": flat}
    if array.size <= RECORDED:
        return array_to_data(array, dtype)
    return {"dtype": dtype, "shape": list(array.shape), **extremes(array)}

