//! Solution of ch02-multichannel-conv.

use ndarray::{Array3, ArrayView1, ArrayView3, ArrayView4};

/// `y[f,i,j] = b[f] + sum_c sum_u sum_v x[c, i+u, j+v] * w[f,c,u,v]`
pub fn conv2d_one_image(
    input: ArrayView3<f32>,
    weight: ArrayView4<f32>,
    bias: ArrayView1<f32>,
) -> Array3<f32> {
    let (channels, height, width) = input.dim();
    let (filters, _, kernel_h, kernel_w) = weight.dim();
    let (out_h, out_w) = (height - kernel_h + 1, width - kernel_w + 1);
    let mut output = Array3::zeros((filters, out_h, out_w));
    for f in 0..filters {
        for i in 0..out_h {
            for j in 0..out_w {
                let mut sum = bias[f];
                for c in 0..channels {
                    for u in 0..kernel_h {
                        for v in 0..kernel_w {
                            sum += input[[c, i + u, j + v]] * weight[[f, c, u, v]];
                        }
                    }
                }
                output[[f, i, j]] = sum;
            }
        }
    }
    output
}
