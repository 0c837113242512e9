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
/// A zero kernel, a zero stride, or a kernel larger than the padded input: the
/// message gives the numbers.
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
        return Err(CnnError::InvalidConfig(
            "kernel size must be at least 1, got 0".to_string(),
        ));
    }
    if stride == 0 {
        return Err(CnnError::InvalidConfig(
            "stride must be at least 1, got 0".to_string(),
        ));
    }
    let padded = input + 2 * padding;
    if kernel > padded {
        return Err(CnnError::InvalidConfig(format!(
            "kernel {kernel} is larger than the padded input {padded} \
             (input {input} + 2*{padding} padding)"
        )));
    }
    Ok((padded - kernel) / stride + 1)
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
    Ok((input + 2 * padding - kernel) % stride)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_positions() {
        assert_eq!(output_size(5, 3, 1, 0), Ok(3));
        assert_eq!(output_size(32, 5, 1, 0), Ok(28));
        assert_eq!(output_size(7, 2, 2, 0), Ok(3));
        assert_eq!(dropped_by_floor(7, 2, 2, 0), Ok(1));
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
