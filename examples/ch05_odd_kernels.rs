//! Chapter 5: why kernels are odd.
//!
//! Run with `cargo run --example ch05_odd_kernels`. It prints every number the
//! chapter quotes, writes the chapter's tables to `book/generated/ch05/` and its
//! figures to `book/figures/ch05/`. Each section below is one section of the chapter.

use anyhow::Result;
use clap::Parser;
use cnn_book::figures::map;
use cnn_book::photos;
use cnn_book::plot::{self, ColorScale, Labels, MapStyle, Panel, Series, SeriesLabelPosition};
use cnn_book::{Chapter, Table, row};
use cnn_core::data::to_grayscale;
use cnn_core::ops::conv2d;
use cnn_core::output_size;
use cnn_core::shape::receptive_field;
use ndarray::{Array1, Array4, ArrayView4, Axis, s};

/// Computes chapter 5's numbers and draws its figures into book/generated/ch05/ and
/// book/figures/ch05/.
#[derive(Debug, Parser)]
pub struct Args {}

fn main() -> Result<()> {
    Args::parse();
    let chapter = Chapter::new("ch05")?;

    chapter.publish("same_padding", &same_padding()?)?;

    let shift = Shift::compute()?;
    shift.figure(&chapter)?;
    chapter.publish("shift", &shift.table())?;
    chapter.publish("stacked_shift", &shift.stacked_table())?;

    let photo = PhotoShift::compute()?;
    photo.figure(&chapter)?;
    chapter.publish("pole", &photo.table())?;

    let grey = OneByOne::compute()?;
    grey.figure(&chapter)?;
    chapter.publish("one_by_one", &grey.table())?;
    chapter.write_value(
        "one_by_one_difference",
        format!("{:.1e}", grey.largest_difference),
    )?;
    chapter.publish("one_by_one_field", &one_by_one_field()?)?;

    let stacks = Stacks::compute()?;
    stacks.figure(&chapter)?;
    chapter.publish("stacks", &stacks.table())?;

    chapter.finish()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// 1. Keeping the size: W + 2P - K + 1 = W needs K = 2P + 1.
// ---------------------------------------------------------------------------

/// For each kernel size K on a 32-pixel input: the total padding that keeps the
/// size (K - 1), whether it splits evenly, and what symmetric padding gives.
pub fn same_padding() -> Result<Table> {
    let n = 32;
    let mut table = Table::columns(
        "kernel K | total padding needed, K - 1 | padding per side | output with P = floor((K - 1) / 2) on both sides | output with one more on one side",
    );
    for m in 1..=7usize {
        let (total, p) = (m - 1, (m - 1) / 2);
        let symmetric = output_size(n, m, 1, p)?;
        let (per_side, asymmetric) = if total.is_multiple_of(2) {
            (p.to_string(), "-".to_string())
        } else {
            // One extra row of padding on one side only: n + (2p + 1) - m + 1.
            (
                format!("{} (not a whole number)", total as f32 / 2.0),
                (symmetric + 1).to_string(),
            )
        };
        let kernel = format!("{m} x {m}");
        row!(
            table,
            "{kernel} | {total} | {per_side} | {symmetric} | {asymmetric}"
        );
    }
    Ok(table)
}

// ---------------------------------------------------------------------------
// 2. An even kernel shifts the output by half a pixel.
// ---------------------------------------------------------------------------

/// Zero padding with different amounts before and after, on both spatial axes:
/// `[N, C, H, W] -> [N, C, H + before + after, W + before + after]`.
/// (The library's convolutions pad symmetrically; this is how asymmetric "same"
/// padding, as in TensorFlow, is done by hand.)
pub fn pad(input: ArrayView4<f32>, before: usize, after: usize) -> Array4<f32> {
    let (n, c, h, w) = input.dim();
    let mut padded = Array4::zeros((n, c, h + before + after, w + before + after));
    padded
        .slice_mut(s![.., .., before..before + h, before..before + w])
        .assign(&input);
    padded
}

/// A `K x K` averaging kernel `[1, 1, K, K]`, every weight `1 / K^2`.
pub fn average_kernel(size: usize) -> Array4<f32> {
    Array4::from_elem((1, 1, size, size), 1.0 / (size * size) as f32)
}

/// Blur with a `K x K` average and keep the size: total padding `K - 1`. For an
/// even `K` that is odd, so one side gets one row more; here it is the top and
/// left, and the output moves half a pixel down and right. (TensorFlow's "same"
/// puts the extra row at the bottom and right, and moves it up and left instead.)
///
/// input: [N, 1, H, W] -> output: [N, 1, H, W]
pub fn same_blur(image: ArrayView4<f32>, size: usize) -> Result<Array4<f32>> {
    anyhow::ensure!(
        size >= 1,
        "same_blur: the kernel size must be at least 1, got 0"
    );
    // ANCHOR: same_blur
    let total = size - 1; // K - 1 zeros in all
    let after = total / 2; // equal to `before` when K is odd
    let before = total - after; // one more than `after` when K is even
    let padded = pad(image, before, after); // [N, 1, H + K - 1, W + K - 1]
    let kernel = average_kernel(size); // [1, 1, K, K]
    let no_bias = Array1::zeros(1); // [1]
    let blurred = conv2d(padded.view(), kernel.view(), no_bias.view(), 1, 0)?; // [N, 1, H, W]
    // ANCHOR_END: same_blur
    Ok(blurred)
}

/// `layers` "same" blurs with a `k x k` average, one after the other.
/// input: [N, 1, H, W] -> output: [N, 1, H, W]
fn blur_repeatedly(image: &Array4<f32>, k: usize, layers: usize) -> Result<Array4<f32>> {
    (0..layers).try_fold(image.clone(), |x, _| same_blur(x.view(), k))
}

/// A signed shift for tables, with values within rounding of zero shown as +0.00.
fn signed(value: f32) -> String {
    let value = if value.abs() < 0.005 { 0.0 } else { value };
    format!("{value:+.2}")
}

/// Centre of mass `(row, column)` of a map: `sum_ij (i, j) * x[i,j] / sum_ij x[i,j]`.
pub fn centre_of_mass(map: ArrayView4<f32>) -> (f32, f32) {
    let (mut total, mut row, mut column) = (0f32, 0f32, 0f32);
    for ((i, j), &v) in map.slice(s![0, 0, .., ..]).indexed_iter() {
        total += v;
        row += i as f32 * v;
        column += j as f32 * v;
    }
    (row / total, column / total)
}

/// Side of the dot image; the dot is in its centre.
pub const DOT_SIZE: usize = 9;
/// The kernels compared.
pub const KERNELS: &[usize] = &[2, 3, 4, 5];
/// Number of stacked blurs in the second table.
pub const MAX_LAYERS: usize = 4;

pub struct Shift {
    /// The dot image `[1, 1, 9, 9]`.
    pub dot: Array4<f32>,
    /// The dot blurred once by each of [`KERNELS`].
    pub blurred: Vec<Array4<f32>>,
    /// `stacked[k][l]`: centre of mass after `l + 1` blurs with kernel `[2, 3][k]`.
    pub stacked: Vec<Vec<(f32, f32)>>,
}

impl Shift {
    pub fn compute() -> Result<Shift> {
        let centre = DOT_SIZE / 2;
        let mut dot = Array4::zeros((1, 1, DOT_SIZE, DOT_SIZE)); // [1, 1, 9, 9]
        dot[[0, 0, centre, centre]] = 1.0;
        let blurred = KERNELS
            .iter()
            .map(|&k| same_blur(dot.view(), k))
            .collect::<Result<Vec<_>>>()?;
        let mut stacked = Vec::new();
        for k in [2, 3] {
            let after = |layers| Ok(centre_of_mass(blur_repeatedly(&dot, k, layers)?.view()));
            stacked.push((1..=MAX_LAYERS).map(after).collect::<Result<Vec<_>>>()?);
        }
        Ok(Shift {
            dot,
            blurred,
            stacked,
        })
    }

    pub fn table(&self) -> Table {
        let (dot_row, dot_column) = centre_of_mass(self.dot.view());
        let mut table = Table::columns(
            "kernel | padding before / after | output size | centre of mass (row, column) | shift (row, column)",
        );
        for (&k, blurred) in KERNELS.iter().zip(&self.blurred) {
            let (after, (_, _, h, w)) = ((k - 1) / 2, blurred.dim());
            let (row, column) = centre_of_mass(blurred.view());
            let shift = format!(
                "({}, {})",
                signed(row - dot_row),
                signed(column - dot_column)
            );
            let centre = format!("({row:.2}, {column:.2})");
            let padding = format!("{} / {after}", k - 1 - after);
            let kernel = format!("{k} x {k} average");
            row!(
                table,
                "{kernel} | {padding} | {h} x {w} | {centre} | {shift}"
            );
        }
        table
    }

    pub fn stacked_table(&self) -> Table {
        let start = (DOT_SIZE / 2) as f32;
        let layers = (1..=MAX_LAYERS).map(|l| format!("after {l} layer(s)"));
        let mut table = Table::new(std::iter::once("kernel".to_string()).chain(layers));
        for (k, row) in [2, 3].iter().zip(&self.stacked) {
            let shifts = row
                .iter()
                .map(|(r, c)| format!("({}, {})", signed(r - start), signed(c - start)));
            table.row(std::iter::once(format!("{k} x {k}: shift of the centre")).chain(shifts));
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let mut panels = vec![Panel::new("the dot", map(&self.dot, 0))];
        for (&k, blurred) in KERNELS.iter().zip(&self.blurred) {
            panels.push(Panel::new(
                format!("{k} x {k} average, same size"),
                map(blurred, 0),
            ));
        }
        let file = chapter.figure("dot_blur.png");
        // The colour grows with the square root of the value, so that the small
        // values of the wide blurs show beside the dot's 1; nothing is clipped.
        let title = "A dot blurred by odd and even kernels";
        let style = MapStyle::viridis_sqrt(260).annotated().with_range(0.0, 1.0);
        plot::grid(&file, title, &panels, 2, &style)
    }
}

/// The camera photo blurred four times by 2x2 and by 3x3 "same" averages: the 2x2
/// result has moved two pixels down and right.
pub struct PhotoShift {
    /// A crop around the camera, `[1, 1, 48, 48]`, and its two blurred versions.
    pub crop: Array4<f32>,
    pub even: Array4<f32>,
    pub odd: Array4<f32>,
    /// One row across the tripod's pole: `(column, original, 3x3 blurs, 2x2 blurs)`.
    pub profile: Vec<(usize, f32, f32, f32)>,
}

/// The crop: rows and columns of `camera.png`.
pub const CROP: (usize, usize) = (136, 252);
/// The strip across the tripod's pole: its top-left corner; the profile is its middle row.
pub const STRIP: (usize, usize) = (280, 266);
/// Side of the crop and the strip.
pub const SIDE: usize = 48;

impl PhotoShift {
    pub fn compute() -> Result<PhotoShift> {
        let grey = photos::grey("camera.png")?; // [512, 512]
        let cut = |(top, left): (usize, usize)| {
            let rows_and_columns = s![top..top + SIDE, left..left + SIDE];
            photos::as_batch(grey.slice(rows_and_columns)) // [1, 1, 48, 48]
        };
        let four_blurs = |image: &Array4<f32>, k| blur_repeatedly(image, k, MAX_LAYERS);
        let crop = cut(CROP);
        let (even, odd) = (four_blurs(&crop, 2)?, four_blurs(&crop, 3)?);
        let strip = cut(STRIP);
        let (strip_odd, strip_even) = (four_blurs(&strip, 3)?, four_blurs(&strip, 2)?);
        let row = |x: &Array4<f32>, j| x[[0, 0, SIDE / 2, j]]; // the strip's middle row
        let point = |j| {
            (
                STRIP.1 + j,
                row(&strip, j),
                row(&strip_odd, j),
                row(&strip_even, j),
            )
        };
        let profile = (0..SIDE).map(point).collect();
        Ok(PhotoShift {
            crop,
            even,
            odd,
            profile,
        })
    }

    /// `(row, column)` of the brightest pixel of the crop after the four 3x3 blurs,
    /// which keep things in place.
    pub fn brightest_pixel(&self) -> (usize, usize) {
        let brighter = |best: ((usize, usize), f32), (at, &v): ((usize, usize), &f32)| {
            if v > best.1 { (at, v) } else { best }
        };
        let start = ((0, 0), f32::NEG_INFINITY);
        map(&self.odd, 0).indexed_iter().fold(start, brighter).0
    }

    /// The column where each profile is brightest: `(original, 3x3, 2x2)`.
    pub fn brightest_columns(&self) -> (usize, usize, usize) {
        let brightest = |pick: fn(&(usize, f32, f32, f32)) -> f32| {
            let step = |best: (usize, f32), p: &(usize, f32, f32, f32)| {
                if pick(p) > best.1 {
                    (p.0, pick(p))
                } else {
                    best
                }
            };
            self.profile.iter().fold((0, f32::NEG_INFINITY), step).0
        };
        (brightest(|p| p.1), brightest(|p| p.2), brightest(|p| p.3))
    }

    pub fn table(&self) -> Table {
        let (original, odd, even) = self.brightest_columns();
        let row = format!("row {} of the photo", STRIP.0 + SIDE / 2);
        let mut table = Table::new([row.as_str(), "brightest column (the pole)", "moved by"]);
        for (name, column) in [
            ("original", original),
            ("four 3x3 blurs", odd),
            ("four 2x2 blurs", even),
        ] {
            let moved = column as i64 - original as i64;
            row!(table, "{name} | {column} | {moved}");
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        // Red lines through the brightest pixel of the crop after the 3x3 blurs (which
        // do not move it), the same lines in every panel, so the move shows.
        let (row, column) = self.brightest_pixel();
        let with_lines = |x: &Array4<f32>| {
            let mut image = plot::colorize(map(x, 0), ColorScale::Gray, Some((0.0, 1.0)));
            image.slice_mut(s![0, row, ..]).fill(1.0);
            image.slice_mut(s![1..3, row, ..]).fill(0.0);
            image.slice_mut(s![0, .., column]).fill(1.0);
            image.slice_mut(s![1..3, .., column]).fill(0.0);
            image // [3, 48, 48]
        };
        let images = [
            ("the crop".to_string(), with_lines(&self.crop)),
            ("four 3x3 blurs".to_string(), with_lines(&self.odd)),
            ("four 2x2 blurs".to_string(), with_lines(&self.even)),
        ];
        let views: Vec<_> = images.iter().map(|(c, i)| (c.clone(), i.view())).collect();
        let file = chapter.figure("photo_shift.png");
        let title = "Same-size blurs of a photo crop: the even kernel moves it";
        plot::captioned_images(&file, title, &views, 3, 220)?;
        let line = |name: &str, pick: fn(&(usize, f32, f32, f32)) -> f32| {
            Series::new(
                name,
                self.profile.iter().map(|p| (p.0 as f32, pick(p))).collect(),
            )
        };
        let series = [
            line("original", |p| p.1),
            line("four 3x3 blurs", |p| p.2),
            line("four 2x2 blurs", |p| p.3),
        ];
        let labels = Labels::new(
            "One row across the tripod's pole",
            "column of the photo",
            "grey level",
        );
        let labels = labels.legend_at(SeriesLabelPosition::UpperLeft);
        plot::line_chart(&chapter.figure("pole_profile.svg"), &labels, &series)
    }
}

// ---------------------------------------------------------------------------
// 3. 1x1 convolutions mix channels: colour to grey.
// ---------------------------------------------------------------------------

pub struct OneByOne {
    /// The photo, `[1, 3, H, W]`.
    pub photo: Array4<f32>,
    /// Its 1x1 convolution with the grey weights, `[1, 1, H, W]`.
    pub grey: Array4<f32>,
    /// Largest difference from `to_grayscale`.
    pub largest_difference: f32,
}

/// Weights of red, green and blue in a grey level (ITU-R BT.601, as `to_grayscale`).
pub const GREY_WEIGHTS: [f32; 3] = [0.299, 0.587, 0.114];

/// The pixel worked in the table.
pub const PIXEL: (usize, usize) = (100, 200);

impl OneByOne {
    pub fn compute() -> Result<OneByOne> {
        let rgb = photos::rgb("astronaut.png")?; // [3, 512, 512]
        // ANCHOR: one_by_one
        let photo = rgb.view().insert_axis(Axis(0)).to_owned(); // [1, 3, 512, 512]
        // One filter over the three channels, one weight per channel.
        let weight = Array4::from_shape_vec((1, 3, 1, 1), GREY_WEIGHTS.to_vec())?; // [F=1, C=3, 1, 1]
        let no_bias = Array1::zeros(1); // [1]
        let grey = conv2d(photo.view(), weight.view(), no_bias.view(), 1, 0)?; // [1, 1, 512, 512]
        // ANCHOR_END: one_by_one
        let reference = to_grayscale(rgb.view())?; // [512, 512]
        let difference = &map(&grey, 0) - &reference; // [512, 512]
        let largest_difference = difference.fold(0f32, |m, d| m.max(d.abs()));
        Ok(OneByOne {
            photo,
            grey,
            largest_difference,
        })
    }

    pub fn table(&self) -> Table {
        let (i, j) = PIXEL;
        let mut table = Table::columns(&format!(
            "channel, pixel at row {i}, column {j} | value | weight | value x weight"
        ));
        for (c, name) in ["red", "green", "blue"].iter().enumerate() {
            let (value, weight) = (self.photo[[0, c, i, j]], GREY_WEIGHTS[c]);
            let product = value * weight;
            row!(table, "{name} | {value:.4} | {weight:.3} | {product:.4}");
        }
        row!(table, "output (sum) |  |  | {:.4}", self.grey[[0, 0, i, j]]);
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        // The grey map drawn as an RGB image (the same value in R, G and B), so the
        // two photos sit side by side in one figure.
        let grey = plot::colorize(map(&self.grey, 0), ColorScale::Gray, Some((0.0, 1.0)));
        let images = [
            (
                "the input: 3 channels (R, G, B)".to_string(),
                self.photo.slice(s![0, .., .., ..]),
            ),
            (
                "after a 1x1 convolution, 3 channels -> 1".to_string(),
                grey.view(),
            ),
        ];
        let file = chapter.figure("astronaut.png");
        plot::captioned_images(&file, "", &images, 2, 340)
    }
}

/// Receptive fields of stacks of 1x1 and of 3x3 convolutions, from the library.
pub fn one_by_one_field() -> Result<Table> {
    let mut table =
        Table::columns("layers | field of 1x1 convolutions | field of 3x3 convolutions");
    let (ones, threes) = (
        receptive_field(&[(1, 1); 3])?,
        receptive_field(&[(3, 1); 3])?,
    );
    for (layer, (one, three)) in ones.iter().zip(&threes).enumerate() {
        let (layers, one, three) = (layer + 1, one.0, three.0);
        row!(table, "{layers} | {one} x {one} | {three} x {three}");
    }
    Ok(table)
}

// ---------------------------------------------------------------------------
// 4. Why 3x3: stacks see as far with fewer weights and more nonlinearities.
// ---------------------------------------------------------------------------

/// Channels `C` in and out of every layer for the concrete column.
pub const CHANNELS: usize = 64;
/// Stacks of up to this many 3x3 layers.
pub const MAX_STACK: usize = 5;

pub struct Stacks {
    /// `(layers, field, weights of the stack per C^2, weights of one field x field layer per C^2)`.
    pub rows: Vec<(usize, usize, usize, usize)>,
}

impl Stacks {
    pub fn compute() -> Result<Stacks> {
        // ANCHOR: stacks
        let fields = receptive_field(&[(3, 1); MAX_STACK])?; // (field, jump) after 1, 2, ... layers
        let rows = fields
            .iter()
            .enumerate()
            .map(|(index, &(field, _))| {
                let layers = index + 1;
                let stack_weights = layers * 3 * 3; // per C^2: each layer has C x C x 3 x 3
                let single_weights = field * field; // per C^2: one field x field layer
                (layers, field, stack_weights, single_weights)
            })
            .collect();
        // ANCHOR_END: stacks
        Ok(Stacks { rows })
    }

    pub fn table(&self) -> Table {
        let header = format!(
            "3x3 layers | field | weights: stack | weights: one kernel | stack, C = {CHANNELS} | one kernel, C = {CHANNELS} | ratio | ReLUs"
        );
        let mut table = Table::columns(&header);
        let c2 = CHANNELS * CHANNELS;
        for &(layers, field, stack, single) in &self.rows {
            let ratio = format!("{:.2}", stack as f32 / single as f32);
            let [stack_per_c2, single_per_c2] = [stack, single].map(|w| format!("{w} C²"));
            row!(
                table,
                "{layers} | {field} x {field} | {stack_per_c2} | {single_per_c2} | {} | {} | {ratio} | {layers} vs 1",
                stack * c2,
                single * c2
            );
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let curve = |name, weights: fn(&(usize, usize, usize, usize)) -> usize| {
            Series::new(
                name,
                self.rows
                    .iter()
                    .map(|r| (r.1 as f32, weights(r) as f32))
                    .collect(),
            )
        };
        let series = [
            curve("stack of 3x3 layers", |r| r.2),
            curve("one large kernel", |r| r.3),
        ];
        let labels = Labels::new(
            "Weights needed to see a field (in units of C x C)",
            "receptive field (pixels per side)",
            "weights / C^2",
        );
        let labels = labels.legend_at(SeriesLabelPosition::UpperLeft);
        plot::line_chart(&chapter.figure("stacks.svg"), &labels, &series)
    }
}
