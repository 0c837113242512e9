//! Where the examples write, and how.
//!
//! A chapter's figures go to `book/figures/chNN/` and its generated tables to
//! `book/generated/chNN/`, where the chapter's Markdown embeds them. Every file is
//! written to a temporary name first and then renamed, so an example that fails
//! half-way never leaves a truncated figure behind, and the previous one survives.

use std::fmt::Display;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// The repository's root folder (where `book.toml` is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Write `bytes` to `path` atomically: a temporary file beside it (in the same folder,
/// so that the rename cannot cross file systems), then a rename. Parent folders are
/// created as needed.
///
/// # Errors
/// The folder cannot be created or the file cannot be written; the message names the
/// path. The file at `path` is then as it was, and no temporary file is left behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("creating folder {}", parent.display()))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temporary = parent.join(format!(".{file_name}.partial"));
    let written = fs::write(&temporary, bytes)
        .with_context(|| format!("writing {}", temporary.display()))
        .and_then(|()| {
            fs::rename(&temporary, path)
                .with_context(|| format!("renaming {} to {}", temporary.display(), path.display()))
        });
    if written.is_err() {
        // Whole or nothing: a half-written temporary file must not stay behind. If
        // removing it fails too, the error to report is still the first one.
        let _ = fs::remove_file(&temporary);
    }
    written
}

/// One chapter's output folders.
#[derive(Debug, Clone)]
pub struct Chapter {
    id: String,
    root: PathBuf,
}

impl Chapter {
    /// The chapter `id` (such as `"ch03"`), writing into this repository's `book/`.
    pub fn new(id: &str) -> Chapter {
        Chapter {
            id: id.to_string(),
            root: repo_root().join("book"),
        }
    }

    /// The same chapter writing into another folder (for tests).
    pub fn with_root(id: &str, root: &Path) -> Chapter {
        Chapter {
            id: id.to_string(),
            root: root.to_path_buf(),
        }
    }

    /// Path of the figure `name` (such as `"pooling.png"`): `book/figures/chNN/name`.
    pub fn figure(&self, name: &str) -> PathBuf {
        self.root.join("figures").join(&self.id).join(name)
    }

    /// Path of the generated file `name`: `book/generated/chNN/name`.
    pub fn generated(&self, name: &str) -> PathBuf {
        self.root.join("generated").join(&self.id).join(name)
    }

    /// Write a generated Markdown table, included in the chapter with
    /// `{{#include ../generated/chNN/name.md}}`.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write_table(&self, name: &str, table: &Table) -> Result<PathBuf> {
        let path = self.generated(&format!("{name}.md"));
        write_atomically(&path, table.to_markdown().as_bytes())?;
        Ok(path)
    }

    /// Print a table (so a reader running the example sees it) and write it where
    /// the chapter includes it: `{{#include ../generated/chNN/name.md}}`.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn publish(&self, name: &str, table: &Table) -> Result<PathBuf> {
        println!("{name}:\n{table}");
        self.write_table(name, table)
    }

    /// Write one value that prose quotes, such as a parameter count, with no trailing
    /// newline so that `{{#include}}` can place it inside a sentence.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write_value(&self, name: &str, value: impl Display) -> Result<PathBuf> {
        let path = self.generated(&format!("{name}.md"));
        write_atomically(&path, value.to_string().as_bytes())?;
        Ok(path)
    }
}

/// A Markdown table built row by row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headings.
    pub fn new<S: Display>(header: impl IntoIterator<Item = S>) -> Table {
        Table {
            header: header.into_iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Append a row; it must have one cell per column.
    ///
    /// # Panics
    /// A row with the wrong number of cells (a bug in the calling example).
    pub fn row<S: Display>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Table {
        let cells: Vec<String> = cells.into_iter().map(|c| c.to_string()).collect();
        assert_eq!(
            cells.len(),
            self.header.len(),
            "row {cells:?} does not match header {:?}",
            self.header
        );
        self.rows.push(cells);
        self
    }

    /// The rows so far, as text.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The table as GitHub-flavoured Markdown, numbers right-aligned.
    pub fn to_markdown(&self) -> String {
        let is_number = |column: usize| {
            !self.rows.is_empty() && self.rows.iter().all(|r| r[column].parse::<f64>().is_ok())
        };
        let mut text = format!("| {} |\n|", self.header.join(" | "));
        for column in 0..self.header.len() {
            text.push_str(if is_number(column) { "---:|" } else { "---|" });
        }
        text.push('\n');
        for row in &self.rows {
            text.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        text
    }
}

impl Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_markdown())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_tables_align_numbers_right() {
        let mut table = Table::new(["layer", "size"]);
        table.row(["conv", "28"]).row(["pool", "14"]);
        assert_eq!(
            table.to_markdown(),
            "| layer | size |\n|---|---:|\n| conv | 28 |\n| pool | 14 |\n"
        );
    }

    #[test]
    fn atomic_write_replaces_the_file_and_leaves_no_partial() {
        let dir = std::env::temp_dir().join(format!("cnn-book-output-test-{}", std::process::id()));
        let chapter = Chapter::with_root("ch99", &dir);
        chapter.write_value("answer", 42).unwrap();
        chapter.write_value("answer", 43).unwrap();
        let path = chapter.generated("answer.md");
        assert_eq!(fs::read_to_string(&path).unwrap(), "43");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("answer.md")]);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_failed_atomic_write_leaves_no_partial_file() {
        let dir =
            std::env::temp_dir().join(format!("cnn-book-failed-write-{}", std::process::id()));
        // A folder where the file should go: the final rename fails.
        let path = dir.join("figure.png");
        fs::create_dir_all(&path).unwrap();
        let error = write_atomically(&path, b"bytes").unwrap_err();
        assert!(format!("{error:#}").contains("renaming"), "{error:#}");
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("figure.png")]);
        assert!(path.is_dir());
        fs::remove_dir_all(dir).unwrap();
    }
}
