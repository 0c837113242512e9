//! # Exercise ch03-overlapping-windows (investigate)
//!
//! Take a 6x6 map whose largest value is at row 2, column 2, and max-pool it with 2x2
//! windows and stride **1**, so that windows overlap.
//!
//! 1. Predict the side of the pooled map.
//! 2. Predict in how many of the pooled outputs the largest value appears.
//! 3. Check both with `cnn_core::ops::max_pool2d` and `cnn_core::ops::max_pool2d_backward_naive`
//!    (a `d_out` of ones counts how often each input is picked).
//! 4. In `EXPLANATION`: what does this mean for the gradient that pixel receives, and
//!    why do most networks pool with `S = K`?
//!
//! Run your experiments in `exercises/examples/scratch.rs`, a file of your own that is
//! never checked: `cargo run -p cnn-exercises --example scratch`.

/// Your prediction: the side of the pooled map.
pub fn predicted_side() -> usize {
    todo!("write the number you predict")
}

/// Your prediction: how many pooled outputs hold the map's largest value.
pub fn predicted_times_picked() -> usize {
    todo!("write the number you predict")
}

/// Your explanation, for your teacher to read.
pub const EXPLANATION: &str = r#"
TODO: explain here.
"#;
