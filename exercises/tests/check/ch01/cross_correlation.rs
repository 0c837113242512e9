//! The checks of exercise ch01-cross-correlation.

use crate::common::{assert_close, random_size, random_vec, rng};
use cnn_core::ops::conv1d;
use cnn_exercises::ch01::cross_correlation::cross_correlation;
use cnn_exercises_harness::message;
use ndarray::{Array1, Array3};

cnn_exercises_harness::checks![
    small_example_by_hand,
    the_kernel_is_not_flipped,
    matches_cnn_core_conv1d_on_random_signals,
];

/// cnn-core's `conv1d` on one channel, one filter, no bias.
fn reference(signal: &[f32], kernel: &[f32]) -> Vec<f32> {
    let x = Array3::from_shape_vec((1, 1, signal.len()), signal.to_vec()).unwrap();
    let w = Array3::from_shape_vec((1, 1, kernel.len()), kernel.to_vec()).unwrap();
    let bias = Array1::zeros(1);
    conv1d(x.view(), w.view(), bias.view(), 1, 0)
        .unwrap()
        .into_raw_vec_and_offset()
        .0
}

fn small_example_by_hand() {
    let got = cross_correlation(&[1.0, 2.0, 3.0, 4.0], &[1.0, 0.0, -1.0]);
    assert_close(
        &got,
        &[-2.0, -2.0],
        "cross_correlation(&[1, 2, 3, 4], &[1, 0, -1])",
    );
}

fn the_kernel_is_not_flipped() {
    let got = cross_correlation(&[0.0, 0.0, 1.0, 0.0, 0.0], &[1.0, 2.0, 3.0]);
    assert_close(
        &got,
        &[3.0, 2.0, 1.0],
        "cross_correlation(&[0, 0, 1, 0, 0], &[1, 2, 3])",
    );
}

fn matches_cnn_core_conv1d_on_random_signals() {
    let mut rng = rng(1);
    // Edge cases, then sizes drawn from the run's seed.
    let mut sizes = vec![(1, 1), (5, 1), (5, 5), (12, 3), (40, 9), (7, 4)];
    for _ in 0..10 {
        let length = random_size(&mut rng, 1..=60);
        sizes.push((length, random_size(&mut rng, 1..=length)));
    }
    for (length, width) in sizes {
        let signal = random_vec(&mut rng, length);
        let kernel = random_vec(&mut rng, width);
        let got = cross_correlation(&signal, &kernel);
        let expected = reference(&signal, &kernel);
        assert_close(
            &got,
            &expected,
            &message!(
                en: "signal of {length}, kernel of {width}",
                zh: "长度为 {length} 的信号，长度为 {width} 的卷积核",
            ),
        );
    }
}
