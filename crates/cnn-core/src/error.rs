//! The one error type of the library.
//!
//! Everything a user controls (hyperparameters, the arrays they pass in, files,
//! images, weights) is checked, and a failed check returns a [`CnnError`]. Its variant
//! says what *kind* of thing went wrong; its message says what was wrong and where,
//! with the numbers involved. An error from below (the operating system, the image
//! decoder, the JSON parser) is kept as the [`source`](std::error::Error::source), not
//! flattened into a string.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// What went wrong, with the numbers and shapes that show it.
#[derive(Debug, Error)]
pub enum CnnError {
    /// A setting that cannot work, such as a zero stride, a kernel larger than the
    /// padded input, or a learning rate that is not a positive number.
    #[error("{0}")]
    Setting(String),

    /// An array whose shape does not fit the operation.
    #[error("{what}: expected shape {expected}, got {got:?}")]
    Shape {
        /// The operation or argument that was checked, such as `"conv2d input"`.
        what: String,
        /// The shape that was expected, in the crate's notation (`"[N, 3, H, W]"`).
        expected: String,
        /// The shape that was passed in.
        got: Vec<usize>,
    },

    /// Two things passed together that do not belong together: the caches of another
    /// network, gradients that do not fit the parameters, an out-of-range class.
    #[error("{0}")]
    Mismatch(String),

    /// A name that is not there, such as a layer a network does not have.
    #[error("no {what} named {name:?}; there are: {}", available.join(", "))]
    NotFound {
        /// What was looked for, such as `"layer"`.
        what: String,
        /// The name that was asked for.
        name: String,
        /// The names there are.
        available: Vec<String>,
    },

    /// A number that became infinite or NaN (not a number), such as the loss of a
    /// training run whose learning rate is too large.
    #[error("{0}")]
    NotFinite(String),

    /// A file that could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file, as the caller named it.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },

    /// A file that was read but is not in the expected format.
    #[error("{}: {reason}", path.display())]
    Format {
        /// The file, as the caller named it.
        path: PathBuf,
        /// What is wrong with its contents.
        reason: String,
    },

    /// An image file that the decoder could not read.
    #[error("{}: not a readable PNG or JPEG image: {source}", path.display())]
    Image {
        /// The file, as the caller named it.
        path: PathBuf,
        /// What the decoder said.
        source: image::ImageError,
    },

    /// A JSON file that the parser could not read.
    #[error("{}: not valid JSON for this file: {source}", path.display())]
    Json {
        /// The file, as the caller named it.
        path: PathBuf,
        /// What the parser said.
        source: serde_json::Error,
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
        CnnError::Shape {
            what: what.to_string(),
            expected: expected.to_string(),
            got: got.to_vec(),
        }
    }

    /// A setting that cannot work, with a message that says why.
    pub fn setting(message: impl Into<String>) -> CnnError {
        CnnError::Setting(message.into())
    }

    /// Arguments that do not belong together, with a message that says why.
    pub fn mismatch(message: impl Into<String>) -> CnnError {
        CnnError::Mismatch(message.into())
    }

    /// A file at `path` that could not be read or written.
    pub fn io(path: &Path, source: std::io::Error) -> CnnError {
        CnnError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A file at `path` whose contents are not in the expected format.
    pub fn format(path: &Path, reason: impl Into<String>) -> CnnError {
        CnnError::Format {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

/// The library's `Result`.
pub type Result<T> = std::result::Result<T, CnnError>;
