//! The deconvnet of Zeiler and Fergus (2014): project one channel's activation back to
//! the pixels that caused it.

use ndarray::{Array3, Array4, ArrayView3, Axis};

use super::forward_image;
use crate::error::{CnnError, Result};
use crate::nn::{Layer, NamedLayer, Sequential, Tensor, TensorView, Want};

/// The result of [`deconvnet`].
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// The projection in pixel space: `[C, H, W]`.
    pub image: Array3<f32>,
    /// Where in the channel's map the strongest activation was: `(row, column)`.
    pub position: (usize, usize),
    /// That activation.
    pub activation: f32,
}

// ANCHOR: deconvnet
/// Zeiler and Fergus's deconvnet (2014, section 2.1): run the image forward to the
/// layer called `layer`, keep only the strongest activation of `channel` (every other
/// value of every map set to zero), and send it back down to the pixels, undoing each
/// layer in turn:
///
/// ```text
/// max pooling  ->  unpooling: each value goes back to where the window's maximum was
///                  (the "switches" the forward pass recorded), the rest of the window 0
///                  (average pooling, which the paper does not use, spreads it evenly)
/// ReLU         ->  ReLU on the signal coming down: max(0, r)
/// convolution  ->  transposed convolution with the same filters (the input gradient of
///                  the convolution, col2im of W^T r)
/// ```
///
/// The only difference from the gradient (see [`saliency`](super::saliency)) is at ReLU:
/// backpropagation passes `r` where the *forward input* was positive, the deconvnet where
/// the *signal coming down* is positive. The result shows the pattern in the image that
/// the channel responded to, at the place it responded.
///
/// `image: [C, H, W] -> projection: [C, H, W]`
///
/// # Errors
/// No layer of that name, a channel out of range, a layer on the way that is not a
/// convolution, pooling or ReLU (the deconvnet is defined for those), or an image that
/// does not fit the network.
pub fn deconvnet(
    model: &Sequential,
    layer: &str,
    channel: usize,
    image: ArrayView3<f32>,
) -> Result<Projection> {
    let method = "deconvnet";
    let front = model.until(layer)?; // the network up to the layer
    let trace = forward_image(&front, image, method)?; // [1, F, H', W']
    let Tensor::Maps(maps) = &trace.output else {
        return Err(CnnError::setting(format!(
            "{method}: layer {layer} outputs vectors {:?}, not feature maps",
            trace.output.shape()
        )));
    };
    let channels = maps.dim().1;
    if channel >= channels {
        return Err(CnnError::setting(format!(
            "{method}: channel {channel} is out of range: layer {layer} has {channels} (0 to {})",
            channels - 1
        )));
    }
    // The strongest activation of the channel, alone.
    let map = maps
        .index_axis(Axis(0), 0)
        .index_axis_move(Axis(0), channel); // [H', W']
    let mut position = (0, 0);
    for ((i, j), &value) in map.indexed_iter() {
        if value > map[position] {
            position = (i, j);
        }
    }
    let activation = map[position];
    let mut signal = Array4::zeros(maps.raw_dim()); // [1, F, H', W']
    signal[[0, channel, position.0, position.1]] = activation;
    let mut signal = Tensor::Maps(signal);
    // Down through the layers, last to first.
    for (NamedLayer { name, layer }, cache) in front.layers().iter().zip(&trace.caches).rev() {
        signal = match layer {
            Layer::Relu => signal.map(|r| r.max(0.0)), // rectify the signal coming down
            Layer::Conv2d(_) | Layer::Pool2d(_) => {
                // Transposed convolution, or unpooling by the recorded switches: the
                // layer's own input gradient computes exactly that.
                let (down, _) =
                    layer.backward(cache, TensorView::from(&signal), Want::Input, false)?;
                down.expect("Want::Input gives the input gradient")
            }
            _ => {
                return Err(CnnError::setting(format!(
                    "{method}: layer {name} ({}) is not a convolution, pooling or ReLU",
                    layer.describe()
                )));
            }
        };
    }
    let image = signal.into_maps()?.index_axis_move(Axis(0), 0); // [1, C, H, W] -> [C, H, W]
    Ok(Projection {
        image,
        position,
        activation,
    })
}
// ANCHOR_END: deconvnet
