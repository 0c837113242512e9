//! Solution of ch03-overlapping-windows.

/// `(6 - 2) / 1 + 1 = 5`.
pub fn predicted_side() -> usize {
    5
}

/// Position (2, 2) lies in the windows that start at rows 1 and 2 and columns 1 and 2.
pub fn predicted_times_picked() -> usize {
    4
}

/// A model answer.
pub const EXPLANATION: &str = r#"
The largest value wins every window it lies in, and (2, 2) lies in 2 x 2 = 4 windows. In the
backward pass all four output gradients flow back to that one pixel and add up, so it gets
four times the gradient, while its neighbours get none. With S = K every input lies in
exactly one window: no pixel is counted twice, the map shrinks by K, and less work is done.
"#;
