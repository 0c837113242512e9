//! Pins every number chapter 1 quotes, and checks its claims. The tables are
//! computed by the chapter's example itself (included below), so the book and these
//! snapshots cannot drift apart.

#[path = "../examples/ch01_convolution.rs"]
#[allow(dead_code)]
mod ch01;

use cnn_core::ops::{conv1d, true_convolution1d};
use ndarray::{Array1, array, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn box_convolved_with_box_is_a_triangle() {
    let boxes = ch01::BoxConvolution::compute().unwrap();
    insta::assert_snapshot!(format!(
        "{}\nlargest error: {:.1e}",
        boxes.table().to_markdown(),
        boxes.largest_error
    ));
    // Midpoint sampling makes the grid sum exact up to float rounding.
    assert!(boxes.largest_error < 1e-5, "{}", boxes.largest_error);
    assert_eq!(boxes.curve.len(), 2 * ch01::BOX_SAMPLES - 1);
}

#[test]
fn moving_average_smooths_until_it_blurs_the_signal() {
    let smoothing = ch01::Smoothing::compute().unwrap();
    insta::assert_snapshot!(smoothing.table().to_markdown());
    let errors: Vec<f32> = smoothing.results.iter().map(|r| r.2).collect();
    // The chapter's claims: a few samples of averaging cut the error, and a window
    // almost as long as the sine's period makes it worse again.
    assert!(errors[2] < errors[0] / 2.0, "{errors:?}");
    assert!(errors[5] > errors[3], "{errors:?}");
}

#[test]
fn difference_kernel_marks_the_rise_and_the_fall() {
    let edges = ch01::StepEdges::compute().unwrap();
    insta::assert_snapshot!(edges.table().to_markdown());
    assert_eq!(edges.differences[ch01::RISE - 1], 1.0);
    assert_eq!(edges.differences[ch01::FALL - 1], -1.0);
    assert_eq!(edges.differences.iter().filter(|&&v| v != 0.0).count(), 2);
}

#[test]
fn impulse_shows_the_flip() {
    let flipped = ch01::FlippedKernel::compute().unwrap();
    insta::assert_snapshot!(flipped.table().to_markdown());
    assert_eq!(flipped.convolution, flipped.correlation_flipped);
    assert_ne!(flipped.convolution, flipped.correlation);
}

/// The chapter's central claim, on random signals and kernels of several lengths:
/// true convolution equals cross-correlation with the flipped kernel.
#[test]
fn convolution_is_cross_correlation_with_a_flipped_kernel() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for (length, kernel_len) in [(5, 1), (9, 2), (20, 3), (31, 7)] {
        let x = Array1::from_shape_simple_fn(length, || rng.random_range(-1.0f32..1.0));
        let h = Array1::from_shape_simple_fn(kernel_len, || rng.random_range(-1.0f32..1.0));
        let convolution = true_convolution1d(x.view(), h.view()).unwrap();
        let flipped = h.slice(s![..;-1]);
        let correlation = ch01::cross_correlation_full(x.view(), flipped).unwrap();
        let difference = (&convolution - &correlation).fold(0f32, |m, d| m.max(d.abs()));
        assert!(difference < 1e-6, "L={length} K={kernel_len}: {difference}");
    }
}

/// Convolution is commutative (x * h = h * x); cross-correlation is not.
#[test]
fn convolution_commutes_and_cross_correlation_does_not() {
    let x = array![1.0, 2.0, 0.0, -1.0];
    let h = ch01::asymmetric_kernel();
    assert_eq!(
        true_convolution1d(x.view(), h.view()).unwrap(),
        true_convolution1d(h.view(), x.view()).unwrap()
    );
    let xh = ch01::cross_correlation_full(x.view(), h.view()).unwrap();
    let hx = ch01::cross_correlation_full(h.view(), x.view()).unwrap();
    assert_ne!(xh, hx);
    // Cross-correlation reverses instead: corr(h, x) is corr(x, h) read backwards.
    assert_eq!(hx, xh.slice(s![..;-1]).to_owned());
}

#[test]
fn moving_average_output_is_shorter_by_k_minus_one() {
    let x = Array1::from_shape_fn(10, |t| t as f32);
    let kernel = ch01::moving_average_kernel(3);
    let y = conv1d(
        x.view().into_shape_with_order((1, 1, 10)).unwrap(),
        kernel.view().into_shape_with_order((1, 1, 3)).unwrap(),
        array![0.0].view(),
        1,
        0,
    )
    .unwrap();
    assert_eq!(y.dim(), (1, 1, 8));
    // The average of t, t+1, t+2 is t+1.
    assert!((y[[0, 0, 0]] - 1.0).abs() < 1e-6);
}

#[test]
fn photo_filters() {
    let photo = ch01::PhotoFilters::compute().unwrap();
    insta::assert_snapshot!(photo.table().to_markdown());
    // A box blur is the same under a 180-degree rotation: the two operations agree.
    assert!(photo.blur_difference < 1e-5, "{}", photo.blur_difference);
    // Sobel x rotated by 180 degrees is minus Sobel x: the sign flips.
    assert!(photo.sobel_sign_flip < 1e-5, "{}", photo.sobel_sign_flip);
}

/// The single values the chapter quotes inline.
#[test]
fn inline_values() {
    insta::assert_snapshot!(format!(
        "box step: {}\nbox samples: {}\nperiod: {}\nblur size: {}\nblur shrink: {}",
        ch01::BOX_STEP,
        ch01::BOX_SAMPLES,
        ch01::PERIOD,
        ch01::BLUR_SIZE,
        ch01::BLUR_SIZE - 1
    ));
}

/// The program takes `--help` and refuses what it does not know, before any work.
#[test]
fn the_command_line_takes_help_and_rejects_unknown_arguments() {
    use clap::Parser;
    use clap::error::ErrorKind;
    assert!(ch01::Args::try_parse_from(["ch01_convolution"]).is_ok());
    let help = ch01::Args::try_parse_from(["ch01_convolution", "--help"]).unwrap_err();
    assert_eq!(help.kind(), ErrorKind::DisplayHelp);
    assert!(help.to_string().contains("Computes chapter"), "{help}");
    for wrong in ["--bogus", "extra"] {
        let error = ch01::Args::try_parse_from(["ch01_convolution", wrong]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument, "{wrong}: {error}");
    }
}
