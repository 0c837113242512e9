//! `cargo xtask check`: check a learner's exercises and report, for a learner or a gradebook.
//!
//! The exercises are listed in `exercises/exercises.toml`. Each has a starter
//! (`exercises/src/chNN/<name>.rs`) and a reference solution
//! (`exercises/solutions/chNN/<name>.rs`), checked by the same tests, the module
//! `chNN::<name>` of `exercises/tests/check/`. This task runs those tests with `cargo test`,
//! reads libtest's plain-text report (test names, `ok` or `FAILED`, and each failure's panic
//! message), and turns it into one line per exercise:
//!
//! - `PASS`: every test of the exercise passed;
//! - `NOT STARTED`: no test passed and every failure is a `todo!()` ("not yet implemented");
//! - `FAIL`: anything else, with the first failing test's message;
//! - `DOES NOT COMPILE`: the exercises do not build; the compiler's errors are shown above.
//!
//! `--verify` is for CI: every starter must fail every one of its tests and every solution
//! must pass all of them, every exercise must have tests, and every test an exercise.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use notify::{EventKind, RecursiveMode, Watcher};
use serde::{Deserialize, Serialize};

/// The options of `cargo xtask check`.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// `ch03`, `ch03-max-pool-argmax`, or `None` for every exercise.
    pub target: Option<String>,
    /// Print each unfinished exercise's hint.
    pub hint: bool,
    /// Write a JSON report here.
    pub json: Option<PathBuf>,
    /// The learner's name or id, written in the JSON report.
    pub student: Option<String>,
    /// Check the reference solutions instead of the starters.
    pub solutions: bool,
    /// Stop the tests after this long (an endless loop in a learner's code).
    pub time_limit: Duration,
}

/// One entry of `exercises/exercises.toml`.
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
    /// Shown with `--hint`.
    pub hint: String,
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
    /// the test module.
    pub fn module(&self) -> String {
        self.id[5..].replace('-', "_")
    }

    /// `exercises/src/ch03/max_pool_argmax.rs`, relative to the repository's root.
    pub fn starter_path(&self) -> String {
        format!("exercises/src/{}/{}.rs", self.chapter(), self.module())
    }

    /// `exercises/solutions/ch03/max_pool_argmax.rs`.
    pub fn solution_path(&self) -> String {
        format!(
            "exercises/solutions/{}/{}.rs",
            self.chapter(),
            self.module()
        )
    }

    /// The prefix of the names of this exercise's tests: `ch03::max_pool_argmax::`.
    pub fn test_prefix(&self) -> String {
        format!("{}::{}::", self.chapter(), self.module())
    }
}

/// The file `exercises/exercises.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    exercise: Vec<Exercise>,
}

/// Reads and validates the list of exercises.
pub fn load_catalogue(root: &Path) -> Result<Vec<Exercise>> {
    let path = root.join("exercises/exercises.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    parse_catalogue(&text).with_context(|| format!("in {}", path.display()))
}

/// Parses the list of exercises and checks each id: `chNN-name`, lower case, unique.
pub fn parse_catalogue(text: &str) -> Result<Vec<Exercise>> {
    let catalogue: Catalogue = toml::from_str(text)?;
    let mut seen = BTreeSet::new();
    for exercise in &catalogue.exercise {
        let id = &exercise.id;
        let well_formed = id.len() > 5
            && id.starts_with("ch")
            && id.as_bytes()[2].is_ascii_digit()
            && id.as_bytes()[3].is_ascii_digit()
            && id.as_bytes()[4] == b'-'
            && id[5..]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !well_formed {
            bail!("exercise id `{id}` is not of the form chNN-name (lower case, digits, '-')");
        }
        if !seen.insert(id.clone()) {
            bail!("exercise id `{id}` appears twice");
        }
    }
    Ok(catalogue.exercise)
}

/// The exercises `target` names: all of them, one chapter's, or one exercise.
pub fn select<'a>(catalogue: &'a [Exercise], target: Option<&str>) -> Result<Vec<&'a Exercise>> {
    let Some(target) = target else {
        return Ok(catalogue.iter().collect());
    };
    let chapters: BTreeSet<&str> = catalogue.iter().map(Exercise::chapter).collect();
    let chapter_list = chapters.iter().copied().collect::<Vec<_>>().join(", ");
    let target = target.trim().to_ascii_lowercase();
    if target.len() == 4 && target.starts_with("ch") {
        let chosen: Vec<&Exercise> = catalogue.iter().filter(|e| e.chapter() == target).collect();
        if chosen.is_empty() {
            bail!("no exercises for chapter `{target}`; chapters with exercises: {chapter_list}");
        }
        return Ok(chosen);
    }
    if let Some(exercise) = catalogue.iter().find(|e| e.id == target) {
        return Ok(vec![exercise]);
    }
    let mut message = format!("no exercise `{target}`.");
    let chapter = target.get(..4).unwrap_or("");
    let same_chapter: Vec<&str> = catalogue
        .iter()
        .filter(|e| e.chapter() == chapter)
        .map(|e| e.id.as_str())
        .collect();
    if same_chapter.is_empty() {
        write!(
            message,
            " Give a chapter ({chapter_list}) or an exercise id such as `{}`; \
             `cargo xtask check --list` lists them all.",
            catalogue
                .first()
                .map(|e| e.id.as_str())
                .unwrap_or("ch01-...")
        )?;
    } else {
        write!(
            message,
            " Chapter {chapter} has: {}.",
            same_chapter.join(", ")
        )?;
    }
    bail!(message)
}

/// What happened to one test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestOutcome {
    /// The test's full name, such as `ch03::max_pool_argmax::ties_go_to_the_first_maximum`.
    pub name: String,
    /// Whether it passed.
    pub passed: bool,
    /// For a failed test, its panic message (without the "thread ... panicked at" line).
    pub message: String,
}

/// Reads libtest's plain-text report: the `test NAME ... ok|FAILED` lines and, for each
/// failure, the `---- NAME stdout ----` section with its panic message.
pub fn parse_test_output(output: &str) -> Vec<TestOutcome> {
    let mut outcomes = Vec::new();
    for line in output.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, result)) = rest.rsplit_once(" ... ") else {
            continue;
        };
        let passed = match result.trim() {
            "ok" => true,
            "FAILED" => false,
            _ => continue, // "ignored" and the like
        };
        outcomes.push(TestOutcome {
            name: name.trim().to_string(),
            passed,
            message: String::new(),
        });
    }
    for (name, message) in failure_sections(output) {
        if let Some(outcome) = outcomes.iter_mut().find(|o| o.name == name) {
            outcome.message = message;
        }
    }
    outcomes
}

/// The `---- NAME stdout ----` sections of a libtest report: each test's name and the
/// message of its panic.
fn failure_sections(output: &str) -> Vec<(String, String)> {
    let mut sections = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in output.lines() {
        let header = line
            .strip_prefix("---- ")
            .and_then(|rest| rest.strip_suffix(" stdout ----"));
        let section_ends =
            header.is_some() || line == "failures:" || line.starts_with("test result:");
        if section_ends && let Some((name, lines)) = current.take() {
            sections.push((name, panic_message(&lines)));
        }
        if let Some(name) = header {
            current = Some((name.to_string(), Vec::new()));
        } else if let Some((_, lines)) = current.as_mut() {
            lines.push(line);
        }
    }
    if let Some((name, lines)) = current {
        sections.push((name, panic_message(&lines)));
    }
    sections
}

/// The message after `thread '...' panicked at FILE:LINE:COLUMN:`, up to the note about
/// backtraces; the whole text if there is no such line.
fn panic_message(lines: &[&str]) -> String {
    let start = lines
        .iter()
        .position(|line| line.starts_with("thread '") && line.contains("panicked at"))
        .map(|i| i + 1)
        .unwrap_or(0);
    let message: Vec<&str> = lines[start..]
        .iter()
        .take_while(|line| {
            !line.starts_with("note: run with `RUST_BACKTRACE")
                && !line.starts_with("stack backtrace:")
        })
        .copied()
        .collect();
    message.join("\n").trim().to_string()
}

/// The result of one exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every test passed.
    Passed,
    /// Some test failed for another reason than a `todo!()`.
    Failed,
    /// No test passed, and every failure is a `todo!()`.
    NotStarted,
    /// The exercises do not compile.
    CompileError,
    /// No test checks this exercise (a mistake in the exercises, not the learner's).
    NoTests,
}

impl Status {
    /// The word the checker prints.
    fn label(self) -> &'static str {
        match self {
            Status::Passed => "PASS",
            Status::Failed => "FAIL",
            Status::NotStarted => "NOT STARTED",
            Status::CompileError => "DOES NOT COMPILE",
            Status::NoTests => "NO TESTS",
        }
    }
}

/// True for the message of a `todo!()`, with or without a text.
fn is_todo(message: &str) -> bool {
    message.starts_with("not yet implemented")
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
    /// The first failing test, if any.
    pub failed_test: Option<String>,
    /// Its message.
    pub message: Option<String>,
    pub tests_passed: usize,
    pub tests_total: usize,
    /// For an investigate exercise, the learner's `EXPLANATION` (`None` if not written yet),
    /// for the teacher to grade.
    pub explanation: Option<String>,
}

/// Sums the test outcomes of one exercise into its result.
pub fn judge(
    exercise: &Exercise,
    outcomes: &[TestOutcome],
    explanation: Option<String>,
) -> ExerciseResult {
    let prefix = exercise.test_prefix();
    let own: Vec<&TestOutcome> = outcomes
        .iter()
        .filter(|o| o.name.starts_with(&prefix))
        .collect();
    let passed = own.iter().filter(|o| o.passed).count();
    let failures: Vec<&&TestOutcome> = own.iter().filter(|o| !o.passed).collect();
    let first_real_failure = failures.iter().find(|o| !is_todo(&o.message));
    let status = if own.is_empty() {
        Status::NoTests
    } else if failures.is_empty() {
        Status::Passed
    } else if passed == 0 && first_real_failure.is_none() {
        Status::NotStarted
    } else {
        Status::Failed
    };
    let shown = first_real_failure.or(failures.first());
    ExerciseResult {
        id: exercise.id.clone(),
        chapter: exercise.chapter().to_string(),
        title: exercise.title.clone(),
        level: exercise.level,
        minutes: exercise.minutes,
        status,
        failed_test: shown.map(|o| o.name.clone()),
        message: shown.map(|o| o.message.clone()),
        tests_passed: passed,
        tests_total: own.len(),
        explanation,
    }
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

/// Counts of each status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub not_started: usize,
    pub compile_error: usize,
    pub no_tests: usize,
    pub total: usize,
}

impl Totals {
    pub fn of(results: &[ExerciseResult]) -> Totals {
        let count = |status| results.iter().filter(|r| r.status == status).count();
        Totals {
            passed: count(Status::Passed),
            failed: count(Status::Failed),
            not_started: count(Status::NotStarted),
            compile_error: count(Status::CompileError),
            no_tests: count(Status::NoTests),
            total: results.len(),
        }
    }

    /// "12 passed, 3 failed, 15 not started (30 exercises)", leaving out the zero counts
    /// other than "passed".
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("{} passed", self.passed)];
        for (count, what) in [
            (self.failed, "failed"),
            (self.not_started, "not started"),
            (self.compile_error, "do not compile"),
            (self.no_tests, "without tests"),
        ] {
            if count > 0 {
                parts.push(format!("{count} {what}"));
            }
        }
        let plural = if self.total == 1 { "" } else { "s" };
        format!("{} ({} exercise{plural})", parts.join(", "), self.total)
    }
}

/// The JSON report, for a teacher's gradebook.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// From `--student` or `$CNN_STUDENT`.
    pub student: Option<String>,
    /// `"starters"` (the learner's files) or `"solutions"`.
    pub code: &'static str,
    /// What was checked: `"all"`, a chapter or an exercise id.
    pub selection: String,
    pub totals: Totals,
    pub exercises: Vec<ExerciseResult>,
}

/// What `cargo test` said: whether it built, and what the tests did.
struct TestRun {
    compiled: bool,
    /// Every test selected, passed or failed. A test that was still running when the time
    /// limit ran out counts as failed, with a message that says so.
    outcomes: Vec<TestOutcome>,
}

/// How long the exercise tests may run (after compiling) before they are stopped, unless
/// `--time-limit` says otherwise: the checks take about a second, so this only ends an
/// endless loop in a learner's code.
pub const TEST_TIME_LIMIT: Duration = Duration::from_secs(60);

/// `cargo test` for the exercise tests, on the starters or the solutions.
fn cargo_test(root: &Path, solutions: bool) -> Command {
    let features = if solutions {
        "check,solutions"
    } else {
        "check"
    };
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .args(["test", "--quiet", "--package", "cnn-exercises"])
        .args(["--features", features, "--test", "check", "--no-fail-fast"])
        .env("RUST_BACKTRACE", "0")
        .current_dir(root);
    command
}

/// Compiles the exercise tests and runs those whose names start with one of `filters`,
/// stopping them after `time_limit`.
fn run_tests(
    root: &Path,
    solutions: bool,
    filters: &[String],
    time_limit: Duration,
) -> Result<TestRun> {
    // Compile and list the tests first, without a time limit: the first build takes minutes.
    let listing = cargo_test(root, solutions)
        .args(["--", "--list", "--format", "terse"])
        .args(filters)
        .output()
        .context("could not start `cargo test` for the exercises")?;
    if !listing.status.success() {
        // Show the compiler's errors: they are what the learner needs to fix.
        eprintln!("{}", String::from_utf8_lossy(&listing.stderr));
        return Ok(TestRun {
            compiled: false,
            outcomes: Vec::new(),
        });
    }
    let listed: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_string)
        .collect();

    let mut command = cargo_test(root, solutions);
    command
        .args(["--", "--format", "pretty"])
        .args(filters)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let (output, timed_out) = output_within(command, time_limit)?;
    let mut outcomes = parse_test_output(&output);
    if timed_out {
        for name in listed {
            if !outcomes.iter().any(|o| o.name == name) {
                outcomes.push(TestOutcome {
                    name,
                    passed: false,
                    message: format!(
                        "did not finish within {} seconds: an endless loop?\n\
                         (here, or in another exercise whose tests kept the test threads busy)",
                        time_limit.as_secs()
                    ),
                });
            }
        }
    }
    Ok(TestRun {
        compiled: true,
        outcomes,
    })
}

/// Runs `command`, collecting its standard output; stops it (and the test program it
/// started) if it has not finished after `time_limit`. Returns the output and whether it
/// was stopped.
fn output_within(mut command: Command, time_limit: Duration) -> Result<(String, bool)> {
    // In a process group of its own, so that stopping it stops the test program too.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .context("could not start `cargo test` for the exercises")?;
    let read_all = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = read_all(Box::new(child.stdout.take().expect("stdout is piped")));
    // cargo's own messages ("test failed, to rerun ...") are not for the learner.
    let stderr = read_all(Box::new(child.stderr.take().expect("stderr is piped")));
    let started = Instant::now();
    let timed_out = loop {
        if child.try_wait()?.is_some() {
            break false;
        }
        if started.elapsed() > time_limit {
            #[cfg(unix)]
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            break true;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    child.wait()?;
    let output = stdout.join().unwrap_or_default();
    let _ = stderr.join();
    Ok((output, timed_out))
}

/// Checks the selected exercises once and prints the report. Returns the report.
pub fn check_once(root: &Path, options: &CheckOptions) -> Result<Report> {
    let catalogue = load_catalogue(root)?;
    let selected = select(&catalogue, options.target.as_deref())?;
    let filters: Vec<String> = selected.iter().map(|e| e.test_prefix()).collect();
    let code = if options.solutions {
        "solutions"
    } else {
        "starters"
    };
    println!(
        "==> Checking {} exercise{} ({code}){}",
        selected.len(),
        if selected.len() == 1 { "" } else { "s" },
        options
            .target
            .as_deref()
            .map(|t| format!(": {t}"))
            .unwrap_or_default()
    );
    let run = run_tests(root, options.solutions, &filters, options.time_limit)?;
    let outcomes = run.outcomes;
    let mut results = Vec::new();
    for exercise in selected {
        let explanation = if exercise.level == Level::Investigate {
            let path = if options.solutions {
                exercise.solution_path()
            } else {
                exercise.starter_path()
            };
            std::fs::read_to_string(root.join(&path))
                .ok()
                .and_then(|source| extract_explanation(&source))
        } else {
            None
        };
        let mut result = judge(exercise, &outcomes, explanation);
        if !run.compiled {
            result.status = Status::CompileError;
            result.message = Some("the exercises do not compile: see the errors above".into());
        }
        results.push(result);
    }
    print!("{}", render(&results, &catalogue, options.hint));
    let totals = Totals::of(&results);
    println!("\n{}", totals.summary());
    let report = Report {
        student: options
            .student
            .clone()
            .or_else(|| std::env::var("CNN_STUDENT").ok())
            .filter(|s| !s.trim().is_empty()),
        code,
        selection: options.target.clone().unwrap_or_else(|| "all".to_string()),
        totals,
        exercises: results,
    };
    if let Some(path) = &options.json {
        let json = serde_json::to_string_pretty(&report)? + "\n";
        std::fs::write(path, json)
            .with_context(|| format!("cannot write the report {}", path.display()))?;
        println!("Report written to {}", path.display());
    }
    Ok(report)
}

/// The text report: one line per exercise, with the failing test's message, the hint on
/// request, and a note on a missing explanation.
pub fn render(results: &[ExerciseResult], catalogue: &[Exercise], hint: bool) -> String {
    let width = results.iter().map(|r| r.id.len()).max().unwrap_or(0);
    let mut text = String::new();
    let mut chapter = "";
    for result in results {
        if result.chapter != chapter {
            chapter = &result.chapter;
            let _ = writeln!(text, "\n{chapter}");
        }
        let _ = writeln!(
            text,
            "  {:<16} {:<width$}  {}",
            result.status.label(),
            result.id,
            result.title
        );
        let indent = " ".repeat(19);
        if result.status == Status::Failed
            && let (Some(test), Some(message)) = (&result.failed_test, &result.message)
        {
            let _ = writeln!(text, "{indent}test {test}:");
            for line in message.lines().take(6) {
                let _ = writeln!(text, "{indent}  {line}");
            }
        }
        if result.status == Status::NoTests {
            let _ = writeln!(
                text,
                "{indent}no test is named {}::{}::... in exercises/tests/check/",
                result.chapter,
                result.id[5..].replace('-', "_")
            );
        }
        if result.level == Level::Investigate
            && result.explanation.is_none()
            && result.status == Status::Passed
        {
            let _ = writeln!(
                text,
                "{indent}prediction right; now write your EXPLANATION for your teacher"
            );
        }
        if result.status != Status::Passed {
            let file = catalogue
                .iter()
                .find(|e| e.id == result.id)
                .map(Exercise::starter_path)
                .unwrap_or_default();
            let _ = writeln!(text, "{indent}edit {file}");
            if hint && let Some(exercise) = catalogue.iter().find(|e| e.id == result.id) {
                for (index, line) in wrap(&exercise.hint, 76).iter().enumerate() {
                    let label = if index == 0 { "hint: " } else { "      " };
                    let _ = writeln!(text, "{indent}{label}{line}");
                }
            }
        }
    }
    text
}

/// Splits `text` into lines of at most `width` characters, at spaces (a longer word gets a
/// line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.len() + 1 + word.len() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Checks, then re-checks every time a file of the exercises is saved, until Ctrl-C.
pub fn watch(root: &Path, options: &CheckOptions) -> Result<()> {
    let (sender, events) = mpsc::channel();
    let mut watcher =
        notify::recommended_watcher(sender).context("could not start watching files")?;
    let folders = [root.join("exercises/src"), root.join("exercises/solutions")];
    for folder in &folders {
        watcher
            .watch(folder, RecursiveMode::Recursive)
            .with_context(|| format!("could not watch {}", folder.display()))?;
    }
    loop {
        if let Err(error) = check_once(root, options) {
            eprintln!("error: {error:#}");
        }
        println!("\n==> Watching exercises/ for changes (Ctrl-C to stop)");
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

/// Prints the list of exercises.
pub fn list(root: &Path) -> Result<()> {
    let catalogue = load_catalogue(root)?;
    let width = catalogue.iter().map(|e| e.id.len()).max().unwrap_or(0);
    for exercise in &catalogue {
        println!(
            "{:<width$}  {:<11}  {:>3} min  {}",
            exercise.id,
            format!("{:?}", exercise.level).to_lowercase(),
            exercise.minutes,
            exercise.title
        );
    }
    Ok(())
}

/// For CI: the starters fail every test, the solutions pass every test, every exercise
/// has tests and files, every test belongs to an exercise, and every chapter from ch01 to
/// ch08 has at least three exercises.
pub fn verify(root: &Path) -> Result<()> {
    let catalogue = load_catalogue(root)?;
    let mut problems = catalogue_problems(root, &catalogue);
    for solutions in [false, true] {
        let code = if solutions { "solutions" } else { "starters" };
        println!("==> Running every exercise test against the {code}");
        let run = run_tests(root, solutions, &[], TEST_TIME_LIMIT)?;
        if !run.compiled {
            problems.push(format!("the {code} do not compile"));
            continue;
        }
        let outcomes = run.outcomes;
        problems.extend(outcome_problems(&catalogue, &outcomes, solutions));
    }
    if problems.is_empty() {
        println!(
            "==> Verified {} exercises: every starter fails its tests, every solution passes",
            catalogue.len()
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

/// Missing files, too few exercises in a chapter, explanations left out of a solution.
fn catalogue_problems(root: &Path, catalogue: &[Exercise]) -> Vec<String> {
    let mut problems = Vec::new();
    for exercise in catalogue {
        for path in [exercise.starter_path(), exercise.solution_path()] {
            if !root.join(&path).exists() {
                problems.push(format!("{}: {path} is missing", exercise.id));
            }
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
    for chapter in 1..=8 {
        let chapter = format!("ch{chapter:02}");
        let count = catalogue.iter().filter(|e| e.chapter() == chapter).count();
        if count < 3 {
            problems.push(format!(
                "{chapter} has {count} exercises; every chapter needs 3"
            ));
        }
    }
    problems
}

/// Tests that pass on a starter or fail on a solution, exercises without tests, and
/// tests without an exercise.
fn outcome_problems(
    catalogue: &[Exercise],
    outcomes: &[TestOutcome],
    solutions: bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for outcome in outcomes {
        if !catalogue
            .iter()
            .any(|e| outcome.name.starts_with(&e.test_prefix()))
        {
            problems.push(format!(
                "test {} belongs to no exercise of exercises.toml",
                outcome.name
            ));
        }
        if solutions && !outcome.passed {
            problems.push(format!(
                "the solution fails test {}: {}",
                outcome.name, outcome.message
            ));
        }
        if !solutions && outcome.passed {
            problems.push(format!(
                "the starter passes test {}: a test must fail until the exercise is solved",
                outcome.name
            ));
        }
    }
    for exercise in catalogue {
        if !outcomes
            .iter()
            .any(|o| o.name.starts_with(&exercise.test_prefix()))
        {
            problems.push(format!(
                "{}: no test named {}*",
                exercise.id,
                exercise.test_prefix()
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOGUE: &str = r#"
[[exercise]]
id = "ch03-pooled-sizes"
title = "Sizes"
level = "compute"
minutes = 10
hint = "floor"

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
"#;

    /// A report as libtest prints it (Rust 1.9x), trimmed.
    const OUTPUT: &str = "
running 5 tests
test ch03::max_pool_argmax::lecture_example_by_hand ... FAILED
test ch03::max_pool_argmax::ties_go_to_the_first_maximum ... ok
test ch03::pooled_sizes::lenet_pooling ... FAILED
test ch03::pooled_sizes::overlapping_pooling ... FAILED
test ch04::uncovered_pixels::output_side_prediction ... ok

failures:

---- ch03::max_pool_argmax::lecture_example_by_hand stdout ----

thread 'ch03::max_pool_argmax::lecture_example_by_hand' (1453) panicked at exercises/tests/check/ch03.rs:70:9:
argmax positions: left (1, 0)
right (0, 0)
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

---- ch03::pooled_sizes::lenet_pooling stdout ----

thread 'ch03::pooled_sizes::lenet_pooling' (1454) panicked at exercises/src/ch03/pooled_sizes.rs:14:5:
not yet implemented: write the number you worked out

---- ch03::pooled_sizes::overlapping_pooling stdout ----

thread 'ch03::pooled_sizes::overlapping_pooling' (1455) panicked at exercises/src/ch03/pooled_sizes.rs:19:5:
not yet implemented

failures:
    ch03::max_pool_argmax::lecture_example_by_hand
    ch03::pooled_sizes::lenet_pooling
    ch03::pooled_sizes::overlapping_pooling

test result: FAILED. 2 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
";

    #[test]
    fn catalogue_parses_and_derives_paths() {
        let catalogue = parse_catalogue(CATALOGUE).unwrap();
        assert_eq!(catalogue.len(), 3);
        let argmax = &catalogue[1];
        assert_eq!(argmax.chapter(), "ch03");
        assert_eq!(argmax.module(), "max_pool_argmax");
        assert_eq!(
            argmax.starter_path(),
            "exercises/src/ch03/max_pool_argmax.rs"
        );
        assert_eq!(
            argmax.solution_path(),
            "exercises/solutions/ch03/max_pool_argmax.rs"
        );
        assert_eq!(argmax.test_prefix(), "ch03::max_pool_argmax::");
        assert_eq!(argmax.level, Level::Implement);
    }

    #[test]
    fn catalogue_rejects_bad_and_duplicate_ids() {
        let bad = CATALOGUE.replace("ch03-pooled-sizes", "pooled-sizes");
        assert!(
            parse_catalogue(&bad)
                .unwrap_err()
                .to_string()
                .contains("chNN-name")
        );
        let twice = CATALOGUE.replace("ch03-max-pool-argmax", "ch03-pooled-sizes");
        assert!(
            parse_catalogue(&twice)
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        let typo = CATALOGUE.replace("minutes = 10", "minute = 10");
        assert!(parse_catalogue(&typo).is_err());
        let level = CATALOGUE.replace("\"compute\"", "\"guess\"");
        assert!(parse_catalogue(&level).is_err());
    }

    #[test]
    fn select_all_a_chapter_or_one() {
        let catalogue = parse_catalogue(CATALOGUE).unwrap();
        assert_eq!(select(&catalogue, None).unwrap().len(), 3);
        assert_eq!(select(&catalogue, Some("ch03")).unwrap().len(), 2);
        assert_eq!(select(&catalogue, Some("CH03")).unwrap().len(), 2);
        let one = select(&catalogue, Some("ch04-uncovered-pixels")).unwrap();
        assert_eq!(one[0].id, "ch04-uncovered-pixels");
    }

    #[test]
    fn unknown_targets_say_what_exists() {
        let catalogue = parse_catalogue(CATALOGUE).unwrap();
        let chapter = select(&catalogue, Some("ch09")).unwrap_err().to_string();
        assert_eq!(
            chapter,
            "no exercises for chapter `ch09`; chapters with exercises: ch03, ch04"
        );
        let typo = select(&catalogue, Some("ch03-max-pool"))
            .unwrap_err()
            .to_string();
        assert!(typo.contains("no exercise `ch03-max-pool`"), "{typo}");
        assert!(
            typo.contains("ch03-pooled-sizes, ch03-max-pool-argmax"),
            "{typo}"
        );
        let nonsense = select(&catalogue, Some("pooling")).unwrap_err().to_string();
        assert!(nonsense.contains("ch03, ch04"), "{nonsense}");
    }

    #[test]
    fn parses_libtest_output_with_messages() {
        let outcomes = parse_test_output(OUTPUT);
        assert_eq!(outcomes.len(), 5);
        assert!(!outcomes[0].passed);
        assert_eq!(
            outcomes[0].message,
            "argmax positions: left (1, 0)\nright (0, 0)"
        );
        assert!(outcomes[1].passed);
        assert_eq!(outcomes[1].message, "");
        assert_eq!(
            outcomes[2].message,
            "not yet implemented: write the number you worked out"
        );
        assert_eq!(outcomes[3].message, "not yet implemented");
    }

    #[test]
    fn judges_each_exercise() {
        let catalogue = parse_catalogue(CATALOGUE).unwrap();
        let outcomes = parse_test_output(OUTPUT);
        let argmax = judge(&catalogue[1], &outcomes, None);
        assert_eq!(argmax.status, Status::Failed);
        assert_eq!((argmax.tests_passed, argmax.tests_total), (1, 2));
        assert_eq!(
            argmax.failed_test.as_deref(),
            Some("ch03::max_pool_argmax::lecture_example_by_hand")
        );
        let sizes = judge(&catalogue[0], &outcomes, None);
        assert_eq!(sizes.status, Status::NotStarted);
        let uncovered = judge(&catalogue[2], &outcomes, Some("because".into()));
        assert_eq!(uncovered.status, Status::Passed);
        assert_eq!(uncovered.explanation.as_deref(), Some("because"));
        let results = vec![argmax, sizes, uncovered];
        let totals = Totals::of(&results);
        assert_eq!(
            totals.summary(),
            "1 passed, 1 failed, 1 not started (3 exercises)"
        );
        let text = render(&results, &catalogue, true);
        assert!(text.contains("NOT STARTED"), "{text}");
        assert!(text.contains("hint: loop"), "{text}");
        assert!(
            text.contains("edit exercises/src/ch03/max_pool_argmax.rs"),
            "{text}"
        );
    }

    #[test]
    fn a_real_failure_is_shown_before_a_todo() {
        let catalogue = parse_catalogue(CATALOGUE).unwrap();
        let outcomes = vec![
            TestOutcome {
                name: "ch03::pooled_sizes::a".into(),
                passed: false,
                message: "not yet implemented".into(),
            },
            TestOutcome {
                name: "ch03::pooled_sizes::b".into(),
                passed: false,
                message: "lenet_pooled_side() = 13 is wrong".into(),
            },
        ];
        let result = judge(&catalogue[0], &outcomes, None);
        assert_eq!(result.status, Status::Failed);
        assert_eq!(
            result.message.as_deref(),
            Some("lenet_pooled_side() = 13 is wrong")
        );
        assert_eq!(
            judge(&catalogue[1], &outcomes, None).status,
            Status::NoTests
        );
    }

    #[test]
    fn hints_wrap_at_spaces() {
        assert_eq!(wrap("one two three four", 9), ["one two", "three", "four"]);
        assert_eq!(wrap("a verylongword b", 4), ["a", "verylongword", "b"]);
        assert!(wrap("", 10).is_empty());
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
    fn the_report_is_valid_json_with_totals() {
        let catalogue = parse_catalogue(CATALOGUE).unwrap();
        let outcomes = parse_test_output(OUTPUT);
        let exercises: Vec<ExerciseResult> = catalogue
            .iter()
            .map(|e| judge(e, &outcomes, None))
            .collect();
        let report = Report {
            student: Some("Ada".into()),
            code: "starters",
            selection: "all".into(),
            totals: Totals::of(&exercises),
            exercises,
        };
        let json: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&report).unwrap()).unwrap();
        assert_eq!(json["student"], "Ada");
        assert_eq!(json["totals"]["passed"], 1);
        assert_eq!(json["totals"]["total"], 3);
        assert_eq!(json["exercises"][0]["status"], "not_started");
        assert_eq!(json["exercises"][1]["level"], "implement");
    }

    #[test]
    fn verify_flags_passing_starters_and_orphan_tests() {
        let catalogue = parse_catalogue(CATALOGUE).unwrap();
        let outcomes = parse_test_output(OUTPUT);
        let problems = outcome_problems(&catalogue, &outcomes, false);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("starter passes test ch03::max_pool_argmax::ties"))
        );
        let orphan = vec![TestOutcome {
            name: "ch05::nothing::here".into(),
            passed: true,
            message: String::new(),
        }];
        let problems = outcome_problems(&catalogue, &orphan, true);
        assert!(
            problems
                .iter()
                .any(|p| p.contains("belongs to no exercise"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("ch03-pooled-sizes: no test"))
        );
    }
}
