//! Activation maximisation: the input a unit wants to see.

use ndarray::{Array2, Array3, Array4};

use super::optimize::{PixelAdam, check_range, check_steps, random_start, total_variation};
use super::{forward_image, image_gradient, score_layer};
use crate::error::{CnnError, Result};
use crate::nn::{Sequential, Tensor};

/// What [`maximize_activation`] maximises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The score (logit, before softmax) of a class.
    Class(usize),
    /// The unit at the centre of one channel's map at a layer,
    /// `y[channel, H'/2, W'/2]` (for a dense layer, unit `channel`).
    Channel {
        /// The layer's name in the network.
        layer: String,
        /// The channel.
        channel: usize,
    },
}

/// Settings of [`maximize_activation`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaximizeConfig {
    /// Gradient steps.
    pub steps: usize,
    /// Adam's step size, in pixel values.
    pub learning_rate: f32,
    /// Weight `lambda` of the L2 penalty `lambda/2 * sum (x - background)^2`, which
    /// keeps pixels near the background.
    pub l2: f32,
    /// The value the L2 penalty pulls pixels to, and the start image's mean: grey 0.5
    /// for a photo in `[0, 1]`, blank paper for a digit.
    pub background: f32,
    /// Weight `mu` of the smoothness penalty: the sum of squared differences of
    /// neighbouring pixels, `(C*H*W) * TV(x)` with [`total_variation`].
    pub total_variation: f32,
    /// The range pixels are clipped to after every step (`(0, 1)` for a photo).
    pub pixel_range: (f32, f32),
    /// The start is the background plus uniform noise of this amplitude.
    pub start_noise: f32,
    /// Seed of the starting noise.
    pub seed: u64,
}

impl Default for MaximizeConfig {
    fn default() -> MaximizeConfig {
        MaximizeConfig {
            steps: 200,
            learning_rate: 0.03,
            l2: 0.003,
            background: 0.5,
            total_variation: 0.5,
            pixel_range: (0.0, 1.0),
            start_noise: 0.1,
            seed: 0,
        }
    }
}

/// The result of [`maximize_activation`].
#[derive(Debug, Clone, PartialEq)]
pub struct Maximized {
    /// The image found: `[C, H, W]`.
    pub image: Array3<f32>,
    /// The target's activation before every step and after the last one
    /// (`steps + 1` values).
    pub activations: Vec<f32>,
}

// ANCHOR: maximize_activation
/// Activation maximisation (Erhan et al., 2009): start from a noisy blank image and
/// climb the gradient of the target's activation `a(x)`, with two penalties that keep
/// the image plausible:
///
/// ```text
/// J(x) = a(x) - lambda/2 * sum (x - background)^2 - mu * (C*H*W) * TV(x)
/// x <- clip(x + Adam step along dJ/dx, pixel range)
/// ```
///
/// Both penalties are *sums* over the pixels (`(C*H*W) * TV(x)` is the sum of squared
/// differences of neighbours), so each pixel feels `lambda` and `mu` whatever the
/// image's size, against its own share of `da/dx`.
///
/// where `a(x)` is a class score `z_k` or the unit at the centre of channel `c`'s map,
/// `y[c, H'/2, W'/2]` (only the pixels in its receptive field can change it; the rest
/// stay at the background). Without the penalties the image fills with
/// high-frequency patterns that excite the unit but look like nothing; with them it
/// shows what the unit responds to.
///
/// `input_shape: [C, H, W] -> image: [C, H, W]`.
///
/// # Errors
/// No layer of that name, a channel or class out of range, zero steps, a non-positive learning rate,
/// an empty pixel range, or an input shape that does not fit the network.
pub fn maximize_activation(
    model: &Sequential,
    input_shape: [usize; 3],
    target: &Target,
    config: MaximizeConfig,
) -> Result<Maximized> {
    let method = "maximize_activation";
    check_steps(method, config.steps, config.learning_rate)?;
    check_range(method, config.pixel_range)?;
    let (layer, unit) = match target {
        Target::Class(class) => (score_layer(model)?, *class),
        Target::Channel { layer, channel } => (layer.as_str(), *channel),
    };
    let front = model.until(layer)?; // the network up to the target's layer
    let (low, high) = config.pixel_range;
    let mut x = random_start(
        input_shape,
        config.background,
        config.start_noise,
        config.seed,
    );
    x.mapv_inplace(|v| v.clamp(low, high));
    let pixels = x.len() as f32;
    let mut adam = PixelAdam::new(config.learning_rate, x.dim());
    let mut activations = Vec::with_capacity(config.steps + 1);
    for step in 0..=config.steps {
        let trace = forward_image(&front, x.view(), method)?; // [1, F, H', W'] or [1, K]
        let units = trace.output.shape()[1];
        if unit >= units {
            let what = match target {
                Target::Class(_) => "class",
                Target::Channel { .. } => "channel",
            };
            return Err(CnnError::setting(format!(
                "{method}: {what} {unit} is out of range: layer {layer} has {units} (0 to {})",
                units - 1
            )));
        }
        // a(x) = one number of the output: the class score, or the unit at the centre
        // of the channel's map; da/dy is 1 there and 0 everywhere else.
        let (activation, d_output) = match &trace.output {
            Tensor::Maps(maps) => {
                let (_, _, h, w) = maps.dim(); // [1, F, H', W']
                let mut d = Array4::zeros(maps.dim());
                d[[0, unit, h / 2, w / 2]] = 1.0;
                (maps[[0, unit, h / 2, w / 2]], Tensor::Maps(d))
            }
            Tensor::Flat(rows) => {
                let mut d = Array2::zeros(rows.dim()); // [1, K]
                d[[0, unit]] = 1.0;
                (rows[[0, unit]], Tensor::Flat(d))
            }
        };
        activations.push(activation);
        if step == config.steps {
            break;
        }
        let d_activation = image_gradient(&front, &trace, &d_output)?; // [C, H, W]
        let (_, d_tv) = total_variation(x.view()); // of the mean; times C*H*W for the sum
        // dJ/dx, then step down -dJ/dx, i.e. up J.
        let d_l2 = x.mapv(|v| config.l2 * (v - config.background));
        let ascent = &d_activation - &d_l2 - &(d_tv * (config.total_variation * pixels));
        adam.descend(&mut x, &ascent.mapv(|g| -g));
        x.mapv_inplace(|v| v.clamp(low, high));
    }
    Ok(Maximized {
        image: x,
        activations,
    })
}
// ANCHOR_END: maximize_activation
