//! Solution of ch01-cross-correlation.

/// `y[t] = sum_k x[t + k] * w[k]` for `t in 0..L-K+1`.
pub fn cross_correlation(signal: &[f32], kernel: &[f32]) -> Vec<f32> {
    let outputs = signal.len() - kernel.len() + 1;
    let mut output = vec![0.0; outputs];
    for t in 0..outputs {
        let mut sum = 0.0;
        for k in 0..kernel.len() {
            sum += signal[t + k] * kernel[k];
        }
        output[t] = sum;
    }
    output
}
