//! # cnn-core: a small, readable convolutional neural network library
//!
//! This is the engine behind the book. It is written to be read: every operation
//! states its formula, then follows it index for index. Where a faster version
//! exists (convolution as im2col + matrix multiply), the plain one stays beside it
//! as the tested reference, and the names say which is which (`conv2d_naive` is the
//! reference, `conv2d` the fast version).
//!
//! ## Where things live
//!
//! | module | what it holds | chapters |
//! |---|---|---|
//! | [`shape`] | the output-size formula and receptive fields | 4, 5 |
//! | [`ops`] | the operations as functions on arrays, forward and backward: convolution, im2col, pooling, activations, dense, softmax | 1-6 |
//! | [`nn`] | layers, a [`Sequential`] network of named layers, its forward and backward passes, random starting weights | 6, 7 |
//! | [`train`] | optimisers (SGD, Adam) and the training loop | 6 |
//! | [`data`] | MNIST, photos, TensorFlow.js models, the library's model files, safe file reading and writing | 6, 7 |
//! | [`models`] | the book's two networks: LeNet-5 and Tiny VGG, with the preparation their inputs need | 6, 7, 8 |
//! | [`visualize`] | what a trained network has learned: filters, strongest activations, occlusion, saliency, maximisation, inversion | 8 |
//!
//! ## Notation
//!
//! Used in every doc comment and shape comment of the library and the book:
//!
//! | letter | meaning |
//! |---|---|
//! | `N` | batch size (number of images) |
//! | `C` | input channels (3 for an RGB image) |
//! | `H`, `W` | height and width of an image or feature map; `L` the length of a sequence |
//! | `F` | number of filters, which is the number of output channels |
//! | `K` | kernel size (`KH`, `KW` when it is not square) |
//! | `S` | stride |
//! | `P` | zero padding, on *each* side |
//! | `H'`, `W'` | output height and width, from [`output_size`] |
//!
//! Arrays are `f32` and batch-first: an image batch is `[N, C, H, W]`, a batch of
//! sequences `[N, C, L]`. Functions take array views and return owned arrays.
//!
//! ## Errors
//!
//! Anything a caller controls is checked and answered with a [`CnnError`] whose
//! variant says what kind of thing went wrong and whose message says what and where.
//! A violated internal invariant (a bug in this library) panics with a message naming
//! the shapes.

pub mod data;
pub mod error;
pub mod models;
pub mod nn;
pub mod ops;
pub mod shape;
pub mod train;
pub mod visualize;

// The error type, used everywhere.
pub use error::{CnnError, Result};

// The output-size formula, which every layer asks for its shapes.
pub use shape::output_size;

// What building and running a network needs.
pub use nn::{Conv2d, Conv2dConfig, Dense, Init, Layer, Pool2d, Sequential, Tensor, Want};
