//! # Exercise ch03-pooled-sizes (compute)
//!
//! Pooling has no padding here, so its output side is `floor((H - K) / S) + 1`.
//!
//! 1. LeNet-5 pools its 28x28 feature maps with 2x2 windows and stride 2. What is
//!    the side of the pooled map?
//! 2. AlexNet pools with *overlapping* 3x3 windows and stride 2. What is the side of
//!    a 13x13 map after such a pooling?

/// Side of a 28x28 map after 2x2 max pooling with stride 2.
pub fn lenet_pooled_side() -> usize {
    todo!("write the number you worked out")
}

/// Side of a 13x13 map after 3x3 max pooling with stride 2.
pub fn overlapping_pooled_side() -> usize {
    todo!("write the number you worked out")
}
