//! # Exercise ch02-multichannel-conv (implement)
//!
//! Write one image's convolution layer: `F` filters, each spanning all `C` input
//! channels, stride 1, no padding (cross-correlation, as in the chapter):
//!
//! ```text
//! y[f, i, j] = b[f] + sum_c sum_u sum_v x[c, i + u, j + v] * w[f, c, u, v]
//! ```
//!
//! `input: [C, H, W], weight: [F, C, K, K], bias: [F] -> output: [F, H-K+1, W-K+1]`.
//! You may assume the shapes fit. Use `Array3::zeros((f, h, w))` for the output and
//! index with `x[[c, row, col]]`.

use ndarray::{Array3, ArrayView1, ArrayView3, ArrayView4};

/// One image through a convolution layer: one feature map per filter.
pub fn conv2d_one_image(
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: ArrayView1<f32>,
) -> Array3<f32> {
    todo!()
}
