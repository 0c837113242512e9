//! Solution of ch04-lenet-sides.

/// conv1: (28 + 4 - 5) / 1 + 1 = 28; pool1: (28 - 2) / 2 + 1 = 14;
/// conv2: 14 - 5 + 1 = 10; pool2: (10 - 2) / 2 + 1 = 5.
pub fn lenet_sides() -> [usize; 4] {
    [28, 14, 10, 5]
}
