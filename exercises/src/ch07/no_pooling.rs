//! # Exercise ch07-no-pooling (investigate)
//!
//! Remove both max-pooling layers from Tiny VGG (keep the four 3x3 convolutions with 10
//! filters, no padding, on a 64x64 RGB input).
//!
//! 1. Predict the length of the flattened vector now.
//! 2. Predict the parameters of the dense layer to 10 classes (biases included).
//! 3. Check: load the network with `cnn_core::models::tiny_vgg::load`, build a `Sequential`
//!    without the pooling layers, and print its `summary`.
//! 4. In `EXPLANATION`: compare with the network that pools, and say what pooling
//!    saves besides arithmetic.
//!
//! Run your experiments in `exercises/examples/scratch.rs`, a file of your own that is
//! never checked: `cargo run -p cnn-exercises --example scratch`.

/// Your prediction: the flattened length without pooling.
pub fn predicted_flatten_length() -> usize {
    todo!("write the number you predict")
}

/// Your prediction: the dense layer's parameters without pooling.
pub fn predicted_dense_parameters() -> usize {
    todo!("write the number you predict")
}

/// Your explanation, for your teacher to read.
pub const EXPLANATION: &str = r#"
TODO: explain here.
"#;
