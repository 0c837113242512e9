//! The checks of exercise ch08-receptive-field.

use crate::common::trained_lenet;
use cnn_core::Layer;
use cnn_exercises::ch08::receptive_field::{conv2_field, pool2_field};
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![conv2_prediction, pool2_prediction];

/// The receptive field after the named layer, from the trained network's own layers.
fn field_after(last: &str) -> usize {
    let mut layers = Vec::new();
    for cnn_core::nn::NamedLayer { name, layer } in trained_lenet().layers() {
        match layer {
            Layer::Conv2d(conv) => layers.push((conv.weight.dim().2, conv.stride)),
            Layer::Pool2d(pool) => layers.push((pool.kernel, pool.stride)),
            _ => {}
        }
        if name == last {
            break;
        }
    }
    cnn_core::shape::receptive_field(&layers)
        .unwrap()
        .last()
        .unwrap()
        .0
}

fn conv2_prediction() {
    let yours = conv2_field();
    assert!(
        yours == field_after("conv2"),
        "{}",
        message!(
            en: "conv2_field() = {yours} is not the receptive field after conv2; \
                 remember that the pooling doubles the jump",
            zh: "conv2_field() = {yours} 不是 conv2 之后的感受野；\
                 别忘了池化会让跳步 j 翻倍",
        )
    );
}

fn pool2_prediction() {
    let yours = pool2_field();
    assert!(
        yours == field_after("pool2"),
        "{}",
        message!(
            en: "pool2_field() = {yours} is not the receptive field after pool2",
            zh: "pool2_field() = {yours} 不是 pool2 之后的感受野",
        )
    );
}
