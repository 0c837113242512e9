//! VGG-16 (Simonyan and Zisserman, 2015, table 1, configuration D), described stage by
//! stage like [`alexnet`](super::alexnet), so that its shapes, parameters and
//! multiply-adds can be computed with [`architecture`](super::alexnet::architecture).
//!
//! Five blocks of 3x3 convolutions (stride 1, padding 1, so a block keeps its maps'
//! size), each block ended by a 2x2 max pooling that halves the maps; the channels
//! start at 64 and double after each pooling until they reach 512. Then three dense
//! layers, as in AlexNet.

use super::alexnet::Stage;

/// The channels of the convolutions of each block of VGG-16.
pub const VGG16_BLOCKS: [&[usize]; 5] = [
    &[64, 64],
    &[128, 128],
    &[256, 256, 256],
    &[512, 512, 512],
    &[512, 512, 512],
];

/// The layer names VGG-16 is usually given: `conv{block}_{n}`, `pool{block}`.
const CONV_NAMES: [[&str; 3]; 5] = [
    ["conv1_1", "conv1_2", ""],
    ["conv2_1", "conv2_2", ""],
    ["conv3_1", "conv3_2", "conv3_3"],
    ["conv4_1", "conv4_2", "conv4_3"],
    ["conv5_1", "conv5_2", "conv5_3"],
];
const POOL_NAMES: [&str; 5] = ["pool1", "pool2", "pool3", "pool4", "pool5"];

/// VGG-16 for a `224 x 224` RGB input, with a ReLU after every convolution and the
/// first two dense layers (the ReLUs are left out of the list: they change no shape
/// and hold no parameters).
pub fn vgg16() -> Vec<Stage> {
    let mut stages = Vec::new();
    for (block, channels) in VGG16_BLOCKS.iter().enumerate() {
        for (n, &filters) in channels.iter().enumerate() {
            stages.push(Stage::Conv {
                name: CONV_NAMES[block][n],
                filters,
                kernel: 3,
                stride: 1,
                padding: 1,
                groups: 1,
            });
        }
        stages.push(Stage::Pool {
            name: POOL_NAMES[block],
            kernel: 2,
            stride: 2,
        });
    }
    for (name, units) in [("fc6", 4096), ("fc7", 4096), ("fc8", 1000)] {
        stages.push(Stage::Dense { name, units });
    }
    stages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::alexnet::architecture;

    #[test]
    fn vgg16_has_its_138_million_parameters_and_15_billion_multiply_adds() {
        let rows = architecture(&vgg16(), [3, 224, 224]).unwrap();
        let shape = |name: &str| rows.iter().find(|r| r.name == name).unwrap().output.clone();
        // 224 -> 112 -> 56 -> 28 -> 14 -> 7: each pooling halves the maps.
        assert_eq!(shape("conv1_2"), vec![64, 224, 224]);
        assert_eq!(shape("pool1"), vec![64, 112, 112]);
        assert_eq!(shape("pool4"), vec![512, 14, 14]);
        assert_eq!(shape("pool5"), vec![512, 7, 7]);
        assert_eq!(shape("fc8"), vec![1000]);
        // 138,357,544 parameters, the count Keras and torchvision report for VGG-16.
        let parameters: usize = rows.iter().map(|r| r.parameters).sum();
        assert_eq!(parameters, 138_357_544);
        // Halving the maps (4 times fewer positions) while doubling the channels (4
        // times more products per position) keeps a layer's cost: conv1_2, conv2_2,
        // conv3_3 and conv4_3 each take 224*224*64*64*9 multiply-adds.
        let cost = |name: &str| rows.iter().find(|r| r.name == name).unwrap().multiply_adds;
        for name in ["conv2_2", "conv3_3", "conv4_3"] {
            assert_eq!(cost(name), cost("conv1_2"), "{name}");
        }
        assert_eq!(cost("conv1_2"), 224 * 224 * 64 * 64 * 9);
        let total: usize = rows.iter().map(|r| r.multiply_adds).sum();
        assert_eq!(total, 15_470_264_320);
    }
}
