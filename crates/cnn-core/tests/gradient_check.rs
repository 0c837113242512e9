//! Finite-difference gradient checks for every backward pass.
//!
//! For an operation `y = f(x)` the test loss is `L = sum_k r[k] * y[k]` with fixed
//! random weights `r`, so `dL/dy = r` is the `d_out` handed to the backward pass.
//! Each analytic gradient is compared with the central difference
//!
//! ```text
//! dL/dx[i] ~ (L(x + eps e_i) - L(x - eps e_i)) / (2 eps)
//! ```
//!
//! with `L` summed in f64 so that the subtraction does not lose the f32 digits. Inputs
//! of ReLU and max pooling are kept at least `0.05` away from their kinks (zero, and
//! ties in a window), farther than `eps`, where the derivative does not exist.

use cnn_core::nn::{Conv2d, Conv2dConfig, Dense, Layer, Pool2d, Sequential, Tensor, Want};
use cnn_core::ops::*;
use ndarray::{Array1, ArrayD, Ix2, Ix3, Ix4, IxDyn};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const EPS: f32 = 1e-2;

fn random(shape: &[usize], seed: u64) -> ArrayD<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    ArrayD::from_shape_fn(IxDyn(shape), |_| rng.random_range(-1.0..1.0))
}

/// Distinct values at least 0.1 apart, none within 0.05 of zero, in a shuffled order:
/// no ties for max pooling, no input at ReLU's kink.
fn distinct(shape: &[usize], seed: u64) -> ArrayD<f32> {
    let count: usize = shape.iter().product();
    let mut values: Vec<f32> = (0..count)
        .map(|i| (i as f32 - count as f32 / 2.0) * 0.1 + 0.05)
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for i in (1..count).rev() {
        values.swap(i, rng.random_range(0..=i));
    }
    ArrayD::from_shape_vec(IxDyn(shape), values).unwrap()
}

/// `L = sum r * y` in f64.
fn weighted_sum(y: &ArrayD<f32>, r: &ArrayD<f32>) -> f64 {
    assert_eq!(y.shape(), r.shape());
    y.iter().zip(r).map(|(&a, &b)| a as f64 * b as f64).sum()
}

/// The central-difference gradient of `loss` at `x`.
fn numeric_gradient(x: &ArrayD<f32>, loss: impl Fn(&ArrayD<f32>) -> f64) -> ArrayD<f32> {
    let mut gradient = ArrayD::zeros(x.raw_dim());
    let mut probe = x.clone();
    for (index, g) in gradient.indexed_iter_mut() {
        let original = probe[&index];
        probe[&index] = original + EPS;
        let plus = loss(&probe);
        probe[&index] = original - EPS;
        let minus = loss(&probe);
        probe[&index] = original;
        *g = ((plus - minus) / (2.0 * EPS as f64)) as f32;
    }
    gradient
}

fn assert_close(what: &str, analytic: &ArrayD<f32>, numeric: &ArrayD<f32>) {
    assert_eq!(analytic.shape(), numeric.shape(), "{what}: shapes");
    for ((index, &a), &n) in analytic.indexed_iter().zip(numeric) {
        let tolerance = 2e-3 + 2e-3 * n.abs();
        assert!(
            (a - n).abs() <= tolerance,
            "{what}{:?}: analytic {a}, finite difference {n}",
            index
        );
    }
}

#[test]
fn conv2d_backward_naive_and_fast_match_finite_differences() {
    for (stride, padding) in [(1, 0), (2, 1), (1, 2)] {
        let x = random(&[2, 3, 6, 5], 1);
        let w = random(&[4, 3, 3, 3], 2);
        let b = random(&[4], 3)
            .into_dimensionality::<ndarray::Ix1>()
            .unwrap();
        let y = conv2d_naive(
            x.view().into_dimensionality::<Ix4>().unwrap(),
            w.view().into_dimensionality::<Ix4>().unwrap(),
            b.view(),
            stride,
            padding,
        )
        .unwrap();
        let r = random(y.shape(), 4);
        let r4 = r.view().into_dimensionality::<Ix4>().unwrap();
        let x4 = x.view().into_dimensionality::<Ix4>().unwrap();
        let w4 = w.view().into_dimensionality::<Ix4>().unwrap();
        let naive = conv2d_backward_naive(x4, w4, r4, stride, padding).unwrap();
        let fast = conv2d_backward(x4, w4, r4, stride, padding).unwrap();
        let input_only = conv2d_input_gradient(w4, r4, [2, 3, 6, 5], stride, padding).unwrap();
        assert_eq!(
            input_only, fast.d_input,
            "the input gradient alone is the same numbers"
        );
        let conv_loss = |x: &ArrayD<f32>, w: &ArrayD<f32>, b: &Array1<f32>| {
            let y = conv2d_naive(
                x.view().into_dimensionality::<Ix4>().unwrap(),
                w.view().into_dimensionality::<Ix4>().unwrap(),
                b.view(),
                stride,
                padding,
            )
            .unwrap();
            weighted_sum(&y.into_dyn(), &r)
        };
        let d_x = numeric_gradient(&x, |x| conv_loss(x, &w, &b));
        let d_w = numeric_gradient(&w, |w| conv_loss(&x, w, &b));
        let b_dyn = b.clone().into_dyn();
        let d_b = numeric_gradient(&b_dyn, |b| {
            conv_loss(&x, &w, &b.clone().into_dimensionality().unwrap())
        });
        for (name, gradients) in [("naive", &naive), ("fast", &fast)] {
            let what = format!("conv2d {name} S={stride} P={padding}");
            assert_close(
                &format!("{what} d_input"),
                &gradients.d_input.clone().into_dyn(),
                &d_x,
            );
            assert_close(
                &format!("{what} d_weight"),
                &gradients.d_weight.clone().into_dyn(),
                &d_w,
            );
            assert_close(
                &format!("{what} d_bias"),
                &gradients.d_bias.clone().into_dyn(),
                &d_b,
            );
        }
    }
}

// ANCHOR: conv2d_backward_fast_equals_naive
/// The fast backward pass equals the naive one, also across several chunks of images.
#[test]
fn conv2d_backward_fast_equals_naive_over_several_chunks() {
    let batch = 2 * IMAGES_PER_CHUNK + 3;
    let x = random(&[batch, 2, 7, 7], 5)
        .into_dimensionality::<Ix4>()
        .unwrap();
    let w = random(&[3, 2, 5, 5], 6)
        .into_dimensionality::<Ix4>()
        .unwrap();
    let b = Array1::from(vec![0.1, -0.2, 0.3]);
    for (stride, padding) in [(1, 2), (2, 0)] {
        let y = conv2d(x.view(), w.view(), b.view(), stride, padding).unwrap();
        let y_naive = conv2d_naive(x.view(), w.view(), b.view(), stride, padding).unwrap();
        let difference = (&y - &y_naive).fold(0.0f32, |m, d| m.max(d.abs()));
        assert!(difference < 1e-5, "forward differs by {difference}");
        let d_out = random(y.shape(), 7).into_dimensionality::<Ix4>().unwrap();
        let naive =
            conv2d_backward_naive(x.view(), w.view(), d_out.view(), stride, padding).unwrap();
        let fast = conv2d_backward(x.view(), w.view(), d_out.view(), stride, padding).unwrap();
        let max_difference =
            |a: ArrayD<f32>, b: ArrayD<f32>| (a - b).fold(0.0f32, |m, d| m.max(d.abs()));
        assert!(max_difference(naive.d_input.into_dyn(), fast.d_input.into_dyn()) < 1e-4);
        assert!(max_difference(naive.d_weight.into_dyn(), fast.d_weight.into_dyn()) < 1e-3);
        assert!(max_difference(naive.d_bias.into_dyn(), fast.d_bias.into_dyn()) < 1e-3);
    }
    // A d_out of the wrong shape is an error naming the expected shape.
    let wrong = ndarray::Array4::zeros((batch, 3, 2, 2));
    let e = conv2d_backward(x.view(), w.view(), wrong.view(), 1, 0)
        .unwrap_err()
        .to_string();
    assert!(e.contains("conv2d output gradient"), "{e}");
}
// ANCHOR_END: conv2d_backward_fast_equals_naive

#[test]
fn conv1d_backward_matches_finite_differences() {
    let (stride, padding) = (2, 1);
    let x = random(&[2, 3, 9], 8);
    let w = random(&[2, 3, 3], 9);
    let b = Array1::from(vec![0.5, -0.5]);
    let loss_of = |x: &ArrayD<f32>, w: &ArrayD<f32>, r: &ArrayD<f32>| {
        let y = conv1d(
            x.view().into_dimensionality::<Ix3>().unwrap(),
            w.view().into_dimensionality::<Ix3>().unwrap(),
            b.view(),
            stride,
            padding,
        )
        .unwrap();
        weighted_sum(&y.into_dyn(), r)
    };
    let y_shape = conv1d(
        x.view().into_dimensionality::<Ix3>().unwrap(),
        w.view().into_dimensionality::<Ix3>().unwrap(),
        b.view(),
        stride,
        padding,
    )
    .unwrap()
    .shape()
    .to_vec();
    let r = random(&y_shape, 10);
    let gradients = conv1d_backward(
        x.view().into_dimensionality::<Ix3>().unwrap(),
        w.view().into_dimensionality::<Ix3>().unwrap(),
        r.view().into_dimensionality::<Ix3>().unwrap(),
        stride,
        padding,
    )
    .unwrap();
    assert_close(
        "conv1d d_input",
        &gradients.d_input.into_dyn(),
        &numeric_gradient(&x, |x| loss_of(x, &w, &r)),
    );
    assert_close(
        "conv1d d_weight",
        &gradients.d_weight.into_dyn(),
        &numeric_gradient(&w, |w| loss_of(&x, w, &r)),
    );
    let sums = r.sum_axis(ndarray::Axis(2)).sum_axis(ndarray::Axis(0));
    assert_close("conv1d d_bias", &gradients.d_bias.into_dyn(), &sums);
}

/// Checks `backward(x, r)` against finite differences of `forward` for one input.
fn check_elementwise(
    what: &str,
    x: &ArrayD<f32>,
    forward: impl Fn(&ArrayD<f32>) -> ArrayD<f32>,
    backward: impl Fn(&ArrayD<f32>, &ArrayD<f32>, &ArrayD<f32>) -> ArrayD<f32>,
) {
    let y = forward(x);
    let r = random(y.shape(), 11);
    let analytic = backward(x, &y, &r);
    let numeric = numeric_gradient(x, |x| weighted_sum(&forward(x), &r));
    assert_close(what, &analytic, &numeric);
}

#[test]
fn pooling_backward_matches_finite_differences() {
    let x = distinct(&[2, 2, 7, 7], 12);
    let as4 = |a: &ArrayD<f32>| a.clone().into_dimensionality::<Ix4>().unwrap();
    for (kernel, stride) in [(2, 2), (3, 2), (2, 1)] {
        check_elementwise(
            &format!("max pool K={kernel} S={stride}"),
            &x,
            |x| {
                max_pool2d(as4(x).view(), kernel, stride)
                    .unwrap()
                    .into_dyn()
            },
            |x, _, r| {
                max_pool2d_backward_naive(as4(x).view(), as4(r).view(), kernel, stride).into_dyn()
            },
        );
        check_elementwise(
            &format!("max pool from recorded positions K={kernel} S={stride}"),
            &x,
            |x| {
                max_pool2d(as4(x).view(), kernel, stride)
                    .unwrap()
                    .into_dyn()
            },
            |x, _, r| {
                let (_, argmax) = max_pool2d_with_argmax(as4(x).view(), kernel, stride).unwrap();
                max_pool2d_backward(argmax.view(), as4(r).view(), [2, 2, 7, 7])
                    .unwrap()
                    .into_dyn()
            },
        );
        check_elementwise(
            &format!("average pool K={kernel} S={stride}"),
            &x,
            |x| {
                avg_pool2d(as4(x).view(), kernel, stride)
                    .unwrap()
                    .into_dyn()
            },
            |_, _, r| avg_pool2d_backward([2, 2, 7, 7], as4(r).view(), kernel, stride).into_dyn(),
        );
    }
    let as2 = |a: &ArrayD<f32>| a.clone().into_dimensionality::<Ix2>().unwrap();
    check_elementwise(
        "global max pool",
        &x,
        |x| global_max_pool2d(as4(x).view()).unwrap().into_dyn(),
        |x, _, r| global_max_pool2d_backward(as4(x).view(), as2(r).view()).into_dyn(),
    );
    check_elementwise(
        "global average pool",
        &x,
        |x| global_avg_pool2d(as4(x).view()).unwrap().into_dyn(),
        |_, _, r| global_avg_pool2d_backward([2, 2, 7, 7], as2(r).view()).into_dyn(),
    );
}

#[test]
fn activation_backward_matches_finite_differences() {
    let x = distinct(&[3, 4, 5], 13) / 2.0; // in about [-3, 3], none near zero
    check_elementwise(
        "relu",
        &x,
        |x| relu(x.view()),
        |x, _, r| relu_backward(x.view(), r.view()),
    );
    check_elementwise(
        "sigmoid",
        &x,
        |x| sigmoid(x.view()),
        |_, y, r| sigmoid_backward(y.view(), r.view()),
    );
    check_elementwise(
        "tanh",
        &x,
        |x| tanh(x.view()),
        |_, y, r| tanh_backward(y.view(), r.view()),
    );
}

#[test]
fn flatten_and_linear_backward_match_finite_differences() {
    let x = random(&[2, 3, 2, 2], 14);
    check_elementwise(
        "flatten",
        &x,
        |x| flatten(x.view().into_dimensionality::<Ix4>().unwrap()).into_dyn(),
        |_, _, r| {
            flatten_backward(r.view().into_dimensionality::<Ix2>().unwrap(), [2, 3, 2, 2])
                .into_dyn()
        },
    );
    let x = random(&[3, 5], 15);
    let w = random(&[4, 5], 16);
    let b = random(&[4], 17);
    let loss_of = |x: &ArrayD<f32>, w: &ArrayD<f32>, b: &ArrayD<f32>, r: &ArrayD<f32>| {
        let y = linear(
            x.view().into_dimensionality::<Ix2>().unwrap(),
            w.view().into_dimensionality::<Ix2>().unwrap(),
            b.view().into_dimensionality::<ndarray::Ix1>().unwrap(),
        )
        .unwrap();
        weighted_sum(&y.into_dyn(), r)
    };
    let r = random(&[3, 4], 18);
    let gradients = linear_backward(
        x.view().into_dimensionality::<Ix2>().unwrap(),
        w.view().into_dimensionality::<Ix2>().unwrap(),
        r.view().into_dimensionality::<Ix2>().unwrap(),
    );
    assert_close(
        "linear d_input",
        &gradients.d_input.into_dyn(),
        &numeric_gradient(&x, |x| loss_of(x, &w, &b, &r)),
    );
    assert_close(
        "linear d_weight",
        &gradients.d_weight.into_dyn(),
        &numeric_gradient(&w, |w| loss_of(&x, w, &b, &r)),
    );
    assert_close(
        "linear d_bias",
        &gradients.d_bias.into_dyn(),
        &numeric_gradient(&b, |b| loss_of(&x, &w, b, &r)),
    );
}

#[test]
fn softmax_and_cross_entropy_backward_match_finite_differences() {
    let z = random(&[3, 5], 19) * 3.0;
    let as2 = |a: &ArrayD<f32>| a.clone().into_dimensionality::<Ix2>().unwrap();
    check_elementwise(
        "softmax",
        &z,
        |z| softmax(as2(z).view()).into_dyn(),
        |_, p, r| softmax_backward(as2(p).view(), as2(r).view()).into_dyn(),
    );
    let targets = [4, 0, 2];
    let analytic = softmax_cross_entropy_backward(as2(&z).view(), &targets).unwrap();
    let numeric = numeric_gradient(&z, |z| {
        // The loss in f64 from f64 log-softmax, so the difference keeps its digits.
        let mut total = 0.0;
        for (n, &t) in targets.iter().enumerate() {
            let row: Vec<f64> = (0..5).map(|k| z[[n, k]] as f64).collect();
            let max = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let log_sum = row.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
            total -= row[t] - max - log_sum;
        }
        total / targets.len() as f64
    });
    assert_close("cross-entropy d_logits", &analytic.into_dyn(), &numeric);
}

/// The whole network's backward pass, through every kind of layer, against finite
/// differences of its forward pass, for the input and for every parameter.
#[test]
fn sequential_backward_matches_finite_differences() {
    let mut net = Sequential::new();
    let conv = Conv2d::new(
        random(&[3, 2, 3, 3], 20).into_dimensionality().unwrap(),
        Array1::from(vec![0.1, 0.0, -0.1]),
        Conv2dConfig::padding(1),
    )
    .unwrap();
    net.push("conv", conv).unwrap();
    net.push("tanh", Layer::Tanh).unwrap();
    net.push("pool", Pool2d::average(2, 2).unwrap()).unwrap();
    net.push("sigmoid", Layer::Sigmoid).unwrap();
    net.push("flatten", Layer::Flatten).unwrap();
    let dense = Dense::new(
        random(&[4, 12], 21).into_dimensionality().unwrap(),
        Array1::zeros(4),
    );
    net.push("dense", dense.unwrap()).unwrap();
    net.push("softmax", Layer::Softmax).unwrap();

    let x = random(&[2, 2, 4, 4], 22)
        .into_dimensionality::<Ix4>()
        .unwrap();
    let trace = net.forward_train(&x).unwrap();
    let r = random(trace.output.shape(), 23)
        .into_dimensionality::<Ix2>()
        .unwrap();
    let gradients = net.backward(&trace, &r, Want::All).unwrap();
    let r = r.into_dyn();
    let output = |net: &Sequential, x: &ArrayD<f32>| {
        let x = x.view().into_dimensionality::<Ix4>().unwrap();
        net.forward(x).unwrap().into_flat().unwrap().into_dyn()
    };
    let numeric = numeric_gradient(&x.clone().into_dyn(), |x| {
        weighted_sum(&output(&net, x), &r)
    });
    let Some(Tensor::Maps(d_x)) = &gradients.input else {
        panic!("the input gradient of an image batch is maps");
    };
    assert_close("network d_input", &d_x.clone().into_dyn(), &numeric);
    let x = x.into_dyn();
    for (index, named) in net.layers().iter().enumerate() {
        let Some(expected) = &gradients.layers[index] else {
            continue;
        };
        let weight = named.layer.parameters().unwrap().0.to_owned();
        let numeric = numeric_gradient(&weight, |w| {
            let mut probe = net.clone();
            probe.layers_mut()[index]
                .layer
                .parameters_mut()
                .unwrap()
                .0
                .assign(w);
            weighted_sum(&output(&probe, &x), &r)
        });
        assert_close(
            &format!("{} d_weight", named.name),
            &expected.weight,
            &numeric,
        );
    }
    // A gradient of the wrong shape names the layer.
    let e = net
        .backward(&trace, &ndarray::Array2::<f32>::zeros((2, 3)), Want::All)
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("softmax: output gradient"), "{e}");
}

/// The fast convolution gives bit-identical results on any number of threads: the
/// chunks have a fixed size and their gradients are added in chunk order.
#[test]
fn conv2d_results_do_not_depend_on_the_thread_count() {
    let x = random(&[37, 3, 9, 9], 30)
        .into_dimensionality::<Ix4>()
        .unwrap();
    let w = random(&[4, 3, 3, 3], 31)
        .into_dimensionality::<Ix4>()
        .unwrap();
    let b = Array1::from(vec![0.1, 0.2, 0.3, 0.4]);
    let d_out = random(&[37, 4, 7, 7], 32)
        .into_dimensionality::<Ix4>()
        .unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let y = conv2d(x.view(), w.view(), b.view(), 1, 0).unwrap();
            let g = conv2d_backward(x.view(), w.view(), d_out.view(), 1, 0).unwrap();
            (y, g)
        })
    };
    let (y1, g1) = run(1);
    let (y3, g3) = run(3);
    assert_eq!(y1, y3);
    assert_eq!(g1, g3);
}
