#!/usr/bin/env bash
# Remakes data/fonts/NotoSansCJKsc-subset.otf, the Chinese figures' font: Noto Sans CJK SC
# cut down to Latin, Greek, digits, punctuation, the symbols figures use, and every
# character of po/figures/zh-CN.po. Run it after adding characters to the catalog (a test,
# `cargo test -p cnn-book i18n`, fails until then). See SOURCE.md beside this file.
#
# Needs: Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk) and fonttools at the
# pinned version (pip install fonttools==4.55.3).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

source_font=${NOTO_CJK:-/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc}
version=$(pyftsubset --help >/dev/null && python3 -c 'import fontTools; print(fontTools.version)')
if [ "$version" != "4.55.3" ]; then
    echo "fonttools $version found; this script is pinned to 4.55.3 (pip install fonttools==4.55.3)" >&2
    exit 1
fi

# Every character of the translations (msgstr lines), plus the fixed ranges below.
characters=$(mktemp)
trap 'rm -f "$characters"' EXIT
grep -h '^msgstr\|^"' po/figures/*.po >"$characters"

# Face 2 of the collection is Noto Sans CJK SC (Simplified Chinese glyph forms).
# Ranges: ASCII, Latin-1, Greek, general punctuation, super- and subscripts, arrows,
# mathematical operators, CJK punctuation, full-width forms.
pyftsubset "$source_font" \
    --font-number=2 \
    --text-file="$characters" \
    --unicodes="U+0020-007E,U+00A0-00FF,U+0391-03C9,U+2010-205E,U+2070-209F,U+2190-21FF,U+2200-22FF,U+3000-303F,U+FF01-FF5E" \
    --layout-features='kern' \
    --no-hinting \
    --desubroutinize \
    --name-IDs='*' \
    --output-file=data/fonts/NotoSansCJKsc-subset.otf
# Place each glyph right in plotters' drawing (see anchor_glyphs.py).
python3 data/fonts/anchor_glyphs.py data/fonts/NotoSansCJKsc-subset.otf data/fonts/NotoSansCJKsc-subset.otf
ls -l data/fonts/NotoSansCJKsc-subset.otf
