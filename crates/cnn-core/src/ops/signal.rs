//! Convolution as signal processing defines it, for chapter 1: the kernel is flipped
//! before it slides, which makes convolution commutative and associative.
//!
//! `true_convolution2d(x, h)` equals [`conv2d`](crate::ops::conv2d::conv2d) with `h`
//! flipped in both directions; for a symmetric kernel the two agree.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::error::{CnnError, Result};
use crate::shape::output_size;

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
/// kernel is flipped. [`conv1d`](crate::ops::conv1d::conv1d) (cross-correlation) runs both forwards,
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
/// equals [`conv2d`](crate::ops::conv2d::conv2d)'s cross-correlation with the kernel `h[KH-1-u, KW-1-v]`. A kernel
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::conv1d::conv1d;
    use crate::ops::conv2d::conv2d_naive;
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
}
