//! Chapter 02: feature maps. One module per exercise; see `exercises/exercises.toml`.

#[cfg_attr(feature = "solutions", path = "../solutions/ch02/conv_parameters.rs")]
pub mod conv_parameters;

#[cfg_attr(feature = "solutions", path = "../solutions/ch02/multichannel_conv.rs")]
pub mod multichannel_conv;

#[cfg_attr(feature = "solutions", path = "../solutions/ch02/feature_map_shape.rs")]
pub mod feature_map_shape;
