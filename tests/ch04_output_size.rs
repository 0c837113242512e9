//! Pins every number chapter 4 quotes. The tables are computed by the chapter's
//! example itself (included below), so the book and these snapshots cannot drift apart.

#[path = "../examples/ch04_output_size.rs"]
#[allow(dead_code)]
mod ch04;

use cnn_core::output_size;

#[test]
fn counting_positions_agrees_with_the_formula() {
    // The chapter's claim: counting start positions and the formula agree, for
    // every small case, with and without stride and padding.
    for n in 1..=12 {
        for k in 1..=n {
            for s in 1..=4 {
                for p in 0..=2 {
                    let counted = ch04::start_positions(n + 2 * p, k, s).len();
                    assert_eq!(
                        counted,
                        output_size(n, k, s, p).unwrap(),
                        "n={n} k={k} s={s} p={p}"
                    );
                }
            }
        }
    }
    insta::assert_snapshot!(ch04::counting_positions().unwrap().to_markdown());
}

#[test]
fn strides() {
    insta::assert_snapshot!(ch04::strides().unwrap().to_markdown());
}

#[test]
fn padding_modes() {
    insta::assert_snapshot!(ch04::padding_modes().unwrap().to_markdown());
}

#[test]
fn lenet5_walk() {
    let walk = ch04::walk(&ch04::lenet5().unwrap(), [1, 1, 28, 28]).unwrap();
    let last = walk.rows.last().unwrap();
    assert_eq!(last.output_shape, vec![1, 10]);
    insta::assert_snapshot!(walk.table().to_markdown());
}

#[test]
fn tiny_vgg_walk() {
    let walk = ch04::walk(&ch04::tiny_vgg().unwrap(), [1, 3, 64, 64]).unwrap();
    // 64 -> 62 -> 60 -> 30 -> 28 -> 26 -> 13, as in CNN Explainer.
    let heights: Vec<usize> = walk
        .rows
        .iter()
        .take(6)
        .map(|r| r.output_shape[2])
        .collect();
    assert_eq!(heights, vec![62, 60, 30, 28, 26, 13]);
    insta::assert_snapshot!(walk.table().to_markdown());
}

#[test]
fn floor_mode_leaves_the_last_rows_uncovered() {
    let coverage = ch04::Coverage::compute().unwrap();
    for (&(n, k, s), map) in ch04::COVERAGE_CASES.iter().zip(&coverage.maps) {
        let dropped = cnn_core::shape::dropped_by_floor(n, k, s, 0).unwrap();
        // Exactly the last `dropped` rows and columns are zero, nothing else.
        for ((i, j), &c) in map.indexed_iter() {
            let outside = i >= n - dropped || j >= n - dropped;
            assert_eq!(c == 0.0, outside, "n={n} k={k} s={s} at ({i}, {j})");
        }
    }
    insta::assert_snapshot!(coverage.table().to_markdown());
}

#[test]
fn total_padding() {
    insta::assert_snapshot!(ch04::total_padding().unwrap().to_markdown());
}

/// The program takes `--help` and refuses what it does not know, before any work.
#[test]
fn the_command_line_takes_help_and_rejects_unknown_arguments() {
    use clap::Parser;
    use clap::error::ErrorKind;
    assert!(ch04::Args::try_parse_from(["ch04_output_size"]).is_ok());
    let help = ch04::Args::try_parse_from(["ch04_output_size", "--help"]).unwrap_err();
    assert_eq!(help.kind(), ErrorKind::DisplayHelp);
    assert!(help.to_string().contains("Computes chapter"), "{help}");
    for wrong in ["--bogus", "extra"] {
        let error = ch04::Args::try_parse_from(["ch04_output_size", wrong]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument, "{wrong}: {error}");
    }
}

/// TensorFlow's SAME: `ceil(W / S)` positions, and counting the windows on the input
/// padded as `same_padding` says gives the same number.
#[test]
fn tensorflow_same_padding() {
    for (w, k, s) in ch04::SAME_CASES {
        let same = cnn_core::shape::same_padding(w, k, s).unwrap();
        let counted = ch04::start_positions(w + same.total, k, s).len();
        assert_eq!(counted, w.div_ceil(s), "W={w} K={k} S={s}");
    }
    insta::assert_snapshot!(ch04::tensorflow_same().unwrap().to_markdown());
}

/// The chapter's reason why channels grow: in VGG-16 every block halves the side of
/// the maps and doubles the filters (up to 512), which keeps the multiply-adds of a
/// block's later convolutions the same while the values stored halve.
#[test]
fn doubling_the_channels_keeps_the_cost_per_layer() {
    use cnn_core::models::alexnet::{Stage, architecture};
    let stages = ch04::vgg16_stages();
    let shapes = architecture(&stages, [3, 224, 224]).unwrap();
    let cost = |name: &str| {
        let (stage, shape) = stages
            .iter()
            .zip(&shapes)
            .find(|(_, shape)| shape.name == name)
            .unwrap();
        let Stage::Conv { filters, .. } = stage else {
            panic!("{name} is not a convolution")
        };
        let values: usize = shape.output.iter().product();
        (
            (shape.parameters - filters) * shape.output[1] * shape.output[2],
            values,
        )
    };
    let blocks = ["conv1_2", "conv2_2", "conv3_2", "conv4_2"].map(cost);
    for pair in blocks.windows(2) {
        assert_eq!(pair[0].0, pair[1].0, "multiply-adds {pair:?}");
        assert_eq!(pair[0].1, 2 * pair[1].1, "values {pair:?}");
    }
    // VGG-16's 13 convolutions have 14,714,688 weights and biases (the paper's 138
    // million parameters are mostly in the three fully connected layers).
    let conv_parameters: usize = shapes.iter().map(|s| s.parameters).sum();
    assert_eq!(conv_parameters, 14_714_688);
    insta::assert_snapshot!(format!(
        "{}\n{}",
        ch04::channel_growth(&ch04::lenet5_stages(), [1, 28, 28]).unwrap(),
        ch04::channel_growth(&stages, [3, 224, 224]).unwrap()
    ));
}
