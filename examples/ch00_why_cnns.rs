//! Chapter 0: why convolutional neural networks?
//!
//! Run with `cargo run --example ch00_why_cnns`. It prints every number the chapter
//! quotes, writes the chapter's tables to `book/generated/ch00/` and its figures to
//! `book/figures/ch00/`. Each section below is one section of the chapter.

use anyhow::Result;
use clap::Parser;
use cnn_book::plot::{
    self, LabelledPoint, Labels, MapStyle, Mark, Panel, Series, SeriesLabelPosition, Window,
};
use cnn_book::text::with_thousands;
use cnn_book::{Chapter, Table, photos, row};
use cnn_core::data::to_grayscale;
use cnn_core::ops::conv2d;
use image::imageops::{self, FilterType};
use image::{ImageBuffer, Luma};
use ndarray::{Array1, Array2, Array3, Array4, ArrayView1, ArrayView2, Axis, array, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Computes chapter 0's numbers and draws its figures into book/generated/ch00/ and
/// book/figures/ch00/.
#[derive(Debug, Parser)]
pub struct Args {}

fn main() -> Result<()> {
    Args::parse();
    let chapter = Chapter::new("ch00")?;

    let counts = FullyConnectedCost::compute();
    chapter.write_value("fc_inputs", with_thousands(counts.inputs))?;
    chapter.write_value("fc_units", with_thousands(HIDDEN_UNITS))?;
    chapter.write_value("fc_weights", with_thousands(counts.weights))?;
    chapter.publish("fc_cost", &counts.table())?;

    let cat = CatPhoto::load()?;
    cat.figures(&chapter)?;
    chapter.publish("cat_patches", &cat.patch_table())?;
    chapter.publish("subsampling", &cat.subsampling_table())?;
    let search = EyeSearch::compute(&cat)?;
    search.figure(&chapter)?;
    chapter.publish("eye_search", &search.table())?;
    let [_, elsewhere] = search.two_best();
    chapter.write_value("right_eye_score", format!("{:.2}", elsewhere.2))?;
    let scales = DetectorScales::compute(&cat)?;
    chapter.publish("eye_scales", &scales.table())?;

    chapter.write_value("points_per_class", POINTS_PER_CLASS)?;
    chapter.write_value("hidden", HIDDEN)?;
    let experiment = Experiment::run()?;
    experiment.figures(&chapter)?;
    chapter.publish("accuracy", &experiment.table())?;
    chapter.write_value("constant_units", experiment.constant_units().len())?;
    chapter.write_value("seeds", SEEDS.len())?;
    chapter.publish("accuracy_seeds", &seeds_table(&Experiment::over_seeds()?))?;

    chapter.finish()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// 1. A fully connected layer on an image is expensive.
// ---------------------------------------------------------------------------

/// Units of the hidden layer in the comparison.
pub const HIDDEN_UNITS: usize = 1000;

/// The images compared: `(name, height, width, channels)`.
pub const IMAGES: [(&str, usize, usize, usize); 4] = [
    ("MNIST digit, 28 x 28 grey", 28, 28, 1),
    ("100 x 100 RGB", 100, 100, 3),
    ("ImageNet crop, 224 x 224 RGB", 224, 224, 3),
    ("the astronaut photo, 512 x 512 RGB", 512, 512, 3),
];

pub struct FullyConnectedCost {
    /// Inputs of the 100 x 100 RGB image.
    pub inputs: usize,
    /// Weights from those inputs to [`HIDDEN_UNITS`] units.
    pub weights: usize,
}

impl FullyConnectedCost {
    pub fn compute() -> FullyConnectedCost {
        // ANCHOR: fc_cost
        let (height, width, channels) = (100, 100, 3);
        let inputs = height * width * channels; // one input per pixel per colour
        let weights = inputs * HIDDEN_UNITS; // every input connects to every unit
        // ANCHOR_END: fc_cost
        FullyConnectedCost { inputs, weights }
    }

    pub fn table(&self) -> Table {
        // A convolution layer of 64 filters of 3 x 3 over the colour channels, for
        // comparison: its weights do not depend on the image size.
        let fc = format!(
            "weights of a fully connected layer of {} units",
            with_thousands(HIDDEN_UNITS)
        );
        let conv = "weights of a convolution layer of 64 filters of 3 x 3";
        let mut table = Table::columns(&format!("image | inputs | {fc} | {conv}"));
        for (name, height, width, channels) in IMAGES {
            let inputs = height * width * channels;
            let [inputs, fc, conv] =
                [inputs, inputs * HIDDEN_UNITS, 64 * channels * 3 * 3].map(with_thousands);
            row!(table, "{name} | {inputs} | {fc} | {conv}");
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 2. Three observations, on a photo of a cat.
// ---------------------------------------------------------------------------

/// Rows and columns `(top, bottom, left, right)` of the two eyes in `chelsea.png` (451 x 300).
pub const LEFT_EYE: (usize, usize, usize, usize) = (80, 150, 130, 210);
pub const RIGHT_EYE: (usize, usize, usize, usize) = (100, 170, 280, 360);
/// Subsampling factors shown: keep every k-th row and column.
pub const FACTORS: [usize; 4] = [1, 2, 4, 8];

pub struct CatPhoto {
    /// `[3, 300, 451]`, values in [0, 1].
    pub rgb: Array3<f32>,
}

impl CatPhoto {
    pub fn load() -> Result<CatPhoto> {
        let rgb = photos::rgb("chelsea.png")?; // [3, 300, 451]
        Ok(CatPhoto { rgb })
    }

    /// `[3, H, W] -> [3, bottom - top, right - left]`
    fn crop(&self, (top, bottom, left, right): (usize, usize, usize, usize)) -> Array3<f32> {
        self.rgb.slice(s![.., top..bottom, left..right]).to_owned()
    }

    /// Keep every `factor`-th row and column: `[3, H, W] -> [3, ceil(H/k), ceil(W/k)]`.
    pub fn subsample(&self, factor: usize) -> Array3<f32> {
        // ANCHOR: subsample
        let smaller = self.rgb.slice(s![.., ..;factor, ..;factor]).to_owned();
        // ANCHOR_END: subsample
        smaller
    }

    pub fn patch_table(&self) -> Table {
        let (_, height, width) = self.rgb.dim();
        let mut table = Table::columns("region | size (rows x columns) | share of the photo");
        row!(table, "whole photo | {height} x {width} | 100%");
        for (name, (top, bottom, left, right)) in [("left eye", LEFT_EYE), ("right eye", RIGHT_EYE)]
        {
            let (rows, columns) = (bottom - top, right - left);
            let share = 100.0 * (rows * columns) as f32 / (height * width) as f32;
            row!(table, "{name} | {rows} x {columns} | {share:.1}%");
        }
        table
    }

    pub fn subsampling_table(&self) -> Table {
        let mut table =
            Table::columns("rows and columns kept | size (rows x columns) | values (3 colours)");
        for factor in FACTORS {
            let (channels, height, width) = self.subsample(factor).dim();
            let kept = match factor {
                1 => "all (the original)".to_string(),
                _ => format!("1 in {factor}"),
            };
            let values = with_thousands(channels * height * width);
            row!(table, "{kept} | {height} x {width} | {values}");
        }
        table
    }

    fn figures(&self, chapter: &Chapter) -> Result<()> {
        // The photo with the two eye regions outlined, two pixels wide: orange for
        // the left eye, blue for the right.
        let mut marked = self.rgb.clone();
        for ((top, bottom, left, right), color) in [
            (LEFT_EYE, [0.90, 0.45, 0.0]),
            (RIGHT_EYE, [0.0, 0.45, 0.85]),
        ] {
            for inset in 0..2 {
                let window = Window {
                    row: top + inset,
                    column: left + inset,
                    height: bottom - top - 2 * inset,
                    width: right - left - 2 * inset,
                };
                plot::outline(&mut marked, window, color);
            }
        }
        plot::rgb_image(&chapter.figure("cat.png"), marked.view(), 451)?;
        let eyes: Vec<(String, Array3<f32>)> = [("left eye", LEFT_EYE), ("right eye", RIGHT_EYE)]
            .into_iter()
            .map(|(name, eye)| {
                let (top, bottom, left, right) = eye;
                let (rows, columns) = (bottom - top, right - left);
                let caption = format!(
                    "{name}: {rows} x {columns} pixels\nrows {top}-{bottom}, columns {left}-{right}"
                );
                (caption, self.crop(eye))
            })
            .collect();
        let views: Vec<_> = eyes.iter().map(|(c, e)| (c.clone(), e.view())).collect();
        plot::captioned_images(&chapter.figure("eyes.png"), "", &views, 2, 240)?;
        // Every version drawn at the same size, so the loss of detail shows.
        let versions: Vec<(String, Array3<f32>)> = FACTORS
            .iter()
            .map(|&factor| {
                let smaller = self.subsample(factor);
                let (_, rows, columns) = smaller.dim();
                let kept = match factor {
                    1 => "all pixels".to_string(),
                    _ => format!("1 in {factor} rows and columns"),
                };
                (format!("{kept}: {rows} x {columns}"), smaller)
            })
            .collect();
        let views: Vec<_> = versions
            .iter()
            .map(|(c, v)| (c.clone(), v.view()))
            .collect();
        let file = chapter.figure("subsampling.png");
        plot::captioned_images(&file, "", &views, 2, 340)
    }
}

/// One eye detector slid over the whole photo: the left eye, cut out of the grey
/// photo, compared with every patch of the same size by normalised
/// cross-correlation (1 = the same pattern up to brightness and contrast).
/// Everything at half resolution, to keep it fast.
pub struct EyeSearch {
    /// `[H', W']`: the match score of the detector at every position.
    pub scores: Array2<f32>,
}

/// Work at 1 in `EYE_SEARCH_STEP` rows and columns.
pub const EYE_SEARCH_STEP: usize = 2;

impl EyeSearch {
    pub fn compute(cat: &CatPhoto) -> Result<EyeSearch> {
        let grey = half_grey(cat)?; // [H, W]
        EyeSearch::with_detector(&grey, left_eye(&grey).view())
    }

    /// The score of `eye` (any patch, used as a detector) at every position of `grey`.
    /// grey: [H, W], eye: [KH, KW] -> scores: [H - KH + 1, W - KW + 1]
    pub fn with_detector(grey: &Array2<f32>, eye: ArrayView2<f32>) -> Result<EyeSearch> {
        let grey = grey.clone();
        let (kernel_h, kernel_w) = eye.dim();
        // The detector: the eye with its mean removed, scaled to length 1.
        let centred = &eye - eye.mean().unwrap_or(0.0); // [KH, KW]
        let length = centred.mapv(|v| v * v).sum().sqrt();
        let detector = (centred / length).into_shape_with_order((1, 1, kernel_h, kernel_w))?; // [1, 1, KH, KW]
        let (h, w) = grey.dim();
        let image = grey.into_shape_with_order((1, 1, h, w))?; // [1, 1, H, W]
        let no_bias = array![0.0];
        // ANCHOR: eye_search
        // The same weights at every position: one convolution.
        let response = conv2d(image.view(), detector.view(), no_bias.view(), 1, 0)?; // [1, 1, H', W']
        // ANCHOR_END: eye_search
        // The length of each patch with its mean removed, to make the score a cosine:
        // sum (x - mean)^2 = sum x^2 - (sum x)^2 / count.
        let ones = Array4::ones((1, 1, kernel_h, kernel_w));
        let sums = conv2d(image.view(), ones.view(), no_bias.view(), 1, 0)?; // [1, 1, H', W']
        let squares = image.mapv(|v| v * v);
        let sums_of_squares = conv2d(squares.view(), ones.view(), no_bias.view(), 1, 0)?;
        let count = (kernel_h * kernel_w) as f32;
        let mut scores = response.slice(s![0, 0, .., ..]).to_owned(); // [H', W']
        for ((i, j), score) in scores.indexed_iter_mut() {
            let sum = sums[[0, 0, i, j]];
            let spread = (sums_of_squares[[0, 0, i, j]] - sum * sum / count).max(1e-6);
            *score /= spread.sqrt();
        }
        Ok(EyeSearch { scores })
    }

    /// The best match, and the best match at least one eye-width away from it,
    /// as `(row, column, score)` in the full photo's pixels (top-left corner).
    pub fn two_best(&self) -> [(usize, usize, f32); 2] {
        let best_where = |allowed: &dyn Fn(usize, usize) -> bool| {
            let candidates = self
                .scores
                .indexed_iter()
                .filter(|((i, j), _)| allowed(*i, *j));
            candidates.fold((0, 0, f32::NEG_INFINITY), |best, ((i, j), &v)| {
                if v > best.2 { (i, j, v) } else { best }
            })
        };
        let first = best_where(&|_, _| true);
        let width = (LEFT_EYE.3 - LEFT_EYE.2) / EYE_SEARCH_STEP;
        let second = best_where(&|i, j| i.abs_diff(first.0).max(j.abs_diff(first.1)) >= width);
        let full = |(i, j, v): (usize, usize, f32)| (i * EYE_SEARCH_STEP, j * EYE_SEARCH_STEP, v);
        [full(first), full(second)]
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns("match | top-left corner (row, column) | score");
        for (name, (row, column, score)) in ["best", "best elsewhere"].iter().zip(self.two_best()) {
            row!(table, "{name} | ({row}, {column}) | {score:.2}");
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let title = "How much each patch looks like the left eye";
        // The score is a cosine, so it lies in [-1, 1]: the scale holds every value.
        let style = MapStyle::diverging(480).with_range(-1.0, 1.0);
        let marks: Vec<Mark> = (self.two_best().iter().zip(["1: left eye", "2: right eye"]))
            .map(|(&(row, column, score), name)| Mark {
                row: row / EYE_SEARCH_STEP,
                column: column / EYE_SEARCH_STEP,
                label: format!("{name}, {score:.2}"),
            })
            .collect();
        let file = chapter.figure("eye_search.png");
        plot::marked_heatmap(&file, title, self.scores.view(), &marks, &style)
    }
}

/// The grey photo at 1 in [`EYE_SEARCH_STEP`] rows and columns: `[150, 226]`.
pub fn half_grey(cat: &CatPhoto) -> Result<Array2<f32>> {
    Ok(to_grayscale(cat.subsample(EYE_SEARCH_STEP).view())?)
}

/// The left eye cut out of the half-resolution grey photo: `[35, 40]`.
pub fn left_eye(grey: &Array2<f32>) -> Array2<f32> {
    let (step, (top, bottom, left, right)) = (EYE_SEARCH_STEP, LEFT_EYE);
    let eye = grey.slice(s![top / step..bottom / step, left / step..right / step]);
    eye.to_owned()
}

/// Is the right eye's lower score a matter of size? The left-eye detector shrunk
/// to each of [`SCALES`], and its best score near the right eye.
pub struct DetectorScales {
    /// `(scale, detector rows, detector columns, best score near the right eye)`.
    pub rows: Vec<(f32, usize, usize, f32)>,
}

/// The sizes tried, as fractions of the left eye's 70 x 80 pixels.
pub const SCALES: [f32; 5] = [1.0, 0.9, 0.8, 0.7, 0.6];

/// Resize a grey map with bilinear interpolation (the `image` crate's triangle
/// filter): `[H, W] -> [rows, columns]`.
pub fn resize(map: ArrayView2<f32>, rows: usize, columns: usize) -> Result<Array2<f32>> {
    let (h, w) = map.dim();
    let pixels: Vec<f32> = map.iter().copied().collect();
    let image = ImageBuffer::<Luma<f32>, Vec<f32>>::from_raw(w as u32, h as u32, pixels)
        .ok_or_else(|| anyhow::anyhow!("resize: {h} x {w} values do not make an image"))?;
    let resized = imageops::resize(&image, columns as u32, rows as u32, FilterType::Triangle);
    Ok(Array2::from_shape_vec((rows, columns), resized.into_raw())?)
}

impl DetectorScales {
    pub fn compute(cat: &CatPhoto) -> Result<DetectorScales> {
        let grey = half_grey(cat)?; // [150, 226]
        let eye = left_eye(&grey); // [35, 40]
        let (eye_h, eye_w) = eye.dim();
        let step = EYE_SEARCH_STEP;
        let (top, bottom, left, right) = RIGHT_EYE;
        let mut rows = Vec::new();
        for scale in SCALES {
            let (h, w) = (
                (eye_h as f32 * scale).round() as usize,
                (eye_w as f32 * scale).round() as usize,
            );
            let detector = resize(eye.view(), h, w)?; // [h, w]
            let search = EyeSearch::with_detector(&grey, detector.view())?;
            // The best score among patches inside the right eye's region, enlarged
            // by 16 pixels of the full photo on every side.
            let margin = 16 / step;
            let inside = |&((i, j), _): &((usize, usize), &f32)| {
                i + margin >= top / step
                    && j + margin >= left / step
                    && i + h <= bottom / step + margin
                    && j + w <= right / step + margin
            };
            let near_right_eye = search.scores.indexed_iter().filter(inside);
            let best = near_right_eye.fold(f32::NEG_INFINITY, |m, (_, &v)| m.max(v));
            rows.push((scale, h * step, w * step, best));
        }
        Ok(DetectorScales { rows })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "size of the left-eye detector | rows x columns (full photo) | best score near the right eye",
        );
        for &(scale, rows, columns, best) in &self.rows {
            let percent = format!("{:.0}%", 100.0 * scale);
            row!(table, "{percent} | {rows} x {columns} | {best:.2}");
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 3. Learned features: a tiny network against a linear model.
// ---------------------------------------------------------------------------

/// Points per class.
pub const POINTS_PER_CLASS: usize = 100;
/// Hidden units of the tiny network.
pub const HIDDEN: usize = 8;
/// Full-batch gradient-descent steps and their size.
pub const STEPS: usize = 3000;
pub const LEARNING_RATE: f32 = 0.5;
/// The plane shown in the figures: [-EXTENT, EXTENT] on both axes.
pub const EXTENT: f32 = 1.6;
/// Resolution of the decision maps.
pub const RESOLUTION: usize = 120;

/// Two noisy rings: class 0 at radius 0.5, class 1 at radius 1.2. No straight line
/// separates them. Returns points `[2N, 2]` and labels `[2N]` (0 or 1).
pub fn two_rings(seed: u64) -> (Array2<f32>, Array1<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let total = 2 * POINTS_PER_CLASS;
    let mut points = Array2::zeros((total, 2));
    let mut labels = Array1::zeros(total);
    for index in 0..total {
        let class = index % 2;
        let radius = [0.5f32, 1.2][class] + rng.random_range(-0.15f32..0.15);
        let angle = rng.random_range(0.0f32..std::f32::consts::TAU);
        points[[index, 0]] = radius * angle.cos();
        points[[index, 1]] = radius * angle.sin();
        labels[index] = class as f32;
    }
    (points, labels)
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Mean binary cross-entropy: `-mean(y log p + (1 - y) log(1 - p))`.
pub fn cross_entropy(probabilities: ArrayView1<f32>, labels: ArrayView1<f32>) -> f32 {
    let eps = 1e-7;
    let loss = |(&p, &y): (&f32, &f32)| -(y * (p + eps).ln() + (1.0 - y) * (1.0 - p + eps).ln());
    probabilities.iter().zip(labels).map(loss).sum::<f32>() / labels.len() as f32
}

/// Share of points whose probability is on the right side of 0.5.
pub fn accuracy(probabilities: ArrayView1<f32>, labels: ArrayView1<f32>) -> f32 {
    let right = probabilities
        .iter()
        .zip(labels)
        .filter(|&(&p, &y)| (p > 0.5) == (y > 0.5));
    right.count() as f32 / labels.len() as f32
}

/// Logistic regression (a linear model): `p = sigmoid(x . w + b)`.
/// features: [N, D], weight: [D].
#[derive(Debug, Clone)]
pub struct Logistic {
    pub weight: Array1<f32>,
    pub bias: f32,
}

impl Logistic {
    pub fn new(features: usize) -> Logistic {
        Logistic {
            weight: Array1::zeros(features),
            bias: 0.0,
        }
    }

    /// features: [N, D] -> probabilities: [N]
    pub fn forward(&self, features: ArrayView2<f32>) -> Array1<f32> {
        (features.dot(&self.weight) + self.bias).mapv(sigmoid)
    }

    /// One gradient-descent step on the mean cross-entropy; returns the loss before it.
    /// With `dz = (p - y) / N`: `dw = X^T dz`, `db = sum(dz)`.
    pub fn step(&mut self, features: ArrayView2<f32>, labels: ArrayView1<f32>, rate: f32) -> f32 {
        let probabilities = self.forward(features); // [N]
        let loss = cross_entropy(probabilities.view(), labels);
        let dz = (&probabilities - &labels) / labels.len() as f32; // [N]
        let d_weight = features.t().dot(&dz); // [D, N] x [N] -> [D]
        self.weight.scaled_add(-rate, &d_weight);
        self.bias -= rate * dz.sum();
        loss
    }
}

/// The tiny network: 2 inputs, `U` tanh units (`U` = `HIDDEN`), 1 sigmoid output.
///
/// ```text
/// a = x W1 + b1          [N, 2] x [2, U] -> [N, U]
/// h = tanh(a)            [N, U]
/// z = h w2 + b2          [N, U] x [U] -> [N]
/// p = sigmoid(z)         [N]
/// ```
#[derive(Debug, Clone)]
pub struct TinyNetwork {
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    pub w2: Array1<f32>,
    pub b2: f32,
}

/// What the forward pass keeps for the backward pass.
pub struct Cache {
    pub hidden: Array2<f32>,
    pub probabilities: Array1<f32>,
}

/// Gradients of the loss with respect to each parameter.
pub struct Gradients {
    pub w1: Array2<f32>,
    pub b1: Array1<f32>,
    pub w2: Array1<f32>,
    pub b2: f32,
}

impl TinyNetwork {
    /// Small random weights from a seeded generator (uniform in [-1, 1]).
    pub fn new(seed: u64) -> TinyNetwork {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut uniform = || rng.random_range(-1.0f32..1.0);
        let w1 = Array2::from_shape_simple_fn((2, HIDDEN), &mut uniform);
        let b1 = Array1::from_shape_simple_fn(HIDDEN, &mut uniform);
        let w2 = Array1::from_shape_simple_fn(HIDDEN, &mut uniform);
        TinyNetwork {
            w1,
            b1,
            w2,
            b2: 0.0,
        }
    }

    // ANCHOR: forward
    /// points: [N, 2] -> probabilities: [N], keeping the hidden values.
    pub fn forward(&self, points: ArrayView2<f32>) -> Cache {
        let pre_activation = points.dot(&self.w1) + &self.b1; // [N, 2] x [2, U] -> [N, U]
        let hidden = pre_activation.mapv(f32::tanh); // [N, U]: the learned features
        let logits = hidden.dot(&self.w2) + self.b2; // [N, U] x [U] -> [N]
        let probabilities = logits.mapv(sigmoid); // [N]
        Cache {
            hidden,
            probabilities,
        }
    }
    // ANCHOR_END: forward

    // ANCHOR: backward
    /// The chain rule, from the loss back to every weight, for the mean
    /// cross-entropy loss.
    pub fn backward(
        &self,
        points: ArrayView2<f32>,
        labels: ArrayView1<f32>,
        cache: &Cache,
    ) -> Gradients {
        let n = labels.len() as f32;
        // Sigmoid and cross-entropy together have the simple derivative p - y.
        let d_logits = (&cache.probabilities - &labels) / n; // [N]
        let d_w2 = cache.hidden.t().dot(&d_logits); // [U, N] x [N] -> [U]
        let d_b2 = d_logits.sum();
        // Each hidden unit passed its value on with weight w2[j].
        let d_hidden = d_logits
            .view()
            .insert_axis(Axis(1))
            .dot(&self.w2.view().insert_axis(Axis(0))); // [N, 1] x [1, U] -> [N, U]
        // tanh'(a) = 1 - tanh(a)^2.
        let d_pre_activation = d_hidden * cache.hidden.mapv(|h| 1.0 - h * h); // [N, U]
        let d_w1 = points.t().dot(&d_pre_activation); // [2, N] x [N, U] -> [2, U]
        let d_b1 = d_pre_activation.sum_axis(Axis(0)); // [U]
        Gradients {
            w1: d_w1,
            b1: d_b1,
            w2: d_w2,
            b2: d_b2,
        }
    }
    // ANCHOR_END: backward

    /// One gradient-descent step; returns the loss before it.
    pub fn step(&mut self, points: ArrayView2<f32>, labels: ArrayView1<f32>, rate: f32) -> f32 {
        let cache = self.forward(points);
        let loss = cross_entropy(cache.probabilities.view(), labels);
        let gradients = self.backward(points, labels, &cache);
        self.w1.scaled_add(-rate, &gradients.w1);
        self.b1.scaled_add(-rate, &gradients.b1);
        self.w2.scaled_add(-rate, &gradients.w2);
        self.b2 -= rate * gradients.b2;
        loss
    }
}

/// The hand-designed feature: the squared distance from the centre, `x^2 + y^2`,
/// added to the two coordinates. points: [N, 2] -> features: [N, 3]
pub fn with_squared_radius(points: ArrayView2<f32>) -> Array2<f32> {
    let squared_radius = points.map_axis(Axis(1), |p| p[0] * p[0] + p[1] * p[1]); // [N]
    let column = squared_radius.insert_axis(Axis(1)); // [N, 1]
    ndarray::concatenate![Axis(1), points, column] // [N, 3]
}

/// A grid of points over the plane shown in the figures, row 0 at the top:
/// `[R*R, 2]` with `R = resolution`.
pub fn plane_grid(resolution: usize) -> Array2<f32> {
    let step = 2.0 * EXTENT / resolution as f32;
    let centre = |index: usize| (index as f32 + 0.5) * step;
    Array2::from_shape_fn((resolution * resolution, 2), |(index, axis)| {
        let (row, column) = (index / resolution, index % resolution);
        if axis == 0 {
            -EXTENT + centre(column)
        } else {
            EXTENT - centre(row)
        }
    })
}

pub struct Experiment {
    pub train: (Array2<f32>, Array1<f32>),
    pub test: (Array2<f32>, Array1<f32>),
    pub linear: Logistic,
    pub designed: Logistic,
    pub network: TinyNetwork,
    /// Loss before each step: `(linear, designed, network)`.
    pub losses: Vec<(f32, f32, f32)>,
}

/// The seeds of the repeated experiment: `(training points, test points, network)`.
pub const SEEDS: [(u64, u64, u64); 5] = [
    (10, 11, 1),
    (20, 21, 2),
    (30, 31, 3),
    (40, 41, 4),
    (50, 51, 5),
];

impl Experiment {
    /// The experiment the chapter shows: training points from seed 0, test points
    /// from seed 1, the network's starting weights from seed 42.
    pub fn run() -> Result<Experiment> {
        Experiment::run_seeded((0, 1, 42))
    }

    /// The same experiment on other data and starting weights.
    pub fn run_seeded(
        (train_seed, test_seed, network_seed): (u64, u64, u64),
    ) -> Result<Experiment> {
        let (train, test) = (two_rings(train_seed), two_rings(test_seed));
        let (points, labels) = (train.0.view(), train.1.view()); // [2N, 2], [2N]
        let designed_features = with_squared_radius(points); // [2N, 3]
        let (mut linear, mut designed) = (Logistic::new(2), Logistic::new(3));
        let mut network = TinyNetwork::new(network_seed);
        let mut losses = Vec::with_capacity(STEPS);
        // ANCHOR: train
        for _ in 0..STEPS {
            let linear_loss = linear.step(points, labels, LEARNING_RATE);
            let designed_loss = designed.step(designed_features.view(), labels, LEARNING_RATE);
            let network_loss = network.step(points, labels, LEARNING_RATE);
            losses.push((linear_loss, designed_loss, network_loss));
        }
        // ANCHOR_END: train
        Ok(Experiment {
            train,
            test,
            linear,
            designed,
            network,
            losses,
        })
    }

    /// `(train accuracy, test accuracy, final loss)` of each model, in table order.
    pub fn scores(&self) -> Vec<(f32, f32, f32)> {
        let score = |model: &dyn Fn(ArrayView2<f32>) -> Array1<f32>| {
            let [train, test] = [&self.train, &self.test].map(|(x, y)| (model(x.view()), y.view()));
            let loss = cross_entropy(train.0.view(), train.1);
            (
                accuracy(train.0.view(), train.1),
                accuracy(test.0.view(), test.1),
                loss,
            )
        };
        vec![
            score(&|x| self.linear.forward(x)),
            score(&|x| self.designed.forward(with_squared_radius(x).view())),
            score(&|x| self.network.forward(x).probabilities),
        ]
    }

    /// The experiment repeated for every seed of [`SEEDS`]: each one's scores.
    pub fn over_seeds() -> Result<Vec<Vec<(f32, f32, f32)>>> {
        SEEDS
            .iter()
            .map(|&seeds| Ok(Experiment::run_seeded(seeds)?.scores()))
            .collect()
    }

    /// The hidden units whose value changes by less than 0.2 over the whole plane
    /// of the figures: they are nearly constant, an extra bias for the output.
    pub fn constant_units(&self) -> Vec<usize> {
        let hidden = self.network.forward(plane_grid(RESOLUTION).view()).hidden; // [R*R, U]
        (0..HIDDEN)
            .filter(|&unit| {
                let column = hidden.column(unit);
                let (low, high) = column.fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| {
                    (l.min(v), h.max(v))
                });
                high - low < 0.2
            })
            .collect()
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "model | inputs | learned numbers | training accuracy | test accuracy | final loss",
        );
        let network = format!("tiny network, {HIDDEN} tanh units");
        let models = [
            ("logistic regression (linear)", "x, y", 3),
            (
                "logistic regression, designed feature",
                "x, y, x^2 + y^2",
                4,
            ),
            (network.as_str(), "x, y", 2 * HIDDEN + HIDDEN + HIDDEN + 1),
        ];
        for ((name, inputs, parameters), (train, test, loss)) in models.iter().zip(self.scores()) {
            let [train, test] = [train, test].map(|a| format!("{:.1}%", 100.0 * a));
            let (weights, loss) = (parameters, format!("{loss:.3}"));
            row!(
                table,
                "{name} | {inputs} | {weights} | {train} | {test} | {loss}"
            );
        }
        table
    }

    fn figures(&self, chapter: &Chapter) -> Result<()> {
        let grid = plane_grid(RESOLUTION); // [R*R, 2]
        let grid = grid.view();
        let as_map = |values: Array1<f32>| values.into_shape_with_order((RESOLUTION, RESOLUTION)); // [R*R] -> [R, R]
        let points: Vec<LabelledPoint> = (self.train.0.outer_iter().zip(&self.train.1))
            .map(|(p, &y)| LabelledPoint {
                x: p[0],
                y: p[1],
                class: y as usize,
            })
            .collect();
        let style = MapStyle::diverging(360).with_range(0.0, 1.0);
        for (file, title, probabilities) in [
            (
                "decision_network.png",
                "Tiny network: probability of the outer ring",
                self.network.forward(grid).probabilities,
            ),
            (
                "decision_linear.png",
                "Logistic regression: probability of the outer ring",
                self.linear.forward(grid),
            ),
        ] {
            let map = as_map(probabilities)?;
            plot::map_with_points(
                &chapter.figure(file),
                title,
                map.view(),
                (-EXTENT, EXTENT),
                &points,
                &style,
            )?;
        }

        // Each hidden unit over the plane: the features the network learned.
        let hidden = self.network.forward(grid).hidden; // [R*R, U]
        let maps = (0..HIDDEN)
            .map(|unit| as_map(hidden.column(unit).to_owned()))
            .collect::<Result<Vec<_>, _>>()?;
        let panels: Vec<Panel> = (maps.iter().enumerate())
            .map(|(unit, map)| {
                Panel::new(
                    format!("unit {} (weight {:+.1})", unit + 1, self.network.w2[unit]),
                    map.view(),
                )
            })
            .collect();
        let title = format!("The {HIDDEN} learned features: tanh of a weighted sum of x and y");
        let style = MapStyle::diverging(150).with_range(-1.0, 1.0);
        plot::grid(
            &chapter.figure("hidden_units.png"),
            &title,
            &panels,
            4,
            &style,
        )?;

        let curve = |name, pick: fn(&(f32, f32, f32)) -> f32| {
            let every_25th = self.losses.iter().enumerate().step_by(25);
            Series::new(
                name,
                every_25th.map(|(step, l)| (step as f32, pick(l))).collect(),
            )
        };
        let series = [
            curve("logistic regression (x, y)", |l| l.0),
            curve("logistic regression (x, y, x^2 + y^2)", |l| l.1),
            curve("tiny network (x, y)", |l| l.2),
        ];
        let title = "Training loss (cross-entropy) during gradient descent";
        let labels = Labels::new(title, "gradient-descent step", "loss")
            .legend_at(SeriesLabelPosition::MiddleRight);
        plot::line_chart(&chapter.figure("loss.svg"), &labels, &series)
    }
}

/// The test accuracy of each model over the seeds of [`SEEDS`]: the lowest and the
/// highest, and in how many runs it was at least 95%.
pub fn seeds_table(scores: &[Vec<(f32, f32, f32)>]) -> Table {
    let mut table = Table::columns(&format!(
        "model | lowest test accuracy | highest test accuracy | runs with at least 95% (of {})",
        scores.len()
    ));
    let models = [
        "logistic regression (linear)",
        "logistic regression, designed feature",
        "tiny network",
    ];
    for (index, name) in models.iter().enumerate() {
        let tests: Vec<f32> = scores.iter().map(|run| run[index].1).collect();
        let low = tests.iter().fold(f32::INFINITY, |m, &a| m.min(a));
        let high = tests.iter().fold(f32::NEG_INFINITY, |m, &a| m.max(a));
        let good = tests.iter().filter(|&&a| a >= 0.95).count();
        let [low, high] = [low, high].map(|a| format!("{:.1}%", 100.0 * a));
        row!(table, "{name} | {low} | {high} | {good}");
    }
    table
}
