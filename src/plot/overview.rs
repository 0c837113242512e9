//! A network at a glance, in the spirit of CNN Explainer's overview (Wang et al.,
//! "CNN Explainer", IEEE VIS 2020): every feature map of every layer, and the
//! class probabilities.

use std::path::Path;

use anyhow::Result;
use ndarray::ArrayView2;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas;
use super::color::{ColorScale, PALETTE};
use super::error::PlotError;
use super::heatmap::{MapStyle, draw_cells};
use crate::i18n::Edition;

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

/// Pixels of one map in an overview.
const MAP: u32 = 52;
/// Room between maps and between columns.
const GAP: u32 = 8;
/// Height of the band at the top with the figure's title and the layers' names (in
/// two staggered rows, so that long names do not run into each other).
const HEADER: u32 = 76;
/// Width of the class probabilities at the right.
const OUTPUT: u32 = 270;
/// Text sizes: the title, and the layers' and classes' names. The figure is about
/// 1000 pixels wide and shown scaled down to the page, so they are large.
const TITLE_TEXT: u32 = 20;
const LABEL_TEXT: u32 = 16;

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
    canvas::in_every_edition(path, |path, edition| {
        let columns: Vec<OverviewColumn> = columns
            .iter()
            .map(|c| OverviewColumn {
                title: edition.text(&c.title),
                ..c.clone()
            })
            .collect();
        let classes: Vec<String> = classes.iter().map(|c| edition.text(c)).collect();
        let classes: Vec<&str> = classes.iter().map(String::as_str).collect();
        let title = edition.text(title);
        draw_overview(path, &title, &columns, &classes, probabilities, edition)
    })
}

/// [`overview`] in one edition.
fn draw_overview(
    path: &Path,
    title: &str,
    columns: &[OverviewColumn],
    classes: &[&str],
    probabilities: &[f32],
    edition: &Edition,
) -> Result<()> {
    if columns.is_empty() || classes.len() != probabilities.len() {
        let problem = format!(
            "{} columns, {} classes for {} probabilities",
            columns.len(),
            classes.len(),
            probabilities.len()
        );
        return Err(PlotError::invalid("overview", path, problem).into());
    }
    let rows = columns.iter().map(|c| c.maps.len()).max().unwrap_or(1) as u32;
    let cell = MAP + GAP;
    let width = GAP + columns.len() as u32 * (cell + GAP) + OUTPUT;
    let height = HEADER + rows * cell + GAP;
    // The layers' names, above their maps: every other one a line higher.
    let heading_y = |index: usize| HEADER as i32 - 14 - 20 * (index % 2) as i32;
    canvas::png(path, (width, height), |page| {
        canvas::centered_text(page, title, (width as i32 / 2, 15), TITLE_TEXT)?;
        for (index, column) in columns.iter().enumerate() {
            let left = GAP + index as u32 * (cell + GAP);
            let center_x = (left + MAP / 2) as i32;
            let at = (center_x, heading_y(index));
            canvas::centered_text(page, &column.title, at, LABEL_TEXT)?;
            let range = column.scale.range_for(None, column.maps.iter().copied());
            let style = MapStyle {
                scale: column.scale,
                ..MapStyle::default()
            };
            // Centre a column with fewer maps (the 3 input channels) vertically.
            let offset = (rows - column.maps.len() as u32) * cell / 2;
            for (row, map) in column.maps.iter().enumerate() {
                let top = HEADER + offset + row as u32 * cell;
                let area = page.clone().shrink((left as i32, top as i32), (MAP, MAP));
                draw_cells(&area, *map, &style, range)?;
            }
        }
        // The output: one bar per class, as long as its probability.
        let left = (width - OUTPUT + GAP) as i32;
        let bar_room = 90;
        let heading_x = left + OUTPUT as i32 / 2 - 10;
        let at = (heading_x, heading_y(0));
        canvas::centered_text(page, &edition.text("output (softmax)"), at, LABEL_TEXT)?;
        let row_height = (rows * cell) as i32 / classes.len().max(1) as i32;
        let best = probabilities.iter().enumerate().fold(0, |best, (i, &p)| {
            if p > probabilities[best] { i } else { best }
        });
        let label = canvas::text_style(LABEL_TEXT, HPos::Left, VPos::Center);
        for (index, (class, &probability)) in classes.iter().zip(probabilities).enumerate() {
            let y = HEADER as i32 + index as i32 * row_height + row_height / 2;
            // The embedded font has one style, so the best class gets a mark instead.
            let name = if index == best {
                format!("> {class}")
            } else {
                class.to_string()
            };
            page.draw(&Text::new(name, (left, y), label.clone()))?;
            let bar_left = left + 112;
            let bar_length = (probability.clamp(0.0, 1.0) * bar_room as f32).round() as i32;
            let color = if index == best {
                PALETTE[1]
            } else {
                PALETTE[0]
            };
            page.draw(&Rectangle::new(
                [(bar_left, y - 6), (bar_left + bar_length.max(1), y + 6)],
                color.filled(),
            ))?;
            let value = format!("{probability:.3}");
            page.draw(&Text::new(
                value,
                (bar_left + bar_room + 6, y),
                label.clone(),
            ))?;
        }
        Ok(())
    })?;
    Ok(())
}
