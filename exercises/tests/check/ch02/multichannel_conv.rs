//! The checks of exercise ch02-multichannel-conv.

use crate::common::{assert_close, assert_same, random, random_size, rng};
use cnn_core::ops::conv2d_naive;
use cnn_exercises::ch02::multichannel_conv::conv2d_one_image;
use cnn_exercises_harness::message;
use ndarray::{Array1, Array3, Array4, Axis, arr1};

cnn_exercises_harness::checks![one_channel_by_hand, matches_cnn_core_on_random_images];

fn one_channel_by_hand() {
    // A 3x3 input and the 2x2 kernel [[1, 0], [0, -1]]: y = x[i,j] - x[i+1,j+1] + 0.5.
    let input = Array3::from_shape_vec((1, 3, 3), (1..=9).map(|v| v as f32).collect()).unwrap();
    let weight = Array4::from_shape_vec((1, 1, 2, 2), vec![1.0, 0.0, 0.0, -1.0]).unwrap();
    let got = conv2d_one_image(input.view(), weight.view(), arr1(&[0.5]).view());
    assert_same(
        got.dim(),
        (1, 2, 2),
        &message!(en: "output shape [F, H', W']", zh: "输出形状 [F, H', W']"),
    );
    assert_close(
        &got,
        &[-3.5, -3.5, -3.5, -3.5],
        &message!(
            en: "3x3 input, 2x2 kernel, bias 0.5",
            zh: "3x3 的输入，2x2 的卷积核，偏置 0.5",
        ),
    );
}

fn matches_cnn_core_on_random_images() {
    let mut rng = rng(3);
    // (C, F, H, W, K): edge cases, then shapes drawn from the run's seed.
    let mut shapes = vec![
        (1, 1, 4, 4, 3),
        (3, 2, 6, 6, 3),
        (2, 4, 7, 7, 5),
        (3, 1, 5, 5, 1),
    ];
    for _ in 0..6 {
        let kernel = random_size(&mut rng, 1..=4);
        shapes.push((
            random_size(&mut rng, 1..=3),
            random_size(&mut rng, 1..=3),
            random_size(&mut rng, kernel..=9),
            random_size(&mut rng, kernel..=9),
            kernel,
        ));
    }
    for (channels, filters, h, w, kernel) in shapes {
        let input = random(&mut rng, (channels, h, w));
        let weight = random(&mut rng, (filters, channels, kernel, kernel));
        let bias: Array1<f32> = random(&mut rng, filters);
        let got = conv2d_one_image(input.view(), weight.view(), bias.view());
        let batch = input.clone().insert_axis(Axis(0));
        let expected = conv2d_naive(batch.view(), weight.view(), bias.view(), 1, 0).unwrap();
        let expected = expected.index_axis(Axis(0), 0);
        let what = message!(
            en: "C={channels}, F={filters}, {h}x{w} input, {kernel}x{kernel} kernel",
            zh: "C={channels}，F={filters}，{h}x{w} 的输入，{kernel}x{kernel} 的卷积核",
        );
        assert_same(
            got.dim(),
            expected.dim(),
            &message!(en: "output shape for {what}", zh: "{what}时的输出形状"),
        );
        assert_close(&got, expected, &what);
    }
}
