//! Chapter 1: convolution (卷积) as a signal operation.
//!
//! Run with `cargo run --example ch01_convolution`. It prints every number the
//! chapter quotes, writes the chapter's tables to `book/generated/ch01/` and its
//! figures to `book/figures/ch01/`. Read it top to bottom alongside the chapter: each
//! section below is one section there.

use anyhow::Result;
use clap::Parser;
use cnn_book::plot::{self, ChartPanel, Labels, MapStyle, Panel, Series, SeriesLabelPosition};
use cnn_book::text::values_as_text;
use cnn_book::{Chapter, Table, photos, row};
use cnn_core::ops::{conv1d, conv2d, true_convolution1d, true_convolution2d};
use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, Axis, array, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Computes chapter 1's numbers and draws its figures into book/generated/ch01/ and
/// book/figures/ch01/.
#[derive(Debug, Parser)]
pub struct Args {}

fn main() -> Result<()> {
    Args::parse();
    let chapter = Chapter::new("ch01")?;

    let boxes = BoxConvolution::compute()?;
    boxes.figures(&chapter)?;
    chapter.publish("box_overlaps", &boxes.table())?;
    chapter.write_value("box_step", BOX_STEP)?;
    chapter.write_value("box_samples", BOX_SAMPLES)?;
    chapter.write_value("box_largest_error", format!("{:.1e}", boxes.largest_error))?;

    chapter.write_value("period", PERIOD)?;
    chapter.write_value("widest", WIDTHS[WIDTHS.len() - 1])?;
    chapter.write_value("blur_size", BLUR_SIZE)?;
    chapter.write_value("blur_shrink", BLUR_SIZE - 1)?;
    let smoothing = Smoothing::compute()?;
    smoothing.figure(&chapter)?;
    chapter.publish("smoothing", &smoothing.table())?;

    let edges = StepEdges::compute()?;
    edges.figure(&chapter)?;
    chapter.publish("step_edges", &edges.table())?;

    let flipped = FlippedKernel::compute()?;
    chapter.publish("impulse", &flipped.table())?;

    let photo = PhotoFilters::compute()?;
    photo.figures(&chapter)?;
    chapter.publish("photo_filters", &photo.table())?;

    chapter.finish()?;
    Ok(())
}

/// A signal as a batch of one sequence with one channel, the shape `conv1d` takes:
/// `[L] -> [1, 1, L]`.
fn as_batch(signal: ArrayView1<f32>) -> Array3<f32> {
    signal.to_owned().insert_axis(Axis(0)).insert_axis(Axis(0))
}

// ---------------------------------------------------------------------------
// 1. Continuous convolution: a box slid over a box gives a triangle.
// ---------------------------------------------------------------------------

/// Spacing of the fine grid on which the continuous functions are sampled.
pub const BOX_STEP: f32 = 0.01;
/// Samples of the box of width 1: one per grid step.
pub const BOX_SAMPLES: usize = 100;
/// The shifts `t` at which the figure shows the overlap.
pub const SHIFTS: [f32; 6] = [-1.25, -0.75, -0.5, 0.0, 0.5, 0.75];

/// The box (rectangle) function: 1 on `[-1/2, 1/2]`, 0 elsewhere.
pub fn box_function(t: f32) -> f32 {
    if t.abs() <= 0.5 { 1.0 } else { 0.0 }
}

/// The exact convolution of two such boxes: the triangle `max(0, 1 - |t|)`.
pub fn triangle(t: f32) -> f32 {
    (1.0 - t.abs()).max(0.0)
}

/// The box convolved with itself on a fine grid, compared with the exact triangle.
pub struct BoxConvolution {
    /// `(t, (f * g)(t))` for every output sample.
    pub curve: Vec<(f32, f32)>,
    /// The largest difference from the exact triangle over all samples.
    pub largest_error: f32,
}

impl BoxConvolution {
    pub fn compute() -> Result<BoxConvolution> {
        // ANCHOR: box
        // Sample the box at the middle of each grid cell: t_k = -1/2 + (k + 1/2) dt.
        let sample_time = |k: usize| -0.5 + (k as f32 + 0.5) * BOX_STEP;
        let samples = Array1::from_shape_fn(BOX_SAMPLES, |k| box_function(sample_time(k)));
        // (f * g)(t) = integral of f(tau) g(t - tau) dtau
        //            ~ sum_k f(t_k) g(t - t_k) dt = dt * (discrete convolution).
        let discrete = true_convolution1d(samples.view(), samples.view())?; // [100] * [100] -> [199]
        let continuous = discrete * BOX_STEP;
        // Output n pairs samples k and n - k, whose times add up to t = -1 + (n + 1) dt.
        let output_time = |n: usize| -1.0 + (n as f32 + 1.0) * BOX_STEP;
        // ANCHOR_END: box
        let curve: Vec<(f32, f32)> = continuous
            .iter()
            .enumerate()
            .map(|(n, &v)| (output_time(n), v))
            .collect();
        let largest_error = curve
            .iter()
            .fold(0f32, |m, &(t, v)| m.max((v - triangle(t)).abs()));
        Ok(BoxConvolution {
            curve,
            largest_error,
        })
    }

    /// The value of the computed curve at (the grid point nearest) `t`.
    /// Zero outside the computed samples: there the boxes do not overlap at all.
    pub fn value_at(&self, t: f32) -> f32 {
        let (first, last) = (self.curve[0].0, self.curve[self.curve.len() - 1].0);
        if t < first - BOX_STEP / 2.0 || t > last + BOX_STEP / 2.0 {
            return 0.0;
        }
        let distance = |point: &&(f32, f32)| (point.0 - t).abs();
        let nearest = self
            .curve
            .iter()
            .min_by(|a, b| distance(a).total_cmp(&distance(b)));
        nearest.expect("the curve has points").1
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "shift t",
            "overlap of the two boxes",
            "(f * g)(t), computed",
            "1 - |t|, exact",
        ]);
        for t in SHIFTS {
            let overlap = if t.abs() >= 1.0 {
                "none".to_string()
            } else {
                format!(
                    "from {:.2} to {:.2}",
                    (t - 0.5).max(-0.5),
                    (t + 0.5).min(0.5)
                )
            };
            let (computed, exact) = (self.value_at(t), triangle(t));
            row!(table, "{t:.2} | {overlap} | {computed:.3} | {exact:.3}");
        }
        table
    }

    fn figures(&self, chapter: &Chapter) -> Result<()> {
        // Small multiples: f(tau) stays, g(t - tau) slides; the overlap is shaded.
        let taus: Vec<f32> = (0..=400).map(|i| -2.0 + i as f32 * 0.01).collect();
        let curve = |f: &dyn Fn(f32) -> f32| taus.iter().map(|&x| (x, f(x))).collect::<Vec<_>>();
        let panels: Vec<ChartPanel> = SHIFTS
            .iter()
            .map(|&t| ChartPanel {
                title: format!("t = {t}: area {:.2}", self.value_at(t)),
                series: vec![
                    Series::new("f(τ), fixed", curve(&box_function)),
                    Series::new("g(t - τ), sliding", curve(&|x| box_function(t - x))),
                ],
                shaded: curve(&|x| box_function(x) * box_function(t - x)),
            })
            .collect();
        let title = "One box sliding over another: the grey overlap is (f * g)(t)";
        let labels = Labels::new(title, "τ", "");
        plot::chart_grid(&chapter.figure("box_sliding.svg"), &labels, &panels, 2)?;
        let exact: Vec<(f32, f32)> = self.curve.iter().map(|&(t, _)| (t, triangle(t))).collect();
        let series = [
            Series::new("computed on the grid", self.curve.clone()),
            Series::new("exact: 1 - |t|", exact),
        ];
        let labels = Labels::new("Box * box = triangle", "t", "(f * g)(t)");
        let labels = labels.legend_at(SeriesLabelPosition::UpperRight);
        plot::line_chart(&chapter.figure("box_triangle.svg"), &labels, &series)?;
        self.animation(chapter, &taus)
    }

    /// The box sliding, one frame per shift t from -1.5 to 1.5: above, f and g(t - τ)
    /// with their overlap shaded; below, (f * g) drawn up to t.
    fn animation(&self, chapter: &Chapter, taus: &[f32]) -> Result<()> {
        let curve = |f: &dyn Fn(f32) -> f32| taus.iter().map(|&x| (x, f(x))).collect::<Vec<_>>();
        let frames: Vec<(ChartPanel, ChartPanel)> = (0..=20)
            .map(|k| {
                let t = -1.5 + 0.15 * k as f32;
                let sliding = ChartPanel {
                    title: format!(
                        "t = {t:.1}: the grey overlap has area {:.2}",
                        self.value_at(t)
                    ),
                    series: vec![
                        Series::new("f(τ)", curve(&box_function)),
                        Series::new("g(t - τ)", curve(&|x| box_function(t - x))),
                    ],
                    shaded: curve(&|x| box_function(x) * box_function(t - x)),
                };
                let so_far = self
                    .curve
                    .iter()
                    .copied()
                    .filter(|&(s, _)| s <= t + 1e-6)
                    .collect();
                let result = ChartPanel {
                    title: "(f * g)(t), drawn up to t".to_string(),
                    series: vec![Series::new("", so_far)],
                    shaded: Vec::new(),
                };
                (sliding, result)
            })
            .collect();
        let title = "A box sliding over a box: the overlap's area traces a triangle";
        let file = chapter.figure("box_sliding.gif");
        plot::chart_animation(
            &file,
            title,
            &frames,
            (-2.0, 2.0),
            ((0.0, 1.2), (0.0, 1.2)),
            250,
        )
    }
}

// ---------------------------------------------------------------------------
// 2. Discrete 1-D convolution: a moving average smooths a noisy signal.
// ---------------------------------------------------------------------------

/// Length of the noisy signal.
pub const SIGNAL_LENGTH: usize = 200;
/// Period of its clean sine wave, in samples.
pub const PERIOD: f32 = 80.0;
/// Noise is uniform in `[-NOISE, NOISE]`.
pub const NOISE: f32 = 0.5;
/// The moving-average widths compared; the figure uses `SHOWN_WIDTH`.
pub const WIDTHS: [usize; 6] = [1, 3, 9, 15, 31, 61];
pub const SHOWN_WIDTH: usize = 9;

/// A moving average of width `width`: every weight is `1 / width`.
pub fn moving_average_kernel(width: usize) -> Array1<f32> {
    Array1::from_elem(width, 1.0 / width as f32)
}

/// Root-mean-square difference of two equally long signals.
pub fn rms(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f32 {
    ((&a - &b).mapv(|d| d * d).sum() / a.len() as f32).sqrt()
}

pub struct Smoothing {
    pub clean: Array1<f32>,
    pub noisy: Array1<f32>,
    /// `(width, smoothed signal of length L - width + 1, RMS error against the clean signal)`.
    pub results: Vec<(usize, Array1<f32>, f32)>,
}

impl Smoothing {
    pub fn compute() -> Result<Smoothing> {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let clean = Array1::from_shape_fn(SIGNAL_LENGTH, |t| {
            (2.0 * std::f32::consts::PI * t as f32 / PERIOD).sin()
        });
        let noisy = clean.mapv(|v| v + rng.random_range(-NOISE..NOISE));
        let mut results = Vec::new();
        for width in WIDTHS {
            // ANCHOR: smooth
            let kernel = moving_average_kernel(width); // [K], each 1/K
            let smoothed = conv1d(
                as_batch(noisy.view()).view(),  // [1, 1, L]
                as_batch(kernel.view()).view(), // [1, 1, K]
                array![0.0].view(),             // no bias
                1,
                0,
            )?; // [1, 1, L - K + 1]
            // ANCHOR_END: smooth
            let smoothed = smoothed.slice(s![0, 0, ..]).to_owned(); // [L - K + 1]
            // Output i averages inputs i..i+K, whose centre is i + (K-1)/2.
            let centre = (width - 1) / 2;
            let error = rms(
                smoothed.view(),
                clean.slice(s![centre..centre + smoothed.len()]),
            );
            results.push((width, smoothed, error));
        }
        Ok(Smoothing {
            clean,
            noisy,
            results,
        })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "moving average width K | output length | RMS error against the clean sine",
        );
        for (width, smoothed, error) in &self.results {
            row!(table, "{width} | {} | {error:.3}", smoothed.len());
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        // A smoothed signal drawn where its windows are centred on the noisy one.
        let average = |(width, smoothed, _): &(usize, Array1<f32>, f32)| {
            Series::shifted(
                format!("moving average, K = {width}"),
                smoothed,
                (width - 1) / 2,
            )
        };
        let shown = self.results.iter().find(|(w, _, _)| *w == SHOWN_WIDTH);
        let widest = self.results.last().expect("WIDTHS is not empty");
        let series = [
            Series::indexed("noisy signal", &self.noisy),
            average(shown.expect("SHOWN_WIDTH is one of WIDTHS")),
            average(widest),
            Series::indexed("clean sine", &self.clean),
        ];
        let labels = Labels::new("A moving average smooths noise", "t", "value");
        let labels = labels.legend_at(SeriesLabelPosition::LowerLeft);
        plot::line_chart(&chapter.figure("smoothing.svg"), &labels, &series)
    }
}

// ---------------------------------------------------------------------------
// 3. A difference kernel finds the edges of a step.
// ---------------------------------------------------------------------------

/// The step signal: 0, then 1 from `RISE` to just before `FALL`, then 0 again.
pub const STEP_LENGTH: usize = 40;
pub const RISE: usize = 12;
pub const FALL: usize = 28;

pub struct StepEdges {
    pub signal: Array1<f32>,
    /// `y[i] = x[i+1] - x[i]`, length L - 1.
    pub differences: Array1<f32>,
}

impl StepEdges {
    pub fn compute() -> Result<StepEdges> {
        let signal = Array1::from_shape_fn(STEP_LENGTH, |t| {
            if (RISE..FALL).contains(&t) { 1.0 } else { 0.0 }
        });
        // ANCHOR: difference
        let difference_kernel = array![-1.0, 1.0]; // y[i] = -x[i] + x[i+1]
        let differences = conv1d(
            as_batch(signal.view()).view(),            // [1, 1, 40]
            as_batch(difference_kernel.view()).view(), // [1, 1, 2]
            array![0.0].view(),
            1,
            0,
        )?; // [1, 1, 39]
        // ANCHOR_END: difference
        let differences = differences.slice(s![0, 0, ..]).to_owned(); // [39]
        Ok(StepEdges {
            signal,
            differences,
        })
    }

    /// The table lists every output that is not zero.
    pub fn table(&self) -> Table {
        let mut table = Table::columns("output i | `x[i]` | `x[i+1]` | `y[i] = x[i+1] - x[i]`");
        for (i, &y) in self
            .differences
            .iter()
            .enumerate()
            .filter(|(_, y)| **y != 0.0)
        {
            let [before, after, y] =
                [self.signal[i], self.signal[i + 1], y].map(plot::format_value);
            row!(table, "{i} | {before} | {after} | {y}");
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let series = [
            Series::indexed("step signal x", &self.signal),
            Series::indexed("y[i] = x[i+1] - x[i]", &self.differences),
        ];
        let labels = Labels::new("A difference kernel marks the edges", "t", "value");
        let labels = labels.legend_at(SeriesLabelPosition::LowerLeft);
        plot::line_chart(&chapter.figure("step_edges.svg"), &labels, &series)
    }
}

// ---------------------------------------------------------------------------
// 4. Convolution versus cross-correlation: the flipped kernel.
// ---------------------------------------------------------------------------

/// An asymmetric kernel, so that flipping it shows.
pub fn asymmetric_kernel() -> Array1<f32> {
    array![1.0, 2.0, 3.0]
}

/// A single 1 in the middle of zeros: an impulse.
pub fn impulse() -> Array1<f32> {
    array![0.0, 0.0, 1.0, 0.0, 0.0]
}

pub struct FlippedKernel {
    /// True convolution, full mode: `[L + K - 1]`.
    pub convolution: Array1<f32>,
    /// Cross-correlation with the same kernel, padded to full mode.
    pub correlation: Array1<f32>,
    /// Cross-correlation with the flipped kernel, padded to full mode.
    pub correlation_flipped: Array1<f32>,
}

/// Cross-correlation in "full" mode: `K - 1` zeros of padding on each side, so every
/// partial overlap counts, as in [`true_convolution1d`]. `[L], [K] -> [L + K - 1]`
pub fn cross_correlation_full(
    signal: ArrayView1<f32>,
    kernel: ArrayView1<f32>,
) -> Result<Array1<f32>> {
    let padding = kernel.len() - 1;
    let (signal, kernel) = (as_batch(signal), as_batch(kernel)); // [1, 1, L], [1, 1, K]
    let output = conv1d(signal.view(), kernel.view(), array![0.0].view(), 1, padding)?; // [1, 1, L + K - 1]
    Ok(output.slice(s![0, 0, ..]).to_owned()) // [L + K - 1]
}

impl FlippedKernel {
    pub fn compute() -> Result<FlippedKernel> {
        let (x, h) = (impulse(), asymmetric_kernel());
        // ANCHOR: flip
        let convolution = true_convolution1d(x.view(), h.view())?; // sum_k x[t-k] h[k]
        let correlation = cross_correlation_full(x.view(), h.view())?; // sum_k x[t+k] h[k]
        let flipped = h.slice(s![..;-1]); // [1, 2, 3] -> [3, 2, 1]
        let correlation_flipped = cross_correlation_full(x.view(), flipped)?;
        // ANCHOR_END: flip
        Ok(FlippedKernel {
            convolution,
            correlation,
            correlation_flipped,
        })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns("operation | output");
        for (name, values) in [
            ("input x (an impulse)", &impulse()),
            ("kernel h", &asymmetric_kernel()),
            ("convolution x * h", &self.convolution),
            (
                "cross-correlation with h (what CNNs compute)",
                &self.correlation,
            ),
            (
                "cross-correlation with h flipped",
                &self.correlation_flipped,
            ),
        ] {
            table.row([name.to_string(), values_as_text(values)]);
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 5. Two dimensions: blur and Sobel edges on a photo.
// ---------------------------------------------------------------------------

/// Side of the box-blur kernel.
pub const BLUR_SIZE: usize = 7;

/// A box blur: the mean of a `size x size` window.
pub fn box_blur(size: usize) -> Array2<f32> {
    Array2::from_elem((size, size), 1.0 / (size * size) as f32)
}

/// Sobel kernel for a change from left to right (vertical edges), as used by
/// `conv2d` (cross-correlation): dark on the left, light on the right gives a
/// positive response.
pub fn sobel_x() -> Array2<f32> {
    array![[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]]
}

/// Sobel kernel for a change from top to bottom (horizontal edges).
pub fn sobel_y() -> Array2<f32> {
    array![[-1., -2., -1.], [0., 0., 0.], [1., 2., 1.]]
}

/// The cat photo (Stefan van der Walt, CC0, from scikit-image) in grey: `[300, 451]`.
pub fn cat_photo() -> Result<Array2<f32>> {
    photos::grey("chelsea.png")
}

/// Cross-correlate a grey image with one kernel, as a CNN layer does (`conv2d`).
///
/// image: [H, W], kernel: [KH, KW] -> output: [H - KH + 1, W - KW + 1]
pub fn filter_image(image: ArrayView2<f32>, kernel: ArrayView2<f32>) -> Result<Array2<f32>> {
    let ((h, w), (kh, kw)) = (image.dim(), kernel.dim());
    let batch = image.to_shape((1, 1, h, w))?; // [H, W] -> [1, 1, H, W]
    let weight = kernel.to_shape((1, 1, kh, kw))?; // [KH, KW] -> [1, 1, KH, KW]
    let output = conv2d(batch.view(), weight.view(), array![0.0].view(), 1, 0)?; // [1, 1, H', W']
    Ok(output.slice(s![0, 0, .., ..]).to_owned()) // [H', W']
}

/// The largest value of a map.
fn largest(map: &Array2<f32>) -> f32 {
    map.fold(f32::NEG_INFINITY, |m, &v| m.max(v))
}

pub struct PhotoFilters {
    pub photo: Array2<f32>,
    pub blurred: Array2<f32>,
    pub edges_x: Array2<f32>,
    pub edges_y: Array2<f32>,
    /// `sqrt(edges_x^2 + edges_y^2)`: edge strength in any direction.
    pub magnitude: Array2<f32>,
    /// Largest |difference| between true convolution and cross-correlation, blur.
    pub blur_difference: f32,
    /// Largest |true convolution + cross-correlation| for Sobel x (a sign flip).
    pub sobel_sign_flip: f32,
}

impl PhotoFilters {
    pub fn compute() -> Result<PhotoFilters> {
        let photo = cat_photo()?; // [300, 451]
        // ANCHOR: photo
        let blurred = filter_image(photo.view(), box_blur(BLUR_SIZE).view())?; // [294, 445]
        let edges_x = filter_image(photo.view(), sobel_x().view())?; // [298, 449]
        let edges_y = filter_image(photo.view(), sobel_y().view())?; // [298, 449]
        let magnitude = (&edges_x * &edges_x + &edges_y * &edges_y).mapv(f32::sqrt);
        // ANCHOR_END: photo
        // The same kernels with true convolution (the kernel rotated by 180 degrees).
        let largest_abs = |map: Array2<f32>| map.fold(0f32, |m, &v| m.max(v.abs()));
        let blur_true = true_convolution2d(photo.view(), box_blur(BLUR_SIZE).view())?;
        let blur_difference = largest_abs(&blur_true - &blurred);
        let sobel_true = true_convolution2d(photo.view(), sobel_x().view())?;
        let sobel_sign_flip = largest_abs(&sobel_true + &edges_x);
        Ok(PhotoFilters {
            photo,
            blurred,
            edges_x,
            edges_y,
            magnitude,
            blur_difference,
            sobel_sign_flip,
        })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns("output | size (H x W) | smallest value | largest value");
        let blur = format!("{BLUR_SIZE}x{BLUR_SIZE} box blur");
        for (name, map) in [
            ("grey photo", &self.photo),
            (blur.as_str(), &self.blurred),
            ("Sobel x (vertical edges)", &self.edges_x),
            ("Sobel y (horizontal edges)", &self.edges_y),
            ("edge magnitude", &self.magnitude),
        ] {
            let (h, w) = map.dim();
            let (low, high) = map.fold((f32::INFINITY, f32::NEG_INFINITY), |(l, u), &v| {
                (l.min(v), u.max(v))
            });
            row!(table, "{name} | {h} x {w} | {low:.3} | {high:.3}");
        }
        for (name, difference) in [
            (
                "blur: convolution minus cross-correlation",
                self.blur_difference,
            ),
            (
                "Sobel x: convolution plus cross-correlation",
                self.sobel_sign_flip,
            ),
        ] {
            row!(table, "{name} |  |  | {difference:.1e}");
        }
        table
    }

    fn figures(&self, chapter: &Chapter) -> Result<()> {
        let panels = [
            Panel::new("grey photo, 300 x 451", self.photo.view()),
            Panel::new("box blur, 294 x 445", self.blurred.view()),
        ];
        let file = chapter.figure("photo_blur.png");
        let title = format!("The photo and its {BLUR_SIZE}x{BLUR_SIZE} box blur");
        let style = MapStyle::gray(310).with_range(0.0, 1.0);
        plot::grid(&file, &title, &panels, 2, &style)?;
        let panels = [
            Panel::new("Sobel x: change from left to right", self.edges_x.view()),
            Panel::new("Sobel y: change from top to bottom", self.edges_y.view()),
        ];
        // One scale symmetric around zero that holds every value of both maps (about
        // +-2, from the table), so nothing is clipped. Most edges are much weaker than
        // the strongest, so the colour grows with the square root of the value: weak
        // edges stay visible, and the colour bar shows the scale.
        let file = chapter.figure("photo_sobel.png");
        let title = "Sobel edges: red where it gets lighter, blue where darker";
        plot::grid(&file, title, &panels, 1, &MapStyle::diverging_sqrt(560))?;
        let file = chapter.figure("photo_magnitude.png");
        let title = "Edge magnitude sqrt(x^2 + y^2)";
        let style = MapStyle::viridis_sqrt(560).with_range(0.0, largest(&self.magnitude));
        plot::heatmap(&file, title, self.magnitude.view(), &style)?;
        let kernels = [box_blur(3), sobel_x(), sobel_y()];
        let panels: Vec<Panel> = ["box blur (1/9 each)", "Sobel x", "Sobel y"]
            .iter()
            .zip(&kernels)
            .map(|(name, kernel)| Panel::new(*name, kernel.view()))
            .collect();
        let style = MapStyle::diverging(180).annotated().with_range(-2.0, 2.0);
        plot::grid(
            &chapter.figure("kernels.png"),
            "Three 3x3 kernels",
            &panels,
            3,
            &style,
        )
    }
}
