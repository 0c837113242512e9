//! The checks of exercise ch05-receptive-field.

use cnn_exercises::ch05::receptive_field::{three_convolutions_field, vgg_stack_field};
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![three_convolutions, vgg_stack];

/// The receptive field after the last layer, from cnn-core.
fn field(layers: &[(usize, usize)]) -> usize {
    cnn_core::shape::receptive_field(layers)
        .unwrap()
        .last()
        .unwrap()
        .0
}

fn three_convolutions() {
    let yours = three_convolutions_field();
    assert!(
        yours == field(&[(3, 1), (3, 1), (3, 1)]),
        "{}",
        message!(
            en: "three_convolutions_field() = {yours} is not what cnn_core::shape::receptive_field gives",
            zh: "three_convolutions_field() = {yours}，与 cnn_core::shape::receptive_field 的结果不符",
        )
    );
}

fn vgg_stack() {
    let yours = vgg_stack_field();
    assert!(
        yours == field(&[(3, 1), (3, 1), (2, 2), (3, 1), (3, 1)]),
        "{}",
        message!(
            en: "vgg_stack_field() = {yours} is not what cnn_core::shape::receptive_field gives; \
                 after the pooling, each step of a kernel moves by the jump j = 2 input pixels",
            zh: "vgg_stack_field() = {yours}，与 cnn_core::shape::receptive_field 的结果不符；\
                 池化之后，卷积核每移动一步，在输入上跨过 j = 2 个像素",
        )
    );
}
