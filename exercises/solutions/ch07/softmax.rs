//! Solution of ch07-softmax.

/// `p[k] = exp(z[k] - m) / sum_j exp(z[j] - m)` with `m = max z`, so no `exp` overflows.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    let largest = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|&z| (z - largest).exp()).collect();
    let total: f32 = exps.iter().sum();
    exps.iter().map(|&e| e / total).collect()
}
