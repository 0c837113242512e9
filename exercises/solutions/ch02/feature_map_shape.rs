//! Solution of ch02-feature-map-shape.

/// `N` is unchanged, one map per filter, and `32 - 5 + 1 = 28` on each side.
pub fn predicted_shape() -> [usize; 4] {
    [2, 8, 28, 28]
}

/// A model answer.
pub const EXPLANATION: &str = r#"
Each filter has shape [3, 5, 5]: it spans all three input channels at once and sums over
them, so one filter gives one feature map, whatever the number of input channels. Eight
filters give eight maps. The colour channels are mixed inside each filter, not kept apart.
"#;
