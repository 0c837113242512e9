//! The checks of chapter 8's exercises, one module per exercise.

pub mod receptive_field;
pub mod occlusion_map;
pub mod saliency_map;
pub mod occlusion_size;
