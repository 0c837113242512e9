//! The checks of chapter 7's exercises, one module per exercise.

pub mod flatten_index;
pub mod flatten_length;
pub mod no_pooling;
pub mod softmax;
