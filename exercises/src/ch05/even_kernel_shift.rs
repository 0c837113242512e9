//! # Exercise ch05-even-kernel-shift (investigate)
//!
//! A 9x9 image is black except for one white pixel (value 1) at row 4, column 4: its
//! centre of mass is `(4, 4)`. Blur it with the 2x2 averaging kernel (all weights 1/4),
//! keeping the 9x9 size with one row of zeros padded at the *bottom* and one column at
//! the *right* only (an even kernel cannot be padded equally on both sides).
//!
//! 1. Predict the row of the blurred image's centre of mass (`sum i * y[i,j] / sum y`).
//! 2. Check it: `examples/ch05_odd_kernels.rs` has `pad`, `same_blur` and
//!    `centre_of_mass`; or use `cnn_core::ops::conv2d` on a padded array.
//! 3. In `EXPLANATION`: where does the blurred dot move, why, and what happens after
//!    four such blurs?
//!
//! Run your experiments in `exercises/examples/scratch.rs`, a file of your own that is
//! never checked: `cargo run -p cnn-exercises --example scratch`.

/// Your prediction: the row of the centre of mass after one blur.
pub fn predicted_centre_row() -> f32 {
    todo!("write the number you predict")
}

/// Your explanation, for your teacher to read.
pub const EXPLANATION: &str = r#"
TODO: explain here.
"#;
