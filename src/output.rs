//! Where the examples write, and how.
//!
//! A chapter's figures go to `book/figures/chNN/` and its generated tables to
//! `book/generated/chNN/`, where the chapter's Markdown embeds them.
//!
//! Nothing is written there until the example has done all its work: a [`Chapter`]
//! writes every file into a staging folder first, and [`Chapter::finish`], the last
//! call of an example's `main`, moves them all into place. An example that fails or is
//! interrupted half-way leaves every earlier figure and table exactly as it was, and
//! each file appears whole (it is renamed into place, never written there).
//!
//! Every figure and table is written in each edition of the book: in English, and, where
//! it has text, translated beside it, one folder down (`book/figures/zh-CN/chNN/`,
//! `book/generated/zh-CN/chNN/`; see [`crate::i18n`]). [`Chapter::finish`] publishes
//! both editions together, and only if every text had its translation.

use std::fmt::Display;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::i18n::{self, Edition, TRANSLATIONS};

/// The repository's root folder (where `book.toml` is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Write `bytes` to `path` whole or not at all (see
/// [`cnn_core::data::files::write_atomically`]): a temporary file beside it, then a
/// rename. Parent folders are created as needed; a symbolic link, a device or a folder
/// at `path` is refused, not replaced.
///
/// # Errors
/// The folder cannot be created or the file cannot be written; the message names the
/// path. The file at `path` is then as it was, and no temporary file is left behind.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).with_context(|| format!("creating folder {}", parent.display()))?;
    cnn_core::data::files::write_atomically(path, bytes)?;
    Ok(())
}

/// One chapter's output folders, and the staging folder its files wait in until
/// [`Chapter::finish`].
#[derive(Debug)]
pub struct Chapter {
    id: String,
    root: PathBuf,
    staging: tempfile::TempDir,
}

impl Chapter {
    /// The chapter `id` (such as `"ch03"`), writing into this repository's `book/`.
    ///
    /// # Errors
    /// The staging folder cannot be made.
    pub fn new(id: &str) -> Result<Chapter> {
        Chapter::with_root(id, &repo_root().join("book"))
    }

    /// The same chapter writing into another folder (for tests).
    ///
    /// # Errors
    /// The staging folder cannot be made.
    pub fn with_root(id: &str, root: &Path) -> Result<Chapter> {
        fs::create_dir_all(root).with_context(|| format!("creating folder {}", root.display()))?;
        // In the output folder itself, so that moving a file into place is a rename.
        let staging = tempfile::Builder::new()
            .prefix(".staging-")
            .tempdir_in(root)
            .with_context(|| format!("creating a staging folder in {}", root.display()))?;
        // What is written in the staging folder gets translated twins (see `i18n`).
        i18n::open_staging(staging.path());
        Ok(Chapter {
            id: id.to_string(),
            root: root.to_path_buf(),
            staging,
        })
    }

    /// Where the figure `name` (such as `"pooling.png"`) is drawn: in the staging
    /// folder, until [`Chapter::finish`] moves it to `book/figures/chNN/name`.
    pub fn figure(&self, name: &str) -> PathBuf {
        self.staging
            .path()
            .join("figures")
            .join(&self.id)
            .join(name)
    }

    /// Where the generated file `name` is written: in the staging folder, until
    /// [`Chapter::finish`] moves it to `book/generated/chNN/name`.
    pub fn generated(&self, name: &str) -> PathBuf {
        self.staging
            .path()
            .join("generated")
            .join(&self.id)
            .join(name)
    }

    /// The final place of the figure `name`: `book/figures/chNN/name`.
    pub fn published_figure(&self, name: &str) -> PathBuf {
        self.root.join("figures").join(&self.id).join(name)
    }

    /// The final place of the generated file `name`: `book/generated/chNN/name`.
    pub fn published(&self, name: &str) -> PathBuf {
        self.root.join("generated").join(&self.id).join(name)
    }

    /// Move every staged file into its place in the book, each by a rename, so every
    /// file appears whole, the English files and their translated twins. A twin that the
    /// run did not write again (its figure or table has no text any more) is removed, so
    /// that the translated edition shows the English file, never a stale one. Call it
    /// last, once all the work has succeeded.
    ///
    /// # Errors
    /// A text had no translation (nothing is published then, and the message lists the
    /// missing ones), or a folder cannot be made or a file cannot be moved.
    pub fn finish(self) -> Result<Vec<PathBuf>> {
        i18n::check_translated()?;
        let mut moved = Vec::new();
        for kind in ["figures", "generated"] {
            let english = self.move_staged(&Path::new(kind).join(&self.id), &mut moved)?;
            for language in TRANSLATIONS {
                let folder = Path::new(kind).join(language).join(&self.id);
                let translated = self.move_staged(&folder, &mut moved)?;
                for name in english.iter().filter(|name| !translated.contains(name)) {
                    let stale = self.root.join(&folder).join(name);
                    if stale.is_file() {
                        fs::remove_file(&stale)
                            .with_context(|| format!("removing {}", stale.display()))?;
                    }
                }
            }
        }
        Ok(moved)
    }

    /// Move the files staged in `folder` (relative to the book) into place, adding
    /// their destinations to `moved`; returns their names.
    fn move_staged(
        &self,
        folder: &Path,
        moved: &mut Vec<PathBuf>,
    ) -> Result<Vec<std::ffi::OsString>> {
        let staged = self.staging.path().join(folder);
        if !staged.exists() {
            return Ok(Vec::new());
        }
        let target = self.root.join(folder);
        fs::create_dir_all(&target)
            .with_context(|| format!("creating folder {}", target.display()))?;
        let mut entries: Vec<_> = fs::read_dir(&staged)?.collect::<std::io::Result<_>>()?;
        entries.sort_by_key(|entry| entry.file_name());
        let mut names = Vec::new();
        for entry in entries {
            if !entry.file_type()?.is_file() {
                bail!(
                    "{} is not a file; examples write files only",
                    entry.path().display()
                );
            }
            let destination = target.join(entry.file_name());
            fs::rename(entry.path(), &destination).with_context(|| {
                format!(
                    "moving {} to {}",
                    entry.path().display(),
                    destination.display()
                )
            })?;
            names.push(entry.file_name());
            moved.push(destination);
        }
        Ok(names)
    }

    /// Write a generated Markdown table, included in the chapter with
    /// `{{#include ../generated/chNN/name.md}}`.
    ///
    /// # Errors
    /// The file cannot be written.
    pub fn write_table(&self, name: &str, table: &Table) -> Result<PathBuf> {
        let path = self.generated(&format!("{name}.md"));
        write_atomically(&path, table.to_markdown().as_bytes())?;
        for (language, twin) in i18n::twins(&path) {
            let edition = Edition::translation(language, &twin)?;
            let translated = table.translated(&edition);
            if edition.translated_anything() {
                write_atomically(&twin, translated.to_markdown().as_bytes())?;
            }
        }
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
        let value = value.to_string();
        write_atomically(&path, value.as_bytes())?;
        for (language, twin) in i18n::twins(&path) {
            let edition = Edition::translation(language, &twin)?;
            let translated = edition.text(&value);
            if edition.translated_anything() {
                write_atomically(&twin, translated.as_bytes())?;
            }
        }
        Ok(path)
    }
}

impl Drop for Chapter {
    fn drop(&mut self) {
        i18n::close_staging(self.staging.path());
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

    /// The same table with every heading and cell in `edition`'s language (numbers,
    /// sizes and code as they are).
    pub fn translated(&self, edition: &Edition) -> Table {
        let translate = |cells: &[String]| cells.iter().map(|c| edition.text(c)).collect();
        Table {
            header: translate(&self.header),
            rows: self.rows.iter().map(|row| translate(row)).collect(),
        }
    }

    /// The rows so far, as text.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The table as GitHub-flavoured Markdown, numbers (also with thousands
    /// separators, `30,000`) right-aligned. A `|` inside a cell is escaped as `\|`, so
    /// that a heading such as `1 - |t|` stays one cell.
    pub fn to_markdown(&self) -> String {
        let is_number = |cell: &str| cell.replace(',', "").parse::<f64>().is_ok();
        let numeric = |column: usize| {
            !self.rows.is_empty() && self.rows.iter().all(|r| is_number(&r[column]))
        };
        let line = |cells: &[String]| {
            let escaped: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
            format!("| {} |\n", escaped.join(" | "))
        };
        let mut text = line(&self.header);
        text.push('|');
        for column in 0..self.header.len() {
            text.push_str(if numeric(column) { "---:|" } else { "---|" });
        }
        text.push('\n');
        for row in &self.rows {
            text.push_str(&line(row));
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
    fn pipes_inside_cells_are_escaped_and_separated_thousands_are_numbers() {
        let mut table = Table::new(["t", "1 - |t|"]);
        table.row(["0.5", "0.5"]).row(["1,000", "0"]);
        assert_eq!(
            table.to_markdown(),
            "| t | 1 - \\|t\\| |\n|---:|---:|\n| 0.5 | 0.5 |\n| 1,000 | 0 |\n"
        );
    }

    #[test]
    fn files_appear_only_when_the_chapter_finishes() {
        let dir = tempfile::tempdir().unwrap();
        let chapter = Chapter::with_root("ch99", dir.path()).unwrap();
        chapter.write_value("answer", 42).unwrap();
        chapter.write_value("answer", 43).unwrap();
        let published = chapter.published("answer.md");
        assert!(!published.exists(), "nothing is published before finish");
        chapter.finish().unwrap();
        assert_eq!(fs::read_to_string(&published).unwrap(), "43");
        // A second run that fails half-way leaves the first run's file as it was, and
        // no staging folder behind.
        let failing = Chapter::with_root("ch99", dir.path()).unwrap();
        failing.write_value("answer", 44).unwrap();
        drop(failing); // the example returned an error before `finish`
        assert_eq!(fs::read_to_string(&published).unwrap(), "43");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("generated")]);
    }

    #[test]
    fn a_table_with_text_gets_a_translated_twin_and_a_stale_twin_goes() {
        let dir = tempfile::tempdir().unwrap();
        let twin = dir.path().join("generated/zh-CN/ch99/sizes.md");
        let chapter = Chapter::with_root("ch99", dir.path()).unwrap();
        let mut table = Table::columns("pooling | size");
        table.line("8x8 max pooling | 63 x 63");
        chapter.write_table("sizes", &table).unwrap();
        chapter.write_value("share", "83%").unwrap();
        assert!(!twin.exists(), "nothing is published before finish");
        chapter.finish().unwrap();
        assert_eq!(
            fs::read_to_string(&twin).unwrap(),
            "| 池化 | 尺寸 |\n|---|---|\n| 8x8 最大池化 | 63 x 63 |\n"
        );
        // A value of numbers only needs no twin: the English file serves both editions.
        assert!(!dir.path().join("generated/zh-CN/ch99/share.md").exists());
        // The same table, now numbers only: its old twin must not outlive it.
        let chapter = Chapter::with_root("ch99", dir.path()).unwrap();
        let mut table = Table::columns("1 | 2");
        table.line("3 | 4");
        chapter.write_table("sizes", &table).unwrap();
        chapter.finish().unwrap();
        assert!(!twin.exists(), "the stale twin is removed");
    }

    #[test]
    fn a_failed_atomic_write_leaves_no_partial_file() {
        let dir =
            std::env::temp_dir().join(format!("cnn-book-failed-write-{}", std::process::id()));
        // A folder where the file should go: the final rename fails.
        let path = dir.join("figure.png");
        fs::create_dir_all(&path).unwrap();
        let error = write_atomically(&path, b"bytes").unwrap_err();
        assert!(
            format!("{error:#}").contains("is not a regular file"),
            "{error:#}"
        );
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("figure.png")]);
        assert!(path.is_dir());
        fs::remove_dir_all(dir).unwrap();
    }
}
