//! The checks of exercise ch04-lenet-sides.

use crate::common::trained_lenet;
use cnn_exercises::ch04::lenet_sides::lenet_sides;

cnn_exercises_harness::checks![sides_match_the_trained_network];

fn sides_match_the_trained_network() {
    let net = trained_lenet();
    let summary = net.summary([1, 1, 28, 28]).unwrap();
    let yours = lenet_sides();
    for (position, name) in ["conv1", "pool1", "conv2", "pool2"].iter().enumerate() {
        let layer = summary.iter().find(|layer| layer.name == *name).unwrap();
        assert!(
            yours[position] == layer.output_shape[2],
            "lenet_sides()[{position}] = {} is not the side after {name}",
            yours[position]
        );
    }
}
