//! Animated figures (GIF): a window sliding over an input, one frame per position, in
//! the spirit of Dumoulin and Visin's convolution-arithmetic animations.
//!
//! Frames are drawn on the shared canvas like every figure, then encoded as one GIF
//! that loops forever. The encoder's palette is computed from the frames themselves
//! by a deterministic quantiser, so the same data gives the same bytes every time.

use std::path::Path;

use anyhow::Result;
use cnn_core::output_size;
use ndarray::ArrayView2;
use plotters::prelude::*;

use super::canvas::{self, Drawn, Page, font};
use super::charts::ChartPanel;
use super::color::PALETTE;
use super::error::PlotError;
use crate::i18n::Edition;
use crate::plot::format_value;

/// A kernel of `kernel` (rows, columns) sliding over `input` with a stride and zero
/// padding, and, if given, the output values revealed one by one as the window
/// reaches them.
#[derive(Debug, Clone)]
pub struct Sliding<'a> {
    /// The input map `[H, W]`.
    pub input: ArrayView2<'a, f32>,
    /// Kernel height and width.
    pub kernel: (usize, usize),
    /// Step between window positions.
    pub stride: usize,
    /// Zeros added on every side.
    pub padding: usize,
    /// The output `[H', W']` to fill in, or `None` to show only which cells are covered.
    pub output: Option<ArrayView2<'a, f32>>,
    /// Print the input's values in its cells.
    pub show_values: bool,
}

const BLUE: RGBColor = RGBColor(198, 219, 239);
const PADDING: RGBColor = RGBColor(235, 235, 235);
const RED: RGBColor = RGBColor(213, 40, 40);
const GREEN: RGBColor = RGBColor(199, 233, 192);
const NEVER: RGBColor = RGBColor(250, 205, 205);

/// An animation of `sliding`: the padded input with the window outlined (padding grey,
/// cells no window ever reaches pale red), and the output growing one position per frame (`cell` pixels per cell, `delay_ms` per
/// frame; the last frame is held three times as long).
///
/// # Errors
/// A window that does not fit the padded input, an output whose shape is not the one
/// the output-size formula gives, or drawing, encoding or writing fails.
pub fn sliding_animation(
    path: &Path,
    title: &str,
    sliding: &Sliding,
    cell: u32,
    delay_ms: u32,
) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        draw_sliding_animation(path, &edition.text(title), sliding, cell, delay_ms, edition)
    })
}

/// [`sliding_animation`] in one edition.
fn draw_sliding_animation(
    path: &Path,
    title: &str,
    sliding: &Sliding,
    cell: u32,
    delay_ms: u32,
    edition: &Edition,
) -> Result<()> {
    let invalid = |problem: String| PlotError::invalid("sliding animation", path, problem);
    let (height, width) = sliding.input.dim();
    let (kernel_h, kernel_w) = sliding.kernel;
    let (stride, padding) = (sliding.stride, sliding.padding);
    let out_h =
        output_size(height, kernel_h, stride, padding).map_err(|e| invalid(e.to_string()))?;
    let out_w =
        output_size(width, kernel_w, stride, padding).map_err(|e| invalid(e.to_string()))?;
    if let Some(output) = sliding.output
        && output.dim() != (out_h, out_w)
    {
        let problem = format!(
            "output {:?} is not the {out_h}x{out_w} the formula gives",
            output.dim()
        );
        return Err(invalid(problem).into());
    }
    let (padded_h, padded_w) = (height + 2 * padding, width + 2 * padding);
    let gap = cell as i32; // between the two grids
    let left = 20i32;
    let top = canvas::TITLE_HEIGHT as i32 + 24;
    let output_left = left + (padded_w as u32 * cell) as i32 + gap + 40;
    let page_w = output_left as u32 + out_w as u32 * cell + 20;
    let page_h = top as u32 + padded_h.max(out_h) as u32 * cell + 20;
    let positions: Vec<(usize, usize)> = (0..out_h)
        .flat_map(|i| (0..out_w).map(move |j| (i, j)))
        .collect();
    let font = ((cell as f32 * 0.36).round() as u32).max(10);
    // A cell of the padded input is covered if some window reaches it; floor mode leaves
    // the last `(n + 2P - K) % S` rows and columns uncovered, drawn in pale red.
    let reached = |cell: usize, kernel: usize, count: usize| {
        (0..count).any(|p| p * stride <= cell && cell < p * stride + kernel)
    };
    let covered = |r: usize, c: usize| reached(r, kernel_h, out_h) && reached(c, kernel_w, out_w);
    let mut frames = Vec::with_capacity(positions.len());
    for (index, &(i, j)) in positions.iter().enumerate() {
        let pixels = canvas::frame((page_w, page_h), |page| {
            canvas::title(page, title, page_w as i32 / 2)?;
            let caption = edition.text(&format!("output position ({i}, {j})"));
            canvas::centered_text(page, &caption, (page_w as i32 / 2, top - 12), 13)?;
            // The padded input: padding grey, input blue, values if asked for.
            for r in 0..padded_h {
                for c in 0..padded_w {
                    let inside =
                        r >= padding && r < padding + height && c >= padding && c < padding + width;
                    let (x, y) = (
                        left + (c as u32 * cell) as i32,
                        top + (r as u32 * cell) as i32,
                    );
                    let fill = match (inside, covered(r, c)) {
                        (_, false) => NEVER,
                        (true, true) => BLUE,
                        (false, true) => PADDING,
                    };
                    page.draw(&Rectangle::new(
                        [(x, y), (x + cell as i32, y + cell as i32)],
                        fill.filled(),
                    ))?;
                    page.draw(&Rectangle::new(
                        [(x, y), (x + cell as i32, y + cell as i32)],
                        WHITE.stroke_width(1),
                    ))?;
                    let value = if inside {
                        sliding.input[[r - padding, c - padding]]
                    } else {
                        0.0
                    };
                    if sliding.show_values {
                        let center = (x + cell as i32 / 2, y + cell as i32 / 2);
                        canvas::centered_text(page, &format_value(value), center, font)?;
                    }
                }
            }
            outline(
                page,
                left + (j * stride) as i32 * cell as i32,
                top + (i * stride) as i32 * cell as i32,
                (kernel_w as u32 * cell, kernel_h as u32 * cell),
            )?;
            // The output so far.
            for (k, &(r, c)) in positions.iter().enumerate() {
                let (x, y) = (
                    output_left + (c as u32 * cell) as i32,
                    top + (r as u32 * cell) as i32,
                );
                let fill = if k <= index { GREEN } else { WHITE };
                page.draw(&Rectangle::new(
                    [(x, y), (x + cell as i32, y + cell as i32)],
                    fill.filled(),
                ))?;
                page.draw(&Rectangle::new(
                    [(x, y), (x + cell as i32, y + cell as i32)],
                    RGBColor(170, 170, 170).stroke_width(1),
                ))?;
                if let (Some(output), true) = (sliding.output, k <= index) {
                    let center = (x + cell as i32 / 2, y + cell as i32 / 2);
                    canvas::centered_text(page, &format_value(output[[r, c]]), center, font)?;
                }
            }
            outline(
                page,
                output_left + (j as u32 * cell) as i32,
                top + (i as u32 * cell) as i32,
                (cell, cell),
            )?;
            Ok(())
        })
        .map_err(|source| PlotError::Draw {
            path: path.to_path_buf(),
            source,
        })?;
        frames.push(pixels);
    }
    write_gif(path, (page_w, page_h), &frames, delay_ms)
}

/// An animation of line charts, one frame per entry of `frames`: each frame is two
/// charts, one above the other, over the same `x` range (the top one, say, a kernel
/// sliding over a signal with their product shaded; the bottom one the result growing).
/// `y_top` and `y_bottom` fix the charts' vertical ranges, so that frames compare.
///
/// # Errors
/// No frames, a point that is not finite, or drawing, encoding or writing fails.
pub fn chart_animation(
    path: &Path,
    title: &str,
    frames: &[(ChartPanel, ChartPanel)],
    x: (f32, f32),
    (y_top, y_bottom): ((f32, f32), (f32, f32)),
    delay_ms: u32,
) -> Result<()> {
    canvas::in_every_edition(path, |path, edition| {
        let frames: Vec<(ChartPanel, ChartPanel)> = frames
            .iter()
            .map(|(top, bottom)| (top.translated(edition), bottom.translated(edition)))
            .collect();
        draw_chart_animation(
            path,
            &edition.text(title),
            &frames,
            x,
            (y_top, y_bottom),
            delay_ms,
        )
    })
}

/// [`chart_animation`] in one edition.
fn draw_chart_animation(
    path: &Path,
    title: &str,
    frames: &[(ChartPanel, ChartPanel)],
    x: (f32, f32),
    (y_top, y_bottom): ((f32, f32), (f32, f32)),
    delay_ms: u32,
) -> Result<()> {
    let invalid = |problem: String| PlotError::invalid("chart animation", path, problem);
    if frames.is_empty() {
        return Err(invalid("no frames".to_string()).into());
    }
    let finite = frames.iter().all(|(top, bottom)| {
        [top, bottom].iter().all(|panel| {
            panel
                .series
                .iter()
                .flat_map(|s| &s.points)
                .chain(&panel.shaded)
                .all(|(a, b)| a.is_finite() && b.is_finite())
        })
    });
    if !finite {
        return Err(invalid("a point is not finite".to_string()).into());
    }
    let (width, height) = (560u32, 460u32);
    let mut pixels = Vec::with_capacity(frames.len());
    for (top, bottom) in frames {
        let frame = canvas::frame((width, height), |page| {
            canvas::title(page, title, width as i32 / 2)?;
            let body = page.margin(canvas::TITLE_HEIGHT as i32, 0, 0, 0);
            let halves = body.split_evenly((2, 1));
            for ((panel, area), y) in [top, bottom]
                .into_iter()
                .zip(halves.iter())
                .zip([y_top, y_bottom])
            {
                let mut chart = ChartBuilder::on(area)
                    .caption(&panel.title, (font(), 15))
                    .margin(8)
                    .x_label_area_size(28)
                    .y_label_area_size(40)
                    .build_cartesian_2d(x.0..x.1, y.0..y.1)?;
                chart
                    .configure_mesh()
                    .x_labels(9)
                    .y_labels(3)
                    .label_style((font(), 13))
                    .light_line_style(WHITE)
                    .draw()?;
                if !panel.shaded.is_empty() {
                    let grey = RGBColor(170, 170, 170).filled();
                    chart.draw_series(AreaSeries::new(panel.shaded.iter().copied(), 0.0, grey))?;
                }
                for (index, line) in panel.series.iter().enumerate() {
                    let color = PALETTE[index % PALETTE.len()];
                    let points = line.points.iter().copied();
                    chart
                        .draw_series(LineSeries::new(points, color.stroke_width(2)))?
                        .label(line.name.as_str())
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2))
                        });
                }
                if panel.series.iter().any(|s| !s.name.is_empty()) {
                    chart
                        .configure_series_labels()
                        .label_font((font(), 13))
                        .background_style(WHITE.mix(0.9))
                        .border_style(RGBColor(200, 200, 200))
                        .position(SeriesLabelPosition::UpperRight)
                        .draw()?;
                }
            }
            Ok(())
        })
        .map_err(|source| PlotError::Draw {
            path: path.to_path_buf(),
            source,
        })?;
        pixels.push(frame);
    }
    write_gif(path, (width, height), &pixels, delay_ms)
}

/// A red outline three pixels thick, inside the box at `(x, y)` of `size` pixels.
fn outline<DB: DrawingBackend>(page: &Page<DB>, x: i32, y: i32, (w, h): (u32, u32)) -> Drawn
where
    DB::ErrorType: 'static,
{
    for inset in 0..3 {
        page.draw(&Rectangle::new(
            [
                (x + inset, y + inset),
                (x + w as i32 - 1 - inset, y + h as i32 - 1 - inset),
            ],
            RED.stroke_width(1),
        ))?;
    }
    Ok(())
}

/// The smallest box `(x0, y0, x1, y1)` (ends excluded) holding every pixel that differs
/// between two frames; one pixel at the origin if none does.
fn changed_box(before: &[u8], after: &[u8], width: u32, height: u32) -> (u32, u32, u32, u32) {
    let (mut x0, mut y0, mut x1, mut y1) = (width, height, 0, 0);
    for y in 0..height {
        for x in 0..width {
            let at = ((y * width + x) * 3) as usize;
            if before[at..at + 3] != after[at..at + 3] {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            }
        }
    }
    if x1 == 0 {
        (0, 0, 1, 1)
    } else {
        (x0, y0, x1, y1)
    }
}

/// Encode RGB frames as a looping GIF and write it to `path`, whole or not at all.
fn write_gif(
    path: &Path,
    (width, height): (u32, u32),
    frames: &[Vec<u8>],
    delay_ms: u32,
) -> Result<()> {
    let encode = |e: gif::EncodingError| PlotError::invalid("GIF encoding", path, e.to_string());
    let (w, h) = (width as u16, height as u16);
    let mut bytes = Vec::new();
    {
        let mut encoder = gif::Encoder::new(&mut bytes, w, h, &[]).map_err(encode)?;
        encoder.set_repeat(gif::Repeat::Infinite).map_err(encode)?;
        let mut previous: Option<&Vec<u8>> = None;
        for (index, rgb) in frames.iter().enumerate() {
            // After the first frame only the box of pixels that changed is stored, and
            // the rest of the previous frame stays on screen: a small file.
            let (x0, y0, x1, y1) = match previous {
                None => (0, 0, width, height),
                Some(before) => changed_box(before, rgb, width, height),
            };
            let mut rgba = Vec::with_capacity(((x1 - x0) * (y1 - y0) * 4) as usize);
            for y in y0..y1 {
                for x in x0..x1 {
                    let at = ((y * width + x) * 3) as usize;
                    rgba.extend_from_slice(&[rgb[at], rgb[at + 1], rgb[at + 2], 255]);
                }
            }
            // Speed 10 of the quantiser: a good palette for figures of few colours.
            let mut frame =
                gif::Frame::from_rgba_speed((x1 - x0) as u16, (y1 - y0) as u16, &mut rgba, 10);
            frame.left = x0 as u16;
            frame.top = y0 as u16;
            frame.dispose = gif::DisposalMethod::Keep;
            let hold = if index + 1 == frames.len() { 3 } else { 1 };
            frame.delay = (delay_ms * hold / 10) as u16; // in hundredths of a second
            encoder.write_frame(&frame).map_err(encode)?;
            previous = Some(rgb);
        }
    }
    canvas::save(path, &bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::AnimationDecoder;
    use image::codecs::gif::GifDecoder;
    use ndarray::Array2;

    #[test]
    fn one_frame_per_position_and_the_same_bytes_twice() {
        let dir = tempfile::tempdir().unwrap();
        let input = Array2::from_shape_fn((5, 5), |(i, j)| (i * 5 + j) as f32);
        let output = Array2::zeros((3, 3));
        let sliding = Sliding {
            input: input.view(),
            kernel: (3, 3),
            stride: 2,
            padding: 1,
            output: Some(output.view()),
            show_values: true,
        };
        let (a, b) = (dir.path().join("a.gif"), dir.path().join("b.gif"));
        sliding_animation(&a, "n=5, k=3, p=1, s=2", &sliding, 30, 400).unwrap();
        sliding_animation(&b, "n=5, k=3, p=1, s=2", &sliding, 30, 400).unwrap();
        let bytes = std::fs::read(&a).unwrap();
        assert_eq!(bytes, std::fs::read(&b).unwrap());
        let frames = GifDecoder::new(std::io::Cursor::new(bytes))
            .unwrap()
            .into_frames()
            .collect_frames()
            .unwrap();
        assert_eq!(frames.len(), 9); // a 3x3 output: nine window positions
        // An output of the wrong shape is refused, and nothing is written.
        let wrong = Array2::zeros((2, 2));
        let bad = Sliding {
            output: Some(wrong.view()),
            ..sliding
        };
        let c = dir.path().join("c.gif");
        let e = sliding_animation(&c, "", &bad, 30, 400)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not the 3x3 the formula gives"), "{e}");
        assert!(!c.exists());
    }
}
