//! What maximisation and inversion share: the smoothness prior, Adam steps on the
//! pixels of an image, a seeded random start, and the checks of their settings.

use ndarray::{Array3, ArrayView3};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{CnnError, Result};

// ANCHOR: total_variation
/// Total variation: how much neighbouring pixels differ, as a mean of squared
/// differences (Mahendran and Vedaldi's `V^beta` with `beta = 2`), with its gradient.
///
/// ```text
/// TV(x) = 1/(C*H*W) * sum_c sum_i sum_j [ (x[c,i+1,j] - x[c,i,j])^2 + (x[c,i,j+1] - x[c,i,j])^2 ]
/// ```
///
/// (pairs that would leave the image are left out). A noisy image has a large TV, a
/// smooth one a small TV, so adding it to a loss asks for images that look natural.
/// `x: [C, H, W] -> (TV, dTV/dx: [C, H, W])`.
pub fn total_variation(x: ArrayView3<f32>) -> (f32, Array3<f32>) {
    let (channels, height, width) = x.dim();
    let scale = 1.0 / (channels * height * width).max(1) as f32;
    let mut value = 0.0;
    let mut gradient = Array3::zeros(x.dim());
    for c in 0..channels {
        for i in 0..height {
            for j in 0..width {
                if i + 1 < height {
                    let d = x[[c, i + 1, j]] - x[[c, i, j]];
                    value += d * d * scale;
                    gradient[[c, i + 1, j]] += 2.0 * d * scale;
                    gradient[[c, i, j]] -= 2.0 * d * scale;
                }
                if j + 1 < width {
                    let d = x[[c, i, j + 1]] - x[[c, i, j]];
                    value += d * d * scale;
                    gradient[[c, i, j + 1]] += 2.0 * d * scale;
                    gradient[[c, i, j]] -= 2.0 * d * scale;
                }
            }
        }
    }
    (value, gradient)
}
// ANCHOR_END: total_variation

/// Adam (Kingma and Ba, 2015) on the pixels of one image: the same update as
/// [`crate::train::Adam`] uses for weights, here for an image that is being optimised.
/// Each pixel's step is about `learning_rate` whatever the gradient's scale, which
/// matters here because a deep layer's gradients are far smaller than a shallow one's.
pub(super) struct PixelAdam {
    learning_rate: f32,
    step: i32,
    mean: Array3<f32>,
    mean_square: Array3<f32>,
}

impl PixelAdam {
    const BETA1: f32 = 0.9;
    const BETA2: f32 = 0.999;
    const EPSILON: f32 = 1e-8;

    pub(super) fn new(learning_rate: f32, shape: (usize, usize, usize)) -> PixelAdam {
        PixelAdam {
            learning_rate,
            step: 0,
            mean: Array3::zeros(shape),
            mean_square: Array3::zeros(shape),
        }
    }

    /// `x <- x - learning_rate * m_hat / (sqrt(v_hat) + epsilon)`: a step *down* the
    /// gradient (to go up, pass the negative gradient).
    pub(super) fn descend(&mut self, x: &mut Array3<f32>, gradient: &Array3<f32>) {
        self.step += 1;
        let correction1 = 1.0 - Self::BETA1.powi(self.step);
        let correction2 = 1.0 - Self::BETA2.powi(self.step);
        ndarray::Zip::from(x)
            .and(&mut self.mean)
            .and(&mut self.mean_square)
            .and(gradient)
            .for_each(|x, m, v, &g| {
                *m = Self::BETA1 * *m + (1.0 - Self::BETA1) * g;
                *v = Self::BETA2 * *v + (1.0 - Self::BETA2) * g * g;
                let m_hat = *m / correction1;
                let v_hat = *v / correction2;
                *x -= self.learning_rate * m_hat / (v_hat.sqrt() + Self::EPSILON);
            });
    }
}

/// A seeded random starting image: `center` plus uniform noise of `±noise`, `[C, H, W]`.
pub(super) fn random_start(shape: [usize; 3], center: f32, noise: f32, seed: u64) -> Array3<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    Array3::from_shape_simple_fn((shape[0], shape[1], shape[2]), || {
        center + noise * rng.random_range(-1.0f32..=1.0)
    })
}

pub(super) fn check_range(method: &str, (low, high): (f32, f32)) -> Result<()> {
    let valid = low.is_finite() && high.is_finite() && low < high;
    if !valid {
        return Err(CnnError::setting(format!(
            "{method}: the pixel range must be finite with low < high, got ({low}, {high})"
        )));
    }
    Ok(())
}

pub(super) fn check_steps(method: &str, steps: usize, learning_rate: f32) -> Result<()> {
    if steps == 0 {
        return Err(CnnError::setting(format!(
            "{method}: steps must be at least 1, got 0"
        )));
    }
    if !(learning_rate > 0.0 && learning_rate.is_finite()) {
        return Err(CnnError::setting(format!(
            "{method}: the learning rate must be positive, got {learning_rate}"
        )));
    }
    Ok(())
}
