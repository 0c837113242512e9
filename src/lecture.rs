//! The lecture example used across the book: a 6x6 black-and-white image and two
//! 3x3 filters, from Hung-yi Lee's (李宏毅) machine-learning lecture on CNNs.
//! Filter 1 looks for a diagonal line from top-left to bottom-right, filter 2 for a
//! vertical line.

use ndarray::{Array1, Array2, Array4, array};

/// The 6x6 image, rows `100001 010010 001100 100010 010010 001010`.
pub fn image() -> Array2<f32> {
    array![
        [1., 0., 0., 0., 0., 1.],
        [0., 1., 0., 0., 1., 0.],
        [0., 0., 1., 1., 0., 0.],
        [1., 0., 0., 0., 1., 0.],
        [0., 1., 0., 0., 1., 0.],
        [0., 0., 1., 0., 1., 0.],
    ]
}

/// Filter 1: the diagonal `1 -1 -1 / -1 1 -1 / -1 -1 1`.
pub fn filter_diagonal() -> Array2<f32> {
    array![[1., -1., -1.], [-1., 1., -1.], [-1., -1., 1.]]
}

/// Filter 2: the vertical line `-1 1 -1 / -1 1 -1 / -1 1 -1`.
pub fn filter_vertical() -> Array2<f32> {
    array![[-1., 1., -1.], [-1., 1., -1.], [-1., 1., -1.]]
}

/// The image as a batch of one grey image: `[1, 1, 6, 6]`.
pub fn image_batch() -> Array4<f32> {
    image()
        .into_shape_with_order((1, 1, 6, 6))
        .expect("6x6 is 36 values")
}

/// Both filters as a convolution weight: `[F=2, C=1, 3, 3]`, and a zero bias `[2]`.
pub fn filters() -> (Array4<f32>, Array1<f32>) {
    let mut weight = Array4::zeros((2, 1, 3, 3));
    weight
        .slice_mut(ndarray::s![0, 0, .., ..])
        .assign(&filter_diagonal());
    weight
        .slice_mut(ndarray::s![1, 0, .., ..])
        .assign(&filter_vertical());
    (weight, Array1::zeros(2))
}
