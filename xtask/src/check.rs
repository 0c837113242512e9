//! `cargo xtask check`: check exercises and report, for a learner, a teacher or CI.
//!
//! The exercises are listed in `exercises/exercises.toml` ([`crate::catalogue`]). Each has
//! a starter (`exercises/src/chNN/<name>.rs`), a reference solution
//! (`exercises/solutions/chNN/<name>.rs`) and its checks
//! (`exercises/tests/check/chNN/<name>.rs`). Each exercise is built as a program of its
//! own ([`crate::scratch`]) and run on its own, with its own time limit ([`crate::run`]);
//! the program's harness reports each check's verdict in a signed file that the checked
//! code cannot forge. The verdicts become one line per exercise:
//!
//! - `PASS`: every check passed;
//! - `NOT STARTED`: no check passed and every failure is a `todo!()`;
//! - `FAIL`: anything else, with the first failing check's message and where it panicked;
//! - `DOES NOT COMPILE`: this exercise's file does not compile (the errors are shown);
//! - `TIMED OUT`: a check did not finish within the time limit (an endless loop?);
//! - `CRASHED`: the program died in a check (a stack overflow, an abort, an `exit`).
//!
//! The checks run one after another, in a fixed order, on inputs drawn from a seed
//! (`--seed`, 0 unless given), so the same code gives the same report on any machine.
//!
//! `--verify` is for CI: every starter fails every one of its checks, every solution passes
//! all of them (with two seeds), every exercise has checks, and every checks file an
//! exercise.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use anyhow::{Context, Result, bail};
use cnn_exercises_harness::protocol::{Event, Record};
use notify::{EventKind, RecursiveMode, Watcher};
use serde::Serialize;

use crate::catalogue::{self, Catalogue, Exercise, Item, Level, Selection};
use crate::files;
use crate::run::{self, Ending, Run};
use crate::scratch::{self, Built, Job, Scratch, Slot};
use crate::texts::{self, Lang};

/// How long one exercise's checks may run, unless `--time-limit` says otherwise. The
/// slowest exercise's checks take well under a second, so this only ends an endless loop.
pub const TIME_LIMIT: Duration = Duration::from_secs(10);

/// The options of `cargo xtask check`.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// `ch03`, `ch03-max-pool-argmax`, or `None` for every exercise.
    pub target: Option<String>,
    /// An assignment of `exercises.toml`, instead of a target.
    pub assignment: Option<String>,
    /// Show this many hints of each unfinished exercise (0: none).
    pub hints: usize,
    /// Write a JSON report here.
    pub json: Option<PathBuf>,
    /// The learner's name or id, written in the JSON report.
    pub student: Option<String>,
    /// Check the reference solutions instead of the starters.
    pub solutions: bool,
    /// The seed of the checks' random inputs.
    pub seed: u64,
    /// Stop an exercise's checks after this long.
    pub time_limit: Duration,
    /// The language of the report (`--lang`, or `$CNN_BOOK_LANG`).
    pub lang: Lang,
}

/// The result of one exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every check passed.
    Passed,
    /// A check failed for another reason than a `todo!()`.
    Failed,
    /// No check passed, and every failure is a `todo!()`.
    NotStarted,
    /// The exercise's file does not compile, or is refused.
    CompileError,
    /// A check did not finish within the time limit.
    TimedOut,
    /// The program died during a check.
    Crashed,
    /// The submission has no file for this exercise.
    NotHandedIn,
    /// The exercise has no checks (a mistake in the exercises, not the learner's).
    NoChecks,
}

impl Status {
    /// The words the checker prints, in `lang`.
    pub fn label_in(self, lang: Lang) -> String {
        match self {
            Status::Passed => texts::status_passed(lang),
            Status::Failed => texts::status_failed(lang),
            Status::NotStarted => texts::status_not_started(lang),
            Status::CompileError => texts::status_compile_error(lang),
            Status::TimedOut => texts::status_timed_out(lang),
            Status::Crashed => texts::status_crashed(lang),
            Status::NotHandedIn => texts::status_not_handed_in(lang),
            Status::NoChecks => texts::status_no_checks(lang),
        }
    }

    /// The words the checker prints in English, for the exercises' authors (`--verify`).
    pub fn label(self) -> &'static str {
        match self {
            Status::Passed => "PASS",
            Status::Failed => "FAIL",
            Status::NotStarted => "NOT STARTED",
            Status::CompileError => "DOES NOT COMPILE",
            Status::TimedOut => "TIMED OUT",
            Status::Crashed => "CRASHED",
            Status::NotHandedIn => "NOT HANDED IN",
            Status::NoChecks => "NO CHECKS",
        }
    }

    fn style(self) -> Style {
        let colour = |c: AnsiColor| Style::new().fg_color(Some(c.into())).bold();
        match self {
            Status::Passed => colour(AnsiColor::Green),
            Status::Failed | Status::CompileError => colour(AnsiColor::Red),
            Status::TimedOut | Status::Crashed => colour(AnsiColor::Magenta),
            Status::NotStarted => colour(AnsiColor::Yellow),
            Status::NotHandedIn | Status::NoChecks => Style::new().dimmed(),
        }
    }
}

/// True for the message of a `todo!()`, with or without a text.
fn is_todo(message: &str) -> bool {
    message.starts_with("not yet implemented")
}

/// What happened to one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOutcome {
    /// The check's full name, such as `ch03::max_pool_argmax::ties_go_to_the_first_maximum`.
    pub name: String,
    /// `Some(true)` passed, `Some(false)` failed, `None` did not finish or did not run.
    pub passed: Option<bool>,
    pub message: String,
    pub location: Option<String>,
}

/// The checks' outcomes of a run, in order, and the check that was running when the
/// program ended, if it ended in the middle of one.
pub fn outcomes(records: &[Record]) -> (Vec<CheckOutcome>, Option<String>) {
    let mut outcomes: Vec<CheckOutcome> = Vec::new();
    let mut running = None;
    for record in records {
        match &record.event {
            Event::Begin { checks } => {
                outcomes = checks
                    .iter()
                    .map(|name| CheckOutcome {
                        name: name.clone(),
                        passed: None,
                        message: String::new(),
                        location: None,
                    })
                    .collect();
            }
            Event::Start { check } => running = Some(check.clone()),
            Event::Result {
                check,
                passed,
                message,
                location,
            } => {
                running = None;
                if let Some(outcome) = outcomes.iter_mut().find(|o| &o.name == check) {
                    outcome.passed = Some(*passed);
                    outcome.message = message.clone();
                    outcome.location = location.clone();
                }
            }
            Event::End => {}
        }
    }
    (outcomes, running)
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExerciseResult {
    pub id: String,
    pub chapter: String,
    pub title: String,
    pub level: Level,
    pub minutes: u32,
    pub status: Status,
    /// What the exercise earned: all its points if it passed, else 0.
    pub points: u32,
    pub points_possible: u32,
    /// The check whose failure is shown, if any.
    pub failed_check: Option<String>,
    /// Its message (or the compiler's errors, or why the program stopped).
    pub message: Option<String>,
    /// Where it panicked: `FILE:LINE:COLUMN`.
    pub location: Option<String>,
    pub checks_passed: usize,
    pub checks_total: usize,
    /// For an investigate exercise, the learner's `EXPLANATION` (`None` if not written yet),
    /// for the teacher to grade.
    pub explanation: Option<String>,
    /// How many of the exercise's hints this report showed (`--hint N`).
    pub hints_shown: usize,
    /// The first lines the code printed, for the text report only.
    #[serde(skip)]
    pub printed: Vec<String>,
}

impl ExerciseResult {
    /// A result before anything is known, for `item`.
    fn new(item: &Item, status: Status) -> ExerciseResult {
        let exercise = item.exercise;
        ExerciseResult {
            id: exercise.id.clone(),
            chapter: exercise.chapter().to_string(),
            title: exercise.title.clone(),
            level: exercise.level,
            minutes: exercise.minutes,
            status,
            points: 0,
            points_possible: item.points,
            failed_check: None,
            message: None,
            location: None,
            checks_passed: 0,
            checks_total: 0,
            explanation: None,
            hints_shown: 0,
            printed: Vec::new(),
        }
    }
}

/// The result of an exercise whose file a submission lacks.
pub fn judge_missing(item: &Item) -> ExerciseResult {
    ExerciseResult::new(item, Status::NotHandedIn)
}

/// Judges one exercise from its run: the status, the check to show, the points; what went
/// wrong said in `lang`.
pub fn judge(item: &Item, run: &Run, time_limit: Duration, lang: Lang) -> ExerciseResult {
    let (outcomes, running) = outcomes(&run.records);
    let began = !run.records.is_empty();
    let passed = outcomes.iter().filter(|o| o.passed == Some(true)).count();
    let failures: Vec<&CheckOutcome> = outcomes
        .iter()
        .filter(|o| o.passed == Some(false))
        .collect();
    let first_real_failure = failures.iter().find(|o| !is_todo(&o.message));
    let mut result = ExerciseResult::new(item, Status::Failed);
    result.checks_passed = passed;
    result.checks_total = outcomes.len();
    result.printed = run.printed.clone();
    let during = running
        .as_deref()
        .map(|check| texts::during_check(lang, check))
        .unwrap_or_else(|| {
            if began {
                texts::between_checks(lang)
            } else {
                texts::before_the_checks(lang)
            }
        });
    match &run.ending {
        Ending::TimedOut => {
            result.status = Status::TimedOut;
            result.failed_check = running.clone();
            result.message = Some(texts::timed_out(lang, &during, time_limit.as_secs_f64()));
        }
        Ending::Crashed {
            signal,
            stack_overflow,
        } => {
            result.status = Status::Crashed;
            result.failed_check = running.clone();
            let how = if *stack_overflow {
                texts::stack_overflow(lang)
            } else {
                texts::signal_meaning(lang, *signal)
            };
            result.message = Some(texts::crashed(lang, &during, &how));
        }
        Ending::Exited { code } => {
            result.status = Status::Crashed;
            result.failed_check = running.clone();
            let code = code.map(|c| c.to_string()).unwrap_or_else(|| "?".into());
            result.message = Some(texts::exited(lang, &code, &during));
        }
        Ending::Completed => {
            result.status = if outcomes.is_empty() {
                Status::NoChecks
            } else if failures.is_empty() {
                Status::Passed
            } else if passed == 0 && first_real_failure.is_none() {
                Status::NotStarted
            } else {
                Status::Failed
            };
            if let Some(shown) = first_real_failure.or(failures.first()) {
                result.failed_check = Some(shown.name.clone());
                result.message = Some(shown.message.clone());
                result.location = shown.location.clone();
            }
        }
    }
    if result.status == Status::Passed {
        result.points = item.points;
    }
    result
}

/// The text between `EXPLANATION: &str = r#"` and `"#;` in an investigate exercise's
/// file, trimmed; `None` if it is missing, empty or still the starter's "TODO".
pub fn extract_explanation(source: &str) -> Option<String> {
    let start = source.find("EXPLANATION: &str = r#\"")? + "EXPLANATION: &str = r#\"".len();
    let length = source[start..].find("\"#;")?;
    let text = source[start..start + length].trim();
    if text.is_empty() || text.starts_with("TODO") {
        None
    } else {
        Some(text.to_string())
    }
}

/// Counts of each status, and the points.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub not_started: usize,
    pub compile_error: usize,
    pub timed_out: usize,
    pub crashed: usize,
    pub not_handed_in: usize,
    pub no_checks: usize,
    pub total: usize,
    pub points: u32,
    pub points_possible: u32,
}

impl Totals {
    pub fn of(results: &[ExerciseResult]) -> Totals {
        let count = |status| results.iter().filter(|r| r.status == status).count();
        Totals {
            passed: count(Status::Passed),
            failed: count(Status::Failed),
            not_started: count(Status::NotStarted),
            compile_error: count(Status::CompileError),
            timed_out: count(Status::TimedOut),
            crashed: count(Status::Crashed),
            not_handed_in: count(Status::NotHandedIn),
            no_checks: count(Status::NoChecks),
            total: results.len(),
            points: results.iter().map(|r| r.points).sum(),
            points_possible: results.iter().map(|r| r.points_possible).sum(),
        }
    }

    /// "12 passed, 3 failed, 15 not started (30 exercises)", leaving out the zero counts
    /// other than "passed", in `lang`.
    pub fn summary(&self, lang: Lang) -> String {
        let mut parts = vec![texts::count_passed(lang, self.passed)];
        type Say = fn(Lang, usize) -> String;
        let counts: [(usize, Say); 7] = [
            (self.failed, texts::count_failed),
            (self.not_started, texts::count_not_started),
            (self.compile_error, texts::count_compile_error),
            (self.timed_out, texts::count_timed_out),
            (self.crashed, texts::count_crashed),
            (self.not_handed_in, texts::count_not_handed_in),
            (self.no_checks, texts::count_no_checks),
        ];
        for (count, say) in counts {
            if count > 0 {
                parts.push(say(lang, count));
            }
        }
        texts::summary(lang, &parts, self.total)
    }
}

/// The JSON report, for a teacher's gradebook.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// From `--student` or `$CNN_STUDENT`, or the submission's folder name.
    pub student: Option<String>,
    /// `"starters"` (the repository's `exercises/src/`), `"solutions"` or `"submission"`.
    pub code: &'static str,
    /// What was checked: `"all"`, a chapter, an exercise id or `"assignment NAME"`.
    pub selection: String,
    /// The seed of the checks' random inputs: the same seed gives the same report.
    pub seed: u64,
    /// The folder of hidden checks added to the exercises' own, if any.
    pub hidden_checks: Option<String>,
    /// For a graded submission: what the teacher should know (unusable folder, exercises
    /// that did not compile, timed out, crashed or were not handed in).
    pub note: Option<String>,
    pub totals: Totals,
    pub exercises: Vec<ExerciseResult>,
}

impl Report {
    /// The report as pretty JSON, with a final newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report is plain data") + "\n"
    }
}

/// Where the code of one exercise comes from, for [`evaluate`].
pub struct Source<'a> {
    pub item: Item<'a>,
    /// The file, or `None` if the submission lacks it.
    pub file: Option<PathBuf>,
    /// How reports name the file.
    pub shown_as: String,
}

/// How the exercises of [`evaluate`] are run: the seed of the checks' inputs, each
/// exercise's time limit, and the language of the messages.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub seed: u64,
    pub time_limit: Duration,
    pub lang: Lang,
}

/// Builds and runs the exercises of `sources` in `slot`, with the hidden checks of
/// `hidden` (a folder with `chNN/name.rs` files) if given, and judges each.
pub fn evaluate(
    root: &Path,
    slot: Slot,
    sources: &[Source],
    hidden: Option<(&Path, &str)>,
    options: RunOptions,
    mut progress: impl FnMut(&str),
) -> Result<Vec<ExerciseResult>> {
    let RunOptions {
        seed,
        time_limit,
        lang,
    } = options;
    let mut scratch = Scratch::open(root, slot)?;
    scratch.lang = lang;
    if let Some((folder, shown_as)) = hidden {
        scratch.show_hidden_as(folder, shown_as);
    }
    let jobs: Vec<Job> = sources
        .iter()
        .filter_map(|source| {
            let file = source.file.clone()?;
            let hidden = hidden
                .map(|(folder, _)| folder.join(source.item.exercise.file()))
                .filter(|path| path.is_file());
            Some(Job {
                exercise: source.item.exercise,
                code: file,
                code_shown_as: source.shown_as.clone(),
                hidden,
            })
        })
        .collect();
    let built = scratch.build(&jobs, |done, total| {
        progress(&texts::built(lang, done, total))
    })?;
    let mut results = Vec::new();
    for source in sources {
        let item = &source.item;
        let Some(job) = jobs.iter().find(|j| j.exercise.id == item.exercise.id) else {
            let mut result = ExerciseResult::new(item, Status::NotHandedIn);
            result.message = Some(texts::file_missing(lang, &source.shown_as));
            results.push(result);
            continue;
        };
        let mut result = match &built[&item.exercise.id] {
            Built::Failed(errors) => {
                let mut result = ExerciseResult::new(item, Status::CompileError);
                result.message = Some(errors.clone());
                result
            }
            Built::Program(program) => {
                progress(&texts::running(lang, &item.exercise.id));
                let dir = scratch.member_dir(item.exercise);
                let run = run::run_program(program, &dir, seed, time_limit, lang)?;
                let mut result = judge(item, &run, time_limit, lang);
                let names = scratch.path_names(job);
                result.message = result.message.map(|m| scratch::rename_paths(&m, &names));
                result.location = result
                    .location
                    .map(|l| shorten_location(&scratch::rename_paths(&l, &names)));
                result
            }
        };
        if item.exercise.level == Level::Investigate {
            result.explanation = std::fs::read_to_string(&job.code)
                .ok()
                .and_then(|source| extract_explanation(&source));
        }
        results.push(result);
    }
    Ok(results)
}

/// A panic's location with the machine-specific part of a dependency's path left out:
/// `.../registry/src/index.crates.io-xxxx/ndarray-0.16.1/src/...` becomes
/// `ndarray-0.16.1/src/...`, the same on every machine.
fn shorten_location(location: &str) -> String {
    if let Some(at) = location.find("/registry/src/") {
        let rest = &location[at + "/registry/src/".len()..];
        if let Some(slash) = rest.find('/') {
            return rest[slash + 1..].to_string();
        }
    }
    location.to_string()
}

/// The text report: one line per exercise, and under each that is not passed, what went
/// wrong, the file to edit and the hints asked for. With ANSI styles; print it with
/// `anstream`, which drops them when the output is not a terminal or `NO_COLOR` is set.
/// The checker's words are in the catalogue's language; columns line up by the width a
/// terminal gives each character (two for a Chinese one).
pub fn render(results: &[ExerciseResult], catalogue: &Catalogue, show_points: bool) -> String {
    let lang = catalogue.lang;
    let width = results.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let title_width = results
        .iter()
        .map(|r| display_width(&r.title))
        .max()
        .unwrap_or(0);
    let label_width: usize = 17;
    let mut text = String::new();
    let mut chapter = "";
    let indent = " ".repeat(20);
    let hint_style = Style::new().fg_color(Some(AnsiColor::Cyan.into()));
    let dim = Style::new().dimmed();
    for result in results {
        if result.chapter != chapter {
            chapter = &result.chapter;
            let _ = writeln!(text, "\n{chapter}");
        }
        let style = result.status.style();
        let label = result.status.label_in(lang);
        let label = format!(
            "{label}{}",
            " ".repeat(label_width.saturating_sub(display_width(&label)))
        );
        let _ = write!(
            text,
            "  {style}{label}{style:#} {:<width$}  {}",
            result.id, result.title
        );
        if show_points {
            let pad = title_width - display_width(&result.title);
            let _ = write!(
                text,
                "{}  {}/{}",
                " ".repeat(pad),
                result.points,
                result.points_possible
            );
        }
        text.push('\n');
        let exercise = catalogue.exercises.iter().find(|e| e.id == result.id);
        match result.status {
            Status::Passed => {
                if result.level == Level::Investigate && result.explanation.is_none() {
                    let _ = writeln!(text, "{indent}{}", texts::prediction_right(lang));
                }
                continue;
            }
            Status::NotStarted => {}
            Status::NotHandedIn => {
                if let Some(message) = &result.message {
                    let _ = writeln!(text, "{indent}{message}");
                }
            }
            Status::CompileError => {
                let message = result.message.as_deref().unwrap_or("");
                let lines: Vec<&str> = message.lines().collect();
                for line in lines.iter().take(24) {
                    let _ = writeln!(text, "{indent}{line}");
                }
                if lines.len() > 24 {
                    let more = texts::more_lines(lang, lines.len() - 24);
                    let _ = writeln!(text, "{indent}{dim}{more}{dim:#}");
                }
            }
            Status::Failed | Status::TimedOut | Status::Crashed | Status::NoChecks => {
                if let Some(check) = &result.failed_check {
                    let line = texts::failed_check(lang, check, result.location.as_deref());
                    let _ = writeln!(text, "{indent}{line}");
                }
                if let Some(message) = &result.message {
                    for line in message.lines().take(8) {
                        let _ = writeln!(text, "{indent}  {line}");
                    }
                }
                if result.status == Status::NoChecks {
                    let file = exercise.map(Exercise::file).unwrap_or_default();
                    let _ = writeln!(text, "{indent}{}", texts::no_checks_in(lang, &file));
                }
            }
        }
        if !result.printed.is_empty() {
            let printed = texts::your_code_printed(lang);
            let _ = writeln!(text, "{indent}{dim}{printed}{dim:#}");
            for (index, line) in result.printed.iter().enumerate() {
                if index == 6 {
                    let _ = writeln!(text, "{indent}  {dim}...{dim:#}");
                    break;
                }
                let _ = writeln!(text, "{indent}  {line}");
            }
        }
        if let Some(exercise) = exercise {
            if result.status != Status::NotHandedIn {
                let edit = texts::edit(lang, &exercise.starter_path());
                let _ = writeln!(text, "{indent}{edit}");
            }
            let hints = exercise.hints(result.hints_shown);
            for (index, hint) in hints.iter().enumerate() {
                let first_label = texts::hint_label(lang, index + 1);
                let continued = " ".repeat(display_width(&first_label));
                for (line_index, line) in wrap(hint, 76).iter().enumerate() {
                    let label = if line_index == 0 {
                        &first_label
                    } else {
                        &continued
                    };
                    let _ = writeln!(text, "{indent}{hint_style}{label}{line}{hint_style:#}");
                }
            }
            if !hints.is_empty() && hints.len() < exercise.hint_count() {
                let another = texts::another_hint(lang, hints.len() + 1);
                let _ = writeln!(text, "{indent}{dim}{another}{dim:#}");
            }
        }
    }
    text
}

/// How many columns a terminal gives `text`: two for each Chinese character (and other
/// wide ones), one for the others.
pub fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// True for a character that a line may break before and after without a space: a Chinese
/// character or punctuation mark (and other East Asian wide characters).
fn is_wide(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(2)
}

/// True for a punctuation mark that must not begin a line (Chinese typesetting's rule).
fn closes(c: char) -> bool {
    "，。、；：？！）》」』】…,.;:?!)".contains(c)
}

/// Splits `text` into lines of at most `width` columns: at spaces, and in Chinese text
/// between any two characters (a longer word gets a line of its own; a closing punctuation
/// mark stays with what it follows).
fn wrap(text: &str, width: usize) -> Vec<String> {
    // The pieces a line may break between, each with whether a space came before it.
    let mut pieces: Vec<(bool, String)> = Vec::new();
    let mut space_before = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space_before = true;
            continue;
        }
        let glued = !space_before
            && pieces.last().is_some_and(|(_, piece)| {
                let last = piece.chars().last().unwrap_or(' ');
                closes(c) || !(is_wide(c) || is_wide(last))
            });
        match pieces.last_mut() {
            Some((_, piece)) if glued => piece.push(c),
            _ => pieces.push((space_before, c.to_string())),
        }
        space_before = false;
    }
    let mut lines: Vec<String> = Vec::new();
    for (space, piece) in pieces {
        let separator = if space { " " } else { "" };
        match lines.last_mut() {
            Some(line)
                if display_width(line) + separator.len() + display_width(&piece) <= width =>
            {
                line.push_str(separator);
                line.push_str(&piece);
            }
            _ => lines.push(piece),
        }
    }
    lines
}

/// The sources of `selection` from a folder laid out like `exercises/src/` (`chNN/name.rs`),
/// named in reports as `shown_as/chNN/name.rs`.
pub fn sources_in<'a>(selection: &Selection<'a>, folder: &Path, shown_as: &str) -> Vec<Source<'a>> {
    selection
        .items
        .iter()
        .map(|item| {
            let file = folder.join(item.exercise.file());
            Source {
                item: *item,
                shown_as: format!("{shown_as}/{}", item.exercise.file()),
                file: std::fs::symlink_metadata(&file).is_ok().then_some(file),
            }
        })
        .collect()
}

/// Checks the selected exercises once and prints the report. Returns the report.
pub fn check_once(root: &Path, options: &CheckOptions) -> Result<Report> {
    let lang = options.lang;
    let catalogue = catalogue::load(root, lang)?;
    let selection = catalogue.select(options.target.as_deref(), options.assignment.as_deref())?;
    if let Some(path) = &options.json {
        files::check_writable(path)?;
    }
    let (code, folder, slot) = if options.solutions {
        ("solutions", "exercises/solutions", Slot::Solutions)
    } else {
        ("starters", "exercises/src", Slot::Check)
    };
    let what = match (&options.assignment, &options.target) {
        (Some(name), _) => texts::assignment_named(lang, name),
        (None, Some(target)) => target.clone(),
        (None, None) => String::new(),
    };
    anstream::println!(
        "{}",
        texts::checking(
            lang,
            selection.items.len(),
            code,
            &what,
            selection.title.as_deref()
        )
    );
    if !root.join("target/exercises/build").exists() {
        println!("{}", texts::first_build(lang));
    }
    let sources = sources_in(&selection, &root.join(folder), folder);
    let run_options = RunOptions {
        seed: options.seed,
        time_limit: options.time_limit,
        lang,
    };
    let mut results = evaluate(root, slot, &sources, None, run_options, |_| {})?;
    for result in &mut results {
        if result.status != Status::Passed
            && let Some(exercise) = catalogue.exercises.iter().find(|e| e.id == result.id)
        {
            result.hints_shown = options.hints.min(exercise.hint_count());
        }
    }
    anstream::print!(
        "{}",
        render(&results, &catalogue, options.assignment.is_some())
    );
    let totals = Totals::of(&results);
    let points = if options.assignment.is_some() {
        texts::points_of(lang, totals.points, totals.points_possible)
    } else {
        String::new()
    };
    anstream::println!("\n{}{points}", totals.summary(lang));
    let report = Report {
        student: options
            .student
            .clone()
            .or_else(|| std::env::var("CNN_STUDENT").ok())
            .filter(|s| !s.trim().is_empty()),
        code,
        selection: selection.label.clone(),
        seed: options.seed,
        hidden_checks: None,
        note: None,
        totals,
        exercises: results,
    };
    if let Some(path) = &options.json {
        files::write_atomically(path, report.to_json().as_bytes())?;
        println!(
            "{}",
            texts::report_written(lang, &path.display().to_string())
        );
    }
    Ok(report)
}

/// Checks, then re-checks every time a file of the exercises is saved, until Ctrl-C. The
/// screen is cleared before each check, on a terminal.
pub fn watch(root: &Path, options: &CheckOptions) -> Result<()> {
    let (sender, events) = mpsc::channel();
    let mut watcher =
        notify::recommended_watcher(sender).context("could not start watching files")?;
    let folders = [root.join("exercises/src"), root.join("exercises/solutions")];
    for folder in folders.iter().filter(|f| f.is_dir()) {
        watcher
            .watch(folder, RecursiveMode::Recursive)
            .with_context(|| format!("could not watch {}", folder.display()))?;
    }
    let terminal = std::io::stdout().is_terminal();
    loop {
        if terminal {
            // Clear the screen and its scrollback, and go to the top left corner.
            print!("\x1b[2J\x1b[3J\x1b[H");
        }
        if let Err(error) = check_once(root, options) {
            eprintln!("error: {error:#}");
        }
        println!("{}", texts::watching(options.lang));
        // Wait for a save of a Rust file, then let the editor finish writing: an editor
        // may write, rename and touch a file in a burst of events.
        loop {
            let event = events.recv().context("the file watcher stopped")?;
            if is_rust_change(&event) {
                break;
            }
        }
        while events.recv_timeout(Duration::from_millis(300)).is_ok() {}
    }
}

/// True for a created, changed or removed `.rs` file.
fn is_rust_change(event: &notify::Result<notify::Event>) -> bool {
    let Ok(event) = event else { return false };
    matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    ) && event
        .paths
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "rs"))
}

/// Prints the list of exercises, then the assignments, in `lang`.
pub fn list(root: &Path, lang: Lang) -> Result<()> {
    let catalogue = catalogue::load(root, lang)?;
    let level_width = [Level::Compute, Level::Implement, Level::Investigate]
        .into_iter()
        .map(|level| display_width(&texts::level(lang, level)))
        .max()
        .unwrap_or(0);
    let width = catalogue
        .exercises
        .iter()
        .map(|e| e.id.len())
        .max()
        .unwrap_or(0);
    for exercise in &catalogue.exercises {
        let level = texts::level(lang, exercise.level);
        let pad = " ".repeat(level_width - display_width(&level));
        println!(
            "{:<width$}  {level}{pad}  {}  {}",
            exercise.id,
            texts::list_minutes(lang, exercise.minutes),
            exercise.title
        );
    }
    if !catalogue.assignments.is_empty() {
        println!("{}", texts::list_assignments(lang));
        for assignment in &catalogue.assignments {
            let points: u32 = assignment.exercises.iter().map(|e| e.points).sum();
            let what =
                texts::list_assignment(lang, assignment.exercises.len(), points, &assignment.title);
            println!("  {:<8} {what}", assignment.name);
        }
    }
    Ok(())
}

/// The seeds `--verify` runs the solutions with: a solution must pass on any inputs.
const VERIFY_SEEDS: [u64; 2] = [0, 20_240_917];

/// For CI: the starters fail every check, the solutions pass every check (with two
/// seeds), every exercise has files and checks, every checks file belongs to an exercise,
/// and every chapter from ch01 to ch08 has at least three exercises.
pub fn verify(root: &Path, time_limit: Duration) -> Result<()> {
    let catalogue = catalogue::load(root, Lang::En)?;
    let mut problems = catalogue_problems(root, &catalogue);
    problems.extend(catalogue::all_translation_problems(root, &catalogue));
    let all = catalogue.select(None, None)?;
    println!("==> Building and running every exercise's checks against the starters");
    let starters = sources_in(&all, &root.join("exercises/src"), "exercises/src");
    let english = |seed| RunOptions {
        seed,
        time_limit,
        lang: Lang::En,
    };
    let results = evaluate(root, Slot::Check, &starters, None, english(0), |_| {})?;
    for result in &results {
        let fails_every_check = result.checks_passed == 0
            && matches!(result.status, Status::NotStarted | Status::Failed);
        if !fails_every_check {
            problems.push(format!(
                "{}: the starter must fail every check and stop at a todo!(), but: {} \
                 ({} of {} checks pass){}",
                result.id,
                result.status.label(),
                result.checks_passed,
                result.checks_total,
                result
                    .message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ));
        }
    }
    for seed in VERIFY_SEEDS {
        println!("==> ... and against the solutions, with seed {seed}");
        let solutions = sources_in(
            &all,
            &root.join("exercises/solutions"),
            "exercises/solutions",
        );
        let results = evaluate(
            root,
            Slot::Solutions,
            &solutions,
            None,
            english(seed),
            |_| {},
        )?;
        for result in &results {
            if result.status != Status::Passed {
                problems.push(format!(
                    "{}: the solution must pass every check (seed {seed}), but: {}{}{}",
                    result.id,
                    result.status.label(),
                    result
                        .failed_check
                        .as_deref()
                        .map(|c| format!(" in {c}"))
                        .unwrap_or_default(),
                    result
                        .message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                ));
            }
        }
    }
    if problems.is_empty() {
        println!(
            "==> Verified {} exercises: every starter fails its checks, every solution passes",
            catalogue.exercises.len()
        );
        Ok(())
    } else {
        for problem in &problems {
            eprintln!("  - {problem}");
        }
        bail!(
            "{} problem(s) with the exercises (listed above)",
            problems.len()
        )
    }
}

/// Missing files, too few exercises in a chapter, explanations left out, checks files
/// without an exercise, exercises left out of the checks' own test program.
fn catalogue_problems(root: &Path, catalogue: &Catalogue) -> Vec<String> {
    let mut problems = Vec::new();
    let all_checks =
        std::fs::read_to_string(root.join("exercises/tests/check/main.rs")).unwrap_or_default();
    for exercise in &catalogue.exercises {
        for path in [
            exercise.starter_path(),
            exercise.solution_path(),
            exercise.checks_path(),
        ] {
            if !root.join(&path).exists() {
                problems.push(format!("{}: {path} is missing", exercise.id));
            }
        }
        if !all_checks.contains(&format!("{}::CHECKS", exercise.suite())) {
            problems.push(format!(
                "{}: exercises/tests/check/main.rs does not run {}::CHECKS",
                exercise.id,
                exercise.suite()
            ));
        }
        if exercise.level == Level::Investigate {
            let solution =
                std::fs::read_to_string(root.join(exercise.solution_path())).unwrap_or_default();
            if extract_explanation(&solution).is_none() {
                problems.push(format!("{}: the solution has no EXPLANATION", exercise.id));
            }
            let starter =
                std::fs::read_to_string(root.join(exercise.starter_path())).unwrap_or_default();
            if !starter.contains("EXPLANATION: &str = r#\"") {
                problems.push(format!(
                    "{}: the starter has no EXPLANATION to fill in",
                    exercise.id
                ));
            }
        }
    }
    let files: BTreeMap<String, ()> = catalogue.exercises.iter().map(|e| (e.file(), ())).collect();
    let checks_dir = root.join("exercises/tests/check");
    for chapter in std::fs::read_dir(&checks_dir)
        .into_iter()
        .flatten()
        .flatten()
    {
        if !chapter.path().is_dir() {
            continue;
        }
        for file in std::fs::read_dir(chapter.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = format!(
                "{}/{}",
                chapter.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            if !files.contains_key(&name) {
                problems.push(format!(
                    "exercises/tests/check/{name} belongs to no exercise of exercises.toml"
                ));
            }
        }
    }
    for chapter in 1..=8 {
        let chapter = format!("ch{chapter:02}");
        let count = catalogue
            .exercises
            .iter()
            .filter(|e| e.chapter() == chapter)
            .count();
        if count < 3 {
            problems.push(format!(
                "{chapter} has {count} exercises; every chapter needs 3"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::CATALOGUE;
    use cnn_exercises_harness::protocol::Record;

    fn record(seq: u64, event: Event) -> Record {
        Record { seq, event }
    }

    fn begin(names: &[&str]) -> Event {
        Event::Begin {
            checks: names.iter().map(|n| n.to_string()).collect(),
        }
    }

    fn start(name: &str) -> Event {
        Event::Start { check: name.into() }
    }

    fn result(name: &str, passed: bool, message: &str) -> Event {
        Event::Result {
            check: name.into(),
            passed,
            message: message.into(),
            location: (!passed).then(|| "exercises/src/ch03/x.rs:3:5".to_string()),
        }
    }

    /// A run of the events, numbered, that ended as `ending`.
    fn run_of(events: Vec<Event>, ending: Ending) -> Run {
        Run {
            records: events
                .into_iter()
                .enumerate()
                .map(|(i, e)| record(i as u64, e))
                .collect(),
            ending,
            printed: Vec::new(),
        }
    }

    fn item(catalogue: &Catalogue, index: usize, points: u32) -> Item<'_> {
        Item {
            exercise: &catalogue.exercises[index],
            points,
        }
    }

    const A: &str = "ch03::max_pool_argmax::a";
    const B: &str = "ch03::max_pool_argmax::b";
    const LIMIT: Duration = Duration::from_secs(10);

    #[test]
    fn a_complete_run_is_passed_failed_or_not_started() {
        let catalogue = catalogue::parse(CATALOGUE).unwrap();
        let argmax = item(&catalogue, 1, 2);
        let passed = run_of(
            vec![
                begin(&[A, B]),
                start(A),
                result(A, true, ""),
                start(B),
                result(B, true, ""),
                Event::End,
            ],
            Ending::Completed,
        );
        let judged = judge(&argmax, &passed, LIMIT, Lang::En);
        assert_eq!((judged.status, judged.points), (Status::Passed, 2));
        assert_eq!((judged.checks_passed, judged.checks_total), (2, 2));

        // A real failure is shown before a todo!(), even if it comes later.
        let failed = run_of(
            vec![
                begin(&[A, B]),
                start(A),
                result(A, false, "not yet implemented"),
                start(B),
                result(B, false, "argmax positions differ"),
                Event::End,
            ],
            Ending::Completed,
        );
        let judged = judge(&argmax, &failed, LIMIT, Lang::En);
        assert_eq!((judged.status, judged.points), (Status::Failed, 0));
        assert_eq!(judged.failed_check.as_deref(), Some(B));
        assert_eq!(judged.message.as_deref(), Some("argmax positions differ"));
        assert_eq!(
            judged.location.as_deref(),
            Some("exercises/src/ch03/x.rs:3:5")
        );

        let todo = run_of(
            vec![
                begin(&[A]),
                start(A),
                result(A, false, "not yet implemented: later"),
                Event::End,
            ],
            Ending::Completed,
        );
        assert_eq!(
            judge(&argmax, &todo, LIMIT, Lang::En).status,
            Status::NotStarted
        );

        let empty = run_of(vec![begin(&[]), Event::End], Ending::Completed);
        assert_eq!(
            judge(&argmax, &empty, LIMIT, Lang::En).status,
            Status::NoChecks
        );
    }

    #[test]
    fn an_interrupted_run_names_the_check_it_was_in() {
        let catalogue = catalogue::parse(CATALOGUE).unwrap();
        let argmax = item(&catalogue, 1, 2);
        let events = || vec![begin(&[A, B]), start(A), result(A, true, ""), start(B)];
        let timed_out = judge(
            &argmax,
            &run_of(events(), Ending::TimedOut),
            LIMIT,
            Lang::En,
        );
        assert_eq!(timed_out.status, Status::TimedOut);
        assert_eq!(timed_out.points, 0);
        assert_eq!(timed_out.checks_passed, 1);
        assert_eq!(
            timed_out.message.as_deref(),
            Some(
                "check ch03::max_pool_argmax::b did not finish within 10 seconds: an endless loop?"
            )
        );
        let overflow = Ending::Crashed {
            signal: 6,
            stack_overflow: true,
        };
        let crashed = judge(&argmax, &run_of(events(), overflow), LIMIT, Lang::En);
        assert_eq!(crashed.status, Status::Crashed);
        assert!(
            crashed
                .message
                .unwrap()
                .ends_with("a stack overflow: endless recursion?")
        );
        let exited = judge(
            &argmax,
            &run_of(events(), Ending::Exited { code: Some(0) }),
            LIMIT,
            Lang::En,
        );
        assert_eq!(exited.status, Status::Crashed);
        assert!(exited.message.unwrap().contains("std::process::exit"));
        // Forged output and an exit before the harness began: nothing to credit.
        let nothing = judge(
            &argmax,
            &run_of(vec![], Ending::Exited { code: Some(0) }),
            LIMIT,
            Lang::En,
        );
        let chinese = judge(
            &argmax,
            &run_of(events(), Ending::TimedOut),
            LIMIT,
            Lang::ZhCn,
        );
        assert_eq!(
            chinese.message.as_deref(),
            Some("检查 ch03::max_pool_argmax::b 没有在 10 秒内完成：是不是死循环？")
        );
        assert_eq!((nothing.status, nothing.checks_total), (Status::Crashed, 0));
        assert!(nothing.message.unwrap().contains("before the checks began"));
    }

    #[test]
    fn a_crash_after_every_check_passed_still_fails() {
        // The code's own thread may end the program after the last check passed, before
        // the harness signs its end: the run is not complete, so it is not credited.
        let catalogue = catalogue::parse(CATALOGUE).unwrap();
        let argmax = item(&catalogue, 1, 2);
        let run = run_of(
            vec![begin(&[A]), start(A), result(A, true, "")],
            Ending::Exited { code: Some(0) },
        );
        let judged = judge(&argmax, &run, LIMIT, Lang::En);
        assert_eq!((judged.status, judged.points), (Status::Crashed, 0));
    }

    #[test]
    fn totals_count_statuses_and_points() {
        let catalogue = catalogue::parse(CATALOGUE).unwrap();
        let mut passed = ExerciseResult::new(&item(&catalogue, 1, 2), Status::Passed);
        passed.points = 2;
        let results = vec![
            passed,
            ExerciseResult::new(&item(&catalogue, 0, 1), Status::NotStarted),
            judge_missing(&item(&catalogue, 2, 1)),
        ];
        let totals = Totals::of(&results);
        assert_eq!((totals.points, totals.points_possible), (2, 4));
        assert_eq!(
            totals.summary(Lang::En),
            "1 passed, 1 not started, 1 not handed in (3 exercises)"
        );
    }

    #[test]
    fn the_text_report_shows_what_went_wrong_and_the_hints_asked_for() {
        let catalogue = catalogue::parse(CATALOGUE).unwrap();
        let mut sizes = ExerciseResult::new(&item(&catalogue, 0, 1), Status::Failed);
        sizes.failed_check = Some("ch03::pooled_sizes::lenet_pooling".into());
        sizes.message = Some("lenet_pooled_side() = 13 is wrong".into());
        sizes.location = Some("exercises/tests/check/ch03/pooled_sizes.rs:14:5".into());
        sizes.hints_shown = 2;
        sizes.printed = vec!["debug: 13".into()];
        let mut broken = ExerciseResult::new(&item(&catalogue, 1, 2), Status::CompileError);
        broken.message = Some(
            "error[E0308]: mismatched types\n --> exercises/src/ch03/max_pool_argmax.rs:3:5".into(),
        );
        let passed = ExerciseResult::new(&item(&catalogue, 2, 1), Status::Passed);
        let text =
            anstream::adapter::strip_str(&render(&[sizes, broken, passed], &catalogue, true))
                .to_string();
        let expected = "
ch03
  FAIL              ch03-pooled-sizes      Sizes      0/1
                    check ch03::pooled_sizes::lenet_pooling, panicked at exercises/tests/check/ch03/pooled_sizes.rs:14:5:
                      lenet_pooled_side() = 13 is wrong
                    your code printed:
                      debug: 13
                    edit exercises/src/ch03/pooled_sizes.rs
                    hint 1: floor
                    hint 2: the formula
                    (another hint: --hint 3)
  DOES NOT COMPILE  ch03-max-pool-argmax   Argmax     0/2
                    error[E0308]: mismatched types
                     --> exercises/src/ch03/max_pool_argmax.rs:3:5
                    edit exercises/src/ch03/max_pool_argmax.rs

ch04
  PASS              ch04-uncovered-pixels  Uncovered  0/1
                    prediction right; now write your EXPLANATION for your teacher
";
        assert_eq!(text, expected);
    }

    #[test]
    fn hints_wrap_at_spaces() {
        assert_eq!(wrap("one two three four", 9), ["one two", "three", "four"]);
        assert_eq!(wrap("a verylongword b", 4), ["a", "verylongword", "b"]);
        assert!(wrap("", 10).is_empty());
    }

    #[test]
    fn chinese_hints_wrap_between_characters_by_width() {
        // Each Chinese character takes two columns; a line may break between any two, but
        // not before a closing punctuation mark, and words of code stay whole.
        assert_eq!(
            wrap("先减去最大的值，再取指数。", 8),
            ["先减去最", "大的值，", "再取指", "数。"]
        );
        assert_eq!(wrap("用 output_size 公式", 14), ["用 output_size", "公式"]);
        for line in wrap(&"卷积核在特征图上滑动，".repeat(10), 76) {
            assert!(display_width(&line) <= 76, "{line}");
        }
    }

    #[test]
    fn the_text_report_speaks_chinese() {
        let english = catalogue::parse(CATALOGUE).unwrap();
        let chinese = r#"
[exercise.ch03-pooled-sizes]
title = "池化后的大小"
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
        let catalogue = catalogue::translate(&english, chinese, Lang::ZhCn).unwrap();
        let mut sizes = ExerciseResult::new(&item(&catalogue, 0, 1), Status::Failed);
        sizes.failed_check = Some("ch03::pooled_sizes::lenet_pooling".into());
        sizes.message = Some("lenet_pooled_side() = 13，与 cnn-core 的池化结果不符".into());
        sizes.location = Some("exercises/tests/check/ch03/pooled_sizes.rs:14:5".into());
        sizes.hints_shown = 1;
        let started = ExerciseResult::new(&item(&catalogue, 1, 2), Status::NotStarted);
        let passed = ExerciseResult::new(&item(&catalogue, 2, 1), Status::Passed);
        let results = [sizes, started, passed];
        let text = anstream::adapter::strip_str(&render(&results, &catalogue, true)).to_string();
        let expected = "
ch03
  未通过            ch03-pooled-sizes      池化后的大小  0/1
                    检查 ch03::pooled_sizes::lenet_pooling，panic 位于 exercises/tests/check/ch03/pooled_sizes.rs:14:5：
                      lenet_pooled_side() = 13，与 cnn-core 的池化结果不符
                    请编辑 exercises/src/ch03/pooled_sizes.rs
                    提示 1：向下取整
                    （更多提示：--hint 2）
  未开始            ch03-max-pool-argmax   最大值位置    0/2
                    请编辑 exercises/src/ch03/max_pool_argmax.rs

ch04
  通过              ch04-uncovered-pixels  未覆盖        0/1
                    预测正确；现在为老师写下你的 EXPLANATION（解释）
";
        assert_eq!(text, expected);
        assert_eq!(
            Totals::of(&results).summary(Lang::ZhCn),
            "1 道通过，1 道未通过，1 道未开始（共 3 道练习）"
        );
    }

    #[test]
    fn explanations_are_read_unless_left_as_todo() {
        let written = "pub const EXPLANATION: &str = r#\"\nBecause the floor.\n\"#;\n";
        assert_eq!(
            extract_explanation(written).as_deref(),
            Some("Because the floor.")
        );
        let todo = "pub const EXPLANATION: &str = r#\"\nTODO: explain here.\n\"#;\n";
        assert_eq!(extract_explanation(todo), None);
        assert_eq!(extract_explanation("fn main() {}"), None);
    }

    #[test]
    fn dependency_locations_do_not_name_the_machine() {
        assert_eq!(
            shorten_location(
                "/home/ada/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/ndarray-0.16.1/src/lib.rs:9:1"
            ),
            "ndarray-0.16.1/src/lib.rs:9:1"
        );
        assert_eq!(
            shorten_location("exercises/src/ch03/x.rs:3:5"),
            "exercises/src/ch03/x.rs:3:5"
        );
    }

    #[test]
    fn the_report_is_valid_json_with_totals() {
        let catalogue = catalogue::parse(CATALOGUE).unwrap();
        let exercises = vec![ExerciseResult::new(
            &item(&catalogue, 1, 2),
            Status::NotStarted,
        )];
        let report = Report {
            student: Some("Ada".into()),
            code: "starters",
            selection: "all".into(),
            seed: 0,
            hidden_checks: None,
            note: None,
            totals: Totals::of(&exercises),
            exercises,
        };
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["student"], "Ada");
        assert_eq!(json["totals"]["not_started"], 1);
        assert_eq!(json["totals"]["points_possible"], 2);
        assert_eq!(json["exercises"][0]["status"], "not_started");
        assert_eq!(json["exercises"][0]["level"], "implement");
        assert_eq!(json["exercises"][0]["hints_shown"], 0);
        assert!(json["exercises"][0].get("printed").is_none());
    }
}
