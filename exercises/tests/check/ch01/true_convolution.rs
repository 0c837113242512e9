//! The checks of exercise ch01-true-convolution.

use crate::common::{assert_close, random_size, random_vec, rng};
use cnn_core::ops::true_convolution1d;
use cnn_exercises::ch01::true_convolution::convolution_full;
use cnn_exercises_harness::message;
use ndarray::ArrayView1;

cnn_exercises_harness::checks![
    small_example_by_hand,
    an_impulse_gives_back_the_kernel,
    matches_cnn_core_on_random_signals,
];

fn small_example_by_hand() {
    let got = convolution_full(&[1.0, 2.0], &[1.0, 10.0]);
    assert_close(
        &got,
        &[1.0, 12.0, 20.0],
        "convolution_full(&[1, 2], &[1, 10])",
    );
}

fn an_impulse_gives_back_the_kernel() {
    let got = convolution_full(&[0.0, 1.0, 0.0], &[1.0, 2.0, 3.0]);
    assert_close(
        &got,
        &[0.0, 1.0, 2.0, 3.0, 0.0],
        "convolution_full(&[0, 1, 0], &[1, 2, 3])",
    );
}

fn matches_cnn_core_on_random_signals() {
    let mut rng = rng(2);
    // Edge cases, then sizes drawn from the run's seed.
    let mut sizes = vec![(1, 1), (1, 4), (4, 1), (6, 6), (30, 7), (3, 9)];
    for _ in 0..10 {
        sizes.push((random_size(&mut rng, 1..=40), random_size(&mut rng, 1..=12)));
    }
    for (length, width) in sizes {
        let signal = random_vec(&mut rng, length);
        let kernel = random_vec(&mut rng, width);
        let got = convolution_full(&signal, &kernel);
        let expected =
            true_convolution1d(ArrayView1::from(&signal), ArrayView1::from(&kernel)).unwrap();
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
