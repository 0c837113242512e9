//! The checks of exercise ch06-lenet-parameters.

use crate::common::trained_lenet;
use cnn_exercises::ch06::lenet_parameters::lenet_parameters;

cnn_exercises_harness::checks![total_matches_the_trained_network];

fn total_matches_the_trained_network() {
    let yours = lenet_parameters();
    assert!(
        yours == trained_lenet().parameter_count(),
        "lenet_parameters() = {yours} is not the trained LeNet-5's parameter count; \
         count each layer as weights + biases and add them up"
    );
}
