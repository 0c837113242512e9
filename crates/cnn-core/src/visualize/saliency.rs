//! Saliency: the gradient of the class score with respect to the pixels.

use ndarray::{Array2, Array3, ArrayView3, Axis};

use super::{check_class, forward_image, image_gradient, score_layer};
use crate::error::Result;
use crate::nn::Sequential;

/// The result of [`saliency`].
#[derive(Debug, Clone, PartialEq)]
pub struct Saliency {
    /// `d score / d x[c, i, j]`: `[C, H, W]`.
    pub gradient: Array3<f32>,
    /// `max_c |gradient[c, i, j]|`: `[H, W]`, the saliency map.
    pub map: Array2<f32>,
    /// The class score (logit) itself.
    pub score: f32,
}

// ANCHOR: saliency
/// The saliency map (显著图 saliency map) of Simonyan, Vedaldi and Zisserman (2014,
/// section 3): how much each pixel can change the score `z_class` of a class, the
/// score before the softmax (see [`score_layer`]):
///
/// ```text
/// gradient[c, i, j] = d z_class / d x[c, i, j]
/// map[i, j]         = max_c |gradient[c, i, j]|
/// ```
///
/// `image: [C, H, W] -> gradient: [C, H, W], map: [H, W]`. One forward pass to the
/// score layer, then the backward pass with `d z / d z_class = 1` and 0 for the other
/// classes.
///
/// # Errors
/// A class out of range, or an image that does not fit the network.
pub fn saliency(model: &Sequential, image: ArrayView3<f32>, class: usize) -> Result<Saliency> {
    let front = model.until(score_layer(model)?)?; // the network up to the scores
    let trace = forward_image(&front, image, "saliency")?;
    let scores = trace.output.flat()?; // [1, K]
    check_class("saliency", class, scores.ncols())?;
    let mut d_scores = Array2::zeros(scores.dim()); // [1, K]: 1 for the class, 0 elsewhere
    d_scores[[0, class]] = 1.0;
    let gradient = image_gradient(&front, &trace, &d_scores.into())?; // [C, H, W]
    let map = gradient.map_axis(Axis(0), |pixel| pixel.fold(0.0f32, |m, &g| m.max(g.abs()))); // [C, H, W] -> [H, W]
    Ok(Saliency {
        gradient,
        map,
        score: scores[[0, class]],
    })
}
// ANCHOR_END: saliency
