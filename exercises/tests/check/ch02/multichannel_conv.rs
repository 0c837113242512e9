//! The checks of exercise ch02-multichannel-conv.

use crate::common::{assert_close, random, rng};
use cnn_core::conv2d_naive;
use cnn_exercises::ch02::multichannel_conv::conv2d_one_image;
use ndarray::{Array1, Array3, Array4, Axis, arr1};

cnn_exercises_harness::checks![one_channel_by_hand, matches_cnn_core_on_random_images,];

fn one_channel_by_hand() {
    // A 3x3 input and the 2x2 kernel [[1, 0], [0, -1]]: y = x[i,j] - x[i+1,j+1] + 0.5.
    let input = Array3::from_shape_vec((1, 3, 3), (1..=9).map(|v| v as f32).collect()).unwrap();
    let weight = Array4::from_shape_vec((1, 1, 2, 2), vec![1.0, 0.0, 0.0, -1.0]).unwrap();
    let got = conv2d_one_image(input.view(), weight.view(), arr1(&[0.5]).view());
    assert_eq!(got.dim(), (1, 2, 2), "output shape [F, H', W']");
    assert_close(
        &got,
        &[-3.5, -3.5, -3.5, -3.5],
        "3x3 input, 2x2 kernel, bias 0.5",
    );
}

fn matches_cnn_core_on_random_images() {
    let mut rng = rng(3);
    for (channels, filters, side, kernel) in
        [(1, 1, 4, 3), (3, 2, 6, 3), (2, 4, 7, 5), (3, 1, 5, 1)]
    {
        let input = random(&mut rng, (channels, side, side));
        let weight = random(&mut rng, (filters, channels, kernel, kernel));
        let bias: Array1<f32> = random(&mut rng, filters);
        let got = conv2d_one_image(input.view(), weight.view(), bias.view());
        let batch = input.clone().insert_axis(Axis(0));
        let expected = conv2d_naive(batch.view(), weight.view(), bias.view(), 1, 0).unwrap();
        let expected = expected.index_axis(Axis(0), 0);
        assert_eq!(
            got.dim(),
            expected.dim(),
            "output shape for C={channels}, F={filters}, {side}x{side} input, {kernel}x{kernel} kernel"
        );
        assert_close(
            &got,
            expected,
            &format!("C={channels}, F={filters}, {side}x{side} input, {kernel}x{kernel} kernel"),
        );
    }
}
