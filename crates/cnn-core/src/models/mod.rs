//! The two networks of the book, each with the preparation its inputs need:
//! [`lenet`] (chapter 6, trained here on MNIST) and [`tiny_vgg`] (chapter 7, trained
//! by CNN Explainer and loaded from its files).

pub mod lenet;
pub mod tiny_vgg;
