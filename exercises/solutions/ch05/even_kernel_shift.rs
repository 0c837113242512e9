//! Solution of ch05-even-kernel-shift.

/// Output `(i, j)` averages rows `i, i+1` and columns `j, j+1`, so the dot lands in
/// outputs with rows 3 and 4, each a quarter: the centre of mass is at row 3.5.
pub fn predicted_centre_row() -> f32 {
    3.5
}

/// A model answer.
pub const EXPLANATION: &str = r#"
The 2x2 kernel has no centre pixel: output (i, j) is the mean of the window whose top-left
corner is (i, j), so it describes the point (i + 0.5, j + 0.5) but is stored at (i, j). The
dot moves up and left by half a pixel. The shifts add up: after four blurs it has moved two
pixels. An odd kernel has a centre, pads equally on both sides and moves nothing.
"#;
