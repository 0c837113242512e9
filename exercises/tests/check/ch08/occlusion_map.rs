//! The checks of exercise ch08-occlusion-map.

use crate::common::{assert_close, random, rng, trained_lenet};
use cnn_exercises::ch08::occlusion_map::occlusion_map;
use ndarray::{Array2, s};

cnn_exercises_harness::checks![
    a_linear_network_drops_by_the_covered_sum,
    matches_a_reference_on_lenet,
    a_patch_larger_than_the_image_is_an_error,
];

fn a_linear_network_drops_by_the_covered_sum() {
    // score = 0.5 + sum_p w[class, p] x[p]: covering a patch drops it by that patch's share.
    let mut rng = rng(10);
    let image: Array2<f32> = random(&mut rng, (6, 6));
    let weight: Array2<f32> = random(&mut rng, (2, 36));
    let net = crate::common::linear_network(weight.clone());
    let map = occlusion_map(&net, image.view(), 1, 3, 3).unwrap();
    assert_eq!(
        map.dim(),
        (2, 2),
        "map shape for a 6x6 image, patch 3, stride 3"
    );
    let contribution = &image * &weight.row(1).to_shape((6, 6)).unwrap();
    let expected: Vec<f32> = [(0, 0), (0, 3), (3, 0), (3, 3)]
        .iter()
        .map(|&(top, left)| contribution.slice(s![top..top + 3, left..left + 3]).sum())
        .collect();
    assert_close(
        &map,
        &expected,
        "occlusion map of a linear network, class 1",
    );
}

fn matches_a_reference_on_lenet() {
    let net = trained_lenet();
    let (digit, label) = crate::common::first_test_digit();
    let (patch, stride) = (8, 4);
    let map = occlusion_map(&net, digit.view(), label, patch, stride).unwrap();
    let side = cnn_core::output_size(28, patch, stride, 0).unwrap();
    assert_eq!(
        map.dim(),
        (side, side),
        "map shape for 28x28, patch {patch}, stride {stride}"
    );
    let original = crate::common::scores(&net, digit.view())[[0, label]];
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
            expected.push(original - crate::common::scores(&net, covered.view())[[0, label]]);
        }
    }
    assert_close(
        &map,
        &expected,
        "occlusion map of LeNet-5 on the first test digit",
    );
}

fn a_patch_larger_than_the_image_is_an_error() {
    let net = trained_lenet();
    let (digit, label) = crate::common::first_test_digit();
    assert!(
        occlusion_map(&net, digit.view(), label, 29, 1).is_err(),
        "a 29x29 patch on a 28x28 image must return an error, not panic"
    );
    assert!(
        occlusion_map(&net, digit.view(), label, 4, 0).is_err(),
        "stride 0 must return an error"
    );
}
