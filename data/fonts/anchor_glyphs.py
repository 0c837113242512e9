#!/usr/bin/env python3
# Part of data/fonts/subset.sh: plotters (0.3.7) draws a glyph from the left edge of its
# ink, ignoring the left side bearing, so CJK glyphs with a wide bearing (图, 自, （) run
# into their neighbours with a gap after. A 1-unit speck at each glyph's origin, far too
# small to show, makes the ink start at the origin, so plotters places every glyph right.
# Usage: anchor_glyphs.py IN.otf OUT.otf
import sys
from fontTools.ttLib import TTFont
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.pens.boundsPen import BoundsPen
f = TTFont(sys.argv[1], recalcTimestamp=False)
cff = f['CFF '].cff
top = cff.topDictIndex[0]
cs = top.CharStrings
gs = f.getGlyphSet()
changed = 0
for name in list(cs.keys()):
    c = cs[name]
    bp = BoundsPen(gs); c.draw(bp)
    if bp.bounds is None or bp.bounds[0] <= 0:
        continue
    width = f['hmtx'][name][0]
    private = c.private
    pen = T2CharStringPen(width - private.nominalWidthX if width != private.defaultWidthX else None, gs)
    c.draw(pen)


    pen.moveTo((0, 0)); pen.lineTo((1, 0)); pen.lineTo((1, 1)); pen.closePath()
    new = pen.getCharString(private=private, globalSubrs=c.globalSubrs)
    c.program = new.program
    changed += 1
f.save(sys.argv[2])
print("anchored", changed, "glyphs")
