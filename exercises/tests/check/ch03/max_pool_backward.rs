//! The checks of exercise ch03-max-pool-backward.

use crate::common::{assert_close, assert_same, random, random_pooling, rng};
use cnn_exercises::ch03::max_pool_backward::max_pool_backward;
use cnn_exercises_harness::message;
use ndarray::{Array2, Axis, arr2};

cnn_exercises_harness::checks![
    small_example_by_hand,
    overlapping_windows_add_up,
    matches_cnn_core_on_random_maps,
];

fn small_example_by_hand() {
    let map = arr2(&[[1.0, 5.0], [3.0, 2.0]]);
    let d_out = arr2(&[[10.0]]);
    let got = max_pool_backward(map.view(), d_out.view(), 2, 2);
    assert_close(
        &got,
        &[0.0, 10.0, 0.0, 0.0],
        &message!(
            en: "gradient of [[1, 5], [3, 2]] pooled 2x2",
            zh: "[[1, 5], [3, 2]] 经 2x2 池化后的梯度",
        ),
    );
}

fn overlapping_windows_add_up() {
    // The 9 is in all four 2x2 windows of a 3x3 map with stride 1.
    let map = arr2(&[[0.0, 1.0, 0.0], [2.0, 9.0, 3.0], [0.0, 4.0, 0.0]]);
    let d_out = arr2(&[[1.0, 2.0], [3.0, 4.0]]);
    let got = max_pool_backward(map.view(), d_out.view(), 2, 1);
    assert_close(
        &got,
        &[0.0, 0.0, 0.0, 0.0, 10.0, 0.0, 0.0, 0.0, 0.0],
        &message!(
            en: "3x3 map, 2x2 windows, stride 1",
            zh: "3x3 的特征图，2x2 的窗口，步幅 1",
        ),
    );
}

fn matches_cnn_core_on_random_maps() {
    let mut rng = rng(5);
    // Edge cases, then shapes drawn from the run's seed.
    let mut cases = vec![(4, 4, 2, 2), (7, 5, 2, 2), (9, 9, 3, 2), (6, 6, 3, 1)];
    cases.extend((0..8).map(|_| random_pooling(&mut rng)));
    for (h, w, kernel, stride) in cases {
        let map: Array2<f32> = random(&mut rng, (h, w));
        let (out_h, out_w) = ((h - kernel) / stride + 1, (w - kernel) / stride + 1);
        let d_out: Array2<f32> = random(&mut rng, (out_h, out_w));
        let got = max_pool_backward(map.view(), d_out.view(), kernel, stride);
        let expected = cnn_core::ops::max_pool2d_backward_naive(
            map.view().insert_axis(Axis(0)).insert_axis(Axis(0)),
            d_out.view().insert_axis(Axis(0)).insert_axis(Axis(0)),
            kernel,
            stride,
        );
        let what = message!(
            en: "{h}x{w} map, kernel {kernel}, stride {stride}",
            zh: "{h}x{w} 的特征图，窗口 {kernel}，步幅 {stride}",
        );
        assert_same(
            got.dim(),
            (h, w),
            &message!(
                en: "{what}: the gradient has the map's shape",
                zh: "{what}：梯度的形状应与特征图相同",
            ),
        );
        assert_close(&got, &expected, &what);
    }
}
