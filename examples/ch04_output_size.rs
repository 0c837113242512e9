//! Chapter 4: the output-size formula.
//!
//! Run with `cargo run --example ch04_output_size`. It prints every number the
//! chapter quotes, writes the chapter's tables to `book/generated/ch04/` and its
//! figures to `book/figures/ch04/`. Each section below is one section of the chapter.

use anyhow::Result;
use cnn_book::plot::{self, ColorScale, MapStyle, Panel};
use cnn_book::{Chapter, Table};
use cnn_core::{
    Conv2d, Conv2dConfig, Dense, Layer, Pool2d, Sequential, dropped_by_floor, output_size,
};
use ndarray::{Array1, Array2, Array4};

fn main() -> Result<()> {
    let chapter = Chapter::new("ch04");

    chapter.publish("counting", &counting_positions()?)?;
    chapter.publish("strides", &strides()?)?;
    chapter.publish("padding_modes", &padding_modes()?)?;

    let lenet = walk(&lenet5()?, &[1, 1, 28, 28])?;
    chapter.publish("lenet", &lenet.table())?;
    let tiny_vgg = walk(&tiny_vgg()?, &[1, 3, 64, 64])?;
    chapter.publish("tiny_vgg", &tiny_vgg.table())?;

    let coverage = Coverage::compute()?;
    coverage.figure(&chapter)?;
    chapter.publish("dropped", &coverage.table())?;

    chapter.publish("total_padding", &total_padding()?)?;

    println!("figures in book/figures/ch04/, tables in book/generated/ch04/");
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

/// Small cases counted by hand (listing the start positions) beside the library's
/// formula, so the reader can see they agree.
pub fn counting_positions() -> Result<Table> {
    let mut table = Table::new([
        "n",
        "k",
        "p",
        "start positions of the kernel",
        "count",
        "n + 2p - k + 1",
    ]);
    for (n, k, p) in [(5, 3, 0), (6, 3, 0), (7, 5, 0), (5, 3, 1), (28, 5, 2)] {
        let starts = start_positions(n + 2 * p, k, 1);
        let listed = if starts.len() <= 8 {
            starts
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!("0, 1, 2, ..., {}", starts[starts.len() - 1])
        };
        table.row([
            n.to_string(),
            k.to_string(),
            p.to_string(),
            listed,
            starts.len().to_string(),
            output_size(n, k, 1, p)?.to_string(),
        ]);
    }
    Ok(table)
}

/// The same counting with a stride: only every `s`-th start is used.
pub fn strides() -> Result<Table> {
    let mut table = Table::new([
        "n",
        "k",
        "p",
        "s",
        "start positions",
        "count",
        "floor((n + 2p - k) / s) + 1",
    ]);
    for (n, k, p, s) in [
        (5, 3, 0, 2),
        (7, 3, 0, 2),
        (6, 3, 0, 2),
        (7, 3, 1, 2),
        (8, 2, 0, 2),
        (224, 7, 3, 2),
    ] {
        let starts = start_positions(n + 2 * p, k, s);
        let listed = if starts.len() <= 8 {
            starts
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            format!("0, {s}, {}, ..., {}", 2 * s, starts[starts.len() - 1])
        };
        table.row([
            n.to_string(),
            k.to_string(),
            p.to_string(),
            s.to_string(),
            listed,
            starts.len().to_string(),
            output_size(n, k, s, p)?.to_string(),
        ]);
    }
    Ok(table)
}

// ---------------------------------------------------------------------------
// 2. Valid and same padding.
// ---------------------------------------------------------------------------

/// "Valid" (no padding) against "same" (padding (k - 1) / 2) for odd kernels on a
/// 32-pixel input.
pub fn padding_modes() -> Result<Table> {
    let n = 32;
    let mut table = Table::new([
        "kernel k",
        "valid: p = 0",
        "same: p = (k - 1) / 2",
        "output with same padding",
    ]);
    for k in [1, 3, 5, 7, 11] {
        let same_padding = (k - 1) / 2;
        table.row([
            format!("{k} x {k}"),
            output_size(n, k, 1, 0)?.to_string(),
            same_padding.to_string(),
            output_size(n, k, 1, same_padding)?.to_string(),
        ]);
    }
    Ok(table)
}

// ---------------------------------------------------------------------------
// 3. Walking real networks layer by layer.
// ---------------------------------------------------------------------------

/// A convolution layer of `filters` filters of `kernel x kernel` over `channels`,
/// with zero weights: only its shape matters here.
fn zero_conv(
    name: &str,
    filters: usize,
    channels: usize,
    kernel: usize,
    padding: usize,
) -> Result<Layer> {
    let weight = Array4::zeros((filters, channels, kernel, kernel)); // [F, C, K, K]
    let config = Conv2dConfig { stride: 1, padding };
    Ok(Layer::Conv2d(Conv2d::new(
        name,
        weight,
        Array1::zeros(filters),
        config,
    )?))
}

/// A fully connected layer `inputs -> outputs` with zero weights.
fn zero_dense(name: &str, inputs: usize, outputs: usize) -> Result<Layer> {
    Ok(Layer::Dense(Dense::new(
        name,
        Array2::zeros((outputs, inputs)), // [O, I]
        Array1::zeros(outputs),
    )?))
}

/// LeNet-5 as used on 28x28 MNIST digits (LeCun et al., 1998, whose input was 32x32:
/// padding the 28x28 digits by 2 gives the same sizes). Activations are left out:
/// they do not change shapes.
pub fn lenet5() -> Result<Sequential> {
    // ANCHOR: lenet
    let mut net = Sequential::new();
    net.push("conv1", zero_conv("conv1", 6, 1, 5, 2)?)?; // [N, 1, 28, 28] -> [N, 6, 28, 28]
    net.push("pool1", Layer::Pool2d(Pool2d::max(2, 2)?))?; // -> [N, 6, 14, 14]
    net.push("conv2", zero_conv("conv2", 16, 6, 5, 0)?)?; // -> [N, 16, 10, 10]
    net.push("pool2", Layer::Pool2d(Pool2d::max(2, 2)?))?; // -> [N, 16, 5, 5]
    net.push("flatten", Layer::Flatten)?; // -> [N, 400]
    net.push("fc1", zero_dense("fc1", 400, 120)?)?; // -> [N, 120]
    net.push("fc2", zero_dense("fc2", 120, 84)?)?; // -> [N, 84]
    net.push("fc3", zero_dense("fc3", 84, 10)?)?; // -> [N, 10]
    // ANCHOR_END: lenet
    Ok(net)
}

/// Tiny VGG from CNN Explainer (Wang et al., 2021): four 3x3 convolutions of 10
/// filters without padding, a 2x2 max pooling after every second one, and a fully
/// connected layer to 10 classes. ReLUs left out: they do not change shapes.
pub fn tiny_vgg() -> Result<Sequential> {
    let mut net = Sequential::new();
    net.push("conv_1_1", zero_conv("conv_1_1", 10, 3, 3, 0)?)?; // [N, 3, 64, 64] -> [N, 10, 62, 62]
    net.push("conv_1_2", zero_conv("conv_1_2", 10, 10, 3, 0)?)?; // -> [N, 10, 60, 60]
    net.push("max_pool_1", Layer::Pool2d(Pool2d::max(2, 2)?))?; // -> [N, 10, 30, 30]
    net.push("conv_2_1", zero_conv("conv_2_1", 10, 10, 3, 0)?)?; // -> [N, 10, 28, 28]
    net.push("conv_2_2", zero_conv("conv_2_2", 10, 10, 3, 0)?)?; // -> [N, 10, 26, 26]
    net.push("max_pool_2", Layer::Pool2d(Pool2d::max(2, 2)?))?; // -> [N, 10, 13, 13]
    net.push("flatten", Layer::Flatten)?; // -> [N, 1690]
    net.push("output", zero_dense("output", 1690, 10)?)?; // -> [N, 10]
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
pub fn walk(net: &Sequential, input_shape: &[usize]) -> Result<Walk> {
    let summary = net.summary(input_shape)?;
    let mut height = input_shape[2];
    let mut rows = Vec::new();
    for ((_, layer), layer_summary) in net.layers.iter().zip(summary) {
        let window = match layer {
            Layer::Conv2d(conv) => Some((conv.weight.dim().2, conv.stride, conv.padding)),
            Layer::Pool2d(pool) => Some((pool.kernel, pool.stride, 0)),
            _ => None,
        };
        let formula = match window {
            Some((kernel, stride, padding)) => {
                let out = output_size(height, kernel, stride, padding)?;
                let text =
                    format!("floor(({height} + 2*{padding} - {kernel}) / {stride}) + 1 = {out}");
                height = out;
                text
            }
            None => String::new(),
        };
        rows.push(WalkRow {
            name: layer_summary.name,
            description: layer_summary.description,
            formula,
            output_shape: layer_summary.output_shape,
            parameters: layer_summary.parameters,
        });
    }
    Ok(Walk { rows })
}

impl Walk {
    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "layer",
            "what",
            "output size from the formula",
            "output shape `[N, C, H, W]`",
            "parameters",
        ]);
        for row in &self.rows {
            let shape = row
                .output_shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            table.row([
                row.name.clone(),
                row.description.clone(),
                row.formula.clone(),
                format!("`[{shape}]`"),
                row.parameters.to_string(),
            ]);
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
            .map(|&(n, k, s)| coverage_map(n, k, s))
            .collect::<Result<Vec<_>>>()?;
        Ok(Coverage { maps })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "n",
            "k",
            "s",
            "(n - k) mod s",
            "output",
            "rows never covered",
            "pixels never covered",
        ]);
        for (&(n, k, s), map) in COVERAGE_CASES.iter().zip(&self.maps) {
            let dropped = dropped_by_floor(n, k, s, 0).unwrap_or(0);
            let never = map.iter().filter(|&&c| c == 0.0).count();
            table.row([
                n.to_string(),
                k.to_string(),
                s.to_string(),
                ((n - k) % s).to_string(),
                output_size(n, k, s, 0).unwrap_or(0).to_string(),
                dropped.to_string(),
                never.to_string(),
            ]);
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let style = MapStyle {
            scale: ColorScale::Viridis,
            annotate: true,
            map_pixels: 260,
            range: Some((0.0, 4.0)),
        };
        let mut panels = Vec::new();
        for (&(n, k, s), map) in COVERAGE_CASES.iter().zip(&self.maps) {
            let dropped = dropped_by_floor(n, k, s, 0)?;
            panels.push(Panel::new(
                format!("n = {n}, k = {k}, s = {s}: {dropped} dropped"),
                map.view(),
            ));
        }
        plot::grid(
            &chapter.figure("coverage.png"),
            "How many windows cover each input pixel (0 = never seen)",
            &panels,
            3,
            &style,
        )?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// 5. Padding per side or in total.
// ---------------------------------------------------------------------------

/// Some books (Dive into Deep Learning among them) write `P` for the *total* padding
/// of both sides, so their formula reads `n + P - k + 1`. This library, PyTorch and
/// most papers use `p` per side: `n + 2p - k + 1`. The two agree when `P = 2p`; mixing
/// them up is off by `p`.
pub fn total_padding() -> Result<Table> {
    let mut table = Table::new([
        "n",
        "k",
        "p per side",
        "n + 2p - k + 1 (library)",
        "P = 2p in total",
        "n + P - k + 1",
        "mixed up: n + p - k + 1",
    ]);
    for (n, k, p) in [(28, 5, 2), (32, 3, 1), (64, 7, 3), (10, 3, 0)] {
        let total = 2 * p;
        table.row([
            n.to_string(),
            k.to_string(),
            p.to_string(),
            output_size(n, k, 1, p)?.to_string(),
            total.to_string(),
            (n + total - k + 1).to_string(),
            (n + p - k + 1).to_string(),
        ]);
    }
    Ok(table)
}
