//! The book's figures: heatmaps, grids of feature maps, line and bar charts, photos,
//! and a network overview.
//!
//! Image-like figures (a photo, a feature map) are PNG; charts are SVG. Every figure
//! is drawn on one shared canvas (`canvas.rs`): a white page, the DejaVu Sans font
//! embedded in this crate (`data/fonts/`) so that no system fonts are needed and the
//! same data gives the same bytes on every machine, the title, the colour bar, and
//! the file, written atomically so that it appears whole or not at all. Each figure
//! function holds only its own drawing:
//!
//! | file | what it draws |
//! |---|---|
//! | `heatmap.rs` | [`heatmap()`], [`grid`] of maps, [`map_with_points`], [`sliding_windows`] |
//! | `charts.rs` | [`line_chart`], [`bar_chart`], small multiples ([`chart_grid`]) |
//! | `images.rs` | [`rgb_image`], [`image_gallery`], [`captioned_images`] side by side, and [`outline`] to mark a window |
//! | `maps.rs` | [`grid_with_own_scales`], [`marked_heatmap`], [`sparse_matrix`] with labelled rows and columns |
//! | `overview.rs` | a whole network at a glance ([`overview()`]) |
//! | `animation.rs` | a window sliding over an input, as a GIF ([`sliding_animation`], [`chart_animation`]) |
//! | `color.rs` | the colour scales ([`ColorScale`], [`colorize`]) and the palette |
//! | `error.rs` | [`PlotError`] |
//!
//! Every figure function takes the path to write and returns [`anyhow::Result`], like
//! the examples that call it; its error is a [`PlotError`] that names the file and
//! keeps the cause as its source.

mod animation;
mod canvas;
mod charts;
mod color;
mod error;
mod heatmap;
mod images;
mod maps;
mod overview;

pub use animation::{Sliding, chart_animation, sliding_animation};
pub use canvas::{TextSizes, format_value, has_cjk_glyph};
pub use charts::{
    ChartPanel, Labels, Series, SeriesLabelPosition, bar_chart, chart_grid, line_chart,
};
pub use color::{ColorScale, colorize};
pub use error::PlotError;
pub use heatmap::{
    LabelledPoint, MapStyle, Panel, Window, grid, heatmap, map_with_points, sliding_windows,
};
pub use images::{captioned_images, image_gallery, outline, rgb_image};
pub use maps::{Mark, MatrixLabels, grid_with_own_scales, marked_heatmap, sparse_matrix};
pub use overview::{OverviewColumn, overview};
