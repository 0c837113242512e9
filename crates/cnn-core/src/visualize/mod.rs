//! 可视化 Visualization: what a trained network has learned, and what its decision
//! depends on. One file per method:
//!
//! | function | question it answers | after |
//! |---|---|---|
//! | [`oriented_edge_response`] | which edge direction excites a first-layer filter? | chapter 2 |
//! | [`strongest_activations`] | which inputs excite a channel most? | Zeiler & Fergus (2014) |
//! | [`deconvnet`] | which pattern in the image made a channel fire? | Zeiler & Fergus (2014) |
//! | [`occlusion_map`] | which part of the image does the decision depend on? | Zeiler & Fergus (2014) |
//! | [`saliency`] | which pixels change the class score fastest? | Simonyan, Vedaldi & Zisserman (2014) |
//! | [`maximize_activation`] | what input does a channel or class want to see? | Erhan et al. (2009) |
//! | [`invert_representation`] | what does a layer still know about the image? | Mahendran & Vedaldi (2015) |
//!
//! The last three need the gradient of something computed from a layer's output with
//! respect to the *input pixels*: the same backward pass that trains the network, run
//! with the weights fixed and only the input gradient computed
//! ([`Sequential::backward`] with [`Want::Input`]).
//!
//! Layers are named as the network names them (`"conv_2_2"`, `"act2"`). One image is
//! `[C, H, W]`; the network sees it as a batch of one, `[1, C, H, W]`. Everything here
//! is deterministic: random starting images come from a seeded `ChaCha8Rng`.

mod activations;
mod deconvnet;
mod edges;
mod invert;
mod maximize;
mod occlusion;
mod optimize;
mod saliency;

pub use activations::{InputWindow, StrongActivation, receptive_window, strongest_activations};
pub use deconvnet::{Projection, deconvnet};
pub use edges::{edge_image, oriented_edge_response};
pub use invert::{Inversion, InversionConfig, invert_representation};
pub use maximize::{MaximizeConfig, Maximized, Target, maximize_activation};
pub use occlusion::{OcclusionConfig, OcclusionMap, occlusion_map};
pub use optimize::total_variation;
pub use saliency::{Saliency, saliency};

use ndarray::{Array2, Array3, ArrayView3, ArrayView4, Axis};

use crate::error::{CnnError, Result};
use crate::nn::{Layer, Sequential, Tensor, Trace, Want};
use crate::ops::softmax::softmax;

/// Images per forward pass when a method runs many images (occlusion, strongest
/// activations): large enough to be fast, small enough to keep memory modest.
const IMAGES_PER_BATCH: usize = 64;

/// The name of the layer whose output is the class *scores* (logits, before softmax):
/// the last layer, or the one before it when the network ends with a softmax.
///
/// Saliency and class maximisation use the score, not the probability: the
/// probability of class `k` can also rise by lowering the other classes' scores, so
/// its gradient mixes in what the image is *not* (Simonyan et al., 2014, section 2).
///
/// # Errors
/// A network without layers, or one that is only a softmax.
pub fn score_layer(model: &Sequential) -> Result<&str> {
    let layers = model.layers();
    match layers.last() {
        None => Err(CnnError::setting("the network has no layers")),
        Some(last) if last.layer == Layer::Softmax => match layers.len() {
            1 => Err(CnnError::setting(
                "the network is only a softmax: it has no class scores",
            )),
            n => Ok(&layers[n - 2].name),
        },
        Some(last) => Ok(&last.name),
    }
}

/// Class probabilities of a batch: `[N, C, H, W] -> [N, K]`. The network's output if
/// it ends with a softmax, otherwise the softmax of its output (the logits).
///
/// # Errors
/// A batch that does not fit the network, or a network whose output is not `[N, K]`.
pub fn class_probabilities(model: &Sequential, batch: ArrayView4<f32>) -> Result<Array2<f32>> {
    let output = model.forward(batch)?.into_flat()?;
    match model.layers().last() {
        Some(last) if last.layer == Layer::Softmax => Ok(output),
        _ => Ok(softmax(output.view())),
    }
}

/// Run one image `[C, H, W]` through `front` (a network cut with [`Sequential::until`])
/// for training, with an error that says which method was given an image the network
/// cannot take.
fn forward_image(front: &Sequential, image: ArrayView3<f32>, method: &str) -> Result<Trace> {
    let batch = image.insert_axis(Axis(0)); // [C, H, W] -> [1, C, H, W]
    front
        .forward_train(batch)
        .map_err(|e| image_error(method, image.shape(), e))
}

/// The gradient of a value computed from `front`'s output with respect to the image:
/// `d_output: [shape of the output] -> d_image: [C, H, W]`. Only the input gradient
/// is computed; the weights stay as they are.
fn image_gradient(front: &Sequential, trace: &Trace, d_output: &Tensor) -> Result<Array3<f32>> {
    let gradients = front.backward(trace, d_output, Want::Input)?;
    let d_input = gradients
        .input
        .expect("Want::Input gives the input gradient");
    Ok(d_input.into_maps()?.index_axis_move(Axis(0), 0)) // [1, C, H, W] -> [C, H, W]
}

fn image_error(method: &str, shape: &[usize], error: CnnError) -> CnnError {
    CnnError::mismatch(format!(
        "{method}: the image of shape {shape:?} ([C, H, W]) does not fit the network: {error}"
    ))
}

/// Checks that `class` is one of the `classes` the network scores.
fn check_class(method: &str, class: usize, classes: usize) -> Result<()> {
    if class >= classes {
        return Err(CnnError::setting(format!(
            "{method}: class {class} is out of range: the network has {classes} classes (0 to {})",
            classes.saturating_sub(1)
        )));
    }
    Ok(())
}
