//! # Exercise ch01-impulse-response (investigate)
//!
//! An *impulse* is a signal that is zero everywhere except for a single 1. Take
//! `x = [0, 0, 1, 0, 0]` and the asymmetric kernel `w = [1, 2, 3]`.
//!
//! 1. Predict the valid cross-correlation `y[t] = sum_k x[t + k] * w[k]` (three
//!    numbers) and write it in `predicted_cross_correlation`.
//! 2. Run `examples/ch01_convolution.rs` (the section on the flipped kernel) or
//!    compute it with `cnn_core::ops::conv1d`, and compare.
//! 3. In `EXPLANATION`, explain in two or three sentences why the kernel comes out
//!    backwards, and what true convolution would give instead.
//!
//! Run your experiments in `exercises/examples/scratch.rs`, a file of your own that is
//! never checked: `cargo run -p cnn-exercises --example scratch`.

/// Your prediction: the valid cross-correlation of `[0, 0, 1, 0, 0]` with `[1, 2, 3]`.
pub fn predicted_cross_correlation() -> Vec<f32> {
    todo!("write the three numbers you predict")
}

/// Your explanation, for your teacher to read.
pub const EXPLANATION: &str = r#"
TODO: explain here.
"#;
