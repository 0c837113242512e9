//! The chapters' quizzes (book/generated/quizzes/, filled from the templates in
//! book/quizzes/ by examples/book_data.rs): every chapter ends with one, each has 4 to 8
//! well-formed questions in mdbook-quiz's format with an explanation, and every number is
//! filled in. mdbook-quiz validates them again when the book is built.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[path = "../examples/book_data.rs"]
#[allow(dead_code)]
mod book_data;

/// The quiz file format of mdbook-quiz 0.5 (the fields this book uses).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Quiz {
    questions: Vec<Question>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Question {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    prompt: Prompt,
    answer: Answer,
    context: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Prompt {
    prompt: String,
    distractors: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    answer: String,
    alternatives: Option<Vec<String>>,
}

fn root() -> PathBuf {
    cnn_book::output::repo_root()
}

/// The chapters, `chNN` and their Markdown files, from book/SUMMARY.md's order.
fn chapters() -> Vec<(String, PathBuf)> {
    let mut chapters: Vec<(String, PathBuf)> = std::fs::read_dir(root().join("book"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_string();
            let id = name.get(0..4)?.to_string();
            let is_chapter = name.ends_with(".md")
                && id.starts_with("ch")
                && id[2..].chars().all(|c| c.is_ascii_digit());
            is_chapter.then_some((id, path))
        })
        .collect();
    chapters.sort();
    chapters
}

fn read_quiz(path: &Path) -> Quiz {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask figures`)", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: not a quiz: {e}", path.display()))
}

#[test]
fn every_chapter_ends_with_its_quiz() {
    let chapters = chapters();
    assert_eq!(chapters.len(), 9, "chapters 0 to 8: {chapters:?}");
    for (id, path) in chapters {
        let text = std::fs::read_to_string(&path).unwrap();
        let include = format!("{{{{#quiz generated/quizzes/{id}.toml}}}}");
        let last = text.trim_end().lines().last().unwrap_or_default();
        assert_eq!(last, include, "{} must end with its quiz", path.display());
    }
}

#[test]
fn quizzes_have_four_to_eight_explained_questions() {
    let mut ids = BTreeSet::new();
    for (chapter, _) in chapters() {
        let path = root().join(format!("book/generated/quizzes/{chapter}.toml"));
        let quiz = read_quiz(&path);
        let count = quiz.questions.len();
        assert!((4..=8).contains(&count), "{chapter}: {count} questions");
        for q in &quiz.questions {
            let at = format!("{chapter}, question {}", q.id);
            assert!(ids.insert(q.id.clone()), "{at}: the id is used twice");
            assert!(
                q.id.starts_with(&format!("{chapter}-")),
                "{at}: ids start with the chapter"
            );
            assert!(
                q.prompt.prompt.trim().len() > 20,
                "{at}: the prompt is too short"
            );
            assert!(
                q.context.trim().len() > 40,
                "{at}: the explanation is too short"
            );
            assert!(!q.answer.answer.trim().is_empty(), "{at}: no answer");
            for text in [&q.prompt.prompt, &q.answer.answer, &q.context] {
                assert!(
                    !text.contains("{{"),
                    "{at}: a value was not filled in: {text}"
                );
                // mdbook-quiz renders Markdown, not math: `$` would show as it is.
                assert!(
                    !text.contains('$'),
                    "{at}: `$` math does not render in quizzes"
                );
                // A line that starts with a number and a full stop is a Markdown list item.
                for line in text.lines() {
                    let digits = line
                        .trim_start()
                        .chars()
                        .take_while(char::is_ascii_digit)
                        .count();
                    let rest = &line.trim_start()[digits..];
                    let list = digits > 0 && (rest.starts_with(". ") || rest == ".");
                    assert!(!list, "{at}: `{line}` would become a numbered list");
                }
            }
            match q.kind.as_str() {
                "ShortAnswer" => {
                    assert!(
                        q.prompt.distractors.is_none(),
                        "{at}: distractors in a short answer"
                    )
                }
                "MultipleChoice" => {
                    let distractors = q.prompt.distractors.as_ref().expect("distractors");
                    assert!(distractors.len() >= 2, "{at}: too few distractors");
                    assert!(
                        q.answer.alternatives.is_none(),
                        "{at}: alternatives in a choice"
                    );
                    // A computed answer must not coincide with a (computed) distractor.
                    let mut options = BTreeSet::new();
                    options.insert(q.answer.answer.trim());
                    for d in distractors {
                        assert!(
                            options.insert(d.trim()),
                            "{at}: the option `{d}` appears twice"
                        );
                    }
                }
                other => panic!("{at}: question type {other} is not used in this book"),
            }
        }
    }
}

#[test]
fn quiz_numbers_come_from_the_templates() {
    // Each filled quiz is its template with `{{name}}` replaced: the same text around them.
    for (chapter, _) in chapters() {
        let template =
            std::fs::read_to_string(root().join(format!("book/quizzes/{chapter}.toml"))).unwrap();
        let filled =
            std::fs::read_to_string(root().join(format!("book/generated/quizzes/{chapter}.toml")))
                .unwrap();
        let body: Vec<&str> = filled.lines().skip_while(|l| l.starts_with('#')).collect();
        let lines: Vec<&str> = template.lines().collect();
        assert_eq!(
            body.len(),
            lines.len(),
            "{chapter}: line count differs from the template"
        );
        for (t, f) in lines.iter().zip(&body) {
            let literal: Vec<&str> = t
                .split("{{")
                .map(|p| p.rsplit("}}").next().unwrap())
                .collect();
            let mut rest = *f;
            for part in literal {
                let at = rest.find(part).unwrap_or_else(|| {
                    panic!("{chapter}: `{f}` does not follow the template line `{t}`")
                });
                rest = &rest[at + part.len()..];
            }
        }
    }
}

/// The program that fills the quizzes takes `--help` and refuses what it does not know,
/// before it computes or writes anything.
#[test]
fn the_command_line_takes_help_and_rejects_unknown_arguments() {
    use clap::Parser;
    use clap::error::ErrorKind;
    assert!(book_data::Args::try_parse_from(["book_data"]).is_ok());
    let help = book_data::Args::try_parse_from(["book_data", "--help"]).unwrap_err();
    assert_eq!(help.kind(), ErrorKind::DisplayHelp);
    assert!(
        help.to_string().contains("Writes the widgets' data"),
        "{help}"
    );
    for wrong in ["--bogus", "extra"] {
        let error = book_data::Args::try_parse_from(["book_data", wrong]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument, "{wrong}: {error}");
    }
}

/// The numbers written in a text: `120,000`, `0.25`, `3`.
fn numbers_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut number = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let separator = (c == '.' || c == ',')
            && !number.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_ascii_digit() || separator {
            number.push(c);
        } else if !number.is_empty() {
            found.push(std::mem::take(&mut number));
        }
    }
    if !number.is_empty() {
        found.push(number);
    }
    found
}

#[test]
fn the_chinese_quizzes_ask_the_same_questions_with_the_same_numbers() {
    for (chapter, _) in chapters() {
        let english = read_quiz(&root().join(format!("book/generated/quizzes/{chapter}.toml")));
        let chinese =
            read_quiz(&root().join(format!("book/generated/zh-CN/quizzes/{chapter}.toml")));
        assert_eq!(
            english.questions.len(),
            chinese.questions.len(),
            "{chapter}: the Chinese quiz has another number of questions"
        );
        for (e, c) in english.questions.iter().zip(&chinese.questions) {
            let at = format!("{chapter}, question {}", e.id);
            assert_eq!((&e.id, &e.kind), (&c.id, &c.kind), "{at}: another question");
            if e.kind == "ShortAnswer" {
                assert_eq!(e.answer.answer, c.answer.answer, "{at}: another answer");
                assert_eq!(e.answer.alternatives, c.answer.alternatives, "{at}");
            }
            let (ed, cd) = (e.prompt.distractors.clone(), c.prompt.distractors.clone());
            assert_eq!(
                ed.as_ref().map(Vec::len),
                cd.as_ref().map(Vec::len),
                "{at}: another number of distractors"
            );
            let mut pairs = vec![
                (&e.prompt.prompt, &c.prompt.prompt),
                (&e.answer.answer, &c.answer.answer),
                (&e.context, &c.context),
            ];
            let (ed, cd) = (ed.unwrap_or_default(), cd.unwrap_or_default());
            pairs.extend(ed.iter().zip(&cd));
            for (e, c) in pairs {
                let english_numbers = numbers_in(e);
                for number in numbers_in(c) {
                    assert!(
                        english_numbers.contains(&number),
                        "{at}: the Chinese text has the number {number}, the English one does \
                         not:\n{c}\n{e}"
                    );
                }
                assert!(
                    c.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))
                        || !e.chars().any(char::is_alphabetic)
                        || c == e,
                    "{at}: not translated: {c}"
                );
            }
        }
    }
}
