//! Helpers shared by the exercise checks. Every exercise's checks are built with this file
//! (and only their own exercise's code), so a helper that two exercises need lives here.
//!
//! Every failure message is written with `cnn_exercises_harness::message!`, in English and
//! Simplified Chinese side by side (`cargo xtask check --lang zh-CN` shows the Chinese);
//! xtask's tests refuse an assertion without it.

use std::path::PathBuf;

use cnn_core::{Dense, Layer, Sequential};
use cnn_exercises_harness::message;
use ndarray::{Array, Array2, Array4, ArrayView2, Axis, Dimension, ShapeBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random number generator for one check's inputs, from the check's own number `stream`
/// and the run's seed (`cargo xtask check --seed`, 0 unless given). The same seed gives the
/// same inputs on every machine; a grader's seed gives inputs that no learner has seen.
pub fn rng(stream: u64) -> ChaCha8Rng {
    let mut seed = [0u8; 32];
    seed[..8].copy_from_slice(&stream.to_le_bytes());
    seed[8..16].copy_from_slice(&cnn_exercises_harness::seed().to_le_bytes());
    ChaCha8Rng::from_seed(seed)
}

/// An array of the given shape with values uniform in [-1, 1).
pub fn random<Sh: ShapeBuilder>(rng: &mut ChaCha8Rng, shape: Sh) -> Array<f32, Sh::Dim>
where
    Sh::Dim: Dimension,
{
    let mut array = Array::zeros(shape);
    array.mapv_inplace(|_: f32| rng.random_range(-1.0..1.0));
    array
}

/// A vector of `len` values uniform in [-1, 1).
pub fn random_vec(rng: &mut ChaCha8Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// A whole number in `range` (inclusive), for random sizes.
pub fn random_size(rng: &mut ChaCha8Rng, range: std::ops::RangeInclusive<usize>) -> usize {
    rng.random_range(range)
}

/// Panics, naming `what`, unless `got` and `expected` have the same length and agree to
/// within `1e-4` (relative to the size of the values). The panic points at the caller.
#[track_caller]
pub fn assert_close<'a>(
    got: impl IntoIterator<Item = &'a f32>,
    expected: impl IntoIterator<Item = &'a f32>,
    what: &str,
) {
    let got: Vec<f32> = got.into_iter().copied().collect();
    let expected: Vec<f32> = expected.into_iter().copied().collect();
    let (got_len, expected_len) = (got.len(), expected.len());
    assert!(
        got_len == expected_len,
        "{}",
        message!(
            en: "{what}: got {got_len} values, expected {expected_len}",
            zh: "{what}：得到 {got_len} 个值，应为 {expected_len} 个",
        )
    );
    for (index, (g, e)) in got.iter().zip(&expected).enumerate() {
        let tolerance = 1e-4 * (1.0 + e.abs());
        assert!(
            (g - e).abs() <= tolerance,
            "{}",
            message!(
                en: "{what}: value {index} is {g}, expected {e}\n  got:      {}\n  expected: {}",
                zh: "{what}：第 {index} 个值是 {g}，应为 {e}\n  你的结果：{}\n  应为：    {}",
                short(&got),
                short(&expected),
            )
        );
    }
}

/// Panics, naming `what`, unless `got == expected`, showing both (in English, as
/// `assert_eq!` would). The panic points at the caller.
#[track_caller]
pub fn assert_same<T: PartialEq + std::fmt::Debug>(got: T, expected: T, what: &str) {
    assert!(
        got == expected,
        "{}",
        message!(
            en: "assertion `left == right` failed: {what}\n  left: {got:?}\n right: {expected:?}",
            zh: "检查未通过：{what}\n  你的结果：{got:?}\n  应为：    {expected:?}",
        )
    );
}

/// The first values of a list, for a failure message.
fn short(values: &[f32]) -> String {
    let shown: Vec<String> = values.iter().take(8).map(|v| format!("{v:.4}")).collect();
    let more = if values.len() > 8 { ", ..." } else { "" };
    format!("[{}{more}]", shown.join(", "))
}

/// A path in the repository, from the repository's root.
pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(crate::REPO_ROOT).join(relative)
}

/// Why a file the checks need could not be read.
fn cannot_load(path: &std::path::Path, error: &dyn std::fmt::Display) -> String {
    let path = path.display();
    message!(en: "cannot load {path}: {error}", zh: "无法读取 {path}：{error}")
}

/// The LeNet-5 trained in chapter 6.
pub fn trained_lenet() -> Sequential {
    let path = repo_path("data/trained/lenet5.cnn");
    Sequential::load(&path).unwrap_or_else(|e| panic!("{}", cannot_load(&path, &e)))
}

/// The Tiny VGG of chapter 7 (CNN Explainer's trained weights).
pub fn tiny_vgg() -> Sequential {
    let path = repo_path("data/cnn-explainer/model.json");
    cnn_core::models::tiny_vgg::load(&path).unwrap_or_else(|e| panic!("{}", cannot_load(&path, &e)))
}

// Chapter 3

/// A pooling case drawn from `rng`: `(H, W, K, S)` with the window fitting in the map,
/// overlapping windows (`S < K`) as likely as not.
pub fn random_pooling(rng: &mut ChaCha8Rng) -> (usize, usize, usize, usize) {
    let kernel = random_size(rng, 1..=4);
    let stride = random_size(rng, 1..=kernel + 1);
    (
        random_size(rng, kernel..=12),
        random_size(rng, kernel..=12),
        kernel,
        stride,
    )
}

/// The argmax of each window as cnn-core's backward pass routes it: push a gradient of 1
/// through one window at a time and see where it lands.
pub fn library_argmax(map: ArrayView2<f32>, kernel: usize, stride: usize) -> Vec<(usize, usize)> {
    let (h, w) = map.dim();
    let input = map.to_owned().insert_axis(Axis(0)).insert_axis(Axis(0));
    let (out_h, out_w) = ((h - kernel) / stride + 1, (w - kernel) / stride + 1);
    let mut positions = Vec::new();
    for i in 0..out_h {
        for j in 0..out_w {
            let mut d_out = Array4::zeros((1, 1, out_h, out_w));
            d_out[[0, 0, i, j]] = 1.0;
            let d_in = cnn_core::ops::max_pool2d_backward_naive(
                input.view(),
                d_out.view(),
                kernel,
                stride,
            );
            let (index, _) = d_in.iter().enumerate().find(|(_, v)| **v == 1.0).unwrap();
            positions.push((index / w, index % w));
        }
    }
    positions
}

// Chapter 7

/// The length of the flattened vector and the dense layer's parameter count of `net`
/// (Tiny VGG, or Tiny VGG with some layers removed) for a 64x64 RGB input.
pub fn flatten_and_dense(net: &Sequential) -> (usize, usize) {
    let mut up_to_flatten = Sequential::new();
    let mut classes = 0;
    for cnn_core::nn::NamedLayer { name, layer } in net.layers() {
        match layer {
            Layer::Dense(dense) => classes = dense.weight.nrows(),
            Layer::Softmax => {}
            _ if classes == 0 => up_to_flatten.push(name, layer.clone()).unwrap(),
            _ => {}
        }
    }
    let summary = up_to_flatten.summary([1, 3, 64, 64]).unwrap();
    let length = summary.last().unwrap().output_shape[1];
    (length, classes * length + classes)
}

// Chapter 8 (only cnn-core's `Sequential` API, not the chapter's own code)

/// A network whose score is a weighted sum of the pixels: flatten, then one dense layer
/// with `weight: [classes, H*W]`. Its occlusion drops and gradients are known exactly.
pub fn linear_network(weight: Array2<f32>) -> Sequential {
    let classes = weight.nrows();
    let mut net = Sequential::new();
    net.push("flatten", Layer::Flatten).unwrap();
    let bias = ndarray::Array1::from_elem(classes, 0.5);
    net.push("dense", Dense::new(weight, bias).unwrap())
        .unwrap();
    net
}

/// The first test digit of MNIST, `[28, 28]`, and its label.
pub fn first_test_digit() -> (Array2<f32>, usize) {
    let mnist = cnn_core::data::load_mnist(&repo_path("data/mnist"), cnn_core::data::Split::Test)
        .unwrap_or_else(|e| panic!("{}", cannot_load(&repo_path("data/mnist"), &e)));
    let image = mnist
        .images
        .index_axis(Axis(0), 0)
        .index_axis(Axis(0), 0)
        .to_owned();
    (image, mnist.labels[0])
}

/// The network's output for one `[H, W]` image.
pub fn scores(net: &Sequential, image: ArrayView2<f32>) -> Array2<f32> {
    let (h, w) = image.dim();
    let batch: Array4<f32> = image
        .to_owned()
        .into_shape_with_order((1, 1, h, w))
        .unwrap();
    net.forward(&batch).unwrap().into_flat().unwrap()
}
