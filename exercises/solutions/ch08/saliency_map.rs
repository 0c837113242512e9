//! Solution of ch08-saliency-map.

use cnn_core::{Result, Sequential, Want};
use ndarray::{Array2, ArrayView2};

/// `|d score / d x|`, from one backward pass seeded with 1 at the class's output.
pub fn saliency_map(net: &Sequential, image: ArrayView2<f32>, class: usize) -> Result<Array2<f32>> {
    let (height, width) = image.dim();
    let batch = image
        .to_shape((1, 1, height, width)) // [H, W] -> [1, 1, H, W]
        .expect("an [H, W] array has H * W values")
        .into_owned();
    let trace = net.forward_train(&batch)?; // -> scores [1, classes]
    let mut d_scores = Array2::zeros(trace.output.flat()?.dim());
    d_scores[[0, class]] = 1.0; // d score / d scores: 1 for the class, 0 elsewhere
    let gradients = net.backward(&trace, &d_scores, Want::Input)?;
    let d_input = gradients
        .input
        .expect("Want::Input gives the input gradient")
        .into_maps()?; // [1, 1, H, W]
    let saliency = d_input
        .to_shape((height, width)) // [1, 1, H, W] -> [H, W]
        .expect("the input gradient has the input's shape")
        .mapv(f32::abs);
    Ok(saliency)
}
