//! The text of the figures and tables in each edition of the book.
//!
//! The book has an English edition and translations (today one: `zh-CN`, 简体中文). The
//! examples compute their numbers once and write every figure and table in English,
//! as they always did; for each translation, the same figure is drawn again, and the
//! same table written again, with every text looked up in the translation's catalog,
//! `po/figures/LANG.po`. The translated twin goes beside the English file, one folder
//! down (`figures/ch03/x.png` has the twin `figures/zh-CN/ch03/x.png`), where the
//! translated edition of the book picks it up.
//!
//! The catalog's keys are the English texts with each number replaced by a placeholder:
//! the title "8x8 max pooling, 63 x 63" is the message `{0} max pooling, {1}`, translated
//! as `{0} 最大池化，{1}`. The numbers are put back as the English text has them, so a
//! number cannot differ between the editions, and one message serves every figure that
//! differs only in its numbers. A text with nothing to translate (numbers, shapes such as
//! `6 x 14 x 14`, percentages, code in backticks) is used as it is.
//!
//! A text the catalog lacks (or has only an empty or fuzzy translation of) is an error:
//! the example still draws everything, so that one run finds every missing message, and
//! then [`Chapter::finish`](crate::Chapter::finish) refuses to publish anything and lists
//! them, ready to paste into the catalog.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use anyhow::{Context, Result, bail};
use regex::Regex;

use crate::output::repo_root;

/// The languages the book is translated into, beside English.
pub const TRANSLATIONS: &[&str] = &["zh-CN"];

/// The catalog of a translation: `po/figures/LANG.po` in this repository.
pub fn catalog_path(language: &str) -> PathBuf {
    repo_root().join(format!("po/figures/{language}.po"))
}

/// A number as the catalog's keys stand it in for: digits, with decimals or thousands
/// separators, or a size made of them (`8x8`, `6 x 14 x 14`).
fn number_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"\d+(?:[.,]\d+)*(?: ?[x×] ?\d+(?:[.,]\d+)*)*").expect("a valid pattern")
    })
}

/// Code in backticks and placeholders, which a translation keeps as they are.
fn kept_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| Regex::new(r"`[^`]*`|\{\d+\}").expect("a valid pattern"))
}

/// The message of `text`, as the catalog has it, and the numbers it stands in for:
/// `"8x8 max pooling, 63 x 63"` is `("{0} max pooling, {1}", ["8x8", "63 x 63"])`.
/// Code in backticks is kept whole, numbers and all.
pub fn message_of(text: &str) -> (String, Vec<&str>) {
    let (mut message, mut numbers, mut rest) = (String::new(), Vec::new(), 0);
    let code = Regex::new(r"`[^`]*`").expect("a valid pattern");
    let mut spans: Vec<(usize, usize, bool)> = Vec::new(); // (start, end, is a number)
    let mut at = 0;
    for found in code.find_iter(text) {
        spans.extend(
            number_pattern()
                .find_iter(&text[at..found.start()])
                .map(|m| (at + m.start(), at + m.end(), true)),
        );
        spans.push((found.start(), found.end(), false));
        at = found.end();
    }
    spans.extend(
        number_pattern()
            .find_iter(&text[at..])
            .map(|m| (at + m.start(), at + m.end(), true)),
    );
    for (start, end, is_number) in spans {
        if is_number {
            message.push_str(&text[rest..start]);
            message.push_str(&format!("{{{}}}", numbers.len()));
            numbers.push(&text[start..end]);
            rest = end;
        }
    }
    message.push_str(&text[rest..]);
    (message, numbers)
}

/// False for a text with nothing to translate: only numbers, sizes, code in backticks
/// and punctuation.
pub fn needs_translation(text: &str) -> bool {
    let (message, _) = message_of(text);
    kept_pattern()
        .replace_all(&message, " ")
        .chars()
        .any(char::is_alphabetic)
}

/// The parts a translation keeps as they are, sorted: its placeholders and its code.
fn kept_parts(message: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = kept_pattern()
        .find_iter(message)
        .map(|m| m.as_str())
        .collect();
    parts.sort_unstable();
    parts
}

/// A translation's messages: English message to translated message.
#[derive(Debug)]
pub struct Catalog {
    pub language: &'static str,
    pub messages: BTreeMap<String, String>,
}

impl Catalog {
    /// The catalog of `language`, read and checked once (see [`Catalog::read`]).
    ///
    /// # Errors
    /// `language` is not a translation of the book, or its catalog is not valid.
    pub fn of(language: &str) -> Result<&'static Catalog> {
        static CATALOGS: OnceLock<Vec<Result<Catalog, String>>> = OnceLock::new();
        let catalogs = CATALOGS.get_or_init(|| {
            TRANSLATIONS
                .iter()
                .map(|&language| {
                    Catalog::read(language, &catalog_path(language)).map_err(|e| format!("{e:#}"))
                })
                .collect()
        });
        let Some(index) = TRANSLATIONS.iter().position(|&l| l == language) else {
            bail!("the book has no translation {language:?} (it has {TRANSLATIONS:?})");
        };
        catalogs[index]
            .as_ref()
            .map_err(|error| anyhow::anyhow!("{error}"))
    }

    /// Read the catalog at `path`. Every message must be translated and not fuzzy, keep
    /// its placeholders and code, and use only characters the translation's font has.
    ///
    /// # Errors
    /// The file cannot be read or is not a PO file, or a message breaks a rule above;
    /// the message names the file and every message at fault.
    pub fn read(language: &'static str, path: &Path) -> Result<Catalog> {
        let file = polib::po_file::parse(path)
            .map_err(|e| anyhow::anyhow!("{} is not a readable PO file: {e}", path.display()))?;
        let mut messages = BTreeMap::new();
        let mut problems = Vec::new();
        for message in file.messages() {
            let (msgid, msgstr) = (message.msgid(), message.msgstr().unwrap_or(""));
            if msgstr.trim().is_empty() || message.is_fuzzy() {
                problems.push(format!("{msgid:?} is not translated (empty or fuzzy)"));
            } else if kept_parts(msgid) != kept_parts(msgstr) {
                problems.push(format!(
                    "{msgid:?}: the translation {msgstr:?} must keep the placeholders and \
                     code {:?} as they are",
                    kept_parts(msgid)
                ));
            } else if let Some(missing) = msgstr.chars().find(|&c| !crate::plot::has_cjk_glyph(c)) {
                problems.push(format!(
                    "{msgid:?}: the translation uses {missing:?}, which the font \
                     data/fonts/NotoSansCJKsc-subset.otf lacks; regenerate it with \
                     data/fonts/subset.sh (data/fonts/SOURCE.md)"
                ));
            }
            messages.insert(msgid.to_string(), msgstr.to_string());
        }
        if !problems.is_empty() {
            bail!(
                "{} has {} problem(s):\n  - {}",
                path.display(),
                problems.len(),
                problems.join("\n  - ")
            );
        }
        Ok(Catalog { language, messages })
    }

    /// `text` in this catalog's language, its numbers as they are in `text`; `None`
    /// if the catalog has no translation of its message.
    pub fn translate(&self, text: &str) -> Option<String> {
        let (message, numbers) = message_of(text);
        let translated = self.messages.get(&message)?;
        let mut out = translated.clone();
        for (index, number) in numbers.iter().enumerate() {
            out = out.replace(&format!("{{{index}}}"), number);
        }
        Some(out)
    }
}

/// Which edition a figure or table is being written for, and what it has translated.
#[derive(Debug)]
pub struct Edition {
    catalog: Option<&'static Catalog>,
    /// Where the file goes, for the list of missing messages.
    file: String,
    translated: std::cell::Cell<bool>,
}

impl Edition {
    /// The English edition: every text as it is.
    pub fn english() -> Edition {
        Edition {
            catalog: None,
            file: String::new(),
            translated: std::cell::Cell::new(false),
        }
    }

    /// The edition in `language`, for the file at `file`.
    ///
    /// # Errors
    /// The language's catalog cannot be read or is not valid.
    pub fn translation(language: &str, file: &Path) -> Result<Edition> {
        Ok(Edition {
            catalog: Some(Catalog::of(language)?),
            file: shown_path(file),
            translated: std::cell::Cell::new(false),
        })
    }

    /// The edition's language; `None` for English.
    pub fn language(&self) -> Option<&'static str> {
        self.catalog.map(|c| c.language)
    }

    /// `text` in this edition. A text the catalog lacks is recorded as missing (see
    /// [`check_translated`]) and kept in English, so that the run goes on and finds every
    /// missing message at once.
    pub fn text(&self, text: &str) -> String {
        let Some(catalog) = self.catalog else {
            return text.to_string();
        };
        if !needs_translation(text) {
            return text.to_string();
        }
        self.translated.set(true);
        catalog.translate(text).unwrap_or_else(|| {
            record_missing(catalog.language, text, &self.file);
            text.to_string()
        })
    }

    /// Whether any text has been translated: a figure or table with none (only
    /// numbers) needs no twin, the English file serves every edition.
    pub fn translated_anything(&self) -> bool {
        self.translated.get()
    }
}

/// `path` from `figures/` or `generated/` on, for messages (`figures/zh-CN/ch03/x.png`).
fn shown_path(path: &Path) -> String {
    let parts: Vec<_> = path.components().collect();
    let start = parts
        .iter()
        .rposition(|c| {
            let c = c.as_os_str();
            c == "figures" || c == "generated"
        })
        .unwrap_or(0);
    parts[start..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

// ---------------------------------------------------------------------------------------
// Where the twins go. A chapter registers its staging folder while it is open; a figure
// or table written inside it has a twin per translation, and one written anywhere else
// (a test's temporary file, a command line's output) is English only.
// ---------------------------------------------------------------------------------------

static STAGING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Files written under `folder` (a chapter's staging folder) get translated twins.
pub(crate) fn open_staging(folder: &Path) {
    STAGING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(folder.to_path_buf());
}

/// Files under `folder` get no more twins.
pub(crate) fn close_staging(folder: &Path) {
    STAGING
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .retain(|f| f != folder);
}

/// The twins of a file at `path`, one per translation: `STAGING/figures/ch03/x.png` has
/// `(zh-CN, STAGING/figures/zh-CN/ch03/x.png)`. None for a file outside a chapter's
/// staging folder.
pub fn twins(path: &Path) -> Vec<(&'static str, PathBuf)> {
    let staging = STAGING.lock().unwrap_or_else(|e| e.into_inner());
    let Some((folder, rest)) = staging
        .iter()
        .find_map(|folder| Some((folder, path.strip_prefix(folder).ok()?)))
    else {
        return Vec::new();
    };
    let mut parts = rest.components();
    let Some(kind) = parts.next() else {
        return Vec::new();
    };
    TRANSLATIONS
        .iter()
        .map(|&language| {
            let twin = folder.join(kind).join(language).join(parts.as_path());
            (language, twin)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Missing messages, gathered over the run and reported by `Chapter::finish`.
// ---------------------------------------------------------------------------------------

/// (language, message) -> (an example of the text, the files it appears in).
type Missing = BTreeMap<(String, String), (String, BTreeSet<String>)>;

static MISSING: Mutex<Missing> = Mutex::new(BTreeMap::new());

fn record_missing(language: &str, text: &str, file: &str) {
    let (message, _) = message_of(text);
    let mut missing = MISSING.lock().unwrap_or_else(|e| e.into_inner());
    missing
        .entry((language.to_string(), message))
        .or_insert_with(|| (text.to_string(), BTreeSet::new()))
        .1
        .insert(file.to_string());
}

/// Fails if any text written so far had no translation, listing each missing message
/// as a PO entry to add to its catalog.
///
/// # Errors
/// Some messages are missing.
pub fn check_translated() -> Result<()> {
    let missing = MISSING.lock().unwrap_or_else(|e| e.into_inner());
    if missing.is_empty() {
        return Ok(());
    }
    let mut entries = String::new();
    for ((language, message), (example, files)) in missing.iter() {
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        entries.push_str(&format!(
            "\n# {}\n#: {}\n",
            catalog_path(language)
                .strip_prefix(repo_root())
                .unwrap_or(&catalog_path(language))
                .display(),
            files.join(" ")
        ));
        if example != message {
            entries.push_str(&format!("#. for example: {}\n", po_string(example)));
        }
        entries.push_str(&format!("msgid {}\nmsgstr \"\"\n", po_string(message)));
    }
    bail!(
        "{} text(s) of the figures and tables have no translation, so nothing was \
         published. Add these messages to the catalogs, translated (the numbers' \
         placeholders {{0}}, {{1}}, ... kept):\n{entries}",
        missing.len()
    )
}

/// `text` as a PO string, quoted and escaped.
fn po_string(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

/// Read a catalog for a check, with a message that names it.
///
/// # Errors
/// See [`Catalog::read`].
pub fn read_catalog(language: &'static str) -> Result<Catalog> {
    let path = catalog_path(language);
    Catalog::read(language, &path).with_context(|| format!("checking {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_placeholders_and_code_stays_whole() {
        assert_eq!(
            message_of("8x8 max pooling, 63 x 63"),
            ("{0} max pooling, {1}".to_string(), vec!["8x8", "63 x 63"])
        );
        assert_eq!(
            message_of("filter 2: `conv2d(x, 3)` at 0.25"),
            (
                "filter {0}: `conv2d(x, 3)` at {1}".to_string(),
                vec!["2", "0.25"]
            )
        );
        assert_eq!(message_of("conv1").0, "conv{0}");
        assert!(!needs_translation("6 x 14 x 14"));
        assert!(!needs_translation("83% / -0.25"));
        assert!(!needs_translation("`[1, 6, 28, 28]`"));
        assert!(needs_translation("conv 1"));
    }

    #[test]
    fn a_translation_gets_the_numbers_of_the_english_text() {
        let catalog = Catalog {
            language: "zh-CN",
            messages: BTreeMap::from([(
                "filter {0}: {1} max pooling".to_string(),
                "卷积核 {0}：{1} 最大池化".to_string(),
            )]),
        };
        assert_eq!(
            catalog.translate("filter 2: 8x8 max pooling").as_deref(),
            Some("卷积核 2：8x8 最大池化")
        );
        assert_eq!(catalog.translate("filter 2: average pooling"), None);
    }

    #[test]
    fn twins_are_one_folder_down_and_only_inside_a_chapter() {
        let folder = std::env::temp_dir().join("cnn-book-twins-test");
        open_staging(&folder);
        assert_eq!(
            twins(&folder.join("figures/ch03/x.png")),
            vec![("zh-CN", folder.join("figures/zh-CN/ch03/x.png"))]
        );
        assert!(twins(Path::new("/tmp/elsewhere/x.png")).is_empty());
        close_staging(&folder);
        assert!(twins(&folder.join("figures/ch03/x.png")).is_empty());
    }

    #[test]
    fn every_catalog_is_translated_and_its_font_has_every_character() {
        for &language in TRANSLATIONS {
            let catalog = read_catalog(language).unwrap_or_else(|e| panic!("{e:#}"));
            assert!(!catalog.messages.is_empty());
        }
    }

    #[test]
    fn a_catalog_with_a_bad_translation_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.po");
        // The catalog's own header (polib needs one), then three bad messages.
        let header = include_str!("../po/figures/zh-CN.po")
            .split("\n\n")
            .next()
            .unwrap();
        let bad = "msgid \"shift {0} px\"\nmsgstr \"平移 px\"\n\n\
                   msgid \"pooling\"\nmsgstr \"\"\n\n\
                   msgid \"feature map\"\nmsgstr \"特征图☃\"\n";
        std::fs::write(&path, format!("{header}\n\n{bad}")).unwrap();
        let error = format!("{:#}", Catalog::read("zh-CN", &path).unwrap_err());
        assert!(error.contains("3 problem(s)"), "{error}");
        assert!(error.contains("\"pooling\" is not translated"), "{error}");
        assert!(error.contains("keep the placeholders"), "{error}");
        assert!(error.contains("lacks"), "{error}");
    }
}
