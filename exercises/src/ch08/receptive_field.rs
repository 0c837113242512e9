//! # Exercise ch08-receptive-field (compute)
//!
//! Before you look at what a unit of a trained network responds to, know how much of
//! the image it can see. In the LeNet-5 of chapter 6 (conv1 5x5 stride 1, pool1 2x2
//! stride 2, conv2 5x5 stride 1, pool2 2x2 stride 2), use `r' = r + (K - 1) * j`,
//! `j' = j * S` from `r = 1, j = 1`.
//!
//! 1. The receptive field of one value of conv2's output (after conv1, pool1, conv2).
//! 2. The receptive field of one value of pool2's output, the last feature map.
//!
//! The check reads the kernels and strides from `data/trained/lenet5.cnn`. (Padding
//! moves a receptive field but does not change its size.)

/// Receptive field of conv2's outputs, in input pixels along one side.
pub fn conv2_field() -> usize {
    todo!("write the number you worked out")
}

/// Receptive field of pool2's outputs, in input pixels along one side.
pub fn pool2_field() -> usize {
    todo!("write the number you worked out")
}
