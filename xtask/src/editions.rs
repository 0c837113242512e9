//! The book's editions: the English one, and a translation for each language in
//! [`TRANSLATIONS`], built from the same sources by mdBook with gettext
//! (mdbook-i18n-helpers).
//!
//! One `mdbook build` builds them all (book.toml):
//!
//! 1. The preprocessor `gettext-prepare` puts the hand-written Markdown that a page includes
//!    (a chapter's `{{#include exercises/ch03.md}}`) into the page ([`prose_includes`]),
//!    before gettext, so that its paragraphs are translated like the page's own (for the
//!    POT it adds the included file as a page of its own instead, so that its messages are
//!    credited to the file they come from); in a translation it wraps math and admonitions
//!    so that gettext keeps them ([`protect`]); and in every edition it gives each heading
//!    the id of its English text ([`heading_ids`]), so that a `#place` is the same in all.
//! 2. `mdbook-gettext` translates every paragraph, heading, list item and table cell from
//!    `po/LANG.po`, before `{{#include}}` is expanded: the generated tables and the code the
//!    pages include are never messages, so no number is ever typed into a PO file.
//! 3. The preprocessor `gettext-finish` unwraps math and admonitions ([`restore`]) and
//!    points a translated page at the translated twin of a generated table, figure or quiz
//!    ([`localize_paths`]: `generated/ch03/x.md` becomes `generated/zh-CN/ch03/x.md`,
//!    `figures/ch03/x.png` becomes `figures/zh-CN/ch03/x.png`) where the examples wrote one:
//!    the same numbers, with headers, titles and labels in the language.
//! 4. The renderer `translations` ([`render_translations`]), which runs after `html` and
//!    `linkcheck2` (mdBook runs renderers in the order of their names), builds each
//!    translation with `MDBOOK_BOOK__LANGUAGE=LANG` into `target/book/translations/LANG/`,
//!    whose own link check checks the translated edition, copies its HTML to
//!    `target/book/html/LANG/` (English at the root, each translation in a folder), and puts
//!    a language switch on every page of every edition ([`add_language_switch`]) that links
//!    to the same page of the other edition, on a server and opened from disk.
//!
//! `cargo xtask book` then checks every link of every edition, `#fragment`s included
//! ([`check_site_links`]).
//!
//! `cargo xtask po` ([`update_po`]) extracts the messages (`mdbook-xgettext`) and merges
//! them into `po/LANG.po` (`msgmerge`) for translators; `cargo xtask po --check`
//! ([`check_po`]) is CI's check that the PO files are current and wholly translated.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};
use regex::Regex;
use serde_json::Value;

use crate::{run, tool_command};

/// A translated edition of the book.
pub struct Translation {
    /// The language code, as in `po/LANG.po` and mdBook's `book.language`.
    pub language: &'static str,
    /// The book's title in the language (the title is not a message of the pages).
    pub title: &'static str,
    /// The language's name in itself, as the language switch shows it.
    pub name: &'static str,
}

/// The translated editions. English, the language of the sources, is not listed.
pub const TRANSLATIONS: &[Translation] = &[Translation {
    language: "zh-CN",
    title: "卷积神经网络：一本可以运行的教科书",
    name: "中文",
}];

/// Set for a translation's own `mdbook build`, so that its `translations` renderer does
/// not build the translations again.
const EDITION_VARIABLE: &str = "CNN_BOOK_EDITION";

/// Where `cargo xtask po` writes the extracted messages.
const POT_DIR: &str = "target/po";

// ---------------------------------------------------------------------------------------
// mdBook's preprocessor protocol: `COMMAND supports RENDERER`, then `[context, book]` as
// JSON on standard input and the book as JSON on standard output.
// ---------------------------------------------------------------------------------------

/// Runs the preprocessor `name` (`gettext-prepare` or `gettext-finish`) as mdBook calls it.
pub fn preprocessor(name: &str, supports: Option<&str>) -> Result<()> {
    if supports.is_some() {
        // Both work for every renderer; book.toml says which run for which.
        return Ok(());
    }
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("could not read the book from mdbook")?;
    let (context, mut book): (Value, Value) = serde_json::from_str(&input)
        .context("mdbook sent something that is not [context, book]")?;
    let book_root = PathBuf::from(context["root"].as_str().unwrap_or("."));
    let src = book_root.join(context["config"]["book"]["src"].as_str().unwrap_or("src"));
    let language = context["config"]["book"]["language"]
        .as_str()
        .unwrap_or("en");
    let translated = TRANSLATIONS.iter().any(|t| t.language == language);
    let for_pot = context["renderer"].as_str() == Some("xgettext");
    match name {
        "gettext-prepare" => {
            prose_includes(&mut book, &src, for_pot)?;
            if translated || for_pot {
                for_each_chapter(&mut book, &mut |chapter| {
                    edit_content(chapter, protect);
                });
            }
            if !for_pot {
                // Every edition's headings get the ids of the English headings, written
                // into the page before gettext translates it (see `heading_ids`).
                for_each_chapter(&mut book, &mut |chapter| {
                    edit_content(chapter, heading_ids);
                });
            }
        }
        "gettext-finish" => {
            if translated {
                for_each_chapter(&mut book, &mut |chapter| {
                    let dir = src.join(chapter_dir(chapter));
                    edit_content(chapter, |text| {
                        to_site_files(&localize_paths(&restore(text), &dir, language))
                    });
                });
            }
        }
        other => bail!("no preprocessor named `{other}` (gettext-prepare, gettext-finish)"),
    }
    serde_json::to_writer(std::io::stdout().lock(), &book)
        .context("could not send the book back to mdbook")
}

/// Replaces a chapter's content with `edit` of it.
fn edit_content(chapter: &mut serde_json::Map<String, Value>, edit: impl FnOnce(&str) -> String) {
    if let Some(Value::String(content)) = chapter.get_mut("content") {
        *content = edit(content);
    }
}

// ---------------------------------------------------------------------------------------
// What gettext would change. mdbook-gettext rebuilds each page from its parsed Markdown,
// which knows neither math nor admonitions: it would escape `[` and `_` inside `$...$`
// (`\[N, C\]`, which KaTeX cannot read) and join `> [!NOTE]` with the line after it.
// So, before gettext (and before extracting the POT, so that the messages match), each
// `$...$` and `$$...$$` becomes a code span, which gettext keeps as it is and a translator
// copies as it is, and each admonition's first line an HTML comment; after gettext both
// are put back.
// ---------------------------------------------------------------------------------------

const ADMONITIONS: &[&str] = &["NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"];

/// The page with math in code spans and admonition markers as comments (see above).
pub fn protect(text: &str) -> String {
    let marked = admonition_pattern().replace_all(text, |c: &regex::Captures| {
        let quote = &c[1];
        format!(
            "{quote}<!-- admonition:{} -->\n{}\n",
            &c[2],
            quote.trim_end()
        )
    });
    outside_code_blocks(&marked, protect_math)
}

/// The page as it was before [`protect`], from what gettext made of it.
pub fn restore(text: &str) -> String {
    let unmarked = restore_pattern().replace_all(text, |c: &regex::Captures| {
        format!("{}[!{}]\n", &c[1], &c[2])
    });
    outside_code_blocks(&unmarked, restore_prose)
}

/// Math unwrapped and emphasis written with `*` (see [`star_emphasis`]).
fn restore_prose(text: &str) -> String {
    restore_math(&star_emphasis(text))
}

/// Emphasis next to Chinese text written `*...*` instead of `_..._`.
///
/// mdbook-gettext writes every emphasis of a translated page as `_..._`. CommonMark does
/// not let `_` open or close emphasis inside a word, and to it a run of Chinese characters
/// is one word, so `在_哪里_、` would show its underscores; `在*哪里*、` is emphasis. A pair
/// of `_` is taken for emphasis only where an English-style identifier cannot be: the
/// opening one not after a letter, digit or `_`, the closing one not before one, both on
/// one line, outside code spans, and next to a Chinese character or punctuation mark.
/// `pizza_2` and `max_pool2d` keep their underscores.
fn star_emphasis(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let word = |c: Option<&char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
    let chinese = |c: Option<&char>| c.is_some_and(|&c| is_cjk(c));
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '`' => i = code_span_end(&chars, i),
            '_' if !word(i.checked_sub(1).and_then(|p| chars.get(p)))
                && chars
                    .get(i + 1)
                    .is_some_and(|c| !c.is_whitespace() && *c != '_') =>
            {
                let close = (i + 2..chars.len())
                    .take_while(|&j| chars[j] != '\n' && chars[j] != '`')
                    .find(|&j| {
                        chars[j] == '_' && !chars[j - 1].is_whitespace() && !word(chars.get(j + 1))
                    });
                match close {
                    Some(j)
                        if chinese(i.checked_sub(1).and_then(|p| chars.get(p)))
                            || chinese(chars.get(i + 1))
                            || chinese(chars.get(j - 1))
                            || chinese(chars.get(j + 1)) =>
                    {
                        chars[i] = '*';
                        chars[j] = '*';
                        i = j + 1;
                    }
                    _ => i += 1,
                }
            }
            _ => i += 1,
        }
    }
    chars.into_iter().collect()
}

/// A Chinese character, or a CJK or full-width punctuation mark.
fn is_cjk(c: char) -> bool {
    is_han(c) || ('\u{3000}'..='\u{303f}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

fn admonition_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        let kinds = ADMONITIONS.join("|");
        Regex::new(&format!(r"(?m)^([ \t]*(?:>[ \t]?)+)\[!({kinds})\][ \t]*\n"))
            .expect("a valid pattern")
    })
}

fn restore_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        // gettext writes the blockquote with an empty line before the comment and
        // after it; mdBook sees an admonition only if its marker comes first.
        Regex::new(concat!(
            r"(?m)^(?:[ \t]*>[ \t]*\n)?",
            r"([ \t]*(?:>[ \t]?)+)<!-- admonition:(\w+) -->\n",
            r"(?:[ \t]*(?:>[ \t]*)+\n)?"
        ))
        .expect("a valid pattern")
    })
}

/// `edit` applied to each stretch of `text` outside fenced code blocks.
fn outside_code_blocks(text: &str, edit: fn(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut prose = String::new();
    let mut fence: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start_matches([' ', '\t', '>']).trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        match &fence {
            None if marker.len() >= 3 => {
                out.push_str(&edit(&prose));
                prose.clear();
                out.push_str(line);
                fence = Some(marker);
            }
            None => prose.push_str(line),
            Some(open) => {
                out.push_str(line);
                let closes = marker.len() >= open.len()
                    && marker.starts_with(&open[..1])
                    && trimmed[marker.len()..].trim().is_empty();
                if closes {
                    fence = None;
                }
            }
        }
    }
    out.push_str(&edit(&prose));
    out
}

/// Math (`$...$`, `$$...$$`, outside code spans) put in code spans.
fn protect_math(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            out.push(c);
            out.push(chars[i + 1]);
            i += 2;
        } else if c == '`' {
            let end = code_span_end(&chars, i);
            out.extend(&chars[i..end]);
            i = end;
        } else if c == '$' {
            let display = chars.get(i + 1) == Some(&'$');
            let delimiter = if display { 2 } else { 1 };
            match math_end(&chars, i + delimiter, display) {
                Some(close) => {
                    let math: String = chars[i..close + delimiter].iter().collect();
                    out.push('`');
                    out.push_str(&math);
                    out.push('`');
                    i = close + delimiter;
                }
                None => {
                    out.extend(&chars[i..i + delimiter]);
                    i += delimiter;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Where the code span that starts at `start` (a run of backticks) ends: after its closing
/// run, or after the opening run if it has none.
fn code_span_end(chars: &[char], start: usize) -> usize {
    let run = chars[start..].iter().take_while(|&&c| c == '`').count();
    let mut i = start + run;
    while i < chars.len() {
        if chars[i] == '`' {
            let closing = chars[i..].iter().take_while(|&&c| c == '`').count();
            if closing == run {
                return i + closing;
            }
            i += closing;
        } else {
            i += 1;
        }
    }
    start + run
}

/// The index of the `$` (or `$$`) that closes math opened before `from`, within the
/// paragraph (not past a blank line).
fn math_end(chars: &[char], from: usize, display: bool) -> Option<usize> {
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '\n' if chars[i + 1..]
                .iter()
                .take_while(|c| **c != '\n')
                .all(|c| c.is_whitespace()) =>
            {
                return None;
            }
            '$' if !display => return (i > from).then_some(i),
            '$' if chars.get(i + 1) == Some(&'$') => return (i > from).then_some(i),
            _ => i += 1,
        }
    }
    None
}

/// Code spans that hold math (`` `$...$` ``) unwrapped.
fn restore_math(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && i + 1 < chars.len() {
            out.push(chars[i]);
            out.push(chars[i + 1]);
            i += 2;
        } else if chars[i] == '`' {
            let end = code_span_end(&chars, i);
            let span: String = chars[i..end].iter().collect();
            let inner = span.trim_matches('`');
            let is_math = span.starts_with('`')
                && !span.starts_with("``")
                && inner.len() >= 2
                && inner.starts_with('$')
                && inner.ends_with('$');
            out.push_str(if is_math { inner } else { &span });
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Heading ids. mdBook makes a heading's id from its text (`## Max and average pooling`
// gets `max-and-average-pooling`), so a translated heading would get another id, and every
// link to `ch03-pooling.md#max-and-average-pooling` (the glossary has many) would land at
// the top of the Chinese page. So before gettext, every heading without an id of its own
// gets the id mdBook would give the English heading, as a heading attribute:
// `## Max and average pooling {#max-and-average-pooling}`. gettext keeps the attribute out
// of the message (the POT is unchanged) and writes it back after the translated heading,
// so every edition has the very same ids, in its pages, its search index and its print
// page. The English edition gets them too: the same ids by construction, not by luck.
// ---------------------------------------------------------------------------------------

/// The page with an explicit id (`{#id}`) on every ATX heading outside code blocks that
/// has none, made as mdBook makes ids: the heading's text, lowercased, letters, digits,
/// `_` and `-` kept, spaces made `-`, the rest dropped; a repeated id gets `-1`, `-2`...
pub fn heading_ids(text: &str) -> String {
    let mut used = BTreeSet::new();
    // Ids given by hand count as used, wherever they are on the page.
    for line in text.lines() {
        if let Some(c) = heading_pattern().captures(line)
            && let Some(id) = explicit_id_pattern().captures(&c[2])
        {
            used.insert(id[1].to_string());
        }
    }
    let mut out = String::with_capacity(text.len() + 256);
    let mut fence: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker: String = trimmed
            .chars()
            .take_while(|&c| c == '`' || c == '~')
            .collect();
        if let Some(open) = &fence {
            let closes = marker.len() >= open.len()
                && marker.starts_with(&open[..1])
                && trimmed[marker.len()..].trim().is_empty();
            if closes {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if marker.len() >= 3 {
            fence = Some(marker);
            out.push_str(line);
            continue;
        }
        match heading_pattern().captures(line.trim_end_matches(['\n', '\r'])) {
            Some(c) if !explicit_id_pattern().is_match(&c[2]) => {
                let id = unique_id(&heading_slug(&c[2]), &mut used);
                out.push_str(&format!("{} {} {{#{id}}}\n", &c[1], c[2].trim_end()));
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// `id` if it is not in `used`, else `id-1`, `id-2`... (mdBook's `unique_id`); the result
/// is added to `used`.
fn unique_id(id: &str, used: &mut BTreeSet<String>) -> String {
    if used.insert(id.to_string()) {
        return id.to_string();
    }
    (1..)
        .map(|n| format!("{id}-{n}"))
        .find(|candidate| used.insert(candidate.clone()))
        .expect("some suffix is free")
}

/// The id mdBook gives a heading whose Markdown text is `heading` (mdBook's
/// `id_from_content`, applied to the text the Markdown shows: without the backticks of
/// code, the `*` and `_` of emphasis, and the targets of links).
pub fn heading_slug(heading: &str) -> String {
    static LINK: OnceLock<Regex> = OnceLock::new();
    let link = LINK.get_or_init(|| Regex::new(r"\[([^\]]*)\]\([^)]*\)").expect("a valid pattern"));
    let shown = link.replace_all(heading, "$1");
    // Outside code spans, `*` and `_` around words are emphasis, not text.
    let mut text = String::new();
    for (i, part) in shown.split('`').enumerate() {
        if i % 2 == 1 {
            text.push_str(part);
        } else {
            text.push_str(&part.replace('*', "").replace(" _", " ").replace("_ ", " "));
        }
    }
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// An ATX heading: its `#`s (after at most three spaces) and its text, closing `#`s
/// left out.
fn heading_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"^( {0,3}#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$").expect("a valid pattern")
    })
}

/// A heading attribute that gives an id: `{#id}` (also among classes: `{#id .class}`).
fn explicit_id_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| Regex::new(r"\{[^}]*#([^\s}]+)[^}]*\}\s*$").expect("a valid pattern"))
}

/// Calls `visit` on every chapter of the book (an object with a `content`), however deep.
fn for_each_chapter(value: &mut Value, visit: &mut dyn FnMut(&mut serde_json::Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(chapter)) = map.get_mut("Chapter") {
                visit(chapter);
            }
            for (_, child) in map.iter_mut() {
                for_each_chapter(child, visit);
            }
        }
        Value::Array(items) => {
            for item in items {
                for_each_chapter(item, visit);
            }
        }
        _ => {}
    }
}

/// The folder of a chapter's Markdown file inside the book's source folder.
fn chapter_dir(chapter: &serde_json::Map<String, Value>) -> PathBuf {
    let source = chapter
        .get("source_path")
        .or_else(|| chapter.get("path"))
        .and_then(Value::as_str)
        .unwrap_or("");
    Path::new(source)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// `path` with `.` and `..` worked out lexically; a `..` that leaves the start is kept.
fn normalize(path: &Path) -> PathBuf {
    let mut parts: Vec<Component> = Vec::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

/// A line that is only `{{#include FILE.md}}` of hand-written Markdown: not a generated
/// file (those are the examples' tables, included after translation).
fn prose_include(line: &str) -> Option<&str> {
    let path = line
        .trim()
        .strip_prefix("{{#include ")?
        .strip_suffix("}}")?
        .trim();
    let generated = Path::new(path)
        .components()
        .any(|c| c.as_os_str() == "generated");
    (path.ends_with(".md") && !generated).then_some(path)
}

/// The directives that name a file, whose paths are relative to the file they are in.
fn directive_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(r"\{\{#(include|rustdoc_include|playground|quiz)\s+([^}\s:]+)")
            .expect("a valid pattern")
    })
}

/// Puts each hand-written Markdown file a page includes into the page, its own
/// directives' paths rebased onto the page's folder; for the POT (`for_pot`), leaves
/// the page as it is and adds the file as a page of its own.
fn prose_includes(book: &mut Value, src: &Path, for_pot: bool) -> Result<()> {
    let mut problem = None;
    for_each_chapter(book, &mut |chapter| {
        if problem.is_some() {
            return;
        }
        let dir = chapter_dir(chapter);
        let content = chapter
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let mut out = String::with_capacity(content.len());
        let mut pages = Vec::new();
        for line in content.split_inclusive('\n') {
            let Some(path) = prose_include(line) else {
                out.push_str(line);
                continue;
            };
            let relative = normalize(&dir.join(path));
            let file = src.join(&relative);
            let text = match std::fs::read_to_string(&file) {
                Ok(text) => text,
                Err(error) => {
                    problem = Some(format!("{}: {error}", file.display()));
                    return;
                }
            };
            if for_pot {
                out.push_str(line);
                pages.push((relative, text));
                continue;
            }
            let included_dir = Path::new(path).parent().unwrap_or(Path::new(""));
            let rebased = directive_pattern().replace_all(&text, |c: &regex::Captures| {
                let target = normalize(&included_dir.join(&c[2]));
                format!("{{{{#{} {}", &c[1], target.display())
            });
            out.push_str(&rebased);
            if !rebased.ends_with('\n') {
                out.push('\n');
            }
        }
        chapter.insert("content".into(), Value::String(out));
        if !pages.is_empty() {
            let sub_items = chapter
                .entry("sub_items")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = sub_items {
                for (relative, text) in pages {
                    let path = relative.display().to_string();
                    items.push(serde_json::json!({ "Chapter": {
                        "name": path, "content": text, "number": null, "sub_items": [],
                        "path": path, "source_path": path, "parent_names": [],
                    }}));
                }
            }
        }
    });
    match problem {
        Some(problem) => bail!("a page includes a file that cannot be read: {problem}"),
        None => Ok(()),
    }
}

/// Where a page names a generated table, a figure or a quiz: a directive's path, a link or
/// image target, or an HTML `src`/`href`. Captures the part before the folder, the
/// folder (`generated` or `figures`) and the rest of the path.
fn edition_path_pattern() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"(\{\{#(?:include|quiz)\s+|\]\(|src="|href=")((?:\.\.?/)*)(generated|figures)/([^)\s"}#:]+)"#,
        )
        .expect("a valid pattern")
    })
}

/// `content` with every path to a generated file or figure that has a `language` twin
/// (relative to `dir`) pointed at the twin: `generated/ch03/x.md` becomes
/// `generated/zh-CN/ch03/x.md` if that file exists. A file without a twin (a figure with
/// no text, a table the examples have not translated yet) stays the English one.
pub fn localize_paths(content: &str, dir: &Path, language: &str) -> String {
    edition_path_pattern()
        .replace_all(content, |c: &regex::Captures| {
            let (opening, up, folder, rest) = (&c[1], &c[2], &c[3], &c[4]);
            let twin = format!("{up}{folder}/{language}/{rest}");
            if !rest.starts_with(&format!("{language}/")) && dir.join(&twin).is_file() {
                format!("{opening}{twin}")
            } else {
                c[0].to_string()
            }
        })
        .into_owned()
}

/// Files that exist once for the whole site, at its root, beside the English pages: the
/// offline copy of the site (zipped when the book is published, see
/// .github/workflows/pages.yml), which holds every edition.
pub const SITE_FILES: &[&str] = &["cnn-book-offline.zip"];

/// A translated page's links to the [`SITE_FILES`] pointed one folder up, out of the
/// translation's folder: `](cnn-book-offline.zip)` becomes `](../cnn-book-offline.zip)`.
pub fn to_site_files(content: &str) -> String {
    let mut out = content.to_string();
    for file in SITE_FILES {
        let pattern = Regex::new(&format!(r"\]\(((?:\.\./)*){}\)", regex::escape(file)))
            .expect("a valid pattern");
        out = pattern
            .replace_all(&out, |c: &regex::Captures| format!("](../{}{file})", &c[1]))
            .into_owned();
    }
    out
}

// ---------------------------------------------------------------------------------------
// The renderer that builds the translations.
// ---------------------------------------------------------------------------------------

/// Builds every translation, as mdBook's renderer `translations`: reads mdBook's render
/// context from standard input, builds each language into `DESTINATION/LANG/` and copies
/// its HTML into the English edition's `html/LANG/`.
pub fn render_translations() -> Result<()> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("could not read the render context from mdbook")?;
    if std::env::var_os(EDITION_VARIABLE).is_some() {
        // This is a translation's own build: the translations are built by the English one.
        return Ok(());
    }
    let context: Value =
        serde_json::from_str(&input).context("mdbook sent a render context that is not JSON")?;
    let book_root = PathBuf::from(context["root"].as_str().context("no root in the context")?);
    let destination = PathBuf::from(
        context["destination"]
            .as_str()
            .context("no destination in the context")?,
    );
    let build_dir = book_root.join(
        context["config"]["build"]["build-dir"]
            .as_str()
            .unwrap_or("book"),
    );
    let english = build_dir.join("html");
    if !english.join("index.html").is_file() {
        bail!(
            "{} has no index.html: the translations are copied into the English HTML, \
             which mdbook must build first (book.toml's [output.html])",
            english.display()
        );
    }
    let live_reload = context["config"]["output"]["html"]["live-reload-endpoint"].as_str();
    for translation in TRANSLATIONS {
        let language = translation.language;
        let out = destination.join(language);
        eprintln!(
            " INFO Building the {language} edition into {}",
            out.display()
        );
        let mut command = tool_command("mdbook");
        command
            .arg("build")
            .arg("-d")
            .arg(&out)
            .current_dir(&book_root)
            .env(EDITION_VARIABLE, language)
            .env("MDBOOK_BOOK__LANGUAGE", language)
            .env("MDBOOK_BOOK__TITLE", translation.title);
        // The 404 page's links start at the site's address (a `<base>`); the translation's
        // start at its folder.
        let site = context["config"]["output"]["html"]["site-url"]
            .as_str()
            .unwrap_or("/");
        let site = format!("{}/{language}/", site.trim_end_matches('/'));
        command.env("MDBOOK_OUTPUT__HTML__SITE_URL", site);
        if let Some(endpoint) = live_reload {
            // `mdbook serve` reloads the translated pages too.
            command.env("MDBOOK_OUTPUT__HTML__LIVE_RELOAD_ENDPOINT", endpoint);
        }
        run(&mut command).with_context(|| format!("the {language} edition did not build"))?;
        let target = english.join(language);
        if target.exists() {
            std::fs::remove_dir_all(&target)
                .with_context(|| format!("cannot remove the old {}", target.display()))?;
        }
        copy_folder(&out.join("html"), &target)?;
        rebuild_search_index(&target)?;
    }
    add_language_switch(&english)
}

/// An edition of the book as the language switch names it.
struct Edition {
    language: &'static str,
    /// The edition's name in its own language, as the switch shows it.
    name: &'static str,
    /// Its folder in the built site: "" for English, `LANG/` for a translation.
    folder: String,
}

/// Every edition: English first, then the translations.
fn editions() -> Vec<Edition> {
    let mut all = vec![Edition {
        language: "en",
        name: "English",
        folder: String::new(),
    }];
    all.extend(TRANSLATIONS.iter().map(|t| Edition {
        language: t.language,
        name: t.name,
        folder: format!("{}/", t.language),
    }));
    all
}

/// Puts the language switch into every page of every edition of the site in `html`
/// (English at its root, each translation in its folder): in the menu bar, beside the
/// print button, a link to the same page in each other edition. The links are relative,
/// so they work on a server and from disk; `book/theme/editions.js` adds the reader's
/// `#place` when the link is followed. A page without its twin in another edition is an
/// error (every edition is built from the same SUMMARY.md).
pub fn add_language_switch(html: &Path) -> Result<()> {
    const MARK: &str = r#"<div class="right-buttons">"#;
    let all = editions();
    for edition in &all {
        let root = html.join(&edition.folder);
        for page in html_pages(&root)? {
            // 404.html is served for any address, under a `<base>`; toc.html is the
            // sidebar, which has no menu bar.
            if page == Path::new("404.html") || page == Path::new("toc.html") {
                continue;
            }
            let path = root.join(&page);
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            if text.contains(r#"class="edition-switch""#) {
                continue;
            }
            let Some(at) = text.find(MARK) else {
                bail!(
                    "{} has no menu bar ({MARK}) for the language switch",
                    path.display()
                );
            };
            let depth = page.components().count() - 1 + usize::from(!edition.folder.is_empty());
            let up = "../".repeat(depth);
            let mut links = String::new();
            for other in all.iter().filter(|o| o.language != edition.language) {
                let twin = html.join(&other.folder).join(&page);
                if !twin.is_file() {
                    bail!(
                        "{} has no twin in the {} edition ({} is missing)",
                        path.display(),
                        other.language,
                        twin.display()
                    );
                }
                let href = format!("{up}{}{}", other.folder, page.display());
                links.push_str(&format!(
                    "\n                        <a class=\"edition-switch\" href=\"{href}\" \
                     hreflang=\"{lang}\" lang=\"{lang}\" title=\"{name}\" \
                     aria-label=\"{name}\">{name}</a>",
                    lang = other.language,
                    name = other.name,
                ));
            }
            let insert = at + MARK.len();
            let switched = format!("{}{links}{}", &text[..insert], &text[insert..]);
            std::fs::write(&path, switched.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    Ok(())
}

/// Checks every local link of the built site in `html`, in every edition: each `href` and
/// `src` of every page names a file that exists, and each `#fragment` an element id on the
/// page it names. (mdbook-linkcheck2 checks the Markdown's links to files, not fragments,
/// and never sees the language switch, which is added to the HTML.)
pub fn check_site_links(html: &Path) -> Result<()> {
    static ATTRIBUTE: OnceLock<Regex> = OnceLock::new();
    let attribute = ATTRIBUTE.get_or_init(|| {
        Regex::new(r#"<(?:a|link|img|script|source|iframe)\b[^>]*?\s(?:href|src)="([^"]*)""#)
            .expect("a valid pattern")
    });
    let mut ids: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    let (mut links, mut fragments) = (0, 0);
    let mut pages: Vec<PathBuf> = html_pages(html)?.into_iter().collect();
    for edition in editions().iter().filter(|e| !e.folder.is_empty()) {
        let folder = Path::new(edition.language);
        pages.extend(
            html_pages(&html.join(folder))?
                .into_iter()
                .map(|p| folder.join(p)),
        );
    }
    for page in &pages {
        if page.file_name().is_some_and(|n| n == "404.html") {
            // Its links start at the site's address (`<base href>`), not at the file.
            continue;
        }
        let text = std::fs::read_to_string(html.join(page))
            .with_context(|| format!("cannot read {}", html.join(page).display()))?;
        for c in attribute.captures_iter(&text) {
            let link = c[1].replace("&amp;", "&");
            let external = ["http:", "https:", "mailto:", "data:", "javascript:", "//"]
                .iter()
                .any(|scheme| link.starts_with(scheme));
            if external || link.is_empty() {
                continue;
            }
            links += 1;
            let (file, fragment) = match link.split_once('#') {
                Some((file, fragment)) => (file, Some(fragment)),
                None => (link.as_str(), None),
            };
            let file = file.split('?').next().unwrap_or("");
            let file = percent_encoding::percent_decode_str(file).decode_utf8_lossy();
            let target = if file.is_empty() {
                page.clone()
            } else {
                normalize(&page.parent().unwrap_or(Path::new("")).join(&*file))
            };
            if SITE_FILES.iter().any(|f| target == Path::new(f)) {
                // Made when the site is published, after the build, at its root.
                continue;
            }
            if target.starts_with("..") || !html.join(&target).exists() {
                problems.push(format!(
                    "{}: {link} names {}, which does not exist",
                    page.display(),
                    target.display()
                ));
                continue;
            }
            let Some(fragment) = fragment.filter(|f| !f.is_empty()) else {
                continue;
            };
            fragments += 1;
            let fragment = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
            if !ids.contains_key(&target) {
                ids.insert(target.clone(), element_ids(&html.join(&target))?);
            }
            if !ids[&target].contains(&*fragment) {
                problems.push(format!(
                    "{}: {link}: {} has no element with the id {fragment:?}",
                    page.display(),
                    target.display()
                ));
            }
        }
    }
    if !problems.is_empty() {
        for problem in problems.iter().take(40) {
            eprintln!("  - {problem}");
        }
        if problems.len() > 40 {
            eprintln!("  ... and {} more", problems.len() - 40);
        }
        bail!(
            "{} broken link(s) in the built book (above), in {}",
            problems.len(),
            html.display()
        );
    }
    println!(
        "==> Links: {links} local links on {} pages of {} editions, {fragments} of them to \
         a #place, all resolve",
        pages.len(),
        editions().len()
    );
    Ok(())
}

/// The ids of the elements of an HTML file (and the names of its `<a name>` anchors).
fn element_ids(path: &Path) -> Result<BTreeSet<String>> {
    static ID: OnceLock<Regex> = OnceLock::new();
    let id = ID.get_or_init(|| Regex::new(r#"\s(?:id|name)="([^"]*)""#).expect("a valid pattern"));
    if path.extension().is_none_or(|e| e != "html") {
        return Ok(BTreeSet::new());
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(id
        .captures_iter(&text)
        .map(|c| c[1].replace("&amp;", "&"))
        .collect())
}

// ---------------------------------------------------------------------------------------
// Search in a translation. mdBook's search index (elasticlunr) splits text into words at
// spaces and hyphens, and its query pipeline trims every character that is not an ASCII
// letter or digit from a word's ends: Chinese, which has no spaces, would be indexed as
// whole sentences and every Chinese query trimmed to nothing. So a translation's index is
// rebuilt from the sections mdBook stored in it, with the tokens of [`search_tokens`]: a
// word of letters or digits as it is (lowercased), and a run of Han characters as its
// overlapping pairs (池化层 gives 池化, 化层), with no trimmer, stop words or stemmer;
// book/theme/editions.js splits the reader's query the same way, so 最大池化 finds the
// sections that hold 最大, 大池 and 池化.
// ---------------------------------------------------------------------------------------

/// The search tokens of `text` (see above). The same rule as `searchTokens` in
/// book/theme/editions.js.
pub fn search_tokens(text: &str) -> Vec<String> {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN
        .get_or_init(|| Regex::new(r"\p{Han}+|[\p{L}\p{N}_--\p{Han}]+").expect("a valid pattern"));
    let lower = text.to_lowercase();
    let mut tokens = Vec::new();
    for run in pattern.find_iter(&lower) {
        let chars: Vec<char> = run.as_str().chars().collect();
        let han = chars.first().is_some_and(|&c| is_han(c));
        if han && chars.len() > 1 {
            tokens.extend(chars.windows(2).map(|pair| pair.iter().collect::<String>()));
        } else {
            tokens.push(run.as_str().to_string());
        }
    }
    tokens
}

fn is_han(c: char) -> bool {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| Regex::new(r"^\p{Han}$").expect("a valid pattern"));
    pattern.is_match(c.encode_utf8(&mut [0; 4]))
}

/// Rebuilds the search index (`searchindex-*.js`) of the edition in `html` with
/// [`search_tokens`], from the sections mdBook stored in it: the same sections, addresses
/// and options, an inverted index of other tokens, and no query pipeline.
pub fn rebuild_search_index(html: &Path) -> Result<()> {
    const START: &str = "window.search = Object.assign(window.search, JSON.parse('";
    const END: &str = "'));";
    let Some(path) = std::fs::read_dir(html)
        .with_context(|| format!("cannot list {}", html.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("searchindex") && n.ends_with(".js"))
        })
    else {
        bail!(
            "{} has no searchindex*.js (is search off in book.toml?)",
            html.display()
        );
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let Some(quoted) = text
        .trim_end()
        .strip_prefix(START)
        .and_then(|t| t.strip_suffix(END))
    else {
        bail!(
            "{} is not the search index mdBook 0.5 writes",
            path.display()
        );
    };
    // mdBook escapes `\` and `'` with a backslash to put the JSON in a JavaScript string.
    let mut json = String::with_capacity(quoted.len());
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        json.push(if c == '\\' {
            chars.next().unwrap_or('\\')
        } else {
            c
        });
    }
    let mut search: Value = serde_json::from_str(&json)
        .with_context(|| format!("the search index in {} is not JSON", path.display()))?;
    let index = &mut search["index"];
    let fields: Vec<String> = index["fields"]
        .as_array()
        .context("the search index has no fields")?
        .iter()
        .filter_map(|f| f.as_str().map(str::to_string))
        .collect();
    let docs = index["documentStore"]["docs"]
        .as_object()
        .context("the search index stores no documents")?
        .clone();
    let mut inverted: BTreeMap<String, Value> = fields
        .iter()
        .map(|f| {
            (
                f.clone(),
                serde_json::json!({ "root": { "docs": {}, "df": 0 } }),
            )
        })
        .collect();
    let mut doc_info = serde_json::Map::new();
    for (reference, doc) in &docs {
        let mut info = serde_json::Map::new();
        for field in &fields {
            let tokens = search_tokens(doc[field].as_str().unwrap_or(""));
            info.insert(field.clone(), tokens.len().into());
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for token in &tokens {
                *counts.entry(token).or_default() += 1;
            }
            let root = &mut inverted.get_mut(field).expect("made above")["root"];
            for (token, count) in counts {
                // elasticlunr's InvertedIndex: a trie of characters; each node has the
                // documents that hold its token, with the square root of the count.
                let mut node = &mut *root;
                for c in token.chars() {
                    let key = c.to_string();
                    if node.get(&key).is_none() {
                        node[&key] = serde_json::json!({ "docs": {}, "df": 0 });
                    }
                    node = node.get_mut(&key).expect("inserted above");
                }
                node["docs"][reference] = serde_json::json!({ "tf": (count as f64).sqrt() });
                node["df"] = (node["df"].as_u64().unwrap_or(0) + 1).into();
            }
        }
        doc_info.insert(reference.clone(), Value::Object(info));
    }
    index["index"] = serde_json::to_value(inverted)?;
    index["documentStore"]["docInfo"] = Value::Object(doc_info);
    index["pipeline"] = Value::Array(Vec::new());
    let json = serde_json::to_string(&search)?;
    let script = format!(
        "{START}{}{END}",
        json.replace('\\', "\\\\").replace('\'', "\\'")
    );
    std::fs::write(&path, script.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Copies the folder `from` and everything in it to `to`, which must not exist.
fn copy_folder(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot list {}", from.display()))?
    {
        let entry = entry?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            copy_folder(&source, &target)?;
        } else {
            std::fs::copy(&source, &target).with_context(|| {
                format!("cannot copy {} to {}", source.display(), target.display())
            })?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The PO files: `cargo xtask po` and `cargo xtask po --check`.
// ---------------------------------------------------------------------------------------

/// Extracts the messages of the English sources into `target/po/messages.pot` with
/// mdbook-xgettext (no line numbers, so that moving a paragraph changes no PO file).
pub fn extract_pot(root: &Path) -> Result<PathBuf> {
    let dir = root.join(POT_DIR);
    println!("==> Extracting the messages of the English sources (mdbook-xgettext)");
    run(tool_command("mdbook")
        .arg("build")
        .arg("-d")
        .arg(&dir)
        .current_dir(root)
        .env(
            "MDBOOK_OUTPUT",
            r#"{"xgettext": {"pot-file": "messages.pot", "granularity": 0}}"#,
        )
        // The pages as written: `{{#include}}` is not expanded, so no generated table and
        // no included code becomes a message.
        .env("MDBOOK_BUILD__USE_DEFAULT_PREPROCESSORS", "false"))
    .context("could not extract the messages")?;
    Ok(dir.join("messages.pot"))
}

/// `cargo xtask po`: extracts the messages and merges them into every `po/LANG.po`
/// (msgmerge from GNU gettext): a new paragraph becomes an untranslated message, a changed
/// one a fuzzy message with the old translation to start from, and a removed one goes.
pub fn update_po(root: &Path) -> Result<()> {
    let pot = extract_pot(root)?;
    for translation in TRANSLATIONS {
        let po = root.join(format!("po/{}.po", translation.language));
        if !po.exists() {
            bail!(
                "{} does not exist; start a translation with \
                 `msginit -i {} -l {} -o {}`",
                po.display(),
                pot.display(),
                translation.language.replace('-', "_"),
                po.display()
            );
        }
        println!("==> Merging the messages into {}", po.display());
        run(Command::new("msgmerge")
            .args(["--quiet", "--update", "--backup=none", "--sort-by-file"])
            .arg(&po)
            .arg(&pot))
        .context("msgmerge failed; it is in GNU gettext (apt-get install gettext)")?;
        run(Command::new("msgattrib")
            .args(["--no-obsolete", "--sort-by-file", "-o"])
            .arg(&po)
            .arg(&po))
        .context("msgattrib failed; it is in GNU gettext (apt-get install gettext)")?;
        println!("{}", Messages::read(&po)?.progress());
    }
    Ok(())
}

/// What `cargo xtask po --check` lets pass while a translation is being written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Untranslated {
    /// The end state: an untranslated message is an error, like a fuzzy one.
    Forbidden,
    /// TRANSITION (issue 17, until the complete Chinese translation is merged): untranslated
    /// messages are counted, not errors. Fuzzy messages, a PO file out of date with the
    /// English sources and a translation that changes a link or code are errors all the
    /// same. `cargo xtask po --check --allow-untranslated` in .ci/run; remove the flag there
    /// once po/zh-CN.po is complete, and then this variant and the flag.
    Allowed,
}

/// `cargo xtask po --check`, for CI: every PO file holds exactly the messages of the
/// English sources; every message is translated and not fuzzy (see [`Untranslated`]);
/// every translation keeps its message's directives, links and code.
pub fn check_po(root: &Path, untranslated: Untranslated) -> Result<()> {
    let pot = Messages::read(&extract_pot(root)?)?;
    let mut problems = Vec::new();
    for translation in TRANSLATIONS {
        let path = root.join(format!("po/{}.po", translation.language));
        let po = Messages::read(&path)?;
        let shown = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        problems.extend(po.problems(&pot, &shown, untranslated));
        println!("{}", po.progress());
    }
    if !problems.is_empty() {
        for problem in problems.iter().take(40) {
            eprintln!("  - {problem}");
        }
        if problems.len() > 40 {
            eprintln!("  ... and {} more", problems.len() - 40);
        }
        bail!(
            "{} problem(s) with the translations (above). After changing English text, run \
             `cargo xtask po` and commit po/; then translate what it marks new or fuzzy \
             (po/README.md)",
            problems.len()
        );
    }
    match untranslated {
        Untranslated::Forbidden => {
            println!("==> The PO files are current and wholly translated")
        }
        Untranslated::Allowed => println!(
            "==> The PO files are current; untranslated messages allowed \
             (--allow-untranslated, until the translation is complete)"
        ),
    }
    Ok(())
}

/// One message of a PO file.
#[derive(Debug, Clone)]
pub struct Message {
    pub msgid: String,
    pub msgstr: String,
    pub fuzzy: bool,
    /// The files the message comes from, such as `book/exercises.md`.
    pub sources: Vec<String>,
}

impl Message {
    /// Translated and not fuzzy.
    pub fn is_done(&self) -> bool {
        !self.msgstr.is_empty() && !self.fuzzy
    }
}

/// The messages of a PO or POT file, by msgid.
pub struct Messages(pub BTreeMap<String, Message>);

impl Messages {
    pub fn read(path: &Path) -> Result<Messages> {
        let catalog = polib::po_file::parse(path)
            .map_err(|e| anyhow::anyhow!("{} is not a valid PO file: {e}", path.display()))?;
        let mut messages = BTreeMap::new();
        for message in catalog.messages() {
            let msgid = message.msgid().to_string();
            let sources = message
                .source()
                .split_whitespace()
                .map(|s| s.to_string())
                .collect();
            messages.insert(
                msgid.clone(),
                Message {
                    msgid,
                    msgstr: message.msgstr().unwrap_or("").to_string(),
                    fuzzy: message.is_fuzzy(),
                    sources,
                },
            );
        }
        Ok(Messages(messages))
    }

    /// What is wrong with this PO file, given the freshly extracted `pot`.
    fn problems(&self, pot: &Messages, shown: &str, untranslated: Untranslated) -> Vec<String> {
        let mut problems = Vec::new();
        let new: Vec<&String> = pot
            .0
            .keys()
            .filter(|id| !self.0.contains_key(*id))
            .collect();
        let gone: Vec<&String> = self
            .0
            .keys()
            .filter(|id| !pot.0.contains_key(*id))
            .collect();
        if !new.is_empty() || !gone.is_empty() {
            problems.push(format!(
                "{shown} is out of date with the English sources: {} new message(s) (first: \
                 {:?}), {} no longer in the sources (first: {:?}); run `cargo xtask po`",
                new.len(),
                new.first().map(|s| short(s)),
                gone.len(),
                gone.first().map(|s| short(s)),
            ));
        }
        for message in self.0.values() {
            let allowed = untranslated == Untranslated::Allowed && !message.fuzzy;
            if needs_translation(&message.msgid) && !message.is_done() && !allowed {
                let what = if message.fuzzy {
                    "fuzzy"
                } else {
                    "untranslated"
                };
                problems.push(format!(
                    "{shown}: {what} message of {}: {:?}",
                    message.sources.join(", "),
                    short(&message.msgid)
                ));
            }
            if !message.msgstr.is_empty() {
                let (expected, found) = (kept_parts(&message.msgid), kept_parts(&message.msgstr));
                if expected != found {
                    problems.push(format!(
                        "{shown}: the translation of {:?} must keep its directives, link \
                         targets and code as they are: the English has {expected:?}, the \
                         translation {found:?}",
                        short(&message.msgid)
                    ));
                }
            }
        }
        problems
    }

    /// Translated / total, for the whole file and for each source file.
    pub fn progress(&self) -> String {
        let mut by_file: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let (mut done, mut total, mut trivial) = (0, 0, 0);
        for message in self.0.values() {
            if !needs_translation(&message.msgid) {
                trivial += 1;
                continue;
            }
            total += 1;
            done += usize::from(message.is_done());
            for source in &message.sources {
                let entry = by_file.entry(source).or_default();
                entry.0 += usize::from(message.is_done());
                entry.1 += 1;
            }
        }
        let mut text = format!(
            "    {done} of {total} messages translated ({trivial} more need no translation: \
             only directives, code or numbers)\n"
        );
        for (file, (done, total)) in by_file {
            text.push_str(&format!("      {done:>4} / {total:<4} {file}\n"));
        }
        text.trim_end().to_string()
    }
}

/// The first line of a message, cut to 70 characters, for a problem report.
fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    let mut cut: String = line.chars().take(70).collect();
    if cut.len() < text.len() {
        cut.push_str("...");
    }
    cut
}

/// The parts of a message a translation keeps as they are: `{{#...}}` directives, link
/// and image targets, and inline code, sorted.
pub fn kept_parts(text: &str) -> Vec<String> {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        Regex::new(r"\{\{#[^}]*\}\}|\]\([^)]*\)|`[^`]+`").expect("a valid pattern")
    });
    let mut parts: Vec<String> = pattern
        .find_iter(text)
        .map(|m| m.as_str().to_string())
        .collect();
    parts.sort();
    parts
}

/// False for a message with nothing to translate: only directives, code, link targets,
/// math, numbers and punctuation.
pub fn needs_translation(text: &str) -> bool {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        Regex::new(r"\{\{#[^}]*\}\}|\]\([^)]*\)|`[^`]+`|\$[^$]+\$|<[^>]*>|https?://\S+")
            .expect("a valid pattern")
    });
    pattern
        .replace_all(text, " ")
        .chars()
        .any(char::is_alphabetic)
}

/// The files of the pages the editions are made of, for the check that every English page
/// has its translated twin: each `.html` file under `dir`, relative to it, without the
/// translations' folders.
pub fn html_pages(dir: &Path) -> Result<BTreeSet<PathBuf>> {
    let mut pages = BTreeSet::new();
    let mut folders = vec![PathBuf::new()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(dir.join(&folder))
            .with_context(|| format!("cannot list {}", dir.join(&folder).display()))?
        {
            let entry = entry?;
            let relative = folder.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                let name = entry.file_name();
                if folder.as_os_str().is_empty() && TRANSLATIONS.iter().any(|t| name == t.language)
                {
                    continue;
                }
                folders.push(relative);
            } else if relative.extension().is_some_and(|e| e == "html") {
                pages.insert(relative);
            }
        }
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn included_prose_is_found_and_generated_tables_are_not() {
        assert_eq!(
            prose_include("{{#include exercises/ch03.md}}\n"),
            Some("exercises/ch03.md")
        );
        assert_eq!(prose_include("{{#include generated/ch03/x.md}}"), None);
        assert_eq!(
            prose_include("{{#include ../examples/ch03.rs:lecture}}"),
            None
        );
        assert_eq!(prose_include("see {{#include exercises/ch03.md}}"), None);
    }

    #[test]
    fn paths_are_rebased_lexically() {
        let joined = Path::new("exercises").join("../../exercises/src/ch03/a.rs");
        assert_eq!(normalize(&joined), Path::new("../exercises/src/ch03/a.rs"));
        assert_eq!(normalize(Path::new("./a/../b")), Path::new("b"));
    }

    #[test]
    fn a_page_points_at_the_twins_that_exist() {
        let dir = tempfile_dir("twins");
        std::fs::create_dir_all(dir.join("generated/zh-CN/ch03")).unwrap();
        std::fs::create_dir_all(dir.join("figures/zh-CN/ch03")).unwrap();
        std::fs::write(dir.join("generated/zh-CN/ch03/t.md"), "|a|").unwrap();
        std::fs::write(dir.join("figures/zh-CN/ch03/f.png"), "png").unwrap();
        let page = "{{#include generated/ch03/t.md}}\n{{#include generated/ch03/u.md}}\n\
                    ![alt](figures/ch03/f.png) ![b](figures/ch03/g.png)\n\
                    {{#include ../examples/ch03.rs:x}}\n";
        assert_eq!(
            localize_paths(page, &dir, "zh-CN"),
            "{{#include generated/zh-CN/ch03/t.md}}\n{{#include generated/ch03/u.md}}\n\
             ![alt](figures/zh-CN/ch03/f.png) ![b](figures/ch03/g.png)\n\
             {{#include ../examples/ch03.rs:x}}\n"
        );
        // A path already pointing at the twin is left alone.
        let done = "{{#include generated/zh-CN/ch03/t.md}}";
        assert_eq!(localize_paths(done, &dir, "zh-CN"), done);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn messages_of_directives_and_numbers_need_no_translation() {
        assert!(!needs_translation("{{#include generated/ch03/t.md}}"));
        assert!(!needs_translation("`cargo xtask check ch03`"));
        assert!(!needs_translation("$o = 3$, 12.5"));
        assert!(!needs_translation("![](figures/ch03/f.png)"));
        assert!(needs_translation("![The image](figures/ch03/f.png)"));
        assert!(needs_translation("池化"));
    }

    #[test]
    fn a_translation_keeps_directives_links_and_code() {
        let english = "Run `cargo xtask check` ([how](exercises.md)): {{#include a.md}}";
        let good = "运行 `cargo xtask check`（{{#include a.md}}，[说明](exercises.md)）";
        let bad = "运行 `cargo xtask`（[说明](exercises.html)）";
        assert_eq!(kept_parts(english), kept_parts(good));
        assert_ne!(kept_parts(english), kept_parts(bad));
    }

    #[test]
    fn headings_get_the_ids_mdbook_gives_the_english_ones() {
        let page = "# 3. Pooling\n\nText.\n\n## Max and average pooling\n\n```md\n## Not a heading\n```\n\
                    ## Exercises\n### Exercise 3.1: Sizes\n## Exercises\n## Kept {#mine}\n\
                    ## One pixel of `conv_1_1`, in full\n## TensorFlow's SAME: ceil(W / S)\n";
        assert_eq!(
            heading_ids(page),
            "# 3. Pooling {#3-pooling}\n\nText.\n\n\
             ## Max and average pooling {#max-and-average-pooling}\n\n\
             ```md\n## Not a heading\n```\n\
             ## Exercises {#exercises}\n### Exercise 3.1: Sizes {#exercise-31-sizes}\n\
             ## Exercises {#exercises-1}\n## Kept {#mine}\n\
             ## One pixel of `conv_1_1`, in full {#one-pixel-of-conv_1_1-in-full}\n\
             ## TensorFlow's SAME: ceil(W / S) {#tensorflows-same-ceilw--s}\n"
        );
        assert_eq!(heading_slug("Glossary 术语表"), "glossary-术语表");
        assert_eq!(
            heading_slug("[Links](a.md) and *emphasis*"),
            "links-and-emphasis"
        );
    }

    #[test]
    fn translated_pages_reach_the_site_files_one_folder_up() {
        assert_eq!(
            to_site_files("[the zip](cnn-book-offline.zip), [x](other.zip)"),
            "[the zip](../cnn-book-offline.zip), [x](other.zip)"
        );
    }

    #[test]
    fn emphasis_next_to_chinese_is_written_with_stars_and_identifiers_keep_their_underscores() {
        assert_eq!(
            star_emphasis("模式出现在_哪里_、_有多强_。**pizza_2** 和 max_pool2d"),
            "模式出现在*哪里*、*有多强*。**pizza_2** 和 max_pool2d"
        );
        assert_eq!(
            star_emphasis("_计算：先手算，约 10 分钟。_ 编辑 `a_b_c` 与 sigmoid_half_epoch"),
            "*计算：先手算，约 10 分钟。* 编辑 `a_b_c` 与 sigmoid_half_epoch"
        );
        // English emphasis is left as gettext wrote it.
        assert_eq!(star_emphasis("the _mean_ of K"), "the _mean_ of K");
    }

    #[test]
    fn chinese_is_searched_by_pairs_of_characters() {
        assert_eq!(
            search_tokens("最大池化层 (max pooling) 和 conv_1_1，池。"),
            [
                "最大", "大池", "池化", "化层", "max", "pooling", "和", "conv_1_1", "池"
            ]
        );
        assert_eq!(search_tokens("Max-Pooling"), ["max", "pooling"]);
    }

    fn tempfile_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
