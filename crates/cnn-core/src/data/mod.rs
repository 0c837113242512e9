//! Getting data in and out: the MNIST digits, photos, the TensorFlow.js files of CNN
//! Explainer's Tiny VGG, and the library's own model files. Every file is read and
//! written through [`files`], which refuses what is not a regular file, bounds what is
//! read, and writes whole files or nothing.

pub mod files;
pub mod image;
pub mod mnist;
pub mod model_file;
pub mod tfjs;

pub use image::{
    decode_rgb, load_rgb, load_rgb_center_crop, rgb_to_array, scale_and_center_crop, to_grayscale,
};
pub use mnist::{Mnist, Split, load_mnist, shuffled_batches};
pub use tfjs::{load_layers_model, read_weights};
