//! The checks of exercise ch08-occlusion-map.

use crate::common::{
    assert_close, assert_same, first_test_digit, linear_network, random, random_size, rng, scores,
    trained_lenet,
};
use cnn_exercises::ch08::occlusion_map::occlusion_map;
use cnn_exercises_harness::message;
use ndarray::{Array2, s};

cnn_exercises_harness::checks![
    a_linear_network_drops_by_the_covered_sum,
    a_linear_network_on_random_images_and_patches,
    matches_a_reference_on_lenet,
    a_patch_larger_than_the_image_is_an_error,
];

fn a_linear_network_drops_by_the_covered_sum() {
    // score = 0.5 + sum_p w[class, p] x[p]: covering a patch drops it by that patch's share.
    let mut rng = rng(10);
    let image: Array2<f32> = random(&mut rng, (6, 6));
    let weight: Array2<f32> = random(&mut rng, (2, 36));
    let net = linear_network(weight.clone());
    let map = occlusion_map(&net, image.view(), 1, 3, 3).unwrap();
    assert_same(
        map.dim(),
        (2, 2),
        &message!(
            en: "map shape for a 6x6 image, patch 3, stride 3",
            zh: "6x6 的图像、遮挡块 3、步幅 3 时遮挡图的形状",
        ),
    );
    let contribution = &image * &weight.row(1).to_shape((6, 6)).unwrap();
    let expected: Vec<f32> = [(0, 0), (0, 3), (3, 0), (3, 3)]
        .iter()
        .map(|&(top, left)| contribution.slice(s![top..top + 3, left..left + 3]).sum())
        .collect();
    assert_close(
        &map,
        &expected,
        &message!(
            en: "occlusion map of a linear network, class 1",
            zh: "线性网络对类别 1 的遮挡图",
        ),
    );
}

/// Images, patches and strides drawn from the run's seed: each value of the map is the
/// covered patch's share of the linear network's score.
fn a_linear_network_on_random_images_and_patches() {
    let mut rng = rng(18);
    for _ in 0..6 {
        let (h, w) = (random_size(&mut rng, 3..=12), random_size(&mut rng, 3..=12));
        let patch = random_size(&mut rng, 1..=h.min(w));
        let stride = random_size(&mut rng, 1..=4);
        let class = random_size(&mut rng, 0..=2);
        let image: Array2<f32> = random(&mut rng, (h, w));
        let weight: Array2<f32> = random(&mut rng, (3, h * w));
        let net = linear_network(weight.clone());
        let map = occlusion_map(&net, image.view(), class, patch, stride).unwrap();
        let (rows, columns) = ((h - patch) / stride + 1, (w - patch) / stride + 1);
        let what = message!(
            en: "{h}x{w} image, patch {patch}, stride {stride}, class {class}",
            zh: "{h}x{w} 的图像、遮挡块 {patch}、步幅 {stride}、类别 {class}",
        );
        assert_same(
            map.dim(),
            (rows, columns),
            &message!(en: "map shape for a {what}", zh: "{what}时遮挡图的形状"),
        );
        let contribution = &image * &weight.row(class).to_shape((h, w)).unwrap();
        let mut expected = Vec::new();
        for i in 0..rows {
            for j in 0..columns {
                let (top, left) = (i * stride, j * stride);
                expected.push(
                    contribution
                        .slice(s![top..top + patch, left..left + patch])
                        .sum(),
                );
            }
        }
        assert_close(
            &map,
            &expected,
            &message!(
                en: "occlusion map of a linear network, {what}",
                zh: "线性网络的遮挡图，{what}",
            ),
        );
    }
}

fn matches_a_reference_on_lenet() {
    let net = trained_lenet();
    let (digit, label) = first_test_digit();
    let (patch, stride) = (8, 4);
    let map = occlusion_map(&net, digit.view(), label, patch, stride).unwrap();
    let side = cnn_core::output_size(28, patch, stride, 0).unwrap();
    assert_same(
        map.dim(),
        (side, side),
        &message!(
            en: "map shape for 28x28, patch {patch}, stride {stride}",
            zh: "28x28 的图像、遮挡块 {patch}、步幅 {stride} 时遮挡图的形状",
        ),
    );
    let original = scores(&net, digit.view())[[0, label]];
    let mut expected = Vec::new();
    for i in 0..side {
        for j in 0..side {
            let mut covered = digit.clone();
            covered
                .slice_mut(s![
                    i * stride..i * stride + patch,
                    j * stride..j * stride + patch
                ])
                .fill(0.0);
            expected.push(original - scores(&net, covered.view())[[0, label]]);
        }
    }
    assert_close(
        &map,
        &expected,
        &message!(
            en: "occlusion map of LeNet-5 on the first test digit",
            zh: "LeNet-5 在第一张测试数字上的遮挡图",
        ),
    );
}

fn a_patch_larger_than_the_image_is_an_error() {
    let net = trained_lenet();
    let (digit, label) = first_test_digit();
    assert!(
        occlusion_map(&net, digit.view(), label, 29, 1).is_err(),
        "{}",
        message!(
            en: "a 29x29 patch on a 28x28 image must return an error, not panic",
            zh: "在 28x28 的图像上用 29x29 的遮挡块，应当返回错误，而不是 panic",
        )
    );
    assert!(
        occlusion_map(&net, digit.view(), label, 4, 0).is_err(),
        "{}",
        message!(en: "stride 0 must return an error", zh: "步幅为 0 时应当返回错误")
    );
}
