//! # Exercise ch03-max-pool-argmax (implement)
//!
//! Max pooling keeps the largest value of each `K x K` window. The backward pass needs
//! to know *where* that value was, so write a max pooling that also returns it:
//!
//! ```text
//! y[i, j] = max over u, v in 0..K of x[i*S + u, j*S + v]
//! ```
//!
//! `map: [H, W] -> pooled: [H', W']` with `H' = (H - K) / S + 1` (no padding), and
//! `argmax`: for each output in row-major order (`(0,0), (0,1), ...`), the position
//! `(row, col)` in `map` of the maximum. On a tie, keep the *first* maximum in
//! row-major order within the window (as cnn-core does). You may assume the window fits.

use ndarray::{Array2, ArrayView2};

/// Max pooling of one map, with the position of each maximum.
pub fn max_pool_with_argmax(
    map: ArrayView2<f32>,
    kernel: usize,
    stride: usize,
) -> (Array2<f32>, Vec<(usize, usize)>) {
    todo!()
}
