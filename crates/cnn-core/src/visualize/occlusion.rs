//! Occlusion: hide part of the image, watch the probability.

use ndarray::{Array2, Array4, ArrayView3, Axis, s};

use super::{IMAGES_PER_BATCH, check_class, class_probabilities, image_error};
use crate::error::{CnnError, Result};
use crate::nn::Sequential;

/// Where and how [`occlusion_map`] hides part of the image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OcclusionConfig {
    /// Side of the square that is hidden, in pixels.
    pub window: usize,
    /// Step between window positions, in pixels (步长 stride).
    pub stride: usize,
    /// The value the hidden pixels get (grey 0.5 for a photo in `[0, 1]`, the paper's
    /// value for a digit).
    pub fill: f32,
}

/// The result of [`occlusion_map`].
#[derive(Debug, Clone, PartialEq)]
pub struct OcclusionMap {
    /// `probability[i, j]`: the class probability with the window's top-left corner
    /// at pixel `(i * stride, j * stride)`; `[H', W']`.
    pub probability: Array2<f32>,
    /// The probability of the class for the image as it is.
    pub unoccluded: f32,
    /// The window side and stride used.
    pub window: usize,
    /// The stride used.
    pub stride: usize,
}

impl OcclusionMap {
    /// The window position whose hiding lowers the probability most: `(top, left)`
    /// in pixels (the first one in row order if several tie).
    pub fn most_sensitive(&self) -> (usize, usize) {
        let mut best = (0, 0);
        for ((i, j), &p) in self.probability.indexed_iter() {
            if p < self.probability[best] {
                best = (i, j);
            }
        }
        (best.0 * self.stride, best.1 * self.stride)
    }

    /// The lowest probability over all window positions.
    pub fn lowest(&self) -> f32 {
        self.probability.fold(f32::INFINITY, |m, &p| m.min(p))
    }

    /// The map at the image's resolution, for drawing over it: each pixel gets the
    /// mean probability of all window positions that hide it (the unoccluded
    /// probability if none does, as at a far edge that floor mode leaves out).
    ///
    /// ```text
    /// per_pixel[u, v] = mean of probability[i, j] over i*S <= u < i*S + window,
    ///                                               j*S <= v < j*S + window
    /// ```
    ///
    /// `-> [height, width]`
    pub fn per_pixel(&self, height: usize, width: usize) -> Array2<f32> {
        let mut sum = Array2::<f32>::zeros((height, width));
        let mut count = Array2::<f32>::zeros((height, width));
        for ((i, j), &p) in self.probability.indexed_iter() {
            let (top, left) = (i * self.stride, j * self.stride);
            let bottom = (top + self.window).min(height);
            let right = (left + self.window).min(width);
            sum.slice_mut(s![top..bottom, left..right])
                .mapv_inplace(|v| v + p);
            count
                .slice_mut(s![top..bottom, left..right])
                .mapv_inplace(|v| v + 1.0);
        }
        ndarray::Zip::from(&sum)
            .and(&count)
            .map_collect(|&s, &n| if n > 0.0 { s / n } else { self.unoccluded })
    }
}

// ANCHOR: occlusion_map
/// Occlusion sensitivity (遮挡 occlusion; Zeiler and Fergus, 2014): slide a
/// `window x window` square of the value `fill` over the image and record the
/// probability of `class` at every position.
///
/// `image: [C, H, W] -> probability: [H', W']`, `H' = (H - window) / stride + 1`
/// (floor; the same count as a convolution without padding), and
///
/// ```text
/// probability[i, j] = p(class | image with x[c, u, v] = fill
///                             for i*S <= u < i*S + window, j*S <= v < j*S + window)
/// ```
///
/// Where the probability drops, the network needed what was hidden. All occluded
/// copies of the image are run in batches of 64.
///
/// # Errors
/// A window of zero or larger than the image, a zero stride, a class out of range,
/// or an image that does not fit the network.
pub fn occlusion_map(
    model: &Sequential,
    image: ArrayView3<f32>,
    class: usize,
    config: OcclusionConfig,
) -> Result<OcclusionMap> {
    let OcclusionConfig {
        window,
        stride,
        fill,
    } = config;
    let (channels, height, width) = image.dim();
    if stride == 0 {
        return Err(CnnError::setting(
            "occlusion_map: stride must be at least 1, got 0",
        ));
    }
    if window == 0 || window > height || window > width {
        return Err(CnnError::setting(format!(
            "occlusion_map: window {window} must be between 1 and the image's smaller side \
             (the image is {height}x{width})"
        )));
    }
    let unoccluded = class_probabilities(model, image.insert_axis(Axis(0)))
        .map_err(|e| image_error("occlusion_map", image.shape(), e))?; // [1, K]
    check_class("occlusion_map", class, unoccluded.dim().1)?;
    let rows = (height - window) / stride + 1; // H'
    let columns = (width - window) / stride + 1; // W'
    let positions: Vec<(usize, usize)> = (0..rows)
        .flat_map(|i| (0..columns).map(move |j| (i, j)))
        .collect();
    let mut probability = Array2::zeros((rows, columns)); // [H', W']
    for chunk in positions.chunks(IMAGES_PER_BATCH) {
        let mut batch = Array4::zeros((chunk.len(), channels, height, width)); // [B, C, H, W]
        for (b, &(i, j)) in chunk.iter().enumerate() {
            let mut occluded = batch.index_axis_mut(Axis(0), b);
            occluded.assign(&image);
            let (top, left) = (i * stride, j * stride);
            occluded
                .slice_mut(s![.., top..top + window, left..left + window])
                .fill(fill);
        }
        let p = class_probabilities(model, batch.view())?; // [B, K]
        for (b, &(i, j)) in chunk.iter().enumerate() {
            probability[[i, j]] = p[[b, class]];
        }
    }
    Ok(OcclusionMap {
        probability,
        unoccluded: unoccluded[[0, class]],
        window,
        stride,
    })
}
// ANCHOR_END: occlusion_map
