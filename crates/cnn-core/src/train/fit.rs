//! Training a classifier: one step on a mini-batch ([`train_step`]), whole epochs with
//! a test after each ([`fit`]), and the network's predictions for many images.

use std::ops::Range;
use std::time::Instant;

use ndarray::{Array2, Array4, ArrayView2, ArrayView4, Axis};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::data::mnist::shuffled_batches;
use crate::error::{CnnError, Result};
use crate::nn::{ParameterGradients, Sequential, TensorView, Want};
use crate::ops::softmax::{softmax_cross_entropy, softmax_cross_entropy_backward};
use crate::train::optim::Optimizer;

/// What one training step measured on its mini-batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepResult {
    /// The mean cross-entropy loss, before the update.
    pub loss: f32,
    /// How many images the network classified correctly, before the update.
    pub correct: usize,
}

// ANCHOR: train_step
/// One step of training a classifier whose last layer outputs logits `[N, K]`:
/// forward, cross-entropy loss, backward, optimiser update.
///
/// `images: [N, ...] (the network's input), labels: [N] -> loss and correct count`
///
/// The batch is cut into pieces of [`IMAGES_PER_PIECE`] images, and each piece goes
/// forward and backward on its own thread ([`piece_gradients`]); the pieces'
/// gradients are then added in order, so the step is the same on any number of
/// threads. Each piece's activations are small enough to stay in the processor's
/// cache from one layer to the next.
///
/// # Errors
/// Images that do not fit the network, labels outside `0..K`, or a loss that is not
/// finite (the weights are then left as they were).
pub fn train_step<'a>(
    model: &mut Sequential,
    optimizer: &mut Optimizer,
    images: impl Into<TensorView<'a>>,
    labels: &[usize],
) -> Result<StepResult> {
    let images = images.into();
    let batch = images.shape()[0];
    if batch == 0 {
        return Err(CnnError::setting(
            "a training step needs at least one image",
        ));
    }
    if labels.len() != batch {
        return Err(CnnError::shape(
            "training labels",
            &format!("[{batch}] (one per image)"),
            &[labels.len()],
        ));
    }
    let starts: Vec<usize> = (0..batch).step_by(IMAGES_PER_PIECE).collect();
    let pieces: Vec<Result<Piece>> = starts
        .into_par_iter()
        .map(|start| {
            let end = (start + IMAGES_PER_PIECE).min(batch);
            piece_gradients(model, images.rows(start..end), &labels[start..end], batch)
        })
        .collect();
    let mut total = Piece::default();
    for piece in pieces {
        total.add(piece?); // in order: the same sums on any number of threads
    }
    let loss = total.loss;
    if !loss.is_finite() {
        return Err(CnnError::NotFinite(format!("the loss is {loss}")));
    }
    optimizer.step(model, &total.gradients)?;
    Ok(StepResult {
        loss,
        correct: total.correct,
    })
}
// ANCHOR_END: train_step

/// Images per piece of a mini-batch in [`train_step`].
pub const IMAGES_PER_PIECE: usize = 16;

/// What [`piece_gradients`] computes for a piece of a mini-batch.
#[derive(Debug, Clone, Default)]
pub struct Piece {
    /// The piece's share of the batch's mean loss: its images' losses over the batch size.
    pub loss: f32,
    /// How many of its images the network classified correctly.
    pub correct: usize,
    /// Each layer's parameter gradients, for the piece's share of the loss.
    pub gradients: Vec<Option<ParameterGradients>>,
}

// ANCHOR: piece_gradients
/// Forward pass, loss and backward pass on `images`, a piece of a mini-batch of
/// `batch` images: the piece's share of the batch's mean loss and its gradients.
///
/// `images: [n, ...], labels: [n] -> loss, correct count, gradients`
///
/// # Errors
/// Those of [`train_step`].
pub fn piece_gradients(
    model: &Sequential,
    images: TensorView,
    labels: &[usize],
    batch: usize,
) -> Result<Piece> {
    let trace = model.forward_train(images)?; // [n, ...] -> [n, K]
    let logits = trace.output.flat()?;
    let share = labels.len() as f32 / batch as f32;
    let loss = softmax_cross_entropy(logits, labels)? * share; // the piece's mean, weighted
    let correct = count_correct(logits, labels);
    let d_logits = softmax_cross_entropy_backward(logits, labels)? * share; // [n, K]
    let gradients = model.backward(&trace, &d_logits, Want::Parameters)?;
    Ok(Piece {
        loss,
        correct,
        gradients: gradients.layers,
    })
}
// ANCHOR_END: piece_gradients

impl Piece {
    /// Adds another piece's loss, count and gradients to this one's.
    fn add(&mut self, other: Piece) {
        self.loss += other.loss;
        self.correct += other.correct;
        if self.gradients.is_empty() {
            self.gradients = other.gradients;
            return;
        }
        for (sum, layer) in self.gradients.iter_mut().zip(other.gradients) {
            if let (Some(sum), Some(layer)) = (sum, layer) {
                sum.weight += &layer.weight;
                sum.bias += &layer.bias;
            }
        }
    }
}

/// Labelled images: `[N, C, H, W]` and `N` labels.
#[derive(Debug, Clone, Copy)]
pub struct Examples<'a> {
    /// The images.
    pub images: Images<'a>,
    /// The class of each image.
    pub labels: &'a [usize],
}

/// A set of images `[N, C, H, W]`, stored as the network reads them or one byte per
/// pixel.
#[derive(Debug, Clone, Copy)]
pub enum Images<'a> {
    /// The network's inputs themselves.
    Floats(ArrayView4<'a, f32>),
    /// Pixels as an image file stores them, 0 to 255, and the network input each of
    /// the 256 values stands for. A quarter of the memory of `Floats` (MNIST's
    /// training set: 47 MB instead of 188 MB); a batch is turned into floats when it
    /// is used, by looking its pixels up in `values`.
    Bytes {
        /// The pixels.
        pixels: ArrayView4<'a, u8>,
        /// `values[b]` is the input for a pixel `b`.
        values: &'a [f32; 256],
    },
}

impl<'a> From<ArrayView4<'a, f32>> for Images<'a> {
    fn from(images: ArrayView4<'a, f32>) -> Images<'a> {
        Images::Floats(images)
    }
}

impl<'a> Images<'a> {
    /// The number of images, `N`.
    pub fn len(&self) -> usize {
        match self {
            Images::Floats(images) => images.len_of(Axis(0)),
            Images::Bytes { pixels, .. } => pixels.len_of(Axis(0)),
        }
    }

    /// Whether there are no images.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The images `range` (in order), as a new set that shares their storage.
    ///
    /// # Panics
    /// If `range` goes past the last image.
    pub fn slice(self, range: Range<usize>) -> Images<'a> {
        let s = ndarray::s![range, .., .., ..];
        match self {
            Images::Floats(images) => Images::Floats(images.slice_move(s)),
            Images::Bytes { pixels, values } => Images::Bytes {
                pixels: pixels.slice_move(s),
                values,
            },
        }
    }

    /// The images `indices`, in that order, as the network's inputs: `[B, C, H, W]`.
    ///
    /// # Panics
    /// If an index is past the last image.
    pub fn select(&self, indices: &[usize]) -> Array4<f32> {
        // Image after image, each read in order: one pass over the batch's values.
        // (`ArrayBase::select` followed by `mapv` gives the same array in two passes,
        // the first of them value by value.)
        let (_, channels, height, width) = match self {
            Images::Floats(images) => images.dim(),
            Images::Bytes { pixels, .. } => pixels.dim(),
        };
        let mut floats = Vec::with_capacity(indices.len() * channels * height * width);
        for &i in indices {
            match self {
                Images::Floats(images) => {
                    let image = images.index_axis(Axis(0), i);
                    match image.as_slice() {
                        Some(values) => floats.extend_from_slice(values),
                        None => floats.extend(image.iter()),
                    }
                }
                Images::Bytes { pixels, values } => {
                    let image = pixels.index_axis(Axis(0), i);
                    let value = |&b: &u8| values[b as usize];
                    // A slice's iterator knows its length, so `extend` writes without
                    // checking the capacity at every value (an ndarray iterator does not).
                    match image.as_slice() {
                        Some(bytes) => floats.extend(bytes.iter().map(value)),
                        None => floats.extend(image.iter().map(value)),
                    }
                }
            }
        }
        Array4::from_shape_vec((indices.len(), channels, height, width), floats)
            .expect("one image of C*H*W values per index")
    }

    /// All the images as the network's inputs: `[N, C, H, W]`.
    pub fn to_floats(&self) -> Array4<f32> {
        match self {
            Images::Floats(images) => images.to_owned(),
            Images::Bytes { pixels, values } => pixels.mapv(|b| values[b as usize]),
        }
    }
}

impl<'a> Examples<'a> {
    /// The first `count` examples (all of them if there are fewer), for a run on a
    /// smaller budget.
    pub fn first(self, count: usize) -> Examples<'a> {
        let count = count.min(self.images.len()).min(self.labels.len());
        Examples {
            images: self.images.slice(0..count),
            labels: &self.labels[..count],
        }
    }

    /// Checks that there is at least one image and one label per image.
    fn check(&self, what: &str) -> Result<()> {
        let count = self.images.len();
        if count == 0 {
            return Err(CnnError::setting(format!("the {what} set has no images")));
        }
        if self.labels.len() != count {
            return Err(CnnError::mismatch(format!(
                "the {what} set has {count} images but {} labels",
                self.labels.len()
            )));
        }
        Ok(())
    }
}

/// How to train: the settings of [`fit`] other than the optimiser.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Passes over the training images.
    pub epochs: usize,
    /// Images per mini-batch.
    pub batch_size: usize,
    /// The learning rate is multiplied by this after every epoch (1 keeps it fixed).
    pub learning_rate_decay: f32,
    /// The order of the mini-batches is drawn from a generator seeded with
    /// `seed + 1000` (so that it differs from the starting weights' generator when
    /// both are given the same seed).
    pub seed: u64,
    /// Mini-batches per point of the loss curve.
    pub loss_every: usize,
}

impl TrainConfig {
    /// Checks every setting, so that a run fails at once, not after an epoch.
    ///
    /// # Errors
    /// Zero epochs, batch size or loss interval, or a decay that is not in `(0, 1]`.
    pub fn check(&self) -> Result<()> {
        if self.epochs == 0 {
            return Err(CnnError::setting("epochs must be at least 1, got 0"));
        }
        if self.batch_size == 0 {
            return Err(CnnError::setting("batch size must be at least 1, got 0"));
        }
        if self.loss_every == 0 {
            return Err(CnnError::setting(
                "the loss curve needs at least 1 batch per point, got 0",
            ));
        }
        let decay = self.learning_rate_decay;
        if !(decay > 0.0 && decay <= 1.0) {
            return Err(CnnError::setting(format!(
                "learning rate decay must be in (0, 1], got {decay}"
            )));
        }
        Ok(())
    }
}

/// What one epoch measured.
#[derive(Debug, Clone, PartialEq)]
pub struct EpochStats {
    /// 1, 2, ...
    pub epoch: usize,
    /// Mean training loss over the epoch's mini-batches.
    pub train_loss: f32,
    /// Fraction of training images classified correctly during the epoch (while the
    /// weights were still changing).
    pub train_accuracy: f32,
    /// Fraction of the test images classified correctly after the epoch.
    pub test_accuracy: f32,
    /// Wall-clock seconds of the epoch's training steps (not of its test).
    pub seconds: f32,
}

/// A training run's history.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// One entry per epoch.
    pub epochs: Vec<EpochStats>,
    /// Mean loss of every [`TrainConfig::loss_every`] mini-batches:
    /// `(epoch as a fraction, loss)`.
    pub loss_curve: Vec<(f32, f32)>,
}

/// What [`fit`] reports while it runs, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// Mini-batch `done` of `of` in epoch `epoch` is finished.
    Batch {
        /// The epoch, from 1.
        epoch: usize,
        /// Mini-batches done in this epoch.
        done: usize,
        /// Mini-batches in an epoch.
        of: usize,
    },
    /// An epoch is finished and tested.
    Epoch(&'a EpochStats),
}

// ANCHOR: fit
/// Train `net` for `config.epochs` passes over `train`, testing on `test` after each.
///
/// # Errors
/// A setting that cannot work (checked before any step), images that do not fit the
/// network, or a loss that is not finite; this error names the epoch and the step, and
/// the run stops there.
pub fn fit(
    net: &mut Sequential,
    optimizer: &mut Optimizer,
    train: Examples,
    test: Examples,
    config: &TrainConfig,
    mut on_progress: impl FnMut(Progress) + Send,
) -> Result<History> {
    config.check()?;
    train.check("training")?;
    test.check("test")?;
    // The epochs run on one of the thread pool's own threads, which then works on the
    // pieces of each step itself and hands the others to the pool's other threads:
    // no thread waits to be woken for every step (with one thread, none ever waits).
    rayon::scope(|_| {
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed.wrapping_add(1000)); // batch order
        let mut history = History::default();
        for epoch in 1..=config.epochs {
            let start = Instant::now();
            let batches = shuffled_batches(train.labels.len(), config.batch_size, &mut rng)?;
            let (mut loss_sum, mut correct, mut block_sum) = (0.0f64, 0, 0.0f64);
            for (index, batch) in batches.iter().enumerate() {
                let images = train.images.select(batch); // [B, C, H, W]
                let labels: Vec<usize> = batch.iter().map(|&i| train.labels[i]).collect();
                let step = train_step(net, optimizer, &images, &labels).map_err(|e| match e {
                    CnnError::NotFinite(what) => CnnError::NotFinite(format!(
                        "training diverged in epoch {epoch}, step {} of {}: {what}; \
                         try a smaller learning rate",
                        index + 1,
                        batches.len()
                    )),
                    other => other,
                })?;
                loss_sum += step.loss as f64;
                block_sum += step.loss as f64;
                correct += step.correct;
                if (index + 1) % config.loss_every == 0 {
                    let at = (epoch - 1) as f32 + (index + 1) as f32 / batches.len() as f32;
                    let mean = (block_sum / config.loss_every as f64) as f32;
                    history.loss_curve.push((at, mean));
                    block_sum = 0.0;
                }
                let (done, of) = (index + 1, batches.len());
                on_progress(Progress::Batch { epoch, done, of });
            }
            let seconds = start.elapsed().as_secs_f32();
            let stats = EpochStats {
                epoch,
                train_loss: (loss_sum / batches.len() as f64) as f32,
                train_accuracy: correct as f32 / train.labels.len() as f32,
                test_accuracy: accuracy(net, test)?,
                seconds,
            };
            on_progress(Progress::Epoch(&stats));
            history.epochs.push(stats);
            // Smaller steps as training settles: the noise of mini-batch gradients would
            // otherwise keep the weights jittering around the minimum.
            optimizer.set_learning_rate(optimizer.learning_rate() * config.learning_rate_decay)?;
        }
        Ok(history)
    })
}
// ANCHOR_END: fit

/// Images per forward pass in [`predict`]: enough to be fast, few enough that the
/// activations of a large test set need not be in memory at once.
pub const PREDICT_BATCH: usize = 250;

/// The network's outputs (for a classifier, its logits) for every image, computed
/// [`PREDICT_BATCH`] images at a time: `[N, C, H, W] -> [N, K]`.
///
/// # Errors
/// Images that do not fit the network, or a network whose output is not `[N, K]`.
pub fn predict(net: &Sequential, images: ArrayView4<f32>) -> Result<Array2<f32>> {
    let mut chunks = Vec::new();
    for chunk in images.axis_chunks_iter(Axis(0), PREDICT_BATCH) {
        chunks.push(net.forward(chunk)?.into_flat()?); // [B, C, H, W] -> [B, K]
    }
    let views: Vec<ArrayView2<f32>> = chunks.iter().map(|c| c.view()).collect();
    if views.is_empty() {
        return Err(CnnError::setting("predict: no images"));
    }
    Ok(ndarray::concatenate(Axis(0), &views).expect("every chunk has K columns"))
}

/// The fraction of `examples` the network classifies correctly.
///
/// # Errors
/// Those of [`predict`].
pub fn accuracy(net: &Sequential, examples: Examples) -> Result<f32> {
    examples.check("evaluated")?;
    let count = examples.labels.len();
    let mut correct = 0;
    for start in (0..count).step_by(PREDICT_BATCH) {
        let batch = start..(start + PREDICT_BATCH).min(count);
        let images = examples.images.slice(batch.clone()).to_floats(); // [B, C, H, W]
        let logits = predict(net, images.view())?; // [B, K]
        correct += count_correct(logits.view(), &examples.labels[batch]);
    }
    Ok(correct as f32 / count as f32)
}

/// The index of the largest value of each row (the first, if several tie).
///
/// `logits: [N, K] -> classes: [N]`
pub fn argmax_rows(logits: ArrayView2<f32>) -> Vec<usize> {
    logits
        .axis_iter(Axis(0))
        .map(|row| {
            let mut best = 0;
            for (k, &v) in row.iter().enumerate() {
                if v > row[best] {
                    best = k;
                }
            }
            best
        })
        .collect()
}

/// The index of the largest value (the first, if several tie; 0 for an empty slice).
pub fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (k, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = k;
        }
    }
    best
}

/// How many rows have their largest logit at the label.
pub fn count_correct(logits: ArrayView2<f32>, labels: &[usize]) -> usize {
    argmax_rows(logits)
        .iter()
        .zip(labels)
        .filter(|(p, l)| p == l)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::Dense;
    use crate::train::optim::Sgd;
    use ndarray::{Array4, array};

    fn one_dense() -> Sequential {
        let mut net = Sequential::new();
        let dense = Dense::new(array![[0.5, -0.5], [0.0, 1.0]], array![0.0, 0.0]).unwrap();
        net.push("fc", dense).unwrap();
        net
    }

    #[test]
    fn training_lowers_the_loss() {
        let mut net = one_dense();
        let mut sgd = Optimizer::Sgd(Sgd::new(0.5, 0.0).unwrap());
        let x = array![[1.0, 0.0], [0.0, 1.0]];
        let first = train_step(&mut net, &mut sgd, &x, &[1, 0]).unwrap();
        let second = train_step(&mut net, &mut sgd, &x, &[1, 0]).unwrap();
        assert!(second.loss < first.loss, "{first:?} {second:?}");
    }

    #[test]
    fn a_step_in_pieces_is_the_whole_batch_step_and_the_same_on_any_thread_count() {
        use crate::models::lenet::{LeNetConfig, lenet5};
        let net = lenet5(LeNetConfig::default(), 3).unwrap();
        // 40 images: two whole pieces and a shorter one.
        let images = Array4::from_shape_fn((40, 1, 28, 28), |(n, _, i, j)| {
            ((n * 7 + i * 3 + j * 5) % 13) as f32 / 6.0 - 1.0
        });
        let labels: Vec<usize> = (0..40).map(|n| n % 10).collect();
        let step = |threads: usize| {
            let mut net = net.clone();
            let mut sgd = Optimizer::Sgd(Sgd::new(0.1, 0.9).unwrap());
            let result = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| train_step(&mut net, &mut sgd, &images, &labels).unwrap());
            (result, net)
        };
        let (one, net_one) = step(1);
        let (two, net_two) = step(2);
        assert_eq!(one, two);
        assert_eq!(net_one, net_two);
        // The whole batch at once, as the formula says: the same loss and gradients,
        // up to the order of the additions.
        let trace = net.forward_train(&images).unwrap();
        let logits = trace.output.flat().unwrap();
        let loss = softmax_cross_entropy(logits, &labels).unwrap();
        let d_logits = softmax_cross_entropy_backward(logits, &labels).unwrap();
        let whole = net.backward(&trace, &d_logits, Want::Parameters).unwrap();
        assert!((one.loss - loss).abs() < 1e-5, "{} {loss}", one.loss);
        let pieces = [0..16, 16..32, 32..40].map(|range| {
            piece_gradients(
                &net,
                TensorView::Maps(images.view()).rows(range.clone()),
                &labels[range],
                40,
            )
            .unwrap()
        });
        let mut sum = Piece::default();
        for piece in pieces {
            sum.add(piece);
        }
        for (pieces, whole) in sum.gradients.iter().zip(&whole.layers) {
            if let (Some(pieces), Some(whole)) = (pieces, whole) {
                let error = (&pieces.weight - &whole.weight)
                    .iter()
                    .fold(0.0f32, |m, e| m.max(e.abs()));
                assert!(error < 1e-5, "weight gradients differ by {error}");
            }
        }
    }

    /// A network for images of one pixel: flatten, then a dense layer of 2 classes.
    fn one_pixel() -> Sequential {
        let mut net = Sequential::new();
        net.push("flatten", crate::nn::Layer::Flatten).unwrap();
        net.push(
            "fc",
            Dense::new(array![[1.0], [-1.0]], array![0.0, 0.0]).unwrap(),
        )
        .unwrap();
        net
    }

    #[test]
    fn a_diverging_run_stops_with_the_epoch_and_step() {
        let images = Array4::from_shape_fn((8, 1, 1, 1), |(n, ..)| n as f32 - 3.5);
        let labels = [0, 1, 0, 1, 0, 1, 0, 1];
        let examples = Examples {
            images: images.view().into(),
            labels: &labels,
        };
        let config = TrainConfig {
            epochs: 3,
            batch_size: 4,
            learning_rate_decay: 1.0,
            seed: 1,
            loss_every: 1,
        };
        let mut net = one_pixel();
        let mut huge = Optimizer::Sgd(Sgd::new(f32::MAX, 0.9).unwrap()); // weights overflow to infinity
        let e = fit(&mut net, &mut huge, examples, examples, &config, |_| {}).unwrap_err();
        assert!(matches!(e, CnnError::NotFinite(_)), "{e}");
        let e = e.to_string();
        assert!(e.starts_with("training diverged in epoch 1, step "), "{e}");
        assert!(e.ends_with("try a smaller learning rate"), "{e}");
        // A sane run works and reports every epoch.
        let mut net = one_pixel();
        let mut sgd = Optimizer::Sgd(Sgd::new(0.1, 0.9).unwrap());
        let mut epochs_seen = 0;
        let history = fit(&mut net, &mut sgd, examples, examples, &config, |p| {
            if let Progress::Epoch(_) = p {
                epochs_seen += 1;
            }
        })
        .unwrap();
        assert_eq!(
            (history.epochs.len(), epochs_seen, history.loss_curve.len()),
            (3, 3, 6)
        );
    }

    #[test]
    fn bad_settings_are_refused_before_any_step() {
        let images = Array4::zeros((4, 1, 1, 1));
        let labels = [0, 1, 0, 1];
        let examples = Examples {
            images: images.view().into(),
            labels: &labels,
        };
        let good = TrainConfig {
            epochs: 1,
            batch_size: 2,
            learning_rate_decay: 0.7,
            seed: 1,
            loss_every: 1,
        };
        let mut net = one_pixel();
        let before = net.clone();
        let mut sgd = Optimizer::Sgd(Sgd::new(0.1, 0.9).unwrap());
        for (config, message) in [
            (
                TrainConfig {
                    epochs: 0,
                    ..good.clone()
                },
                "epochs must be at least 1, got 0",
            ),
            (
                TrainConfig {
                    batch_size: 0,
                    ..good.clone()
                },
                "batch size must be at least 1, got 0",
            ),
            (
                TrainConfig {
                    learning_rate_decay: 0.0,
                    ..good.clone()
                },
                "learning rate decay must be in (0, 1], got 0",
            ),
            (
                TrainConfig {
                    learning_rate_decay: f32::NAN,
                    ..good.clone()
                },
                "learning rate decay must be in (0, 1], got NaN",
            ),
        ] {
            let e = fit(&mut net, &mut sgd, examples, examples, &config, |_| {}).unwrap_err();
            assert_eq!(e.to_string(), message);
        }
        let empty = Array4::zeros((0, 1, 1, 1));
        let none = Examples {
            images: empty.view().into(),
            labels: &[],
        };
        let e = fit(&mut net, &mut sgd, none, examples, &good, |_| {}).unwrap_err();
        assert_eq!(e.to_string(), "the training set has no images");
        let e = fit(
            &mut net,
            &mut sgd,
            Examples {
                labels: &labels[..3],
                ..examples
            },
            examples,
            &good,
            |_| {},
        )
        .unwrap_err();
        assert_eq!(e.to_string(), "the training set has 4 images but 3 labels");
        assert_eq!(net, before, "no step was taken");
    }

    #[test]
    fn predictions_come_in_batches_and_argmax_takes_the_first_tie() {
        let net = one_pixel();
        let images = Array4::from_shape_fn(
            (2500, 1, 1, 1),
            |(n, ..)| if n % 2 == 0 { 1.0 } else { -1.0 },
        );
        let logits = predict(&net, images.view()).unwrap();
        assert_eq!(logits.dim(), (2500, 2));
        assert_eq!(&argmax_rows(logits.view())[..4], &[0, 1, 0, 1]);
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), 1);
    }

    #[test]
    fn the_first_examples_are_a_smaller_budget() {
        let images = Array4::from_shape_fn((4, 1, 1, 1), |(n, ..)| n as f32);
        let labels = [0, 1, 0, 1];
        let examples = Examples {
            images: images.view().into(),
            labels: &labels,
        };
        let first = examples.first(3);
        assert_eq!(
            first.images.to_floats().iter().copied().collect::<Vec<_>>(),
            vec![0.0, 1.0, 2.0]
        );
        assert_eq!(first.labels, &[0, 1, 0]);
        assert_eq!(examples.first(10).labels.len(), 4);
    }

    #[test]
    fn selected_images_are_whole_and_in_the_order_asked() {
        let pixels = Array4::from_shape_fn((5, 2, 3, 4), |(n, c, y, x)| {
            (n * 24 + c * 12 + y * 4 + x) as u8
        });
        let values: [f32; 256] = std::array::from_fn(|b| b as f32 * 0.5 - 3.0);
        let floats = pixels.mapv(|b| values[b as usize]);
        let picked = [4, 0, 4, 2];
        let expected = floats.select(Axis(0), &picked);
        let bytes = Images::Bytes {
            pixels: pixels.view(),
            values: &values,
        };
        assert_eq!(bytes.select(&picked), expected);
        assert_eq!(Images::Floats(floats.view()).select(&picked), expected);
        // A view whose axes are not in memory order reads each image in logical order.
        let swapped = floats.view().permuted_axes([0, 1, 3, 2]);
        assert_eq!(
            Images::Floats(swapped).select(&picked),
            swapped.select(Axis(0), &picked)
        );
        assert_eq!(bytes.select(&[]).dim(), (0, 2, 3, 4));
    }

    #[test]
    fn images_in_bytes_train_and_test_exactly_as_their_floats() {
        let pixels = Array4::from_shape_fn((300, 1, 1, 1), |(n, ..)| (n * 37 % 256) as u8);
        let values: [f32; 256] = std::array::from_fn(|b| (b as f32 - 100.0) / 50.0);
        let floats = pixels.mapv(|b| values[b as usize]);
        let labels: Vec<usize> = (0..300).map(|n| usize::from(n * 37 % 256 > 100)).collect();
        let bytes = Examples {
            images: Images::Bytes {
                pixels: pixels.view(),
                values: &values,
            },
            labels: &labels,
        };
        let as_floats = Examples {
            images: floats.view().into(),
            labels: &labels,
        };
        assert_eq!(bytes.images.len(), 300);
        assert_eq!(bytes.images.to_floats(), floats);
        assert_eq!(
            bytes.images.select(&[5, 2, 299]),
            floats.select(Axis(0), &[5, 2, 299])
        );
        assert_eq!(
            bytes.first(7).images.to_floats(),
            floats.slice(ndarray::s![..7, .., .., ..])
        );
        let config = TrainConfig {
            epochs: 2,
            batch_size: 16,
            learning_rate_decay: 1.0,
            seed: 3,
            loss_every: 5,
        };
        let run = |examples: Examples| {
            let mut net = one_pixel();
            let mut sgd = Optimizer::Sgd(crate::train::Sgd::new(0.1, 0.9).unwrap());
            let mut history = fit(&mut net, &mut sgd, examples, examples, &config, |_| {}).unwrap();
            for epoch in &mut history.epochs {
                epoch.seconds = 0.0; // the one number that may differ
            }
            (net, history)
        };
        let (net, history) = run(bytes);
        assert_eq!((&net, &history), (&run(as_floats).0, &run(as_floats).1));
        assert!(history.epochs[1].test_accuracy > 0.9, "{history:?}");
        assert_eq!(
            accuracy(&net, bytes).unwrap(),
            accuracy(&net, as_floats).unwrap()
        );
    }
}
