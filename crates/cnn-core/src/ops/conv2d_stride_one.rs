//! A stride-1 convolution of images with several channels, computed directly, without
//! im2col: its forward pass and its weight gradient. (The input gradient is in
//! `conv2d_input_gradient.rs`.)
//!
//! The im2col version ([`conv2d`](crate::ops::conv2d::conv2d)) copies every input value
//! once per kernel tap into a matrix (for LeNet-5's conv2, 25 copies, almost a megabyte
//! for a chunk of 16 images) and multiplies that matrix with the weights. Here the
//! products are taken from the padded image itself. One vector register holds one value
//! for each of 16 filters, so that a single input value, loaded once and broadcast, is
//! multiplied with the weights of all 16 filters at once:
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

use crate::ops::dispatch::best_for_this_processor;
use crate::ops::matmul::gemm_term_block;

/// Filters per vector register (16 `f32`s on AVX-512).
const LANES: usize = 16;

/// Output columns computed at once in the forward pass: `COLUMNS` sums of 16 filters each
/// stay in registers while the taps are added. LeNet-5's conv2 has rows of 10, Tiny VGG's
/// layers rows of 60 and 62.
const COLUMNS: usize = 10;

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
}

impl Sizes {
    /// The sizes of a stride-1 convolution of an input `[N, C, H, W]` with a weight
    /// `[F, C, KH, KW]` and padding `P`, whose shapes were checked.
    pub(crate) fn new(
        (_, channels, height, width): (usize, usize, usize, usize),
        (filters, _, kernel_h, kernel_w): (usize, usize, usize, usize),
        padding: usize,
    ) -> Sizes {
        Sizes {
            filters,
            channels,
            kernel_h,
            kernel_w,
            padding,
            height,
            width,
            out_h: height + 2 * padding - kernel_h + 1,
            out_w: width + 2 * padding - kernel_w + 1,
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
    /// forward pass's last block of [`COLUMNS`] reads past the last output column.
    fn padded_w(&self) -> usize {
        let blocks = self.out_w.div_ceil(COLUMNS);
        (self.width + 2 * self.padding).max(blocks * COLUMNS + self.kernel_w - 1)
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
        FilterVectors { taps }
    }
}

best_for_this_processor! {
    /// The forward pass for a chunk of images, written into `output` (a fresh,
    /// standard-layout array):
    ///
    /// `input: [B, C, H, W], weights: w [F, C, KH, KW], bias: [F] -> output: [B, F, H', W']`
    ///
    /// For each output row, blocks of [`COLUMNS`] positions; for each block and group of
    /// 16 filters, the sums over the taps in row-major order, from zero, one `mul_add`
    /// each; then the bias plus the sum, as the matrix multiply computes them.
    pub(crate) fn forward_chunk(
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
