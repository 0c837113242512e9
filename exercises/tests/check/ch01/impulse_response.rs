//! The checks of exercise ch01-impulse-response.

use cnn_core::ops::conv1d;
use cnn_exercises::ch01::impulse_response::predicted_cross_correlation;
use cnn_exercises_harness::message;
use ndarray::{Array1, Array3, arr1};

cnn_exercises_harness::checks![prediction_matches_conv1d];

fn prediction_matches_conv1d() {
    let x = Array3::from_shape_vec((1, 1, 5), vec![0.0, 0.0, 1.0, 0.0, 0.0]).unwrap();
    let w = Array3::from_shape_vec((1, 1, 3), vec![1.0, 2.0, 3.0]).unwrap();
    let y = conv1d(x.view(), w.view(), Array1::zeros(1).view(), 1, 0).unwrap();
    let expected: Array1<f32> = y.into_shape_with_order(3).unwrap();
    let yours = arr1(&predicted_cross_correlation());
    assert!(
        yours == expected,
        "{}",
        message!(
            en: "your prediction {yours} is not what cnn_core::ops::conv1d computes; \
                 write out y[t] = x[t] * w[0] + x[t+1] * w[1] + x[t+2] * w[2] for t = 0, 1, 2",
            zh: "你的预测 {yours} 与 cnn_core::ops::conv1d 的计算结果不符；\
                 把 t = 0, 1, 2 时的 y[t] = x[t] * w[0] + x[t+1] * w[1] + x[t+2] * w[2] 逐项写出来",
        )
    );
}
