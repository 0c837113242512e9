//! Convolution: slide a small kernel over the input and take a weighted sum at every
//! position.
//!
//! Deep-learning libraries (PyTorch's `Conv2d`, Keras's `Conv2D`) compute
//! *cross-correlation*: the kernel is laid over the input as it is, not flipped. The
//! network learns its kernels, so a flip would change nothing but the learned numbers,
//! and every library skips it. [`conv2d_naive`], [`conv2d`] and [`conv1d`] follow them.
//!
//! Signal processing means something slightly different by convolution: the kernel is
//! flipped before it slides, which is what makes convolution commutative and
//! associative. [`true_convolution1d`] and [`true_convolution2d`] compute that, for the
//! chapter on signals; `true_convolution2d(x, h)` equals `conv2d` with `h` flipped.
//!
//! [`conv2d_naive`] is the loop the book shows and the reference for testing.
//! [`conv2d`] computes the same numbers faster: [`im2col`] unrolls every patch of the
//! input into a column, so the whole convolution becomes one matrix multiply per
//! image, and the images of a batch run on separate threads.

use ndarray::parallel::prelude::*;
use ndarray::{
    Array1, Array2, Array3, Array4, ArrayView1, ArrayView2, ArrayView3, ArrayView4, ArrayViewMut4,
    Axis, s,
};

use crate::error::{CnnError, Result};
use crate::shape::output_size;

/// 2-D convolution, computed directly from its formula (the reference version).
///
/// `input: [N, C, H, W], weight: [F, C, KH, KW], bias: [F] -> output: [N, F, H', W']`
/// with `H' = output_size(H, KH, S, P)` and `W' = output_size(W, KW, S, P)`.
///
/// ```text
/// y[n,f,i,j] = b[f] + sum_c sum_u sum_v x[n, c, i*S+u-P, j*S+v-P] * w[f,c,u,v]
/// ```
///
/// where a term whose input index falls outside the input (into the `P` rows and
/// columns of padding on each side) is zero. This is cross-correlation, as in
/// PyTorch: the kernel is not flipped.
///
/// # Errors
/// A zero stride, an empty kernel, a kernel larger than the padded input, an input
/// whose channel count `C` differs from the weight's, or a bias whose length is not `F`.
pub fn conv2d_naive(
    input: ArrayView4<f32>,
    weight: ArrayView4<f32>,
    bias: ArrayView1<f32>,
    stride: usize,
    padding: usize,
) -> Result<Array4<f32>> {
    let output_shape = conv2d_output_shape(input.dim(), weight.dim(), bias.len(), stride, padding)?;
    let (batch, channels, height, width) = input.dim();
    let (filters, _, kernel_h, kernel_w) = weight.dim();
    let (_, _, out_h, out_w) = output_shape;
    let mut output = Array4::zeros(output_shape);
    // ANCHOR: conv2d_naive_loop
    for n in 0..batch {
        for f in 0..filters {
            for i in 0..out_h {
                for j in 0..out_w {
                    let mut sum = bias[f];
                    for c in 0..channels {
                        for u in 0..kernel_h {
                            for v in 0..kernel_w {
                                let row = unpadded(i * stride + u, padding, height);
                                let col = unpadded(j * stride + v, padding, width);
                                // A term in the padding is zero: it adds nothing.
                                if let (Some(row), Some(col)) = (row, col) {
                                    sum += input[[n, c, row, col]] * weight[[f, c, u, v]];
                                }
                            }
                        }
                    }
                    output[[n, f, i, j]] = sum;
                }
            }
        }
    }
    // ANCHOR_END: conv2d_naive_loop
    Ok(output)
}

/// Where index `padded` of an input padded by `padding` on each side lies in the
/// unpadded input of length `size`: `Some(padded - padding)`, or `None` when it falls
/// in the padding.
fn unpadded(padded: usize, padding: usize, size: usize) -> Option<usize> {
    if padded < padding || padded >= padding + size {
        None
    } else {
        Some(padded - padding)
    }
}

/// Checks that input [N, C, H, W], weight [F, C, KH, KW] and a bias of length `F` fit
/// together, and returns the output shape [N, F, H', W'].
fn conv2d_output_shape(
    input: (usize, usize, usize, usize),
    weight: (usize, usize, usize, usize),
    bias_len: usize,
    stride: usize,
    padding: usize,
) -> Result<(usize, usize, usize, usize)> {
    let (batch, channels, height, width) = input;
    let (filters, weight_channels, kernel_h, kernel_w) = weight;
    let weight_shape = [filters, weight_channels, kernel_h, kernel_w];
    check_weight_and_bias(&weight_shape, bias_len, stride)?;
    if channels != weight_channels {
        return Err(CnnError::shape(
            &format!("conv2d input for weight {weight_shape:?}"),
            &format!("[N, {weight_channels}, H, W]"),
            &[batch, channels, height, width],
        ));
    }
    let out_h = output_size(height, kernel_h, stride, padding)
        .map_err(|e| e.in_layer("conv2d (height)"))?;
    let out_w =
        output_size(width, kernel_w, stride, padding).map_err(|e| e.in_layer("conv2d (width)"))?;
    Ok((batch, filters, out_h, out_w))
}

/// The checks a convolution's parameters must pass before any input is seen, shared by
/// the functions and the layers so the messages are the same: a stride of at least 1,
/// no zero-sized dimension in the weight ([F, C, KH, KW] or [F, C, K]), and one bias
/// per filter.
fn check_weight_and_bias(weight_shape: &[usize], bias_len: usize, stride: usize) -> Result<()> {
    if stride == 0 {
        return Err(CnnError::InvalidConfig(
            "stride must be at least 1, got 0".to_string(),
        ));
    }
    if weight_shape.contains(&0) {
        let expected = if weight_shape.len() == 4 {
            "[F >= 1, C >= 1, KH >= 1, KW >= 1]"
        } else {
            "[F >= 1, C >= 1, K >= 1]"
        };
        return Err(CnnError::shape(
            "convolution weight",
            expected,
            weight_shape,
        ));
    }
    let filters = weight_shape[0];
    if bias_len != filters {
        return Err(CnnError::shape(
            &format!("convolution bias for weight {weight_shape:?}"),
            &format!("[{filters}] (one per filter)"),
            &[bias_len],
        ));
    }
    Ok(())
}

/// Unrolls every kernel-sized patch of one image into a column of a matrix, so that a
/// convolution becomes a single matrix multiply ("im2col", image to columns).
///
/// `input: [C, H, W] -> columns: [C*KH*KW, H'*W']`
///
/// ```text
/// columns[(c*KH + u)*KW + v, i*W' + j] = x[c, i*S+u-P, j*S+v-P]   (zero in the padding)
/// ```
///
/// Column `i*W' + j` holds the patch under the kernel when it sits at output position
/// `(i, j)`, in the same order as the weight's `[C, KH, KW]` entries. Reshape the
/// weight [F, C, KH, KW] to a matrix [F, C*KH*KW]; its row `f` times column
/// `i*W' + j` is then exactly the triple sum of [`conv2d_naive`]'s formula for
/// `y[f, i, j]`. The price is memory: every input value is copied into up to
/// `KH*KW` columns.
///
/// # Errors
/// A zero stride, an empty kernel, or a kernel larger than the padded input.
pub fn im2col(
    input: ArrayView3<f32>,
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
) -> Result<Array2<f32>> {
    let (channels, height, width) = input.dim();
    let out_h = output_size(height, kernel_h, stride, padding)
        .map_err(|e| e.in_layer("im2col (height)"))?;
    let out_w =
        output_size(width, kernel_w, stride, padding).map_err(|e| e.in_layer("im2col (width)"))?;
    let padded = zero_padded(input, padding); // [C, H, W] -> [C, H+2P, W+2P]
    let mut columns = Array2::zeros((channels * kernel_h * kernel_w, out_h * out_w));
    for c in 0..channels {
        for u in 0..kernel_h {
            for v in 0..kernel_w {
                for i in 0..out_h {
                    for j in 0..out_w {
                        // padded[c, r, q] = x[c, r-P, q-P], so the "-P" is already applied.
                        columns[[(c * kernel_h + u) * kernel_w + v, i * out_w + j]] =
                            padded[[c, i * stride + u, j * stride + v]];
                    }
                }
            }
        }
    }
    Ok(columns)
}

/// A copy of `input` with `padding` rows and columns of zeros on every side.
///
/// `input: [C, H, W] -> output: [C, H+2P, W+2P]`
fn zero_padded(input: ArrayView3<f32>, padding: usize) -> Array3<f32> {
    let (channels, height, width) = input.dim();
    let mut padded = Array3::zeros((channels, height + 2 * padding, width + 2 * padding));
    padded
        .slice_mut(s![.., padding..padding + height, padding..padding + width])
        .assign(&input);
    padded
}

/// How many images [`conv2d`] and [`conv2d_backward`] unroll into one matrix. The
/// chunks run on separate threads; because their size is fixed (not tied to the
/// number of threads), the weight gradient is summed over the same chunks in the same
/// order on any machine, so the results are identical whatever the thread count.
pub const IMAGES_PER_CHUNK: usize = 16;

// ANCHOR: conv2d_fast
/// 2-D convolution, fast: the patches of a chunk of images are unrolled into one
/// matrix ([`im2col`] for several images side by side) and the whole chunk becomes one
/// matrix multiply; chunks of [`IMAGES_PER_CHUNK`] images run in parallel. The same
/// numbers as [`conv2d_naive`] (up to float rounding, since the sums are added in a
/// different order).
///
/// `input: [N, C, H, W], weight: [F, C, KH, KW], bias: [F] -> output: [N, F, H', W']`
///
/// ```text
/// Y[f, b*H'*W' + i*W'+j] = bias[f] + sum_r Wm[f, r] * columns[r, b*H'*W' + i*W'+j]
/// ```
///
/// with `Wm` the weight reshaped to [F, C*KH*KW] and `columns` the chunk's patches,
/// one column per output position of every image `b` in the chunk.
///
/// # Errors
/// The same as [`conv2d_naive`].
pub fn conv2d(
    input: ArrayView4<f32>,
    weight: ArrayView4<f32>,
    bias: ArrayView1<f32>,
    stride: usize,
    padding: usize,
) -> Result<Array4<f32>> {
    let (output, _) = conv2d_by_chunks(input, weight, bias, stride, padding, false)?;
    Ok(output)
}
// ANCHOR_END: conv2d_fast

/// [`conv2d`] for training: the output, and the input's unrolled patches, which
/// [`conv2d_backward_from_patches`] needs. Keeping them saves unrolling the same input
/// a second time in the backward pass; it costs their memory (`C*KH*KW` floats per
/// output position) until then.
///
/// # Errors
/// The same as [`conv2d_naive`].
pub fn conv2d_keeping_patches(
    input: ArrayView4<f32>,
    weight: ArrayView4<f32>,
    bias: ArrayView1<f32>,
    stride: usize,
    padding: usize,
) -> Result<(Array4<f32>, Patches)> {
    let (output, chunks) = conv2d_by_chunks(input, weight, bias, stride, padding, true)?;
    let patches = Patches {
        input_shape: input.dim(),
        chunks,
    };
    Ok((output, patches))
}

/// The im2col matrices of a batch, one per chunk of [`IMAGES_PER_CHUNK`] images, made
/// by [`conv2d_keeping_patches`] or [`unroll_patches`].
#[derive(Debug, Clone)]
pub struct Patches {
    /// The shape `[N, C, H, W]` of the input the patches came from.
    pub input_shape: (usize, usize, usize, usize),
    /// Chunk `k` holds images `k*IMAGES_PER_CHUNK..`: `[C*KH*KW, B*H'*W']`.
    pub chunks: Vec<Array2<f32>>,
}

/// The work of [`conv2d`]; also returns each chunk's columns if `keep_patches`.
fn conv2d_by_chunks(
    input: ArrayView4<f32>,
    weight: ArrayView4<f32>,
    bias: ArrayView1<f32>,
    stride: usize,
    padding: usize,
    keep_patches: bool,
) -> Result<(Array4<f32>, Vec<Array2<f32>>)> {
    let output_shape = conv2d_output_shape(input.dim(), weight.dim(), bias.len(), stride, padding)?;
    let (filters, channels, kernel_h, kernel_w) = weight.dim();
    let (_, _, out_h, out_w) = output_shape;
    let weight_matrix = weight
        .to_shape((filters, channels * kernel_h * kernel_w)) // [F, C, KH, KW] -> [F, C*KH*KW]
        .expect("a 4-D weight reshapes to 2-D");
    let mut output = Array4::zeros(output_shape);
    let kept: Vec<Option<Array2<f32>>> = input
        .axis_chunks_iter(Axis(0), IMAGES_PER_CHUNK)
        .into_par_iter()
        .zip(output.axis_chunks_iter_mut(Axis(0), IMAGES_PER_CHUNK))
        .map(|(x, mut y)| {
            let columns = im2col_chunk(x, kernel_h, kernel_w, stride, padding, out_h, out_w); // [B, C, H, W] -> [C*KH*KW, B*H'*W']
            let product = weight_matrix.dot(&columns); // [F, C*KH*KW] x [C*KH*KW, B*H'*W'] -> [F, B*H'*W']
            let product = product
                .into_shape_with_order((filters, x.dim().0, out_h, out_w)) // [F, B*H'*W'] -> [F, B, H', W']
                .expect("the product has F * B * H' * W' entries");
            y.assign(&product.permuted_axes([1, 0, 2, 3])); // [F, B, H', W'] -> [B, F, H', W']
            for mut image in y.outer_iter_mut() {
                for (mut map, &b) in image.outer_iter_mut().zip(bias.iter()) {
                    map += b;
                }
            }
            keep_patches.then_some(columns)
        })
        .collect();
    Ok((output, kept.into_iter().flatten().collect()))
}

/// The patches of `input` for a `KH x KW` kernel, chunk by chunk, as
/// [`conv2d_keeping_patches`] keeps them.
///
/// # Errors
/// A zero stride, an empty kernel, or a kernel larger than the padded input.
pub fn unroll_patches(
    input: ArrayView4<f32>,
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
) -> Result<Patches> {
    let (_, _, height, width) = input.dim();
    let out_h = output_size(height, kernel_h, stride, padding)
        .map_err(|e| e.in_layer("im2col (height)"))?;
    let out_w =
        output_size(width, kernel_w, stride, padding).map_err(|e| e.in_layer("im2col (width)"))?;
    let chunks = input
        .axis_chunks_iter(Axis(0), IMAGES_PER_CHUNK)
        .into_par_iter()
        .map(|x| im2col_chunk(x, kernel_h, kernel_w, stride, padding, out_h, out_w))
        .collect();
    Ok(Patches {
        input_shape: input.dim(),
        chunks,
    })
}

/// The output positions `t` (along one axis) whose input index `t*S + offset - P`
/// falls inside the input `0..size`, not in the padding: a range, since the index
/// grows with `t`.
fn inside(
    out_len: usize,
    offset: usize,
    stride: usize,
    padding: usize,
    size: usize,
) -> std::ops::Range<usize> {
    // First t with t*S + offset >= P.
    let start = if offset >= padding {
        0
    } else {
        (padding - offset).div_ceil(stride)
    };
    // First t with t*S + offset >= P + size.
    let end = if offset >= padding + size {
        0
    } else {
        (padding + size - offset).div_ceil(stride)
    };
    start.min(out_len)..end.min(out_len)
}

/// [`im2col`] for a chunk of `B` images at once, the images' columns side by side.
///
/// `input: [B, C, H, W] -> columns: [C*KH*KW, B*H'*W']`
///
/// ```text
/// columns[(c*KH + u)*KW + v, b*H'*W' + i*W' + j] = x[b, c, i*S+u-P, j*S+v-P]   (zero in the padding)
/// ```
///
/// The same loop as [`im2col`], on flat slices (this copy is a large part of a
/// convolution's time, so it avoids per-element index checks), and the positions
/// that fall in the padding are skipped instead of tested.
fn im2col_chunk(
    input: ArrayView4<f32>,
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
    out_h: usize,
    out_w: usize,
) -> Array2<f32> {
    let (images, channels, height, width) = input.dim();
    let input = input.as_standard_layout();
    let source = input
        .as_slice()
        .expect("a standard-layout array is one slice");
    let rows = channels * kernel_h * kernel_w;
    // The matrix is written once, in order, row after row: zeros where the kernel
    // sits over the padding, input values elsewhere (no zero-filling first).
    let mut columns = Vec::with_capacity(rows * images * out_h * out_w);
    for c in 0..channels {
        for u in 0..kernel_h {
            let rows_inside = inside(out_h, u, stride, padding, height);
            for v in 0..kernel_w {
                let columns_inside = inside(out_w, v, stride, padding, width);
                for b in 0..images {
                    for i in 0..out_h {
                        if !rows_inside.contains(&i) || columns_inside.is_empty() {
                            columns.resize(columns.len() + out_w, 0.0); // all padding
                            continue;
                        }
                        let source_row = i * stride + u - padding;
                        let source_start = ((b * channels + c) * height + source_row) * width;
                        // j runs over `columns_inside`; the source index is j*S + v - P.
                        let first = source_start + columns_inside.start * stride + v - padding;
                        let count = columns_inside.len();
                        columns.resize(columns.len() + columns_inside.start, 0.0); // left padding
                        if stride == 1 {
                            // The patch row is a contiguous run of the input row: one copy.
                            columns.extend_from_slice(&source[first..first + count]);
                        } else {
                            columns.extend(source[first..].iter().step_by(stride).take(count));
                        }
                        columns.resize(columns.len() + out_w - columns_inside.end, 0.0); // right padding
                    }
                }
            }
        }
    }
    Array2::from_shape_vec((rows, images * out_h * out_w), columns)
        .expect("every row was written with B*H'*W' values")
}

/// The inverse bookkeeping of [`im2col_chunk`] for gradients ("col2im"): every entry
/// of `d_columns` is added back to the input position it was copied from.
///
/// `d_columns: [C*KH*KW, B*H'*W'] -> d_input: [B, C, H, W]` (added into `d_input`)
///
/// ```text
/// d_x[b, c, i*S+u-P, j*S+v-P] += d_columns[(c*KH + u)*KW + v, b*H'*W' + i*W' + j]
/// ```
///
/// An input value copied into several columns (overlapping patches) receives the sum
/// of their gradients; entries that came from the padding are dropped.
#[allow(clippy::too_many_arguments)] // the geometry of im2col, spelled out
fn col2im_chunk(
    d_columns: ArrayView2<f32>,
    mut d_input: ArrayViewMut4<f32>,
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
    out_h: usize,
    out_w: usize,
) {
    let (images, channels, height, width) = d_input.dim();
    let target = d_input
        .as_slice_mut()
        .expect("the gradient chunk is a fresh standard-layout array");
    let positions = out_h * out_w;
    for c in 0..channels {
        for u in 0..kernel_h {
            for v in 0..kernel_w {
                let row = d_columns.row((c * kernel_h + u) * kernel_w + v);
                let row = row.as_slice().expect("a row of a standard-layout matrix");
                let columns_inside = inside(out_w, v, stride, padding, width);
                if columns_inside.is_empty() {
                    continue; // this kernel column only ever sees padding
                }
                for b in 0..images {
                    for i in inside(out_h, u, stride, padding, height) {
                        let target_row = i * stride + u - padding;
                        let target_start = ((b * channels + c) * height + target_row) * width;
                        let source_start = b * positions + i * out_w;
                        // j runs over `columns_inside`; the target index is j*S + v - P.
                        let sources = &row[source_start + columns_inside.start
                            ..source_start + columns_inside.end];
                        let first = target_start + columns_inside.start * stride + v - padding;
                        if stride == 1 {
                            let targets = &mut target[first..first + sources.len()];
                            for (target, &gradient) in targets.iter_mut().zip(sources) {
                                *target += gradient;
                            }
                        } else {
                            let targets = target[first..].iter_mut().step_by(stride);
                            for (target, &gradient) in targets.zip(sources) {
                                *target += gradient;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The gradients of a convolution: with respect to its input, weight and bias.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv2dGradients {
    /// `dL/dx`: [N, C, H, W].
    pub d_input: Array4<f32>,
    /// `dL/dW`: [F, C, KH, KW].
    pub d_weight: Array4<f32>,
    /// `dL/db`: [F].
    pub d_bias: Array1<f32>,
}

// ANCHOR: conv2d_backward_naive
/// Backward pass of [`conv2d_naive`], from its formula (the reference version).
///
/// `input: [N, C, H, W], weight: [F, C, KH, KW], d_out: [N, F, H', W']`
/// `-> d_input [N, C, H, W], d_weight [F, C, KH, KW], d_bias [F]`
///
/// Every term `x[n, c, i*S+u-P, j*S+v-P] * w[f,c,u,v]` of the forward sum sends the
/// output's gradient back to both factors, each times the other:
///
/// ```text
/// d_x[n, c, i*S+u-P, j*S+v-P] += d_out[n,f,i,j] * w[f,c,u,v]
/// d_w[f, c, u, v]             += d_out[n,f,i,j] * x[n, c, i*S+u-P, j*S+v-P]
/// d_b[f]                      += d_out[n,f,i,j]
/// ```
///
/// summed over every `n, f, i, j` (and `c, u, v`), skipping terms in the padding.
///
/// # Errors
/// The same checks as [`conv2d_naive`], and a `d_out` whose shape is not the output's.
pub fn conv2d_backward_naive(
    input: ArrayView4<f32>,
    weight: ArrayView4<f32>,
    d_out: ArrayView4<f32>,
    stride: usize,
    padding: usize,
) -> Result<Conv2dGradients> {
    let (batch, filters, out_h, out_w) =
        conv2d_gradient_shape(input.dim(), weight.dim(), d_out.dim(), stride, padding)?;
    let (_, channels, height, width) = input.dim();
    let (_, _, kernel_h, kernel_w) = weight.dim();
    let mut d_input = Array4::zeros(input.dim());
    let mut d_weight = Array4::zeros(weight.dim());
    let mut d_bias = Array1::zeros(filters);
    for n in 0..batch {
        for f in 0..filters {
            for i in 0..out_h {
                for j in 0..out_w {
                    let d_y = d_out[[n, f, i, j]];
                    d_bias[f] += d_y;
                    for c in 0..channels {
                        for u in 0..kernel_h {
                            for v in 0..kernel_w {
                                let row = unpadded(i * stride + u, padding, height);
                                let col = unpadded(j * stride + v, padding, width);
                                if let (Some(row), Some(col)) = (row, col) {
                                    d_input[[n, c, row, col]] += d_y * weight[[f, c, u, v]];
                                    d_weight[[f, c, u, v]] += d_y * input[[n, c, row, col]];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(Conv2dGradients {
        d_input,
        d_weight,
        d_bias,
    })
}
// ANCHOR_END: conv2d_backward_naive

/// Checks the forward shapes and that `d_out` is the output's shape; returns it.
fn conv2d_gradient_shape(
    input: (usize, usize, usize, usize),
    weight: (usize, usize, usize, usize),
    d_out: (usize, usize, usize, usize),
    stride: usize,
    padding: usize,
) -> Result<(usize, usize, usize, usize)> {
    let output = conv2d_output_shape(input, weight, weight.0, stride, padding)?;
    if d_out != output {
        let (n, f, h, w) = output;
        return Err(CnnError::shape(
            "conv2d output gradient",
            &format!("[{n}, {f}, {h}, {w}] (the output's shape)"),
            &[d_out.0, d_out.1, d_out.2, d_out.3],
        ));
    }
    Ok(output)
}

// ANCHOR: conv2d_backward_fast
/// Backward pass of [`conv2d`], fast: the same numbers as [`conv2d_backward_naive`]
/// (up to float rounding), as matrix multiplies over chunks of images.
///
/// `input: [N, C, H, W], weight: [F, C, KH, KW], d_out: [N, F, H', W']`
/// `-> d_input [N, C, H, W], d_weight [F, C, KH, KW], d_bias [F]`
///
/// The forward pass was `Y = Wm · columns` (see [`conv2d`]); the backward pass of a
/// matrix product is two matrix products, then col2im puts the column gradients back:
///
/// ```text
/// d_Wm      = d_Y · columns^T        [F, B*H'*W'] x [B*H'*W', C*KH*KW] -> [F, C*KH*KW]
/// d_columns = Wm^T · d_Y             [C*KH*KW, F] x [F, B*H'*W']       -> [C*KH*KW, B*H'*W']
/// d_x       = col2im(d_columns)
/// d_b[f]    = sum of row f of d_Y
/// ```
///
/// Each chunk of [`IMAGES_PER_CHUNK`] images runs on its own thread; the chunks'
/// weight and bias gradients are then added in chunk order, so the result does not
/// depend on the number of threads.
///
/// # Errors
/// The same as [`conv2d_backward_naive`].
pub fn conv2d_backward(
    input: ArrayView4<f32>,
    weight: ArrayView4<f32>,
    d_out: ArrayView4<f32>,
    stride: usize,
    padding: usize,
) -> Result<Conv2dGradients> {
    conv2d_gradient_shape(input.dim(), weight.dim(), d_out.dim(), stride, padding)?;
    let (_, _, kernel_h, kernel_w) = weight.dim();
    let patches = unroll_patches(input, kernel_h, kernel_w, stride, padding)?;
    conv2d_backward_from_patches(&patches, weight, d_out, stride, padding)
}
// ANCHOR_END: conv2d_backward_fast

/// [`conv2d_backward`] from the patches its forward pass kept
/// ([`conv2d_keeping_patches`]) instead of the input.
///
/// # Errors
/// The same as [`conv2d_backward_naive`], with the input shape taken from `patches`.
pub fn conv2d_backward_from_patches(
    patches: &Patches,
    weight: ArrayView4<f32>,
    d_out: ArrayView4<f32>,
    stride: usize,
    padding: usize,
) -> Result<Conv2dGradients> {
    let mut d_input = Array4::zeros(patches.input_shape);
    let (d_weight, d_bias) =
        backward_by_chunks(patches, weight, d_out, stride, padding, Some(&mut d_input))?;
    Ok(Conv2dGradients {
        d_input,
        d_weight,
        d_bias,
    })
}

/// The weight and bias gradients of [`conv2d_backward_from_patches`] without the input
/// gradient, for a first layer: nothing needs `dL/dx` of the images themselves, and
/// skipping it saves a matrix multiply and the col2im pass.
///
/// # Errors
/// The same as [`conv2d_backward_from_patches`].
pub fn conv2d_parameter_gradients(
    patches: &Patches,
    weight: ArrayView4<f32>,
    d_out: ArrayView4<f32>,
    stride: usize,
    padding: usize,
) -> Result<(Array4<f32>, Array1<f32>)> {
    backward_by_chunks(patches, weight, d_out, stride, padding, None)
}

/// The work of the fast backward passes: per chunk, `d_Wm = d_Y · columns^T` and
/// `d_b`, and if `d_input` is given, `d_columns = Wm^T · d_Y` put back by col2im.
fn backward_by_chunks(
    patches: &Patches,
    weight: ArrayView4<f32>,
    d_out: ArrayView4<f32>,
    stride: usize,
    padding: usize,
    d_input: Option<&mut Array4<f32>>,
) -> Result<(Array4<f32>, Array1<f32>)> {
    let (_, filters, out_h, out_w) = conv2d_gradient_shape(
        patches.input_shape,
        weight.dim(),
        d_out.dim(),
        stride,
        padding,
    )?;
    let (_, channels, kernel_h, kernel_w) = weight.dim();
    let patch = channels * kernel_h * kernel_w;
    let chunk_count = patches.input_shape.0.div_ceil(IMAGES_PER_CHUNK);
    let chunks_fit = patches.chunks.len() == chunk_count
        && patches
            .chunks
            .iter()
            .all(|columns| columns.nrows() == patch);
    if !chunks_fit {
        return Err(CnnError::InvalidConfig(format!(
            "conv2d backward: the patches were unrolled for another kernel or batch \
             ({} chunks for a batch of {}, kernel [{channels}, {kernel_h}, {kernel_w}])",
            patches.chunks.len(),
            patches.input_shape.0
        )));
    }
    let weight_matrix = weight
        .to_shape((filters, patch)) // [F, C, KH, KW] -> [F, C*KH*KW]
        .expect("a 4-D weight reshapes to 2-D");
    // One optional gradient slot per chunk: the chunks of `d_input`, or nothing.
    let d_input_chunks: Vec<Option<ArrayViewMut4<f32>>> = match d_input {
        Some(d_input) => d_input
            .axis_chunks_iter_mut(Axis(0), IMAGES_PER_CHUNK)
            .map(Some)
            .collect(),
        None => (0..chunk_count).map(|_| None).collect(),
    };
    let chunk_gradients: Vec<(Array2<f32>, Array1<f32>)> = patches
        .chunks
        .par_iter()
        .zip(d_out.axis_chunks_iter(Axis(0), IMAGES_PER_CHUNK))
        .zip(d_input_chunks)
        .map(|((columns, d_y), d_x)| {
            let images = d_y.dim().0;
            let d_y_matrix = d_y
                .permuted_axes([1, 0, 2, 3]) // [B, F, H', W'] -> [F, B, H', W']
                .as_standard_layout()
                .into_owned()
                .into_shape_with_order((filters, images * out_h * out_w)) // -> [F, B*H'*W']
                .expect("d_out chunk reshapes to [F, B*H'*W']");
            let d_weight = d_y_matrix.dot(&columns.t()); // [F, B*H'*W'] x [B*H'*W', C*KH*KW] -> [F, C*KH*KW]
            let d_bias = d_y_matrix.sum_axis(Axis(1)); // [F, B*H'*W'] -> [F]
            if let Some(d_x) = d_x {
                let d_columns = weight_matrix.t().dot(&d_y_matrix); // [C*KH*KW, F] x [F, B*H'*W'] -> [C*KH*KW, B*H'*W']
                col2im_chunk(
                    d_columns.view(),
                    d_x,
                    kernel_h,
                    kernel_w,
                    stride,
                    padding,
                    out_h,
                    out_w,
                );
            }
            (d_weight, d_bias)
        })
        .collect();
    // Add the chunks' gradients in chunk order: the same sums on any number of threads.
    let mut d_weight_matrix = Array2::zeros((filters, patch));
    let mut d_bias = Array1::zeros(filters);
    for (chunk_weight, chunk_bias) in &chunk_gradients {
        d_weight_matrix += chunk_weight;
        d_bias += chunk_bias;
    }
    let d_weight = d_weight_matrix
        .into_shape_with_order(weight.dim()) // [F, C*KH*KW] -> [F, C, KH, KW]
        .expect("d_weight has F*C*KH*KW entries");
    Ok((d_weight, d_bias))
}

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
    Ok((batch, filters, out_len))
}

/// The gradients of a 1-D convolution.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv1dGradients {
    /// `dL/dx`: [N, C, L].
    pub d_input: Array3<f32>,
    /// `dL/dW`: [F, C, K].
    pub d_weight: Array3<f32>,
    /// `dL/db`: [F].
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

/// True convolution of a signal with a kernel, as in signal processing, in "full"
/// mode (like `numpy.convolve`'s default): every shift at which the kernel overlaps
/// the signal at least partly.
///
/// `signal: [L], kernel: [K] -> output: [L + K - 1]`
///
/// ```text
/// y[t] = sum_k x[t-k] * h[k]        (terms with t-k outside 0..L are zero)
/// ```
///
/// The signal index runs *backwards* (`t - k`) while the kernel's runs forwards: the
/// kernel is flipped. [`conv1d`] (cross-correlation) runs both forwards,
/// `x[t+k] * w[k]`, so a true convolution is a cross-correlation with the reversed
/// kernel `h[K-1-k]` (and `K-1` zeros of padding on each side for full mode). For a
/// symmetric kernel, such as a moving average, the two agree.
///
/// # Errors
/// An empty signal or kernel.
pub fn true_convolution1d(signal: ArrayView1<f32>, kernel: ArrayView1<f32>) -> Result<Array1<f32>> {
    let (length, kernel_len) = (signal.len(), kernel.len());
    if length == 0 {
        return Err(CnnError::shape(
            "true_convolution1d signal",
            "[L >= 1]",
            &[length],
        ));
    }
    if kernel_len == 0 {
        return Err(CnnError::shape(
            "true_convolution1d kernel",
            "[K >= 1]",
            &[kernel_len],
        ));
    }
    let mut output = Array1::zeros(length + kernel_len - 1);
    for t in 0..length + kernel_len - 1 {
        let mut sum = 0.0;
        for k in 0..kernel_len {
            // t - k must be a valid signal index: 0 <= t - k < L.
            if k <= t && t - k < length {
                sum += signal[t - k] * kernel[k];
            }
        }
        output[t] = sum;
    }
    Ok(output)
}

/// True 2-D convolution of an image with a kernel, as in image processing, in "valid"
/// mode (like `scipy.signal.convolve2d(x, h, mode="valid")`): only the positions where
/// the kernel lies entirely inside the image, so the output has the size `conv2d`
/// gives with stride 1 and no padding.
///
/// `image: [H, W], kernel: [KH, KW] -> output: [H - KH + 1, W - KW + 1]`
///
/// ```text
/// y[i,j] = sum_u sum_v x[i + KH-1 - u, j + KW-1 - v] * h[u,v]
/// ```
///
/// This is the full convolution `sum_u sum_v x[i-u, j-v] h[u,v]` shifted by
/// `(KH-1, KW-1)` to start at the first position of complete overlap. As in 1-D, the
/// kernel is flipped, now in both directions (a rotation by 180 degrees): the result
/// equals [`conv2d`]'s cross-correlation with the kernel `h[KH-1-u, KW-1-v]`. A kernel
/// symmetric under that rotation (a box blur, a Gaussian) gives the same result either
/// way; an edge detector such as Sobel changes sign.
///
/// # Errors
/// An empty kernel, or a kernel larger than the image.
pub fn true_convolution2d(image: ArrayView2<f32>, kernel: ArrayView2<f32>) -> Result<Array2<f32>> {
    let (height, width) = image.dim();
    let (kernel_h, kernel_w) = kernel.dim();
    let out_h = output_size(height, kernel_h, 1, 0)
        .map_err(|e| e.in_layer("true_convolution2d (height)"))?;
    let out_w =
        output_size(width, kernel_w, 1, 0).map_err(|e| e.in_layer("true_convolution2d (width)"))?;
    let mut output = Array2::zeros((out_h, out_w));
    for i in 0..out_h {
        for j in 0..out_w {
            let mut sum = 0.0;
            for u in 0..kernel_h {
                for v in 0..kernel_w {
                    sum += image[[i + kernel_h - 1 - u, j + kernel_w - 1 - v]] * kernel[[u, v]];
                }
            }
            output[[i, j]] = sum;
        }
    }
    Ok(output)
}

/// Hyperparameters of a convolution layer.
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

/// A 2-D convolution layer: `F` filters of size [C, KH, KW], a bias per filter, a
/// stride and zero padding.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv2d {
    /// The layer's name, used in error messages (`"conv_1_2"`).
    pub name: String,
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
    /// not `F`; the message starts with the layer's name.
    pub fn new(
        name: &str,
        weight: Array4<f32>,
        bias: Array1<f32>,
        config: Conv2dConfig,
    ) -> Result<Conv2d> {
        check_weight_and_bias(weight.shape(), bias.len(), config.stride)
            .map_err(|e| e.in_layer(name))?;
        Ok(Conv2d {
            name: name.to_string(),
            weight,
            bias,
            stride: config.stride,
            padding: config.padding,
        })
    }

    /// `input: [N, C, H, W] -> output: [N, F, H', W']`, computed by the fast [`conv2d`].
    ///
    /// # Errors
    /// An input whose channel count differs from the layer's `C`, or smaller than the
    /// kernel after padding; the message starts with the layer's name.
    pub fn forward(&self, input: ArrayView4<f32>) -> Result<Array4<f32>> {
        conv2d(
            input,
            self.weight.view(),
            self.bias.view(),
            self.stride,
            self.padding,
        )
        .map_err(|e| e.in_layer(&self.name))
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
        .map_err(|e| e.in_layer(&self.name))
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
        )
        .map_err(|e| e.in_layer(&self.name))?;
        Ok([n, f, out_h, out_w])
    }

    /// The number of learned numbers: `F*C*KH*KW` weights plus `F` biases.
    pub fn parameter_count(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}

/// Hyperparameters of a 1-D convolution layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Conv1dConfig {
    /// Step `S` between kernel positions.
    pub stride: usize,
    /// Zero padding `P` at each end of the sequence.
    pub padding: usize,
}

impl Default for Conv1dConfig {
    /// Stride 1, no padding, as in PyTorch's `Conv1d`.
    fn default() -> Self {
        Conv1dConfig {
            stride: 1,
            padding: 0,
        }
    }
}

/// A 1-D convolution layer over sequences: `F` filters of size [C, K], a bias per
/// filter, a stride and zero padding.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv1d {
    /// The layer's name, used in error messages.
    pub name: String,
    /// The filters: [F, C, K].
    pub weight: Array3<f32>,
    /// One bias per filter: `[F]`.
    pub bias: Array1<f32>,
    /// Step `S` between kernel positions.
    pub stride: usize,
    /// Zero padding `P` at each end.
    pub padding: usize,
}

impl Conv1d {
    /// A 1-D convolution layer from its weight `[F, C, K]` and bias `[F]`.
    ///
    /// # Errors
    /// A zero stride, a weight with a zero-sized dimension, or a bias whose length is
    /// not `F`; the message starts with the layer's name.
    pub fn new(
        name: &str,
        weight: Array3<f32>,
        bias: Array1<f32>,
        config: Conv1dConfig,
    ) -> Result<Conv1d> {
        check_weight_and_bias(weight.shape(), bias.len(), config.stride)
            .map_err(|e| e.in_layer(name))?;
        Ok(Conv1d {
            name: name.to_string(),
            weight,
            bias,
            stride: config.stride,
            padding: config.padding,
        })
    }

    /// `input: [N, C, L] -> output: [N, F, L']`, computed by [`conv1d`].
    ///
    /// # Errors
    /// An input whose channel count differs from the layer's `C`, or shorter than the
    /// kernel after padding; the message starts with the layer's name.
    pub fn forward(&self, input: ArrayView3<f32>) -> Result<Array3<f32>> {
        conv1d(
            input,
            self.weight.view(),
            self.bias.view(),
            self.stride,
            self.padding,
        )
        .map_err(|e| e.in_layer(&self.name))
    }

    /// The output shape [N, F, L'] for an input shape [N, C, L].
    ///
    /// # Errors
    /// The same as [`Conv1d::forward`].
    pub fn output_shape(&self, input: [usize; 3]) -> Result<[usize; 3]> {
        let [batch, channels, length] = input;
        let (n, f, out_len) = conv1d_output_shape(
            (batch, channels, length),
            self.weight.dim(),
            self.bias.len(),
            self.stride,
            self.padding,
        )
        .map_err(|e| e.in_layer(&self.name))?;
        Ok([n, f, out_len])
    }

    /// The number of learned numbers: `F*C*K` weights plus `F` biases.
    pub fn parameter_count(&self) -> usize {
        self.weight.len() + self.bias.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, array};

    /// A small deterministic array: 0.1, 0.2, ... wrapped into [-1, 1).
    fn ramp<D: ndarray::Dimension>(shape: impl ndarray::ShapeBuilder<Dim = D>) -> Array<f32, D> {
        let mut k = 0u32;
        Array::from_shape_simple_fn(shape, || {
            k += 7;
            (k % 20) as f32 / 10.0 - 1.0
        })
    }

    #[test]
    fn a_3x3_kernel_on_a_4x4_image() {
        let x = Array::from_iter((0..16).map(|v| v as f32))
            .into_shape_with_order((1, 1, 4, 4))
            .unwrap();
        // Picks the centre of each 3x3 window, plus 1 from the bias.
        let mut w = Array4::zeros((1, 1, 3, 3));
        w[[0, 0, 1, 1]] = 1.0;
        let b = array![1.0];
        let y = conv2d_naive(x.view(), w.view(), b.view(), 1, 0).unwrap();
        assert_eq!(y.slice(s![0, 0, .., ..]), array![[6.0, 7.0], [10.0, 11.0]]);
        assert_eq!(conv2d(x.view(), w.view(), b.view(), 1, 0).unwrap(), y);
    }

    #[test]
    fn padding_adds_zeros_around_the_input() {
        let x = Array4::<f32>::ones((1, 1, 2, 2));
        let w = Array4::<f32>::ones((1, 1, 3, 3));
        let b = array![0.0];
        // With P = 1 every 3x3 window covers all four ones.
        let y = conv2d_naive(x.view(), w.view(), b.view(), 1, 1).unwrap();
        assert_eq!(y.slice(s![0, 0, .., ..]), array![[4.0, 4.0], [4.0, 4.0]]);
        // With P = 2 the corners see only one.
        let y = conv2d_naive(x.view(), w.view(), b.view(), 1, 2).unwrap();
        assert_eq!(y.dim(), (1, 1, 4, 4));
        assert_eq!(y[[0, 0, 0, 0]], 1.0);
        assert_eq!(conv2d(x.view(), w.view(), b.view(), 1, 2).unwrap(), y);
    }

    #[test]
    fn fast_equals_naive_on_a_rectangular_case() {
        let x = ramp((2, 3, 7, 9));
        let w = ramp((4, 3, 2, 3));
        let b = ramp(4);
        let naive = conv2d_naive(x.view(), w.view(), b.view(), 2, 1).unwrap();
        let fast = conv2d(x.view(), w.view(), b.view(), 2, 1).unwrap();
        assert_eq!(naive.dim(), (2, 4, 4, 5));
        let largest_difference = (&naive - &fast).fold(0.0f32, |m, d| m.max(d.abs()));
        assert!(largest_difference < 1e-5, "{largest_difference}");
    }

    #[test]
    fn im2col_puts_each_patch_in_a_column() {
        let x = Array::from_iter((1..=9).map(|v| v as f32))
            .into_shape_with_order((1, 3, 3))
            .unwrap();
        let columns = im2col(x.view(), 2, 2, 1, 0).unwrap();
        // Four 2x2 patches, each a column.
        assert_eq!(
            columns,
            array![
                [1.0, 2.0, 4.0, 5.0],
                [2.0, 3.0, 5.0, 6.0],
                [4.0, 5.0, 7.0, 8.0],
                [5.0, 6.0, 8.0, 9.0],
            ]
        );
    }

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

    #[test]
    fn true_convolution_flips_the_kernel() {
        let x = array![1.0, 2.0, 3.0];
        let h = array![0.0, 1.0, 0.5];
        // numpy.convolve([1, 2, 3], [0, 1, 0.5]) = [0, 1, 2.5, 4, 1.5]
        assert_eq!(
            true_convolution1d(x.view(), h.view()).unwrap(),
            array![0.0, 1.0, 2.5, 4.0, 1.5]
        );
        // Convolution is commutative; cross-correlation is not.
        assert_eq!(
            true_convolution1d(h.view(), x.view()).unwrap(),
            array![0.0, 1.0, 2.5, 4.0, 1.5]
        );
    }

    #[test]
    fn true_convolution_equals_cross_correlation_with_the_flipped_kernel() {
        // 1-D: full mode is cross-correlation with K-1 zeros of padding on each side.
        let x = ramp(9);
        let h = ramp(4);
        let flipped = h.slice(s![..;-1]);
        let full = true_convolution1d(x.view(), h.view()).unwrap();
        let correlation = conv1d(
            x.view().into_shape_with_order((1, 1, 9)).unwrap(),
            flipped.to_shape((1, 1, 4)).unwrap().view(),
            array![0.0].view(),
            1,
            3,
        )
        .unwrap();
        assert_eq!(correlation.dim(), (1, 1, 12));
        let difference =
            (&full - &correlation.slice(s![0, 0, ..])).fold(0.0f32, |m, d| m.max(d.abs()));
        assert!(difference < 1e-6, "{difference}");

        // 2-D, valid mode: cross-correlation with the kernel rotated by 180 degrees.
        let image = ramp((6, 7));
        let kernel = ramp((3, 2));
        let rotated = kernel.slice(s![..;-1, ..;-1]);
        let convolved = true_convolution2d(image.view(), kernel.view()).unwrap();
        let correlation = conv2d_naive(
            image.view().into_shape_with_order((1, 1, 6, 7)).unwrap(),
            rotated.to_shape((1, 1, 3, 2)).unwrap().view(),
            array![0.0].view(),
            1,
            0,
        )
        .unwrap();
        assert_eq!(convolved.dim(), (4, 6));
        let difference =
            (&convolved - &correlation.slice(s![0, 0, .., ..])).fold(0.0f32, |m, d| m.max(d.abs()));
        assert!(difference < 1e-6, "{difference}");
    }

    #[test]
    fn true_convolution_of_empty_arrays_is_an_error() {
        let empty = Array1::<f32>::zeros(0);
        let x = array![1.0, 2.0];
        assert_eq!(
            true_convolution1d(x.view(), empty.view())
                .unwrap_err()
                .to_string(),
            "true_convolution1d kernel: expected shape [K >= 1], got [0]"
        );
        assert!(true_convolution1d(empty.view(), x.view()).is_err());
        let e = true_convolution2d(Array2::zeros((2, 2)).view(), Array2::zeros((3, 1)).view())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "true_convolution2d (height): kernel 3 is larger than the padded input 2 \
             (input 2 + 2*0 padding)"
        );
    }

    #[test]
    fn invalid_layer_configurations_name_the_layer_and_the_numbers() {
        let weight = Array4::<f32>::zeros((2, 3, 3, 3));
        let config = Conv2dConfig {
            stride: 0,
            padding: 0,
        };
        let e = Conv2d::new("conv1", weight.clone(), Array1::zeros(2), config).unwrap_err();
        assert_eq!(e.to_string(), "conv1: stride must be at least 1, got 0");

        let e = Conv2d::new(
            "conv1",
            weight.clone(),
            Array1::zeros(3),
            Conv2dConfig::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "conv1: convolution bias for weight [2, 3, 3, 3]: expected shape [2] (one per filter), got [3]"
        );

        let e = Conv2d::new(
            "conv1",
            Array4::zeros((2, 3, 0, 3)),
            Array1::zeros(2),
            Conv2dConfig::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "conv1: convolution weight: expected shape [F >= 1, C >= 1, KH >= 1, KW >= 1], got [2, 3, 0, 3]"
        );
    }

    #[test]
    fn a_bad_input_is_an_error_naming_the_layer_and_the_shapes() {
        let layer = Conv2d::new(
            "conv_1_2",
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
            "conv_1_2: conv2d input for weight [2, 3, 5, 5]: expected shape [N, 3, H, W], got [1, 1, 8, 8]"
        );

        // An input smaller than the kernel.
        let small = Array4::<f32>::zeros((1, 3, 4, 8));
        let e = layer.forward(small.view()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "conv_1_2: conv2d (height): kernel 5 is larger than the padded input 4 (input 4 + 2*0 padding)"
        );
        assert_eq!(layer.output_shape([1, 3, 4, 8]).unwrap_err(), e);
        assert_eq!(layer.output_shape([7, 3, 32, 28]).unwrap(), [7, 2, 28, 24]);
    }

    #[test]
    fn conv1d_layer_checks_like_conv2d() {
        let layer = Conv1d::new(
            "text_conv",
            Array3::zeros((4, 50, 3)),
            Array1::zeros(4),
            Conv1dConfig::default(),
        )
        .unwrap();
        assert_eq!(layer.output_shape([2, 50, 11]).unwrap(), [2, 4, 9]);
        assert_eq!(layer.parameter_count(), 4 * 50 * 3 + 4);
        let e = layer.forward(Array3::zeros((2, 50, 2)).view()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "text_conv: conv1d (length): kernel 3 is larger than the padded input 2 (input 2 + 2*0 padding)"
        );
        let e = layer
            .forward(Array3::zeros((2, 40, 11)).view())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "text_conv: conv1d input for weight [4, 50, 3]: expected shape [N, 50, L], got [2, 40, 11]"
        );
    }
}
