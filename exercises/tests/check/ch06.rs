//! The checks of chapter 6's exercises, one module per exercise.

pub mod conv1d_backward;
pub mod lenet_parameters;
pub mod linear_backward;
pub mod sigmoid_saturation;
