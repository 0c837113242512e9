//! Helpers shared by the exercise checks.

use std::path::PathBuf;

use cnn_core::Sequential;
use ndarray::{Array, Dimension, ShapeBuilder};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A seeded random number generator: the checks are the same on every run.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// An array of the given shape with values uniform in [-1, 1).
pub fn random<Sh: ShapeBuilder>(rng: &mut ChaCha8Rng, shape: Sh) -> Array<f32, Sh::Dim>
where
    Sh::Dim: Dimension,
{
    let mut array = Array::zeros(shape);
    array.mapv_inplace(|_: f32| rng.random_range(-1.0..1.0));
    array
}

/// A vector of `len` values uniform in [-1, 1).
pub fn random_vec(rng: &mut ChaCha8Rng, len: usize) -> Vec<f32> {
    (0..len).map(|_| rng.random_range(-1.0..1.0)).collect()
}

/// Panics, naming `what`, unless `got` and `expected` have the same length and agree to
/// within `1e-4` (relative to the size of the values).
pub fn assert_close<'a>(
    got: impl IntoIterator<Item = &'a f32>,
    expected: impl IntoIterator<Item = &'a f32>,
    what: &str,
) {
    let got: Vec<f32> = got.into_iter().copied().collect();
    let expected: Vec<f32> = expected.into_iter().copied().collect();
    assert_eq!(
        got.len(),
        expected.len(),
        "{what}: got {} values, expected {}",
        got.len(),
        expected.len()
    );
    for (index, (g, e)) in got.iter().zip(&expected).enumerate() {
        let tolerance = 1e-4 * (1.0 + e.abs());
        assert!(
            (g - e).abs() <= tolerance,
            "{what}: value {index} is {g}, expected {e}\n  got:      {}\n  expected: {}",
            short(&got),
            short(&expected)
        );
    }
}

/// The first values of a list, for a failure message.
fn short(values: &[f32]) -> String {
    let shown: Vec<String> = values.iter().take(8).map(|v| format!("{v:.4}")).collect();
    let more = if values.len() > 8 { ", ..." } else { "" };
    format!("[{}{more}]", shown.join(", "))
}

/// A path in the repository, from the repository's root.
pub fn repo_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// The LeNet-5 trained in chapter 6.
pub fn trained_lenet() -> Sequential {
    let path = repo_path("data/trained/lenet5.cnn");
    Sequential::load(&path).unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()))
}

/// The Tiny VGG of chapter 7 (CNN Explainer's trained weights).
pub fn tiny_vgg() -> Sequential {
    let path = repo_path("data/cnn-explainer/model.json");
    cnn_core::tiny_vgg::load(&path)
        .unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()))
}
