//! # Exercise ch07-flatten-length (compute)
//!
//! Tiny VGG takes a 64x64 RGB image. Its layers: conv_1_1 and conv_1_2 (10 filters 3x3,
//! stride 1, no padding, each followed by ReLU), max_pool_1 (2x2, stride 2), conv_2_1 and
//! conv_2_2 (the same as before), max_pool_2 (2x2, stride 2), flatten, and a dense layer
//! to 10 classes.
//!
//! 1. How many numbers come out of the flatten layer?
//! 2. How many parameters does the dense layer have (biases included)?
//!
//! The check compares with the trained network in `data/cnn-explainer/`.

/// The length of the flattened vector.
pub fn flatten_length() -> usize {
    todo!("write the number you worked out")
}

/// The dense layer's parameters.
pub fn dense_parameters() -> usize {
    todo!("write the number you worked out")
}
