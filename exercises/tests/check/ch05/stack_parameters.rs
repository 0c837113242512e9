//! The checks of exercise ch05-stack-parameters.

use cnn_core::{Conv2d, Conv2dConfig};
use cnn_exercises::ch05::stack_parameters::{one_5x5_parameters, two_3x3_parameters};
use cnn_exercises_harness::message;
use ndarray::{Array1, Array4};

cnn_exercises_harness::checks![two_3x3_layers, one_5x5_layer];

fn parameters(kernel: usize) -> usize {
    let weight = Array4::zeros((64, 64, kernel, kernel));
    let layer = Conv2d::new(weight, Array1::zeros(64), Conv2dConfig::default());
    layer.unwrap().parameter_count()
}

fn two_3x3_layers() {
    let yours = two_3x3_parameters();
    assert!(
        yours == 2 * parameters(3),
        "{}",
        message!(
            en: "two_3x3_parameters() = {yours} is not what cnn-core counts for two layers",
            zh: "two_3x3_parameters() = {yours}，与 cnn-core 对两层数出的参数量不符",
        )
    );
}

fn one_5x5_layer() {
    let yours = one_5x5_parameters();
    assert!(
        yours == parameters(5),
        "{}",
        message!(
            en: "one_5x5_parameters() = {yours} is not what cnn-core counts",
            zh: "one_5x5_parameters() = {yours}，与 cnn-core 数出的参数量不符",
        )
    );
}
