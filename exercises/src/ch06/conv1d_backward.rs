//! # Exercise ch06-conv1d-backward (implement)
//!
//! The backward pass of a 1-D convolution (one channel, one filter, stride 1, no
//! padding, no bias): `y[t] = sum_k x[t + k] * w[k]`. Each product `x[t+k] * w[k]`
//! sends `d_out[t]` back to both of its factors:
//!
//! ```text
//! d_x[t + k] += d_out[t] * w[k]
//! d_w[k]     += d_out[t] * x[t + k]
//! ```
//!
//! `signal: [L], kernel: [K], d_out: [L - K + 1] -> (d_signal [L], d_kernel [K])`.

/// The gradients of a valid 1-D cross-correlation: `(d_signal, d_kernel)`.
pub fn conv1d_backward(signal: &[f32], kernel: &[f32], d_out: &[f32]) -> (Vec<f32>, Vec<f32>) {
    todo!()
}
