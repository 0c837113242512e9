//! 2-D convolution (cross-correlation, as in every deep-learning library), forward
//! and backward, each in two versions.
//!
//! [`conv2d_naive`] and [`conv2d_backward_naive`] follow the formula index for index:
//! they are what the book shows and the reference the tests compare against.
//! [`conv2d`] and [`conv2d_backward`] compute the same numbers faster: [`im2col`](crate::ops::im2col::im2col)
//! unrolls every patch of a chunk of images into the columns of a matrix, so the
//! chunk's convolution becomes one matrix multiply ([`matmul_into`]), and the chunks
//! run on separate threads. An input with one channel is convolved directly instead
//! ([`crate::ops::conv2d_direct`]), where im2col would only copy. A stride-1 convolution
//! of several channels is computed directly too, from the padded images
//! (`conv2d_stride_one.rs`, `conv2d_input_gradient.rs`), where that adds every sum's terms
//! in the matrix multiply's order ([`trains_directly`]): the same numbers, bit for bit,
//! without the matrix of patches. The im2col path is still what the book shows, and the
//! reference the direct loops are tested against.
//!
//! Deep-learning libraries (PyTorch's `Conv2d`, Keras's `Conv2D`) compute
//! *cross-correlation*: the kernel is laid over the input as it is, not flipped. The
//! network learns its kernels, so a flip would change nothing but the learned numbers.
//! The flipped, signal-processing convolution is in [`crate::ops::signal`].

use ndarray::parallel::prelude::*;
use ndarray::{
    Array1, Array2, Array4, ArrayView1, ArrayView3, ArrayView4, ArrayViewMut4, Axis, CowArray, Ix2,
    ShapeBuilder, s,
};

use crate::error::{CnnError, Result};
use crate::ops::conv2d_direct::conv2d_one_channel;
use crate::ops::conv2d_input_gradient::{WeightsByTap, input_gradient_stride_one};
use crate::ops::conv2d_stride_one::{
    FilterVectors, Sizes, forward_chunk, forward_is_direct, weight_gradient_block,
    weight_gradient_chunk,
};
use crate::ops::im2col::{col2im_chunk, im2col_chunk};
use crate::ops::matmul::{matmul, matmul_into};
use crate::shape::{check_count, output_size};

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
pub(crate) fn unpadded(padded: usize, padding: usize, size: usize) -> Option<usize> {
    if padded < padding || padded >= padding + size {
        None
    } else {
        Some(padded - padding)
    }
}

/// Checks that input [N, C, H, W], weight [F, C, KH, KW] and a bias of length `F` fit
/// together, and returns the output shape [N, F, H', W'].
pub(crate) fn conv2d_output_shape(
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
    check_count("conv2d output", &[batch, filters, out_h, out_w])?;
    Ok((batch, filters, out_h, out_w))
}

/// The checks a convolution's parameters must pass before any input is seen, shared by
/// the functions and the layers so the messages are the same: a stride of at least 1,
/// no zero-sized dimension in the weight ([F, C, KH, KW] or [F, C, K]), and one bias
/// per filter.
pub(crate) fn check_weight_and_bias(
    weight_shape: &[usize],
    bias_len: usize,
    stride: usize,
) -> Result<()> {
    if stride == 0 {
        return Err(CnnError::setting("stride must be at least 1, got 0"));
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

/// How many images [`conv2d`] and [`conv2d_backward`] unroll into one matrix. The
/// chunks run on separate threads; because their size is fixed (not tied to the
/// number of threads), the weight gradient is summed over the same chunks in the same
/// order on any machine, so the results are identical whatever the thread count.
pub const IMAGES_PER_CHUNK: usize = 16;

// ANCHOR: conv2d_fast
/// 2-D convolution, fast: the patches of a chunk of images are unrolled into one
/// matrix ([`im2col`](crate::ops::im2col::im2col) for several images side by side),
/// the output maps of all of them are one matrix multiply, copied image by image into
/// the output; chunks of [`IMAGES_PER_CHUNK`] images run in parallel. (An input with
/// one channel goes to [`conv2d_one_channel`] instead.) The same numbers as
/// [`conv2d_naive`] (up to float rounding, since the sums are added in a different
/// order).
///
/// `input: [N, C, H, W], weight: [F, C, KH, KW], bias: [F] -> output: [N, F, H', W']`
///
/// ```text
/// Y[f, b*H'*W' + i*W'+j] = bias[f] + sum_r Wm[f, r] * columns[r, b*H'*W' + i*W'+j]
/// ```
///
/// with `Wm` the weight reshaped to [F, C*KH*KW], `columns` the chunk's patches, one
/// column per output position of every image `b` in the chunk, and `Y` the output maps
/// of the chunk's images side by side, [F, B*H'*W']: one product
/// `[F, C*KH*KW] x [C*KH*KW, B*H'*W']` per chunk.
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
    if input.dim().1 == 1 {
        // One input channel: im2col would copy each pixel KH*KW times for little
        // arithmetic, so the convolution is computed directly.
        return conv2d_one_channel(input, weight, bias, stride, padding);
    }
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
    // ANCHOR: conv2d_fast_chunk
    let weight_matrix = weight
        .to_shape((filters, channels * kernel_h * kernel_w)) // [F, C, KH, KW] -> [F, C*KH*KW]
        .expect("a 4-D weight reshapes to 2-D");
    let positions = out_h * out_w;
    let mut output = zeros_for_chunks(output_shape);
    // Without patches to keep, a stride-1 convolution is computed directly where that
    // gives the same bits.
    let direct =
        (stride == 1 && !keep_patches).then(|| Sizes::new(input.dim(), weight.dim(), padding));
    let filter_vectors = direct.map(|_| FilterVectors::new(weight));
    let kept: Vec<Option<Array2<f32>>> = input
        .axis_chunks_iter(Axis(0), IMAGES_PER_CHUNK)
        .into_par_iter()
        .zip(output.axis_chunks_iter_mut(Axis(0), IMAGES_PER_CHUNK))
        .map(|(x, mut y)| {
            if let Some(sizes) = direct.filter(|sizes| forward_is_direct(sizes, x.dim().0)) {
                // Stride 1: the same numbers, without the patches (`conv2d_stride_one.rs`).
                let bias = bias.to_vec();
                forward_chunk(
                    x,
                    filter_vectors.as_ref().expect("made with `direct`"),
                    &bias,
                    sizes,
                    y,
                );
                return None;
            }
            let columns = im2col_chunk(x, kernel_h, kernel_w, stride, padding, out_h, out_w); // [B, C, H, W] -> [C*KH*KW, B*H'*W']
            let mut maps = Array2::zeros((filters, columns.ncols())); // [F, B*H'*W']
            for (mut map, &b) in maps.outer_iter_mut().zip(bias.iter()) {
                map.fill(b); // start from the bias ...
            }
            matmul_into(weight_matrix.view(), columns.view(), maps.view_mut(), true); // ... and add [F, C*KH*KW] x [C*KH*KW, B*H'*W']
            for (b, image) in y.outer_iter_mut().enumerate() {
                let mut image = image
                    .into_shape_with_order((filters, positions)) // [F, H', W'] -> [F, H'*W']
                    .expect("an image of a fresh output is contiguous");
                image.assign(&maps.slice(s![.., b * positions..(b + 1) * positions])); // [F, B*H'*W'] -> image b's [F, H'*W']
            }
            // ANCHOR_END: conv2d_fast_chunk
            keep_patches.then_some(columns)
        })
        .collect();
    Ok((output, kept.into_iter().flatten().collect()))
}

/// A fresh array of zeros, `[N, C, H, W]`, for a result computed chunk by chunk. For a
/// batch of more than one chunk, the thread pool's threads write the zeros together: a
/// batch's output (Tiny VGG's first layer makes 10 MB for 64 images) would otherwise be
/// zeroed by one thread while the others wait for the convolution to start. (Tiny VGG's
/// first layer, 64 images, two threads: 1.13 -> 0.99 ms.) One chunk, such as a training
/// piece, is zeroed by the thread that computes it.
pub(crate) fn zeros_for_chunks(shape: (usize, usize, usize, usize)) -> Array4<f32> {
    if shape.0 <= IMAGES_PER_CHUNK {
        return Array4::zeros(shape);
    }
    use rayon::iter::{ParallelExtend, repeat_n};
    let (n, c, h, w) = shape;
    let mut values = Vec::with_capacity(n * c * h * w);
    values.par_extend(repeat_n(0.0f32, n * c * h * w)); // written by all the threads
    Array4::from_shape_vec(shape, values).expect("N*C*H*W values")
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

/// The gradients of a convolution: with respect to its input, weight and bias.
#[derive(Debug, Clone, PartialEq)]
pub struct Conv2dGradients {
    /// `dL/dx`: [N, C, H, W].
    pub d_input: Array4<f32>,
    /// `dL/dW`: [F, C, KH, KW].
    pub d_weight: Array4<f32>,
    /// `dL/db`: `[F]`.
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
pub(crate) fn conv2d_gradient_shape(
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
/// (up to float rounding), as matrix multiplies, one set per chunk of images.
///
/// `input: [N, C, H, W], weight: [F, C, KH, KW], d_out: [N, F, H', W']`
/// `-> d_input [N, C, H, W], d_weight [F, C, KH, KW], d_bias [F]`
///
/// The forward pass was `Y = Wm · columns` for every chunk (see [`conv2d`]); the
/// backward pass of a matrix product is two matrix products, then col2im puts the
/// column gradients back:
///
/// ```text
/// d_Wm      = d_Y · columns^T   [F, B*H'*W'] x [B*H'*W', C*KH*KW] -> [F, C*KH*KW]
/// d_columns = Wm^T · d_Y        [C*KH*KW, F] x [F, B*H'*W']       -> [C*KH*KW, B*H'*W']
/// d_x       = col2im(d_columns)
/// d_b[f]    = sum of row f of d_Y
/// ```
///
/// For stride 1 the last two lines are computed together, one output row at a time,
/// without the `d_columns` matrix (`conv2d_input_gradient.rs`): the same bits.
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
    let (d_input, d_weight, d_bias) =
        conv2d_gradients_from_input(input, weight, d_out, stride, padding, true)?;
    Ok(Conv2dGradients {
        d_input: d_input.expect("asked for"),
        d_weight,
        d_bias,
    })
}

/// The weight and bias gradients of a convolution, and its input gradient if
/// `input_gradient`, from its input: computed directly where the convolution
/// [`trains_directly`], from unrolled patches elsewhere.
///
/// # Errors
/// The same as [`conv2d_backward_naive`].
#[allow(clippy::type_complexity)] // the three gradients, the first optional
pub fn conv2d_gradients_from_input(
    input: ArrayView4<f32>,
    weight: ArrayView4<f32>,
    d_out: ArrayView4<f32>,
    stride: usize,
    padding: usize,
    input_gradient: bool,
) -> Result<(Option<Array4<f32>>, Array4<f32>, Array1<f32>)> {
    conv2d_gradient_shape(input.dim(), weight.dim(), d_out.dim(), stride, padding)?;
    let (_, _, kernel_h, kernel_w) = weight.dim();
    let mut d_input = input_gradient.then(|| zeros_for_chunks(input.dim()));
    let (d_weight, d_bias) = if trains_directly(input.dim(), weight.dim(), stride, padding) {
        let sizes = Sizes::new(input.dim(), weight.dim(), padding);
        let source = Source::Input(input, sizes);
        backward_by_chunks(source, weight, d_out, stride, padding, d_input.as_mut())?
    } else {
        let patches = unroll_patches(input, kernel_h, kernel_w, stride, padding)?;
        let source = Source::Patches(&patches);
        backward_by_chunks(source, weight, d_out, stride, padding, d_input.as_mut())?
    };
    Ok((d_input, d_weight, d_bias))
}

/// Whether a convolution of an input of this shape is trained directly, without im2col
/// (`conv2d_stride_one.rs`): stride 1, more than one input channel, and shapes for which
/// the direct loops add the terms as the matrix multiply does (so that the numbers are
/// the same bits either way). Its forward pass then keeps no patches.
pub fn trains_directly(
    input_shape: (usize, usize, usize, usize),
    weight_shape: (usize, usize, usize, usize),
    stride: usize,
    padding: usize,
) -> bool {
    let (images, channels, height, width) = input_shape;
    let (_, _, kernel_h, kernel_w) = weight_shape;
    let fits = height + 2 * padding >= kernel_h && width + 2 * padding >= kernel_w;
    if stride != 1 || channels < 2 || images == 0 || !fits {
        return false;
    }
    let sizes = Sizes::new(input_shape, weight_shape, padding);
    // The chunks' sizes: full ones, and the last one.
    let last = images - (images - 1) / IMAGES_PER_CHUNK * IMAGES_PER_CHUNK;
    [images.min(IMAGES_PER_CHUNK), last].iter().all(|&chunk| {
        forward_is_direct(&sizes, chunk) && weight_gradient_block(&sizes, chunk).is_some()
    })
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
    let (d_weight, d_bias) = backward_by_chunks(
        Source::Patches(patches),
        weight,
        d_out,
        stride,
        padding,
        Some(&mut d_input),
    )?;
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
    backward_by_chunks(
        Source::Patches(patches),
        weight,
        d_out,
        stride,
        padding,
        None,
    )
}

/// The input gradient of [`conv2d_backward`] alone, for when the weights are fixed
/// (chapter 8 changes the image, not the network): no patches, and no weight
/// gradient, are needed.
///
/// `weight: [F, C, KH, KW], d_out: [N, F, H', W'], input_shape: [N, C, H, W] -> d_input: [N, C, H, W]`
///
/// ```text
/// d_columns = Wm^T · d_Y,   d_x = col2im(d_columns)
/// ```
///
/// (for stride 1 both at once, without the `d_columns` matrix: see [`conv2d_backward`]).
///
/// # Errors
/// The same as [`conv2d_backward_naive`].
pub fn conv2d_input_gradient(
    weight: ArrayView4<f32>,
    d_out: ArrayView4<f32>,
    input_shape: [usize; 4],
    stride: usize,
    padding: usize,
) -> Result<Array4<f32>> {
    let [n, c, h, w] = input_shape;
    let (_, filters, out_h, out_w) =
        conv2d_gradient_shape((n, c, h, w), weight.dim(), d_out.dim(), stride, padding)?;
    let (_, channels, kernel_h, kernel_w) = weight.dim();
    let weight_matrix = weight
        .to_shape((filters, channels * kernel_h * kernel_w)) // [F, C, KH, KW] -> [F, C*KH*KW]
        .expect("a 4-D weight reshapes to 2-D");
    let positions = out_h * out_w;
    let mut d_input = zeros_for_chunks((n, c, h, w));
    if stride == 1 {
        // The same numbers without the matrix of column gradients.
        let by_tap = WeightsByTap::new(weight);
        let sizes = Sizes::new((n, c, h, w), weight.dim(), padding);
        d_input
            .axis_chunks_iter_mut(Axis(0), IMAGES_PER_CHUNK)
            .into_par_iter()
            .zip(d_out.axis_chunks_iter(Axis(0), IMAGES_PER_CHUNK))
            .for_each(|(d_x, d_y)| input_gradient_stride_one(&by_tap, d_y, d_x, sizes));
        return Ok(d_input);
    }
    d_input
        .axis_chunks_iter_mut(Axis(0), IMAGES_PER_CHUNK)
        .into_par_iter()
        .zip(d_out.axis_chunks_iter(Axis(0), IMAGES_PER_CHUNK))
        .for_each(|(mut d_x, d_y)| {
            let mut d_columns = Array2::zeros((weight_matrix.ncols(), positions)); // [C*KH*KW, H'*W']
            for (d_x, d_y) in d_x.outer_iter_mut().zip(d_y.outer_iter()) {
                let d_y = image_gradient_matrix(d_y); // [F, H', W'] -> [F, H'*W']
                matmul_into(weight_matrix.t(), d_y.view(), d_columns.view_mut(), false); // [C*KH*KW, F] x [F, H'*W']
                col2im_chunk(
                    d_columns.view(),
                    d_x.insert_axis(Axis(0)),
                    kernel_h,
                    kernel_w,
                    stride,
                    padding,
                    out_h,
                    out_w,
                );
            }
        });
    Ok(d_input)
}

/// One image's output gradient as a matrix with one row per filter, the layout of
/// the forward pass's product: `[F, H', W'] -> [F, H'*W']` (a view, not a copy, when
/// the gradient is contiguous, as it is in training).
fn image_gradient_matrix<'a>(d_y: ArrayView3<'a, f32>) -> CowArray<'a, f32, Ix2> {
    let (filters, out_h, out_w) = d_y.dim();
    let d_y = if d_y.is_standard_layout() {
        CowArray::from(d_y)
    } else {
        CowArray::from(d_y.as_standard_layout().into_owned())
    };
    d_y.into_shape_with_order((filters, out_h * out_w)) // [F, H', W'] -> [F, H'*W']
        .expect("a standard-layout array reshapes to 2-D")
}

/// The bias gradient of a chunk, `d_b[f] = sum over b, i, j of d_y[b, f, i, j]`, added as
/// `sum` adds a row of the chunk's `[F, B*H'*W']` gradient matrix: each filter's maps of
/// the chunk's images side by side in one row, summed. The row is copied one filter at
/// a time, so the matrix itself need not be made where nothing multiplies it.
fn bias_gradient(d_y: ArrayView4<f32>) -> Array1<f32> {
    let (images, filters, out_h, out_w) = d_y.dim();
    let mut row = Vec::with_capacity(images * out_h * out_w);
    Array1::from_shape_fn(filters, |f| {
        row.clear();
        for image in d_y.outer_iter() {
            let map = image.index_axis(Axis(0), f); // [H', W']
            match map.as_slice() {
                Some(values) => row.extend_from_slice(values),
                None => row.extend(map.iter()),
            }
        }
        ArrayView1::from(&row[..]).sum()
    })
}

/// Where [`backward_by_chunks`] takes the weight gradient's inputs from: the patches the
/// forward pass unrolled, or (for a stride-1 convolution that [`trains_directly`]) the
/// input itself.
#[derive(Clone, Copy)]
enum Source<'a> {
    Patches(&'a Patches),
    Input(ArrayView4<'a, f32>, Sizes),
}

/// The work of the fast backward passes: per chunk, `d_Wm = d_Y · columns^T` and
/// `d_b`, and if `d_input` is given, `d_columns = Wm^T · d_Y` put back by col2im; the
/// chunks' gradients are added in chunk order.
fn backward_by_chunks(
    source: Source,
    weight: ArrayView4<f32>,
    d_out: ArrayView4<f32>,
    stride: usize,
    padding: usize,
    d_input: Option<&mut Array4<f32>>,
) -> Result<(Array4<f32>, Array1<f32>)> {
    let input_shape = match source {
        Source::Patches(patches) => patches.input_shape,
        Source::Input(input, _) => input.dim(),
    };
    let (_, filters, out_h, out_w) =
        conv2d_gradient_shape(input_shape, weight.dim(), d_out.dim(), stride, padding)?;
    let (_, channels, kernel_h, kernel_w) = weight.dim();
    let patch = channels * kernel_h * kernel_w;
    let chunk_count = input_shape.0.div_ceil(IMAGES_PER_CHUNK);
    if let Source::Patches(patches) = source {
        let chunks_fit = patches.chunks.len() == chunk_count
            && patches
                .chunks
                .iter()
                .all(|columns| columns.nrows() == patch);
        if !chunks_fit {
            return Err(CnnError::mismatch(format!(
                "conv2d backward: the patches were unrolled for another kernel or batch \
             ({} chunks for a batch of {}, kernel [{channels}, {kernel_h}, {kernel_w}])",
                patches.chunks.len(),
                patches.input_shape.0
            )));
        }
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
    let by_tap = (stride == 1).then(|| {
        let sizes = Sizes::new(input_shape, weight.dim(), padding);
        (WeightsByTap::new(weight), sizes)
    });
    let positions = out_h * out_w;
    let chunk_gradients: Vec<(Array2<f32>, Array1<f32>)> = d_out
        .axis_chunks_iter(Axis(0), IMAGES_PER_CHUNK)
        .into_par_iter()
        .enumerate()
        .zip(d_input_chunks)
        .map(|((k, d_y), d_x)| {
            // The chunk's output gradient in the layout of the forward product, for the
            // matrix multiplies that read it (the direct loops read `d_y` itself).
            let multiplied =
                matches!(source, Source::Patches(_)) || (d_x.is_some() && by_tap.is_none());
            let d_maps = multiplied.then(|| {
                let mut d_maps = Array2::zeros((filters, d_y.dim().0 * positions)); // [F, B*H'*W']
                for (b, d_y) in d_y.outer_iter().enumerate() {
                    let d_y = image_gradient_matrix(d_y); // [F, H', W'] -> [F, H'*W']
                    d_maps
                        .slice_mut(s![.., b * positions..(b + 1) * positions])
                        .assign(&d_y);
                }
                d_maps
            });
            let d_maps = || d_maps.as_ref().expect("made for the matrix multiplies");
            let d_weight = match source {
                Source::Patches(patches) => {
                    let columns = &patches.chunks[k]; // [C*KH*KW, B*H'*W']
                    // Column-major, so that `gemm` repacks the small `d_maps` for its
                    // kernel, not the large `columns` (both are multiplied along their rows).
                    let mut d_weight = Array2::zeros((filters, patch).f()); // [F, C*KH*KW]
                    matmul_into(d_maps().view(), columns.t(), d_weight.view_mut(), false); // [F, B*H'*W'] x [B*H'*W', C*KH*KW]
                    d_weight
                }
                Source::Input(input, sizes) => {
                    // The same product's terms, in the same order, from the input itself.
                    let x = input.slice(s![
                        k * IMAGES_PER_CHUNK..k * IMAGES_PER_CHUNK + d_y.dim().0,
                        ..,
                        ..,
                        ..
                    ]);
                    let block = weight_gradient_block(&sizes, x.dim().0)
                        .expect("the caller checked that every chunk is computed directly");
                    let mut d_weight = Array2::zeros((filters, patch)); // [F, C*KH*KW]
                    let slice = d_weight
                        .as_slice_mut()
                        .expect("a fresh matrix is one slice");
                    weight_gradient_chunk(x, d_y, sizes, block, slice);
                    d_weight
                }
            };
            let d_bias = bias_gradient(d_y); // [F]
            match (d_x, &by_tap) {
                (Some(d_x), Some((weights, sizes))) => {
                    // Stride 1: the same as below, without the matrix of column gradients.
                    input_gradient_stride_one(weights, d_y, d_x, *sizes);
                }
                (Some(d_x), None) => {
                    let d_columns = matmul(weight_matrix.t(), d_maps().view()); // [C*KH*KW, F] x [F, B*H'*W']
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
                (None, _) => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, array, s};
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
    fn the_bias_gradient_is_the_sum_of_the_gradient_matrix_rows() {
        // The bits of `row.sum()` on the rows of [F, B*H'*W'], which the matrix
        // multiplies read, on a contiguous gradient and on a transposed view.
        let d_y = ramp((3, 4, 7, 9)).mapv(|v| v * 1.37 - 0.2);
        for d_y in [d_y.view(), d_y.view().permuted_axes([0, 1, 3, 2])] {
            let (images, filters, out_h, out_w) = d_y.dim();
            let positions = out_h * out_w;
            let mut d_maps = Array2::zeros((filters, images * positions));
            for (b, image) in d_y.outer_iter().enumerate() {
                d_maps
                    .slice_mut(s![.., b * positions..(b + 1) * positions])
                    .assign(&image_gradient_matrix(image));
            }
            let expected = d_maps.map_axis(Axis(1), |row| row.sum());
            let bits = |a: &Array1<f32>| a.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&bias_gradient(d_y)), bits(&expected));
        }
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
}
