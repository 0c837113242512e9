//! The worked example of Hung-yi Lee's CNN lecture (Machine Learning, National Taiwan
//! University): a 6x6 black-and-white image, two 3x3 filters, no bias.
//!
//! The expected arrays below were computed by hand and checked with a separate
//! ten-line Python script (plain loops, no libraries), so they are an independent
//! reference, not a copy of this library's output.

use cnn_core::ops::{conv2d, conv2d_naive, max_pool2d, max_pool2d_naive};
use ndarray::{Array1, Array4, array, s};

/// The image, [1, 1, 6, 6]: rows `100001 010010 001100 100010 010010 001010`.
fn image() -> Array4<f32> {
    array![[[
        [1.0, 0.0, 0.0, 0.0, 0.0, 1.0],
        [0.0, 1.0, 0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0, 1.0, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0, 1.0, 0.0],
        [0.0, 1.0, 0.0, 0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0, 0.0, 1.0, 0.0],
    ]]]
}

/// The two filters, [2, 1, 3, 3]: filter 1 looks for a diagonal "\",
/// filter 2 for a vertical line "|".
fn filters() -> Array4<f32> {
    array![
        [[[1.0, -1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, -1.0, 1.0]]],
        [[[-1.0, 1.0, -1.0], [-1.0, 1.0, -1.0], [-1.0, 1.0, -1.0]]],
    ]
}

fn no_bias() -> Array1<f32> {
    Array1::zeros(2)
}

#[test]
fn stride_1_gives_two_4x4_feature_maps() {
    let expected = array![[
        [
            [3.0, -1.0, -3.0, -1.0],
            [-3.0, 1.0, 0.0, -3.0],
            [-3.0, -3.0, 0.0, 1.0],
            [3.0, -2.0, -2.0, -1.0],
        ],
        [
            [-1.0, -1.0, -1.0, -1.0],
            [-1.0, -1.0, -2.0, 1.0],
            [-1.0, -1.0, -2.0, 1.0],
            [-1.0, 0.0, -4.0, 3.0],
        ],
    ]];
    let (x, w, b) = (image(), filters(), no_bias());
    let naive = conv2d_naive(x.view(), w.view(), b.view(), 1, 0).unwrap(); // [1, 1, 6, 6] -> [1, 2, 4, 4]
    let fast = conv2d(x.view(), w.view(), b.view(), 1, 0).unwrap();
    // Small integers are exact in f32 whatever the order of the sums.
    assert_eq!(naive, expected);
    assert_eq!(fast, expected);
}

#[test]
fn stride_2_gives_two_2x2_feature_maps() {
    let expected = array![[[[3.0, -3.0], [-3.0, 0.0]], [[-1.0, -1.0], [-1.0, -2.0]]]];
    let (x, w, b) = (image(), filters(), no_bias());
    let naive = conv2d_naive(x.view(), w.view(), b.view(), 2, 0).unwrap(); // [1, 1, 6, 6] -> [1, 2, 2, 2]
    let fast = conv2d(x.view(), w.view(), b.view(), 2, 0).unwrap();
    assert_eq!(naive, expected);
    assert_eq!(fast, expected);
}

#[test]
fn max_pooling_the_stride_1_maps_gives_2x2() {
    let expected = array![[[[3.0, 0.0], [3.0, 1.0]], [[-1.0, 1.0], [0.0, 3.0]]]];
    let (x, w, b) = (image(), filters(), no_bias());
    let maps = conv2d(x.view(), w.view(), b.view(), 1, 0).unwrap(); // [1, 1, 6, 6] -> [1, 2, 4, 4]
    let pooled = max_pool2d(maps.view(), 2, 2).unwrap(); // [1, 2, 4, 4] -> [1, 2, 2, 2]
    assert_eq!(pooled, expected);
    assert_eq!(max_pool2d_naive(maps.view(), 2, 2).unwrap(), expected);
}

#[test]
fn the_diagonal_filter_fires_where_the_image_has_a_diagonal() {
    // The lecture's point: filter 1 scores 3 (its maximum for a 0/1 image) exactly at
    // the two places where the image contains its "\" pattern.
    let (x, w, b) = (image(), filters(), no_bias());
    let maps = conv2d_naive(x.view(), w.view(), b.view(), 1, 0).unwrap();
    let filter_1 = maps.slice(s![0, 0, .., ..]);
    let hits: Vec<(usize, usize)> = filter_1
        .indexed_iter()
        .filter(|&(_, &v)| v == 3.0)
        .map(|(position, _)| position)
        .collect();
    assert_eq!(hits, vec![(0, 0), (3, 0)]);
}
