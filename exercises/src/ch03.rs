//! Chapter 03: pooling. One module per exercise; see `exercises/exercises.toml`.

#[cfg_attr(feature = "solutions", path = "../solutions/ch03/pooled_sizes.rs")]
pub mod pooled_sizes;

#[cfg_attr(feature = "solutions", path = "../solutions/ch03/max_pool_argmax.rs")]
pub mod max_pool_argmax;

#[cfg_attr(feature = "solutions", path = "../solutions/ch03/max_pool_backward.rs")]
pub mod max_pool_backward;

#[cfg_attr(
    feature = "solutions",
    path = "../solutions/ch03/overlapping_windows.rs"
)]
pub mod overlapping_windows;
