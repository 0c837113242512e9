//! What can go wrong while making a figure.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// An error from plotters while drawing. It is boxed because its type depends on the
/// backend (PNG or SVG); it becomes the source of a [`PlotError::Draw`].
pub(super) type DrawingError = Box<dyn std::error::Error + Send + Sync>;

/// Why a figure could not be made. Every message names the figure's file, and the
/// error underneath (from plotters, the PNG encoder or the file system) is kept as
/// the [`source`](std::error::Error::source).
///
/// The figure functions return [`anyhow::Result`], like the examples that call them;
/// `error.downcast_ref::<PlotError>()` gives this type back.
#[derive(Debug, Error)]
pub enum PlotError {
    /// The data cannot be drawn as asked (a chart without points, lengths that
    /// disagree, a window outside its map). Nothing was drawn or written.
    #[error("{figure} {}: {problem}", path.display())]
    InvalidInput {
        /// The kind of figure, such as `"line chart"`.
        figure: &'static str,
        /// The file that was to be written.
        path: PathBuf,
        /// What is wrong with the input.
        problem: String,
    },
    /// plotters failed to draw (its backend or the font).
    #[error("drawing {}", path.display())]
    Draw {
        /// The file that was to be written.
        path: PathBuf,
        /// plotters' error.
        #[source]
        source: DrawingError,
    },
    /// The drawn pixels could not be encoded as PNG.
    #[error("encoding {} as PNG", path.display())]
    Encode {
        /// The file that was to be written.
        path: PathBuf,
        /// The encoder's error.
        #[source]
        source: image::ImageError,
    },
    /// The file could not be written. An earlier file at the same path is unchanged,
    /// and no partial file is left behind.
    #[error("writing figure {}", path.display())]
    Write {
        /// The file that was to be written.
        path: PathBuf,
        /// The file system's error, with the step that failed.
        #[source]
        source: anyhow::Error,
    },
}

impl PlotError {
    /// Input that a `figure` cannot draw into `path`, and why.
    pub(super) fn invalid(figure: &'static str, path: &Path, problem: impl Into<String>) -> Self {
        PlotError::InvalidInput {
            figure,
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }
}
