//! The checks of exercise ch04-uncovered-pixels.

use cnn_core::output_size;
use cnn_core::shape::dropped_by_floor;
use cnn_exercises::ch04::uncovered_pixels::{predicted_output_side, predicted_uncovered};
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![output_side_prediction, uncovered_rows_prediction];

fn output_side_prediction() {
    let yours = predicted_output_side();
    assert!(
        Some(yours) == output_size(10, 3, 4, 0).ok(),
        "{}",
        message!(
            en: "your predicted side {yours} is not what output_size gives",
            zh: "你预测的边长 {yours} 与 output_size 的结果不符",
        )
    );
}

fn uncovered_rows_prediction() {
    let yours = predicted_uncovered();
    assert!(
        Some(yours) == dropped_by_floor(10, 3, 4, 0).ok(),
        "{}",
        message!(
            en: "your prediction of {yours} uncovered rows is not what dropped_by_floor gives; \
                 list the rows each window covers",
            zh: "你预测有 {yours} 行没被覆盖，与 dropped_by_floor 的结果不符；\
                 把每个窗口覆盖的行列出来",
        )
    );
}
