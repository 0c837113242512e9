//! The checks of exercise ch02-feature-map-shape.

use cnn_core::{Conv2d, Conv2dConfig};
use cnn_exercises::ch02::feature_map_shape::predicted_shape;
use cnn_exercises_harness::message;
use ndarray::{Array1, Array4};

cnn_exercises_harness::checks![prediction_matches_the_layer];

fn prediction_matches_the_layer() {
    let layer = Conv2d::new(
        Array4::zeros((8, 3, 5, 5)),
        Array1::zeros(8),
        Conv2dConfig::default(),
    )
    .unwrap();
    let shape = layer.output_shape([2, 3, 32, 32]).unwrap();
    let yours = predicted_shape();
    assert!(
        yours == shape,
        "{}",
        message!(
            en: "your prediction {yours:?} is not the layer's output shape; \
                 which of N, C, H, W does each part of the layer change?",
            zh: "你的预测 {yours:?} 不是这一层的输出形状；\
                 这一层的各个部分分别改变了 N、C、H、W 中的哪一个？",
        )
    );
}
