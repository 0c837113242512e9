//! How fast is the engine? Convolution throughput and LeNet-5 training speed.
//!
//! `cargo run --release --example bench_lenet -- --threads 2`
//!
//! Prints, for the convolution shapes of LeNet-5 and Tiny VGG, the forward and
//! backward throughput of the naive reference and of the fast (im2col + matrix
//! multiply) version in GFLOP/s, and LeNet-5's training throughput at batch 64 in
//! images per second and seconds per epoch of 60,000 images. Timings depend on the
//! machine and on what else runs on it; this is not part of the book build.
//! `--write` also writes the table to `book/generated/ch06/speed.md`.

use std::time::Instant;

use anyhow::Result;
use clap::Parser;
use cnn_book::{Chapter, Table};
use cnn_core::{
    Optimizer, Sgd, conv2d, conv2d_backward, conv2d_backward_naive, conv2d_naive, train_step,
};
use ndarray::{Array1, Array4};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[path = "ch06_lenet.rs"]
#[allow(dead_code)]
mod ch06;

/// Benchmark options.
#[derive(Debug, Parser)]
struct Args {
    /// Threads to compute with.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// Training steps to time (batch 64).
    #[arg(long, default_value_t = 200)]
    steps: usize,
    /// Also write the table to book/generated/ch06/speed.md.
    #[arg(long)]
    write: bool,
}

/// A convolution shape to time: input [N, C, H, W], F filters of K x K, padding P.
struct Shape {
    name: &'static str,
    channels: usize,
    size: usize,
    filters: usize,
    kernel: usize,
    padding: usize,
}

const SHAPES: [Shape; 4] = [
    Shape {
        name: "LeNet-5 conv1: 1x28x28 -> 6@5x5, P=2",
        channels: 1,
        size: 28,
        filters: 6,
        kernel: 5,
        padding: 2,
    },
    Shape {
        name: "LeNet-5 conv2: 6x14x14 -> 16@5x5",
        channels: 6,
        size: 14,
        filters: 16,
        kernel: 5,
        padding: 0,
    },
    Shape {
        name: "Tiny VGG conv_1_1: 3x64x64 -> 10@3x3",
        channels: 3,
        size: 64,
        filters: 10,
        kernel: 3,
        padding: 0,
    },
    Shape {
        name: "Tiny VGG conv_1_2: 10x62x62 -> 10@3x3",
        channels: 10,
        size: 62,
        filters: 10,
        kernel: 3,
        padding: 0,
    },
];

fn random4(shape: (usize, usize, usize, usize), rng: &mut ChaCha8Rng) -> Array4<f32> {
    Array4::from_shape_simple_fn(shape, || rng.random_range(-1.0..1.0))
}

/// Seconds per call of `f`, timed over at least `min_seconds`.
fn time(mut f: impl FnMut(), min_seconds: f64) -> f64 {
    f(); // warm up
    let start = Instant::now();
    let mut calls = 0;
    while start.elapsed().as_secs_f64() < min_seconds {
        f();
        calls += 1;
    }
    start.elapsed().as_secs_f64() / calls as f64
}

fn main() -> Result<()> {
    let args = Args::parse();
    rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .build_global()?;
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut table = Table::new([
        "convolution (batch 64)",
        "naive forward",
        "fast forward",
        "naive backward",
        "fast backward",
    ]);
    for shape in &SHAPES {
        let batch = 64;
        let x = random4((batch, shape.channels, shape.size, shape.size), &mut rng);
        let w = random4(
            (shape.filters, shape.channels, shape.kernel, shape.kernel),
            &mut rng,
        );
        let b = Array1::zeros(shape.filters);
        let y = conv2d(x.view(), w.view(), b.view(), 1, shape.padding)?;
        let d_out = y.mapv(|v| v * 0.01);
        let (_, _, out_h, out_w) = y.dim();
        // A multiply and an add per kernel entry per output: 2*N*F*H'*W'*C*K*K.
        // The backward pass does twice that (the weight and the input gradient).
        let forward_flop = 2.0
            * (batch * shape.filters * out_h * out_w * shape.channels * shape.kernel * shape.kernel)
                as f64;
        let gflops = |seconds: f64, flop: f64| format!("{:.2} GFLOP/s", flop / seconds / 1e9);
        let naive_forward = time(
            || {
                conv2d_naive(x.view(), w.view(), b.view(), 1, shape.padding).unwrap();
            },
            0.5,
        );
        let fast_forward = time(
            || {
                conv2d(x.view(), w.view(), b.view(), 1, shape.padding).unwrap();
            },
            0.5,
        );
        let naive_backward = time(
            || {
                conv2d_backward_naive(x.view(), w.view(), d_out.view(), 1, shape.padding).unwrap();
            },
            0.5,
        );
        let fast_backward = time(
            || {
                conv2d_backward(x.view(), w.view(), d_out.view(), 1, shape.padding).unwrap();
            },
            0.5,
        );
        table.row([
            shape.name.to_string(),
            gflops(naive_forward, forward_flop),
            gflops(fast_forward, forward_flop),
            gflops(naive_backward, 2.0 * forward_flop),
            gflops(fast_backward, 2.0 * forward_flop),
        ]);
    }
    println!("{table}");

    // LeNet-5 training throughput at batch 64 on random digits (speed does not
    // depend on the values).
    let mut net = ch06::lenet5(ch06::Activation::Relu, ch06::Downsampling::MaxPool, 1)?;
    let mut optimizer = Optimizer::Sgd(Sgd::new(0.01, 0.9)?);
    let images = random4((64, 1, 28, 28), &mut rng).into_dyn();
    let labels: Vec<usize> = (0..64).map(|i| i % 10).collect();
    train_step(&mut net, &mut optimizer, images.view(), &labels)?; // warm up
    let start = Instant::now();
    for _ in 0..args.steps {
        train_step(&mut net, &mut optimizer, images.view(), &labels)?;
    }
    let seconds = start.elapsed().as_secs_f64();
    let images_per_second = (args.steps * 64) as f64 / seconds;
    let mut training = Table::new(["LeNet-5 training, batch 64", "value"]);
    training.row(["threads".to_string(), args.threads.to_string()]);
    training.row([
        "images per second".to_string(),
        format!("{images_per_second:.0}"),
    ]);
    training.row([
        "seconds per epoch (60,000 images)".to_string(),
        format!("{:.1}", 60_000.0 / images_per_second),
    ]);
    println!("{training}");
    if args.write {
        let chapter = Chapter::new("ch06");
        chapter.write_table("speed_conv", &table)?;
        chapter.write_table("speed_training", &training)?;
    }
    Ok(())
}
