//! Chapter 7: Tiny VGG, as in CNN Explainer.
//!
//! `cargo run --example ch07_tiny_vgg` loads the trained network, runs it on the 21
//! sample images, prints every number the chapter quotes, writes the chapter's tables
//! to `book/generated/ch07/` and its figures to `book/figures/ch07/`.
//!
//! To classify your own photo, see `examples/classify_photo.rs`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::Parser;
use cnn_book::output::repo_root;
use cnn_book::plot::{self, Labels};
use cnn_book::text::with_thousands;
use cnn_book::trained::check_finite;
use cnn_book::{Chapter, Table, network_figures, row};
use cnn_core::data::read_weights;
use cnn_core::models::alexnet::{Stage, StageShape, alexnet, architecture};
use cnn_core::models::tiny_vgg::{self, CLASSES};
use cnn_core::models::vgg::vgg16;
use cnn_core::nn::{LayerSummary, NamedLayer, Tensor};
use cnn_core::ops::conv2d;
use cnn_core::shape::receptive_field;
use cnn_core::{Dense, Layer, Sequential};
use ndarray::{Array1, Array2, Array3, Array4, ArrayView4, Ix2, s};

/// Every figure and table of chapter 7 (no options).
#[derive(Debug, Parser)]
#[command(about = "Chapter 7: load CNN Explainer's Tiny VGG and write the chapter's figures")]
pub struct Args {}

fn main() -> Result<()> {
    Args::parse();
    let chapter = Chapter::new("ch07")?;
    let network = load_network()?;

    let alexnet = AlexNet::compute()?;
    chapter.publish("alexnet", &alexnet.table())?;
    alexnet.publish_values(&chapter)?;

    let architecture = Architecture::compute(&network)?;
    chapter.publish("architecture", &architecture.table())?;
    chapter.write_value("total_parameters", architecture.total_parameters)?;
    chapter.write_value("flatten_inputs", architecture.flatten_inputs)?;
    chapter.write_value("dense_share", architecture.dense_share())?;

    let growth = ChannelGrowth::compute()?;
    chapter.publish("vgg16_costs", &ChannelGrowth::table(&growth.vgg16))?;
    chapter.publish("tiny_vgg_costs", &ChannelGrowth::table(&growth.tiny_vgg))?;
    growth.publish_values(&chapter)?;

    let espresso = LayerOutputs::espresso(&network)?;
    espresso.figures(&chapter, &network)?;

    let pixel = OnePixel::compute(&network, &espresso)?;
    chapter.publish("one_pixel_terms", &pixel.terms_table())?;
    chapter.publish("one_pixel_sum", &pixel.sum_table())?;

    let relu = ReluCounts::compute(&network, &espresso)?;
    chapter.publish("relu_zeros", &relu.table())?;
    let composed = ComposedConvolutions::compute(&network, &espresso)?;
    chapter.publish("composed", &composed.table())?;

    let pool = PoolWindow::compute(&espresso)?;
    chapter.publish("pool_window", &pool.table())?;

    let softmax = SoftmaxArithmetic::compute(&espresso)?;
    chapter.publish("softmax", &softmax.table())?;
    softmax.figure(&chapter)?;
    chapter.write_value("espresso_probability", format!("{:.4}", softmax.espresso()))?;

    let predictions = Predictions::compute(&network)?;
    chapter.publish("predictions", &predictions.table())?;
    predictions.figure(&chapter)?;
    chapter.write_value("picker_correct", predictions.picker_correct())?;
    chapter.write_value("all_correct", predictions.all_correct())?;
    chapter.write_value("tfjs_difference", predictions.tfjs_bound())?;

    let order = FlattenOrder::compute(&network, &predictions)?;
    chapter.publish("flatten_order", &order.table())?;
    chapter.write_value("wrong_order_correct", order.wrong_order_correct())?;

    let jpeg = JpegVsPng::compute(&network)?;
    chapter.publish("jpeg_vs_png", &jpeg.table())?;
    chapter.publish("jpeg_pixels", &jpeg.pixel_table())?;

    chapter.write_value("coffee_prediction", coffee_prediction(&network)?)?;

    chapter.finish()?;
    println!("figures in book/figures/ch07/, tables in book/generated/ch07/");
    Ok(())
}

/// The folder of CNN Explainer's files, copied into the repository.
pub fn data_dir() -> PathBuf {
    repo_root().join("data/cnn-explainer")
}

/// One of CNN Explainer's sample photos, such as `"espresso_1"`: `[3, 64, 64]`.
pub fn sample(name: &str) -> Result<Array3<f32>> {
    Ok(tiny_vgg::load_image(
        &data_dir().join(format!("png/{name}.png")),
    )?)
}

// ANCHOR: load
/// The trained Tiny VGG, read from CNN Explainer's TensorFlow.js files.
pub fn load_network() -> Result<Sequential> {
    let model_json = data_dir().join("model.json");
    let network = tiny_vgg::load(&model_json)?;
    check_finite(network, &model_json) // NaN weights would give NaN answers
}

/// Class probabilities for one `[3, 64, 64]` image: `[10]`.
pub fn classify(network: &Sequential, image: &Array3<f32>) -> Result<Array1<f32>> {
    let batch = tiny_vgg::batch_of_one(image); // [3, 64, 64] -> [1, 3, 64, 64]
    let probabilities = network.forward(&batch)?.into_flat()?; // [1, 10]
    Ok(probabilities.row(0).to_owned()) // [10]
}
// ANCHOR_END: load

/// Class indices from the most to the least likely.
pub fn ranking(probabilities: &Array1<f32>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    order
}

// ---------------------------------------------------------------------------
// 0. Before Tiny VGG: AlexNet, stage by stage.
// ---------------------------------------------------------------------------

/// AlexNet's shapes, parameters and multiply-adds, computed from its description
/// (`cnn_core::models::alexnet`) for the 227 x 227 input its numbers need, and for
/// the 224 x 224 its paper states.
pub struct AlexNet {
    pub rows: Vec<StageShape>,
    pub rows_224: Vec<StageShape>,
}

impl AlexNet {
    pub fn compute() -> Result<AlexNet> {
        // ANCHOR: alexnet
        let rows = architecture(&alexnet(), [3, 227, 227])?; // shapes, parameters, costs
        let rows_224 = architecture(&alexnet(), [3, 224, 224])?; // the paper's figure 2
        // ANCHOR_END: alexnet
        Ok(AlexNet { rows, rows_224 })
    }

    /// The row of the stage called `name`.
    pub fn stage<'a>(rows: &'a [StageShape], name: &str) -> Result<&'a StageShape> {
        (rows.iter().find(|r| r.name == name)).with_context(|| format!("no stage {name}"))
    }

    pub fn total_parameters(&self) -> usize {
        self.rows.iter().map(|r| r.parameters).sum()
    }

    pub fn total_multiply_adds(&self) -> usize {
        self.rows.iter().map(|r| r.multiply_adds).sum()
    }

    /// The share of the dense layers (`fc6` to `fc8`) in `f`, in percent.
    pub fn dense_share(&self, f: fn(&StageShape) -> usize) -> f64 {
        let dense: usize = (self.rows.iter())
            .filter(|r| r.name.starts_with("fc"))
            .map(f)
            .sum();
        let all: usize = self.rows.iter().map(f).sum();
        100.0 * dense as f64 / all as f64
    }

    /// Every stage but the ReLUs (one follows every convolution and `fc6`, `fc7`).
    pub fn table(&self) -> Table {
        let mut table = Table::columns(
            "layer | operation | output (C x H x W) | parameters | multiply-adds (millions)",
        );
        table.line("input | RGB image | 3 x 227 x 227 | 0 | 0");
        for row in self.rows.iter().filter(|r| !r.name.starts_with("relu")) {
            let (name, description, parameters) = (row.name, &row.description, row.parameters);
            let shape = shape_text(&row.output);
            let millions = row.multiply_adds as f64 / 1e6;
            row!(
                table,
                "{name} | {description} | {shape} | {parameters} | {millions:.1}"
            );
        }
        let (parameters, millions) = (
            self.total_parameters(),
            self.total_multiply_adds() as f64 / 1e6,
        );
        row!(table, "total | | | {parameters} | {millions:.1}");
        table
    }

    /// The numbers the chapter quotes.
    pub fn publish_values(&self, chapter: &Chapter) -> Result<()> {
        let value = |name: &str, text: String| chapter.write_value(name, text);
        value(
            "alexnet_parameters",
            with_thousands(self.total_parameters()),
        )?;
        let millions = self.total_multiply_adds() as f64 / 1e6;
        value("alexnet_multiply_adds", format!("{millions:.0} million"))?;
        let dense_parameters = self.dense_share(|r| r.parameters);
        let dense_work = self.dense_share(|r| r.multiply_adds);
        value(
            "alexnet_dense_parameters",
            format!("{dense_parameters:.0}%"),
        )?;
        value("alexnet_conv_work", format!("{:.0}%", 100.0 - dense_work))?;
        // The 224 puzzle: conv1 and the maps before fc6 for a 224 x 224 input.
        let conv1 = AlexNet::stage(&self.rows_224, "conv1")?;
        value("alexnet_conv1_224", conv1.output[1].to_string())?;
        let pool5 = AlexNet::stage(&self.rows_224, "pool5")?;
        value("alexnet_pool5_224", format!("{0} x {0}", pool5.output[1]))?;
        let pool5 = AlexNet::stage(&self.rows, "pool5")?;
        value("alexnet_pool5", format!("{0} x {0}", pool5.output[1]))?;
        let fc6 = |rows: &[StageShape]| AlexNet::stage(rows, "fc6").map(|r| r.parameters);
        value("alexnet_fc6", with_thousands(fc6(&self.rows)?))?;
        value("alexnet_fc6_224", with_thousands(fc6(&self.rows_224)?))?;
        Ok(())
    }
}

/// `[C, H, W]` as `"C x H x W"`, a vector's length as itself.
fn shape_text(shape: &[usize]) -> String {
    let sizes: Vec<String> = shape.iter().map(usize::to_string).collect();
    sizes.join(" x ")
}

// ---------------------------------------------------------------------------
// 1. The architecture, read off the loaded network.
// ---------------------------------------------------------------------------

pub struct Architecture {
    /// Every layer's name, operation, output shape `[1, ...]` and parameters.
    pub layers: Vec<LayerSummary>,
    /// Inputs of the dense layer: the length of the flattened vector.
    pub flatten_inputs: usize,
    pub dense_parameters: usize,
    pub total_parameters: usize,
}

impl Architecture {
    pub fn compute(network: &Sequential) -> Result<Architecture> {
        let size = tiny_vgg::INPUT_SIZE;
        let layers = network.summary([1, 3, size, size])?;
        let flatten = layers.iter().find(|layer| layer.name == "flatten");
        let dense = layers.iter().filter(|l| l.description.starts_with("dense"));
        Ok(Architecture {
            flatten_inputs: flatten.map_or(0, |layer| layer.output_shape[1]),
            dense_parameters: dense.map(|layer| layer.parameters).sum(),
            total_parameters: network.parameter_count(),
            layers,
        })
    }

    /// The dense layer's share of all parameters, in percent.
    pub fn dense_share(&self) -> String {
        let share = self.dense_parameters as f64 / self.total_parameters as f64;
        format!("{:.0}", 100.0 * share)
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns("layer | operation | output (C x H x W) | parameters");
        table.line("`input` | RGB image | 3 x 64 x 64 | 0");
        for layer in &self.layers {
            let (name, description, parameters) =
                (&layer.name, &layer.description, layer.parameters);
            let shape: Vec<String> = layer.output_shape[1..]
                .iter()
                .map(usize::to_string)
                .collect();
            let shape = shape.join(" x ");
            row!(table, "`{name}` | {description} | {shape} | {parameters}");
        }
        row!(table, "total | | | {}", self.total_parameters);
        table
    }
}

// ---------------------------------------------------------------------------
// 1b. Why channels grow as maps shrink: VGG-16 and Tiny VGG, layer by layer.
// ---------------------------------------------------------------------------

/// Every layer's output, values, parameters and multiply-adds, for VGG-16 (224 x 224
/// input) and for Tiny VGG (64 x 64), computed from their descriptions.
pub struct ChannelGrowth {
    pub vgg16: Vec<StageShape>,
    pub tiny_vgg: Vec<StageShape>,
}

impl ChannelGrowth {
    pub fn compute() -> Result<ChannelGrowth> {
        let size = tiny_vgg::INPUT_SIZE;
        // ANCHOR: growth
        let vgg16 = architecture(&vgg16(), [3, 224, 224])?;
        let tiny_vgg = architecture(&tiny_vgg::stages([10, 10, 10, 10]), [3, size, size])?;
        // ANCHOR_END: growth
        Ok(ChannelGrowth { vgg16, tiny_vgg })
    }

    /// One row per convolution, pooling and dense layer (the ReLUs change nothing).
    pub fn table(rows: &[StageShape]) -> Table {
        let mut table = Table::columns(
            "layer | output (C x H x W) | values in the output | parameters \
             | multiply-adds (millions)",
        );
        for row in rows.iter().filter(|r| !r.name.starts_with("relu")) {
            let (name, shape, parameters) = (row.name, shape_text(&row.output), row.parameters);
            let values: usize = row.output.iter().product();
            let millions = row.multiply_adds as f64 / 1e6;
            row!(
                table,
                "`{name}` | {shape} | {values} | {parameters} | {millions:.2}"
            );
        }
        let parameters: usize = rows.iter().map(|r| r.parameters).sum();
        let millions = rows.iter().map(|r| r.multiply_adds).sum::<usize>() as f64 / 1e6;
        row!(table, "total | | | {parameters} | {millions:.2}");
        table
    }

    /// The numbers the chapter quotes.
    pub fn publish_values(&self, chapter: &Chapter) -> Result<()> {
        let cost =
            |rows: &[StageShape], name: &str| AlexNet::stage(rows, name).map(|r| r.multiply_adds);
        let billions = |n: usize| format!("{:.2} billion", n as f64 / 1e9);
        chapter.write_value("vgg16_block_cost", billions(cost(&self.vgg16, "conv1_2")?))?;
        let total: usize = self.vgg16.iter().map(|r| r.multiply_adds).sum();
        chapter.write_value("vgg16_multiply_adds", billions(total))?;
        let parameters: usize = self.vgg16.iter().map(|r| r.parameters).sum();
        chapter.write_value("vgg16_parameters", with_thousands(parameters))?;
        let values = |name: &str| -> Result<usize> {
            Ok(AlexNet::stage(&self.vgg16, name)?.output.iter().product())
        };
        chapter.write_value("vgg16_values_first", with_thousands(values("conv1_2")?))?;
        chapter.write_value("vgg16_values_last", with_thousands(values("conv5_3")?))?;
        // What one unit of conv5_3 sees: every convolution and pooling up to it.
        let mut layers = Vec::new();
        for stage in vgg16() {
            match stage {
                Stage::Conv { kernel, stride, .. } | Stage::Pool { kernel, stride, .. } => {
                    layers.push((kernel, stride));
                }
                _ => {}
            }
            if matches!(
                stage,
                Stage::Conv {
                    name: "conv5_3",
                    ..
                }
            ) {
                break;
            }
        }
        let (field, _) = *receptive_field(&layers)?
            .last()
            .context("VGG-16 has layers")?;
        chapter.write_value("vgg16_field", format!("{field}x{field} pixels"))?;
        // Tiny VGG: how much cheaper its second block is than its first.
        let first = cost(&self.tiny_vgg, "conv_1_2")?;
        let last = cost(&self.tiny_vgg, "conv_2_2")?;
        chapter.write_value(
            "tiny_vgg_cost_ratio",
            format!("{:.1}", first as f64 / last as f64),
        )?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// 2. The espresso image through every layer.
// ---------------------------------------------------------------------------

/// An image and every layer's output for it (the site's default image, espresso, in
/// the chapter).
pub struct LayerOutputs {
    /// `[3, 64, 64]` in `[0, 1]`.
    pub image: Array3<f32>,
    /// Element `i` is the output of layer `i` of the network (a batch of one).
    pub outputs: Vec<Tensor>,
    /// The layers' names, in order.
    pub names: Vec<String>,
}

impl LayerOutputs {
    pub fn espresso(network: &Sequential) -> Result<LayerOutputs> {
        let image = sample("espresso_1")?;
        // ANCHOR: forward_all
        let batch = tiny_vgg::batch_of_one(&image); // [3, 64, 64] -> [1, 3, 64, 64]
        let outputs = network.forward_all(&batch)?; // one per layer
        // ANCHOR_END: forward_all
        let names = network.layers().iter().map(|l| l.name.clone()).collect();
        Ok(LayerOutputs {
            image,
            outputs,
            names,
        })
    }

    /// The output of the layer called `name`.
    pub fn output(&self, name: &str) -> Result<&Tensor> {
        let Some(index) = self.names.iter().position(|n| n == name) else {
            bail!("Tiny VGG has no layer {name}");
        };
        Ok(&self.outputs[index])
    }

    /// The feature maps of the layer called `name`: `[1, F, H, W]`.
    pub fn maps(&self, name: &str) -> Result<ArrayView4<'_, f32>> {
        Ok(self.output(name)?.maps()?)
    }

    /// The last layer's output: `[10]` probabilities.
    pub fn probabilities(&self) -> Result<Array1<f32>> {
        let last = self.outputs.last().context("the network has no layers")?;
        Ok(last.flat()?.row(0).to_owned())
    }

    /// The overview of every feature map, and the image itself.
    pub fn figures(&self, chapter: &Chapter, network: &Sequential) -> Result<()> {
        let path = chapter.figure("overview.png");
        let title = "Tiny VGG: every feature map, each layer on its own colour scale";
        network_figures::overview(&path, title, network, self.image.view(), &CLASSES)?;
        plot::rgb_image(&chapter.figure("espresso.png"), self.image.view(), 256)
    }
}

// ---------------------------------------------------------------------------
// 3. One output pixel of conv_1_1, worked in full.
// ---------------------------------------------------------------------------

/// Which filter and output position the chapter works out by hand.
pub const PIXEL_FILTER: usize = 0;
pub const PIXEL_ROW: usize = 31;
pub const PIXEL_COLUMN: usize = 31;

pub struct OnePixel {
    /// `(channel, u, v, pixel, weight)` for the 27 terms of the sum.
    pub terms: Vec<(usize, usize, usize, f32, f32)>,
    pub bias: f32,
    /// The sum of the 27 products plus the bias, added here in the table's order.
    pub by_hand: f32,
    /// The same output from the library's convolution.
    pub from_library: f32,
}

impl OnePixel {
    pub fn compute(network: &Sequential, espresso: &LayerOutputs) -> Result<OnePixel> {
        let Layer::Conv2d(conv) = network.layer("conv_1_1")? else {
            bail!("conv_1_1 of Tiny VGG is not a convolution");
        };
        // ANCHOR: one_pixel
        // y[f, i, j] = b[f] + sum_c sum_u sum_v x[c, i+u, j+v] * w[f, c, u, v]
        let (f, i, j) = (PIXEL_FILTER, PIXEL_ROW, PIXEL_COLUMN);
        let mut terms = Vec::new();
        let mut by_hand = conv.bias[f];
        for c in 0..3 {
            for u in 0..3 {
                for v in 0..3 {
                    let pixel = espresso.image[[c, i + u, j + v]];
                    let weight = conv.weight[[f, c, u, v]];
                    by_hand += pixel * weight;
                    terms.push((c, u, v, pixel, weight));
                }
            }
        }
        // ANCHOR_END: one_pixel
        Ok(OnePixel {
            terms,
            bias: conv.bias[f],
            by_hand,
            from_library: espresso.maps("conv_1_1")?[[0, f, i, j]],
        })
    }

    pub fn terms_table(&self) -> Table {
        let channel = ["R", "G", "B"];
        let mut table = Table::columns("channel c | row u | column v | pixel x | weight w | x * w");
        for &(c, u, v, x, w) in &self.terms {
            let (channel, product) = (channel[c], x * w);
            row!(
                table,
                "{channel} | {u} | {v} | {x:.4} | {w:.4} | {product:.4}"
            );
        }
        table
    }

    pub fn sum_table(&self) -> Table {
        let products: f32 = self.terms.iter().map(|t| t.3 * t.4).sum();
        let (f, i, j) = (PIXEL_FILTER, PIXEL_ROW, PIXEL_COLUMN);
        let (bias, by_hand, library) = (self.bias, self.by_hand, self.from_library);
        let mut table = Table::columns(" | value");
        row!(table, "sum of the 27 products | {products:.4}");
        row!(table, "bias of filter {f} | {bias:.4}");
        row!(table, "output, by hand | {by_hand:.4}");
        row!(
            table,
            "output of `conv_1_1` at filter {f}, ({i}, {j}) | {library:.4}"
        );
        table
    }
}

// ---------------------------------------------------------------------------
// 4. ReLU and max pooling.
// ---------------------------------------------------------------------------

pub struct ReluCounts {
    /// `(layer, values, values that ReLU set to zero)`.
    pub rows: Vec<(String, usize, usize)>,
}

impl ReluCounts {
    pub fn compute(network: &Sequential, espresso: &LayerOutputs) -> Result<ReluCounts> {
        let mut rows = Vec::new();
        for (NamedLayer { name, layer }, output) in network.layers().iter().zip(&espresso.outputs) {
            if *layer == Layer::Relu {
                let values = output.maps()?;
                let zeros = values.iter().filter(|&&v| v == 0.0).count();
                rows.push((name.clone(), values.len(), zeros));
            }
        }
        Ok(ReluCounts { rows })
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns("layer | values | set to 0 | share set to 0");
        for (name, values, zeros) in &self.rows {
            let share = 100.0 * *zeros as f64 / *values as f64;
            row!(table, "`{name}` | {values} | {zeros} | {share:.0}%");
        }
        table
    }
}

/// Without a ReLU between them, two stacked convolutions are one: `conv_1_2` applied
/// to `conv_1_1`'s output equals a single 5x5 convolution of the image, whose kernel
/// is the two kernels convolved with each other. And max pooling is not linear.
pub struct ComposedConvolutions {
    /// The 5x5 kernel `[10, 3, 5, 5]` and its bias `[10]`.
    pub kernel: Array4<f32>,
    pub bias: Array1<f32>,
    /// The largest difference between the two ways, over the espresso image.
    pub largest_difference: f32,
    /// `conv_1_2`'s output without the ReLU, and the one 5x5 convolution: `[1, 10, 60, 60]`.
    pub stacked: Array4<f32>,
    pub single: Array4<f32>,
}

// ANCHOR: compose
/// The one convolution that does what `second` after `first` does (stride 1, no
/// padding): kernel `K1 + K2 - 1` wide,
///
/// ```text
/// w[f, c, a, b] = sum_g sum_{u + u' = a} sum_{v + v' = b} w2[f, g, u, v] * w1[g, c, u', v']
/// b[f]          = b2[f] + sum_g b1[g] * sum_{u, v} w2[f, g, u, v]
/// ```
///
/// `first: [G, C, K1, K1], second: [F, G, K2, K2] -> [F, C, K1 + K2 - 1, K1 + K2 - 1]`
pub fn compose_convolutions(
    (w1, b1): (&Array4<f32>, &Array1<f32>),
    (w2, b2): (&Array4<f32>, &Array1<f32>),
) -> (Array4<f32>, Array1<f32>) {
    let (g_count, c_count, k1, _) = w1.dim();
    let (f_count, _, k2, _) = w2.dim();
    let k = k1 + k2 - 1;
    let mut weight = Array4::zeros((f_count, c_count, k, k));
    let mut bias = b2.clone();
    for f in 0..f_count {
        for g in 0..g_count {
            for u in 0..k2 {
                for v in 0..k2 {
                    let w = w2[[f, g, u, v]];
                    bias[f] += b1[g] * w;
                    for c in 0..c_count {
                        for u1 in 0..k1 {
                            for v1 in 0..k1 {
                                weight[[f, c, u + u1, v + v1]] += w * w1[[g, c, u1, v1]];
                            }
                        }
                    }
                }
            }
        }
    }
    (weight, bias)
}
// ANCHOR_END: compose

impl ComposedConvolutions {
    pub fn compute(network: &Sequential, espresso: &LayerOutputs) -> Result<ComposedConvolutions> {
        let (Layer::Conv2d(first), Layer::Conv2d(second)) =
            (network.layer("conv_1_1")?, network.layer("conv_1_2")?)
        else {
            bail!("conv_1_1 and conv_1_2 of Tiny VGG are not convolutions");
        };
        let image = tiny_vgg::batch_of_one(&espresso.image); // [1, 3, 64, 64]
        let (w1, b1) = (&first.weight, &first.bias);
        let (w2, b2) = (&second.weight, &second.bias);
        let hidden = conv2d(image.view(), w1.view(), b1.view(), 1, 0)?; // -> [1, 10, 62, 62], no ReLU
        let stacked = conv2d(hidden.view(), w2.view(), b2.view(), 1, 0)?; // -> [1, 10, 60, 60]
        let (kernel, bias) = compose_convolutions((w1, b1), (w2, b2)); // [10, 3, 5, 5]
        let single = conv2d(image.view(), kernel.view(), bias.view(), 1, 0)?; // [1, 3, 64, 64] -> [1, 10, 60, 60]
        let largest_difference = (&stacked - &single).fold(0.0f32, |m, d| m.max(d.abs()));
        Ok(ComposedConvolutions {
            kernel,
            bias,
            largest_difference,
            stacked,
            single,
        })
    }

    /// The two ways, side by side, and max pooling's counterexample.
    pub fn table(&self) -> Table {
        let (stacked, single) = (self.stacked.dim(), self.single.dim());
        let mut table = Table::columns(" | result");
        let shape = |d: (usize, usize, usize, usize)| format!("{} x {} x {}", d.1, d.2, d.3);
        row!(
            table,
            "`conv_1_2` after `conv_1_1`, no ReLU | {}",
            shape(stacked)
        );
        let k = self.kernel.dim();
        row!(
            table,
            "one convolution of {} filters of {} x {} x {} | {}",
            k.0,
            k.1,
            k.2,
            k.3,
            shape(single)
        );
        // A power of ten above the difference: its exact digits are rounding, which
        // can change with the CPU's vector instructions; the bound does not.
        let exponent = self.largest_difference.log10().ceil() as i32;
        row!(table, "largest difference of the two | below 1e{exponent}");
        // Max pooling of a sum is not the sum of the max poolings.
        let (a, b) = ([1.0f32, 0.0], [0.0f32, 1.0]);
        let max = |x: [f32; 2]| x[0].max(x[1]);
        let (of_sum, sum_of) = (max([a[0] + b[0], a[1] + b[1]]), max(a) + max(b));
        row!(
            table,
            "max pooling: max(1 + 0, 0 + 1) against max(1, 0) + max(0, 1) | {of_sum} against {sum_of}"
        );
        table
    }
}

/// One 2x2 window of `relu_1_2` (channel [`PIXEL_FILTER`]) and what `max_pool_1` makes
/// of it: the window whose largest value is the largest of the map, so that it is
/// not all zeros.
pub struct PoolWindow {
    /// Output row and column of `max_pool_1`; the window starts at twice these.
    pub at: (usize, usize),
    pub window: Array2<f32>,
    pub pooled: f32,
}

impl PoolWindow {
    pub fn compute(espresso: &LayerOutputs) -> Result<PoolWindow> {
        let c = PIXEL_FILTER;
        let pooled = espresso.maps("max_pool_1")?.slice_move(s![0, c, .., ..]); // [30, 30]
        let mut at = (0, 0);
        for ((i, j), &value) in pooled.indexed_iter() {
            if value > pooled[at] {
                at = (i, j);
            }
        }
        let (i, j) = at;
        let relu = espresso.maps("relu_1_2")?; // [1, 10, 60, 60]
        let window = relu.slice(s![0, c, 2 * i..2 * i + 2, 2 * j..2 * j + 2]); // [2, 2]
        Ok(PoolWindow {
            at,
            window: window.to_owned(),
            pooled: pooled[at],
        })
    }

    pub fn table(&self) -> Table {
        let (i, j) = self.at;
        let mut table = Table::columns(" | value");
        for ((u, v), value) in self.window.indexed_iter() {
            let (row, column) = (2 * i + u, 2 * j + v);
            row!(table, "`relu_1_2` at ({row}, {column}) | {value:.4}");
        }
        let pooled = self.pooled;
        row!(
            table,
            "`max_pool_1` at ({i}, {j}): the largest | {pooled:.4}"
        );
        table
    }
}

// ---------------------------------------------------------------------------
// 5. Logits to probabilities.
// ---------------------------------------------------------------------------

pub struct SoftmaxArithmetic {
    /// The dense layer's output for the espresso image: `[10]`.
    pub logits: Array1<f32>,
    pub probabilities: Array1<f32>,
}

impl SoftmaxArithmetic {
    pub fn compute(espresso: &LayerOutputs) -> Result<SoftmaxArithmetic> {
        Ok(SoftmaxArithmetic {
            logits: espresso.output("output")?.flat()?.row(0).to_owned(),
            probabilities: espresso.probabilities()?,
        })
    }

    pub fn espresso(&self) -> f32 {
        self.probabilities[6]
    }

    pub fn table(&self) -> Table {
        let largest = self.logits.fold(f32::NEG_INFINITY, |m, &z| m.max(z));
        let exponentials = self.logits.mapv(|z| (z - largest).exp());
        let mut table = Table::columns("class | logit z | z - max z | e^(z - max z) | probability");
        for (k, class) in CLASSES.iter().enumerate() {
            let (z, e, p) = (self.logits[k], exponentials[k], self.probabilities[k]);
            let shifted = z - largest;
            row!(table, "{class} | {z:.3} | {shifted:.3} | {e:.4} | {p:.4}");
        }
        let (total, sum) = (exponentials.sum(), self.probabilities.sum());
        row!(table, "sum | | | {total:.4} | {sum:.4}");
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let title = "Tiny VGG's probabilities for the espresso image";
        let labels = Labels::new(title, "class (last word of its name)", "probability");
        // The last word of each class name, so the labels do not run together.
        let names: Vec<String> = (CLASSES.iter())
            .map(|c| c.rsplit(' ').next().unwrap_or(c).to_string())
            .collect();
        let path = chapter.figure("probabilities.svg");
        let probabilities = self.probabilities.to_vec();
        plot::bar_chart(&path, &labels, &names, &probabilities)
    }
}

// ---------------------------------------------------------------------------
// 6. All 21 images, against TensorFlow.js.
// ---------------------------------------------------------------------------

/// The images of the site's picker, in its order (from CNN Explainer's sources).
pub const PICKER: [&str; 10] = [
    "boat_1",
    "bug_1",
    "pizza_1",
    "pepper_1",
    "bus_1",
    "koala_1",
    "espresso_1",
    "panda_1",
    "orange_1",
    "car_1",
];

/// The class an image shows, from its file name (`None` for the blank image).
pub fn true_class(image: &str) -> Option<usize> {
    let class = match image.split('_').next().unwrap_or(image) {
        "boat" => "lifeboat",
        "bug" => "ladybug",
        "pizza" => "pizza",
        "pepper" => "bell pepper",
        "bus" => "school bus",
        "koala" => "koala",
        "espresso" => "espresso",
        "panda" => "red panda",
        "orange" => "orange",
        "car" => "sport car",
        _ => return None,
    };
    CLASSES.iter().position(|c| *c == class)
}

pub struct Prediction {
    pub image: String,
    pub pixels: Array3<f32>,
    pub probabilities: Array1<f32>,
    /// TensorFlow.js's probabilities for the same PNG (`tests/reference/`).
    pub tfjs: Vec<f32>,
}

impl Prediction {
    pub fn top(&self) -> usize {
        ranking(&self.probabilities)[0]
    }

    pub fn is_correct(&self) -> bool {
        true_class(&self.image) == Some(self.top())
    }

    pub fn tfjs_difference(&self) -> f32 {
        let pairs = self.probabilities.iter().zip(&self.tfjs);
        pairs.map(|(a, b)| (a - b).abs()).fold(0.0, f32::max)
    }
}

/// `tests/reference/tiny_vgg_tfjs.json`: TensorFlow.js's probabilities for every PNG
/// (see the README there).
#[derive(serde::Deserialize)]
struct TfjsReference {
    predictions: Vec<TfjsPrediction>,
}

#[derive(serde::Deserialize)]
struct TfjsPrediction {
    /// The file name, such as `"boat_1.png"`.
    image: String,
    probabilities: Vec<f32>,
}

/// TensorFlow.js's probabilities for every PNG, by file stem.
pub fn tfjs_reference() -> Result<Vec<(String, Vec<f32>)>> {
    let path = repo_root().join("tests/reference/tiny_vgg_tfjs.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let reference: TfjsReference =
        serde_json::from_str(&text).with_context(|| format!("{}", path.display()))?;
    let rows = reference.predictions.into_iter();
    Ok(rows
        .map(|p| {
            (
                p.image.trim_end_matches(".png").to_string(),
                p.probabilities,
            )
        })
        .collect())
}

pub struct Predictions {
    /// In file-name order.
    pub rows: Vec<Prediction>,
}

impl Predictions {
    pub fn compute(network: &Sequential) -> Result<Predictions> {
        let mut rows = Vec::new();
        for (image, tfjs) in tfjs_reference()? {
            let pixels = sample(&image)?;
            let probabilities = classify(network, &pixels)?;
            rows.push(Prediction {
                image,
                pixels,
                probabilities,
                tfjs,
            });
        }
        Ok(Predictions { rows })
    }

    fn correct_of(rows: Vec<&Prediction>) -> String {
        let correct = rows.iter().filter(|r| r.is_correct()).count();
        format!("{correct} of {}", rows.len())
    }

    pub fn picker_correct(&self) -> String {
        let in_picker = |r: &&Prediction| PICKER.contains(&r.image.as_str());
        Predictions::correct_of(self.rows.iter().filter(in_picker).collect())
    }

    pub fn all_correct(&self) -> String {
        let labelled = self.rows.iter().filter(|r| true_class(&r.image).is_some());
        Predictions::correct_of(labelled.collect())
    }

    pub fn largest_tfjs_difference(&self) -> f32 {
        let differences = self.rows.iter().map(|r| r.tfjs_difference());
        differences.fold(0.0, f32::max)
    }

    /// A power of ten above the largest difference: the exact digits of a rounding
    /// difference can change with the CPU's vector instructions, the bound does not.
    pub fn tfjs_bound(&self) -> String {
        let exponent = self.largest_tfjs_difference().log10().ceil() as i32;
        format!("$10^{{{exponent}}}$")
    }

    pub fn table(&self) -> Table {
        // Two columns are called "probability": the second has a trailing space.
        let header = "image (* = in the picker)|shows|top class|probability|second class|\
                      probability |TF.js: top probability|correct";
        let mut table = Table::new(header.split('|'));
        for row in &self.rows {
            let order = ranking(&row.probabilities);
            let (first, second) = (order[0], order[1]);
            let correct = match true_class(&row.image) {
                None => "-",
                Some(_) if row.is_correct() => "yes",
                Some(_) => "**no**",
            };
            let in_picker = PICKER.contains(&row.image.as_str());
            let image = format!("{}{}", row.image, if in_picker { " *" } else { "" });
            let shows = true_class(&row.image).map_or("(blank)", |k| CLASSES[k]);
            let (top, p_top, tfjs) = (CLASSES[first], row.probabilities[first], row.tfjs[first]);
            let (next, p_next) = (CLASSES[second], row.probabilities[second]);
            row!(
                table,
                "{image} | {shows} | {top} | {p_top:.4} | {next} | {p_next:.4} | {tfjs:.4} | {correct}"
            );
        }
        table
    }

    fn figure(&self, chapter: &Chapter) -> Result<()> {
        let mut images = Vec::new();
        for row in &self.rows {
            let top = row.top();
            let wrong = true_class(&row.image).is_some() && !row.is_correct();
            let (class, p) = (CLASSES[top], row.probabilities[top]);
            let mut pixels = row.pixels.clone();
            let name = if wrong {
                // A red frame, two pixels wide, around a wrong answer.
                let (_, h, w) = pixels.dim();
                for inset in 0..2 {
                    let frame = plot::Window {
                        row: inset,
                        column: inset,
                        height: h - 2 * inset,
                        width: w - 2 * inset,
                    };
                    plot::outline(&mut pixels, frame, [0.85, 0.1, 0.1]);
                }
                format!("{}: WRONG", row.image)
            } else {
                row.image.clone()
            };
            images.push((format!("{name}\n{class} {p:.2}"), pixels));
        }
        network_figures::gallery(&chapter.figure("predictions.png"), &images, 5, 128)
    }
}

// ---------------------------------------------------------------------------
// 7. Flatten order: what the wrong one does.
// ---------------------------------------------------------------------------

/// The network with the dense kernel used as stored: rows in Keras's channels-last
/// order, read by the library's channel-first flatten. Every weight is right; each
/// multiplies the wrong input.
pub fn with_unreordered_dense(network: &Sequential) -> Result<Sequential> {
    let weights = read_weights(&data_dir().join("model.json"))?;
    let kernel = weights["output/kernel"]
        .view()
        .into_dimensionality::<Ix2>()?; // [1690, 10]
    let mut wrong = network.clone();
    for NamedLayer { layer, .. } in wrong.layers_mut() {
        if let Layer::Dense(dense) = layer {
            let weight = kernel.t().to_owned(); // [10, 1690], rows not reordered
            *layer = Dense::new(weight, dense.bias.clone())?.into();
        }
    }
    Ok(wrong)
}

/// A class index and its probability.
pub type TopClass = (usize, f32);

pub struct FlattenOrder {
    /// `(image, top class with the rows reordered, top class with the rows as stored)`.
    pub rows: Vec<(String, TopClass, TopClass)>,
}

impl FlattenOrder {
    pub fn compute(network: &Sequential, predictions: &Predictions) -> Result<FlattenOrder> {
        let wrong = with_unreordered_dense(network)?;
        let mut rows = Vec::new();
        for image in PICKER {
            let row = (predictions.rows.iter())
                .find(|r| r.image == image)
                .context("a picker image is missing")?;
            let right = row.top();
            let wrong_probabilities = classify(&wrong, &row.pixels)?;
            let wrong_top = ranking(&wrong_probabilities)[0];
            rows.push((
                image.to_string(),
                (right, row.probabilities[right]),
                (wrong_top, wrong_probabilities[wrong_top]),
            ));
        }
        Ok(FlattenOrder { rows })
    }

    pub fn wrong_order_correct(&self) -> String {
        let correct = (self.rows.iter())
            .filter(|(image, _, (top, _))| true_class(image) == Some(*top))
            .count();
        format!("{correct} of {}", self.rows.len())
    }

    pub fn table(&self) -> Table {
        let mut table = Table::columns("image | rows reordered (right) | rows as stored (wrong)");
        for (image, (right, p_right), (wrong, p_wrong)) in &self.rows {
            let (right, wrong) = (CLASSES[*right], CLASSES[*wrong]);
            row!(
                table,
                "{image} | {right} {p_right:.4} | {wrong} {p_wrong:.4}"
            );
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 8. JPEG or PNG: two correct decoders, two answers.
// ---------------------------------------------------------------------------

pub struct JpegVsPng {
    pub png: Array3<f32>,
    pub jpeg: Array3<f32>,
    pub png_probability: f32,
    pub jpeg_probability: f32,
}

impl JpegVsPng {
    pub fn compute(network: &Sequential) -> Result<JpegVsPng> {
        let png = sample("espresso_1")?;
        let jpeg = tiny_vgg::load_image(&data_dir().join("jpeg/espresso_1.jpeg"))?;
        Ok(JpegVsPng {
            png_probability: classify(network, &png)?[6],
            jpeg_probability: classify(network, &jpeg)?[6],
            png,
            jpeg,
        })
    }

    /// Pixel differences in units of 1/255 (one step of an 8-bit value).
    pub fn steps(&self) -> Vec<i32> {
        let pairs = self.png.iter().zip(&self.jpeg);
        pairs
            .map(|(a, b)| ((b - a) * 255.0).round() as i32)
            .collect()
    }

    pub fn table(&self) -> Table {
        let (png, jpeg) = (self.png_probability, self.jpeg_probability);
        let mut table = Table::columns("pixels of espresso_1 decoded by | P(espresso)");
        row!(
            table,
            "libjpeg-turbo, saved as PNG (`png/espresso_1.png`) | {png:.4}"
        );
        row!(
            table,
            "the `image` crate's JPEG decoder (`jpeg/espresso_1.jpeg`) | {jpeg:.4}"
        );
        table
    }

    pub fn pixel_table(&self) -> Table {
        let steps = self.steps();
        let count = |d: i32| steps.iter().filter(|&&s| s.abs() == d).count();
        let mut table = Table::columns("difference (in steps of 1/255) | values | share");
        let largest = steps.iter().map(|s| s.abs()).max().unwrap_or(0);
        for d in 0..=largest {
            let share = 100.0 * count(d) as f64 / steps.len() as f64;
            row!(table, "{d} | {} | {share:.1}%", count(d));
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 9. Your own photo (the command line is `examples/classify_photo.rs`).
// ---------------------------------------------------------------------------

/// The coffee photo of chapter 2, a 600 x 400 photo the network has never seen.
pub fn coffee_photo() -> PathBuf {
    repo_root().join("data/photos/coffee.png")
}

/// The network's top class for the coffee photo, scaled and cropped as the site does:
/// `"espresso (0.8275)"`.
pub fn coffee_prediction(network: &Sequential) -> Result<String> {
    let image = tiny_vgg::load_image(&coffee_photo())?; // [3, 400, 600] -> [3, 64, 64]
    let probabilities = classify(network, &image)?;
    let top = ranking(&probabilities)[0];
    Ok(format!("{} ({:.4})", CLASSES[top], probabilities[top]))
}
