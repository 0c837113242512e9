//! Tiny VGG, the network of CNN Explainer (Wang et al., IEEE VIS 2020): four 3x3
//! convolutions of 10 filters in two VGG-style blocks, trained on 10 classes of
//! Tiny ImageNet (64x64 photos).
//!
//! The trained network is an ordinary [`Sequential`], loaded from the project's
//! TensorFlow.js files by [`load_layers_model`]; this module adds what is specific
//! to it: the class names, the input size, and the photo preparation of the site.

use std::path::Path;

use ndarray::{Array3, Array4};

use crate::data::image::load_rgb_center_crop;
use crate::data::tfjs::load_layers_model;
use crate::error::{CnnError, Result};
use crate::models::alexnet::Stage;
use crate::nn::Sequential;

/// The class of each output unit, in order (from CNN Explainer's sources).
pub const CLASSES: [&str; 10] = [
    "lifeboat",
    "ladybug",
    "pizza",
    "bell pepper",
    "school bus",
    "koala",
    "espresso",
    "red panda",
    "orange",
    "sport car",
];

/// Height and width of the network's input, in pixels.
pub const INPUT_SIZE: usize = 64;

/// The short side a larger photo is scaled to before its centre is cropped (the site
/// scales to one pixel more than the input, then crops).
pub const SCALED_SHORT_SIDE: u32 = 65;

/// Load the trained Tiny VGG from its `model.json` (and the shard beside it), and
/// check that it takes a `[N, 3, 64, 64]` batch and gives one probability per class.
///
/// # Errors
/// Everything [`load_layers_model`] reports, and a network whose input or output
/// does not fit Tiny VGG.
pub fn load(model_json: &Path) -> Result<Sequential> {
    let network = load_layers_model(model_json)?;
    let output = network
        .summary([1, 3, INPUT_SIZE, INPUT_SIZE])
        .map_err(|e| {
            CnnError::format(
                model_json,
                format!("not Tiny VGG: a 3x{INPUT_SIZE}x{INPUT_SIZE} input fails: {e}"),
            )
        })?
        .last()
        .map(|layer| layer.output_shape.clone());
    if output != Some(vec![1, CLASSES.len()]) {
        return Err(CnnError::format(
            model_json,
            format!(
                "not Tiny VGG: the output shape is {output:?}, expected [1, {}]",
                CLASSES.len()
            ),
        ));
    }
    Ok(network)
}

/// Tiny VGG's architecture as a list of stages, for
/// [`architecture`](crate::models::alexnet::architecture) (shapes, parameters and
/// multiply-adds without the weights): two blocks of two 3x3 convolutions (no padding,
/// stride 1) with `filters` filters each, every one followed by ReLU, and a 2x2 max
/// pooling after each block, then the dense layer of 10 class scores. CNN Explainer's
/// network has 10 filters in every convolution: `stages([10, 10, 10, 10])` describes
/// exactly the network [`load`] reads (its softmax has no parameters and is left out).
pub fn stages(filters: [usize; 4]) -> Vec<Stage> {
    let conv = |name, filters| Stage::Conv {
        name,
        filters,
        kernel: 3,
        stride: 1,
        padding: 0,
        groups: 1,
    };
    let pool = |name| Stage::Pool {
        name,
        kernel: 2,
        stride: 2,
    };
    vec![
        conv("conv_1_1", filters[0]),
        Stage::Relu { name: "relu_1_1" },
        conv("conv_1_2", filters[1]),
        Stage::Relu { name: "relu_1_2" },
        pool("max_pool_1"),
        conv("conv_2_1", filters[2]),
        Stage::Relu { name: "relu_2_1" },
        conv("conv_2_2", filters[3]),
        Stage::Relu { name: "relu_2_2" },
        pool("max_pool_2"),
        Stage::Dense {
            name: "output",
            units: CLASSES.len(),
        },
    ]
}

/// Load a PNG or JPEG photo as Tiny VGG's input: `[3, 64, 64]` in `[0, 1]`, scaled
/// and centre-cropped as the site does if it is not already 64x64.
///
/// # Errors
/// A missing, unreadable or corrupt file, or one that is not a PNG or JPEG image.
pub fn load_image(path: &Path) -> Result<Array3<f32>> {
    load_rgb_center_crop(path, SCALED_SHORT_SIDE, INPUT_SIZE as u32)
}

/// One image as a batch of one: `[3, H, W] -> [1, 3, H, W]`.
pub fn batch_of_one(image: &Array3<f32>) -> Array4<f32> {
    image.clone().insert_axis(ndarray::Axis(0))
}
