//! Solution of ch08-occlusion-map.

use cnn_core::{Result, Sequential, output_size};
use ndarray::{Array2, ArrayView2, s};

/// `map[i,j] = score(x) - score(x with the patch at (i*S, j*S) set to 0)`.
pub fn occlusion_map(
    net: &Sequential,
    image: ArrayView2<f32>,
    class: usize,
    patch: usize,
    stride: usize,
) -> Result<Array2<f32>> {
    let (height, width) = image.dim();
    let out_h = output_size(height, patch, stride, 0)?;
    let out_w = output_size(width, patch, stride, 0)?;
    let score = |x: &Array2<f32>| -> Result<f32> {
        let batch = x
            .to_shape((1, 1, height, width)) // [H, W] -> [1, 1, H, W]
            .expect("an [H, W] array has H * W values")
            .into_owned();
        let scores = net.forward(&batch)?.into_flat()?; // [1, 1, H, W] -> [1, classes]
        Ok(scores[[0, class]])
    };
    let original = score(&image.to_owned())?;
    let mut map = Array2::zeros((out_h, out_w));
    for i in 0..out_h {
        for j in 0..out_w {
            let mut covered = image.to_owned();
            let (top, left) = (i * stride, j * stride);
            covered
                .slice_mut(s![top..top + patch, left..left + patch])
                .fill(0.0);
            map[[i, j]] = original - score(&covered)?;
        }
    }
    Ok(map)
}
