//! One layer of a network: its forward pass, what that pass keeps for the backward
//! pass, and the backward pass itself.

use ndarray::{Array1, Array4, ArrayD};

use crate::error::{CnnError, Result};
use crate::nn::layers::{Conv2d, Dense, Pool2d};
use crate::nn::tensor::{Tensor, TensorView};
use crate::ops::activation::{relu, relu_backward, sigmoid, sigmoid_backward, tanh, tanh_backward};
use crate::ops::conv2d::{
    Patches, conv2d_backward_from_patches, conv2d_gradients_from_input, conv2d_input_gradient,
    conv2d_parameter_gradients, trains_directly,
};
use crate::ops::conv2d_direct::conv2d_one_channel_parameter_gradients;
use crate::ops::linear::{flatten, flatten_backward, linear_backward, linear_input_gradient};
use crate::ops::pool::{
    PoolKind, avg_pool2d_backward, max_pool2d_backward, max_pool2d_backward_naive,
    max_pool2d_with_argmax,
};
use crate::ops::softmax::{softmax, softmax_backward};

/// One layer of a [`Sequential`](crate::nn::Sequential) network.
#[derive(Debug, Clone, PartialEq)]
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

impl From<Conv2d> for Layer {
    fn from(conv: Conv2d) -> Layer {
        Layer::Conv2d(conv)
    }
}

impl From<Pool2d> for Layer {
    fn from(pool: Pool2d) -> Layer {
        Layer::Pool2d(pool)
    }
}

impl From<Dense> for Layer {
    fn from(dense: Dense) -> Layer {
        Layer::Dense(dense)
    }
}

/// Which gradients a backward pass computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// The weights' and biases' gradients, for training. The first layer skips its
    /// input gradient: nothing needs the gradient of the data.
    Parameters,
    /// The gradient with respect to the network's input only, for methods that change
    /// the image and keep the weights (chapter 8): no weight gradient is computed.
    Input,
    /// Both.
    All,
}

/// What a layer's forward pass keeps for its backward pass.
#[derive(Debug, Clone)]
pub struct Cache {
    /// The layer's input (convolution, ReLU, dense) or its output (sigmoid, tanh,
    /// softmax: their local gradients are functions of the output). `None` for pooling
    /// (max pooling keeps the positions of its maxima instead) and flatten, whose
    /// backward passes need only the input's shape: a trace holds less, and the next
    /// layers reuse memory that was just read, still in the processor's caches.
    pub saved: Option<Tensor>,
    /// The shape of the layer's input, which its input gradient has.
    pub input_shape: Vec<usize>,
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
    /// A convolution's unrolled input (see [`conv2d_keeping_patches`](crate::ops::conv2d::conv2d_keeping_patches)).
    Patches(Patches),
    /// Where each max-pooling window's maximum was (see [`max_pool2d_with_argmax`]).
    Argmax(Array4<u32>),
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

impl Layer {
    /// Run the layer on `input`.
    ///
    /// # Errors
    /// Feature maps where the layer needs vectors or the other way round, or the
    /// wrong shape for the layer.
    pub fn forward(&self, input: TensorView) -> Result<Tensor> {
        Ok(match (self, input) {
            (Layer::Conv2d(conv), x) => conv.forward(x.maps()?)?.into(),
            (Layer::Pool2d(pool), x) => pool.forward(x.maps()?)?.into(),
            (Layer::Flatten, x) => flatten(x.maps()?).into(),
            (Layer::Dense(dense), x) => dense.forward(x.flat()?)?.into(),
            (Layer::Softmax, x) => softmax(x.flat()?).into(),
            (Layer::Relu, TensorView::Maps(x)) => relu(x).into(),
            (Layer::Relu, TensorView::Flat(x)) => relu(x).into(),
            (Layer::Sigmoid, TensorView::Maps(x)) => sigmoid(x).into(),
            (Layer::Sigmoid, TensorView::Flat(x)) => sigmoid(x).into(),
            (Layer::Tanh, TensorView::Maps(x)) => tanh(x).into(),
            (Layer::Tanh, TensorView::Flat(x)) => tanh(x).into(),
        })
    }

    /// Run the layer for training: the output, and what the backward pass will need
    /// (the [`Cache`]).
    ///
    /// # Errors
    /// The same as [`Layer::forward`].
    pub fn forward_train(&self, input: Tensor) -> Result<(Tensor, Cache)> {
        let input_shape = input.shape().to_vec();
        let (output, kept) = match self {
            // A convolution of one-channel images is computed directly (no patches);
            // its backward pass needs only the saved input.
            Layer::Conv2d(conv) if conv.weight.dim().1 == 1 => {
                (conv.forward(input.maps()?)?.into(), Kept::Nothing)
            }
            // A stride-1 convolution that is trained directly keeps nothing either: its
            // backward pass, too, reads the saved input itself.
            Layer::Conv2d(conv)
                if trains_directly(
                    input.maps()?.dim(),
                    conv.weight.dim(),
                    conv.stride,
                    conv.padding,
                ) =>
            {
                (conv.forward(input.maps()?)?.into(), Kept::Nothing)
            }
            // Any other convolution keeps its unrolled patches: its backward pass needs them.
            Layer::Conv2d(conv) => {
                let (y, patches) = conv.forward_keeping_patches(input.maps()?)?;
                (y.into(), Kept::Patches(patches))
            }
            // Max pooling keeps where each maximum was.
            Layer::Pool2d(pool) if pool.kind == PoolKind::Max => {
                let (y, argmax) = max_pool2d_with_argmax(input.maps()?, pool.kernel, pool.stride)?;
                (y.into(), Kept::Argmax(argmax))
            }
            _ => (self.forward(input.view())?, Kept::Nothing),
        };
        let output_shape = output.shape().to_vec();
        let saved = match self {
            // Sigmoid, tanh and softmax have local gradients written in their outputs.
            Layer::Sigmoid | Layer::Tanh | Layer::Softmax => Some(output.clone()),
            // Pooling needs only the input's shape (and max pooling, what it kept),
            // and so does flatten.
            Layer::Pool2d(_) | Layer::Flatten => None,
            _ => Some(input),
        };
        let cache = Cache {
            saved,
            input_shape,
            output_shape,
            kept,
        };
        Ok((output, cache))
    }

    /// The backward pass of the layer: from `d_out = dL/d(output)` and the forward
    /// pass's cache, the gradient with respect to the layer's input (unless `want` is
    /// [`Want::Parameters`] and this is the first layer, `first`) and, for a layer with
    /// parameters, the gradients of its weight and bias (unless `want` is
    /// [`Want::Input`]).
    ///
    /// # Errors
    /// A `d_out` whose shape is not the layer's output shape, or a cache that does not
    /// come from this layer.
    pub fn backward(
        &self,
        cache: &Cache,
        d_out: TensorView,
        want: Want,
        first: bool,
    ) -> Result<(Option<Tensor>, Option<ParameterGradients>)> {
        let expected_output = &cache.output_shape;
        if d_out.shape() != expected_output.as_slice() {
            return Err(CnnError::shape(
                "output gradient",
                &format!("{expected_output:?} (the layer's output shape)"),
                d_out.shape(),
            ));
        }
        let input_gradient = want != Want::Parameters || !first;
        let parameter_gradients = want != Want::Input;
        let saved = || cache.saved_tensor();
        let (d_input, parameters): (Tensor, _) = match self {
            Layer::Conv2d(conv) => {
                return conv_backward(conv, cache, d_out, input_gradient, parameter_gradients);
            }
            Layer::Pool2d(pool) => {
                let d_out = d_out.maps()?;
                let [n, c, h, w] = cache.input_maps_shape()?;
                let d_input = match (pool.kind, &cache.kept) {
                    (PoolKind::Max, Kept::Argmax(argmax)) => {
                        max_pool2d_backward(argmax.view(), d_out, [n, c, h, w])?
                    }
                    (PoolKind::Max, _) => {
                        let input = saved()?.maps()?;
                        max_pool2d_backward_naive(input, d_out, pool.kernel, pool.stride)
                    }
                    (PoolKind::Average, _) => {
                        avg_pool2d_backward([n, c, h, w], d_out, pool.kernel, pool.stride)
                    }
                };
                (d_input.into(), None)
            }
            Layer::Relu => match (saved()?, d_out) {
                (Tensor::Maps(x), TensorView::Maps(d)) => (relu_backward(x.view(), d).into(), None),
                (Tensor::Flat(x), TensorView::Flat(d)) => (relu_backward(x.view(), d).into(), None),
                _ => return Err(mixed_kinds()),
            },
            Layer::Sigmoid => match (saved()?, d_out) {
                (Tensor::Maps(y), TensorView::Maps(d)) => {
                    (sigmoid_backward(y.view(), d).into(), None)
                }
                (Tensor::Flat(y), TensorView::Flat(d)) => {
                    (sigmoid_backward(y.view(), d).into(), None)
                }
                _ => return Err(mixed_kinds()),
            },
            Layer::Tanh => match (saved()?, d_out) {
                (Tensor::Maps(y), TensorView::Maps(d)) => (tanh_backward(y.view(), d).into(), None),
                (Tensor::Flat(y), TensorView::Flat(d)) => (tanh_backward(y.view(), d).into(), None),
                _ => return Err(mixed_kinds()),
            },
            Layer::Flatten => {
                let shape = cache.input_maps_shape()?;
                (flatten_backward(d_out.flat()?, shape).into(), None)
            }
            // Without parameter gradients (chapter 8), only `d_x = d_out W` is computed.
            Layer::Dense(dense) if !parameter_gradients => {
                let d_input = linear_input_gradient(dense.weight.view(), d_out.flat()?);
                (d_input.into(), None)
            }
            Layer::Dense(dense) => {
                let gradients =
                    linear_backward(saved()?.flat()?, dense.weight.view(), d_out.flat()?);
                let parameters = ParameterGradients {
                    weight: gradients.d_weight.into_dyn(),
                    bias: gradients.d_bias,
                };
                (gradients.d_input.into(), Some(parameters))
            }
            Layer::Softmax => {
                let p = saved()?.flat()?;
                (softmax_backward(p, d_out.flat()?).into(), None)
            }
        };
        // The other layers' input gradients are cheap; they are computed and dropped.
        Ok((input_gradient.then_some(d_input), parameters))
    }

    /// The layer's weight and bias, if it has parameters.
    pub fn parameters(
        &self,
    ) -> Option<(ndarray::ArrayViewD<'_, f32>, ndarray::ArrayView1<'_, f32>)> {
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
                    PoolKind::Max => "max pool",
                    PoolKind::Average => "average pool",
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

/// A cache and a gradient of different kinds (maps and vectors): they cannot come from
/// the same forward pass.
impl Cache {
    /// The saved input or output, for the layers that keep one.
    ///
    /// # Errors
    /// A cache that holds none: it comes from another kind of layer.
    pub fn saved_tensor(&self) -> Result<&Tensor> {
        self.saved.as_ref().ok_or_else(|| {
            CnnError::mismatch("backward: the cache holds no input (it comes from another layer)")
        })
    }

    /// The layer's input shape as `[N, C, H, W]`.
    ///
    /// # Errors
    /// An input that was not a batch of maps.
    fn input_maps_shape(&self) -> Result<[usize; 4]> {
        match *self.input_shape.as_slice() {
            [n, c, h, w] => Ok([n, c, h, w]),
            _ => Err(CnnError::shape(
                "layer input",
                "[N, C, H, W]",
                &self.input_shape,
            )),
        }
    }
}

fn mixed_kinds() -> CnnError {
    CnnError::mismatch(
        "the output gradient and the cache are of different kinds (maps and vectors)",
    )
}

/// The backward pass of a convolution layer: from the kept patches (or the saved input,
/// unrolled again), the gradients `want` asks for.
fn conv_backward(
    conv: &Conv2d,
    cache: &Cache,
    d_out: TensorView,
    input_gradient: bool,
    parameter_gradients: bool,
) -> Result<(Option<Tensor>, Option<ParameterGradients>)> {
    let (weight, d_out) = (conv.weight.view(), d_out.maps()?);
    let (stride, padding) = (conv.stride, conv.padding);
    if !parameter_gradients {
        let input_shape = cache.input_maps_shape()?;
        let d_input = conv2d_input_gradient(weight, d_out, input_shape, stride, padding)?;
        return Ok((Some(d_input.into()), None));
    }
    let channels = weight.dim().1;
    if channels == 1 && !input_gradient {
        // A first layer on one-channel images: the direct gradients, from the input.
        let input = cache.saved_tensor()?.maps()?;
        let (d_weight, d_bias) =
            conv2d_one_channel_parameter_gradients(input, weight, d_out, stride, padding)?;
        let parameters = ParameterGradients {
            weight: d_weight.into_dyn(),
            bias: d_bias,
        };
        return Ok((None, Some(parameters)));
    }
    let Kept::Patches(patches) = &cache.kept else {
        // No patches kept: directly from the saved input, or from patches unrolled now.
        let input = cache.saved_tensor()?.maps()?;
        let (d_input, d_weight, d_bias) =
            conv2d_gradients_from_input(input, weight, d_out, stride, padding, input_gradient)?;
        let parameters = ParameterGradients {
            weight: d_weight.into_dyn(),
            bias: d_bias,
        };
        return Ok((d_input.map(Tensor::from), Some(parameters)));
    };
    let (d_input, d_weight, d_bias) = if input_gradient {
        let gradients = conv2d_backward_from_patches(patches, weight, d_out, stride, padding)?;
        (
            Some(gradients.d_input.into()),
            gradients.d_weight,
            gradients.d_bias,
        )
    } else {
        let (d_weight, d_bias) =
            conv2d_parameter_gradients(patches, weight, d_out, stride, padding)?;
        (None, d_weight, d_bias)
    };
    let parameters = ParameterGradients {
        weight: d_weight.into_dyn(),
        bias: d_bias,
    };
    Ok((d_input, Some(parameters)))
}
