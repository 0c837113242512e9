//! The checks of exercise ch05-even-kernel-shift.

use cnn_core::ops::conv2d_naive;
use cnn_exercises::ch05::even_kernel_shift::predicted_centre_row;
use cnn_exercises_harness::message;
use ndarray::{Array1, Array4, s};

cnn_exercises_harness::checks![centre_row_prediction];

fn centre_row_prediction() {
    // The dot at (4, 4) of a 9x9 image, padded with one row and column of zeros at the
    // bottom and right, blurred by the 2x2 average.
    let mut padded = Array4::<f32>::zeros((1, 1, 10, 10));
    padded[[0, 0, 4, 4]] = 1.0;
    let kernel = Array4::from_elem((1, 1, 2, 2), 0.25);
    let blurred =
        conv2d_naive(padded.view(), kernel.view(), Array1::zeros(1).view(), 1, 0).unwrap();
    let blurred = blurred.slice(s![0, 0, .., ..]);
    assert!(
        blurred.shape() == [9, 9],
        "{}",
        message!(
            en: "the blurred image is not 9x9: the check is wrong",
            zh: "模糊后的图像不是 9x9：这项检查本身有误",
        )
    );
    let total: f32 = blurred.sum();
    let centre_row: f32 = blurred
        .indexed_iter()
        .map(|((i, _), value)| i as f32 * value)
        .sum::<f32>()
        / total;
    let yours = predicted_centre_row();
    assert!(
        (yours - centre_row).abs() < 1e-4,
        "{}",
        message!(
            en: "your predicted centre row {yours} is not where the blurred dot's centre of mass is; \
                 which outputs (i, j) have the dot inside their window rows i..=i+1?",
            zh: "你预测的中心行 {yours} 不是模糊后那个点的质心所在；\
                 哪些输出 (i, j) 的窗口行 i..=i+1 里包含这个点？",
        )
    );
}
