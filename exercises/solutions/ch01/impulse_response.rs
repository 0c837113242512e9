//! Solution of ch01-impulse-response.

/// At shift `t` the 1 sits under kernel tap `k = 2 - t`, so `y[t] = w[2 - t]`: the kernel
/// read backwards.
pub fn predicted_cross_correlation() -> Vec<f32> {
    vec![3.0, 2.0, 1.0]
}

/// A model answer.
pub const EXPLANATION: &str = r#"
Cross-correlation multiplies x[t + k] by w[k]. The single 1 is at index 2, so output t
picks the tap k = 2 - t: t = 0 reads w[2] = 3, t = 1 reads w[1] = 2, t = 2 reads w[0] = 1.
As the kernel slides right, the impulse moves left under it, so the kernel comes out
reversed. True convolution flips the kernel first (x[t - k] * h[k]), so it reproduces the
kernel as it is: the impulse response of a convolution is its kernel.
"#;
