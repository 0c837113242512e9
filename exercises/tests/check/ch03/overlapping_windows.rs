//! The checks of exercise ch03-overlapping-windows.

use cnn_core::ops::{max_pool2d, max_pool2d_backward_naive};
use cnn_exercises::ch03::overlapping_windows::{predicted_side, predicted_times_picked};
use cnn_exercises_harness::message;
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
        "{}",
        message!(
            en: "your predicted side {yours} is not what max_pool2d gives",
            zh: "你预测的边长 {yours} 与 max_pool2d 的结果不符",
        )
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
        "{}",
        message!(
            en: "your prediction {yours} is not how often max pooling picks the value at (2, 2); \
                 how many 2x2 windows with stride 1 contain that position?",
            zh: "你的预测 {yours} 不是最大池化选中 (2, 2) 处那个值的次数；\
                 步幅为 1 的 2x2 窗口中，有几个包含这个位置？",
        )
    );
}
