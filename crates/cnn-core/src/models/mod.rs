//! The networks of the book: AlexNet and VGG-16 described stage by stage ([`alexnet`],
//! [`vgg`], for their shapes, parameter counts and multiply-adds), and the two that
//! run, each with the preparation its inputs need:
//! [`lenet`] (chapter 6, trained here on MNIST) and [`tiny_vgg`] (chapter 7, trained
//! by CNN Explainer and loaded from its files).

pub mod alexnet;
pub mod lenet;
pub mod tiny_vgg;
pub mod vgg;
