//! Solution of ch06-conv1d-backward.

/// Every term of the forward sum sends its share of `d_out[t]` back; shares add (`+=`).
pub fn conv1d_backward(signal: &[f32], kernel: &[f32], d_out: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let mut d_signal = vec![0.0; signal.len()];
    let mut d_kernel = vec![0.0; kernel.len()];
    for t in 0..d_out.len() {
        for k in 0..kernel.len() {
            d_signal[t + k] += d_out[t] * kernel[k];
            d_kernel[k] += d_out[t] * signal[t + k];
        }
    }
    (d_signal, d_kernel)
}
