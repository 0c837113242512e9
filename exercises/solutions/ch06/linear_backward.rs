//! Solution of ch06-linear-backward.

use ndarray::{Array1, Array2, ArrayView2};

/// The three sums of the chain rule, one loop nest, index for index.
pub fn linear_backward(
    x: ArrayView2<f32>,
    weight: ArrayView2<f32>,
    d_out: ArrayView2<f32>,
) -> (Array2<f32>, Array2<f32>, Array1<f32>) {
    let (batch, inputs) = x.dim();
    let outputs = weight.nrows();
    let mut d_x = Array2::zeros((batch, inputs));
    let mut d_w = Array2::zeros((outputs, inputs));
    let mut d_b = Array1::zeros(outputs);
    for n in 0..batch {
        for o in 0..outputs {
            let d_y = d_out[[n, o]];
            d_b[o] += d_y;
            for i in 0..inputs {
                d_x[[n, i]] += d_y * weight[[o, i]];
                d_w[[o, i]] += d_y * x[[n, i]];
            }
        }
    }
    (d_x, d_w, d_b)
}
