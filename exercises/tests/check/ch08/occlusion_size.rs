//! The checks of exercise ch08-occlusion-size.

use cnn_exercises::ch08::occlusion_size::{predicted_forward_passes, predicted_map_side};

cnn_exercises_harness::checks![map_side_prediction, forward_passes_prediction];

fn map_side_prediction() {
    let side = cnn_core::output_size(28, 7, 3, 0).unwrap();
    let yours = predicted_map_side();
    assert!(
        yours == side,
        "your predicted side {yours} is not the occlusion map's side"
    );
}

fn forward_passes_prediction() {
    let side = cnn_core::output_size(28, 7, 3, 0).unwrap();
    let yours = predicted_forward_passes();
    assert!(
        yours == side * side + 1,
        "your prediction of {yours} forward passes is not right; one per patch position, \
         plus the uncovered image"
    );
}
