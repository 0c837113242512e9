//! # Exercise ch06-linear-backward (implement)
//!
//! The backward pass of a dense (全连接, fully connected) layer
//! `y[n,o] = b[o] + sum_i x[n,i] * w[o,i]`. Given `d_out[n,o] = dL/dy[n,o]`, the chain rule
//! gives
//!
//! ```text
//! d_x[n,i] = sum_o d_out[n,o] * w[o,i]
//! d_w[o,i] = sum_n d_out[n,o] * x[n,i]
//! d_b[o]   = sum_n d_out[n,o]
//! ```
//!
//! `x: [N, I], weight: [O, I], d_out: [N, O] -> (d_x [N, I], d_w [O, I], d_b [O])`.
//! Write the loops (or, once they pass, the matrix products `.dot()` they amount to).

use ndarray::{Array1, Array2, ArrayView2};

/// The gradients of a dense layer: `(d_input, d_weight, d_bias)`.
pub fn linear_backward(
    x: ArrayView2<f32>,
    weight: ArrayView2<f32>,
    d_out: ArrayView2<f32>,
) -> (Array2<f32>, Array2<f32>, Array1<f32>) {
    todo!()
}
