//! # Exercise ch03-max-pool-backward (implement)
//!
//! The backward pass of max pooling: each output's gradient goes to the one input that
//! won its window's max; the others get nothing. When windows overlap (`S < K`), one
//! input can win several windows: its gradients add up.
//!
//! ```text
//! d_x[i*S + u*, j*S + v*] += d_y[i, j]     where (u*, v*) is the argmax of window (i, j)
//! ```
//!
//! `map: [H, W], d_out: [H', W'] -> d_map: [H, W]`. On a tie, the first maximum in
//! row-major order wins. Each exercise is checked on its own, with only its own file, so
//! write the argmax loop again here (copy it from your ch03-max-pool-argmax if you like).

use ndarray::{Array2, ArrayView2};

/// The gradient of the loss with respect to the pooled map's input.
pub fn max_pool_backward(
    map: ArrayView2<f32>,
    d_out: ArrayView2<f32>,
    kernel: usize,
    stride: usize,
) -> Array2<f32> {
    todo!()
}
