//! The input gradient of a stride-1 convolution, computed without the matrix of column
//! gradients that the im2col version builds first.
//!
//! The fast backward pass ([`conv2d_backward`](crate::ops::conv2d::conv2d_backward))
//! finds `dL/dx` in two steps: a matrix multiply makes one column of gradients per output
//! position, and col2im adds each column back onto the input pixels its patch covered:
//!
//! ```text
//! d_columns[(c, u, v), (i, j)] = sum_f w[f, c, u, v] * d_y[f, i, j]   (Wm^T · d_Y)
//! d_x[c, i+u-P, j+v-P]        += d_columns[(c, u, v), (i, j)]          (col2im)
//! ```
//!
//! The matrix of column gradients is large (`C*KH*KW` values per output position: 21 MB
//! for a chunk of 16 images in Tiny VGG's `conv_1_2`), and it is written once and read
//! once. [`input_gradient_stride_one`] computes the same two steps for one output row at a
//! time instead: a row of 16 column gradients stays in a vector register from the
//! multiply-adds that make it to the addition onto the input row under it.
//!
//! Measured (`bench_lenet --threads 1`, one run each): Tiny VGG's backward passes went
//! from 9.5 and 9.9 to 11.2 and 15.8 GFLOP/s. LeNet-5's conv2 is about as fast as before:
//! its output rows are 10 wide, so 6 of a vector's 16 lanes do no useful work.
//!
//! **The same bits as the im2col version.** Each column gradient is the same chain of
//! `mul_add`s, filter by filter from zero (as the matrix multiply's kernels take them),
//! and each input pixel receives its terms in the same order as col2im adds them, kernel
//! tap by kernel tap in row-major order (see [`input_gradient_stride_one`]). The tests
//! below compare the two bit for bit.

use ndarray::{ArrayView1, ArrayView4, ArrayViewMut4};

use crate::ops::conv2d_stride_one::Sizes;
use crate::ops::dispatch::best_for_this_processor;

/// Output columns handled at once: one vector register of `f32`s on AVX-512.
const LANES: usize = 16;

/// Kernel taps `(c, u, v)` whose column gradients are made at once: each output-gradient
/// row loaded is used for `TAPS` of them.
const TAPS: usize = 10;

// The sizes of the convolution are those of the direct forward pass
// (`conv2d_stride_one.rs`); here, what the input gradient's padded copies need of them.
impl Sizes {
    /// The length of a row of the padded output gradient: `W'` rounded up to whole
    /// vectors, the extra columns zero.
    fn gradient_row(&self) -> usize {
        self.out_w.next_multiple_of(LANES)
    }

    /// The length of a row of the padded input gradient: wide enough for the last vector
    /// of a row under the last kernel column.
    fn input_row(&self) -> usize {
        self.gradient_row() + self.kernel_w - 1
    }

    /// The number of rows of the padded input gradient: `H + 2P = H' + KH - 1`.
    fn input_rows(&self) -> usize {
        self.out_h + self.kernel_h - 1
    }
}

/// The kernel taps `(c, u, v)` in the order [`input_gradient_stride_one`] takes them:
/// kernel column by kernel column, `v` outermost.
///
/// Taps with the same `v` add onto different input rows, so one addition never waits for
/// the one before it (taps `v` and `v + 1` of one row would add onto overlapping places,
/// and a load that overlaps a store still in flight waits for it). The one order that
/// matters for the sums is kept: a pixel receives the taps of one kernel row (one `u`)
/// at each output row, in order of `v`.
fn taps_in_order(
    channels: usize,
    kernel_h: usize,
    kernel_w: usize,
) -> impl Iterator<Item = (usize, usize, usize)> {
    (0..kernel_w)
        .flat_map(move |v| (0..channels).flat_map(move |c| (0..kernel_h).map(move |u| (c, u, v))))
}

/// A convolution's weights in the order [`input_gradient_stride_one`] reads them: the
/// taps of [`taps_in_order`] in groups of [`TAPS`], and for each group and filter the
/// group's `TAPS` weights side by side. The last group is filled up with taps of zero
/// weight, whose (zero) gradients go to a spare channel that is never read.
pub(crate) struct WeightsByTap {
    /// `[C*KH*KW / TAPS rounded up, F]` groups of `TAPS` weights:
    /// `groups[g*F + f][t] = w[f, tap g*TAPS + t]` (zero past the last tap).
    groups: Vec<[f32; TAPS]>,
}

impl WeightsByTap {
    /// `w: [F, C, KH, KW]`, regrouped.
    pub(crate) fn new(weight: ArrayView4<f32>) -> WeightsByTap {
        let (filters, channels, kernel_h, kernel_w) = weight.dim();
        // Read from one slice, `[F, C*KH*KW]` (this runs for every piece of a batch).
        let weight = weight.as_standard_layout();
        let weight = weight
            .as_slice()
            .expect("a standard-layout array is one slice");
        let per_filter = channels * kernel_h * kernel_w;
        let taps: Vec<usize> = taps_in_order(channels, kernel_h, kernel_w)
            .map(|(c, u, v)| (c * kernel_h + u) * kernel_w + v) // w[f, c, u, v] = weight[f*C*KH*KW + this]
            .collect();
        let groups = (0..taps.len())
            .step_by(TAPS)
            .flat_map(|first| (0..filters).map(move |f| (first, f)))
            .map(|(first, f)| {
                let filter = &weight[f * per_filter..][..per_filter];
                std::array::from_fn(|t| match taps.get(first + t) {
                    Some(&tap) => filter[tap],
                    None => 0.0, // a filler tap
                })
            })
            .collect();
        WeightsByTap { groups }
    }
}

best_for_this_processor! {
    /// `dL/dx` of a stride-1 convolution for a chunk of images, written into `d_input`:
    /// `col2im(Wm^T · d_Y)` image by image, without the matrix in between.
    ///
    /// `weights: w [F, C, KH, KW]` regrouped, `d_out: [B, F, H', W']`
    /// `-> d_input: [B, C, H, W]`
    ///
    /// The input gradient is gathered in a zero-padded copy of the image, `[C, H + 2P,
    /// input_row]`, from which its inside is copied to `d_input` at the end. Output rows
    /// are taken from the last to the first, and the vectors of a row from the right to
    /// the left: a pixel then receives its terms in the order col2im adds them (kernel row
    /// `u = r - i` grows as `i` falls, and column `v = q - j` as `j` falls), so the sums
    /// are the same. The lanes of a vector past `W'` multiply zeros and add `+0.0`, which
    /// changes no sum (a sum from `+0.0` is never `-0.0`).
    pub(crate) fn input_gradient_stride_one(
        weights: &WeightsByTap,
        d_out: ArrayView4<f32>,
        d_input: ArrayViewMut4<f32>,
        sizes: Sizes,
    ) {
        let mut d_input = d_input;
        let Sizes { filters, channels, kernel_h, kernel_w, padding, out_h, .. } = sizes;
        let (input_row, input_rows) = (sizes.input_row(), sizes.input_rows());
        let vectors = sizes.gradient_row() / LANES; // per output row
        // Where each tap (c, u, v) puts its gradients, from the corner of its output
        // position: row u of channel c of the padded input gradient, column v.
        // The filler taps of the last group put theirs into the spare channel C.
        let mut tap_offsets: Vec<usize> = taps_in_order(channels, kernel_h, kernel_w)
            .map(|(c, u, v)| (c * input_rows + u) * input_row + v)
            .collect();
        let spare = channels * input_rows * input_row;
        tap_offsets.resize(weights.groups.len() / filters * TAPS, spare);
        // The output gradient by vector: d_y[(i*vectors + k)*F + f] = d_out[f, i, k*LANES..],
        // the F vectors of one place side by side, zeros past W'.
        let mut d_y = vec![[0.0f32; LANES]; out_h * vectors * filters];
        let mut d_x = vec![0.0f32; (channels + 1) * input_rows * input_row]; // [C + 1, H + 2P, input_row]
        for (d_out, mut d_input) in d_out.outer_iter().zip(d_input.outer_iter_mut()) {
            for (f, maps) in d_out.outer_iter().enumerate() {
                for (i, row) in maps.outer_iter().enumerate() {
                    let row = row.as_standard_layout();
                    let row = row.as_slice().expect("a standard-layout row is one slice");
                    for (k, piece) in row.chunks(LANES).enumerate() {
                        // [W'] -> vectors
                        d_y[(i * vectors + k) * filters + f][..piece.len()].copy_from_slice(piece);
                    }
                }
            }
            d_x.fill(0.0);
            for i in (0..out_h).rev() {
                for k in (0..vectors).rev() {
                    let corner = i * input_row + k * LANES; // under tap (0, 0, 0)
                    let d_y = &d_y[(i * vectors + k) * filters..][..filters]; // [F] vectors
                    let groups = weights.groups.chunks_exact(filters).zip(tap_offsets.chunks_exact(TAPS));
                    for (group, offsets) in groups {
                        add_column_gradients(&mut d_x, corner, offsets, group, d_y);
                    }
                }
            }
            // The inside of the padded gradient: row r of channel c, from column P on.
            for (c, mut map) in d_input.outer_iter_mut().enumerate() {
                for (r, mut row) in map.outer_iter_mut().enumerate() {
                    let start = (c * input_rows + r + padding) * input_row + padding;
                    let width = row.len();
                    row.assign(&ArrayView1::from(&d_x[start..start + width]));
                }
            }
        }
    }
}

/// The column gradients of `N` kernel taps at `LANES` output positions, added onto the
/// padded input gradient:
///
/// ```text
/// sum[t][l] = sum_f w[f][t] * d_y[f][l]         (a chain of mul_adds from zero, filter by filter)
/// d_x[corner + offsets[t] + l] += sum[t][l]
/// ```
///
/// each sum computed as the matrix multiply's kernels compute it.
#[inline(always)] // into each processor's copy of `input_gradient_stride_one`
fn add_column_gradients<const N: usize>(
    d_x: &mut [f32],
    corner: usize,
    offsets: &[usize],
    weights: &[[f32; N]],
    d_y: &[[f32; LANES]],
) {
    let mut sums = [[0.0f32; LANES]; N];
    for (w, g) in weights.iter().zip(d_y) {
        for t in 0..N {
            for l in 0..LANES {
                sums[t][l] = w[t].mul_add(g[l], sums[t][l]);
            }
        }
    }
    for (sum, &offset) in sums.iter().zip(offsets) {
        let start = corner + offset;
        let targets: &mut [f32; LANES] = (&mut d_x[start..start + LANES])
            .try_into()
            .expect("a slice of LANES values");
        for l in 0..LANES {
            targets[l] += sum[l];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::im2col::col2im;
    use crate::ops::matmul::matmul;
    use ndarray::{Array, Array4, Axis};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random(shape: (usize, usize, usize, usize), rng: &mut ChaCha8Rng) -> Array4<f32> {
        Array::from_shape_fn(shape, |_| rng.random_range(-1.0f32..1.0))
    }

    /// The im2col version, image by image: `Wm^T · d_Y`, then col2im.
    fn by_columns(
        weight: &Array4<f32>,
        d_out: &Array4<f32>,
        input_shape: [usize; 4],
        padding: usize,
    ) -> Array4<f32> {
        let (filters, channels, kernel_h, kernel_w) = weight.dim();
        let weight_matrix = weight
            .to_shape((filters, channels * kernel_h * kernel_w))
            .unwrap();
        let [n, c, h, w] = input_shape;
        let mut d_input = Array4::zeros((n, c, h, w));
        for (b, d_y) in d_out.outer_iter().enumerate() {
            let (_, out_h, out_w) = d_y.dim();
            let d_y = d_y.to_shape((filters, out_h * out_w)).unwrap();
            let d_columns = matmul(weight_matrix.t(), d_y.view());
            let image = col2im(
                d_columns.view(),
                [1, c, h, w],
                kernel_h,
                kernel_w,
                1,
                padding,
            )
            .unwrap();
            d_input
                .index_axis_mut(Axis(0), b)
                .assign(&image.index_axis(Axis(0), 0));
        }
        d_input
    }

    #[test]
    fn the_same_bits_as_the_matrix_multiply_and_col2im() {
        let mut rng = ChaCha8Rng::seed_from_u64(14);
        // (images, filters, channels, kernel_h, kernel_w, padding, height, width):
        // LeNet-5's conv2, Tiny VGG's shapes, and odd ones (rows longer than a vector,
        // a tap count that is not a multiple of TAPS, padding, a non-square kernel).
        let cases = [
            (3, 16, 6, 5, 5, 0, 14, 14),
            (2, 10, 10, 3, 3, 0, 62, 62),
            (2, 10, 3, 3, 3, 0, 64, 64),
            (2, 7, 2, 3, 5, 2, 9, 21),
            (1, 1, 1, 1, 1, 0, 1, 1),
            (2, 5, 4, 3, 3, 1, 17, 33),
        ];
        for (images, filters, channels, kernel_h, kernel_w, padding, height, width) in cases {
            let out_h = height + 2 * padding - kernel_h + 1;
            let out_w = width + 2 * padding - kernel_w + 1;
            let weight = random((filters, channels, kernel_h, kernel_w), &mut rng);
            let d_out = random((images, filters, out_h, out_w), &mut rng);
            let input_shape = (images, channels, height, width);
            let sizes = Sizes::new(input_shape, weight.dim(), padding);
            let mut direct = Array4::from_elem((images, channels, height, width), f32::NAN);
            input_gradient_stride_one(
                &WeightsByTap::new(weight.view()),
                d_out.view(),
                direct.view_mut(),
                sizes,
            );
            let expected = by_columns(&weight, &d_out, [images, channels, height, width], padding);
            let same_bits = direct
                .iter()
                .zip(&expected)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(
                same_bits,
                "case {:?}",
                (
                    images, filters, channels, kernel_h, kernel_w, padding, height, width
                )
            );
        }
    }
}
