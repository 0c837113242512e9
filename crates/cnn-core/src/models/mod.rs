//! The networks of the book: AlexNet described stage by stage ([`alexnet`], for its
//! shapes and parameter counts), and the two that run, each with the preparation its
//! inputs need:
//! [`lenet`] (chapter 6, trained here on MNIST) and [`tiny_vgg`] (chapter 7, trained
//! by CNN Explainer and loaded from its files).

pub mod alexnet;
pub mod lenet;
pub mod tiny_vgg;
