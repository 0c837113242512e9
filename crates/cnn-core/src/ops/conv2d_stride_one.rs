//! A stride-1 convolution of images with several channels, computed directly, without
//! im2col: its forward pass and its weight gradient. (The input gradient is in
//! `conv2d_input_gradient.rs`.)
//!
//! The im2col version ([`conv2d`](crate::ops::conv2d::conv2d)) copies every input value
//! once per kernel tap into a matrix (for LeNet-5's conv2, 25 copies, almost a megabyte
//! for a chunk of 16 images) and multiplies that matrix with the weights. Here the
//! products are taken from the padded image itself, in one of two directions:
//!
//! - across the filters ([`filter_sums`]): one vector register holds one value for each
//!   of 16 filters, so that a single input value, loaded once and broadcast, is
//!   multiplied with the weights of all 16 filters at once. LeNet-5's conv2 (16 filters,
//!   output rows of 10) goes this way.
//! - along the rows ([`RowSums`], written with `pulp`'s vector types as in
//!   `conv2d_direct.rs`): one register holds 16 neighbouring outputs of one filter, and a
//!   weight, broadcast, multiplies 16 inputs of a row at once. Tiny VGG's layers (10
//!   filters, which would leave 6 of 16 lanes idle, and rows of 60) go this way.
//!
//! Which one a shape takes is `Sizes::by_rows`; both give the same bits.
//!
//! ```text
//! forward:         y[f, i, j]   = b[f] + sum over c, u, v of w[f, c, u, v] * x[c, i+u-P, j+v-P]
//! weight gradient: d_w[f, c, u, v] = sum over n, i, j of d_y[n, f, i, j] * x[n, c, i+u-P, j+v-P]
//! ```
//!
//! **The same bits as the im2col version.** A sum is only the same, to the last bit, if
//! its terms are added in the same order. The matrix multiply's kernels (the `gemm`
//! crate's) add the terms of each element in blocks, each block's terms in order onto a
//! sum that starts at zero, then the block sums in order onto the element;
//! [`gemm_term_block`] says how long the blocks are. The loops here add the same terms in
//! that order, so the trained networks are the same as before, bit for bit; the tests
//! below compare the two versions on many shapes. Where `gemm` would sum in some other way
//! (tiny products, or a processor without its vector kernels), the callers keep the im2col
//! version ([`forward_is_direct`], [`weight_gradient_block`]).

use ndarray::{ArrayView3, ArrayView4, ArrayViewMut4};

use crate::ops::conv2d_direct::{load, store};
use crate::ops::dispatch::best_for_this_processor;
use crate::ops::matmul::gemm_term_block;

/// Filters per vector register (16 `f32`s on AVX-512).
const LANES: usize = 16;

/// Output columns computed at once in the forward pass: `COLUMNS` sums of 16 filters each
/// stay in registers while the taps are added. LeNet-5's conv2 has rows of 10, Tiny VGG's
/// layers rows of 60 and 62.
const COLUMNS: usize = 10;

/// Filters whose sums the row-wise forward pass ([`RowSums`]) computes at once: each
/// vector of inputs loaded serves all of them. With [`ROW_VECTORS`], 10 sums in vector
/// registers, few enough for AVX2's 16. (Groups of 10 filters, 20 sums, ran at half the
/// speed with AVX-512's 32 registers.)
const ROW_FILTERS: usize = 5;

/// Vectors of an output row's positions each filter's sums span in [`RowSums`].
const ROW_VECTORS: usize = 2;

/// The longest block of a row [`RowSums`] computes at once: [`ROW_VECTORS`] vectors of
/// (at most) 16 lanes. Padded rows have zeros up to a whole number of blocks.
const ROW_BLOCK: usize = ROW_VECTORS * LANES;

/// A stride-1 convolution's sizes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sizes {
    pub filters: usize,
    pub channels: usize,
    pub kernel_h: usize,
    pub kernel_w: usize,
    pub padding: usize,
    pub height: usize,
    pub width: usize,
    pub out_h: usize,
    pub out_w: usize,
    /// Whether the forward pass goes along the output rows ([`RowSums`], a vector lane per
    /// output column) rather than across the filters ([`filter_sums`], a lane per filter):
    /// whichever leaves fewer of a vector's 16 lanes idle ([`Sizes::new`]).
    pub by_rows: bool,
}

impl Sizes {
    /// The sizes of a stride-1 convolution of an input `[N, C, H, W]` with a weight
    /// `[F, C, KH, KW]` and padding `P`, whose shapes were checked.
    pub(crate) fn new(
        (_, channels, height, width): (usize, usize, usize, usize),
        (filters, _, kernel_h, kernel_w): (usize, usize, usize, usize),
        padding: usize,
    ) -> Sizes {
        let out_w = width + 2 * padding - kernel_w + 1;
        // The share of lanes used across the filters, filters / (groups * LANES), and along
        // the rows, out_w / (row blocks * ROW_BLOCK), compared without the divisions. Tiny
        // VGG's 10 filters leave 6 of 16 lanes idle, its rows of 60 columns 4 of 64;
        // LeNet-5's conv2, with 16 filters and rows of 10, goes across the filters.
        let filter_lanes = filters.div_ceil(LANES) * LANES;
        let row_lanes = out_w.div_ceil(ROW_BLOCK) * ROW_BLOCK;
        Sizes {
            filters,
            channels,
            kernel_h,
            kernel_w,
            padding,
            height,
            width,
            out_h: height + 2 * padding - kernel_h + 1,
            out_w,
            by_rows: out_w * filter_lanes > filters * row_lanes,
        }
    }

    /// Kernel taps `(c, u, v)`: `C*KH*KW`.
    fn taps(&self) -> usize {
        self.channels * self.kernel_h * self.kernel_w
    }

    /// Groups of [`LANES`] filters (the last one may be partly used).
    fn groups(&self) -> usize {
        self.filters.div_ceil(LANES)
    }

    /// The rows of a padded channel: `H + 2P`.
    fn padded_h(&self) -> usize {
        self.height + 2 * self.padding
    }

    /// The length of a padded row: `W + 2P`, and more zeros on the right where the
    /// forward pass's last block of [`COLUMNS`] (or of [`ROW_BLOCK`], row-wise) reads
    /// past the last output column.
    fn padded_w(&self) -> usize {
        let block = if self.by_rows { ROW_BLOCK } else { COLUMNS };
        let blocks = self.out_w.div_ceil(block);
        (self.width + 2 * self.padding).max(blocks * block + self.kernel_w - 1)
    }

    /// The length of one padded image, `[C, H + 2P, padded_w]`.
    fn padded_size(&self) -> usize {
        self.channels * self.padded_h() * self.padded_w()
    }

    /// Copies `image: [C, H, W]` into the inside of `padded: [C, H + 2P, padded_w]`, whose
    /// border (zeros) it leaves as it is.
    fn pad(&self, image: ArrayView3<f32>, padded: &mut [f32]) {
        let (p, padded_h, padded_w) = (self.padding, self.padded_h(), self.padded_w());
        for (c, channel) in image.outer_iter().enumerate() {
            for (r, line) in channel.outer_iter().enumerate() {
                let start = (c * padded_h + r + p) * padded_w + p;
                let inside = &mut padded[start..start + self.width];
                // (Element by element, not `copy_from_slice`: rows this short copy faster
                // in place than through a call to `memcpy`.)
                match line.as_slice() {
                    Some(line) => inside
                        .iter_mut()
                        .zip(line)
                        .for_each(|(to, &from)| *to = from),
                    None => inside
                        .iter_mut()
                        .zip(line)
                        .for_each(|(to, &from)| *to = from),
                }
            }
        }
    }

    /// Where each tap `(c, u, v)`, in row-major order, reads the padded image, from the
    /// place of the output position's tap `(0, 0, 0)`.
    fn tap_offsets(&self) -> Vec<usize> {
        let (padded_h, padded_w) = (self.padded_h(), self.padded_w());
        (0..self.channels)
            .flat_map(|c| (0..self.kernel_h).map(move |u| (c, u)))
            .flat_map(|(c, u)| (0..self.kernel_w).map(move |v| (c * padded_h + u) * padded_w + v))
            .collect()
    }
}

/// Whether [`forward_chunk`] gives the matrix multiply's bits for a chunk of `images`:
/// `gemm` then adds each output's `C*KH*KW` terms in one block.
pub(crate) fn forward_is_direct(sizes: &Sizes, images: usize) -> bool {
    let positions = images * sizes.out_h * sizes.out_w;
    // The product as the kernels see it: [B*H'*W', C*KH*KW] x [C*KH*KW, F].
    gemm_term_block(positions, sizes.filters, sizes.taps(), false)
        .is_some_and(|block| block >= sizes.taps())
}

/// The block length with which [`weight_gradient_chunk`] gives the matrix multiply's bits
/// for a chunk of `images`, if it can.
pub(crate) fn weight_gradient_block(sizes: &Sizes, images: usize) -> Option<usize> {
    let positions = images * sizes.out_h * sizes.out_w;
    // The product as the kernels see it: [F, B*H'*W'] x [B*H'*W', C*KH*KW].
    gemm_term_block(sizes.filters, sizes.taps(), positions, true)
}

/// A convolution's weights as [`LANES`]-filter vectors: `taps[g*C*KH*KW + tap][l]` is the
/// weight of filter `g*LANES + l` at tap `(c, u, v)` (row-major), zero past the last filter.
pub(crate) struct FilterVectors {
    taps: Vec<[f32; LANES]>,
    /// The same weights for [`RowSums`], tap by tap: `by_tap[tap*F' + f]` is the weight of
    /// filter `f` at tap `(c, u, v)`, with `F'` the filters rounded up to a whole number of
    /// groups of [`ROW_FILTERS`], zero past the last filter.
    by_tap: Vec<f32>,
    /// `F'`.
    padded_filters: usize,
}

impl FilterVectors {
    /// `w: [F, C, KH, KW]`, regrouped.
    pub(crate) fn new(weight: ArrayView4<f32>) -> FilterVectors {
        let (filters, channels, kernel_h, kernel_w) = weight.dim();
        let by_tap = weight
            .to_shape((filters, channels * kernel_h * kernel_w)) // [F, C, KH, KW] -> [F, C*KH*KW]
            .expect("a 4-D weight reshapes to 2-D");
        let taps = (0..filters.div_ceil(LANES))
            .flat_map(|g| (0..by_tap.ncols()).map(move |tap| (g, tap)))
            .map(|(g, tap)| {
                std::array::from_fn(|l| {
                    let f = g * LANES + l;
                    if f < filters { by_tap[[f, tap]] } else { 0.0 }
                })
            })
            .collect();
        let padded_filters = filters.div_ceil(ROW_FILTERS) * ROW_FILTERS;
        let by_tap = (0..by_tap.ncols())
            .flat_map(|tap| (0..padded_filters).map(move |f| (tap, f)))
            .map(|(tap, f)| if f < filters { by_tap[[f, tap]] } else { 0.0 })
            .collect();
        FilterVectors {
            taps,
            by_tap,
            padded_filters,
        }
    }
}

/// The forward pass for a chunk of images, written into `output` (a fresh,
/// standard-layout array):
///
/// `input: [B, C, H, W], weights: w [F, C, KH, KW], bias: [F] -> output: [B, F, H', W']`
///
/// Each output is the sum over the taps in row-major order, from zero, one `mul_add`
/// each, and then the bias plus the sum, as the matrix multiply computes them. The sums
/// are computed either across the filters or along the rows (`sizes.by_rows`); both
/// give the same bits.
pub(crate) fn forward_chunk(
    input: ArrayView4<f32>,
    weights: &FilterVectors,
    bias: &[f32],
    sizes: Sizes,
    output: ArrayViewMut4<f32>,
) {
    if sizes.by_rows {
        forward_along_rows(pulp::Arch::new(), input, weights, bias, sizes, output);
    } else {
        forward_across_filters(input, weights, bias, sizes, output);
    }
}

/// [`forward_chunk`] along the output rows: for each row, blocks of [`ROW_BLOCK`]
/// positions (two vectors); for each block and group of [`ROW_FILTERS`] filters, a vector
/// lane per position, the taps added one `mul_add` at a time ([`RowSums`]).
/// `arch` says which processor's vectors to use (`pulp::Arch::new()`: the widest this one
/// has).
fn forward_along_rows(
    arch: pulp::Arch,
    input: ArrayView4<f32>,
    weights: &FilterVectors,
    bias: &[f32],
    sizes: Sizes,
    output: ArrayViewMut4<f32>,
) {
    assert!(sizes.by_rows, "rows padded for the row-wise blocks");
    let mut output = output;
    let offsets = sizes.tap_offsets();
    let mut padded = vec![0.0f32; sizes.padded_size()]; // [C, H + 2P, padded_w]
    for (image, mut maps) in input.outer_iter().zip(output.outer_iter_mut()) {
        sizes.pad(image, &mut padded); // [C, H, W] -> [C, H + 2P, padded_w]
        let maps = maps.as_slice_mut().expect("a fresh output is one slice"); // [F, H', W']
        arch.dispatch(RowSums {
            padded: &padded,
            offsets: &offsets,
            weights,
            bias,
            sizes: &sizes,
            maps,
        });
    }
}

/// One image's output maps, row block by row block, written with the vector types of the
/// `pulp` crate, which compiles the loops for each kind of processor (16 lanes with
/// AVX-512, 8 with AVX2, 1 without) and runs the copy this one has:
///
/// ```text
/// maps[f, i, j] = bias[f] + (sum over taps t of w[f][t] * padded[i*padded_w + j + offsets[t]])
/// ```
///
/// A block's `ROW_FILTERS * ROW_VECTORS` sums stay in vector registers while the taps are
/// added, and each vector of inputs loaded serves the group's filters.
struct RowSums<'a> {
    padded: &'a [f32],
    offsets: &'a [usize],
    weights: &'a FilterVectors,
    bias: &'a [f32],
    sizes: &'a Sizes,
    maps: &'a mut [f32],
}

impl pulp::WithSimd for RowSums<'_> {
    type Output = ();

    #[inline(always)] // into each processor's copy that `pulp` compiles
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        let Self {
            padded,
            offsets,
            weights,
            bias,
            sizes,
            maps,
        } = self;
        let lanes = S::F32_LANES;
        let width = ROW_VECTORS * lanes; // the block's positions
        assert!(
            width <= ROW_BLOCK,
            "rows are padded for blocks of ROW_BLOCK"
        );
        let Sizes {
            filters,
            out_h,
            out_w,
            ..
        } = *sizes;
        let (padded_w, padded_filters) = (sizes.padded_w(), weights.padded_filters);
        for i in 0..out_h {
            for j0 in (0..out_w).step_by(width) {
                let corner = i * padded_w + j0; // where tap (0, 0, 0) reads, for column j0
                let used = width.min(out_w - j0);
                for first in (0..filters).step_by(ROW_FILTERS) {
                    let mut sums = [[simd.splat_f32s(0.0); ROW_VECTORS]; ROW_FILTERS];
                    for (&offset, w) in offsets
                        .iter()
                        .zip(weights.by_tap.chunks_exact(padded_filters))
                    {
                        let at = &padded[corner + offset..][..width]; // zeros past the last column
                        let inputs: [S::f32s; ROW_VECTORS] =
                            std::array::from_fn(|v| load(&at[v * lanes..]));
                        let w: &[f32; ROW_FILTERS] = w[first..][..ROW_FILTERS]
                            .try_into()
                            .expect("a group's weights");
                        for (sums, &w) in sums.iter_mut().zip(w) {
                            let w = simd.splat_f32s(w);
                            for (sum, &x) in sums.iter_mut().zip(&inputs) {
                                *sum = simd.mul_add_f32s(w, x, *sum); // fused
                            }
                        }
                    }
                    // The bias plus each sum, for the block's used columns and the
                    // group's real filters.
                    for (k, sums) in sums.iter().enumerate().take(filters - first) {
                        let f = first + k;
                        let b = simd.splat_f32s(bias[f]);
                        let start = (f * out_h + i) * out_w + j0;
                        let outputs = &mut maps[start..][..used];
                        for (outputs, &sum) in outputs.chunks_mut(lanes).zip(sums) {
                            let y = simd.add_f32s(b, sum);
                            if outputs.len() == lanes {
                                store(outputs, y); // (pulp's partial store is a call)
                            } else {
                                simd.partial_store_f32s(outputs, y);
                            }
                        }
                    }
                }
            }
        }
    }
}

best_for_this_processor! {
    /// [`forward_chunk`] across the filters: for each output row, blocks of [`COLUMNS`]
    /// positions; for each block and group of 16 filters, a vector lane per filter, the
    /// taps added one `mul_add` at a time ([`filter_sums`]).
    fn forward_across_filters(
        input: ArrayView4<f32>,
        weights: &FilterVectors,
        bias: &[f32],
        sizes: Sizes,
        output: ArrayViewMut4<f32>,
    ) {
        let mut output = output;
        let Sizes { filters, out_h, out_w, .. } = sizes;
        let (taps, padded_w) = (sizes.taps(), sizes.padded_w());
        let offsets = sizes.tap_offsets();
        let mut padded = vec![0.0f32; sizes.padded_size()]; // [C, H + 2P, padded_w]
        for (image, mut maps) in input.outer_iter().zip(output.outer_iter_mut()) {
            sizes.pad(image, &mut padded); // [C, H, W] -> [C, H + 2P, padded_w]
            let maps = maps.as_slice_mut().expect("a fresh output is one slice"); // [F, H', W']
            for i in 0..out_h {
                for j0 in (0..out_w).step_by(COLUMNS) {
                    let corner = i * padded_w + j0; // where tap (0, 0, 0) reads, for column j0
                    for (g, group) in weights.taps.chunks_exact(taps).enumerate() {
                        let sums = filter_sums(&padded, corner, &offsets, group);
                        // Sums [column][filter] to maps [filter][row][column], filter by
                        // filter: each filter's columns are written side by side.
                        let (first, columns) = (g * LANES, COLUMNS.min(out_w - j0));
                        for l in 0..LANES.min(filters - first) {
                            let f = first + l;
                            let row = &mut maps[(f * out_h + i) * out_w + j0..][..columns];
                            for (y, sum) in row.iter_mut().zip(&sums) {
                                *y = bias[f] + sum[l];
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The sums of one group of filters for [`COLUMNS`] neighbouring output positions:
///
/// ```text
/// sums[r][l] = sum over taps t of w[l][t] * padded[corner + offsets[t] + r]
/// ```
///
/// a chain of `mul_add`s from zero, tap by tap.
#[inline(always)] // into each processor's copy of `forward_chunk`
fn filter_sums(
    padded: &[f32],
    corner: usize,
    offsets: &[usize],
    weights: &[[f32; LANES]],
) -> [[f32; LANES]; COLUMNS] {
    let mut sums = [[0.0f32; LANES]; COLUMNS];
    for (&offset, w) in offsets.iter().zip(weights) {
        let inputs: &[f32; COLUMNS] = padded[corner + offset..][..COLUMNS]
            .try_into()
            .expect("a slice of COLUMNS values");
        for (sum, &x) in sums.iter_mut().zip(inputs) {
            for l in 0..LANES {
                sum[l] = w[l].mul_add(x, sum[l]);
            }
        }
    }
    sums
}

best_for_this_processor! {
    /// The weight gradient of a chunk of images, written into `d_weight: [F, C*KH*KW]`
    /// (row-major):
    ///
    /// `input: [B, C, H, W], d_out: [B, F, H', W'] -> d_weight: [F, C*KH*KW]`
    ///
    /// The `B*H'*W'` output positions, image after image and row after row, are taken in
    /// blocks of `block` (from [`weight_gradient_block`]); for each group of 16 filters
    /// and a few kernel rows ([`by_kernel_rows`]), each block's terms are added in order onto sums from zero, one
    /// `mul_add` each, and the block's sums onto the gradient.
    pub(crate) fn weight_gradient_chunk(
        input: ArrayView4<f32>,
        d_out: ArrayView4<f32>,
        sizes: Sizes,
        block: usize,
        d_weight: &mut [f32],
    ) {
        let Sizes { out_h, out_w, .. } = sizes;
        let groups = sizes.groups();
        let images = input.dim().0;
        let positions = images * out_h * out_w;
        let image_size = sizes.padded_size();
        let mut padded = vec![0.0f32; images * image_size]; // [B, C, H + 2P, padded_w]
        for (image, padded) in input.outer_iter().zip(padded.chunks_exact_mut(image_size)) {
            sizes.pad(image, padded);
        }
        // The output gradient by position: d_y[g*B*H'*W' + (b*H' + i)*W' + j][l] is
        // d_out[b, g*LANES + l, i, j], zero past the last filter.
        let mut d_y = vec![[0.0f32; LANES]; groups * positions];
        let map_len = out_h * out_w;
        for (b, maps) in d_out.outer_iter().enumerate() {
            let maps = maps.as_standard_layout();
            let maps = maps.as_slice().expect("a standard-layout array is one slice"); // [F, H'*W']
            for (g, group) in maps.chunks(LANES * map_len).enumerate() {
                let first = g * positions + b * map_len; // position (b, 0, 0) of group g
                let vectors = &mut d_y[first..][..map_len];
                // Position by position, each vector written whole (LANES filters).
                for (p, vector) in vectors.iter_mut().enumerate() {
                    for (to, map) in vector.iter_mut().zip(group.chunks_exact(map_len)) {
                        *to = map[p];
                    }
                }
            }
        }
        // LeNet-5's 5x5 kernels and the common 3x3 get a copy of the loops with the
        // kernel's width fixed, which takes whole kernel rows at once; any other width
        // runs tap by tap. Both add the same terms in the same order.
        let d_y = d_y.chunks_exact(positions); // by group of filters
        for (g, d_y) in d_y.enumerate() {
            let place = Place { g, block, image_size };
            match sizes.kernel_w {
                5 => by_kernel_rows::<5, 2>(&padded, d_y, sizes, place, d_weight),
                3 => by_kernel_rows::<3, 3>(&padded, d_y, sizes, place, d_weight),
                _ => by_kernel_rows::<1, 10>(&padded, d_y, sizes, place, d_weight),
            }
        }
    }
}

/// What [`by_kernel_rows`] needs besides the data: the group of filters, the length of a
/// block of terms, and the size of one padded image.
#[derive(Clone, Copy)]
struct Place {
    g: usize,
    block: usize,
    image_size: usize,
}

/// The weight gradient of one group of filters, `ROWS` runs of `WIDTH` neighbouring taps
/// at a time (whole kernel rows when `WIDTH` is the kernel's width; single taps when it is
/// 1), written into `d_weight: [F, C*KH*KW]`.
#[inline(always)] // into each processor's copy of `weight_gradient_chunk`
fn by_kernel_rows<const WIDTH: usize, const ROWS: usize>(
    padded: &[f32],
    d_y: &[[f32; LANES]],
    sizes: Sizes,
    place: Place,
    d_weight: &mut [f32],
) {
    let Sizes {
        filters,
        kernel_h,
        kernel_w,
        ..
    } = sizes;
    let (taps, positions) = (sizes.taps(), d_y.len());
    let (padded_h, padded_w) = (sizes.padded_h(), sizes.padded_w());
    // Each run of WIDTH taps: where its first tap reads (from the place of tap (0, 0, 0))
    // and that tap's number. The last group is filled up with the first run, whose sums
    // there are computed and thrown away.
    let mut runs: Vec<(usize, usize)> = (0..sizes.channels)
        .flat_map(|c| (0..kernel_h).map(move |u| (c, u)))
        .flat_map(|(c, u)| (0..kernel_w).step_by(WIDTH).map(move |v| (c, u, v)))
        .map(|(c, u, v)| {
            (
                (c * padded_h + u) * padded_w + v,
                (c * kernel_h + u) * kernel_w + v,
            )
        })
        .collect();
    let real = runs.len();
    runs.resize(real.next_multiple_of(ROWS), runs[0]);
    for (group, runs) in runs.chunks_exact(ROWS).enumerate() {
        let offsets: [usize; ROWS] = std::array::from_fn(|r| runs[r].0);
        for start in (0..positions).step_by(place.block) {
            let end = (start + place.block).min(positions);
            let sums =
                run_sums::<WIDTH, ROWS>(padded, d_y, offsets, start..end, sizes, place.image_size);
            let real_rows = (real - group * ROWS).min(ROWS);
            for (&(_, first_tap), sums) in runs.iter().zip(&sums).take(real_rows) {
                for (v, sum) in sums.iter().enumerate() {
                    let tap = first_tap + v;
                    for (l, &s) in sum.iter().enumerate().take(filters - place.g * LANES) {
                        let element = &mut d_weight[(place.g * LANES + l) * taps + tap];
                        // The first block's sum is the element; the others add onto it.
                        *element = if start == 0 { s } else { *element + s };
                    }
                }
            }
        }
    }
}

/// One block of positions' terms for `ROWS` runs of `WIDTH` neighbouring taps and one
/// group of 16 filters:
///
/// ```text
/// sums[r][v][l] = sum over positions q in block of d_y[q][l] * padded[place(q) + offsets[r] + v]
/// ```
///
/// where `place(q)` is where tap `(0, 0, 0)` reads for position `q = (b*H' + i)*W' + j`:
/// each sum a chain of `mul_add`s from zero, position by position.
#[inline(always)] // into each processor's copy of `weight_gradient_chunk`
fn run_sums<const WIDTH: usize, const ROWS: usize>(
    padded: &[f32],
    d_y: &[[f32; LANES]],
    offsets: [usize; ROWS],
    block: std::ops::Range<usize>,
    sizes: Sizes,
    image_size: usize,
) -> [[[f32; LANES]; WIDTH]; ROWS] {
    let (out_h, out_w, padded_w) = (sizes.out_h, sizes.out_w, sizes.padded_w());
    let mut sums = [[[0.0f32; LANES]; WIDTH]; ROWS];
    // Position q = (b*H' + i)*W' + j, divided once; then row after row.
    let (row, mut j) = (block.start / out_w, block.start % out_w);
    let (mut b, mut i) = (row / out_h, row % out_h);
    let mut q = block.start;
    while q < block.end {
        // The positions from q to the end of its output row (or of the block).
        let run = (out_w - j).min(block.end - q);
        let place = b * image_size + i * padded_w + j;
        // The inputs under each run of taps for these positions: a piece of a padded row.
        let inputs: [&[f32]; ROWS] =
            std::array::from_fn(|r| &padded[place + offsets[r]..][..run + WIDTH - 1]);
        // (Iterators, not indices: a loop that cannot panic keeps its sums in registers.)
        let mut windows = inputs.map(|inputs| inputs.windows(WIDTH)); // the WIDTH inputs of position k
        for gradient in &d_y[q..q + run] {
            for (sums, windows) in sums.iter_mut().zip(&mut windows) {
                let Some(xs) = windows.next() else { break };
                for (sum, &x) in sums.iter_mut().zip(xs) {
                    for l in 0..LANES {
                        sum[l] = gradient[l].mul_add(x, sum[l]);
                    }
                }
            }
        }
        q += run;
        // The next row starts at its first column (or the block has ended).
        j = 0;
        i += 1;
        if i == out_h {
            (b, i) = (b + 1, 0);
        }
    }
    sums
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::conv2d::{conv2d_backward_from_patches, conv2d_keeping_patches};
    use ndarray::{Array, Array1, Array2, Array4};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random<D: ndarray::Dimension>(
        shape: impl ndarray::ShapeBuilder<Dim = D>,
        rng: &mut ChaCha8Rng,
    ) -> Array<f32, D> {
        Array::from_shape_simple_fn(shape, || rng.random_range(-1.0f32..1.0))
    }

    /// (images, filters, channels, kernel, padding, height, width): LeNet-5's conv2, Tiny
    /// VGG's layers, and shapes with more than 16 filters, rows longer than a block,
    /// padding, and a tap count that is not a multiple of TAPS.
    const CASES: [(usize, usize, usize, usize, usize, usize, usize); 7] = [
        (16, 16, 6, 5, 0, 14, 14),
        (16, 10, 3, 3, 0, 64, 64),
        (16, 10, 10, 3, 0, 62, 62),
        (5, 20, 4, 3, 1, 13, 23),
        (16, 33, 7, 5, 2, 9, 11),
        (3, 8, 2, 3, 0, 6, 5),
        (16, 16, 64, 3, 1, 8, 8),
    ];

    #[test]
    fn the_book_s_layers_are_computed_directly() {
        for case in &CASES[..3] {
            let sizes = sizes_of(*case);
            assert!(forward_is_direct(&sizes, case.0), "{case:?}");
            assert!(weight_gradient_block(&sizes, case.0).is_some(), "{case:?}");
        }
        // LeNet-5's conv2 (16 filters, rows of 10) across the filters, Tiny VGG's (10
        // filters, rows of 62 and 60) along the rows.
        let directions: Vec<bool> = CASES[..3]
            .iter()
            .map(|case| sizes_of(*case).by_rows)
            .collect();
        assert_eq!(directions, [false, true, true]);
    }

    fn sizes_of(case: (usize, usize, usize, usize, usize, usize, usize)) -> Sizes {
        let (images, filters, channels, kernel, padding, height, width) = case;
        let input_shape = (images, channels, height, width);
        Sizes::new(input_shape, (filters, channels, kernel, kernel), padding)
    }

    /// A random input of `images` images and a random weight for `sizes`.
    fn input_and_weight(
        sizes: &Sizes,
        images: usize,
        rng: &mut ChaCha8Rng,
    ) -> (Array4<f32>, Array4<f32>) {
        let (c, kh, kw) = (sizes.channels, sizes.kernel_h, sizes.kernel_w);
        let input = random((images, c, sizes.height, sizes.width), rng);
        let weight = random((sizes.filters, c, kh, kw), rng);
        (input, weight)
    }

    fn same_bits(a: &[f32], b: &[f32]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    #[test]
    fn the_forward_pass_has_the_bits_of_im2col_and_the_matrix_multiply() {
        let mut rng = ChaCha8Rng::seed_from_u64(21);
        for case in CASES {
            let sizes = sizes_of(case);
            let images = case.0;
            if !forward_is_direct(&sizes, images) {
                // More than 512 taps: gemm sums them in blocks, and the caller keeps im2col.
                assert!(sizes.taps() > 512, "{case:?}");
                continue;
            }
            let (input, weight) = input_and_weight(&sizes, images, &mut rng);
            let bias: Array1<f32> = random(sizes.filters, &mut rng);
            let (expected, _) =
                conv2d_keeping_patches(input.view(), weight.view(), bias.view(), 1, sizes.padding)
                    .unwrap();
            let mut direct = Array4::from_elem(expected.dim(), f32::NAN);
            let bias = bias.to_vec();
            forward_chunk(
                input.view(),
                &FilterVectors::new(weight.view()),
                &bias,
                sizes,
                direct.view_mut(),
            );
            assert!(
                same_bits(direct.as_slice().unwrap(), expected.as_slice().unwrap()),
                "{case:?}"
            );
        }
    }

    #[test]
    fn along_the_rows_and_across_the_filters_on_every_processor_give_the_same_bits() {
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        for case in CASES {
            let across = Sizes {
                by_rows: false,
                ..sizes_of(case)
            };
            let along = Sizes {
                by_rows: true,
                ..across
            };
            let images = case.0.min(3);
            let (input, weight) = input_and_weight(&across, images, &mut rng);
            let bias: Vec<f32> = random(across.filters, &mut rng).to_vec();
            let weights = FilterVectors::new(weight.view());
            let shape = (images, across.filters, across.out_h, across.out_w);
            let mut expected = Array4::from_elem(shape, f32::NAN);
            forward_across_filters(input.view(), &weights, &bias, across, expected.view_mut());
            for arch in crate::ops::dispatch::every_arch() {
                let mut rows = Array4::from_elem(shape, f32::NAN);
                forward_along_rows(arch, input.view(), &weights, &bias, along, rows.view_mut());
                assert!(
                    same_bits(rows.as_slice().unwrap(), expected.as_slice().unwrap()),
                    "{arch:?}, {case:?}"
                );
            }
        }
    }

    #[test]
    fn the_weight_gradient_has_the_bits_of_the_matrix_multiply() {
        let mut rng = ChaCha8Rng::seed_from_u64(22);
        for case in CASES {
            let sizes = sizes_of(case);
            let images = case.0;
            let Some(block) = weight_gradient_block(&sizes, images) else {
                // A tiny product (F*C*KH*KW <= 256): gemm's kernels for those sum
                // otherwise, and the caller keeps the matrix multiply.
                assert!(sizes.filters * sizes.taps() <= 256, "{case:?}");
                continue;
            };
            let (input, weight) = input_and_weight(&sizes, images, &mut rng);
            let bias = Array1::zeros(sizes.filters);
            let d_out = random((images, sizes.filters, sizes.out_h, sizes.out_w), &mut rng);
            let (_, patches) =
                conv2d_keeping_patches(input.view(), weight.view(), bias.view(), 1, sizes.padding)
                    .unwrap();
            let expected = conv2d_backward_from_patches(
                &patches,
                weight.view(),
                d_out.view(),
                1,
                sizes.padding,
            )
            .unwrap();
            let mut direct = Array2::from_elem((sizes.filters, sizes.taps()), f32::NAN);
            weight_gradient_chunk(
                input.view(),
                d_out.view(),
                sizes,
                block,
                direct.as_slice_mut().unwrap(),
            );
            let expected = expected.d_weight.as_standard_layout().to_owned();
            assert!(
                same_bits(direct.as_slice().unwrap(), expected.as_slice().unwrap()),
                "{case:?}"
            );
        }
    }
}
