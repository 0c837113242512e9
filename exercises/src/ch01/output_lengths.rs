//! # Exercise ch01-output-lengths (compute)
//!
//! Chapter 1 smooths a signal of 200 samples with a moving average of width 9.
//!
//! 1. In "full" mode (every shift where the kernel overlaps the signal at least
//!    partly, as `true_convolution1d` computes), how many outputs are there?
//! 2. In "valid" mode (only the shifts where the kernel lies entirely inside the
//!    signal, as `conv1d` with no padding computes), how many?
//!
//! Work the numbers out on paper first, then write them below.

/// The number of outputs of a full convolution of 200 samples with a 9-wide kernel.
pub fn full_mode_length() -> usize {
    todo!("write the number you worked out")
}

/// The number of outputs of a valid cross-correlation of 200 samples with a 9-wide kernel.
pub fn valid_mode_length() -> usize {
    todo!("write the number you worked out")
}
