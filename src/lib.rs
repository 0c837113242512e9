//! Helpers shared by the book's examples: where figures and tables go, how they are
//! written, and how they are drawn.
//!
//! Every chapter has an example (`examples/chNN_topic.rs`) that computes the
//! chapter's numbers and renders its figures. The examples use this crate so that
//! each of them reads like its chapter, without plotting boilerplate:
//!
//! - [`lecture`]: the 6x6 lecture example that several chapters work through.
//! - [`output`]: the book's folders, atomic file writes, Markdown tables.
//! - [`plot`]: heatmaps, grids of feature maps, line and bar charts, drawn with an
//!   embedded font so the bytes are the same on every machine.
//! - [`figures`]: short constructors for what the figures need (map styles, curves).
//! - [`photos`]: the photos of `data/photos/`, in colour or grey.
//! - [`text`]: numbers as the tables write them.
//! - [`trained`]: the book's two trained networks, loaded and checked, with how a
//!   photo is prepared for each and how its input is drawn.
//! - [`network_figures`]: figures of what a trained network sees (overview, filters,
//!   occlusion, saliency), shared by chapters 7 and 8 and the photo command lines.
//! - [`i18n`]: the figures and tables of the translated editions (Chinese), drawn
//!   from the same numbers with the texts of `po/figures/LANG.po`.
//! - [`cli`]: checks of command-line options, and a training progress bar.

pub mod cli;
pub mod figures;
pub mod i18n;
pub mod lecture;
pub mod network_figures;
pub mod output;
pub mod photos;
pub mod plot;
pub mod text;
pub mod trained;

pub use output::{Chapter, Table, write_atomically};
