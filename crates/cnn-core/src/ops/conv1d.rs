//! 1-D convolution over sequences (cross-correlation, as in PyTorch's `Conv1d`), for
//! text and other signals of one dimension; chapter 3 pools its output over a sentence.

use ndarray::{Array1, Array3, ArrayView1, ArrayView3};

use crate::error::{CnnError, Result};
use crate::ops::conv2d::{check_weight_and_bias, unpadded};
use crate::shape::{check_count, output_size};

/// 1-D convolution over sequences (cross-correlation, as in PyTorch's `Conv1d`).
///
/// `input: [N, C, L], weight: [F, C, K], bias: [F] -> output: [N, F, L']` with
/// `L' = output_size(L, K, S, P)`.
///
/// ```text
/// y[n,f,t] = b[f] + sum_c sum_k x[n, c, t*S+k-P] * w[f,c,k]
/// ```
///
/// where a term in the padding is zero. In text classification `C` is the size of the
/// word vectors and `L` the number of words.
///
/// # Errors
/// A zero stride, an empty kernel, a kernel longer than the padded sequence, an input
/// whose channel count differs from the weight's, or a bias whose length is not `F`.
pub fn conv1d(
    input: ArrayView3<f32>,
    weight: ArrayView3<f32>,
    bias: ArrayView1<f32>,
    stride: usize,
    padding: usize,
) -> Result<Array3<f32>> {
    let output_shape = conv1d_output_shape(input.dim(), weight.dim(), bias.len(), stride, padding)?;
    let (batch, channels, length) = input.dim();
    let (filters, _, kernel) = weight.dim();
    let (_, _, out_len) = output_shape;
    let mut output = Array3::zeros(output_shape);
    for n in 0..batch {
        for f in 0..filters {
            for t in 0..out_len {
                let mut sum = bias[f];
                for c in 0..channels {
                    for k in 0..kernel {
                        // A term in the padding is zero: it adds nothing.
                        if let Some(position) = unpadded(t * stride + k, padding, length) {
                            sum += input[[n, c, position]] * weight[[f, c, k]];
                        }
                    }
                }
                output[[n, f, t]] = sum;
            }
        }
    }
    Ok(output)
}

/// Checks that input [N, C, L], weight [F, C, K] and a bias of length `F` fit
/// together, and returns the output shape [N, F, L'].
fn conv1d_output_shape(
    input: (usize, usize, usize),
    weight: (usize, usize, usize),
    bias_len: usize,
    stride: usize,
    padding: usize,
) -> Result<(usize, usize, usize)> {
    let (batch, channels, length) = input;
    let (filters, weight_channels, kernel) = weight;
    let weight_shape = [filters, weight_channels, kernel];
    check_weight_and_bias(&weight_shape, bias_len, stride)?;
    if channels != weight_channels {
        return Err(CnnError::shape(
            &format!("conv1d input for weight {weight_shape:?}"),
            &format!("[N, {weight_channels}, L]"),
            &[batch, channels, length],
        ));
    }
    let out_len =
        output_size(length, kernel, stride, padding).map_err(|e| e.in_layer("conv1d (length)"))?;
    check_count("conv1d output", &[batch, filters, out_len])?;
    Ok((batch, filters, out_len))
}

/// The gradients of a 1-D convolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv1dGradients {
    /// `dL/dx`: [N, C, L].
    pub d_input: Array3<f32>,
    /// `dL/dW`: [F, C, K].
    pub d_weight: Array3<f32>,
    /// `dL/db`: `[F]`.
    pub d_bias: Array1<f32>,
}

/// Backward pass of [`conv1d`].
///
/// `input: [N, C, L], weight: [F, C, K], d_out: [N, F, L'] -> d_input [N, C, L], d_weight [F, C, K], d_bias [F]`
///
/// ```text
/// d_x[n, c, t*S+k-P] += d_out[n,f,t] * w[f,c,k]
/// d_w[f, c, k]       += d_out[n,f,t] * x[n, c, t*S+k-P]
/// d_b[f]             += d_out[n,f,t]
/// ```
///
/// # Errors
/// The same checks as [`conv1d`], and a `d_out` whose shape is not the output's.
pub fn conv1d_backward(
    input: ArrayView3<f32>,
    weight: ArrayView3<f32>,
    d_out: ArrayView3<f32>,
    stride: usize,
    padding: usize,
) -> Result<Conv1dGradients> {
    let output = conv1d_output_shape(input.dim(), weight.dim(), weight.dim().0, stride, padding)?;
    if d_out.dim() != output {
        let (n, f, l) = output;
        return Err(CnnError::shape(
            "conv1d output gradient",
            &format!("[{n}, {f}, {l}] (the output's shape)"),
            d_out.shape(),
        ));
    }
    let (batch, channels, length) = input.dim();
    let (filters, _, kernel) = weight.dim();
    let (_, _, out_len) = output;
    let mut d_input = Array3::zeros(input.dim());
    let mut d_weight = Array3::zeros(weight.dim());
    let mut d_bias = Array1::zeros(filters);
    for n in 0..batch {
        for f in 0..filters {
            for t in 0..out_len {
                let d_y = d_out[[n, f, t]];
                d_bias[f] += d_y;
                for c in 0..channels {
                    for k in 0..kernel {
                        if let Some(position) = unpadded(t * stride + k, padding, length) {
                            d_input[[n, c, position]] += d_y * weight[[f, c, k]];
                            d_weight[[f, c, k]] += d_y * input[[n, c, position]];
                        }
                    }
                }
            }
        }
    }
    Ok(Conv1dGradients {
        d_input,
        d_weight,
        d_bias,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    #[test]
    fn conv1d_slides_along_the_sequence() {
        let x = array![[[1.0, 2.0, 3.0, 4.0, 5.0]]];
        let w = array![[[1.0, 0.0, -1.0]]];
        let b = array![0.5];
        let y = conv1d(x.view(), w.view(), b.view(), 1, 0).unwrap();
        assert_eq!(y, array![[[-1.5, -1.5, -1.5]]]);
        let y = conv1d(x.view(), w.view(), b.view(), 2, 1).unwrap();
        // Padded: 0 1 2 3 4 5 0; windows start at 0, 2, 4.
        assert_eq!(y, array![[[-1.5, -1.5, 4.5]]]);
    }
}
