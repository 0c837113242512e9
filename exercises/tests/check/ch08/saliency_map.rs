//! The checks of exercise ch08-saliency-map.

use crate::common::{
    assert_close, assert_same, first_test_digit, linear_network, random, random_size, rng, scores,
    trained_lenet,
};
use cnn_core::{Conv2d, Conv2dConfig, Dense, Layer, Sequential};
use cnn_exercises::ch08::saliency_map::saliency_map;
use cnn_exercises_harness::message;
use ndarray::Array2;

cnn_exercises_harness::checks![
    a_linear_network_gives_its_weights,
    agrees_with_finite_differences_on_a_smooth_network,
    lenet_saliency_has_the_image_shape_and_is_not_flat,
];

/// What the shape checks say.
fn same_shape() -> String {
    message!(
        en: "saliency has the image's shape",
        zh: "显著图的形状应与图像相同",
    )
}

fn a_linear_network_gives_its_weights() {
    // score = 0.5 + sum_p w[class, p] x[p], so d score / d x[p] = w[class, p]. The image
    // of 5x4, then shapes and classes drawn from the run's seed.
    let mut rng = rng(11);
    let mut cases = vec![(5, 4, 2)];
    for _ in 0..5 {
        let (h, w) = (random_size(&mut rng, 1..=12), random_size(&mut rng, 1..=12));
        cases.push((h, w, random_size(&mut rng, 0..=2)));
    }
    for (h, w, class) in cases {
        let image: Array2<f32> = random(&mut rng, (h, w));
        let weight: Array2<f32> = random(&mut rng, (3, h * w));
        let net = linear_network(weight.clone());
        let saliency = saliency_map(&net, image.view(), class).unwrap();
        assert_same(saliency.dim(), (h, w), &same_shape());
        let expected = weight.row(class).mapv(f32::abs);
        assert_close(
            &saliency,
            &expected,
            &message!(
                en: "saliency of a linear network on a {h}x{w} image, class {class}",
                zh: "线性网络在 {h}x{w} 图像上对类别 {class} 的显著图",
            ),
        );
    }
}

fn agrees_with_finite_differences_on_a_smooth_network() {
    // conv 3x3 -> tanh -> flatten -> dense: smooth, so a nudge of a pixel changes the
    // score at the rate the gradient says.
    let mut rng = rng(12);
    let mut net = Sequential::new();
    let conv = Conv2d::new(
        random(&mut rng, (2, 1, 3, 3)),
        random(&mut rng, 2),
        Conv2dConfig::default(),
    )
    .unwrap();
    net.push("conv", conv).unwrap(); // [1, 1, 6, 6] -> [1, 2, 4, 4]
    net.push("tanh", Layer::Tanh).unwrap();
    net.push("flatten", Layer::Flatten).unwrap(); // -> [1, 32]
    let dense = Dense::new(random(&mut rng, (3, 32)), random(&mut rng, 3)).unwrap();
    net.push("dense", dense).unwrap(); // -> [1, 3]
    let image: Array2<f32> = random(&mut rng, (6, 6));
    let saliency = saliency_map(&net, image.view(), 0).unwrap();
    assert_same(saliency.dim(), (6, 6), &same_shape());
    let step = 1e-2;
    for ((i, j), &value) in saliency.indexed_iter() {
        let (mut up, mut down) = (image.clone(), image.clone());
        up[[i, j]] += step;
        down[[i, j]] -= step;
        let slope =
            (scores(&net, up.view())[[0, 0]] - scores(&net, down.view())[[0, 0]]) / (2.0 * step);
        assert!(
            (slope.abs() - value).abs() < 1e-2 * (1.0 + value),
            "{}",
            message!(
                en: "saliency[{i}, {j}] = {value}, but nudging that pixel changes the score at rate {slope}",
                zh: "saliency[{i}, {j}] = {value}，可是把这个像素微调一点，得分的变化率是 {slope}",
            )
        );
    }
}

fn lenet_saliency_has_the_image_shape_and_is_not_flat() {
    let net = trained_lenet();
    let (digit, label) = first_test_digit();
    let saliency = saliency_map(&net, digit.view(), label).unwrap();
    assert_same(saliency.dim(), (28, 28), &same_shape());
    assert!(
        saliency.iter().all(|v| *v >= 0.0) && saliency.iter().any(|v| *v > 0.0),
        "{}",
        message!(
            en: "a saliency map is the absolute gradient: never negative, and not all zero",
            zh: "显著图是梯度的绝对值：不会是负数，也不会全为零",
        )
    );
}
