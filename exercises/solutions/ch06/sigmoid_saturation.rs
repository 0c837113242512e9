//! Solution of ch06-sigmoid-saturation.

/// At `x = 0` the sigmoid is 1/2, and `1/2 * (1 - 1/2) = 1/4`.
pub fn predicted_largest_gradient() -> f32 {
    0.25
}

/// `0.25^4 = 1/256` is not yet below 1/1000; `0.25^5 = 1/1024` is.
pub fn predicted_layers_for_1000x() -> usize {
    5
}

/// A model answer.
pub const EXPLANATION: &str = r#"
Each sigmoid multiplies the gradient flowing back by at most 0.25, and by much less where
it saturates (|x| large), so the early layers of a deep sigmoid network get tiny gradients
and learn slowly. ReLU's local gradient is exactly 1 wherever the unit is active, so the
gradient passes back without shrinking, and training is faster, as chapter 6 measures.
"#;
