//! The checks of exercise ch06-lenet-parameters.

use crate::common::trained_lenet;
use cnn_exercises::ch06::lenet_parameters::lenet_parameters;
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![total_matches_the_trained_network];

fn total_matches_the_trained_network() {
    let yours = lenet_parameters();
    assert!(
        yours == trained_lenet().parameter_count(),
        "{}",
        message!(
            en: "lenet_parameters() = {yours} is not the trained LeNet-5's parameter count; \
                 count each layer as weights + biases and add them up",
            zh: "lenet_parameters() = {yours} 不是训练好的 LeNet-5 的参数量；\
                 每层按权值加偏置来数，再把各层加起来",
        )
    );
}
