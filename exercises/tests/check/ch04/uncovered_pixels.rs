//! The checks of exercise ch04-uncovered-pixels.

use cnn_core::output_size;
use cnn_core::shape::dropped_by_floor;
use cnn_exercises::ch04::uncovered_pixels::{predicted_output_side, predicted_uncovered};

cnn_exercises_harness::checks![output_side_prediction, uncovered_rows_prediction];

fn output_side_prediction() {
    let yours = predicted_output_side();
    assert!(
        Some(yours) == output_size(10, 3, 4, 0).ok(),
        "your predicted side {yours} is not what output_size gives"
    );
}

fn uncovered_rows_prediction() {
    let yours = predicted_uncovered();
    assert!(
        Some(yours) == dropped_by_floor(10, 3, 4, 0).ok(),
        "your prediction of {yours} uncovered rows is not what dropped_by_floor gives; \
         list the rows each window covers"
    );
}
