//! The checks of exercise ch03-overlapping-windows.

use cnn_core::ops::{max_pool2d, max_pool2d_backward_naive};
use cnn_exercises::ch03::overlapping_windows::{predicted_side, predicted_times_picked};
use ndarray::Array4;

cnn_exercises_harness::checks![
    predicted_side_matches_max_pool2d,
    predicted_times_picked_matches_the_backward_pass,
];

/// A 6x6 map with distinct values and its largest, 100, at (2, 2).
fn map() -> Array4<f32> {
    let mut map = Array4::from_shape_fn((1, 1, 6, 6), |(_, _, i, j)| ((i * 7 + j * 3) % 11) as f32);
    map[[0, 0, 2, 2]] = 100.0;
    map
}

fn predicted_side_matches_max_pool2d() {
    let pooled = max_pool2d(map().view(), 2, 1).unwrap();
    let yours = predicted_side();
    assert!(
        yours == pooled.dim().2,
        "your predicted side {yours} is not what max_pool2d gives"
    );
}

fn predicted_times_picked_matches_the_backward_pass() {
    let map = map();
    let pooled = max_pool2d(map.view(), 2, 1).unwrap();
    let times = max_pool2d_backward_naive(map.view(), Array4::ones(pooled.dim()).view(), 2, 1)
        [[0, 0, 2, 2]];
    let yours = predicted_times_picked();
    assert!(
        yours as f32 == times,
        "your prediction {yours} is not how often max pooling picks the value at (2, 2); \
         how many 2x2 windows with stride 1 contain that position?"
    );
}
