//! Chapter 08: what CNNs learn. One module per exercise; see `exercises/exercises.toml`.

#[cfg_attr(feature = "solutions", path = "../solutions/ch08/receptive_field.rs")]
pub mod receptive_field;

#[cfg_attr(feature = "solutions", path = "../solutions/ch08/occlusion_map.rs")]
pub mod occlusion_map;

#[cfg_attr(feature = "solutions", path = "../solutions/ch08/saliency_map.rs")]
pub mod saliency_map;

#[cfg_attr(feature = "solutions", path = "../solutions/ch08/occlusion_size.rs")]
pub mod occlusion_size;
