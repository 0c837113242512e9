//! Solution of ch05-receptive-field.

/// 1 + 2 + 2 + 2 = 7: each 3x3 convolution adds 2 while the jump is 1.
pub fn three_convolutions_field() -> usize {
    7
}

/// 1 -> 3 -> 5 -> pool: 6 (jump 2) -> 6 + 2*2 = 10 -> 10 + 2*2 = 14.
pub fn vgg_stack_field() -> usize {
    14
}
