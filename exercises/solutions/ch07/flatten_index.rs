//! Solution of ch07-flatten-index.

/// `c*H*W + i*W + j`: skip `c` whole maps, then `i` whole rows.
pub fn channel_first_index(
    channel: usize,
    row: usize,
    column: usize,
    _channels: usize,
    height: usize,
    width: usize,
) -> usize {
    channel * height * width + row * width + column
}

/// `(i*W + j)*C + c`: skip `i*W + j` whole pixels of `C` values each.
pub fn channel_last_index(
    channel: usize,
    row: usize,
    column: usize,
    channels: usize,
    _height: usize,
    width: usize,
) -> usize {
    (row * width + column) * channels + channel
}
