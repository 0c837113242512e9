//! The fully connected ("dense") operation at the end of a CNN, and the flattening
//! that turns feature maps into the vector it reads.
//!
//! A dense layer connects every input number to every output number with its own
//! weight: `O` outputs from `I` inputs take `O * I` weights and `O` biases. This is
//! where most of the parameters of a classic CNN such as VGG-16 live.

use ndarray::{Array1, Array2, Array4, ArrayView1, ArrayView2, ArrayView4, Axis};

use crate::error::{CnnError, Result};
use crate::ops::matmul::matmul;

/// Flattens each image's feature maps into one row.
///
/// `input: [N, C, H, W] -> output: [N, C*H*W]`
///
/// The order is channel first, as PyTorch's `flatten(1)` on an NCHW tensor: row `n`
/// holds channel 0's `H x W` map row by row, then channel 1's, and so on, so
///
/// ```text
/// y[n, c*H*W + i*W + j] = x[n, c, i, j]
/// ```
///
/// Weights trained against another order (Keras flattens NHWC maps, channel last)
/// must be permuted before they can be used here.
pub fn flatten(input: ArrayView4<f32>) -> Array2<f32> {
    let (batch, channels, height, width) = input.dim();
    input
        .to_shape((batch, channels * height * width)) // [N, C, H, W] -> [N, C*H*W]
        .expect("a 4-D array reshapes to 2-D in row-major order")
        .into_owned()
}

/// Backward pass of [`flatten`]: put each row's numbers back into the maps they came
/// from.
///
/// `d_out: [N, C*H*W], input_shape: [N, C, H, W] -> d_input: [N, C, H, W]`
///
/// Flattening only moves numbers, so its gradient only moves them back:
/// `d_x[n, c, i, j] = d_out[n, c*H*W + i*W + j]`.
///
/// # Panics
/// If `d_out` does not have `N` rows of `C*H*W` numbers (a bug in the caller).
pub fn flatten_backward(d_out: ArrayView2<f32>, input_shape: [usize; 4]) -> Array4<f32> {
    d_out
        .to_shape(input_shape) // [N, C*H*W] -> [N, C, H, W]
        .unwrap_or_else(|_| {
            panic!(
                "flatten_backward: gradient {:?} does not fit input {input_shape:?}",
                d_out.shape()
            )
        })
        .into_owned()
}

/// The gradients of a layer with a weight and a bias.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearGradients {
    /// `dL/dx`: [N, I].
    pub d_input: Array2<f32>,
    /// `dL/dW`: [O, I].
    pub d_weight: Array2<f32>,
    /// `dL/db`: `[O]`.
    pub d_bias: Array1<f32>,
}

// ANCHOR: linear_backward
/// Backward pass of [`linear`]: given `d_out = dL/dy`, the gradients of the loss with
/// respect to the input, the weight and the bias.
///
/// `x: [N, I], weight: [O, I], d_out: [N, O] -> d_input [N, I], d_weight [O, I], d_bias [O]`
///
/// From `y[n,o] = b[o] + sum_i x[n,i] * w[o,i]` and the chain rule:
///
/// ```text
/// d_x[n,i] = sum_o d_out[n,o] * w[o,i]      that is, d_x = d_out W
/// d_w[o,i] = sum_n d_out[n,o] * x[n,i]      that is, d_W = d_out^T x
/// d_b[o]   = sum_n d_out[n,o]
/// ```
///
/// # Panics
/// If the shapes do not fit together (a bug in the caller: the forward pass checked them).
pub fn linear_backward(
    x: ArrayView2<f32>,
    weight: ArrayView2<f32>,
    d_out: ArrayView2<f32>,
) -> LinearGradients {
    assert!(
        x.nrows() == d_out.nrows() && weight.dim() == (d_out.ncols(), x.ncols()),
        "linear_backward: x {:?}, weight {:?}, d_out {:?} do not fit",
        x.shape(),
        weight.shape(),
        d_out.shape()
    );
    LinearGradients {
        d_input: linear_input_gradient(weight, d_out), // [N, O] x [O, I] -> [N, I]
        d_weight: matmul(d_out.t(), x),                // [O, N] x [N, I] -> [O, I]
        d_bias: d_out.sum_axis(Axis(0)),               // [N, O] -> [O]
    }
}
// ANCHOR_END: linear_backward

/// The input gradient of [`linear_backward`] alone, `d_x = d_out W`, for when the
/// weights are fixed (chapter 8 changes the image, not the network).
///
/// `weight: [O, I], d_out: [N, O] -> d_input: [N, I]`
///
/// # Panics
/// If the shapes do not fit together (a bug in the caller).
pub fn linear_input_gradient(weight: ArrayView2<f32>, d_out: ArrayView2<f32>) -> Array2<f32> {
    assert!(
        weight.nrows() == d_out.ncols(),
        "linear_input_gradient: weight {:?}, d_out {:?} do not fit",
        weight.shape(),
        d_out.shape()
    );
    matmul(d_out, weight) // [N, O] x [O, I] -> [N, I]
}

/// A fully connected layer: every output is a weighted sum of all inputs plus a bias.
///
/// `x: [N, I], weight: [O, I], bias: [O] -> output: [N, O]`
///
/// ```text
/// y[n,o] = b[o] + sum_i x[n,i] * w[o,i]      that is, y = x W^T + b
/// ```
///
/// The weight is stored [O, I], one row per output, as in PyTorch's `nn.Linear`. The
/// sum over `i` for every `(n, o)` is exactly a matrix product, so it is computed as one.
///
/// # Errors
/// An input whose number of features is not `I`, or a bias whose length is not `O`.
pub fn linear(
    x: ArrayView2<f32>,
    weight: ArrayView2<f32>,
    bias: ArrayView1<f32>,
) -> Result<Array2<f32>> {
    check_bias(weight, bias.len())?;
    let (outputs, inputs) = weight.dim();
    if x.ncols() != inputs {
        return Err(CnnError::shape(
            &format!("linear input for weight {:?}", [outputs, inputs]),
            &format!("[N, {inputs}]"),
            x.shape(),
        ));
    }
    let y = matmul(x, weight.t()); // [N, I] x [I, O] -> [N, O]
    Ok(y + bias) // the bias [O] is added to every row
}

/// A bias must have one entry per output (row of the weight).
pub(crate) fn check_bias(weight: ArrayView2<f32>, bias_len: usize) -> Result<()> {
    let (outputs, inputs) = weight.dim();
    if bias_len != outputs {
        return Err(CnnError::shape(
            &format!("linear bias for weight {:?}", [outputs, inputs]),
            &format!("[{outputs}] (one per output)"),
            &[bias_len],
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, array};

    #[test]
    fn flatten_is_channel_first() {
        let x = Array::from_iter((0..12).map(|v| v as f32))
            .into_shape_with_order((1, 3, 2, 2))
            .unwrap();
        let y = flatten(x.view());
        assert_eq!(y.dim(), (1, 12));
        // Channel 0's 2x2 map first, then channel 1's, then channel 2's.
        assert_eq!(
            y.row(0).to_vec(),
            (0..12).map(|v| v as f32).collect::<Vec<_>>()
        );
        // A non-contiguous view (channels reversed) flattens in its logical order.
        let reversed = x.slice(ndarray::s![.., ..;-1, .., ..]);
        assert_eq!(flatten(reversed)[[0, 0]], 8.0);
    }

    #[test]
    fn linear_is_x_times_w_transposed_plus_b() {
        let x = array![[1.0, 2.0], [3.0, 4.0]];
        let w = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
        let b = array![0.0, 10.0, 100.0];
        assert_eq!(
            linear(x.view(), w.view(), b.view()).unwrap(),
            array![[1.0, 12.0, 103.0], [3.0, 14.0, 107.0]]
        );
    }
}
