//! Every link into a section of the book (`chapter.md#anchor`, as the glossary's) points
//! at a heading that exists. The book's link checker checks that the files exist, not
//! the `#anchor`s inside them; this test checks those, with mdBook's rule for turning a
//! heading into its anchor.

use std::collections::HashMap;

/// mdBook's anchor for a heading: the heading's text in lower case, letters, digits,
/// `_` and `-` kept, spaces turned into `-`, everything else dropped.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c.to_lowercase().collect::<String>())
            } else if c.is_whitespace() {
                Some("-".to_string())
            } else {
                None
            }
        })
        .collect()
}

/// The anchors of a Markdown file's headings, outside code blocks; a repeated heading
/// gets `-1`, `-2`, ... as in mdBook.
fn anchors_of(text: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut anchors = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code || !line.starts_with('#') {
            continue;
        }
        let heading = line.trim_start_matches('#').trim().replace(['`', '*'], "");
        let base = anchor(&heading);
        let count = seen.entry(base.clone()).or_insert(0);
        anchors.push(if *count == 0 {
            base.clone()
        } else {
            format!("{base}-{count}")
        });
        *count += 1;
    }
    anchors
}

/// `(file, anchor)` of every `](file.md#anchor)` or `](#anchor)` link in `text`.
fn section_links(text: &str) -> Vec<(Option<String>, String)> {
    let mut links = Vec::new();
    for (start, _) in text.match_indices("](") {
        let rest = &text[start + 2..];
        let Some(end) = rest.find(')') else { continue };
        let target = &rest[..end];
        if target.contains("://") || target.contains(' ') {
            continue;
        }
        if let Some((file, anchor)) = target.split_once('#') {
            let file = (!file.is_empty()).then(|| file.to_string());
            links.push((file, anchor.to_string()));
        }
    }
    links
}

#[test]
fn mdbook_anchors_follow_its_rule() {
    assert_eq!(
        anchor("TensorFlow's SAME padding: ceil(W / S) positions"),
        "tensorflows-same-padding-ceilw--s-positions"
    );
    assert_eq!(
        anchor("1x1 kernels mix channels"),
        "1x1-kernels-mix-channels"
    );
    assert_eq!(
        anchors_of("# A\n```\n# not a heading\n```\n## A\n## B `c`"),
        ["a", "a-1", "b-c"]
    );
}

#[test]
fn every_link_to_a_section_finds_its_heading() {
    let book = cnn_book::output::repo_root().join("book");
    let mut checked = 0;
    let mut broken = Vec::new();
    for entry in std::fs::read_dir(&book).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        for (file, wanted) in section_links(&text) {
            let target = file.unwrap_or_else(|| name.clone());
            let target_text = std::fs::read_to_string(book.join(&target))
                .unwrap_or_else(|_| panic!("{name} links to {target}, which does not exist"));
            if !anchors_of(&target_text).contains(&wanted) {
                broken.push(format!("{name}: {target}#{wanted}"));
            }
            checked += 1;
        }
    }
    assert!(broken.is_empty(), "links to missing sections: {broken:#?}");
    // The glossary alone has more than 50 such links.
    assert!(checked > 50, "only {checked} section links found");
}

/// `(path, anchor)` of every `{{#include path:anchor}}` in `text` whose anchor is a name
/// (not a line range such as `:10:20`).
fn include_anchors(text: &str) -> Vec<(String, String)> {
    let mut includes = Vec::new();
    for (start, _) in text.match_indices("{{#include ") {
        let rest = &text[start + "{{#include ".len()..];
        let Some(end) = rest.find("}}") else { continue };
        let target = rest[..end].trim();
        if let Some((path, anchor)) = target.split_once(':')
            && !anchor.is_empty()
            && !anchor.starts_with(|c: char| c.is_ascii_digit())
        {
            includes.push((path.to_string(), anchor.to_string()));
        }
    }
    includes
}

#[test]
fn every_included_anchor_exists_in_its_file() {
    let book = cnn_book::output::repo_root().join("book");
    let mut checked = 0;
    let mut broken = Vec::new();
    for dir in [book.clone(), book.join("exercises")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            for (file, anchor) in include_anchors(&text) {
                let source = std::fs::read_to_string(dir.join(&file))
                    .unwrap_or_else(|_| panic!("{name} includes {file}, which does not exist"));
                // mdBook's markers: `ANCHOR: name` and `ANCHOR_END: name`, in any comment.
                let has = |marker: &str| {
                    source
                        .lines()
                        .any(|line| line.trim_end().ends_with(&format!("{marker}: {anchor}")))
                };
                if !has("ANCHOR") || !has("ANCHOR_END") {
                    broken.push(format!("{name}: {file}:{anchor}"));
                }
                checked += 1;
            }
        }
    }
    assert!(
        broken.is_empty(),
        "includes of missing anchors: {broken:#?}"
    );
    assert!(checked > 60, "only {checked} anchored includes found");
}

/// The tests are a package of their own, whose manifest lists each file: a file it did
/// not list would never run.
#[test]
fn every_test_file_is_listed() {
    let tests = cnn_book::output::repo_root().join("tests");
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(tests.join("Cargo.toml")).unwrap()).unwrap();
    let mut listed: Vec<String> = manifest["test"]
        .as_array()
        .expect("[[test]] entries")
        .iter()
        .map(|test| test["path"].as_str().expect("a path").to_string())
        .collect();
    let mut files: Vec<String> = std::fs::read_dir(&tests)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rs"))
        .collect();
    listed.sort();
    files.sort();
    assert_eq!(
        listed, files,
        "tests/Cargo.toml should list every tests/*.rs"
    );
}
