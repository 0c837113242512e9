//! The checks of exercise ch03-max-pool-argmax.

use crate::common::{assert_close, assert_same, library_argmax, random, random_pooling, rng};
use cnn_core::ops::max_pool2d;
use cnn_exercises::ch03::max_pool_argmax::max_pool_with_argmax;
use cnn_exercises_harness::message;
use ndarray::{Array2, Axis, arr2};

cnn_exercises_harness::checks![
    lecture_example_by_hand,
    ties_go_to_the_first_maximum,
    matches_cnn_core_on_random_maps,
];

fn lecture_example_by_hand() {
    let map = arr2(&[
        [1.0, 3.0, 2.0, 1.0],
        [4.0, 2.0, 0.0, 1.0],
        [5.0, 1.0, 2.0, 7.0],
        [0.0, 6.0, 3.0, 1.0],
    ]);
    let (pooled, argmax) = max_pool_with_argmax(map.view(), 2, 2);
    assert_close(
        &pooled,
        &[4.0, 2.0, 6.0, 7.0],
        &message!(
            en: "pooled values of the 4x4 example",
            zh: "4x4 例子池化后的值",
        ),
    );
    assert_same(
        argmax,
        vec![(1, 0), (0, 2), (3, 1), (2, 3)],
        &message!(
            en: "argmax positions (row, col) in the 4x4 map",
            zh: "4x4 特征图中最大值的位置 (行, 列)",
        ),
    );
}

fn ties_go_to_the_first_maximum() {
    let map = Array2::<f32>::ones((2, 2));
    let (_, argmax) = max_pool_with_argmax(map.view(), 2, 2);
    assert_same(
        argmax,
        vec![(0, 0)],
        &message!(
            en: "a window of equal values: the first one wins",
            zh: "窗口里的值全都相等：应取第一个",
        ),
    );
}

fn matches_cnn_core_on_random_maps() {
    let mut rng = rng(4);
    // Edge cases, then shapes drawn from the run's seed.
    let mut cases = vec![
        (4, 4, 2, 2),
        (7, 5, 2, 2),
        (9, 9, 3, 2),
        (6, 6, 3, 1),
        (5, 8, 1, 1),
    ];
    cases.extend((0..8).map(|_| random_pooling(&mut rng)));
    for (h, w, kernel, stride) in cases {
        let map: Array2<f32> = random(&mut rng, (h, w));
        let (pooled, argmax) = max_pool_with_argmax(map.view(), kernel, stride);
        let batch = map.clone().insert_axis(Axis(0)).insert_axis(Axis(0));
        let expected = max_pool2d(batch.view(), kernel, stride).unwrap();
        let what = message!(
            en: "{h}x{w} map, kernel {kernel}, stride {stride}",
            zh: "{h}x{w} 的特征图，窗口 {kernel}，步幅 {stride}",
        );
        assert_same(
            pooled.dim(),
            (expected.dim().2, expected.dim().3),
            &message!(en: "{what}: pooled shape", zh: "{what}：池化后的形状"),
        );
        assert_close(&pooled, &expected, &what);
        assert_same(
            argmax,
            library_argmax(map.view(), kernel, stride),
            &message!(en: "{what}: argmax", zh: "{what}：最大值的位置"),
        );
    }
}
