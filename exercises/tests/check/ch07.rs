//! Checks of chapter 7's exercises.

use cnn_core::{Layer, Sequential};

/// The length of the flattened vector and the dense layer's parameter count of `net`
/// (Tiny VGG, or Tiny VGG with some layers removed) for a 64x64 RGB input.
fn flatten_and_dense(net: &Sequential) -> (usize, usize) {
    let mut up_to_flatten = Sequential::new();
    let mut classes = 0;
    for (name, layer) in &net.layers {
        match layer {
            Layer::Dense(dense) => classes = dense.weight.nrows(),
            Layer::Softmax => {}
            _ if classes == 0 => up_to_flatten.push(name, layer.clone()).unwrap(),
            _ => {}
        }
    }
    let summary = up_to_flatten.summary(&[1, 3, 64, 64]).unwrap();
    let length = summary.last().unwrap().output_shape[1];
    (length, classes * length + classes)
}

mod flatten_length {
    use crate::common::tiny_vgg;
    use cnn_exercises::ch07::flatten_length::*;

    #[test]
    fn flattened_length_matches_tiny_vgg() {
        let (length, _) = super::flatten_and_dense(&tiny_vgg());
        let yours = flatten_length();
        assert!(
            yours == length,
            "flatten_length() = {yours} is not the length of Tiny VGG's flattened vector; \
             walk the side through each layer, then multiply by the number of maps"
        );
    }

    #[test]
    fn dense_parameters_match_tiny_vgg() {
        let net = tiny_vgg();
        let dense = net
            .layers
            .iter()
            .find(|(_, layer)| matches!(layer, cnn_core::Layer::Dense(_)))
            .unwrap();
        let yours = dense_parameters();
        assert!(
            yours == dense.1.parameter_count(),
            "dense_parameters() = {yours} is not the parameter count of Tiny VGG's dense layer"
        );
    }
}

mod softmax {
    use crate::common::{assert_close, random_vec, rng};
    use cnn_exercises::ch07::softmax::*;
    use ndarray::Array2;

    fn reference(logits: &[f32]) -> Vec<f32> {
        let row = Array2::from_shape_vec((1, logits.len()), logits.to_vec()).unwrap();
        cnn_core::softmax(row.view()).into_raw_vec_and_offset().0
    }

    #[test]
    fn two_equal_logits_share_evenly() {
        assert_close(&softmax(&[3.0, 3.0]), &[0.5, 0.5], "softmax(&[3, 3])");
    }

    #[test]
    fn matches_cnn_core_on_random_logits() {
        let mut rng = rng(9);
        for classes in [1, 2, 5, 10] {
            let logits: Vec<f32> = random_vec(&mut rng, classes)
                .iter()
                .map(|z| 4.0 * z)
                .collect();
            let got = softmax(&logits);
            assert_close(&got, &reference(&logits), &format!("softmax of {logits:?}"));
        }
    }

    #[test]
    fn large_logits_do_not_overflow() {
        let logits = [1000.0, 1001.0, 1002.0];
        let got = softmax(&logits);
        assert!(
            got.iter().all(|p| p.is_finite()),
            "softmax(&[1000, 1001, 1002]) = {got:?}: exp(1000) overflows; subtract the largest logit first"
        );
        assert_close(&got, &reference(&logits), "softmax(&[1000, 1001, 1002])");
    }
}

mod flatten_index {
    use cnn_core::flatten;
    use cnn_exercises::ch07::flatten_index::*;
    use ndarray::Array4;

    /// A [1, C, H, W] map whose value at (c, i, j) encodes its own position.
    fn numbered(channels: usize, height: usize, width: usize) -> Array4<f32> {
        Array4::from_shape_fn((1, channels, height, width), |(_, c, i, j)| {
            (c * 10_000 + i * 100 + j) as f32
        })
    }

    #[test]
    fn channel_first_matches_cnn_core_flatten() {
        for (channels, height, width) in [(1, 2, 3), (3, 4, 5), (10, 13, 13)] {
            let map = numbered(channels, height, width);
            let flat = flatten(map.view());
            for ((_, c, i, j), value) in map.indexed_iter() {
                let index = channel_first_index(c, i, j, channels, height, width);
                assert!(
                    index < flat.len() && flat[[0, index]] == *value,
                    "channel_first_index({c}, {i}, {j}, {channels}, {height}, {width}) = {index}, \
                     but flatten puts that value elsewhere"
                );
            }
        }
    }

    #[test]
    fn channel_last_matches_a_permuted_flatten() {
        for (channels, height, width) in [(1, 2, 3), (3, 4, 5), (10, 13, 13)] {
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
                    "channel_last_index({c}, {i}, {j}, {channels}, {height}, {width}) = {index}, \
                     but the channel-last order puts that value elsewhere"
                );
            }
        }
    }
}

mod no_pooling {
    use crate::common::tiny_vgg;
    use cnn_core::{Layer, Sequential};
    use cnn_exercises::ch07::no_pooling::*;

    fn without_pooling() -> Sequential {
        let mut net = Sequential::new();
        for (name, layer) in tiny_vgg().layers {
            if !matches!(layer, Layer::Pool2d(_)) {
                net.push(&name, layer).unwrap();
            }
        }
        net
    }

    #[test]
    fn flatten_length_prediction() {
        let (length, _) = super::flatten_and_dense(&without_pooling());
        let yours = predicted_flatten_length();
        assert!(
            yours == length,
            "your prediction {yours} is not the flattened length of Tiny VGG without pooling"
        );
    }

    #[test]
    fn dense_parameters_prediction() {
        let (_, parameters) = super::flatten_and_dense(&without_pooling());
        let yours = predicted_dense_parameters();
        assert!(
            yours == parameters,
            "your prediction {yours} is not the dense layer's parameter count without pooling"
        );
    }
}
