//! Solution of ch08-occlusion-size.

/// `floor((28 - 7) / 3) + 1 = 8`.
pub fn predicted_map_side() -> usize {
    8
}

/// One pass per patch position, `8 * 8`, plus the uncovered image.
pub fn predicted_forward_passes() -> usize {
    65
}

/// A model answer.
pub const EXPLANATION: &str = r#"
The largest drops are where the patch covers the strokes that tell this digit from the
others (for a 7, the corner where the bar meets the stem). A negative value means the score
rose when that part was hidden: the part was evidence against the class. A smaller stride
or patch gives a finer map, but the number of forward passes grows with the square of
(side / stride), and a patch smaller than a stroke hides too little to matter.
"#;
