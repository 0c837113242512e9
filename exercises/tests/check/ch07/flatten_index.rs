//! The checks of exercise ch07-flatten-index.

use crate::common::{random_size, rng};
use cnn_core::ops::flatten;
use cnn_exercises::ch07::flatten_index::{channel_first_index, channel_last_index};
use cnn_exercises_harness::message;
use ndarray::Array4;

cnn_exercises_harness::checks![
    channel_first_matches_cnn_core_flatten,
    channel_last_matches_a_permuted_flatten,
];

/// Shapes `(C, H, W)`: small ones, Tiny VGG's last maps, then shapes drawn from the run's
/// seed.
fn shapes(stream: u64) -> Vec<(usize, usize, usize)> {
    let mut rng = rng(stream);
    let mut shapes = vec![(1, 2, 3), (3, 4, 5), (10, 13, 13)];
    for _ in 0..5 {
        let mut size = |largest| random_size(&mut rng, 1..=largest);
        shapes.push((size(12), size(20), size(20)));
    }
    shapes
}

/// A [1, C, H, W] map whose value at (c, i, j) encodes its own position.
fn numbered(channels: usize, height: usize, width: usize) -> Array4<f32> {
    Array4::from_shape_fn((1, channels, height, width), |(_, c, i, j)| {
        (c * 10_000 + i * 100 + j) as f32
    })
}

fn channel_first_matches_cnn_core_flatten() {
    for (channels, height, width) in shapes(16) {
        let map = numbered(channels, height, width);
        let flat = flatten(map.view());
        for ((_, c, i, j), value) in map.indexed_iter() {
            let index = channel_first_index(c, i, j, channels, height, width);
            assert!(
                index < flat.len() && flat[[0, index]] == *value,
                "{}",
                message!(
                    en: "channel_first_index({c}, {i}, {j}, {channels}, {height}, {width}) = {index}, \
                         but flatten puts that value elsewhere",
                    zh: "channel_first_index({c}, {i}, {j}, {channels}, {height}, {width}) = {index}，\
                         可是展平后这个值在别的位置",
                )
            );
        }
    }
}

fn channel_last_matches_a_permuted_flatten() {
    for (channels, height, width) in shapes(17) {
        let map = numbered(channels, height, width);
        // Keras's order: permute to [1, H, W, C], then read row-major.
        let channel_last: Vec<f32> = map
            .view()
            .permuted_axes([0, 2, 3, 1])
            .iter()
            .copied()
            .collect();
        for ((_, c, i, j), value) in map.indexed_iter() {
            let index = channel_last_index(c, i, j, channels, height, width);
            assert!(
                index < channel_last.len() && channel_last[index] == *value,
                "{}",
                message!(
                    en: "channel_last_index({c}, {i}, {j}, {channels}, {height}, {width}) = {index}, \
                         but the channel-last order puts that value elsewhere",
                    zh: "channel_last_index({c}, {i}, {j}, {channels}, {height}, {width}) = {index}，\
                         可是按通道在后的顺序，这个值在别的位置",
                )
            );
        }
    }
}
