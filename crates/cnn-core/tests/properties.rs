//! Properties that must hold for every configuration, checked on random small ones:
//!
//! - the shape each layer produces is the one [`output_size`] predicts, dimension by
//!   dimension (so the book's formula and the code cannot disagree);
//! - the fast convolution (im2col + matrix multiply) equals the naive loops, and max
//!   pooling that records its argmax equals the pooling that searches the windows again;
//! - an impossible configuration is an `Err`, never a panic, and a possible one is `Ok`.
//!
//! Sizes and case counts are kept small so the whole file runs in a few seconds.

use cnn_core::ops::{
    avg_pool2d, avg_pool2d_naive, conv1d, conv2d, conv2d_naive, im2col, im2col_naive, max_pool2d,
    max_pool2d_backward, max_pool2d_backward_naive, max_pool2d_naive, max_pool2d_with_argmax,
};
use cnn_core::output_size;
use ndarray::{Array1, Array3, Array4};
use proptest::collection::vec;
use proptest::prelude::*;

/// A random valid 2-D convolution: input, weight, bias, stride, padding.
#[derive(Debug, Clone)]
struct Conv2dCase {
    input: Array4<f32>,  // [N, C, H, W]
    weight: Array4<f32>, // [F, C, KH, KW]
    bias: Array1<f32>,   // [F]
    stride: usize,
    padding: usize,
}

/// Rectangular inputs and kernels, strides 1..=4, padding 0..=3, values in [-1, 1);
/// only configurations where the kernel fits in the padded input.
fn valid_conv2d() -> impl Strategy<Value = Conv2dCase> {
    (
        1..=2usize, // N
        1..=3usize, // C
        1..=3usize, // F
        1..=9usize, // H
        1..=9usize, // W
        1..=5usize, // KH
        1..=5usize, // KW
        1..=4usize, // S
        0..=3usize, // P
    )
        .prop_filter(
            "the kernel must fit in the padded input",
            |&(_, _, _, h, w, kh, kw, _, p)| kh <= h + 2 * p && kw <= w + 2 * p,
        )
        .prop_flat_map(|(n, c, f, h, w, kh, kw, stride, padding)| {
            (
                vec(-1.0f32..1.0, n * c * h * w),
                vec(-1.0f32..1.0, f * c * kh * kw),
                vec(-1.0f32..1.0, f),
            )
                .prop_map(move |(x, weight, bias)| Conv2dCase {
                    input: Array4::from_shape_vec((n, c, h, w), x).unwrap(),
                    weight: Array4::from_shape_vec((f, c, kh, kw), weight).unwrap(),
                    bias: Array1::from_vec(bias),
                    stride,
                    padding,
                })
        })
}

/// A random valid 1-D convolution: input [N, C, L], weight [F, C, K], bias [F],
/// stride, padding.
fn valid_conv1d() -> impl Strategy<Value = (Array3<f32>, Array3<f32>, Array1<f32>, usize, usize)> {
    (
        1..=2usize,  // N
        1..=3usize,  // C
        1..=3usize,  // F
        1..=12usize, // L
        1..=5usize,  // K
        1..=4usize,  // S
        0..=3usize,  // P
    )
        .prop_filter(
            "the kernel must fit in the padded sequence",
            |&(_, _, _, l, k, _, p)| k <= l + 2 * p,
        )
        .prop_flat_map(|(n, c, f, l, k, stride, padding)| {
            (
                vec(-1.0f32..1.0, n * c * l),
                vec(-1.0f32..1.0, f * c * k),
                vec(-1.0f32..1.0, f),
            )
                .prop_map(move |(x, weight, bias)| {
                    (
                        Array3::from_shape_vec((n, c, l), x).unwrap(),
                        Array3::from_shape_vec((f, c, k), weight).unwrap(),
                        Array1::from_vec(bias),
                        stride,
                        padding,
                    )
                })
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    // ANCHOR: conv2d_fast_equals_naive
    #[test]
    fn conv2d_shape_is_output_size_and_fast_equals_naive(case in valid_conv2d()) {
        let (n, _, h, w) = case.input.dim();
        let (f, _, kh, kw) = case.weight.dim();
        let (s, p) = (case.stride, case.padding);
        let expected = (n, f, output_size(h, kh, s, p).unwrap(), output_size(w, kw, s, p).unwrap());

        let naive = conv2d_naive(case.input.view(), case.weight.view(), case.bias.view(), s, p).unwrap();
        let fast = conv2d(case.input.view(), case.weight.view(), case.bias.view(), s, p).unwrap();
        prop_assert_eq!(naive.dim(), expected);
        prop_assert_eq!(fast.dim(), expected);

        // At most 3*5*5 products of numbers below 1, summed in two different orders.
        let largest_difference = (&naive - &fast).fold(0.0f32, |m, d| m.max(d.abs()));
        prop_assert!(largest_difference < 1e-5, "naive and fast differ by {}", largest_difference);

        // The unrolled patches the fast version multiplies are the reference im2col's,
        // image by image, exactly.
        let columns = im2col(case.input.view(), kh, kw, s, p).unwrap();
        let positions = expected.2 * expected.3;
        for b in 0..n {
            let one = im2col_naive(case.input.index_axis(ndarray::Axis(0), b), kh, kw, s, p).unwrap();
            prop_assert_eq!(columns.slice(ndarray::s![.., b * positions..(b + 1) * positions]), one);
        }
    }
    // ANCHOR_END: conv2d_fast_equals_naive

    #[test]
    fn conv1d_shape_is_output_size((x, w, b, s, p) in valid_conv1d()) {
        let (n, _, l) = x.dim();
        let (f, _, k) = w.dim();
        let y = conv1d(x.view(), w.view(), b.view(), s, p).unwrap();
        prop_assert_eq!(y.dim(), (n, f, output_size(l, k, s, p).unwrap()));
    }

    // ANCHOR: max_pool_backward_fast_equals_naive
    #[test]
    fn max_pooling_with_recorded_argmax_equals_searching_again(
        (x, k, s) in (1..=2usize, 1..=3usize, 1..=9usize, 1..=40usize, 1..=4usize, 1..=3usize)
            .prop_filter("the window must fit in the input", |&(_, _, h, w, k, _)| k <= h && k <= w)
            .prop_flat_map(|(n, c, h, w, k, s)| {
                // Few distinct values, so windows often hold ties.
                vec(0..4u8, n * c * h * w).prop_map(move |data| {
                    let data = data.into_iter().map(f32::from).collect();
                    (Array4::from_shape_vec((n, c, h, w), data).unwrap(), k, s)
                })
            })
    ) {
        let (n, c, h, w) = x.dim();
        let (y, argmax) = max_pool2d_with_argmax(x.view(), k, s).unwrap();
        prop_assert_eq!(&y, &max_pool2d(x.view(), k, s).unwrap());
        prop_assert_eq!(&y, &max_pool2d_naive(x.view(), k, s).unwrap());
        let d_out = y.mapv(|v| v + 0.5) * 1.25;
        let searched = max_pool2d_backward_naive(x.view(), d_out.view(), k, s);
        let recorded = max_pool2d_backward(argmax.view(), d_out.view(), [n, c, h, w]).unwrap();
        prop_assert_eq!(recorded, searched);
    }
    // ANCHOR_END: max_pool_backward_fast_equals_naive

    #[test]
    fn pooling_shape_is_output_size_and_max_is_at_least_average(
        (x, k, s) in (1..=2usize, 1..=3usize, 1..=9usize, 1..=9usize, 1..=5usize, 1..=4usize)
            .prop_filter("the window must fit in the input", |&(_, _, h, w, k, _)| k <= h && k <= w)
            .prop_flat_map(|(n, c, h, w, k, s)| {
                vec(-1.0f32..1.0, n * c * h * w).prop_map(move |data| {
                    (Array4::from_shape_vec((n, c, h, w), data).unwrap(), k, s)
                })
            })
    ) {
        let (n, c, h, w) = x.dim();
        let expected = (n, c, output_size(h, k, s, 0).unwrap(), output_size(w, k, s, 0).unwrap());
        let max = max_pool2d(x.view(), k, s).unwrap();
        let avg = avg_pool2d(x.view(), k, s).unwrap();
        prop_assert_eq!(max.dim(), expected);
        prop_assert_eq!(avg.dim(), expected);
        // The fast poolings equal the reference loops exactly.
        prop_assert_eq!(&max, &max_pool2d_naive(x.view(), k, s).unwrap());
        prop_assert_eq!(&avg, &avg_pool2d_naive(x.view(), k, s).unwrap());
        // The largest value of a window is never below its mean.
        prop_assert!(max.iter().zip(avg.iter()).all(|(m, a)| *m >= *a - 1e-6));
    }

    /// Any configuration, valid or not: the result is `Ok` exactly when the
    /// configuration is possible (decided here independently of the library), and a
    /// call never panics.
    #[test]
    fn conv2d_errs_exactly_on_impossible_configurations(
        (n, c, f, h, w) in (0..=2usize, 1..=3usize, 1..=3usize, 0..=6usize, 0..=6usize),
        (kh, kw, s, p) in (0..=5usize, 0..=5usize, 0..=3usize, 0..=2usize),
        wrong_channels in prop::bool::weighted(0.2),
        wrong_bias in prop::bool::weighted(0.2),
    ) {
        let input_channels = if wrong_channels { c + 1 } else { c };
        let bias_len = if wrong_bias { f + 1 } else { f };
        let x = Array4::<f32>::zeros((n, input_channels, h, w));
        let weight = Array4::<f32>::zeros((f, c, kh, kw));
        let bias = Array1::<f32>::zeros(bias_len);
        let possible = s >= 1
            && kh >= 1
            && kw >= 1
            && !wrong_channels
            && !wrong_bias
            && kh <= h + 2 * p
            && kw <= w + 2 * p;

        let naive = conv2d_naive(x.view(), weight.view(), bias.view(), s, p);
        let fast = conv2d(x.view(), weight.view(), bias.view(), s, p);
        prop_assert_eq!(naive.is_ok(), possible, "naive: {:?}", naive.err());
        prop_assert_eq!(fast.is_ok(), possible, "fast: {:?}", fast.err());
        if let (Err(naive), Err(fast)) = (naive, fast) {
            // Both versions check in the same place, so they say the same thing.
            prop_assert_eq!(naive.to_string(), fast.to_string());
        }
    }

    #[test]
    fn conv1d_errs_exactly_on_impossible_configurations(
        (n, c, f, l) in (0..=2usize, 1..=3usize, 1..=3usize, 0..=8usize),
        (k, s, p) in (0..=5usize, 0..=3usize, 0..=2usize),
        wrong_channels in prop::bool::weighted(0.2),
        wrong_bias in prop::bool::weighted(0.2),
    ) {
        let input_channels = if wrong_channels { c + 1 } else { c };
        let bias_len = if wrong_bias { f + 1 } else { f };
        let x = Array3::<f32>::zeros((n, input_channels, l));
        let weight = Array3::<f32>::zeros((f, c, k));
        let bias = Array1::<f32>::zeros(bias_len);
        let possible = s >= 1 && k >= 1 && !wrong_channels && !wrong_bias && k <= l + 2 * p;
        let y = conv1d(x.view(), weight.view(), bias.view(), s, p);
        prop_assert_eq!(y.is_ok(), possible, "{:?}", y.err());
    }

    #[test]
    fn pooling_errs_exactly_on_impossible_configurations(
        (n, c, h, w) in (0..=2usize, 0..=2usize, 0..=6usize, 0..=6usize),
        (k, s) in (0..=4usize, 0..=3usize),
    ) {
        let x = Array4::<f32>::zeros((n, c, h, w));
        let possible = k >= 1 && s >= 1 && k <= h && k <= w;
        prop_assert_eq!(max_pool2d(x.view(), k, s).is_ok(), possible);
        prop_assert_eq!(avg_pool2d(x.view(), k, s).is_ok(), possible);
        prop_assert_eq!(max_pool2d_naive(x.view(), k, s).is_ok(), possible);
    }
}

/// Huge paddings and strides: every operation answers with an error or a small
/// result, never a panic or a wrapped-around size (in release builds `usize::MAX / 2`
/// padding used to give a 4x4 output).
#[test]
fn huge_sizes_are_errors_not_panics() {
    let x = Array4::<f32>::ones((1, 1, 4, 4));
    let w = Array4::<f32>::ones((1, 1, 3, 3));
    let b = Array1::<f32>::zeros(1);
    for padding in [usize::MAX / 2, usize::MAX / 4, 1 << 40, 1 << 31] {
        let e = conv2d(x.view(), w.view(), b.view(), 1, padding)
            .unwrap_err()
            .to_string();
        assert!(e.contains("too large"), "padding {padding}: {e}");
        assert!(conv2d_naive(x.view(), w.view(), b.view(), 1, padding).is_err());
        assert!(im2col(x.view(), 3, 3, 1, padding).is_err());
        assert!(im2col_naive(x.index_axis(ndarray::Axis(0), 0), 3, 3, 1, padding).is_err());
    }
    // A huge stride is fine: one position.
    let y = conv2d(x.view(), w.view(), b.view(), usize::MAX, 0).unwrap();
    assert_eq!(y.dim(), (1, 1, 1, 1));
    assert_eq!(
        max_pool2d(x.view(), 2, usize::MAX).unwrap().dim(),
        (1, 1, 1, 1)
    );
}
