//! # Exercise ch04-uncovered-pixels (investigate)
//!
//! A 3x3 kernel slides with stride **4** over a 10x10 input, without padding.
//!
//! 1. Predict the output side.
//! 2. Predict how many rows at the bottom (and columns at the right) are never covered
//!    by any window.
//! 3. Check with `cnn_core::output_size` and `cnn_core::shape::dropped_by_floor`, or change
//!    `COVERAGE_CASES` in `examples/ch04_output_size.rs` and look at its coverage map.
//! 4. In `EXPLANATION`: why are those pixels lost, and how could you change the padding
//!    or the stride so that none are?
//!
//! Run your experiments in `exercises/examples/scratch.rs`, a file of your own that is
//! never checked: `cargo run -p cnn-exercises --example scratch`.

/// Your prediction: the output side.
pub fn predicted_output_side() -> usize {
    todo!("write the number you predict")
}

/// Your prediction: the number of rows (and columns) never covered at the far edge.
pub fn predicted_uncovered() -> usize {
    todo!("write the number you predict")
}

/// Your explanation, for your teacher to read.
pub const EXPLANATION: &str = r#"
TODO: explain here.
"#;
