//! Solution of ch07-no-pooling.

/// 64 -> 62 -> 60 -> 58 -> 56: 10 maps of 56x56.
pub fn predicted_flatten_length() -> usize {
    31_360
}

/// `10 * 31360 + 10`.
pub fn predicted_dense_parameters() -> usize {
    313_610
}

/// A model answer.
pub const EXPLANATION: &str = r#"
Without pooling the maps stay large (56x56 instead of 13x13), so the dense layer needs about
18.5 times as many weights (313,610 instead of 16,910), and these are most of the network's
parameters. More parameters need more data and overfit more easily. Each output of the last
convolution also sees only a 9x9 patch instead of a much larger one, so the dense layer must
combine many small views of the image.
"#;
