//! The project's tasks, run as `cargo xtask <command>` (an alias in `.cargo/config.toml`).
//!
//! - `cargo xtask figures [--chapter ch03]`: run every chapter example (`examples/chNN_*.rs`),
//!   which writes the book's figures (`book/figures/chNN/`) and tables (`book/generated/chNN/`).
//! - `cargo xtask book`: install the pinned book tools if needed, regenerate the figures, then
//!   build the book (HTML, math rendered at build time) and check its links.
//! - `cargo xtask serve [--port 3000]`: the same as `book`, then serve the book on localhost.
//! - `cargo xtask check [ch03 | ch03-max-pool-argmax | --assignment week2] [--hint [N]]
//!   [--json report.json] [--watch] [--lang zh-CN]`: check the exercises (see `check.rs`);
//!   `--verify` is CI's check of the exercises themselves.
//! - `cargo xtask grade SUBMISSIONS --assignment week2 --csv grades.csv [--hidden-tests DIR]`:
//!   grade a class, one folder per learner (see `grade.rs`).
//! - `cargo xtask handout DIR [--assignment week2]`: the repository a learner receives,
//!   without the solutions, with a workflow that grades each push (see `handout.rs`).
//! - `cargo xtask browser-test`: the built book in headless Chromium: every widget operated
//!   and compared with cnn-core, every page without console errors and fitting 400 px (see
//!   `browser.rs`).
//!
//! The book is built into `target/book/` (see `book.toml`), so nothing built is committed.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

mod browser;
mod catalogue;
mod check;
mod editions;
mod files;
mod grade;
mod handout;
mod run;
mod scratch;
mod texts;

/// A command-line tool the book build needs, installed with `cargo install`.
struct Tool {
    /// The crate's name, which is also the name of the program it installs unless
    /// `program` says otherwise.
    name: &'static str,
    /// The exact version the book is built with.
    version: &'static str,
    /// A program of the crate that does not answer `--version`: its version is read from
    /// `cargo install --list` instead.
    program: Option<&'static str>,
}

/// The book's tools, pinned. This table is the one place their versions are written down.
///
/// mdbook-katex 0.10 embeds KaTeX 0.16.4; `book/katex/` holds that version's CSS and fonts.
/// mdbook-i18n-helpers 0.4.0 is the 0.4 release for mdBook 0.5: `mdbook-xgettext` (the
/// POT), `mdbook-gettext` (the translated editions; see `editions.rs`).
const TOOLS: &[Tool] = &[
    Tool {
        name: "mdbook",
        version: "0.5.4",
        program: None,
    },
    Tool {
        name: "mdbook-katex",
        version: "0.10.0",
        program: None,
    },
    Tool {
        name: "mdbook-linkcheck2",
        version: "0.13.0",
        program: None,
    },
    Tool {
        name: "mdbook-quiz",
        version: "0.5.0",
        program: None,
    },
    Tool {
        name: "mdbook-i18n-helpers",
        version: "0.4.0",
        program: Some("mdbook-gettext"),
    },
];

#[derive(Parser)]
#[command(about = "Tasks for the CNN book: figures, the book, and checking and grading exercises")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Run the chapter examples, which write the book's figures and tables.
    Figures {
        /// Run only this chapter's example(s), e.g. `ch03`, `exercises` for the answers, or
        /// `widgets` for the widgets' data and the quizzes.
        #[arg(long)]
        chapter: Option<String>,
    },
    /// Install the pinned tools if needed, regenerate figures, build and link-check the book.
    Book,
    /// Do what `book` does, then serve the book on localhost, rebuilding on changes.
    Serve {
        /// The port to serve on.
        #[arg(long, default_value_t = 3000)]
        port: u16,
    },
    /// Test the built book in headless Chromium: widgets, console errors, 400 px layout.
    BrowserTest,
    /// For translators: extract the messages of the English pages and merge them into
    /// po/LANG.po (new paragraphs untranslated, changed ones fuzzy); see po/README.md.
    Po {
        /// For CI: fail if a PO file is not current with the English sources, or has an
        /// untranslated or fuzzy message; change nothing.
        #[arg(long)]
        check: bool,
        /// With --check: untranslated messages are counted, not errors. A transition flag
        /// for while the translation is written (issue 17); .ci/run drops it once
        /// po/zh-CN.po is complete.
        #[arg(long, requires = "check")]
        allow_untranslated: bool,
    },
    /// mdBook runs this: a preprocessor of the book's editions (see editions.rs).
    #[command(hide = true)]
    MdbookPreprocessor {
        /// `gettext-prepare` or `gettext-finish`.
        name: String,
        /// `supports RENDERER`, when mdBook asks.
        #[arg(num_args = 0..)]
        rest: Vec<String>,
    },
    /// Check every local link and #place of the built book (both editions), as `book` does.
    #[command(hide = true)]
    CheckLinks,
    /// mdBook runs this: the renderer that builds the translated editions.
    #[command(hide = true)]
    RenderTranslations,
    /// Check the exercises (exercises/src/): a line per exercise, a summary, a JSON report.
    Check {
        /// A chapter (`ch03`) or one exercise (`ch03-max-pool-argmax`); all if left out.
        target: Option<String>,
        /// Check the exercises of this assignment (see `--list`), with their points.
        #[arg(long, value_name = "NAME", conflicts_with = "target")]
        assignment: Option<String>,
        /// Show a hint for each exercise that does not pass yet; `--hint 2` shows the
        /// second hint too, and so on.
        #[arg(long, value_name = "HOW_MANY", num_args = 0..=1, default_missing_value = "1")]
        hint: Option<usize>,
        /// Write a JSON report for a gradebook to this file.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
        /// The learner's name or id for the JSON report (or set $CNN_STUDENT).
        #[arg(long)]
        student: Option<String>,
        /// Check again every time a file in exercises/ is saved.
        #[arg(long)]
        watch: bool,
        /// Check the reference solutions (exercises/solutions/) instead of the starters.
        #[arg(long)]
        solutions: bool,
        /// For CI: every starter fails its checks and every solution passes them.
        #[arg(long, conflicts_with_all = ["target", "assignment", "watch", "solutions", "json", "hint", "seed"])]
        verify: bool,
        /// The seed of the checks' random inputs; the same seed gives the same report.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Stop an exercise's checks after this many seconds (an endless loop in the code).
        #[arg(long, value_name = "SECONDS", default_value_t = check::TIME_LIMIT.as_secs_f64())]
        time_limit: f64,
        /// List the exercises with their levels and estimated times, and the assignments.
        #[arg(long, conflicts_with_all = ["watch", "verify"])]
        list: bool,
        /// The language of the report, titles, hints and failure messages: `en` or `zh-CN`
        /// [default: $CNN_BOOK_LANG, else en].
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
    },
    /// Grade a class: SUBMISSIONS holds one folder per learner (their exercises/src/).
    Grade {
        /// The folder of submissions, one subfolder per learner, named after the learner.
        submissions: PathBuf,
        /// Grade this assignment's exercises, with its points; all exercises if left out.
        #[arg(long, value_name = "NAME")]
        assignment: Option<String>,
        /// Write the grades here: a row per learner, a column per exercise, the total.
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        /// Write each learner's JSON report into this folder [default: beside the CSV
        /// file, named like it with `-reports` for `.csv`].
        #[arg(long, value_name = "FOLDER")]
        json: Option<PathBuf>,
        /// A folder of checks the learners have not seen (`chNN/name.rs`, like
        /// exercises/tests/check/), run with each exercise's own.
        #[arg(long, value_name = "FOLDER")]
        hidden_tests: Option<PathBuf>,
        /// The seed of the checks' random inputs [default: a new one, printed and kept in
        /// the reports; give it again to grade the same way].
        #[arg(long)]
        seed: Option<u64>,
        /// Stop an exercise's checks after this many seconds.
        #[arg(long, value_name = "SECONDS", default_value_t = check::TIME_LIMIT.as_secs_f64())]
        time_limit: f64,
        /// The language of the progress lines, the notes and the reports' messages: `en` or
        /// `zh-CN` [default: $CNN_BOOK_LANG, else en]. The CSV header, the JSON field names
        /// and the status codes are the same in every language.
        #[arg(long, value_name = "LANG")]
        lang: Option<String>,
    },
    /// Write the repository a learner receives into DIR: without the solutions, with a
    /// workflow that checks their work on every push (GitHub Classroom autograding).
    Handout {
        /// A new (or empty) folder.
        dir: PathBuf,
        /// The assignment the workflow grades; every exercise, a point each, if left out.
        #[arg(long, value_name = "NAME")]
        assignment: Option<String>,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run_task(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The causes on one line each, without a backtrace: messages for a person.
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run_task(cli: Cli) -> Result<()> {
    let root = repo_root()?;
    match cli.command {
        Task::Figures { chapter } => figures(&root, chapter.as_deref()),
        Task::Book => book(&root),
        Task::BrowserTest => browser::browser_test(&root),
        Task::Po {
            check,
            allow_untranslated,
        } => {
            ensure_tools()?;
            if check {
                let untranslated = if allow_untranslated {
                    editions::Untranslated::Allowed
                } else {
                    editions::Untranslated::Forbidden
                };
                editions::check_po(&root, untranslated)
            } else {
                editions::update_po(&root)
            }
        }
        Task::MdbookPreprocessor { name, rest } => {
            let supports = (rest.first().map(String::as_str) == Some("supports"))
                .then(|| rest.get(1).map(String::as_str).unwrap_or(""));
            editions::preprocessor(&name, supports)
        }
        Task::RenderTranslations => editions::render_translations(),
        Task::CheckLinks => editions::check_site_links(&root.join("target/book/html")),
        Task::Check {
            target,
            assignment,
            hint,
            json,
            student,
            watch,
            solutions,
            verify,
            seed,
            time_limit,
            list,
            lang,
        } => {
            let lang = lang_from(lang.as_deref())?;
            let time_limit = time_limit_from(time_limit, lang)?;
            if list {
                return check::list(&root, lang);
            }
            if verify {
                return check::verify(&root, time_limit);
            }
            let options = check::CheckOptions {
                target,
                assignment,
                hints: hint.unwrap_or(0),
                json,
                student,
                solutions,
                seed,
                time_limit,
                lang,
            };
            if watch {
                return check::watch(&root, &options);
            }
            let report = check::check_once(&root, &options)?;
            if report.totals.passed < report.totals.total {
                // A failing exit status, for scripts; the report above says why.
                std::process::exit(1);
            }
            Ok(())
        }
        Task::Grade {
            submissions,
            assignment,
            csv,
            json,
            hidden_tests,
            seed,
            time_limit,
            lang,
        } => {
            let lang = lang_from(lang.as_deref())?;
            grade::grade(
                &root,
                &grade::GradeOptions {
                    submissions,
                    assignment,
                    csv,
                    json,
                    hidden_tests,
                    seed,
                    time_limit: time_limit_from(time_limit, lang)?,
                    lang,
                },
            )
        }
        Task::Handout { dir, assignment } => handout::handout(&root, &dir, assignment.as_deref()),
        Task::Serve { port } => {
            book(&root)?;
            println!("==> Serving the book at http://localhost:{port} (Ctrl-C to stop)");
            let port = port.to_string();
            run(tool_command("mdbook")
                .args(["serve", "--hostname", "127.0.0.1", "--port", &port])
                .current_dir(&root))
        }
    }
}

/// A time limit in seconds, which must be positive and finite.
fn time_limit_from(seconds: f64, lang: texts::Lang) -> Result<std::time::Duration> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
        bail!(texts::bad_time_limit(lang, seconds));
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// The language `--lang` names, else `$CNN_BOOK_LANG`, else English; checked before any
/// work, with an error that lists the languages there are.
fn lang_from(flag: Option<&str>) -> Result<texts::Lang> {
    let variable = std::env::var(cnn_exercises_harness::LANG_VARIABLE).ok();
    texts::Lang::choose(flag, variable.as_deref()).map_err(anyhow::Error::msg)
}

/// The repository's root, found when the task runs (never when it is compiled, so that a
/// build shared between two clones checks the clone it is run in): the nearest folder, from
/// the current one upwards, with a `Cargo.toml` and `xtask/Cargo.toml`.
fn repo_root() -> Result<PathBuf> {
    let here = std::env::current_dir().context("cannot read the current folder")?;
    find_root(&here).with_context(|| {
        format!(
            "{} is not inside the book's repository (no folder upwards has Cargo.toml and \
             xtask/): run cargo xtask from the repository",
            here.display()
        )
    })
}

/// The nearest of `start` and its parents that holds `Cargo.toml` and `xtask/Cargo.toml`.
fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join("Cargo.toml").is_file() && dir.join("xtask/Cargo.toml").is_file())
        .map(Path::to_path_buf)
}

/// Installs the tools, regenerates the figures, and builds the book with every renderer in
/// `book.toml` (HTML, then the link checker).
fn book(root: &Path) -> Result<()> {
    ensure_tools()?;
    figures(root, None)?;
    println!("==> Building the book (mdbook build: HTML, then link check)");
    mdbook_build(root)?;
    editions::check_site_links(&root.join("target/book/html"))?;
    let index = root.join("target/book/html/index.html");
    println!("==> The book is at {}", index.display());
    Ok(())
}

/// Runs `mdbook build`, passing its log through, and fails if it fails or logs a problem
/// that it would let pass: a missing `{{#include file}}` (mdbook logs an ERROR and leaves the
/// directive in the page) or math that KaTeX cannot parse (mdbook-katex logs "Rendering
/// failed" and leaves the LaTeX source in the page).
fn mdbook_build(root: &Path) -> Result<()> {
    let mut child = tool_command("mdbook")
        .arg("build")
        .current_dir(root)
        .stderr(Stdio::piped())
        .spawn()
        .context("could not start `mdbook build`")?;
    let log = child.stderr.take().expect("stderr is piped");
    let mut problems = 0;
    for line in BufReader::new(log).lines() {
        let line = line.context("could not read mdbook's log")?;
        eprintln!("{line}");
        if line.contains("ERROR") || line.contains("Rendering failed") {
            problems += 1;
        }
    }
    let status = child.wait().context("`mdbook build` did not finish")?;
    if !status.success() {
        bail!("`mdbook build` failed ({status}); see its log above");
    }
    if problems > 0 {
        bail!(
            "`mdbook build` logged {problems} problem(s) above: \
             an ERROR (a missing include?) or math that KaTeX could not render"
        );
    }
    Ok(())
}

/// Runs the chapter examples in chapter order, then `exercise_answers` (the exercises'
/// numeric answers), stopping at the first that fails. `--chapter exercises` runs only that.
/// Both also write the Teacher's guide's table of assignments.
fn figures(root: &Path, chapter: Option<&str>) -> Result<()> {
    let mut examples = chapter_examples(&root.join("examples"))?;
    if chapter == Some("exercises") {
        examples = vec!["exercise_answers".to_string()];
    } else if chapter == Some("widgets") {
        examples = vec!["book_data".to_string()];
    } else if let Some(chapter) = chapter {
        let prefix = format!("{chapter}_");
        examples.retain(|name| name.starts_with(&prefix));
        if examples.is_empty() {
            bail!("no example for chapter `{chapter}`: expected a file examples/{prefix}*.rs");
        }
    }
    if chapter.is_none() && root.join("examples/exercise_answers.rs").exists() {
        // The numeric answers of the exercises, for the book's solutions appendix.
        examples.push("exercise_answers".to_string());
    }
    if chapter.is_none() || chapter == Some("exercises") {
        // The Teacher's guide's table of assignments, from exercises/exercises.toml.
        let table = catalogue::load(root, texts::Lang::En)?.assignments_table();
        let path = root.join("book/generated/exercises/assignments.md");
        if std::fs::read_to_string(&path).ok().as_deref() != Some(table.as_str()) {
            println!("==> Writing {}", path.display());
            files::write_atomically(&path, table.as_bytes())?;
        }
    }
    if chapter.is_none() && root.join("examples/book_data.rs").exists() {
        // The widgets' data and the quizzes' numbers.
        examples.push("book_data".to_string());
    }
    if examples.is_empty() {
        println!("==> No chapter examples (examples/chNN_*.rs) yet: no figures to make");
    }
    if examples.is_empty() {
        return Ok(());
    }
    // One build for all of them: cargo compiles and links the examples in parallel,
    // where building each just before running it would do them one at a time.
    println!("==> Building {} example(s)", examples.len());
    let mut build = cargo();
    build.args(["build", "--release"]).current_dir(root);
    for name in &examples {
        build.args(["--example", name]);
    }
    run(&mut build).context("the examples do not build; no figure was changed")?;
    let mut seconds = Vec::new();
    for name in &examples {
        println!("==> Running example {name}");
        let start = std::time::Instant::now();
        run(cargo()
            .args(["run", "--release", "--example", name])
            .current_dir(root))
        .with_context(|| format!("example `{name}` failed; its figures are not up to date"))?;
        seconds.push((name, start.elapsed().as_secs_f64()));
    }
    // Where the time goes, for whoever wants the book build faster.
    let times: Vec<String> = seconds
        .iter()
        .map(|(name, s)| format!("{name} {s:.1} s"))
        .collect();
    println!("==> Examples took: {}", times.join(", "));
    Ok(())
}

/// The names of the chapter examples, `chNN_topic` for each `examples/chNN_topic.rs`, sorted.
fn chapter_examples(examples_dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    if !examples_dir.exists() {
        return Ok(names);
    }
    let entries = std::fs::read_dir(examples_dir)
        .with_context(|| format!("cannot list {}", examples_dir.display()))?;
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".rs") else {
            continue;
        };
        if is_chapter_example(stem) {
            names.push(stem.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// True for `chNN_something`: "ch", two digits, an underscore, and a topic.
fn is_chapter_example(stem: &str) -> bool {
    let bytes = stem.as_bytes();
    stem.len() > 5
        && stem.starts_with("ch")
        && bytes[2].is_ascii_digit()
        && bytes[3].is_ascii_digit()
        && bytes[4] == b'_'
}

/// Makes sure each tool in [`TOOLS`] is installed at its pinned version; installs it if not.
fn ensure_tools() -> Result<()> {
    println!("==> Checking the book's tools");
    for tool in TOOLS {
        match tool_version(tool) {
            Some(found) if found == tool.version => {
                println!("    {} {} (ok)", tool.name, tool.version);
                continue;
            }
            Some(found) => println!(
                "    {} {found} found, but the book needs {}: installing",
                tool.name, tool.version
            ),
            None => println!("    {} not found: installing {}", tool.name, tool.version),
        }
        let spec = format!("{}@{}", tool.name, tool.version);
        run(cargo().args(["install", "--locked", &spec]))
            .with_context(|| format!("could not install {spec} with `cargo install`"))?;
        match tool_version(tool) {
            Some(found) if found == tool.version => {}
            other => bail!(
                "installed {spec}, but `{} --version` now reports {other:?}; is {} on your PATH?",
                tool.name,
                cargo_bin_dir().display()
            ),
        }
    }
    Ok(())
}

/// The installed version of a tool: what it reports with `--version`, or for a tool
/// without that flag, what `cargo install --list` says was installed (if its program is
/// on the PATH).
fn tool_version(tool: &Tool) -> Option<String> {
    let Some(program) = tool.program else {
        return installed_version(tool.name);
    };
    let on_path = tool_command("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !on_path {
        return None;
    }
    let output = cargo().args(["install", "--list"]).output().ok()?;
    let prefix = format!("{} v", tool.name);
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| {
            line.strip_prefix(&prefix)?
                .strip_suffix(':')
                .map(str::to_string)
        })
}

/// The version a tool reports with `--version` (e.g. "mdbook v0.5.4" gives "0.5.4"),
/// or `None` if it is not installed.
fn installed_version(name: &str) -> Option<String> {
    let output = tool_command(name).arg("--version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let last_word = text.split_whitespace().last()?;
    Some(last_word.trim_start_matches('v').to_string())
}

/// Where `cargo install` puts programs: `$CARGO_INSTALL_ROOT/bin`, else `$CARGO_HOME/bin`,
/// else `~/.cargo/bin`.
fn cargo_bin_dir() -> PathBuf {
    let root = std::env::var_os("CARGO_INSTALL_ROOT")
        .or_else(|| std::env::var_os("CARGO_HOME"))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_default();
            Path::new(&home).join(".cargo")
        });
    root.join("bin")
}

/// A command for one of the book's tools, with cargo's install folder first on the PATH, so
/// that the tools `ensure_tools` installed are the ones run (mdbook, in turn, finds its
/// preprocessor and link checker on this PATH).
fn tool_command(name: &str) -> Command {
    let mut paths = vec![cargo_bin_dir()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    let path: OsString = std::env::join_paths(paths).unwrap_or_default();
    let mut command = Command::new(name);
    command.env("PATH", path);
    command
}

/// The cargo that runs this task (cargo sets `$CARGO` for `cargo run`), else `cargo`.
fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Runs a command, passing its output through, and fails if it does not succeed.
fn run(command: &mut Command) -> Result<()> {
    let mut shown = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        shown.push(' ');
        shown.push_str(&arg.to_string_lossy());
    }
    let status = command
        .status()
        .with_context(|| format!("could not start `{shown}`; is it installed?"))?;
    if !status.success() {
        bail!("`{shown}` failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_found_from_where_the_task_runs() {
        let dir = std::env::temp_dir().join(format!("xtask-root-{}", std::process::id()));
        let clone = dir.join("clone");
        std::fs::create_dir_all(clone.join("xtask")).unwrap();
        std::fs::create_dir_all(clone.join("exercises/src/ch03")).unwrap();
        std::fs::write(clone.join("Cargo.toml"), "[workspace]").unwrap();
        std::fs::write(clone.join("xtask/Cargo.toml"), "[package]").unwrap();
        assert_eq!(
            find_root(&clone.join("exercises/src/ch03")),
            Some(clone.clone())
        );
        assert_eq!(find_root(&clone), Some(clone.clone()));
        // A folder with a Cargo.toml but no xtask/ is not the root.
        std::fs::write(clone.join("exercises/Cargo.toml"), "[package]").unwrap();
        assert_eq!(find_root(&clone.join("exercises/src")), Some(clone.clone()));
        assert_eq!(find_root(&dir), None);
        std::fs::remove_dir_all(&dir).unwrap();
        // This repository, from this crate's folder (where `cargo test` runs).
        let here = std::env::current_dir().unwrap();
        assert_eq!(find_root(&here), here.parent().map(Path::to_path_buf));
    }

    #[test]
    fn time_limits_are_positive() {
        assert_eq!(
            time_limit_from(2.5, texts::Lang::En).unwrap().as_millis(),
            2500
        );
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e9] {
            assert!(time_limit_from(bad, texts::Lang::En).is_err(), "{bad}");
        }
        let error = time_limit_from(0.0, texts::Lang::ZhCn).unwrap_err();
        assert!(error.to_string().contains("秒数"), "{error}");
    }

    #[test]
    fn chapter_examples_are_chnn_underscore_topic() {
        assert!(is_chapter_example("ch03_pooling"));
        assert!(is_chapter_example("ch10_more"));
        assert!(!is_chapter_example("ch3_pooling"));
        assert!(!is_chapter_example("ch03"));
        assert!(!is_chapter_example("ch03_"));
        assert!(!is_chapter_example("helpers"));
    }
}
