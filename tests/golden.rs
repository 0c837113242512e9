//! Every forward pass of `cnn-core` against reference tensors computed by PyTorch.
//!
//! Each JSON file in `tests/golden/` is one case (see `tests/golden/README.md`): the
//! operation's name in `op`, its inputs and hyperparameters, the expected `output`,
//! and gradients for the backward passes. This test reads *every* file; a file whose
//! `op` it does not know makes it fail, so a new reference case cannot be skipped
//! without anyone noticing.
//!
//! Every backward field (`grad_input`, `grad_weight`, `grad_bias`, `grad_logits`) is
//! checked too: the case's `grad_output` is handed to our backward pass, and each
//! gradient it returns is compared with PyTorch's. A case with `grad_output` must have
//! every gradient its op produces, so none can be left out silently.

use std::fs;
use std::path::PathBuf;

use cnn_core::ops::{
    avg_pool2d, avg_pool2d_backward, avg_pool2d_naive, conv1d, conv1d_backward, conv2d,
    conv2d_backward, conv2d_backward_naive, conv2d_naive, linear, linear_backward, log_softmax,
    max_pool2d, max_pool2d_backward, max_pool2d_backward_naive, max_pool2d_naive,
    max_pool2d_with_argmax, relu, relu_backward, sigmoid, sigmoid_backward, softmax,
    softmax_cross_entropy, softmax_cross_entropy_backward, tanh, tanh_backward,
};
use ndarray::{Array, ArrayD, ArrayView, Dimension, IntoDimension, Ix1, Ix2, Ix3, Ix4, IxDyn};
use serde::Deserialize;

/// Agreement expected with PyTorch: the files round to 7 decimals and both sides sum in
/// f32, in different orders, so allow `1e-5` relative plus a small absolute slack for
/// values near zero.
const RELATIVE_TOLERANCE: f32 = 1e-5;
const ABSOLUTE_TOLERANCE: f32 = 2e-6;

/// A tensor as stored in the files: its shape and its values flattened row-major.
#[derive(Debug, Deserialize)]
struct Tensor {
    shape: Vec<usize>,
    data: Vec<f32>,
}

impl Tensor {
    /// The tensor as an array of dimension `D`, or an error naming the file's shape.
    fn to_array<D: Dimension>(&self, what: &str) -> Result<Array<f32, D>, String> {
        let array = ArrayD::from_shape_vec(IxDyn(&self.shape), self.data.clone())
            .map_err(|e| format!("{what}: shape {:?} does not fit the data: {e}", self.shape))?;
        array.into_dimensionality::<D>().map_err(|_| {
            format!(
                "{what}: unexpected number of dimensions in {:?}",
                self.shape
            )
        })
    }
}

/// One golden file. Every field an op might use is optional; [`check_case`] says which
/// ones each op requires.
#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    op: String,
    // Hyperparameters.
    stride: Option<usize>,
    padding: Option<usize>,
    kernel: Option<usize>,
    // Forward inputs.
    input: Option<Tensor>,
    weight: Option<Tensor>,
    bias: Option<Tensor>,
    logits: Option<Tensor>,
    targets: Option<Vec<usize>>,
    // Forward results.
    output: Option<Tensor>,
    softmax: Option<Tensor>,
    loss: Option<f32>,
    // Backward: dL/dy given, dL/dx, dL/dW, dL/db expected.
    grad_output: Option<Tensor>,
    grad_input: Option<Tensor>,
    grad_weight: Option<Tensor>,
    grad_bias: Option<Tensor>,
    grad_logits: Option<Tensor>,
}

/// A required field, or an error naming it.
fn required<'a, T>(field: &'a Option<T>, name: &str) -> Result<&'a T, String> {
    field
        .as_ref()
        .ok_or_else(|| format!("missing field `{name}`"))
}

/// A required tensor field as an array of dimension `D`.
fn tensor<D: Dimension>(field: &Option<Tensor>, name: &str) -> Result<Array<f32, D>, String> {
    required(field, name)?.to_array(name)
}

/// Compares the three gradients of a layer with weights (input, weight, bias) with
/// the case's `grad_input`, `grad_weight` and `grad_bias`.
fn compare_parameter_gradients<D: Dimension, E: Dimension>(
    what: &str,
    case: &Case,
    d_input: ArrayView<f32, D>,
    d_weight: ArrayView<f32, E>,
    d_bias: ArrayView<f32, ndarray::Ix1>,
) -> Result<(), String> {
    compare(what, d_input, required(&case.grad_input, "grad_input")?)?;
    compare(what, d_weight, required(&case.grad_weight, "grad_weight")?)?;
    compare(what, d_bias, required(&case.grad_bias, "grad_bias")?)
}

/// Compares our result with the expected tensor: same shape, every value within
/// tolerance. Returns a description of the first few differences.
fn compare<D: Dimension>(
    what: &str,
    ours: ArrayView<f32, D>,
    expected: &Tensor,
) -> Result<(), String> {
    if ours.shape() != expected.shape.as_slice() {
        return Err(format!(
            "{what}: shape {:?}, expected {:?}",
            ours.shape(),
            expected.shape
        ));
    }
    let differences: Vec<String> = ours
        .iter()
        .zip(&expected.data)
        .enumerate()
        .filter(|&(_, (&a, &b))| !close(a, b))
        .map(|(i, (a, b))| format!("[{i}] {a} vs {b}"))
        .collect();
    if differences.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{what}: {} of {} values differ (ours vs PyTorch, flat index): {}",
            differences.len(),
            expected.data.len(),
            differences[..differences.len().min(5)].join(", ")
        ))
    }
}

fn close(ours: f32, expected: f32) -> bool {
    (ours - expected).abs() <= ABSOLUTE_TOLERANCE + RELATIVE_TOLERANCE * expected.abs()
}

/// Runs our implementation of the case's op and compares every forward result it
/// has. Returns what was checked, or what went wrong.
fn check_case(case: &Case) -> Result<Vec<&'static str>, String> {
    let mut checked = Vec::new();
    let expected_output = || required(&case.output, "output");
    match case.op.as_str() {
        "conv2d" => {
            let x = tensor::<Ix4>(&case.input, "input")?;
            let w = tensor::<Ix4>(&case.weight, "weight")?;
            let b = tensor::<Ix1>(&case.bias, "bias")?;
            let (s, p) = (
                *required(&case.stride, "stride")?,
                *required(&case.padding, "padding")?,
            );
            let naive =
                conv2d_naive(x.view(), w.view(), b.view(), s, p).map_err(|e| e.to_string())?;
            compare("conv2d_naive output", naive.view(), expected_output()?)?;
            checked.push("conv2d_naive");
            let fast = conv2d(x.view(), w.view(), b.view(), s, p).map_err(|e| e.to_string())?;
            compare("conv2d output", fast.view(), expected_output()?)?;
            checked.push("conv2d");
            if case.grad_output.is_some() {
                let d_out = tensor::<Ix4>(&case.grad_output, "grad_output")?;
                for (name, gradients) in [
                    (
                        "conv2d_backward_naive",
                        conv2d_backward_naive(x.view(), w.view(), d_out.view(), s, p),
                    ),
                    (
                        "conv2d_backward",
                        conv2d_backward(x.view(), w.view(), d_out.view(), s, p),
                    ),
                ] {
                    let g = gradients.map_err(|e| e.to_string())?;
                    compare_parameter_gradients(
                        name,
                        case,
                        g.d_input.view(),
                        g.d_weight.view(),
                        g.d_bias.view(),
                    )?;
                    checked.push(name);
                }
            }
        }
        "conv1d" => {
            let x = tensor::<Ix3>(&case.input, "input")?;
            let w = tensor::<Ix3>(&case.weight, "weight")?;
            let b = tensor::<Ix1>(&case.bias, "bias")?;
            let (s, p) = (
                *required(&case.stride, "stride")?,
                *required(&case.padding, "padding")?,
            );
            let y = conv1d(x.view(), w.view(), b.view(), s, p).map_err(|e| e.to_string())?;
            compare("conv1d output", y.view(), expected_output()?)?;
            checked.push("conv1d");
            if case.grad_output.is_some() {
                let d_out = tensor::<Ix3>(&case.grad_output, "grad_output")?;
                let g = conv1d_backward(x.view(), w.view(), d_out.view(), s, p)
                    .map_err(|e| e.to_string())?;
                let name = "conv1d_backward";
                compare_parameter_gradients(
                    name,
                    case,
                    g.d_input.view(),
                    g.d_weight.view(),
                    g.d_bias.view(),
                )?;
                checked.push(name);
            }
        }
        "max_pool2d" | "avg_pool2d" => {
            let x = tensor::<Ix4>(&case.input, "input")?;
            let (k, s) = (
                *required(&case.kernel, "kernel")?,
                *required(&case.stride, "stride")?,
            );
            if case.padding.unwrap_or(0) != 0 {
                return Err("pooling with padding is not supported".to_string());
            }
            // The reference loops and the fast versions, both against PyTorch.
            let (y, y_naive) = if case.op == "max_pool2d" {
                (max_pool2d(x.view(), k, s), max_pool2d_naive(x.view(), k, s))
            } else {
                (avg_pool2d(x.view(), k, s), avg_pool2d_naive(x.view(), k, s))
            };
            let (y, y_naive) = (
                y.map_err(|e| e.to_string())?,
                y_naive.map_err(|e| e.to_string())?,
            );
            compare("pooling output", y.view(), expected_output()?)?;
            compare(
                "pooling output (reference loop)",
                y_naive.view(),
                expected_output()?,
            )?;
            checked.push(if case.op == "max_pool2d" {
                "max_pool2d"
            } else {
                "avg_pool2d"
            });
            if case.grad_output.is_some() {
                let d_out = tensor::<Ix4>(&case.grad_output, "grad_output")?;
                let (d_x, name) = if case.op == "max_pool2d" {
                    let searched = max_pool2d_backward_naive(x.view(), d_out.view(), k, s);
                    compare(
                        "max_pool2d_backward_naive",
                        searched.view(),
                        required(&case.grad_input, "grad_input")?,
                    )?;
                    let (_, argmax) =
                        max_pool2d_with_argmax(x.view(), k, s).map_err(|e| e.to_string())?;
                    let (n, c, h, w) = x.dim();
                    let recorded = max_pool2d_backward(argmax.view(), d_out.view(), [n, c, h, w])
                        .map_err(|e| e.to_string())?;
                    (recorded, "max_pool2d_backward")
                } else {
                    let (n, c, h, w) = x.dim();
                    (
                        avg_pool2d_backward([n, c, h, w], d_out.view(), k, s),
                        "avg_pool2d_backward",
                    )
                };
                compare(name, d_x.view(), required(&case.grad_input, "grad_input")?)?;
                checked.push(name);
            }
        }
        "linear" => {
            let x = tensor::<Ix2>(&case.input, "input")?;
            let w = tensor::<Ix2>(&case.weight, "weight")?;
            let b = tensor::<Ix1>(&case.bias, "bias")?;
            let y = linear(x.view(), w.view(), b.view()).map_err(|e| e.to_string())?;
            compare("linear output", y.view(), expected_output()?)?;
            checked.push("linear");
            if case.grad_output.is_some() {
                let d_out = tensor::<Ix2>(&case.grad_output, "grad_output")?;
                let g = linear_backward(x.view(), w.view(), d_out.view());
                let name = "linear_backward";
                compare_parameter_gradients(
                    name,
                    case,
                    g.d_input.view(),
                    g.d_weight.view(),
                    g.d_bias.view(),
                )?;
                checked.push(name);
            }
        }
        "relu" | "sigmoid" | "tanh" => {
            let x = tensor::<IxDyn>(&case.input, "input")?;
            let y = match case.op.as_str() {
                "relu" => relu(x.view()),
                "sigmoid" => sigmoid(x.view()),
                _ => tanh(x.view()),
            };
            compare("activation output", y.view(), expected_output()?)?;
            checked.push("activation");
            if case.grad_output.is_some() {
                let d_out = tensor::<IxDyn>(&case.grad_output, "grad_output")?;
                // ReLU's local gradient reads the input; sigmoid's and tanh's the output.
                let d_x = match case.op.as_str() {
                    "relu" => relu_backward(x.view(), d_out.view()),
                    "sigmoid" => sigmoid_backward(y.view(), d_out.view()),
                    _ => tanh_backward(y.view(), d_out.view()),
                };
                compare(
                    "activation backward",
                    d_x.view(),
                    required(&case.grad_input, "grad_input")?,
                )?;
                checked.push("activation_backward");
            }
        }
        "softmax_cross_entropy" => {
            let z = tensor::<Ix2>(&case.logits, "logits")?;
            let targets = required(&case.targets, "targets")?;
            let p = softmax(z.view());
            compare("softmax", p.view(), required(&case.softmax, "softmax")?)?;
            checked.push("softmax");
            // log_softmax must be the log of the same probabilities; compare after exp,
            // since the file stores probabilities, not their logs.
            let p_from_log = log_softmax(z.view()).mapv(f32::exp);
            compare(
                "exp(log_softmax)",
                p_from_log.view(),
                required(&case.softmax, "softmax")?,
            )?;
            checked.push("log_softmax");
            let loss = softmax_cross_entropy(z.view(), targets).map_err(|e| e.to_string())?;
            let expected = *required(&case.loss, "loss")?;
            if !close(loss, expected) {
                return Err(format!("loss: ours {loss}, PyTorch {expected}"));
            }
            checked.push("softmax_cross_entropy");
            let d_logits =
                softmax_cross_entropy_backward(z.view(), targets).map_err(|e| e.to_string())?;
            compare(
                "softmax_cross_entropy_backward",
                d_logits.view(),
                required(&case.grad_logits, "grad_logits")?,
            )?;
            checked.push("softmax_cross_entropy_backward");
        }
        other => {
            return Err(format!(
                "unknown op `{other}`: teach tests/golden.rs to check it"
            ));
        }
    }
    Ok(checked)
}

fn golden_dir() -> PathBuf {
    cnn_book::output::repo_root().join("tests").join("golden")
}

/// Every `.json` file in `tests/golden/`, sorted by name.
fn golden_files() -> Vec<PathBuf> {
    let dir = golden_dir();
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_forward_and_backward_pass_matches_pytorch() {
    let files = golden_files();
    assert!(
        !files.is_empty(),
        "no golden files in {}",
        golden_dir().display()
    );

    let mut failures = Vec::new();
    let mut report = Vec::new();
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{file}: {e}"));
        let case: Case = match serde_json::from_str(&text) {
            Ok(case) => case,
            Err(e) => {
                failures.push(format!("{file}: not a golden case: {e}"));
                continue;
            }
        };
        match check_case(&case) {
            Ok(checked) => report.push(format!("{file} ({}): {}", case.name, checked.join(", "))),
            Err(e) => failures.push(format!("{file} ({}, op {}): {e}", case.name, case.op)),
        }
    }
    // Shown with `cargo test --test golden -- --nocapture`.
    println!("checked against PyTorch:\n  {}", report.join("\n  "));
    assert!(
        failures.is_empty(),
        "{} of {} golden files failed:\n  {}",
        failures.len(),
        files.len(),
        failures.join("\n  ")
    );
}

/// The loader must refuse an op it does not know rather than pass silently.
#[test]
fn an_unknown_op_is_a_failure() {
    let case: Case = serde_json::from_str(
        r#"{"name": "future", "op": "batch_norm", "input": {"shape": [1], "data": [0.0]}}"#,
    )
    .unwrap();
    let e = check_case(&case).unwrap_err();
    assert!(e.contains("unknown op `batch_norm`"), "{e}");
}

/// Sanity check of the tolerance itself: a value off by one part in ten thousand fails.
#[test]
fn the_comparison_catches_a_wrong_value() {
    let expected = Tensor {
        shape: vec![2],
        data: vec![1.0, 2.0],
    };
    let ours = Array::from_vec(vec![1.0f32, 2.0002]);
    assert!(compare("x", ours.view(), &expected).is_err());
    let ours = Array::from_vec(vec![1.0f32, 2.000_001]);
    assert!(compare("x", ours.view(), &expected).is_ok());
    let wrong_shape = Array::from_shape_vec([1, 2].into_dimension(), vec![1.0f32, 2.0]).unwrap();
    assert!(compare("x", wrong_shape.view(), &expected).is_err());
}
