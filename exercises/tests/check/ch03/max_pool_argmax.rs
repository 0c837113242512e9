//! The checks of exercise ch03-max-pool-argmax.

use crate::common::{assert_close, library_argmax, random, random_pooling, rng};
use cnn_core::ops::max_pool2d;
use cnn_exercises::ch03::max_pool_argmax::max_pool_with_argmax;
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
        "pooled values of the 4x4 example",
    );
    assert_eq!(
        argmax,
        vec![(1, 0), (0, 2), (3, 1), (2, 3)],
        "argmax positions (row, col) in the 4x4 map"
    );
}

fn ties_go_to_the_first_maximum() {
    let map = Array2::<f32>::ones((2, 2));
    let (_, argmax) = max_pool_with_argmax(map.view(), 2, 2);
    assert_eq!(
        argmax,
        vec![(0, 0)],
        "a window of equal values: the first one wins"
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
        let what = format!("{h}x{w} map, kernel {kernel}, stride {stride}");
        assert_eq!(
            pooled.dim(),
            (expected.dim().2, expected.dim().3),
            "{what}: pooled shape"
        );
        assert_close(&pooled, &expected, &what);
        assert_eq!(
            argmax,
            library_argmax(map.view(), kernel, stride),
            "{what}: argmax"
        );
    }
}
