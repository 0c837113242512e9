//! # Exercise ch07-softmax (implement)
//!
//! Softmax turns logits into probabilities:
//!
//! ```text
//! p[k] = exp(z[k]) / sum_j exp(z[j])
//! ```
//!
//! Computed literally, `exp(1000.0)` overflows to infinity and the result is NaN. Make
//! it work for any logits: subtracting the same number from every logit does not change
//! the result (why?), so subtract the largest first. You may assume `logits` is non-empty.

/// The probabilities for the logits of one image.
pub fn softmax(logits: &[f32]) -> Vec<f32> {
    todo!()
}
