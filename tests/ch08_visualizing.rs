//! Pins every table chapter 8 shows and checks its claims: the most sensitive
//! occlusion window lies on the object, saliency gathers on the object, activation
//! maximisation raises its target, and reconstructions get less faithful with depth.
//! Also the command line that runs one method on your own image (`explain_photo`):
//! every option is checked before any work, and it never writes over its input.

#[path = "../examples/ch08_visualizing.rs"]
#[allow(dead_code)]
mod ch08;

#[path = "../examples/explain_photo.rs"]
#[allow(dead_code)]
mod explain_photo;

use std::path::Path;
use std::sync::OnceLock;

use ch08::{Inversions, Networks};
use clap::Parser;
use cnn_book::trained::Trained;

/// The two networks and the test digits, loaded once for all tests (reading MNIST for
/// the training pixels' statistics is the slow part).
fn networks() -> &'static Networks {
    static NETWORKS: OnceLock<Networks> = OnceLock::new();
    NETWORKS.get_or_init(|| Networks::load().unwrap())
}

#[test]
fn filters_and_strongest_activations() {
    let Networks { lenet, vgg, digits } = networks();
    let filters = ch08::Filters::compute(lenet, vgg).unwrap();
    assert_eq!(filters.lenet_response.dim(), (6, 24));
    assert_eq!(filters.tiny_vgg_response.dim(), (10, 24));
    // A step edge and its opposite give opposite responses (the edge flips sign).
    for row in filters.lenet_response.outer_iter() {
        for a in 0..12 {
            assert!((row[a] + row[a + 12]).abs() < 1e-5);
        }
    }
    insta::assert_snapshot!(format!(
        "{}\n{}",
        filters.table_lenet(),
        filters.table_tiny_vgg()
    ));
    // "Their edge shares are lower on average than LeNet-5's."
    let mean_share = |response: &ndarray::Array2<f32>, weights: &ndarray::Array4<f32>| {
        let shares = response
            .outer_iter()
            .zip(weights.outer_iter())
            .map(|(r, w)| {
                let best = r.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                best / w.mapv(f32::abs).sum()
            });
        shares.sum::<f32>() / response.nrows() as f32
    };
    let lenet_share = mean_share(&filters.lenet_response, &filters.lenet);
    let vgg_share = mean_share(&filters.tiny_vgg_response, &filters.tiny_vgg);
    assert!(vgg_share < lenet_share, "{vgg_share} vs {lenet_share}");

    let strongest = ch08::Strongest::compute(lenet, digits).unwrap();
    assert_eq!(strongest.searched, 1000);
    for row in &strongest.channels {
        assert_eq!(row.len(), ch08::STRONGEST_TOP);
        assert!(row.windows(2).all(|pair| pair[0].value >= pair[1].value));
        // Each patch is the 14x14 receptive field of one act2 unit.
        assert!(row.iter().all(|strong| strong.patch.dim() == (3, 14, 14)));
    }
    insta::assert_snapshot!(strongest.table().to_markdown());
}

#[test]
fn occlusion_finds_the_object() {
    let Networks { lenet, vgg, digits } = networks();
    let occlusion = ch08::Occlusion::compute(lenet, vgg, digits).unwrap();
    for row in occlusion.rows() {
        assert!(
            row.overlaps_object,
            "{}: most sensitive window {:?} misses the object",
            row.name,
            row.map.most_sensitive()
        );
        assert!(row.map.lowest() < row.map.unoccluded, "{}", row.name);
    }
    // "LeNet-5 is so sure of the 7 and the 2 that no single patch changes its mind (their
    // probability stays above a half, so the answer stays the same); hide the right place
    // of the 4 and its probability collapses."
    let lowest = |name: &str| {
        let row = occlusion.lenet.iter().find(|r| r.name == name).unwrap();
        row.map.lowest()
    };
    assert!(lowest("test digit 0") > 0.5 && lowest("test digit 1") > 0.5);
    assert!(lowest("test digit 4") < 0.5);
    insta::assert_snapshot!(occlusion.table().to_markdown());
}

#[test]
fn saliency_gathers_on_the_object() {
    let Networks { lenet, vgg, digits } = networks();
    let saliency = ch08::SaliencyMaps::compute(lenet, vgg, digits).unwrap();
    assert_eq!((saliency.tiny_vgg.len(), saliency.lenet.len()), (4, 3));
    for row in &saliency.tiny_vgg {
        // More of the saliency falls in the object's box than the box's share of the
        // image: the gradient is larger on the object than elsewhere.
        let (inside, area) = row.inside_and_area.unwrap();
        assert!(inside > area, "{}: {inside} vs {area}", row.name);
    }
    // "The lifeboat's box covers a fifth of the photo and holds about twice that share."
    let boat = saliency
        .tiny_vgg
        .iter()
        .find(|r| r.name == "boat_1")
        .unwrap();
    let (inside, area) = boat.inside_and_area.unwrap();
    assert!(
        (0.18..0.23).contains(&area) && inside > 1.7 * area,
        "{inside} {area}"
    );
    insta::assert_snapshot!(saliency.table().to_markdown());
}

#[test]
fn maximisation_raises_every_target() {
    let Networks { lenet, vgg, digits } = networks();
    let maximized = ch08::Maximization::compute(lenet, vgg).unwrap();
    // "Tiny VGG's class scores end at least twice as high as those of the real photos."
    let saliency = ch08::SaliencyMaps::compute(lenet, vgg, digits).unwrap();
    let photo_best = saliency
        .tiny_vgg
        .iter()
        .map(|r| r.score)
        .fold(f32::MIN, f32::max);
    let maximized_least = maximized
        .tiny_vgg
        .iter()
        .map(|r| r.end)
        .fold(f32::MAX, f32::min);
    assert!(
        maximized_least > 2.0 * photo_best,
        "{maximized_least} {photo_best}"
    );
    assert_eq!(maximized.rows().count(), 30);
    for (_, row) in maximized.rows() {
        assert!(
            row.end > row.start + 5.0,
            "{}: {} -> {}",
            row.target,
            row.start,
            row.end
        );
        if let Some(p) = row.probability {
            assert!(p > 0.99, "{}: {p}", row.target);
        }
    }
    insta::assert_snapshot!(maximized.table().to_markdown());
}

#[test]
fn reconstructions_get_less_faithful_with_depth() {
    let Networks { lenet, vgg, digits } = networks();
    let inversions = Inversions::compute(lenet, vgg, digits).unwrap();
    for rows in [&inversions.tiny_vgg, &inversions.lenet] {
        for row in rows.iter() {
            assert!(row.last_loss < 0.5 * row.first_loss, "{}", row.layer);
            // "The representation error is far below 1 in every row."
            assert!(row.representation_error < 0.2, "{}", row.layer);
        }
        let errors: Vec<f32> = rows.iter().map(|r| r.pixel_error).collect();
        assert!(
            errors.windows(2).all(|pair| pair[0] < pair[1]),
            "pixel errors do not grow with depth: {errors:?}"
        );
        // The first layer's reconstruction is several times closer than the last's.
        assert!(errors[0] * 3.0 < errors[errors.len() - 1], "{errors:?}");
    }
    // "LeNet-5's 7 survives every convolution and pooling layer and dissolves in the
    // dense layers."
    let error = |layer: &str| {
        inversions
            .lenet
            .iter()
            .find(|r| r.layer == layer)
            .unwrap()
            .pixel_error
    };
    assert!(2.0 * error("pool2") < error("fc1"));
    insta::assert_snapshot!(format!(
        "{}\n{}",
        Inversions::table(&inversions.tiny_vgg),
        Inversions::table(&inversions.lenet)
    ));
}

/// The chapter's inversions and maximisations each start from one seeded noise image.
/// Their claims do not rest on that one image: from two other starting noises the
/// reconstructions still get less faithful with every layer, and every class of Tiny
/// VGG still climbs to a probability of 1 and a score at least twice the photos'.
#[test]
fn the_claims_hold_from_other_starting_noise() {
    use cnn_core::visualize::{InversionConfig, MaximizeConfig, Target};
    use cnn_core::visualize::{invert_representation, maximize_activation};
    let Networks { lenet, vgg, digits } = networks();
    let photo = ch08::sample(ch08::INVERTED_PHOTO).unwrap();
    let digit = digits.image(ch08::INVERTED_DIGIT);
    let inverted = [
        (vgg, &photo, &ch08::VGG_INVERTED, ch08::VGG_INVERSION_STEPS),
        (
            lenet,
            &digit,
            &ch08::LENET_INVERTED,
            ch08::LENET_INVERSION_STEPS,
        ),
    ];
    for (trained, image, layers, steps) in inverted {
        let original = trained.picture(image.view());
        for seed in [9, 10] {
            let errors: Vec<f32> = (layers.iter())
                .map(|&layer| {
                    let config = InversionConfig {
                        seed,
                        ..trained.inversion_config(steps)
                    };
                    let result =
                        invert_representation(&trained.network, layer, image.view(), config)
                            .unwrap();
                    ch08::rms_difference(&trained.picture(result.image.view()), &original)
                })
                .collect();
            assert!(
                errors.windows(2).all(|pair| pair[0] < pair[1]),
                "{}, seed {seed}: pixel errors do not grow with depth: {errors:?}",
                trained.name()
            );
        }
    }
    let saliency = ch08::SaliencyMaps::compute(lenet, vgg, digits).unwrap();
    let photo_best = (saliency.tiny_vgg.iter())
        .map(|r| r.score)
        .fold(f32::MIN, f32::max);
    for seed in [9, 10] {
        for class in 0..10 {
            let target = Target::Class(class);
            let config = MaximizeConfig {
                seed,
                ..vgg.maximize_config(&target, ch08::VGG_STEPS)
            };
            let result =
                maximize_activation(&vgg.network, vgg.input_shape(), &target, config).unwrap();
            let end = *result.activations.last().unwrap();
            let p = vgg.probabilities(result.image.view()).unwrap()[class];
            assert!(
                end > 2.0 * photo_best && p > 0.99,
                "class {class}, seed {seed}: score {end}, probability {p}"
            );
        }
    }
}

#[test]
fn the_deconvnet_points_into_the_strongest_units_window() {
    let Networks { lenet, vgg, digits } = networks();
    let deconv = ch08::Deconvnets::compute(lenet, vgg, digits).unwrap();
    assert_eq!((deconv.lenet.len(), deconv.tiny_vgg.len()), (6, 6));
    let strongest = ch08::Strongest::compute(lenet, digits).unwrap();
    for row in deconv.lenet.iter().chain(&deconv.tiny_vgg) {
        // Both units of act2 and of relu_2_2 see 14x14 pixels.
        assert_eq!((row.window.height, row.window.width), (14, 14));
        // "The deconvnet and the gradient look alike: their cosine is well above 0."
        assert!(
            row.similarity() > 0.3,
            "channel {}: {}",
            row.channel,
            row.similarity()
        );
        assert!(row.projection.iter().any(|&v| v != 0.0));
    }
    for row in &deconv.lenet {
        // The same strongest activation as the strongest-patches figure.
        assert_eq!(row.activation, strongest.channels[row.channel][0].value);
        // "In every row more of the projection lies on the ink than the ink's share."
        let (on_ink, ink) = row.on_ink().unwrap();
        assert!(on_ink > ink, "channel {}: {on_ink} vs {ink}", row.channel);
    }
    insta::assert_snapshot!(deconv.table().to_markdown());
}

#[test]
fn alexnets_first_layer_aliases_and_zeiler_and_fergus_does_not() {
    let first = ch08::FirstLayers::compute().unwrap();
    let [alexnet, zf] = &first.rows[..] else {
        panic!("two first layers");
    };
    assert_eq!((alexnet.output, zf.output), (55, 110));
    assert_eq!((alexnet.fields[1], zf.fields[1]), ((19, 8), (11, 4)));
    // Stripes 6 pixels apart: every 4 pixels they look 12 apart, every 2 pixels 6.
    assert_eq!(ch08::FirstLayers::apparent_period(4).round(), 12.0);
    assert_eq!(ch08::FirstLayers::apparent_period(2).round(), 6.0);
    // And the maps of the figure show it: both repeat every 3 samples, which is 6
    // pixels every 2 pixels (the stripes as they are) and 12 pixels every 4 (stripes
    // that are not in the image).
    let column = |kernel, stride| {
        let map = ch08::stripe_response(kernel, stride).unwrap();
        map.column(0).to_vec()
    };
    for (kernel, stride) in [(11, 4), (7, 2)] {
        let samples = column(kernel, stride);
        for n in 0..samples.len() - 3 {
            assert!(
                (samples[n] - samples[n + 3]).abs() < 1e-4,
                "stride {stride}"
            );
        }
        assert!((samples[0] - samples[1]).abs() > 0.5, "stride {stride}");
    }
    insta::assert_snapshot!(first.table().to_markdown());
}

// ---------------------------------------------------------------------------
// The command line: explain_photo.
// ---------------------------------------------------------------------------

fn explain_args(options: &[&str]) -> Result<explain_photo::Args, clap::Error> {
    let program = std::iter::once("explain_photo");
    explain_photo::Args::try_parse_from(program.chain(options.iter().copied()))
}

/// The error of `explain_photo OPTIONS`'s checks, with its causes.
fn refused(options: &[&str]) -> String {
    format!("{:#}", explain_args(options).unwrap().check().unwrap_err())
}

/// A copy of one of CNN Explainer's photos in a fresh folder.
fn photo_in_temporary_folder() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("mine.png");
    let sample = cnn_book::output::repo_root().join("data/cnn-explainer/png/koala_1.png");
    std::fs::copy(sample, &photo).unwrap();
    (dir, photo)
}

#[test]
fn every_option_is_bounded_and_checked_by_the_parser() {
    let help = explain_args(&["--help"]).unwrap_err();
    assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    for (options, expected) in [
        (
            &["occlusion", "a.png", "--window", "0"][..],
            "must be from 1 to 64, got 0",
        ),
        (
            &["occlusion", "a.png", "--stride", "0"],
            "must be from 1 to 64, got 0",
        ),
        (
            &["saliency", "a.png", "--class", "10"],
            "must be from 0 to 9, got 10",
        ),
        (
            &["maximize", "--steps", "0", "--class", "1"],
            "must be from 1 to 10000, got 0",
        ),
        (
            &["invert", "a.png", "--layer", "x", "--steps", "100000"],
            "got 100000",
        ),
        (&["maximize"], "required arguments were not provided"),
        (
            &["maximize", "--class", "1", "--layer", "conv_1_1"],
            "cannot be used with",
        ),
        (
            &["maximize", "--layer", "conv_1_1"],
            "required arguments were not provided",
        ),
        (&["invert", "a.png"], "--layer <LAYER>"),
        (
            &["saliency", "a.png", "--model", "resnet"],
            "invalid value 'resnet'",
        ),
        (
            &["saliency", "a.png", "--colour"],
            "unexpected argument '--colour'",
        ),
        (&["draw"], "unrecognized subcommand 'draw'"),
    ] {
        let e = explain_args(options).unwrap_err().to_string();
        assert!(e.contains(expected), "{options:?}: {e}");
    }
}

#[test]
fn the_image_is_a_regular_file_and_the_square_fits_it() {
    let e = refused(&["saliency", "no/such/photo.jpg"]);
    assert!(
        e.starts_with("the image to explain: no/such/photo.jpg: No such file"),
        "{e}"
    );
    #[cfg(unix)]
    {
        let e = refused(&["feature-maps", "/dev/zero"]);
        assert!(e.contains("not a regular file"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("photo.png");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|status| status.success()) {
            let e = refused(&["occlusion", fifo.to_str().unwrap()]);
            assert!(e.contains("not a regular file"), "{e}");
        }
    }
    let (_dir, photo) = photo_in_temporary_folder();
    let photo = photo.to_str().unwrap();
    let e = refused(&["occlusion", photo, "--window", "40", "--model", "lenet"]);
    assert_eq!(e, "--window 40 is larger than the network's 28x28 input");
    // The same square fits Tiny VGG's 64x64 input (the output goes to occlusion.png in
    // the current folder, which the check only tests, without writing).
    let out = explain_args(&["occlusion", photo, "--window", "40"])
        .unwrap()
        .check();
    assert_eq!(out.unwrap(), Path::new("occlusion.png"));
    assert!(!Path::new("occlusion.png").exists());
}

#[test]
fn the_output_never_replaces_the_image_nor_anything_but_a_file() {
    let (dir, photo) = photo_in_temporary_folder();
    let original = std::fs::read(&photo).unwrap();
    let image = photo.to_str().unwrap();
    let e = refused(&["saliency", image, "--out", image]);
    assert!(e.starts_with("--out: "), "{e}");
    assert!(e.contains("is the input"), "{e}");
    let other_spelling = dir.path().join(".").join("mine.png");
    let e = refused(&["saliency", image, "--out", other_spelling.to_str().unwrap()]);
    assert!(e.contains("is the input"), "{e}");
    let e = refused(&[
        "invert",
        image,
        "--layer",
        "conv_1_1",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(e.contains("not a regular file"), "{e}");
    #[cfg(unix)]
    {
        let link = dir.path().join("link.png");
        std::os::unix::fs::symlink(&photo, &link).unwrap();
        let e = refused(&["filters", "--out", link.to_str().unwrap()]);
        assert!(e.contains("symbolic link"), "{e}");
        let e = refused(&["maximize", "--class", "3", "--out", "/dev/null"]);
        assert!(e.contains("not a regular file"), "{e}");
    }
    assert_eq!(
        std::fs::read(&photo).unwrap(),
        original,
        "the image is untouched"
    );
}

#[test]
fn a_method_runs_on_your_image_and_writes_one_png() {
    let (dir, photo) = photo_in_temporary_folder();
    let out = dir.path().join("saliency.png");
    let args = explain_args(&[
        "saliency",
        photo.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let args = args.unwrap();
    assert_eq!(args.check().unwrap(), out);
    let vgg = Trained::tiny_vgg().unwrap();
    explain_photo::explain(&vgg, &args.method, &out).unwrap();
    assert!(std::fs::read(&out).unwrap().starts_with(b"\x89PNG"));
    // A layer the network does not have is an error that lists the layers it has.
    let method = explain_photo::Method::Invert {
        image: photo.clone(),
        layer: "conv_9".into(),
        steps: 1,
    };
    let e = explain_photo::explain(&vgg, &method, &dir.path().join("x.png")).unwrap_err();
    assert!(format!("{e:#}").contains("conv_1_1"), "{e:#}");
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["mine.png", "saliency.png"].map(std::ffi::OsString::from)
    );
}

#[test]
fn the_book_program_takes_help_and_no_other_argument() {
    let help = ch08::Args::try_parse_from(["ch08_visualizing", "--help"]).unwrap_err();
    assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    let e = ch08::Args::try_parse_from(["ch08_visualizing", "photo.png"]).unwrap_err();
    assert!(
        e.to_string().contains("unexpected argument 'photo.png'"),
        "{e}"
    );
    ch08::Args::try_parse_from(["ch08_visualizing"]).unwrap();
}
