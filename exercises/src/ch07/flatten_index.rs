//! # Exercise ch07-flatten-index (implement)
//!
//! Flatten lays out `C` feature maps of `H x W` as one vector. cnn-core (like PyTorch)
//! goes channel first: all of map 0 row by row, then all of map 1, and so on. Keras
//! (which trained Tiny VGG) goes channel last: pixel (0, 0) of every map, then pixel
//! (0, 1) of every map, and so on.
//!
//! Write where value `(channel, row, column)` lands in each order. The check compares
//! with `cnn_core::ops::flatten` on numbered maps.

/// The index of `(channel, row, column)` in the channel-first flattening of `[C, H, W]`.
pub fn channel_first_index(
    channel: usize,
    row: usize,
    column: usize,
    channels: usize,
    height: usize,
    width: usize,
) -> usize {
    todo!()
}

/// The index of `(channel, row, column)` in the channel-last flattening (`[H, W, C]` order).
pub fn channel_last_index(
    channel: usize,
    row: usize,
    column: usize,
    channels: usize,
    height: usize,
    width: usize,
) -> usize {
    todo!()
}
