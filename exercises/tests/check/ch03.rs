//! The checks of chapter 3's exercises, one module per exercise.

pub mod max_pool_argmax;
pub mod max_pool_backward;
pub mod overlapping_windows;
pub mod pooled_sizes;
