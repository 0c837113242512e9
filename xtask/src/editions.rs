//! The book's editions: the English one, and a translation for each language in
//! [`TRANSLATIONS`], built from the same sources by mdBook with gettext
//! (mdbook-i18n-helpers).
//!
//! One `mdbook build` builds them all (book.toml):
//!
//! 1. The preprocessor `prose-includes` ([`prose_includes`]) puts the hand-written Markdown
//!    that a page includes (a chapter's `{{#include exercises/ch03.md}}`) into the page,
//!    before gettext, so that its paragraphs are translated like the page's own. For the
//!    POT it adds the included file as a page of its own instead, so that its messages are
//!    credited to the file they come from.
//! 2. `mdbook-gettext` translates every paragraph, heading, list item and table cell from
//!    `po/LANG.po`, before `{{#include}}` is expanded: the generated tables and the code the
//!    pages include are never messages, so no number is ever typed into a PO file.
//! 3. The preprocessor `edition-paths` ([`edition_paths`]) points a translated page at the
//!    translated twin of a generated table or figure (`generated/ch03/x.md` becomes
//!    `generated/zh-CN/ch03/x.md`, `figures/ch03/x.png` becomes `figures/zh-CN/ch03/x.png`)
//!    where the examples wrote one: the same numbers, with headers, titles and labels in
//!    the language (see `src/i18n.rs` in the book crate).
//! 4. The renderer `translations` ([`render_translations`]), which runs after `html` and
//!    `linkcheck2` (mdBook runs renderers in the order of their names), builds each
//!    translation with `MDBOOK_BOOK__LANGUAGE=LANG` into `target/book/translations/LANG/`,
//!    whose own link check checks the translated edition, and copies its HTML to
//!    `target/book/html/LANG/`: English at the root, each translation in a folder, so the
//!    language switch (book/theme/) can link a page to the same page of the other edition,
//!    on a server and opened from disk.
//!
//! `cargo xtask po` ([`update_po`]) extracts the messages (`mdbook-xgettext`) and merges
//! them into `po/LANG.po` (`msgmerge`) for translators; `cargo xtask po --check`
//! ([`check_po`]) is CI's check that the PO files are current and that the pages listed in
//! `po/LANG-pages.txt` are wholly translated.

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
}

/// The translated editions. English, the language of the sources, is not listed.
pub const TRANSLATIONS: &[Translation] = &[Translation {
    language: "zh-CN",
    title: "卷积神经网络：一本可以运行的教科书",
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
                    edit_content(chapter, |text| protect(text));
                });
            }
        }
        "gettext-finish" => {
            if translated {
                for_each_chapter(&mut book, &mut |chapter| {
                    let dir = src.join(chapter_dir(chapter));
                    edit_content(chapter, |text| {
                        localize_paths(&restore(text), &dir, language)
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
    outside_code_blocks(&unmarked, restore_math)
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
        align_heading_ids(&english, &target)?;
    }
    Ok(())
}

/// Gives the headings of every translated page the ids of the English page's headings,
/// in order, so that a link to `solutions.html#chapter-3` works in every edition and the
/// language switch keeps the reader's place. (mdBook makes each id from the heading's
/// text, which is translated.) A page with another number of headings than its English
/// twin is an error: every heading is one message, translated one for one.
fn align_heading_ids(english: &Path, translated: &Path) -> Result<()> {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    let pattern = PATTERN.get_or_init(|| {
        Regex::new(r##"<(h[1-6]) id="([^"]*)"><a class="header" href="#([^"]*)">"##)
            .expect("a valid pattern")
    });
    for page in html_pages(translated)? {
        let Ok(original) = std::fs::read_to_string(english.join(&page)) else {
            continue;
        };
        let path = translated.join(&page);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let ids: Vec<String> = pattern
            .captures_iter(&original)
            .map(|c| c[2].to_string())
            .collect();
        let found = pattern.captures_iter(&text).count();
        if found != ids.len() {
            bail!(
                "{} has {found} headings, its English page {} has {}: a translated page keeps \
                 every heading",
                path.display(),
                page.display(),
                ids.len()
            );
        }
        let mut next = ids.iter();
        let aligned = pattern.replace_all(&text, |c: &regex::Captures| {
            let id = next.next().expect("counted above");
            format!(r##"<{} id="{id}"><a class="header" href="#{id}">"##, &c[1])
        });
        std::fs::write(&path, aligned.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
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
        let catalog = Messages::read(&po)?;
        println!(
            "{}",
            catalog.progress(&po_pages(root, translation.language)?)
        );
    }
    Ok(())
}

/// The pages `po/LANG-pages.txt` lists as translated: every message of theirs must be.
pub fn po_pages(root: &Path, language: &str) -> Result<Vec<String>> {
    let path = root.join(format!("po/{language}-pages.txt"));
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "cannot read {}, the list of the pages translated into {language}",
            path.display()
        )
    })?;
    Ok(text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect())
}

/// `cargo xtask po --check`, for CI: every PO file holds exactly the messages of the
/// English sources; every message of the pages it lists as translated is translated and
/// not fuzzy; every translation keeps its message's directives, links and code.
pub fn check_po(root: &Path) -> Result<()> {
    let pot = Messages::read(&extract_pot(root)?)?;
    let mut problems = Vec::new();
    for translation in TRANSLATIONS {
        let path = root.join(format!("po/{}.po", translation.language));
        let po = Messages::read(&path)?;
        let pages = po_pages(root, translation.language)?;
        let shown = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        problems.extend(po.problems(&pot, &pages, &shown, root));
        println!("{}", po.progress(&pages));
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
    println!("==> The PO files are current and the pages they list are wholly translated");
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
    fn problems(&self, pot: &Messages, pages: &[String], shown: &str, root: &Path) -> Vec<String> {
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
        for page in pages {
            if !root.join(page).is_file() {
                problems.push(format!("{shown}: the listed page {page} does not exist"));
            }
        }
        for message in self.0.values() {
            let listed = message.sources.iter().any(|s| pages.contains(s));
            if listed && needs_translation(&message.msgid) && !message.is_done() {
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
    pub fn progress(&self, pages: &[String]) -> String {
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
            let mark = if pages.iter().any(|p| p == file) {
                "listed as translated"
            } else {
                ""
            };
            text.push_str(&format!("      {done:>4} / {total:<4} {file:<32} {mark}\n"));
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

    fn tempfile_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
