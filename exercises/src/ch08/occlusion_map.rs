//! # Exercise ch08-occlusion-map (implement)
//!
//! Which part of the image does the network need? Cover it and see (Zeiler and Fergus,
//! 2014): slide a square grey patch (here: zeros) of side `patch` over the image with
//! step `stride`, and at each position measure how much the score of `class` drops.
//!
//! ```text
//! map[i, j] = score(image) - score(image with rows i*S..i*S+P and columns j*S..j*S+P set to 0)
//! ```
//!
//! where `score(x)` is `net.forward(&x)?.into_flat()?[[0, class]]` for `x` as a batch of
//! one `[1, 1, H, W]` (for LeNet-5 the output is the logits). `image: [H, W] -> map: [H', W']` with
//! `H' = output_size(H, patch, stride, 0)`.
//!
//! Return an error (use `cnn_core::output_size(...)?`, which gives one) when the patch
//! does not fit or the stride is 0, and pass on the network's errors. Useful:
//! `image.to_owned().into_shape_with_order((1, 1, h, w))` and
//! `.slice_mut(s![...]).fill(0.0)`.

use cnn_core::{Result, Sequential};
use ndarray::{Array2, ArrayView2};

/// The drop in the score of `class` for each position of the covering patch.
pub fn occlusion_map(
    net: &Sequential,
    image: ArrayView2<f32>,
    class: usize,
    patch: usize,
    stride: usize,
) -> Result<Array2<f32>> {
    todo!()
}
