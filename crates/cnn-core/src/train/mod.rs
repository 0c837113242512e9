//! Learning: the optimisers that turn gradients into better weights ([`optim`]), and
//! the training loop with its measurements ([`fit()`]).

pub mod fit;
pub mod optim;

pub use fit::{
    EpochStats, Examples, History, IMAGES_PER_PIECE, Images, Piece, Progress, StepResult,
    TrainConfig, accuracy, argmax, argmax_rows, count_correct, fit, piece_gradients, predict,
    train_step,
};
pub use optim::{Adam, Optimizer, Sgd};
