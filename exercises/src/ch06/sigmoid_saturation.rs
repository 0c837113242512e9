//! # Exercise ch06-sigmoid-saturation (investigate)
//!
//! Chapter 6 trains LeNet-5 with sigmoid and with ReLU. The sigmoid's local gradient is
//! `sigmoid(x) * (1 - sigmoid(x))`.
//!
//! 1. Predict the largest value this local gradient can take (at which `x`?).
//! 2. A gradient that passes back through a sigmoid is multiplied by at most that much.
//!    Predict the smallest number of sigmoid layers after which the gradient is surely
//!    shrunk more than 1000-fold (the product of the largest local gradients is below
//!    1/1000).
//! 3. Check with `cnn_core::ops::sigmoid` and `cnn_core::ops::sigmoid_backward`, then run
//!    `cargo run --release --example ch06_lenet -- --help` to see how to train with each
//!    activation.
//! 4. In `EXPLANATION`: why does ReLU (local gradient 1 for positive inputs) help?
//!
//! Run your experiments in `exercises/examples/scratch.rs`, a file of your own that is
//! never checked: `cargo run -p cnn-exercises --example scratch`.

/// Your prediction: the largest local gradient of the sigmoid.
pub fn predicted_largest_gradient() -> f32 {
    todo!("write the number you predict")
}

/// Your prediction: the fewest sigmoid layers that shrink a gradient more than 1000-fold.
pub fn predicted_layers_for_1000x() -> usize {
    todo!("write the number you predict")
}

/// Your explanation, for your teacher to read.
pub const EXPLANATION: &str = r#"
TODO: explain here.
"#;
