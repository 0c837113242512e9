//! The output-size formula, in exactly one place.
//!
//! A kernel of size `K` slides over an input of size `N` padded by `P` zeros on each
//! side, moving `S` positions at a time. The first window starts at 0 and the last
//! one must still fit inside the padded input, so the number of positions is
//!
//! ```text
//! output = floor((N + 2P - K) / S) + 1
//! ```
//!
//! With `S = 1` this is the familiar `N + 2P - K + 1`. Every layer in the library
//! (convolution, pooling, in one or two dimensions) asks this function for its
//! output size, so the book's formula and the code's shapes cannot disagree.

use crate::error::{CnnError, Result};

/// Number of positions of a kernel of size `kernel` sliding with `stride` over an
/// input of size `input` padded by `padding` zeros on each side:
/// `floor((input + 2*padding - kernel) / stride) + 1`.
///
/// When `input + 2*padding - kernel` is not a multiple of `stride`, the last
/// `(input + 2*padding - kernel) % stride` rows or columns are never covered by a
/// window ("floor mode", as PyTorch and TensorFlow do by default).
///
/// # Errors
/// A zero kernel, a zero stride, a kernel larger than the padded input, or a padded
/// input too large to count (`input + 2*padding` overflows): the message gives the
/// numbers.
///
/// ```
/// use cnn_core::output_size;
/// assert_eq!(output_size(6, 3, 1, 0).unwrap(), 4); // 6 - 3 + 1
/// assert_eq!(output_size(6, 3, 2, 0).unwrap(), 2); // floor(3 / 2) + 1
/// assert_eq!(output_size(28, 5, 1, 2).unwrap(), 28); // "same" padding
/// assert!(output_size(4, 5, 1, 0).is_err());
/// ```
pub fn output_size(input: usize, kernel: usize, stride: usize, padding: usize) -> Result<usize> {
    if kernel == 0 {
        return Err(CnnError::setting("kernel size must be at least 1, got 0"));
    }
    if stride == 0 {
        return Err(CnnError::setting("stride must be at least 1, got 0"));
    }
    let padded = padded_size(input, padding)?;
    if kernel > padded {
        return Err(CnnError::setting(format!(
            "kernel {kernel} is larger than the padded input {padded} \
             (input {input} + 2*{padding} padding)"
        )));
    }
    Ok((padded - kernel) / stride + 1)
}

/// `input + 2*padding`, the size of a padded input.
///
/// # Errors
/// The sum does not fit in a `usize` (a padding no real input could have).
pub fn padded_size(input: usize, padding: usize) -> Result<usize> {
    padding
        .checked_mul(2)
        .and_then(|both_sides| input.checked_add(both_sides))
        .ok_or_else(|| {
            CnnError::setting(format!(
                "padding {padding} is too large: input {input} + 2*{padding} padding overflows"
            ))
        })
}

/// Checks that an array of `shape` can be made: the product of its sizes fits in
/// `isize` (what ndarray needs), so a huge padding or stride gives an error instead of
/// a panic or a wrapped-around size.
///
/// # Errors
/// The product overflows; the message names `what` and the shape.
pub fn check_count(what: &str, shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |product, &d| product.checked_mul(d))
        .filter(|&count| count <= isize::MAX as usize)
        .ok_or_else(|| CnnError::setting(format!("{what} of shape {shape:?} is too large to hold")))
}

/// How many input rows (or columns) floor mode leaves uncovered at the far edge:
/// `(input + 2*padding - kernel) % stride`. Zero when the windows fit exactly.
///
/// # Errors
/// The same impossible configurations as [`output_size`].
pub fn dropped_by_floor(
    input: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
) -> Result<usize> {
    output_size(input, kernel, stride, padding)?;
    Ok((padded_size(input, padding)? - kernel) % stride)
}

/// The receptive field after each layer of a stack: how many input pixels (along
/// one side) one output value depends on, and the *jump*, the distance in input
/// pixels between neighbouring outputs.
///
/// Each layer is `(kernel, stride)`; convolutions and poolings count alike. Starting
/// from one pixel (`r = 1`, `j = 1`), a layer with kernel `K` and stride `S` gives
///
/// ```text
/// r' = r + (K - 1) * j        j' = j * S
/// ```
///
/// (Dumoulin and Visin, "A guide to convolution arithmetic for deep learning", 2016;
/// Araujo et al., "Computing Receptive Fields of Convolutional Neural Networks",
/// Distill 2019.) Padding moves the field but does not change its size.
///
/// ```
/// use cnn_core::shape::receptive_field;
/// // two 3x3 convolutions see 5x5; a 2x2 pooling in between makes it 8x8
/// assert_eq!(receptive_field(&[(3, 1), (3, 1)]).unwrap(), vec![(3, 1), (5, 1)]);
/// assert_eq!(receptive_field(&[(3, 1), (2, 2), (3, 1)]).unwrap(), vec![(3, 1), (4, 2), (8, 2)]);
/// ```
///
/// # Errors
/// A layer with a zero kernel or stride; the message gives its position.
pub fn receptive_field(layers: &[(usize, usize)]) -> Result<Vec<(usize, usize)>> {
    let (mut field, mut jump): (usize, usize) = (1, 1);
    let mut after_each = Vec::with_capacity(layers.len());
    for (index, &(kernel, stride)) in layers.iter().enumerate() {
        if kernel == 0 || stride == 0 {
            return Err(CnnError::setting(format!(
                "layer {index}: kernel and stride must be at least 1, got kernel {kernel}, stride {stride}"
            )));
        }
        let too_large = || {
            CnnError::setting(format!(
                "layer {index}: the receptive field grows too large to count (kernel {kernel}, stride {stride})"
            ))
        };
        field = (kernel - 1)
            .checked_mul(jump)
            .and_then(|growth| field.checked_add(growth))
            .ok_or_else(too_large)?;
        jump = jump.checked_mul(stride).ok_or_else(too_large)?;
        after_each.push((field, jump));
    }
    Ok(after_each)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_positions() {
        assert_eq!(output_size(5, 3, 1, 0).unwrap(), 3);
        assert_eq!(output_size(32, 5, 1, 0).unwrap(), 28);
        assert_eq!(output_size(7, 2, 2, 0).unwrap(), 3);
        assert_eq!(dropped_by_floor(7, 2, 2, 0).unwrap(), 1);
    }

    #[test]
    fn huge_sizes_are_errors_not_wrapped_numbers() {
        // In a release build `usize::MAX / 2` padding used to wrap around to a small
        // padded size (a 4x4 output); in a debug build it panicked.
        let e = output_size(4, 3, 1, usize::MAX / 2)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("padding 9223372036854775807 is too large"),
            "{e}"
        );
        assert!(output_size(usize::MAX, 3, 1, 1).is_err());
        assert!(dropped_by_floor(4, 3, 1, usize::MAX / 2).is_err());
        assert_eq!(output_size(usize::MAX, usize::MAX, 1, 0).unwrap(), 1);
        let e = receptive_field(&[(usize::MAX, 2), (3, 1)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("too large"), "{e}");
        assert!(receptive_field(&[(2, usize::MAX), (2, usize::MAX)]).is_err());
    }

    #[test]
    fn impossible_configurations_name_the_numbers() {
        let e = output_size(4, 5, 1, 0).unwrap_err().to_string();
        assert_eq!(
            e,
            "kernel 5 is larger than the padded input 4 (input 4 + 2*0 padding)"
        );
        let e = output_size(4, 3, 0, 0).unwrap_err().to_string();
        assert_eq!(e, "stride must be at least 1, got 0");
        let e = output_size(4, 0, 1, 0).unwrap_err().to_string();
        assert_eq!(e, "kernel size must be at least 1, got 0");
        let e = output_size(4, 5, 1, 0)
            .unwrap_err()
            .in_layer("conv_1_2")
            .to_string();
        assert!(e.starts_with("conv_1_2: kernel 5"), "{e}");
    }
}
