//! What the example programs' command lines share: checks that refuse a bad option
//! before any work starts, with a message that names it, and the progress of a
//! training run.
//!
//! The number checks are for clap's `value_parser`, so that `--help` and the error
//! messages come from clap:
//!
//! ```text
//! #[arg(long, default_value_t = 2, value_parser = cli::count::<1, 256>)]
//! threads: usize,
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};
use cnn_core::data::files::check_writable;
use cnn_core::train::Progress;
use indicatif::{ProgressBar, ProgressStyle};

use crate::output::repo_root;

/// The most threads a program starts: far more than the cores of any machine the
/// examples run on, few enough that a typing error cannot start a hundred thousand.
pub const MAX_THREADS: usize = 256;

/// A whole number from `LOW` to `HIGH`.
///
/// # Errors
/// Text that is not a whole number, or one outside the range.
pub fn count<const LOW: usize, const HIGH: usize>(text: &str) -> Result<usize, String> {
    let value: usize = text
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    if !(LOW..=HIGH).contains(&value) {
        return Err(format!("must be from {LOW} to {HIGH}, got {value}"));
    }
    Ok(value)
}

/// A finite number above zero, such as a learning rate.
///
/// # Errors
/// Text that is not a number, or zero, a negative number, infinity or NaN.
pub fn positive(text: &str) -> Result<f32, String> {
    let value: f32 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if !(value.is_finite() && value > 0.0) {
        return Err(format!("must be a finite number above 0, got {value}"));
    }
    Ok(value)
}

/// A factor in `(0, 1]`: it may shrink what it multiplies, never flip its sign, zero
/// it or make it grow.
///
/// # Errors
/// Text that is not a number, or one outside `(0, 1]` (NaN included).
pub fn fraction(text: &str) -> Result<f32, String> {
    let value: f32 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if !(value > 0.0 && value <= 1.0) {
        return Err(format!("must be above 0 and at most 1, got {value}"));
    }
    Ok(value)
}

/// A path given on the command line, which is relative to the current folder, or
/// else the default, which is relative to the repository.
pub fn path_or_default(given: Option<&Path>, default_in_repository: &str) -> PathBuf {
    match given {
        Some(path) => path.to_path_buf(),
        None => repo_root().join(default_in_repository),
    }
}

/// Checks, before any work, that a program may write its output to `out`: nothing
/// is there or a regular file (not a symbolic link, device or folder), its folder
/// exists, and it is none of the program's `inputs` (a program never replaces its own
/// input, however the two paths are spelled).
///
/// # Errors
/// Any of these is not so; the message names the path.
pub fn check_output(out: &Path, inputs: &[&Path]) -> Result<()> {
    check_writable(out)?;
    if let Ok(out_file) = out.canonicalize() {
        for input in inputs {
            if input
                .canonicalize()
                .is_ok_and(|input_file| input_file == out_file)
            {
                bail!(
                    "{} is the input {}; refusing to replace it (give another output path)",
                    out.display(),
                    input.display()
                );
            }
        }
    }
    Ok(())
}

/// A progress bar for [`cnn_core::train::fit`]: one bar per epoch, then a line with
/// the epoch's loss and accuracies.
pub fn training_progress(epochs: usize) -> impl FnMut(Progress) {
    let mut bar: Option<ProgressBar> = None;
    move |progress| match progress {
        Progress::Batch { epoch, done, of } => {
            let bar = bar.get_or_insert_with(|| {
                let bar = ProgressBar::new(of as u64).with_message(format!("{epoch}/{epochs}"));
                let template = "epoch {msg} [{bar:30}] {pos}/{len} batches, {eta} left";
                if let Ok(style) = ProgressStyle::with_template(template) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar
            });
            bar.set_position(done as u64);
        }
        Progress::Epoch(stats) => {
            if let Some(bar) = bar.take() {
                bar.finish_and_clear();
            }
            println!(
                "epoch {}: loss {:.4}, train accuracy {:.2}%, test accuracy {:.2}% ({:.2} s)",
                stats.epoch,
                stats.train_loss,
                100.0 * stats.train_accuracy,
                100.0 * stats.test_accuracy,
                stats.seconds
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_outside_their_range_are_refused() {
        assert_eq!(count::<1, 256>("2"), Ok(2));
        assert_eq!(count::<1, 256>("256"), Ok(256));
        assert_eq!(
            count::<1, 256>("0"),
            Err("must be from 1 to 256, got 0".into())
        );
        assert_eq!(
            count::<1, 256>("100000"),
            Err("must be from 1 to 256, got 100000".into())
        );
        assert_eq!(
            count::<1, 9>("-1"),
            Err("`-1` is not a whole number".into())
        );
        assert_eq!(positive("0.0015"), Ok(0.0015));
        for bad in ["0", "-1", "inf", "NaN", "1e39"] {
            assert!(positive(bad).is_err(), "{bad}");
        }
        assert_eq!(positive("x"), Err("`x` is not a number".into()));
        assert_eq!(fraction("1"), Ok(1.0));
        assert_eq!(fraction("0.7"), Ok(0.7));
        for bad in ["0", "-0.5", "1.01", "NaN", "inf"] {
            assert!(fraction(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_output_is_never_an_input_nor_anything_but_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let photo = dir.path().join("mine.png");
        std::fs::write(&photo, b"a photo").unwrap();
        let e = check_output(&photo, &[&photo]).unwrap_err().to_string();
        assert!(e.contains("is the input"), "{e}");
        // The same file by another spelling of its path.
        let other_spelling = dir.path().join(".").join("mine.png");
        let e = check_output(&other_spelling, &[&photo])
            .unwrap_err()
            .to_string();
        assert!(e.contains("refusing to replace it"), "{e}");
        // A new file beside it is fine, and nothing was written by the check.
        check_output(&dir.path().join("saliency.png"), &[&photo]).unwrap();
        assert_eq!(std::fs::read(&photo).unwrap(), b"a photo");
        assert!(!dir.path().join("saliency.png").exists());
        // A folder, a missing folder and a device are refused.
        assert!(check_output(dir.path(), &[&photo]).is_err());
        assert!(check_output(&dir.path().join("no/such/x.png"), &[]).is_err());
        #[cfg(unix)]
        {
            assert!(check_output(Path::new("/dev/null"), &[]).is_err());
            let link = dir.path().join("link.png");
            std::os::unix::fs::symlink(&photo, &link).unwrap();
            let e = check_output(&link, &[]).unwrap_err().to_string();
            assert!(e.contains("symbolic link"), "{e}");
        }
    }

    #[test]
    fn command_line_paths_are_relative_to_the_current_folder() {
        let given = path_or_default(Some(Path::new("my.cnn")), "data/trained/lenet5.cnn");
        assert_eq!(given, PathBuf::from("my.cnn"));
        let default = path_or_default(None, "data/trained/lenet5.cnn");
        assert_eq!(default, repo_root().join("data/trained/lenet5.cnn"));
    }
}
