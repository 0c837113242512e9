//! Chapter 6: learning from data. Backpropagation, MNIST and LeNet-5 (全连接 fully
//! connected layers at the end, 卷积 convolutions and 池化 pooling before them).
//!
//! Run with `cargo run --release --example ch06_lenet` (about two and a half minutes on
//! two cores). It trains LeNet-5 (`cnn_core::models::lenet`) on the 60,000 MNIST
//! training digits, reports loss and accuracy after every epoch, saves the trained
//! model, and writes the chapter's tables to `book/generated/ch06/` and figures to
//! `book/figures/ch06/`. `--help` lists the options; the book's numbers come from the
//! defaults. Every option is checked before any work starts, and nothing is written
//! unless the whole run succeeds.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::{Parser, ValueEnum};
use cnn_book::plot::{self, Labels, MapStyle, Panel, Series, SeriesLabelPosition};
use cnn_book::trained::{LENET_MODEL, MNIST};
use cnn_book::{Chapter, Table, cli, output::repo_root, row};
use cnn_core::data::files::check_writable;
use cnn_core::models::lenet::{Activation, Downsampling, LeNetConfig, MnistData};
use cnn_core::models::lenet::{Normalization, lenet5};
use cnn_core::ops::softmax_cross_entropy_backward;
use cnn_core::ops::{linear, linear_backward, softmax, softmax_cross_entropy};
use cnn_core::train::{Adam, EpochStats, History, Optimizer, Sgd, TrainConfig};
use cnn_core::train::{accuracy, argmax_rows, fit, predict};
use cnn_core::{Layer, Sequential};
use ndarray::{Array2, array, s};

/// Training LeNet-5 on MNIST. The defaults are the run the book reports.
#[derive(Debug, Clone, Parser)]
#[command(about = "Chapter 6: train LeNet-5 on MNIST and write the chapter's figures")]
pub struct Args {
    /// Passes over the 60,000 training images.
    #[arg(long, default_value_t = 8, value_parser = cli::count::<1, 1000>)]
    pub epochs: usize,
    /// Images per mini-batch.
    #[arg(long, default_value_t = 64, value_parser = cli::count::<1, 60000>)]
    pub batch_size: usize,
    /// Step size of the optimiser (the default suits Adam; try 0.02 for SGD).
    #[arg(long, default_value_t = 0.0015, value_parser = cli::positive)]
    pub learning_rate: f32,
    /// The learning rate is multiplied by this after every epoch (1 keeps it fixed).
    #[arg(long, default_value_t = 0.7, value_parser = cli::fraction)]
    pub learning_rate_decay: f32,
    /// The optimiser: Adam, or SGD with momentum 0.9.
    #[arg(long, value_enum, default_value_t = OptimizerChoice::Adam)]
    pub optimizer: OptimizerChoice,
    /// The activation after every convolution and hidden dense layer.
    #[arg(long, value_enum, default_value_t = ActivationChoice::Relu)]
    pub activation: ActivationChoice,
    /// Seed of the random starting weights and of the order of the mini-batches.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Threads to compute with. Results are the same for any number of threads.
    #[arg(long, default_value_t = 2, value_parser = cli::count::<1, { cli::MAX_THREADS }>)]
    pub threads: usize,
    /// Where to save the trained model [default: data/trained/lenet5.cnn in the
    /// repository].
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Train and save the model only, without the chapter's figures and tables.
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

/// The activation of the hidden layers, as chosen on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ActivationChoice {
    /// `max(0, x)`, the modern choice.
    Relu,
    /// `1 / (1 + e^-x)`, close to the original LeNet-5's squashing function.
    Sigmoid,
    /// `tanh(x)`.
    Tanh,
}

fn main() -> Result<()> {
    let args = Args::parse();
    args.check()?; // what clap cannot check, before any work
    rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build_global()?;
    let data = MnistData::load(&repo_root().join(MNIST))?;
    let training = Training::run(&args, &data)?;
    if args.train_only {
        return training.save(&args.model_path());
    }
    let chapter = Chapter::new("ch06")?;

    let net = &training.net;
    chapter.publish("architecture", &architecture_table(net)?)?;
    chapter.write_value("parameters", net.parameter_count())?;

    let step = WorkedStep::compute()?;
    chapter.publish("worked_step", &step.table())?;
    chapter.write_value("worked_loss", format!("{:.3}", step.loss))?;
    chapter.write_value("worked_new_loss", format!("{:.3}", step.new_loss))?;

    training.publish(&chapter, &args, &data)?;

    let learned = Learned::compute(net, &data)?;
    learned.figures(&chapter, net, &data)?;
    chapter.publish("top_confusions", &learned.top_confusions())?;
    chapter.write_value("wrong_count", learned.wrong.len())?;

    let comparisons = Comparisons::compute(&args, &data)?;
    chapter.publish("sigmoid_vs_relu", &comparisons.activation_table())?;
    comparisons.activation_figure(&chapter)?;
    chapter.publish("pooling", &comparisons.pooling_table())?;
    chapter.write_value("comparison_budget", Comparisons::budget())?;

    training.save(&args.model_path())?;
    chapter.finish()?;
    println!("figures in book/figures/ch06/, tables in book/generated/ch06/");
    Ok(())
}

impl Args {
    /// Where the model is saved: `--model`, relative to the current folder, or the
    /// repository's `data/trained/lenet5.cnn`.
    pub fn model_path(&self) -> PathBuf {
        cli::path_or_default(self.model.as_deref(), LENET_MODEL)
    }

    /// Checks what clap cannot check: the model can be saved where asked (before
    /// minutes of training, not after).
    ///
    /// # Errors
    /// Something other than a regular file at the path, or no such folder.
    pub fn check(&self) -> Result<()> {
        let path = self.model_path();
        check_writable(&path).with_context(|| format!("--model {}", path.display()))?;
        Ok(())
    }

    /// LeNet-5 with the chosen activation and `downsampling`.
    pub fn lenet(&self, downsampling: Downsampling) -> LeNetConfig {
        let activation = match self.activation {
            ActivationChoice::Relu => Activation::Relu,
            ActivationChoice::Sigmoid => Activation::Sigmoid,
            ActivationChoice::Tanh => Activation::Tanh,
        };
        LeNetConfig {
            activation,
            downsampling,
        }
    }

    /// A fresh optimiser with the chosen settings.
    pub fn optimizer(&self) -> Result<Optimizer> {
        Ok(match self.optimizer {
            OptimizerChoice::Sgd => Optimizer::Sgd(Sgd::new(self.learning_rate, 0.9)?),
            OptimizerChoice::Adam => Optimizer::Adam(Adam::new(self.learning_rate)?),
        })
    }

    /// The training settings for `epochs` epochs, a point of the loss curve every
    /// `loss_every` mini-batches.
    pub fn train_config(&self, epochs: usize, loss_every: usize) -> TrainConfig {
        TrainConfig {
            epochs,
            batch_size: self.batch_size,
            learning_rate_decay: self.learning_rate_decay,
            seed: self.seed,
            loss_every,
        }
    }

    /// The settings in words, for the chapter.
    pub fn describe(&self) -> String {
        let momentum = match self.optimizer {
            OptimizerChoice::Sgd => " and momentum 0.9",
            OptimizerChoice::Adam => "",
        };
        format!(
            "{} epochs, batch size {}, {:?} with learning rate {} (times {} after every epoch){momentum}, {:?}, seed {}",
            self.epochs,
            self.batch_size,
            self.optimizer,
            self.learning_rate,
            self.learning_rate_decay,
            self.activation,
            self.seed
        )
    }
}

// ---------------------------------------------------------------------------
// 1. The architecture.
// ---------------------------------------------------------------------------

/// The layer-by-layer architecture table, computed by the library.
pub fn architecture_table(net: &Sequential) -> Result<Table> {
    let mut table = Table::columns("layer | what it does | output shape | parameters");
    table.line("input | a 28x28 grey digit | 1 x 28 x 28 | 0");
    for layer in net.summary([1, 1, 28, 28])? {
        let (name, description, parameters) = (layer.name, layer.description, layer.parameters);
        let shape: Vec<String> = layer.output_shape[1..]
            .iter()
            .map(usize::to_string)
            .collect();
        let shape = shape.join(" x ");
        row!(table, "{name} | {description} | {shape} | {parameters}");
    }
    row!(table, "total | | | {}", net.parameter_count());
    Ok(table)
}

// ---------------------------------------------------------------------------
// 2. Loss, gradient and one step.
// ---------------------------------------------------------------------------

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
        let logits = linear(x.view(), weight.view(), bias.view())?; // [1, 2] -> [1, 3]
        let probabilities = softmax(logits.view());
        let loss = softmax_cross_entropy(logits.view(), &[target])?;
        let d_logits = softmax_cross_entropy_backward(logits.view(), &[target])?; // p - onehot
        let gradients = linear_backward(x.view(), weight.view(), d_logits.view());
        let new_weight = &weight - &(learning_rate * &gradients.d_weight);
        let new_logits = linear(x.view(), new_weight.view(), bias.view())?;
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
        let mut table = Table::columns(
            "class k | weights w_k | logit z_k | probability p_k | dL/dz_k | dL/dw_k | new weights",
        );
        let pair = |m: &Array2<f32>, k: usize| format!("({:.3}, {:.3})", m[[k, 0]], m[[k, 1]]);
        for k in 0..3 {
            let class = if k == self.target {
                format!("{k} (correct)")
            } else {
                k.to_string()
            };
            let (w, new_w, d_w) = (
                pair(&self.weight, k),
                pair(&self.new_weight, k),
                pair(&self.d_weight, k),
            );
            let (z, p, d_z) = (
                self.logits[[0, k]],
                self.probabilities[[0, k]],
                self.d_logits[[0, k]],
            );
            row!(
                table,
                "{class} | {w} | {z:.3} | {p:.3} | {d_z:.3} | {d_w} | {new_w}"
            );
        }
        table
    }
}

// ---------------------------------------------------------------------------
// 3. Training.
// ---------------------------------------------------------------------------

/// Mini-batches per point of the main run's loss curve.
const LOSS_EVERY: usize = 50;

/// The main run: LeNet-5 trained on all 60,000 training digits.
pub struct Training {
    /// The trained network.
    pub net: Sequential,
    /// Loss and accuracies of every epoch.
    pub history: History,
}

impl Training {
    /// Train with the settings of the command line, printing the progress.
    ///
    /// # Errors
    /// A loss that goes NaN or infinite: the error names the epoch and the step, and
    /// nothing is saved.
    pub fn run(args: &Args, data: &MnistData) -> Result<Training> {
        let start = Instant::now();
        // ANCHOR: train
        let mut net = lenet5(args.lenet(Downsampling::MaxPool), args.seed)?;
        let mut optimizer = args.optimizer()?;
        let config = args.train_config(args.epochs, LOSS_EVERY);
        let progress = cli::training_progress(args.epochs);
        let (train, test) = (data.train(), data.test());
        let history = fit(&mut net, &mut optimizer, train, test, &config, progress)?;
        // ANCHOR_END: train
        let seconds = start.elapsed().as_secs_f32();
        let per_epoch = seconds / args.epochs as f32;
        println!("trained in {seconds:.1} s ({per_epoch:.1} s per epoch)");
        Ok(Training { net, history })
    }

    /// Save the trained network, whole or not at all.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        self.net.save(path)?;
        println!("model saved to {}", path.display());
        Ok(())
    }

    /// The settings, the training table, the final accuracy and the curves.
    pub fn publish(&self, chapter: &Chapter, args: &Args, data: &MnistData) -> Result<()> {
        let Some(last) = self.history.epochs.last() else {
            bail!("training ran no epoch");
        };
        let Normalization { mean, std } = data.normalization;
        chapter.write_value("settings", args.describe())?;
        chapter.write_value("mean_std", format!("{mean:.4} and {std:.4}"))?;
        chapter.publish("training", &self.table())?;
        chapter.write_value("test_accuracy", percent(last.test_accuracy))?;
        chapter.write_value("test_errors", percent(1.0 - last.test_accuracy))?;

        let title = "Training loss (mean over 50 mini-batches)";
        let labels = Labels::new(title, "epoch", "cross-entropy loss");
        let curve = Series::new("", self.history.loss_curve.clone());
        plot::line_chart(&chapter.figure("loss.svg"), &labels, &[curve])?;

        let labels = Labels::new("Accuracy after each epoch", "epoch", "accuracy (%)");
        let labels = labels.legend_at(SeriesLabelPosition::LowerRight);
        let curve = |f: fn(&EpochStats) -> f32| {
            let epochs = self.history.epochs.iter();
            epochs.map(|e| (e.epoch as f32, 100.0 * f(e))).collect()
        };
        let during = "training (during the epoch)";
        let curves = [
            Series::new(during, curve(|e| e.train_accuracy)),
            Series::new("test", curve(|e| e.test_accuracy)),
        ];
        plot::line_chart(&chapter.figure("accuracy.svg"), &labels, &curves)
    }

    /// One row per epoch.
    pub fn table(&self) -> Table {
        let mut table = Table::columns("epoch | training loss | training accuracy | test accuracy");
        for e in &self.history.epochs {
            let (train, test) = (percent(e.train_accuracy), percent(e.test_accuracy));
            let (epoch, loss) = (e.epoch, e.train_loss);
            row!(table, "{epoch} | {loss:.4} | {train} | {test}");
        }
        table
    }
}

fn percent(fraction: f32) -> String {
    format!("{:.2}%", 100.0 * fraction)
}

// ---------------------------------------------------------------------------
// 4. What the network learned.
// ---------------------------------------------------------------------------

/// The trained network's answers for the 10,000 test digits.
pub struct Learned {
    /// `counts[true][predicted]`: [10, 10].
    pub counts: Array2<f32>,
    /// The predicted digit of every test image.
    pub predictions: Vec<usize>,
    /// The misclassified test digits as (confidence, index), most confident first.
    pub wrong: Vec<(f32, usize)>,
}

impl Learned {
    pub fn compute(net: &Sequential, data: &MnistData) -> Result<Learned> {
        let logits = predict(net, data.test_images.view())?; // [10000, 10]
        let predictions = argmax_rows(logits.view()); // [10000]
        let probabilities = softmax(logits.view()); // [10000, 10]
        let labels = &data.test_labels;
        let mut wrong: Vec<(f32, usize)> = (0..predictions.len())
            .filter(|&i| predictions[i] != labels[i])
            .map(|i| (probabilities[[i, predictions[i]]], i))
            .collect();
        wrong.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let counts = confusion(&predictions, labels);
        Ok(Learned {
            counts,
            predictions,
            wrong,
        })
    }

    /// The five most frequent mistakes.
    pub fn top_confusions(&self) -> Table {
        let mut confusions: Vec<(usize, usize, usize)> = (self.counts.indexed_iter())
            .filter(|&((t, p), &count)| t != p && count > 0.0)
            .map(|((t, p), &count)| (count as usize, t, p))
            .collect();
        confusions.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut table = Table::columns("true digit | predicted | times");
        for &(count, t, p) in confusions.iter().take(5) {
            row!(table, "{t} | {p} | {count}");
        }
        table
    }

    /// The learned kernels, the first test digit through every layer, the confusion
    /// matrix and the most confidently misclassified digits.
    pub fn figures(&self, chapter: &Chapter, net: &Sequential, data: &MnistData) -> Result<()> {
        let Layer::Conv2d(conv1) = net.layer("conv1")? else {
            bail!("LeNet-5 starts with a convolution");
        };
        let kernel = |f| Panel::new(format!("kernel {f}"), conv1.weight.slice(s![f, 0, .., ..]));
        let kernels: Vec<Panel> = (0..6).map(kernel).collect();
        let title = "The six learned 5x5 kernels of conv1";
        let style = MapStyle::diverging(120);
        plot::grid(&chapter.figure("kernels.png"), title, &kernels, 6, &style)?;

        let digit = data.test_images.slice(s![0..1, .., .., ..]); // [1, 1, 28, 28]
        let outputs = net.forward_all(digit)?;
        let stages = [
            ("act1", "conv1 + ReLU"),
            ("pool1", "pool1"),
            ("act2", "conv2 + ReLU"),
            ("pool2", "pool2"),
        ];
        for (layer, stage) in stages {
            let maps = outputs[net.index_of(layer)?].maps()?; // [1, F, H, W]
            let (_, channels, h, w) = maps.dim();
            let mut panels = Vec::new();
            if layer == "act1" {
                panels.push(Panel::new("input", data.test_raw.slice(s![0, 0, .., ..])));
            }
            for c in 0..channels {
                panels.push(Panel::new(format!("map {c}"), maps.slice(s![0, c, .., ..])));
            }
            let title = format!("{stage}: {channels} maps of {h}x{w} for the first test digit");
            let path = chapter.figure(&format!("maps_{layer}.png"));
            let columns = if channels > 8 { 8 } else { 7 };
            plot::grid(&path, &title, &panels, columns, &MapStyle::viridis(140))?;
        }

        let title = "Confusion matrix: rows are true digits, columns predictions";
        let style = MapStyle::viridis(520).annotated().with_range(0.0, 30.0);
        let path = chapter.figure("confusion.png");
        plot::heatmap(&path, title, self.counts.view(), &style)?;

        let mut panels = Vec::new();
        for &(confidence, i) in self.wrong.iter().take(12) {
            let (label, predicted) = (data.test_labels[i], self.predictions[i]);
            let title = format!("{label} as {predicted} ({:.1}%)", 100.0 * confidence);
            panels.push(Panel::new(title, data.test_raw.slice(s![i, 0, .., ..])));
        }
        let title = "Most confidently wrong: true digit as predicted (confidence)";
        let style = MapStyle::gray(130).with_range(0.0, 1.0);
        plot::grid(
            &chapter.figure("misclassified.png"),
            title,
            &panels,
            6,
            &style,
        )
    }
}

/// The confusion matrix: `counts[true][predicted]`.
pub fn confusion(predictions: &[usize], labels: &[usize]) -> Array2<f32> {
    let mut counts = Array2::zeros((10, 10));
    for (&p, &l) in predictions.iter().zip(labels) {
        counts[[l, p]] += 1.0;
    }
    counts
}

// ---------------------------------------------------------------------------
// 5. Sigmoid or ReLU? Pooling, no pooling, or strided convolution?
// ---------------------------------------------------------------------------

/// Images of the comparison runs: a smaller budget than the main run's, so that the
/// whole example stays quick.
pub const COMPARISON_IMAGES: usize = 5000;
/// Epochs of each comparison run.
pub const COMPARISON_EPOCHS: usize = 3;
/// Mini-batches per point of the comparison runs' loss curves (they are shorter).
const COMPARISON_LOSS_EVERY: usize = 10;

/// One variant of LeNet-5 on the comparisons' budget.
#[derive(Clone)]
pub struct Run {
    pub config: LeNetConfig,
    pub parameters: usize,
    pub history: History,
    /// Measured after training, on the same images, so that the gap to the test
    /// accuracy compares like with like.
    pub train_accuracy: f32,
    /// After the last epoch.
    pub test_accuracy: f32,
}

/// Variants of LeNet-5, each trained on the first [`COMPARISON_IMAGES`] training
/// images for [`COMPARISON_EPOCHS`] epochs and tested on all 10,000 test images.
pub struct Comparisons {
    /// Sigmoid, then ReLU, with max pooling.
    pub activations: Vec<Run>,
    /// ReLU with max pooling, with no pooling, with stride-2 convolutions.
    pub downsampling: Vec<Run>,
}

impl Comparisons {
    pub fn compute(args: &Args, data: &MnistData) -> Result<Comparisons> {
        let run = |activation, downsampling| {
            let config = LeNetConfig {
                activation,
                downsampling,
            };
            let mut net = lenet5(config, args.seed)?;
            let mut optimizer = args.optimizer()?;
            let settings = args.train_config(COMPARISON_EPOCHS, COMPARISON_LOSS_EVERY);
            let train = data.train().first(COMPARISON_IMAGES);
            let history = fit(
                &mut net,
                &mut optimizer,
                train,
                data.test(),
                &settings,
                |_| {},
            )?;
            let test_accuracy = history.epochs.last().map_or(0.0, |e| e.test_accuracy);
            Ok::<_, anyhow::Error>(Run {
                config,
                parameters: net.parameter_count(),
                train_accuracy: accuracy(&net, train)?,
                test_accuracy,
                history,
            })
        };
        use {Activation::*, Downsampling::*};
        let sigmoid = run(Sigmoid, MaxPool)?;
        let relu = run(Relu, MaxPool)?;
        let no_pooling = run(Relu, None)?;
        let strided = run(Relu, StridedConv)?;
        // The same run twice: training is deterministic, so it is trained once.
        let (activations, downsampling) =
            (vec![sigmoid, relu.clone()], vec![relu, no_pooling, strided]);
        Ok(Comparisons {
            activations,
            downsampling,
        })
    }

    /// The budget in words, for the chapter.
    pub fn budget() -> String {
        format!("the first {COMPARISON_IMAGES} training images for {COMPARISON_EPOCHS} epochs")
    }

    pub fn activation_table(&self) -> Table {
        let mut table =
            Table::columns("activation | test accuracy after each epoch | final training loss");
        for run in &self.activations {
            let epochs = run.history.epochs.iter();
            let accuracies: Vec<String> = epochs.map(|e| percent(e.test_accuracy)).collect();
            let loss = run.history.epochs.last().map_or(0.0, |e| e.train_loss);
            let (activation, accuracies) = (run.config.activation, accuracies.join(", "));
            row!(table, "{activation:?} | {accuracies} | {loss:.4}");
        }
        table
    }

    pub fn activation_figure(&self, chapter: &Chapter) -> Result<()> {
        let images = COMPARISON_IMAGES;
        let title = format!("Training loss, sigmoid vs ReLU ({images} images, mean of 10 batches)");
        let labels = Labels::new(&title, "epoch", "cross-entropy loss");
        let curve = |run: &Run| {
            let name = format!("{:?}", run.config.activation);
            Series::new(name, run.history.loss_curve.clone())
        };
        let curves: Vec<Series> = self.activations.iter().map(curve).collect();
        plot::line_chart(&chapter.figure("sigmoid_vs_relu.svg"), &labels, &curves)
    }

    pub fn pooling_table(&self) -> Table {
        let mut table =
            Table::columns("downsampling | parameters | training accuracy | test accuracy | gap");
        for run in &self.downsampling {
            let (name, parameters) = (run.config.downsampling.name(), run.parameters);
            let (train, test) = (run.train_accuracy, run.test_accuracy);
            let gap = 100.0 * (train - test);
            let (train, test) = (percent(train), percent(test));
            row!(
                table,
                "{name} | {parameters} | {train} | {test} | {gap:.2} points"
            );
        }
        table
    }
}
