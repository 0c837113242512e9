//! Chapter 7: Tiny VGG, as in CNN Explainer.
//!
//! `cargo run --example ch07_tiny_vgg` loads the trained network, runs it on the 21
//! sample images, prints every number the chapter quotes, writes the chapter's tables
//! to `book/generated/ch07/` and its figures to `book/figures/ch07/`.
//!
//! `cargo run --example ch07_tiny_vgg -- path/to/photo.jpg` classifies your own photo
//! (PNG or JPEG, any size): it prints the most likely classes and writes the overview
//! figure of that photo to `target/ch07/`, leaving the book's figures alone.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use cnn_book::plot::{self, ColorScale, Labels, OverviewColumn};
use cnn_book::{Chapter, Table};
use cnn_core::tfjs::read_weights;
use cnn_core::tiny_vgg::{self, CLASSES};
use cnn_core::{Dense, Layer, Sequential};
use ndarray::{Array1, Array2, Array3, ArrayD, Axis, Ix2, s};

fn main() -> Result<()> {
    if let Some(photo) = std::env::args().nth(1) {
        return classify_your_photo(Path::new(&photo));
    }
    let chapter = Chapter::new("ch07");
    let network = load_network()?;

    let architecture = Architecture::compute(&network)?;
    chapter.publish("architecture", &architecture.table())?;
    chapter.write_value("total_parameters", network.parameter_count())?;
    chapter.write_value("flatten_inputs", architecture.flatten_inputs)?;
    chapter.write_value("dense_share", architecture.dense_share())?;

    let espresso = LayerOutputs::espresso(&network)?;
    espresso.overview(&chapter.figure("overview.png"))?;
    plot::rgb_image(&chapter.figure("espresso.png"), espresso.image.view(), 256)?;

    let pixel = OnePixel::compute(&network, &espresso)?;
    chapter.publish("one_pixel_terms", &pixel.terms_table())?;
    chapter.publish("one_pixel_sum", &pixel.sum_table())?;

    let relu = ReluCounts::compute(&network, &espresso);
    chapter.publish("relu_zeros", &relu.table())?;

    let pool = PoolWindow::compute(&espresso);
    chapter.publish("pool_window", &pool.table())?;

    let softmax = SoftmaxArithmetic::compute(&network, &espresso);
    chapter.publish("softmax", &softmax.table())?;
    softmax.figure(&chapter.figure("probabilities.svg"))?;
    chapter.write_value("espresso_probability", format!("{:.4}", softmax.espresso()))?;

    let predictions = Predictions::compute(&network)?;
    chapter.publish("predictions", &predictions.table())?;
    predictions.gallery(&chapter.figure("predictions.png"))?;
    chapter.write_value("picker_correct", predictions.picker_correct())?;
    chapter.write_value("all_correct", predictions.all_correct())?;
    // A power of ten above the largest difference: the exact digits of a rounding
    // difference can change with the CPU's vector instructions, the bound does not.
    let exponent = predictions.largest_tfjs_difference().log10().ceil() as i32;
    chapter.write_value("tfjs_difference", format!("$10^{{{exponent}}}$"))?;

    let order = FlattenOrder::compute(&network, &predictions)?;
    chapter.publish("flatten_order", &order.table())?;
    chapter.write_value("wrong_order_correct", order.wrong_order_correct())?;

    let jpeg = JpegVsPng::compute(&network)?;
    chapter.publish("jpeg_vs_png", &jpeg.table())?;
    chapter.publish("jpeg_pixels", &jpeg.pixel_table())?;

    chapter.write_value("coffee_prediction", coffee_prediction(&network)?)?;

    println!("figures in book/figures/ch07/, tables in book/generated/ch07/");
    Ok(())
}

/// The folder of CNN Explainer's files, copied into the repository.
pub fn data_dir() -> PathBuf {
    cnn_book::output::repo_root().join("data/cnn-explainer")
}

// ANCHOR: load
/// The trained Tiny VGG, read from CNN Explainer's TensorFlow.js files.
pub fn load_network() -> Result<Sequential> {
    let model_json = data_dir().join("model.json");
    Ok(tiny_vgg::load(&model_json)?)
}

/// Class probabilities for one `[3, 64, 64]` image: `[10]`.
pub fn classify(network: &Sequential, image: &Array3<f32>) -> Result<Array1<f32>> {
    let batch = tiny_vgg::batch_of_one(image); // [3, 64, 64] -> [1, 3, 64, 64]
    let probabilities = network.forward(batch.into_dyn().view())?; // [1, 10]
    Ok(probabilities
        .index_axis(Axis(0), 0)
        .to_owned()
        .into_dimensionality()?) // [10]
}
// ANCHOR_END: load

/// Class indices from the most to the least likely.
pub fn ranking(probabilities: &Array1<f32>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..probabilities.len()).collect();
    order.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    order
}

// ---------------------------------------------------------------------------
// 1. The architecture, read off the loaded network.
// ---------------------------------------------------------------------------

pub struct Architecture {
    /// `(name, description, output shape without the batch axis, parameters)`.
    pub rows: Vec<(String, String, Vec<usize>, usize)>,
    /// Inputs of the dense layer: the length of the flattened vector.
    pub flatten_inputs: usize,
    pub dense_parameters: usize,
    pub total_parameters: usize,
}

impl Architecture {
    pub fn compute(network: &Sequential) -> Result<Architecture> {
        let summary = network.summary(&[1, 3, tiny_vgg::INPUT_SIZE, tiny_vgg::INPUT_SIZE])?;
        let mut rows = vec![(
            "input".to_string(),
            "RGB image".to_string(),
            vec![3, tiny_vgg::INPUT_SIZE, tiny_vgg::INPUT_SIZE],
            0,
        )];
        let mut flatten_inputs = 0;
        let mut dense_parameters = 0;
        for layer in summary {
            let shape = layer.output_shape[1..].to_vec();
            if layer.name == "flatten" {
                flatten_inputs = shape[0];
            }
            if layer.description.starts_with("dense") {
                dense_parameters += layer.parameters;
            }
            rows.push((layer.name, layer.description, shape, layer.parameters));
        }
        Ok(Architecture {
            rows,
            flatten_inputs,
            dense_parameters,
            total_parameters: network.parameter_count(),
        })
    }

    /// The dense layer's share of all parameters, in percent.
    pub fn dense_share(&self) -> String {
        format!(
            "{:.0}",
            100.0 * self.dense_parameters as f64 / self.total_parameters as f64
        )
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new(["layer", "operation", "output (C x H x W)", "parameters"]);
        for (name, description, shape, parameters) in &self.rows {
            let shape = shape
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(" x ");
            table.row([
                format!("`{name}`"),
                description.clone(),
                shape,
                parameters.to_string(),
            ]);
        }
        table.row([
            "total".to_string(),
            String::new(),
            String::new(),
            self.total_parameters.to_string(),
        ]);
        table
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
    /// Element `i` is the output of layer `i` of the network (batch of one).
    pub activations: Vec<ArrayD<f32>>,
    /// The layers' names, in order.
    pub names: Vec<String>,
}

impl LayerOutputs {
    pub fn espresso(network: &Sequential) -> Result<LayerOutputs> {
        let image = tiny_vgg::load_image(&data_dir().join("png/espresso_1.png"))?;
        LayerOutputs::of_image(network, image)
    }

    pub fn of_image(network: &Sequential, image: Array3<f32>) -> Result<LayerOutputs> {
        // ANCHOR: forward_all
        let batch = tiny_vgg::batch_of_one(&image); // [1, 3, 64, 64]
        let activations = network.forward_all(batch.into_dyn().view())?; // one per layer
        // ANCHOR_END: forward_all
        let names = network.layers.iter().map(|(n, _)| n.clone()).collect();
        Ok(LayerOutputs {
            image,
            activations,
            names,
        })
    }

    /// The output of the layer called `name`.
    ///
    /// # Panics
    /// No layer of that name (a bug in this example).
    pub fn output(&self, name: &str) -> &ArrayD<f32> {
        let index = self
            .names
            .iter()
            .position(|n| n == name)
            .unwrap_or_else(|| panic!("no layer {name}"));
        &self.activations[index]
    }

    /// The last layer's output: `[10]` probabilities.
    pub fn probabilities(&self) -> Array1<f32> {
        let last = self.activations.last().expect("the network has layers");
        last.index_axis(Axis(0), 0)
            .to_owned()
            .into_dimensionality()
            .expect("the last layer gives [1, 10]")
    }

    /// Every layer's feature maps, one column per layer, and the probabilities.
    pub fn overview(&self, path: &Path) -> Result<()> {
        let mut columns = vec![OverviewColumn {
            title: "input".into(),
            maps: (0..3).map(|c| self.image.index_axis(Axis(0), c)).collect(),
            scale: ColorScale::Gray,
        }];
        for (name, activation) in self.names.iter().zip(&self.activations) {
            if activation.ndim() != 4 {
                continue; // flatten, dense and softmax are drawn as the output bars
            }
            let filters = activation.shape()[1]; // [1, F, H, W]
            let scale = if name.starts_with("conv") {
                ColorScale::Diverging
            } else {
                ColorScale::Viridis
            };
            columns.push(OverviewColumn {
                title: name.clone(),
                maps: (0..filters)
                    .map(|f| {
                        let map = activation.slice(s![0, f, .., ..]); // [H, W]
                        map.into_dimensionality::<Ix2>().expect("a 2-D map")
                    })
                    .collect(),
                scale,
            });
        }
        let probabilities = self.probabilities();
        plot::overview(
            path,
            "Tiny VGG: every feature map, each layer on its own colour scale",
            &columns,
            &CLASSES,
            probabilities.as_slice().expect("contiguous"),
        )
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
        let Some((_, Layer::Conv2d(conv))) = network.layers.first() else {
            anyhow::bail!("the first layer of Tiny VGG is not a convolution");
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
        let from_library = espresso.output("conv_1_1")[[0, f, i, j]];
        Ok(OnePixel {
            terms,
            bias: conv.bias[f],
            by_hand,
            from_library,
        })
    }

    pub fn terms_table(&self) -> Table {
        let channel = ["R", "G", "B"];
        let mut table = Table::new([
            "channel c",
            "row u",
            "column v",
            "pixel x",
            "weight w",
            "x * w",
        ]);
        for &(c, u, v, pixel, weight) in &self.terms {
            table.row([
                channel[c].to_string(),
                u.to_string(),
                v.to_string(),
                format!("{pixel:.4}"),
                format!("{weight:.4}"),
                format!("{:.4}", pixel * weight),
            ]);
        }
        table
    }

    pub fn sum_table(&self) -> Table {
        let products: f32 = self.terms.iter().map(|t| t.3 * t.4).sum();
        let mut table = Table::new(["", "value"]);
        table.row([
            "sum of the 27 products".to_string(),
            format!("{products:.4}"),
        ]);
        table.row([
            format!("bias of filter {PIXEL_FILTER}"),
            format!("{:.4}", self.bias),
        ]);
        table.row([
            "output, by hand".to_string(),
            format!("{:.4}", self.by_hand),
        ]);
        table.row([
            format!("output of `conv_1_1` at filter {PIXEL_FILTER}, ({PIXEL_ROW}, {PIXEL_COLUMN})"),
            format!("{:.4}", self.from_library),
        ]);
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
    pub fn compute(network: &Sequential, espresso: &LayerOutputs) -> ReluCounts {
        let rows = network
            .layers
            .iter()
            .zip(&espresso.activations)
            .filter(|((name, _), _)| name.starts_with("relu"))
            .map(|((name, _), output)| {
                let zeros = output.iter().filter(|&&v| v == 0.0).count();
                (name.clone(), output.len(), zeros)
            })
            .collect();
        ReluCounts { rows }
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new(["layer", "values", "set to 0", "share set to 0"]);
        for (name, values, zeros) in &self.rows {
            table.row([
                format!("`{name}`"),
                values.to_string(),
                zeros.to_string(),
                format!("{:.0}%", 100.0 * *zeros as f64 / *values as f64),
            ]);
        }
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
    pub fn compute(espresso: &LayerOutputs) -> PoolWindow {
        let c = PIXEL_FILTER;
        let pooled_map = espresso
            .output("max_pool_1")
            .slice(s![0, c, .., ..])
            .to_owned(); // [30, 30]
        let mut at = (0, 0);
        for ((i, j), &value) in pooled_map.indexed_iter() {
            if value > pooled_map[at] {
                at = (i, j);
            }
        }
        let (i, j) = at;
        let relu = espresso.output("relu_1_2");
        let window = relu
            .slice(s![0, c, 2 * i..2 * i + 2, 2 * j..2 * j + 2])
            .to_owned(); // [2, 2]
        PoolWindow {
            at,
            window,
            pooled: pooled_map[at],
        }
    }

    pub fn table(&self) -> Table {
        let (i, j) = self.at;
        let mut table = Table::new(["", "value"]);
        for ((u, v), value) in self.window.indexed_iter() {
            table.row([
                format!("`relu_1_2` at ({}, {})", 2 * i + u, 2 * j + v),
                format!("{value:.4}"),
            ]);
        }
        table.row([
            format!("`max_pool_1` at ({i}, {j}): the largest"),
            format!("{:.4}", self.pooled),
        ]);
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
    pub fn compute(_network: &Sequential, espresso: &LayerOutputs) -> SoftmaxArithmetic {
        let logits = espresso
            .output("output")
            .index_axis(Axis(0), 0)
            .to_owned()
            .into_dimensionality()
            .expect("the dense layer gives [1, 10]");
        SoftmaxArithmetic {
            logits,
            probabilities: espresso.probabilities(),
        }
    }

    pub fn espresso(&self) -> f32 {
        self.probabilities[6]
    }

    pub fn table(&self) -> Table {
        let largest = self.logits.fold(f32::NEG_INFINITY, |m, &z| m.max(z));
        let exponentials = self.logits.mapv(|z| (z - largest).exp());
        let total = exponentials.sum();
        let mut table = Table::new([
            "class",
            "logit z",
            "z - max z",
            "e^(z - max z)",
            "probability",
        ]);
        for (k, class) in CLASSES.iter().enumerate() {
            table.row([
                class.to_string(),
                format!("{:.3}", self.logits[k]),
                format!("{:.3}", self.logits[k] - largest),
                format!("{:.4}", exponentials[k]),
                format!("{:.4}", self.probabilities[k]),
            ]);
        }
        table.row([
            "sum".to_string(),
            String::new(),
            String::new(),
            format!("{total:.4}"),
            format!("{:.4}", self.probabilities.sum()),
        ]);
        table
    }

    fn figure(&self, path: &Path) -> Result<()> {
        plot::bar_chart(
            path,
            &Labels::new(
                "Tiny VGG's probabilities for the espresso image",
                "class (last word of its name)",
                "probability",
            ),
            // The last word of each class name, so the labels do not run together.
            &CLASSES
                .iter()
                .map(|c| c.rsplit(' ').next().unwrap_or(c).to_string())
                .collect::<Vec<_>>(),
            self.probabilities.as_slice().expect("contiguous"),
        )
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
    let prefix = image.split('_').next().unwrap_or(image);
    let class = match prefix {
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
        self.probabilities
            .iter()
            .zip(&self.tfjs)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max)
    }
}

pub struct Predictions {
    /// In file-name order.
    pub rows: Vec<Prediction>,
}

/// TensorFlow.js's probabilities for every PNG, by file stem, from
/// `tests/reference/tiny_vgg_tfjs.json` (see the README there).
pub fn tfjs_reference() -> Result<Vec<(String, Vec<f32>)>> {
    let path = cnn_book::output::repo_root().join("tests/reference/tiny_vgg_tfjs.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)?;
    let mut rows = Vec::new();
    for entry in json["predictions"].as_array().context("no predictions")? {
        let image = entry["image"].as_str().context("no image name")?;
        let probabilities = entry["probabilities"]
            .as_array()
            .context("no probabilities")?
            .iter()
            .map(|p| p.as_f64().map(|p| p as f32).context("not a number"))
            .collect::<Result<Vec<f32>>>()?;
        rows.push((image.trim_end_matches(".png").to_string(), probabilities));
    }
    Ok(rows)
}

impl Predictions {
    pub fn compute(network: &Sequential) -> Result<Predictions> {
        let mut rows = Vec::new();
        for (image, tfjs) in tfjs_reference()? {
            let pixels = tiny_vgg::load_image(&data_dir().join(format!("png/{image}.png")))?;
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

    pub fn picker_correct(&self) -> String {
        let picker: Vec<_> = self
            .rows
            .iter()
            .filter(|r| PICKER.contains(&r.image.as_str()))
            .collect();
        let correct = picker.iter().filter(|r| r.is_correct()).count();
        format!("{correct} of {}", picker.len())
    }

    pub fn all_correct(&self) -> String {
        let labelled: Vec<_> = self
            .rows
            .iter()
            .filter(|r| true_class(&r.image).is_some())
            .collect();
        let correct = labelled.iter().filter(|r| r.is_correct()).count();
        format!("{correct} of {}", labelled.len())
    }

    pub fn largest_tfjs_difference(&self) -> f32 {
        self.rows
            .iter()
            .map(|r| r.tfjs_difference())
            .fold(0.0, f32::max)
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "image (* = in the picker)",
            "shows",
            "top class",
            "probability",
            "second class",
            "probability ",
            "TF.js: top probability",
            "correct",
        ]);
        for row in &self.rows {
            let order = ranking(&row.probabilities);
            let (first, second) = (order[0], order[1]);
            let correct = match true_class(&row.image) {
                None => "-",
                Some(_) if row.is_correct() => "yes",
                Some(_) => "**no**",
            };
            let picker = if PICKER.contains(&row.image.as_str()) {
                " *"
            } else {
                ""
            };
            table.row([
                format!("{}{picker}", row.image),
                true_class(&row.image)
                    .map_or("(blank)", |k| CLASSES[k])
                    .to_string(),
                CLASSES[first].to_string(),
                format!("{:.4}", row.probabilities[first]),
                CLASSES[second].to_string(),
                format!("{:.4}", row.probabilities[second]),
                format!("{:.4}", row.tfjs[first]),
                correct.to_string(),
            ]);
        }
        table
    }

    fn gallery(&self, path: &Path) -> Result<()> {
        let images: Vec<(String, ndarray::ArrayView3<f32>)> = self
            .rows
            .iter()
            .map(|row| {
                let top = row.top();
                let mark = match true_class(&row.image) {
                    Some(_) if !row.is_correct() => " (wrong)",
                    _ => "",
                };
                (
                    format!(
                        "{}\n{} {:.2}{mark}",
                        row.image, CLASSES[top], row.probabilities[top]
                    ),
                    row.pixels.view(),
                )
            })
            .collect();
        plot::image_gallery(path, &images, 7, 128)
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
    for (name, layer) in &mut wrong.layers {
        if let Layer::Dense(dense) = layer {
            let weight = kernel.t().to_owned(); // [10, 1690], rows not reordered
            *layer = Layer::Dense(Dense::new(name, weight, dense.bias.clone())?);
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
            let row = predictions
                .rows
                .iter()
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
        let correct = self
            .rows
            .iter()
            .filter(|(image, _, (top, _))| true_class(image) == Some(*top))
            .count();
        format!("{correct} of {}", self.rows.len())
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new(["image", "rows reordered (right)", "rows as stored (wrong)"]);
        for (image, (right, p_right), (wrong, p_wrong)) in &self.rows {
            table.row([
                image.clone(),
                format!("{} {:.4}", CLASSES[*right], p_right),
                format!("{} {:.4}", CLASSES[*wrong], p_wrong),
            ]);
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
        let png = tiny_vgg::load_image(&data_dir().join("png/espresso_1.png"))?;
        let jpeg = tiny_vgg::load_image(&data_dir().join("jpeg/espresso_1.jpeg"))?;
        let png_probability = classify(network, &png)?[6];
        let jpeg_probability = classify(network, &jpeg)?[6];
        Ok(JpegVsPng {
            png,
            jpeg,
            png_probability,
            jpeg_probability,
        })
    }

    /// Pixel differences in units of 1/255 (one step of an 8-bit value).
    pub fn steps(&self) -> Vec<i32> {
        self.png
            .iter()
            .zip(&self.jpeg)
            .map(|(a, b)| ((b - a) * 255.0).round() as i32)
            .collect()
    }

    pub fn table(&self) -> Table {
        let mut table = Table::new(["pixels of espresso_1 decoded by", "P(espresso)"]);
        table.row([
            "libjpeg-turbo, saved as PNG (`png/espresso_1.png`)".to_string(),
            format!("{:.4}", self.png_probability),
        ]);
        table.row([
            "the `image` crate's JPEG decoder (`jpeg/espresso_1.jpeg`)".to_string(),
            format!("{:.4}", self.jpeg_probability),
        ]);
        table
    }

    pub fn pixel_table(&self) -> Table {
        let steps = self.steps();
        let count = |d: i32| steps.iter().filter(|&&s| s.abs() == d).count();
        let mut table = Table::new(["difference (in steps of 1/255)", "values", "share"]);
        let largest = steps.iter().map(|s| s.abs()).max().unwrap_or(0);
        for d in 0..=largest {
            table.row([
                d.to_string(),
                count(d).to_string(),
                format!("{:.1}%", 100.0 * count(d) as f64 / steps.len() as f64),
            ]);
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 9. Your own photo.
// ---------------------------------------------------------------------------

/// The coffee photo of chapter 3, a 600 x 400 photo the network has never seen.
pub fn coffee_photo() -> PathBuf {
    cnn_book::output::repo_root().join("data/photos/coffee.png")
}

/// The network's top class for the coffee photo, scaled and cropped as the site does:
/// `"espresso (0.8275)"`.
pub fn coffee_prediction(network: &Sequential) -> Result<String> {
    let image = tiny_vgg::load_image(&coffee_photo())?; // [3, 400, 600] -> [3, 64, 64]
    let probabilities = classify(network, &image)?;
    let top = ranking(&probabilities)[0];
    Ok(format!("{} ({:.4})", CLASSES[top], probabilities[top]))
}

// ANCHOR: your_photo
/// Classify a photo given on the command line and draw its overview.
fn classify_your_photo(photo: &Path) -> Result<()> {
    let network = load_network()?;
    let image = tiny_vgg::load_image(photo)?; // any size -> [3, 64, 64]
    let probabilities = classify(&network, &image)?; // [10]
    println!("{}:", photo.display());
    for k in ranking(&probabilities).into_iter().take(5) {
        println!("  {:<12} {:.4}", CLASSES[k], probabilities[k]);
    }
    let stem = photo
        .file_stem()
        .map_or("photo".into(), |s| s.to_string_lossy());
    let figure = cnn_book::output::repo_root().join(format!("target/ch07/{stem}_overview.png"));
    LayerOutputs::of_image(&network, image)?.overview(&figure)?;
    println!("overview figure: {}", figure.display());
    Ok(())
}
// ANCHOR_END: your_photo
