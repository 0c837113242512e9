//! `exercises/exercises.toml`: the exercises, their hints, and the teacher's assignments;
//! and `exercises/exercises.zh-CN.toml`: their titles and hints in Simplified Chinese.
//!
//! The translation is a file of its own, keyed by exercise id and assignment name, so that
//! the English manifest stays as readable as before and a translator reviews one file. It
//! must translate every exercise and assignment, with as many hints as the English: a
//! catalogue loaded in Chinese with a translation missing is an error, never English in
//! its place, and `--verify` and xtask's tests report every gap.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::texts::{self, Lang};

/// One `[[exercise]]`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// `chNN-name`, such as `ch03-max-pool-argmax`.
    pub id: String,
    /// One line.
    pub title: String,
    /// `compute`, `implement` or `investigate`.
    pub level: Level,
    /// The estimated time a learner needs.
    pub minutes: u32,
    /// The first hint, a nudge: `--hint` shows it.
    pub hint: String,
    /// Further hints, each more explicit than the last: `--hint 2`, `--hint 3`. None of them
    /// gives the answer of a compute exercise away.
    #[serde(default)]
    pub more_hints: Vec<String>,
}

/// The three kinds of exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Work a number out by hand; the check compares it with cnn-core.
    Compute,
    /// Write code; the check compares it with cnn-core.
    Implement,
    /// Predict (checked), run, and explain (graded by the teacher).
    Investigate,
}

impl Exercise {
    /// `ch03` for `ch03-max-pool-argmax`.
    pub fn chapter(&self) -> &str {
        &self.id[..4]
    }

    /// `max_pool_argmax` for `ch03-max-pool-argmax`: the name of the starter file and of
    /// the checks' module.
    pub fn module(&self) -> String {
        self.id[5..].replace('-', "_")
    }

    /// `ch03/max_pool_argmax.rs`: where the exercise's file is in `exercises/src/`, in
    /// `exercises/solutions/`, in `exercises/tests/check/`, in a learner's submission and
    /// in a folder of hidden tests.
    pub fn file(&self) -> String {
        format!("{}/{}.rs", self.chapter(), self.module())
    }

    /// `exercises/src/ch03/max_pool_argmax.rs`, relative to the repository's root.
    pub fn starter_path(&self) -> String {
        format!("exercises/src/{}", self.file())
    }

    /// `exercises/solutions/ch03/max_pool_argmax.rs`.
    pub fn solution_path(&self) -> String {
        format!("exercises/solutions/{}", self.file())
    }

    /// `exercises/tests/check/ch03/max_pool_argmax.rs`.
    pub fn checks_path(&self) -> String {
        format!("exercises/tests/check/{}", self.file())
    }

    /// `ch03::max_pool_argmax`: the module of the checks, and the start of their names.
    pub fn suite(&self) -> String {
        format!("{}::{}", self.chapter(), self.module())
    }

    /// The hints up to `level` (1 is the first), and how many there are in all.
    pub fn hints(&self, level: usize) -> Vec<&str> {
        std::iter::once(self.hint.as_str())
            .chain(self.more_hints.iter().map(String::as_str))
            .take(level)
            .collect()
    }

    /// How many hints the exercise has.
    pub fn hint_count(&self) -> usize {
        1 + self.more_hints.len()
    }
}

/// One `[[assignment]]`: a named set of exercises, from any chapters, with their points.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// Lower case letters, digits and `-`, such as `week2`: `--assignment week2`.
    pub name: String,
    /// One line, shown with the results.
    pub title: String,
    /// The exercises and what each is worth.
    pub exercises: Vec<AssignedExercise>,
}

/// An exercise of an assignment and its points.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AssignedExercise {
    pub id: String,
    pub points: u32,
}

/// The whole file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    #[serde(rename = "exercise")]
    pub exercises: Vec<Exercise>,
    #[serde(rename = "assignment", default)]
    pub assignments: Vec<Assignment>,
    /// The language of the titles and hints (English as the file has them, or translated
    /// by [`load`]), and of the errors of [`Catalogue::select`].
    #[serde(skip)]
    pub lang: Lang,
}

/// The translation of one exercise, in `exercises/exercises.LANG.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseText {
    title: String,
    hint: String,
    #[serde(default)]
    more_hints: Vec<String>,
}

/// The translation of one assignment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignmentText {
    title: String,
}

/// A whole translation file: `[exercise.ID]` and `[assignment.NAME]` tables.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Translation {
    #[serde(default)]
    exercise: BTreeMap<String, ExerciseText>,
    #[serde(default)]
    assignment: BTreeMap<String, AssignmentText>,
}

/// The file that translates `exercises/exercises.toml` into `lang`, relative to the
/// repository's root: `None` for English, the source.
pub fn translation_path(lang: Lang) -> Option<String> {
    match lang {
        Lang::En => None,
        other => Some(format!("exercises/exercises.{}.toml", other.code())),
    }
}

/// Reads and validates `exercises/exercises.toml`, with its titles and hints in `lang`
/// (from `exercises/exercises.LANG.toml`, which must translate every one of them).
pub fn load(root: &Path, lang: Lang) -> Result<Catalogue> {
    let path = root.join("exercises/exercises.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut catalogue = parse(&text).with_context(|| format!("in {}", path.display()))?;
    if let Some(relative) = translation_path(lang) {
        let path = root.join(&relative);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}, the translation for --lang {}",
                path.display(),
                lang.code()
            )
        })?;
        catalogue = translate(&catalogue, &text, lang).with_context(|| format!("in {relative}"))?;
    }
    Ok(catalogue)
}

/// The problems of a translation of `catalogue`: each exercise or assignment it lacks, or
/// has but the English does not, each hint count that differs, each empty text.
fn translation_problems(catalogue: &Catalogue, translation: &Translation) -> Vec<String> {
    let mut problems = Vec::new();
    for exercise in &catalogue.exercises {
        let id = &exercise.id;
        let Some(text) = translation.exercise.get(id) else {
            problems.push(format!(
                "exercise `{id}` is not translated ([exercise.{id}])"
            ));
            continue;
        };
        if text.more_hints.len() != exercise.more_hints.len() {
            problems.push(format!(
                "exercise `{id}` has {} hints here, but {} in exercises.toml",
                1 + text.more_hints.len(),
                exercise.hint_count()
            ));
        }
        let texts = [&text.title, &text.hint]
            .into_iter()
            .chain(&text.more_hints);
        if texts.into_iter().any(|t| t.trim().is_empty()) {
            problems.push(format!("exercise `{id}` has an empty title or hint"));
        }
    }
    for id in translation.exercise.keys() {
        if !catalogue.exercises.iter().any(|e| &e.id == id) {
            problems.push(format!(
                "[exercise.{id}] translates no exercise of exercises.toml"
            ));
        }
    }
    for assignment in &catalogue.assignments {
        let name = &assignment.name;
        match translation.assignment.get(name) {
            None => problems.push(format!(
                "assignment `{name}` is not translated ([assignment.{name}])"
            )),
            Some(text) if text.title.trim().is_empty() => {
                problems.push(format!("assignment `{name}` has an empty title"))
            }
            Some(_) => {}
        }
    }
    for name in translation.assignment.keys() {
        if !catalogue.assignments.iter().any(|a| &a.name == name) {
            problems.push(format!(
                "[assignment.{name}] translates no assignment of exercises.toml"
            ));
        }
    }
    problems
}

/// The catalogue with the titles and hints of `text` (a translation file) in `lang`; an
/// error that lists every problem if the translation is incomplete.
pub fn translate(catalogue: &Catalogue, text: &str, lang: Lang) -> Result<Catalogue> {
    let translation: Translation = toml::from_str(text)?;
    let problems = translation_problems(catalogue, &translation);
    if !problems.is_empty() {
        bail!(
            "the {} translation is incomplete (English is never shown in its place):\n  - {}",
            lang.code(),
            problems.join("\n  - ")
        );
    }
    let mut translated = catalogue.clone();
    translated.lang = lang;
    for exercise in &mut translated.exercises {
        let text = &translation.exercise[&exercise.id];
        exercise.title = text.title.clone();
        exercise.hint = text.hint.clone();
        exercise.more_hints = text.more_hints.clone();
    }
    for assignment in &mut translated.assignments {
        assignment.title = translation.assignment[&assignment.name].title.clone();
    }
    Ok(translated)
}

/// The problems of every translation of the repository's catalogue, for `--verify`.
pub fn all_translation_problems(root: &Path, catalogue: &Catalogue) -> Vec<String> {
    let mut problems = Vec::new();
    for lang in Lang::ALL {
        let Some(relative) = translation_path(lang) else {
            continue;
        };
        let text = match std::fs::read_to_string(root.join(&relative)) {
            Ok(text) => text,
            Err(error) => {
                problems.push(format!("{relative}: cannot read it: {error}"));
                continue;
            }
        };
        match toml::from_str::<Translation>(&text) {
            Ok(translation) => problems.extend(
                translation_problems(catalogue, &translation)
                    .into_iter()
                    .map(|p| format!("{relative}: {p}")),
            ),
            Err(error) => problems.push(format!("{relative}: {error}")),
        }
    }
    problems
}

/// Parses the catalogue and checks it: ids of the form `chNN-name`, unique; every
/// assignment's exercises exist, once each, for at least one point.
pub fn parse(text: &str) -> Result<Catalogue> {
    let catalogue: Catalogue = toml::from_str(text)?;
    let mut seen = BTreeSet::new();
    for exercise in &catalogue.exercises {
        let id = &exercise.id;
        let well_formed = id.len() > 5
            && id.starts_with("ch")
            && id.as_bytes()[2].is_ascii_digit()
            && id.as_bytes()[3].is_ascii_digit()
            && id.as_bytes()[4] == b'-'
            && is_name(&id[5..]);
        if !well_formed {
            bail!("exercise id `{id}` is not of the form chNN-name (lower case, digits, '-')");
        }
        if !seen.insert(id.clone()) {
            bail!("exercise id `{id}` appears twice");
        }
        if exercise.hint.trim().is_empty()
            || exercise.more_hints.iter().any(|h| h.trim().is_empty())
        {
            bail!("exercise `{id}` has an empty hint");
        }
    }
    let mut names = BTreeSet::new();
    for assignment in &catalogue.assignments {
        let name = &assignment.name;
        if !is_name(name) {
            bail!("assignment name `{name}` is not lower case letters, digits and '-'");
        }
        if !names.insert(name.clone()) {
            bail!("assignment `{name}` appears twice");
        }
        if assignment.exercises.is_empty() {
            bail!("assignment `{name}` has no exercises");
        }
        let mut ids = BTreeSet::new();
        for item in &assignment.exercises {
            if !seen.contains(&item.id) {
                bail!(
                    "assignment `{name}` names exercise `{}`, which is not in the list",
                    item.id
                );
            }
            if !ids.insert(&item.id) {
                bail!("assignment `{name}` names exercise `{}` twice", item.id);
            }
            if item.points == 0 {
                bail!(
                    "assignment `{name}` gives exercise `{}` 0 points; give it at least 1 \
                     or leave it out",
                    item.id
                );
            }
        }
    }
    Ok(catalogue)
}

/// Lower case ASCII letters, digits and `-`, not empty.
fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// An exercise chosen for a check, and what it is worth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item<'a> {
    pub exercise: &'a Exercise,
    pub points: u32,
}

/// The exercises of one check or grading, in the catalogue's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection<'a> {
    /// `all`, `ch03`, `ch03-max-pool-argmax` or `assignment week2`, for the report.
    pub label: String,
    /// The assignment's title, if it is one.
    pub title: Option<String>,
    pub items: Vec<Item<'a>>,
}

impl Selection<'_> {
    /// The points of every exercise together.
    pub fn possible_points(&self) -> u32 {
        self.items.iter().map(|item| item.points).sum()
    }
}

impl Catalogue {
    /// The Teacher's guide's table of the assignments: name, title, each exercise with its
    /// points, the total points and the estimated minutes.
    pub fn assignments_table(&self) -> String {
        let mut text = String::from(
            "| `--assignment` | what | exercises (points) | points | minutes |\n\
             |---|---|---|---:|---:|\n",
        );
        for assignment in &self.assignments {
            let mut exercises = Vec::new();
            let mut minutes = 0;
            for item in &assignment.exercises {
                exercises.push(format!("`{}` ({})", item.id, item.points));
                if let Some(exercise) = self.exercises.iter().find(|e| e.id == item.id) {
                    minutes += exercise.minutes;
                }
            }
            let points: u32 = assignment.exercises.iter().map(|i| i.points).sum();
            let _ = writeln!(
                text,
                "| `{}` | {} | {} | {points} | {minutes} |",
                assignment.name,
                assignment.title,
                exercises.join(", ")
            );
        }
        text
    }

    /// The assignment called `name`; the error lists the assignments there are.
    pub fn assignment(&self, name: &str) -> Result<&Assignment> {
        if let Some(assignment) = self.assignments.iter().find(|a| a.name == name) {
            return Ok(assignment);
        }
        let known: Vec<&str> = self.assignments.iter().map(|a| a.name.as_str()).collect();
        if known.is_empty() {
            bail!(texts::no_assignments(self.lang, name));
        }
        bail!(texts::no_assignment(self.lang, name, &known.join(", ")))
    }

    /// The exercises `target` (all, a chapter or one exercise, a point each) or
    /// `assignment` names.
    pub fn select(&self, target: Option<&str>, assignment: Option<&str>) -> Result<Selection<'_>> {
        if let Some(name) = assignment {
            let assignment = self.assignment(name)?;
            let items = self
                .exercises
                .iter()
                .filter_map(|exercise| {
                    let item = assignment.exercises.iter().find(|i| i.id == exercise.id)?;
                    Some(Item {
                        exercise,
                        points: item.points,
                    })
                })
                .collect();
            return Ok(Selection {
                label: format!("assignment {name}"),
                title: Some(assignment.title.clone()),
                items,
            });
        }
        let chosen = self.select_exercises(target)?;
        Ok(Selection {
            label: target
                .map(|t| t.trim().to_ascii_lowercase())
                .unwrap_or_else(|| "all".to_string()),
            title: None,
            items: chosen
                .into_iter()
                .map(|exercise| Item {
                    exercise,
                    points: 1,
                })
                .collect(),
        })
    }

    /// The exercises `target` names: all of them, one chapter's, or one exercise.
    fn select_exercises(&self, target: Option<&str>) -> Result<Vec<&Exercise>> {
        let catalogue = &self.exercises;
        let Some(target) = target else {
            return Ok(catalogue.iter().collect());
        };
        let chapters: BTreeSet<&str> = catalogue.iter().map(Exercise::chapter).collect();
        let chapter_list = chapters.iter().copied().collect::<Vec<_>>().join(", ");
        let target = target.trim().to_ascii_lowercase();
        if target.len() == 4 && target.starts_with("ch") {
            let chosen: Vec<&Exercise> =
                catalogue.iter().filter(|e| e.chapter() == target).collect();
            if chosen.is_empty() {
                bail!(texts::no_chapter(self.lang, &target, &chapter_list));
            }
            return Ok(chosen);
        }
        if let Some(exercise) = catalogue.iter().find(|e| e.id == target) {
            return Ok(vec![exercise]);
        }
        let mut message = texts::no_exercise(self.lang, &target);
        let chapter = target.get(..4).unwrap_or("");
        let same_chapter: Vec<&str> = catalogue
            .iter()
            .filter(|e| e.chapter() == chapter)
            .map(|e| e.id.as_str())
            .collect();
        if same_chapter.is_empty() {
            let example = catalogue
                .first()
                .map(|e| e.id.as_str())
                .unwrap_or("ch01-...");
            message.push_str(&texts::give_a_target(self.lang, &chapter_list, example));
        } else {
            message.push_str(&texts::chapter_has(
                self.lang,
                chapter,
                &same_chapter.join(", "),
            ));
        }
        bail!(message)
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    pub const CATALOGUE: &str = r#"
[[exercise]]
id = "ch03-pooled-sizes"
title = "Sizes"
level = "compute"
minutes = 10
hint = "floor"
more_hints = ["the formula", "an example with other numbers"]

[[exercise]]
id = "ch03-max-pool-argmax"
title = "Argmax"
level = "implement"
minutes = 30
hint = "loop"

[[exercise]]
id = "ch04-uncovered-pixels"
title = "Uncovered"
level = "investigate"
minutes = 20
hint = "windows"

[[assignment]]
name = "week2"
title = "Pooling"
exercises = [
    { id = "ch04-uncovered-pixels", points = 1 },
    { id = "ch03-max-pool-argmax", points = 2 },
]
"#;

    #[test]
    fn catalogue_parses_and_derives_paths() {
        let catalogue = parse(CATALOGUE).unwrap();
        assert_eq!(catalogue.exercises.len(), 3);
        let argmax = &catalogue.exercises[1];
        assert_eq!(argmax.chapter(), "ch03");
        assert_eq!(argmax.module(), "max_pool_argmax");
        assert_eq!(argmax.file(), "ch03/max_pool_argmax.rs");
        assert_eq!(
            argmax.starter_path(),
            "exercises/src/ch03/max_pool_argmax.rs"
        );
        assert_eq!(
            argmax.solution_path(),
            "exercises/solutions/ch03/max_pool_argmax.rs"
        );
        assert_eq!(
            argmax.checks_path(),
            "exercises/tests/check/ch03/max_pool_argmax.rs"
        );
        assert_eq!(argmax.suite(), "ch03::max_pool_argmax");
        assert_eq!(argmax.level, Level::Implement);
        assert_eq!(catalogue.assignments[0].exercises[1].points, 2);
    }

    #[test]
    fn hints_come_in_tiers() {
        let catalogue = parse(CATALOGUE).unwrap();
        let sizes = &catalogue.exercises[0];
        assert_eq!(sizes.hint_count(), 3);
        assert_eq!(sizes.hints(1), ["floor"]);
        assert_eq!(sizes.hints(2), ["floor", "the formula"]);
        assert_eq!(sizes.hints(9).len(), 3);
        assert!(sizes.hints(0).is_empty());
    }

    #[test]
    fn catalogue_rejects_bad_ids_and_fields() {
        let cases = [
            ("ch03-pooled-sizes\"", "pooled-sizes\"", "chNN-name"),
            ("ch03-max-pool-argmax\"", "ch03-pooled-sizes\"", "twice"),
            ("hint = \"loop\"", "hint = \" \"", "empty hint"),
        ];
        for (from, to, expected) in cases {
            let bad = CATALOGUE.replacen(from, to, 1);
            let error = format!("{:#}", parse(&bad).unwrap_err());
            assert!(error.contains(expected), "{error}");
        }
        assert!(parse(&CATALOGUE.replace("minutes = 10", "minute = 10")).is_err());
        assert!(parse(&CATALOGUE.replace("\"compute\"", "\"guess\"")).is_err());
    }

    #[test]
    fn assignments_are_checked() {
        let cases = [
            ("name = \"week2\"", "name = \"Week 2\"", "not lower case"),
            (
                "{ id = \"ch04-uncovered-pixels\", points = 1 }",
                "{ id = \"ch09-nothing\", points = 1 }",
                "not in the list",
            ),
            (
                "{ id = \"ch04-uncovered-pixels\", points = 1 }",
                "{ id = \"ch03-max-pool-argmax\", points = 1 }",
                "twice",
            ),
            ("points = 2", "points = 0", "0 points"),
        ];
        for (from, to, expected) in cases {
            let bad = CATALOGUE.replace(from, to);
            let error = format!("{:#}", parse(&bad).unwrap_err());
            assert!(error.contains(expected), "{error}");
        }
    }

    #[test]
    fn select_all_a_chapter_one_or_an_assignment() {
        let catalogue = parse(CATALOGUE).unwrap();
        assert_eq!(catalogue.select(None, None).unwrap().items.len(), 3);
        let chapter = catalogue.select(Some("CH03"), None).unwrap();
        assert_eq!(chapter.items.len(), 2);
        assert_eq!(chapter.label, "ch03");
        assert_eq!(chapter.possible_points(), 2);
        let one = catalogue
            .select(Some("ch04-uncovered-pixels"), None)
            .unwrap();
        assert_eq!(one.items[0].exercise.id, "ch04-uncovered-pixels");
        let week = catalogue.select(None, Some("week2")).unwrap();
        assert_eq!(week.label, "assignment week2");
        // In the catalogue's order, whatever the assignment's.
        let ids: Vec<&str> = week.items.iter().map(|i| i.exercise.id.as_str()).collect();
        assert_eq!(ids, ["ch03-max-pool-argmax", "ch04-uncovered-pixels"]);
        assert_eq!(week.possible_points(), 3);
    }

    #[test]
    fn the_assignments_table_sums_points_and_minutes() {
        let catalogue = parse(CATALOGUE).unwrap();
        assert_eq!(
            catalogue.assignments_table(),
            "| `--assignment` | what | exercises (points) | points | minutes |\n\
             |---|---|---|---:|---:|\n\
             | `week2` | Pooling | `ch04-uncovered-pixels` (1), `ch03-max-pool-argmax` (2) | 3 | 50 |\n"
        );
    }

    #[test]
    fn unknown_targets_say_what_exists() {
        let catalogue = parse(CATALOGUE).unwrap();
        let chapter = catalogue
            .select(Some("ch09"), None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            chapter,
            "no exercises for chapter `ch09`; chapters with exercises: ch03, ch04"
        );
        let typo = catalogue
            .select(Some("ch03-max-pool"), None)
            .unwrap_err()
            .to_string();
        assert!(typo.contains("no exercise `ch03-max-pool`"), "{typo}");
        assert!(
            typo.contains("ch03-pooled-sizes, ch03-max-pool-argmax"),
            "{typo}"
        );
        let nonsense = catalogue
            .select(Some("pooling"), None)
            .unwrap_err()
            .to_string();
        assert!(nonsense.contains("ch03, ch04"), "{nonsense}");
        let week = catalogue
            .select(None, Some("week9"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            week,
            "no assignment `week9`; exercises/exercises.toml declares: week2"
        );
    }

    /// The repository's translations translate every exercise and assignment, with as many
    /// hints as the English, and nothing else.
    #[test]
    fn the_translations_are_complete() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let english = load(&root, Lang::En).unwrap();
        assert_eq!(
            all_translation_problems(&root, &english),
            Vec::<String>::new()
        );
        for lang in Lang::ALL {
            let translated = load(&root, lang).unwrap();
            assert_eq!(translated.lang, lang);
            for (theirs, ours) in translated.exercises.iter().zip(&english.exercises) {
                assert_eq!(theirs.id, ours.id);
                assert_eq!(theirs.hint_count(), ours.hint_count(), "{}", ours.id);
                if lang != Lang::En {
                    // Translated, not copied: a Chinese title has Chinese in it.
                    assert!(!theirs.title.is_ascii(), "{}: {}", ours.id, theirs.title);
                    for hint in theirs.hints(usize::MAX) {
                        assert!(!hint.is_ascii(), "{}: {hint}", ours.id);
                    }
                }
            }
        }
    }

    #[test]
    fn an_incomplete_translation_is_an_error_not_english() {
        let catalogue = parse(CATALOGUE).unwrap();
        let complete = r#"
[exercise.ch03-pooled-sizes]
title = "大小"
hint = "向下取整"
more_hints = ["公式", "换一组数的例子"]

[exercise.ch03-max-pool-argmax]
title = "最大值位置"
hint = "循环"

[exercise.ch04-uncovered-pixels]
title = "未覆盖"
hint = "窗口"

[assignment.week2]
title = "池化"
"#;
        let translated = translate(&catalogue, complete, Lang::ZhCn).unwrap();
        assert_eq!(translated.exercises[0].hints(2), ["向下取整", "公式"]);
        assert_eq!(translated.assignments[0].title, "池化");
        assert_eq!(
            translated
                .select(Some("ch09"), None)
                .unwrap_err()
                .to_string(),
            "没有 `ch09` 章的练习；有练习的章：ch03, ch04"
        );
        let cases = [
            (
                "[exercise.ch03-max-pool-argmax]\ntitle = \"最大值位置\"\nhint = \"循环\"\n",
                "",
                "exercise `ch03-max-pool-argmax` is not translated",
            ),
            (
                "more_hints = [\"公式\", \"换一组数的例子\"]",
                "more_hints = [\"公式\"]",
                "has 2 hints here, but 3 in exercises.toml",
            ),
            ("title = \"未覆盖\"", "title = \" \"", "empty title or hint"),
            (
                "[assignment.week2]",
                "[assignment.week9]",
                "[assignment.week9] translates no",
            ),
            (
                "[exercise.ch03-pooled-sizes]",
                "[exercise.ch03-pooled]",
                "[exercise.ch03-pooled] translates no",
            ),
        ];
        for (from, to, expected) in cases {
            let bad = complete.replacen(from, to, 1);
            let error = format!("{:#}", translate(&catalogue, &bad, Lang::ZhCn).unwrap_err());
            assert!(error.contains(expected), "{error}");
            assert!(error.contains("zh-CN translation is incomplete"), "{error}");
        }
        assert!(translate(&catalogue, "[exercise.x]\nname = 1\n", Lang::ZhCn).is_err());
    }

    /// The numbers in `text`: runs of digits, with a decimal point and more digits if any,
    /// written without trailing zeros after the point (`3.50` is `3.5`).
    fn numbers(text: &str) -> BTreeSet<String> {
        let mut found = BTreeSet::new();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_alphabetic()) {
                i += 1;
                continue;
            }
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let number: String = chars[start..i].iter().collect();
            let number = if number.contains('.') {
                number
                    .trim_end_matches('0')
                    .trim_end_matches('.')
                    .to_string()
            } else {
                number
            };
            found.insert(number);
        }
        found
    }

    #[test]
    fn numbers_are_found_in_text() {
        let found: Vec<String> = numbers("conv1 28, 3.50 and [3, 2] 0.25 x2")
            .into_iter()
            .collect();
        assert_eq!(found, ["0.25", "2", "28", "3", "3.5"]);
    }

    /// No hint of a compute or investigate exercise states one of its answers. The answers
    /// are those of the solutions appendix's tables (`book/generated/exercises/chNN.md`,
    /// computed by cnn-core), less the numbers the exercise's own text gives (its inputs).
    /// Every exercise has at least two hints: a nudge and more.
    #[test]
    fn hints_never_give_an_answer_away() {
        for lang in Lang::ALL {
            hints_in_never_give_an_answer_away(lang);
        }
    }

    fn hints_in_never_give_an_answer_away(lang: Lang) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let catalogue = load(&root, lang).unwrap();
        let mut checked = 0;
        for exercise in &catalogue.exercises {
            assert!(
                exercise.hint_count() >= 2,
                "{}: give a nudge and more hints",
                exercise.id
            );
            if exercise.level == Level::Implement {
                continue;
            }
            let table = root.join(format!(
                "book/generated/exercises/{}.md",
                exercise.chapter()
            ));
            let Ok(table) = std::fs::read_to_string(&table) else {
                // A learner's copy (`cargo xtask handout`) has no answers to compare with.
                continue;
            };
            let starter = std::fs::read_to_string(root.join(exercise.starter_path())).unwrap();
            let given = numbers(&starter);
            let mut answers = BTreeSet::new();
            for row in table.lines() {
                let cells: Vec<&str> = row.split('|').map(str::trim).collect();
                if cells.len() > 3 && cells[1] == exercise.id {
                    answers.extend(numbers(cells[3]));
                }
            }
            assert!(
                !answers.is_empty(),
                "{}: no answers in the table",
                exercise.id
            );
            let secret: BTreeSet<&String> =
                answers.iter().filter(|a| !given.contains(*a)).collect();
            for (tier, hint) in exercise.hints(usize::MAX).iter().enumerate() {
                let revealed: Vec<&&String> = secret
                    .iter()
                    .filter(|a| numbers(hint).contains(**a))
                    .collect();
                assert!(
                    revealed.is_empty(),
                    "{} ({}): hint {} states {revealed:?}, an answer: {hint}",
                    exercise.id,
                    lang.code(),
                    tier + 1
                );
            }
            checked += 1;
        }
        // Every compute and investigate exercise of the book was compared, in the repository.
        if root.join("book/generated/exercises/ch01.md").exists() {
            assert!(checked >= 15, "only {checked} exercises compared");
        }
    }
}
