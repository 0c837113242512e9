//! # Exercise ch08-occlusion-size (investigate)
//!
//! You run an occlusion map (exercise ch08-occlusion-map) on a 28x28 MNIST digit with a
//! patch of side 7 and stride 3.
//!
//! 1. Predict the side of the occlusion map.
//! 2. Predict how many forward passes of the network it costs, counting the one on the
//!    uncovered image.
//! 3. Run your `occlusion_map` with the trained LeNet-5 (`data/trained/lenet5.cnn`) on a
//!    test digit and look at the numbers.
//! 4. In `EXPLANATION`: where were the largest values for your digit, what does a negative
//!    value mean, and how do the patch size and stride trade detail against cost?
//!
//! Run your experiments in `exercises/examples/scratch.rs`, a file of your own that is
//! never checked: `cargo run -p cnn-exercises --example scratch`.

/// Your prediction: the side of the occlusion map.
pub fn predicted_map_side() -> usize {
    todo!("write the number you predict")
}

/// Your prediction: the forward passes the map costs, including the uncovered image.
pub fn predicted_forward_passes() -> usize {
    todo!("write the number you predict")
}

/// Your explanation, for your teacher to read.
pub const EXPLANATION: &str = r#"
TODO: explain here.
"#;
