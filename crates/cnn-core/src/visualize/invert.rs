//! Inversion: an image from a layer's code.

use ndarray::{Array3, ArrayView3};

use super::forward_image;
use super::image_gradient;
use super::optimize::{PixelAdam, check_range, check_steps, random_start, total_variation};
use crate::error::{CnnError, Result};
use crate::nn::{Sequential, Tensor};

/// Settings of [`invert_representation`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InversionConfig {
    /// Gradient steps.
    pub steps: usize,
    /// Adam's step size, in pixel values.
    pub learning_rate: f32,
    /// Weight `lambda` of the total-variation prior.
    pub total_variation: f32,
    /// The range pixels are clipped to after every step.
    pub pixel_range: (f32, f32),
    /// The start is the middle of the range plus uniform noise of this amplitude.
    pub start_noise: f32,
    /// Seed of the starting noise.
    pub seed: u64,
}

impl Default for InversionConfig {
    fn default() -> InversionConfig {
        InversionConfig {
            steps: 200,
            learning_rate: 0.02,
            total_variation: 0.05,
            pixel_range: (0.0, 1.0),
            start_noise: 0.1,
            seed: 0,
        }
    }
}

/// The result of [`invert_representation`].
#[derive(Debug, Clone, PartialEq)]
pub struct Inversion {
    /// The reconstruction: `[C, H, W]`.
    pub image: Array3<f32>,
    /// The loss before every step and after the last (`steps + 1` values).
    pub losses: Vec<f32>,
    /// The relative representation error `||phi(x) - phi(x0)||^2 / ||phi(x0)||^2` of
    /// the final image (the loss without the prior).
    pub representation_error: f32,
}

// ANCHOR: invert_representation
/// Invert a layer's representation (Mahendran and Vedaldi, 2015): find an image `x`
/// whose code `phi(x)` at layer `layer` matches the code `phi(x0)` of `image`, with a
/// total-variation prior that prefers natural-looking images among the many that fit:
///
/// ```text
/// L(x) = ||phi(x) - phi(x0)||^2 / ||phi(x0)||^2 + lambda * TV(x)
/// dL/dx = backward( 2 (phi(x) - phi(x0)) / ||phi(x0)||^2 ) + lambda * dTV/dx
/// ```
///
/// minimised by Adam from a noisy start in the middle of the pixel range, pixels
/// clipped to that range. What
/// the reconstruction keeps is what the layer knows about the image; what is lost
/// (blurred, shifted, wrongly coloured) the layer has thrown away.
///
/// `image: [C, H, W] -> reconstruction: [C, H, W]`.
///
/// # Errors
/// No layer of that name, zero steps, a non-positive learning rate, an empty pixel
/// range, an image that does not fit the network, or a layer whose code for the
/// image is all zeros (there is nothing to match).
pub fn invert_representation(
    model: &Sequential,
    layer: &str,
    image: ArrayView3<f32>,
    config: InversionConfig,
) -> Result<Inversion> {
    let method = "invert_representation";
    check_steps(method, config.steps, config.learning_rate)?;
    check_range(method, config.pixel_range)?;
    let front = model.until(layer)?; // phi: the network up to the layer
    // ANCHOR: inversion_loop
    let target = forward_image(&front, image, method)?.output; // phi(x0)
    let target_energy = energy(&target); // ||phi(x0)||^2
    if target_energy == 0.0 {
        return Err(CnnError::setting(format!(
            "{method}: the output of layer {layer} is all zeros for this image: nothing to invert"
        )));
    }
    let (c, h, w) = image.dim();
    let (low, high) = config.pixel_range;
    let middle = (low + high) / 2.0;
    let mut x = random_start([c, h, w], middle, config.start_noise, config.seed);
    let mut adam = PixelAdam::new(config.learning_rate, x.dim());
    let mut losses = Vec::with_capacity(config.steps + 1);
    let mut representation_error = 0.0;
    for step in 0..=config.steps {
        let trace = forward_image(&front, x.view(), method)?; // phi(x)
        let difference = subtract(&trace.output, &target)?; // phi(x) - phi(x0)
        representation_error = energy(&difference) / target_energy;
        let (tv, d_tv) = total_variation(x.view());
        losses.push(representation_error + config.total_variation * tv);
        if step == config.steps {
            break;
        }
        let d_code = difference.map(|d| 2.0 * d / target_energy);
        let d_x = image_gradient(&front, &trace, &d_code)?; // [C, H, W]
        let gradient = d_x + d_tv * config.total_variation;
        adam.descend(&mut x, &gradient);
        x.mapv_inplace(|v| v.clamp(low, high));
    }
    // ANCHOR_END: inversion_loop
    Ok(Inversion {
        image: x,
        losses,
        representation_error,
    })
}

/// The sum of the squares of every value: `||t||^2`.
fn energy(tensor: &Tensor) -> f32 {
    match tensor {
        Tensor::Maps(maps) => maps.iter().map(|v| v * v).sum(),
        Tensor::Flat(rows) => rows.iter().map(|v| v * v).sum(),
    }
}

/// `a - b` for two outputs of the same layer.
fn subtract(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    Ok(match (a, b) {
        (Tensor::Maps(a), Tensor::Maps(b)) => Tensor::Maps(a - b),
        (Tensor::Flat(a), Tensor::Flat(b)) => Tensor::Flat(a - b),
        _ => {
            return Err(CnnError::mismatch(
                "invert_representation: codes of different kinds",
            ));
        }
    })
}
// ANCHOR_END: invert_representation
