//! Chapter 6: learning from data. Backpropagation, MNIST and LeNet-5 (全连接 fully
//! connected layers at the end, 卷积 convolutions and 池化 pooling before them).
//!
//! Run with `cargo run --release --example ch06_lenet` (about two and a half minutes on
//! two cores). It trains LeNet-5 on the 60,000 MNIST training digits, reports loss and
//! accuracy after every epoch, saves the trained model, and writes the chapter's
//! tables to `book/generated/ch06/` and figures to `book/figures/ch06/`.
//! `--help` lists the options; the book's numbers come from the defaults.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use cnn_book::output::repo_root;
use cnn_book::plot::{self, ColorScale, Labels, MapStyle, Panel, Series, SeriesLabelPosition};
use cnn_book::{Chapter, Table};
use cnn_core::{
    Adam, Conv2d, Conv2dConfig, Dense, Init, Layer, Mnist, Optimizer, Pool2d, Sequential, Sgd,
    Split, argmax_rows, load_mnist, shuffled_batches, softmax, softmax_cross_entropy,
    softmax_cross_entropy_backward, train_step,
};
use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{Array2, Array4, ArrayView4, Axis, Ix2, Ix4, array, s};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Training LeNet-5 on MNIST. The defaults are the run the book reports.
#[derive(Debug, Clone, Parser)]
#[command(about = "Chapter 6: train LeNet-5 on MNIST and write the chapter's figures")]
pub struct Args {
    /// Passes over the 60,000 training images.
    #[arg(long, default_value_t = 8)]
    pub epochs: usize,
    /// Images per mini-batch.
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// Step size of the optimiser (the default suits Adam; try 0.02 for SGD).
    #[arg(long, default_value_t = 0.0015)]
    pub learning_rate: f32,
    /// The learning rate is multiplied by this after every epoch (1 keeps it fixed).
    #[arg(long, default_value_t = 0.7)]
    pub learning_rate_decay: f32,
    /// The optimiser: Adam, or SGD with momentum 0.9.
    #[arg(long, value_enum, default_value_t = OptimizerChoice::Adam)]
    pub optimizer: OptimizerChoice,
    /// The activation after every convolution and hidden dense layer.
    #[arg(long, value_enum, default_value_t = Activation::Relu)]
    pub activation: Activation,
    /// Seed of the random starting weights and of the order of the mini-batches.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Threads to compute with. Results are the same for any number of threads.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Where to save the trained model.
    #[arg(long, default_value = "data/trained/lenet5.cnn")]
    pub model: PathBuf,
    /// Train only, without the chapter's comparison runs, figures and tables.
    #[arg(long)]
    pub train_only: bool,
}

/// The optimiser, as chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OptimizerChoice {
    /// SGD with momentum 0.9.
    Sgd,
    /// Adam with betas 0.9 and 0.999.
    Adam,
}

/// The activation function of the hidden layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Activation {
    /// `max(0, x)`, the modern choice.
    Relu,
    /// `1 / (1 + e^-x)`, close to the original LeNet-5's squashing function.
    Sigmoid,
    /// `tanh(x)`.
    Tanh,
}

impl Activation {
    fn layer(self) -> Layer {
        match self {
            Activation::Relu => Layer::Relu,
            Activation::Sigmoid => Layer::Sigmoid,
            Activation::Tanh => Layer::Tanh,
        }
    }

    /// He initialisation suits ReLU, Xavier suits the squashing functions.
    fn init(self) -> Init {
        match self {
            Activation::Relu => Init::He,
            Activation::Sigmoid | Activation::Tanh => Init::Xavier,
        }
    }
}

/// How the feature maps are made smaller between the convolutions (the chapter's
/// pooling experiment).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Downsampling {
    /// 2x2 max pooling with stride 2, as the book's LeNet-5.
    MaxPool,
    /// 2x2 average pooling with stride 2 (LeNet-5's original "subsampling").
    AveragePool,
    /// No pooling: the convolutions run at full size, so the dense layer gets more inputs.
    None,
    /// Each convolution moves with stride 2 instead of pooling afterwards.
    StridedConv,
}

impl Downsampling {
    fn name(self) -> &'static str {
        match self {
            Downsampling::MaxPool => "2x2 max pooling",
            Downsampling::AveragePool => "2x2 average pooling",
            Downsampling::None => "no pooling",
            Downsampling::StridedConv => "stride-2 convolutions",
        }
    }
}

// ANCHOR: lenet
/// LeNet-5 (LeCun et al., 1998) as most textbooks present it: a 28x28 digit padded
/// by 2, two 5x5 convolutions with 6 and 16 channels, each followed by an
/// activation and 2x2 pooling, then dense layers of 120, 84 and 10.
///
/// `input: [N, 1, 28, 28] -> logits: [N, 10]`
pub fn lenet5(activation: Activation, downsampling: Downsampling, seed: u64) -> Result<Sequential> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let init = activation.init();
    let conv_stride = if downsampling == Downsampling::StridedConv {
        2
    } else {
        1
    };
    let pool = match downsampling {
        Downsampling::MaxPool => Some(Pool2d::max(2, 2)?),
        Downsampling::AveragePool => Some(Pool2d::average(2, 2)?),
        Downsampling::None | Downsampling::StridedConv => None,
    };
    let first = Conv2dConfig {
        stride: conv_stride,
        padding: 2,
    };
    let second = Conv2dConfig {
        stride: conv_stride,
        padding: 0,
    };
    let conv = |name: &str, filters, channels, config, rng: &mut ChaCha8Rng| -> Result<Layer> {
        let conv = Conv2d::initialised(name, filters, channels, 5, config, init, rng)?;
        Ok(Layer::Conv2d(conv))
    };
    let dense = |name: &str, outputs, inputs, rng: &mut ChaCha8Rng| -> Result<Layer> {
        Ok(Layer::Dense(Dense::initialised(
            name, outputs, inputs, init, rng,
        )?))
    };
    let mut net = Sequential::new();
    net.push("conv1", conv("conv1", 6, 1, first, &mut rng)?)?; // [N, 1, 28, 28] -> [N, 6, 28, 28]
    net.push("act1", activation.layer())?;
    if let Some(pool) = &pool {
        net.push("pool1", Layer::Pool2d(pool.clone()))?; // -> [N, 6, 14, 14]
    }
    net.push("conv2", conv("conv2", 16, 6, second, &mut rng)?)?; // -> [N, 16, 10, 10]
    net.push("act2", activation.layer())?;
    if let Some(pool) = &pool {
        net.push("pool2", Layer::Pool2d(pool.clone()))?; // -> [N, 16, 5, 5]
    }
    net.push("flatten", Layer::Flatten)?; // [N, 16, 5, 5] -> [N, 400]
    let inputs = net
        .summary(&[1, 1, 28, 28])?
        .last()
        .expect("layers")
        .output_shape[1];
    net.push("fc1", dense("fc1", 120, inputs, &mut rng)?)?; // [N, 400] -> [N, 120]
    net.push("act3", activation.layer())?;
    net.push("fc2", dense("fc2", 84, 120, &mut rng)?)?; // [N, 120] -> [N, 84]
    net.push("act4", activation.layer())?;
    net.push("fc3", dense("fc3", 10, 84, &mut rng)?)?; // [N, 84] -> [N, 10] logits
    Ok(net)
}
// ANCHOR_END: lenet

/// The layer-by-layer architecture table, computed by the library.
pub fn architecture_table(net: &Sequential) -> Result<Table> {
    let mut table = Table::new(["layer", "what it does", "output shape", "parameters"]);
    table.row(["input", "a 28x28 grey digit", "1 x 28 x 28", "0"]);
    for row in net.summary(&[1, 1, 28, 28])? {
        let shape: Vec<String> = row.output_shape[1..]
            .iter()
            .map(|d| d.to_string())
            .collect();
        table.row([
            row.name,
            row.description,
            shape.join(" x "),
            row.parameters.to_string(),
        ]);
    }
    table.row([
        "total".to_string(),
        String::new(),
        String::new(),
        net.parameter_count().to_string(),
    ]);
    Ok(table)
}

/// Mean and standard deviation of the training pixels: inputs are shifted and scaled
/// by them so they have mean 0 and standard deviation 1, which makes training easier.
pub fn pixel_statistics(images: ArrayView4<f32>) -> (f32, f32) {
    let count = images.len() as f64;
    let mean = images.iter().map(|&v| v as f64).sum::<f64>() / count;
    let variance = images
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / count;
    (mean as f32, variance.sqrt() as f32)
}

/// The data, normalised.
pub struct Data {
    /// Training images, normalised: [60000, 1, 28, 28].
    pub train_images: Array4<f32>,
    /// Training labels.
    pub train_labels: Vec<usize>,
    /// Test images, normalised: [10000, 1, 28, 28].
    pub test_images: Array4<f32>,
    /// Test labels.
    pub test_labels: Vec<usize>,
    /// The raw test images in [0, 1], for figures.
    pub test_raw: Array4<f32>,
    /// Pixel mean and standard deviation of the training set.
    pub statistics: (f32, f32),
}

impl Data {
    /// Read MNIST from `data/mnist/` and normalise it with the training set's statistics.
    pub fn load() -> Result<Data> {
        let dir = repo_root().join("data").join("mnist");
        let train: Mnist = load_mnist(&dir, Split::Train)?;
        let test: Mnist = load_mnist(&dir, Split::Test)?;
        let (mean, std) = pixel_statistics(train.images.view());
        Ok(Data {
            train_images: train.images.mapv(|v| (v - mean) / std),
            train_labels: train.labels,
            test_images: test.images.mapv(|v| (v - mean) / std),
            test_labels: test.labels,
            test_raw: test.images,
            statistics: (mean, std),
        })
    }
}

/// What one epoch measured.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochStats {
    /// 1, 2, ...
    pub epoch: usize,
    /// Mean training loss over the epoch's mini-batches.
    pub train_loss: f32,
    /// Fraction of training images classified correctly during the epoch (while the
    /// weights were still changing).
    pub train_accuracy: f32,
    /// Fraction of the 10,000 test images classified correctly after the epoch.
    pub test_accuracy: f32,
    /// Wall-clock seconds of the epoch's training (not written to the book: it
    /// depends on the machine).
    pub seconds: f32,
}

/// A training run's history.
#[derive(Debug, Clone)]
pub struct History {
    /// One entry per epoch.
    pub epochs: Vec<EpochStats>,
    /// Mean loss of every block of `LOSS_BLOCK` mini-batches, for the loss curve:
    /// `(epoch as a fraction, loss)`.
    pub loss_curve: Vec<(f32, f32)>,
}

/// Mini-batches per point of the main run's loss curve.
const LOSS_BLOCK: usize = 50;
/// Mini-batches per point of the comparison runs' loss curves (they are shorter).
const COMPARISON_LOSS_BLOCK: usize = 10;

/// The rows of `images` at `indices`: `[N, 1, 28, 28] -> [B, 1, 28, 28]`.
fn gather(images: ArrayView4<f32>, indices: &[usize]) -> Array4<f32> {
    images.select(Axis(0), indices)
}

// ANCHOR: train
/// Train `net` for `epochs` passes over `images`, testing after each.
#[allow(clippy::too_many_arguments)]
pub fn train(
    net: &mut Sequential,
    optimizer: &mut Optimizer,
    images: ArrayView4<f32>,
    labels: &[usize],
    test_images: ArrayView4<f32>,
    test_labels: &[usize],
    epochs: usize,
    batch_size: usize,
    learning_rate_decay: f32,
    loss_block: usize,
    seed: u64,
    progress: bool,
) -> Result<History> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(1000)); // batch order
    let mut history = History {
        epochs: Vec::new(),
        loss_curve: Vec::new(),
    };
    for epoch in 1..=epochs {
        let start = Instant::now();
        let batches = shuffled_batches(labels.len(), batch_size, &mut rng)?;
        let bar = if progress {
            ProgressBar::new(batches.len() as u64)
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template("epoch {msg} [{bar:30}] {pos}/{len} batches, {eta} left")?
                .progress_chars("=> "),
        );
        bar.set_message(format!("{epoch}/{epochs}"));
        let (mut loss_sum, mut correct, mut block_sum) = (0.0f64, 0, 0.0f64);
        for (index, batch) in batches.iter().enumerate() {
            let x = gather(images, batch); // [B, 1, 28, 28]
            let y: Vec<usize> = batch.iter().map(|&i| labels[i]).collect();
            let step = train_step(net, optimizer, x.into_dyn().view(), &y)?;
            loss_sum += step.loss as f64;
            block_sum += step.loss as f64;
            correct += step.correct;
            if (index + 1) % loss_block == 0 {
                let at = (epoch - 1) as f32 + (index + 1) as f32 / batches.len() as f32;
                history
                    .loss_curve
                    .push((at, (block_sum / loss_block as f64) as f32));
                block_sum = 0.0;
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        let seconds = start.elapsed().as_secs_f32();
        let predictions = predict(net, test_images)?;
        let test_correct = predictions
            .iter()
            .zip(test_labels)
            .filter(|(p, l)| p == l)
            .count();
        let stats = EpochStats {
            epoch,
            train_loss: (loss_sum / batches.len() as f64) as f32,
            train_accuracy: correct as f32 / labels.len() as f32,
            test_accuracy: test_correct as f32 / test_labels.len() as f32,
            seconds,
        };
        if progress {
            println!(
                "epoch {epoch}: loss {:.4}, train accuracy {:.2}%, test accuracy {:.2}% ({seconds:.1} s)",
                stats.train_loss,
                100.0 * stats.train_accuracy,
                100.0 * stats.test_accuracy
            );
        }
        history.epochs.push(stats);
        // Smaller steps as training settles: the noise of mini-batch gradients would
        // otherwise keep the weights jittering around the minimum.
        optimizer.set_learning_rate(optimizer.learning_rate() * learning_rate_decay)?;
    }
    Ok(history)
}
// ANCHOR_END: train

/// The logits of every image, 1,000 at a time: `[N, 1, 28, 28] -> [N, 10]`.
pub fn logits(net: &Sequential, images: ArrayView4<f32>) -> Result<Array2<f32>> {
    let mut all = Array2::zeros((images.dim().0, 10));
    for (chunk, mut out) in images
        .axis_chunks_iter(Axis(0), 1000)
        .zip(all.axis_chunks_iter_mut(Axis(0), 1000))
    {
        let y = net
            .forward(chunk.into_dyn())?
            .into_dimensionality::<Ix2>()?;
        out.assign(&y);
    }
    Ok(all)
}

/// The predicted class of every image.
pub fn predict(net: &Sequential, images: ArrayView4<f32>) -> Result<Vec<usize>> {
    Ok(argmax_rows(logits(net, images)?.view()))
}

// ANCHOR: worked_step
/// One SGD step worked in numbers, on the smallest classifier there is: a dense layer
/// from 2 inputs to 3 classes, one image, learning rate 0.5.
pub struct WorkedStep {
    /// The input `x`: [1, 2].
    pub x: Array2<f32>,
    /// The weight before the step: [3, 2].
    pub weight: Array2<f32>,
    /// The correct class.
    pub target: usize,
    /// The learning rate.
    pub learning_rate: f32,
    /// Logits `z = x W^T` (bias 0): [1, 3].
    pub logits: Array2<f32>,
    /// `softmax(z)`: [1, 3].
    pub probabilities: Array2<f32>,
    /// The loss `-log p[target]`.
    pub loss: f32,
    /// `dL/dz = p - onehot(target)`: [1, 3].
    pub d_logits: Array2<f32>,
    /// `dL/dW = (dL/dz)^T x`: [3, 2].
    pub d_weight: Array2<f32>,
    /// `W - learning_rate * dL/dW`: [3, 2].
    pub new_weight: Array2<f32>,
    /// The loss after the step.
    pub new_loss: f32,
}

impl WorkedStep {
    /// Compute every number of the step with the library's functions.
    pub fn compute() -> Result<WorkedStep> {
        let x = array![[1.0, 2.0]];
        let weight = array![[0.5, -0.5], [0.0, 0.5], [-0.5, 0.0]];
        let bias = array![0.0, 0.0, 0.0];
        let (target, learning_rate) = (1, 0.5);
        let logits = cnn_core::linear(x.view(), weight.view(), bias.view())?; // [1, 2] -> [1, 3]
        let probabilities = softmax(logits.view());
        let loss = softmax_cross_entropy(logits.view(), &[target])?;
        let d_logits = softmax_cross_entropy_backward(logits.view(), &[target])?; // p - onehot
        let gradients = cnn_core::linear_backward(x.view(), weight.view(), d_logits.view());
        let new_weight = &weight - &(learning_rate * &gradients.d_weight);
        let new_logits = cnn_core::linear(x.view(), new_weight.view(), bias.view())?;
        let new_loss = softmax_cross_entropy(new_logits.view(), &[target])?;
        Ok(WorkedStep {
            x,
            weight,
            target,
            learning_rate,
            logits,
            probabilities,
            loss,
            d_logits,
            d_weight: gradients.d_weight,
            new_weight,
            new_loss,
        })
    }
    // ANCHOR_END: worked_step

    /// Class by class: weights, logit, probability, gradient and updated weights.
    pub fn table(&self) -> Table {
        let mut table = Table::new([
            "class k",
            "weights w_k",
            "logit z_k",
            "probability p_k",
            "dL/dz_k",
            "dL/dw_k",
            "new weights",
        ]);
        let pair = |m: &Array2<f32>, k: usize| format!("({:.3}, {:.3})", m[[k, 0]], m[[k, 1]]);
        for k in 0..3 {
            let class = if k == self.target {
                format!("{k} (correct)")
            } else {
                k.to_string()
            };
            table.row([
                class,
                pair(&self.weight, k),
                format!("{:.3}", self.logits[[0, k]]),
                format!("{:.3}", self.probabilities[[0, k]]),
                format!("{:.3}", self.d_logits[[0, k]]),
                pair(&self.d_weight, k),
                pair(&self.new_weight, k),
            ]);
        }
        table
    }
}

fn make_optimizer(optimizer: OptimizerChoice, learning_rate: f32) -> Result<Optimizer> {
    Ok(match optimizer {
        OptimizerChoice::Sgd => Optimizer::Sgd(Sgd::new(learning_rate, 0.9)?),
        OptimizerChoice::Adam => Optimizer::Adam(Adam::new(learning_rate)?),
    })
}

/// The training table: one row per epoch.
pub fn training_table(history: &History) -> Table {
    let mut table = Table::new([
        "epoch",
        "training loss",
        "training accuracy",
        "test accuracy",
    ]);
    for e in &history.epochs {
        table.row([
            e.epoch.to_string(),
            format!("{:.4}", e.train_loss),
            percent(e.train_accuracy),
            percent(e.test_accuracy),
        ]);
    }
    table
}

fn percent(fraction: f32) -> String {
    format!("{:.2}%", 100.0 * fraction)
}

/// Images and epochs of the comparison runs (sigmoid versus ReLU, pooling variants):
/// a smaller budget than the main run, so the whole example stays quick.
pub const COMPARISON_IMAGES: usize = 5000;
/// Epochs of each comparison run.
pub const COMPARISON_EPOCHS: usize = 3;

/// Train a variant on the first [`COMPARISON_IMAGES`] training images for
/// [`COMPARISON_EPOCHS`] epochs, testing on all 10,000 test images.
pub fn comparison_run(
    data: &Data,
    activation: Activation,
    downsampling: Downsampling,
    args: &Args,
) -> Result<History> {
    let mut net = lenet5(activation, downsampling, args.seed)?;
    let mut optimizer = make_optimizer(args.optimizer, args.learning_rate)?;
    let images = data.train_images.slice(s![..COMPARISON_IMAGES, .., .., ..]);
    let labels = &data.train_labels[..COMPARISON_IMAGES];
    // Training accuracy is measured after training, on the same images, so that the
    // gap to the test accuracy compares like with like.
    let mut history = train(
        &mut net,
        &mut optimizer,
        images,
        labels,
        data.test_images.view(),
        &data.test_labels,
        COMPARISON_EPOCHS,
        args.batch_size,
        args.learning_rate_decay,
        COMPARISON_LOSS_BLOCK,
        args.seed,
        false,
    )?;
    let predictions = predict(&net, images)?;
    let correct = predictions
        .iter()
        .zip(labels)
        .filter(|(p, l)| p == l)
        .count();
    if let Some(last) = history.epochs.last_mut() {
        last.train_accuracy = correct as f32 / labels.len() as f32;
    }
    Ok(history)
}

/// The confusion matrix: `counts[true][predicted]`.
pub fn confusion(predictions: &[usize], labels: &[usize]) -> Array2<f32> {
    let mut counts = Array2::zeros((10, 10));
    for (&p, &l) in predictions.iter().zip(labels) {
        counts[[l, p]] += 1.0;
    }
    counts
}

fn main() -> Result<()> {
    let args = Args::parse();
    if args.threads == 0 {
        bail!("--threads must be at least 1");
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build_global()?;
    let chapter = Chapter::new("ch06");
    let data = Data::load().context("loading MNIST from data/mnist/")?;
    let mut net = lenet5(args.activation, Downsampling::MaxPool, args.seed)?;
    let architecture = architecture_table(&net)?;
    println!("{architecture}");
    let mut optimizer = make_optimizer(args.optimizer, args.learning_rate)?;
    let start = Instant::now();
    let history = train(
        &mut net,
        &mut optimizer,
        data.train_images.view(),
        &data.train_labels,
        data.test_images.view(),
        &data.test_labels,
        args.epochs,
        args.batch_size,
        args.learning_rate_decay,
        LOSS_BLOCK,
        args.seed,
        true,
    )?;
    let seconds = start.elapsed().as_secs_f32();
    println!(
        "trained in {seconds:.1} s ({:.1} s per epoch)",
        seconds / args.epochs as f32
    );
    let model = repo_root().join(&args.model);
    if let Some(dir) = model.parent() {
        std::fs::create_dir_all(dir)?;
    }
    net.save(&model)?;
    println!("model saved to {}", model.display());
    if args.train_only {
        return Ok(());
    }

    // Tables of the main run.
    chapter.publish("architecture", &architecture)?;
    chapter.write_value("parameters", net.parameter_count())?;
    chapter.write_value(
        "mean_std",
        format!("{:.4} and {:.4}", data.statistics.0, data.statistics.1),
    )?;
    chapter.publish("worked_step", &WorkedStep::compute()?.table())?;
    let step = WorkedStep::compute()?;
    chapter.write_value("worked_loss", format!("{:.3}", step.loss))?;
    chapter.write_value("worked_new_loss", format!("{:.3}", step.new_loss))?;
    chapter.publish("training", &training_table(&history))?;
    let last = history.epochs.last().context("at least one epoch")?;
    chapter.write_value("test_accuracy", percent(last.test_accuracy))?;
    chapter.write_value(
        "test_errors",
        format!("{:.2}%", 100.0 * (1.0 - last.test_accuracy)),
    )?;
    chapter.write_value(
        "settings",
        format!(
            "{} epochs, batch size {}, {:?} with learning rate {} (times {} after every epoch){}, {:?}, seed {}",
            args.epochs,
            args.batch_size,
            args.optimizer,
            args.learning_rate,
            args.learning_rate_decay,
            if args.optimizer == OptimizerChoice::Sgd {
                " and momentum 0.9"
            } else {
                ""
            },
            args.activation,
            args.seed
        ),
    )?;

    // Curves.
    plot::line_chart(
        &chapter.figure("loss.svg"),
        &Labels::new(
            "Training loss (mean over 50 mini-batches)",
            "epoch",
            "cross-entropy loss",
        ),
        &[Series::new("", history.loss_curve.clone())],
    )?;
    let per_epoch = |f: fn(&EpochStats) -> f32| {
        history
            .epochs
            .iter()
            .map(|e| (e.epoch as f32, 100.0 * f(e)))
            .collect::<Vec<_>>()
    };
    plot::line_chart(
        &chapter.figure("accuracy.svg"),
        &Labels::new("Accuracy after each epoch", "epoch", "accuracy (%)")
            .legend_at(SeriesLabelPosition::LowerRight),
        &[
            Series::new(
                "training (during the epoch)",
                per_epoch(|e| e.train_accuracy),
            ),
            Series::new("test", per_epoch(|e| e.test_accuracy)),
        ],
    )?;

    // Learned first-layer kernels.
    let Some((_, Layer::Conv2d(conv1))) = net.layers.first() else {
        bail!("LeNet-5 starts with a convolution");
    };
    let kernels: Vec<Panel> = (0..6)
        .map(|f| Panel::new(format!("kernel {f}"), conv1.weight.slice(s![f, 0, .., ..])))
        .collect();
    plot::grid(
        &chapter.figure("kernels.png"),
        "The six learned 5x5 kernels of conv1",
        &kernels,
        6,
        &MapStyle {
            scale: ColorScale::Diverging,
            annotate: false,
            range: None,
            map_pixels: 120,
        },
    )?;

    // Feature maps of one test digit through every layer.
    feature_maps(&chapter, &net, &data)?;

    // Confusion matrix and the most confidently misclassified digits.
    let test_logits = logits(&net, data.test_images.view())?;
    let predictions = argmax_rows(test_logits.view());
    let counts = confusion(&predictions, &data.test_labels);
    plot::heatmap(
        &chapter.figure("confusion.png"),
        "Confusion matrix: rows are true digits, columns predictions",
        counts.view(),
        &MapStyle {
            scale: ColorScale::Viridis,
            annotate: true,
            range: Some((0.0, 30.0)),
            map_pixels: 520,
        },
    )?;
    let mut confusions = Vec::new();
    for t in 0..10 {
        for p in 0..10 {
            if t != p && counts[[t, p]] > 0.0 {
                confusions.push((counts[[t, p]] as usize, t, p));
            }
        }
    }
    confusions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut table = Table::new(["true digit", "predicted", "times"]);
    for &(count, t, p) in confusions.iter().take(5) {
        table.row([t.to_string(), p.to_string(), count.to_string()]);
    }
    chapter.publish("top_confusions", &table)?;
    misclassified(&chapter, &data, &test_logits, &predictions)?;

    // Comparisons on a smaller budget.
    let mut activation_table = Table::new([
        "activation",
        "test accuracy after each epoch",
        "final training loss",
    ]);
    let mut activation_series = Vec::new();
    for activation in [Activation::Sigmoid, Activation::Relu] {
        let run = comparison_run(&data, activation, Downsampling::MaxPool, &args)?;
        let accuracies: Vec<String> = run
            .epochs
            .iter()
            .map(|e| percent(e.test_accuracy))
            .collect();
        activation_table.row([
            format!("{activation:?}"),
            accuracies.join(", "),
            format!(
                "{:.4}",
                run.epochs.last().map(|e| e.train_loss).unwrap_or(0.0)
            ),
        ]);
        let points = run.loss_curve.to_vec();
        activation_series.push(Series::new(format!("{activation:?}"), points));
    }
    chapter.publish("sigmoid_vs_relu", &activation_table)?;
    plot::line_chart(
        &chapter.figure("sigmoid_vs_relu.svg"),
        &Labels::new(
            &format!(
                "Training loss, sigmoid vs ReLU ({COMPARISON_IMAGES} images, mean of 10 batches)"
            ),
            "epoch",
            "cross-entropy loss",
        ),
        &activation_series,
    )?;
    let mut pooling_table = Table::new([
        "downsampling",
        "parameters",
        "training accuracy",
        "test accuracy",
        "gap",
    ]);
    for downsampling in [
        Downsampling::MaxPool,
        Downsampling::None,
        Downsampling::StridedConv,
    ] {
        let run = comparison_run(&data, Activation::Relu, downsampling, &args)?;
        let last = run.epochs.last().context("epochs")?;
        pooling_table.row([
            downsampling.name().to_string(),
            lenet5(Activation::Relu, downsampling, args.seed)?
                .parameter_count()
                .to_string(),
            percent(last.train_accuracy),
            percent(last.test_accuracy),
            format!(
                "{:.2} points",
                100.0 * (last.train_accuracy - last.test_accuracy)
            ),
        ]);
    }
    chapter.publish("pooling", &pooling_table)?;
    chapter.write_value(
        "comparison_budget",
        format!("the first {COMPARISON_IMAGES} training images for {COMPARISON_EPOCHS} epochs"),
    )?;
    println!("figures in book/figures/ch06/, tables in book/generated/ch06/");
    Ok(())
}

/// The first test digit through every layer: one figure per stage.
fn feature_maps(chapter: &Chapter, net: &Sequential, data: &Data) -> Result<()> {
    let digit = data.test_images.slice(s![0..1, .., .., ..]).to_owned(); // [1, 1, 28, 28]
    let outputs = net.forward_all(digit.into_dyn().view())?;
    let raw = data.test_raw.slice(s![0, 0, .., ..]).to_owned();
    let style = MapStyle {
        scale: ColorScale::Viridis,
        annotate: false,
        range: None,
        map_pixels: 140,
    };
    for (index, (name, _)) in net.layers.iter().enumerate() {
        let stage = match name.as_str() {
            "act1" => "conv1 + ReLU",
            "pool1" => "pool1",
            "act2" => "conv2 + ReLU",
            "pool2" => "pool2",
            _ => continue,
        };
        let maps = outputs[index].view().into_dimensionality::<Ix4>()?;
        let raw = raw.view();
        let (_, channels, h, w) = maps.dim();
        let mut panels = Vec::new();
        if name == "act1" {
            panels.push(Panel::new("input", raw));
        }
        for c in 0..channels {
            panels.push(Panel::new(format!("map {c}"), maps.slice(s![0, c, .., ..])));
        }
        plot::grid(
            &chapter.figure(&format!("maps_{name}.png")),
            &format!("{stage}: {channels} maps of {h}x{w} for the first test digit"),
            &panels,
            if channels > 8 { 8 } else { 7 },
            &style,
        )?;
    }
    Ok(())
}

/// The test digits the network got wrong with the highest confidence.
fn misclassified(
    chapter: &Chapter,
    data: &Data,
    test_logits: &Array2<f32>,
    predictions: &[usize],
) -> Result<()> {
    let probabilities = softmax(test_logits.view());
    let mut wrong: Vec<(f32, usize)> = predictions
        .iter()
        .zip(&data.test_labels)
        .enumerate()
        .filter(|(_, (p, l))| p != l)
        .map(|(i, (&p, _))| (probabilities[[i, p]], i))
        .collect();
    wrong.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let panels: Vec<Panel> = wrong
        .iter()
        .take(12)
        .map(|&(confidence, i)| {
            Panel::new(
                format!(
                    "{} as {} ({:.1}%)",
                    data.test_labels[i],
                    predictions[i],
                    100.0 * confidence
                ),
                data.test_raw.slice(s![i, 0, .., ..]),
            )
        })
        .collect();
    plot::grid(
        &chapter.figure("misclassified.png"),
        "Most confidently wrong: true digit as predicted (confidence)",
        &panels,
        6,
        &MapStyle {
            scale: ColorScale::Gray,
            annotate: false,
            range: Some((0.0, 1.0)),
            map_pixels: 130,
        },
    )?;
    chapter.write_value("wrong_count", wrong.len())?;
    Ok(())
}
