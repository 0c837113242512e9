//! # cnn-core: a small, readable convolutional neural network library
//!
//! This is the engine behind the book. It is written to be read: every operation
//! states its formula, then follows it index for index. Where a faster version
//! exists (convolution as im2col + matrix multiply), the plain one stays beside it
//! as the tested reference.
//!
//! ## Notation
//!
//! Used in every doc comment and shape comment of the library and the book:
//!
//! | letter | meaning |
//! |---|---|
//! | `N` | batch size (number of images) |
//! | `C` | input channels (3 for an RGB image) |
//! | `H`, `W` | height and width of an image or feature map; `L` the length of a sequence |
//! | `F` | number of filters, which is the number of output channels |
//! | `K` | kernel size (`KH`, `KW` when it is not square) |
//! | `S` | stride |
//! | `P` | zero padding, on *each* side |
//! | `H'`, `W'` | output height and width, from [`output_size`] |
//!
//! Arrays are `f32` and batch-first: an image batch is `[N, C, H, W]`, a batch of
//! sequences `[N, C, L]`. Functions take array views and return owned arrays.
//!
//! ## Errors
//!
//! Anything a caller controls is checked and answered with a [`CnnError`] that says
//! what was wrong and where. A violated internal invariant (a bug in this library)
//! panics with a message naming the shapes.

pub mod activation;
pub mod conv;
pub mod dense;
pub mod error;
pub mod image_io;
pub mod init;
pub mod mnist;
pub mod model;
pub mod optim;
pub mod pool;
pub mod save;
pub mod shape;
pub mod softmax;
pub mod tfjs;
pub mod tiny_vgg;
pub mod visualize;

pub use activation::{relu, sigmoid, tanh};
pub use conv::{
    Conv1d, Conv1dConfig, Conv2d, Conv2dConfig, conv1d, conv2d, conv2d_naive, im2col,
    true_convolution1d, true_convolution2d,
};
pub use dense::{Dense, flatten, linear};
pub use error::{CnnError, Result};
pub use image_io::{
    decode_rgb, load_rgb, load_rgb_center_crop, rgb_to_array, scale_and_center_crop, to_grayscale,
};
pub use model::{Layer, LayerSummary, Sequential};
pub use pool::{
    Pool2d, PoolKind, avg_pool2d, global_avg_pool2d, global_max_pool1d, global_max_pool2d,
    max_pool2d,
};
pub use shape::{dropped_by_floor, output_size, receptive_field};
pub use softmax::{log_softmax, softmax, softmax_cross_entropy};
pub use tfjs::{load_layers_model, read_weights};

pub use activation::{relu_backward, sigmoid_backward, tanh_backward};
pub use conv::{
    Conv1dGradients, Conv2dGradients, IMAGES_PER_CHUNK, Patches, conv1d_backward, conv2d_backward,
    conv2d_backward_from_patches, conv2d_backward_naive, conv2d_keeping_patches,
    conv2d_parameter_gradients, unroll_patches,
};
pub use dense::{LinearGradients, flatten_backward, linear_backward};
pub use init::Init;
pub use mnist::{Mnist, Split, load_mnist, shuffled_batches};
pub use model::{Cache, Kept, ParameterGradients};
pub use optim::{Adam, Optimizer, Sgd, StepResult, argmax_rows, count_correct, train_step};
pub use pool::{
    avg_pool2d_backward, global_avg_pool2d_backward, global_max_pool2d_backward,
    max_pool2d_backward, max_pool2d_backward_from_argmax, max_pool2d_with_argmax, pool2d_fast,
};
pub use softmax::{softmax_backward, softmax_cross_entropy_backward};
pub use visualize::{
    InputWindow, Inversion, InversionConfig, MaximizeConfig, Maximized, OcclusionConfig,
    OcclusionMap, Saliency, StrongActivation, Target, class_probabilities, edge_image,
    invert_representation, maximize_activation, occlusion_map, oriented_edge_response,
    receptive_window, saliency, score_layer, strongest_activations, total_variation,
};
