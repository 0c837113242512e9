//! Maps that need more than [`grid`](super::grid) gives, as PNG: maps side by side
//! that each keep their own colour scale, a map with marked cells, and a sparse matrix
//! with its rows and columns labelled.

use std::path::Path;

use anyhow::Result;
use ndarray::ArrayView2;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::TextSizes;
use super::canvas::{self, BAR_WIDTH, format_value};
use super::color::ColorScale;
use super::error::PlotError;
use super::heatmap::{
    GAP, MapStyle, PANEL_TITLE_HEIGHT, Panel, check_finite, draw_cells, map_size, title_band,
};

/// Maps side by side, each with its title and its *own* colour scale and colour bar:
/// for maps whose values mean different things (a signed edge map beside an
/// all-positive blur), which one shared scale would misrepresent. PNG, `columns`
/// maps per row; every cell is as large as the largest map.
///
/// # Errors
/// No maps, or drawing or writing fails; the message names the file.
pub fn grid_with_own_scales(
    path: &Path,
    title: &str,
    panels: &[(Panel, MapStyle)],
    columns: usize,
) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let panels: Vec<(Panel, MapStyle)> = panels
            .iter()
            .map(|(p, s)| (p.translated(edition), *s))
            .collect();
        draw_grid_with_own_scales(path, &edition.text(title), &panels, columns)
    })
}

/// [`grid_with_own_scales`] in one edition.
fn draw_grid_with_own_scales(
    path: &Path,
    title: &str,
    panels: &[(Panel, MapStyle)],
    columns: usize,
) -> Result<()> {
    if panels.is_empty() {
        return Err(PlotError::invalid("grid with own scales", path, "no maps to draw").into());
    }
    check_finite(
        "grid with own scales",
        path,
        panels.iter().map(|(p, _)| p.data),
    )?;
    let columns = columns.clamp(1, panels.len());
    let rows = panels.len().div_ceil(columns);
    let sizes: Vec<(u32, u32)> = panels
        .iter()
        .map(|(panel, style)| map_size(panel.data.dim(), style.map_pixels))
        .collect();
    let map_w = sizes.iter().map(|s| s.0).max().unwrap_or(1);
    let map_h = sizes.iter().map(|s| s.1).max().unwrap_or(1);
    let (cell_w, cell_h) = (map_w + BAR_WIDTH + GAP, PANEL_TITLE_HEIGHT + map_h + GAP);
    let band = title_band(title, TextSizes::NORMAL);
    let (width, height) = (GAP + columns as u32 * cell_w, band + rows as u32 * cell_h);
    canvas::png(path, (width, height), |page| {
        canvas::title(page, title, width as i32 / 2)?;
        for (index, ((panel, style), &(w, h))) in panels.iter().zip(&sizes).enumerate() {
            let (row, column) = (index / columns, index % columns);
            let left = (GAP + column as u32 * cell_w) as i32;
            let top = (band + row as u32 * cell_h) as i32;
            let center = (left + w as i32 / 2, top + PANEL_TITLE_HEIGHT as i32 / 2);
            canvas::centered_text(page, &panel.title, center, 14)?;
            let top = top + PANEL_TITLE_HEIGHT as i32;
            let range = style.scale.range_for(style.range, [panel.data]);
            let area = page.clone().shrink((left, top), (w, h));
            draw_cells(&area, panel.data, style, range)?;
            // The bar sits at the right edge of an area that ends just after this map.
            let beside = page.clone().shrink((left, 0), (w + BAR_WIDTH, height));
            canvas::color_bar(&beside, top, h, style.scale, range)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A cell to mark on a map with a ring and a label: `row` and `column` of the cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    /// Row of the marked cell.
    pub row: usize,
    /// Column of the marked cell.
    pub column: usize,
    /// Written beside the ring.
    pub label: String,
}

/// A heatmap with a title, a colour bar, and rings with labels on the cells the text
/// points at (the maxima of a score map, say). PNG.
///
/// # Errors
/// A mark outside the map, or drawing or writing fails; the message names the file.
pub fn marked_heatmap(
    path: &Path,
    title: &str,
    data: ArrayView2<f32>,
    marks: &[Mark],
    style: &MapStyle,
) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let marks: Vec<Mark> = marks
            .iter()
            .map(|m| Mark {
                label: edition.text(&m.label),
                ..m.clone()
            })
            .collect();
        draw_marked_heatmap(path, &edition.text(title), data, &marks, style)
    })
}

/// [`marked_heatmap`] in one edition.
fn draw_marked_heatmap(
    path: &Path,
    title: &str,
    data: ArrayView2<f32>,
    marks: &[Mark],
    style: &MapStyle,
) -> Result<()> {
    let (rows, columns) = data.dim();
    if let Some(mark) = marks.iter().find(|m| m.row >= rows || m.column >= columns) {
        let problem = format!("mark {mark:?} is outside the {rows}x{columns} map");
        return Err(PlotError::invalid("marked heatmap", path, problem).into());
    }
    check_finite("marked heatmap", path, [data])?;
    let (map_w, map_h) = map_size(data.dim(), style.map_pixels);
    let band = title_band(title, TextSizes::NORMAL);
    let range = style.scale.range_for(style.range, [data]);
    let (width, height) = (GAP + map_w + GAP + BAR_WIDTH, band + map_h + GAP);
    canvas::png(path, (width, height), |page| {
        canvas::title(page, title, (GAP + map_w / 2) as i32)?;
        let area = page
            .clone()
            .shrink((GAP as i32, band as i32), (map_w, map_h));
        draw_cells(&area, data, style, range)?;
        let (cell_w, cell_h) = (map_w as f32 / columns as f32, map_h as f32 / rows as f32);
        for mark in marks {
            let x = ((mark.column as f32 + 0.5) * cell_w).round() as i32;
            let y = ((mark.row as f32 + 0.5) * cell_h).round() as i32;
            // A black ring inside a white one reads on dark and light cells alike.
            area.draw(&Circle::new((x, y), 10, WHITE.stroke_width(4)))?;
            area.draw(&Circle::new((x, y), 10, BLACK.stroke_width(2)))?;
            // The label on a white box, to the right of the ring or, near the right
            // edge, to its left.
            let font = canvas::text_style(14, HPos::Left, VPos::Center);
            let (text_w, _) = area
                .estimate_text_size(&mark.label, &font)
                .unwrap_or((8 * mark.label.len() as u32, 14));
            let right = x + 16 + text_w as i32 + 4 <= map_w as i32;
            let left = if right {
                x + 16
            } else {
                x - 16 - text_w as i32
            };
            area.draw(&Rectangle::new(
                [(left - 3, y - 10), (left + text_w as i32 + 3, y + 10)],
                WHITE.mix(0.9).filled(),
            ))?;
            area.draw(&Text::new(mark.label.clone(), (left, y), font))?;
        }
        canvas::color_bar(page, band as i32, map_h, style.scale, range)
    })?;
    Ok(())
}

/// What the rows and columns of a [`sparse_matrix`] are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixLabels {
    /// One label per row, written to its left.
    pub rows: Vec<String>,
    /// One label per column, written above it.
    pub columns: Vec<String>,
    /// What the rows are, written above the row labels.
    pub row_axis: String,
    /// What the columns are, written above the column labels.
    pub column_axis: String,
    /// Columns per group (0 for none): a darker line between groups and a label
    /// `"{group_name} {g}"` above each.
    pub group: usize,
    /// The name of a group of columns, such as `"input row"`.
    pub group_name: String,
}

/// A sparse matrix as PNG, about `width` pixels wide: every non-zero entry coloured
/// (viridis over the non-zero values) with its value written in it, every zero entry
/// left white, the rows and columns labelled.
///
/// # Errors
/// Labels that do not match the matrix, or drawing or writing fails.
pub fn sparse_matrix(
    path: &Path,
    title: &str,
    data: ArrayView2<f32>,
    labels: &MatrixLabels,
    width: u32,
) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let labels = MatrixLabels {
            rows: labels.rows.iter().map(|r| edition.text(r)).collect(),
            columns: labels.columns.iter().map(|c| edition.text(c)).collect(),
            row_axis: edition.text(&labels.row_axis),
            column_axis: edition.text(&labels.column_axis),
            group: labels.group,
            group_name: edition.text(&labels.group_name),
        };
        draw_sparse_matrix(path, &edition.text(title), data, &labels, width)
    })
}

/// [`sparse_matrix`] in one edition.
fn draw_sparse_matrix(
    path: &Path,
    title: &str,
    data: ArrayView2<f32>,
    labels: &MatrixLabels,
    width: u32,
) -> Result<()> {
    let (rows, columns) = data.dim();
    if labels.rows.len() != rows || labels.columns.len() != columns || rows * columns == 0 {
        let problem = format!(
            "{} row and {} column labels for a {rows}x{columns} matrix",
            labels.rows.len(),
            labels.columns.len()
        );
        return Err(PlotError::invalid("sparse matrix", path, problem).into());
    }
    check_finite("sparse matrix", path, [data])?;
    let label_w = 64u32; // room for the row labels
    let cell = ((width - label_w - 2 * GAP) / columns as u32).clamp(8, 48);
    let (matrix_w, matrix_h) = (cell * columns as u32, cell * rows as u32);
    let band = title_band(title, TextSizes::NORMAL);
    let header = 66u32; // the axis caption, the group labels and the column labels
    let (page_w, page_h) = (label_w + matrix_w + 2 * GAP, band + header + matrix_h + GAP);
    let non_zero = data.iter().copied().filter(|&v| v != 0.0);
    let (low, high) = non_zero.fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), v| {
        (l.min(v), h.max(v))
    });
    canvas::png(path, (page_w, page_h), |page| {
        canvas::title(page, title, page_w as i32 / 2)?;
        let (left, top) = ((GAP + label_w) as i32, (band + header) as i32);
        let caption = canvas::text_style(14, HPos::Center, VPos::Center);
        let at_top = (band + 10) as i32;
        let center_x = left + matrix_w as i32 / 2;
        page.draw(&Text::new(
            labels.column_axis.clone(),
            (center_x, at_top),
            caption.clone(),
        ))?;
        let row_axis = canvas::text_style(13, HPos::Center, VPos::Center);
        let label_center = GAP as i32 + label_w as i32 / 2;
        page.draw(&Text::new(
            labels.row_axis.clone(),
            (label_center, top - 12),
            row_axis,
        ))?;
        let small = canvas::text_style(12, HPos::Center, VPos::Center);
        if labels.group > 0 {
            for (g, start) in (0..columns).step_by(labels.group).enumerate() {
                let span = labels.group.min(columns - start) as i32 * cell as i32;
                let x = left + start as i32 * cell as i32 + span / 2;
                let text = format!("{} {g}", labels.group_name);
                page.draw(&Text::new(text, (x, at_top + 22), small.clone()))?;
            }
        }
        for (j, text) in labels.columns.iter().enumerate() {
            let x = left + j as i32 * cell as i32 + cell as i32 / 2;
            page.draw(&Text::new(text.clone(), (x, top - 12), small.clone()))?;
        }
        let row_font = canvas::text_style(13, HPos::Right, VPos::Center);
        for (i, text) in labels.rows.iter().enumerate() {
            let y = top + i as i32 * cell as i32 + cell as i32 / 2;
            page.draw(&Text::new(text.clone(), (left - 8, y), row_font.clone()))?;
        }
        let value_font = (canvas::font(), (cell as f32 * 0.5).clamp(9.0, 16.0)).into_font();
        for ((i, j), &value) in data.indexed_iter() {
            let x0 = left + j as i32 * cell as i32;
            let y0 = top + i as i32 * cell as i32;
            let corners = [(x0, y0), (x0 + cell as i32, y0 + cell as i32)];
            if value == 0.0 {
                continue;
            }
            let color = ColorScale::Viridis.color(value, low, high);
            page.draw(&Rectangle::new(corners, color.filled()))?;
            let brightness =
                0.299 * color.0 as f32 + 0.587 * color.1 as f32 + 0.114 * color.2 as f32;
            let text_color = if brightness > 140.0 { BLACK } else { WHITE };
            let style =
                value_font
                    .clone()
                    .color(&text_color)
                    .pos(plotters::style::text_anchor::Pos::new(
                        HPos::Center,
                        VPos::Center,
                    ));
            let center = (x0 + cell as i32 / 2, y0 + cell as i32 / 2);
            page.draw(&Text::new(format_value(value), center, style))?;
        }
        // Light lines between all cells, darker ones between groups of columns.
        let light = RGBColor(200, 200, 200).stroke_width(1);
        let dark = RGBColor(60, 60, 60).stroke_width(2);
        let bottom = top + matrix_h as i32;
        for i in 0..=rows {
            let y = top + (i as u32 * cell) as i32;
            page.draw(&PathElement::new(
                vec![(left, y), (left + matrix_w as i32, y)],
                light,
            ))?;
        }
        for j in 0..=columns {
            let x = left + (j as u32 * cell) as i32;
            let edge = j == 0 || j == columns;
            let between_groups = labels.group > 0 && j % labels.group == 0;
            let line = if edge || between_groups { dark } else { light };
            page.draw(&PathElement::new(vec![(x, top), (x, bottom)], line))?;
        }
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn each_new_map_is_the_same_bytes_twice_and_checks_its_input() {
        let dir = std::env::temp_dir().join(format!("cnn-book-maps-test-{}", std::process::id()));
        let data = array![[0.0f32, 2.0, 0.0], [1.0, 0.0, 3.0]];
        let draw = |name: &str| {
            let (a, b) = (dir.join(format!("a-{name}")), dir.join(format!("b-{name}")));
            for path in [&a, &b] {
                match name {
                    "own" => grid_with_own_scales(
                        path,
                        "t",
                        &[
                            (Panel::new("x", data.view()), MapStyle::gray(60)),
                            (Panel::new("y", data.view()), MapStyle::diverging(60)),
                        ],
                        2,
                    ),
                    "marked" => {
                        let mark = Mark {
                            row: 1,
                            column: 2,
                            label: "best".into(),
                        };
                        marked_heatmap(path, "t", data.view(), &[mark], &MapStyle::default())
                    }
                    _ => {
                        let labels = MatrixLabels {
                            rows: vec!["r0".into(), "r1".into()],
                            columns: vec!["0".into(), "1".into(), "2".into()],
                            row_axis: "out".into(),
                            column_axis: "in".into(),
                            group: 2,
                            group_name: "g".into(),
                        };
                        sparse_matrix(path, "t", data.view(), &labels, 300)
                    }
                }
                .unwrap();
            }
            assert_eq!(
                std::fs::read(a).unwrap(),
                std::fs::read(b).unwrap(),
                "{name}"
            );
        };
        for name in ["own", "marked", "sparse"] {
            draw(name);
        }
        std::fs::remove_dir_all(&dir).unwrap();

        let path = std::env::temp_dir().join("never-written-maps.png");
        let outside = Mark {
            row: 2,
            column: 0,
            label: "x".into(),
        };
        let e = marked_heatmap(&path, "", data.view(), &[outside], &MapStyle::default());
        assert!(e.unwrap_err().to_string().contains("outside the 2x3 map"));
        assert!(grid_with_own_scales(&path, "", &[], 1).is_err());
        let wrong = MatrixLabels {
            rows: vec![],
            columns: vec![],
            row_axis: String::new(),
            column_axis: String::new(),
            group: 0,
            group_name: String::new(),
        };
        let e = sparse_matrix(&path, "", data.view(), &wrong, 300).unwrap_err();
        assert!(
            e.to_string()
                .contains("0 row and 0 column labels for a 2x3"),
            "{e}"
        );
        assert!(!path.exists());
    }
}
