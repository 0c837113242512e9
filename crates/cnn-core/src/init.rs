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

use ndarray::{Array1, Array2, Array4};
use rand::Rng;

use crate::conv::{Conv2d, Conv2dConfig};
use crate::dense::Dense;
use crate::error::Result;

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

impl Conv2d {
    /// A convolution layer with `filters` random kernels of size
    /// `[channels, kernel, kernel]` and zero biases.
    ///
    /// `fan_in = C*K*K` (the inputs of one output), `fan_out = F*K*K`.
    ///
    /// # Errors
    /// A zero-sized kernel, filter or channel count, or a zero stride.
    pub fn initialised(
        name: &str,
        filters: usize,
        channels: usize,
        kernel: usize,
        config: Conv2dConfig,
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Conv2d> {
        let limit = init.limit(channels * kernel * kernel, filters * kernel * kernel);
        let weight = Array4::from_shape_simple_fn((filters, channels, kernel, kernel), || {
            rng.random_range(-limit..limit)
        });
        Conv2d::new(name, weight, Array1::zeros(filters), config)
    }
}

impl Dense {
    /// A dense layer `[inputs] -> [outputs]` with random weights and zero biases.
    ///
    /// # Errors
    /// Zero inputs or outputs.
    pub fn initialised(
        name: &str,
        outputs: usize,
        inputs: usize,
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Dense> {
        let limit = init.limit(inputs, outputs);
        let weight =
            Array2::from_shape_simple_fn((outputs, inputs), || rng.random_range(-limit..limit));
        Dense::new(name, weight, Array1::zeros(outputs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn variance_matches_the_formula_and_the_seed_fixes_the_weights() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let dense = Dense::initialised("fc", 200, 400, Init::He, &mut rng).unwrap();
        let variance = dense.weight.mapv(|w| w * w).mean().unwrap();
        assert!((variance - 2.0 / 400.0).abs() < 0.0005, "{variance}");
        let conv = Conv2d::initialised(
            "c",
            16,
            6,
            5,
            Conv2dConfig::default(),
            Init::Xavier,
            &mut rng,
        )
        .unwrap();
        let variance = conv.weight.mapv(|w| w * w).mean().unwrap();
        assert!(
            (variance - 2.0 / (150.0 + 400.0)).abs() < 0.0005,
            "{variance}"
        );
        let again = Dense::initialised("fc", 200, 400, Init::He, &mut ChaCha8Rng::seed_from_u64(1));
        assert_eq!(again.unwrap(), dense);
        assert!(Dense::initialised("fc", 0, 4, Init::He, &mut rng).is_err());
    }
}
