//! Pins every number chapter 2 quotes, and checks its claims. The tables are
//! computed by the chapter's example itself (included below), so the book and these
//! snapshots cannot drift apart.

#[path = "../examples/ch02_feature_maps.rs"]
#[allow(dead_code)]
mod ch02;

use cnn_core::ops::{conv2d, conv2d_naive};
use ndarray::{Array1, Array2, Array4, array, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn nine_positions_on_a_5x5_input() {
    let sliding = ch02::Sliding::compute().unwrap();
    assert_eq!(sliding.output.dim(), (3, 3));
    insta::assert_snapshot!(sliding.table().to_markdown());
}

#[test]
fn lecture_example_in_full() {
    let lecture = ch02::LectureWorked::compute().unwrap();
    assert_eq!(lecture.stride1.dim(), (1, 2, 4, 4));
    assert_eq!(lecture.stride2.dim(), (1, 2, 2, 2));
    // Stride 2 keeps every second position of stride 1.
    assert_eq!(
        lecture.stride2,
        lecture.stride1.slice(s![.., .., ..;2, ..;2]).to_owned()
    );
    insta::assert_snapshot!(format!(
        "{}\n{}\n{}\n{}",
        lecture.table(0, 1),
        lecture.table(1, 1),
        lecture.table(0, 2),
        lecture.table(1, 2)
    ));
}

#[test]
fn one_rgb_pixel_step_by_step() {
    let pixel = ch02::OneRgbPixel::compute().unwrap();
    let (i, j) = pixel.position;
    let difference = (pixel.by_hand() - pixel.output[[0, 0, i, j]]).abs();
    assert!(difference < 1e-5, "{difference}");
    insta::assert_snapshot!(format!(
        "{}\nposition: {}",
        pixel.table(),
        pixel.position_text()
    ));
}

/// The colour filter is the Sobel kernel scaled by each channel's grey weight, so by
/// linearity it equals Sobel on the grey photo, plus the bias.
#[test]
fn colour_filter_equals_sobel_on_the_grey_photo() {
    let pixel = ch02::OneRgbPixel::compute().unwrap();
    let grey = ch02::grey_coffee().unwrap();
    let (h, w) = grey.dim();
    let sobel = ch02::sobel_x().into_shape_with_order((1, 1, 3, 3)).unwrap();
    let on_grey = conv2d(
        grey.into_shape_with_order((1, 1, h, w)).unwrap().view(),
        sobel.view(),
        array![ch02::COLOUR_BIAS].view(),
        1,
        0,
    )
    .unwrap();
    let difference = (&on_grey - &pixel.output).fold(0f32, |m, d| m.max(d.abs()));
    assert!(difference < 1e-5, "{difference}");
}

#[test]
fn depth_grows_while_height_and_width_shrink() {
    let stack = ch02::FilterStack::compute().unwrap();
    assert_eq!(stack.maps.dim(), (1, 4, 398, 598));
    for pair in stack.shapes.windows(2) {
        assert!(pair[1][1] > pair[0][1], "{pair:?}");
        assert!(
            pair[1][2] < pair[0][2] && pair[1][3] < pair[0][3],
            "{pair:?}"
        );
    }
    insta::assert_snapshot!(stack.depth_table().to_markdown());
}

#[test]
fn convolution_equals_its_dense_matrix() {
    let dense = ch02::DenseEquivalent::compute().unwrap();
    assert_eq!(dense.matrix.dim(), (9, 25));
    assert_eq!(dense.by_convolution, dense.by_matrix);
    insta::assert_snapshot!(dense.table().to_markdown());
}

/// The same on random inputs and kernels of other sizes.
#[test]
fn dense_matrix_matches_convolution_on_random_inputs() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    for (h, w, k) in [(4, 4, 1), (6, 5, 3), (9, 7, 5)] {
        let input = Array2::from_shape_simple_fn((h, w), || rng.random_range(-1.0f32..1.0));
        let kernel = Array2::from_shape_simple_fn((k, k), || rng.random_range(-1.0f32..1.0));
        let convolved = conv2d_naive(
            input.to_shape((1, 1, h, w)).unwrap().view(),
            kernel.to_shape((1, 1, k, k)).unwrap().view(),
            array![0.0].view(),
            1,
            0,
        )
        .unwrap();
        let flat: Array1<f32> = input.iter().copied().collect();
        let by_matrix = ch02::dense_matrix(kernel.view(), h, w).dot(&flat);
        let by_convolution: Array1<f32> = convolved.iter().copied().collect();
        let difference = (&by_matrix - &by_convolution).fold(0f32, |m, d| m.max(d.abs()));
        assert!(difference < 1e-5, "{h}x{w}, K={k}: {difference}");
    }
}

#[test]
fn parameter_counts() {
    insta::assert_snapshot!(ch02::parameter_counts().to_markdown());
}

/// The hand-derived gradient agrees with finite differences of the loss.
#[test]
fn hand_derived_gradient_matches_finite_differences() {
    let (images, targets) = ch02::training_pairs().unwrap();
    let kernel = array![[0.3, -0.2, 0.1], [0.5, 0.0, -0.4], [0.2, 0.7, -0.6]];
    let bias = 0.05;
    let (_, d_kernel, d_bias) = ch02::loss_and_gradient(&images, &targets, &kernel, bias).unwrap();
    let loss =
        |k: &Array2<f32>, b: f32| ch02::loss_and_gradient(&images, &targets, k, b).unwrap().0;
    let step = 1e-2;
    for u in 0..3 {
        for v in 0..3 {
            let (mut up, mut down) = (kernel.clone(), kernel.clone());
            up[[u, v]] += step;
            down[[u, v]] -= step;
            let numeric = (loss(&up, bias) - loss(&down, bias)) / (2.0 * step);
            let relative = (numeric - d_kernel[[u, v]]).abs() / d_kernel[[u, v]].abs().max(1e-3);
            assert!(
                relative < 1e-2,
                "w[{u},{v}]: {numeric} vs {}",
                d_kernel[[u, v]]
            );
        }
    }
    let numeric = (loss(&kernel, bias + step) - loss(&kernel, bias - step)) / (2.0 * step);
    assert!(
        (numeric - d_bias).abs() < 1e-2 * d_bias.abs().max(1e-3),
        "{numeric} vs {d_bias}"
    );
}

#[test]
fn gradient_descent_recovers_the_sobel_kernel() {
    let learned = ch02::LearnedKernel::compute().unwrap();
    let difference = (&learned.learned - &ch02::sobel_x()).fold(0f32, |m, d| m.max(d.abs()));
    assert!(difference < 1e-2, "{difference}");
    assert!(learned.losses.last().unwrap() < &(learned.losses[0] * 1e-4));
    insta::assert_snapshot!(format!(
        "{}\n{}",
        learned.kernel_table(),
        learned.loss_table()
    ));
}

#[test]
fn four_filters_span_three_channels() {
    let weight: Array4<f32> = ch02::four_filters();
    assert_eq!(weight.dim(), (4, 3, 3, 3));
}

/// The single values the chapter quotes inline.
#[test]
fn inline_values() {
    let pixel = ch02::OneRgbPixel::compute().unwrap();
    insta::assert_snapshot!(format!(
        "pairs: {}\nsteps: {}\nrgb pixel: {}",
        ch02::PAIRS,
        ch02::STEPS,
        pixel.position_text()
    ));
}

/// The program takes `--help` and refuses what it does not know, before any work.
#[test]
fn the_command_line_takes_help_and_rejects_unknown_arguments() {
    use clap::Parser;
    use clap::error::ErrorKind;
    assert!(ch02::Args::try_parse_from(["ch02_feature_maps"]).is_ok());
    let help = ch02::Args::try_parse_from(["ch02_feature_maps", "--help"]).unwrap_err();
    assert_eq!(help.kind(), ErrorKind::DisplayHelp);
    assert!(help.to_string().contains("Computes chapter"), "{help}");
    for wrong in ["--bogus", "extra"] {
        let error = ch02::Args::try_parse_from(["ch02_feature_maps", wrong]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument, "{wrong}: {error}");
    }
}

/// The note's claim: on photo crops, whose neighbouring pixels are nearly equal,
/// plain gradient descent needs far more steps than on noise to find the kernel.
#[test]
fn photos_need_far_more_steps_than_noise() {
    let table = ch02::noise_against_photos().unwrap();
    let rows = table.rows();
    let value = |row: usize, column: usize| rows[row][column].parse::<f32>().unwrap();
    // Noise after 150 steps: found. Photos after 150 steps: far from it, and the loss
    // higher by orders of magnitude; photos after 15,000 steps: found too.
    assert!(value(0, 3) < 1e-2, "{table}");
    assert!(value(1, 3) > 0.1, "{table}");
    assert!(value(1, 2) > 1000.0 * value(0, 2), "{table}");
    assert!(value(3, 3) < 1e-2, "{table}");
    insta::assert_snapshot!(table.to_markdown());
}
