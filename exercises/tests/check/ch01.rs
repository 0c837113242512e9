//! Checks of chapter 1's exercises.

mod output_lengths {
    use cnn_core::{conv1d, true_convolution1d};
    use cnn_exercises::ch01::output_lengths::*;
    use ndarray::{Array1, Array3};

    #[test]
    fn full_mode_length_matches_true_convolution() {
        let signal = Array1::<f32>::zeros(200);
        let kernel = Array1::<f32>::zeros(9);
        let outputs = true_convolution1d(signal.view(), kernel.view())
            .unwrap()
            .len();
        let yours = full_mode_length();
        assert!(
            yours == outputs,
            "full_mode_length() = {yours} is not the number of outputs of a full convolution; \
             count the shifts where the 9 taps overlap the 200 samples at least partly"
        );
    }

    #[test]
    fn valid_mode_length_matches_conv1d() {
        let signal = Array3::<f32>::zeros((1, 1, 200));
        let kernel = Array3::<f32>::zeros((1, 1, 9));
        let bias = Array1::<f32>::zeros(1);
        let outputs = conv1d(signal.view(), kernel.view(), bias.view(), 1, 0)
            .unwrap()
            .dim()
            .2;
        let yours = valid_mode_length();
        assert!(
            yours == outputs,
            "valid_mode_length() = {yours} is not the number of outputs of a valid \
             cross-correlation; count the shifts where all 9 taps lie inside the signal"
        );
    }
}

mod cross_correlation {
    use crate::common::{assert_close, random_vec, rng};
    use cnn_core::conv1d;
    use cnn_exercises::ch01::cross_correlation::*;
    use ndarray::{Array1, Array3};

    /// cnn-core's `conv1d` on one channel, one filter, no bias.
    fn reference(signal: &[f32], kernel: &[f32]) -> Vec<f32> {
        let x = Array3::from_shape_vec((1, 1, signal.len()), signal.to_vec()).unwrap();
        let w = Array3::from_shape_vec((1, 1, kernel.len()), kernel.to_vec()).unwrap();
        let bias = Array1::zeros(1);
        conv1d(x.view(), w.view(), bias.view(), 1, 0)
            .unwrap()
            .into_raw_vec_and_offset()
            .0
    }

    #[test]
    fn small_example_by_hand() {
        let got = cross_correlation(&[1.0, 2.0, 3.0, 4.0], &[1.0, 0.0, -1.0]);
        assert_close(
            &got,
            &[-2.0, -2.0],
            "cross_correlation(&[1, 2, 3, 4], &[1, 0, -1])",
        );
    }

    #[test]
    fn the_kernel_is_not_flipped() {
        let got = cross_correlation(&[0.0, 0.0, 1.0, 0.0, 0.0], &[1.0, 2.0, 3.0]);
        assert_close(
            &got,
            &[3.0, 2.0, 1.0],
            "cross_correlation(&[0, 0, 1, 0, 0], &[1, 2, 3])",
        );
    }

    #[test]
    fn matches_cnn_core_conv1d_on_random_signals() {
        let mut rng = rng(1);
        for (length, width) in [(1, 1), (5, 1), (5, 5), (12, 3), (40, 9), (7, 4)] {
            let signal = random_vec(&mut rng, length);
            let kernel = random_vec(&mut rng, width);
            let got = cross_correlation(&signal, &kernel);
            let expected = reference(&signal, &kernel);
            assert_close(
                &got,
                &expected,
                &format!("signal of {length}, kernel of {width}"),
            );
        }
    }
}

mod true_convolution {
    use crate::common::{assert_close, random_vec, rng};
    use cnn_core::true_convolution1d;
    use cnn_exercises::ch01::true_convolution::*;
    use ndarray::ArrayView1;

    #[test]
    fn small_example_by_hand() {
        let got = convolution_full(&[1.0, 2.0], &[1.0, 10.0]);
        assert_close(
            &got,
            &[1.0, 12.0, 20.0],
            "convolution_full(&[1, 2], &[1, 10])",
        );
    }

    #[test]
    fn an_impulse_gives_back_the_kernel() {
        let got = convolution_full(&[0.0, 1.0, 0.0], &[1.0, 2.0, 3.0]);
        assert_close(
            &got,
            &[0.0, 1.0, 2.0, 3.0, 0.0],
            "convolution_full(&[0, 1, 0], &[1, 2, 3])",
        );
    }

    #[test]
    fn matches_cnn_core_on_random_signals() {
        let mut rng = rng(2);
        for (length, width) in [(1, 1), (1, 4), (4, 1), (6, 6), (30, 7), (3, 9)] {
            let signal = random_vec(&mut rng, length);
            let kernel = random_vec(&mut rng, width);
            let got = convolution_full(&signal, &kernel);
            let expected =
                true_convolution1d(ArrayView1::from(&signal), ArrayView1::from(&kernel)).unwrap();
            assert_close(
                &got,
                &expected,
                &format!("signal of {length}, kernel of {width}"),
            );
        }
    }
}

mod impulse_response {
    use cnn_core::conv1d;
    use cnn_exercises::ch01::impulse_response::*;
    use ndarray::{Array1, Array3, arr1};

    #[test]
    fn prediction_matches_conv1d() {
        let x = Array3::from_shape_vec((1, 1, 5), vec![0.0, 0.0, 1.0, 0.0, 0.0]).unwrap();
        let w = Array3::from_shape_vec((1, 1, 3), vec![1.0, 2.0, 3.0]).unwrap();
        let y = conv1d(x.view(), w.view(), Array1::zeros(1).view(), 1, 0).unwrap();
        let expected: Array1<f32> = y.into_shape_with_order(3).unwrap();
        let yours = arr1(&predicted_cross_correlation());
        assert!(
            yours == expected,
            "your prediction {yours} is not what cnn_core::conv1d computes; \
             write out y[t] = x[t] * w[0] + x[t+1] * w[1] + x[t+2] * w[2] for t = 0, 1, 2"
        );
    }
}
