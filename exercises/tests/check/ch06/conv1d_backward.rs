//! The checks of exercise ch06-conv1d-backward.

use crate::common::{assert_close, random, random_size, rng};
use cnn_exercises::ch06::conv1d_backward::conv1d_backward;
use cnn_exercises_harness::message;
use ndarray::{Array1, Array3, Axis};

cnn_exercises_harness::checks![small_example_by_hand, matches_cnn_core_on_random_signals];

fn small_example_by_hand() {
    // y[0] = x0 w0 + x1 w1, y[1] = x1 w0 + x2 w1; d_out = [1, 10].
    let (d_x, d_w) = conv1d_backward(&[1.0, 2.0, 3.0], &[4.0, 5.0], &[1.0, 10.0]);
    assert_close(
        &d_x,
        &[4.0, 45.0, 50.0],
        &message!(
            en: "d_signal for x = [1, 2, 3], w = [4, 5], d_out = [1, 10]",
            zh: "x = [1, 2, 3]、w = [4, 5]、d_out = [1, 10] 时的 d_signal",
        ),
    );
    assert_close(
        &d_w,
        &[21.0, 32.0],
        &message!(
            en: "d_kernel for x = [1, 2, 3], w = [4, 5], d_out = [1, 10]",
            zh: "x = [1, 2, 3]、w = [4, 5]、d_out = [1, 10] 时的 d_kernel",
        ),
    );
}

fn matches_cnn_core_on_random_signals() {
    let mut rng = rng(8);
    // Edge cases, then sizes drawn from the run's seed.
    let mut sizes = vec![(3, 1), (6, 3), (20, 5), (4, 4)];
    for _ in 0..8 {
        let length = random_size(&mut rng, 1..=40);
        sizes.push((length, random_size(&mut rng, 1..=length)));
    }
    for (length, width) in sizes {
        let signal: Array1<f32> = random(&mut rng, length);
        let kernel: Array1<f32> = random(&mut rng, width);
        let d_out: Array1<f32> = random(&mut rng, length - width + 1);
        let (d_x, d_w) = conv1d_backward(
            signal.as_slice().unwrap(),
            kernel.as_slice().unwrap(),
            d_out.as_slice().unwrap(),
        );
        let as_3d = |a: &Array1<f32>| -> Array3<f32> {
            a.clone().insert_axis(Axis(0)).insert_axis(Axis(0))
        };
        let expected = cnn_core::ops::conv1d_backward(
            as_3d(&signal).view(),
            as_3d(&kernel).view(),
            as_3d(&d_out).view(),
            1,
            0,
        )
        .unwrap();
        let what = message!(
            en: "signal of {length}, kernel of {width}",
            zh: "长度为 {length} 的信号，长度为 {width} 的卷积核",
        );
        assert_close(&d_x, &expected.d_input, &format!("{what}: d_signal"));
        assert_close(&d_w, &expected.d_weight, &format!("{what}: d_kernel"));
    }
}
