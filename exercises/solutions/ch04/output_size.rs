//! Solution of ch04-output-size.

/// `floor((N + 2P - K) / S) + 1`, or `None` when no window fits.
pub fn output_size(input: usize, kernel: usize, stride: usize, padding: usize) -> Option<usize> {
    let padded = input + 2 * padding;
    if kernel == 0 || stride == 0 || kernel > padded {
        return None;
    }
    // Integer division rounds down: that is the floor.
    Some((padded - kernel) / stride + 1)
}
