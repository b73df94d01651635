"""Which pictures a case gets: generic ones driven by its data, and picture hooks.

Generic pictures, for every case:

- every output named in ``case.trajectories`` (at most ``MAX_CURVES``: the first and
  those that differ most): its curve per backend (documented values as circles) and, per
  step, how many tolerances out each backend is from the reference on a log scale, the
  tolerance as a band and the first divergent step (from the rows) marked;
- every other 2-D output (at least 2×2, at most ``HEATMAP_MAX`` elements) where a
  backend's comparison with the reference did not pass (fail, known difference,
  unexpected pass): a heat map of |backend - reference|. Passing outputs get none:
  a map of one-ULP rounding noise costs time and space and tells little.

Picture hooks draw what only some cases have. A hook is a function
``hook(context: PlotContext) -> Figure | None`` (None: nothing to draw for this case);
the first line of its docstring is the caption. Hooks come from two places:

- ``HOOKS`` below, keyed by naming conventions, so a case gets them by naming its data:
  :func:`regression_line` (inputs ``x``, ``y``, outputs ``w``, ``b``: the fitted line
  over the data points) and :func:`descent_surface` (an objective in ``SURFACES``
  named in the case's id or title, and a trajectory of points in the plane);
- ``case.plots``, a sequence of hooks a case may carry (read with ``getattr``, so a
  Case without that field simply has none), e.g. ``plots=[surface_hook(f, "xy")]``.

A hook that raises costs only its picture: the page shows why instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ..documented import Printed
from ._markup import esc

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from ..case import Case
    from ..outcome import Execution
    from ..results import Row

__all__ = ["HOOKS", "SURFACES", "PlotContext", "descent_surface", "pictures_for", "regression_line", "surface_hook"]

HEATMAP_MAX = 1_000_000
#: Trajectories drawn per case at most (two panels each, and matplotlib takes ~0.1 s a
#: panel): the first, then those that differ most; the caption names the others.
MAX_CURVES = 4
#: Trajectories drawn for a case that does not fail (its section is folded).
FOLDED_CURVES = 1


@dataclass
class PlotContext:
    """What a picture may use: the case, each backend's outputs, the reference backend."""

    case: Case
    #: backend -> output name -> array, for the backends that ran without error, in run order.
    outputs: Mapping[str, Mapping[str, np.ndarray]]
    reference: str
    #: The case's result rows (:class:`~equivalence.Row`).
    rows: Sequence[Row] = ()
    _inputs: dict[str, Any] | None = field(default=None, repr=False)

    def output(self, name: str) -> dict[str, np.ndarray]:
        """backend -> array of output ``name``, for the backends that returned it."""
        return {b: outs[name] for b, outs in self.outputs.items() if name in outs}

    def inputs(self) -> dict[str, Any]:
        """The case's inputs, made again (deterministic: from the seed); {} if that fails."""
        if self._inputs is None:
            try:
                self._inputs = self.case.make_inputs()
            except Exception:
                self._inputs = {}
        return self._inputs


Hook = Callable[[PlotContext], "Figure | None"]


def regression_line(context: PlotContext) -> Figure | None:
    """The fitted line over the data points, per backend (inputs x, y; outputs w, b)."""
    from .plots import as_float, regression

    inputs = context.inputs()
    x, y = inputs.get("x"), inputs.get("y")
    if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray):
        return None
    if x.ndim != 1 or x.shape != y.shape or len(x) < 2 or x.dtype.kind not in "fiu" or y.dtype.kind not in "fiu":
        return None
    w, b = context.output("w"), context.output("b")
    lines = {backend: (as_float(w[backend]), as_float(b[backend])) for backend in w if backend in b}
    if not lines:
        return None
    start = (as_float(inputs["w0"]), as_float(inputs["b0"])) if "w0" in inputs and "b0" in inputs else None
    return regression(x, y, lines, start)


def himmelblau(x: Any, y: Any) -> Any:
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


#: Objectives known by name: a case whose id or title names one, and that has a
#: trajectory of points in the plane, gets its surface with the descent paths.
#: name -> (f(x, y), the extent to show at least).
SURFACES: dict[str, tuple[Callable[[Any, Any], Any], tuple[float, float, float, float]]] = {
    "himmelblau": (himmelblau, (-6.0, 6.0, -6.0, 6.0)),
}


def _plane_paths(context: PlotContext) -> tuple[str, dict[str, np.ndarray]] | None:
    """The first trajectory whose steps are points (x, y): (name, backend -> (steps, 2))."""
    for name in context.case.trajectories:
        paths = {b: np.asarray(v, dtype=np.float64).reshape(len(v), -1) for b, v in context.output(name).items()
                 if np.ndim(v) >= 1 and len(v) and np.size(v) == 2 * len(v)}
        if paths:
            return name, paths
    return None


def surface_hook(f: Callable[[Any, Any], Any], path: str | None = None,
                 extent: tuple[float, float, float, float] | None = None) -> Hook:
    """A hook drawing ``f``'s surface with the descent paths of output ``path`` (default:
    the first trajectory of points in the plane), for ``case.plots``."""

    def draw(context: PlotContext) -> Figure | None:
        from .plots import surface

        if path is not None:
            paths = {b: np.asarray(v, np.float64).reshape(len(v), -1) for b, v in context.output(path).items()}
            found = (path, {b: p for b, p in paths.items() if p.shape[1] == 2}) if paths else None
        else:
            found = _plane_paths(context)
        if not found or not found[1]:
            return None
        name, paths = found
        points = np.concatenate(list(paths.values()))
        points = points[np.isfinite(points).all(axis=1)]
        lo, hi = (points.min(axis=0), points.max(axis=0)) if len(points) else (np.zeros(2), np.ones(2))
        margin = np.maximum((hi - lo) * 0.15, 0.5)
        x0, x1, y0, y1 = extent or (np.inf, -np.inf, np.inf, -np.inf)
        box = (min(x0, lo[0] - margin[0]), max(x1, hi[0] + margin[0]), min(y0, lo[1] - margin[1]), max(y1, hi[1] + margin[1]))
        return surface(f, paths, box, title=f"paths of {name} over the surface")

    draw.__doc__ = "The surface with each backend's descent path."
    return draw


def descent_surface(context: PlotContext) -> Figure | None:
    """The surface with each backend's descent path (an objective named in SURFACES)."""
    text = f"{context.case.id} {context.case.title}".lower()
    for name, (f, extent) in SURFACES.items():
        if name in text:
            return surface_hook(f, extent=extent)(context)
    return None


#: Hooks every case is offered; each decides from the case's data whether it applies.
HOOKS: tuple[Hook, ...] = (regression_line, descent_surface)


def _caption(hook: Hook) -> str:
    return ((hook.__doc__ or "").strip().splitlines() or [getattr(hook, "__name__", "picture")])[0]


def _trajectory_pictures(context: PlotContext) -> list[tuple[str, Figure | None]]:
    from .analysis import position
    from .curves import Track, curves

    tracks: dict[str, Track] = {}
    for name in context.case.trajectories:
        by_backend = {b: v for b, v in context.output(name).items() if np.ndim(v) >= 1 and len(v) > 0}
        if not by_backend:
            continue
        documented = None
        doc = context.case.documented.get(name)
        steps = len(next(iter(by_backend.values())))
        if isinstance(doc, Printed) and np.ndim(doc.values) <= 1:
            try:
                where = np.asarray(doc.select(np.arange(steps)))
                if where.shape == np.shape(doc.values):
                    documented = (where, np.asarray(doc.values, dtype=np.float64))
            except Exception:
                pass
        tolerance, diverges = {}, {}
        for row in context.rows:
            if row.output != name or row.reference != context.reference or row.backend not in by_backend:
                continue
            tolerance[row.backend] = (float(row.rtol), float(row.atol))
            first = position(row.first_mismatch)
            if first:
                diverges[row.backend] = first[0]
        tracks[name] = Track(by_backend, tolerance, diverges, documented)
    if not tracks:
        return []
    failing = {r.output for r in context.rows if r.status in ("fail", "error", "unexpected_pass")}
    # A folded (passing) case draws fewer: its picture is there to be looked at, not studied.
    drawn = _most_different({n: t.values for n, t in tracks.items()}, context.reference,
                            MAX_CURVES if failing else FOLDED_CURVES, failing)
    left_out = [name for name in tracks if name not in drawn]
    caption = (f"Trajectories ({', '.join(drawn)}): left, one line per framework; right, how many tolerances "
               f"each step is from {context.reference} (the band: within tolerance)"
               + (f" (not drawn, compared in the table: {', '.join(left_out)})" if left_out else ""))
    return [(caption, curves({n: tracks[n] for n in drawn}, context.reference))]


def _most_different(trajectories: Mapping[str, Mapping[str, np.ndarray]], reference: str, most: int = MAX_CURVES,
                    failing: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """At most ``most`` names: the first (usually the loss), then those that fail, then
    those that differ most from the reference (relative), in their declared order."""
    names = list(trajectories)
    if len(names) <= most:
        return names

    def spread(name: str) -> float:
        expected = trajectories[name].get(reference)
        worst = 0.0
        for backend, values in trajectories[name].items():
            if expected is None or backend == reference or np.shape(values) != np.shape(expected):
                continue
            with np.errstate(all="ignore"):
                e = np.asarray(expected, np.float64)
                rel = np.abs(np.asarray(values, np.float64) - e) / np.maximum(np.abs(e), np.finfo(np.float64).tiny)
            worst = max(worst, float(np.nanmax(rel)) if rel.size else 0.0)
        return worst

    chosen = {names[0], *sorted(names[1:], key=lambda n: (n in failing, spread(n)), reverse=True)[: most - 1]}
    return [n for n in names if n in chosen]


def _heatmap_pictures(context: PlotContext) -> list[tuple[str, Figure | None]]:
    from .plots import heatmaps

    found: list[tuple[str, Figure | None]] = []
    differing = {(r.output, r.backend) for r in context.rows
                 if r.reference == context.reference and r.status in ("fail", "known_difference", "unexpected_pass")}
    expected_outputs = context.outputs.get(context.reference, {})
    for name, expected in expected_outputs.items():
        if name in context.case.trajectories or np.ndim(expected) != 2 or min(np.shape(expected)) < 2:
            continue
        if np.size(expected) > HEATMAP_MAX or expected.dtype.kind not in "fiuc":
            continue
        differences = {}
        for backend, actual in context.output(name).items():
            if (name, backend) not in differing or np.shape(actual) != np.shape(expected):
                continue
            with np.errstate(invalid="ignore"):
                diff = np.abs(np.asarray(actual, np.float64) - np.asarray(expected, np.float64))
            if np.any(diff != 0):
                differences[backend] = diff
        if differences:
            found.append((f"{name}: where the elements differ from {context.reference}",
                          heatmaps(name, differences, context.reference)))
    return found


def _hook_producer(hook: Hook, context: PlotContext) -> Callable[[], list[tuple[str, Figure | None]]]:
    return lambda: [(_caption(hook), hook(context))]


def pictures_for(case: Case, executions: Mapping[str, Execution], reference: str, rows: Sequence[Row] = ()) -> list[tuple[str, str]]:
    """(caption, HTML) of every picture of ``case``, from its backends' executions and rows."""
    from .svg import image

    outputs = {b: e.outputs for b, e in executions.items() if getattr(e, "ok", False) and e.outputs}
    if not outputs:
        return []
    context = PlotContext(case, outputs, reference, rows)
    pictures: list[tuple[str, str]] = []
    producers: list[tuple[str, Callable[[], list[tuple[str, Figure | None]]]]] = [
        ("trajectories", lambda: _trajectory_pictures(context)),
        ("heat maps", lambda: _heatmap_pictures(context)),
    ]
    for hook in (*HOOKS, *getattr(case, "plots", ())):
        producers.append((_caption(hook), _hook_producer(hook, context)))
    for what, produce in producers:
        try:
            for caption, figure in produce():
                if figure is not None:
                    pictures.append((caption, image(figure, caption)))
        except Exception as exc:  # a picture must never cost the report
            pictures.append((what, f'<p class="note">picture “{esc(what)}” could not be drawn: '
                                   f"{esc(type(exc).__name__)}: {esc(exc)}</p>"))
    undrawn = getattr(case, "undrawn_plots", 0)
    if undrawn:  # nothing dropped silently: say why the case's own pictures are missing
        pictures.append(("the case's own pictures", f'<p class="note">{undrawn} picture(s) of the case\'s own '
                         "are drawn only by an in-process run (--in-process): case code does not run in the "
                         "process that writes the report.</p>"))
    return pictures
