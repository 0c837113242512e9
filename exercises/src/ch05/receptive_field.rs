//! # Exercise ch05-receptive-field (compute)
//!
//! The receptive field (感受野) of an output is how many input pixels, along one side,
//! it depends on. Starting from `r = 1, j = 1`, each layer with kernel `K` and stride `S`
//! gives `r' = r + (K - 1) * j` and `j' = j * S`.
//!
//! 1. Three 3x3 convolutions with stride 1, one after the other: what is the receptive
//!    field of one output of the third?
//! 2. A VGG-style stack: conv 3x3, conv 3x3, 2x2 max pool (stride 2), conv 3x3, conv 3x3
//!    (all convolutions stride 1). The receptive field after the last convolution?

/// Receptive field of three stacked 3x3 convolutions (stride 1).
pub fn three_convolutions_field() -> usize {
    todo!("write the number you worked out")
}

/// Receptive field after conv3, conv3, pool 2/2, conv3, conv3.
pub fn vgg_stack_field() -> usize {
    todo!("write the number you worked out")
}
