//! The checks of chapter 1's exercises, one module per exercise.

pub mod cross_correlation;
pub mod impulse_response;
pub mod output_lengths;
pub mod true_convolution;
