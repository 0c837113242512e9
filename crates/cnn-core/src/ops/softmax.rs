//! Softmax and the cross-entropy loss: from a row of scores ("logits") to
//! probabilities over the `K` classes, and from those to one number that says how
//! wrong the network was.

use ndarray::{Array2, ArrayView2};

use crate::error::{CnnError, Result};

/// Softmax of each row: positive numbers that sum to 1, larger for larger logits.
///
/// `logits: [N, K] -> probabilities: [N, K]`
///
/// ```text
/// softmax(z)[n,k] = exp(z[n,k] - m[n]) / sum_j exp(z[n,j] - m[n]),   m[n] = max_j z[n,j]
/// ```
///
/// Subtracting the row maximum `m` changes nothing mathematically (the factor
/// `exp(-m)` cancels between numerator and denominator), but it keeps the
/// arithmetic finite: `exp(z)` overflows `f32` for `z > 88`, while `exp(z - m)` lies
/// in (0, 1] for every `z`, and the largest term is exactly 1, so the sum is at least 1.
pub fn softmax(logits: ArrayView2<f32>) -> Array2<f32> {
    let mut probabilities = logits.to_owned();
    for mut row in probabilities.outer_iter_mut() {
        let max = row.fold(f32::NEG_INFINITY, |m, &z| m.max(z));
        row.mapv_inplace(|z| (z - max).exp()); // exp(z - m), in (0, 1]
        let sum = row.sum();
        row /= sum;
    }
    probabilities
}

/// The logarithm of [`softmax`], computed without taking the log of a tiny number.
///
/// `logits: [N, K] -> log-probabilities: [N, K]`
///
/// ```text
/// log_softmax(z)[n,k] = z[n,k] - m[n] - log(sum_j exp(z[n,j] - m[n])),   m[n] = max_j z[n,j]
/// ```
///
/// `log(softmax(z))` would first round a probability such as `1e-50` to 0 in `f32`
/// and then return `-inf`; this form stays finite (`-115`).
pub fn log_softmax(logits: ArrayView2<f32>) -> Array2<f32> {
    let mut log_probabilities = logits.to_owned();
    for mut row in log_probabilities.outer_iter_mut() {
        let max = row.fold(f32::NEG_INFINITY, |m, &z| m.max(z));
        let log_sum = row.fold(0.0, |s, &z| s + (z - max).exp()).ln();
        row.mapv_inplace(|z| z - max - log_sum);
    }
    log_probabilities
}

/// The cross-entropy loss of a batch: how improbable, on average, the network found
/// the correct classes.
///
/// `logits: [N, K], targets: [N] (class indices in 0..K) -> loss: a number`
///
/// ```text
/// loss = -(1/N) * sum_n log softmax(z)[n, t[n]]
/// ```
///
/// as PyTorch's `nn.CrossEntropyLoss` with its default mean reduction. A network that
/// puts probability 1 on every target scores 0; guessing uniformly scores `log K`.
///
/// # Errors
/// An empty batch, a number of targets different from `N`, or a target outside
/// `0..K`.
pub fn softmax_cross_entropy(logits: ArrayView2<f32>, targets: &[usize]) -> Result<f32> {
    let (batch, classes) = logits.dim();
    if batch == 0 {
        return Err(CnnError::shape(
            "softmax_cross_entropy logits",
            "[N >= 1, K]",
            logits.shape(),
        ));
    }
    if targets.len() != batch {
        return Err(CnnError::shape(
            &format!(
                "softmax_cross_entropy targets for logits {:?}",
                logits.shape()
            ),
            &format!("[{batch}] (one per row)"),
            &[targets.len()],
        ));
    }
    if let Some((n, &target)) = targets.iter().enumerate().find(|&(_, &t)| t >= classes) {
        return Err(CnnError::mismatch(format!(
            "softmax_cross_entropy: target {target} of row {n} is not a class index \
             in 0..{classes}"
        )));
    }
    let log_probabilities = log_softmax(logits);
    let mut sum = 0.0;
    for (n, &target) in targets.iter().enumerate() {
        sum += log_probabilities[[n, target]];
    }
    Ok(-sum / batch as f32)
}

// ANCHOR: cross_entropy_backward
/// Backward pass of [`softmax_cross_entropy`]: the gradient of the mean loss with
/// respect to the logits.
///
/// `logits: [N, K], targets: [N] -> d_logits: [N, K]`
///
/// ```text
/// d_z[n,k] = (softmax(z)[n,k] - [k == t[n]]) / N
/// ```
///
/// Softmax and cross-entropy together have this famously simple gradient: the
/// predicted probability minus the one-hot target. The `1/N` comes from averaging the
/// loss over the batch.
///
/// # Errors
/// The same as [`softmax_cross_entropy`].
pub fn softmax_cross_entropy_backward(
    logits: ArrayView2<f32>,
    targets: &[usize],
) -> Result<Array2<f32>> {
    softmax_cross_entropy(logits, targets)?; // the same checks as the forward pass
    let batch = logits.nrows() as f32;
    let mut d_logits = softmax(logits);
    for (n, &target) in targets.iter().enumerate() {
        d_logits[[n, target]] -= 1.0;
    }
    d_logits /= batch;
    Ok(d_logits)
}
// ANCHOR_END: cross_entropy_backward

/// Backward pass of [`softmax`] alone, from its output `p = softmax(z)`.
///
/// `p: [N, K], d_out: [N, K] -> d_z: [N, K]`
///
/// ```text
/// d_z[n,k] = p[n,k] * (d_out[n,k] - sum_j d_out[n,j] * p[n,j])
/// ```
///
/// (the Jacobian of softmax is `dp_j/dz_k = p_j ([j == k] - p_k)`). For training,
/// [`softmax_cross_entropy_backward`] does softmax and loss together, more simply.
///
/// # Panics
/// If `p` and `d_out` have different shapes (a bug in the caller).
pub fn softmax_backward(p: ArrayView2<f32>, d_out: ArrayView2<f32>) -> Array2<f32> {
    assert_eq!(
        p.shape(),
        d_out.shape(),
        "softmax_backward: p and d_out differ"
    );
    let mut d_z = Array2::zeros(p.dim());
    for n in 0..p.nrows() {
        let dot: f32 = (0..p.ncols()).map(|j| d_out[[n, j]] * p[[n, j]]).sum();
        for k in 0..p.ncols() {
            d_z[[n, k]] = p[[n, k]] * (d_out[[n, k]] - dot);
        }
    }
    d_z
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn rows_sum_to_one_even_for_huge_logits() {
        let logits = array![[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]];
        let p = softmax(logits.view());
        assert!(p.iter().all(|v| v.is_finite()), "{p}");
        for row in p.outer_iter() {
            assert!((row.sum() - 1.0).abs() < 1e-6);
        }
        assert_eq!(p.row(1), array![0.5, 0.5, 0.0]);
        let log_p = log_softmax(logits.view());
        assert_eq!(log_p[[1, 2]], -2000.0 - 2.0f32.ln());
    }

    #[test]
    fn uniform_logits_cost_log_k() {
        let logits = Array2::zeros((3, 4));
        let loss = softmax_cross_entropy(logits.view(), &[0, 1, 3]).unwrap();
        assert!((loss - 4.0f32.ln()).abs() < 1e-6, "{loss}");
    }

    #[test]
    fn bad_targets_are_errors_with_the_numbers() {
        let logits = Array2::zeros((2, 3));
        let e = softmax_cross_entropy(logits.view(), &[0, 3]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "softmax_cross_entropy: target 3 of row 1 is not a class index in 0..3"
        );
        let e = softmax_cross_entropy(logits.view(), &[0]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "softmax_cross_entropy targets for logits [2, 3]: expected shape [2] (one per row), got [1]"
        );
        assert!(softmax_cross_entropy(Array2::zeros((0, 3)).view(), &[]).is_err());
    }
}
