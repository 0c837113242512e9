//! The book's figures: heatmaps, grids of feature maps, line charts and bar charts.
//!
//! Image-like figures (a photo, a feature map) are PNG; charts are SVG. Both are
//! drawn with plotters using the DejaVu Sans font embedded in this crate
//! (`data/fonts/`), registered before any text is drawn, so no system fonts are
//! needed and the same data gives the same bytes on every machine.
//!
//! Every function takes the path to write; files are written atomically.

use std::path::Path;
use std::sync::Once;

use anyhow::{Context, Result, anyhow};
use image::ImageEncoder;
use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::output::write_atomically;

/// Where a chart's legend goes.
pub use plotters::chart::SeriesLabelPosition;

/// The family name every figure uses; it is bound to the embedded font.
const FONT: &str = "sans-serif";

/// DejaVu Sans, embedded so figures need no system fonts (license in `data/fonts/`).
const FONT_BYTES: &[u8] = include_bytes!("../data/fonts/DejaVuSans.ttf");

/// Register the embedded font under [`FONT`]; safe to call many times.
fn register_embedded_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).unwrap_or_else(|_| {
            panic!("the embedded font data/fonts/DejaVuSans.ttf is not a valid font")
        });
    });
}

/// How values are turned into colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorScale {
    /// Black (low) to white (high): photos and grey images.
    Gray,
    /// Blue (negative) through white (zero) to red (positive): signed values such as
    /// convolution outputs and kernels. The range is made symmetric around zero.
    Diverging,
    /// Dark purple to yellow (matplotlib's viridis): non-negative values such as
    /// pooled or ReLU maps.
    Viridis,
}

impl ColorScale {
    /// The colour for `value` on a scale from `low` to `high`.
    fn color(self, value: f32, low: f32, high: f32) -> RGBColor {
        let t = if high > low {
            ((value - low) / (high - low)).clamp(0.0, 1.0)
        } else {
            0.5
        };
        match self {
            ColorScale::Gray => BlackWhite.get_color(t),
            ColorScale::Diverging => {
                DerivedColorMap::new(&[RGBColor(33, 102, 172), WHITE, RGBColor(178, 24, 43)])
                    .get_color(t)
            }
            ColorScale::Viridis => ViridisRGB.get_color(t),
        }
    }

    /// The range the colours span for data in `[min, max]`.
    fn range(self, min: f32, max: f32) -> (f32, f32) {
        match self {
            ColorScale::Diverging => {
                let extent = min.abs().max(max.abs()).max(f32::MIN_POSITIVE);
                (-extent, extent)
            }
            _ => (min, max),
        }
    }
}

/// The smallest and largest value of a map (`(0, 0)` for an empty one).
fn min_max(data: ArrayView2<f32>) -> (f32, f32) {
    if data.is_empty() {
        return (0.0, 0.0);
    }
    data.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
        (lo.min(v), hi.max(v))
    })
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

/// One map to draw: a title and the values, row 0 at the top.
#[derive(Debug, Clone)]
pub struct Panel<'a> {
    /// Shown above the map.
    pub title: String,
    /// The values; `[H, W]`.
    pub data: ArrayView2<'a, f32>,
}

impl<'a> Panel<'a> {
    /// A titled map.
    pub fn new(title: impl Into<String>, data: ArrayView2<'a, f32>) -> Panel<'a> {
        Panel {
            title: title.into(),
            data,
        }
    }
}

/// How a heatmap or a grid of maps is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapStyle {
    /// The colour scale.
    pub scale: ColorScale,
    /// Print each cell's value in it (for small maps such as 6x6).
    pub annotate: bool,
    /// Fix the colour range instead of taking it from the data.
    pub range: Option<(f32, f32)>,
    /// Size in pixels of the longer side of each map.
    pub map_pixels: u32,
}

impl Default for MapStyle {
    fn default() -> MapStyle {
        MapStyle {
            scale: ColorScale::Viridis,
            annotate: false,
            range: None,
            map_pixels: 300,
        }
    }
}

/// Draw one map into `area`, filling it; cells are scaled to fit.
fn draw_cells<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: ArrayView2<f32>,
    style: &MapStyle,
    (low, high): (f32, f32),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (rows, columns) = data.dim();
    let (width, height) = area.dim_in_pixel();
    let cell_w = width as f32 / columns.max(1) as f32;
    let cell_h = height as f32 / rows.max(1) as f32;
    for ((row, column), &value) in data.indexed_iter() {
        let x0 = (column as f32 * cell_w).round() as i32;
        let y0 = (row as f32 * cell_h).round() as i32;
        let x1 = ((column + 1) as f32 * cell_w).round() as i32;
        let y1 = ((row + 1) as f32 * cell_h).round() as i32;
        let color = style.scale.color(value, low, high);
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()))
            .map_err(|e| anyhow!("{e:?}"))?;
        if style.annotate {
            // Dark text on light cells and light text on dark ones.
            let brightness =
                0.299 * color.0 as f32 + 0.587 * color.1 as f32 + 0.114 * color.2 as f32;
            let text_color = if brightness > 140.0 { BLACK } else { WHITE };
            let size = (cell_h.min(cell_w) * 0.38).clamp(8.0, 22.0);
            let font = (FONT, size)
                .into_font()
                .color(&text_color)
                .pos(Pos::new(HPos::Center, VPos::Center));
            area.draw(&Text::new(
                format_value(value),
                ((x0 + x1) / 2, (y0 + y1) / 2),
                font,
            ))
            .map_err(|e| anyhow!("{e:?}"))?;
        }
    }
    if style.annotate {
        // Thin grid lines make the cells countable.
        let grid = RGBColor(90, 90, 90).stroke_width(1);
        for row in 0..=rows {
            let y = ((row as f32 * cell_h).round() as i32).min(height as i32 - 1);
            area.draw(&PathElement::new(vec![(0, y), (width as i32, y)], grid))
                .map_err(|e| anyhow!("{e:?}"))?;
        }
        for column in 0..=columns {
            let x = ((column as f32 * cell_w).round() as i32).min(width as i32 - 1);
            area.draw(&PathElement::new(vec![(x, 0), (x, height as i32)], grid))
                .map_err(|e| anyhow!("{e:?}"))?;
        }
    }
    Ok(())
}

/// Draw a vertical colour bar with tick labels for the range `[low, high]`.
fn draw_color_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    scale: ColorScale,
    (low, high): (f32, f32),
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let high = if high > low { high } else { low + 1.0 };
    let mut chart = ChartBuilder::on(area)
        .margin_top(8)
        .margin_bottom(8)
        .margin_left(6)
        .right_y_label_area_size(52)
        .build_cartesian_2d(0f32..1f32, low..high)
        .map_err(|e| anyhow!("{e:?}"))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(5)
        .y_label_formatter(&|v| format!("{v:.2}"))
        .label_style((FONT, 12))
        .draw()
        .map_err(|e| anyhow!("{e:?}"))?;
    let steps = 128;
    let step = (high - low) / steps as f32;
    chart
        .draw_series((0..steps).map(|i| {
            let y0 = low + i as f32 * step;
            Rectangle::new(
                [(0.0, y0), (1.0, y0 + step)],
                scale.color(y0 + step / 2.0, low, high).filled(),
            )
        }))
        .map_err(|e| anyhow!("{e:?}"))?;
    Ok(())
}

/// Encode an RGB buffer as PNG and write it.
fn write_png(path: &Path, buffer: &[u8], (width, height): (u32, u32)) -> Result<()> {
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(buffer, width, height, image::ExtendedColorType::Rgb8)
        .with_context(|| format!("encoding {}", path.display()))?;
    write_atomically(path, &bytes)
}

/// Pixel size of a map with this shape whose longer side is `longest` pixels.
fn map_size((rows, columns): (usize, usize), longest: u32) -> (u32, u32) {
    let longer = rows.max(columns).max(1) as f32;
    let width = (longest as f32 * columns.max(1) as f32 / longer)
        .round()
        .max(1.0) as u32;
    let height = (longest as f32 * rows.max(1) as f32 / longer)
        .round()
        .max(1.0) as u32;
    (width, height)
}

const TITLE_HEIGHT: u32 = 30;
const PANEL_TITLE_HEIGHT: u32 = 24;
const BAR_WIDTH: u32 = 90;
const GAP: u32 = 12;

/// A heatmap of one map with a title and a colour bar, as PNG.
///
/// # Errors
/// Drawing or writing fails; the message names the file.
pub fn heatmap(path: &Path, title: &str, data: ArrayView2<f32>, style: &MapStyle) -> Result<()> {
    grid(path, title, &[Panel::new("", data)], 1, style)
}

/// A grid of maps, each with its title, sharing one colour scale and one colour bar,
/// as PNG. `columns` maps per row.
///
/// # Errors
/// Drawing or writing fails; the message names the file.
pub fn grid(
    path: &Path,
    title: &str,
    panels: &[Panel],
    columns: usize,
    style: &MapStyle,
) -> Result<()> {
    register_embedded_font();
    let columns = columns.clamp(1, panels.len().max(1));
    let rows = panels.len().div_ceil(columns).max(1);
    let shape = panels.first().map(|p| p.data.dim()).unwrap_or((1, 1));
    let (map_w, map_h) = map_size(shape, style.map_pixels);
    let panel_title = if panels.iter().any(|p| !p.title.is_empty()) {
        PANEL_TITLE_HEIGHT
    } else {
        0
    };
    let cell_w = map_w + GAP;
    let cell_h = map_h + panel_title + GAP;
    let width = GAP + columns as u32 * cell_w + BAR_WIDTH;
    let title_h = if title.is_empty() { GAP } else { TITLE_HEIGHT };
    let height = title_h + rows as u32 * cell_h;

    let (data_low, data_high) = panels
        .iter()
        .map(|p| min_max(p.data))
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), (a, b)| {
            (lo.min(a), hi.max(b))
        });
    let range = style
        .range
        .unwrap_or_else(|| style.scale.range(data_low, data_high));

    let mut buffer = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
        if !title.is_empty() {
            let font = (FONT, 18)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Center));
            root.draw(&Text::new(
                title.to_string(),
                ((width - BAR_WIDTH) as i32 / 2, TITLE_HEIGHT as i32 / 2),
                font,
            ))
            .map_err(|e| anyhow!("{e:?}"))?;
        }
        for (index, panel) in panels.iter().enumerate() {
            let (row, column) = (index / columns, index % columns);
            let left = (GAP + column as u32 * cell_w) as i32;
            let top = (title_h + row as u32 * cell_h) as i32;
            if panel_title > 0 {
                let font = (FONT, 14)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                let center = (left + map_w as i32 / 2, top + panel_title as i32 / 2);
                root.draw(&Text::new(panel.title.clone(), center, font))
                    .map_err(|e| anyhow!("{e:?}"))?;
            }
            let top = top + panel_title as i32;
            let area = root.clone().shrink((left, top), (map_w, map_h));
            draw_cells(&area, panel.data, style, range)?;
        }
        let bar_top = title_h as i32;
        let bar_height = (rows as u32 * cell_h - GAP).max(60);
        let bar_area = root.clone().shrink(
            ((width - BAR_WIDTH) as i32, bar_top),
            (BAR_WIDTH, bar_height),
        );
        draw_color_bar(&bar_area, style.scale, range)?;
        root.present().map_err(|e| anyhow!("{e:?}"))?;
    }
    write_png(path, &buffer, (width, height))
        .with_context(|| format!("writing figure {}", path.display()))
}

/// An RGB image as PNG, without axes: `[3, H, W]` values in `[0, 1]`, scaled so its
/// longer side is `longest` pixels (nearest neighbour, so pixels stay visible).
///
/// # Errors
/// A first axis other than 3, or writing fails.
pub fn rgb_image(path: &Path, image: ndarray::ArrayView3<f32>, longest: u32) -> Result<()> {
    let (channels, rows, columns) = image.dim();
    if channels != 3 {
        return Err(anyhow!(
            "rgb_image expects [3, H, W], got {:?}",
            image.shape()
        ));
    }
    let (width, height) = map_size((rows, columns), longest);
    let mut buffer = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height as usize {
        let row = (y * rows / height as usize).min(rows - 1);
        for x in 0..width as usize {
            let column = (x * columns / width as usize).min(columns - 1);
            for channel in 0..3 {
                buffer.push((image[[channel, row, column]].clamp(0.0, 1.0) * 255.0).round() as u8);
            }
        }
    }
    write_png(path, &buffer, (width, height))
        .with_context(|| format!("writing figure {}", path.display()))
}

/// A point drawn over a map by [`map_with_points`]: `(x, y)` in the plane's
/// coordinates and its class (0 is drawn as a white dot, 1 as a black dot).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelledPoint {
    /// Horizontal coordinate.
    pub x: f32,
    /// Vertical coordinate (up is larger).
    pub y: f32,
    /// Class 0 or 1.
    pub class: usize,
}

/// A map of values over the square `[low, high] x [low, high]` of the plane, with
/// labelled points drawn over it and a colour bar, as PNG. Row 0 of `data` is the
/// top of the plane (the largest y), column 0 its left (the smallest x): this is
/// how a classifier's output over the plane is shown with its training data.
///
/// # Errors
/// Drawing or writing fails; the message names the file.
pub fn map_with_points(
    path: &Path,
    title: &str,
    data: ArrayView2<f32>,
    (low, high): (f32, f32),
    points: &[LabelledPoint],
    style: &MapStyle,
) -> Result<()> {
    register_embedded_font();
    let (map_w, map_h) = map_size(data.dim(), style.map_pixels);
    let width = GAP + map_w + GAP + BAR_WIDTH;
    let height = TITLE_HEIGHT + map_h + GAP;
    let range = style.range.unwrap_or_else(|| {
        let (a, b) = min_max(data);
        style.scale.range(a, b)
    });
    let mut buffer = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
        let font = (FONT, 18)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        root.draw(&Text::new(
            title.to_string(),
            ((GAP + map_w / 2) as i32, TITLE_HEIGHT as i32 / 2),
            font,
        ))
        .map_err(|e| anyhow!("{e:?}"))?;
        let area = root
            .clone()
            .shrink((GAP as i32, TITLE_HEIGHT as i32), (map_w, map_h));
        draw_cells(&area, data, style, range)?;
        let span = if high > low { high - low } else { 1.0 };
        for point in points {
            let px = ((point.x - low) / span * map_w as f32).round() as i32;
            let py = ((high - point.y) / span * map_h as f32).round() as i32;
            let (fill, edge) = if point.class == 0 {
                (WHITE, BLACK)
            } else {
                (BLACK, WHITE)
            };
            area.draw(&Circle::new((px, py), 4, fill.filled()))
                .map_err(|e| anyhow!("{e:?}"))?;
            area.draw(&Circle::new((px, py), 4, edge.stroke_width(1)))
                .map_err(|e| anyhow!("{e:?}"))?;
        }
        let bar_area = root.clone().shrink(
            ((width - BAR_WIDTH) as i32, TITLE_HEIGHT as i32),
            (BAR_WIDTH, map_h.max(60)),
        );
        draw_color_bar(&bar_area, style.scale, range)?;
        root.present().map_err(|e| anyhow!("{e:?}"))?;
    }
    write_png(path, &buffer, (width, height))
        .with_context(|| format!("writing figure {}", path.display()))
}

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Shown in the legend (no legend when every name is empty).
    pub name: String,
    /// The points, in order.
    pub points: Vec<(f32, f32)>,
}

impl Series {
    /// A named line through `points`.
    pub fn new(name: impl Into<String>, points: Vec<(f32, f32)>) -> Series {
        Series {
            name: name.into(),
            points,
        }
    }
}

/// Colours for successive series and bars (colour-blind friendly, from Okabe and Ito).
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
];

/// Axis labels, title and legend place of a chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Labels {
    /// Above the chart.
    pub title: String,
    /// Under the x axis.
    pub x: String,
    /// Beside the y axis.
    pub y: String,
    /// Where the legend goes (choose a corner the lines leave free).
    pub legend: SeriesLabelPosition,
}

impl Labels {
    /// A title and two axis labels; the legend in the upper right corner.
    pub fn new(title: &str, x: &str, y: &str) -> Labels {
        Labels {
            title: title.into(),
            x: x.into(),
            y: y.into(),
            legend: SeriesLabelPosition::UpperRight,
        }
    }

    /// The same labels with the legend elsewhere.
    pub fn legend_at(mut self, position: SeriesLabelPosition) -> Labels {
        self.legend = position;
        self
    }
}

impl Default for Labels {
    fn default() -> Labels {
        Labels::new("", "", "")
    }
}

/// The range `[low, high]` padded by 5% on each side (and never empty).
fn padded_range(low: f32, high: f32) -> std::ops::Range<f32> {
    let span = if high > low { high - low } else { 1.0 };
    (low - 0.05 * span)..(high + 0.05 * span)
}

/// A line chart as SVG, 640x400 pixels.
///
/// # Errors
/// Drawing or writing fails; the message names the file.
pub fn line_chart(path: &Path, labels: &Labels, series: &[Series]) -> Result<()> {
    register_embedded_font();
    let points = series.iter().flat_map(|s| s.points.iter());
    let (x_low, x_high, y_low, y_high) = points.fold(
        (
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ),
        |(a, b, c, d), &(x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
    );
    if !x_low.is_finite() {
        return Err(anyhow!("line chart {}: no points to draw", path.display()));
    }
    // Whole-number x values (layers, epochs, shifts) get whole-number ticks.
    let whole_x = series
        .iter()
        .flat_map(|s| &s.points)
        .all(|&(x, _)| x == x.round());
    let x_ticks = if whole_x {
        ((x_high - x_low) as usize + 1).min(12)
    } else {
        10
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(&labels.title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(padded_range(x_low, x_high), padded_range(y_low, y_high))
            .map_err(|e| anyhow!("{e:?}"))?;
        chart
            .configure_mesh()
            .x_labels(x_ticks)
            .x_label_formatter(&|x| {
                if whole_x {
                    format!("{x:.0}")
                } else {
                    format!("{x}")
                }
            })
            .y_label_formatter(&|y| format!("{}", (y * 1e6).round() / 1e6 + 0.0))
            .x_desc(&labels.x)
            .y_desc(&labels.y)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| anyhow!("{e:?}"))?;
        for (index, line) in series.iter().enumerate() {
            let color = PALETTE[index % PALETTE.len()];
            let drawn = chart
                .draw_series(LineSeries::new(
                    line.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(|e| anyhow!("{e:?}"))?;
            if !line.name.is_empty() {
                drawn.label(line.name.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            }
            if line.points.len() <= 30 {
                chart
                    .draw_series(
                        line.points
                            .iter()
                            .map(|&p| Circle::new(p, 3, color.filled())),
                    )
                    .map_err(|e| anyhow!("{e:?}"))?;
            }
        }
        if series.iter().any(|s| !s.name.is_empty()) {
            chart
                .configure_series_labels()
                .label_font((FONT, 13))
                .background_style(WHITE.mix(0.9))
                .border_style(RGBColor(180, 180, 180))
                .position(labels.legend.clone())
                .draw()
                .map_err(|e| anyhow!("{e:?}"))?;
        }
        root.present().map_err(|e| anyhow!("{e:?}"))?;
    }
    write_atomically(path, svg.as_bytes())
        .with_context(|| format!("writing figure {}", path.display()))
}

/// A bar chart as SVG, 640x400 pixels: one bar per label, each bar's value printed
/// above it.
///
/// # Errors
/// Mismatched lengths, no bars, or drawing or writing fails.
pub fn bar_chart(path: &Path, labels: &Labels, names: &[String], values: &[f32]) -> Result<()> {
    register_embedded_font();
    if names.len() != values.len() || names.is_empty() {
        return Err(anyhow!(
            "bar chart {}: {} names for {} values",
            path.display(),
            names.len(),
            values.len()
        ));
    }
    let high = values.iter().fold(0f32, |m, &v| m.max(v));
    let low = values.iter().fold(0f32, |m, &v| m.min(v));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (640, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
        let count = names.len();
        let mut chart = ChartBuilder::on(&root)
            .caption(&labels.title, (FONT, 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5f32..count as f32 - 0.5, padded_range(low, high * 1.08))
            .map_err(|e| anyhow!("{e:?}"))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(count)
            .x_label_formatter(&|x| {
                let index = x.round();
                if (x - index).abs() < 1e-3 && index >= 0.0 {
                    names.get(index as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc(&labels.x)
            .y_desc(&labels.y)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| anyhow!("{e:?}"))?;
        chart
            .draw_series(values.iter().enumerate().map(|(i, &v)| {
                let x = i as f32;
                Rectangle::new([(x - 0.35, 0.0), (x + 0.35, v)], PALETTE[0].filled())
            }))
            .map_err(|e| anyhow!("{e:?}"))?;
        let font = (FONT, 12)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart
            .draw_series(
                values.iter().enumerate().map(|(i, &v)| {
                    Text::new(format_value(v), (i as f32, v.max(0.0)), font.clone())
                }),
            )
            .map_err(|e| anyhow!("{e:?}"))?;
        root.present().map_err(|e| anyhow!("{e:?}"))?;
    }
    write_atomically(path, svg.as_bytes())
        .with_context(|| format!("writing figure {}", path.display()))
}

/// One column of a network overview: a layer's name and its feature maps, top to
/// bottom, coloured on one scale whose range is that layer's own.
#[derive(Debug, Clone)]
pub struct OverviewColumn<'a> {
    /// Shown above the column (the layer's name).
    pub title: String,
    /// The layer's maps, `[H, W]` each.
    pub maps: Vec<ArrayView2<'a, f32>>,
    /// How values become colours.
    pub scale: ColorScale,
}

/// Pixels of one map in an overview, and the room beside and under it.
const OVERVIEW_MAP: u32 = 52;
const OVERVIEW_GAP: u32 = 8;
const OVERVIEW_HEADER: u32 = 56;
const OVERVIEW_OUTPUT: u32 = 230;

/// A network at a glance, in the spirit of CNN Explainer's overview: one column per
/// layer with every feature map of that layer, each column coloured on its own range
/// (so a layer's maps can be compared with each other, not across layers), and the
/// class probabilities as bars on the right. PNG.
///
/// # Errors
/// No columns, names and probabilities of different lengths, or drawing or writing
/// fails; the message names the file.
pub fn overview(
    path: &Path,
    title: &str,
    columns: &[OverviewColumn],
    classes: &[&str],
    probabilities: &[f32],
) -> Result<()> {
    register_embedded_font();
    if columns.is_empty() || classes.len() != probabilities.len() {
        return Err(anyhow!(
            "overview {}: {} columns, {} classes for {} probabilities",
            path.display(),
            columns.len(),
            classes.len(),
            probabilities.len()
        ));
    }
    let rows = columns.iter().map(|c| c.maps.len()).max().unwrap_or(1) as u32;
    let cell = OVERVIEW_MAP + OVERVIEW_GAP;
    let width = OVERVIEW_GAP + columns.len() as u32 * (cell + OVERVIEW_GAP) + OVERVIEW_OUTPUT;
    let height = OVERVIEW_HEADER + rows * cell + OVERVIEW_GAP;
    let mut buffer = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
        let centered = |size: u32| {
            (FONT, size)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Center))
        };
        root.draw(&Text::new(
            title.to_string(),
            (width as i32 / 2, 14),
            centered(17),
        ))
        .map_err(|e| anyhow!("{e:?}"))?;
        for (index, column) in columns.iter().enumerate() {
            let left = OVERVIEW_GAP + index as u32 * (cell + OVERVIEW_GAP);
            let center_x = (left + OVERVIEW_MAP / 2) as i32;
            root.draw(&Text::new(
                column.title.clone(),
                (center_x, OVERVIEW_HEADER as i32 - 14),
                centered(12),
            ))
            .map_err(|e| anyhow!("{e:?}"))?;
            let (low, high) = column
                .maps
                .iter()
                .map(|m| min_max(*m))
                .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), (a, b)| {
                    (lo.min(a), hi.max(b))
                });
            let range = column.scale.range(low, high);
            let style = MapStyle {
                scale: column.scale,
                ..MapStyle::default()
            };
            // Centre a column with fewer maps (the 3 input channels) vertically.
            let offset = (rows - column.maps.len() as u32) * cell / 2;
            for (row, map) in column.maps.iter().enumerate() {
                let top = OVERVIEW_HEADER + offset + row as u32 * cell;
                let area = root
                    .clone()
                    .shrink((left as i32, top as i32), (OVERVIEW_MAP, OVERVIEW_MAP));
                draw_cells(&area, *map, &style, range)?;
            }
        }
        // The output: one bar per class, as long as its probability.
        let left = (width - OVERVIEW_OUTPUT + OVERVIEW_GAP) as i32;
        let bar_room = 90;
        root.draw(&Text::new(
            "output (softmax)".to_string(),
            (
                left + OVERVIEW_OUTPUT as i32 / 2 - 10,
                OVERVIEW_HEADER as i32 - 14,
            ),
            centered(12),
        ))
        .map_err(|e| anyhow!("{e:?}"))?;
        let row_height = (rows * cell) as i32 / classes.len().max(1) as i32;
        let best = probabilities.iter().enumerate().fold(0, |best, (i, &p)| {
            if p > probabilities[best] { i } else { best }
        });
        for (index, (class, &probability)) in classes.iter().zip(probabilities).enumerate() {
            let y = OVERVIEW_HEADER as i32 + index as i32 * row_height + row_height / 2;
            // The embedded font has one style, so the best class gets a mark instead.
            let label = (FONT, 12)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            let name = if index == best {
                format!("> {class}")
            } else {
                class.to_string()
            };
            root.draw(&Text::new(name, (left, y), label.clone()))
                .map_err(|e| anyhow!("{e:?}"))?;
            let bar_left = left + 84;
            let bar_length = (probability.clamp(0.0, 1.0) * bar_room as f32).round() as i32;
            let color = if index == best {
                PALETTE[1]
            } else {
                PALETTE[0]
            };
            root.draw(&Rectangle::new(
                [(bar_left, y - 6), (bar_left + bar_length.max(1), y + 6)],
                color.filled(),
            ))
            .map_err(|e| anyhow!("{e:?}"))?;
            root.draw(&Text::new(
                format!("{probability:.3}"),
                (bar_left + bar_room + 4, y),
                label,
            ))
            .map_err(|e| anyhow!("{e:?}"))?;
        }
        root.present().map_err(|e| anyhow!("{e:?}"))?;
    }
    write_png(path, &buffer, (width, height))
        .with_context(|| format!("writing figure {}", path.display()))
}

/// Small RGB images side by side, each with a caption of up to two lines under it
/// (lines separated by `\n`), as PNG: `[3, H, W]` values in `[0, 1]`, drawn
/// `pixels` wide with nearest-neighbour scaling.
///
/// # Errors
/// No images, an image that is not `[3, H, W]`, or drawing or writing fails.
pub fn image_gallery(
    path: &Path,
    images: &[(String, ndarray::ArrayView3<f32>)],
    columns: usize,
    pixels: u32,
) -> Result<()> {
    register_embedded_font();
    if images.is_empty() || images.iter().any(|(_, image)| image.dim().0 != 3) {
        return Err(anyhow!(
            "image gallery {}: needs at least one [3, H, W] image",
            path.display()
        ));
    }
    let columns = columns.clamp(1, images.len());
    let rows = images.len().div_ceil(columns) as u32;
    let caption = 36;
    let cell_w = pixels + 2 * GAP;
    let cell_h = pixels + caption + GAP;
    let (width, height) = (columns as u32 * cell_w, rows * cell_h + GAP);
    let mut buffer = vec![255u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
        for (index, (text, image)) in images.iter().enumerate() {
            let left = (index % columns) as u32 * cell_w + GAP;
            let top = (index / columns) as u32 * cell_h + GAP;
            let (_, rows_in, columns_in) = image.dim();
            for y in 0..pixels {
                let row = (y as usize * rows_in / pixels as usize).min(rows_in - 1);
                for x in 0..pixels {
                    let column = (x as usize * columns_in / pixels as usize).min(columns_in - 1);
                    let value =
                        |c: usize| (image[[c, row, column]].clamp(0.0, 1.0) * 255.0).round() as u8;
                    root.draw_pixel(
                        ((left + x) as i32, (top + y) as i32),
                        &RGBColor(value(0), value(1), value(2)),
                    )
                    .map_err(|e| anyhow!("{e:?}"))?;
                }
            }
            // A thin frame, so that a white image stands out from the white page.
            let frame = [
                (left as i32 - 1, top as i32 - 1),
                ((left + pixels) as i32, (top + pixels) as i32),
            ];
            root.draw(&Rectangle::new(frame, RGBColor(160, 160, 160)))
                .map_err(|e| anyhow!("{e:?}"))?;
            let font = (FONT, 12)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Top));
            for (line, words) in text.lines().take(2).enumerate() {
                let at = (
                    (left + pixels / 2) as i32,
                    (top + pixels + 3 + 15 * line as u32) as i32,
                );
                root.draw(&Text::new(words.to_string(), at, font.clone()))
                    .map_err(|e| anyhow!("{e:?}"))?;
            }
        }
        root.present().map_err(|e| anyhow!("{e:?}"))?;
    }
    write_png(path, &buffer, (width, height))
        .with_context(|| format!("writing figure {}", path.display()))
}

/// A window to outline on a map: its top-left cell and its size, in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Row of the window's top-left cell.
    pub row: usize,
    /// Column of the window's top-left cell.
    pub column: usize,
    /// Height in cells.
    pub height: usize,
    /// Width in cells.
    pub width: usize,
}

/// The same map drawn once per window, the window outlined in red: a kernel sliding
/// over an input, one panel per position. Each panel gets its title; all share one
/// colour range (from `style`, or the map's values). PNG, `columns` panels per row.
///
/// # Errors
/// No windows, a window that does not fit in the map, a title count that differs from
/// the window count, or drawing or writing fails.
pub fn sliding_windows(
    path: &Path,
    title: &str,
    map: ArrayView2<f32>,
    windows: &[Window],
    titles: &[String],
    columns: usize,
    style: &MapStyle,
) -> Result<()> {
    register_embedded_font();
    let (rows_in_map, columns_in_map) = map.dim();
    if windows.is_empty() || windows.len() != titles.len() {
        return Err(anyhow!(
            "sliding windows {}: {} windows and {} titles",
            path.display(),
            windows.len(),
            titles.len()
        ));
    }
    if let Some(w) = windows.iter().find(|w| {
        w.row + w.height > rows_in_map || w.column + w.width > columns_in_map || w.height == 0
    }) {
        return Err(anyhow!(
            "sliding windows {}: window {w:?} does not fit in a {rows_in_map}x{columns_in_map} map",
            path.display()
        ));
    }
    let columns = columns.clamp(1, windows.len());
    let rows = windows.len().div_ceil(columns);
    let (map_w, map_h) = map_size(map.dim(), style.map_pixels);
    let cell_w = map_w + GAP;
    let cell_h = map_h + PANEL_TITLE_HEIGHT + GAP;
    let width = GAP + columns as u32 * cell_w;
    let title_h = if title.is_empty() { GAP } else { TITLE_HEIGHT };
    let height = title_h + rows as u32 * cell_h;
    let (data_low, data_high) = min_max(map);
    let range = style
        .range
        .unwrap_or_else(|| style.scale.range(data_low, data_high));
    let mut buffer = vec![0u8; (width * height * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
        let centered = |size: i32| {
            (FONT, size)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Center))
        };
        if !title.is_empty() {
            root.draw(&Text::new(
                title.to_string(),
                (width as i32 / 2, TITLE_HEIGHT as i32 / 2),
                centered(18),
            ))
            .map_err(|e| anyhow!("{e:?}"))?;
        }
        let cell_px_w = map_w as f32 / columns_in_map as f32;
        let cell_px_h = map_h as f32 / rows_in_map as f32;
        for (index, (window, panel_title)) in windows.iter().zip(titles).enumerate() {
            let (row, column) = (index / columns, index % columns);
            let left = (GAP + column as u32 * cell_w) as i32;
            let top = (title_h + row as u32 * cell_h) as i32;
            let center = (left + map_w as i32 / 2, top + PANEL_TITLE_HEIGHT as i32 / 2);
            root.draw(&Text::new(panel_title.clone(), center, centered(14)))
                .map_err(|e| anyhow!("{e:?}"))?;
            let top = top + PANEL_TITLE_HEIGHT as i32;
            let area = root.clone().shrink((left, top), (map_w, map_h));
            draw_cells(&area, map, style, range)?;
            // The window's outline, three pixels thick, drawn inside its cells.
            let x0 = (window.column as f32 * cell_px_w).round() as i32;
            let y0 = (window.row as f32 * cell_px_h).round() as i32;
            let x1 = ((window.column + window.width) as f32 * cell_px_w).round() as i32 - 1;
            let y1 = ((window.row + window.height) as f32 * cell_px_h).round() as i32 - 1;
            for inset in 0..3 {
                area.draw(&Rectangle::new(
                    [(x0 + inset, y0 + inset), (x1 - inset, y1 - inset)],
                    RGBColor(213, 40, 40).stroke_width(1),
                ))
                .map_err(|e| anyhow!("{e:?}"))?;
            }
        }
        root.present().map_err(|e| anyhow!("{e:?}"))?;
    }
    write_png(path, &buffer, (width, height))
        .with_context(|| format!("writing figure {}", path.display()))
}

/// One small chart of a [`chart_grid`]: a title, its lines, and optionally a region
/// under a curve to shade (such as the overlap of two functions).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartPanel {
    /// Shown above the chart.
    pub title: String,
    /// The lines, coloured in order like [`line_chart`]'s.
    pub series: Vec<Series>,
    /// Points of a curve whose area down to zero is shaded grey.
    pub shaded: Vec<(f32, f32)>,
}

/// Small multiples: several small line charts with the same axes, as SVG, `columns`
/// charts per row, with one legend (the series names of the first chart) at the top.
///
/// # Errors
/// No panels, no points, or drawing or writing fails; the message names the file.
pub fn chart_grid(
    path: &Path,
    labels: &Labels,
    panels: &[ChartPanel],
    columns: usize,
) -> Result<()> {
    register_embedded_font();
    let all_points = panels.iter().flat_map(|p| {
        p.series
            .iter()
            .flat_map(|s| s.points.iter())
            .chain(&p.shaded)
    });
    let (x_low, x_high, y_low, y_high) = all_points.fold(
        (
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ),
        |(a, b, c, d), &(x, y)| (a.min(x), b.max(x), c.min(y), d.max(y)),
    );
    if !x_low.is_finite() {
        return Err(anyhow!("chart grid {}: no points to draw", path.display()));
    }
    let columns = columns.clamp(1, panels.len());
    let rows = panels.len().div_ceil(columns);
    let (panel_w, panel_h) = (300u32, 210u32);
    let legend_h = 30u32;
    let width = columns as u32 * panel_w;
    let height = TITLE_HEIGHT + legend_h + rows as u32 * panel_h;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
        let centered = |size: i32| {
            (FONT, size)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Center, VPos::Center))
        };
        root.draw(&Text::new(
            labels.title.clone(),
            (width as i32 / 2, TITLE_HEIGHT as i32 / 2),
            centered(18),
        ))
        .map_err(|e| anyhow!("{e:?}"))?;
        // The legend: one short line and name per series of the first panel.
        let names: Vec<&str> = panels[0].series.iter().map(|s| s.name.as_str()).collect();
        let legend_y = (TITLE_HEIGHT + legend_h / 2) as i32;
        let slot = width as i32 / (names.len() as i32 + 1);
        for (index, name) in names.iter().enumerate() {
            let x = slot * (index as i32 + 1) - 60;
            let color = PALETTE[index % PALETTE.len()];
            root.draw(&PathElement::new(
                vec![(x, legend_y), (x + 24, legend_y)],
                color.stroke_width(3),
            ))
            .map_err(|e| anyhow!("{e:?}"))?;
            let font = (FONT, 13)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(name.to_string(), (x + 30, legend_y), font))
                .map_err(|e| anyhow!("{e:?}"))?;
        }
        let body = root.margin((TITLE_HEIGHT + legend_h) as i32, 0, 0, 0);
        let areas = body.split_evenly((rows, columns));
        for (panel, area) in panels.iter().zip(areas.iter()) {
            let mut chart = ChartBuilder::on(area)
                .caption(&panel.title, (FONT, 14))
                .margin(8)
                .x_label_area_size(34)
                .y_label_area_size(36)
                .build_cartesian_2d(padded_range(x_low, x_high), padded_range(y_low, y_high))
                .map_err(|e| anyhow!("{e:?}"))?;
            chart
                .configure_mesh()
                .x_labels(5)
                .y_labels(3)
                .x_label_formatter(&|x| format!("{x}"))
                .y_label_formatter(&|y| format!("{}", (y * 1e6).round() / 1e6 + 0.0))
                .x_desc(&labels.x)
                .label_style((FONT, 11))
                .axis_desc_style((FONT, 12))
                .light_line_style(RGBColor(235, 235, 235))
                .draw()
                .map_err(|e| anyhow!("{e:?}"))?;
            if !panel.shaded.is_empty() {
                chart
                    .draw_series(AreaSeries::new(
                        panel.shaded.iter().copied(),
                        0.0,
                        RGBColor(150, 150, 150).mix(0.5).filled(),
                    ))
                    .map_err(|e| anyhow!("{e:?}"))?;
            }
            for (index, line) in panel.series.iter().enumerate() {
                let color = PALETTE[index % PALETTE.len()];
                chart
                    .draw_series(LineSeries::new(
                        line.points.iter().copied(),
                        color.stroke_width(2),
                    ))
                    .map_err(|e| anyhow!("{e:?}"))?;
            }
        }
        root.present().map_err(|e| anyhow!("{e:?}"))?;
    }
    write_atomically(path, svg.as_bytes())
        .with_context(|| format!("writing figure {}", path.display()))
}

/// A map as an RGB image `[3, H, W]` in `[0, 1]`, coloured with `scale` over
/// `range` (or the map's own range), so that it can sit beside photos in an
/// [`image_gallery`] or be blended over one.
pub fn colorize(
    map: ArrayView2<f32>,
    scale: ColorScale,
    range: Option<(f32, f32)>,
) -> ndarray::Array3<f32> {
    let (low, high) = range.unwrap_or_else(|| {
        let (a, b) = min_max(map);
        scale.range(a, b)
    });
    let (rows, columns) = map.dim();
    let mut image = ndarray::Array3::zeros((3, rows, columns));
    for ((row, column), &value) in map.indexed_iter() {
        let RGBColor(r, g, b) = scale.color(value, low, high);
        image[[0, row, column]] = r as f32 / 255.0;
        image[[1, row, column]] = g as f32 / 255.0;
        image[[2, row, column]] = b as f32 / 255.0;
    }
    image
}

/// Draw the outline of a window (one pixel wide, in `color`, RGB in `[0, 1]`) into an
/// RGB image `[3, H, W]`; the parts of the window outside the image are left out.
pub fn outline(image: &mut ndarray::Array3<f32>, window: Window, color: [f32; 3]) {
    let (_, rows, columns) = image.dim();
    let bottom = window.row + window.height.max(1) - 1;
    let right = window.column + window.width.max(1) - 1;
    let mut paint = |row: usize, column: usize| {
        if row < rows && column < columns {
            for (channel, &value) in color.iter().enumerate() {
                image[[channel, row, column]] = value;
            }
        }
    };
    for column in window.column..=right {
        paint(window.row, column);
        paint(bottom, column);
    }
    for row in window.row..=bottom {
        paint(row, window.column);
        paint(row, right);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn figures_are_byte_identical_when_drawn_twice() {
        let dir = std::env::temp_dir().join(format!("cnn-book-plot-test-{}", std::process::id()));
        let data = array![[1.0f32, -2.0], [0.5, 3.0]];
        let style = MapStyle {
            scale: ColorScale::Diverging,
            annotate: true,
            ..MapStyle::default()
        };
        let first = dir.join("a.png");
        let second = dir.join("b.png");
        heatmap(&first, "test", data.view(), &style).unwrap();
        heatmap(&second, "test", data.view(), &style).unwrap();
        assert_eq!(
            std::fs::read(&first).unwrap(),
            std::fs::read(&second).unwrap()
        );
        let chart = dir.join("c.svg");
        line_chart(
            &chart,
            &Labels::new("A title", "x", "y"),
            &[Series::new("s", vec![(0.0, 1.0), (1.0, 2.0)])],
        )
        .unwrap();
        let svg = std::fs::read_to_string(&chart).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("A title"), "{svg}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn maps_with_points_are_byte_identical_when_drawn_twice() {
        let dir = std::env::temp_dir().join(format!("cnn-book-points-test-{}", std::process::id()));
        let data = array![[0.0f32, 1.0], [1.0, 0.0]];
        let points = [
            LabelledPoint {
                x: -0.5,
                y: 0.5,
                class: 0,
            },
            LabelledPoint {
                x: 0.5,
                y: -0.5,
                class: 1,
            },
        ];
        let draw = |name: &str| {
            let path = dir.join(name);
            map_with_points(
                &path,
                "t",
                data.view(),
                (-1.0, 1.0),
                &points,
                &MapStyle::default(),
            )
            .unwrap();
            std::fs::read(path).unwrap()
        };
        assert_eq!(draw("a.png"), draw("b.png"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_chart_input_is_an_error() {
        let path = std::env::temp_dir().join("never-written.svg");
        assert!(bar_chart(&path, &Labels::default(), &["a".into()], &[1.0, 2.0]).is_err());
        assert!(line_chart(&path, &Labels::default(), &[]).is_err());
        assert!(!path.exists());
    }

    #[test]
    fn sliding_windows_and_chart_grids_check_their_input() {
        let path = std::env::temp_dir().join("never-written-windows.png");
        let map = ndarray::Array2::<f32>::zeros((5, 5));
        let outside = Window {
            row: 3,
            column: 0,
            height: 3,
            width: 3,
        };
        let e = sliding_windows(
            &path,
            "",
            map.view(),
            &[outside],
            &["t".to_string()],
            1,
            &MapStyle::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("does not fit in a 5x5 map"), "{e}");
        assert!(sliding_windows(&path, "", map.view(), &[], &[], 1, &MapStyle::default()).is_err());
        assert!(!path.exists());
        let empty = ChartPanel {
            title: "empty".into(),
            series: vec![],
            shaded: vec![],
        };
        let svg = std::env::temp_dir().join("never-written-grid.svg");
        assert!(chart_grid(&svg, &Labels::default(), &[empty], 1).is_err());
        assert!(chart_grid(&svg, &Labels::default(), &[], 1).is_err());
        assert!(!svg.exists());
    }
}
