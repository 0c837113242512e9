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

use anyhow::{Context, Result, bail, ensure};
use clap::{Parser, ValueEnum};
use cnn_book::plot::{self, ColorScale, Labels, MapStyle, Panel, Series, SeriesLabelPosition};
use cnn_book::trained::{LENET_MODEL, MNIST};
use cnn_book::{Chapter, Table, cli, output::repo_root, row};
use cnn_core::data::files::check_writable;
use cnn_core::models::lenet::{Activation, Downsampling, LeNetConfig, MnistData};
use cnn_core::models::lenet::{Normalization, lenet5};
use cnn_core::ops::softmax_cross_entropy_backward;
use cnn_core::ops::{linear, linear_backward, softmax, softmax_cross_entropy};
use cnn_core::train::{Adam, EpochStats, History, Optimizer, Sgd, TrainConfig};
use cnn_core::train::{accuracy, argmax_rows, fit, predict};
use cnn_core::{Layer, Sequential, Want};
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
    let growth = NoPoolingGrowth::compute()?;
    chapter.write_value("no_pooling_fc1_ratio", format!("{:.0}", growth.fc1_ratio()))?;
    chapter.write_value("no_pooling_ratio", format!("{:.0}", growth.total_ratio()))?;
    chapter.write_value(
        "no_pooling_work_ratio",
        format!("{:.1}", growth.work_ratio()),
    )?;

    let step = WorkedStep::compute()?;
    chapter.publish("worked_step", &step.table())?;
    chapter.write_value("worked_loss", format!("{:.3}", step.loss))?;
    chapter.write_value("worked_new_loss", format!("{:.3}", step.new_loss))?;

    training.publish(&chapter, &args, &data)?;

    let learned = Learned::compute(net, &data)?;
    learned.figures(&chapter, net, &data)?;
    chapter.publish("top_confusions", &learned.top_confusions())?;
    chapter.write_value("wrong_count", learned.wrong.len())?;

    let gradients = StartingGradients::compute(&args, &data)?;
    chapter.publish("starting_gradients", &gradients.table())?;

    let comparisons = Comparisons::compute(&args, &data)?;
    comparisons.check_claims()?;
    chapter.publish("sigmoid_vs_relu", &comparisons.activation_table())?;
    comparisons.activation_figure(&chapter)?;
    chapter.publish("pooling", &comparisons.pooling_table())?;
    chapter.publish("pooling_paired", &comparisons.paired_table())?;
    chapter.write_value("comparison_budget", Comparisons::budget())?;
    chapter.write_value("comparison_seeds", COMPARISON_SEEDS)?;
    comparisons.publish_values(&chapter)?;
    gradients.check_claims()?;
    chapter.write_value("sigmoid_gradient_ratio", gradients.sigmoid_fraction())?;

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
            "{} epochs, batch size {}, {:?} with learning rate {} (times {} after every epoch){momentum}, {}, seed {}",
            self.epochs,
            self.batch_size,
            self.optimizer,
            self.learning_rate,
            self.learning_rate_decay,
            self.lenet(Downsampling::MaxPool).activation.name(),
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

/// How much larger LeNet-5 grows without pooling: fc1 reads 16 maps of 24x24
/// instead of 5x5.
pub struct NoPoolingGrowth {
    /// fc1's parameters with and without pooling.
    pub fc1: (usize, usize),
    /// All parameters with and without pooling.
    pub total: (usize, usize),
    /// Multiply-adds of one digit with and without pooling.
    pub work: (usize, usize),
}

/// The multiply-adds of one digit through `net`: each output value of a convolution
/// is a sum of `C*K*K` products, each output of a dense layer a sum over its inputs.
pub fn multiply_adds(net: &Sequential) -> Result<usize> {
    let summary = net.summary([1, 1, 28, 28])?;
    let mut total = 0;
    for (named, row) in net.layers().iter().zip(&summary) {
        let values: usize = row.output_shape.iter().product(); // one image's outputs
        total += match &named.layer {
            Layer::Conv2d(conv) => {
                let (_, channels, kh, kw) = conv.weight.dim(); // [F, C, K, K]
                values * channels * kh * kw
            }
            Layer::Dense(dense) => values * dense.weight.ncols(), // [O, I]
            _ => 0,
        };
    }
    Ok(total)
}

impl NoPoolingGrowth {
    pub fn compute() -> Result<NoPoolingGrowth> {
        let sizes = |downsampling| -> Result<(usize, usize, usize)> {
            let config = LeNetConfig {
                downsampling,
                ..LeNetConfig::default()
            };
            let net = lenet5(config, 1)?;
            let fc1 = net.layer("fc1")?.parameter_count();
            Ok((fc1, net.parameter_count(), multiply_adds(&net)?))
        };
        let (pooled, unpooled) = (sizes(Downsampling::MaxPool)?, sizes(Downsampling::None)?);
        Ok(NoPoolingGrowth {
            fc1: (pooled.0, unpooled.0),
            total: (pooled.1, unpooled.1),
            work: (pooled.2, unpooled.2),
        })
    }

    /// The multiply-adds without pooling over those with it.
    pub fn work_ratio(&self) -> f64 {
        self.work.1 as f64 / self.work.0 as f64
    }

    /// fc1 without pooling over fc1 with it.
    pub fn fc1_ratio(&self) -> f64 {
        self.fc1.1 as f64 / self.fc1.0 as f64
    }

    /// The whole network without pooling over the whole network with it.
    pub fn total_ratio(&self) -> f64 {
        self.total.1 as f64 / self.total.0 as f64
    }
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
        // The same two figures as `bench_lenet`: the training loop alone (each epoch's
        // line above gives it), and with the test after every epoch.
        let seconds = start.elapsed().as_secs_f32();
        let epochs = args.epochs as f32;
        let training: f32 = history.epochs.iter().map(|e| e.seconds).sum();
        println!(
            "trained in {seconds:.1} s: per epoch {:.1} s of training loop and {:.1} s of testing",
            training / epochs,
            (seconds - training) / epochs
        );
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
        // Blank paper, once normalised: what the zero padding of conv1 is not.
        chapter.write_value(
            "paper_value",
            format!("{:.2}", data.normalization.of_pixel(0.0)),
        )?;
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
        let images = data.test().images.to_floats(); // [10000, 1, 28, 28], normalised
        let logits = predict(net, images.view())?; // [10000, 10]
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
        let style = MapStyle::diverging(110).large_text();
        plot::grid(&chapter.figure("kernels.png"), title, &kernels, 6, &style)?;

        let digit = data.test().images.slice(0..1).to_floats(); // [1, 1, 28, 28]
        let outputs = net.forward_all(digit.view())?;
        // (layer, what it is, maps per row, pixels per map): each figure about 850
        // pixels wide, so that its text stays readable on the page.
        let stages = [
            ("act1", "conv1 + ReLU", 7, 96),
            ("pool1", "pool1", 6, 100),
            ("act2", "conv2 + ReLU", 8, 80),
            ("pool2", "pool2", 8, 80),
        ];
        let digit = data.test_raw_image(0); // [28, 28], pixels in [0, 1]
        for (layer, stage, columns, pixels) in stages {
            let maps = outputs[net.index_of(layer)?].maps()?; // [1, F, H, W]
            let (_, channels, h, w) = maps.dim();
            let mut panels = Vec::new();
            if layer == "act1" {
                // The digit itself, on its own grey scale (its pixels are 0 to 1, the
                // maps' values up to about 10).
                let input = Panel::new("input", digit.view());
                panels.push(input.on_own_scale(ColorScale::Gray, (0.0, 1.0)));
            }
            for c in 0..channels {
                panels.push(Panel::new(format!("map {c}"), maps.slice(s![0, c, .., ..])));
            }
            let title = format!("{stage}: {channels} maps of {h}x{w} for the first test digit");
            let path = chapter.figure(&format!("maps_{layer}.png"));
            let style = MapStyle::viridis(pixels).large_text();
            plot::grid(&path, &title, &panels, columns, &style)?;
        }

        let title = "Confusion matrix: true digit (row), prediction (column)";
        let style = MapStyle::viridis(520)
            .annotated()
            .with_range(0.0, 30.0)
            .large_text();
        let path = chapter.figure("confusion.png");
        plot::heatmap(&path, title, self.counts.view(), &style)?;

        let mut panels = Vec::new();
        let digits: Vec<_> = self
            .wrong
            .iter()
            .take(12)
            .map(|&(_, i)| data.test_raw_image(i))
            .collect();
        for (&(confidence, i), digit) in self.wrong.iter().zip(&digits) {
            let (label, predicted) = (data.test_labels[i], self.predictions[i]);
            let title = format!("{label} as {predicted} ({:.1}%)", 100.0 * confidence);
            panels.push(Panel::new(title, digit.view()));
        }
        let title = "Most confidently wrong: true digit as prediction";
        let style = MapStyle::gray(130).with_range(0.0, 1.0).large_text();
        plot::grid(
            &chapter.figure("misclassified.png"),
            title,
            &panels,
            4,
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
/// Runs of each variant, with seeds `--seed`, `--seed + 1`, ...: the seed draws the
/// starting weights and the order of the mini-batches, so the spread between the runs
/// of one variant shows how much of a difference between variants is luck.
pub const COMPARISON_SEEDS: u64 = 3;
/// Mini-batches per point of the comparison runs' loss curves (they are shorter).
const COMPARISON_LOSS_EVERY: usize = 10;

/// One variant of LeNet-5 trained on the comparisons' budget with one seed.
#[derive(Clone)]
pub struct Run {
    pub seed: u64,
    pub parameters: usize,
    pub history: History,
    /// Measured after training, on the same images, so that the gap to the test
    /// accuracy compares like with like.
    pub train_accuracy: f32,
    /// After the last epoch.
    pub test_accuracy: f32,
}

impl Run {
    /// Training accuracy minus test accuracy, in percentage points.
    pub fn gap(&self) -> f32 {
        100.0 * (self.train_accuracy - self.test_accuracy)
    }

    /// The loss of the last epoch.
    pub fn final_loss(&self) -> f32 {
        self.history.epochs.last().map_or(0.0, |e| e.train_loss)
    }
}

/// One variant, trained once per seed.
#[derive(Clone)]
pub struct Variant {
    pub config: LeNetConfig,
    /// One run per seed, in seed order.
    pub runs: Vec<Run>,
}

/// Mean, sample standard deviation, smallest and largest of a few numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean: f32,
    pub std: f32,
    pub min: f32,
    pub max: f32,
}

impl Spread {
    /// # Panics
    /// No values (every variant has at least one run).
    pub fn of(values: &[f32]) -> Spread {
        assert!(!values.is_empty(), "a spread of no values");
        let n = values.len() as f32;
        let mean = values.iter().sum::<f32>() / n;
        let squares: f32 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        let std = if values.len() > 1 {
            (squares / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        let min = values.iter().copied().fold(f32::INFINITY, f32::min);
        let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        Spread {
            mean,
            std,
            min,
            max,
        }
    }

    /// `"94.11 ± 0.25"`, with `decimals` decimals.
    pub fn show(&self, decimals: usize) -> String {
        format!("{:.decimals$} ± {:.decimals$}", self.mean, self.std)
    }
}

impl Variant {
    /// Each run's `f` (in seed order) and their spread.
    pub fn spread(&self, f: impl Fn(&Run) -> f32) -> Spread {
        Spread::of(&self.runs.iter().map(f).collect::<Vec<_>>())
    }

    /// Test accuracies in percent.
    pub fn test(&self) -> Spread {
        self.spread(|r| 100.0 * r.test_accuracy)
    }

    /// Training accuracies in percent.
    pub fn train(&self) -> Spread {
        self.spread(|r| 100.0 * r.train_accuracy)
    }

    /// Gaps in percentage points.
    pub fn gap(&self) -> Spread {
        self.spread(Run::gap)
    }

    /// The parameters (the same for every seed).
    pub fn parameters(&self) -> usize {
        self.runs.first().map_or(0, |r| r.parameters)
    }

    /// The mean loss curve over the seeds (every run has the same points).
    pub fn mean_loss_curve(&self) -> Vec<(f32, f32)> {
        let first = &self.runs[0].history.loss_curve;
        (0..first.len())
            .map(|i| {
                let losses: Vec<f32> = self
                    .runs
                    .iter()
                    .map(|r| r.history.loss_curve[i].1)
                    .collect();
                (first[i].0, Spread::of(&losses).mean)
            })
            .collect()
    }

    /// Per seed, this variant's `f` minus the `other`'s: a paired difference, since
    /// both runs of a seed saw the mini-batches in the same order.
    pub fn differences(&self, other: &Variant, f: impl Fn(&Run) -> f32) -> Vec<f32> {
        self.runs
            .iter()
            .zip(&other.runs)
            .map(|(a, b)| f(a) - f(b))
            .collect()
    }
}

/// Variants of LeNet-5, each trained [`COMPARISON_SEEDS`] times on the first
/// [`COMPARISON_IMAGES`] training images for [`COMPARISON_EPOCHS`] epochs and tested
/// on all 10,000 test images.
pub struct Comparisons {
    /// Sigmoid, then ReLU, with max pooling.
    pub activations: Vec<Variant>,
    /// ReLU with max pooling, with no pooling, with stride-2 convolutions.
    pub downsampling: Vec<Variant>,
}

impl Comparisons {
    pub fn compute(args: &Args, data: &MnistData) -> Result<Comparisons> {
        let run = |config: LeNetConfig, seed: u64| {
            let mut net = lenet5(config, seed)?;
            let mut optimizer = args.optimizer()?;
            let settings = TrainConfig {
                seed,
                ..args.train_config(COMPARISON_EPOCHS, COMPARISON_LOSS_EVERY)
            };
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
                seed,
                parameters: net.parameter_count(),
                train_accuracy: accuracy(&net, train)?,
                test_accuracy,
                history,
            })
        };
        let variant = |activation, downsampling| {
            let config = LeNetConfig {
                activation,
                downsampling,
            };
            let seeds = args.seed..args.seed + COMPARISON_SEEDS;
            let runs = seeds.map(|seed| run(config, seed)).collect::<Result<_>>()?;
            Ok::<_, anyhow::Error>(Variant { config, runs })
        };
        use {Activation::*, Downsampling::*};
        let sigmoid = variant(Sigmoid, MaxPool)?;
        let relu = variant(Relu, MaxPool)?;
        let no_pooling = variant(Relu, None)?;
        let strided = variant(Relu, StridedConv)?;
        // The same runs in both comparisons: training is deterministic, so they are
        // trained once.
        let (activations, downsampling) =
            (vec![sigmoid, relu.clone()], vec![relu, no_pooling, strided]);
        Ok(Comparisons {
            activations,
            downsampling,
        })
    }

    /// The budget in words, for the chapter.
    pub fn budget() -> String {
        format!(
            "the first {COMPARISON_IMAGES} training images for {COMPARISON_EPOCHS} epochs, \
             {COMPARISON_SEEDS} runs of each network with different seeds"
        )
    }

    pub fn activation_table(&self) -> Table {
        let mut table = Table::columns(&format!(
            "activation | test accuracy after each epoch (mean of {COMPARISON_SEEDS} seeds) \
             | final test accuracy (%) | final training loss"
        ));
        for variant in &self.activations {
            let epochs = 0..COMPARISON_EPOCHS;
            let accuracies: Vec<String> = epochs
                .map(|e| {
                    let at = variant.spread(|r| 100.0 * r.history.epochs[e].test_accuracy);
                    format!("{:.2}%", at.mean)
                })
                .collect();
            let (accuracies, test) = (accuracies.join(", "), variant.test().show(2));
            let loss = variant.spread(Run::final_loss).show(4);
            let activation = variant.config.activation.name();
            row!(table, "{activation} | {accuracies} | {test} | {loss}");
        }
        table
    }

    pub fn activation_figure(&self, chapter: &Chapter) -> Result<()> {
        let images = COMPARISON_IMAGES;
        let title = format!(
            "Training loss, sigmoid vs ReLU ({images} images, mean of {COMPARISON_SEEDS} seeds)"
        );
        let labels = Labels::new(&title, "epoch", "cross-entropy loss");
        let curve = |variant: &Variant| {
            Series::new(variant.config.activation.name(), variant.mean_loss_curve())
        };
        let curves: Vec<Series> = self.activations.iter().map(curve).collect();
        plot::line_chart(&chapter.figure("sigmoid_vs_relu.svg"), &labels, &curves)
    }

    pub fn pooling_table(&self) -> Table {
        let mut table = Table::columns(
            "downsampling | parameters | training accuracy (%) | test accuracy (%) \
             | gap (points) | test accuracy of each seed (%)",
        );
        for variant in &self.downsampling {
            let (name, parameters) = (variant.config.downsampling.name(), variant.parameters());
            let (train, test, gap) = (variant.train(), variant.test(), variant.gap());
            let (train, test, gap) = (train.show(2), test.show(2), gap.show(2));
            let seeds: Vec<String> = (variant.runs.iter())
                .map(|r| format!("{:.2}", 100.0 * r.test_accuracy))
                .collect();
            let seeds = seeds.join(", ");
            row!(
                table,
                "{name} | {parameters} | {train} | {test} | {gap} | {seeds}"
            );
        }
        table
    }

    /// Each variant against max pooling, seed by seed.
    pub fn paired_table(&self) -> Table {
        let mut table = Table::columns(
            "compared with 2x2 max pooling, same seed | test accuracy (points) \
             | higher in | gap (points) | larger in",
        );
        let [max_pool, others @ ..] = &self.downsampling[..] else {
            return table;
        };
        for variant in others {
            let name = variant.config.downsampling.name();
            let test = variant.differences(max_pool, |r| 100.0 * r.test_accuracy);
            let gap = variant.differences(max_pool, Run::gap);
            let (test_text, higher) = (signed_list(&test), count_positive(&test));
            let (gap_text, larger) = (signed_list(&gap), count_positive(&gap));
            row!(
                table,
                "{name} | {test_text} | {higher} | {gap_text} | {larger}"
            );
        }
        table
    }

    /// The variant with this downsampling.
    pub fn downsampling(&self, downsampling: Downsampling) -> Result<&Variant> {
        (self.downsampling.iter())
            .find(|v| v.config.downsampling == downsampling)
            .context("no such variant")
    }

    /// The numbers the chapter quotes from these runs.
    pub fn publish_values(&self, chapter: &Chapter) -> Result<()> {
        let max_pool = self.downsampling(Downsampling::MaxPool)?;
        let range = |variant: &Variant| {
            let test = variant.differences(max_pool, |r| 100.0 * r.test_accuracy);
            let spread = Spread::of(&test);
            let (low, high) = (
                spread.min.abs().min(spread.max.abs()),
                spread.min.abs().max(spread.max.abs()),
            );
            format!("{low:.2} to {high:.2} points")
        };
        chapter.write_value(
            "no_pooling_test_range",
            range(self.downsampling(Downsampling::None)?),
        )?;
        chapter.write_value(
            "strided_test_range",
            range(self.downsampling(Downsampling::StridedConv)?),
        )?;
        // The mean loss of each activation half way through the first epoch.
        for variant in &self.activations {
            let curve = variant.mean_loss_curve();
            let half = curve
                .iter()
                .find(|&&(at, _)| at >= 0.5)
                .context("a loss curve")?;
            let name = format!("{:?}_half_epoch_loss", variant.config.activation).to_lowercase();
            chapter.write_value(&name, format!("{:.2}", half.1))?;
        }
        Ok(())
    }

    /// The claims the chapter makes about these runs, checked on every build: if a
    /// change of the code or of the seeds makes one false, the book is not built
    /// until its prose is changed to say what the numbers then support.
    pub fn check_claims(&self) -> Result<()> {
        let [sigmoid, relu] = &self.activations[..] else {
            bail!("two activations");
        };
        // "The ReLU network ends higher than the sigmoid network in every run."
        let relu_better = relu.differences(sigmoid, |r| r.test_accuracy);
        ensure!(
            relu_better.iter().all(|&d| d > 0.0),
            "ReLU is not better than sigmoid in every seed: {relu_better:?}"
        );
        // "Half way through the first epoch the sigmoid network is still near the loss
        // of guessing, ln 10 = 2.30; the ReLU network has long left it."
        let half = |variant: &Variant| {
            let curve = variant.mean_loss_curve();
            curve
                .iter()
                .find(|&&(at, _)| at >= 0.5)
                .map_or(f32::NAN, |p| p.1)
        };
        let (sigmoid_half, relu_half) = (half(sigmoid), half(relu));
        ensure!(
            sigmoid_half > 2.0 && relu_half < 1.0,
            "losses half way through epoch 1: sigmoid {sigmoid_half}, ReLU {relu_half}"
        );
        // "Without pooling the gap is larger than with max pooling, in every seed."
        let max_pool = self.downsampling(Downsampling::MaxPool)?;
        let no_pooling = self.downsampling(Downsampling::None)?;
        let gaps = no_pooling.differences(max_pool, Run::gap);
        ensure!(
            gaps.iter().all(|&d| d > 0.0),
            "the gap without pooling is not larger in every seed: {gaps:?}"
        );
        // "... and it fits its training images better."
        let train = no_pooling.differences(max_pool, |r| r.train_accuracy);
        ensure!(
            train.iter().all(|&d| d > 0.0),
            "no pooling does not fit its training images better in every seed: {train:?}"
        );
        // "Yet it also tests better, in every seed."
        let test = no_pooling.differences(max_pool, |r| r.test_accuracy);
        ensure!(
            test.iter().all(|&d| d > 0.0),
            "no pooling does not test better in every seed: {test:?}"
        );
        // "Strided convolutions test worse than max pooling in every seed, with a larger gap."
        let strided = self.downsampling(Downsampling::StridedConv)?;
        let test = strided.differences(max_pool, |r| r.test_accuracy);
        let gaps = strided.differences(max_pool, Run::gap);
        ensure!(
            test.iter().all(|&d| d < 0.0) && gaps.iter().all(|&d| d > 0.0),
            "strided convolutions do not test worse with a larger gap in every seed: \
             {test:?}, {gaps:?}"
        );
        Ok(())
    }
}

/// Differences with their signs: `"+0.96, -0.12, +0.41"`.
fn signed_list(values: &[f32]) -> String {
    let texts: Vec<String> = values.iter().map(|v| format!("{v:+.2}")).collect();
    texts.join(", ")
}

/// `"2 of 3 seeds"`: how many of the values are above zero.
fn count_positive(values: &[f32]) -> String {
    let positive = values.iter().filter(|&&v| v > 0.0).count();
    format!("{positive} of {} seeds", values.len())
}

// ---------------------------------------------------------------------------
// 6. How large the gradients are at the start, layer by layer.
// ---------------------------------------------------------------------------

/// The gradient of every weight layer at the start of training: one backward pass of
/// the first 64 training images through a freshly built LeNet-5, for each activation
/// and for [`COMPARISON_SEEDS`] seeds of the starting weights. Its root-mean-square
/// size says how fast each layer starts to learn.
pub struct StartingGradients {
    /// The weight layers, input to output.
    pub layers: Vec<String>,
    /// For each activation, the RMS of each layer's weight gradient, one row per seed.
    pub rows: Vec<(Activation, Vec<Vec<f32>>)>,
}

impl StartingGradients {
    pub fn compute(args: &Args, data: &MnistData) -> Result<StartingGradients> {
        let batch = data.train().first(args.batch_size);
        let images = batch.images.to_floats(); // [B, 1, 28, 28], normalised
        let mut rows = Vec::new();
        let mut layers = Vec::new();
        for activation in [Activation::Sigmoid, Activation::Tanh, Activation::Relu] {
            let config = LeNetConfig {
                activation,
                downsampling: Downsampling::MaxPool,
            };
            let mut seeds = Vec::new();
            for seed in args.seed..args.seed + COMPARISON_SEEDS {
                let net = lenet5(config, seed)?;
                let trace = net.forward_train(images.view())?; // [B, 1, 28, 28] -> [B, 10]
                let d_logits = softmax_cross_entropy_backward(trace.output.flat()?, batch.labels)?;
                let gradients = net.backward(&trace, &d_logits, Want::Parameters)?;
                let mut sizes = Vec::new();
                layers.clear();
                for (named, gradient) in net.layers().iter().zip(&gradients.layers) {
                    if let Some(gradient) = gradient {
                        let w = &gradient.weight;
                        let rms = (w.mapv(|g| g * g).sum() / w.len() as f32).sqrt();
                        sizes.push(rms);
                        layers.push(named.name.clone());
                    }
                }
                seeds.push(sizes);
            }
            rows.push((activation, seeds));
        }
        Ok(StartingGradients { layers, rows })
    }

    /// Each layer's gradient size (the mean over the seeds), the first layer's as a
    /// fraction of the last's, and that fraction in each seed.
    pub fn table(&self) -> Table {
        let names = self.layers.join(" | ");
        let (first, last) = (&self.layers[0], &self.layers[self.layers.len() - 1]);
        let mut table = Table::columns(&format!(
            "activation (mean of {COMPARISON_SEEDS} seeds) | {names} | {first} / {last} \
             | {first} / {last} in each seed"
        ));
        for &(activation, _) in &self.rows {
            let sizes = self.mean_sizes(activation);
            let cells: Vec<String> = sizes.iter().map(|s| format!("{s:.2e}")).collect();
            let ratio = self.ratio(activation);
            let each: Vec<String> = (self.seed_ratios(activation).iter())
                .map(|r| format!("{r:.3}"))
                .collect();
            let (name, each) = (activation.name(), each.join(", "));
            row!(
                table,
                "{name} | {} | {ratio:.3} | {each}",
                cells.join(" | ")
            );
        }
        table
    }

    /// The sigmoid network's first-layer gradient as a fraction of its last layer's:
    /// `"1/135"`.
    pub fn sigmoid_fraction(&self) -> String {
        format!("1/{:.0}", 1.0 / self.ratio(Activation::Sigmoid))
    }

    /// What the chapter says of this table, in every seed: with sigmoid the first
    /// layer's gradient is a small fraction of the last's, with tanh and ReLU it is
    /// not.
    pub fn check_claims(&self) -> Result<()> {
        let ratios = |activation| self.seed_ratios(activation);
        let (sigmoid, tanh, relu) = (
            ratios(Activation::Sigmoid),
            ratios(Activation::Tanh),
            ratios(Activation::Relu),
        );
        ensure!(
            sigmoid.iter().all(|&r| r < 0.05)
                && tanh.iter().all(|&r| r > 0.5)
                && relu.iter().all(|&r| r > 0.5),
            "conv1 / fc3 gradients: sigmoid {sigmoid:?}, tanh {tanh:?}, ReLU {relu:?}"
        );
        Ok(())
    }

    /// The gradient sizes of every seed, for `activation`.
    fn seeds(&self, activation: Activation) -> &[Vec<f32>] {
        let row = self.rows.iter().find(|(a, _)| *a == activation);
        &row.expect("measured").1
    }

    /// Each layer's gradient size, the mean over the seeds.
    pub fn mean_sizes(&self, activation: Activation) -> Vec<f32> {
        let seeds = self.seeds(activation);
        (0..self.layers.len())
            .map(|layer| seeds.iter().map(|s| s[layer]).sum::<f32>() / seeds.len() as f32)
            .collect()
    }

    /// The first layer's gradient over the last layer's, in each seed.
    pub fn seed_ratios(&self, activation: Activation) -> Vec<f32> {
        let last = self.layers.len() - 1;
        (self.seeds(activation).iter())
            .map(|s| s[0] / s[last])
            .collect()
    }

    /// The first layer's mean gradient over the last layer's, for `activation`.
    pub fn ratio(&self, activation: Activation) -> f32 {
        let sizes = self.mean_sizes(activation);
        sizes[0] / sizes[sizes.len() - 1]
    }
}
