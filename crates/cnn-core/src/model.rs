//! A network as a list of named layers, run one after the other.
//!
//! Between layers the values change dimension (an image batch `[N, C, H, W]`
//! becomes `[N, C*H*W]` after flattening), so a [`Sequential`] passes `ArrayD`
//! (any number of axes) from layer to layer, and each layer checks it got the
//! number of axes it needs.

use ndarray::{Array1, Array4, ArrayD, ArrayViewD, Ix2, Ix4};

use crate::activation::{relu, relu_backward, sigmoid, sigmoid_backward, tanh, tanh_backward};
use crate::conv::{
    Conv2d, Patches, conv2d_backward_from_patches, conv2d_parameter_gradients, unroll_patches,
};
use crate::dense::{Dense, flatten, flatten_backward, linear_backward};
use crate::error::{CnnError, Result};
use crate::pool::{
    Pool2d, PoolKind, avg_pool2d_backward, max_pool2d_backward, max_pool2d_backward_from_argmax,
    max_pool2d_with_argmax,
};
use crate::softmax::{softmax, softmax_backward};

/// One layer of a [`Sequential`] network.
#[derive(Debug, Clone)]
pub enum Layer {
    /// 2-D convolution: `[N, C, H, W] -> [N, F, H', W']`.
    Conv2d(Conv2d),
    /// Max or average pooling: `[N, C, H, W] -> [N, C, H', W']`.
    Pool2d(Pool2d),
    /// `max(0, x)`, any shape.
    Relu,
    /// `1 / (1 + e^-x)`, any shape.
    Sigmoid,
    /// `tanh(x)`, any shape.
    Tanh,
    /// `[N, C, H, W] -> [N, C*H*W]`, channel-first order (see [`flatten`]).
    Flatten,
    /// Fully connected: `[N, I] -> [N, O]`.
    Dense(Dense),
    /// Softmax over each row: `[N, K] -> [N, K]`, probabilities.
    Softmax,
}

impl Layer {
    /// Run the layer on `input`.
    ///
    /// # Errors
    /// An input with the wrong number of axes or the wrong shape for the layer.
    pub fn forward(&self, input: ArrayViewD<f32>) -> Result<ArrayD<f32>> {
        Ok(match self {
            Layer::Conv2d(conv) => conv.forward(as_4d(input, "convolution")?)?.into_dyn(),
            Layer::Pool2d(pool) => pool.forward(as_4d(input, "pooling")?)?.into_dyn(),
            Layer::Relu => relu(input),
            Layer::Sigmoid => sigmoid(input),
            Layer::Tanh => tanh(input),
            Layer::Flatten => flatten(as_4d(input, "flatten")?).into_dyn(),
            Layer::Dense(dense) => dense.forward(as_2d(input, "dense")?)?.into_dyn(),
            Layer::Softmax => softmax(as_2d(input, "softmax")?).into_dyn(),
        })
    }

    /// Run the layer for training: the output, and what the backward pass will need
    /// (the [`Cache`]).
    ///
    /// # Errors
    /// The same as [`Layer::forward`].
    pub fn forward_train(&self, input: ArrayD<f32>) -> Result<(ArrayD<f32>, Cache)> {
        let (output, kept) = match self {
            // A convolution keeps its unrolled patches: its backward pass needs them.
            Layer::Conv2d(conv) => {
                let (y, patches) =
                    conv.forward_keeping_patches(as_4d(input.view(), "convolution")?)?;
                (y.into_dyn(), Kept::Patches(patches))
            }
            // Max pooling keeps where each maximum was.
            Layer::Pool2d(pool) if pool.kind == PoolKind::Max => {
                let x = as_4d(input.view(), "pooling")?;
                let (y, argmax) = max_pool2d_with_argmax(x, pool.kernel, pool.stride)?;
                (y.into_dyn(), Kept::Argmax(argmax))
            }
            _ => (self.forward(input.view())?, Kept::Nothing),
        };
        let output_shape = output.shape().to_vec();
        let saved = match self {
            // Sigmoid, tanh and softmax have local gradients written in their outputs.
            Layer::Sigmoid | Layer::Tanh | Layer::Softmax => output.clone(),
            _ => input,
        };
        Ok((
            output,
            Cache {
                saved,
                output_shape,
                kept,
            },
        ))
    }

    /// The backward pass of the layer: from `d_out = dL/d(output)` and the forward
    /// pass's cache, the gradient with respect to the layer's input and, for a layer
    /// with parameters, the gradients of its weight and bias.
    ///
    /// # Errors
    /// A `d_out` whose shape is not the layer's output shape.
    pub fn backward(
        &self,
        cache: &Cache,
        d_out: ArrayViewD<f32>,
    ) -> Result<(ArrayD<f32>, Option<ParameterGradients>)> {
        let (d_input, parameters) = self.backward_inner(cache, d_out, true)?;
        let d_input = d_input.expect("the input gradient was asked for");
        Ok((d_input, parameters))
    }

    /// [`Layer::backward`], skipping the input gradient unless `input_gradient`: the
    /// first layer of a network in training only needs its parameter gradients.
    fn backward_inner(
        &self,
        cache: &Cache,
        d_out: ArrayViewD<f32>,
        input_gradient: bool,
    ) -> Result<(Option<ArrayD<f32>>, Option<ParameterGradients>)> {
        let saved = &cache.saved;
        let expected_output = &cache.output_shape;
        if d_out.shape() != expected_output.as_slice() {
            return Err(CnnError::shape(
                "output gradient",
                &format!("{expected_output:?} (the layer's output shape)"),
                d_out.shape(),
            ));
        }
        let (d_input, parameters) = match self {
            Layer::Conv2d(conv) => {
                let (_, _, kernel_h, kernel_w) = conv.weight.dim();
                let unrolled;
                let patches = match &cache.kept {
                    Kept::Patches(patches) => patches,
                    _ => {
                        let x = as_4d(saved.view(), "convolution")?;
                        unrolled =
                            unroll_patches(x, kernel_h, kernel_w, conv.stride, conv.padding)?;
                        &unrolled
                    }
                };
                let (weight, d_out) = (conv.weight.view(), as_4d(d_out, "convolution gradient")?);
                let (d_input, d_weight, d_bias) = if input_gradient {
                    let gradients = conv2d_backward_from_patches(
                        patches,
                        weight,
                        d_out,
                        conv.stride,
                        conv.padding,
                    )?;
                    let d_input = gradients.d_input.into_dyn();
                    (Some(d_input), gradients.d_weight, gradients.d_bias)
                } else {
                    let (d_weight, d_bias) = conv2d_parameter_gradients(
                        patches,
                        weight,
                        d_out,
                        conv.stride,
                        conv.padding,
                    )?;
                    (None, d_weight, d_bias)
                };
                let parameters = ParameterGradients {
                    weight: d_weight.into_dyn(),
                    bias: d_bias,
                };
                return Ok((d_input, Some(parameters)));
            }
            Layer::Pool2d(pool) => {
                let input = as_4d(saved.view(), "pooling")?;
                let d_out = as_4d(d_out, "pooling gradient")?;
                let (n, c, h, w) = input.dim();
                let d_input = match (pool.kind, &cache.kept) {
                    (PoolKind::Max, Kept::Argmax(argmax)) => {
                        max_pool2d_backward_from_argmax(argmax.view(), d_out, [n, c, h, w])?
                    }
                    (PoolKind::Max, _) => {
                        max_pool2d_backward(input, d_out, pool.kernel, pool.stride)
                    }
                    (PoolKind::Average, _) => {
                        avg_pool2d_backward([n, c, h, w], d_out, pool.kernel, pool.stride)
                    }
                };
                (d_input.into_dyn(), None)
            }
            Layer::Relu => (relu_backward(saved.view(), d_out), None),
            Layer::Sigmoid => (sigmoid_backward(saved.view(), d_out), None),
            Layer::Tanh => (tanh_backward(saved.view(), d_out), None),
            Layer::Flatten => {
                let shape = saved.shape();
                let shape = [shape[0], shape[1], shape[2], shape[3]];
                let d_out = as_2d(d_out, "flatten gradient")?;
                (flatten_backward(d_out, shape).into_dyn(), None)
            }
            Layer::Dense(dense) => {
                let gradients = linear_backward(
                    as_2d(saved.view(), "dense")?,
                    dense.weight.view(),
                    as_2d(d_out, "dense gradient")?,
                );
                (
                    gradients.d_input.into_dyn(),
                    Some(ParameterGradients {
                        weight: gradients.d_weight.into_dyn(),
                        bias: gradients.d_bias,
                    }),
                )
            }
            Layer::Softmax => {
                let p = as_2d(saved.view(), "softmax")?;
                let d_out = as_2d(d_out, "softmax gradient")?;
                (softmax_backward(p, d_out).into_dyn(), None)
            }
        };
        // The other layers' input gradients are cheap; they are computed and dropped.
        Ok((input_gradient.then_some(d_input), parameters))
    }

    /// The layer's weight and bias, if it has parameters.
    pub fn parameters(&self) -> Option<(ArrayViewD<'_, f32>, ndarray::ArrayView1<'_, f32>)> {
        match self {
            Layer::Conv2d(conv) => Some((conv.weight.view().into_dyn(), conv.bias.view())),
            Layer::Dense(dense) => Some((dense.weight.view().into_dyn(), dense.bias.view())),
            _ => None,
        }
    }

    /// The layer's weight and bias, mutable, if it has parameters (for optimisers).
    pub fn parameters_mut(
        &mut self,
    ) -> Option<(
        ndarray::ArrayViewMutD<'_, f32>,
        ndarray::ArrayViewMut1<'_, f32>,
    )> {
        match self {
            Layer::Conv2d(conv) => Some((conv.weight.view_mut().into_dyn(), conv.bias.view_mut())),
            Layer::Dense(dense) => {
                Some((dense.weight.view_mut().into_dyn(), dense.bias.view_mut()))
            }
            _ => None,
        }
    }

    /// Number of learned values (weights and biases).
    pub fn parameter_count(&self) -> usize {
        match self {
            Layer::Conv2d(conv) => conv.parameter_count(),
            Layer::Dense(dense) => dense.parameter_count(),
            _ => 0,
        }
    }

    /// A short description for architecture tables, such as `"conv 10@3x3, stride 1"`.
    pub fn describe(&self) -> String {
        match self {
            Layer::Conv2d(conv) => {
                let (filters, _, kernel_h, kernel_w) = conv.weight.dim();
                let mut text = format!("conv {filters}@{kernel_h}x{kernel_w}");
                if conv.stride != 1 {
                    text += &format!(", stride {}", conv.stride);
                }
                if conv.padding != 0 {
                    text += &format!(", padding {}", conv.padding);
                }
                text
            }
            Layer::Pool2d(pool) => {
                let kind = match pool.kind {
                    crate::pool::PoolKind::Max => "max pool",
                    crate::pool::PoolKind::Average => "average pool",
                };
                format!(
                    "{kind} {}x{}, stride {}",
                    pool.kernel, pool.kernel, pool.stride
                )
            }
            Layer::Relu => "ReLU".to_string(),
            Layer::Sigmoid => "sigmoid".to_string(),
            Layer::Tanh => "tanh".to_string(),
            Layer::Flatten => "flatten".to_string(),
            Layer::Dense(dense) => format!("dense {}", dense.weight.nrows()),
            Layer::Softmax => "softmax".to_string(),
        }
    }
}

fn as_4d<'a>(input: ArrayViewD<'a, f32>, layer: &str) -> Result<ndarray::ArrayView4<'a, f32>> {
    let shape = input.shape().to_vec();
    input
        .into_dimensionality::<Ix4>()
        .map_err(|_| CnnError::shape(&format!("{layer} input"), "[N, C, H, W]", &shape))
}

fn as_2d<'a>(input: ArrayViewD<'a, f32>, layer: &str) -> Result<ndarray::ArrayView2<'a, f32>> {
    let shape = input.shape().to_vec();
    input
        .into_dimensionality::<Ix2>()
        .map_err(|_| CnnError::shape(&format!("{layer} input"), "[N, features]", &shape))
}

/// What a layer's forward pass keeps for its backward pass.
#[derive(Debug, Clone)]
pub struct Cache {
    /// The layer's input (convolution, pooling, ReLU, flatten, dense) or its output
    /// (sigmoid, tanh, softmax: their local gradients are functions of the output).
    pub saved: ArrayD<f32>,
    /// The shape of the layer's output, which `d_out` must have.
    pub output_shape: Vec<usize>,
    /// Work of the forward pass that the backward pass would otherwise repeat.
    pub kept: Kept,
}

/// What a layer's forward pass keeps so that its backward pass need not redo it.
#[derive(Debug, Clone)]
pub enum Kept {
    /// Nothing: the backward pass needs only [`Cache::saved`].
    Nothing,
    /// A convolution's unrolled input (see [`crate::conv2d_keeping_patches`]).
    Patches(Patches),
    /// Where each max-pooling window's maximum was (see [`max_pool2d_with_argmax`]).
    Argmax(Array4<usize>),
}

/// The gradients of the loss with respect to one layer's weight and bias, in the
/// layer's shapes (`[F, C, KH, KW]` and `[F]` for a convolution, `[O, I]` and `[O]`
/// for a dense layer).
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterGradients {
    /// `dL/dW`, the weight's shape.
    pub weight: ArrayD<f32>,
    /// `dL/db`, the bias's shape.
    pub bias: Array1<f32>,
}

/// A network: named layers applied in order.
#[derive(Debug, Clone, Default)]
pub struct Sequential {
    /// `(name, layer)` in the order they run.
    pub layers: Vec<(String, Layer)>,
}

/// One row of a network's architecture table (see [`Sequential::summary`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSummary {
    /// The layer's name.
    pub name: String,
    /// What it is, from [`Layer::describe`].
    pub description: String,
    /// Shape of its output for the given input shape.
    pub output_shape: Vec<usize>,
    /// Its learned values.
    pub parameters: usize,
}

impl Sequential {
    /// An empty network.
    pub fn new() -> Sequential {
        Sequential::default()
    }

    /// Append a layer.
    ///
    /// # Errors
    /// A name that is empty or already used.
    pub fn push(&mut self, name: &str, layer: Layer) -> Result<()> {
        if name.is_empty() || self.layers.iter().any(|(existing, _)| existing == name) {
            return Err(CnnError::InvalidConfig(format!(
                "layer name {name:?} is empty or already used in this network"
            )));
        }
        self.layers.push((name.to_string(), layer));
        Ok(())
    }

    /// Run every layer; return the last output.
    ///
    /// # Errors
    /// A shape that does not fit a layer; the message names the layer.
    pub fn forward(&self, input: ArrayViewD<f32>) -> Result<ArrayD<f32>> {
        let mut x = input.to_owned();
        for (name, layer) in &self.layers {
            x = layer.forward(x.view()).map_err(|e| e.in_layer(name))?;
        }
        Ok(x)
    }

    /// Run every layer and keep every layer's output, for display: element `i` is
    /// the output of layer `i`.
    ///
    /// # Errors
    /// A shape that does not fit a layer; the message names the layer.
    pub fn forward_all(&self, input: ArrayViewD<f32>) -> Result<Vec<ArrayD<f32>>> {
        let mut outputs: Vec<ArrayD<f32>> = Vec::with_capacity(self.layers.len());
        for (name, layer) in &self.layers {
            let x = outputs.last().map(|o| o.view()).unwrap_or(input.view());
            let y = layer.forward(x).map_err(|e| e.in_layer(name))?;
            outputs.push(y);
        }
        Ok(outputs)
    }

    /// Run every layer for training, keeping each layer's [`Cache`] for
    /// [`Sequential::backward`]. Returns the last output and the caches, one per layer.
    ///
    /// # Errors
    /// A shape that does not fit a layer; the message names the layer.
    pub fn forward_train(&self, input: ArrayViewD<f32>) -> Result<(ArrayD<f32>, Vec<Cache>)> {
        let mut x = input.to_owned();
        let mut caches = Vec::with_capacity(self.layers.len());
        for (name, layer) in &self.layers {
            let (y, cache) = layer.forward_train(x).map_err(|e| e.in_layer(name))?;
            caches.push(cache);
            x = y;
        }
        Ok((x, caches))
    }

    // ANCHOR: sequential_backward
    /// Backpropagation through the whole network: from `d_out = dL/d(output)` and the
    /// caches of [`Sequential::forward_train`], the layers' backward passes run in
    /// reverse order, each handing its input gradient to the layer before it.
    ///
    /// Returns `dL/d(input)` (the gradient with respect to the network's input, as the
    /// visualisation methods need) and, for each layer in order, its parameter
    /// gradients (`None` for a layer without parameters).
    ///
    /// # Errors
    /// Caches that do not come from this network, or a `d_out` of the wrong shape.
    pub fn backward(
        &self,
        caches: &[Cache],
        d_out: ArrayViewD<f32>,
    ) -> Result<(ArrayD<f32>, Vec<Option<ParameterGradients>>)> {
        self.check_caches(caches)?;
        let mut gradients = vec![None; self.layers.len()];
        let mut d_x = d_out.to_owned();
        for (index, ((name, layer), cache)) in self.layers.iter().zip(caches).enumerate().rev() {
            let (d_input, parameters) = layer
                .backward(cache, d_x.view())
                .map_err(|e| e.in_layer(name))?;
            gradients[index] = parameters;
            d_x = d_input;
        }
        Ok((d_x, gradients))
    }
    // ANCHOR_END: sequential_backward

    /// The parameter gradients of [`Sequential::backward`] alone, for training: the
    /// same numbers, without the gradient with respect to the network's input, which
    /// training never uses (for a first convolution that skips its largest col2im).
    ///
    /// # Errors
    /// The same as [`Sequential::backward`].
    pub fn parameter_gradients(
        &self,
        caches: &[Cache],
        d_out: ArrayViewD<f32>,
    ) -> Result<Vec<Option<ParameterGradients>>> {
        self.check_caches(caches)?;
        let mut gradients = vec![None; self.layers.len()];
        let mut d_x = d_out.to_owned();
        for (index, ((name, layer), cache)) in self.layers.iter().zip(caches).enumerate().rev() {
            let input_gradient = index > 0; // the first layer's input is the data
            let (d_input, parameters) = layer
                .backward_inner(cache, d_x.view(), input_gradient)
                .map_err(|e| e.in_layer(name))?;
            gradients[index] = parameters;
            if let Some(d_input) = d_input {
                d_x = d_input;
            }
        }
        Ok(gradients)
    }

    /// Checks that there is one cache per layer.
    fn check_caches(&self, caches: &[Cache]) -> Result<()> {
        if caches.len() != self.layers.len() {
            return Err(CnnError::InvalidConfig(format!(
                "backward: {} caches for a network of {} layers",
                caches.len(),
                self.layers.len()
            )));
        }
        Ok(())
    }

    /// The position of the layer called `name` in [`Sequential::layers`].
    ///
    /// # Errors
    /// No layer has that name; the message lists the names there are.
    pub fn layer_index(&self, name: &str) -> Result<usize> {
        self.layers
            .iter()
            .position(|(existing, _)| existing == name)
            .ok_or_else(|| {
                let names: Vec<&str> = self.layers.iter().map(|(n, _)| n.as_str()).collect();
                CnnError::InvalidConfig(format!(
                    "no layer named {name:?}; the layers are {}",
                    names.join(", ")
                ))
            })
    }

    /// Run layers `0..=last` for training, keeping their caches: the output of layer
    /// `last` and one [`Cache`] per layer run. With [`Sequential::backward_to_input`]
    /// this gives the gradient of anything computed from that layer's output with
    /// respect to the network's input, which is what saliency, activation
    /// maximisation and inversion need.
    ///
    /// # Errors
    /// `last` is not a layer index, or a shape does not fit a layer.
    pub fn forward_train_to(
        &self,
        input: ArrayViewD<f32>,
        last: usize,
    ) -> Result<(ArrayD<f32>, Vec<Cache>)> {
        self.check_layer_index(last)?;
        let mut x = input.to_owned();
        let mut caches = Vec::with_capacity(last + 1);
        for (name, layer) in &self.layers[..=last] {
            let (y, cache) = layer.forward_train(x).map_err(|e| e.in_layer(name))?;
            caches.push(cache);
            x = y;
        }
        Ok((x, caches))
    }

    /// Run layers `0..=last` and return the output of layer `last`.
    ///
    /// # Errors
    /// `last` is not a layer index, or a shape does not fit a layer.
    pub fn forward_to(&self, input: ArrayViewD<f32>, last: usize) -> Result<ArrayD<f32>> {
        self.check_layer_index(last)?;
        let mut x = input.to_owned();
        for (name, layer) in &self.layers[..=last] {
            x = layer.forward(x.view()).map_err(|e| e.in_layer(name))?;
        }
        Ok(x)
    }

    /// Backpropagate `d_out`, a gradient with respect to the output of the last layer
    /// that `caches` covers (from [`Sequential::forward_train_to`]), down to the
    /// network's input: `d_out: [shape of that layer's output] -> dL/d(input): [N, C, H, W]`.
    /// The parameter gradients are computed on the way and dropped.
    ///
    /// # Errors
    /// More caches than layers, or a `d_out` of the wrong shape.
    pub fn backward_to_input(
        &self,
        caches: &[Cache],
        d_out: ArrayViewD<f32>,
    ) -> Result<ArrayD<f32>> {
        if caches.len() > self.layers.len() {
            return Err(CnnError::InvalidConfig(format!(
                "backward_to_input: {} caches for a network of {} layers",
                caches.len(),
                self.layers.len()
            )));
        }
        let mut d_x = d_out.to_owned();
        for ((name, layer), cache) in self.layers.iter().zip(caches).rev() {
            let (d_input, _) = layer
                .backward(cache, d_x.view())
                .map_err(|e| e.in_layer(name))?;
            d_x = d_input;
        }
        Ok(d_x)
    }

    fn check_layer_index(&self, index: usize) -> Result<()> {
        if index >= self.layers.len() {
            return Err(CnnError::InvalidConfig(format!(
                "layer index {index} is out of range: the network has {} layers (0 to {})",
                self.layers.len(),
                self.layers.len().saturating_sub(1)
            )));
        }
        Ok(())
    }

    /// Total learned values of all layers.
    pub fn parameter_count(&self) -> usize {
        self.layers
            .iter()
            .map(|(_, layer)| layer.parameter_count())
            .sum()
    }

    /// Each layer's output shape and parameter count for an input of `input_shape`,
    /// found by running a zero input through the network (one image is enough).
    ///
    /// # Errors
    /// A shape that does not fit a layer.
    pub fn summary(&self, input_shape: &[usize]) -> Result<Vec<LayerSummary>> {
        let outputs = self.forward_all(ArrayD::zeros(input_shape).view())?;
        Ok(self
            .layers
            .iter()
            .zip(outputs)
            .map(|((name, layer), output)| LayerSummary {
                name: name.clone(),
                description: layer.describe(),
                output_shape: output.shape().to_vec(),
                parameters: layer.parameter_count(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conv::Conv2dConfig;
    use ndarray::{Array1, Array2, Array4};

    fn tiny() -> Sequential {
        let mut net = Sequential::new();
        let conv = Conv2d::new(
            "conv",
            Array4::ones((2, 1, 3, 3)),
            Array1::zeros(2),
            Conv2dConfig::default(),
        );
        net.push("conv", Layer::Conv2d(conv.unwrap())).unwrap();
        net.push("relu", Layer::Relu).unwrap();
        net.push("pool", Layer::Pool2d(Pool2d::max(2, 2).unwrap()))
            .unwrap();
        net.push("flatten", Layer::Flatten).unwrap();
        let dense = Dense::new("dense", Array2::ones((3, 8)), Array1::zeros(3)).unwrap();
        net.push("dense", Layer::Dense(dense)).unwrap();
        net.push("softmax", Layer::Softmax).unwrap();
        net
    }

    #[test]
    fn shapes_flow_through_the_layers() {
        let net = tiny();
        let summary = net.summary(&[1, 1, 6, 6]).unwrap();
        let shapes: Vec<_> = summary.iter().map(|s| s.output_shape.clone()).collect();
        assert_eq!(
            shapes,
            vec![
                vec![1, 2, 4, 4],
                vec![1, 2, 4, 4],
                vec![1, 2, 2, 2],
                vec![1, 8],
                vec![1, 3],
                vec![1, 3]
            ]
        );
        assert_eq!(net.parameter_count(), 2 * 9 + 2 + 3 * 8 + 3);
        let probabilities = net.forward(ArrayD::ones(vec![1, 1, 6, 6]).view()).unwrap();
        assert!((probabilities.sum() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_wrong_input_names_the_layer() {
        let e = tiny()
            .forward(ArrayD::ones(vec![1, 2, 6, 6]).view())
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("conv: "), "{e}");
        let e = tiny()
            .forward(ArrayD::ones(vec![6, 6]).view())
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "conv: convolution input: expected shape [N, C, H, W], got [6, 6]"
        );
        let mut net = tiny();
        assert!(net.push("relu", Layer::Relu).is_err());
    }

    /// Two convolutions with varied weights, for the backward-pass tests.
    fn two_convolutions() -> Sequential {
        let varied = |shape: (usize, usize, usize, usize), scale: f32| {
            Array4::from_shape_fn(shape, |(a, b, c, d)| {
                ((a * 7 + b * 5 + c * 3 + d) % 11) as f32 * scale - 0.2
            })
        };
        let padded = Conv2dConfig {
            padding: 1,
            ..Conv2dConfig::default()
        };
        let mut net = Sequential::new();
        let conv1 = Conv2d::new(
            "conv1",
            varied((3, 2, 3, 3), 0.05),
            Array1::zeros(3),
            padded,
        );
        net.push("conv1", Layer::Conv2d(conv1.unwrap())).unwrap();
        net.push("relu", Layer::Relu).unwrap();
        let conv2 = Conv2d::new("conv2", varied((2, 3, 3, 3), 0.03), Array1::ones(2), padded);
        net.push("conv2", Layer::Conv2d(conv2.unwrap())).unwrap();
        net
    }

    #[test]
    fn parameter_gradients_equal_those_of_the_full_backward_pass() {
        let net = two_convolutions();
        // 20 images: more than one chunk of IMAGES_PER_CHUNK.
        let x = ArrayD::from_shape_fn(vec![20, 2, 5, 6], |i| {
            ((i[0] + 2 * i[2] + i[3]) % 9) as f32 / 9.0
        });
        let (y, caches) = net.forward_train(x.view()).unwrap();
        assert!(matches!(caches[0].kept, Kept::Patches(_)));
        assert!(matches!(caches[2].kept, Kept::Patches(_)));
        let d_out = y.mapv(|v| v.sin());
        let (d_input, full) = net.backward(&caches, d_out.view()).unwrap();
        assert_eq!(d_input.shape(), x.shape());
        let only = net.parameter_gradients(&caches, d_out.view()).unwrap();
        assert_eq!(only, full);
        // Without the kept patches, the backward pass unrolls the saved input again.
        let unkept: Vec<Cache> = caches
            .iter()
            .map(|cache| Cache {
                kept: Kept::Nothing,
                ..cache.clone()
            })
            .collect();
        let (d_input_again, full_again) = net.backward(&unkept, d_out.view()).unwrap();
        assert_eq!(d_input_again, d_input);
        assert_eq!(full_again, full);
    }

    #[test]
    fn patches_from_another_layer_are_an_error() {
        let net = two_convolutions();
        let x = ArrayD::zeros(vec![4, 2, 5, 6]);
        let (y, mut caches) = net.forward_train(x.view()).unwrap();
        caches[2].kept = caches[0].kept.clone(); // conv1's patches offered to conv2
        let e = net.backward(&caches, y.view()).unwrap_err().to_string();
        assert!(e.starts_with("conv2: "), "{e}");
        // The right channels but another batch: the chunk count does not fit.
        let (_, other) = net
            .forward_train(ArrayD::zeros(vec![20, 2, 5, 6]).view())
            .unwrap();
        caches[2].kept = other[2].kept.clone();
        let e = net.backward(&caches, y.view()).unwrap_err().to_string();
        assert!(e.contains("got [4, 2, 5, 6]"), "{e}");
        // Patches that claim the right input but hold the wrong chunks.
        let wrong = Patches {
            input_shape: (4, 3, 5, 6),
            chunks: Vec::new(),
        };
        let weight = Array4::zeros((2, 3, 3, 3));
        let d_out = Array4::zeros((4, 2, 5, 6));
        let e = conv2d_backward_from_patches(&wrong, weight.view(), d_out.view(), 1, 1)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unrolled for another kernel or batch"), "{e}");
    }
}
