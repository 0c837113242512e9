//! Solution of ch04-uncovered-pixels.

/// `floor((10 - 3) / 4) + 1 = 2`: windows start at 0 and 4.
pub fn predicted_output_side() -> usize {
    2
}

/// The last window covers rows 4..=6, so rows 7, 8 and 9 are never seen: `(10 - 3) % 4 = 3`.
pub fn predicted_uncovered() -> usize {
    3
}

/// A model answer.
pub const EXPLANATION: &str = r#"
The windows start at 0, 4, 8, ... and a window must fit entirely: one starting at 8 would
need rows 8..=10, but row 10 does not exist, so the floor in the formula drops it, and rows
7 to 9 are never read. Padding the input so that N + 2P - K is a multiple of S (for example
to 11 with one extra row, or P = 1 with stride 3, or stride 1) lets the windows reach the edge.
"#;
