//! Pins every number chapter 0 quotes. The tables are computed by the chapter's
//! example itself (included below), so the book and these snapshots cannot drift apart.

#[path = "../examples/ch00_why_cnns.rs"]
#[allow(dead_code)]
mod ch00;

use ndarray::{Array1, Array2};

#[test]
fn fully_connected_cost() {
    let cost = ch00::FullyConnectedCost::compute();
    assert_eq!(cost.inputs, 30_000);
    assert_eq!(cost.weights, 30_000_000);
    assert_eq!(cnn_book::text::with_thousands(cost.weights), "30,000,000");
    assert_eq!(cnn_book::text::with_thousands(784), "784");
    insta::assert_snapshot!(cost.table().to_markdown());
}

#[test]
fn cat_photo_tables() {
    let cat = ch00::CatPhoto::load().unwrap();
    insta::assert_snapshot!(cat.patch_table().to_markdown());
    insta::assert_snapshot!(cat.subsampling_table().to_markdown());
}

/// The loss of the tiny network as a function of one weight changed by `delta`.
fn loss_with(
    network: &ch00::TinyNetwork,
    points: &Array2<f32>,
    labels: &Array1<f32>,
    change: impl Fn(&mut ch00::TinyNetwork),
) -> f32 {
    let mut changed = network.clone();
    change(&mut changed);
    let probabilities = changed.forward(points.view()).probabilities;
    ch00::cross_entropy(probabilities.view(), labels.view())
}

#[test]
fn hand_derived_backward_matches_finite_differences() {
    let (points, labels) = ch00::two_rings(7);
    let network = ch00::TinyNetwork::new(3);
    let cache = network.forward(points.view());
    let gradients = network.backward(points.view(), labels.view(), &cache);
    let h = 1e-2;
    let close = |numeric: f32, analytic: f32, what: &str| {
        assert!(
            (numeric - analytic).abs() < 2e-3,
            "{what}: finite difference {numeric}, backward {analytic}"
        );
    };
    for i in 0..2 {
        for j in 0..ch00::HIDDEN {
            let plus = loss_with(&network, &points, &labels, |n| n.w1[[i, j]] += h);
            let minus = loss_with(&network, &points, &labels, |n| n.w1[[i, j]] -= h);
            close((plus - minus) / (2.0 * h), gradients.w1[[i, j]], "w1");
        }
    }
    for j in 0..ch00::HIDDEN {
        let plus = loss_with(&network, &points, &labels, |n| n.b1[j] += h);
        let minus = loss_with(&network, &points, &labels, |n| n.b1[j] -= h);
        close((plus - minus) / (2.0 * h), gradients.b1[j], "b1");
        let plus = loss_with(&network, &points, &labels, |n| n.w2[j] += h);
        let minus = loss_with(&network, &points, &labels, |n| n.w2[j] -= h);
        close((plus - minus) / (2.0 * h), gradients.w2[j], "w2");
    }
    let plus = loss_with(&network, &points, &labels, |n| n.b2 += h);
    let minus = loss_with(&network, &points, &labels, |n| n.b2 -= h);
    close((plus - minus) / (2.0 * h), gradients.b2, "b2");
}

#[test]
fn learned_features_beat_a_linear_model() {
    let experiment = ch00::Experiment::run().unwrap();
    let scores = experiment.scores();
    let (linear, designed, network) = (scores[0], scores[1], scores[2]);
    // The chapter's claims: the linear model is near chance, the designed feature
    // and the learned features both separate the rings.
    assert!(linear.1 < 0.7, "linear test accuracy {}", linear.1);
    assert!(designed.1 > 0.95, "designed test accuracy {}", designed.1);
    assert!(network.1 > 0.95, "network test accuracy {}", network.1);
    insta::assert_snapshot!(experiment.table().to_markdown());
    // "a closed curve around the inner ring": inner ring at the centre, outer ring
    // at radius 1.2 in every direction.
    let directions = 16;
    let mut points = Array2::zeros((directions + 1, 2));
    for d in 0..directions {
        let angle = d as f32 * std::f32::consts::TAU / directions as f32;
        points[[d + 1, 0]] = 1.2 * angle.cos();
        points[[d + 1, 1]] = 1.2 * angle.sin();
    }
    let p = experiment.network.forward(points.view()).probabilities;
    assert!(p[0] < 0.5, "centre: {}", p[0]);
    assert!(p.iter().skip(1).all(|&q| q > 0.5), "{p}");
    // The units the chapter calls almost constant.
    insta::assert_snapshot!(format!("{:?}", experiment.constant_units()), @"[1, 2, 5]");
}

/// The same claims on other data and starting weights: they do not rest on one seed.
#[test]
fn the_claims_hold_for_every_seed() {
    let runs = ch00::Experiment::over_seeds().unwrap();
    for (run, seeds) in runs.iter().zip(ch00::SEEDS) {
        let (linear, designed, network) = (run[0].1, run[1].1, run[2].1);
        assert!(linear < 0.7, "{seeds:?}: linear {linear}");
        assert!(designed > 0.95, "{seeds:?}: designed {designed}");
        assert!(network > 0.95, "{seeds:?}: network {network}");
    }
    insta::assert_snapshot!(ch00::seeds_table(&runs).to_markdown());
}

#[test]
fn one_eye_detector_finds_both_eyes() {
    let cat = ch00::CatPhoto::load().unwrap();
    let search = ch00::EyeSearch::compute(&cat).unwrap();
    let [best, elsewhere] = search.two_best();
    // The best match is the left eye itself; the best match elsewhere is the
    // right eye: its box overlaps the right eye's box by more than half.
    assert_eq!((best.0, best.1), (ch00::LEFT_EYE.0, ch00::LEFT_EYE.2));
    let (top, _, left, _) = ch00::RIGHT_EYE;
    assert!(
        elsewhere.0.abs_diff(top) < 35 && elsewhere.1.abs_diff(left) < 40,
        "{elsewhere:?}"
    );
    insta::assert_snapshot!(search.table().to_markdown());
}

/// The chapter's reason for the right eye's lower score: not its size. A shrunken
/// detector never scores higher near the right eye than the full-size one.
#[test]
fn a_smaller_detector_does_not_find_the_right_eye_better() {
    let cat = ch00::CatPhoto::load().unwrap();
    let scales = ch00::DetectorScales::compute(&cat).unwrap();
    let full_size = scales.rows[0].3;
    let [_, elsewhere] = ch00::EyeSearch::compute(&cat).unwrap().two_best();
    // The full-size row is the search above, restricted to the right eye.
    assert!(
        (full_size - elsewhere.2).abs() < 1e-3,
        "{full_size} {elsewhere:?}"
    );
    for &(scale, _, _, best) in &scales.rows[1..] {
        assert!(best < full_size, "scale {scale}: {best} >= {full_size}");
    }
    insta::assert_snapshot!(scales.table().to_markdown());
}

/// The program takes `--help` and refuses what it does not know, before any work.
#[test]
fn the_command_line_takes_help_and_rejects_unknown_arguments() {
    use clap::Parser;
    use clap::error::ErrorKind;
    assert!(ch00::Args::try_parse_from(["ch00_why_cnns"]).is_ok());
    let help = ch00::Args::try_parse_from(["ch00_why_cnns", "--help"]).unwrap_err();
    assert_eq!(help.kind(), ErrorKind::DisplayHelp);
    assert!(help.to_string().contains("Computes chapter"), "{help}");
    for wrong in ["--bogus", "extra"] {
        let error = ch00::Args::try_parse_from(["ch00_why_cnns", wrong]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument, "{wrong}: {error}");
    }
}
