//! The cheap numbers of chapter 6 (the architecture table and one SGD step worked in
//! numbers) and its command line: every bad option is refused before any work starts.
//! The training results are pinned by the committed tables in `book/generated/ch06/`,
//! which the book build regenerates byte for byte.

#[path = "../examples/ch06_lenet.rs"]
#[allow(dead_code)]
mod ch06;

#[path = "../examples/bench_lenet.rs"]
#[allow(dead_code)]
mod bench_lenet;

use std::path::PathBuf;

use ch06::{Args, NoPoolingGrowth, Spread, StartingGradients, Training, WorkedStep};
use ch06::{architecture_table, confusion, multiply_adds};
use clap::Parser;
use cnn_book::output::repo_root;
use cnn_core::Sequential;
use cnn_core::models::lenet::{Downsampling, LeNetConfig, MnistData, lenet5};
use ndarray::{Array4, s};

fn parse(options: &[&str]) -> Result<Args, clap::Error> {
    Args::try_parse_from(std::iter::once("ch06_lenet").chain(options.iter().copied()))
}

#[test]
fn architecture_table_matches_the_chapter() {
    let net = lenet5(LeNetConfig::default(), 1).unwrap();
    insta::assert_snapshot!(architecture_table(&net).unwrap().to_markdown());
    // The numbers the chapter walks through: 16 maps of 5x5 are 400 inputs, and the
    // first dense layer holds most of the parameters.
    assert_eq!(16 * 5 * 5, 400);
    assert_eq!(net.parameter_count(), 61_706);
    let fc1 = 400 * 120 + 120;
    assert!(fc1 as f32 / net.parameter_count() as f32 > 0.75);
}

#[test]
fn the_pooling_variants_change_the_dense_layer() {
    let flattened = |downsampling| {
        let net = lenet5(
            LeNetConfig {
                downsampling,
                ..LeNetConfig::default()
            },
            1,
        )
        .unwrap();
        let summary = net.summary([1, 1, 28, 28]).unwrap();
        let flatten = summary.into_iter().find(|row| row.name == "flatten");
        flatten.unwrap().output_shape
    };
    // Without pooling conv2 sees 28x28 and gives 16 maps of 24x24 = 9216 inputs.
    assert_eq!(flattened(Downsampling::None), vec![1, 9216]);
    // Stride 2: 28 -> 14 -> 5, the same 400 inputs as with pooling.
    assert_eq!(flattened(Downsampling::StridedConv), vec![1, 400]);
}

#[test]
fn without_pooling_the_network_is_18_times_larger() {
    let growth = NoPoolingGrowth::compute().unwrap();
    // fc1: 9216 * 120 + 120 against 400 * 120 + 120, "23-fold".
    assert_eq!(growth.fc1, (48_120, 1_106_040));
    assert_eq!(format!("{:.0}", growth.fc1_ratio()), "23");
    // The whole network: 1,119,626 against 61,706 parameters, 18 times (not 20).
    assert_eq!(growth.total, (61_706, 1_119_626));
    assert_eq!(format!("{:.0}", growth.total_ratio()), "18");
    // Multiply-adds of one digit, by hand: conv1 28*28*6*25, conv2 10*10*16*150
    // (24*24*16*150 without pooling), then the dense layers.
    let pooled = 28 * 28 * 6 * 25 + 10 * 10 * 16 * 150 + 400 * 120 + 120 * 84 + 84 * 10;
    let unpooled = 28 * 28 * 6 * 25 + 24 * 24 * 16 * 150 + 9216 * 120 + 120 * 84 + 84 * 10;
    assert_eq!(growth.work, (pooled, unpooled));
    let net = lenet5(LeNetConfig::default(), 1).unwrap();
    assert_eq!(multiply_adds(&net).unwrap(), pooled);
}

#[test]
fn spreads_and_paired_differences() {
    let spread = Spread::of(&[1.0, 2.0, 3.0]);
    assert_eq!(
        (spread.mean, spread.std, spread.min, spread.max),
        (2.0, 1.0, 1.0, 3.0)
    );
    assert_eq!(spread.show(2), "2.00 ± 1.00");
    assert_eq!(Spread::of(&[5.0]).std, 0.0);
}

/// MNIST, loaded once for the tests that need real digits.
fn mnist() -> &'static MnistData {
    static MNIST: std::sync::OnceLock<MnistData> = std::sync::OnceLock::new();
    MNIST.get_or_init(|| MnistData::load(&repo_root().join("data/mnist")).unwrap())
}

#[test]
fn the_padding_draws_a_frame_around_a_blank_page() {
    // A blank page, normalised: every pixel is paper, (0 - mean) / std, not 0.
    let data = mnist();
    let paper = data.normalization.of_pixel(0.0);
    assert!(paper < -0.4, "{paper}");
    let net = Sequential::load(&repo_root().join("data/trained/lenet5.cnn")).unwrap();
    let conv1 = net.until("conv1").unwrap();
    let page = Array4::from_elem((1, 1, 28, 28), paper);
    let maps = conv1.forward(&page).unwrap().into_maps().unwrap(); // [1, 6, 28, 28]
    let mut framed = 0;
    for c in 0..6 {
        let map: ndarray::ArrayView2<f32> = maps.slice(s![0, c, .., ..]);
        // Inside, every 5x5 window sees only paper: one value for the whole interior.
        let inside = map.slice(s![2..26, 2..26]);
        let value = inside[[0usize, 0]];
        assert!(
            inside.iter().all(|&v| (v - value).abs() < 1e-4),
            "channel {c}"
        );
        // On the frame the window reaches into the zeros of the padding.
        let differs = map.indexed_iter().any(|((i, j), &v)| {
            let on_frame = !(2..26usize).contains(&i) || !(2..26usize).contains(&j);
            on_frame && (v - value).abs() > 1e-2
        });
        framed += differs as usize;
    }
    assert_eq!(framed, 6, "every map of conv1 has a frame on a blank page");
}

#[test]
fn sigmoid_shrinks_the_first_layers_gradient_tanh_and_relu_do_not() {
    let args = parse(&[]).unwrap();
    let gradients = StartingGradients::compute(&args, mnist()).unwrap();
    assert_eq!(gradients.layers, ["conv1", "conv2", "fc1", "fc2", "fc3"]);
    // What the chapter says of the table (the table itself is pinned by the committed
    // book/generated/ch06/starting_gradients.md, which the book build regenerates).
    gradients.check_claims().unwrap();
    assert_eq!(gradients.table().rows().len(), 3);
}

#[test]
fn one_sgd_step_lowers_the_loss() {
    let step = WorkedStep::compute().unwrap();
    insta::assert_snapshot!(step.table().to_markdown());
    assert!(
        step.new_loss < step.loss,
        "{} -> {}",
        step.loss,
        step.new_loss
    );
    // The gradient of softmax + cross-entropy sums to zero over the classes.
    assert!(step.d_logits.sum().abs() < 1e-6);
    // Only the correct class has a negative gradient: its logit is pushed up.
    assert!(step.d_logits[[0, step.target]] < 0.0);
}

#[test]
fn the_same_seed_builds_the_same_network_and_it_survives_a_save() {
    let a = lenet5(LeNetConfig::default(), 7).unwrap();
    let b = lenet5(LeNetConfig::default(), 7).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    let loaded = Sequential::from_bytes(&a.to_bytes()).unwrap();
    assert_eq!(loaded.to_bytes(), a.to_bytes());
    let counts = confusion(&[1, 2, 2], &[1, 2, 3]);
    assert_eq!(counts[[3, 2]], 1.0);
    assert_eq!(counts.sum(), 3.0);
}

#[test]
fn the_committed_model_reads_back_byte_for_byte() {
    // The file format did not change: the trained LeNet-5 of the book, read and
    // written again, is the same bytes.
    let path = repo_root().join("data/trained/lenet5.cnn");
    let bytes = std::fs::read(&path).unwrap();
    let net = Sequential::load(&path).unwrap();
    assert!(net.is_finite());
    assert_eq!(net.to_bytes(), bytes);
}

#[test]
fn the_defaults_are_the_books_run() {
    let args = parse(&[]).unwrap();
    assert_eq!(
        args.describe(),
        "8 epochs, batch size 64, Adam with learning rate 0.0015 (times 0.7 after every epoch), ReLU, seed 1"
    );
    // The default model is the repository's; a path given is relative to the current
    // folder, not to the repository.
    assert_eq!(
        args.model_path(),
        repo_root().join("data/trained/lenet5.cnn")
    );
    args.check().unwrap();
    let given = parse(&["--model", "my.cnn"]).unwrap();
    assert_eq!(given.model_path(), PathBuf::from("my.cnn"));
}

#[test]
fn bad_options_are_refused_before_any_work() {
    for (options, expected) in [
        (&["--epochs", "0"][..], "must be from 1 to 1000, got 0"),
        (&["--batch-size", "0"], "must be from 1 to 60000, got 0"),
        (&["--threads", "0"], "must be from 1 to 256, got 0"),
        (
            &["--threads", "100000"],
            "must be from 1 to 256, got 100000",
        ),
        (
            &["--learning-rate", "0"],
            "must be a finite number above 0, got 0",
        ),
        (
            &["--learning-rate", "NaN"],
            "must be a finite number above 0, got NaN",
        ),
        (
            &["--learning-rate", "inf"],
            "must be a finite number above 0, got inf",
        ),
        (
            &["--learning-rate-decay", "0"],
            "must be above 0 and at most 1, got 0",
        ),
        (
            &["--learning-rate-decay", "NaN"],
            "must be above 0 and at most 1, got NaN",
        ),
        (
            &["--learning-rate-decay", "1.5"],
            "must be above 0 and at most 1, got 1.5",
        ),
        (&["--optimizer", "rmsprop"], "invalid value 'rmsprop'"),
        (
            &["--no-such-option"],
            "unexpected argument '--no-such-option'",
        ),
    ] {
        let e = parse(options).unwrap_err().to_string();
        assert!(e.contains(expected), "{options:?}: {e}");
    }
    // --help is not an error of the user's, and lists every option.
    let help = parse(&["--help"]).unwrap_err();
    assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
    assert!(help.to_string().contains("--learning-rate-decay"));
}

#[test]
fn an_unwritable_model_path_is_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().to_str().unwrap();
    let missing = dir.path().join("no/such/folder/lenet5.cnn");
    for path in [folder, missing.to_str().unwrap(), "/dev/null"] {
        let e = parse(&["--model", path]).unwrap().check().unwrap_err();
        assert!(
            format!("{e:#}").starts_with(&format!("--model {path}")),
            "{e:#}"
        );
    }
    #[cfg(unix)]
    {
        let target = dir.path().join("kept.cnn");
        std::fs::write(&target, b"keep me").unwrap();
        let link = dir.path().join("link.cnn");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = parse(&["--model", link.to_str().unwrap()])
            .unwrap()
            .check()
            .unwrap_err();
        assert!(format!("{e:#}").contains("symbolic link"), "{e:#}");
        assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
    }
}

/// A tiny stand-in for MNIST: 16 random digits for training and 4 for testing.
fn tiny_mnist() -> MnistData {
    let pixels = Array4::from_shape_fn((16, 1, 28, 28), |(n, _, i, j)| {
        ((n * 7 + i * 3 + j) % 11 * 25) as u8
    });
    let labels: Vec<usize> = (0..16).map(|n| n % 10).collect();
    let test_pixels = pixels.slice(ndarray::s![..4, .., .., ..]).to_owned();
    MnistData::new(pixels, labels.clone(), test_pixels, labels[..4].to_vec()).unwrap()
}

#[test]
fn a_diverging_run_stops_with_its_epoch_and_step() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("lenet5.cnn");
    let model = model.to_str().unwrap();
    let options = [
        "--learning-rate",
        "1e9",
        "--batch-size",
        "4",
        "--model",
        model,
    ];
    let args = parse(&options).unwrap();
    args.check().unwrap(); // a learning rate of 1e9 is a number: training finds it too large
    let Err(e) = Training::run(&args, &tiny_mnist()) else {
        panic!("training with a learning rate of 1e9 did not diverge");
    };
    let e = e.to_string();
    assert!(e.starts_with("training diverged in epoch 1, step "), "{e}");
    assert!(e.ends_with("try a smaller learning rate"), "{e}");
    assert!(!std::path::Path::new(model).exists(), "nothing was saved");
    // A sane run on the same data trains, and its model can be saved and read back.
    let args = parse(&["--epochs", "1", "--batch-size", "4", "--model", model]).unwrap();
    let training = Training::run(&args, &tiny_mnist()).unwrap();
    assert_eq!(training.history.epochs.len(), 1);
    training.save(&args.model_path()).unwrap();
    assert_eq!(Sequential::load(&args.model_path()).unwrap(), training.net);
}

#[test]
fn the_benchmark_bounds_its_threads_and_epochs() {
    let parse = |options: &[&str]| {
        let program = std::iter::once("bench_lenet");
        bench_lenet::Args::try_parse_from(program.chain(options.iter().copied()))
    };
    let defaults = parse(&[]).unwrap();
    assert_eq!(
        (defaults.threads, defaults.epochs, defaults.write),
        (2, 1, false)
    );
    for (options, expected) in [
        (&["--threads", "0"][..], "must be from 1 to 256, got 0"),
        (
            &["--threads", "100000"],
            "must be from 1 to 256, got 100000",
        ),
        (&["--epochs", "0"], "must be from 1 to 100, got 0"),
        (&["--epochs", "-5"], "unexpected argument '-5'"),
        (&["--fast"], "unexpected argument '--fast'"),
    ] {
        let e = parse(options).unwrap_err().to_string();
        assert!(e.contains(expected), "{options:?}: {e}");
    }
}
