//! # Exercise ch06-lenet-parameters (compute)
//!
//! Count the learned parameters of chapter 6's LeNet-5, layer by layer, biases included:
//!
//! | layer | what it is |
//! |---|---|
//! | conv1 | 6 filters 5x5 on 1 channel |
//! | conv2 | 16 filters 5x5 on 6 channels |
//! | fc1 | dense, 16 * 5 * 5 = 400 inputs -> 120 |
//! | fc2 | dense, 120 -> 84 |
//! | fc3 | dense, 84 -> 10 |
//!
//! (Activations, pooling and flatten learn nothing.) The check compares your total with
//! the trained network in `data/trained/lenet5.cnn`. Which layer holds most of them?

/// The total number of learned parameters of LeNet-5.
pub fn lenet_parameters() -> usize {
    todo!("write the number you worked out")
}
