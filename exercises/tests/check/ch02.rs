//! Checks of chapter 2's exercises.

mod conv_parameters {
    use cnn_core::{Conv2d, Conv2dConfig};
    use cnn_exercises::ch02::conv_parameters::*;
    use ndarray::{Array1, Array4};

    fn parameters(filters: usize, channels: usize, kernel: usize) -> usize {
        let weight = Array4::zeros((filters, channels, kernel, kernel));
        let layer = Conv2d::new(
            "conv",
            weight,
            Array1::zeros(filters),
            Conv2dConfig::default(),
        );
        layer.unwrap().parameter_count()
    }

    #[test]
    fn first_layer() {
        let yours = first_layer_parameters();
        assert!(
            yours == parameters(16, 3, 5),
            "first_layer_parameters() = {yours} is not what cnn-core counts; \
             one weight per filter, input channel and kernel position, plus one bias per filter"
        );
    }

    #[test]
    fn second_layer() {
        let yours = second_layer_parameters();
        assert!(
            yours == parameters(32, 16, 3),
            "second_layer_parameters() = {yours} is not what cnn-core counts; \
             how many channels does each filter of the second layer span?"
        );
    }
}

mod multichannel_conv {
    use crate::common::{assert_close, random, rng};
    use cnn_core::conv2d_naive;
    use cnn_exercises::ch02::multichannel_conv::*;
    use ndarray::{Array1, Array3, Array4, Axis, arr1};

    #[test]
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

    #[test]
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
                &format!(
                    "C={channels}, F={filters}, {side}x{side} input, {kernel}x{kernel} kernel"
                ),
            );
        }
    }
}

mod feature_map_shape {
    use cnn_core::{Conv2d, Conv2dConfig};
    use cnn_exercises::ch02::feature_map_shape::*;
    use ndarray::{Array1, Array4};

    #[test]
    fn prediction_matches_the_layer() {
        let layer = Conv2d::new(
            "conv",
            Array4::zeros((8, 3, 5, 5)),
            Array1::zeros(8),
            Conv2dConfig::default(),
        )
        .unwrap();
        let shape = layer.output_shape([2, 3, 32, 32]).unwrap();
        let yours = predicted_shape();
        assert!(
            yours == shape,
            "your prediction {yours:?} is not the layer's output shape; \
             which of N, C, H, W does each part of the layer change?"
        );
    }
}
