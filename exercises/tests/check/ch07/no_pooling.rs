//! The checks of exercise ch07-no-pooling.

use crate::common::{flatten_and_dense, tiny_vgg};
use cnn_core::{Layer, Sequential};
use cnn_exercises::ch07::no_pooling::{predicted_dense_parameters, predicted_flatten_length};
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![flatten_length_prediction, dense_parameters_prediction];

fn without_pooling() -> Sequential {
    let mut net = Sequential::new();
    for named in tiny_vgg().layers() {
        if !matches!(named.layer, Layer::Pool2d(_)) {
            net.push(&named.name, named.layer.clone()).unwrap();
        }
    }
    net
}

fn flatten_length_prediction() {
    let (length, _) = flatten_and_dense(&without_pooling());
    let yours = predicted_flatten_length();
    assert!(
        yours == length,
        "{}",
        message!(
            en: "your prediction {yours} is not the flattened length of Tiny VGG without pooling",
            zh: "你的预测 {yours} 不是去掉池化后 Tiny VGG 展平的长度",
        )
    );
}

fn dense_parameters_prediction() {
    let (_, parameters) = flatten_and_dense(&without_pooling());
    let yours = predicted_dense_parameters();
    assert!(
        yours == parameters,
        "{}",
        message!(
            en: "your prediction {yours} is not the dense layer's parameter count without pooling",
            zh: "你的预测 {yours} 不是去掉池化后全连接层的参数量",
        )
    );
}
