//! The checks of exercise ch07-flatten-length.

use crate::common::{flatten_and_dense, tiny_vgg};
use cnn_exercises::ch07::flatten_length::{dense_parameters, flatten_length};
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![
    flattened_length_matches_tiny_vgg,
    dense_parameters_match_tiny_vgg,
];

fn flattened_length_matches_tiny_vgg() {
    let (length, _) = flatten_and_dense(&tiny_vgg());
    let yours = flatten_length();
    assert!(
        yours == length,
        "{}",
        message!(
            en: "flatten_length() = {yours} is not the length of Tiny VGG's flattened vector; \
                 walk the side through each layer, then multiply by the number of maps",
            zh: "flatten_length() = {yours} 不是 Tiny VGG 展平后向量的长度；\
                 逐层推算边长，再乘以特征图的个数",
        )
    );
}

fn dense_parameters_match_tiny_vgg() {
    let net = tiny_vgg();
    let dense = net
        .layers()
        .iter()
        .find(|named| matches!(named.layer, cnn_core::Layer::Dense(_)))
        .unwrap();
    let yours = dense_parameters();
    assert!(
        yours == dense.layer.parameter_count(),
        "{}",
        message!(
            en: "dense_parameters() = {yours} is not the parameter count of Tiny VGG's dense layer",
            zh: "dense_parameters() = {yours} 不是 Tiny VGG 全连接层的参数量",
        )
    );
}
