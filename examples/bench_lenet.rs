//! How fast is the engine? Convolution throughput and LeNet-5 training speed.
//!
//! `cargo run --release --example bench_lenet -- --threads 2`
//!
//! Prints, for the convolution shapes of LeNet-5 and Tiny VGG, the forward and
//! backward throughput of the naive reference and of the fast version (the direct loops
//! of `conv2d_direct` for one input channel, of `conv2d_stride_one` and
//! `conv2d_input_gradient` for stride 1 and several; im2col and a matrix multiply
//! otherwise) in GFLOP/s, each fast figure also as a share of the machine's
//! matrix-multiply peak, measured in the same run just before the row (a large
//! product on every thread at once). Each is the fastest call in half a second of calls,
//! the best of three rounds through the shapes.
//! The share is the figure to compare between runs: a busy machine slows the peak and
//! the convolution alike.
//!
//! Then where an epoch's time goes, layer by layer, on one thread: each layer alone
//! (the best of 200 runs, data in the caches) and in training (pieces through the whole
//! network one after another, every run counted), which is why the layers' sum alone is
//! less than the training loop's time; then one epoch of LeNet-5's training on MNIST, batch 64, SGD with momentum, through
//! [`fit`], the function `ch06_lenet` trains with: the seconds of the training loop
//! (what `ch06_lenet` prints per epoch) and of the test-set evaluation after it.
//! Timings depend on the machine and on what else runs on it; this is not part of the
//! book build. `--write` also writes the tables to `book/generated/ch06/speed_*.md`,
//! unless the machine was busy: a load average of a core more than the threads, GEMM
//! peaks more than 20% apart, or four single reference timings (before, between and after
//! the tables) more than 20% apart, in which case it only warns.

use std::time::Instant;

use anyhow::{Context, Result, bail};
use clap::Parser;
use cnn_book::output::repo_root;
use cnn_book::trained::MNIST;
use cnn_book::{Chapter, Table, cli, row};
use cnn_core::models::lenet::{LeNetConfig, MnistData, lenet5};
use cnn_core::nn::{NamedLayer, Tensor, Want};
use cnn_core::ops::{
    conv2d, conv2d_backward, conv2d_backward_naive, conv2d_naive,
    conv2d_one_channel_parameter_gradients, matmul_into,
};
use cnn_core::train::{IMAGES_PER_PIECE, Optimizer, Sgd, TrainConfig, fit};
use ndarray::{Array1, Array2, Array4};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Benchmark options.
#[derive(Debug, Parser)]
#[command(about = "Time the convolutions and LeNet-5's training steps")]
pub struct Args {
    /// Threads to compute with.
    #[arg(long, default_value_t = 2, value_parser = cli::count::<1, { cli::MAX_THREADS }>)]
    pub threads: usize,
    /// Training epochs to time (batch 64, 938 steps each).
    #[arg(long, default_value_t = 1, value_parser = cli::count::<1, 100>)]
    pub epochs: usize,
    /// Also write the tables to book/generated/ch06/speed_conv.md and speed_training.md.
    #[arg(long)]
    pub write: bool,
}

/// A convolution shape to time: input [64, C, H, H], F filters of K x K, padding P.
struct Shape {
    name: &'static str,
    channels: usize,
    size: usize,
    filters: usize,
    kernel: usize,
    padding: usize,
}

const fn shape(
    name: &'static str,
    [channels, size, filters, kernel, padding]: [usize; 5],
) -> Shape {
    Shape {
        name,
        channels,
        size,
        filters,
        kernel,
        padding,
    }
}

const SHAPES: [Shape; 4] = [
    shape(
        "LeNet-5 conv1: 1x28x28 -> 6@5x5, P=2 (backward: weights only)",
        [1, 28, 6, 5, 2],
    ),
    shape("LeNet-5 conv2: 6x14x14 -> 16@5x5", [6, 14, 16, 5, 0]),
    shape("Tiny VGG conv_1_1: 3x64x64 -> 10@3x3", [3, 64, 10, 3, 0]),
    shape("Tiny VGG conv_1_2: 10x62x62 -> 10@3x3", [10, 62, 10, 3, 0]),
];

/// Images per batch, in the convolutions and in training.
const BATCH: usize = 64;

fn main() -> Result<()> {
    let args = Args::parse();
    let chapter = args.write.then(|| Chapter::new("ch06")).transpose()?;
    rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build_global()?;
    let load_before = load_average()?;
    let mut references = vec![reference_seconds()];
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (convolutions, peaks) = convolution_table(args.threads, &mut rng)?;
    println!("{convolutions}");
    references.push(reference_seconds());
    let layers = layer_table()?;
    println!("{layers}");
    references.push(reference_seconds());
    let mut training = training_table(&args)?;
    references.push(reference_seconds());
    let load_after = load_average()?;
    // The conditions, with the numbers: a busy machine slows everything, unevenly.
    let (lowest, highest) = peaks
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &p| (lo.min(p), hi.max(p)));
    row!(
        training,
        "load average (1 minute) before and after | {load_before:.1}, {load_after:.1}"
    );
    row!(
        training,
        "GEMM peak, lowest and highest of the run | {lowest:.0}, {highest:.0} GFLOP/s"
    );
    let (fastest, slowest) = references
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    row!(
        training,
        "reference timing, fastest and slowest of the run | {:.2}, {:.2} ms",
        1e3 * fastest,
        1e3 * slowest
    );
    println!("{training}");
    let busy = load_before.max(load_after) >= args.threads as f64 + 1.0
        || highest > 1.2 * lowest
        || slowest > 1.2 * fastest;
    if busy {
        println!(
            "WARNING: the machine was busy (other work shared the cores): these timings are \
             not the machine's. Measure again when nothing else runs."
        );
    }
    if let Some(chapter) = chapter {
        if busy {
            bail!("not writing book/generated/ch06/speed_*.md: the machine was busy");
        }
        chapter.write_table("speed_conv", &convolutions)?;
        chapter.write_table("speed_training", &training)?;
        chapter.write_table("speed_layers", &layers)?;
        chapter.finish()?;
    }
    Ok(())
}

fn random4(shape: (usize, usize, usize, usize), rng: &mut ChaCha8Rng) -> Array4<f32> {
    Array4::from_shape_simple_fn(shape, || rng.random_range(-1.0..1.0))
}

/// Seconds of the fastest call of `f`, called again and again for half a second (at
/// least three times). On a virtual machine calls of a millisecond vary by a third from
/// one to the next, with nothing else running; the fastest is what the code can do, and
/// the peak and the convolutions are timed alike.
fn time(mut f: impl FnMut() -> cnn_core::Result<()>) -> Result<f64> {
    f()?; // warm up
    let start = Instant::now();
    let (mut calls, mut fastest) = (0, f64::INFINITY);
    while calls < 3 || start.elapsed().as_secs_f64() < 0.5 {
        let call = Instant::now();
        f()?;
        fastest = fastest.min(call.elapsed().as_secs_f64());
        calls += 1;
    }
    Ok(fastest)
}

/// The one-minute load average (Linux's `/proc/loadavg`): how many programs wanted
/// a core, on average, over the last minute.
fn load_average() -> Result<f64> {
    let text = std::fs::read_to_string("/proc/loadavg")
        .context("reading the load average from /proc/loadavg")?;
    let first = text.split_whitespace().next().unwrap_or_default();
    first
        .parse()
        .with_context(|| format!("/proc/loadavg starts with {first:?}, not a number"))
}

/// A reference timing, taken before, between and after the tables: one `PEAK_SIZE`
/// product on this thread, timed once (after one untimed, to warm up). Unlike the peak,
/// which is the fastest of many calls, a single short timing is slowed by any other
/// program that takes the core for a moment; four of them that differ by more than 20%
/// mean the machine was busy. (`bench/pytorch_lenet.py` times the same kind of
/// reference, with NumPy.)
fn reference_seconds() -> f64 {
    let a = Array2::from_elem((PEAK_SIZE, PEAK_SIZE), 0.5f32);
    let b = Array2::from_elem((PEAK_SIZE, PEAK_SIZE), 0.25f32);
    let mut c = Array2::<f32>::zeros((PEAK_SIZE, PEAK_SIZE));
    matmul_into(a.view(), b.view(), c.view_mut(), false);
    let start = Instant::now();
    matmul_into(a.view(), b.view(), c.view_mut(), false);
    start.elapsed().as_secs_f64()
}

/// The side of the square matrices of the peak measurement: large enough for the
/// multiply to run at full speed, small enough to take milliseconds.
const PEAK_SIZE: usize = 512;

/// The matrix-multiply peak in GFLOP/s: one `PEAK_SIZE` product per thread, all
/// threads at once, with the same kernel ([`matmul_into`]) the convolutions use.
fn gemm_peak(threads: usize) -> Result<f64> {
    let a = Array2::from_elem((PEAK_SIZE, PEAK_SIZE), 0.5f32);
    let b = Array2::from_elem((PEAK_SIZE, PEAK_SIZE), 0.25f32);
    let mut products = vec![Array2::<f32>::zeros((PEAK_SIZE, PEAK_SIZE)); threads];
    let seconds = time(|| {
        products.par_iter_mut().for_each(|c| {
            matmul_into(a.view(), b.view(), c.view_mut(), false);
        });
        Ok(())
    })?;
    let flop = 2.0 * (threads * PEAK_SIZE * PEAK_SIZE * PEAK_SIZE) as f64;
    Ok(flop / seconds / 1e9)
}

/// Rounds of the convolution table's fast timings: each round times the peak and every
/// shape's fast passes once more, and each row keeps its best. On a virtual machine
/// whose host slows it now and then for a second or so, one round can catch a slow
/// spell for a row; three rounds a minute apart rarely all do.
const ROUNDS: usize = 3;

/// Forward and backward throughput of the naive and the fast convolution, the fast
/// ones also as a share of the matrix-multiply peak measured just before them: the best
/// of [`ROUNDS`] rounds for the peak and for each fast pass.
fn convolution_table(threads: usize, rng: &mut ChaCha8Rng) -> Result<(Table, Vec<f64>)> {
    let mut table = Table::columns(
        "convolution (batch 64) | GEMM peak | fast forward | share of peak | fast backward \
         | share of peak | naive forward | naive backward",
    );
    // Each shape's data, and its work: a multiply and an add per kernel entry per output,
    // 2*N*F*H'*W'*C*K*K. The backward pass does twice that (the weight and the input
    // gradient), but for one channel it is the weight gradient alone: a first layer
    // computes no input gradient in training.
    let cases: Vec<_> = SHAPES
        .iter()
        .map(|shape| {
            let (c, f, k, p) = (shape.channels, shape.filters, shape.kernel, shape.padding);
            let x = random4((BATCH, c, shape.size, shape.size), rng);
            let w = random4((f, c, k, k), rng);
            let y = conv2d(x.view(), w.view(), Array1::zeros(f).view(), 1, p)?;
            let d_out = y.mapv(|v| v * 0.01);
            let (_, _, out_h, out_w) = y.dim();
            let forward = 2.0 * (BATCH * f * out_h * out_w * c * k * k) as f64;
            let backward = if c == 1 { forward } else { 2.0 * forward };
            Ok((shape, x, w, d_out, forward, backward))
        })
        .collect::<Result<_>>()?;
    let mut peaks = Vec::new();
    // Per shape: the highest peak (GFLOP/s), the best forward and backward (flop/s).
    let mut best = vec![(0.0f64, 0.0f64, 0.0f64); cases.len()];
    for _ in 0..ROUNDS {
        for ((shape, x, w, d_out, forward, backward), best) in cases.iter().zip(&mut best) {
            let (c, p) = (shape.channels, shape.padding);
            let b = Array1::zeros(shape.filters);
            let peak = gemm_peak(threads)?;
            peaks.push(peak);
            let fast_forward =
                forward / time(|| conv2d(x.view(), w.view(), b.view(), 1, p).map(drop))?;
            let fast_backward = if c == 1 {
                backward
                    / time(|| {
                        conv2d_one_channel_parameter_gradients(
                            x.view(),
                            w.view(),
                            d_out.view(),
                            1,
                            p,
                        )
                        .map(drop)
                    })?
            } else {
                backward
                    / time(|| conv2d_backward(x.view(), w.view(), d_out.view(), 1, p).map(drop))?
            };
            *best = (
                best.0.max(peak),
                best.1.max(fast_forward),
                best.2.max(fast_backward),
            );
        }
    }
    for ((shape, x, w, d_out, forward, _), &(peak, fast_forward, fast_backward)) in
        cases.iter().zip(&best)
    {
        let p = shape.padding;
        let b = Array1::zeros(shape.filters);
        let naive_forward =
            forward / time(|| conv2d_naive(x.view(), w.view(), b.view(), 1, p).map(drop))?;
        let naive_backward = 2.0 * forward
            / time(|| conv2d_backward_naive(x.view(), w.view(), d_out.view(), 1, p).map(drop))?;
        let gflops = |flop_per_second: f64| format!("{:.1} GFLOP/s", flop_per_second / 1e9);
        let share = |flop_per_second: f64| format!("{:.0}%", 100.0 * flop_per_second / 1e9 / peak);
        table.row([
            shape.name.to_string(),
            format!("{peak:.1} GFLOP/s"),
            gflops(fast_forward),
            share(fast_forward),
            gflops(fast_backward),
            share(fast_backward),
            gflops(naive_forward),
            gflops(naive_backward),
        ]);
    }
    Ok((table, peaks))
}

/// Where a training epoch's time goes: each layer's forward and backward pass on one
/// piece of a mini-batch ([`IMAGES_PER_PIECE`] images, as [`fit`] gives each thread),
/// on one thread, times the pieces in an epoch, measured two ways:
///
/// - alone: the layer run 200 times on the same piece, the best run counted. Its data
///   stay in the processor's caches, and a run that something else disturbed does not
///   count: what the layer's code can do.
/// - in training: [`SEQUENCE_PIECES`] pieces, each forward through the whole network
///   and back, as [`fit`] runs them, every run counted. Each layer now finds its data
///   where the layers before it left them, often out of the caches: this is what the
///   training loop's time is made of.
fn layer_table() -> Result<Table> {
    let net = lenet5(LeNetConfig::default(), 1)?;
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let pieces_per_epoch = 60_000.0 / IMAGES_PER_PIECE as f64;
    let mut table = Table::columns(
        "layer of LeNet-5 | forward, per piece, alone | backward, per piece, alone | forward, per piece, in training | backward, per piece, in training | seconds per epoch, alone | seconds per epoch, in training",
    );
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let in_training = pool.install(|| in_training(&net, &mut rng))?;
    let mut input = Tensor::from(random4((IMAGES_PER_PIECE, 1, 28, 28), &mut rng));
    let (mut total_alone, mut total_in_training) = (0.0, 0.0);
    for (index, NamedLayer { name, layer }) in net.layers().iter().enumerate() {
        let (forward, (output, cache)) =
            pool.install(|| best_of(|| layer.forward_train(input.clone())))?;
        let d_out = output.clone();
        let (backward, _) = pool.install(|| {
            best_of(|| layer.backward(&cache, d_out.view(), Want::Parameters, index == 0))
        })?;
        let (forward_in_training, backward_in_training) = in_training[index];
        let alone = (forward + backward) * pieces_per_epoch;
        let in_training = (forward_in_training + backward_in_training) * pieces_per_epoch;
        total_alone += alone;
        total_in_training += in_training;
        table.row([
            name.clone(),
            format!("{:.1} µs", forward * 1e6),
            format!("{:.1} µs", backward * 1e6),
            format!("{:.1} µs", forward_in_training * 1e6),
            format!("{:.1} µs", backward_in_training * 1e6),
            format!("{alone:.2}"),
            format!("{in_training:.2}"),
        ]);
        input = output;
    }
    table.row([
        "all layers".to_string(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        format!("{total_alone:.2}"),
        format!("{total_in_training:.2}"),
    ]);
    Ok(table)
}

/// Pieces timed "in training" by [`layer_table`].
const SEQUENCE_PIECES: usize = 400;

/// Each layer's mean forward and backward time, in seconds, when [`SEQUENCE_PIECES`]
/// pieces of random images go through the whole network one after another, forward
/// and back, as in training (the backward pass starts from the network's output, as
/// the timing alone does; the optimiser is left out).
fn in_training(net: &cnn_core::nn::Sequential, rng: &mut ChaCha8Rng) -> Result<Vec<(f64, f64)>> {
    let layers = net.layers();
    let mut seconds = vec![(0.0, 0.0); layers.len()];
    for _ in 0..SEQUENCE_PIECES {
        let mut x = Tensor::from(random4((IMAGES_PER_PIECE, 1, 28, 28), rng));
        let mut caches = Vec::with_capacity(layers.len());
        for (NamedLayer { layer, .. }, (forward, _)) in layers.iter().zip(&mut seconds) {
            let start = Instant::now();
            let (y, cache) = layer.forward_train(x)?;
            *forward += start.elapsed().as_secs_f64();
            caches.push(cache);
            x = y;
        }
        let mut d_x = x;
        for (index, (NamedLayer { layer, .. }, cache)) in
            layers.iter().zip(&caches).enumerate().rev()
        {
            let start = Instant::now();
            let (d_input, _) = layer.backward(cache, d_x.view(), Want::Parameters, index == 0)?;
            seconds[index].1 += start.elapsed().as_secs_f64();
            if let Some(d_input) = d_input {
                d_x = d_input;
            }
        }
    }
    let pieces = SEQUENCE_PIECES as f64;
    Ok(seconds
        .into_iter()
        .map(|(forward, backward)| (forward / pieces, backward / pieces))
        .collect())
}

/// The shortest of 200 runs of `f` (the run least disturbed by anything else), in
/// seconds, and the result of the last run.
fn best_of<T>(mut f: impl FnMut() -> cnn_core::Result<T>) -> Result<(f64, T)> {
    let mut best = f64::MAX;
    let mut result = f()?; // warm up
    for _ in 0..200 {
        let start = Instant::now();
        result = f()?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    Ok((best, result))
}

/// LeNet-5's training on MNIST through [`fit`], as `ch06_lenet` trains, but with SGD
/// and momentum (the optimiser of the comparison with PyTorch; Adam's extra work on
/// 61,706 parameters is negligible beside the convolutions).
fn training_table(args: &Args) -> Result<Table> {
    let data = MnistData::load(&repo_root().join(MNIST))?;
    let mut net = lenet5(LeNetConfig::default(), 1)?;
    let mut optimizer = Optimizer::Sgd(Sgd::new(0.01, 0.9)?);
    let config = TrainConfig {
        epochs: args.epochs,
        batch_size: BATCH,
        learning_rate_decay: 1.0,
        seed: 1,
        loss_every: 100,
    };
    let start = Instant::now();
    let history = fit(
        &mut net,
        &mut optimizer,
        data.train(),
        data.test(),
        &config,
        |_| {},
    )?;
    let total = start.elapsed().as_secs_f64();
    let epochs = args.epochs as f64;
    let training: f64 = history.epochs.iter().map(|e| f64::from(e.seconds)).sum();
    let testing = total - training;
    let mut table =
        Table::columns("LeNet-5 training on MNIST, batch 64, SGD with momentum | value");
    row!(table, "threads | {}", args.threads);
    row!(table, "epochs timed | {}", args.epochs);
    row!(
        table,
        "images per second (training loop) | {:.0}",
        epochs * 60_000.0 / training
    );
    row!(
        table,
        "seconds per epoch, training loop (what ch06_lenet prints) | {:.1}",
        training / epochs
    );
    row!(
        table,
        "seconds per epoch, testing 10,000 images after it | {:.1}",
        testing / epochs
    );
    Ok(table)
}
