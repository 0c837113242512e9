//! Chapter 07: Tiny VGG. One module per exercise; see `exercises/exercises.toml`.

#[cfg_attr(feature = "solutions", path = "../solutions/ch07/flatten_length.rs")]
pub mod flatten_length;

#[cfg_attr(feature = "solutions", path = "../solutions/ch07/softmax.rs")]
pub mod softmax;

#[cfg_attr(feature = "solutions", path = "../solutions/ch07/flatten_index.rs")]
pub mod flatten_index;

#[cfg_attr(feature = "solutions", path = "../solutions/ch07/no_pooling.rs")]
pub mod no_pooling;
