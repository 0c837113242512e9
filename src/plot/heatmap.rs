//! Heatmaps, as PNG: maps coloured by value, alone or in a grid with one colour bar,
//! with labelled points over them, or with a kernel's window sliding over them.

use std::path::Path;

use anyhow::Result;
use ndarray::ArrayView2;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::canvas::{self, BAR_WIDTH, Drawn, Page, TITLE_HEIGHT, TextSizes, format_value};
use super::color::ColorScale;
use super::error::{DrawingError, PlotError};
use crate::i18n::Edition;

/// Room between maps, and around the edge of a figure.
pub(super) const GAP: u32 = 12;

/// Height of the band above a map that holds its own title.
pub(super) const PANEL_TITLE_HEIGHT: u32 = 24;

/// One map to draw: a title and the values, row 0 at the top.
#[derive(Debug, Clone)]
pub struct Panel<'a> {
    /// Shown above the map.
    pub title: String,
    /// The values; `[H, W]`.
    pub data: ArrayView2<'a, f32>,
    /// A colour scale and range of this map's own, instead of the figure's shared
    /// one (for an input drawn beside the maps computed from it); the colour bar
    /// shows only the shared scale.
    pub own_scale: Option<(ColorScale, (f32, f32))>,
}

impl<'a> Panel<'a> {
    /// A titled map.
    pub fn new(title: impl Into<String>, data: ArrayView2<'a, f32>) -> Panel<'a> {
        Panel {
            title: title.into(),
            data,
            own_scale: None,
        }
    }

    /// The same map, its title in `edition`'s language.
    pub fn translated(&self, edition: &Edition) -> Panel<'a> {
        Panel {
            title: edition.text(&self.title),
            ..self.clone()
        }
    }

    /// The same map, coloured on `scale` over `range` whatever the other maps are.
    pub fn on_own_scale(self, scale: ColorScale, range: (f32, f32)) -> Panel<'a> {
        Panel {
            own_scale: Some((scale, range)),
            ..self
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
    /// The sizes of the titles and tick labels.
    pub text: TextSizes,
}

impl Default for MapStyle {
    fn default() -> MapStyle {
        MapStyle {
            scale: ColorScale::Viridis,
            annotate: false,
            range: None,
            map_pixels: 300,
            text: TextSizes::NORMAL,
        }
    }
}

/// A heatmap of one map with a title and a colour bar, as PNG.
///
/// # Errors
/// Drawing or writing fails; the message names the file.
pub fn heatmap(path: &Path, title: &str, data: ArrayView2<f32>, style: &MapStyle) -> Result<()> {
    grid(path, title, &[Panel::new("", data)], 1, style)
}

/// A grid of maps, each with its title, sharing one colour scale and one colour bar,
/// as PNG. `columns` maps per row; every map is drawn as large as the first.
///
/// # Errors
/// No maps, or drawing or writing fails; the message names the file.
pub fn grid(
    path: &Path,
    title: &str,
    panels: &[Panel],
    columns: usize,
    style: &MapStyle,
) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let panels: Vec<Panel> = panels.iter().map(|p| p.translated(edition)).collect();
        draw_grid(path, &edition.text(title), &panels, columns, style)
    })
}

/// [`grid`] in one edition.
fn draw_grid(
    path: &Path,
    title: &str,
    panels: &[Panel],
    columns: usize,
    style: &MapStyle,
) -> Result<()> {
    let Some(first) = panels.first() else {
        return Err(PlotError::invalid("grid", path, "no maps to draw").into());
    };
    check_finite("grid", path, panels.iter().map(|p| p.data))?;
    let titled = panels.iter().any(|p| !p.title.is_empty());
    let sizes = style.text;
    let title_band = title_band(title, sizes);
    let map = map_size(first.data.dim(), style.map_pixels);
    let layout = Layout::new(panels.len(), columns, map, titled, title_band, sizes);
    let shared = panels.iter().filter(|p| p.own_scale.is_none());
    let range = style.scale.range_for(style.range, shared.map(|p| p.data));
    let (width, height) = layout.size();
    canvas::png(path, (width + sizes.bar_width, height), |page| {
        canvas::sized_title(page, title, width as i32 / 2, sizes)?;
        for (index, panel) in panels.iter().enumerate() {
            let (style, range) = match panel.own_scale {
                Some((scale, own)) => (&MapStyle { scale, ..*style }, own),
                None => (style, range),
            };
            layout.draw_map(page, index, &panel.title, panel.data, style, range)?;
        }
        let height = layout.maps_height();
        canvas::sized_color_bar(page, title_band as i32, height, style.scale, range, sizes)
    })?;
    Ok(())
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
    check_finite("map with points", path, [data])?;
    canvas::in_every_edition(path, |path, edition| {
        draw_map_with_points(path, &edition.text(title), data, (low, high), points, style)
    })
}

/// [`map_with_points`] in one edition.
fn draw_map_with_points(
    path: &Path,
    title: &str,
    data: ArrayView2<f32>,
    (low, high): (f32, f32),
    points: &[LabelledPoint],
    style: &MapStyle,
) -> Result<()> {
    let (map_w, map_h) = map_size(data.dim(), style.map_pixels);
    let layout = Layout::new(1, 1, (map_w, map_h), false, TITLE_HEIGHT, style.text);
    let range = style.scale.range_for(style.range, [data]);
    let (width, height) = layout.size();
    canvas::png(path, (width + BAR_WIDTH, height), |page| {
        canvas::title(page, title, width as i32 / 2)?;
        let area = layout.draw_map(page, 0, "", data, style, range)?;
        let span = if high > low { high - low } else { 1.0 };
        for point in points {
            let px = ((point.x - low) / span * map_w as f32).round() as i32;
            let py = ((high - point.y) / span * map_h as f32).round() as i32;
            let (fill, edge) = if point.class == 0 {
                (WHITE, BLACK)
            } else {
                (BLACK, WHITE)
            };
            area.draw(&Circle::new((px, py), 4, fill.filled()))?;
            area.draw(&Circle::new((px, py), 4, edge.stroke_width(1)))?;
        }
        canvas::color_bar(page, TITLE_HEIGHT as i32, map_h, style.scale, range)
    })?;
    Ok(())
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
/// No windows, an empty window or one that does not fit in the map, a title count
/// that differs from the window count, or drawing or writing fails.
pub fn sliding_windows(
    path: &Path,
    title: &str,
    map: ArrayView2<f32>,
    windows: &[Window],
    titles: &[String],
    columns: usize,
    style: &MapStyle,
) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let titles: Vec<String> = titles.iter().map(|t| edition.text(t)).collect();
        draw_sliding_windows(
            path,
            &edition.text(title),
            map,
            windows,
            &titles,
            columns,
            style,
        )
    })
}

/// [`sliding_windows`] in one edition.
fn draw_sliding_windows(
    path: &Path,
    title: &str,
    map: ArrayView2<f32>,
    windows: &[Window],
    titles: &[String],
    columns: usize,
    style: &MapStyle,
) -> Result<()> {
    let invalid = |problem: String| PlotError::invalid("sliding windows", path, problem);
    let (rows_in_map, columns_in_map) = map.dim();
    if windows.is_empty() || windows.len() != titles.len() {
        let (w, t) = (windows.len(), titles.len());
        return Err(invalid(format!("{w} windows and {t} titles")).into());
    }
    if let Some(w) = windows.iter().find(|w| {
        w.row + w.height > rows_in_map
            || w.column + w.width > columns_in_map
            || w.height == 0
            || w.width == 0
    }) {
        let problem = format!("window {w:?} does not fit in a {rows_in_map}x{columns_in_map} map");
        return Err(invalid(problem).into());
    }
    check_finite("sliding windows", path, [map])?;
    let (map_w, map_h) = map_size(map.dim(), style.map_pixels);
    let title_band = title_band(title, style.text);
    let layout = Layout::new(
        windows.len(),
        columns,
        (map_w, map_h),
        true,
        title_band,
        style.text,
    );
    let range = style.scale.range_for(style.range, [map]);
    let cell_w = map_w as f32 / columns_in_map as f32; // pixels per cell of the map
    let cell_h = map_h as f32 / rows_in_map as f32;
    let (width, height) = layout.size();
    canvas::png(path, (width, height), |page| {
        canvas::title(page, title, width as i32 / 2)?;
        for (index, (window, panel_title)) in windows.iter().zip(titles).enumerate() {
            let area = layout.draw_map(page, index, panel_title, map, style, range)?;
            // The window's outline, three pixels thick, drawn inside its cells.
            let x0 = (window.column as f32 * cell_w).round() as i32;
            let y0 = (window.row as f32 * cell_h).round() as i32;
            let x1 = ((window.column + window.width) as f32 * cell_w).round() as i32 - 1;
            let y1 = ((window.row + window.height) as f32 * cell_h).round() as i32 - 1;
            for inset in 0..3 {
                area.draw(&Rectangle::new(
                    [(x0 + inset, y0 + inset), (x1 - inset, y1 - inset)],
                    RGBColor(213, 40, 40).stroke_width(1),
                ))?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// Pixel size of a map with this shape whose longer side is `longest` pixels.
pub(super) fn map_size((rows, columns): (usize, usize), longest: u32) -> (u32, u32) {
    let longer = rows.max(columns).max(1) as f32;
    let width = (longest as f32 * columns.max(1) as f32 / longer)
        .round()
        .max(1.0) as u32;
    let height = (longest as f32 * rows.max(1) as f32 / longer)
        .round()
        .max(1.0) as u32;
    (width, height)
}

/// Refuses maps that hold a NaN or an infinity: no colour scale can show one, and a
/// map of a diverged network must be an error, not a misleading picture.
pub(super) fn check_finite<'a>(
    figure: &'static str,
    path: &Path,
    maps: impl IntoIterator<Item = ArrayView2<'a, f32>>,
) -> std::result::Result<(), PlotError> {
    for (index, map) in maps.into_iter().enumerate() {
        if let Some(((row, column), value)) = map.indexed_iter().find(|(_, v)| !v.is_finite()) {
            let problem = format!("map {index} holds {value} at row {row}, column {column}");
            return Err(PlotError::invalid(figure, path, problem));
        }
    }
    Ok(())
}

/// Height of the band above the maps: room for the title, or only a gap without one.
pub(super) fn title_band(title: &str, sizes: TextSizes) -> u32 {
    if title.is_empty() {
        GAP
    } else {
        sizes.title_band
    }
}

/// Where the maps of a figure go: `columns` per row under the figure's title band,
/// each map `map` pixels with, if `titled`, a band for its own title above it, and
/// [`GAP`] pixels around each.
struct Layout {
    columns: usize,
    rows: usize,
    map: (u32, u32),
    panel_title: u32,
    title_band: u32,
    label: u32,
}

impl Layout {
    /// The layout of `count` maps of `map` pixels each.
    fn new(
        count: usize,
        columns: usize,
        map: (u32, u32),
        titled: bool,
        title_band: u32,
        sizes: TextSizes,
    ) -> Layout {
        let columns = columns.clamp(1, count.max(1));
        Layout {
            columns,
            rows: count.div_ceil(columns).max(1),
            map,
            panel_title: if titled { sizes.label_band } else { 0 },
            title_band,
            label: sizes.label,
        }
    }

    /// The pixels one map takes with its title and the gap after it.
    fn cell(&self) -> (u32, u32) {
        (self.map.0 + GAP, self.map.1 + self.panel_title + GAP)
    }

    /// Width and height of the figure without a colour bar.
    fn size(&self) -> (u32, u32) {
        let (cell_w, cell_h) = self.cell();
        (
            GAP + self.columns as u32 * cell_w,
            self.title_band + self.rows as u32 * cell_h,
        )
    }

    /// Height of the maps with their titles, from the top of the first row to the
    /// bottom of the last.
    fn maps_height(&self) -> u32 {
        self.rows as u32 * self.cell().1 - GAP
    }

    /// Draw map `index` (counted row by row) with its title; returns the area of the
    /// map, in which `(0, 0)` is the map's top-left pixel.
    fn draw_map<DB: DrawingBackend>(
        &self,
        page: &Page<DB>,
        index: usize,
        title: &str,
        data: ArrayView2<f32>,
        style: &MapStyle,
        range: (f32, f32),
    ) -> Result<Page<DB>, DrawingError>
    where
        DB::ErrorType: 'static,
    {
        let (cell_w, cell_h) = self.cell();
        let (map_w, map_h) = self.map;
        let (row, column) = (index / self.columns, index % self.columns);
        let left = (GAP + column as u32 * cell_w) as i32;
        let top = (self.title_band + row as u32 * cell_h) as i32;
        if self.panel_title > 0 {
            let center = (left + map_w as i32 / 2, top + self.panel_title as i32 / 2);
            canvas::centered_text(page, title, center, self.label)?;
        }
        let top = top + self.panel_title as i32;
        let area = page.clone().shrink((left, top), (map_w, map_h));
        draw_cells(&area, data, style, range)?;
        Ok(area)
    }
}

/// Draw one map into `area`, filling it; cells are scaled to fit.
pub(super) fn draw_cells<DB: DrawingBackend>(
    area: &Page<DB>,
    data: ArrayView2<f32>,
    style: &MapStyle,
    (low, high): (f32, f32),
) -> Drawn
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
        area.draw(&Rectangle::new([(x0, y0), (x1, y1)], color.filled()))?;
        if style.annotate {
            // Dark text on light cells and light text on dark ones.
            let brightness =
                0.299 * color.0 as f32 + 0.587 * color.1 as f32 + 0.114 * color.2 as f32;
            let text_color = if brightness > 140.0 { BLACK } else { WHITE };
            let size = (cell_h.min(cell_w) * 0.38).clamp(8.0, 22.0);
            let font = (canvas::font(), size)
                .into_font()
                .color(&text_color)
                .pos(Pos::new(HPos::Center, VPos::Center));
            let center = ((x0 + x1) / 2, (y0 + y1) / 2);
            area.draw(&Text::new(format_value(value), center, font))?;
        }
    }
    if style.annotate {
        // Thin grid lines make the cells countable.
        let grid = RGBColor(90, 90, 90).stroke_width(1);
        for row in 0..=rows {
            let y = ((row as f32 * cell_h).round() as i32).min(height as i32 - 1);
            area.draw(&PathElement::new(vec![(0, y), (width as i32, y)], grid))?;
        }
        for column in 0..=columns {
            let x = ((column as f32 * cell_w).round() as i32).min(width as i32 - 1);
            area.draw(&PathElement::new(vec![(x, 0), (x, height as i32)], grid))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, array};

    #[test]
    fn heatmaps_are_byte_identical_when_drawn_twice() {
        let dir = std::env::temp_dir().join(format!("cnn-book-plot-test-{}", std::process::id()));
        let data = array![[1.0f32, -2.0], [0.5, 3.0]];
        let style = MapStyle {
            scale: ColorScale::Diverging,
            annotate: true,
            ..MapStyle::default()
        };
        let draw = |name: &str| {
            let path = dir.join(name);
            heatmap(&path, "test", data.view(), &style).unwrap();
            std::fs::read(path).unwrap()
        };
        let first = draw("a.png");
        assert!(first.starts_with(b"\x89PNG"));
        assert_eq!(first, draw("b.png"));
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
    fn a_map_holding_nan_or_infinity_is_refused_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nan.png");
        let mut data = Array2::<f32>::zeros((3, 4));
        for bad in [f32::NAN, f32::INFINITY] {
            data[[1, 2]] = bad;
            let error = heatmap(&path, "", data.view(), &MapStyle::default()).unwrap_err();
            let message = error.to_string();
            assert!(message.contains("at row 1, column 2"), "{message}");
            assert!(!path.exists());
        }
    }

    #[test]
    fn a_grid_without_maps_is_an_error() {
        let path = std::env::temp_dir().join("never-written-grid.png");
        let error = grid(&path, "t", &[], 3, &MapStyle::default()).unwrap_err();
        let plot_error = error.downcast_ref::<PlotError>().unwrap();
        assert!(matches!(plot_error, PlotError::InvalidInput { .. }));
        assert!(error.to_string().contains("no maps to draw"), "{error}");
        assert!(!path.exists());
    }

    #[test]
    fn sliding_windows_check_their_input() {
        let path = std::env::temp_dir().join("never-written-windows.png");
        let map = ndarray::Array2::<f32>::zeros((5, 5));
        let windows = |window: Window| {
            sliding_windows(
                &path,
                "",
                map.view(),
                &[window],
                &["t".to_string()],
                1,
                &MapStyle::default(),
            )
            .unwrap_err()
            .to_string()
        };
        let outside = Window {
            row: 3,
            column: 0,
            height: 3,
            width: 3,
        };
        let e = windows(outside);
        assert!(e.contains("does not fit in a 5x5 map"), "{e}");
        let e = windows(Window {
            row: 0,
            width: 0,
            ..outside
        });
        assert!(e.contains("does not fit in a 5x5 map"), "{e}");
        assert!(sliding_windows(&path, "", map.view(), &[], &[], 1, &MapStyle::default()).is_err());
        assert!(!path.exists());
    }
}
