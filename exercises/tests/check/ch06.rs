//! Checks of chapter 6's exercises.

mod lenet_parameters {
    use crate::common::trained_lenet;
    use cnn_exercises::ch06::lenet_parameters::*;

    #[test]
    fn total_matches_the_trained_network() {
        let yours = lenet_parameters();
        assert!(
            yours == trained_lenet().parameter_count(),
            "lenet_parameters() = {yours} is not the trained LeNet-5's parameter count; \
             count each layer as weights + biases and add them up"
        );
    }
}

mod linear_backward {
    use crate::common::{assert_close, random, rng};
    use cnn_exercises::ch06::linear_backward::*;
    use ndarray::{Array2, arr2};

    #[test]
    fn one_input_by_hand() {
        // y = 2 x1 + 3 x2, d_out = 1: d_x = [2, 3], d_w = [x1, x2] = [5, 7], d_b = [1].
        let x = arr2(&[[5.0, 7.0]]);
        let w = arr2(&[[2.0, 3.0]]);
        let d_out = arr2(&[[1.0]]);
        let (d_x, d_w, d_b) = linear_backward(x.view(), w.view(), d_out.view());
        assert_close(&d_x, &[2.0, 3.0], "d_input for y = 2 x1 + 3 x2");
        assert_close(&d_w, &[5.0, 7.0], "d_weight for x = [5, 7]");
        assert_close(&d_b, &[1.0], "d_bias");
    }

    #[test]
    fn matches_cnn_core_on_random_batches() {
        let mut rng = rng(6);
        for (batch, inputs, outputs) in [(1, 3, 2), (4, 5, 3), (7, 10, 6)] {
            let x: Array2<f32> = random(&mut rng, (batch, inputs));
            let w: Array2<f32> = random(&mut rng, (outputs, inputs));
            let d_out: Array2<f32> = random(&mut rng, (batch, outputs));
            let (d_x, d_w, d_b) = linear_backward(x.view(), w.view(), d_out.view());
            let expected = cnn_core::linear_backward(x.view(), w.view(), d_out.view());
            let what = format!("N={batch}, I={inputs}, O={outputs}");
            assert_eq!(d_x.dim(), (batch, inputs), "{what}: d_input shape [N, I]");
            assert_eq!(
                d_w.dim(),
                (outputs, inputs),
                "{what}: d_weight shape [O, I]"
            );
            assert_close(&d_x, &expected.d_input, &format!("{what}: d_input"));
            assert_close(&d_w, &expected.d_weight, &format!("{what}: d_weight"));
            assert_close(&d_b, &expected.d_bias, &format!("{what}: d_bias"));
        }
    }

    #[test]
    fn agrees_with_finite_differences() {
        // L = sum_n,o d_out[n,o] * y[n,o]: its derivative by w[o,i] is d_w[o,i].
        let mut rng = rng(7);
        let x: Array2<f32> = random(&mut rng, (3, 4));
        let w: Array2<f32> = random(&mut rng, (2, 4));
        let d_out: Array2<f32> = random(&mut rng, (3, 2));
        let loss = |w: &Array2<f32>| (x.dot(&w.t()) * &d_out).sum();
        let (_, d_w, _) = linear_backward(x.view(), w.view(), d_out.view());
        let step = 1e-2;
        for o in 0..2 {
            for i in 0..4 {
                let (mut up, mut down) = (w.clone(), w.clone());
                up[[o, i]] += step;
                down[[o, i]] -= step;
                let slope = (loss(&up) - loss(&down)) / (2.0 * step);
                assert!(
                    (slope - d_w[[o, i]]).abs() < 1e-3,
                    "d_weight[{o}, {i}] = {}, but nudging the weight changes the loss at rate {slope}",
                    d_w[[o, i]]
                );
            }
        }
    }
}

mod conv1d_backward {
    use crate::common::{assert_close, random, rng};
    use cnn_exercises::ch06::conv1d_backward::*;
    use ndarray::{Array1, Array3, Axis};

    #[test]
    fn small_example_by_hand() {
        // y[0] = x0 w0 + x1 w1, y[1] = x1 w0 + x2 w1; d_out = [1, 10].
        let (d_x, d_w) = conv1d_backward(&[1.0, 2.0, 3.0], &[4.0, 5.0], &[1.0, 10.0]);
        assert_close(
            &d_x,
            &[4.0, 45.0, 50.0],
            "d_signal for x = [1, 2, 3], w = [4, 5], d_out = [1, 10]",
        );
        assert_close(
            &d_w,
            &[21.0, 32.0],
            "d_kernel for x = [1, 2, 3], w = [4, 5], d_out = [1, 10]",
        );
    }

    #[test]
    fn matches_cnn_core_on_random_signals() {
        let mut rng = rng(8);
        for (length, width) in [(3, 1), (6, 3), (20, 5), (4, 4)] {
            let signal: Array1<f32> = random(&mut rng, length);
            let kernel: Array1<f32> = random(&mut rng, width);
            let d_out: Array1<f32> = random(&mut rng, length - width + 1);
            let (d_x, d_w) = conv1d_backward(
                signal.as_slice().unwrap(),
                kernel.as_slice().unwrap(),
                d_out.as_slice().unwrap(),
            );
            let as_3d = |a: &Array1<f32>| -> Array3<f32> {
                a.clone().insert_axis(Axis(0)).insert_axis(Axis(0))
            };
            let expected = cnn_core::conv1d_backward(
                as_3d(&signal).view(),
                as_3d(&kernel).view(),
                as_3d(&d_out).view(),
                1,
                0,
            )
            .unwrap();
            let what = format!("signal of {length}, kernel of {width}");
            assert_close(&d_x, &expected.d_input, &format!("{what}: d_signal"));
            assert_close(&d_w, &expected.d_weight, &format!("{what}: d_kernel"));
        }
    }
}

mod sigmoid_saturation {
    use cnn_core::{sigmoid, sigmoid_backward};
    use cnn_exercises::ch06::sigmoid_saturation::*;
    use ndarray::Array1;

    /// The sigmoid's local gradient at many points of [-10, 10], from cnn-core.
    fn largest_local_gradient() -> f32 {
        let x = Array1::linspace(-10.0, 10.0, 2001);
        let y = sigmoid(x.view());
        let gradient = sigmoid_backward(y.view(), Array1::ones(2001).view());
        gradient.fold(0.0, |m: f32, &g| m.max(g))
    }

    #[test]
    fn largest_gradient_prediction() {
        let yours = predicted_largest_gradient();
        assert!(
            (yours - largest_local_gradient()).abs() < 1e-6,
            "your prediction {yours} is not the sigmoid's largest local gradient; \
             where is sigmoid(x) * (1 - sigmoid(x)) largest?"
        );
    }

    #[test]
    fn layers_prediction() {
        let largest = largest_local_gradient();
        let layers = (1..).find(|&n| largest.powi(n) < 1e-3).unwrap() as usize;
        let yours = predicted_layers_for_1000x();
        assert!(
            yours == layers,
            "your prediction of {yours} layers is not the fewest that shrink a gradient \
             more than 1000-fold"
        );
    }
}
