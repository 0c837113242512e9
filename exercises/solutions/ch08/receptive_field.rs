//! Solution of ch08-receptive-field.

/// conv1: 1 + 4 = 5; pool1: 5 + 1 = 6, jump 2; conv2: 6 + 4 * 2 = 14.
pub fn conv2_field() -> usize {
    14
}

/// pool2: 14 + 1 * 2 = 16, jump 4: each of the 5x5 final values sees 16x16 of the 28x28 digit.
pub fn pool2_field() -> usize {
    16
}
