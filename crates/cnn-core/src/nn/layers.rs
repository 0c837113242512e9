//! The layers that have parameters or settings: convolution, pooling and dense.
//!
//! Each holds what it needs to run (weights, biases, stride, padding) and runs the
//! operation of [`crate::ops`] that computes it. Layers have no names of their own:
//! a [`Sequential`](crate::nn::Sequential) network names them, and its errors start
//! with that name.
//!
//! Constructors take inputs before outputs, as PyTorch's `nn.Conv2d(in, out, k)`
//! and `nn.Linear(in, out)` do.

use ndarray::{Array1, Array2, Array4, ArrayView2, ArrayView4};
use rand::Rng;

use crate::error::{CnnError, Result};
use crate::nn::init::Init;
use crate::ops::conv2d::{
    Patches, check_weight_and_bias, conv2d, conv2d_keeping_patches, conv2d_output_shape,
};
use crate::ops::linear::{check_bias, linear};
use crate::ops::pool::{PoolKind, avg_pool2d, max_pool2d};
use crate::shape::output_size;

/// Stride and padding of a convolution layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv2dConfig {
    /// Step `S` between kernel positions, in both directions.
    pub stride: usize,
    /// Zero padding `P` on each side, in both directions.
    pub padding: usize,
}

impl Default for Conv2dConfig {
    /// Stride 1, no padding, as in PyTorch's `Conv2d`.
    fn default() -> Self {
        Conv2dConfig {
            stride: 1,
            padding: 0,
        }
    }
}

impl Conv2dConfig {
    /// Stride 1 and `padding` zeros on each side.
    pub fn padding(padding: usize) -> Conv2dConfig {
        Conv2dConfig { stride: 1, padding }
    }
}

/// A 2-D convolution layer: `F` filters of size [C, KH, KW], a bias per filter, a
/// stride and zero padding.
///
/// `input: [N, C, H, W] -> output: [N, F, H', W']`
#[derive(Debug, Clone, PartialEq)]
pub struct Conv2d {
    /// The filters: [F, C, KH, KW].
    pub weight: Array4<f32>,
    /// One bias per filter: `[F]`.
    pub bias: Array1<f32>,
    /// Step `S` between kernel positions.
    pub stride: usize,
    /// Zero padding `P` on each side.
    pub padding: usize,
}

impl Conv2d {
    /// A convolution layer from its weight `[F, C, KH, KW]` and bias `[F]`.
    ///
    /// # Errors
    /// A zero stride, a weight with a zero-sized dimension, or a bias whose length is
    /// not `F`.
    pub fn new(weight: Array4<f32>, bias: Array1<f32>, config: Conv2dConfig) -> Result<Conv2d> {
        check_weight_and_bias(weight.shape(), bias.len(), config.stride)?;
        Ok(Conv2d {
            weight,
            bias,
            stride: config.stride,
            padding: config.padding,
        })
    }

    /// A convolution layer from `in_channels` to `out_channels` (the filter count `F`)
    /// with random `kernel x kernel` filters drawn by `init`, and zero biases.
    ///
    /// `fan_in = C*K*K` (the inputs of one output), `fan_out = F*K*K`.
    ///
    /// # Errors
    /// A zero channel count or kernel size, or a zero stride.
    pub fn random(
        in_channels: usize,
        out_channels: usize,
        kernel: usize,
        config: Conv2dConfig,
        init: Init,
        rng: &mut impl Rng,
    ) -> Result<Conv2d> {
        let shape = [out_channels, in_channels, kernel, kernel];
        check_weight_and_bias(&shape, out_channels, config.stride)?;
        let weight = init.draw(
            shape,
            in_channels * kernel * kernel,
            out_channels * kernel * kernel,
            rng,
        );
        Conv2d::new(weight, Array1::zeros(out_channels), config)
    }

    /// `input: [N, C, H, W] -> output: [N, F, H', W']`, computed by the fast
    /// [`conv2d`].
    ///
    /// # Errors
    /// An input whose channel count differs from the layer's `C`, or smaller than the
    /// kernel after padding.
    pub fn forward(&self, input: ArrayView4<f32>) -> Result<Array4<f32>> {
        conv2d(
            input,
            self.weight.view(),
            self.bias.view(),
            self.stride,
            self.padding,
        )
    }

    /// [`Conv2d::forward`] for training, keeping the unrolled patches for the backward
    /// pass (see [`conv2d_keeping_patches`]).
    ///
    /// # Errors
    /// The same as [`Conv2d::forward`].
    pub fn forward_keeping_patches(
        &self,
        input: ArrayView4<f32>,
    ) -> Result<(Array4<f32>, Patches)> {
        conv2d_keeping_patches(
            input,
            self.weight.view(),
            self.bias.view(),
            self.stride,
            self.padding,
        )
    }

    /// The output shape [N, F, H', W'] for an input shape [N, C, H, W].
    ///
    /// # Errors
    /// The same as [`Conv2d::forward`].
    pub fn output_shape(&self, input: [usize; 4]) -> Result<[usize; 4]> {
        let [batch, channels, height, width] = input;
        let (n, f, out_h, out_w) = conv2d_output_shape(
            (batch, channels, height, width),
            self.weight.dim(),
            self.bias.len(),
            self.stride,
            self.padding,
        )?;
        Ok([n, f, out_h, out_w])
    }

    /// The number of learned numbers: `F*C*KH*KW` weights plus `F` biases.
    pub fn parameter_count(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}

/// A 2-D pooling layer: `K x K` windows moved by stride `S`, no padding, floor mode.
///
/// `input: [N, C, H, W] -> output: [N, C, H', W']`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool2d {
    /// Max or average.
    pub kind: PoolKind,
    /// Window size `K` (square).
    pub kernel: usize,
    /// Step `S` between windows.
    pub stride: usize,
}

impl Pool2d {
    /// A pooling layer; `kernel` and `stride` must be at least 1.
    ///
    /// # Errors
    /// A zero kernel or stride.
    pub fn new(kind: PoolKind, kernel: usize, stride: usize) -> Result<Pool2d> {
        if kernel == 0 {
            return Err(CnnError::setting(
                "pooling kernel must be at least 1, got 0",
            ));
        }
        if stride == 0 {
            return Err(CnnError::setting(
                "pooling stride must be at least 1, got 0",
            ));
        }
        Ok(Pool2d {
            kind,
            kernel,
            stride,
        })
    }

    /// Max pooling with `kernel x kernel` windows and the given stride.
    ///
    /// # Errors
    /// A zero kernel or stride.
    pub fn max(kernel: usize, stride: usize) -> Result<Pool2d> {
        Pool2d::new(PoolKind::Max, kernel, stride)
    }

    /// Average pooling with `kernel x kernel` windows and the given stride.
    ///
    /// # Errors
    /// A zero kernel or stride.
    pub fn average(kernel: usize, stride: usize) -> Result<Pool2d> {
        Pool2d::new(PoolKind::Average, kernel, stride)
    }

    /// `input: [N, C, H, W] -> output: [N, C, H', W']` with `H' = output_size(H, K, S, 0)`,
    /// computed by the fast [`max_pool2d`] or [`avg_pool2d`].
    ///
    /// # Errors
    /// An input smaller than the window.
    pub fn forward(&self, input: ArrayView4<f32>) -> Result<Array4<f32>> {
        match self.kind {
            PoolKind::Max => max_pool2d(input, self.kernel, self.stride),
            PoolKind::Average => avg_pool2d(input, self.kernel, self.stride),
        }
    }

    /// The output shape for an input shape `[N, C, H, W]`.
    ///
    /// # Errors
    /// An input smaller than the window.
    pub fn output_shape(&self, input: [usize; 4]) -> Result<[usize; 4]> {
        let [n, c, h, w] = input;
        Ok([
            n,
            c,
            output_size(h, self.kernel, self.stride, 0)?,
            output_size(w, self.kernel, self.stride, 0)?,
        ])
    }
}

/// A fully connected layer: every output is a weighted sum of all inputs plus a bias.
///
/// `x: [N, I], weight: [O, I], bias: [O] -> output: [N, O]`
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    /// One row of `I` weights per output: [O, I].
    pub weight: Array2<f32>,
    /// One bias per output: `[O]`.
    pub bias: Array1<f32>,
}

impl Dense {
    /// A dense layer from its weight `[O, I]` and bias `[O]`.
    ///
    /// # Errors
    /// A weight with no rows or no columns, or a bias whose length is not `O`.
    pub fn new(weight: Array2<f32>, bias: Array1<f32>) -> Result<Dense> {
        if weight.is_empty() {
            return Err(CnnError::shape(
                "linear weight",
                "[O >= 1, I >= 1]",
                weight.shape(),
            ));
        }
        check_bias(weight.view(), bias.len())?;
        Ok(Dense { weight, bias })
    }

    /// A dense layer from `inputs` to `outputs` with random weights drawn by `init`,
    /// and zero biases.
    ///
    /// # Errors
    /// Zero inputs or outputs.
    pub fn random(inputs: usize, outputs: usize, init: Init, rng: &mut impl Rng) -> Result<Dense> {
        if inputs == 0 || outputs == 0 {
            return Err(CnnError::shape(
                "linear weight",
                "[O >= 1, I >= 1]",
                &[outputs, inputs],
            ));
        }
        let weight = init.draw([outputs, inputs], inputs, outputs, rng);
        Dense::new(weight, Array1::zeros(outputs))
    }

    /// `x: [N, I] -> output: [N, O]`, computed by [`linear`].
    ///
    /// # Errors
    /// An input whose number of features is not `I`.
    pub fn forward(&self, x: ArrayView2<f32>) -> Result<Array2<f32>> {
        linear(x, self.weight.view(), self.bias.view())
    }

    /// The number of learned numbers: `O*I` weights plus `O` biases.
    pub fn parameter_count(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_layer_configurations_give_the_numbers() {
        let weight = Array4::<f32>::zeros((2, 3, 3, 3));
        let config = Conv2dConfig {
            stride: 0,
            padding: 0,
        };
        let e = Conv2d::new(weight.clone(), Array1::zeros(2), config).unwrap_err();
        assert_eq!(e.to_string(), "stride must be at least 1, got 0");
        let e = Conv2d::new(weight.clone(), Array1::zeros(3), Conv2dConfig::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "convolution bias for weight [2, 3, 3, 3]: expected shape [2] (one per filter), got [3]"
        );
        let e = Conv2d::new(
            Array4::zeros((2, 3, 0, 3)),
            Array1::zeros(2),
            Conv2dConfig::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "convolution weight: expected shape [F >= 1, C >= 1, KH >= 1, KW >= 1], got [2, 3, 0, 3]"
        );
        assert!(Pool2d::max(0, 2).is_err());
        assert!(Pool2d::average(2, 0).is_err());
    }

    #[test]
    fn a_bad_input_is_an_error_naming_the_shapes() {
        let layer = Conv2d::new(
            Array4::zeros((2, 3, 5, 5)),
            Array1::zeros(2),
            Conv2dConfig::default(),
        )
        .unwrap();
        assert_eq!(layer.parameter_count(), 2 * 3 * 5 * 5 + 2);
        // A grey image where the layer expects RGB.
        let grey = Array4::<f32>::zeros((1, 1, 8, 8));
        let e = layer.forward(grey.view()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "conv2d input for weight [2, 3, 5, 5]: expected shape [N, 3, H, W], got [1, 1, 8, 8]"
        );
        // An input smaller than the kernel.
        let small = Array4::<f32>::zeros((1, 3, 4, 8));
        let e = layer.forward(small.view()).unwrap_err().to_string();
        assert_eq!(
            e,
            "conv2d (height): kernel 5 is larger than the padded input 4 (input 4 + 2*0 padding)"
        );
        assert_eq!(layer.output_shape([1, 3, 4, 8]).unwrap_err().to_string(), e);
        assert_eq!(layer.output_shape([7, 3, 32, 28]).unwrap(), [7, 2, 28, 24]);
    }

    #[test]
    fn dense_errors_give_the_shapes() {
        let e = Dense::new(Array2::zeros((10, 4)), Array1::zeros(4)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "linear bias for weight [10, 4]: expected shape [10] (one per output), got [4]"
        );
        let e = Dense::new(Array2::zeros((0, 4)), Array1::zeros(0)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "linear weight: expected shape [O >= 1, I >= 1], got [0, 4]"
        );
        let layer = Dense::new(Array2::zeros((10, 4)), Array1::zeros(10)).unwrap();
        assert_eq!(layer.parameter_count(), 10 * 4 + 10);
        let e = layer.forward(Array2::zeros((2, 5)).view()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "linear input for weight [10, 4]: expected shape [N, 4], got [2, 5]"
        );
        assert_eq!(
            layer.forward(Array2::zeros((2, 4)).view()).unwrap().dim(),
            (2, 10)
        );
    }
}
