//! 可视化 Visualization: what a trained network has learned, and what its decision
//! depends on.
//!
//! | function | question it answers | after |
//! |---|---|---|
//! | [`oriented_edge_response`] | which edge direction excites a first-layer filter? | chapter 2 |
//! | [`strongest_activations`] | which inputs excite a channel most? | Zeiler & Fergus (2014) |
//! | [`occlusion_map`] | which part of the image does the decision depend on? | Zeiler & Fergus (2014) |
//! | [`saliency`] | which pixels change the class score fastest? | Simonyan, Vedaldi & Zisserman (2014) |
//! | [`maximize_activation`] | what input does a channel or class want to see? | Erhan et al. (2009) |
//! | [`invert_representation`] | what does a layer still know about the image? | Mahendran & Vedaldi (2015) |
//!
//! The last three need the gradient of something computed from a layer's output with
//! respect to the *input pixels*: the same backward pass that trains the network, run
//! with the weights fixed ([`Sequential::forward_train_to`] and
//! [`Sequential::backward_to_input`]).
//!
//! One image is `[C, H, W]`; the network sees it as a batch of one, `[1, C, H, W]`.
//! Everything here is deterministic: random starting images come from a seeded
//! `ChaCha8Rng`.

use ndarray::{Array2, Array3, Array4, ArrayD, ArrayView3, ArrayView4, Axis, Ix2, Ix4, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{CnnError, Result};
use crate::model::{Layer, Sequential};
use crate::softmax::softmax;

/// Images per forward pass when a method runs many images (occlusion, strongest
/// activations): large enough to be fast, small enough to keep memory modest.
const IMAGES_PER_BATCH: usize = 64;

// ---------------------------------------------------------------------------
// Helpers: scores, probabilities, shapes.
// ---------------------------------------------------------------------------

/// The index of the layer whose output is the class *scores* (logits, before softmax):
/// the last layer, or the one before it when the network ends with a softmax.
///
/// Saliency and class maximisation use the score, not the probability: the
/// probability of class `k` can also rise by lowering the other classes' scores, so
/// its gradient mixes in what the image is *not* (Simonyan et al., 2014, section 2).
///
/// # Errors
/// A network without layers, or one that is only a softmax.
pub fn score_layer(model: &Sequential) -> Result<usize> {
    match model.layers.last() {
        None => Err(CnnError::InvalidConfig(
            "the network has no layers".to_string(),
        )),
        Some((_, Layer::Softmax)) if model.layers.len() == 1 => Err(CnnError::InvalidConfig(
            "the network is only a softmax: it has no class scores".to_string(),
        )),
        Some((_, Layer::Softmax)) => Ok(model.layers.len() - 2),
        Some(_) => Ok(model.layers.len() - 1),
    }
}

/// Class probabilities of a batch: `[N, C, H, W] -> [N, K]`. The network's output if
/// it ends with a softmax, otherwise the softmax of its output (the logits).
///
/// # Errors
/// A batch that does not fit the network, or a network whose output is not `[N, K]`.
pub fn class_probabilities(model: &Sequential, batch: ArrayView4<f32>) -> Result<Array2<f32>> {
    let output = model.forward(batch.into_dyn())?;
    let shape = output.shape().to_vec();
    let output = output
        .into_dimensionality::<Ix2>()
        .map_err(|_| CnnError::shape("network output", "[N, K] class scores", &shape))?;
    match model.layers.last() {
        Some((_, Layer::Softmax)) => Ok(output),
        _ => Ok(softmax(output.view())),
    }
}

/// Run one image `[C, H, W]` through layers `0..=last` for training, with an error
/// that says which method was given an image the network cannot take.
fn forward_image(
    model: &Sequential,
    image: ArrayView3<f32>,
    last: usize,
    method: &str,
) -> Result<(ArrayD<f32>, Vec<crate::model::Cache>)> {
    let batch = image.insert_axis(Axis(0)).into_dyn(); // [C, H, W] -> [1, C, H, W]
    model
        .forward_train_to(batch, last)
        .map_err(|e| image_error(method, image.shape(), e))
}

fn image_error(method: &str, shape: &[usize], error: CnnError) -> CnnError {
    CnnError::InvalidConfig(format!(
        "{method}: the image of shape {shape:?} ([C, H, W]) does not fit the network: {error}"
    ))
}

/// The number of classes (or units) in the output of layer `layer` for `image`, and a
/// check that `class` is one of them.
fn check_class(method: &str, class: usize, classes: usize) -> Result<()> {
    if class >= classes {
        return Err(CnnError::InvalidConfig(format!(
            "{method}: class {class} is out of range: the network has {classes} classes (0 to {})",
            classes.saturating_sub(1)
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// 1. First-layer filters: which edge direction do they respond to?
// ---------------------------------------------------------------------------

/// A step edge through the centre of a `height x width` patch, bright (+1) on the side
/// its normal points to and dark (-1) on the other; pixels exactly on the edge are 0.
///
/// With `x = v - (width-1)/2` (to the right) and `y = (height-1)/2 - u` (up), the
/// normal at `angle_degrees` (counter-clockwise from "to the right") gives
///
/// ```text
/// edge[u, v] = sign(x cos(angle) + y sin(angle))
/// ```
///
/// so 0° is dark-left/bright-right (a vertical edge) and 90° is bright-top/dark-bottom.
pub fn edge_image(height: usize, width: usize, angle_degrees: f32) -> Array2<f32> {
    let (sin, cos) = angle_degrees.to_radians().sin_cos();
    let center_row = (height as f32 - 1.0) / 2.0;
    let center_column = (width as f32 - 1.0) / 2.0;
    Array2::from_shape_fn((height, width), |(u, v)| {
        let x = v as f32 - center_column;
        let y = center_row - u as f32;
        let distance = x * cos + y * sin;
        // Rounding noise of sin/cos must not decide a pixel that lies on the edge.
        if distance.abs() < 1e-4 {
            0.0
        } else {
            distance.signum()
        }
    })
}

// ANCHOR: oriented_edge_response
/// How strongly each first-layer filter responds to a grey step edge at each angle:
/// `weight: [F, C, K, K], angles: [A] -> response: [F, A]`, with
///
/// ```text
/// response[f, a] = sum_c sum_u sum_v w[f, c, u, v] * edge_a[u, v]
/// ```
///
/// where `edge_a` is [`edge_image`] at `angles_degrees[a]`, the same in every channel
/// (a grey edge). This is the filter's output at the edge's centre, without the bias.
/// The angle with the largest response is the edge the filter detects; the opposite
/// angle (180° away) gives the same number with the sign flipped.
///
/// # Errors
/// No angles, or an empty kernel.
pub fn oriented_edge_response(
    weight: ArrayView4<f32>,
    angles_degrees: &[f32],
) -> Result<Array2<f32>> {
    let (filters, channels, kernel_h, kernel_w) = weight.dim();
    if angles_degrees.is_empty() {
        return Err(CnnError::InvalidConfig(
            "oriented_edge_response: give at least one angle".to_string(),
        ));
    }
    if kernel_h == 0 || kernel_w == 0 || channels == 0 {
        return Err(CnnError::shape(
            "oriented_edge_response weight",
            "[F, C, K, K] with C, K >= 1",
            weight.shape(),
        ));
    }
    let mut response = Array2::zeros((filters, angles_degrees.len())); // [F, A]
    for (a, &angle) in angles_degrees.iter().enumerate() {
        let edge = edge_image(kernel_h, kernel_w, angle); // [K, K]
        for f in 0..filters {
            let mut sum = 0.0;
            for c in 0..channels {
                for u in 0..kernel_h {
                    for v in 0..kernel_w {
                        sum += weight[[f, c, u, v]] * edge[[u, v]];
                    }
                }
            }
            response[[f, a]] = sum;
        }
    }
    Ok(response)
}
// ANCHOR_END: oriented_edge_response

// ---------------------------------------------------------------------------
// 2. The inputs that excite a channel most.
// ---------------------------------------------------------------------------

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

/// For every channel of layer `layer`, the `top_k` images that excite it most, in
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
/// `top_k` of zero or larger than `N`, a layer index out of range, or images that do
/// not fit the network.
pub fn strongest_activations(
    model: &Sequential,
    images: ArrayView4<f32>,
    layer: usize,
    top_k: usize,
) -> Result<Vec<Vec<StrongActivation>>> {
    let count = images.dim().0;
    if top_k == 0 || top_k > count {
        return Err(CnnError::InvalidConfig(format!(
            "strongest_activations: top_k must be between 1 and the number of images {count}, got {top_k}"
        )));
    }
    // Every image's strongest position in every channel: [N][C].
    let mut per_image: Vec<Vec<StrongActivation>> = Vec::with_capacity(count);
    for (chunk_index, chunk) in images
        .axis_chunks_iter(Axis(0), IMAGES_PER_BATCH)
        .enumerate()
    {
        let output = model.forward_to(chunk.into_dyn(), layer)?;
        let output = as_maps(output)?; // [B, C', H', W']
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
fn as_maps(output: ArrayD<f32>) -> Result<Array4<f32>> {
    let shape = output.shape().to_vec();
    match shape.len() {
        4 => Ok(output.into_dimensionality::<Ix4>().expect("4 axes")),
        2 => Ok(output
            .into_shape_with_order((shape[0], shape[1], 1, 1))
            .expect("[N, K] has N*K values")),
        _ => Err(CnnError::shape(
            "layer output",
            "[N, C, H, W] or [N, K]",
            &shape,
        )),
    }
}

/// The input pixels that can affect position `(row, column)` of layer `layer`'s
/// output: its receptive field (感受野), as a window that may stick out of the image
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

/// The receptive field of one output position of layer `layer`, in input pixels.
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
/// A layer index out of range, or a flatten or dense layer on the way (their outputs
/// see the whole image).
pub fn receptive_window(
    model: &Sequential,
    layer: usize,
    row: usize,
    column: usize,
) -> Result<InputWindow> {
    if layer >= model.layers.len() {
        return Err(CnnError::InvalidConfig(format!(
            "receptive_window: layer index {layer} is out of range: the network has {} layers",
            model.layers.len()
        )));
    }
    let (mut top, mut left) = (row as isize, column as isize);
    let (mut height, mut width) = (1usize, 1usize);
    for (name, l) in model.layers[..=layer].iter().rev() {
        let (kernel_h, kernel_w, stride, padding) = match l {
            Layer::Conv2d(conv) => {
                let (_, _, kh, kw) = conv.weight.dim();
                (kh, kw, conv.stride, conv.padding)
            }
            Layer::Pool2d(pool) => (pool.kernel, pool.kernel, pool.stride, 0),
            Layer::Relu | Layer::Sigmoid | Layer::Tanh => continue,
            Layer::Flatten | Layer::Dense(_) | Layer::Softmax => {
                return Err(CnnError::InvalidConfig(format!(
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

// ---------------------------------------------------------------------------
// 3. Occlusion: hide part of the image, watch the probability.
// ---------------------------------------------------------------------------

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
        return Err(CnnError::InvalidConfig(
            "occlusion_map: stride must be at least 1, got 0".to_string(),
        ));
    }
    if window == 0 || window > height || window > width {
        return Err(CnnError::InvalidConfig(format!(
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

// ---------------------------------------------------------------------------
// 4. Saliency: the gradient of the class score with respect to the pixels.
// ---------------------------------------------------------------------------

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
    let last = score_layer(model)?;
    let (scores, caches) = forward_image(model, image, last, "saliency")?; // [1, K]
    let classes = scores.len();
    check_class("saliency", class, classes)?;
    let mut d_scores = ArrayD::zeros(scores.shape()); // [1, K]
    d_scores[[0, class]] = 1.0;
    let gradient = model.backward_to_input(&caches, d_scores.view())?; // [1, C, H, W]
    let gradient = gradient
        .index_axis_move(Axis(0), 0)
        .into_dimensionality::<ndarray::Ix3>()
        .expect("the input gradient has the image's shape"); // [C, H, W]
    let map = gradient.map_axis(Axis(0), |pixel| pixel.fold(0.0f32, |m, &g| m.max(g.abs()))); // [C, H, W] -> [H, W]
    Ok(Saliency {
        gradient,
        map,
        score: scores[[0, class]],
    })
}
// ANCHOR_END: saliency

// ---------------------------------------------------------------------------
// 5. The smoothness prior, and gradient steps on an image.
// ---------------------------------------------------------------------------

// ANCHOR: total_variation
/// Total variation: how much neighbouring pixels differ, as a mean of squared
/// differences (Mahendran and Vedaldi's `V^beta` with `beta = 2`), with its gradient.
///
/// ```text
/// TV(x) = 1/(C*H*W) * sum_c sum_i sum_j [ (x[c,i+1,j] - x[c,i,j])^2 + (x[c,i,j+1] - x[c,i,j])^2 ]
/// ```
///
/// (pairs that would leave the image are left out). A noisy image has a large TV, a
/// smooth one a small TV, so adding it to a loss asks for images that look natural.
/// `x: [C, H, W] -> (TV, dTV/dx: [C, H, W])`.
pub fn total_variation(x: ArrayView3<f32>) -> (f32, Array3<f32>) {
    let (channels, height, width) = x.dim();
    let scale = 1.0 / (channels * height * width).max(1) as f32;
    let mut value = 0.0;
    let mut gradient = Array3::zeros(x.dim());
    for c in 0..channels {
        for i in 0..height {
            for j in 0..width {
                if i + 1 < height {
                    let d = x[[c, i + 1, j]] - x[[c, i, j]];
                    value += d * d * scale;
                    gradient[[c, i + 1, j]] += 2.0 * d * scale;
                    gradient[[c, i, j]] -= 2.0 * d * scale;
                }
                if j + 1 < width {
                    let d = x[[c, i, j + 1]] - x[[c, i, j]];
                    value += d * d * scale;
                    gradient[[c, i, j + 1]] += 2.0 * d * scale;
                    gradient[[c, i, j]] -= 2.0 * d * scale;
                }
            }
        }
    }
    (value, gradient)
}
// ANCHOR_END: total_variation

/// Adam (Kingma and Ba, 2015) on the pixels of one image: the same update as
/// [`crate::Adam`] uses for weights, here for an image that is being optimised.
/// Each pixel's step is about `learning_rate` whatever the gradient's scale, which
/// matters here because a deep layer's gradients are far smaller than a shallow one's.
struct PixelAdam {
    learning_rate: f32,
    step: i32,
    mean: Array3<f32>,
    mean_square: Array3<f32>,
}

impl PixelAdam {
    const BETA1: f32 = 0.9;
    const BETA2: f32 = 0.999;
    const EPSILON: f32 = 1e-8;

    fn new(learning_rate: f32, shape: (usize, usize, usize)) -> PixelAdam {
        PixelAdam {
            learning_rate,
            step: 0,
            mean: Array3::zeros(shape),
            mean_square: Array3::zeros(shape),
        }
    }

    /// `x <- x - learning_rate * m_hat / (sqrt(v_hat) + epsilon)`: a step *down* the
    /// gradient (to go up, pass the negative gradient).
    fn descend(&mut self, x: &mut Array3<f32>, gradient: &Array3<f32>) {
        self.step += 1;
        let correction1 = 1.0 - Self::BETA1.powi(self.step);
        let correction2 = 1.0 - Self::BETA2.powi(self.step);
        ndarray::Zip::from(x)
            .and(&mut self.mean)
            .and(&mut self.mean_square)
            .and(gradient)
            .for_each(|x, m, v, &g| {
                *m = Self::BETA1 * *m + (1.0 - Self::BETA1) * g;
                *v = Self::BETA2 * *v + (1.0 - Self::BETA2) * g * g;
                let m_hat = *m / correction1;
                let v_hat = *v / correction2;
                *x -= self.learning_rate * m_hat / (v_hat.sqrt() + Self::EPSILON);
            });
    }
}

/// A seeded random starting image: `center` plus uniform noise of `±noise`, `[C, H, W]`.
fn random_start(shape: [usize; 3], center: f32, noise: f32, seed: u64) -> Array3<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array3::from_shape_simple_fn((shape[0], shape[1], shape[2]), || {
        center + noise * rng.random_range(-1.0f32..=1.0)
    })
}

fn check_range(method: &str, (low, high): (f32, f32)) -> Result<()> {
    let valid = low.is_finite() && high.is_finite() && low < high;
    if !valid {
        return Err(CnnError::InvalidConfig(format!(
            "{method}: the pixel range must be finite with low < high, got ({low}, {high})"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// 6. Activation maximisation: the input a unit wants to see.
// ---------------------------------------------------------------------------

/// What [`maximize_activation`] maximises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The score (logit, before softmax) of a class.
    Class(usize),
    /// The unit at the centre of one channel's map at a layer,
    /// `y[channel, H'/2, W'/2]` (for a dense layer, unit `channel`).
    Channel {
        /// Index of the layer in the network.
        layer: usize,
        /// The channel.
        channel: usize,
    },
}

/// Settings of [`maximize_activation`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaximizeConfig {
    /// Gradient steps.
    pub steps: usize,
    /// Adam's step size, in pixel values.
    pub learning_rate: f32,
    /// Weight `lambda` of the L2 penalty `lambda/2 * sum (x - background)^2`, which
    /// keeps pixels near the background.
    pub l2: f32,
    /// The value the L2 penalty pulls pixels to, and the start image's mean: grey 0.5
    /// for a photo in `[0, 1]`, blank paper for a digit.
    pub background: f32,
    /// Weight `mu` of the smoothness penalty: the sum of squared differences of
    /// neighbouring pixels, `(C*H*W) * TV(x)` with [`total_variation`].
    pub total_variation: f32,
    /// The range pixels are clipped to after every step (`(0, 1)` for a photo).
    pub pixel_range: (f32, f32),
    /// The start is the background plus uniform noise of this amplitude.
    pub start_noise: f32,
    /// Seed of the starting noise.
    pub seed: u64,
}

impl Default for MaximizeConfig {
    fn default() -> MaximizeConfig {
        MaximizeConfig {
            steps: 200,
            learning_rate: 0.03,
            l2: 0.003,
            background: 0.5,
            total_variation: 0.5,
            pixel_range: (0.0, 1.0),
            start_noise: 0.1,
            seed: 0,
        }
    }
}

/// The result of [`maximize_activation`].
#[derive(Debug, Clone, PartialEq)]
pub struct Maximized {
    /// The image found: `[C, H, W]`.
    pub image: Array3<f32>,
    /// The target's activation before every step and after the last one
    /// (`steps + 1` values).
    pub activations: Vec<f32>,
}

// ANCHOR: maximize_activation
/// Activation maximisation (Erhan et al., 2009): start from a noisy blank image and
/// climb the gradient of the target's activation `a(x)`, with two penalties that keep
/// the image plausible:
///
/// ```text
/// J(x) = a(x) - lambda/2 * sum (x - background)^2 - mu * (C*H*W) * TV(x)
/// x <- clip(x + Adam step along dJ/dx, pixel range)
/// ```
///
/// Both penalties are *sums* over the pixels (`(C*H*W) * TV(x)` is the sum of squared
/// differences of neighbours), so each pixel feels `lambda` and `mu` whatever the
/// image's size, against its own share of `da/dx`.
///
/// where `a(x)` is a class score `z_k` or the unit at the centre of channel `c`'s map,
/// `y[c, H'/2, W'/2]` (only the pixels in its receptive field can change it; the rest
/// stay at the background). Without the penalties the image fills with
/// high-frequency patterns that excite the unit but look like nothing; with them it
/// shows what the unit responds to.
///
/// `input_shape: [C, H, W] -> image: [C, H, W]`.
///
/// # Errors
/// A layer, channel or class out of range, zero steps, a non-positive learning rate,
/// an empty pixel range, or an input shape that does not fit the network.
pub fn maximize_activation(
    model: &Sequential,
    input_shape: [usize; 3],
    target: Target,
    config: MaximizeConfig,
) -> Result<Maximized> {
    let method = "maximize_activation";
    check_steps(method, config.steps, config.learning_rate)?;
    check_range(method, config.pixel_range)?;
    let (layer, unit) = match target {
        Target::Class(class) => (score_layer(model)?, class),
        Target::Channel { layer, channel } => (layer, channel),
    };
    if layer >= model.layers.len() {
        return Err(CnnError::InvalidConfig(format!(
            "{method}: layer index {layer} is out of range: the network has {} layers",
            model.layers.len()
        )));
    }
    let (low, high) = config.pixel_range;
    let mut x = random_start(
        input_shape,
        config.background,
        config.start_noise,
        config.seed,
    );
    x.mapv_inplace(|v| v.clamp(low, high));
    let pixels = x.len() as f32;
    let mut adam = PixelAdam::new(config.learning_rate, x.dim());
    let mut activations = Vec::with_capacity(config.steps + 1);
    for step in 0..=config.steps {
        let (output, caches) = forward_image(model, x.view(), layer, method)?; // [1, F, H', W'] or [1, K]
        let units = output.shape()[1];
        if unit >= units {
            let what = match target {
                Target::Class(_) => "class",
                Target::Channel { .. } => "channel",
            };
            let name = &model.layers[layer].0;
            return Err(CnnError::InvalidConfig(format!(
                "{method}: {what} {unit} is out of range: layer {name} has {units} (0 to {})",
                units - 1
            )));
        }
        // a(x) = one number of the output: the class score, or the unit at the centre
        // of the channel's map; da/dy is 1 there and 0 everywhere else.
        let mut d_output = ArrayD::zeros(output.shape());
        let position: Vec<usize> = match output.ndim() {
            4 => vec![0, unit, output.shape()[2] / 2, output.shape()[3] / 2], // [1, F, H', W']
            _ => vec![0, unit],                                               // [1, K]
        };
        let activation = output[position.as_slice()];
        d_output[position.as_slice()] = 1.0;
        activations.push(activation);
        if step == config.steps {
            break;
        }
        let d_activation = model.backward_to_input(&caches, d_output.view())?; // [1, C, H, W]
        let d_activation = d_activation
            .index_axis_move(Axis(0), 0)
            .into_dimensionality::<ndarray::Ix3>()
            .expect("the input gradient has the image's shape"); // [C, H, W]
        let (_, d_tv) = total_variation(x.view()); // of the mean; times C*H*W for the sum
        // dJ/dx, then step down -dJ/dx, i.e. up J.
        let d_l2 = x.mapv(|v| config.l2 * (v - config.background));
        let ascent = &d_activation - &d_l2 - &(d_tv * (config.total_variation * pixels));
        adam.descend(&mut x, &ascent.mapv(|g| -g));
        x.mapv_inplace(|v| v.clamp(low, high));
    }
    Ok(Maximized {
        image: x,
        activations,
    })
}
// ANCHOR_END: maximize_activation

fn check_steps(method: &str, steps: usize, learning_rate: f32) -> Result<()> {
    if steps == 0 {
        return Err(CnnError::InvalidConfig(format!(
            "{method}: steps must be at least 1, got 0"
        )));
    }
    if !(learning_rate > 0.0 && learning_rate.is_finite()) {
        return Err(CnnError::InvalidConfig(format!(
            "{method}: the learning rate must be positive, got {learning_rate}"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// 7. Inversion: an image from a layer's code.
// ---------------------------------------------------------------------------

/// Settings of [`invert_representation`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InversionConfig {
    /// Gradient steps.
    pub steps: usize,
    /// Adam's step size, in pixel values.
    pub learning_rate: f32,
    /// Weight `lambda` of the total-variation prior.
    pub total_variation: f32,
    /// The range pixels are clipped to after every step.
    pub pixel_range: (f32, f32),
    /// The start is the middle of the range plus uniform noise of this amplitude.
    pub start_noise: f32,
    /// Seed of the starting noise.
    pub seed: u64,
}

impl Default for InversionConfig {
    fn default() -> InversionConfig {
        InversionConfig {
            steps: 200,
            learning_rate: 0.02,
            total_variation: 0.05,
            pixel_range: (0.0, 1.0),
            start_noise: 0.1,
            seed: 0,
        }
    }
}

/// The result of [`invert_representation`].
#[derive(Debug, Clone, PartialEq)]
pub struct Inversion {
    /// The reconstruction: `[C, H, W]`.
    pub image: Array3<f32>,
    /// The loss before every step and after the last (`steps + 1` values).
    pub losses: Vec<f32>,
    /// The relative representation error `||phi(x) - phi(x0)||^2 / ||phi(x0)||^2` of
    /// the final image (the loss without the prior).
    pub representation_error: f32,
}

// ANCHOR: invert_representation
/// Invert a layer's representation (Mahendran and Vedaldi, 2015): find an image `x`
/// whose code `phi(x)` at layer `layer` matches the code `phi(x0)` of `image`, with a
/// total-variation prior that prefers natural-looking images among the many that fit:
///
/// ```text
/// L(x) = ||phi(x) - phi(x0)||^2 / ||phi(x0)||^2 + lambda * TV(x)
/// dL/dx = backward( 2 (phi(x) - phi(x0)) / ||phi(x0)||^2 ) + lambda * dTV/dx
/// ```
///
/// minimised by Adam from a noisy start in the middle of the pixel range, pixels
/// clipped to that range. What
/// the reconstruction keeps is what the layer knows about the image; what is lost
/// (blurred, shifted, wrongly coloured) the layer has thrown away.
///
/// `image: [C, H, W] -> reconstruction: [C, H, W]`.
///
/// # Errors
/// A layer out of range, zero steps, a non-positive learning rate, an empty pixel
/// range, an image that does not fit the network, or a layer whose code for the
/// image is all zeros (there is nothing to match).
pub fn invert_representation(
    model: &Sequential,
    layer: usize,
    image: ArrayView3<f32>,
    config: InversionConfig,
) -> Result<Inversion> {
    let method = "invert_representation";
    check_steps(method, config.steps, config.learning_rate)?;
    check_range(method, config.pixel_range)?;
    if layer >= model.layers.len() {
        return Err(CnnError::InvalidConfig(format!(
            "{method}: layer index {layer} is out of range: the network has {} layers",
            model.layers.len()
        )));
    }
    // ANCHOR: inversion_loop
    let (target, _) = forward_image(model, image, layer, method)?; // phi(x0)
    let target_energy = target.iter().map(|v| v * v).sum::<f32>(); // ||phi(x0)||^2
    if target_energy == 0.0 {
        return Err(CnnError::InvalidConfig(format!(
            "{method}: the output of layer {} is all zeros for this image: nothing to invert",
            model.layers[layer].0
        )));
    }
    let (c, h, w) = image.dim();
    let (low, high) = config.pixel_range;
    let middle = (low + high) / 2.0;
    let mut x = random_start([c, h, w], middle, config.start_noise, config.seed);
    let mut adam = PixelAdam::new(config.learning_rate, x.dim());
    let mut losses = Vec::with_capacity(config.steps + 1);
    let mut representation_error = 0.0;
    for step in 0..=config.steps {
        let (code, caches) = forward_image(model, x.view(), layer, method)?; // phi(x)
        let difference = &code - &target;
        representation_error = difference.iter().map(|d| d * d).sum::<f32>() / target_energy;
        let (tv, d_tv) = total_variation(x.view());
        losses.push(representation_error + config.total_variation * tv);
        if step == config.steps {
            break;
        }
        let d_code = difference.mapv(|d| 2.0 * d / target_energy);
        let d_x = model.backward_to_input(&caches, d_code.view())?; // [1, C, H, W]
        let d_x = d_x
            .index_axis_move(Axis(0), 0)
            .into_dimensionality::<ndarray::Ix3>()
            .expect("the input gradient has the image's shape"); // [C, H, W]
        let gradient = d_x + d_tv * config.total_variation;
        adam.descend(&mut x, &gradient);
        x.mapv_inplace(|v| v.clamp(low, high));
    }
    // ANCHOR_END: inversion_loop
    Ok(Inversion {
        image: x,
        losses,
        representation_error,
    })
}
// ANCHOR_END: invert_representation
