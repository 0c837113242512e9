//! The operations of a CNN, as functions on arrays: each file one idea, its forward
//! pass beside its backward pass.
//!
//! One naming rule: a name with `_naive` is the reference version, a loop that follows
//! the formula index for index, as the book shows it; the same name without `_naive` is
//! the fast version that the layers call, tested equal to the reference
//! (`conv2d_naive` / `conv2d`, `max_pool2d_naive` / `max_pool2d`, `im2col_naive` /
//! `im2col`). An operation with only one version has no suffix.

pub mod activation;
pub mod conv1d;
pub mod conv2d;
pub mod conv2d_direct;
mod conv2d_input_gradient;
mod conv2d_stride_one;
mod dispatch;
pub mod im2col;
pub mod linear;
pub mod matmul;
pub mod pool;
pub mod signal;
pub mod softmax;

pub use activation::{relu, relu_backward, sigmoid, sigmoid_backward, tanh, tanh_backward};
pub use conv1d::{Conv1dGradients, conv1d, conv1d_backward};
pub use conv2d::{
    Conv2dGradients, IMAGES_PER_CHUNK, Patches, conv2d, conv2d_backward,
    conv2d_backward_from_patches, conv2d_backward_naive, conv2d_input_gradient,
    conv2d_keeping_patches, conv2d_naive, conv2d_parameter_gradients, unroll_patches,
};
pub use conv2d_direct::{conv2d_one_channel, conv2d_one_channel_parameter_gradients};
pub use im2col::{col2im, im2col, im2col_naive};
pub use linear::{
    LinearGradients, flatten, flatten_backward, linear, linear_backward, linear_input_gradient,
};
pub use matmul::{matmul, matmul_into};
pub use pool::{
    PoolKind, avg_pool2d, avg_pool2d_backward, avg_pool2d_naive, global_avg_pool2d,
    global_avg_pool2d_backward, global_max_pool1d, global_max_pool2d, global_max_pool2d_backward,
    max_pool2d, max_pool2d_backward, max_pool2d_backward_naive, max_pool2d_naive,
    max_pool2d_with_argmax,
};
pub use signal::{true_convolution1d, true_convolution2d};
pub use softmax::{
    log_softmax, softmax, softmax_backward, softmax_cross_entropy, softmax_cross_entropy_backward,
};
