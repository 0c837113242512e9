//! The checks of exercise ch02-conv-parameters.

use cnn_core::{Conv2d, Conv2dConfig};
use cnn_exercises::ch02::conv_parameters::{first_layer_parameters, second_layer_parameters};
use cnn_exercises_harness::message;
use ndarray::{Array1, Array4};

cnn_exercises_harness::checks![first_layer, second_layer];

fn parameters(filters: usize, channels: usize, kernel: usize) -> usize {
    let weight = Array4::zeros((filters, channels, kernel, kernel));
    let layer = Conv2d::new(weight, Array1::zeros(filters), Conv2dConfig::default());
    layer.unwrap().parameter_count()
}

fn first_layer() {
    let yours = first_layer_parameters();
    assert!(
        yours == parameters(16, 3, 5),
        "{}",
        message!(
            en: "first_layer_parameters() = {yours} is not what cnn-core counts; \
                 one weight per filter, input channel and kernel position, plus one bias per filter",
            zh: "first_layer_parameters() = {yours} 与 cnn-core 数出的不符；\
                 每个滤波器、每个输入通道、卷积核的每个位置各有一个权值，每个滤波器另有一个偏置",
        )
    );
}

fn second_layer() {
    let yours = second_layer_parameters();
    assert!(
        yours == parameters(32, 16, 3),
        "{}",
        message!(
            en: "second_layer_parameters() = {yours} is not what cnn-core counts; \
                 how many channels does each filter of the second layer span?",
            zh: "second_layer_parameters() = {yours} 与 cnn-core 数出的不符；\
                 第二层的每个滤波器要覆盖多少个通道？",
        )
    );
}
