//! The matrix multiply behind the fast convolutions: `C = A · B` or `C += A · B` on
//! `f32` matrices of any layout, computed by the `f32` kernels of the `gemm` crate
//! ([`gemm_f32`]).
//!
//! **This file holds one of the library's two uses of `unsafe`** (the other is in
//! `dispatch.rs`, which runs the copy of a loop compiled for the processor's vector
//! instructions after checking that the processor has them): the call to the `gemm`
//! kernels, in `gemm_views`, and [`matmul`]'s new matrix, which they fill without its
//! being set to zeros first.
//! Everything a learner reads calls [`matmul_into`], a safe function.
//!
//! Why not ndarray's `dot`? ndarray multiplies with the `matrixmultiply` crate, which is
//! fast on large square matrices but slow on the small, flat ones a convolution makes:
//! LeNet-5's second layer multiplies a `[16, 150]` weight matrix by `[150, 1600]`
//! patches per chunk of 16 images, and on such shapes `matrixmultiply` ran at a
//! fraction of the speed of `gemm`, whose kernels are written for small dimensions
//! and use AVX-512 where the processor has it. The dense layers use it too ([`matmul`]):
//! in training each thread multiplies only 16 rows at a time.
//!
//! Reproducibility: `gemm` runs here on the calling thread only
//! ([`gemm_common::Parallelism::None`]); the convolutions split their work into chunks of a
//! fixed number of images themselves, so how a product is computed never depends on
//! the number of threads. `gemm_term_block` writes down in which order the kernels add
//! each element's terms, for the direct convolutions that add them in the same order.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// `a · b`, a new matrix: `a: [M, K], b: [K, N] -> [M, N]` (what ndarray's `a.dot(&b)`
/// computes, with the kernels of [`matmul_into`]).
///
/// The new matrix is not filled with zeros first: the product writes every element.
pub fn matmul(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
    let (m, k) = a.dim();
    let (k_b, n) = b.dim();
    assert!(
        k == k_b,
        "matmul: a {:?} times b {:?} do not fit together",
        a.shape(),
        b.shape()
    );
    if m == 0 || n == 0 || k == 0 {
        return Array2::zeros((m, n));
    }
    let mut c = Array2::<f32>::uninit((m, n));
    // SAFETY: `c` is a fresh standard-layout [M, N] matrix (row stride N, column
    // stride 1) that nothing else refers to, `a` and `b` are views with the shapes
    // checked above, none is empty, and `accumulate` is false, so `gemm` only writes
    // the elements of `c`, each of them (see `gemm_views`).
    unsafe {
        gemm_views(a, b, c.as_mut_ptr().cast::<f32>(), [n as isize, 1], false);
    }
    // SAFETY: `gemm` wrote every element of `c` above.
    unsafe { c.assume_init() }
}

/// `c = a · b`, or `c += a · b` if `accumulate`, for `a: [M, K]`, `b: [K, N]`,
/// `c: [M, N]` of any strides (a transposed view such as `x.t()` is multiplied as it is,
/// without a copy).
///
/// With `K = 0` the product is a matrix of zeros.
///
/// # Panics
/// If the shapes do not fit together (a bug in the caller), naming them.
pub fn matmul_into(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    mut c: ArrayViewMut2<f32>,
    accumulate: bool,
) {
    let (m, k) = a.dim();
    let (k_b, n) = b.dim();
    assert!(
        k == k_b && c.dim() == (m, n),
        "matmul_into: a {:?} times b {:?} does not fit c {:?}",
        a.shape(),
        b.shape(),
        c.shape()
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            c.fill(0.0);
        }
        return;
    }
    let strides = [c.strides()[0], c.strides()[1]];
    // SAFETY: `c` is a mutable view of the shape [M, N] checked above, with these
    // strides, so no element of it is also an element of `a` or `b` (the borrow checker
    // forbids the alias), and a mutable view never has a zero stride along an axis
    // longer than 1, so `gemm` writes each element of `c` exactly once. None of the
    // shapes is empty.
    unsafe { gemm_views(a, b, c.as_mut_ptr(), strides, accumulate) }
}

/// `c = a · b`, or `c += a · b` if `accumulate`, for a `c` at `c_ptr` with the given
/// `[row, column]` strides: the one call to the `gemm` kernels.
///
/// # Safety
/// `a: [M, K]` and `b: [K, N]` must be non-empty, and `c_ptr` with `c_strides` must
/// address `M x N` distinct elements, valid for writes (and reads if `accumulate`),
/// that are not elements of `a` or `b`. With `accumulate` false the old values of `c`
/// are never read, so they may be uninitialised.
unsafe fn gemm_views(
    a: ArrayView2<f32>,
    b: ArrayView2<f32>,
    c_ptr: *mut f32,
    c_strides: [isize; 2],
    accumulate: bool,
) {
    let (m, k) = a.dim();
    let n = b.ncols();
    let mut c = Operand::new(c_ptr, c_strides);
    let mut a = Operand::new(a.as_ptr(), [a.strides()[0], a.strides()[1]]);
    let mut b = Operand::new(b.as_ptr(), [b.strides()[0], b.strides()[1]]);
    // The kernels are fastest when `c`'s columns are the shorter steps: for a row-major
    // `c`, compute its transpose instead, `cᵀ = bᵀ · aᵀ` (the same memory, read the
    // other way round). This and the flips below are what the `gemm` crate's generic
    // front end does before it calls these kernels.
    let (m, n) = if c.columns.abs() < c.rows.abs() {
        (c, a, b) = (c.transposed(), b.transposed(), a.transposed());
        (n, m)
    } else {
        (m, n)
    };
    // The kernels step forwards through `c` and along `a`'s rows: a negative step
    // starts from the other end (the sums stay the same; only addresses change).
    if c.rows < 0 {
        c.flip_rows(m);
        a.flip_rows(m);
    }
    if c.columns < 0 {
        c.flip_columns(n);
        b.flip_columns(n);
    }
    if a.columns < 0 {
        a.flip_columns(k);
        b.flip_rows(k);
    }
    // SAFETY: the kernels read `a[i, p]` at `a.ptr + i*a.rows + p*a.columns` for i < M,
    // p < K, `b` likewise for p < K, j < N: exactly the elements of the two views
    // (the transpose and the flips above only renumber them), which ndarray guarantees
    // to be valid for these strides. They write `c[i, j]` for i < M, j < N, and read it
    // only if `accumulate` (`read_dst`): the caller guarantees those elements.
    unsafe {
        gemm_f32::gemm::f32::get_gemm_fn()(
            m,
            n,
            k,
            c.ptr.cast_mut(),
            c.columns,
            c.rows,
            accumulate,
            a.ptr,
            a.columns,
            a.rows,
            b.ptr,
            b.columns,
            b.rows,
            1.0, // c = 1 * c + 1 * a · b (the first factor applies only when reading c)
            1.0,
            false,
            false,
            false,
            gemm_common::Parallelism::None,
        );
    }
}

/// How the `gemm` kernels add up the `K` terms of each element of a product, for a direct
/// loop that must give the same bits: in blocks of the returned number of terms, taken in
/// order, each block's terms added one `mul_add` at a time onto a sum that starts at zero,
/// and each block's sum then added onto the element (the first block's sum *is* the
/// element, unless the product accumulates). `None` where `gemm` would add them some other
/// way (its kernels for tiny products and for vectors), or where this processor runs no
/// vector kernel of `gemm`: there the caller uses [`matmul_into`] itself.
///
/// `m`, `n` and `k` are the sizes as the kernels see them (after `gemm_views` has turned a
/// row-major product into its transpose), and `unit_steps` says whether the kernels see the
/// left operand's columns and the right operand's rows one element apart. These are the
/// rules of `gemm-common` 0.19 (`gemm_basic_generic` and `cache::kernel_params`), written
/// down here and checked, bit for bit, by the tests of the direct convolutions.
pub(crate) fn gemm_term_block(m: usize, n: usize, k: usize, unit_steps: bool) -> Option<usize> {
    let (rows_per_kernel, columns_per_kernel, has_tiny_kernels) = vector_kernel()?;
    if k <= 2 || m <= 1 || n <= 1 {
        return None; // vector-times-matrix kernels
    }
    if has_tiny_kernels && unit_steps && m * n <= 16 * 16 {
        return None; // the kernels for tiny products sum with horizontal additions
    }
    if m <= 64 && n <= 64 {
        return Some(k.min(512));
    }
    let float = std::mem::size_of::<f32>();
    Some(gemm_common::cache::kernel_params(m, n, k, rows_per_kernel, columns_per_kernel, float).kc)
}

/// The `gemm` kernel this processor runs: rows and columns of its tile, and whether it has
/// kernels for tiny products. `None` without AVX-512 or FMA.
#[cfg(target_arch = "x86_64")]
fn vector_kernel() -> Option<(usize, usize, bool)> {
    use gemm_f32::microkernel::{avx512f::f32 as avx512, fma::f32 as fma};
    // The same test, in the same order, as `gemm`'s choice of kernel.
    if std::is_x86_feature_detected!("avx512f") {
        let tiny = avx512::H_M > 0 && avx512::H_N > 0;
        Some((avx512::MR_DIV_N * 16, avx512::NR, tiny)) // 16 floats per register
    } else if std::is_x86_feature_detected!("fma") {
        let tiny = fma::H_M > 0 && fma::H_N > 0;
        Some((fma::MR_DIV_N * 8, fma::NR, tiny)) // 8 floats per register
    } else {
        None
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn vector_kernel() -> Option<(usize, usize, bool)> {
    None
}

/// A matrix as the kernels see it: the address of element `[0, 0]` and the steps, in
/// elements, to the next row and the next column.
#[derive(Clone, Copy)]
struct Operand {
    ptr: *const f32,
    rows: isize,
    columns: isize,
}

impl Operand {
    fn new(ptr: *const f32, [rows, columns]: [isize; 2]) -> Self {
        Operand { ptr, rows, columns }
    }

    fn transposed(self) -> Self {
        Operand {
            rows: self.columns,
            columns: self.rows,
            ..self
        }
    }

    /// Number the `count` rows from the last to the first.
    fn flip_rows(&mut self, count: usize) {
        self.ptr = self.ptr.wrapping_offset((count as isize - 1) * self.rows);
        self.rows = -self.rows;
    }

    /// Number the `count` columns from the last to the first.
    fn flip_columns(&mut self, count: usize) {
        self.ptr = self
            .ptr
            .wrapping_offset((count as isize - 1) * self.columns);
        self.columns = -self.columns;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, s};

    fn varied(rows: usize, columns: usize, seed: usize) -> Array2<f32> {
        Array2::from_shape_fn((rows, columns), |(i, j)| {
            ((i * 7 + j * 13 + seed) % 17) as f32 / 8.0 - 1.0
        })
    }

    #[test]
    fn equals_ndarray_dot_for_every_layout() {
        // Products of small integers over 8 are exact in f32 whatever the order of the
        // additions, so the comparison can be exact.
        for (m, k, n) in [
            (1, 1, 1),
            (6, 25, 784),
            (16, 150, 100),
            (3, 7, 2),
            (65, 9, 33),
        ] {
            let a = varied(m, k, 1);
            let b = varied(k, n, 2);
            let expected = a.dot(&b);
            let mut c = Array2::from_elem((m, n), f32::NAN);
            matmul_into(a.view(), b.view(), c.view_mut(), false);
            assert_eq!(c, expected, "{m}x{k}x{n}");
            // Transposed operands and a transposed, strided output.
            let (a_t, b_t) = (a.t().to_owned(), b.t().to_owned());
            let mut wide = Array2::zeros((n, 2 * m));
            let mut c_t = wide.slice_mut(s![.., ..;2]);
            matmul_into(a_t.t(), b_t.t(), c_t.view_mut().reversed_axes(), false);
            assert_eq!(c_t.t(), expected.view());
            // Accumulating adds to what is there.
            let mut sum = expected.clone();
            matmul_into(a.view(), b.view(), sum.view_mut(), true);
            assert_eq!(sum, &expected * 2.0);
        }
    }

    #[test]
    fn an_empty_inner_dimension_gives_zeros() {
        let mut c = Array2::from_elem((2, 3), 5.0);
        matmul_into(
            Array2::zeros((2, 0)).view(),
            Array2::zeros((0, 3)).view(),
            c.view_mut(),
            true,
        );
        assert_eq!(c, Array2::from_elem((2, 3), 5.0));
        matmul_into(
            Array2::zeros((2, 0)).view(),
            Array2::zeros((0, 3)).view(),
            c.view_mut(),
            false,
        );
        assert_eq!(c, Array2::<f32>::zeros((2, 3)));
    }
}
