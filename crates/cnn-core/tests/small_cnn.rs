//! The library's whole public API in one listing: build a small CNN, train it on MNIST
//! digits, test it. The book shows the listing (chapter 6); this test keeps it working
//! and checks that it learns.

use std::path::Path;

use cnn_core::models::lenet::MnistData;
use cnn_core::nn::{Conv2d, Conv2dConfig, Dense, Init, Layer, Pool2d, Sequential};
use cnn_core::train::{Optimizer, Sgd, TrainConfig, accuracy, fit};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

#[test]
fn a_small_cnn_learns_digits() -> cnn_core::Result<()> {
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/mnist");
    // ANCHOR: small_cnn
    let data = MnistData::load(&data_dir)?; // [60000, 1, 28, 28] and [10000, 1, 28, 28]
    let train = data.train().first(3000); // normalised a mini-batch at a time, as it is used
    let test = data.test();

    let mut rng = ChaCha8Rng::seed_from_u64(1); // seeded: the same weights every run
    let plain = Conv2dConfig::default(); // stride 1, no padding
    let mut net = Sequential::new();
    net.push("conv", Conv2d::random(1, 8, 3, plain, Init::He, &mut rng)?)?; // [N, 1, 28, 28] -> [N, 8, 26, 26]
    net.push("relu", Layer::Relu)?;
    net.push("pool", Pool2d::max(2, 2)?)?; // -> [N, 8, 13, 13]
    net.push("flatten", Layer::Flatten)?; // -> [N, 1352]
    net.push("fc", Dense::random(8 * 13 * 13, 10, Init::He, &mut rng)?)?; // -> [N, 10] scores

    let mut optimizer = Optimizer::Sgd(Sgd::new(0.02, 0.9)?);
    let config = TrainConfig {
        epochs: 2,
        batch_size: 32,
        learning_rate_decay: 0.7,
        seed: 1,
        loss_every: 10,
    };
    let history = fit(&mut net, &mut optimizer, train, test, &config, |_| {})?;
    for epoch in &history.epochs {
        println!(
            "epoch {}: test accuracy {:.1}%",
            epoch.epoch,
            100.0 * epoch.test_accuracy
        );
    }
    // ANCHOR_END: small_cnn
    let tested = accuracy(&net, test)?;
    assert_eq!(tested, history.epochs.last().unwrap().test_accuracy);
    assert!(tested > 0.9, "test accuracy {tested}");
    assert!(history.epochs[1].train_loss < history.epochs[0].train_loss);
    Ok(())
}
