//! # Exercise ch02-feature-map-shape (investigate)
//!
//! A batch of 2 RGB images of 32x32 pixels, `[2, 3, 32, 32]`, goes through a
//! convolution layer with 8 filters of size 5x5 (stride 1, no padding).
//!
//! 1. Predict the output shape `[N, F, H', W']` and write it below.
//! 2. Check it: build the layer with `cnn_core::Conv2d::new` (zeros will do for the
//!    weights) and print `output_shape([2, 3, 32, 32])`.
//! 3. In `EXPLANATION`: why does the output have 8 channels, and not 3 or 3 x 8 = 24?
//!
//! Run your experiments in `exercises/examples/scratch.rs`, a file of your own that is
//! never checked: `cargo run -p cnn-exercises --example scratch`.

/// Your prediction of the output shape `[N, F, H', W']`.
pub fn predicted_shape() -> [usize; 4] {
    todo!("write the shape you predict")
}

/// Your explanation, for your teacher to read.
pub const EXPLANATION: &str = r#"
TODO: explain here.
"#;
