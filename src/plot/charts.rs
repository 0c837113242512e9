//! Charts, as SVG: line charts, bar charts, and small multiples of line charts.

use std::ops::Range;
use std::path::Path;

use anyhow::Result;
use plotters::coord::types::RangedCoordf32;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::{self, Page, TITLE_HEIGHT, font, format_value};
use super::color::PALETTE;
use super::error::{DrawingError, PlotError};
use crate::i18n::Edition;

/// Where a chart's legend goes.
pub use plotters::chart::SeriesLabelPosition;

/// One line of a line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Shown in the legend (no legend when every name is empty).
    pub name: String,
    /// The points, in order.
    pub points: Vec<(f32, f32)>,
}

impl Series {
    /// The same line, its name in `edition`'s language.
    pub fn translated(&self, edition: &Edition) -> Series {
        Series {
            name: edition.text(&self.name),
            points: self.points.clone(),
        }
    }

    /// A named line through `points`.
    pub fn new(name: impl Into<String>, points: Vec<(f32, f32)>) -> Series {
        Series {
            name: name.into(),
            points,
        }
    }
}

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
    /// The same labels in `edition`'s language.
    pub fn translated(&self, edition: &Edition) -> Labels {
        Labels {
            title: edition.text(&self.title),
            x: edition.text(&self.x),
            y: edition.text(&self.y),
            legend: self.legend.clone(),
        }
    }

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

/// Size in pixels of a line chart or a bar chart.
const CHART_SIZE: (u32, u32) = (640, 400);

/// Font sizes of chart text. plotters' SVG backend draws text at 0.806 of the size
/// asked for (it converts pixels to points), so these ask for more than they show:
/// tick labels and legends show at about 13 pixels, axis names at 14, titles at 17.
const TICK_FONT: u32 = 16;
const AXIS_FONT: u32 = 17;
const TITLE_FONT: u32 = 21;
const PANEL_TITLE_FONT: u32 = 18;

/// Colour of the light grid lines behind a chart.
const GRID_LINES: RGBColor = RGBColor(235, 235, 235);

/// A line chart as SVG, 640x400 pixels.
///
/// # Errors
/// No points, a point that is not finite, or drawing or writing fails; the message
/// names the file.
pub fn line_chart(path: &Path, labels: &Labels, series: &[Series]) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let series: Vec<Series> = series.iter().map(|s| s.translated(edition)).collect();
        draw_line_chart(path, &labels.translated(edition), &series)
    })
}

/// [`line_chart`] in one edition.
fn draw_line_chart(path: &Path, labels: &Labels, series: &[Series]) -> Result<()> {
    let bounds = Bounds::of(series.iter().flat_map(|s| &s.points))
        .map_err(|problem| PlotError::invalid("line chart", path, problem))?;
    // Whole-number x values (layers, epochs, shifts) get whole-number ticks.
    let whole_x = series
        .iter()
        .flat_map(|s| &s.points)
        .all(|&(x, _)| x == x.round());
    let x_ticks = if whole_x {
        ((bounds.x.1 - bounds.x.0) as usize + 1).min(12)
    } else {
        10
    };
    canvas::svg(path, CHART_SIZE, |page| {
        let mut chart = page_chart(page, &labels.title, bounds.padded_x(), bounds.padded_y())?;
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
            .y_label_formatter(&tick_label)
            .x_desc(&labels.x)
            .y_desc(&labels.y)
            .label_style((font(), TICK_FONT))
            .axis_desc_style((font(), AXIS_FONT))
            .light_line_style(GRID_LINES)
            .draw()?;
        for (index, line) in series.iter().enumerate() {
            let color = PALETTE[index % PALETTE.len()];
            let points = line.points.iter().copied();
            let drawn = chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
            if !line.name.is_empty() {
                drawn.label(line.name.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            }
            // A dot on every point, while there are few enough to tell apart.
            if line.points.len() <= 30 {
                let dots = line
                    .points
                    .iter()
                    .map(|&p| Circle::new(p, 3, color.filled()));
                chart.draw_series(dots)?;
            }
        }
        if series.iter().any(|s| !s.name.is_empty()) {
            chart
                .configure_series_labels()
                .label_font((font(), TICK_FONT))
                .background_style(WHITE.mix(0.9))
                .border_style(RGBColor(180, 180, 180))
                .position(labels.legend.clone())
                .draw()?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A bar chart as SVG, 640x400 pixels: one bar per label, each bar's value printed
/// above it.
///
/// # Errors
/// Mismatched lengths, no bars, a value that is not finite, or drawing or writing
/// fails; the message names the file.
pub fn bar_chart(path: &Path, labels: &Labels, names: &[String], values: &[f32]) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let names: Vec<String> = names.iter().map(|n| edition.text(n)).collect();
        draw_bar_chart(path, &labels.translated(edition), &names, values)
    })
}

/// [`bar_chart`] in one edition.
fn draw_bar_chart(path: &Path, labels: &Labels, names: &[String], values: &[f32]) -> Result<()> {
    let invalid = |problem: String| PlotError::invalid("bar chart", path, problem);
    if names.len() != values.len() || names.is_empty() {
        let problem = format!("{} names for {} values", names.len(), values.len());
        return Err(invalid(problem).into());
    }
    if let Some(value) = values.iter().find(|v| !v.is_finite()) {
        return Err(invalid(format!("the value {value} is not finite")).into());
    }
    let high = values.iter().fold(0f32, |m, &v| m.max(v));
    let low = values.iter().fold(0f32, |m, &v| m.min(v));
    let count = names.len();
    canvas::svg(path, CHART_SIZE, |page| {
        let x_range = -0.5f32..count as f32 - 0.5; // bar i is centred on x = i
        let mut chart = page_chart(page, &labels.title, x_range, padded_range(low, high * 1.08))?;
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
            .label_style((font(), TICK_FONT))
            .axis_desc_style((font(), AXIS_FONT))
            .light_line_style(GRID_LINES)
            .draw()?;
        chart.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let x = i as f32;
            Rectangle::new([(x - 0.35, 0.0), (x + 0.35, v)], PALETTE[0].filled())
        }))?;
        let font = canvas::text_style(TICK_FONT - 1, HPos::Center, VPos::Bottom);
        chart.draw_series(values.iter().enumerate().map(|(i, &v)| {
            let top = (i as f32, v.max(0.0)); // a negative bar's value sits at zero
            Text::new(format_value(v), top, font.clone())
        }))?;
        Ok(())
    })?;
    Ok(())
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

impl ChartPanel {
    /// The same chart, its title and series names in `edition`'s language.
    pub fn translated(&self, edition: &Edition) -> ChartPanel {
        ChartPanel {
            title: edition.text(&self.title),
            series: self.series.iter().map(|s| s.translated(edition)).collect(),
            shaded: self.shaded.clone(),
        }
    }
}

/// Small multiples: several small line charts with the same axes, as SVG, `columns`
/// charts per row, with one legend (the series names of the first chart) at the top.
///
/// # Errors
/// No panels, no points, a point that is not finite, or drawing or writing fails;
/// the message names the file.
pub fn chart_grid(
    path: &Path,
    labels: &Labels,
    panels: &[ChartPanel],
    columns: usize,
) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let panels: Vec<ChartPanel> = panels.iter().map(|p| p.translated(edition)).collect();
        draw_chart_grid(path, &labels.translated(edition), &panels, columns)
    })
}

/// [`chart_grid`] in one edition.
fn draw_chart_grid(
    path: &Path,
    labels: &Labels,
    panels: &[ChartPanel],
    columns: usize,
) -> Result<()> {
    let invalid = |problem: String| PlotError::invalid("chart grid", path, problem);
    if panels.is_empty() {
        return Err(invalid("no charts to draw".to_string()).into());
    }
    let all_points = panels.iter().flat_map(|p| {
        p.series
            .iter()
            .flat_map(|s| s.points.iter())
            .chain(&p.shaded)
    });
    let bounds = Bounds::of(all_points).map_err(invalid)?;
    let columns = columns.clamp(1, panels.len());
    let rows = panels.len().div_ceil(columns);
    let (panel_w, panel_h) = (320u32, 210u32);
    let legend_h = 30u32;
    let width = columns as u32 * panel_w;
    let height = TITLE_HEIGHT + legend_h + rows as u32 * panel_h;
    canvas::svg(path, (width, height), |page| {
        canvas::title(page, &labels.title, width as i32 / 2)?;
        // The legend: one short line and name per series of the first panel.
        let names: Vec<&str> = panels[0].series.iter().map(|s| s.name.as_str()).collect();
        let legend_y = (TITLE_HEIGHT + legend_h / 2) as i32;
        let slot = width as i32 / (names.len() as i32 + 1);
        for (index, name) in names.iter().enumerate() {
            let x = slot * (index as i32 + 1) - 60;
            let color = PALETTE[index % PALETTE.len()];
            let line = vec![(x, legend_y), (x + 24, legend_y)];
            page.draw(&PathElement::new(line, color.stroke_width(3)))?;
            let font = canvas::text_style(TICK_FONT, HPos::Left, VPos::Center);
            page.draw(&Text::new(*name, (x + 30, legend_y), font))?;
        }
        let body = page.margin((TITLE_HEIGHT + legend_h) as i32, 0, 0, 0);
        let areas = body.split_evenly((rows, columns));
        for (panel, area) in panels.iter().zip(areas.iter()) {
            let mut chart = ChartBuilder::on(area)
                .caption(&panel.title, (font(), PANEL_TITLE_FONT))
                .margin(8)
                .x_label_area_size(42)
                .y_label_area_size(36)
                .build_cartesian_2d(bounds.padded_x(), bounds.padded_y())?;
            chart
                .configure_mesh()
                .x_labels(5)
                .y_labels(5)
                .x_label_formatter(&|x| format!("{x}"))
                .y_label_formatter(&tick_label)
                .x_desc(&labels.x)
                .label_style((font(), TICK_FONT))
                .axis_desc_style((font(), AXIS_FONT))
                .light_line_style(GRID_LINES)
                .draw()?;
            if !panel.shaded.is_empty() {
                let grey = RGBColor(150, 150, 150).mix(0.5).filled();
                chart.draw_series(AreaSeries::new(panel.shaded.iter().copied(), 0.0, grey))?;
            }
            for (index, line) in panel.series.iter().enumerate() {
                let color = PALETTE[index % PALETTE.len()];
                let points = line.points.iter().copied();
                chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
            }
        }
        Ok(())
    })?;
    Ok(())
}

/// The single chart of a [`CHART_SIZE`] page, with `title` above it and room for tick
/// labels and axis descriptions, over `x` and `y`.
fn page_chart<'a, DB: DrawingBackend>(
    page: &'a Page<DB>,
    title: &str,
    x: Range<f32>,
    y: Range<f32>,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf32, RangedCoordf32>>, DrawingError>
where
    DB::ErrorType: 'static,
{
    let chart = ChartBuilder::on(page)
        .caption(title, (font(), TITLE_FONT))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(x, y)?;
    Ok(chart)
}

/// A y-axis tick label: rounded to six decimals, so that float noise such as
/// 0.30000001 does not show, and `+ 0.0` turns -0 into 0.
fn tick_label(y: &f32) -> String {
    format!("{}", (y * 1e6).round() / 1e6 + 0.0)
}

/// The smallest and largest x and y of a chart's points.
struct Bounds {
    x: (f32, f32),
    y: (f32, f32),
}

impl Bounds {
    /// The bounds of `points`.
    ///
    /// # Errors
    /// No points, or a point that is not finite (which no axis can show).
    fn of<'a>(points: impl IntoIterator<Item = &'a (f32, f32)>) -> Result<Bounds, String> {
        let mut bounds = Bounds {
            x: (f32::INFINITY, f32::NEG_INFINITY),
            y: (f32::INFINITY, f32::NEG_INFINITY),
        };
        for &(x, y) in points {
            if !(x.is_finite() && y.is_finite()) {
                return Err(format!("the point ({x}, {y}) is not finite"));
            }
            bounds.x = (bounds.x.0.min(x), bounds.x.1.max(x));
            bounds.y = (bounds.y.0.min(y), bounds.y.1.max(y));
        }
        if bounds.x.0 > bounds.x.1 {
            return Err("no points to draw".to_string());
        }
        Ok(bounds)
    }

    fn padded_x(&self) -> Range<f32> {
        padded_range(self.x.0, self.x.1)
    }

    fn padded_y(&self) -> Range<f32> {
        padded_range(self.y.0, self.y.1)
    }
}

/// The range `[low, high]` padded by 5% on each side (and never empty).
fn padded_range(low: f32, high: f32) -> Range<f32> {
    let span = if high > low { high - low } else { 1.0 };
    (low - 0.05 * span)..(high + 0.05 * span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_charts_are_svg_with_their_title_and_the_same_bytes_twice() {
        let dir = std::env::temp_dir().join(format!("cnn-book-chart-test-{}", std::process::id()));
        let draw = |name: &str| {
            let path = dir.join(name);
            line_chart(
                &path,
                &Labels::new("A title", "x", "y"),
                &[Series::new("s", vec![(0.0, 1.0), (1.0, 2.0)])],
            )
            .unwrap();
            std::fs::read_to_string(path).unwrap()
        };
        let svg = draw("a.svg");
        assert!(svg.starts_with("<svg") && svg.contains("A title"), "{svg}");
        assert_eq!(svg, draw("b.svg"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_chart_input_is_an_error() {
        let path = std::env::temp_dir().join("never-written.svg");
        assert!(bar_chart(&path, &Labels::default(), &["a".into()], &[1.0, 2.0]).is_err());
        assert!(bar_chart(&path, &Labels::default(), &["a".into()], &[f32::NAN]).is_err());
        assert!(line_chart(&path, &Labels::default(), &[]).is_err());
        let error = line_chart(
            &path,
            &Labels::default(),
            &[Series::new("", vec![(0.0, 1.0), (1.0, f32::INFINITY)])],
        )
        .unwrap_err();
        assert!(
            matches!(
                error.downcast_ref::<PlotError>(),
                Some(PlotError::InvalidInput { .. })
            ),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("(1, inf) is not finite"),
            "{error}"
        );
        assert!(!path.exists());
    }

    #[test]
    fn chart_grids_check_their_input() {
        let empty = ChartPanel {
            title: "empty".into(),
            series: vec![],
            shaded: vec![],
        };
        let svg = std::env::temp_dir().join("never-written-grid.svg");
        let e = chart_grid(&svg, &Labels::default(), &[empty], 1).unwrap_err();
        assert!(e.to_string().contains("no points to draw"), "{e}");
        let e = chart_grid(&svg, &Labels::default(), &[], 1).unwrap_err();
        assert!(e.to_string().contains("no charts to draw"), "{e}");
        assert!(!svg.exists());
    }
}
