//! The output-size formula, in exactly one place.
//!
//! A kernel of size `K` slides over an input side of `W` values (a width, a height or
//! a length) padded by `P` zeros on each side, moving `S` positions at a time. The
//! first window starts at 0 and the last one must still fit inside the padded input,
//! so the number of positions is
//!
//! ```text
//! W' = floor((W + 2P - K) / S) + 1
//! ```
//!
//! With `S = 1` this is the familiar `W + 2P - K + 1`. Every layer in the library
//! (convolution, pooling, in one or two dimensions) asks this function for its
//! output size, so the book's formula and the code's shapes cannot disagree.
//!
//! [`same_padding`] answers the opposite question the way TensorFlow's `"SAME"`
//! padding does: how much padding, split how, gives `W' = ceil(W / S)`.

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

/// The padding of TensorFlow's `padding="SAME"` for one side of an input: how many
/// zeros go before and after it so that a kernel of size `kernel` moving `stride` at a
/// time has exactly `ceil(input / stride)` positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamePadding {
    /// Positions of the kernel: `ceil(input / stride)`.
    pub output: usize,
    /// Zeros in all: `max((output - 1) * stride + kernel - input, 0)`.
    pub total: usize,
    /// Zeros before the input (top or left): `total / 2`, rounded down.
    pub before: usize,
    /// Zeros after the input (bottom or right): the rest, so one more than `before`
    /// when `total` is odd.
    pub after: usize,
}

/// TensorFlow's `"SAME"` padding (TensorFlow API documentation, `tf.nn`, "Notes on
/// padding"): the output has `ceil(input / stride)` positions, and the padding that
/// makes the last window fit is split with the extra zero, if any, at the end:
///
/// ```text
/// W'     = ceil(W / S)
/// total  = max((W' - 1) * S + K - W, 0)
/// before = floor(total / 2),   after = total - before
/// ```
///
/// With stride 1 and an odd kernel this is the symmetric `P = (K - 1) / 2`; with an
/// even kernel or a stride that does not fit, the two sides differ by one.
///
/// ```
/// use cnn_core::shape::{same_padding, SamePadding};
/// // ResNet's first layer: 7x7, stride 2, on 224 pixels: 112 positions, 2 + 3 zeros
/// let p = same_padding(224, 7, 2).unwrap();
/// assert_eq!(p, SamePadding { output: 112, total: 5, before: 2, after: 3 });
/// assert_eq!(same_padding(28, 5, 1).unwrap().before, 2); // odd kernel, stride 1: symmetric
/// ```
///
/// # Errors
/// A zero kernel or stride, or sizes too large to count.
pub fn same_padding(input: usize, kernel: usize, stride: usize) -> Result<SamePadding> {
    if kernel == 0 {
        return Err(CnnError::setting("kernel size must be at least 1, got 0"));
    }
    if stride == 0 {
        return Err(CnnError::setting("stride must be at least 1, got 0"));
    }
    let too_large = || {
        CnnError::setting(format!(
            "input {input}, kernel {kernel} and stride {stride} are too large to count"
        ))
    };
    // ANCHOR: same_padding
    let output = input.div_ceil(stride); // W' = ceil(W / S)
    let last_start = output.saturating_sub(1).checked_mul(stride); // (W' - 1) * S
    let reach = last_start.and_then(|start| start.checked_add(kernel)); // where it ends
    let total = reach.ok_or_else(too_large)?.saturating_sub(input); // zeros needed, or 0
    let before = total / 2; // the extra zero, if any, goes after
    Ok(SamePadding {
        output,
        total,
        before,
        after: total - before,
    })
    // ANCHOR_END: same_padding
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
    fn same_padding_gives_ceil_of_input_over_stride_windows() {
        for input in 1..=40 {
            for kernel in 1..=7 {
                for stride in 1..=4 {
                    let p = same_padding(input, kernel, stride).unwrap();
                    let what = format!("W={input} K={kernel} S={stride}: {p:?}");
                    assert_eq!(p.output, input.div_ceil(stride), "{what}");
                    assert_eq!(p.before + p.after, p.total, "{what}");
                    assert!(p.after == p.before || p.after == p.before + 1, "{what}");
                    // Counting the windows on the input padded before and after gives
                    // the same number: floor((W + total - K) / S) + 1 = ceil(W / S).
                    let padded = input + p.total;
                    assert!(padded >= kernel, "{what}");
                    assert_eq!((padded - kernel) / stride + 1, p.output, "{what}");
                    // ...and the padding is the least that does: one zero fewer and the
                    // last window would not fit.
                    if p.total > 0 {
                        assert!(padded - 1 < (p.output - 1) * stride + kernel, "{what}");
                    }
                }
            }
        }
        // Stride 1 with an odd kernel is the symmetric (K - 1) / 2 of the book.
        for kernel in [1, 3, 5, 7] {
            let p = same_padding(32, kernel, 1).unwrap();
            assert_eq!((p.before, p.after), ((kernel - 1) / 2, (kernel - 1) / 2));
        }
        assert!(same_padding(5, 0, 1).is_err());
        assert!(same_padding(5, 3, 0).is_err());
        assert!(same_padding(usize::MAX, usize::MAX, 1).is_err());
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
