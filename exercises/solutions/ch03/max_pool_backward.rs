//! Solution of ch03-max-pool-backward.

use ndarray::{Array2, ArrayView2};

/// `d_x[argmax of window (i,j)] += d_y[i,j]`
pub fn max_pool_backward(
    map: ArrayView2<f32>,
    d_out: ArrayView2<f32>,
    kernel: usize,
    stride: usize,
) -> Array2<f32> {
    let mut d_map = Array2::zeros(map.dim());
    let (out_h, out_w) = d_out.dim();
    for i in 0..out_h {
        for j in 0..out_w {
            let mut best = (i * stride, j * stride);
            for u in 0..kernel {
                for v in 0..kernel {
                    let (row, col) = (i * stride + u, j * stride + v);
                    if map[[row, col]] > map[best] {
                        best = (row, col);
                    }
                }
            }
            // `+=`, not `=`: with overlapping windows one input may win several.
            d_map[best] += d_out[[i, j]];
        }
    }
    d_map
}
