//! Solution of ch04-same-padding.

/// `P = (K - 1) / 2`, which is a whole number only for odd `K`.
pub fn same_padding(kernel: usize) -> Option<usize> {
    if kernel % 2 == 1 {
        Some((kernel - 1) / 2)
    } else {
        // K - 1 is odd: no equal padding on both sides adds up to it (and K = 0 is no kernel).
        None
    }
}
