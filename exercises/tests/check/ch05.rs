//! The checks of chapter 5's exercises, one module per exercise.

pub mod even_kernel_shift;
pub mod receptive_field;
pub mod stack_parameters;
