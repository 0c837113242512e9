//! 2-D convolution of images with **one input channel**, computed directly, without
//! im2col: what LeNet-5's first layer needs.
//!
//! With one channel, im2col would copy every pixel `KH * KW` times (25 times for a 5x5
//! kernel) into a matrix with only `KH * KW` rows, and the matrix multiply after it has
//! only `F` rows (6 for LeNet-5): the copy costs more than the arithmetic. Here each
//! output row is built from whole input rows instead: for every kernel tap `(u, v)`,
//!
//! ```text
//! y[f, i, 0..W'] += w[f, u, v] * x_padded[i*S+u, v, v+S, v+2S, ...]
//! ```
//!
//! one multiply-add on a row of evenly spaced inputs. The two loops are written with the
//! vector types of the `pulp` crate (`S::f32s`: 16 lanes with AVX-512, 8 with AVX2, one
//! value on any other processor), which compiles them for each kind of processor and
//! runs the copy this one has. Written as vectors, the sums plainly stay in vector
//! registers, where the compiler does not always keep a loop's array of `f32`s. Every
//! multiply-add is fused, rounded once and exactly on every processor, and each lane
//! adds its products in the same order, so every copy gives the same numbers
//! (`every_processor_gets_the_same_bits` below).
//!
//! [`conv2d`](crate::ops::conv2d::conv2d) and the convolution layer call these for a
//! one-channel input; `conv2d_naive` is still the reference they are tested against
//! (`direct_equals_naive` below).

use ndarray::parallel::prelude::*;
use ndarray::{Array1, Array2, Array4, ArrayView1, ArrayView4, Axis};

use crate::error::Result;
use crate::ops::conv2d::{IMAGES_PER_CHUNK, conv2d_output_shape, zeros_for_chunks};

/// Output columns computed at once: each filter's sums for a block of `COLUMNS`
/// positions of an output row stay in vector registers while the kernel's taps are
/// added, instead of going to memory and back after every tap.
const COLUMNS: usize = 32;

/// Filters computed at once ([`correlate`]): each vector of inputs loaded is used by
/// `FILTERS` filters, and their sums fill 12 vector registers, enough to keep the
/// processor's multiply-add units busy.
const FILTERS: usize = 6;

/// Vectors of an output row's positions each filter's sums span in [`correlate`].
const VECTORS: usize = 2;

/// Filters whose weight gradients are computed at once ([`tap_gradients`]).
const GRADIENT_FILTERS: usize = 3;

/// Bias gradients summed at once ([`add_map_sums`]).
const SUMS_AT_ONCE: usize = 8;

/// A one-channel convolution's sizes, for one image.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
    height: usize,
    width: usize,
    out_h: usize,
    out_w: usize,
}

impl Sizes {
    /// Blocks of [`COLUMNS`] output columns per row (the last one may be partly used).
    fn blocks(&self) -> usize {
        self.out_w.div_ceil(COLUMNS)
    }

    /// The length of a row of the padded image: the padding on both sides, and for
    /// stride 1 more zeros on the right, so that the last block's unused columns read
    /// zeros.
    fn padded_w(&self) -> usize {
        let unpadded = self.width + 2 * self.padding;
        if self.stride == 1 {
            unpadded.max(self.blocks() * COLUMNS - 1 + self.kernel_w)
        } else {
            unpadded // strided blocks read only their used columns
        }
    }

    /// The image with `padding` zeros on every side (and the zeros of [`Sizes::padded_w`]):
    /// `[H, W] -> [H + 2P, padded_w]`.
    fn pad(&self, image: ndarray::ArrayView2<f32>, padded: &mut Vec<f32>) {
        let (p, padded_w) = (self.padding, self.padded_w());
        padded.clear();
        padded.resize((self.height + 2 * p) * padded_w, 0.0);
        for (row, line) in image.outer_iter().enumerate() {
            let start = (row + p) * padded_w + p;
            for (to, &from) in padded[start..start + self.width].iter_mut().zip(line) {
                *to = from;
            }
        }
    }

    /// The inputs a strided block starting at output column `first_column` reads under
    /// tap `v` of a kernel row: `inputs[l] = row[(first_column + l)*S + v]`, and zeros
    /// past the output's last column.
    fn gather(&self, row: &[f32], first_column: usize, v: usize, inputs: &mut [f32]) {
        for (l, input) in inputs.iter_mut().enumerate() {
            let column = first_column + l;
            *input = if column < self.out_w {
                row[column * self.stride + v]
            } else {
                0.0
            };
        }
    }
}

/// [`conv2d`](crate::ops::conv2d::conv2d) for an input with one channel, computed
/// directly (see the module's documentation).
///
/// `input: [N, 1, H, W], weight: [F, 1, KH, KW], bias: [F] -> output: [N, F, H', W']`
///
/// # Errors
/// The same as [`conv2d_naive`](crate::ops::conv2d::conv2d_naive), and an input with
/// more than one channel.
pub fn conv2d_one_channel(
    input: ArrayView4<f32>,
    weight: ArrayView4<f32>,
    bias: ArrayView1<f32>,
    stride: usize,
    padding: usize,
) -> Result<Array4<f32>> {
    let sizes = one_channel_sizes(input, weight, bias.len(), stride, padding)?;
    let filters = weight.dim().0;
    let groups = FilterGroup::all(weight, bias);
    let arch = pulp::Arch::new(); // the widest vectors this processor has
    let mut output = zeros_for_chunks((input.dim().0, filters, sizes.out_h, sizes.out_w));
    output
        .axis_chunks_iter_mut(Axis(0), IMAGES_PER_CHUNK)
        .into_par_iter()
        .zip(input.axis_chunks_iter(Axis(0), IMAGES_PER_CHUNK))
        .for_each(|(mut y, x)| {
            let mut padded = Vec::new();
            for (mut y, x) in y.outer_iter_mut().zip(x.outer_iter()) {
                sizes.pad(x.index_axis(Axis(0), 0), &mut padded); // [1, H, W] -> [H+2P, W+2P]
                let maps = y.as_slice_mut().expect("a fresh output is one slice"); // [F, H', W']
                for group in &groups {
                    correlate(arch, &padded, group, &sizes, maps);
                }
            }
        });
    Ok(output)
}

/// The weight and bias gradients of [`conv2d_one_channel`], computed directly from
/// its input (nothing was unrolled in the forward pass):
///
/// `input: [N, 1, H, W], d_out: [N, F, H', W'] -> d_weight [F, 1, KH, KW], d_bias [F]`
///
/// ```text
/// d_w[f, 0, u, v] = sum over n, i, j of d_out[n, f, i, j] * x_padded[n, i*S+u, j*S+v]
/// d_b[f]          = sum over n, i, j of d_out[n, f, i, j]
/// ```
///
/// The images of a chunk of [`IMAGES_PER_CHUNK`] are added in order, then the chunks
/// in order, so the result does not depend on the number of threads.
///
/// # Errors
/// The same as [`conv2d_one_channel`], and a `d_out` whose shape is not the output's.
pub fn conv2d_one_channel_parameter_gradients(
    input: ArrayView4<f32>,
    weight: ArrayView4<f32>,
    d_out: ArrayView4<f32>,
    stride: usize,
    padding: usize,
) -> Result<(Array4<f32>, Array1<f32>)> {
    let (filters, _, kernel_h, kernel_w) = weight.dim();
    let sizes = one_channel_sizes(input, weight, filters, stride, padding)?;
    crate::ops::conv2d::conv2d_gradient_shape(
        input.dim(),
        weight.dim(),
        d_out.dim(),
        stride,
        padding,
    )?;
    let taps = kernel_h * kernel_w;
    let d_out = d_out.as_standard_layout();
    let arch = pulp::Arch::new(); // the widest vectors this processor has
    let chunks: Vec<(Array2<f32>, Array1<f32>)> = input
        .axis_chunks_iter(Axis(0), IMAGES_PER_CHUNK)
        .into_par_iter()
        .zip(d_out.axis_chunks_iter(Axis(0), IMAGES_PER_CHUNK))
        .map(|(x, d_y)| {
            // Every tap's sum in COLUMNS lanes ([`tap_gradients`]), over the chunk's
            // images; the lanes are added only at the end.
            let groups = filters.div_ceil(GRADIENT_FILTERS) * GRADIENT_FILTERS;
            let mut d_lanes = vec![[0.0f32; COLUMNS]; groups * taps]; // [F', KH*KW][COLUMNS]
            let mut d_bias = Array1::zeros(filters);
            let (mut padded, mut d_padded) = (Vec::new(), Vec::new());
            for (x, d_y) in x.outer_iter().zip(d_y.outer_iter()) {
                sizes.pad(x.index_axis(Axis(0), 0), &mut padded);
                let d_maps = d_y
                    .to_slice()
                    .expect("a standard-layout image is one slice");
                sizes.widen(d_maps, filters, &mut d_padded); // [F, H', W'] -> [F', H', blocks*COLUMNS]
                for first in (0..filters).step_by(GRADIENT_FILTERS) {
                    tap_gradients(arch, &padded, &d_padded, first, &sizes, &mut d_lanes);
                }
                add_map_sums(d_maps, &mut d_bias);
            }
            let d_weight = Array2::from_shape_fn((filters, taps), |(f, t)| {
                d_lanes[f * taps + t].iter().sum::<f32>() // the lanes, left to right
            });
            (d_weight, d_bias)
        })
        .collect();
    let mut d_weight = Array2::zeros((filters, taps));
    let mut d_bias = Array1::zeros(filters);
    for (chunk_weight, chunk_bias) in &chunks {
        d_weight += chunk_weight; // chunk by chunk, in order
        d_bias += chunk_bias;
    }
    let d_weight = d_weight
        .into_shape_with_order(weight.dim()) // [F, KH*KW] -> [F, 1, KH, KW]
        .expect("F*KH*KW entries");
    Ok((d_weight, d_bias))
}

/// Adds each map's sum to its filter's bias gradient: `d_bias[f] += sum of d_maps[f]`
/// (`d_maps: [F, H'*W']`), each sum taken in order from the map's first value to its
/// last. [`SUMS_AT_ONCE`] filters' sums advance side by side, kept in registers, so
/// that the processor works on all of them at once instead of waiting for each
/// addition of one sum before the next.
fn add_map_sums(d_maps: &[f32], d_bias: &mut Array1<f32>) {
    let filters = d_bias.len();
    let positions = d_maps.len() / filters;
    let no_map = vec![0.0f32; positions]; // for the filters a last group lacks
    for first in (0..filters).step_by(SUMS_AT_ONCE) {
        let maps: [&[f32]; SUMS_AT_ONCE] = std::array::from_fn(|k| {
            let f = first + k;
            if f < filters {
                &d_maps[f * positions..][..positions]
            } else {
                &no_map
            }
        });
        let mut sums = [0.0f32; SUMS_AT_ONCE];
        for p in 0..positions {
            for (sum, map) in sums.iter_mut().zip(&maps) {
                *sum += map[p];
            }
        }
        for (k, sum) in sums.iter().enumerate().take(filters - first) {
            d_bias[first + k] += sum;
        }
    }
}

/// Checks the shapes (as `conv2d_naive` does) and that the input has one channel.
fn one_channel_sizes(
    input: ArrayView4<f32>,
    weight: ArrayView4<f32>,
    bias_len: usize,
    stride: usize,
    padding: usize,
) -> Result<Sizes> {
    let (_, _, out_h, out_w) =
        conv2d_output_shape(input.dim(), weight.dim(), bias_len, stride, padding)?;
    let (_, channels, height, width) = input.dim();
    if channels != 1 {
        return Err(crate::error::CnnError::shape(
            "one-channel convolution input",
            "[N, 1, H, W]",
            input.shape(),
        ));
    }
    let (_, _, kernel_h, kernel_w) = weight.dim();
    Ok(Sizes {
        kernel_h,
        kernel_w,
        stride,
        padding,
        height,
        width,
        out_h,
        out_w,
    })
}

/// [`FILTERS`] filters' weights side by side, as [`correlate`] reads them.
struct FilterGroup {
    /// The group's first filter.
    first: usize,
    /// Its real filters (the last group may have fewer than `FILTERS`).
    count: usize,
    /// Tap `u * KW + v` of each filter: `[KH*KW][FILTERS]`; a missing filter has zeros.
    taps: Vec<[f32; FILTERS]>,
    /// Each filter's bias (zero for a missing one).
    bias: [f32; FILTERS],
}

impl FilterGroup {
    /// The filters of `weight: [F, 1, KH, KW]` and `bias: [F]`, `FILTERS` at a time.
    fn all(weight: ArrayView4<f32>, bias: ArrayView1<f32>) -> Vec<FilterGroup> {
        let (filters, _, kernel_h, kernel_w) = weight.dim();
        (0..filters)
            .step_by(FILTERS)
            .map(|first| {
                let count = FILTERS.min(filters - first);
                let real = |k: usize| k < count;
                FilterGroup {
                    first,
                    count,
                    taps: (0..kernel_h * kernel_w)
                        .map(|t| {
                            let (u, v) = (t / kernel_w, t % kernel_w);
                            std::array::from_fn(|k| {
                                if real(k) {
                                    weight[[first + k, 0, u, v]]
                                } else {
                                    0.0
                                }
                            })
                        })
                        .collect(),
                    bias: std::array::from_fn(|k| if real(k) { bias[first + k] } else { 0.0 }),
                }
            })
            .collect()
    }
}

/// One filter group's output maps for one image (`maps: [F, H', W']`):
///
/// ```text
/// maps[f, i, j] = bias[f] + sum over u, v of weight[f, u, v] * padded[i*S+u, j*S+v]
/// ```
///
/// added tap by tap in row-major order, each product rounded once with its sum (a fused
/// multiply-add, exactly rounded on every processor). A group of up to three filters
/// runs a copy of the loops for three.
fn correlate(
    arch: pulp::Arch,
    padded: &[f32],
    group: &FilterGroup,
    sizes: &Sizes,
    maps: &mut [f32],
) {
    if group.count <= FILTERS / 2 {
        arch.dispatch(Correlate::<{ FILTERS / 2 }> {
            padded,
            group,
            sizes,
            maps,
        });
    } else {
        arch.dispatch(Correlate::<FILTERS> {
            padded,
            group,
            sizes,
            maps,
        });
    }
}

/// The loops of [`correlate`] for the first `N` filters of a group, written with the
/// vector types of the `pulp` crate, which compiles them for each kind of processor
/// (16 lanes with AVX-512, 8 with AVX2, 1 without) and runs the copy this one has.
///
/// For each output row, a block of `VECTORS` vectors of positions is computed at
/// once: its `N * VECTORS` sums stay in vector registers while the kernel's taps are
/// added, and each vector of inputs loaded is used by all `N` filters.
struct Correlate<'a, const N: usize> {
    padded: &'a [f32],
    group: &'a FilterGroup,
    sizes: &'a Sizes,
    maps: &'a mut [f32],
}

impl<const N: usize> pulp::WithSimd for Correlate<'_, N> {
    type Output = ();

    #[inline(always)] // into each processor's copy that `pulp` compiles
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        if self.sizes.stride == 1 {
            self.loops::<S, true>(simd);
        } else {
            self.loops::<S, false>(simd);
        }
    }
}

impl<const N: usize> Correlate<'_, N> {
    /// The loops, for a stride of 1 (`UNIT_STRIDE`) or any other: two copies, so that
    /// neither carries the other's registers.
    #[inline(always)] // into each processor's copy that `pulp` compiles
    fn loops<S: pulp::Simd, const UNIT_STRIDE: bool>(self, simd: S) {
        let Self {
            padded,
            group,
            sizes,
            maps,
        } = self;
        let lanes = S::F32_LANES;
        let width = VECTORS * lanes; // the block's positions
        assert!(
            width <= COLUMNS,
            "rows are padded for blocks of COLUMNS positions"
        );
        let (kernel_h, kernel_w, stride) = (sizes.kernel_h, sizes.kernel_w, sizes.stride);
        let (positions, padded_w) = (sizes.out_h * sizes.out_w, sizes.padded_w());
        let mut gathered = [0.0f32; COLUMNS]; // a strided block's inputs, side by side
        for i in 0..sizes.out_h {
            for first_column in (0..sizes.out_w).step_by(width) {
                let mut sums = [[simd.splat_f32s(0.0); VECTORS]; N];
                for (sums, &bias) in sums.iter_mut().zip(&group.bias) {
                    *sums = [simd.splat_f32s(bias); VECTORS];
                }
                for u in 0..kernel_h {
                    let row = &padded[(i * stride + u) * padded_w..][..padded_w];
                    let taps = &group.taps[u * kernel_w..][..kernel_w];
                    for (v, w) in taps.iter().enumerate() {
                        let inputs = if UNIT_STRIDE {
                            &row[first_column + v..][..width] // zeros past the last column
                        } else {
                            sizes.gather(row, first_column, v, &mut gathered[..width]);
                            &gathered[..width]
                        };
                        let inputs: [S::f32s; VECTORS] =
                            std::array::from_fn(|c| load(&inputs[c * lanes..]));
                        for (sums, &w) in sums.iter_mut().zip(w) {
                            let w = simd.splat_f32s(w);
                            for (sum, &input) in sums.iter_mut().zip(&inputs) {
                                *sum = simd.mul_add_f32s(w, input, *sum); // fused
                            }
                        }
                    }
                }
                // Write the block's used columns, for the group's real filters.
                let used = width.min(sizes.out_w - first_column);
                for (k, sums) in sums.iter().enumerate().take(group.count) {
                    let start = (group.first + k) * positions + i * sizes.out_w + first_column;
                    let outputs = &mut maps[start..][..used];
                    for (outputs, &sum) in outputs.chunks_mut(lanes).zip(sums) {
                        simd.partial_store_f32s(outputs, sum);
                    }
                }
            }
        }
    }
}

impl Sizes {
    /// The output gradient with each row widened to whole blocks, zeros after the
    /// real columns, and maps of zeros after the last filter up to a whole group:
    /// `[F, H', W'] -> [F rounded up to GRADIENT_FILTERS, H', blocks*COLUMNS]`.
    fn widen(&self, d_maps: &[f32], filters: usize, widened: &mut Vec<f32>) {
        let wide = self.blocks() * COLUMNS;
        widened.clear();
        let groups = filters.div_ceil(GRADIENT_FILTERS);
        widened.resize(groups * GRADIENT_FILTERS * self.out_h * wide, 0.0);
        for (to, from) in widened
            .chunks_exact_mut(wide)
            .zip(d_maps.chunks_exact(self.out_w))
        {
            to[..self.out_w].copy_from_slice(from);
        }
    }
}

/// One image's contribution to the tap gradients of filters
/// `first..first + GRADIENT_FILTERS`:
///
/// ```text
/// d_weight[f, u, v] += sum over i, j of d_maps[f, i, j] * padded[i*S+u, j*S+v]
/// ```
///
/// `d_maps` is the widened output gradient ([`Sizes::widen`]). Each tap's sum is kept
/// in `COLUMNS` lanes, `d_lanes[f * KH*KW + tap]`, one lane per column of a block (a
/// lane adds its column's rows in order, then the next block's, then the next
/// image's); the caller adds the lanes left to right at the end. A fixed order, which
/// the processor computes with vector instructions.
fn tap_gradients(
    arch: pulp::Arch,
    padded: &[f32],
    d_maps: &[f32],
    first: usize,
    sizes: &Sizes,
    d_lanes: &mut [[f32; COLUMNS]],
) {
    // LeNet-5's 5x5 kernel and the common 3x3 (with stride 1) get a copy of the loops
    // with the kernel's width fixed, which keeps a whole row of taps' sums in
    // registers; any other runs one tap at a time. Both add in the same order.
    match (sizes.stride, sizes.kernel_w) {
        (1, 5) => kernel_rows::<5>(arch, padded, d_maps, first, sizes, d_lanes),
        (1, 3) => kernel_rows::<3>(arch, padded, d_maps, first, sizes, d_lanes),
        _ => kernel_rows::<1>(arch, padded, d_maps, first, sizes, d_lanes),
    }
}

/// The loops of [`tap_gradients`], `TAPS` taps of a kernel row at a time (`TAPS`
/// divides the kernel's width), compiled for the processor's vectors by `pulp`.
fn kernel_rows<const TAPS: usize>(
    arch: pulp::Arch,
    padded: &[f32],
    d_maps: &[f32],
    first: usize,
    sizes: &Sizes,
    d_lanes: &mut [[f32; COLUMNS]],
) {
    let op = TapGradients::<TAPS> {
        padded,
        d_maps,
        first,
        sizes,
        d_lanes,
    };
    arch.dispatch(op);
}

/// [`kernel_rows`]' loops, one vector of a block's lanes at a time: for each output
/// row and block, the group's output gradients are loaded once and multiplied with the
/// inputs under each of the `TAPS` taps; the `GRADIENT_FILTERS * TAPS` sums stay in
/// vector registers until every row is done.
struct TapGradients<'a, const TAPS: usize> {
    padded: &'a [f32],
    d_maps: &'a [f32],
    first: usize,
    sizes: &'a Sizes,
    d_lanes: &'a mut [[f32; COLUMNS]],
}

impl<const TAPS: usize> pulp::WithSimd for TapGradients<'_, TAPS> {
    type Output = ();

    #[inline(always)] // into each processor's copy that `pulp` compiles
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        if self.sizes.stride == 1 {
            self.loops::<S, true>(simd);
        } else {
            self.loops::<S, false>(simd);
        }
    }
}

impl<const TAPS: usize> TapGradients<'_, TAPS> {
    /// The loops, for a stride of 1 (`UNIT_STRIDE`) or any other: two copies, so that
    /// neither carries the other's registers.
    #[inline(always)] // into each processor's copy that `pulp` compiles
    fn loops<S: pulp::Simd, const UNIT_STRIDE: bool>(self, simd: S) {
        let Self {
            padded,
            d_maps,
            first,
            sizes,
            d_lanes,
        } = self;
        let lanes = S::F32_LANES;
        let (kernel_h, kernel_w) = (sizes.kernel_h, sizes.kernel_w);
        let taps = kernel_h * kernel_w;
        let (wide, padded_w) = (sizes.blocks() * COLUMNS, sizes.padded_w());
        let mut gathered = [0.0f32; COLUMNS]; // a strided block's inputs, side by side
        for u in 0..kernel_h {
            for v0 in (0..kernel_w).step_by(TAPS) {
                let lane_index = |k: usize, t: usize| (first + k) * taps + u * kernel_w + v0 + t;
                for offset in (0..COLUMNS).step_by(lanes) {
                    let mut sums = [[simd.splat_f32s(0.0); TAPS]; GRADIENT_FILTERS];
                    for (k, sums) in sums.iter_mut().enumerate() {
                        for (t, sum) in sums.iter_mut().enumerate() {
                            *sum = load(&d_lanes[lane_index(k, t)][offset..]);
                        }
                    }
                    for block in 0..sizes.blocks() {
                        let first_column = block * COLUMNS + offset;
                        for i in 0..sizes.out_h {
                            let row = &padded[(i * sizes.stride + u) * padded_w..][..padded_w];
                            let d_rows: [S::f32s; GRADIENT_FILTERS] = std::array::from_fn(|k| {
                                load(
                                    &d_maps
                                        [((first + k) * sizes.out_h + i) * wide + first_column..],
                                )
                            });
                            if UNIT_STRIDE {
                                let window = &row[first_column + v0..][..lanes + TAPS - 1];
                                for t in 0..TAPS {
                                    let inputs: S::f32s = load(&window[t..]);
                                    for (sums, &d_row) in sums.iter_mut().zip(&d_rows) {
                                        sums[t] = simd.mul_add_f32s(d_row, inputs, sums[t]);
                                    }
                                }
                            } else {
                                // One tap at a time (`TAPS` is 1 for a strided convolution).
                                sizes.gather(row, first_column, v0, &mut gathered[..lanes]);
                                let inputs: S::f32s = load(&gathered);
                                for (sums, &d_row) in sums.iter_mut().zip(&d_rows) {
                                    sums[0] = simd.mul_add_f32s(d_row, inputs, sums[0]);
                                }
                            }
                        }
                    }
                    for (k, sums) in sums.iter().enumerate() {
                        for (t, &sum) in sums.iter().enumerate() {
                            store(&mut d_lanes[lane_index(k, t)][offset..], sum);
                        }
                    }
                }
            }
        }
    }
}

/// The vector of `f32`s at the start of `values` (which holds at least one vector's
/// lanes), wherever it lies in memory.
#[inline(always)] // into each processor's copy of the loops
pub(crate) fn load<V: bytemuck::Pod>(values: &[f32]) -> V {
    let lanes = size_of::<V>() / size_of::<f32>();
    bytemuck::pod_read_unaligned(bytemuck::cast_slice(&values[..lanes]))
}

/// Writes `vector` over the first of `values`' lanes (it holds at least one vector's).
#[inline(always)] // into each processor's copy of the loops
pub(crate) fn store<V: bytemuck::Pod>(values: &mut [f32], vector: V) {
    let lanes = size_of::<V>() / size_of::<f32>();
    bytemuck::cast_slice_mut(&mut values[..lanes]).copy_from_slice(bytemuck::bytes_of(&vector));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::conv2d::{conv2d_backward_naive, conv2d_naive};
    use ndarray::Array;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random<D: ndarray::Dimension>(
        shape: impl ndarray::ShapeBuilder<Dim = D>,
        rng: &mut ChaCha8Rng,
    ) -> Array<f32, D> {
        Array::from_shape_simple_fn(shape, || rng.random_range(-1.0..1.0))
    }

    #[test]
    fn a_row_of_taps_at_once_adds_as_one_tap_at_a_time() {
        // The copies of the loops for kernel widths 5 and 3 must give the same bits as
        // the one-tap loop: the same products, added in the same order.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for (width, kernel_w) in [(28, 5), (40, 3), (9, 5)] {
            let sizes = Sizes {
                kernel_h: 3,
                kernel_w,
                stride: 1,
                padding: 2,
                height: 7,
                width,
                out_h: 7 + 4 - 3 + 1,
                out_w: width + 4 - kernel_w + 1,
            };
            let image = random((sizes.height, sizes.width), &mut rng);
            let d_maps = random((GRADIENT_FILTERS, sizes.out_h * sizes.out_w), &mut rng);
            let (mut padded, mut widened) = (Vec::new(), Vec::new());
            sizes.pad(image.view(), &mut padded);
            sizes.widen(d_maps.as_slice().unwrap(), GRADIENT_FILTERS, &mut widened);
            let start = vec![[0.5f32; COLUMNS]; GRADIENT_FILTERS * 3 * kernel_w];
            let (mut one, mut row) = (start.clone(), start);
            kernel_rows::<1>(pulp::Arch::new(), &padded, &widened, 0, &sizes, &mut one);
            match kernel_w {
                5 => kernel_rows::<5>(pulp::Arch::new(), &padded, &widened, 0, &sizes, &mut row),
                _ => kernel_rows::<3>(pulp::Arch::new(), &padded, &widened, 0, &sizes, &mut row),
            }
            let bits = |lanes: &[[f32; COLUMNS]]| -> Vec<u32> {
                lanes.iter().flatten().map(|x| x.to_bits()).collect()
            };
            assert_eq!(
                bits(&one),
                bits(&row),
                "width {width}, kernel width {kernel_w}"
            );
        }
    }

    #[test]
    fn every_processor_gets_the_same_bits() {
        // 16 lanes, 8 or 1 at a time: each lane adds the same products in the same
        // order, with fused multiply-adds on every processor.
        let mut rng = ChaCha8Rng::seed_from_u64(10);
        for (filters, height, width, (kernel_h, kernel_w), stride, padding) in [
            (6, 28, 28, (5, 5), 1, 2),
            (2, 7, 40, (3, 3), 1, 1),
            (8, 9, 11, (2, 4), 2, 1),
        ] {
            let out = |size: usize, kernel: usize| (size + 2 * padding - kernel) / stride + 1;
            let sizes = Sizes {
                kernel_h,
                kernel_w,
                stride,
                padding,
                height,
                width,
                out_h: out(height, kernel_h),
                out_w: out(width, kernel_w),
            };
            let image = random((height, width), &mut rng);
            let weight = random((filters, 1, kernel_h, kernel_w), &mut rng);
            let bias = random(filters, &mut rng);
            let d_maps = random((filters, sizes.out_h * sizes.out_w), &mut rng);
            let (mut padded, mut widened) = (Vec::new(), Vec::new());
            sizes.pad(image.view(), &mut padded);
            sizes.widen(d_maps.as_slice().unwrap(), filters, &mut widened);
            let taps = kernel_h * kernel_w;
            let groups = filters.div_ceil(GRADIENT_FILTERS) * GRADIENT_FILTERS;
            let run = |arch: pulp::Arch| {
                let mut maps = vec![0.0f32; filters * sizes.out_h * sizes.out_w];
                for group in &FilterGroup::all(weight.view(), bias.view()) {
                    correlate(arch, &padded, group, &sizes, &mut maps);
                }
                let mut d_lanes = vec![[0.0f32; COLUMNS]; groups * taps];
                for first in (0..filters).step_by(GRADIENT_FILTERS) {
                    tap_gradients(arch, &padded, &widened, first, &sizes, &mut d_lanes);
                }
                let bits = maps.iter().chain(d_lanes.iter().flatten());
                bits.map(|x| x.to_bits()).collect::<Vec<u32>>()
            };
            let arches = crate::ops::dispatch::every_arch();
            let expected = run(arches[0]);
            for &arch in &arches[1..] {
                assert!(
                    run(arch) == expected,
                    "{arch:?}, {filters} filters, {width} wide"
                );
            }
        }
    }

    #[test]
    fn direct_equals_naive() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        // LeNet-5's first layer, then odd sizes, strides and paddings, a batch longer
        // than one chunk, rows of several blocks, and kernel widths other than 5 and 3
        // (which `tap_gradients` takes one tap at a time).
        for (n, f, h, w, (kh, kw), stride, padding) in [
            (3, 6, 28, 28, (5, 5), 1, 2),
            (2, 4, 9, 7, (3, 3), 2, 1),
            (IMAGES_PER_CHUNK + 3, 2, 6, 8, (3, 3), 1, 0),
            (1, 3, 5, 5, (5, 5), 3, 2),
            (2, 3, 7, 70, (3, 5), 1, 1),
            (2, 5, 8, 41, (4, 2), 1, 0),
            (1, 2, 6, 75, (2, 7), 2, 3),
        ] {
            let x = random((n, 1, h, w), &mut rng);
            let weight = random((f, 1, kh, kw), &mut rng);
            let bias = random(f, &mut rng);
            let expected =
                conv2d_naive(x.view(), weight.view(), bias.view(), stride, padding).unwrap();
            let y =
                conv2d_one_channel(x.view(), weight.view(), bias.view(), stride, padding).unwrap();
            assert_eq!(y.dim(), expected.dim());
            let error = (&y - &expected).iter().fold(0.0f32, |m, e| m.max(e.abs()));
            assert!(error < 1e-5, "forward differs by {error}");
            let d_out = random(expected.dim(), &mut rng);
            let reference =
                conv2d_backward_naive(x.view(), weight.view(), d_out.view(), stride, padding)
                    .unwrap();
            let (d_weight, d_bias) = conv2d_one_channel_parameter_gradients(
                x.view(),
                weight.view(),
                d_out.view(),
                stride,
                padding,
            )
            .unwrap();
            let error = (&d_weight - &reference.d_weight)
                .iter()
                .fold(0.0f32, |m, e| m.max(e.abs()));
            assert!(error < 1e-4, "weight gradient differs by {error}");
            let error = (&d_bias - &reference.d_bias)
                .iter()
                .fold(0.0f32, |m, e| m.max(e.abs()));
            assert!(error < 1e-4, "bias gradient differs by {error}");
        }
    }

    #[test]
    fn the_same_on_any_number_of_threads() {
        let mut rng = ChaCha8Rng::seed_from_u64(6);
        let x = random((40, 1, 12, 12), &mut rng);
        let weight = random((3, 1, 5, 5), &mut rng);
        let d_out = random((40, 3, 12, 12), &mut rng);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    conv2d_one_channel_parameter_gradients(
                        x.view(),
                        weight.view(),
                        d_out.view(),
                        1,
                        2,
                    )
                    .unwrap()
                })
        };
        assert_eq!(run(1), run(3));
    }

    #[test]
    fn more_than_one_channel_is_an_error() {
        let x = Array4::<f32>::zeros((1, 2, 5, 5));
        let weight = Array4::<f32>::zeros((1, 2, 3, 3));
        let bias = Array1::<f32>::zeros(1);
        assert!(conv2d_one_channel(x.view(), weight.view(), bias.view(), 1, 0).is_err());
    }
}
