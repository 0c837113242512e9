//! The checks of exercise ch04-lenet-sides.

use crate::common::trained_lenet;
use cnn_exercises::ch04::lenet_sides::lenet_sides;
use cnn_exercises_harness::message;

cnn_exercises_harness::checks![sides_match_the_trained_network];

fn sides_match_the_trained_network() {
    let net = trained_lenet();
    let summary = net.summary([1, 1, 28, 28]).unwrap();
    let yours = lenet_sides();
    for (position, name) in ["conv1", "pool1", "conv2", "pool2"].iter().enumerate() {
        let layer = summary.iter().find(|layer| layer.name == *name).unwrap();
        let side = yours[position];
        assert!(
            side == layer.output_shape[2],
            "{}",
            message!(
                en: "lenet_sides()[{position}] = {side} is not the side after {name}",
                zh: "lenet_sides()[{position}] = {side} 不是经过 {name} 之后的边长",
            )
        );
    }
}
