//! # Exercise ch04-same-padding (implement)
//!
//! "Same" padding keeps the output as large as the input at stride 1. With the same
//! padding `P` on each side, `N + 2P - K + 1 = N` needs `2P = K - 1`.
//!
//! Return the padding for a kernel of size `kernel`, or `None` when no equal padding on
//! both sides keeps the size (think about even kernels) or the kernel is 0.

/// The padding on each side that keeps the size at stride 1, if there is one.
pub fn same_padding(kernel: usize) -> Option<usize> {
    todo!()
}
