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
use crate::ops::dispatch::best_for_this_processor;
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
/// `i*W' + j` is then exactly the triple sum of [`conv2d_naive`](crate::ops::conv2d::conv2d_naive)'s formula for
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

best_for_this_processor! {
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
        // (Room for one short run's overshoot past the end: see `extend_with_run`.)
        let mut columns = Vec::with_capacity(rows * images * out_h * out_w + SHORT_RUN);
        let add_zeros = |columns: &mut Vec<f32>, count: usize| {
            if count > 0 {
                columns.resize(columns.len() + count, 0.0);
            }
        };
        for c in 0..channels {
            for u in 0..kernel_h {
                let rows_inside = inside(out_h, u, stride, padding, height);
                for v in 0..kernel_w {
                    let columns_inside = inside(out_w, v, stride, padding, width);
                    if columns_inside.is_empty() {
                        add_zeros(&mut columns, images * out_h * out_w); // all padding
                        continue;
                    }
                    let (left, count) = (columns_inside.start, columns_inside.len());
                    let right = out_w - columns_inside.end;
                    for b in 0..images {
                        add_zeros(&mut columns, rows_inside.start * out_w); // rows over the top padding
                        for i in rows_inside.clone() {
                            let source_row = i * stride + u - padding;
                            let source_start = ((b * channels + c) * height + source_row) * width;
                            // j runs over `columns_inside`; the source index is j*S + v - P.
                            let first = source_start + left * stride + v - padding;
                            add_zeros(&mut columns, left); // left padding
                            if stride == 1 {
                                // The patch row is a contiguous run of the input row: one copy.
                                extend_with_run(&mut columns, source, first, count);
                            } else {
                                columns.extend(source[first..].iter().step_by(stride).take(count));
                            }
                            add_zeros(&mut columns, right); // right padding
                        }
                        add_zeros(&mut columns, (out_h - rows_inside.end) * out_w); // bottom padding
                    }
                }
            }
        }
        Array2::from_shape_vec((rows, images * out_h * out_w), columns)
            .expect("every row was written with B*H'*W' values")
}
}

/// Runs of at most this many values are copied [`SHORT_RUN`] at a time.
const SHORT_RUN: usize = 16;

/// Appends `source[first..first + count]` to `columns`.
///
/// A patch row is short (10 values for LeNet-5's conv2), and a general copy of a
/// length known only at run time spends more time deciding how to copy than copying.
/// A run of at most [`SHORT_RUN`] values is therefore copied as a whole block of
/// `SHORT_RUN`, one fixed-size copy the compiler turns into a few vector moves, and
/// the values after the run are cut off again; the next run overwrites that space.
/// The matrix gets exactly the same values either way. `columns` must have room for
/// `SHORT_RUN` values past its final length, which `im2col_chunk` reserves.
#[inline(always)] // into each processor's copy of `im2col_chunk`
fn extend_with_run(columns: &mut Vec<f32>, source: &[f32], first: usize, count: usize) {
    let fits = count <= SHORT_RUN
        && first + SHORT_RUN <= source.len()
        && columns.len() + SHORT_RUN <= columns.capacity();
    if fits {
        let block: &[f32; SHORT_RUN] = source[first..first + SHORT_RUN]
            .try_into()
            .expect("a slice of SHORT_RUN values");
        let length = columns.len();
        columns.extend_from_slice(block);
        columns.truncate(length + count);
    } else {
        columns.extend_from_slice(&source[first..first + count]);
    }
}

best_for_this_processor! {
    /// The work of [`col2im`], for a geometry already checked, added into `d_input`.
    ///
    /// An input value copied into several columns (overlapping patches) receives the sum
    /// of their gradients, added in the order of the kernel's taps; entries that came
    /// from the padding are dropped. Compiled for the processor's widest vectors, for
    /// [`col2im_stride_one`].
    #[allow(clippy::too_many_arguments)] // the geometry of im2col, spelled out
    pub(crate) fn col2im_chunk(
        d_columns: ArrayView2<f32>,
        d_input: ArrayViewMut4<f32>,
        kernel_h: usize,
        kernel_w: usize,
        stride: usize,
        padding: usize,
        out_h: usize,
        out_w: usize,
    ) {
        let mut d_input = d_input;
        let (images, channels, height, width) = d_input.dim();
        let target = d_input
            .as_slice_mut()
            .expect("the gradient chunk is a fresh standard-layout array");
        if stride == 1 {
            let d_columns = d_columns.as_standard_layout();
            let d_columns = d_columns.as_slice().expect("a standard-layout matrix is one slice");
            let geometry = (images, channels, height, width, kernel_h, kernel_w);
            col2im_stride_one(d_columns, target, geometry, padding, out_h, out_w);
            return;
        }
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

/// [`col2im_chunk`] for stride 1, one block of [`SHORT_RUN`] input columns at a time.
///
/// Patch by patch, as the general loop does it, every gradient run is short (10 values
/// for LeNet-5's conv2) and overlaps the runs of the neighbouring taps, so the loop
/// spends its time on bookkeeping and on the processor waiting for its own stores.
/// Here a block of an input row gathers its gradient from every kernel tap in turn:
///
/// ```text
/// d_x[b, c, r, q] = sum over u, v of d_columns[(c*KH + u)*KW + v, (b*H' + i)*W' + j]
///                   with i = r + P - u, j = q + P - v  (when 0 <= i < H', 0 <= j < W')
/// ```
///
/// the sum taken tap by tap in row-major order, the order of the general loop, and
/// added to `d_x` once: for a fresh (zero) `d_x`, the same bits. The `SHORT_RUN` sums
/// of a block stay in vector registers.
#[inline(always)] // into each processor's copy of `col2im_chunk`
fn col2im_stride_one(
    d_columns: &[f32],
    target: &mut [f32],
    (images, channels, height, width, kernel_h, kernel_w): (
        usize,
        usize,
        usize,
        usize,
        usize,
        usize,
    ),
    padding: usize,
    out_h: usize,
    out_w: usize,
) {
    let columns = images * out_h * out_w;
    for c in 0..channels {
        for b in 0..images {
            for r in 0..height {
                for q0 in (0..width).step_by(SHORT_RUN) {
                    let mut sums = [0.0f32; SHORT_RUN]; // input columns q0..q0 + SHORT_RUN
                    for u in 0..kernel_h {
                        // The output row i whose patches put kernel row u over input row r.
                        let i = (r + padding).wrapping_sub(u);
                        if i >= out_h {
                            continue; // no patch does
                        }
                        for v in 0..kernel_w {
                            let run_start = ((c * kernel_h + u) * kernel_w + v) * columns
                                + (b * out_h + i) * out_w; // the gradients of output row i, j = 0..W'
                            // Lane l is input column q0 + l, which the patch at output
                            // column j = q0 + l + P - v puts there (none if j is outside 0..W').
                            let shift = (q0 + padding).wrapping_sub(v);
                            let first = run_start.wrapping_add(shift); // where j of lane 0 is
                            if first
                                .checked_add(SHORT_RUN)
                                .is_some_and(|end| end <= d_columns.len())
                            {
                                // All SHORT_RUN values are loaded at once, as a vector, and
                                // the lanes whose j is outside the run add +0.0 instead
                                // (their bits masked off). That changes no sum: each started
                                // from +0.0, and such a sum is never -0.0, the one value that
                                // adding +0.0 would change.
                                let values: &[f32; SHORT_RUN] = d_columns[first..first + SHORT_RUN]
                                    .try_into()
                                    .expect("a slice of SHORT_RUN values");
                                let (shift, out_w) = (shift as u32, out_w as u32); // one vector of lane numbers
                                for (l, (sum, &gradient)) in sums.iter_mut().zip(values).enumerate()
                                {
                                    let inside = shift.wrapping_add(l as u32) < out_w;
                                    let mask = if inside { u32::MAX } else { 0 };
                                    *sum += f32::from_bits(gradient.to_bits() & mask);
                                }
                            } else {
                                // Near either end of the matrix: lane by lane.
                                let run = &d_columns[run_start..run_start + out_w];
                                for (l, sum) in sums.iter_mut().enumerate() {
                                    if let Some(&gradient) = run.get(shift.wrapping_add(l)) {
                                        *sum += gradient;
                                    }
                                }
                            }
                        }
                    }
                    let count = (width - q0).min(SHORT_RUN);
                    let start = ((b * channels + c) * height + r) * width + q0;
                    for (target, sum) in target[start..start + count].iter_mut().zip(sums) {
                        *target += sum;
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

    /// col2im from its definition: every column entry added back to the input position
    /// im2col copied it from, row by row of the matrix (tap by tap), skipping padding.
    fn col2im_by_definition(
        d_columns: &Array2<f32>,
        shape: [usize; 4],
        (kernel_h, kernel_w, stride, padding): (usize, usize, usize, usize),
    ) -> Array4<f32> {
        let [images, channels, height, width] = shape;
        let out_h = output_size(height, kernel_h, stride, padding).unwrap();
        let out_w = output_size(width, kernel_w, stride, padding).unwrap();
        let mut d_x = Array4::<f32>::zeros(shape);
        for c in 0..channels {
            for u in 0..kernel_h {
                for v in 0..kernel_w {
                    for b in 0..images {
                        for i in 0..out_h {
                            for j in 0..out_w {
                                let (r, q) = (i * stride + u, j * stride + v);
                                if r < padding
                                    || q < padding
                                    || r - padding >= height
                                    || q - padding >= width
                                {
                                    continue;
                                }
                                let row = (c * kernel_h + u) * kernel_w + v;
                                let column = (b * out_h + i) * out_w + j;
                                d_x[[b, c, r - padding, q - padding]] += d_columns[[row, column]];
                            }
                        }
                    }
                }
            }
        }
        d_x
    }

    #[test]
    fn col2im_adds_in_the_order_of_its_definition() {
        // Exactly (bit for bit), on rows narrower and wider than one block of
        // SHORT_RUN columns, with and without padding and stride.
        for (shape, geometry) in [
            ([2, 3, 14, 14], (5, 5, 1, 0)),
            ([2, 2, 9, 40], (3, 3, 1, 1)),
            ([1, 2, 7, 33], (5, 3, 1, 2)),
            ([3, 1, 5, 17], (2, 4, 1, 3)),
            ([2, 2, 11, 20], (3, 3, 2, 1)),
        ] {
            let [n, c, h, w] = shape;
            let (kernel_h, kernel_w, stride, padding) = geometry;
            let out_h = output_size(h, kernel_h, stride, padding).unwrap();
            let out_w = output_size(w, kernel_w, stride, padding).unwrap();
            let d_columns =
                Array2::from_shape_fn((c * kernel_h * kernel_w, n * out_h * out_w), |(r, k)| {
                    ((r * 31 + k * 17) as f32 * 0.61).sin() * 10f32.powi((k % 7) as i32 - 3)
                });
            let fast =
                col2im(d_columns.view(), shape, kernel_h, kernel_w, stride, padding).unwrap();
            let expected = col2im_by_definition(&d_columns, shape, geometry);
            let same_bits = fast
                .iter()
                .zip(&expected)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same_bits, "{shape:?} {geometry:?}");
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

    #[test]
    fn col2im_of_fewer_values_than_a_vector() {
        // One pixel, one 1x1 tap: the stride-1 loop must not read a whole vector of
        // columns from a matrix that holds a single value.
        let d_input = col2im(array![[0.5f32]].view(), [1, 1, 1, 1], 1, 1, 1, 0).unwrap();
        assert_eq!(d_input.into_raw_vec_and_offset().0, vec![0.5]);
        let d_input = col2im(array![[1.0f32, 2.0, 3.0]].view(), [1, 1, 1, 3], 1, 1, 1, 0).unwrap();
        assert_eq!(d_input.into_raw_vec_and_offset().0, vec![1.0, 2.0, 3.0]);
    }
}
