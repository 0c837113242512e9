//! The checks of exercise ch03-pooled-sizes.

use cnn_core::Pool2d;
use cnn_core::nn::PoolKind;
use cnn_exercises::ch03::pooled_sizes::{lenet_pooled_side, overlapping_pooled_side};
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![lenet_pooling, overlapping_pooling];

fn pooled_side(side: usize, kernel: usize, stride: usize) -> usize {
    let pool = Pool2d::new(PoolKind::Max, kernel, stride).unwrap();
    pool.output_shape([1, 1, side, side]).unwrap()[2]
}

fn lenet_pooling() {
    let yours = lenet_pooled_side();
    assert!(
        yours == pooled_side(28, 2, 2),
        "{}",
        message!(
            en: "lenet_pooled_side() = {yours} is not what cnn-core's pooling gives",
            zh: "lenet_pooled_side() = {yours}，与 cnn-core 的池化结果不符",
        )
    );
}

fn overlapping_pooling() {
    let yours = overlapping_pooled_side();
    assert!(
        yours == pooled_side(13, 3, 2),
        "{}",
        message!(
            en: "overlapping_pooled_side() = {yours} is not what cnn-core's pooling gives; \
                 remember the floor",
            zh: "overlapping_pooled_side() = {yours}，与 cnn-core 的池化结果不符；\
                 别忘了向下取整",
        )
    );
}
