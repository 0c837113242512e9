//! Chapter 05: why kernels are odd. One module per exercise; see `exercises/exercises.toml`.

#[cfg_attr(feature = "solutions", path = "../solutions/ch05/receptive_field.rs")]
pub mod receptive_field;

#[cfg_attr(feature = "solutions", path = "../solutions/ch05/stack_parameters.rs")]
pub mod stack_parameters;

#[cfg_attr(feature = "solutions", path = "../solutions/ch05/even_kernel_shift.rs")]
pub mod even_kernel_shift;
