//! # Exercise ch01-true-convolution (implement)
//!
//! Write true convolution as signal processing defines it, in "full" mode (every shift
//! where the kernel overlaps the signal at least partly, like `numpy.convolve`):
//!
//! ```text
//! y[t] = sum over k in 0..K of x[t - k] * h[k]        for t in 0..L+K-1
//! ```
//!
//! where a term whose index `t - k` falls outside `0..L` is zero. Note the minus
//! sign: the kernel is flipped. `signal: [L], kernel: [K] -> output: [L + K - 1]`.
//! You may assume both are non-empty.
//! Example: `convolution_full(&[1, 2], &[1, 10])` is `[1, 12, 20]`.

/// Convolve `signal` with `kernel` (flipped), in full mode.
pub fn convolution_full(signal: &[f32], kernel: &[f32]) -> Vec<f32> {
    todo!()
}
