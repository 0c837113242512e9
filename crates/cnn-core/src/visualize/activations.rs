//! The inputs that excite a channel most, and the input window one position sees.

use ndarray::{Array4, ArrayView4, Axis};

use super::IMAGES_PER_BATCH;
use crate::error::{CnnError, Result};
use crate::nn::{Layer, NamedLayer, Sequential, Tensor};

/// One strong activation: which image, where in the channel's map, and how strong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StrongActivation {
    /// Index of the image in the batch that was searched.
    pub image: usize,
    /// Row of the largest value in the channel's map.
    pub row: usize,
    /// Column of the largest value.
    pub column: usize,
    /// The value.
    pub value: f32,
}

/// For every channel of the layer called `layer`, the `top_k` images that excite it most, in
/// the manner of Zeiler and Fergus (2014, figure 2): an image's strength for channel
/// `c` is the largest value of its map,
///
/// ```text
/// strength[n, c] = max_i max_j y[n, c, i, j]        y = output of layer `layer`
/// ```
///
/// `images: [N, C, H, W] -> result[c]`: `top_k` activations, strongest first (ties
/// go to the lower image index). A layer with a 2-D output `[N, K]` (dense) counts
/// each of its `K` units as a channel with a 1x1 map.
///
/// # Errors
/// `top_k` of zero or larger than `N`, no layer of that name, or images that do not
/// fit the network.
pub fn strongest_activations(
    model: &Sequential,
    images: ArrayView4<f32>,
    layer: &str,
    top_k: usize,
) -> Result<Vec<Vec<StrongActivation>>> {
    let front = model.until(layer)?;
    let count = images.dim().0;
    if top_k == 0 || top_k > count {
        return Err(CnnError::setting(format!(
            "strongest_activations: top_k must be between 1 and the number of images {count}, got {top_k}"
        )));
    }
    // Every image's strongest position in every channel: [N][C].
    let mut per_image: Vec<Vec<StrongActivation>> = Vec::with_capacity(count);
    for (chunk_index, chunk) in images
        .axis_chunks_iter(Axis(0), IMAGES_PER_BATCH)
        .enumerate()
    {
        let output = as_maps(front.forward(chunk)?); // [B, C', H', W']
        for (b, maps) in output.outer_iter().enumerate() {
            let image = chunk_index * IMAGES_PER_BATCH + b;
            let mut channels = Vec::with_capacity(maps.dim().0);
            for map in maps.outer_iter() {
                let mut best = StrongActivation {
                    image,
                    row: 0,
                    column: 0,
                    value: f32::NEG_INFINITY,
                };
                for ((row, column), &value) in map.indexed_iter() {
                    if value > best.value {
                        best = StrongActivation {
                            image,
                            row,
                            column,
                            value,
                        };
                    }
                }
                channels.push(best);
            }
            per_image.push(channels);
        }
    }
    let channels = per_image.first().map(|c| c.len()).unwrap_or(0);
    Ok((0..channels)
        .map(|c| {
            let mut candidates: Vec<StrongActivation> =
                per_image.iter().map(|image| image[c]).collect();
            // Strongest first; a stable sort keeps ties in image order.
            candidates.sort_by(|a, b| b.value.total_cmp(&a.value));
            candidates.truncate(top_k);
            candidates
        })
        .collect())
}

/// A layer output as maps: `[N, C, H, W]` stays, `[N, K]` becomes `[N, K, 1, 1]`.
fn as_maps(output: Tensor) -> Array4<f32> {
    match output {
        Tensor::Maps(maps) => maps,
        Tensor::Flat(rows) => {
            let (n, k) = rows.dim();
            rows.into_shape_with_order((n, k, 1, 1))
                .expect("[N, K] has N*K values")
        }
    }
}

/// The input pixels that can affect position `(row, column)` of the output of the
/// layer called `layer`: its receptive field (感受野), as a window that may stick out of the image
/// where the network pads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputWindow {
    /// First input row (negative inside the top padding).
    pub top: isize,
    /// First input column (negative inside the left padding).
    pub left: isize,
    /// Rows covered.
    pub height: usize,
    /// Columns covered.
    pub width: usize,
}

/// The receptive field of one output position of the layer called `layer`, in input
/// pixels.
/// Walking back from the layer to the input through every convolution and pooling
/// layer (kernel `K`, stride `S`, padding `P`), a window of `size` positions starting
/// at `start` comes from
///
/// ```text
/// start <- start * S - P          size <- (size - 1) * S + K
/// ```
///
/// starting from `start = row` (or `column`), `size = 1`. Activations keep the window.
///
/// # Errors
/// No layer of that name, or a flatten or dense layer on the way (their outputs see
/// the whole image).
pub fn receptive_window(
    model: &Sequential,
    layer: &str,
    row: usize,
    column: usize,
) -> Result<InputWindow> {
    let front = model.until(layer)?;
    let (mut top, mut left) = (row as isize, column as isize);
    let (mut height, mut width) = (1usize, 1usize);
    for NamedLayer { name, layer } in front.layers().iter().rev() {
        let (kernel_h, kernel_w, stride, padding) = match layer {
            Layer::Conv2d(conv) => {
                let (_, _, kh, kw) = conv.weight.dim();
                (kh, kw, conv.stride, conv.padding)
            }
            Layer::Pool2d(pool) => (pool.kernel, pool.kernel, pool.stride, 0),
            Layer::Relu | Layer::Sigmoid | Layer::Tanh => continue,
            Layer::Flatten | Layer::Dense(_) | Layer::Softmax => {
                return Err(CnnError::setting(format!(
                    "receptive_window: layer {name} is not a map of positions; its units see the whole image"
                )));
            }
        };
        top = top * stride as isize - padding as isize;
        left = left * stride as isize - padding as isize;
        height = (height - 1) * stride + kernel_h;
        width = (width - 1) * stride + kernel_w;
    }
    Ok(InputWindow {
        top,
        left,
        height,
        width,
    })
}
