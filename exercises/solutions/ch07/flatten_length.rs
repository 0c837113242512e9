//! Solution of ch07-flatten-length.

/// 64 -> 62 -> 60 -> pool 30 -> 28 -> 26 -> pool 13: 10 maps of 13x13 = 1690 numbers.
pub fn flatten_length() -> usize {
    1690
}

/// `10 * 1690 + 10`.
pub fn dense_parameters() -> usize {
    16_910
}
