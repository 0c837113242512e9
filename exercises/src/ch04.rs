//! Chapter 04: the output-size formula. One module per exercise; see `exercises/exercises.toml`.

#[cfg_attr(feature = "solutions", path = "../solutions/ch04/output_size.rs")]
pub mod output_size;

#[cfg_attr(feature = "solutions", path = "../solutions/ch04/lenet_sides.rs")]
pub mod lenet_sides;

#[cfg_attr(feature = "solutions", path = "../solutions/ch04/same_padding.rs")]
pub mod same_padding;

#[cfg_attr(feature = "solutions", path = "../solutions/ch04/uncovered_pixels.rs")]
pub mod uncovered_pixels;
