//! Pins every number chapter 5 quotes. The tables are computed by the chapter's
//! example itself (included below), so the book and these snapshots cannot drift apart.

#[path = "../examples/ch05_odd_kernels.rs"]
#[allow(dead_code)]
mod ch05;

#[test]
fn same_padding() {
    insta::assert_snapshot!(ch05::same_padding().unwrap().to_markdown());
}

#[test]
fn even_kernels_shift_by_half_a_pixel() {
    let shift = ch05::Shift::compute().unwrap();
    let centre = (ch05::DOT_SIZE / 2) as f32;
    for (&k, blurred) in ch05::KERNELS.iter().zip(&shift.blurred) {
        let (row, column) = ch05::centre_of_mass(blurred.view());
        let expected = if k.is_multiple_of(2) { 0.5 } else { 0.0 };
        assert!((row - centre - expected).abs() < 1e-4, "k={k}: row {row}");
        assert!(
            (column - centre - expected).abs() < 1e-4,
            "k={k}: column {column}"
        );
    }
    // Stacked 2x2 layers: the shift grows by half a pixel per layer.
    for (layer, &(row, _)) in shift.stacked[0].iter().enumerate() {
        let expected = 0.5 * (layer + 1) as f32;
        assert!(
            (row - centre - expected).abs() < 1e-4,
            "layer {layer}: {row}"
        );
    }
    insta::assert_snapshot!(shift.table().to_markdown());
    insta::assert_snapshot!(shift.stacked_table().to_markdown());
}

#[test]
fn one_by_one_convolution_is_the_grey_image() {
    let grey = ch05::OneByOne::compute().unwrap();
    assert!(
        grey.largest_difference < 1e-5,
        "{}",
        grey.largest_difference
    );
    insta::assert_snapshot!(grey.table().to_markdown());
    insta::assert_snapshot!(ch05::one_by_one_field().unwrap().to_markdown());
}

#[test]
fn stacks_of_3x3() {
    let stacks = ch05::Stacks::compute().unwrap();
    // The chapter's claims: two 3x3 see 5x5 with 18 C^2 instead of 25 C^2, three
    // see 7x7 with 27 C^2 instead of 49 C^2.
    assert_eq!(stacks.rows[1], (2, 5, 18, 25));
    assert_eq!(stacks.rows[2], (3, 7, 27, 49));
    insta::assert_snapshot!(stacks.table().to_markdown());
}

#[test]
fn the_photo_moves_with_even_kernels() {
    let photo = ch05::PhotoShift::compute().unwrap();
    let (original, odd, even) = photo.brightest_columns();
    assert_eq!(odd, original);
    assert_eq!(
        even,
        original + 2,
        "four 2x2 layers move it by 4 x 0.5 pixels"
    );
    insta::assert_snapshot!(photo.table().to_markdown());
}

/// The program takes `--help` and refuses what it does not know, before any work.
#[test]
fn the_command_line_takes_help_and_rejects_unknown_arguments() {
    use clap::Parser;
    use clap::error::ErrorKind;
    assert!(ch05::Args::try_parse_from(["ch05_odd_kernels"]).is_ok());
    let help = ch05::Args::try_parse_from(["ch05_odd_kernels", "--help"]).unwrap_err();
    assert_eq!(help.kind(), ErrorKind::DisplayHelp);
    assert!(help.to_string().contains("Computes chapter"), "{help}");
    for wrong in ["--bogus", "extra"] {
        let error = ch05::Args::try_parse_from(["ch05_odd_kernels", wrong]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument, "{wrong}: {error}");
    }
}

/// The crop's figure: the brightest pixel after four 2x2 blurs is below and to the
/// right of the brightest pixel after four 3x3 blurs (2 rows and 1 column: a photo's
/// brightest spot is not a single dot, so the move is not exactly the dot's (2, 2)).
#[test]
fn the_bright_spot_moves_down_and_right() {
    let photo = ch05::PhotoShift::compute().unwrap();
    let (row, column) = photo.brightest_pixel();
    let even = cnn_book::figures::map(&photo.even, 0);
    let brightest = even
        .indexed_iter()
        .fold(((0, 0), f32::NEG_INFINITY), |best, (at, &v)| {
            if v > best.1 { (at, v) } else { best }
        })
        .0;
    assert!(
        brightest.0 > row && brightest.1 > column,
        "{brightest:?} vs {row}, {column}"
    );
    insta::assert_snapshot!(format!("3x3: {:?}, 2x2: {brightest:?}", (row, column)), @"3x3: (26, 17), 2x2: (28, 18)");
}
