//! # Exercise ch08-saliency-map (implement)
//!
//! A saliency map (Simonyan et al., 2014) shows which pixels the score of a class is most
//! sensitive to: the size of the gradient of the score with respect to each input pixel,
//!
//! ```text
//! saliency[i, j] = | d score / d x[i, j] |      with score = (output of net.forward(x))[0, class]
//! ```
//!
//! Backpropagation computes all of them at once: run `net.forward_train` on the image as a
//! batch of one `[1, 1, H, W]`, then `net.backward(&trace, &d_scores, Want::Input)` with
//! `d_scores` all zeros except a 1 at `[0, class]`: its `input` is `d score / d input`,
//! `[1, 1, H, W]` (`.into_maps()` gives the array).
//!
//! `image: [H, W] -> saliency: [H, W]`. Pass on the network's errors.

use cnn_core::{Result, Sequential};
use ndarray::{Array2, ArrayView2};

/// The absolute gradient of the score of `class` with respect to every pixel.
pub fn saliency_map(net: &Sequential, image: ArrayView2<f32>, class: usize) -> Result<Array2<f32>> {
    todo!()
}
