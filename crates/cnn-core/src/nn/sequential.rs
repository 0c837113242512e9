//! A network as a list of named layers, run one after the other.

use ndarray::Array4;

use crate::error::{CnnError, Result};
use crate::nn::layer::{Cache, Layer, ParameterGradients, Want};
use crate::nn::tensor::{Tensor, TensorView};

/// A network: named layers applied in order.
///
/// ```
/// use cnn_core::nn::{Conv2d, Conv2dConfig, Dense, Init, Layer, Pool2d, Sequential};
/// use rand::SeedableRng;
///
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let mut net = Sequential::new();
/// net.push("conv", Conv2d::random(1, 4, 3, Conv2dConfig::default(), Init::He, &mut rng)?)?;
/// net.push("relu", Layer::Relu)?;
/// net.push("pool", Pool2d::max(2, 2)?)?;
/// net.push("flatten", Layer::Flatten)?;
/// net.push("fc", Dense::random(4 * 3 * 3, 10, Init::He, &mut rng)?)?;
///
/// let images = ndarray::Array4::<f32>::zeros((2, 1, 8, 8));
/// let logits = net.forward(&images)?.into_flat()?; // [2, 1, 8, 8] -> [2, 10]
/// assert_eq!(logits.dim(), (2, 10));
/// # Ok::<(), cnn_core::CnnError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sequential {
    layers: Vec<NamedLayer>,
}

/// A layer and its name in a [`Sequential`] network. The name is stored here only,
/// and an error inside the layer starts with it.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedLayer {
    /// The layer's name, such as `"conv1"`.
    pub name: String,
    /// The layer.
    pub layer: Layer,
}

/// What a forward pass for training keeps: the output, and one [`Cache`] per layer for
/// the backward pass.
#[derive(Debug, Clone)]
pub struct Trace {
    /// The output of the last layer that ran.
    pub output: Tensor,
    /// One cache per layer, in order.
    pub caches: Vec<Cache>,
}

/// The result of a backward pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Gradients {
    /// `dL/d(input)`, the gradient with respect to the network's input, if it was
    /// wanted.
    pub input: Option<Tensor>,
    /// For each layer in order, its parameter gradients (`None` for a layer without
    /// parameters, or when they were not wanted).
    pub layers: Vec<Option<ParameterGradients>>,
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

    /// Append a layer called `name`.
    ///
    /// # Errors
    /// A name that is empty or already used.
    pub fn push(&mut self, name: &str, layer: impl Into<Layer>) -> Result<()> {
        if name.is_empty() || self.layers.iter().any(|existing| existing.name == name) {
            return Err(CnnError::setting(format!(
                "layer name {name:?} is empty or already used in this network"
            )));
        }
        self.layers.push(NamedLayer {
            name: name.to_string(),
            layer: layer.into(),
        });
        Ok(())
    }

    /// The layers, in the order they run.
    pub fn layers(&self) -> &[NamedLayer] {
        &self.layers
    }

    /// The layers, mutable (for an optimiser, or to load new weights).
    pub fn layers_mut(&mut self) -> &mut [NamedLayer] {
        &mut self.layers
    }

    /// The position of the layer called `name`.
    ///
    /// # Errors
    /// No layer has that name; the message lists the names there are.
    pub fn index_of(&self, name: &str) -> Result<usize> {
        self.layers
            .iter()
            .position(|layer| layer.name == name)
            .ok_or_else(|| CnnError::NotFound {
                what: "layer".to_string(),
                name: name.to_string(),
                available: self.layers.iter().map(|layer| layer.name.clone()).collect(),
            })
    }

    /// The layer called `name`.
    ///
    /// # Errors
    /// No layer has that name.
    pub fn layer(&self, name: &str) -> Result<&Layer> {
        Ok(&self.layers[self.index_of(name)?].layer)
    }

    /// The first layers, up to and including the one called `name`: a network whose
    /// output is that layer's, for looking inside (chapter 8).
    ///
    /// # Errors
    /// No layer has that name.
    pub fn until(&self, name: &str) -> Result<Sequential> {
        let last = self.index_of(name)?;
        Ok(Sequential {
            layers: self.layers[..=last].to_vec(),
        })
    }

    /// Run every layer; return the last output.
    ///
    /// `input: [N, C, H, W] (or [N, D]) -> output: the last layer's`
    ///
    /// # Errors
    /// A shape that does not fit a layer; the message names the layer.
    pub fn forward<'a>(&self, input: impl Into<TensorView<'a>>) -> Result<Tensor> {
        let mut x = input.into().to_owned();
        for NamedLayer { name, layer } in &self.layers {
            x = layer.forward(x.view()).map_err(|e| e.in_layer(name))?;
        }
        Ok(x)
    }

    /// Run every layer and keep every layer's output, for display: element `i` is
    /// the output of layer `i`.
    ///
    /// # Errors
    /// A shape that does not fit a layer; the message names the layer.
    pub fn forward_all<'a>(&self, input: impl Into<TensorView<'a>>) -> Result<Vec<Tensor>> {
        let input = input.into();
        let mut outputs: Vec<Tensor> = Vec::with_capacity(self.layers.len());
        for NamedLayer { name, layer } in &self.layers {
            let y = match outputs.last() {
                Some(x) => layer.forward(x.view()),
                None => layer.forward(input),
            };
            outputs.push(y.map_err(|e| e.in_layer(name))?);
        }
        Ok(outputs)
    }

    /// Run every layer for training, keeping what [`Sequential::backward`] needs.
    ///
    /// # Errors
    /// A shape that does not fit a layer; the message names the layer.
    pub fn forward_train<'a>(&self, input: impl Into<TensorView<'a>>) -> Result<Trace> {
        let mut x = input.into().to_owned();
        let mut caches = Vec::with_capacity(self.layers.len());
        for NamedLayer { name, layer } in &self.layers {
            let (y, cache) = layer.forward_train(x).map_err(|e| e.in_layer(name))?;
            caches.push(cache);
            x = y;
        }
        Ok(Trace { output: x, caches })
    }

    // ANCHOR: sequential_backward
    /// Backpropagation through the whole network: from `d_out = dL/d(output)` and the
    /// trace of [`Sequential::forward_train`], the layers' backward passes run in
    /// reverse order, each handing its input gradient to the layer before it.
    ///
    /// `want` says which gradients to compute: [`Want::Parameters`] for training (the
    /// first layer then skips its input gradient), [`Want::Input`] for methods that
    /// change the image (no weight gradient is computed), or [`Want::All`].
    ///
    /// # Errors
    /// A trace that does not come from this network, or a `d_out` of the wrong shape.
    pub fn backward<'a>(
        &self,
        trace: &Trace,
        d_out: impl Into<TensorView<'a>>,
        want: Want,
    ) -> Result<Gradients> {
        self.check_trace(trace)?;
        let mut layers = vec![None; self.layers.len()];
        let mut d_x = d_out.into().to_owned();
        for (index, (NamedLayer { name, layer }, cache)) in
            self.layers.iter().zip(&trace.caches).enumerate().rev()
        {
            let first = index == 0;
            let (d_input, parameters) = layer
                .backward(cache, d_x.view(), want, first)
                .map_err(|e| e.in_layer(name))?;
            layers[index] = parameters;
            if let Some(d_input) = d_input {
                d_x = d_input;
            }
        }
        let input = (want != Want::Parameters).then_some(d_x);
        Ok(Gradients { input, layers })
    }
    // ANCHOR_END: sequential_backward

    /// Checks that a trace has one cache per layer.
    fn check_trace(&self, trace: &Trace) -> Result<()> {
        if trace.caches.len() != self.layers.len() {
            return Err(CnnError::mismatch(format!(
                "backward: a trace of {} layers for a network of {} layers",
                trace.caches.len(),
                self.layers.len()
            )));
        }
        Ok(())
    }

    /// Total learned values of all layers.
    pub fn parameter_count(&self) -> usize {
        self.layers.iter().map(|l| l.layer.parameter_count()).sum()
    }

    /// Whether every weight and bias is finite (no NaN, no infinity): a model that
    /// diverged in training is not.
    pub fn is_finite(&self) -> bool {
        self.layers.iter().all(|l| match l.layer.parameters() {
            Some((weight, bias)) => weight.iter().chain(bias.iter()).all(|v| v.is_finite()),
            None => true,
        })
    }

    /// Each layer's output shape and parameter count for images of
    /// `[N, C, H, W] = input_shape`, found by running a zero input through the network
    /// (one image is enough).
    ///
    /// # Errors
    /// A shape that does not fit a layer.
    pub fn summary(&self, input_shape: [usize; 4]) -> Result<Vec<LayerSummary>> {
        let outputs = self.forward_all(&Array4::zeros(input_shape))?;
        Ok(self
            .layers
            .iter()
            .zip(outputs)
            .map(|(NamedLayer { name, layer }, output)| LayerSummary {
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
    use crate::nn::layer::Kept;
    use crate::nn::layers::{Conv2d, Conv2dConfig, Dense, Pool2d};
    use crate::ops::conv2d::{Patches, conv2d_backward_from_patches};
    use ndarray::{Array1, Array2};

    fn tiny() -> Sequential {
        let mut net = Sequential::new();
        let conv = Conv2d::new(
            Array4::ones((2, 1, 3, 3)),
            Array1::zeros(2),
            Conv2dConfig::default(),
        );
        net.push("conv", conv.unwrap()).unwrap();
        net.push("relu", Layer::Relu).unwrap();
        net.push("pool", Pool2d::max(2, 2).unwrap()).unwrap();
        net.push("flatten", Layer::Flatten).unwrap();
        let dense = Dense::new(Array2::ones((3, 8)), Array1::zeros(3)).unwrap();
        net.push("dense", dense).unwrap();
        net.push("softmax", Layer::Softmax).unwrap();
        net
    }

    #[test]
    fn shapes_flow_through_the_layers() {
        let net = tiny();
        let summary = net.summary([1, 1, 6, 6]).unwrap();
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
        let probabilities = net
            .forward(&Array4::ones((1, 1, 6, 6)))
            .unwrap()
            .into_flat()
            .unwrap();
        assert!((probabilities.sum() - 1.0).abs() < 1e-6);
    }

    #[test]
    fn an_error_names_the_layer_once() {
        // The layer's name is stored in the network only, so it appears once.
        let e = tiny()
            .forward(&Array4::ones((1, 2, 6, 6)))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "conv: conv2d input for weight [2, 1, 3, 3]: expected shape [N, 1, H, W], got [1, 2, 6, 6]"
        );
        let e = tiny()
            .forward(&Array2::ones((6, 6)))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "conv: input: expected shape feature maps [N, C, H, W], got [6, 6]"
        );
        let e = tiny()
            .forward(&Array4::ones((1, 1, 2, 6)))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "conv: conv2d (height): kernel 3 is larger than the padded input 2 (input 2 + 2*0 padding)"
        );
        let mut net = tiny();
        assert!(net.push("relu", Layer::Relu).is_err());
        let e = net.layer("conv9").unwrap_err().to_string();
        assert_eq!(
            e,
            "no layer named \"conv9\"; there are: conv, relu, pool, flatten, dense, softmax"
        );
    }

    #[test]
    fn until_keeps_the_first_layers() {
        let net = tiny();
        let front = net.until("pool").unwrap();
        assert_eq!(front.layers().len(), 3);
        let maps = front
            .forward(&Array4::ones((1, 1, 6, 6)))
            .unwrap()
            .into_maps()
            .unwrap();
        assert_eq!(maps.dim(), (1, 2, 2, 2));
    }

    /// Two convolutions with varied weights, for the backward-pass tests.
    fn two_convolutions() -> Sequential {
        let varied = |shape: (usize, usize, usize, usize), scale: f32| {
            Array4::from_shape_fn(shape, |(a, b, c, d)| {
                ((a * 7 + b * 5 + c * 3 + d) % 11) as f32 * scale - 0.2
            })
        };
        let padded = Conv2dConfig::padding(1);
        let mut net = Sequential::new();
        let conv1 = Conv2d::new(varied((3, 2, 3, 3), 0.05), Array1::zeros(3), padded);
        net.push("conv1", conv1.unwrap()).unwrap();
        net.push("relu", Layer::Relu).unwrap();
        let conv2 = Conv2d::new(varied((2, 3, 3, 3), 0.03), Array1::ones(2), padded);
        net.push("conv2", conv2.unwrap()).unwrap();
        net
    }

    #[test]
    fn every_want_gives_the_same_numbers_as_the_full_backward_pass() {
        let net = two_convolutions();
        // 20 images: more than one chunk of IMAGES_PER_CHUNK.
        let x = Array4::from_shape_fn((20, 2, 5, 6), |(n, _, h, w)| {
            ((n + 2 * h + w) % 9) as f32 / 9.0
        });
        let trace = net.forward_train(&x).unwrap();
        assert!(matches!(trace.caches[0].kept, Kept::Patches(_)));
        assert!(matches!(trace.caches[2].kept, Kept::Patches(_)));
        let d_out = trace.output.map(f32::sin);
        let all = net.backward(&trace, &d_out, Want::All).unwrap();
        assert_eq!(all.input.as_ref().unwrap().shape(), x.shape());
        let parameters = net.backward(&trace, &d_out, Want::Parameters).unwrap();
        assert_eq!(parameters.layers, all.layers);
        assert_eq!(parameters.input, None);
        let input = net.backward(&trace, &d_out, Want::Input).unwrap();
        assert_eq!(input.layers, vec![None, None, None]);
        let (a, b) = (
            input.input.unwrap().into_maps().unwrap(),
            all.input.clone().unwrap().into_maps().unwrap(),
        );
        let largest = (&a - &b).fold(0.0f32, |m, d| m.max(d.abs()));
        assert!(largest < 1e-6, "{largest}");
        assert_eq!(a, b, "the input-only path computes the same numbers");
        // Without the kept patches, the backward pass unrolls the saved input again.
        let mut unkept = trace.clone();
        for cache in &mut unkept.caches {
            cache.kept = Kept::Nothing;
        }
        assert_eq!(net.backward(&unkept, &d_out, Want::All).unwrap(), all);
    }

    #[test]
    fn pooling_and_flatten_keep_only_their_input_shape() {
        use crate::models::lenet::{LeNetConfig, lenet5};
        let net = lenet5(LeNetConfig::default(), 5).unwrap();
        let x = Array4::from_shape_fn((3, 1, 28, 28), |(n, _, i, j)| {
            ((n + i * j) % 7) as f32 / 7.0
        });
        let trace = net.forward_train(&x).unwrap();
        for (named, cache) in net.layers().iter().zip(&trace.caches) {
            let shape_only = matches!(named.layer, Layer::Pool2d(_) | Layer::Flatten);
            assert_eq!(cache.saved.is_none(), shape_only, "{}", named.name);
        }
        assert_eq!(trace.caches[2].input_shape, [3, 6, 28, 28]); // pool1
        assert!(matches!(trace.caches[2].kept, Kept::Argmax(_)));
        // The same gradients as from the saved inputs, with max pooling's winners
        // searched again in them (the reference path).
        let d_out = trace.output.map(|v| v.cos());
        let mut with_inputs = trace.clone();
        let mut input = Tensor::from(x.clone());
        for (named, cache) in net.layers().iter().zip(&mut with_inputs.caches) {
            cache.saved.get_or_insert_with(|| input.clone());
            if matches!(cache.kept, Kept::Argmax(_)) {
                cache.kept = Kept::Nothing;
            }
            input = named.layer.forward(input.view()).unwrap();
        }
        assert_eq!(
            net.backward(&trace, &d_out, Want::All).unwrap(),
            net.backward(&with_inputs, &d_out, Want::All).unwrap()
        );
    }

    #[test]
    fn a_trace_from_elsewhere_is_an_error() {
        let net = two_convolutions();
        let x = Array4::zeros((4, 2, 5, 6));
        let mut trace = net.forward_train(&x).unwrap();
        let d_out = trace.output.clone();
        trace.caches[2].kept = trace.caches[0].kept.clone(); // conv1's patches offered to conv2
        let e = net
            .backward(&trace, &d_out, Want::All)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("conv2: "), "{e}");
        // The right channels but another batch: the chunk count does not fit.
        let other = net.forward_train(&Array4::zeros((20, 2, 5, 6))).unwrap();
        trace.caches[2].kept = other.caches[2].kept.clone();
        let e = net
            .backward(&trace, &d_out, Want::All)
            .unwrap_err()
            .to_string();
        assert!(e.contains("got [4, 2, 5, 6]"), "{e}");
        // A wrong output gradient is an error, never a panic.
        let e = net
            .backward(&other, &d_out, Want::All)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("conv2: output gradient"), "{e}");
        let e = net
            .backward(&other, &Array2::<f32>::zeros((20, 3)), Want::All)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("conv2: output gradient"), "{e}");
        // A trace of another length.
        let short = tiny().forward_train(&Array4::zeros((1, 1, 6, 6))).unwrap();
        let e = net
            .backward(&short, &d_out, Want::All)
            .unwrap_err()
            .to_string();
        assert_eq!(e, "backward: a trace of 6 layers for a network of 3 layers");
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

    #[test]
    fn want_input_computes_no_parameter_gradient_in_any_layer_of_lenet() {
        // Chapter 8's loops: convolutions, pooling and dense layers, input gradient only.
        let net = crate::models::lenet::lenet5(Default::default(), 3).unwrap();
        let x = Array4::from_shape_fn((2, 1, 28, 28), |(n, _, h, w)| {
            ((n + 3 * h + w) % 11) as f32 / 11.0
        });
        let trace = net.forward_train(&x).unwrap();
        let d_out = trace.output.map(f32::cos);
        let input = net.backward(&trace, &d_out, Want::Input).unwrap();
        assert!(input.layers.iter().all(Option::is_none));
        let all = net.backward(&trace, &d_out, Want::All).unwrap();
        assert_eq!(input.input, all.input);
    }
}
