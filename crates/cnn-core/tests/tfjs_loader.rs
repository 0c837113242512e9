//! The TensorFlow.js loader on the real CNN Explainer files, and on broken copies of
//! them written to a temporary folder: every way the files can disagree gives an
//! error that says what and where, never a panic.

use std::fs;
use std::path::{Path, PathBuf};

use cnn_core::data::tfjs::{load_layers_model, read_weights};
use cnn_core::models::tiny_vgg;
use serde_json::Value;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/cnn-explainer")
}

/// A fresh copy of model.json and the shard in a temporary folder of its own.
struct BrokenCopy {
    dir: PathBuf,
}

impl BrokenCopy {
    fn new(test: &str) -> BrokenCopy {
        let dir = std::env::temp_dir().join(format!("cnn-core-tfjs-{test}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for file in ["model.json", "group1-shard1of1.bin"] {
            fs::copy(data_dir().join(file), dir.join(file)).unwrap();
        }
        BrokenCopy { dir }
    }

    fn model_json(&self) -> PathBuf {
        self.dir.join("model.json")
    }

    fn shard(&self) -> PathBuf {
        self.dir.join("group1-shard1of1.bin")
    }

    /// Change model.json's weights manifest (the list of tensors of its one group).
    fn edit_manifest(&self, edit: impl FnOnce(&mut Vec<Value>)) {
        let mut model: Value =
            serde_json::from_str(&fs::read_to_string(self.model_json()).unwrap()).unwrap();
        let weights = model["weightsManifest"][0]["weights"]
            .as_array_mut()
            .unwrap();
        edit(weights);
        fs::write(self.model_json(), serde_json::to_string(&model).unwrap()).unwrap();
    }

    fn error(&self) -> String {
        load_layers_model(&self.model_json())
            .unwrap_err()
            .to_string()
    }
}

impl Drop for BrokenCopy {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn the_real_files_load_as_tiny_vgg() {
    let network = tiny_vgg::load(&data_dir().join("model.json")).unwrap();
    let names: Vec<&str> = network.layers().iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "conv_1_1",
            "relu_1_1",
            "conv_1_2",
            "relu_1_2",
            "max_pool_1",
            "conv_2_1",
            "relu_2_1",
            "conv_2_2",
            "relu_2_2",
            "max_pool_2",
            "flatten",
            "output",
            "output_softmax"
        ]
    );
    // 4 convolutions and the dense layer: (3*9*10 + 10) + 3 * (10*9*10 + 10) + (1690*10 + 10).
    assert_eq!(network.parameter_count(), 280 + 3 * 910 + 16910);
    let weights = read_weights(&data_dir().join("model.json")).unwrap();
    assert_eq!(weights.len(), 10);
    assert_eq!(weights["output/kernel"].shape(), &[1690, 10]);
}

#[test]
fn a_missing_model_json_is_named() {
    let copy = BrokenCopy::new("missing-json");
    fs::remove_file(copy.model_json()).unwrap();
    let e = copy.error();
    assert!(
        e.starts_with(&copy.model_json().display().to_string()),
        "{e}"
    );
    assert!(e.contains("No such file"), "{e}");
}

#[test]
fn a_missing_shard_is_named() {
    let copy = BrokenCopy::new("missing-shard");
    fs::remove_file(copy.shard()).unwrap();
    let e = copy.error();
    assert!(e.starts_with(&copy.shard().display().to_string()), "{e}");
    assert!(e.contains("No such file"), "{e}");
}

#[test]
fn a_file_that_is_not_json_is_an_error() {
    let copy = BrokenCopy::new("not-json");
    fs::write(copy.model_json(), "this is not JSON").unwrap();
    assert!(copy.error().contains("not valid JSON"), "{}", copy.error());
}

#[test]
fn a_tensor_the_shard_does_not_hold() {
    let copy = BrokenCopy::new("extra-tensor");
    copy.edit_manifest(|weights| {
        weights.push(serde_json::json!({"name": "extra/bias", "shape": [10], "dtype": "float32"}))
    });
    assert_eq!(
        copy.error(),
        format!(
            "{}: the weights manifest names tensor extra/bias (shape [10], 40 bytes from byte \
             79680), but group1-shard1of1.bin holds only 79680 bytes",
            copy.model_json().display()
        )
    );
}

#[test]
fn a_shard_with_too_few_or_too_many_bytes() {
    let copy = BrokenCopy::new("byte-count");
    let bytes = fs::read(copy.shard()).unwrap();
    fs::write(copy.shard(), &bytes[..bytes.len() - 4]).unwrap();
    let e = copy.error();
    assert!(e.contains("names tensor output/bias"), "{e}");
    assert!(e.contains("holds only 79676 bytes"), "{e}");

    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 8]);
    fs::write(copy.shard(), &longer).unwrap();
    assert_eq!(
        copy.error(),
        format!(
            "{}: wrong byte count: the weights manifest's tensors take 79680 bytes, but \
             group1-shard1of1.bin holds 79688 bytes",
            copy.model_json().display()
        )
    );
}

#[test]
fn a_shape_that_does_not_fit_the_architecture() {
    // Same number of values (so the byte count is right), wrong shape for the layer.
    let copy = BrokenCopy::new("dense-shape");
    copy.edit_manifest(|weights| weights[8]["shape"] = serde_json::json!([845, 20]));
    assert_eq!(
        copy.error(),
        format!(
            "{}: tensor output/kernel has shape [845, 20], which does not fit the \
             architecture: expected [1690, 10] ([I, O] with I = 13x13x10 flattened inputs)",
            copy.model_json().display()
        )
    );

    let copy = BrokenCopy::new("conv-shape");
    copy.edit_manifest(|weights| weights[2]["shape"] = serde_json::json!([3, 3, 5, 20]));
    let e = copy.error();
    assert!(
        e.contains("tensor conv_1_2/kernel has shape [3, 3, 5, 20], which does not fit"),
        "{e}"
    );
    assert!(e.contains("expected [3, 3, 10, 10]"), "{e}");
}

#[test]
fn a_tensor_the_topology_needs_but_the_manifest_lacks() {
    let copy = BrokenCopy::new("renamed");
    copy.edit_manifest(|weights| weights[0]["name"] = serde_json::json!("conv_1_1/kernl"));
    assert!(
        copy.error().contains(
            "the topology needs tensor conv_1_1/kernel, which the weights manifest does not list"
        ),
        "{}",
        copy.error()
    );
}

#[test]
fn a_layer_class_the_loader_does_not_read() {
    let copy = BrokenCopy::new("layer-class");
    let text = fs::read_to_string(copy.model_json()).unwrap();
    let text = text.replacen(
        "\"class_name\": \"Flatten\"",
        "\"class_name\": \"GlobalAveragePooling2D\"",
        1,
    );
    fs::write(copy.model_json(), text).unwrap();
    let e = copy.error();
    assert!(
        e.contains(
            "layer flatten (number 10): Keras layer class GlobalAveragePooling2D is not supported"
        ),
        "{e}"
    );
}

/// Change the paths of model.json's one group of shards.
fn set_shard_paths(copy: &BrokenCopy, paths: Value) {
    let mut model: Value =
        serde_json::from_str(&fs::read_to_string(copy.model_json()).unwrap()).unwrap();
    model["weightsManifest"][0]["paths"] = paths;
    fs::write(copy.model_json(), serde_json::to_string(&model).unwrap()).unwrap();
}

#[test]
fn a_manifest_cannot_read_files_outside_the_models_folder() {
    let copy = BrokenCopy::new("outside");
    for path in [
        "/etc/passwd",
        "../group1-shard1of1.bin",
        "sub/../../x.bin",
        "",
    ] {
        set_shard_paths(&copy, serde_json::json!([path]));
        let e = copy.error();
        assert!(
            e.contains("which is not a file in the model's folder"),
            "{path}: {e}"
        );
    }
    // A symbolic link inside the folder that leads out of it.
    #[cfg(unix)]
    {
        let link = copy.dir.join("link.bin");
        std::os::unix::fs::symlink("/etc/passwd", &link).unwrap();
        set_shard_paths(&copy, serde_json::json!(["link.bin"]));
        let e = copy.error();
        assert!(
            e.contains("which is not a file in the model's folder"),
            "{e}"
        );
    }
}

#[test]
fn crafted_shapes_are_errors_before_anything_is_allocated() {
    // A tensor of [2^32, 2^32] floats: too large to count, not a wrapped-around size.
    let copy = BrokenCopy::new("huge-shape");
    copy.edit_manifest(|weights| {
        weights[0]["shape"] = serde_json::json!([4294967296u64, 4294967296u64])
    });
    let e = copy.error();
    assert!(e.contains("too large to count"), "{e}");
    // A zero-sized kernel with 2^40 filters and no bias: refused from the settings,
    // before 2^40 zero biases would be made.
    let copy = BrokenCopy::new("zero-kernel");
    let text = fs::read_to_string(copy.model_json()).unwrap();
    let mut model: Value = serde_json::from_str(&text).unwrap();
    let first = &mut model["modelTopology"]["model_config"]["config"]["layers"][0]["config"];
    first["kernel_size"] = serde_json::json!([0, 0]);
    first["filters"] = serde_json::json!(1u64 << 40);
    first["use_bias"] = serde_json::json!(false);
    fs::write(copy.model_json(), serde_json::to_string(&model).unwrap()).unwrap();
    let e = copy.error();
    assert!(
        e.contains(
            "layer conv_1_1: kernel 0x0, 1099511627776 filters and stride 1 must all be at least 1"
        ),
        "{e}"
    );
}
