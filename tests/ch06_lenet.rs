//! The cheap numbers of chapter 6: the architecture table and one SGD step worked in
//! numbers. The training results are pinned by the committed tables in
//! `book/generated/ch06/`, which the book build regenerates byte for byte.

#[path = "../examples/ch06_lenet.rs"]
#[allow(dead_code)]
mod ch06;

use ch06::{Activation, Downsampling, WorkedStep, architecture_table, confusion, lenet5};

#[test]
fn architecture_table_matches_the_chapter() {
    let net = lenet5(Activation::Relu, Downsampling::MaxPool, 1).unwrap();
    insta::assert_snapshot!(architecture_table(&net).unwrap().to_markdown());
    // The numbers the chapter walks through: 16 maps of 5x5 are 400 inputs, and the
    // first dense layer holds most of the parameters.
    assert_eq!(16 * 5 * 5, 400);
    assert_eq!(net.parameter_count(), 61_706);
    let fc1 = 400 * 120 + 120;
    assert!(fc1 as f32 / net.parameter_count() as f32 > 0.75);
}

#[test]
fn the_pooling_variants_change_the_dense_layer() {
    let none = lenet5(Activation::Relu, Downsampling::None, 1).unwrap();
    let strided = lenet5(Activation::Relu, Downsampling::StridedConv, 1).unwrap();
    let flattened = |net: &cnn_core::Sequential| {
        let summary = net.summary(&[1, 1, 28, 28]).unwrap();
        summary
            .into_iter()
            .find(|row| row.name == "flatten")
            .unwrap()
            .output_shape
    };
    // Without pooling conv2 sees 28x28 and gives 16 maps of 24x24 = 9216 inputs.
    assert_eq!(flattened(&none), vec![1, 9216]);
    // Stride 2: 28 -> 14 -> 5, the same 400 inputs as with pooling.
    assert_eq!(flattened(&strided), vec![1, 400]);
}

#[test]
fn one_sgd_step_lowers_the_loss() {
    let step = WorkedStep::compute().unwrap();
    insta::assert_snapshot!(step.table().to_markdown());
    assert!(
        step.new_loss < step.loss,
        "{} -> {}",
        step.loss,
        step.new_loss
    );
    // The gradient of softmax + cross-entropy sums to zero over the classes.
    assert!(step.d_logits.sum().abs() < 1e-6);
    // Only the correct class has a negative gradient: its logit is pushed up.
    assert!(step.d_logits[[0, step.target]] < 0.0);
}

#[test]
fn the_same_seed_builds_the_same_network_and_it_survives_a_save() {
    let a = lenet5(Activation::Relu, Downsampling::MaxPool, 7).unwrap();
    let b = lenet5(Activation::Relu, Downsampling::MaxPool, 7).unwrap();
    assert_eq!(a.to_bytes(), b.to_bytes());
    let loaded = cnn_core::Sequential::from_bytes(&a.to_bytes()).unwrap();
    assert_eq!(loaded.to_bytes(), a.to_bytes());
    let counts = confusion(&[1, 2, 2], &[1, 2, 3]);
    assert_eq!(counts[[3, 2]], 1.0);
    assert_eq!(counts.sum(), 3.0);
}
