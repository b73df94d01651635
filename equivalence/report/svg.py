"""Figures as ``<img>`` elements whose SVG is a ``data:`` URL, small and inert.

matplotlib's SVG is shortened by :func:`minify_svg` (no metadata, coordinates to 0.1 pt,
implicit linetos, styles used often made classes, no unused ids: a third of its size) and
percent-encoded rather than base64 (:func:`svg_url`: a third smaller again). An ``<img>``
isolates the SVG: its ids cannot collide with the page's and nothing in it runs.
"""

from __future__ import annotations

import collections
import io
import re
import urllib.parse
from typing import TYPE_CHECKING, Any, cast

from ._markup import esc

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["image", "minify_svg", "svg_url"]

_NUMBERS = re.compile(r"(\d+\.\d)\d+")
_GEOMETRY = re.compile(r' (d|x|y|x1|x2|y1|y2|width|height|transform|points)="([^"]*)"')


def _shorter(match: re.Match[str]) -> str:
    value = " ".join(_NUMBERS.sub(r"\1", match.group(2)).split())
    if match.group(1) == "d":  # repeated lineto: "M 1 2 L 3 4 L 5 6" is "M 1 2 3 4 5 6"
        value = re.sub(r"(?<=[\d.]) L (?=-?[\d.])", " ", value)
    return f' {match.group(1)}="{value}"'


_SHORT_COLOUR = re.compile(r"#([0-9a-f])\1([0-9a-f])\2([0-9a-f])\3\b")


def _style(match: re.Match[str]) -> str:
    value = re.sub(r"\s*([:;])\s*", r"\1", match.group(1)).strip(";")
    value = _SHORT_COLOUR.sub(lambda c: "#" + c.group(1) + c.group(2) + c.group(3), value)
    return f' style="{value}"'


def minify_svg(svg: str) -> str:
    """matplotlib's SVG, shorter and drawn the same: no XML prolog, DOCTYPE or metadata,
    coordinates to 0.1 pt, implicit linetos, one short font list, compact styles, ``href``
    for ``xlink:href``, no ids nothing refers to, no whitespace between tags, attributes in
    single quotes (so that the ``data:`` URL needs no ``%22``); text content is left alone."""
    svg = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"font-family: [^;\"]*", "font-family: DejaVu Sans, sans-serif", svg)
    svg = re.sub(r' transform="rotate\(-?0 [^"]*\)"', "", svg)
    svg = _GEOMETRY.sub(_shorter, svg)
    svg = re.sub(r' style="([^"]*)"', _style, svg)
    svg = re.sub(r'(href="data:[^"]*)"', lambda m: "".join(m.group(1).split()) + '"', svg)  # embedded PNGs
    svg = svg.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "").replace("xlink:href=", "href=")
    referenced = set(re.findall(r"#([A-Za-z_][\w.-]*)", svg))
    svg = re.sub(r' id="([^"]*)"', lambda m: m.group(0) if m.group(1) in referenced else "", svg)
    svg = re.sub(r">\s+<", "><", svg)
    svg = re.sub(r"<g></g>", "", svg)
    svg = _classes(svg)
    svg = re.sub(r'="([^"\']*)"', r"='\1'", svg)  # inside tags only: text holds no '="'
    return svg.replace("\n", " ").strip()


def _classes(svg: str) -> str:
    """Styles used three times or more become classes of one ``<style>`` (the same
    cascade: a class beats matplotlib's only other rule, ``*``)."""
    counts = collections.Counter(re.findall(r' style="([^"]*)"', svg))
    common = [style for style, n in counts.most_common() if n >= 3 and len(style) > 12 and "}" not in style]
    if not common:
        return svg
    names = {style: f"s{i}" for i, style in enumerate(common)}
    svg = re.sub(r' style="([^"]*)"', lambda m: f' class="{names[m.group(1)]}"' if m.group(1) in names else m.group(0), svg)
    rules = "".join(f".{name}{{{style}}}" for style, name in names.items())
    return svg.replace("</style>", rules + "</style>", 1) if "</style>" in svg else svg.replace(
        ">", f"><style>{rules}</style>", 1)


#: Characters left as they are in an SVG ``data:`` URL; the rest (``% # " &``, controls,
#: non-ASCII) is percent-encoded, so the URL ends at no quote and holds no character
#: reference: it is inert in a double-quoted attribute (``<`` and ``>`` are too).
_URL_SAFE = " !$'()*+,-./:;=?@[]^_`{|}~<>"


def svg_url(svg: str) -> str:
    """``data:image/svg+xml,...``: the SVG percent-encoded, safe inside ``src="..."``."""
    encoded = urllib.parse.quote(svg, safe=_URL_SAFE)
    assert not set(encoded) & set('"&\n\r\t'), "an SVG data URL must be inert in an attribute"
    return f"data:image/svg+xml,{encoded}"


def image(figure: Figure, alt: str, cls: str = "figure") -> str:
    """An ``<img>`` holding ``figure`` as SVG (text kept as text: small, searchable)."""
    import matplotlib

    from .plots import RC

    buffer = io.BytesIO()
    with matplotlib.rc_context(cast(Any, RC)):
        figure.savefig(buffer, format="svg", dpi=110, metadata={"Date": None})
    url = svg_url(minify_svg(buffer.getvalue().decode("utf-8")))
    return f'<img class="{esc(cls)}" alt="{esc(alt)}" decoding="async" src="{url}">'
