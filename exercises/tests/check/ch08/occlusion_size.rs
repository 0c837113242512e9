//! The checks of exercise ch08-occlusion-size.

use cnn_exercises::ch08::occlusion_size::{predicted_forward_passes, predicted_map_side};
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![map_side_prediction, forward_passes_prediction];

fn map_side_prediction() {
    let side = cnn_core::output_size(28, 7, 3, 0).unwrap();
    let yours = predicted_map_side();
    assert!(
        yours == side,
        "{}",
        message!(
            en: "your predicted side {yours} is not the occlusion map's side",
            zh: "你预测的边长 {yours} 不是遮挡图的边长",
        )
    );
}

fn forward_passes_prediction() {
    let side = cnn_core::output_size(28, 7, 3, 0).unwrap();
    let yours = predicted_forward_passes();
    assert!(
        yours == side * side + 1,
        "{}",
        message!(
            en: "your prediction of {yours} forward passes is not right; one per patch position, \
                 plus the uncovered image",
            zh: "你预测的前向传播次数 {yours} 不对；遮挡块的每个位置一次，\
                 再加上未遮挡的原图一次",
        )
    );
}
