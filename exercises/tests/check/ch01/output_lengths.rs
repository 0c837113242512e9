//! The checks of exercise ch01-output-lengths.

use cnn_core::ops::{conv1d, true_convolution1d};
use cnn_exercises::ch01::output_lengths::{full_mode_length, valid_mode_length};
use cnn_exercises_harness::message;
use ndarray::{Array1, Array3};

cnn_exercises_harness::checks![
    full_mode_length_matches_true_convolution,
    valid_mode_length_matches_conv1d,
];

fn full_mode_length_matches_true_convolution() {
    let signal = Array1::<f32>::zeros(200);
    let kernel = Array1::<f32>::zeros(9);
    let outputs = true_convolution1d(signal.view(), kernel.view())
        .unwrap()
        .len();
    let yours = full_mode_length();
    assert!(
        yours == outputs,
        "{}",
        message!(
            en: "full_mode_length() = {yours} is not the number of outputs of a full convolution; \
                 count the shifts where the 9 taps overlap the 200 samples at least partly",
            zh: "full_mode_length() = {yours} 不是 full 模式卷积的输出个数；\
                 数一数 9 个抽头与 200 个采样点至少部分重叠的平移位置有几个",
        )
    );
}

fn valid_mode_length_matches_conv1d() {
    let signal = Array3::<f32>::zeros((1, 1, 200));
    let kernel = Array3::<f32>::zeros((1, 1, 9));
    let bias = Array1::<f32>::zeros(1);
    let outputs = conv1d(signal.view(), kernel.view(), bias.view(), 1, 0)
        .unwrap()
        .dim()
        .2;
    let yours = valid_mode_length();
    assert!(
        yours == outputs,
        "{}",
        message!(
            en: "valid_mode_length() = {yours} is not the number of outputs of a valid \
                 cross-correlation; count the shifts where all 9 taps lie inside the signal",
            zh: "valid_mode_length() = {yours} 不是 valid 模式互相关的输出个数；\
                 数一数 9 个抽头全部落在信号之内的平移位置有几个",
        )
    );
}
