//! Checks of chapter 8's exercises. They use only cnn-core's `Sequential` API, so they do
//! not depend on the chapter's own code.

use cnn_core::{Dense, Layer, Sequential};
use ndarray::{Array2, Array4, ArrayView2, Axis};

/// A network whose score is a weighted sum of the pixels: flatten, then one dense layer
/// with `weight: [classes, H*W]`. Its occlusion drops and gradients are known exactly.
fn linear_network(weight: Array2<f32>) -> Sequential {
    let classes = weight.nrows();
    let mut net = Sequential::new();
    net.push("flatten", Layer::Flatten).unwrap();
    let bias = ndarray::Array1::from_elem(classes, 0.5);
    net.push(
        "dense",
        Layer::Dense(Dense::new("dense", weight, bias).unwrap()),
    )
    .unwrap();
    net
}

/// The first test digit of MNIST, `[28, 28]`, and its label.
fn first_test_digit() -> (Array2<f32>, usize) {
    let mnist = cnn_core::load_mnist(
        &crate::common::repo_path("data/mnist"),
        cnn_core::Split::Test,
    )
    .expect("data/mnist holds the MNIST test set");
    let image = mnist
        .images
        .index_axis(Axis(0), 0)
        .index_axis(Axis(0), 0)
        .to_owned();
    (image, mnist.labels[0])
}

/// The network's output for one `[H, W]` image.
fn scores(net: &Sequential, image: ArrayView2<f32>) -> Array2<f32> {
    let (h, w) = image.dim();
    let batch: Array4<f32> = image
        .to_owned()
        .into_shape_with_order((1, 1, h, w))
        .unwrap();
    let output = net.forward(batch.into_dyn().view()).unwrap();
    output.into_dimensionality().unwrap()
}

mod receptive_field {
    use crate::common::trained_lenet;
    use cnn_core::Layer;
    use cnn_exercises::ch08::receptive_field::*;

    /// The receptive field after the named layer, from the trained network's own layers.
    fn field_after(last: &str) -> usize {
        let mut layers = Vec::new();
        for (name, layer) in &trained_lenet().layers {
            match layer {
                Layer::Conv2d(conv) => layers.push((conv.weight.dim().2, conv.stride)),
                Layer::Pool2d(pool) => layers.push((pool.kernel, pool.stride)),
                _ => {}
            }
            if name == last {
                break;
            }
        }
        cnn_core::receptive_field(&layers)
            .unwrap()
            .last()
            .unwrap()
            .0
    }

    #[test]
    fn conv2_prediction() {
        let yours = conv2_field();
        assert!(
            yours == field_after("conv2"),
            "conv2_field() = {yours} is not the receptive field after conv2; \
             remember that the pooling doubles the jump"
        );
    }

    #[test]
    fn pool2_prediction() {
        let yours = pool2_field();
        assert!(
            yours == field_after("pool2"),
            "pool2_field() = {yours} is not the receptive field after pool2"
        );
    }
}

mod occlusion_map {
    use crate::common::{assert_close, random, rng, trained_lenet};
    use cnn_exercises::ch08::occlusion_map::*;
    use ndarray::{Array2, s};

    #[test]
    fn a_linear_network_drops_by_the_covered_sum() {
        // score = 0.5 + sum_p w[class, p] x[p]: covering a patch drops it by that patch's share.
        let mut rng = rng(10);
        let image: Array2<f32> = random(&mut rng, (6, 6));
        let weight: Array2<f32> = random(&mut rng, (2, 36));
        let net = super::linear_network(weight.clone());
        let map = occlusion_map(&net, image.view(), 1, 3, 3).unwrap();
        assert_eq!(
            map.dim(),
            (2, 2),
            "map shape for a 6x6 image, patch 3, stride 3"
        );
        let contribution = &image * &weight.row(1).to_shape((6, 6)).unwrap();
        let expected: Vec<f32> = [(0, 0), (0, 3), (3, 0), (3, 3)]
            .iter()
            .map(|&(top, left)| contribution.slice(s![top..top + 3, left..left + 3]).sum())
            .collect();
        assert_close(
            &map,
            &expected,
            "occlusion map of a linear network, class 1",
        );
    }

    #[test]
    fn matches_a_reference_on_lenet() {
        let net = trained_lenet();
        let (digit, label) = super::first_test_digit();
        let (patch, stride) = (8, 4);
        let map = occlusion_map(&net, digit.view(), label, patch, stride).unwrap();
        let side = cnn_core::output_size(28, patch, stride, 0).unwrap();
        assert_eq!(
            map.dim(),
            (side, side),
            "map shape for 28x28, patch {patch}, stride {stride}"
        );
        let original = super::scores(&net, digit.view())[[0, label]];
        let mut expected = Vec::new();
        for i in 0..side {
            for j in 0..side {
                let mut covered = digit.clone();
                covered
                    .slice_mut(s![
                        i * stride..i * stride + patch,
                        j * stride..j * stride + patch
                    ])
                    .fill(0.0);
                expected.push(original - super::scores(&net, covered.view())[[0, label]]);
            }
        }
        assert_close(
            &map,
            &expected,
            "occlusion map of LeNet-5 on the first test digit",
        );
    }

    #[test]
    fn a_patch_larger_than_the_image_is_an_error() {
        let net = trained_lenet();
        let (digit, label) = super::first_test_digit();
        assert!(
            occlusion_map(&net, digit.view(), label, 29, 1).is_err(),
            "a 29x29 patch on a 28x28 image must return an error, not panic"
        );
        assert!(
            occlusion_map(&net, digit.view(), label, 4, 0).is_err(),
            "stride 0 must return an error"
        );
    }
}

mod saliency_map {
    use crate::common::{assert_close, random, rng, trained_lenet};
    use cnn_core::{Conv2d, Conv2dConfig, Dense, Layer, Sequential};
    use cnn_exercises::ch08::saliency_map::*;
    use ndarray::Array2;

    #[test]
    fn a_linear_network_gives_its_weights() {
        // score = 0.5 + sum_p w[class, p] x[p], so d score / d x[p] = w[class, p].
        let mut rng = rng(11);
        let image: Array2<f32> = random(&mut rng, (5, 4));
        let weight: Array2<f32> = random(&mut rng, (3, 20));
        let net = super::linear_network(weight.clone());
        let saliency = saliency_map(&net, image.view(), 2).unwrap();
        assert_eq!(saliency.dim(), (5, 4), "saliency has the image's shape");
        let expected = weight.row(2).mapv(f32::abs);
        assert_close(
            &saliency,
            &expected,
            "saliency of a linear network, class 2",
        );
    }

    #[test]
    fn agrees_with_finite_differences_on_a_smooth_network() {
        // conv 3x3 -> tanh -> flatten -> dense: smooth, so a nudge of a pixel changes the
        // score at the rate the gradient says.
        let mut rng = rng(12);
        let mut net = Sequential::new();
        let conv = Conv2d::new(
            "conv",
            random(&mut rng, (2, 1, 3, 3)),
            random(&mut rng, 2),
            Conv2dConfig::default(),
        )
        .unwrap();
        net.push("conv", Layer::Conv2d(conv)).unwrap(); // [1, 1, 6, 6] -> [1, 2, 4, 4]
        net.push("tanh", Layer::Tanh).unwrap();
        net.push("flatten", Layer::Flatten).unwrap(); // -> [1, 32]
        let dense = Dense::new("dense", random(&mut rng, (3, 32)), random(&mut rng, 3)).unwrap();
        net.push("dense", Layer::Dense(dense)).unwrap(); // -> [1, 3]
        let image: Array2<f32> = random(&mut rng, (6, 6));
        let saliency = saliency_map(&net, image.view(), 0).unwrap();
        assert_eq!(saliency.dim(), (6, 6), "saliency has the image's shape");
        let step = 1e-2;
        for ((i, j), &value) in saliency.indexed_iter() {
            let (mut up, mut down) = (image.clone(), image.clone());
            up[[i, j]] += step;
            down[[i, j]] -= step;
            let slope = (super::scores(&net, up.view())[[0, 0]]
                - super::scores(&net, down.view())[[0, 0]])
                / (2.0 * step);
            assert!(
                (slope.abs() - value).abs() < 1e-2 * (1.0 + value),
                "saliency[{i}, {j}] = {value}, but nudging that pixel changes the score at rate {slope}"
            );
        }
    }

    #[test]
    fn lenet_saliency_has_the_image_shape_and_is_not_flat() {
        let net = trained_lenet();
        let (digit, label) = super::first_test_digit();
        let saliency = saliency_map(&net, digit.view(), label).unwrap();
        assert_eq!(saliency.dim(), (28, 28), "saliency has the image's shape");
        assert!(
            saliency.iter().all(|v| *v >= 0.0) && saliency.iter().any(|v| *v > 0.0),
            "a saliency map is the absolute gradient: never negative, and not all zero"
        );
    }
}

mod occlusion_size {
    use cnn_exercises::ch08::occlusion_size::*;

    #[test]
    fn map_side_prediction() {
        let side = cnn_core::output_size(28, 7, 3, 0).unwrap();
        let yours = predicted_map_side();
        assert!(
            yours == side,
            "your predicted side {yours} is not the occlusion map's side"
        );
    }

    #[test]
    fn forward_passes_prediction() {
        let side = cnn_core::output_size(28, 7, 3, 0).unwrap();
        let yours = predicted_forward_passes();
        assert!(
            yours == side * side + 1,
            "your prediction of {yours} forward passes is not right; one per patch position, \
             plus the uncovered image"
        );
    }
}
