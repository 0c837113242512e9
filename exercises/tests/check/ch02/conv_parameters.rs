//! The checks of exercise ch02-conv-parameters.

use cnn_core::{Conv2d, Conv2dConfig};
use cnn_exercises::ch02::conv_parameters::{first_layer_parameters, second_layer_parameters};
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
        "first_layer_parameters() = {yours} is not what cnn-core counts; \
         one weight per filter, input channel and kernel position, plus one bias per filter"
    );
}

fn second_layer() {
    let yours = second_layer_parameters();
    assert!(
        yours == parameters(32, 16, 3),
        "second_layer_parameters() = {yours} is not what cnn-core counts; \
         how many channels does each filter of the second layer span?"
    );
}
