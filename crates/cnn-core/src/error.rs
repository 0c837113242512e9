//! The one error type of the library.
//!
//! Everything a user controls (hyperparameters, shapes of the arrays they pass in,
//! files, images, weights) is checked, and a failed check returns a [`CnnError`]
//! whose message says what was wrong and where, with the numbers involved.

use thiserror::Error;

/// What went wrong, with the numbers and shapes that show it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CnnError {
    /// A hyperparameter that cannot work, such as a zero stride or a kernel larger
    /// than the padded input.
    #[error("{0}")]
    InvalidConfig(String),

    /// An array whose shape does not fit the operation.
    #[error("{what}: expected shape {expected}, got {got:?}")]
    ShapeMismatch {
        /// The operation or argument that was checked, such as `"conv2d input"`.
        what: String,
        /// The shape that was expected, in the crate's notation (`"[N, 3, H, W]"`).
        expected: String,
        /// The shape that was passed in.
        got: Vec<usize>,
    },

    /// A file that is missing, unreadable or not in the expected format.
    #[error("{path}: {reason}")]
    File {
        /// The file, as the caller named it.
        path: String,
        /// What was wrong with it.
        reason: String,
    },

    /// An error inside a named layer: the layer's name comes first in the message,
    /// as in `"conv_1_2: kernel 5 is larger than the padded input 4 (input 4 + 2*0 padding)"`.
    #[error("{layer}: {source}")]
    InLayer {
        /// The layer's name.
        layer: String,
        /// What went wrong inside it.
        source: Box<CnnError>,
    },
}

impl CnnError {
    /// Prefix this error with the name of the layer it happened in.
    pub fn in_layer(self, layer: &str) -> CnnError {
        CnnError::InLayer {
            layer: layer.to_string(),
            source: Box::new(self),
        }
    }

    /// A shape mismatch for `what`, expecting `expected`, given an array's shape.
    pub fn shape(what: &str, expected: &str, got: &[usize]) -> CnnError {
        CnnError::ShapeMismatch {
            what: what.to_string(),
            expected: expected.to_string(),
            got: got.to_vec(),
        }
    }
}

/// The library's `Result`.
pub type Result<T> = std::result::Result<T, CnnError>;
