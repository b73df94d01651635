"""Figures for the report, drawn with matplotlib: heat maps, regression lines, surfaces,
and what every figure shares (colours, axes, ticks).

Each function takes plain NumPy data (what each backend computed) and returns a
``matplotlib.figure.Figure``; :func:`equivalence.report.svg.image` turns one into an
``<img>`` of inline SVG, so the file stays self-contained and prints sharp; a loop's
figure is drawn by :mod:`equivalence.report.curves`.

Log axes get their ticks from :func:`log_axis`, a decade every one or more decades over
any range (matplotlib's ``LogLocator(numticks=...)`` returns no tick at all once the data
spans more decades than it may show).

Figures are made with ``matplotlib.figure.Figure`` directly, never ``pyplot``: no global
figure registry, no GUI backend chosen, nothing to close. matplotlib is imported inside
the functions; :func:`unavailable` says why pictures are missing when it is not there.
Plot text holds only output and backend names (never case titles, which may need
glyphs the plot font lacks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["color", "heatmaps", "log_axis", "regression", "surface", "unavailable"]

STYLES = ("-", "--", ":", "-.")
#: Points drawn per curve at most: a 10,000-step trajectory as 10,000 SVG points weighed
#: 1.6 MB; longer curves are thinned (values sampled, differences max-pooled, so a spike
#: between two samples still shows).
MAX_POINTS = 240
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
DOCUMENTED_STYLE = {"color": "black", "marker": "o", "markerfacecolor": "none", "linestyle": "none", "markersize": 6}


def unavailable() -> str | None:
    """Why no picture can be drawn (matplotlib missing), or None."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return "matplotlib is not installed (pip install 'equivalence[report]')"
    return None


#: Colours for backends that declare none (the execution modes), taken in registry order,
#: so two modes never share one until there are more modes than colours.
PALETTE = ("#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#1f3d7a", "#a05a00")


def color(backend: str) -> str:
    """One colour per backend, the same in every figure: the one its class declares
    (``Backend.color``), else the palette's by registry position; a name the registry does
    not know (a results file from another installation) gets one by hash."""
    from ..backends import backend_names, get_backend

    def declared(name: str) -> str:
        return str(vars(type(get_backend(name))).get("color") or "")  # its own class's, not inherited

    names = backend_names()
    if backend in names:
        if declared(backend):
            return declared(backend)
        undeclared = [name for name in names if not declared(name)]
        return PALETTE[undeclared.index(backend) % len(PALETTE)]
    import zlib

    return PALETTE[zlib.crc32(backend.encode("utf-8", "surrogatepass")) % len(PALETTE)]


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


def _tick(value: float, _: Any = None) -> str:
    """A tick label: ``0.001``, ``100``, ``1e-7``, ``2e6`` (plain text, no mathtext)."""
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:g}"
    mantissa, exponent = f"{value:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def log_axis(axes: Axes, values: list[np.ndarray], include: tuple[float, ...] = ()) -> bool:
    """Put the y axis of ``axes`` on a log scale fitted to the positive finite ``values``
    (and ``include``), with labelled ticks over any range: every decade up to 5 decades,
    every other one up to 10, and so on; 1-2-5 within a decade or two. False when there
    is nothing positive to show."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    parts = [np.asarray(v, np.float64).ravel() for v in values] + [np.asarray(include, np.float64)]
    found = np.concatenate(parts) if parts else np.array([])
    found = found[np.isfinite(found) & (found > 0)]
    if not found.size:
        return False
    low, high = math.floor(math.log10(found.min())), math.ceil(math.log10(found.max()))
    high = max(high, low + 1)
    step = max(1, math.ceil((high - low) / 5))
    high = low + step * math.ceil((high - low) / step)
    if high - low <= 2:
        ticks = [m * 10.0**e for e in range(low, high + 1) for m in (1, 2, 5) if m * 10.0**e <= 10.0**high]
    else:
        ticks = [10.0**e for e in range(low, high + 1, step)]
    axes.set_yscale("log")
    axes.set_ylim(10.0**low, 10.0**high)
    axes.yaxis.set_major_locator(FixedLocator(ticks))
    axes.yaxis.set_major_formatter(FuncFormatter(_tick))
    axes.yaxis.set_minor_locator(NullLocator())
    return True


def tidy(axes: Axes, integer_y: bool = False) -> None:
    """Few ticks, plain labels (log axes are set up by :func:`log_axis`)."""
    from matplotlib.ticker import MaxNLocator, NullLocator

    axes.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    if integer_y:
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    elif axes.get_yscale() != "log":
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5))
    axes.yaxis.set_minor_locator(NullLocator())
    axes.xaxis.set_minor_locator(NullLocator())


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
    gx, gy = np.meshgrid(np.linspace(x0, x1, 90), np.linspace(y0, y1, 90))
    cx, cy = np.meshgrid(np.linspace(x0, x1, 32), np.linspace(y0, y1, 32))
    with np.errstate(all="ignore"):
        z = np.log1p(np.maximum(np.asarray(f(gx, gy), dtype=np.float64), 0))
        zc = np.log1p(np.maximum(np.asarray(f(cx, cy), dtype=np.float64), 0))
    figure = new_figure(6.2, 5)
    axes = new_axes(figure)[0, 0]
    figure.subplots_adjust(left=0.1, right=0.98, top=0.94, bottom=0.08)
    # The surface as an image at its own resolution (interpolation "none" keeps it so in
    # SVG) and a few coarse contours: filled vector contours weighed 1.8 MB a figure.
    shown = axes.imshow(z, extent=extent, origin="lower", cmap="viridis", aspect="auto", interpolation="none")
    axes.contour(cx, cy, zc, levels=8, colors="white", linewidths=0.4, alpha=0.6)
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
