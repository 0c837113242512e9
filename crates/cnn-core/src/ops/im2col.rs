//! im2col ("image to columns"): the bookkeeping that turns a convolution into one
//! matrix multiply.
//!
//! [`im2col_naive`] unrolls one image with a loop that follows the formula index for
//! index; [`im2col`] does the same for a chunk of images at once, on flat slices, and
//! is what the fast [`conv2d`](crate::ops::conv2d::conv2d) calls. A test checks that
//! they agree. [`col2im`] is the reverse, for gradients: it adds each column entry back
//! to the input position it was copied from.

use ndarray::{Array2, Array3, Array4, ArrayView2, ArrayView3, ArrayView4, ArrayViewMut4, s};

use crate::error::{CnnError, Result};
use crate::shape::{check_count, output_size, padded_size};

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
/// This is the reference version; [`im2col`] computes the same matrix faster.
///
/// # Errors
/// A zero stride, an empty kernel, or a kernel larger than the padded input.
pub fn im2col_naive(
    input: ArrayView3<f32>,
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
) -> Result<Array2<f32>> {
    let (channels, height, width) = input.dim();
    let (out_h, out_w) = unrolled_size(
        (1, channels, height, width),
        kernel_h,
        kernel_w,
        stride,
        padding,
    )?;
    let padded_shape = [
        channels,
        padded_size(height, padding)?,
        padded_size(width, padding)?,
    ];
    check_count("padded input", &padded_shape)?;
    // ANCHOR: im2col_naive_loop
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
    // ANCHOR_END: im2col_naive_loop
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

/// [`im2col_naive`] for a chunk of `B` images at once, the images' columns side by
/// side (fast).
///
/// `input: [B, C, H, W] -> columns: [C*KH*KW, B*H'*W']`
///
/// ```text
/// columns[(c*KH + u)*KW + v, b*H'*W' + i*W' + j] = x[b, c, i*S+u-P, j*S+v-P]   (zero in the padding)
/// ```
///
/// The same loop as [`im2col_naive`], on flat slices (this copy is a large part of a
/// convolution's time, so it avoids per-element index checks), and the positions
/// that fall in the padding are skipped instead of tested.
///
/// # Errors
/// A zero stride, an empty kernel, or a kernel larger than the padded input.
pub fn im2col(
    input: ArrayView4<f32>,
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
) -> Result<Array2<f32>> {
    let (out_h, out_w) = unrolled_size(input.dim(), kernel_h, kernel_w, stride, padding)?;
    Ok(im2col_chunk(
        input, kernel_h, kernel_w, stride, padding, out_h, out_w,
    ))
}

/// The reverse of [`im2col`] for gradients ("col2im"): every entry of `d_columns` is
/// added back to the input position it was copied from.
///
/// `d_columns: [C*KH*KW, B*H'*W'], input_shape: [B, C, H, W] -> d_input: [B, C, H, W]`
///
/// ```text
/// d_x[b, c, i*S+u-P, j*S+v-P] += d_columns[(c*KH + u)*KW + v, b*H'*W' + i*W' + j]
/// ```
///
/// # Errors
/// A zero stride, an empty kernel, a kernel larger than the padded input, or
/// `d_columns` not of the shape [`im2col`] gives for `input_shape`.
pub fn col2im(
    d_columns: ArrayView2<f32>,
    input_shape: [usize; 4],
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
) -> Result<Array4<f32>> {
    let [images, channels, height, width] = input_shape;
    let (out_h, out_w) = unrolled_size(
        (images, channels, height, width),
        kernel_h,
        kernel_w,
        stride,
        padding,
    )?;
    let expected = [channels * kernel_h * kernel_w, images * out_h * out_w];
    if d_columns.shape() != expected {
        return Err(CnnError::shape(
            "col2im columns",
            &format!("{expected:?} (C*KH*KW, B*H'*W')"),
            d_columns.shape(),
        ));
    }
    let mut d_input = Array4::zeros(input_shape);
    let d_columns = d_columns.as_standard_layout();
    col2im_chunk(
        d_columns.view(),
        d_input.view_mut(),
        kernel_h,
        kernel_w,
        stride,
        padding,
        out_h,
        out_w,
    );
    Ok(d_input)
}

/// `(H', W')` for an im2col of a `[B, C, H, W]` input, with the errors of [`output_size`].
fn unrolled_size(
    (images, channels, height, width): (usize, usize, usize, usize),
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
) -> Result<(usize, usize)> {
    let out_h = output_size(height, kernel_h, stride, padding)
        .map_err(|e| e.in_layer("im2col (height)"))?;
    let out_w =
        output_size(width, kernel_w, stride, padding).map_err(|e| e.in_layer("im2col (width)"))?;
    check_count(
        "im2col columns",
        &[channels, kernel_h, kernel_w, images, out_h, out_w],
    )?;
    Ok((out_h, out_w))
}

/// The work of [`im2col`], for a geometry already checked.
pub(crate) fn im2col_chunk(
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

/// The work of [`col2im`], for a geometry already checked, added into `d_input`.
///
/// An input value copied into several columns (overlapping patches) receives the sum
/// of their gradients; entries that came from the padding are dropped.
#[allow(clippy::too_many_arguments)] // the geometry of im2col, spelled out
pub(crate) fn col2im_chunk(
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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, array};
    #[test]
    fn im2col_puts_each_patch_in_a_column() {
        let x = Array::from_iter((1..=9).map(|v| v as f32))
            .into_shape_with_order((1, 3, 3))
            .unwrap();
        let columns = im2col_naive(x.view(), 2, 2, 1, 0).unwrap();
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

    /// Deterministic values that are all different, so a misplaced copy shows.
    fn varied(shape: (usize, usize, usize, usize)) -> Array4<f32> {
        Array4::from_shape_fn(shape, |(b, c, h, w)| {
            (b * 1000 + c * 100 + h * 10 + w) as f32
        })
    }

    #[test]
    fn the_fast_im2col_equals_the_reference_image_by_image() {
        let x = varied((3, 2, 6, 5));
        for (kernel_h, kernel_w, stride, padding) in
            [(3, 3, 1, 0), (3, 2, 2, 1), (5, 5, 1, 2), (1, 1, 3, 4)]
        {
            let fast = im2col(x.view(), kernel_h, kernel_w, stride, padding).unwrap();
            let positions = fast.ncols() / 3;
            for b in 0..3 {
                let reference = im2col_naive(
                    x.slice(s![b, .., .., ..]),
                    kernel_h,
                    kernel_w,
                    stride,
                    padding,
                )
                .unwrap();
                assert_eq!(
                    fast.slice(s![.., b * positions..(b + 1) * positions]),
                    reference
                );
            }
        }
    }

    #[test]
    fn col2im_is_the_transpose_of_im2col() {
        // <im2col(x), y> = <x, col2im(y)> for every x and y: col2im is im2col's
        // adjoint, which is what makes it the right backward pass.
        let x = varied((2, 2, 5, 6)).mapv(|v| (v * 0.37).sin());
        for (kernel_h, kernel_w, stride, padding) in [(3, 3, 1, 1), (2, 3, 2, 0), (3, 3, 3, 2)] {
            let columns = im2col(x.view(), kernel_h, kernel_w, stride, padding).unwrap();
            let y =
                Array2::from_shape_fn(columns.dim(), |(r, c)| ((r * 7 + c * 3) % 11) as f32 - 5.0);
            let back = col2im(y.view(), [2, 2, 5, 6], kernel_h, kernel_w, stride, padding).unwrap();
            let left: f64 = (&columns * &y).iter().map(|&v| v as f64).sum();
            let right: f64 = (&x * &back).iter().map(|&v| v as f64).sum();
            assert!(
                (left - right).abs() < 1e-3 * left.abs().max(1.0),
                "{left} {right}"
            );
        }
        let e = col2im(Array2::zeros((3, 3)).view(), [1, 1, 4, 4], 3, 3, 1, 0).unwrap_err();
        assert_eq!(
            e.to_string(),
            "col2im columns: expected shape [9, 4] (C*KH*KW, B*H'*W'), got [3, 3]"
        );
    }
}
