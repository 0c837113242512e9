//! Loading a trained Keras model saved in the TensorFlow.js "layers-model" format.
//!
//! Such a model is two kinds of file (see the TensorFlow.js converter's documentation):
//!
//! - `model.json`: the *topology* (the Keras layers in order, with their settings)
//!   and the *weights manifest* (the name, shape and data type of every tensor, and
//!   the binary files, "shards", that hold them);
//! - one or more shards such as `group1-shard1of1.bin`: the tensors' values as
//!   little-endian `float32`, row-major in the listed shape, packed one after the other
//!   in the manifest's order with no padding.
//!
//! Keras stores images channels-last, `[N, H, W, C]`, and this library channels-first,
//! `[N, C, H, W]`. Two things must be converted when the weights are read:
//!
//! 1. A convolution kernel is stored HWIO, `[KH, KW, C, F]`; the library wants
//!    `[F, C, KH, KW]` ([`hwio_to_fchw`]).
//! 2. A dense layer after a flatten was trained on a vector flattened channels-last;
//!    its kernel's rows are reordered for the library's channel-first [`flatten`]
//!    ([`channels_last_rows_to_channels_first`]).
//!
//! [`load_layers_model`] reads both files, checks every tensor's shape and byte count
//! against the topology and the shard, converts the layouts, and returns a
//! [`Sequential`] of the library's own layers.
//!
//! Every file is read through [`crate::data::files`] (regular files only, with a size
//! limit), every shard must lie in the folder of `model.json` (a manifest cannot make
//! the loader read other files on the disk), and every size is counted with checked
//! arithmetic and compared with the bytes present before anything is allocated.
//!
//! [`flatten`]: crate::ops::linear::flatten

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use ndarray::{Array1, Array2, Array4, ArrayD, ArrayView2, ArrayView4, IxDyn};
use serde::Deserialize;

use crate::data::files::read_limited;
use crate::error::{CnnError, Result};
use crate::nn::{Conv2d, Conv2dConfig, Dense, Layer, Pool2d, Sequential};
use crate::shape::output_size;

/// The largest `model.json` that is read.
pub const MAX_MODEL_JSON_BYTES: u64 = 64 << 20;
/// The most bytes all of a model's shards together may hold.
pub const MAX_WEIGHT_BYTES: u64 = 1 << 30;

/// A convolution kernel from Keras's HWIO layout to the library's.
///
/// `kernel: [KH, KW, C, F] -> output: [F, C, KH, KW]`
///
/// ```text
/// output[f, c, u, v] = kernel[u, v, c, f]
/// ```
pub fn hwio_to_fchw(kernel: ArrayView4<f32>) -> Array4<f32> {
    let (kernel_h, kernel_w, channels, filters) = kernel.dim();
    let mut output = Array4::zeros((filters, channels, kernel_h, kernel_w));
    for f in 0..filters {
        for c in 0..channels {
            for u in 0..kernel_h {
                for v in 0..kernel_w {
                    output[[f, c, u, v]] = kernel[[u, v, c, f]];
                }
            }
        }
    }
    output
}

/// A Keras dense kernel trained after a channels-last flatten, as a weight for the
/// library's channel-first [`flatten`](crate::ops::linear::flatten).
///
/// `kernel: [H*W*C, O] -> weight: [O, C*H*W]`
///
/// Keras flattens an `[H, W, C]` map so that value `(i, j, c)` lands at index
/// `(i*W + j)*C + c`; the library flattens `[C, H, W]` so that it lands at
/// `c*H*W + i*W + j`. The weight that multiplies value `(i, j, c)` must move with it:
///
/// ```text
/// weight[o, c*H*W + i*W + j] = kernel[(i*W + j)*C + c, o]
/// ```
///
/// (It is also transposed, since Keras stores `[I, O]` and the library `[O, I]`.)
/// After this, `linear(flatten(x), weight)` gives exactly Keras's output.
///
/// # Panics
/// A kernel whose number of rows is not `C*H*W`.
pub fn channels_last_rows_to_channels_first(
    kernel: ArrayView2<f32>,
    channels: usize,
    height: usize,
    width: usize,
) -> Array2<f32> {
    let (inputs, outputs) = kernel.dim();
    assert_eq!(
        inputs,
        channels * height * width,
        "dense kernel {:?} does not have C*H*W = {channels}*{height}*{width} rows",
        kernel.shape()
    );
    let mut weight = Array2::zeros((outputs, inputs));
    for o in 0..outputs {
        for c in 0..channels {
            for i in 0..height {
                for j in 0..width {
                    weight[[o, c * height * width + i * width + j]] =
                        kernel[[(i * width + j) * channels + c, o]];
                }
            }
        }
    }
    weight
}

// ---------------------------------------------------------------------------
// model.json, as far as this loader reads it.
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
struct ModelJson {
    format: Option<String>,
    #[serde(rename = "modelTopology")]
    model_topology: Topology,
    #[serde(rename = "weightsManifest")]
    weights_manifest: Vec<WeightGroup>,
}

#[derive(Deserialize)]
struct Topology {
    model_config: ModelConfig,
}

#[derive(Deserialize)]
struct ModelConfig {
    class_name: String,
    config: SequentialConfig,
}

#[derive(Deserialize)]
struct SequentialConfig {
    layers: Vec<KerasLayer>,
}

/// One Keras layer: its class and its settings, read further by class.
#[derive(Deserialize)]
struct KerasLayer {
    class_name: String,
    config: serde_json::Value,
}

#[derive(Deserialize)]
struct Conv2dSettings {
    name: String,
    batch_input_shape: Option<Vec<Option<usize>>>,
    filters: usize,
    kernel_size: [usize; 2],
    strides: [usize; 2],
    padding: String,
    data_format: Option<String>,
    dilation_rate: Option<[usize; 2]>,
    activation: String,
    use_bias: bool,
}

#[derive(Deserialize)]
struct ActivationSettings {
    name: String,
    activation: String,
}

#[derive(Deserialize)]
struct PoolSettings {
    name: String,
    pool_size: [usize; 2],
    strides: [usize; 2],
    padding: String,
    data_format: Option<String>,
}

#[derive(Deserialize)]
struct FlattenSettings {
    name: String,
}

#[derive(Deserialize)]
struct DenseSettings {
    name: String,
    units: usize,
    activation: String,
    use_bias: bool,
}

/// One group of the weights manifest: the shard files, read one after the other as
/// one byte string, and the tensors they hold, in order.
#[derive(Deserialize)]
struct WeightGroup {
    paths: Vec<String>,
    weights: Vec<WeightSpec>,
}

#[derive(Deserialize)]
struct WeightSpec {
    name: String,
    shape: Vec<usize>,
    dtype: String,
}

/// Bytes of one `float32`.
const FLOAT32_BYTES: usize = 4;

/// Read `model.json` and parse it.
fn read_model_json(model_json: &Path) -> Result<ModelJson> {
    let bytes = read_limited(model_json, MAX_MODEL_JSON_BYTES)?;
    let model: ModelJson = serde_json::from_slice(&bytes).map_err(|source| CnnError::Json {
        path: model_json.to_path_buf(),
        source,
    })?;
    if let Some(format) = &model.format
        && format != "layers-model"
    {
        return Err(model_error(
            model_json,
            format!("format is {format:?}, but this loader reads only \"layers-model\""),
        ));
    }
    Ok(model)
}

/// An error about the contents of `model.json` (or of what it describes).
fn model_error(model_json: &Path, reason: String) -> CnnError {
    CnnError::format(model_json, reason)
}

/// The path of a shard named in the manifest of `model_json`: a file name (or a path
/// of plain names) inside the model's folder. An absolute path, `..`, or a symbolic
/// link that leads out of the folder is refused.
fn shard_path(model_json: &Path, folder: &Path, shard: &str) -> Result<PathBuf> {
    let relative = Path::new(shard);
    let plain = !shard.is_empty()
        && relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    let outside = || {
        model_error(
            model_json,
            format!(
                "the weights manifest names shard {shard:?}, which is not a file in the model's folder"
            ),
        )
    };
    if !plain {
        return Err(outside());
    }
    let path = folder.join(relative);
    let real_folder = folder.canonicalize().map_err(|e| CnnError::io(folder, e))?;
    let real_path = path.canonicalize().map_err(|e| CnnError::io(&path, e))?;
    if !real_path.starts_with(&real_folder) {
        return Err(outside());
    }
    Ok(path)
}

/// Every tensor named in the weights manifest of `model_json`, read from its shards,
/// in the manifest's shape and layout (HWIO kernels stay HWIO), by name.
///
/// # Errors
/// A missing or unreadable `model.json` or shard; a data type other than `float32`;
/// a tensor named twice; a manifest that names a tensor the shards do not hold (they
/// end before it); shards holding more bytes than the manifest's tensors take.
pub fn read_weights(model_json: &Path) -> Result<BTreeMap<String, ArrayD<f32>>> {
    let model = read_model_json(model_json)?;
    read_weight_groups(model_json, &model.weights_manifest)
}

fn read_weight_groups(
    model_json: &Path,
    groups: &[WeightGroup],
) -> Result<BTreeMap<String, ArrayD<f32>>> {
    let folder = match model_json.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut tensors = BTreeMap::new();
    let mut budget = MAX_WEIGHT_BYTES;
    for group in groups {
        // The group's shards, concatenated, are one byte string.
        let mut bytes = Vec::new();
        for shard in &group.paths {
            let shard_bytes = read_limited(&shard_path(model_json, folder, shard)?, budget)?;
            budget -= shard_bytes.len() as u64;
            bytes.extend_from_slice(&shard_bytes);
        }
        let shards = group.paths.join(" + ");
        let mut offset: usize = 0;
        for spec in &group.weights {
            if spec.dtype != "float32" {
                return Err(model_error(
                    model_json,
                    format!(
                        "tensor {} has dtype {:?}; this loader reads only float32",
                        spec.name, spec.dtype
                    ),
                ));
            }
            // Counted with checked arithmetic: a shape such as [2^32, 2^32] is an
            // error, not a wrapped-around size.
            let size = spec
                .shape
                .iter()
                .try_fold(FLOAT32_BYTES, |product, &d| product.checked_mul(d));
            let end = size.and_then(|size| offset.checked_add(size));
            let (Some(size), Some(end)) = (size, end) else {
                return Err(model_error(
                    model_json,
                    format!(
                        "tensor {} has shape {:?}, too large to count",
                        spec.name, spec.shape
                    ),
                ));
            };
            if end > bytes.len() {
                return Err(model_error(
                    model_json,
                    format!(
                        "the weights manifest names tensor {} (shape {:?}, {size} bytes from byte \
                         {offset}), but {shards} holds only {} bytes",
                        spec.name,
                        spec.shape,
                        bytes.len()
                    ),
                ));
            }
            let values: Vec<f32> = bytes[offset..end]
                .chunks_exact(FLOAT32_BYTES)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            let tensor = ArrayD::from_shape_vec(IxDyn(&spec.shape), values)
                .expect("count values fill the shape they were counted from");
            if tensors.insert(spec.name.clone(), tensor).is_some() {
                return Err(model_error(
                    model_json,
                    format!("the weights manifest names tensor {} twice", spec.name),
                ));
            }
            offset += size;
        }
        if offset != bytes.len() {
            return Err(model_error(
                model_json,
                format!(
                    "wrong byte count: the weights manifest's tensors take {offset} bytes, but \
                     {shards} holds {} bytes",
                    bytes.len()
                ),
            ));
        }
    }
    Ok(tensors)
}

/// What flows between layers while the network is built: an image-like map or a
/// flat vector (remembering the map it was flattened from, for the next dense layer).
#[derive(Debug, Clone, Copy)]
enum Flowing {
    /// `[C, H, W]` per image.
    Maps {
        channels: usize,
        height: usize,
        width: usize,
    },
    /// `[features]` per image; `flattened_from` is `(C, H, W)` right after a flatten.
    Vector {
        features: usize,
        flattened_from: Option<(usize, usize, usize)>,
    },
}

/// Load a Keras `Sequential` model saved by the TensorFlow.js converter as a
/// library [`Sequential`].
///
/// Reads the layer classes `Conv2D` (padding `"valid"`), `MaxPooling2D` (`"valid"`),
/// `Activation`, `Flatten` and `Dense`, channels-last. Keras layer names are kept; an
/// activation that Keras fuses into a `Conv2D` or `Dense` layer becomes a layer of
/// its own named `"{layer}_{activation}"` (the softmax of Tiny VGG's `output` layer
/// is `output_softmax`).
///
/// Layouts are converted as the [module documentation](self) explains. Of the two
/// ways to handle the channels-last flatten (reorder the dense kernel's rows once,
/// here, or add a channels-last flatten layer to the library) this loader takes the
/// first: the network it returns is made only of the library's ordinary layers, so
/// everything written for them (forward passes that keep every activation, backward
/// passes, saliency) works on it unchanged, and the cost is paid once at load time
/// instead of at every forward pass.
///
/// # Errors
/// Everything [`read_weights`] reports; a layer class or setting this loader does
/// not read (with the layer's name); a tensor a layer needs that the manifest does
/// not list; a tensor whose shape does not fit the architecture (such as a dense
/// kernel whose row count is not the flattened size of the maps before it); a tensor
/// in the manifest that no layer uses.
pub fn load_layers_model(model_json: &Path) -> Result<Sequential> {
    let model = read_model_json(model_json)?;
    if model.model_topology.model_config.class_name != "Sequential" {
        return Err(model_error(
            model_json,
            format!(
                "the model is a Keras {}, but this loader reads only Sequential models",
                model.model_topology.model_config.class_name
            ),
        ));
    }
    let mut tensors = read_weight_groups(model_json, &model.weights_manifest)?;
    let layers = &model.model_topology.model_config.config.layers;
    let error = |reason: String| model_error(model_json, reason);

    let mut network = Sequential::new();
    let mut flowing: Option<Flowing> = None;
    for (index, keras) in layers.iter().enumerate() {
        match keras.class_name.as_str() {
            "Conv2D" => {
                let conv: Conv2dSettings = parse_settings(model_json, index, keras)?;
                let name = conv.name.as_str();
                check_channels_last(model_json, name, conv.data_format.as_deref())?;
                if conv.padding != "valid" {
                    return Err(error(format!(
                        "layer {name}: padding {:?} is not supported (only \"valid\")",
                        conv.padding
                    )));
                }
                if conv.strides[0] != conv.strides[1] {
                    return Err(error(format!(
                        "layer {name}: strides {:?} differ; only equal strides are supported",
                        conv.strides
                    )));
                }
                if conv.dilation_rate.is_some_and(|d| d != [1, 1]) {
                    return Err(error(format!(
                        "layer {name}: dilation {:?} is not supported",
                        conv.dilation_rate
                    )));
                }
                let (channels, height, width) = match flowing {
                    Some(Flowing::Maps {
                        channels,
                        height,
                        width,
                    }) => (channels, height, width),
                    None => input_maps(model_json, name, conv.batch_input_shape.as_deref())?,
                    Some(Flowing::Vector { .. }) => {
                        return Err(error(format!(
                            "layer {name}: a convolution after a flatten or dense layer"
                        )));
                    }
                };
                let [kernel_h, kernel_w] = conv.kernel_size;
                if kernel_h == 0 || kernel_w == 0 || conv.filters == 0 || conv.strides[0] == 0 {
                    return Err(error(format!(
                        "layer {name}: kernel {kernel_h}x{kernel_w}, {} filters and stride {} must all be at least 1",
                        conv.filters, conv.strides[0]
                    )));
                }
                let expected = [kernel_h, kernel_w, channels, conv.filters];
                let kernel = take_tensor(
                    &mut tensors,
                    model_json,
                    &format!("{name}/kernel"),
                    &expected,
                    &format!("[KH, KW, C, F] for {channels} input channels"),
                )?;
                let kernel = kernel
                    .into_dimensionality::<ndarray::Ix4>()
                    .expect("the shape was checked to have 4 axes");
                let bias = take_bias(&mut tensors, model_json, name, conv.use_bias, conv.filters)?;
                let weight = hwio_to_fchw(kernel.view()); // [KH, KW, C, F] -> [F, C, KH, KW]
                let config = Conv2dConfig {
                    stride: conv.strides[0],
                    padding: 0,
                };
                let layer = Conv2d::new(weight, bias, config).map_err(|e| e.in_layer(name))?;
                let out_h = output_size(height, kernel_h, config.stride, 0)
                    .map_err(|e| e.in_layer(name))?;
                let out_w =
                    output_size(width, kernel_w, config.stride, 0).map_err(|e| e.in_layer(name))?;
                network.push(name, layer)?;
                push_activation(&mut network, model_json, name, &conv.activation)?;
                flowing = Some(Flowing::Maps {
                    channels: conv.filters,
                    height: out_h,
                    width: out_w,
                });
            }
            "Activation" => {
                let activation: ActivationSettings = parse_settings(model_json, index, keras)?;
                let layer = activation_layer(model_json, &activation.name, &activation.activation)?;
                if let Some(layer) = layer {
                    network.push(&activation.name, layer)?;
                }
            }
            "MaxPooling2D" => {
                let pool: PoolSettings = parse_settings(model_json, index, keras)?;
                let name = pool.name.as_str();
                check_channels_last(model_json, name, pool.data_format.as_deref())?;
                let square =
                    pool.pool_size[0] == pool.pool_size[1] && pool.strides[0] == pool.strides[1];
                if pool.padding != "valid" || !square {
                    return Err(error(format!(
                        "layer {name}: only square \"valid\" pooling with equal strides is \
                         supported, got pool_size {:?}, strides {:?}, padding {:?}",
                        pool.pool_size, pool.strides, pool.padding
                    )));
                }
                let Some(Flowing::Maps {
                    channels,
                    height,
                    width,
                }) = flowing
                else {
                    return Err(error(format!(
                        "layer {name}: pooling needs feature maps from a layer before it"
                    )));
                };
                let layer = Pool2d::max(pool.pool_size[0], pool.strides[0])
                    .map_err(|e| e.in_layer(name))?;
                let [_, _, out_h, out_w] = layer
                    .output_shape([1, channels, height, width])
                    .map_err(|e| e.in_layer(name))?;
                network.push(name, layer)?;
                flowing = Some(Flowing::Maps {
                    channels,
                    height: out_h,
                    width: out_w,
                });
            }
            "Flatten" => {
                let flatten: FlattenSettings = parse_settings(model_json, index, keras)?;
                let Some(Flowing::Maps {
                    channels,
                    height,
                    width,
                }) = flowing
                else {
                    return Err(error(format!(
                        "layer {}: flatten needs feature maps from a layer before it",
                        flatten.name
                    )));
                };
                network.push(&flatten.name, Layer::Flatten)?;
                let features = channels
                    .checked_mul(height)
                    .and_then(|n| n.checked_mul(width))
                    .ok_or_else(|| {
                        error(format!(
                            "layer {}: maps of {channels}x{height}x{width} are too large to flatten",
                            flatten.name
                        ))
                    })?;
                flowing = Some(Flowing::Vector {
                    features,
                    flattened_from: Some((channels, height, width)),
                });
            }
            "Dense" => {
                let dense: DenseSettings = parse_settings(model_json, index, keras)?;
                let name = dense.name.as_str();
                let Some(Flowing::Vector {
                    features,
                    flattened_from,
                }) = flowing
                else {
                    return Err(error(format!(
                        "layer {name}: a dense layer needs a flatten (or dense) layer before it"
                    )));
                };
                if dense.units == 0 {
                    return Err(error(format!(
                        "layer {name}: a dense layer needs at least 1 unit"
                    )));
                }
                let why = match flattened_from {
                    Some((c, h, w)) => format!("[I, O] with I = {h}x{w}x{c} flattened inputs"),
                    None => format!("[I, O] with I = {features} inputs"),
                };
                let kernel = take_tensor(
                    &mut tensors,
                    model_json,
                    &format!("{name}/kernel"),
                    &[features, dense.units],
                    &why,
                )?;
                let kernel = kernel
                    .into_dimensionality::<ndarray::Ix2>()
                    .expect("the shape was checked to have 2 axes");
                let bias = take_bias(&mut tensors, model_json, name, dense.use_bias, dense.units)?;
                // ANCHOR: reorder_dense
                let weight = match flattened_from {
                    // Trained on a channels-last flatten: move each row to where the
                    // library's channel-first flatten puts its input value.
                    Some((channels, height, width)) => {
                        channels_last_rows_to_channels_first(kernel.view(), channels, height, width)
                    } // [H*W*C, O] -> [O, C*H*W]
                    None => kernel.t().to_owned(), // [I, O] -> [O, I]
                };
                // ANCHOR_END: reorder_dense
                let layer = Dense::new(weight, bias).map_err(|e| e.in_layer(name))?;
                network.push(name, layer)?;
                push_activation(&mut network, model_json, name, &dense.activation)?;
                flowing = Some(Flowing::Vector {
                    features: dense.units,
                    flattened_from: None,
                });
            }
            other => {
                let name = keras
                    .config
                    .get("name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("?")
                    .to_string();
                return Err(error(format!(
                    "layer {name} (number {index}): Keras layer class {other} is not supported"
                )));
            }
        }
    }
    if let Some(unused) = tensors.keys().next() {
        return Err(error(format!(
            "the weights manifest lists tensor {unused}, which no layer uses"
        )));
    }
    Ok(network)
}

/// A layer's settings, read as the struct for its class.
fn parse_settings<T: serde::de::DeserializeOwned>(
    model_json: &Path,
    index: usize,
    keras: &KerasLayer,
) -> Result<T> {
    serde_json::from_value(keras.config.clone()).map_err(|e| {
        model_error(
            model_json,
            format!(
                "layer number {index} ({}): unexpected settings: {e}",
                keras.class_name
            ),
        )
    })
}

fn check_channels_last(model_json: &Path, name: &str, data_format: Option<&str>) -> Result<()> {
    match data_format {
        None | Some("channels_last") => Ok(()),
        Some(other) => Err(model_error(
            model_json,
            format!("layer {name}: data_format {other:?} is not supported (only channels_last)"),
        )),
    }
}

/// The first layer's input `(C, H, W)` from Keras's `batch_input_shape`
/// `[null, H, W, C]`.
fn input_maps(
    model_json: &Path,
    name: &str,
    batch_input_shape: Option<&[Option<usize>]>,
) -> Result<(usize, usize, usize)> {
    match batch_input_shape {
        Some([_, Some(height), Some(width), Some(channels)]) => Ok((*channels, *height, *width)),
        other => Err(model_error(
            model_json,
            format!(
                "layer {name}: the first layer needs a batch_input_shape [null, H, W, C], got \
                 {other:?}"
            ),
        )),
    }
}

/// Remove tensor `name` from `tensors`, checking that it has the `expected` shape.
fn take_tensor(
    tensors: &mut BTreeMap<String, ArrayD<f32>>,
    model_json: &Path,
    name: &str,
    expected: &[usize],
    why: &str,
) -> Result<ArrayD<f32>> {
    let tensor = tensors.remove(name).ok_or_else(|| {
        model_error(
            model_json,
            format!("the topology needs tensor {name}, which the weights manifest does not list"),
        )
    })?;
    if tensor.shape() != expected {
        return Err(model_error(
            model_json,
            format!(
                "tensor {name} has shape {:?}, which does not fit the architecture: expected \
                 {expected:?} ({why})",
                tensor.shape()
            ),
        ));
    }
    Ok(tensor)
}

/// The bias `[units]` of layer `name`, or zeros if the layer has none.
fn take_bias(
    tensors: &mut BTreeMap<String, ArrayD<f32>>,
    model_json: &Path,
    name: &str,
    use_bias: bool,
    units: usize,
) -> Result<Array1<f32>> {
    if !use_bias {
        return Ok(Array1::zeros(units));
    }
    let bias = take_tensor(
        tensors,
        model_json,
        &format!("{name}/bias"),
        &[units],
        "one per output",
    )?;
    Ok(bias
        .into_dimensionality::<ndarray::Ix1>()
        .expect("the shape was checked to have 1 axis"))
}

/// The library layer for a Keras activation name; `None` for `"linear"`.
fn activation_layer(model_json: &Path, name: &str, activation: &str) -> Result<Option<Layer>> {
    Ok(Some(match activation {
        "linear" => return Ok(None),
        "relu" => Layer::Relu,
        "sigmoid" => Layer::Sigmoid,
        "tanh" => Layer::Tanh,
        "softmax" => Layer::Softmax,
        other => {
            return Err(model_error(
                model_json,
                format!("layer {name}: activation {other:?} is not supported"),
            ));
        }
    }))
}

/// Append the activation Keras fused into layer `name`, as a layer of its own.
fn push_activation(
    network: &mut Sequential,
    model_json: &Path,
    name: &str,
    activation: &str,
) -> Result<()> {
    if let Some(layer) = activation_layer(model_json, name, activation)? {
        network.push(&format!("{name}_{activation}"), layer)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::linear::{flatten, linear};
    use ndarray::{Array, Array4};

    #[test]
    fn hwio_kernel_moves_to_fchw() {
        // kernel[u, v, c, f] = 1000u + 100v + 10c + f, so every entry says where it was.
        let kernel = Array4::from_shape_fn((3, 2, 4, 5), |(u, v, c, f)| {
            (1000 * u + 100 * v + 10 * c + f) as f32
        });
        let weight = hwio_to_fchw(kernel.view());
        assert_eq!(weight.dim(), (5, 4, 3, 2));
        assert_eq!(weight[[4, 3, 2, 1]], 2134.0);
    }

    #[test]
    fn reordered_dense_matches_a_channels_last_flatten() {
        let (channels, height, width, outputs) = (3, 2, 4, 5);
        let maps = Array::from_shape_fn((1, channels, height, width), |(_, c, i, j)| {
            (c * 7 + i * 3 + j) as f32 * 0.1 - 1.0
        });
        let kernel = Array::from_shape_fn((height * width * channels, outputs), |(r, o)| {
            ((r * 5 + o * 11) % 13) as f32 - 6.0
        });
        // What Keras computes: flatten [H, W, C], then x . kernel.
        let channels_last = maps.view().permuted_axes([0, 2, 3, 1]).to_owned();
        let keras_flat = channels_last
            .to_shape((1, height * width * channels))
            .unwrap()
            .to_owned();
        let keras = keras_flat.dot(&kernel);
        // The library: flatten [C, H, W] with the reordered weight.
        let weight = channels_last_rows_to_channels_first(kernel.view(), channels, height, width);
        let ours = linear(
            flatten(maps.view()).view(),
            weight.view(),
            Array1::zeros(outputs).view(),
        )
        .unwrap();
        // The same products, added in another order: equal up to float rounding.
        let largest_difference = (&ours - &keras).fold(0f32, |m, d| m.max(d.abs()));
        assert!(largest_difference < 1e-4, "{ours} vs {keras}");
        // Without the reordering, the answer is far off.
        let unordered = linear(
            flatten(maps.view()).view(),
            kernel.t(),
            Array1::zeros(outputs).view(),
        )
        .unwrap();
        assert!((&unordered - &keras).fold(0f32, |m, d| m.max(d.abs())) > 1.0);
    }
}
