"""ChartCanvas: matplotlib's Agg canvas with its text work cached across draws. Same pixels, drawn faster.

A redrawn chart writes mostly the same words as before (disk ids, tick labels, the legend), and matplotlib 3.11's
Agg renderer lays out and rasterises every string again on every draw, glyph by glyph: on the demo world that is
most of a redraw. The renderer here keeps two caches, each keyed by everything its result depends on:
- the layout of a string (FreeType's glyph positions for this font file, size, dpi, hinting, features, language);
- the bitmap of a glyph at a sub-pixel offset (font file, size, dpi, glyph, rotation, hinting, offset modulo one
  pixel): FreeType's rendering only moves by whole pixels when a glyph is placed one pixel further.
Glyphs are then composited exactly as matplotlib does (one `draw_text_image` per glyph, in the same order), so the
picture is identical: tests/test_charts.py compares the RGBA buffers with matplotlib's own canvas. A third cache
answers `Text._get_layout`'s question for a font's ascent, descent and line gap (the hook the PDF and PS
renderers answer), which it otherwise reads from the font file's tables several times per text and draw.

Decisions:
- Only antialiased plain text goes through the caches; mathtext, TeX boxes and unantialiased text are drawn by
  matplotlib's own code. Where matplotlib lacks the 3.11 internals this relies on (`FT2Font._layout`,
  `FT2Font._render_glyph`, `RendererAgg._draw_text_glyphs_and_boxes`), the canvas is plain FigureCanvasAgg.
- The caches are per process, shared by every chart, and bounded (cleared when full): a string or a glyph
  position seen once costs what it costs in matplotlib, one seen again costs a dictionary lookup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import cast

import matplotlib as mpl
import numpy as np
from matplotlib.backends import backend_agg
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import FT2Font, RenderMode

__all__ = ["ChartCanvas"]

MAX_LAYOUTS = 4_096  # strings laid out
MAX_GLYPHS = 50_000  # glyph bitmaps (a few hundred bytes each)
SUBPIXELS = 64  # FreeType's 26.6 fixed point: 64 positions per pixel

CACHEABLE = all(
    hasattr(owner, name)
    for owner, name in ((FT2Font, "_layout"), (FT2Font, "_render_glyph"), (RendererAgg, "_draw_text_glyphs_and_boxes"))
)


class _Cache(dict):
    """A dict emptied when it reaches `limit` entries: simple, bounded, and a chart's strings come back at once."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key, value):
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value


_LAYOUTS = _Cache(MAX_LAYOUTS)
_GLYPHS = _Cache(MAX_GLYPHS)
_HEIGHTS = _Cache(MAX_LAYOUTS)  # a font's ascent, descent and line gap at a size
_ROTATIONS = _Cache(MAX_LAYOUTS)


def _rotation(angle: float, slant: float, extend: float) -> tuple[np.ndarray, bytes]:
    """FreeType's 16.16 transform for a glyph, as RendererAgg._draw_text_glyphs_and_boxes computes it."""
    key = (angle, slant, extend)
    found = _ROTATIONS.get(key)
    if found is None:
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[extend, extend * slant], [0, 1]]).round()
        matrix = matrix.astype(int)
        found = _ROTATIONS.put(key, (matrix, matrix.tobytes()))
    return found


def _font_heights(prop, dpi: float) -> tuple[float | None, float | None, float | None]:
    """(ascent, descent, line gap) of the font of `prop` in pixels, from its OS/2 or hhea table, as
    matplotlib.text.Text._get_layout reads them; (None, None, None) sends Text to its own fallback."""
    font = get_font(fontManager._find_fonts_by_props(prop))
    head = font.get_sfnt_table("head")
    for found, gap_key, ascent_key, descent_key in (
        (font.get_sfnt_table("OS/2"), "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
        (font.get_sfnt_table("hhea"), "lineGap", "ascent", "descent"),
    ):
        if found is None or head is None:
            continue
        table = cast("Mapping[str, int]", found)  # a TypedDict per table: read here by the keys in the row above
        scale = 1 / head["unitsPerEm"] * prop.get_size_in_points() * dpi / 72
        return table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
    return None, None, None


class _CachingRenderer(RendererAgg):
    """RendererAgg whose plain text is laid out and rasterised through the caches above."""

    def _get_font_height_metrics(self, prop):
        # the hook Text._get_layout asks a renderer first (several times per text and draw)
        key = (prop.copy(), self.dpi)
        found = _HEIGHTS.get(key)
        if found is None:
            found = _HEIGHTS.put(key, _font_heights(prop, self.dpi))
        return found

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not gc.get_antialiased():
            return super().draw_text(gc, x, y, s, prop, angle, ismath=ismath, mtext=mtext)
        flags = backend_agg.get_hinting_flag()
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        key = (prop.copy(), self.dpi, s, flags, tuple(features or ()), language)
        glyphs = _LAYOUTS.get(key)
        if glyphs is None:
            size = prop.get_size_in_points()
            items = self._prepare_font(prop)._layout(s, flags=flags, features=features, language=language)
            glyphs = _LAYOUTS.put(
                key, [(item.ft_object, size, item.glyph_index, 0, 1, item.x, item.y) for item in items]
            )
        self._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, [])

    def _draw_text_glyphs_and_boxes(self, gc, x, y, angle, glyphs, boxes):
        if not gc.get_antialiased():
            return super()._draw_text_glyphs_and_boxes(gc, x, y, angle, glyphs, boxes)
        # as RendererAgg._draw_text_glyphs_and_boxes, with each glyph's bitmap looked up before it is rendered
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        flags = backend_agg.get_hinting_flag()
        hinting = mpl.rcParams["text.hinting_factor"]
        height = self.height
        dpi = self.dpi
        draw = self._renderer.draw_text_image
        for font, size, glyph_index, slant, extend, dx, dy in glyphs:
            matrix, matrix_key = _rotation(angle, slant, extend)
            px = round(0x40 * (x + dx * cos - dy * sin))
            py = round(0x40 * (height - y + dx * sin + dy * cos))
            fx, fy = px % SUBPIXELS, py % SUBPIXELS
            key = (font.fname, font.face_index, size, dpi, glyph_index, matrix_key, fx, fy, flags, hinting)
            found = _GLYPHS.get(key)
            if found is None:
                font.set_size(size, dpi)
                font._set_transform(matrix, [fx, fy])
                bitmap = font._render_glyph(glyph_index, flags, RenderMode.NORMAL)
                found = _GLYPHS.put(key, (bitmap.buffer, bitmap.left, bitmap.top))
            buffer, left, top = found
            draw(buffer, left + px // SUBPIXELS, int(height) - top - py // SUBPIXELS + buffer.shape[0], 0, gc)
        if boxes:
            super()._draw_text_glyphs_and_boxes(gc, x, y, angle, (), boxes)


class ChartCanvas(FigureCanvasAgg):
    """FigureCanvasAgg drawing through the caching renderer: use it as `ChartCanvas(figure)`."""

    def get_renderer(self):
        if not CACHEABLE:
            return super().get_renderer()
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key or not isinstance(getattr(self, "renderer", None), _CachingRenderer):
            self.renderer = _CachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer
