//! Solution of ch03-max-pool-argmax.

use ndarray::{Array2, ArrayView2};

/// `y[i,j] = max_{u,v} x[i*S+u, j*S+v]`, and where that maximum is.
pub fn max_pool_with_argmax(
    map: ArrayView2<f32>,
    kernel: usize,
    stride: usize,
) -> (Array2<f32>, Vec<(usize, usize)>) {
    let (height, width) = map.dim();
    let (out_h, out_w) = (
        (height - kernel) / stride + 1,
        (width - kernel) / stride + 1,
    );
    let mut pooled = Array2::zeros((out_h, out_w));
    let mut argmax = Vec::with_capacity(out_h * out_w);
    for i in 0..out_h {
        for j in 0..out_w {
            let mut best = (i * stride, j * stride);
            for u in 0..kernel {
                for v in 0..kernel {
                    let (row, col) = (i * stride + u, j * stride + v);
                    // Strictly greater: on a tie the first maximum stays.
                    if map[[row, col]] > map[best] {
                        best = (row, col);
                    }
                }
            }
            pooled[[i, j]] = map[best];
            argmax.push(best);
        }
    }
    (pooled, argmax)
}
