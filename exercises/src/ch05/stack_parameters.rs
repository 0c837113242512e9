//! # Exercise ch05-stack-parameters (compute)
//!
//! Two 3x3 convolutions see a 5x5 patch, as one 5x5 convolution does. Which needs fewer
//! parameters? Take 64 input channels and 64 filters in every layer, with biases.
//!
//! 1. The parameters of two stacked 3x3 convolutions (64 -> 64 -> 64).
//! 2. The parameters of one 5x5 convolution (64 -> 64).

/// Parameters of two 3x3 convolution layers, 64 channels in and out, biases included.
pub fn two_3x3_parameters() -> usize {
    todo!("write the number you worked out")
}

/// Parameters of one 5x5 convolution layer, 64 channels in and out, biases included.
pub fn one_5x5_parameters() -> usize {
    todo!("write the number you worked out")
}
