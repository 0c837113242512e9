//! The checks of chapter 4's exercises, one module per exercise.

pub mod lenet_sides;
pub mod output_size;
pub mod same_padding;
pub mod uncovered_pixels;
