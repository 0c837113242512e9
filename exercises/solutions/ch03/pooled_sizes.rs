//! Solution of ch03-pooled-sizes.

/// `floor((28 - 2) / 2) + 1 = 14`.
pub fn lenet_pooled_side() -> usize {
    14
}

/// `floor((13 - 3) / 2) + 1 = 6`.
pub fn overlapping_pooled_side() -> usize {
    6
}
