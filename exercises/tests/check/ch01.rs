//! The checks of chapter 1's exercises, one module per exercise.

pub mod output_lengths;
pub mod cross_correlation;
pub mod true_convolution;
pub mod impulse_response;
