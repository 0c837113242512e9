//! Solution of ch08-saliency-map.

use cnn_core::{Result, Sequential};
use ndarray::{Array2, ArrayD, ArrayView2, IxDyn};

/// `|d score / d x|`, from one backward pass seeded with 1 at the class's output.
pub fn saliency_map(net: &Sequential, image: ArrayView2<f32>, class: usize) -> Result<Array2<f32>> {
    let (height, width) = image.dim();
    let batch = image
        .to_shape((1, 1, height, width)) // [H, W] -> [1, 1, H, W]
        .expect("an [H, W] array has H * W values")
        .into_owned()
        .into_dyn();
    let (output, caches) = net.forward_train(batch.view())?; // -> [1, classes]
    let mut d_out = ArrayD::zeros(output.shape());
    d_out[IxDyn(&[0, class])] = 1.0; // d score / d output: 1 for the class, 0 elsewhere
    let (d_input, _) = net.backward(&caches, d_out.view())?; // -> [1, 1, H, W]
    let saliency = d_input
        .to_shape((height, width)) // [1, 1, H, W] -> [H, W]
        .expect("the input gradient has the input's shape")
        .mapv(f32::abs);
    Ok(saliency)
}
