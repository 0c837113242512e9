//! The canvas every figure is drawn on: the embedded font, a white page, the title,
//! the colour bar, and writing the file whole or not at all.
//!
//! A figure function works out its layout, then hands its drawing to [`png`] or
//! [`svg`] as a closure that draws on the page:
//!
//! ```text
//! canvas::png(path, (width, height), |page| {
//!     canvas::title(page, title, width as i32 / 2)?;
//!     ... the figure's own drawing ...
//! })?;
//! ```
//!
//! Each public figure function draws itself once per edition of the book with
//! [`in_every_edition`]: in English at `path`, then with its texts translated, in the
//! translation's font, at each twin of `path` (see [`crate::i18n`]).

use std::path::Path;
use std::sync::Once;

use image::ImageEncoder;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::color::ColorScale;
use super::error::{DrawingError, PlotError};
use crate::i18n::{Edition, twins};
use crate::output::write_atomically;

/// The family name the English figures use; it is bound to the embedded DejaVu Sans.
const FONT: &str = "sans-serif";

/// DejaVu Sans, embedded so figures need no system fonts (license in `data/fonts/`).
const FONT_BYTES: &[u8] = include_bytes!("../../data/fonts/DejaVuSans.ttf");

/// The family name the Chinese figures use, bound to the embedded Noto Sans CJK SC. An
/// SVG figure names it in its `font-family`, a CSS list: a browser without Noto Sans
/// CJK SC uses its own sans-serif font, which has Chinese wherever Chinese is read.
const CJK_FONT: &str = "Noto Sans CJK SC, sans-serif";

/// Noto Sans CJK SC, only the glyphs the figures use: Latin, digits, punctuation and
/// every character of `po/figures/zh-CN.po` (license and how to remake it in
/// `data/fonts/`). Its own Latin glyphs draw the English words and numbers of a Chinese
/// figure (`conv1 的特征图`), in one consistent face.
const CJK_FONT_BYTES: &[u8] = include_bytes!("../../data/fonts/NotoSansCJKsc-subset.otf");

thread_local! {
    /// The family the figure being drawn on this thread uses (see [`in_every_edition`]).
    static FAMILY: std::cell::Cell<&'static str> = const { std::cell::Cell::new(FONT) };
}

/// The font family of the figure being drawn: DejaVu Sans in English, Noto Sans CJK SC in
/// Chinese.
pub(super) fn font() -> &'static str {
    FAMILY.with(|family| family.get())
}

/// Whether the Chinese figures' font has a glyph for `c` (a catalog may use only those).
pub fn has_cjk_glyph(c: char) -> bool {
    use ab_glyph::Font;
    static CJK: std::sync::OnceLock<ab_glyph::FontRef<'static>> = std::sync::OnceLock::new();
    let font = CJK.get_or_init(|| {
        ab_glyph::FontRef::try_from_slice(CJK_FONT_BYTES)
            .expect("data/fonts/NotoSansCJKsc-subset.otf is a valid font")
    });
    c.is_whitespace() || font.glyph_id(c).0 != 0
}

/// Draw a figure in every edition: `draw(path, edition)` in English, then, if `path` is a
/// chapter's figure, once per translation at the twin of `path`, in that language's font
/// and with `edition.text` translating each text. A translation with nothing to translate
/// (a figure of numbers only) gets no twin: the English figure serves it.
///
/// # Errors
/// A drawing fails, or a translation's catalog is not valid.
pub(super) fn in_every_edition(
    path: &Path,
    draw: impl Fn(&Path, &Edition) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    draw(path, &Edition::english())?;
    for (language, twin) in twins(path) {
        let edition = Edition::translation(language, &twin)?;
        let previous = FAMILY.with(|family| family.replace(CJK_FONT));
        let drawn = draw(&twin, &edition);
        FAMILY.with(|family| family.set(previous));
        drawn?;
        if !edition.translated_anything() {
            std::fs::remove_file(&twin)
                .map_err(|e| anyhow::anyhow!("removing {}: {e}", twin.display()))?;
        }
    }
    Ok(())
}

/// Height of the band at the top of a figure that holds its title.
pub(super) const TITLE_HEIGHT: u32 = 30;

/// Width of a colour bar with its tick labels, at the right edge of a figure.
pub(super) const BAR_WIDTH: u32 = 90;

/// The sizes of a figure's text, in pixels. mdBook shows a figure at most about 750
/// pixels wide, so a wider figure is scaled down, and its text with it: figures that
/// are, or that must stay readable on a phone, use [`TextSizes::LARGE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextSizes {
    /// The figure's title, and the band at the top that holds it.
    pub title: u32,
    pub title_band: u32,
    /// A map's own title, and the band above the map that holds it.
    pub label: u32,
    pub label_band: u32,
    /// The colour bar's tick labels, and the width of the bar with them.
    pub ticks: u32,
    pub bar_width: u32,
}

impl TextSizes {
    /// The sizes of the book's first figures.
    pub const NORMAL: TextSizes = TextSizes {
        title: 18,
        title_band: TITLE_HEIGHT,
        label: 14,
        label_band: 24,
        ticks: 12,
        bar_width: BAR_WIDTH,
    };

    /// Larger text, for figures shown scaled down to the page's width.
    pub const LARGE: TextSizes = TextSizes {
        title: 22,
        title_band: 38,
        label: 18,
        label_band: 28,
        ticks: 16,
        bar_width: 112,
    };
}

/// A figure's whole page; `(0, 0)` is its top-left pixel.
pub(super) type Page<DB> = DrawingArea<DB, Shift>;

/// What one drawing step returns.
pub(super) type Drawn = Result<(), DrawingError>;

/// Register the embedded fonts under [`FONT`] and [`CJK_FONT`]; safe to call many times.
fn register_embedded_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).unwrap_or_else(|_| {
            panic!("the embedded font data/fonts/DejaVuSans.ttf is not a valid font")
        });
        plotters::style::register_font(CJK_FONT, FontStyle::Normal, CJK_FONT_BYTES).unwrap_or_else(
            |_| panic!("the embedded font data/fonts/NotoSansCJKsc-subset.otf is not a valid font"),
        );
    });
}

/// Draw a PNG figure of `width x height` pixels with `draw` on a white page, and
/// write it to `path`.
///
/// # Errors
/// Drawing, encoding or writing fails; nothing is written unless all of it succeeds.
pub(super) fn png(
    path: &Path,
    (width, height): (u32, u32),
    draw: impl FnOnce(&Page<BitMapBackend>) -> Drawn,
) -> Result<(), PlotError> {
    register_embedded_font();
    let mut pixels = vec![255u8; (width * height * 3) as usize]; // RGB, row by row
    {
        let page = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        draw_on_white(&page, draw).map_err(|source| PlotError::Draw {
            path: path.to_path_buf(),
            source,
        })?;
    }
    write_png(path, &pixels, (width, height))
}

/// Draw one frame of an animation, `width x height` pixels, with `draw` on a white
/// page, and return its RGB pixels (3 bytes each, row by row).
///
/// # Errors
/// Drawing fails.
pub(super) fn frame(
    (width, height): (u32, u32),
    draw: impl FnOnce(&Page<BitMapBackend>) -> Drawn,
) -> Result<Vec<u8>, DrawingError> {
    register_embedded_font();
    let mut pixels = vec![255u8; (width * height * 3) as usize];
    {
        let page = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        draw_on_white(&page, draw)?;
    }
    Ok(pixels)
}

/// Draw an SVG figure of `width x height` pixels with `draw` on a white page, and
/// write it to `path`.
///
/// # Errors
/// Drawing or writing fails; nothing is written unless all of it succeeds.
pub(super) fn svg(
    path: &Path,
    (width, height): (u32, u32),
    draw: impl FnOnce(&Page<SVGBackend>) -> Drawn,
) -> Result<(), PlotError> {
    register_embedded_font();
    let mut text = String::new();
    {
        let page = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
        draw_on_white(&page, draw).map_err(|source| PlotError::Draw {
            path: path.to_path_buf(),
            source,
        })?;
    }
    save(path, text.as_bytes())
}

/// Fill the page white, run `draw`, and finish the page.
fn draw_on_white<DB: DrawingBackend>(
    page: &Page<DB>,
    draw: impl FnOnce(&Page<DB>) -> Drawn,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    page.fill(&WHITE)?;
    draw(page)?;
    page.present()?;
    Ok(())
}

/// Encode RGB pixels (3 bytes each, row by row) as PNG and write them to `path`.
///
/// # Errors
/// Encoding or writing fails.
pub(super) fn write_png(
    path: &Path,
    pixels: &[u8],
    (width, height): (u32, u32),
) -> Result<(), PlotError> {
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(pixels, width, height, image::ExtendedColorType::Rgb8)
        .map_err(|source| PlotError::Encode {
            path: path.to_path_buf(),
            source,
        })?;
    save(path, &bytes)
}

/// Write a finished figure to `path`, atomically (see [`write_atomically`]).
pub(super) fn save(path: &Path, bytes: &[u8]) -> Result<(), PlotError> {
    write_atomically(path, bytes).map_err(|source| PlotError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Black text in the figure font, `size` pixels high, placed by its anchor: for
/// `(HPos::Center, VPos::Center)` the position given is the text's centre.
pub(super) fn text_style(size: u32, horizontal: HPos, vertical: VPos) -> TextStyle<'static> {
    (font(), size)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(horizontal, vertical))
}

/// Write `text` centred on `center`, `size` pixels high.
pub(super) fn centered_text<DB: DrawingBackend>(
    page: &Page<DB>,
    text: &str,
    center: (i32, i32),
    size: u32,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let style = text_style(size, HPos::Center, VPos::Center);
    page.draw(&Text::new(text, center, style))?;
    Ok(())
}

/// A figure's title, 18 pixels high, centred on `center_x` in the title band at the
/// top of the page. An empty title draws nothing.
pub(super) fn title<DB: DrawingBackend>(page: &Page<DB>, text: &str, center_x: i32) -> Drawn
where
    DB::ErrorType: 'static,
{
    sized_title(page, text, center_x, TextSizes::NORMAL)
}

/// A figure's title in the sizes of `sizes`, centred in its title band.
pub(super) fn sized_title<DB: DrawingBackend>(
    page: &Page<DB>,
    text: &str,
    center_x: i32,
    sizes: TextSizes,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    if text.is_empty() {
        return Ok(());
    }
    let center = (center_x, sizes.title_band as i32 / 2);
    centered_text(page, text, center, sizes.title)
}

/// A vertical colour bar at the right edge of the page, from `top` down `height`
/// pixels (at least 60, so that its ticks fit), with tick labels for `[low, high]`.
pub(super) fn color_bar<DB: DrawingBackend>(
    page: &Page<DB>,
    top: i32,
    height: u32,
    scale: ColorScale,
    range: (f32, f32),
) -> Drawn
where
    DB::ErrorType: 'static,
{
    sized_color_bar(page, top, height, scale, range, TextSizes::NORMAL)
}

/// A colour bar whose tick labels have the size of `sizes`.
pub(super) fn sized_color_bar<DB: DrawingBackend>(
    page: &Page<DB>,
    top: i32,
    height: u32,
    scale: ColorScale,
    (low, high): (f32, f32),
    sizes: TextSizes,
) -> Drawn
where
    DB::ErrorType: 'static,
{
    let (width, _) = page.dim_in_pixel();
    let area = page.clone().shrink(
        ((width - sizes.bar_width) as i32, top),
        (sizes.bar_width, height.max(60)),
    );
    let high = if high > low { high } else { low + 1.0 };
    let mut chart = ChartBuilder::on(&area)
        .margin_top(8)
        .margin_bottom(8)
        .margin_left(6)
        .right_y_label_area_size(sizes.bar_width as i32 - 38)
        .build_cartesian_2d(0f32..1f32, low..high)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(5)
        .y_label_formatter(&|v| format!("{v:.2}"))
        .label_style((font(), sizes.ticks))
        .draw()?;
    let steps = 128;
    let step = (high - low) / steps as f32;
    chart.draw_series((0..steps).map(|i| {
        let y0 = low + i as f32 * step;
        Rectangle::new(
            [(0.0, y0), (1.0, y0 + step)],
            scale.color(y0 + step / 2.0, low, high).filled(),
        )
    }))?;
    Ok(())
}

/// A number as the figures print it: integers without decimals, others with two.
pub fn format_value(value: f32) -> String {
    let text = if value == value.round() && value.abs() < 1e6 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    };
    // A tiny negative number would print as "-0.00"; it is zero to two decimals.
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_integers_or_with_two_decimals() {
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(-0.25), "-0.25");
        assert_eq!(format_value(2.0 / 3.0), "0.67");
        assert_eq!(format_value(-0.001), "0.00");
    }

    #[test]
    fn a_figure_that_cannot_be_written_is_a_write_error_and_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("cnn-book-canvas-test-{}", std::process::id()));
        // A folder where the figure should go: renaming the finished file onto it fails.
        let path = dir.join("taken.svg");
        std::fs::create_dir_all(&path).unwrap();
        let error = svg(&path, (20, 10), |page| title(page, "t", 10)).unwrap_err();
        assert!(
            matches!(&error, PlotError::Write { path: p, .. } if p == &path),
            "{error:?}"
        );
        assert!(std::error::Error::source(&error).is_some(), "{error:?}");
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("taken.svg")]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_drawing_failure_is_a_draw_error_with_plotters_error_as_source() {
        let path = std::env::temp_dir().join("never-written-draw.png");
        let error = png(&path, (40, 20), |page| {
            // Only the embedded font is registered, so plotters cannot find this one.
            let missing = ("no-such-font", 12).into_font();
            page.draw(&Text::new("x", (5, 5), missing))?;
            Ok(())
        })
        .unwrap_err();
        assert!(matches!(error, PlotError::Draw { .. }), "{error:?}");
        assert!(std::error::Error::source(&error).is_some(), "{error:?}");
        assert!(!path.exists());
    }
}
