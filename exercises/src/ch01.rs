//! Chapter 01: convolution as a signal operation. One module per exercise; see `exercises/exercises.toml`.

#[cfg_attr(feature = "solutions", path = "../solutions/ch01/output_lengths.rs")]
pub mod output_lengths;

#[cfg_attr(feature = "solutions", path = "../solutions/ch01/cross_correlation.rs")]
pub mod cross_correlation;

#[cfg_attr(feature = "solutions", path = "../solutions/ch01/true_convolution.rs")]
pub mod true_convolution;

#[cfg_attr(feature = "solutions", path = "../solutions/ch01/impulse_response.rs")]
pub mod impulse_response;
