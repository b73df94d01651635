"""A loop's picture: each trajectory per backend, and per step how many tolerances out.

Left, the values step by step, one line per backend (markers staggered, so that lines on
top of each other stay told apart), the documented values as circles; right, per step,
how many tolerances out each backend is from the reference (the largest over the step's
elements: ``|b - r| / (atol + rtol·|r|)``) on a log axis with labelled ticks over any
range, the tolerance as a band (at or under 1), the first divergent step (from the
result rows) marked on both. Long trajectories are thinned: values sampled, per-step
distances max-pooled (each bin drawn at the step of its maximum, so a spike still shows).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .plots import DOCUMENTED_STYLE, MARKERS, MAX_POINTS, STYLES, color, log_axis, new_axes, new_figure, tidy

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Track", "curves"]

def _steps(values: np.ndarray) -> tuple[np.ndarray, str]:
    """A trajectory as (steps, k) plus what its columns are: the value, components or a norm."""
    flat = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    if flat.shape[1] <= 3:
        return flat, "components" if flat.shape[1] > 1 else "value"
    return np.linalg.norm(flat, axis=1, keepdims=True), "norm"


def _sampled(count: int, most: int = MAX_POINTS) -> np.ndarray:
    """At most ``most`` step indices, evenly spread, first and last included."""
    if count <= most:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, most).round().astype(np.int64))


def _pooled(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(steps, per-bin max) of a per-step series, at most ``MAX_POINTS`` bins (NaN ignored)."""
    count = len(values)
    if count <= MAX_POINTS:
        return np.arange(count), values
    size = -(-count // MAX_POINTS)
    padded = np.full(size * -(-count // size), np.nan)
    padded[:count] = values
    bins = padded.reshape(-1, size)
    present = ~np.all(np.isnan(bins), axis=1)
    pooled = np.full(len(bins), np.nan)
    pooled[present] = np.nanmax(bins[present], axis=1)
    # Each bin at the step of its maximum, so a divergence is drawn where it happens.
    where = np.arange(0, count, size)
    where[present] += np.nanargmax(bins[present], axis=1)
    return where, pooled


def _wide(values: list[np.ndarray]) -> bool:
    finite = np.concatenate([v[np.isfinite(v)].ravel() for v in values]) if values else np.array([])
    return bool(finite.size and finite.min() > 0 and finite.max() / finite.min() > 50)


@dataclass
class Track:
    """One output's trajectory in every backend, and how each compares with the reference."""

    values: Mapping[str, np.ndarray]
    #: backend -> (rtol, atol) of its comparison with the reference
    tolerance: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    #: backend -> the first step outside the tolerance (from the result rows)
    diverges: Mapping[str, int] = field(default_factory=dict)
    #: the documented values: (steps printed, values)
    documented: tuple[np.ndarray, np.ndarray] | None = None


def curves(tracks: Mapping[str, Track], reference: str) -> Figure:
    """For each output (one row): its value per step, one line per backend, the documented
    values as circles; beside it, per step, how many tolerances out each backend is from
    the reference, the tolerance as a band; the first divergent step marked on both."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    names = list(tracks)
    height = 2.45 * len(names) + 0.55
    figure = new_figure(10, height)
    grid = new_axes(figure, len(names), 2)
    figure.subplots_adjust(left=0.075, right=0.985, top=1 - 0.62 / height, bottom=0.42 / height, hspace=0.95,
                           wspace=0.2)
    handles: dict[str, Any] = {}
    for row, name in enumerate(names):
        track = tracks[name]
        left, right = grid[row]
        drawn, kind = [], "value"
        backends = list(track.values)
        for i, (backend, values) in enumerate(track.values.items()):
            steps, kind = _steps(values)
            where = _sampled(len(steps), MAX_POINTS // 2)  # smooth curves: half the points do
            steps = steps[where]
            drawn.append(steps)
            every = max(1, len(where) // 6)
            for k in range(steps.shape[1]):
                line = left.plot(where, steps[:, k], color=color(backend), linestyle=STYLES[i % len(STYLES)],
                                 linewidth=1.6 if backend == reference else 1.1, marker=MARKERS[i % len(MARKERS)],
                                 markersize=3.5, markevery=(i * every // max(len(backends), 1), every))
                handles.setdefault(backend, line[0])
        if track.documented is not None:
            where, values = track.documented
            handles.setdefault("documented", left.plot(where, values, **DOCUMENTED_STYLE)[0])
            drawn.append(values.reshape(-1, 1))
        if _wide(drawn):
            log_axis(left, drawn)
        left.set_title(f"{name}{' (norm per step)' if kind == 'norm' else ''}", fontsize=9)
        if row == len(names) - 1:
            left.set_xlabel("step", fontsize=8)
        band = _step_panel(right, name, track, reference, handles)
        for backend, step in track.diverges.items():
            left.axvline(step, color=color(backend), linestyle=(0, (2, 2)), linewidth=1)
        if band:
            handles.setdefault("within tolerance", Patch(facecolor=BAND, edgecolor=BAND_EDGE, label="within tolerance"))
        tidy(left)
        tidy(right)
    if any(track.diverges for track in tracks.values()):
        handles["first divergent step"] = Line2D([], [], color="#333333", linestyle=(0, (2, 2)), linewidth=1)
    figure.legend(list(handles.values()), list(handles), loc="upper center", ncol=min(len(handles), 7), fontsize=7.5,
                  frameon=False, bbox_to_anchor=(0.5, 1.0), handlelength=2.6, columnspacing=1.4)
    return figure


BAND, BAND_EDGE = "#dafbe1", "#1a7f37"


def _step_panel(axes: Axes, name: str, track: Track, reference: str, handles: dict[str, Any]) -> bool:
    """Per step, how many tolerances out each backend is (max over the step's elements),
    or |backend - reference| where no tolerance applies; True when the band is drawn."""
    expected = track.values.get(reference)
    equal_everywhere: list[str] = []
    partly: list[str] = []
    notes: list[str] = []
    series: dict[str, np.ndarray] = {}
    ratio_mode = all(track.tolerance.get(b, (0.0, 0.0)) != (0.0, 0.0) for b in track.values if b != reference)
    for backend, values in track.values.items():
        if backend == reference or expected is None:
            continue
        if np.shape(values) != np.shape(expected):
            notes.append(f"{backend}: shape {np.shape(values)} ≠ {np.shape(expected)}")
            continue
        a = np.asarray(values, np.float64).reshape(len(values), -1)
        e = np.asarray(expected, np.float64).reshape(len(values), -1)
        with np.errstate(all="ignore"):
            same = (a == e) | (np.isnan(a) & np.isnan(e))
            diff = np.where(same, 0.0, np.abs(a - e))
            if ratio_mode:
                rtol, atol = track.tolerance[backend]
                diff = diff / (atol + rtol * np.abs(e))
        per_step = np.nanmax(np.where(np.isnan(diff), np.inf, diff), axis=1) if diff.shape[1] else np.zeros(len(a))
        equal = int(np.sum(per_step == 0))
        if equal == len(per_step):
            equal_everywhere.append(backend)
            continue
        if equal:
            partly.append(f"{backend} {equal}/{len(per_step)}")
        if np.isinf(per_step).any():
            notes.append(f"{backend}: NaN or infinity against a number at {int(np.isinf(per_step).sum())} steps")
        series[backend] = np.where((per_step > 0) & np.isfinite(per_step), per_step, np.nan)
    what = "tolerances out" if ratio_mode else f"|backend − {reference}|"
    axes.set_title(f"{name}: {what} per step, against {reference}", fontsize=9)
    # The band spans at least the decade below the tolerance, so it shows however far out.
    positive = bool(series) and log_axis(axes, list(series.values()), (0.1, 2.0) if ratio_mode else ())
    order = list(track.values)
    for backend, per_step in series.items():
        where, pooled = _pooled(per_step)
        i = order.index(backend)
        axes.plot(where, pooled, color=color(backend), linestyle=STYLES[i % len(STYLES)], linewidth=1.1,
                  marker=MARKERS[i % len(MARKERS)] if np.sum(np.isfinite(pooled)) <= 30 else "", markersize=3)
    band = ratio_mode and positive
    if band:
        axes.axhspan(axes.get_ylim()[0], 1.0, facecolor=BAND, edgecolor="none", zorder=0)
        axes.axhline(1.0, color=BAND_EDGE, linewidth=0.8, linestyle="-", zorder=1)
    for backend, step in track.diverges.items():
        axes.axvline(step, color=color(backend), linestyle=(0, (2, 2)), linewidth=1)
        axes.annotate(f"step {step}", (step, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -9),
                      textcoords="offset points", fontsize=7, color="#333333")
    if expected is not None and len(expected) > 1:
        axes.set_xlim(-0.02 * (len(expected) - 1), 1.02 * (len(expected) - 1))
    # Under the panel, not over the curves: what a log scale cannot show (exact zeros).
    lines = [f"bitwise equal at every step: {', '.join(equal_everywhere)}"] if equal_everywhere else []
    lines += [f"bitwise equal at some steps: {', '.join(partly)}"] if partly else []
    lines += notes
    if lines:  # wrapped to the panel's width
        import textwrap

        axes.set_xlabel("\n".join(part for line in lines for part in textwrap.wrap(line, 80)), fontsize=7,
                        color="#333333")
    if not positive:
        axes.set_yticks([])
        axes.text(0.5, 0.5, "no difference" if equal_everywhere else f"no backend besides {reference}",
                  transform=axes.transAxes, ha="center", va="center", fontsize=9, color="#333333")
    return band
