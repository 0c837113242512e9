//! # Exercise ch04-lenet-sides (compute)
//!
//! Walk the LeNet-5 of chapter 6 by hand. A 28x28 digit goes through
//!
//! 1. `conv1`: 6 filters 5x5, stride 1, padding 2;
//! 2. `pool1`: 2x2 max pooling, stride 2;
//! 3. `conv2`: 16 filters 5x5, stride 1, no padding;
//! 4. `pool2`: 2x2 max pooling, stride 2.
//!
//! Write the side (height = width) of the feature maps after each of the four layers.
//! The check compares them with the trained network in `data/trained/lenet5.cnn`.

/// The sides after conv1, pool1, conv2 and pool2, in that order.
pub fn lenet_sides() -> [usize; 4] {
    todo!("write the four numbers you worked out")
}
