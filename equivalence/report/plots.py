"""Figures for the report, drawn with matplotlib and inlined as ``data:`` SVG images.

Each function takes plain NumPy data (what each backend computed) and returns a
``matplotlib.figure.Figure``; :func:`image` turns one into an ``<img>`` whose SVG is
base64 in the page, so the file stays self-contained and prints sharp. An ``<img>``
also isolates the SVG: its ids cannot collide with the page's and nothing in it runs.

Figures are made with ``matplotlib.figure.Figure`` directly, never ``pyplot``: no global
figure registry, no GUI backend chosen, nothing to close. matplotlib is imported inside
the functions; :func:`unavailable` says why pictures are missing when it is not there.
Plot text holds only output and backend names (never case titles, which may need
glyphs the plot font lacks).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ._markup import esc

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["COLORS", "curves", "heatmaps", "image", "regression", "surface", "unavailable"]

#: One colour per backend, the same in every figure (and close to each project's own).
COLORS = {"numpy": "#4d77cf", "tensorflow": "#ff8f00", "torch": "#ee4c2c", "jax": "#2ca02c"}
STYLES = ("-", "--", ":", "-.")
#: Points drawn per curve at most: a 10,000-step trajectory as 10,000 SVG points weighed
#: 1.6 MB; longer curves are thinned (values sampled, differences max-pooled, so a spike
#: between two samples still shows).
MAX_POINTS = 400
DOCUMENTED_STYLE = {"color": "black", "marker": "o", "markerfacecolor": "none", "linestyle": "none", "markersize": 6}


def unavailable() -> str | None:
    """Why no picture can be drawn (matplotlib missing), or None."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return "matplotlib is not installed (pip install 'equivalence[report]')"
    return None


def color(backend: str) -> str:
    return COLORS.get(backend, "#666666")


def new_figure(width: float, height: float) -> Figure:
    # Fixed margins (set by each figure's maker), not a layout engine: constrained layout
    # measures every tick label again and tripled the time a figure takes.
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


#: What keeps drawing fast: a fixed title position (matplotlib otherwise measures every
#: tick label to place each title) and few ticks (each tick is two lines and two texts).
RC: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "equivalence", "axes.titley": 1.0, "axes.titlepad": 4,
      "xtick.labelsize": 7, "ytick.labelsize": 7, "axes.formatter.useoffset": False}


def new_axes(figure: Figure, rows: int = 1, cols: int = 1) -> Any:
    """``figure.subplots`` under :data:`RC` (2-D array of axes)."""
    import matplotlib

    with matplotlib.rc_context(cast(Any, RC)):
        return figure.subplots(rows, cols, squeeze=False)


def tidy(axes: Axes, integer_y: bool = False) -> None:
    """Few ticks, plain labels: log axes get ``1e-07``, not mathtext (slow to lay out)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

    axes.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    if integer_y:
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    elif axes.get_yscale() == "log":
        axes.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0), numticks=6))
        axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    else:
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5))
    axes.yaxis.set_minor_locator(NullLocator())
    axes.xaxis.set_minor_locator(NullLocator())


def image(figure: Figure, alt: str, cls: str = "figure") -> str:
    """An ``<img>`` holding ``figure`` as base64 SVG (text kept as text: small, searchable)."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context(cast(Any, RC)):
        figure.savefig(buffer, format="svg", dpi=110, metadata={"Date": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="{esc(cls)}" alt="{esc(alt)}" src="data:image/svg+xml;base64,{data}">'


def _steps(values: np.ndarray) -> tuple[np.ndarray, str]:
    """A trajectory as (steps, k) plus what its columns are: the value, components or a norm."""
    flat = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    if flat.shape[1] <= 3:
        return flat, "components" if flat.shape[1] > 1 else "value"
    return np.linalg.norm(flat, axis=1, keepdims=True), "norm"


def _sampled(count: int) -> np.ndarray:
    """At most ``MAX_POINTS`` step indices, evenly spread, first and last included."""
    if count <= MAX_POINTS:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, MAX_POINTS).round().astype(np.int64))


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
    return np.arange(0, count, size), pooled


def _log_if_wide(axes: Axes, values: list[np.ndarray]) -> None:
    finite = np.concatenate([v[np.isfinite(v)].ravel() for v in values]) if values else np.array([])
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 50:
        axes.set_yscale("log")


def curves(
    trajectories: Mapping[str, Mapping[str, np.ndarray]],
    reference: str,
    documented: Mapping[str, tuple[np.ndarray, np.ndarray]] | None = None,
) -> Figure:
    """For each output (one row): its value per step, one line per backend, the documented
    values as circles; beside it, per step, max |backend - reference| on a log scale."""
    documented = documented or {}
    names = list(trajectories)
    height = 2.5 * len(names) + 0.3
    figure = new_figure(10, height)
    grid = new_axes(figure, len(names), 2)
    figure.subplots_adjust(left=0.07, right=0.985, top=1 - 0.3 / height, bottom=0.5 / height, hspace=0.75, wspace=0.18)
    for row, name in enumerate(names):
        by_backend = trajectories[name]
        left, right = grid[row]
        drawn = []
        for i, (backend, values) in enumerate(by_backend.items()):
            steps, kind = _steps(values)
            where = _sampled(len(steps))
            steps = steps[where]
            drawn.append(steps)
            for k in range(steps.shape[1]):
                label = backend if k == 0 else None
                left.plot(where, steps[:, k], color=color(backend), linestyle=STYLES[(i + k) % len(STYLES)],
                          linewidth=1.6 if backend == reference else 1.2, label=label)
        if name in documented:
            where, values = documented[name]
            left.plot(where, values, label="documented", **DOCUMENTED_STYLE)
            drawn.append(values.reshape(-1, 1))
        _log_if_wide(left, drawn)
        left.set_title(f"{name}{' (norm per step)' if kind == 'norm' else ''}", fontsize=10)
        if row == len(names) - 1:
            left.set_xlabel("step", fontsize=8)
        if row == 0:  # one legend per figure: each backend has one colour in every panel
            left.legend(fontsize=7, frameon=False)
        positive = _step_differences(right, name, by_backend, reference)
        tidy(left)
        tidy(right)
        if not positive:
            right.set_yticks([])
    return figure


def _step_differences(axes: Axes, name: str, by_backend: Mapping[str, np.ndarray], reference: str) -> bool:
    """Draw the per-step differences; False when there is none to draw (all bitwise equal)."""
    axes.set_title(f"{name}: max |backend − {reference}| per step", fontsize=10)
    expected = by_backend.get(reference)
    equal_everywhere: list[str] = []
    partly: list[str] = []
    notes: list[str] = []
    positive = False
    for backend, values in by_backend.items():
        if backend == reference or expected is None:
            continue
        if np.shape(values) != np.shape(expected):
            notes.append(f"{backend}: shape {np.shape(values)} ≠ {np.shape(expected)}")
            continue
        diff = np.abs(np.asarray(values, np.float64) - np.asarray(expected, np.float64)).reshape(len(values), -1)
        per_step = np.nanmax(diff, axis=1) if diff.shape[1] else np.zeros(len(values))
        equal = int(np.sum(per_step == 0))
        if equal == len(per_step):
            equal_everywhere.append(backend)
            continue
        positive = True
        if equal:
            partly.append(f"{backend} at {equal} of {len(per_step)}")
        where, pooled = _pooled(np.where(per_step > 0, per_step, np.nan))
        axes.plot(where, pooled, color=color(backend), marker="." if len(where) <= 60 else "", markersize=3,
                  linewidth=1, label=backend)
    if positive:
        axes.set_yscale("log")
    if expected is not None and len(expected) > 1:
        axes.set_xlim(-0.02 * (len(expected) - 1), 1.02 * (len(expected) - 1))
    # Under the panel, not over the curves: what a log scale cannot show (exact zeros).
    lines = [f"bitwise equal at every step: {', '.join(equal_everywhere)}"] if equal_everywhere else []
    lines += [f"bitwise equal at some steps: {', '.join(partly)} steps"] if partly else []
    lines += notes
    if lines:
        axes.set_xlabel("\n".join(lines), fontsize=7, color="#333333")
    if not positive:
        axes.text(0.5, 0.5, "no difference" if equal_everywhere else f"no backend besides {reference}",
                  transform=axes.transAxes, ha="center", va="center", fontsize=9, color="#333333")
    return positive


def heatmaps(name: str, differences: Mapping[str, np.ndarray], reference: str) -> Figure:
    """|backend - reference| element by element for a 2-D output, one panel per backend."""
    panels = list(differences.items())
    rows, cols = panels[0][1].shape
    aspect = min(max(cols / max(rows, 1), 0.5), 3.0)
    panel = 2.6 * aspect + 1.9  # inches: the map, its colour bar and the tick labels
    width = min(panel * len(panels), 11)
    figure = new_figure(width, 3.2)
    axes = new_axes(figure, 1, len(panels))[0]
    figure.subplots_adjust(left=0.45 / width, right=1 - 0.45 / width, top=0.88, bottom=0.1, wspace=0.6)
    for ax, (backend, diff) in zip(axes, panels, strict=True):
        shown = ax.imshow(diff, cmap="magma_r", interpolation="nearest", aspect="auto")
        ax.set_title(f"|{name}: {backend} − {reference}|", fontsize=9)
        figure.colorbar(shown, ax=ax, shrink=0.85).ax.tick_params(labelsize=7)
        tidy(ax, integer_y=True)
    return figure


def regression(
    x: np.ndarray, y: np.ndarray, lines: Mapping[str, tuple[float, float]], start: tuple[float, float] | None
) -> Figure:
    """The data points and the fitted line ``w·x + b`` of every backend (the start dashed)."""
    figure = new_figure(6, 3.6)
    axes = new_axes(figure)[0, 0]
    figure.subplots_adjust(left=0.11, right=0.98, top=0.92, bottom=0.13)
    axes.scatter(x, y, color="#333333", s=14, label="data", zorder=3)
    span = np.linspace(float(np.min(x)), float(np.max(x)), 50)
    if start is not None:
        axes.plot(span, start[0] * span + start[1], color="#999999", linestyle=":", label="start")
    for i, (backend, (w, b)) in enumerate(lines.items()):
        axes.plot(span, w * span + b, color=color(backend), linestyle=STYLES[i % len(STYLES)],
                  label=f"{backend}: {w:.6g}·x {'+' if b >= 0 else '−'} {abs(b):.6g}")
    axes.set_xlabel("x", fontsize=8)
    axes.set_ylabel("y", fontsize=8)
    axes.set_title("fitted line over the data (last step)", fontsize=10)
    axes.legend(fontsize=7, frameon=False)
    tidy(axes)
    return figure


def surface(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    paths: Mapping[str, np.ndarray],
    extent: tuple[float, float, float, float],
    title: str = "",
) -> Figure:
    """Contours of ``f(x, y)`` over ``extent`` with each backend's descent path on top."""
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, 160), np.linspace(y0, y1, 160))
    cx, cy = np.meshgrid(np.linspace(x0, x1, 60), np.linspace(y0, y1, 60))
    with np.errstate(all="ignore"):
        z = np.log1p(np.maximum(np.asarray(f(gx, gy), dtype=np.float64), 0))
        zc = np.log1p(np.maximum(np.asarray(f(cx, cy), dtype=np.float64), 0))
    figure = new_figure(6.2, 5)
    axes = new_axes(figure)[0, 0]
    figure.subplots_adjust(left=0.1, right=0.98, top=0.94, bottom=0.08)
    # The surface as an image at its own resolution (interpolation "none" keeps it so in
    # SVG) and a few coarse contours: filled vector contours weighed 1.8 MB a figure.
    shown = axes.imshow(z, extent=extent, origin="lower", cmap="viridis", aspect="auto", interpolation="none")
    axes.contour(cx, cy, zc, levels=10, colors="white", linewidths=0.4, alpha=0.6)
    figure.colorbar(shown, ax=axes, shrink=0.85, label="log(1 + f)")
    for i, (backend, path) in enumerate(paths.items()):
        path = np.asarray(path, dtype=np.float64)
        axes.plot(path[:, 0], path[:, 1], color=color(backend), linestyle=STYLES[i % len(STYLES)],
                  marker=".", markersize=4, markevery=max(1, len(path) // 20), linewidth=1.2, label=backend)
        axes.plot(path[0, 0], path[0, 1], marker="o", color="white", markeredgecolor="black", markersize=6)
        axes.plot(path[-1, 0], path[-1, 1], marker="*", color=color(backend), markeredgecolor="black", markersize=10)
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)
    axes.set_title(title or "descent paths over the surface", fontsize=10)
    axes.legend(fontsize=7, loc="upper right")
    tidy(axes)
    return figure


def as_float(value: Any) -> float:
    return float(np.asarray(value, dtype=np.float64).reshape(-1)[-1])
