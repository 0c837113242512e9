//! Chapter 06: backpropagation and LeNet-5. One module per exercise; see `exercises/exercises.toml`.

#[cfg_attr(feature = "solutions", path = "../solutions/ch06/lenet_parameters.rs")]
pub mod lenet_parameters;

#[cfg_attr(feature = "solutions", path = "../solutions/ch06/linear_backward.rs")]
pub mod linear_backward;

#[cfg_attr(feature = "solutions", path = "../solutions/ch06/conv1d_backward.rs")]
pub mod conv1d_backward;

#[cfg_attr(
    feature = "solutions",
    path = "../solutions/ch06/sigmoid_saturation.rs"
)]
pub mod sigmoid_saturation;
