//! # Exercise ch04-output-size (implement)
//!
//! Write the output-size formula of chapter 4. A kernel of size `K` slides with stride
//! `S` over an input of size `N` padded by `P` zeros on each side:
//!
//! ```text
//! output = floor((N + 2P - K) / S) + 1
//! ```
//!
//! Return `None` for a configuration that has no output: a kernel or stride of 0, or a
//! kernel larger than the padded input. Careful: `usize` cannot go below zero, so check
//! before you subtract.

/// The number of positions of the kernel, or `None` if the configuration is impossible.
pub fn output_size(input: usize, kernel: usize, stride: usize, padding: usize) -> Option<usize> {
    todo!()
}
