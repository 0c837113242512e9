//! The checks of chapter 8's exercises, one module per exercise.

pub mod occlusion_map;
pub mod occlusion_size;
pub mod receptive_field;
pub mod saliency_map;
