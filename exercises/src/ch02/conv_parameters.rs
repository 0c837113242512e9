//! # Exercise ch02-conv-parameters (compute)
//!
//! A convolution layer learns one weight per filter, input channel and kernel position,
//! plus one bias per filter.
//!
//! 1. The first layer of a network takes RGB images (3 channels) and has 16 filters of
//!    size 5x5. How many parameters does it learn?
//! 2. The second layer takes those 16 feature maps and has 32 filters of size 3x3.
//!    How many parameters?
//!
//! Work them out by hand; does the image size matter?

/// Parameters of a 5x5 convolution from 3 channels to 16 filters, biases included.
pub fn first_layer_parameters() -> usize {
    todo!("write the number you worked out")
}

/// Parameters of a 3x3 convolution from 16 channels to 32 filters, biases included.
pub fn second_layer_parameters() -> usize {
    todo!("write the number you worked out")
}
