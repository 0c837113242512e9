//! Random starting weights, scaled so that signals neither explode nor vanish.
//!
//! A layer whose output sums `fan_in` inputs (`C*KH*KW` for a convolution, `I` for a
//! dense layer) multiplies the variance of its input by about `fan_in * Var(w)`.
//! Choosing `Var(w)` to cancel that keeps the signal's size from layer to layer:
//!
//! - **Xavier/Glorot** (Glorot and Bengio, 2010): `Var(w) = 2 / (fan_in + fan_out)`,
//!   made for sigmoid and tanh;
//! - **He/Kaiming** (He et al., 2015): `Var(w) = 2 / fan_in`, which makes up for ReLU
//!   zeroing half its inputs.
//!
//! Both draw from a uniform distribution `U(-a, a)`, whose variance is `a^2 / 3`, so
//! `a = sqrt(3 Var(w))`. Biases start at zero. All randomness comes from the caller's
//! seeded generator, so the same seed gives the same network.

use ndarray::{Array, Dimension, IntoDimension};
use rand::Rng;

/// Which scale to draw the starting weights from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    /// He/Kaiming: `Var(w) = 2 / fan_in`, for ReLU networks.
    He,
    /// Xavier/Glorot: `Var(w) = 2 / (fan_in + fan_out)`, for sigmoid and tanh networks.
    Xavier,
}

impl Init {
    /// The half-width `a` of the uniform distribution `U(-a, a)`.
    pub fn limit(self, fan_in: usize, fan_out: usize) -> f32 {
        let variance = match self {
            Init::He => 2.0 / fan_in as f32,
            Init::Xavier => 2.0 / (fan_in + fan_out) as f32,
        };
        (3.0 * variance).sqrt()
    }
}

impl Init {
    /// An array of `shape` drawn from `U(-a, a)` with `a = self.limit(fan_in, fan_out)`,
    /// in row-major order from `rng`.
    pub fn draw<D: Dimension>(
        self,
        shape: impl IntoDimension<Dim = D>,
        fan_in: usize,
        fan_out: usize,
        rng: &mut impl Rng,
    ) -> Array<f32, D> {
        let limit = self.limit(fan_in, fan_out);
        Array::from_shape_simple_fn(shape.into_dimension(), || rng.random_range(-limit..limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::layers::{Conv2d, Conv2dConfig, Dense};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn variance_matches_the_formula_and_the_seed_fixes_the_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let dense = Dense::random(400, 200, Init::He, &mut rng).unwrap();
        assert_eq!(dense.weight.dim(), (200, 400)); // [O, I]: inputs come first in `random`
        let variance = dense.weight.mapv(|w| w * w).mean().unwrap();
        assert!((variance - 2.0 / 400.0).abs() < 0.0005, "{variance}");
        let conv =
            Conv2d::random(6, 16, 5, Conv2dConfig::default(), Init::Xavier, &mut rng).unwrap();
        assert_eq!(conv.weight.dim(), (16, 6, 5, 5)); // [F, C, K, K]
        let variance = conv.weight.mapv(|w| w * w).mean().unwrap();
        assert!(
            (variance - 2.0 / (150.0 + 400.0)).abs() < 0.0005,
            "{variance}"
        );
        let again = Dense::random(400, 200, Init::He, &mut ChaCha8Rng::seed_from_u64(1));
        assert_eq!(again.unwrap(), dense);
        assert!(Dense::random(4, 0, Init::He, &mut rng).is_err());
        assert!(Conv2d::random(0, 4, 3, Conv2dConfig::default(), Init::He, &mut rng).is_err());
    }
}
