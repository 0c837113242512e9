//! Pins every number chapter 7 quotes, and checks its claims: AlexNet's and VGG-16's
//! shapes and costs, the loaded Tiny VGG has CNN Explainer's architecture, classifies
//! the 10 images of the site's picker correctly, and agrees with TensorFlow.js running
//! the same model on the same pixels; the chapter's reading of the wrong answers.
//! Also the command line that classifies your own photo (`classify_photo`): it refuses
//! what is not a photo, never writes over its input, and never answers with NaN.

#[path = "../examples/ch07_tiny_vgg.rs"]
#[allow(dead_code)]
mod ch07;

#[path = "../examples/classify_photo.rs"]
#[allow(dead_code)]
mod classify_photo;

use std::path::Path;

use clap::Parser;
use cnn_book::trained::{Input, Trained, check_finite};
use cnn_core::models::alexnet::StageShape;
use cnn_core::models::tiny_vgg::{self, CLASSES};
use cnn_core::{Dense, Layer, Sequential};
use ndarray::{Array1, Array2, Array3};

#[test]
fn architecture_from_the_loaded_model() {
    let network = ch07::load_network().unwrap();
    let architecture = ch07::Architecture::compute(&network).unwrap();
    insta::assert_snapshot!(architecture.table().to_markdown());
    // The sizes the chapter walks through: 64 -> 62 -> 60 -> 30 -> 28 -> 26 -> 13.
    let sizes: Vec<usize> = (architecture.layers.iter())
        .filter(|layer| layer.output_shape.len() == 4)
        .map(|layer| layer.output_shape[2])
        .collect();
    assert_eq!(sizes, [62, 62, 60, 60, 30, 28, 28, 26, 26, 13]);
    assert_eq!(architecture.flatten_inputs, 1690);
    assert_eq!(architecture.total_parameters, 280 + 3 * 910 + 16910);
}

#[test]
fn one_pixel_by_hand_equals_the_library() {
    let network = ch07::load_network().unwrap();
    let espresso = ch07::LayerOutputs::espresso(&network).unwrap();
    let pixel = ch07::OnePixel::compute(&network, &espresso).unwrap();
    assert_eq!(pixel.terms.len(), 27);
    assert!((pixel.by_hand - pixel.from_library).abs() < 1e-5);
    insta::assert_snapshot!(format!("{}\n{}", pixel.terms_table(), pixel.sum_table()));
}

#[test]
fn relu_pooling_and_softmax() {
    let network = ch07::load_network().unwrap();
    let espresso = ch07::LayerOutputs::espresso(&network).unwrap();
    let pool = ch07::PoolWindow::compute(&espresso).unwrap();
    assert_eq!(pool.pooled, pool.window.fold(f32::MIN, |m, &v| m.max(v)));
    let softmax = ch07::SoftmaxArithmetic::compute(&espresso).unwrap();
    assert!((softmax.probabilities.sum() - 1.0).abs() < 1e-6);
    let relu = ch07::ReluCounts::compute(&network, &espresso).unwrap();
    insta::assert_snapshot!(format!(
        "{}\n{}\n{}",
        relu.table(),
        pool.table(),
        softmax.table()
    ));
}

#[test]
fn predictions_for_all_21_images() {
    let network = ch07::load_network().unwrap();
    let predictions = ch07::Predictions::compute(&network).unwrap();
    assert_eq!(predictions.rows.len(), 21);
    // The top-1 class and probability of every image, pinned.
    let top: Vec<String> = (predictions.rows.iter())
        .map(|row| {
            let k = row.top();
            format!("{}: {} {:.4}", row.image, CLASSES[k], row.probabilities[k])
        })
        .collect();
    insta::assert_snapshot!("top1", top.join("\n"));
    insta::assert_snapshot!("predictions_table", predictions.table().to_markdown());
}

#[test]
fn the_ten_picker_images_are_classified_correctly() {
    let network = ch07::load_network().unwrap();
    let predictions = ch07::Predictions::compute(&network).unwrap();
    for image in ch07::PICKER {
        let row = predictions.rows.iter().find(|r| r.image == image).unwrap();
        assert!(row.is_correct(), "{image}: {}", CLASSES[row.top()]);
    }
    assert_eq!(predictions.picker_correct(), "10 of 10");
}

#[test]
fn probabilities_agree_with_tensorflow_js() {
    let network = ch07::load_network().unwrap();
    let predictions = ch07::Predictions::compute(&network).unwrap();
    for row in &predictions.rows {
        assert_eq!(row.tfjs.len(), 10, "{}", row.image);
        assert!(
            row.tfjs_difference() < 1e-5,
            "{}: ours {:?}, TF.js {:?}",
            row.image,
            row.probabilities,
            row.tfjs
        );
    }
    // The site's default image, with the lossless pixels: TF.js gives 0.8798.
    let espresso = predictions.rows.iter().find(|r| r.image == "espresso_1");
    assert!((espresso.unwrap().probabilities[6] - 0.8798).abs() < 5e-5);
}

#[test]
fn the_wrong_flatten_order_breaks_the_predictions() {
    let network = ch07::load_network().unwrap();
    let predictions = ch07::Predictions::compute(&network).unwrap();
    let order = ch07::FlattenOrder::compute(&network, &predictions).unwrap();
    insta::assert_snapshot!(order.table().to_markdown());
    assert_eq!(order.wrong_order_correct(), "0 of 10");
}

#[test]
fn jpeg_and_png_decoders_differ_by_a_few_steps() {
    let network = ch07::load_network().unwrap();
    let jpeg = ch07::JpegVsPng::compute(&network).unwrap();
    assert!(jpeg.steps().iter().all(|s| s.abs() <= 3));
    assert!((jpeg.png_probability - jpeg.jpeg_probability).abs() < 0.01);
    insta::assert_snapshot!(format!("{}\n{}", jpeg.table(), jpeg.pixel_table()));
}

#[test]
fn alexnet_stage_by_stage_and_the_224_puzzle() {
    let alexnet = ch07::AlexNet::compute().unwrap();
    insta::assert_snapshot!(alexnet.table().to_markdown());
    assert_eq!(alexnet.total_parameters(), 60_965_224);
    // "The dense layers hold 96% of the parameters, the convolutions do 92% of the work."
    assert!(alexnet.dense_share(|r| r.parameters) > 90.0);
    assert!(alexnet.dense_share(|r| r.multiply_adds) < 10.0);
    // At 224 the formula gives 54 positions for conv1 and 5x5 maps before fc6.
    let conv1 = ch07::AlexNet::stage(&alexnet.rows_224, "conv1").unwrap();
    assert_eq!(conv1.output, vec![96, 54, 54]);
    let pool5 = ch07::AlexNet::stage(&alexnet.rows_224, "pool5").unwrap();
    assert_eq!(pool5.output, vec![256, 5, 5]);
    // Padding 2, as later implementations do, gives 55 from 224 too.
    assert_eq!(cnn_core::output_size(224, 11, 4, 2).unwrap(), 55);
}

#[test]
fn channels_double_as_maps_halve_and_the_cost_stays() {
    let growth = ch07::ChannelGrowth::compute().unwrap();
    insta::assert_snapshot!(format!(
        "{}\n{}",
        ch07::ChannelGrowth::table(&growth.vgg16),
        ch07::ChannelGrowth::table(&growth.tiny_vgg)
    ));
    let row = |rows: &[StageShape], name: &str| ch07::AlexNet::stage(rows, name).unwrap().clone();
    let vgg = &growth.vgg16;
    // The last convolution of each of the first four blocks costs the same.
    let cost = row(vgg, "conv1_2").multiply_adds;
    for name in ["conv2_2", "conv3_3", "conv4_3"] {
        assert_eq!(row(vgg, name).multiply_adds, cost, "{name}");
    }
    // The values a block hands on halve from stage to stage, and fall to a quarter at
    // the last, where the channels stop doubling.
    let values = |name: &str| row(vgg, name).output.iter().product::<usize>();
    for (a, b) in [("pool1", "pool2"), ("pool2", "pool3"), ("pool3", "pool4")] {
        assert_eq!(values(a), 2 * values(b), "{a} -> {b}");
    }
    assert_eq!(values("pool4"), 4 * values("pool5"));
    assert_eq!(values("conv4_3"), 4 * values("conv5_3"));
    // Tiny VGG's description is the loaded network: same shapes, same parameters.
    let network = ch07::load_network().unwrap();
    let summary = network.summary([1, 3, 64, 64]).unwrap();
    for stage in &growth.tiny_vgg {
        let layer = summary.iter().find(|l| l.name == stage.name).unwrap();
        assert_eq!(layer.output_shape[1..], stage.output[..], "{}", stage.name);
        assert_eq!(layer.parameters, stage.parameters, "{}", stage.name);
    }
    // "Its second block costs much less than its first", and in both networks the
    // dense layers hold most parameters but do little of the work.
    let tiny = &growth.tiny_vgg;
    assert!(row(tiny, "conv_1_2").multiply_adds > 4 * row(tiny, "conv_2_2").multiply_adds);
    for rows in [vgg, tiny] {
        let dense = rows.iter().filter(|r| r.output.len() == 1);
        let (dense_parameters, dense_work) =
            dense.fold((0, 0), |(p, w), r| (p + r.parameters, w + r.multiply_adds));
        let parameters: usize = rows.iter().map(|r| r.parameters).sum();
        let work: usize = rows.iter().map(|r| r.multiply_adds).sum();
        assert!(2 * dense_parameters > parameters);
        assert!(50 * dense_work < work);
    }
}

#[test]
fn two_convolutions_without_relu_are_one() {
    let network = ch07::load_network().unwrap();
    let espresso = ch07::LayerOutputs::espresso(&network).unwrap();
    let composed = ch07::ComposedConvolutions::compute(&network, &espresso).unwrap();
    assert_eq!(composed.kernel.dim(), (10, 3, 5, 5));
    assert!(
        composed.largest_difference < 1e-4,
        "{}",
        composed.largest_difference
    );
    insta::assert_snapshot!(composed.table().to_markdown());
    // With ReLU between them they are not: the network's own conv_1_2 output differs.
    let relu_then_conv = espresso.maps("conv_1_2").unwrap();
    let single = composed.single.view();
    let largest = (&relu_then_conv - &single).fold(0.0f32, |m, d| m.max(d.abs()));
    assert!(largest > 0.1, "{largest}");
}

#[test]
fn the_chapter_reads_the_wrong_answers_right() {
    let network = ch07::load_network().unwrap();
    let predictions = ch07::Predictions::compute(&network).unwrap();
    let ranked = |image: &str| {
        let row = predictions.rows.iter().find(|r| r.image == image).unwrap();
        let order = ch07::ranking(&row.probabilities);
        let p = row.probabilities.clone();
        (
            CLASSES[order[0]],
            CLASSES[order[1]],
            p[order[0]],
            p[order[1]],
        )
    };
    let (first, second, ..) = ranked("bus_2");
    assert_eq!((first, second), ("lifeboat", "school bus"));
    // koala_2: the top class has well under one half, koala right behind.
    let (_, second, p1, p2) = ranked("koala_2");
    assert!(second == "koala" && p1 < 0.4 && p1 - p2 < 0.05, "{p1} {p2}");
    let (first, _, p1, _) = ranked("panda_3");
    assert!(first != "red panda" && p1 < 0.5, "spread out: {p1}");
    let (first, _, p1, _) = ranked("panda_5");
    assert!(first == "espresso" && p1 > 0.9, "very sure: {p1}");
    let (first, second, ..) = ranked("pepper_2");
    assert_eq!((first, second), ("orange", "bell pepper"));
    assert_eq!(ranked("pizza_2").0, "red panda");
    // The espresso image: orange comes second.
    assert_eq!(ranked("espresso_1").1, "orange");
    // One pixel of conv_1_1: the blue channel adds almost nothing, and the output is
    // negative, so ReLU sets it to zero.
    let espresso = ch07::LayerOutputs::espresso(&network).unwrap();
    let pixel = ch07::OnePixel::compute(&network, &espresso).unwrap();
    let channel_sum = |c: usize| -> f32 {
        let terms = pixel.terms.iter().filter(|t| t.0 == c);
        terms.map(|t| (t.3 * t.4).abs()).sum()
    };
    assert!(channel_sum(2) < 0.1 * channel_sum(0));
    assert!(pixel.from_library < 0.0);
    // JPEG or PNG: the probability moves in the third decimal.
    let jpeg = ch07::JpegVsPng::compute(&network).unwrap();
    let moved = (jpeg.png_probability - jpeg.jpeg_probability).abs();
    assert!(moved > 1e-3 && moved < 1e-2, "{moved}");
}

#[test]
fn a_photo_of_any_size_is_scaled_and_cropped_to_64() {
    // The coffee photo of chapter 2 (600 x 400): short side to 65, centre crop 64 x 64.
    let image = tiny_vgg::load_image(&ch07::coffee_photo()).unwrap();
    assert_eq!(image.dim(), (3, 64, 64));
    let network = ch07::load_network().unwrap();
    let probabilities = ch07::classify(&network, &image).unwrap();
    assert!((probabilities.sum() - 1.0).abs() < 1e-5);
    assert_eq!(CLASSES[ch07::ranking(&probabilities)[0]], "espresso");
    insta::assert_snapshot!(ch07::coffee_prediction(&network).unwrap());
}

// ---------------------------------------------------------------------------
// The command line: classify_photo.
// ---------------------------------------------------------------------------

fn classify_args(options: &[&str]) -> Result<classify_photo::Args, clap::Error> {
    let program = std::iter::once("classify_photo");
    classify_photo::Args::try_parse_from(program.chain(options.iter().copied()))
}

/// The error of `classify_photo PHOTO [--out OUT]`'s checks, with its causes.
fn refused(photo: &Path, out: Option<&Path>) -> String {
    let mut options = vec![photo.to_str().unwrap()];
    if let Some(out) = out {
        options.extend(["--out", out.to_str().unwrap()]);
    }
    let error = classify_args(&options).unwrap().check().unwrap_err();
    format!("{error:#}")
}

#[test]
fn the_photo_command_line_takes_help_and_refuses_unknown_options() {
    let help = classify_args(&["--help"]).unwrap_err();
    assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    assert!(classify_args(&[]).is_err(), "a photo is required");
    let e = classify_args(&["a.png", "--colour"])
        .unwrap_err()
        .to_string();
    assert!(e.contains("unexpected argument '--colour'"), "{e}");
}

#[test]
fn only_a_regular_file_is_read_as_the_photo() {
    let e = refused(Path::new("no/such/photo.jpg"), None);
    assert!(
        e.starts_with("the photo to classify: no/such/photo.jpg: No such file"),
        "{e}"
    );
    let dir = tempfile::tempdir().unwrap();
    let e = refused(dir.path(), None);
    assert!(e.contains("is a folder; expected a file"), "{e}");
    // The zero device never ends, and a FIFO blocks forever: both are refused at once.
    #[cfg(unix)]
    {
        let e = refused(Path::new("/dev/zero"), None);
        assert!(e.contains("not a regular file"), "{e}");
        let fifo = dir.path().join("photo.png");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|status| status.success()) {
            let e = refused(&fifo, None);
            assert!(e.contains("not a regular file"), "{e}");
            // The library refuses it too, without opening it.
            let vgg = Trained::tiny_vgg().unwrap();
            let e = format!("{:#}", vgg.load_photo(&fifo).unwrap_err());
            assert!(e.contains("not a regular file"), "{e}");
        }
    }
    // A file that is not an image is refused when it is read, with its name.
    let text = dir.path().join("notes.png");
    std::fs::write(&text, "not a photo").unwrap();
    let vgg = Trained::tiny_vgg().unwrap();
    let e = format!("{:#}", vgg.load_photo(&text).unwrap_err());
    assert!(
        e.contains("notes.png: not a readable PNG or JPEG image"),
        "{e}"
    );
}

#[test]
fn the_overview_never_replaces_the_photo_nor_anything_but_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let photo = dir.path().join("mine.png");
    std::fs::copy(ch07::data_dir().join("png/koala_1.png"), &photo).unwrap();
    let original = std::fs::read(&photo).unwrap();
    let e = refused(&photo, Some(&photo));
    assert!(e.contains("is the input"), "{e}");
    let other_spelling = dir.path().join(".").join("mine.png");
    assert!(refused(&photo, Some(&other_spelling)).contains("is the input"));
    assert!(refused(&photo, Some(dir.path())).contains("not a regular file"));
    assert!(refused(&photo, Some(&dir.path().join("no/such/x.png"))).starts_with("--out"));
    #[cfg(unix)]
    {
        let link = dir.path().join("link.png");
        std::os::unix::fs::symlink(&photo, &link).unwrap();
        assert!(refused(&photo, Some(&link)).contains("symbolic link"));
        assert!(refused(&photo, Some(Path::new("/dev/null"))).contains("not a regular file"));
    }
    assert_eq!(
        std::fs::read(&photo).unwrap(),
        original,
        "the photo is untouched"
    );
    // A good output path: the figure is written there, and only there.
    let out = dir.path().join("overview.png");
    let args = classify_args(&[photo.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(args.unwrap().check().unwrap(), out);
    let vgg = Trained::tiny_vgg().unwrap();
    classify_photo::classify(&vgg, &photo, &out).unwrap();
    assert!(std::fs::read(&out).unwrap().starts_with(b"\x89PNG"));
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["link.png", "mine.png", "overview.png"].map(std::ffi::OsString::from)
    );
}

#[test]
fn a_model_with_nan_weights_is_refused_when_it_is_loaded() {
    // CNN Explainer's files, with one weight of the shard made NaN.
    let dir = tempfile::tempdir().unwrap();
    for name in ["model.json", "group1-shard1of1.bin"] {
        std::fs::copy(ch07::data_dir().join(name), dir.path().join(name)).unwrap();
    }
    let shard = dir.path().join("group1-shard1of1.bin");
    let mut bytes = std::fs::read(&shard).unwrap();
    bytes[..4].copy_from_slice(&f32::NAN.to_le_bytes());
    std::fs::write(&shard, bytes).unwrap();
    let model_json = dir.path().join("model.json");
    let network = tiny_vgg::load(&model_json).unwrap(); // a well-formed file
    let e = check_finite(network, &model_json).unwrap_err().to_string();
    assert!(
        e.contains("model.json: the network has weights that are NaN or infinite"),
        "{e}"
    );
}

#[test]
fn probabilities_that_overflow_are_an_error_not_nan() {
    // Finite weights so large that the scores overflow to infinity: softmax would give
    // NaN, which is refused instead of printed.
    let mut network = Sequential::new();
    network.push("flatten", Layer::Flatten).unwrap();
    let weight = Array2::from_elem((10, 3 * 64 * 64), 1e35);
    network
        .push("output", Dense::new(weight, Array1::zeros(10)).unwrap())
        .unwrap();
    let trained = Trained {
        network: check_finite(network, Path::new("huge")).unwrap(),
        input: Input::Photo,
    };
    let image = Array3::from_elem((3, 64, 64), 1.0);
    let e = trained.probabilities(image.view()).unwrap_err().to_string();
    assert!(
        e.starts_with("Tiny VGG's probabilities are not finite"),
        "{e}"
    );
}

#[test]
fn the_book_program_takes_help_and_no_other_argument() {
    let help = ch07::Args::try_parse_from(["ch07_tiny_vgg", "--help"]).unwrap_err();
    assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    let e = ch07::Args::try_parse_from(["ch07_tiny_vgg", "photo.png"]).unwrap_err();
    assert!(
        e.to_string().contains("unexpected argument 'photo.png'"),
        "{e}"
    );
    ch07::Args::try_parse_from(["ch07_tiny_vgg"]).unwrap();
}
