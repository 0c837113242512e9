//! The checks of chapter 2's exercises, one module per exercise.

pub mod conv_parameters;
pub mod feature_map_shape;
pub mod multichannel_conv;
