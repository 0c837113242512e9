//! Pooling: summarise each window of a feature map by one number.
//!
//! Max pooling keeps the largest value in each `K x K` window, average pooling the
//! mean. Windows move by the stride `S`, there is no padding, and a partial window at
//! the far edge is dropped (floor mode), as in PyTorch's `MaxPool2d` and Keras's
//! `MaxPooling2D` with `padding="valid"`. Global pooling takes one window as large
//! as the whole map, so any input size gives one number per channel.

use ndarray::{Array2, Array4, ArrayView3, ArrayView4, Axis, s};

use crate::error::{CnnError, Result};
use crate::shape::output_size;

/// How a window is summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    /// The largest value in the window.
    Max,
    /// The mean of the window.
    Average,
}

/// A 2-D pooling layer: `K x K` windows moved by stride `S`, no padding, floor mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pool2d {
    /// Max or average.
    pub kind: PoolKind,
    /// Window size `K` (square).
    pub kernel: usize,
    /// Step `S` between windows.
    pub stride: usize,
}

impl Pool2d {
    /// A pooling layer; `kernel` and `stride` must be at least 1.
    ///
    /// # Errors
    /// A zero kernel or stride.
    pub fn new(kind: PoolKind, kernel: usize, stride: usize) -> Result<Pool2d> {
        if kernel == 0 {
            return Err(CnnError::InvalidConfig(
                "pooling kernel must be at least 1, got 0".into(),
            ));
        }
        if stride == 0 {
            return Err(CnnError::InvalidConfig(
                "pooling stride must be at least 1, got 0".into(),
            ));
        }
        Ok(Pool2d {
            kind,
            kernel,
            stride,
        })
    }

    /// Max pooling with `kernel x kernel` windows and the given stride.
    ///
    /// # Errors
    /// A zero kernel or stride.
    pub fn max(kernel: usize, stride: usize) -> Result<Pool2d> {
        Pool2d::new(PoolKind::Max, kernel, stride)
    }

    /// Average pooling with `kernel x kernel` windows and the given stride.
    ///
    /// # Errors
    /// A zero kernel or stride.
    pub fn average(kernel: usize, stride: usize) -> Result<Pool2d> {
        Pool2d::new(PoolKind::Average, kernel, stride)
    }

    /// input: [N, C, H, W] -> output: [N, C, H', W'] with `H' = output_size(H, K, S, 0)`.
    ///
    /// # Errors
    /// An input smaller than the window.
    pub fn forward(&self, input: ArrayView4<f32>) -> Result<Array4<f32>> {
        match self.kind {
            PoolKind::Max => max_pool2d(input, self.kernel, self.stride),
            PoolKind::Average => avg_pool2d(input, self.kernel, self.stride),
        }
    }

    /// The output shape for an input shape `[N, C, H, W]`.
    ///
    /// # Errors
    /// An input smaller than the window.
    pub fn output_shape(&self, input: [usize; 4]) -> Result<[usize; 4]> {
        let [n, c, h, w] = input;
        Ok([
            n,
            c,
            output_size(h, self.kernel, self.stride, 0)?,
            output_size(w, self.kernel, self.stride, 0)?,
        ])
    }
}

/// Max pooling.
///
/// input: [N, C, H, W] -> output: [N, C, H', W'], `H' = floor((H - K) / S) + 1`
///
/// `y[n,c,i,j] = max over u, v in 0..K of x[n, c, i*S+u, j*S+v]`
///
/// # Errors
/// A zero kernel or stride, or an input smaller than the window.
pub fn max_pool2d(input: ArrayView4<f32>, kernel: usize, stride: usize) -> Result<Array4<f32>> {
    pool2d(input, kernel, stride, |window| {
        window.fold(f32::NEG_INFINITY, |m, &v| m.max(v))
    })
}

/// Average pooling.
///
/// input: [N, C, H, W] -> output: [N, C, H', W'], `H' = floor((H - K) / S) + 1`
///
/// `y[n,c,i,j] = (1 / K^2) * sum over u, v in 0..K of x[n, c, i*S+u, j*S+v]`
///
/// # Errors
/// A zero kernel or stride, or an input smaller than the window.
pub fn avg_pool2d(input: ArrayView4<f32>, kernel: usize, stride: usize) -> Result<Array4<f32>> {
    let count = (kernel * kernel) as f32;
    pool2d(input, kernel, stride, |window| window.sum() / count)
}

/// The loop both poolings share: visit every window, summarise it with `summarise`.
fn pool2d(
    input: ArrayView4<f32>,
    kernel: usize,
    stride: usize,
    summarise: impl Fn(ndarray::ArrayView2<f32>) -> f32,
) -> Result<Array4<f32>> {
    let (n, c, h, w) = input.dim();
    let out_h = output_size(h, kernel, stride, 0).map_err(|e| e.in_layer("pooling (height)"))?;
    let out_w = output_size(w, kernel, stride, 0).map_err(|e| e.in_layer("pooling (width)"))?;
    // ANCHOR: pool_loop
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
    Ok(flat.map_axis(Axis(2), |v| v.fold(f32::NEG_INFINITY, |m, &x| m.max(x))))
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
    Ok(input.map_axis(Axis(2), |v| v.fold(f32::NEG_INFINITY, |m, &x| m.max(x))))
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

    #[test]
    fn floor_mode_drops_the_partial_window() {
        let x = Array4::<f32>::ones((1, 1, 5, 5));
        assert_eq!(max_pool2d(x.view(), 2, 2).unwrap().dim(), (1, 1, 2, 2));
    }

    #[test]
    fn bad_configurations_are_errors() {
        assert!(Pool2d::max(0, 2).is_err());
        assert!(Pool2d::average(2, 0).is_err());
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
}
