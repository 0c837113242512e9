//! How fast is the engine? Convolution throughput and LeNet-5 training speed.
//!
//! `cargo run --release --example bench_lenet -- --threads 2`
//!
//! Prints, for the convolution shapes of LeNet-5 and Tiny VGG, the forward and
//! backward throughput of the naive reference and of the fast (im2col + matrix
//! multiply) version in GFLOP/s, and LeNet-5's training throughput at batch 64 in
//! images per second and seconds per epoch of 60,000 images. Timings depend on the
//! machine and on what else runs on it; this is not part of the book build.
//! `--write` also writes the tables to `book/generated/ch06/speed_*.md`.

use std::time::Instant;

use anyhow::Result;
use clap::Parser;
use cnn_book::{Chapter, Table, cli, row};
use cnn_core::models::lenet::{LeNetConfig, lenet5};
use cnn_core::ops::{conv2d, conv2d_backward, conv2d_backward_naive, conv2d_naive};
use cnn_core::train::{Optimizer, Sgd, train_step};
use ndarray::{Array1, Array4};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Benchmark options.
#[derive(Debug, Parser)]
#[command(about = "Time the convolutions and LeNet-5's training steps")]
pub struct Args {
    /// Threads to compute with.
    #[arg(long, default_value_t = 2, value_parser = cli::count::<1, { cli::MAX_THREADS }>)]
    pub threads: usize,
    /// Training steps to time (batch 64).
    #[arg(long, default_value_t = 200, value_parser = cli::count::<1, 100_000>)]
    pub steps: usize,
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
    shape("LeNet-5 conv1: 1x28x28 -> 6@5x5, P=2", [1, 28, 6, 5, 2]),
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
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let convolutions = convolution_table(&mut rng)?;
    println!("{convolutions}");
    let training = training_table(&args, &mut rng)?;
    println!("{training}");
    if let Some(chapter) = chapter {
        chapter.write_table("speed_conv", &convolutions)?;
        chapter.write_table("speed_training", &training)?;
        chapter.finish()?;
    }
    Ok(())
}

fn random4(shape: (usize, usize, usize, usize), rng: &mut ChaCha8Rng) -> Array4<f32> {
    Array4::from_shape_simple_fn(shape, || rng.random_range(-1.0..1.0))
}

/// Seconds per call of `f`, timed over at least half a second.
fn time(mut f: impl FnMut() -> cnn_core::Result<()>) -> Result<f64> {
    f()?; // warm up
    let start = Instant::now();
    let mut calls = 0;
    while start.elapsed().as_secs_f64() < 0.5 {
        f()?;
        calls += 1;
    }
    Ok(start.elapsed().as_secs_f64() / calls as f64)
}

/// Forward and backward throughput of the naive and the fast convolution.
fn convolution_table(rng: &mut ChaCha8Rng) -> Result<Table> {
    let mut table = Table::columns(
        "convolution (batch 64) | naive forward | fast forward | naive backward | fast backward",
    );
    for shape in &SHAPES {
        let (c, f, k, p) = (shape.channels, shape.filters, shape.kernel, shape.padding);
        let x = random4((BATCH, c, shape.size, shape.size), rng);
        let w = random4((f, c, k, k), rng);
        let b = Array1::zeros(f);
        let y = conv2d(x.view(), w.view(), b.view(), 1, p)?;
        let d_out = y.mapv(|v| v * 0.01);
        let (_, _, out_h, out_w) = y.dim();
        // A multiply and an add per kernel entry per output: 2*N*F*H'*W'*C*K*K.
        // The backward pass does twice that (the weight and the input gradient).
        let forward = 2.0 * (BATCH * f * out_h * out_w * c * k * k) as f64;
        let gflops = |seconds: f64, flop: f64| format!("{:.2} GFLOP/s", flop / seconds / 1e9);
        let naive_forward = time(|| conv2d_naive(x.view(), w.view(), b.view(), 1, p).map(drop))?;
        let fast_forward = time(|| conv2d(x.view(), w.view(), b.view(), 1, p).map(drop))?;
        let naive_backward =
            time(|| conv2d_backward_naive(x.view(), w.view(), d_out.view(), 1, p).map(drop))?;
        let fast_backward =
            time(|| conv2d_backward(x.view(), w.view(), d_out.view(), 1, p).map(drop))?;
        table.row([
            shape.name.to_string(),
            gflops(naive_forward, forward),
            gflops(fast_forward, forward),
            gflops(naive_backward, 2.0 * forward),
            gflops(fast_backward, 2.0 * forward),
        ]);
    }
    Ok(table)
}

/// LeNet-5's training throughput at batch 64 on random digits (speed does not depend
/// on the values).
fn training_table(args: &Args, rng: &mut ChaCha8Rng) -> Result<Table> {
    let mut net = lenet5(LeNetConfig::default(), 1)?;
    let mut optimizer = Optimizer::Sgd(Sgd::new(0.01, 0.9)?);
    let images = random4((BATCH, 1, 28, 28), rng);
    let labels: Vec<usize> = (0..BATCH).map(|i| i % 10).collect();
    train_step(&mut net, &mut optimizer, &images, &labels)?; // warm up
    let start = Instant::now();
    for _ in 0..args.steps {
        train_step(&mut net, &mut optimizer, &images, &labels)?;
    }
    let images_per_second = (args.steps * BATCH) as f64 / start.elapsed().as_secs_f64();
    let epoch = 60_000.0 / images_per_second;
    let mut table = Table::columns("LeNet-5 training, batch 64 | value");
    row!(table, "threads | {}", args.threads);
    row!(table, "images per second | {images_per_second:.0}");
    row!(table, "seconds per epoch (60,000 images) | {epoch:.1}");
    Ok(table)
}
