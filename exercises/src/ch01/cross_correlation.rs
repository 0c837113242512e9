//! # Exercise ch01-cross-correlation (implement)
//!
//! Write the 1-D cross-correlation that every CNN library calls "convolution", in
//! "valid" mode (no padding, stride 1):
//!
//! ```text
//! y[t] = sum over k in 0..K of x[t + k] * w[k]        for t in 0..L-K+1
//! ```
//!
//! `signal: [L], kernel: [K] -> output: [L - K + 1]`. You may assume `1 <= K <= L`.
//! Example: `cross_correlation(&[1, 2, 3, 4], &[1, 0, -1])` is `[-2, -2]`.

/// Slide `kernel` over `signal` without flipping it; one output per position where it fits.
pub fn cross_correlation(signal: &[f32], kernel: &[f32]) -> Vec<f32> {
    todo!()
}
