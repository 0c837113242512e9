//! The numeric answers of the exercises (`exercises/`), computed by cnn-core, and the
//! teacher's guide's tables of exercises and estimated times, read from
//! `exercises/exercises.toml`.
//!
//! Run with `cargo run --example exercise_answers` (the book build runs it). It writes one
//! table per chapter to `book/generated/exercises/chNN.md`, which the solutions appendix
//! includes, and `list.md`, `weeks.md`, `count.md` and `compute_minutes.md` for the
//! teacher's guide. The exercise checks (`exercises/tests/check/`) compare a learner's numbers
//! with the same cnn-core calls, so the appendix and the checker cannot disagree.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Parser;
use cnn_book::{Chapter, Table};
use cnn_core::models::tiny_vgg;
use cnn_core::nn::{Conv2d, Conv2dConfig, Layer, NamedLayer, Pool2d, PoolKind, Sequential};
use cnn_core::ops::{
    conv1d, conv2d_naive, max_pool2d_backward_naive, sigmoid, sigmoid_backward, true_convolution1d,
};
use cnn_core::shape::{dropped_by_floor, output_size, receptive_field};
use ndarray::{Array1, Array3, Array4, s};
use serde::Deserialize;

/// Writes the exercises' answers and the teacher's guide's tables into the book.
#[derive(Parser)]
#[command(about = "The exercises' numeric answers, computed by cnn-core, for the book")]
struct Args {}

fn main() -> Result<()> {
    Args::parse();
    let answers = Chapter::new("exercises")?;
    for (chapter, table) in all()? {
        answers.publish(chapter, &table)?;
    }
    let exercises = catalogue()?;
    answers.publish("list", &exercise_list(&exercises))?;
    answers.publish("weeks", &weekly_plan(&exercises))?;
    answers.write_value("count", exercises.len())?;
    answers.write_value("compute_minutes", minutes_of_level(&exercises, "compute"))?;
    answers.finish()?;
    println!("tables in book/generated/exercises/");
    Ok(())
}

/// Every chapter's table of answers, in chapter order.
pub fn all() -> Result<Vec<(&'static str, Table)>> {
    Ok(vec![
        ("ch01", ch01()?),
        ("ch02", ch02()?),
        ("ch03", ch03()?),
        ("ch04", ch04()?),
        ("ch05", ch05()?),
        ("ch06", ch06()?),
        ("ch07", ch07()?),
        ("ch08", ch08()?),
    ])
}

/// One entry of `exercises/exercises.toml` (the checker, `xtask/src/check.rs`, reads the
/// same file).
#[derive(Debug, Clone, Deserialize)]
pub struct Exercise {
    pub id: String,
    pub title: String,
    pub level: String,
    pub minutes: u32,
    pub hint: String,
}

#[derive(Deserialize)]
struct Catalogue {
    exercise: Vec<Exercise>,
}

/// The exercises, in the order of `exercises/exercises.toml`.
pub fn catalogue() -> Result<Vec<Exercise>> {
    let path = repo_path("exercises/exercises.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let catalogue: Catalogue =
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    Ok(catalogue.exercise)
}

/// Every exercise with its kind and estimated time.
pub fn exercise_list(exercises: &[Exercise]) -> Table {
    let mut table = Table::new(["exercise", "kind", "minutes"]);
    for exercise in exercises {
        table.row([
            format!("`{}`", exercise.id),
            exercise.level.clone(),
            exercise.minutes.to_string(),
        ]);
    }
    table
}

/// The teacher's guide's four-week plan: two chapters a week.
pub const WEEKS: [(&str, [&str; 2], &str); 4] = [
    (
        "1",
        ["ch01", "ch02"],
        "Convolution in 1-D and 2-D, feature maps",
    ),
    ("2", ["ch03", "ch04"], "Pooling and the output-size formula"),
    (
        "3",
        ["ch05", "ch06"],
        "Kernel sizes, receptive fields, backpropagation",
    ),
    (
        "4",
        ["ch07", "ch08"],
        "A trained network, and what it looks at",
    ),
];

/// The plan with each week's total estimated time.
pub fn weekly_plan(exercises: &[Exercise]) -> Table {
    let mut table = Table::new(["week", "chapters", "topic", "exercises", "minutes"]);
    for (week, chapters, topic) in WEEKS {
        let chosen: Vec<&Exercise> = exercises
            .iter()
            .filter(|e| chapters.contains(&&e.id[..4]))
            .collect();
        let minutes: u32 = chosen.iter().map(|e| e.minutes).sum();
        table.row([
            week.to_string(),
            chapters.join(", "),
            topic.to_string(),
            chosen.len().to_string(),
            minutes.to_string(),
        ]);
    }
    table
}

/// The total estimated time of the exercises of one kind.
pub fn minutes_of_level(exercises: &[Exercise], level: &str) -> u32 {
    exercises
        .iter()
        .filter(|e| e.level == level)
        .map(|e| e.minutes)
        .sum()
}

/// A table of answers: exercise, question, answer.
fn answers_table() -> Table {
    Table::new(["exercise", "question", "answer"])
}

/// A path in the repository.
fn repo_path(relative: &str) -> PathBuf {
    cnn_book::output::repo_root().join(relative)
}

/// The LeNet-5 trained in chapter 6.
fn trained_lenet() -> Result<Sequential> {
    let path = repo_path("data/trained/lenet5.cnn");
    Sequential::load(&path).with_context(|| format!("loading {}", path.display()))
}

/// The Tiny VGG of chapter 7.
fn tiny_vgg() -> Result<Sequential> {
    let path = repo_path("data/cnn-explainer/model.json");
    tiny_vgg::load(Path::new(&path)).with_context(|| format!("loading {}", path.display()))
}

/// Parameters of a convolution layer with `filters` filters `kernel x kernel` on `channels`.
fn conv_parameters(filters: usize, channels: usize, kernel: usize) -> Result<usize> {
    let weight = Array4::zeros((filters, channels, kernel, kernel));
    let layer = Conv2d::new(weight, Array1::zeros(filters), Conv2dConfig::default())?;
    Ok(layer.parameter_count())
}

/// Chapter 1: lengths of full and valid convolutions, the impulse response.
pub fn ch01() -> Result<Table> {
    let mut table = answers_table();
    let full = true_convolution1d(Array1::zeros(200).view(), Array1::zeros(9).view())?.len();
    let valid = conv1d(
        Array3::zeros((1, 1, 200)).view(),
        Array3::zeros((1, 1, 9)).view(),
        Array1::zeros(1).view(),
        1,
        0,
    )?
    .dim()
    .2;
    table.row([
        "ch01-output-lengths",
        "full mode, 200 samples, kernel 9",
        &full.to_string(),
    ]);
    table.row([
        "ch01-output-lengths",
        "valid mode, 200 samples, kernel 9",
        &valid.to_string(),
    ]);
    let impulse = Array3::from_shape_vec((1, 1, 5), vec![0.0, 0.0, 1.0, 0.0, 0.0])?;
    let kernel = Array3::from_shape_vec((1, 1, 3), vec![1.0, 2.0, 3.0])?;
    let response = conv1d(impulse.view(), kernel.view(), Array1::zeros(1).view(), 1, 0)?;
    let response: Vec<String> = response.iter().map(|v| format!("{v}")).collect();
    table.row([
        "ch01-impulse-response",
        "cross-correlation of `[0, 0, 1, 0, 0]` with `[1, 2, 3]`",
        &format!("`[{}]`", response.join(", ")),
    ]);
    Ok(table)
}

/// Chapter 2: parameter counts and an output shape.
pub fn ch02() -> Result<Table> {
    let mut table = answers_table();
    table.row([
        "ch02-conv-parameters",
        "16 filters 5x5 on 3 channels",
        &conv_parameters(16, 3, 5)?.to_string(),
    ]);
    table.row([
        "ch02-conv-parameters",
        "32 filters 3x3 on 16 channels",
        &conv_parameters(32, 16, 3)?.to_string(),
    ]);
    let layer = Conv2d::new(
        Array4::zeros((8, 3, 5, 5)),
        Array1::zeros(8),
        Conv2dConfig::default(),
    )?;
    table.row([
        "ch02-feature-map-shape",
        "`[2, 3, 32, 32]` through 8 filters 5x5",
        &format!("`{:?}`", layer.output_shape([2, 3, 32, 32])?),
    ]);
    Ok(table)
}

/// Chapter 3: pooled sizes, and how often overlapping windows pick one value.
pub fn ch03() -> Result<Table> {
    let mut table = answers_table();
    let pooled_side = |side, kernel, stride| -> Result<usize> {
        Ok(Pool2d::new(PoolKind::Max, kernel, stride)?.output_shape([1, 1, side, side])?[2])
    };
    table.row([
        "ch03-pooled-sizes",
        "28x28, pool 2x2, stride 2",
        &pooled_side(28, 2, 2)?.to_string(),
    ]);
    table.row([
        "ch03-pooled-sizes",
        "13x13, pool 3x3, stride 2",
        &pooled_side(13, 3, 2)?.to_string(),
    ]);
    table.row([
        "ch03-overlapping-windows",
        "side of 6x6 pooled 2x2 with stride 1",
        &pooled_side(6, 2, 1)?.to_string(),
    ]);
    // The largest value at (2, 2); a gradient of ones counts how often each input wins.
    let mut map = Array4::from_shape_fn((1, 1, 6, 6), |(_, _, i, j)| ((i * 7 + j * 3) % 11) as f32);
    map[[0, 0, 2, 2]] = 100.0;
    let ones = Array4::ones((1, 1, 5, 5));
    let picked = max_pool2d_backward_naive(map.view(), ones.view(), 2, 1)[[0, 0, 2, 2]];
    table.row([
        "ch03-overlapping-windows",
        "outputs that hold the value at (2, 2)",
        &picked.to_string(),
    ]);
    Ok(table)
}

/// Chapter 4: LeNet-5's sides and an uncovered edge.
pub fn ch04() -> Result<Table> {
    let mut table = answers_table();
    let summary = trained_lenet()?.summary([1, 1, 28, 28])?;
    let sides: Vec<String> = ["conv1", "pool1", "conv2", "pool2"]
        .iter()
        .map(|name| {
            let layer = summary
                .iter()
                .find(|l| l.name == *name)
                .expect("LeNet-5 layer");
            format!("{} {}", name, layer.output_shape[2])
        })
        .collect();
    table.row([
        "ch04-lenet-sides",
        "sides after each layer",
        &sides.join(", "),
    ]);
    let same: Vec<String> = [1, 3, 5, 7]
        .iter()
        .map(|&k| {
            let padding = (0..k).find(|&p| output_size(10, k, 1, p).ok() == Some(10));
            format!(
                "K={k}: P={}",
                padding.map_or("none".to_string(), |p| p.to_string())
            )
        })
        .collect();
    table.row([
        "ch04-same-padding",
        "padding that keeps the size",
        &same.join(", "),
    ]);
    table.row([
        "ch04-uncovered-pixels",
        "output side, 10x10, kernel 3, stride 4",
        &output_size(10, 3, 4, 0)?.to_string(),
    ]);
    table.row([
        "ch04-uncovered-pixels",
        "rows never covered",
        &dropped_by_floor(10, 3, 4, 0)?.to_string(),
    ]);
    Ok(table)
}

/// Chapter 5: receptive fields, parameters of stacks, the shift of an even kernel.
pub fn ch05() -> Result<Table> {
    let mut table = answers_table();
    let field = |layers: &[(usize, usize)]| -> Result<usize> {
        Ok(receptive_field(layers)?.last().expect("layers").0)
    };
    table.row([
        "ch05-receptive-field",
        "three 3x3 convolutions",
        &field(&[(3, 1), (3, 1), (3, 1)])?.to_string(),
    ]);
    table.row([
        "ch05-receptive-field",
        "conv3, conv3, pool 2/2, conv3, conv3",
        &field(&[(3, 1), (3, 1), (2, 2), (3, 1), (3, 1)])?.to_string(),
    ]);
    table.row([
        "ch05-stack-parameters",
        "two 3x3 layers, 64 channels",
        &(2 * conv_parameters(64, 64, 3)?).to_string(),
    ]);
    table.row([
        "ch05-stack-parameters",
        "one 5x5 layer, 64 channels",
        &conv_parameters(64, 64, 5)?.to_string(),
    ]);
    let mut padded = Array4::<f32>::zeros((1, 1, 10, 10));
    padded[[0, 0, 4, 4]] = 1.0;
    let kernel = Array4::from_elem((1, 1, 2, 2), 0.25);
    let blurred = conv2d_naive(padded.view(), kernel.view(), Array1::zeros(1).view(), 1, 0)?;
    let blurred = blurred.slice(s![0, 0, .., ..]);
    let centre_row = blurred
        .indexed_iter()
        .map(|((i, _), value)| i as f32 * value)
        .sum::<f32>()
        / blurred.sum();
    table.row([
        "ch05-even-kernel-shift",
        "centre row of the dot at row 4 after a 2x2 blur",
        &format!("{centre_row:.2}"),
    ]);
    Ok(table)
}

/// Chapter 6: LeNet-5's parameters, the sigmoid's largest local gradient.
pub fn ch06() -> Result<Table> {
    let mut table = answers_table();
    let lenet = trained_lenet()?;
    for NamedLayer { name, layer } in lenet.layers() {
        if layer.parameter_count() > 0 {
            table.row([
                "ch06-lenet-parameters",
                &format!("{name} ({})", layer.describe()),
                &layer.parameter_count().to_string(),
            ]);
        }
    }
    table.row([
        "ch06-lenet-parameters",
        "total",
        &lenet.parameter_count().to_string(),
    ]);
    let x = Array1::linspace(-10.0, 10.0, 2001);
    let gradient = sigmoid_backward(sigmoid(x.view()).view(), Array1::ones(2001).view());
    let largest = gradient.fold(0.0, |m: f32, &g| m.max(g));
    let layers = (1..)
        .find(|&n| largest.powi(n) < 1e-3)
        .expect("a power below 1/1000");
    table.row([
        "ch06-sigmoid-saturation",
        "largest local gradient",
        &format!("{largest}"),
    ]);
    table.row([
        "ch06-sigmoid-saturation",
        "sigmoid layers to shrink 1000-fold",
        &layers.to_string(),
    ]);
    Ok(table)
}

/// Tiny VGG's flattened length and dense parameters, with or without pooling.
fn flatten_and_dense(net: &Sequential, keep_pooling: bool) -> Result<(usize, usize)> {
    let mut up_to_flatten = Sequential::new();
    let mut classes = 0;
    for NamedLayer { name, layer } in net.layers() {
        match layer {
            Layer::Dense(dense) => classes = dense.weight.nrows(),
            Layer::Softmax => {}
            Layer::Pool2d(_) if !keep_pooling => {}
            _ if classes == 0 => up_to_flatten.push(name, layer.clone())?,
            _ => {}
        }
    }
    let summary = up_to_flatten.summary([1, 3, 64, 64])?;
    let length = summary.last().expect("layers").output_shape[1];
    Ok((length, classes * length + classes))
}

/// Chapter 7: Tiny VGG's flatten and dense layer, with and without pooling.
pub fn ch07() -> Result<Table> {
    let mut table = answers_table();
    let net = tiny_vgg()?;
    let (length, dense) = flatten_and_dense(&net, true)?;
    table.row([
        "ch07-flatten-length",
        "flattened length",
        &length.to_string(),
    ]);
    table.row([
        "ch07-flatten-length",
        "dense parameters",
        &dense.to_string(),
    ]);
    let (length, dense) = flatten_and_dense(&net, false)?;
    table.row([
        "ch07-no-pooling",
        "flattened length without pooling",
        &length.to_string(),
    ]);
    table.row([
        "ch07-no-pooling",
        "dense parameters without pooling",
        &dense.to_string(),
    ]);
    Ok(table)
}

/// Chapter 8: LeNet-5's receptive fields, an occlusion map's size and cost.
pub fn ch08() -> Result<Table> {
    let mut table = answers_table();
    let mut layers = Vec::new();
    for NamedLayer { name, layer } in trained_lenet()?.layers() {
        match layer {
            Layer::Conv2d(conv) => layers.push((conv.weight.dim().2, conv.stride)),
            Layer::Pool2d(pool) => layers.push((pool.kernel, pool.stride)),
            _ => continue,
        }
        if name == "conv2" || name == "pool2" {
            let (field, jump) = *receptive_field(&layers)?.last().expect("layers");
            table.row([
                "ch08-receptive-field",
                &format!("after {name}"),
                &format!("{field} (jump {jump})"),
            ]);
        }
    }
    let side = output_size(28, 7, 3, 0)?;
    table.row([
        "ch08-occlusion-size",
        "map side, 28x28, patch 7, stride 3",
        &side.to_string(),
    ]);
    table.row([
        "ch08-occlusion-size",
        "forward passes",
        &(side * side + 1).to_string(),
    ]);
    Ok(table)
}
