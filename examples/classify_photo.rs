//! Chapter 7's Tiny VGG on your own photo.
//!
//! `cargo run --release --example classify_photo -- path/to/photo.jpg` prints the five
//! most likely of the ten classes and writes the overview figure of that photo (every
//! feature map of every layer) to `target/ch07/PHOTO_overview.png`, or to `--out`.
//! A photo that is not 64x64 is prepared as CNN Explainer does: its shorter side is
//! scaled to 65 pixels and the central 64x64 square is cut out.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Parser;
use cnn_book::output::repo_root;
use cnn_book::trained::Trained;
use cnn_book::{cli, network_figures};
use cnn_core::data::files::regular_file_size;

/// Classify a photo with CNN Explainer's Tiny VGG and draw its overview.
#[derive(Debug, Parser)]
#[command(about = "Chapter 7: classify your own photo with Tiny VGG")]
pub struct Args {
    /// A PNG or JPEG photo, any size.
    pub photo: PathBuf,
    /// Where to write the overview figure (PNG) [default: target/ch07/PHOTO_overview.png
    /// in the repository].
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl Args {
    /// Checks the photo and the output path before any work, and gives the output path:
    /// `--out`, relative to the current folder, or the default in the repository.
    ///
    /// # Errors
    /// The photo is not a regular file; the output is the photo itself, or not a place
    /// a file can be written.
    pub fn check(&self) -> Result<PathBuf> {
        regular_file_size(&self.photo).context("the photo to classify")?;
        let out = match &self.out {
            Some(out) => out.clone(),
            None => {
                let stem = self
                    .photo
                    .file_stem()
                    .map_or("photo".into(), |s| s.to_string_lossy());
                let folder = repo_root().join("target/ch07");
                fs::create_dir_all(&folder)?;
                folder.join(format!("{stem}_overview.png"))
            }
        };
        cli::check_output(&out, &[&self.photo]).context("--out")?;
        Ok(out)
    }
}

fn main() -> Result<()> {
    let args = Args::parse();
    let out = args.check()?;
    let vgg = Trained::tiny_vgg()?;
    classify(&vgg, &args.photo, &out)
}

/// Print the five most likely classes of `photo` and draw its overview into `out`.
pub fn classify(vgg: &Trained, photo: &Path, out: &Path) -> Result<()> {
    let image = vgg.load_photo(photo)?; // any size -> [3, 64, 64]
    let probabilities = vgg.probabilities(image.view())?; // [10], all finite
    let mut ranking: Vec<usize> = (0..probabilities.len()).collect();
    ranking.sort_by(|&a, &b| probabilities[b].total_cmp(&probabilities[a]));
    println!("{}:", photo.display());
    for k in ranking.into_iter().take(5) {
        println!("  {:<12} {:.4}", vgg.classes()[k], probabilities[k]);
    }
    let name = photo.file_name().unwrap_or_default().to_string_lossy();
    let title = format!("Tiny VGG: every feature map for {name}");
    network_figures::overview(out, &title, &vgg.network, image.view(), &vgg.classes())?;
    println!("overview figure: {}", out.display());
    Ok(())
}
