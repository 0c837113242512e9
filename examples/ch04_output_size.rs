//! Chapter 4: the output-size formula.
//!
//! Run with `cargo run --example ch04_output_size`. It prints every number the
//! chapter quotes, writes the chapter's tables to `book/generated/ch04/` and its
//! figures to `book/figures/ch04/`. Each section below is one section of the chapter.

use anyhow::Result;
use clap::Parser;
use cnn_book::plot::{self, MapStyle, Panel};
use cnn_book::text::with_thousands;
use cnn_book::{Chapter, Table, row};
use cnn_core::models::alexnet::{Stage, architecture};
use cnn_core::shape::{dropped_by_floor, same_padding};
use cnn_core::{Conv2d, Conv2dConfig, Dense, Layer, Pool2d, Sequential, output_size};
use ndarray::{Array1, Array2, Array4};

/// Computes chapter 4's numbers and draws its figures into book/generated/ch04/ and
/// book/figures/ch04/.
#[derive(Debug, Parser)]
pub struct Args {}

fn main() -> Result<()> {
    Args::parse();
    let chapter = Chapter::new("ch04")?;

    chapter.publish("counting", &counting_positions()?)?;
    chapter.publish("strides", &strides()?)?;
    chapter.publish("padding_modes", &padding_modes()?)?;

    let lenet = walk(&lenet5()?, [1, 1, 28, 28])?;
    chapter.publish("lenet", &lenet.table())?;
    let tiny_vgg = walk(&tiny_vgg()?, [1, 3, 64, 64])?;
    chapter.publish("tiny_vgg", &tiny_vgg.table())?;

    chapter.publish(
        "channels_lenet",
        &channel_growth(&lenet5_stages(), [1, 28, 28])?,
    )?;
    chapter.publish(
        "channels_vgg16",
        &channel_growth(&vgg16_stages(), [3, 224, 224])?,
    )?;

    let coverage = Coverage::compute()?;
    coverage.figure(&chapter)?;
    chapter.publish("dropped", &coverage.table())?;
    chapter.publish("same_padding", &tensorflow_same()?)?;

    chapter.publish("total_padding", &total_padding()?)?;

    animations(&chapter)?;

    chapter.finish()?;
    Ok(())
}

// ---------------------------------------------------------------------------
// 1. Counting positions: n - k + 1, then with padding and stride.
// ---------------------------------------------------------------------------

/// Where a kernel of size `kernel` can start on a padded input of `padded` values
/// when it moves `stride` at a time: 0, S, 2S, ... up to `padded - kernel`.
pub fn start_positions(padded: usize, kernel: usize, stride: usize) -> Vec<usize> {
    // ANCHOR: count
    let last_start = padded - kernel; // the kernel's last pixel must stay inside
    let starts: Vec<usize> = (0..=last_start).step_by(stride).collect();
    // ANCHOR_END: count
    starts
}

/// The start positions for a table: all of them, or the first three and the last.
fn listed(starts: &[usize], stride: usize) -> String {
    match starts {
        [.., last] if starts.len() > 8 => {
            format!("0, {stride}, {}, ..., {last}", 2 * stride)
        }
        _ => starts
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Small cases counted by hand (listing the start positions) beside the library's
/// formula, so the reader can see they agree.
pub fn counting_positions() -> Result<Table> {
    let mut table =
        Table::columns("W | K | P | start positions of the kernel | count | W + 2P - K + 1");
    for (n, k, p) in [(5, 3, 0), (6, 3, 0), (7, 5, 0), (5, 3, 1), (28, 5, 2)] {
        let starts = start_positions(n + 2 * p, k, 1);
        let (listed, count, formula) = (listed(&starts, 1), starts.len(), output_size(n, k, 1, p)?);
        row!(table, "{n} | {k} | {p} | {listed} | {count} | {formula}");
    }
    Ok(table)
}

/// The same counting with a stride: only every `s`-th start is used.
pub fn strides() -> Result<Table> {
    let mut table =
        Table::columns("W | K | P | S | start positions | count | floor((W + 2P - K) / S) + 1");
    for (n, k, p, s) in [
        (5, 3, 0, 2),
        (7, 3, 0, 2),
        (6, 3, 0, 2),
        (7, 3, 1, 2),
        (8, 2, 0, 2),
        (224, 7, 3, 2),
    ] {
        let starts = start_positions(n + 2 * p, k, s);
        let (listed, count, formula) = (listed(&starts, s), starts.len(), output_size(n, k, s, p)?);
        row!(
            table,
            "{n} | {k} | {p} | {s} | {listed} | {count} | {formula}"
        );
    }
    Ok(table)
}

// ---------------------------------------------------------------------------
// 2. Valid and same padding.
// ---------------------------------------------------------------------------

/// "Valid" (no padding) against "same" (padding (K - 1) / 2) for odd kernels on a
/// 32-pixel input.
pub fn padding_modes() -> Result<Table> {
    let n = 32;
    let mut table = Table::columns(
        "kernel K | output with valid padding, P = 0 | same: P = (K - 1) / 2 | output with same padding",
    );
    for k in [1, 3, 5, 7, 11] {
        let same = (k - 1) / 2;
        let (valid_size, same_size) = (output_size(n, k, 1, 0)?, output_size(n, k, 1, same)?);
        row!(table, "{k} x {k} | {valid_size} | {same} | {same_size}");
    }
    Ok(table)
}

// ---------------------------------------------------------------------------
// 3. Walking real networks layer by layer.
// ---------------------------------------------------------------------------

/// A convolution layer from `channels` to `filters` maps of `kernel x kernel`, with
/// zero weights: only its shape matters here.
fn conv(channels: usize, filters: usize, kernel: usize, padding: usize) -> Result<Conv2d> {
    let weight = Array4::zeros((filters, channels, kernel, kernel)); // [F, C, K, K]
    Ok(Conv2d::new(
        weight,
        Array1::zeros(filters),
        Conv2dConfig::padding(padding),
    )?)
}

/// A fully connected layer `inputs -> outputs` with zero weights.
fn dense(inputs: usize, outputs: usize) -> Result<Dense> {
    Ok(Dense::new(
        Array2::zeros((outputs, inputs)),
        Array1::zeros(outputs),
    )?) // [O, I], [O]
}

/// LeNet-5 as used on 28x28 MNIST digits (LeCun et al., 1998, whose input was 32x32:
/// padding the 28x28 digits by 2 gives the same sizes). Activations are left out:
/// they do not change shapes.
pub fn lenet5() -> Result<Sequential> {
    // ANCHOR: lenet
    let mut net = Sequential::new();
    net.push("conv1", conv(1, 6, 5, 2)?)?; // [N, 1, 28, 28] -> [N, 6, 28, 28]
    net.push("pool1", Pool2d::max(2, 2)?)?; // -> [N, 6, 14, 14]
    net.push("conv2", conv(6, 16, 5, 0)?)?; // -> [N, 16, 10, 10]
    net.push("pool2", Pool2d::max(2, 2)?)?; // -> [N, 16, 5, 5]
    net.push("flatten", Layer::Flatten)?; // -> [N, 400]
    net.push("fc1", dense(400, 120)?)?; // -> [N, 120]
    net.push("fc2", dense(120, 84)?)?; // -> [N, 84]
    net.push("fc3", dense(84, 10)?)?; // -> [N, 10]
    // ANCHOR_END: lenet
    Ok(net)
}

/// Tiny VGG from CNN Explainer (Wang et al., 2021): four 3x3 convolutions of 10
/// filters without padding, a 2x2 max pooling after every second one, and a fully
/// connected layer to 10 classes. ReLUs left out: they do not change shapes.
pub fn tiny_vgg() -> Result<Sequential> {
    let mut net = Sequential::new();
    net.push("conv_1_1", conv(3, 10, 3, 0)?)?; // [N, 3, 64, 64] -> [N, 10, 62, 62]
    net.push("conv_1_2", conv(10, 10, 3, 0)?)?; // -> [N, 10, 60, 60]
    net.push("max_pool_1", Pool2d::max(2, 2)?)?; // -> [N, 10, 30, 30]
    net.push("conv_2_1", conv(10, 10, 3, 0)?)?; // -> [N, 10, 28, 28]
    net.push("conv_2_2", conv(10, 10, 3, 0)?)?; // -> [N, 10, 26, 26]
    net.push("max_pool_2", Pool2d::max(2, 2)?)?; // -> [N, 10, 13, 13]
    net.push("flatten", Layer::Flatten)?; // -> [N, 1690]
    net.push("output", dense(1690, 10)?)?; // -> [N, 10]
    Ok(net)
}

/// One row of a network walk: the layer, the formula with its numbers, and the
/// shape the network really produced.
pub struct WalkRow {
    pub name: String,
    pub description: String,
    /// `"floor((28 + 2*2 - 5) / 1) + 1 = 28"`, or empty for layers without a window.
    pub formula: String,
    pub output_shape: Vec<usize>,
    pub parameters: usize,
}

pub struct Walk {
    pub rows: Vec<WalkRow>,
}

/// Walk `net` on an input of `input_shape`: for every layer with a sliding window,
/// compute its output size with [`output_size`] from the previous height, and take
/// the shape the network actually produces from [`Sequential::summary`].
pub fn walk(net: &Sequential, input_shape: [usize; 4]) -> Result<Walk> {
    let mut height = input_shape[2];
    let mut rows = Vec::new();
    for (named, summary) in net.layers().iter().zip(net.summary(input_shape)?) {
        let window = match &named.layer {
            Layer::Conv2d(conv) => Some((conv.weight.dim().2, conv.stride, conv.padding)),
            Layer::Pool2d(pool) => Some((pool.kernel, pool.stride, 0)),
            _ => None,
        };
        let mut formula = String::new();
        if let Some((kernel, stride, padding)) = window {
            let out = output_size(height, kernel, stride, padding)?;
            formula = format!("floor(({height} + 2*{padding} - {kernel}) / {stride}) + 1 = {out}");
            height = out;
        }
        let (name, description) = (summary.name, summary.description);
        let (output_shape, parameters) = (summary.output_shape, summary.parameters);
        rows.push(WalkRow {
            name,
            description,
            formula,
            output_shape,
            parameters,
        });
    }
    Ok(Walk { rows })
}

impl Walk {
    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "layer | what | output size from the formula | output shape `[N, C, H, W]` | parameters",
        );
        for row in &self.rows {
            let shape = format!("`{:?}`", row.output_shape);
            let WalkRow {
                name,
                description,
                formula,
                parameters,
                ..
            } = row;
            row!(
                table,
                "{name} | {description} | {formula} | {shape} | {parameters}"
            );
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 4. When the stride does not divide: floor mode drops pixels.
// ---------------------------------------------------------------------------

/// The cases drawn: `(n, k, s)`, no padding.
pub const COVERAGE_CASES: [(usize, usize, usize); 3] = [(7, 3, 2), (8, 3, 2), (9, 4, 3)];

pub struct Coverage {
    /// For each case: how many windows cover each pixel, `[n, n]`.
    pub maps: Vec<Array2<f32>>,
}

/// How many kernel windows cover each pixel of an `n x n` input (no padding).
/// A 0 is a pixel the layer never looks at.
pub fn coverage_map(n: usize, kernel: usize, stride: usize) -> Result<Array2<f32>> {
    // ANCHOR: coverage
    let positions = output_size(n, kernel, stride, 0)?;
    let mut covered = Array2::<f32>::zeros((n, n));
    for i in 0..positions {
        for j in 0..positions {
            for u in 0..kernel {
                for v in 0..kernel {
                    covered[[i * stride + u, j * stride + v]] += 1.0;
                }
            }
        }
    }
    // ANCHOR_END: coverage
    Ok(covered)
}

impl Coverage {
    pub fn compute() -> Result<Coverage> {
        let maps = COVERAGE_CASES
            .iter()
            .map(|&(n, k, s)| coverage_map(n, k, s));
        Ok(Coverage {
            maps: maps.collect::<Result<_>>()?,
        })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "W | K | S | (W - K) mod S | output | rows never covered | pixels never covered",
        );
        for (&(n, k, s), map) in COVERAGE_CASES.iter().zip(&self.maps) {
            let dropped = dropped_by_floor(n, k, s, 0).unwrap_or(0);
            let never = map.iter().filter(|&&c| c == 0.0).count();
            let output = output_size(n, k, s, 0).unwrap_or(0);
            let remainder = (n - k) % s;
            row!(
                table,
                "{n} | {k} | {s} | {remainder} | {output} | {dropped} | {never}"
            );
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let mut panels = Vec::new();
        for (&(n, k, s), map) in COVERAGE_CASES.iter().zip(&self.maps) {
            let dropped = dropped_by_floor(n, k, s, 0)?;
            panels.push(Panel::new(
                format!("W = {n}, K = {k}, S = {s}: {dropped} dropped"),
                map.view(),
            ));
        }
        let file = chapter.figure("coverage.png");
        let title = "How many windows cover each input pixel (0 = never seen)";
        let style = MapStyle::viridis(200).annotated().with_range(0.0, 4.0);
        plot::grid(&file, title, &panels, 3, &style)
    }
}

// ---------------------------------------------------------------------------
// 5. Padding per side or in total.
// ---------------------------------------------------------------------------

/// Some books (Dive into Deep Learning among them) write `p_h` for the *total* padding
/// of both sides, so their formula reads `n_h - k_h + p_h + 1`. This library, PyTorch
/// and most papers use `P` per side: `W + 2P - K + 1`. The two agree when `p_h = 2P`;
/// mixing them up is off by `P`.
pub fn total_padding() -> Result<Table> {
    let mut table = Table::columns(
        "W | K | P per side | W + 2P - K + 1 (this book) | total p_h = 2P | W - K + p_h + 1 (d2l) | mixed up: W - K + P + 1",
    );
    for (n, k, p) in [(28, 5, 2), (32, 3, 1), (64, 7, 3), (10, 3, 0)] {
        let total = 2 * p;
        let library = output_size(n, k, 1, p)?;
        let (with_total, mixed_up) = (n + total - k + 1, n + p - k + 1);
        row!(
            table,
            "{n} | {k} | {p} | {library} | {total} | {with_total} | {mixed_up}"
        );
    }
    Ok(table)
}

// ---------------------------------------------------------------------------
// 6. Why channels grow as maps shrink: the cost of each layer.
// ---------------------------------------------------------------------------

/// LeNet-5 as [`lenet5`] builds it, as a list of stages for [`architecture`].
pub fn lenet5_stages() -> Vec<Stage> {
    vec![
        conv_stage("conv1", 6, 5, 2),
        Stage::Pool {
            name: "pool1",
            kernel: 2,
            stride: 2,
        },
        conv_stage("conv2", 16, 5, 0),
        Stage::Pool {
            name: "pool2",
            kernel: 2,
            stride: 2,
        },
    ]
}

/// The convolutions of VGG-16 (Simonyan and Zisserman, 2015, table 1, column D):
/// five blocks of 3x3 convolutions with padding 1, each block ending in a 2x2 max
/// pooling, with 64, 128, 256, 512 and 512 filters.
pub fn vgg16_stages() -> Vec<Stage> {
    let names = [
        ["conv1_1", "conv1_2", ""],
        ["conv2_1", "conv2_2", ""],
        ["conv3_1", "conv3_2", "conv3_3"],
        ["conv4_1", "conv4_2", "conv4_3"],
        ["conv5_1", "conv5_2", "conv5_3"],
    ];
    let pools = ["pool1", "pool2", "pool3", "pool4", "pool5"];
    let mut stages = Vec::new();
    for ((block, filters), pool) in names.iter().zip([64, 128, 256, 512, 512]).zip(pools) {
        for name in block.iter().filter(|n| !n.is_empty()) {
            stages.push(conv_stage(name, filters, 3, 1));
        }
        stages.push(Stage::Pool {
            name: pool,
            kernel: 2,
            stride: 2,
        });
    }
    stages
}

/// A convolution stage with stride 1 and no channel groups.
fn conv_stage(name: &'static str, filters: usize, kernel: usize, padding: usize) -> Stage {
    Stage::Conv {
        name,
        filters,
        kernel,
        stride: 1,
        padding,
        groups: 1,
    }
}

/// What each convolution of a network stores and computes, for one image of shape
/// `input = [C, H, W]`: its output shape (from [`architecture`], which asks
/// `output_size`), the values it stores, its weights, and its multiply-adds: each of
/// the `F * C * K * K` weights is used once at each of the `H' * W'` positions.
pub fn channel_growth(stages: &[Stage], input: [usize; 3]) -> Result<Table> {
    let mut table = Table::columns(
        "layer | output `[C, H, W]` | values in the output | weights | multiply-adds",
    );
    for (stage, shape) in stages.iter().zip(architecture(stages, input)?) {
        if let Stage::Conv { filters, .. } = stage {
            // ANCHOR: multiply_adds
            let weights = shape.parameters - filters; // F * C * K * K, biases left out
            let positions = shape.output[1] * shape.output[2]; // H' * W'
            let multiply_adds = weights * positions; // each weight once per position
            // ANCHOR_END: multiply_adds
            let values = shape.output.iter().product::<usize>(); // F * H' * W'
            let [values, weights, multiply_adds] =
                [values, weights, multiply_adds].map(with_thousands);
            let output = format!("`{:?}`", shape.output);
            row!(
                table,
                "{} | {output} | {values} | {weights} | {multiply_adds}",
                shape.name
            );
        }
    }
    Ok(table)
}

// ---------------------------------------------------------------------------
// 7. TensorFlow's "SAME" padding: ceil(W / S) positions.
// ---------------------------------------------------------------------------

/// The cases of the SAME-padding table: `(W, K, S)`.
pub const SAME_CASES: [(usize, usize, usize); 7] = [
    (28, 5, 1),
    (28, 4, 1),
    (5, 3, 2),
    (6, 3, 2),
    (7, 3, 2),
    (8, 2, 2),
    (224, 7, 2),
];

/// TensorFlow's SAME padding for each case: the output `ceil(W / S)`, the padding
/// that gives it and how it is split, the windows counted on the padded input, and
/// what one symmetric padding (as PyTorch takes it) of `ceil(total / 2)` gives.
pub fn tensorflow_same() -> Result<Table> {
    let mut table = Table::columns(
        "W | K | S | W' = ceil(W / S) | total padding | before / after | floor((W + total - K) / S) + 1 | symmetric P = ceil(total / 2): output",
    );
    for (w, k, s) in SAME_CASES {
        let same = same_padding(w, k, s)?;
        let counted = (w + same.total - k) / s + 1;
        let symmetric = same.total.div_ceil(2);
        let symmetric_output = output_size(w, k, s, symmetric)?;
        row!(
            table,
            "{w} | {k} | {s} | {} | {} | {} / {} | {counted} | P = {symmetric}: {symmetric_output}",
            same.output,
            same.total,
            same.before,
            same.after
        );
    }
    Ok(table)
}

// ---------------------------------------------------------------------------
// Animations: the window sliding, for four settings of padding and stride.
// ---------------------------------------------------------------------------

/// The cases animated, in the manner of Dumoulin and Visin's convolution-arithmetic
/// figures: `(file, n, K, P, S)`.
pub const ANIMATIONS: [(&str, usize, usize, usize, usize); 4] = [
    ("slide_no_padding.gif", 5, 3, 0, 1),
    ("slide_same_padding.gif", 5, 3, 1, 1),
    ("slide_stride_2.gif", 5, 3, 1, 2),
    ("slide_uncovered.gif", 6, 3, 0, 2),
];

/// One GIF per case: the padded input (padding grey), the window, the output filling in.
fn animations(chapter: &Chapter) -> Result<()> {
    for (file, n, kernel, padding, stride) in ANIMATIONS {
        let input = Array2::<f32>::zeros((n, n)); // only the cells matter here
        let side = output_size(n, kernel, stride, padding)?; // floor((W + 2P - K) / S) + 1
        let title = format!(
            "W = {n}, K = {kernel}, P = {padding}, S = {stride}: {side} x {side} positions"
        );
        let sliding = plot::Sliding {
            input: input.view(),
            kernel: (kernel, kernel),
            stride,
            padding,
            output: None,
            show_values: false,
        };
        plot::sliding_animation(&chapter.figure(file), &title, &sliding, 30, 700)?;
    }
    Ok(())
}
