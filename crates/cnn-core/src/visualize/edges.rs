//! First-layer filters: which edge direction does each respond to?

use ndarray::{Array2, ArrayView4};

use crate::error::{CnnError, Result};

/// A step edge through the centre of a `height x width` patch, bright (+1) on the side
/// its normal points to and dark (-1) on the other; pixels exactly on the edge are 0.
///
/// With `x = v - (width-1)/2` (to the right) and `y = (height-1)/2 - u` (up), the
/// normal at `angle_degrees` (counter-clockwise from "to the right") gives
///
/// ```text
/// edge[u, v] = sign(x cos(angle) + y sin(angle))
/// ```
///
/// so 0° is dark-left/bright-right (a vertical edge) and 90° is bright-top/dark-bottom.
pub fn edge_image(height: usize, width: usize, angle_degrees: f32) -> Array2<f32> {
    let (sin, cos) = angle_degrees.to_radians().sin_cos();
    let center_row = (height as f32 - 1.0) / 2.0;
    let center_column = (width as f32 - 1.0) / 2.0;
    Array2::from_shape_fn((height, width), |(u, v)| {
        let x = v as f32 - center_column;
        let y = center_row - u as f32;
        let distance = x * cos + y * sin;
        // Rounding noise of sin/cos must not decide a pixel that lies on the edge.
        if distance.abs() < 1e-4 {
            0.0
        } else {
            distance.signum()
        }
    })
}

// ANCHOR: oriented_edge_response
/// How strongly each first-layer filter responds to a grey step edge at each angle:
/// `weight: [F, C, K, K], angles: [A] -> response: [F, A]`, with
///
/// ```text
/// response[f, a] = sum_c sum_u sum_v w[f, c, u, v] * edge_a[u, v]
/// ```
///
/// where `edge_a` is [`edge_image`] at `angles_degrees[a]`, the same in every channel
/// (a grey edge). This is the filter's output at the edge's centre, without the bias.
/// The angle with the largest response is the edge the filter detects; the opposite
/// angle (180° away) gives the same number with the sign flipped.
///
/// # Errors
/// No angles, or an empty kernel.
pub fn oriented_edge_response(
    weight: ArrayView4<f32>,
    angles_degrees: &[f32],
) -> Result<Array2<f32>> {
    let (filters, channels, kernel_h, kernel_w) = weight.dim();
    if angles_degrees.is_empty() {
        return Err(CnnError::setting(
            "oriented_edge_response: give at least one angle",
        ));
    }
    if kernel_h == 0 || kernel_w == 0 || channels == 0 {
        return Err(CnnError::shape(
            "oriented_edge_response weight",
            "[F, C, K, K] with C, K >= 1",
            weight.shape(),
        ));
    }
    let mut response = Array2::zeros((filters, angles_degrees.len())); // [F, A]
    for (a, &angle) in angles_degrees.iter().enumerate() {
        let edge = edge_image(kernel_h, kernel_w, angle); // [K, K]
        for f in 0..filters {
            let mut sum = 0.0;
            for c in 0..channels {
                for u in 0..kernel_h {
                    for v in 0..kernel_w {
                        sum += weight[[f, c, u, v]] * edge[[u, v]];
                    }
                }
            }
            response[[f, a]] = sum;
        }
    }
    Ok(response)
}
// ANCHOR_END: oriented_edge_response
