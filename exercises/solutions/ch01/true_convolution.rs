//! Solution of ch01-true-convolution.

/// `y[t] = sum_k x[t - k] * h[k]`, terms outside the signal being zero.
pub fn convolution_full(signal: &[f32], kernel: &[f32]) -> Vec<f32> {
    let outputs = signal.len() + kernel.len() - 1;
    let mut output = vec![0.0; outputs];
    for t in 0..outputs {
        let mut sum = 0.0;
        for k in 0..kernel.len() {
            // t - k must be a valid signal index: 0 <= t - k < L.
            if k <= t && t - k < signal.len() {
                sum += signal[t - k] * kernel[k];
            }
        }
        output[t] = sum;
    }
    output
}
