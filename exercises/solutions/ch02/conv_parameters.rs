//! Solution of ch02-conv-parameters.

/// `F * C * K * K + F = 16 * 3 * 5 * 5 + 16`. The image size does not matter: the same
/// kernels slide over every position.
pub fn first_layer_parameters() -> usize {
    1216
}

/// `32 * 16 * 3 * 3 + 32`.
pub fn second_layer_parameters() -> usize {
    4640
}
