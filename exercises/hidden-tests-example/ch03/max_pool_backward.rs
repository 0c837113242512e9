//! Hidden checks of ch03-max-pool-backward: an example of a teacher's own checks, which
//! `cargo xtask grade --hidden-tests exercises/hidden-tests-example` adds to the exercise's
//! checks (see the Teacher's guide). A learner's grade needs these to pass as well.

use crate::common::{assert_close, random, random_size, rng};
use cnn_exercises::ch03::max_pool_backward::max_pool_backward;
use cnn_exercises_harness::message;
use ndarray::{Array2, Axis};

cnn_exercises_harness::checks![ties_in_overlapping_windows, windows_with_gaps_between_them];

/// cnn-core's gradient of max pooling for one map.
fn reference(map: &Array2<f32>, d_out: &Array2<f32>, kernel: usize, stride: usize) -> Vec<f32> {
    cnn_core::ops::max_pool2d_backward_naive(
        map.view().insert_axis(Axis(0)).insert_axis(Axis(0)),
        d_out.view().insert_axis(Axis(0)).insert_axis(Axis(0)),
        kernel,
        stride,
    )
    .iter()
    .copied()
    .collect()
}

/// A map of equal values: in every window the first position wins, and overlapping windows
/// send several gradients to the same input.
fn ties_in_overlapping_windows() {
    let map = Array2::<f32>::ones((5, 5));
    let d_out = Array2::from_shape_fn((3, 3), |(i, j)| (3 * i + j + 1) as f32);
    let got = max_pool_backward(map.view(), d_out.view(), 3, 1);
    assert_close(
        &got,
        &reference(&map, &d_out, 3, 1),
        &message!(
            en: "a 5x5 map of ones, 3x3 windows, stride 1",
            zh: "全为 1 的 5x5 特征图，3x3 的窗口，步幅 1",
        ),
    );
}

/// A stride larger than the window leaves inputs that no window sees: their gradient is 0.
fn windows_with_gaps_between_them() {
    let mut rng = rng(101);
    for _ in 0..5 {
        let kernel = random_size(&mut rng, 1..=3);
        let stride = kernel + random_size(&mut rng, 1..=2);
        let (h, w) = (
            random_size(&mut rng, kernel..=12),
            random_size(&mut rng, kernel..=12),
        );
        let map: Array2<f32> = random(&mut rng, (h, w));
        let out = ((h - kernel) / stride + 1, (w - kernel) / stride + 1);
        let d_out: Array2<f32> = random(&mut rng, out);
        let got = max_pool_backward(map.view(), d_out.view(), kernel, stride);
        assert_close(
            &got,
            &reference(&map, &d_out, kernel, stride),
            &message!(
                en: "{h}x{w} map, kernel {kernel}, stride {stride}",
                zh: "{h}x{w} 的特征图，窗口 {kernel}，步幅 {stride}",
            ),
        );
    }
}
