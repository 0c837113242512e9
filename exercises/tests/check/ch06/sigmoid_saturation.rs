//! The checks of exercise ch06-sigmoid-saturation.

use cnn_core::ops::{sigmoid, sigmoid_backward};
use cnn_exercises::ch06::sigmoid_saturation::{
    predicted_largest_gradient, predicted_layers_for_1000x,
};
use cnn_exercises_harness::message;
use ndarray::Array1;

cnn_exercises_harness::checks![largest_gradient_prediction, layers_prediction];

/// The sigmoid's local gradient at many points of [-10, 10], from cnn-core.
fn largest_local_gradient() -> f32 {
    let x = Array1::linspace(-10.0, 10.0, 2001);
    let y = sigmoid(x.view());
    let gradient = sigmoid_backward(y.view(), Array1::ones(2001).view());
    gradient.fold(0.0, |m: f32, &g| m.max(g))
}

fn largest_gradient_prediction() {
    let yours = predicted_largest_gradient();
    assert!(
        (yours - largest_local_gradient()).abs() < 1e-6,
        "{}",
        message!(
            en: "your prediction {yours} is not the sigmoid's largest local gradient; \
                 where is sigmoid(x) * (1 - sigmoid(x)) largest?",
            zh: "你的预测 {yours} 不是 sigmoid 局部梯度的最大值；\
                 sigmoid(x) * (1 - sigmoid(x)) 在哪里最大？",
        )
    );
}

fn layers_prediction() {
    let largest = largest_local_gradient();
    let layers = (1..).find(|&n| largest.powi(n) < 1e-3).unwrap() as usize;
    let yours = predicted_layers_for_1000x();
    assert!(
        yours == layers,
        "{}",
        message!(
            en: "your prediction of {yours} layers is not the fewest that shrink a gradient \
                 more than 1000-fold",
            zh: "你预测的 {yours} 层，不是能让梯度缩小到千分之一以下的最少层数",
        )
    );
}
