//! Pooling: summarise each window of a feature map by one number.
//!
//! Max pooling keeps the largest value in each `K x K` window, average pooling the
//! mean. Windows move by the stride `S`, there is no padding, and a partial window at
//! the far edge is dropped (floor mode), as in PyTorch's `MaxPool2d` and Keras's
//! `MaxPooling2D` with `padding="valid"`. Global pooling takes one window as large
//! as the whole map, so any input size gives one number per channel.

use ndarray::{Array2, Array4, ArrayView2, ArrayView3, ArrayView4, Axis, Zip, s};

use crate::error::{CnnError, Result};
use crate::ops::dispatch::best_for_this_processor;
use crate::shape::{check_count, output_size};

/// How a window is summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    /// The largest value in the window.
    Max,
    /// The mean of the window.
    Average,
}

/// Max pooling, computed directly from its formula (the reference version).
///
/// input: [N, C, H, W] -> output: [N, C, H', W'], `H' = floor((H - K) / S) + 1`
///
/// `y[n,c,i,j] = max over u, v in 0..K of x[n, c, i*S+u, j*S+v]`
///
/// A NaN in a window makes the window's maximum NaN, as in PyTorch: a network whose
/// numbers went wrong must not look healthy after pooling.
///
/// # Errors
/// A zero kernel or stride, or an input smaller than the window.
pub fn max_pool2d_naive(
    input: ArrayView4<f32>,
    kernel: usize,
    stride: usize,
) -> Result<Array4<f32>> {
    pool2d_naive(input, kernel, stride, |window| {
        let mut max = f32::NEG_INFINITY;
        for &value in window {
            max = nan_max(max, value);
        }
        max
    })
}

/// Average pooling, computed directly from its formula (the reference version).
///
/// input: [N, C, H, W] -> output: [N, C, H', W'], `H' = floor((H - K) / S) + 1`
///
/// `y[n,c,i,j] = (1 / K^2) * sum over u, v in 0..K of x[n, c, i*S+u, j*S+v]`
///
/// # Errors
/// A zero kernel or stride, or an input smaller than the window.
pub fn avg_pool2d_naive(
    input: ArrayView4<f32>,
    kernel: usize,
    stride: usize,
) -> Result<Array4<f32>> {
    let count = (kernel * kernel) as f32;
    pool2d_naive(input, kernel, stride, |window| {
        let mut sum = 0.0;
        for &value in window {
            sum += value; // row by row, left to right: the order the fast version adds in
        }
        sum / count
    })
}

/// The larger of `max` and `value`, or NaN if either is NaN (`f32::max` would
/// drop the NaN).
fn nan_max(max: f32, value: f32) -> f32 {
    if value > max || value.is_nan() {
        value
    } else {
        max
    }
}

/// The loop both reference poolings share: visit every window, summarise it with
/// `summarise`.
fn pool2d_naive(
    input: ArrayView4<f32>,
    kernel: usize,
    stride: usize,
    summarise: impl Fn(ArrayView2<f32>) -> f32,
) -> Result<Array4<f32>> {
    let (n, c, h, w) = input.dim();
    let out_h = output_size(h, kernel, stride, 0).map_err(|e| e.in_layer("pooling (height)"))?;
    let out_w = output_size(w, kernel, stride, 0).map_err(|e| e.in_layer("pooling (width)"))?;
    // ANCHOR: pool_loop
    check_count("pooling output", &[n, c, out_h, out_w])?;
    let mut output = Array4::zeros((n, c, out_h, out_w));
    for b in 0..n {
        for ch in 0..c {
            for i in 0..out_h {
                for j in 0..out_w {
                    let (top, left) = (i * stride, j * stride);
                    let window = input.slice(s![b, ch, top..top + kernel, left..left + kernel]);
                    output[[b, ch, i, j]] = summarise(window);
                }
            }
        }
    }
    // ANCHOR_END: pool_loop
    Ok(output)
}

// ANCHOR: max_pool_backward
/// Backward pass of max pooling, computed directly from its formula (the reference
/// version): each window's gradient goes to the one input that won the max; the
/// others in the window get nothing.
///
/// `input: [N, C, H, W], d_out: [N, C, H', W'] -> d_input: [N, C, H, W]`
///
/// ```text
/// d_x[n, c, i*S+u*, j*S+v*] += d_out[n, c, i, j]   where (u*, v*) = argmax of the window
/// ```
///
/// The max is `x` at one position and ignores the others, so its local gradient is 1
/// at the argmax and 0 elsewhere. A tie goes to the first maximum in row-major order;
/// a NaN wins over any number (the last NaN, if several), as in PyTorch.
/// Overlapping windows (`S < K`) may route several gradients to one input: they add.
///
/// # Panics
/// If `d_out` is not the shape max pooling gives for `input` (a bug in the caller).
pub fn max_pool2d_backward_naive(
    input: ArrayView4<f32>,
    d_out: ArrayView4<f32>,
    kernel: usize,
    stride: usize,
) -> Array4<f32> {
    let (_, _, out_h, out_w) = check_pool_gradient(input.dim(), d_out.dim(), kernel, stride);
    let mut d_input = Array4::zeros(input.dim());
    // Images are independent, so each runs on its own thread; the sums stay in order.
    Zip::from(d_input.outer_iter_mut())
        .and(input.outer_iter())
        .and(d_out.outer_iter())
        .par_for_each(|mut d_x, x, d_y| {
            for c in 0..x.dim().0 {
                for i in 0..out_h {
                    for j in 0..out_w {
                        let (mut best_row, mut best_col) = (i * stride, j * stride);
                        for u in 0..kernel {
                            for v in 0..kernel {
                                let (row, col) = (i * stride + u, j * stride + v);
                                let value = x[[c, row, col]];
                                if value > x[[c, best_row, best_col]] || value.is_nan() {
                                    (best_row, best_col) = (row, col);
                                }
                            }
                        }
                        d_x[[c, best_row, best_col]] += d_y[[c, i, j]];
                    }
                }
            }
        });
    d_input
}
// ANCHOR_END: max_pool_backward

/// Backward pass of average pooling: each window's gradient is shared equally among its
/// `K*K` inputs.
///
/// `input_shape: [N, C, H, W], d_out: [N, C, H', W'] -> d_input: [N, C, H, W]`
///
/// ```text
/// d_x[n, c, i*S+u, j*S+v] += d_out[n, c, i, j] / K^2    for u, v in 0..K
/// ```
///
/// Inputs in a dropped partial window (floor mode) get zero.
///
/// # Panics
/// If `d_out` is not the shape average pooling gives for `input_shape` (a bug in the caller).
pub fn avg_pool2d_backward(
    input_shape: [usize; 4],
    d_out: ArrayView4<f32>,
    kernel: usize,
    stride: usize,
) -> Array4<f32> {
    let [n, c, h, w] = input_shape;
    let (_, _, out_h, out_w) = check_pool_gradient((n, c, h, w), d_out.dim(), kernel, stride);
    let share = 1.0 / (kernel * kernel) as f32;
    let mut d_input = Array4::zeros((n, c, h, w));
    for b in 0..n {
        for ch in 0..c {
            for i in 0..out_h {
                for j in 0..out_w {
                    for u in 0..kernel {
                        for v in 0..kernel {
                            d_input[[b, ch, i * stride + u, j * stride + v]] +=
                                d_out[[b, ch, i, j]] * share;
                        }
                    }
                }
            }
        }
    }
    d_input
}

/// Checks that a pooling gradient has the shape of the pooling output and returns it.
fn check_pool_gradient(
    input: (usize, usize, usize, usize),
    d_out: (usize, usize, usize, usize),
    kernel: usize,
    stride: usize,
) -> (usize, usize, usize, usize) {
    let (n, c, h, w) = input;
    let expected = (
        n,
        c,
        output_size(h, kernel, stride, 0).expect("pooling backward: window fits the height"),
        output_size(w, kernel, stride, 0).expect("pooling backward: window fits the width"),
    );
    assert_eq!(
        d_out, expected,
        "pooling backward: gradient shape {d_out:?} is not the output shape {expected:?} of input {input:?}"
    );
    expected
}

/// Max pooling, fast: the same numbers as [`max_pool2d_naive`], with the images of
/// the batch on separate threads and the windows read from flat slices instead of one
/// array view per window.
///
/// input: [N, C, H, W] -> output: [N, C, H', W']
///
/// # Errors
/// A zero kernel or stride, or an input smaller than the window.
pub fn max_pool2d(input: ArrayView4<f32>, kernel: usize, stride: usize) -> Result<Array4<f32>> {
    pool2d(input, PoolKind::Max, kernel, stride)
}

/// Average pooling, fast: the same numbers as [`avg_pool2d_naive`] (added in the
/// same order), with the images of the batch on separate threads.
///
/// input: [N, C, H, W] -> output: [N, C, H', W']
///
/// # Errors
/// A zero kernel or stride, or an input smaller than the window.
pub fn avg_pool2d(input: ArrayView4<f32>, kernel: usize, stride: usize) -> Result<Array4<f32>> {
    pool2d(input, PoolKind::Average, kernel, stride)
}

/// The work of [`max_pool2d`] and [`avg_pool2d`].
fn pool2d(
    input: ArrayView4<f32>,
    kind: PoolKind,
    kernel: usize,
    stride: usize,
) -> Result<Array4<f32>> {
    let (n, c, h, w) = input.dim();
    let out_h = output_size(h, kernel, stride, 0).map_err(|e| e.in_layer("pooling (height)"))?;
    let out_w = output_size(w, kernel, stride, 0).map_err(|e| e.in_layer("pooling (width)"))?;
    if u32::try_from(h * w).is_err() {
        return Err(CnnError::mismatch(format!(
            "max pooling: a {h}x{w} map has more positions than a u32 can number"
        )));
    }
    let input = input.as_standard_layout();
    check_count("pooling output", &[n, c, out_h, out_w])?;
    let mut output = Array4::zeros((n, c, out_h, out_w));
    let count = (kernel * kernel) as f32;
    Zip::from(output.outer_iter_mut())
        .and(input.outer_iter())
        .par_for_each(|mut y, x| {
            let x = x
                .to_slice()
                .expect("an image of a standard-layout batch is one slice");
            let y = y.as_slice_mut().expect("a fresh output is one slice");
            // ANCHOR: pool_fast_loop
            for ch in 0..c {
                let map = &x[ch * h * w..(ch + 1) * h * w];
                for i in 0..out_h {
                    for j in 0..out_w {
                        let mut summary = match kind {
                            PoolKind::Max => f32::NEG_INFINITY,
                            PoolKind::Average => 0.0,
                        };
                        for u in 0..kernel {
                            let start = (i * stride + u) * w + j * stride;
                            for &value in &map[start..start + kernel] {
                                summary = match kind {
                                    PoolKind::Max => nan_max(summary, value),
                                    PoolKind::Average => summary + value,
                                };
                            }
                        }
                        if kind == PoolKind::Average {
                            summary /= count;
                        }
                        y[(ch * out_h + i) * out_w + j] = summary;
                    }
                }
            }
            // ANCHOR_END: pool_fast_loop
        });
    Ok(output)
}

/// Max pooling for training: the output of [`max_pool2d`],
/// and for every output the position of the input it came from, so that the
/// backward pass ([`max_pool2d_backward`]) does not search the windows
/// again.
///
/// `input: [N, C, H, W] -> (output [N, C, H', W'], argmax [N, C, H', W'])`
///
/// `argmax[n, c, i, j]` is the flat position `row * W + col` of the window's maximum
/// in map `(n, c)`, as a `u32` (half the memory of a `usize`, and as wide as the values,
/// so the 2x2 loop compares many windows at once); a tie goes to the first maximum in row-major order, and a NaN
/// wins over any number (the last NaN, if several), as in [`max_pool2d_backward_naive`]
/// and PyTorch.
///
/// # Errors
/// A zero kernel or stride, or an input smaller than the window.
pub fn max_pool2d_with_argmax(
    input: ArrayView4<f32>,
    kernel: usize,
    stride: usize,
) -> Result<(Array4<f32>, Array4<u32>)> {
    let (n, c, h, w) = input.dim();
    let out_h = output_size(h, kernel, stride, 0).map_err(|e| e.in_layer("pooling (height)"))?;
    let out_w = output_size(w, kernel, stride, 0).map_err(|e| e.in_layer("pooling (width)"))?;
    if u32::try_from(h * w).is_err() {
        return Err(CnnError::mismatch(format!(
            "max pooling: a {h}x{w} map has more positions than a u32 can number"
        )));
    }
    let input = input.as_standard_layout();
    check_count("pooling output", &[n, c, out_h, out_w])?;
    let mut output = Array4::zeros((n, c, out_h, out_w));
    let mut argmax = Array4::zeros((n, c, out_h, out_w));
    Zip::from(output.outer_iter_mut())
        .and(argmax.outer_iter_mut())
        .and(input.outer_iter())
        .for_each(|mut y, mut positions, x| {
            let x = x
                .to_slice()
                .expect("an image of a standard-layout batch is one slice");
            let y = y.as_slice_mut().expect("a fresh output is one slice");
            let positions = positions
                .as_slice_mut()
                .expect("a fresh array is one slice");
            let sizes = MapSizes { w, out_h, out_w };
            if (kernel, stride) == (2, 2) {
                // The usual window, with vector instructions (see `max_pool_maps_2x2`).
                max_pool_maps_2x2(x, h, sizes, y, positions);
                return;
            }
            for ch in 0..c {
                let map = &x[ch * h * w..(ch + 1) * h * w];
                let outputs = ch * out_h * out_w..(ch + 1) * out_h * out_w;
                let (y, positions) = (&mut y[outputs.clone()], &mut positions[outputs]);
                // The usual windows get their own copy of the loop, compiled for
                // their kernel and stride, whose inner loops the compiler unrolls.
                match (kernel, stride) {
                    (3, 2) => max_pool_map(map, sizes, 3, 2, y, positions),
                    (k, s) => max_pool_map(map, sizes, k, s, y, positions),
                }
            }
        });
    Ok((output, argmax))
}

/// The sizes of a map and of its pooled output, for [`max_pool_map`].
#[derive(Debug, Clone, Copy)]
struct MapSizes {
    w: usize,
    out_h: usize,
    out_w: usize,
}

/// Max pooling of one map with the positions of the maxima, for
/// [`max_pool2d_with_argmax`]: window by window, each window's values in row-major
/// order, so ties and NaNs come out as in the reference.
#[inline(always)] // so that each call site is compiled for its own kernel and stride
fn max_pool_map(
    map: &[f32],
    sizes: MapSizes,
    kernel: usize,
    stride: usize,
    y: &mut [f32],
    positions: &mut [u32],
) {
    let MapSizes { w, out_h, out_w } = sizes;
    for i in 0..out_h {
        for j in 0..out_w {
            let corner = (i * stride) * w + j * stride;
            // Positions fit in a u32: `max_pool2d_with_argmax` checked `H * W`.
            let (mut best, mut best_value) = (corner as u32, map[corner]);
            for u in 0..kernel {
                let start = corner + u * w;
                for (position, &value) in (start as u32..).zip(&map[start..start + kernel]) {
                    let better = (value > best_value) | value.is_nan();
                    // A select by bit masks, not a jump: maxima fall at random
                    // places, and a jump the processor guesses wrong half the time
                    // costs more than the comparison. `keep` is all ones if `better`.
                    let keep = (better as u32).wrapping_neg();
                    best = (position & keep) | (best & !keep);
                    best_value =
                        f32::from_bits((value.to_bits() & keep) | (best_value.to_bits() & !keep));
                }
            }
            y[i * out_w + j] = best_value;
            positions[i * out_w + j] = best;
        }
    }
}

best_for_this_processor! {
    /// [`max_pool_map_2x2`] on each map of an image, `x: [C, H, W]`, compiled for the
    /// processor's widest vectors.
    fn max_pool_maps_2x2(x: &[f32], h: usize, sizes: MapSizes, y: &mut [f32], positions: &mut [u32]) {
        let map_len = h * sizes.w;
        let out_len = sizes.out_h * sizes.out_w;
        for ((map, y), positions) in x
            .chunks_exact(map_len)
            .zip(y.chunks_exact_mut(out_len))
            .zip(positions.chunks_exact_mut(out_len))
        {
            max_pool_map_2x2(map, sizes, y, positions);
        }
    }
}

/// [`max_pool_map`] for 2x2 windows with stride 2, the usual case, written so that
/// the compiler computes many windows at once with vector instructions: each output
/// row reads two input rows, the windows' values in pairs `(a, b)` from the upper row
/// and `(c, d)` from the lower, and no index is checked inside the loop.
///
/// `a, b, c, d` are compared as `winner(winner(a, b), winner(c, d))`, which picks the
/// same one as comparing them in row-major order: the first of the largest, or the
/// last NaN.
#[inline(always)]
fn max_pool_map_2x2(map: &[f32], sizes: MapSizes, y: &mut [f32], positions: &mut [u32]) {
    let MapSizes { w, out_h, out_w } = sizes;
    /// The later of two candidates `(value, position)` wins if it is larger or NaN.
    #[inline(always)]
    fn winner(first: (f32, u32), later: (f32, u32)) -> (f32, u32) {
        if (later.0 > first.0) | later.0.is_nan() {
            later
        } else {
            first
        }
    }
    // Positions are counted in u32, as wide as the values (`H * W` was checked to fit),
    // so that each vector instruction handles as many positions as values.
    let w32 = w as u32;
    for i in 0..out_h {
        let top = 2 * i * w; // the position of the upper row's first value
        let upper = map[top..][..2 * out_w].chunks_exact(2);
        let lower = map[top + w..][..2 * out_w].chunks_exact(2);
        let y = &mut y[i * out_w..][..out_w];
        let positions = &mut positions[i * out_w..][..out_w];
        let top = top as u32;
        for ((((y, position), ab), cd), j) in y
            .iter_mut()
            .zip(positions)
            .zip(upper)
            .zip(lower)
            .zip(0u32..)
        {
            let a = top + 2 * j;
            let upper = winner((ab[0], a), (ab[1], a + 1));
            let lower = winner((cd[0], a + w32), (cd[1], a + w32 + 1));
            (*y, *position) = winner(upper, lower);
        }
    }
}

// ANCHOR: max_pool_backward_fast
/// Backward pass of max pooling from the positions [`max_pool2d_with_argmax`]
/// recorded: each output's gradient goes to the input that won its window.
///
/// `argmax: [N, C, H', W'], d_out: [N, C, H', W'] -> d_input: [N, C, H, W]`
///
/// ```text
/// d_x[n, c, argmax[n, c, i, j]] += d_out[n, c, i, j]
/// ```
///
/// The same numbers as [`max_pool2d_backward_naive`], which finds the winners again.
///
/// # Errors
/// An `argmax` and `d_out` of different shapes, or a position outside a `H x W` map.
pub fn max_pool2d_backward(
    argmax: ArrayView4<u32>,
    d_out: ArrayView4<f32>,
    input_shape: [usize; 4],
) -> Result<Array4<f32>> {
    let [n, c, h, w] = input_shape;
    let (an, ac, out_h, out_w) = argmax.dim();
    if argmax.dim() != d_out.dim() || (an, ac) != (n, c) {
        return Err(CnnError::shape(
            "max pooling output gradient",
            &format!(
                "[{an}, {ac}, {out_h}, {out_w}] (the shape of the recorded positions, for an input [{n}, {c}, {h}, {w}])"
            ),
            d_out.shape(),
        ));
    }
    if let Some(&bad) = argmax.iter().find(|&&position| position as usize >= h * w) {
        return Err(CnnError::mismatch(format!(
            "max pooling backward: recorded position {bad} is outside a {h}x{w} map"
        )));
    }
    let argmax = argmax.as_standard_layout();
    let d_out = d_out.as_standard_layout();
    let (positions, d_out) = (
        argmax
            .as_slice()
            .expect("a standard-layout array is one slice"),
        d_out
            .as_slice()
            .expect("a standard-layout array is one slice"),
    );
    let mut d_input = Array4::zeros((n, c, h, w));
    let d_maps = d_input.as_slice_mut().expect("a fresh array is one slice");
    // Map by map: each output's gradient goes to the input that won its window.
    for ((d_map, positions), d_y) in d_maps
        .chunks_exact_mut(h * w)
        .zip(positions.chunks_exact(out_h * out_w))
        .zip(d_out.chunks_exact(out_h * out_w))
    {
        for (&position, &gradient) in positions.iter().zip(d_y) {
            d_map[position as usize] += gradient;
        }
    }
    Ok(d_input)
}
// ANCHOR_END: max_pool_backward_fast

/// Global max pooling: the largest value of each channel.
///
/// input: [N, C, H, W] -> output: [N, C]
///
/// # Errors
/// An empty feature map (`H * W == 0`), which has no maximum.
pub fn global_max_pool2d(input: ArrayView4<f32>) -> Result<Array2<f32>> {
    let (n, c, h, w) = input.dim();
    if h * w == 0 {
        return Err(CnnError::shape(
            "global max pooling input",
            "[N, C, H >= 1, W >= 1]",
            &[n, c, h, w],
        ));
    }
    let flat = input
        .to_shape((n, c, h * w))
        .expect("a 4-D array reshapes to 3-D");
    Ok(flat.map_axis(Axis(2), |v| {
        v.fold(f32::NEG_INFINITY, |m, &x| nan_max(m, x))
    }))
}

/// Global average pooling: the mean of each channel.
///
/// input: [N, C, H, W] -> output: [N, C]
///
/// # Errors
/// An empty feature map (`H * W == 0`), which has no mean.
pub fn global_avg_pool2d(input: ArrayView4<f32>) -> Result<Array2<f32>> {
    let (n, c, h, w) = input.dim();
    if h * w == 0 {
        return Err(CnnError::shape(
            "global average pooling input",
            "[N, C, H >= 1, W >= 1]",
            &[n, c, h, w],
        ));
    }
    let flat = input
        .to_shape((n, c, h * w))
        .expect("a 4-D array reshapes to 3-D");
    Ok(flat.map_axis(Axis(2), |v| v.sum() / (h * w) as f32))
}

/// Backward pass of [`global_max_pool2d`]: each channel's gradient goes to its
/// largest value (the first one, if several tie).
///
/// `input: [N, C, H, W], d_out: [N, C] -> d_input: [N, C, H, W]`
///
/// # Panics
/// If `d_out` is not `[N, C]` (a bug in the caller).
pub fn global_max_pool2d_backward(input: ArrayView4<f32>, d_out: ArrayView2<f32>) -> Array4<f32> {
    let (n, c, h, w) = input.dim();
    assert_eq!(
        d_out.dim(),
        (n, c),
        "global_max_pool2d_backward: d_out shape"
    );
    let mut d_input = Array4::zeros((n, c, h, w));
    for b in 0..n {
        for ch in 0..c {
            let (mut best_row, mut best_col) = (0, 0);
            for i in 0..h {
                for j in 0..w {
                    if input[[b, ch, i, j]] > input[[b, ch, best_row, best_col]] {
                        (best_row, best_col) = (i, j);
                    }
                }
            }
            d_input[[b, ch, best_row, best_col]] = d_out[[b, ch]];
        }
    }
    d_input
}

/// Backward pass of [`global_avg_pool2d`]: each channel's gradient is shared equally
/// by its `H*W` values.
///
/// `input_shape: [N, C, H, W], d_out: [N, C] -> d_input: [N, C, H, W]`,
/// `d_x[n, c, i, j] = d_out[n, c] / (H*W)`
///
/// # Panics
/// If `d_out` is not `[N, C]` (a bug in the caller).
pub fn global_avg_pool2d_backward(input_shape: [usize; 4], d_out: ArrayView2<f32>) -> Array4<f32> {
    let [n, c, h, w] = input_shape;
    assert_eq!(
        d_out.dim(),
        (n, c),
        "global_avg_pool2d_backward: d_out shape"
    );
    let share = 1.0 / (h * w) as f32;
    Array4::from_shape_fn((n, c, h, w), |(b, ch, _, _)| d_out[[b, ch]] * share)
}

/// Global max pooling over a sequence, as in text classification: one number per
/// channel whatever the sequence length `L`.
///
/// input: [N, C, L] -> output: [N, C]
///
/// # Errors
/// An empty sequence (`L == 0`).
pub fn global_max_pool1d(input: ArrayView3<f32>) -> Result<Array2<f32>> {
    let (n, c, l) = input.dim();
    if l == 0 {
        return Err(CnnError::shape(
            "global max pooling input",
            "[N, C, L >= 1]",
            &[n, c, l],
        ));
    }
    Ok(input.map_axis(Axis(2), |v| {
        v.fold(f32::NEG_INFINITY, |m, &x| nan_max(m, x))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array, array};

    #[test]
    fn max_and_average_of_a_4x4() {
        let x = Array::from_iter((0..16).map(|v| v as f32))
            .into_shape_with_order((1, 1, 4, 4))
            .unwrap();
        let max = max_pool2d(x.view(), 2, 2).unwrap();
        assert_eq!(
            max.into_shape_with_order((2, 2)).unwrap(),
            array![[5.0, 7.0], [13.0, 15.0]]
        );
        let avg = avg_pool2d(x.view(), 2, 2).unwrap();
        assert_eq!(
            avg.into_shape_with_order((2, 2)).unwrap(),
            array![[2.5, 4.5], [10.5, 12.5]]
        );
    }

    // ANCHOR: pool_fast_equals_naive
    #[test]
    fn the_fast_pooling_equals_the_reference() {
        let x = Array::from_iter((0..2 * 3 * 7 * 6).map(|v| ((v * 37) % 23) as f32 - 11.0))
            .into_shape_with_order((2, 3, 7, 6))
            .unwrap();
        for (kernel, stride) in [(2, 2), (3, 2), (2, 1), (3, 3)] {
            assert_eq!(
                max_pool2d(x.view(), kernel, stride).unwrap(),
                max_pool2d_naive(x.view(), kernel, stride).unwrap()
            );
            // The same additions in the same order: equal to the last bit.
            assert_eq!(
                avg_pool2d(x.view(), kernel, stride).unwrap(),
                avg_pool2d_naive(x.view(), kernel, stride).unwrap()
            );
        }
    }
    // ANCHOR_END: pool_fast_equals_naive

    #[test]
    fn floor_mode_drops_the_partial_window() {
        let x = Array4::<f32>::ones((1, 1, 5, 5));
        assert_eq!(max_pool2d(x.view(), 2, 2).unwrap().dim(), (1, 1, 2, 2));
    }

    #[test]
    fn bad_configurations_are_errors() {
        let x = Array4::<f32>::ones((1, 1, 1, 3));
        let e = max_pool2d(x.view(), 2, 2).unwrap_err().to_string();
        assert_eq!(
            e,
            "pooling (height): kernel 2 is larger than the padded input 1 (input 1 + 2*0 padding)"
        );
    }

    #[test]
    fn global_pooling_ignores_the_length() {
        let short = Array::from_iter((0..6).map(|v| v as f32))
            .into_shape_with_order((1, 2, 3))
            .unwrap();
        let long = Array::from_iter((0..14).map(|v| v as f32))
            .into_shape_with_order((1, 2, 7))
            .unwrap();
        assert_eq!(global_max_pool1d(short.view()).unwrap(), array![[2.0, 5.0]]);
        assert_eq!(global_max_pool1d(long.view()).unwrap(), array![[6.0, 13.0]]);
    }

    #[test]
    fn recorded_positions_point_at_the_maxima_and_bad_ones_are_errors() {
        let x = Array::from_iter((0..16).map(|v| v as f32))
            .into_shape_with_order((1, 1, 4, 4))
            .unwrap();
        let (_, argmax) = max_pool2d_with_argmax(x.view(), 2, 2).unwrap();
        // The maxima 5, 7, 13, 15 sit at those flat positions of the 4x4 map.
        assert_eq!(
            argmax.iter().copied().collect::<Vec<_>>(),
            vec![5, 7, 13, 15]
        );
        let d_out = Array4::ones((1, 1, 2, 2));
        let wrong_shape = Array4::ones((1, 1, 3, 2));
        let e = max_pool2d_backward(argmax.view(), wrong_shape.view(), [1, 1, 4, 4])
            .unwrap_err()
            .to_string();
        assert!(e.contains("max pooling output gradient"), "{e}");
        let mut outside = argmax.clone();
        outside[[0, 0, 1, 1]] = 16;
        let e = max_pool2d_backward(outside.view(), d_out.view(), [1, 1, 4, 4])
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "max pooling backward: recorded position 16 is outside a 4x4 map"
        );
        // Positions are u32s: a map with more positions than that is refused before any
        // work (a broadcast view, so the test needs no memory for it).
        let one = Array4::<f32>::zeros((1, 1, 1, 1));
        let huge = one.broadcast((1, 1, 70_000, 70_000)).unwrap();
        let e = max_pool2d_with_argmax(huge, 2, 2).unwrap_err().to_string();
        assert_eq!(
            e,
            "max pooling: a 70000x70000 map has more positions than a u32 can number"
        );
    }

    /// A NaN anywhere in a window makes that window's maximum NaN on every path (the
    /// reference, the fast one, the one training records, global pooling), as in
    /// PyTorch; a diverged network must not look healthy after pooling.
    #[test]
    fn nan_propagates_through_max_pooling_on_every_path() {
        // [1, 1, 4, 4]: a NaN in the top-left window, the rest finite.
        let mut x = Array::from_iter((0..16).map(|v| v as f32))
            .into_shape_with_order((1, 1, 4, 4))
            .unwrap();
        x[[0, 0, 1, 0]] = f32::NAN;
        let naive = max_pool2d_naive(x.view(), 2, 2).unwrap();
        let fast = max_pool2d(x.view(), 2, 2).unwrap();
        let (recorded, argmax) = max_pool2d_with_argmax(x.view(), 2, 2).unwrap();
        for pooled in [&naive, &fast, &recorded] {
            assert!(pooled[[0, 0, 0, 0]].is_nan(), "{pooled:?}");
            assert_eq!(pooled[[0, 0, 0, 1]], 7.0);
            assert_eq!(pooled[[0, 0, 1, 1]], 15.0);
        }
        // Training records the NaN's position, so its gradient flows back there.
        assert_eq!(argmax[[0, 0, 0, 0]], 4);
        assert!(global_max_pool2d(x.view()).unwrap()[[0, 0]].is_nan());
        // Whether the NaN comes first in its window or last makes no difference.
        let mut last = Array4::<f32>::zeros((1, 1, 2, 2));
        last[[0, 0, 1, 1]] = f32::NAN;
        assert!(max_pool2d(last.view(), 2, 2).unwrap()[[0, 0, 0, 0]].is_nan());
        assert!(max_pool2d_naive(last.view(), 2, 2).unwrap()[[0, 0, 0, 0]].is_nan());
    }

    /// The 2x2 path picks the same value and position as the general one, window by
    /// window, on maps wide enough for its vector loop: with many ties, NaNs in every
    /// place of a window, odd sizes (a last row and column that no window covers).
    #[test]
    fn the_2x2_path_picks_what_the_general_path_picks() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        for (h, w) in [(2, 2), (5, 7), (28, 28), (10, 10), (10, 64), (9, 67)] {
            for _ in 0..20 {
                let map: Vec<f32> = (0..h * w)
                    .map(|_| match rng.random_range(0..10) {
                        0 => f32::NAN,
                        v => (v % 3) as f32, // few values: many ties
                    })
                    .collect();
                let sizes = MapSizes {
                    w,
                    out_h: h / 2,
                    out_w: w / 2,
                };
                let outputs = sizes.out_h * sizes.out_w;
                let (mut y, mut positions) = (vec![0.0; outputs], vec![0; outputs]);
                max_pool_map_2x2(&map, sizes, &mut y, &mut positions);
                let (mut general_y, mut general_positions) = (vec![0.0; outputs], vec![0; outputs]);
                max_pool_map(&map, sizes, 2, 2, &mut general_y, &mut general_positions);
                assert_eq!(positions, general_positions, "{h}x{w}");
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&y), bits(&general_y), "{h}x{w}");
            }
        }
    }
}
