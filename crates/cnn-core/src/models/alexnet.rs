//! AlexNet (Krizhevsky, Sutskever and Hinton, 2012), the network that made learned
//! features win general image recognition, described layer by layer so that its shapes
//! and parameter counts can be computed with the output-size formula.
//!
//! Its 61 million weights are not needed for that, so this module does not build the
//! network: [`architecture`] walks a list of [`Stage`]s and computes each stage's
//! output with [`output_size`], exactly as the layers of [`crate::nn`] would.
//!
//! Two details of the 2012 network are history today. It was split over two GPUs, so
//! `conv2`, `conv4` and `conv5` see only the half of the previous layer's channels on
//! their own GPU (`groups: 2` below), which halves their weights. And it normalised
//! each position across neighbouring channels (local response normalisation, LRN),
//! which later networks dropped: it costs time and VGG found it did not help
//! (Simonyan and Zisserman, 2015, section 4.1).

use crate::error::{CnnError, Result};
use crate::shape::output_size;

/// One stage of a network description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A convolution of `filters` filters `kernel x kernel`, with `groups` groups of
    /// channels that do not see each other (1 for an ordinary convolution).
    Conv {
        /// The stage's name.
        name: &'static str,
        /// Output channels `F`.
        filters: usize,
        /// Kernel size `K`.
        kernel: usize,
        /// Stride `S`.
        stride: usize,
        /// Padding `P` on each side.
        padding: usize,
        /// Channel groups.
        groups: usize,
    },
    /// Max pooling `kernel x kernel` with a stride.
    Pool {
        /// The stage's name.
        name: &'static str,
        /// Window size.
        kernel: usize,
        /// Stride.
        stride: usize,
    },
    /// ReLU (no parameters, same shape).
    Relu {
        /// The stage's name.
        name: &'static str,
    },
    /// Local response normalisation (no parameters, same shape).
    Lrn {
        /// The stage's name.
        name: &'static str,
    },
    /// A dense layer of `units` outputs (it flattens its input first).
    Dense {
        /// The stage's name.
        name: &'static str,
        /// Outputs.
        units: usize,
    },
}

/// One row of an architecture table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageShape {
    /// The stage's name.
    pub name: &'static str,
    /// What it is, such as `"conv 96@11x11, stride 4"`.
    pub description: String,
    /// The output shape for one image: `[C, H, W]`, or `[units]` after a dense layer.
    pub output: Vec<usize>,
    /// Learned values: weights and biases.
    pub parameters: usize,
    /// Multiply-adds for one image: `H'*W'*F*(C/groups)*K*K` for a convolution (each
    /// output value is a sum of `(C/groups)*K*K` products), `inputs*units` for a dense
    /// layer, 0 for the stages that only compare or rescale (pooling, ReLU, LRN).
    pub multiply_adds: usize,
}

/// AlexNet as the 2012 paper describes it (section 3.5 and figure 2), for a
/// `227 x 227` RGB input (see [`architecture`] for why not 224).
pub fn alexnet() -> Vec<Stage> {
    use Stage::*;
    let conv = |name, filters, kernel, stride, padding, groups| Conv {
        name,
        filters,
        kernel,
        stride,
        padding,
        groups,
    };
    vec![
        conv("conv1", 96, 11, 4, 0, 1),
        Relu { name: "relu1" },
        Lrn { name: "lrn1" },
        Pool {
            name: "pool1",
            kernel: 3,
            stride: 2,
        },
        conv("conv2", 256, 5, 1, 2, 2),
        Relu { name: "relu2" },
        Lrn { name: "lrn2" },
        Pool {
            name: "pool2",
            kernel: 3,
            stride: 2,
        },
        conv("conv3", 384, 3, 1, 1, 1),
        Relu { name: "relu3" },
        conv("conv4", 384, 3, 1, 1, 2),
        Relu { name: "relu4" },
        conv("conv5", 256, 3, 1, 1, 2),
        Relu { name: "relu5" },
        Pool {
            name: "pool5",
            kernel: 3,
            stride: 2,
        },
        Dense {
            name: "fc6",
            units: 4096,
        },
        Relu { name: "relu6" },
        Dense {
            name: "fc7",
            units: 4096,
        },
        Relu { name: "relu7" },
        Dense {
            name: "fc8",
            units: 1000,
        },
    ]
}

// ANCHOR: architecture
/// Each stage's output shape and parameters for an input of `[C, H, W]`:
///
/// ```text
/// conv:  [C, H, W] -> [F, H', W'],  H' = output_size(H, K, S, P),  F*(C/groups)*K*K + F parameters
/// pool:  [C, H, W] -> [C, H', W'],  H' = output_size(H, K, S, 0)
/// dense: [C, H, W] -> [units],      (C*H*W)*units + units parameters
/// ```
///
/// and each stage's multiply-adds: `F*H'*W'` output values of `(C/groups)*K*K`
/// products each for a convolution, `(C*H*W)*units` for a dense layer.
///
/// With the paper's 224 x 224 input the first convolution gives
/// `floor((224 - 11) / 4) + 1 = 54` positions, not the 55 of its figure, and the maps
/// before `fc6` would be 5x5, not 6x6: the numbers only work out for 227 x 227 (or
/// for 224 with 2 pixels of padding, which later implementations use).
///
/// # Errors
/// A stage whose kernel does not fit its input (the message names the stage), or a
/// channel count that its groups do not divide.
pub fn architecture(stages: &[Stage], input: [usize; 3]) -> Result<Vec<StageShape>> {
    let mut shape = input.to_vec();
    let mut rows = Vec::with_capacity(stages.len());
    for stage in stages {
        let (name, description, parameters, multiply_adds) = match *stage {
            Stage::Conv {
                name,
                filters,
                kernel,
                stride,
                padding,
                groups,
            } => {
                let (channels, height, width) = (shape[0], shape[1], shape[2]);
                if groups == 0 || channels % groups != 0 || filters % groups != 0 {
                    return Err(CnnError::setting(format!(
                        "{name}: {groups} groups do not divide {channels} input and {filters} output channels"
                    )));
                }
                let out_h =
                    output_size(height, kernel, stride, padding).map_err(|e| e.in_layer(name))?;
                let out_w =
                    output_size(width, kernel, stride, padding).map_err(|e| e.in_layer(name))?;
                shape = vec![filters, out_h, out_w];
                let weights = filters * (channels / groups) * kernel * kernel;
                let mut text = format!("conv {filters}@{kernel}x{kernel}");
                if stride != 1 {
                    text += &format!(", stride {stride}");
                }
                if padding != 0 {
                    text += &format!(", padding {padding}");
                }
                if groups != 1 {
                    text += &format!(", {groups} groups");
                }
                // Every weight is used once at each of the H' x W' positions.
                (name, text, weights + filters, out_h * out_w * weights)
            }
            Stage::Pool {
                name,
                kernel,
                stride,
            } => {
                let out_h =
                    output_size(shape[1], kernel, stride, 0).map_err(|e| e.in_layer(name))?;
                let out_w =
                    output_size(shape[2], kernel, stride, 0).map_err(|e| e.in_layer(name))?;
                shape = vec![shape[0], out_h, out_w];
                let text = format!("max pool {kernel}x{kernel}, stride {stride}");
                (name, text, 0, 0)
            }
            Stage::Relu { name } => (name, "ReLU".to_string(), 0, 0),
            Stage::Lrn { name } => (name, "local response normalisation".to_string(), 0, 0),
            Stage::Dense { name, units } => {
                let inputs: usize = shape.iter().product();
                shape = vec![units];
                let text = format!("dense {units}");
                (name, text, inputs * units + units, inputs * units)
            }
        };
        rows.push(StageShape {
            name,
            description,
            output: shape.clone(),
            parameters,
            multiply_adds,
        });
    }
    Ok(rows)
}
// ANCHOR_END: architecture

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paper_numbers_come_out_for_227_but_not_224() {
        let rows = architecture(&alexnet(), [3, 227, 227]).unwrap();
        let shape = |name: &str| rows.iter().find(|r| r.name == name).unwrap().output.clone();
        assert_eq!(shape("conv1"), vec![96, 55, 55]);
        assert_eq!(shape("pool1"), vec![96, 27, 27]);
        assert_eq!(shape("pool2"), vec![256, 13, 13]);
        assert_eq!(shape("pool5"), vec![256, 6, 6]);
        assert_eq!(shape("fc8"), vec![1000]);
        // 60,965,224: the "60 million parameters" of the paper's abstract.
        assert_eq!(rows.iter().map(|r| r.parameters).sum::<usize>(), 60_965_224);
        let fc6 = rows.iter().find(|r| r.name == "fc6").unwrap();
        assert_eq!(fc6.parameters, 9216 * 4096 + 4096);
        assert_eq!(fc6.multiply_adds, 9216 * 4096);
        // conv1: 55*55 positions of 96 filters, each 3*11*11 products; conv2 sees only
        // its group's 48 channels.
        assert_eq!(rows[0].multiply_adds, 55 * 55 * 96 * 3 * 11 * 11);
        let conv2 = rows.iter().find(|r| r.name == "conv2").unwrap();
        assert_eq!(conv2.multiply_adds, 27 * 27 * 256 * 48 * 5 * 5);
        // About 724 million multiply-adds per image in all.
        let total: usize = rows.iter().map(|r| r.multiply_adds).sum();
        assert_eq!(total, 724_406_816);
        // 224: one position fewer after conv1, and 5x5 maps before fc6.
        let rows = architecture(&alexnet(), [3, 224, 224]).unwrap();
        assert_eq!(rows[0].output, vec![96, 54, 54]);
        assert_eq!(
            rows.iter().find(|r| r.name == "pool5").unwrap().output,
            vec![256, 5, 5]
        );
        // Groups that do not divide the channels are an error naming the stage.
        let bad = [Stage::Conv {
            name: "c",
            filters: 4,
            kernel: 1,
            stride: 1,
            padding: 0,
            groups: 3,
        }];
        let e = architecture(&bad, [3, 8, 8]).unwrap_err().to_string();
        assert_eq!(e, "c: 3 groups do not divide 3 input and 4 output channels");
    }
}
