//! `cargo xtask grade SUBMISSIONS --assignment NAME --csv FILE`: grade a class.
//!
//! Each subfolder of SUBMISSIONS is one learner's handed-in `exercises/src/` folder (or a
//! copy of their whole repository, which has one), named after the learner. From it the
//! grader takes only the files of the exercises graded (`chNN/name.rs`); the checks, the
//! manifest and everything else come from the teacher's own copy. Each exercise is built
//! and run on its own, as `cargo xtask check` does, so one learner's broken file, endless
//! loop or `process::exit` costs that exercise only.
//!
//! The grader writes a CSV file (a row per learner: the folder's name, the points of each
//! exercise under its id, the total, and a note) and a JSON report per learner, each whole
//! or not at all, after checking that it can, before any work.

use std::collections::BTreeSet;
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rand::Rng;

use crate::catalogue::{self, Selection};
use crate::check::{self, ExerciseResult, Report, RunOptions, Status, Totals};
use crate::files;
use crate::scratch::Slot;
use crate::texts::{self, Lang};

/// The options of `cargo xtask grade`.
#[derive(Debug, Clone)]
pub struct GradeOptions {
    pub submissions: PathBuf,
    pub assignment: Option<String>,
    pub csv: PathBuf,
    pub json: Option<PathBuf>,
    pub hidden_tests: Option<PathBuf>,
    pub seed: Option<u64>,
    pub time_limit: Duration,
    /// The language of the progress lines, the notes and the reports' messages.
    pub lang: Lang,
}

/// What a learner's folder holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submission {
    /// A folder laid out like `exercises/src/` (`chNN/name.rs`), and how reports name it.
    Folder { path: PathBuf, shown_as: String },
    /// Nothing to grade, and why: the note of the learner's row.
    Unusable(String),
}

/// Finds the `exercises/src/`-like folder of one learner's entry in SUBMISSIONS; why it
/// cannot be graded is said in `lang`.
pub fn find_submission(entry: &Path, name: &str, lang: Lang) -> Submission {
    let Ok(metadata) = std::fs::metadata(entry) else {
        return Submission::Unusable(texts::link_to_nothing(lang));
    };
    if !metadata.is_dir() {
        let zipped = name.ends_with(".zip") || name.ends_with(".tar.gz") || name.ends_with(".tgz");
        return Submission::Unusable(if zipped {
            texts::an_archive(lang)
        } else {
            texts::a_file(lang)
        });
    }
    if visible_entries(entry).is_empty() {
        return Submission::Unusable(texts::empty_folder(lang));
    }
    // The learner's exercises/src/ itself, their exercises/ folder, or their repository.
    for (inner, shown) in [
        ("", name.to_string()),
        ("src", format!("{name}/src")),
        ("exercises/src", format!("{name}/exercises/src")),
    ] {
        let folder = entry.join(inner);
        if has_chapter_folders(&folder) {
            return Submission::Folder {
                path: folder,
                shown_as: shown,
            };
        }
    }
    if count_rust_files(entry, 0) == 0 {
        Submission::Unusable(texts::no_rust_files(lang))
    } else {
        Submission::Unusable(texts::no_chapter_folders(lang))
    }
}

/// The names in `folder` that do not start with a dot, sorted.
fn visible_entries(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// True if `folder` has a subfolder `chNN`.
fn has_chapter_folders(folder: &Path) -> bool {
    visible_entries(folder).iter().any(|name| {
        name.len() == 4
            && name.starts_with("ch")
            && name[2..].chars().all(|c| c.is_ascii_digit())
            && folder.join(name).is_dir()
    })
}

/// The number of `.rs` files in `folder`, looking at most 4 folders deep.
fn count_rust_files(folder: &Path, depth: usize) -> usize {
    if depth > 4 {
        return 0;
    }
    std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() {
                count_rust_files(&path, depth + 1)
            } else {
                usize::from(path.extension().is_some_and(|e| e == "rs"))
            }
        })
        .sum()
}

/// Checks a folder of hidden checks: every `.rs` file is `chNN/name.rs` of an exercise.
/// Returns the ids of the exercises it has checks for.
pub fn check_hidden_folder(folder: &Path, catalogue: &catalogue::Catalogue) -> Result<Vec<String>> {
    if !folder.is_dir() {
        bail!("--hidden-tests {}: not a folder", folder.display());
    }
    let mut ids = Vec::new();
    for chapter in visible_entries(folder) {
        let chapter_dir = folder.join(&chapter);
        if !chapter_dir.is_dir() {
            bail!(
                "--hidden-tests: {} is not a chapter folder (chNN/) of checks",
                chapter_dir.display()
            );
        }
        for file in visible_entries(&chapter_dir) {
            let relative = format!("{chapter}/{file}");
            let Some(exercise) = catalogue.exercises.iter().find(|e| e.file() == relative) else {
                bail!(
                    "--hidden-tests: {} is the file of no exercise; name it chNN/name.rs, like \
                     the exercise's file in exercises/src/",
                    chapter_dir.join(&file).display()
                );
            };
            ids.push(exercise.id.clone());
        }
    }
    if ids.is_empty() {
        bail!(
            "--hidden-tests {}: no checks in it (expected chNN/name.rs files)",
            folder.display()
        );
    }
    Ok(ids)
}

/// One learner's row of the CSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub learner: String,
    pub points: Vec<u32>,
    pub total: u32,
    pub note: String,
}

/// The CSV file: a header (`learner`, the exercise ids, `total`, `note`) and a row per
/// learner.
pub fn csv_text(selection: &Selection, rows: &[Row]) -> Result<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["learner".to_string()];
    header.extend(selection.items.iter().map(|i| i.exercise.id.clone()));
    header.extend(["total".to_string(), "note".to_string()]);
    writer.write_record(&header)?;
    for row in rows {
        let mut record = vec![row.learner.clone()];
        record.extend(row.points.iter().map(u32::to_string));
        record.extend([row.total.to_string(), row.note.clone()]);
        writer.write_record(&record)?;
    }
    let bytes = writer.into_inner().context("cannot write the CSV text")?;
    Ok(String::from_utf8(bytes)?)
}

/// The note of a graded learner's row: the exercises that did not compile, ran out of
/// time, crashed or were not handed in (empty if none), in `lang`.
fn note_of(results: &[ExerciseResult], lang: Lang) -> String {
    let mut parts = Vec::new();
    for (status, what) in [
        (Status::CompileError, texts::note_compile_error(lang)),
        (Status::TimedOut, texts::note_timed_out(lang)),
        (Status::Crashed, texts::note_crashed(lang)),
        (Status::NotHandedIn, texts::note_not_handed_in(lang)),
    ] {
        let ids: Vec<&str> = results
            .iter()
            .filter(|r| r.status == status)
            .map(|r| r.id.as_str())
            .collect();
        if !ids.is_empty() {
            parts.push(texts::note_part(lang, &what, &ids.join(" ")));
        }
    }
    parts.join(texts::note_separator(lang))
}

/// The folder of JSON reports: `--json`, or beside the CSV file, named like it with
/// `-reports` for `.csv` (`grades/week2.csv` gives `grades/week2-reports/`).
fn reports_folder(options: &GradeOptions) -> PathBuf {
    if let Some(folder) = &options.json {
        return folder.clone();
    }
    let mut name = options.csv.with_extension("").into_os_string();
    name.push("-reports");
    PathBuf::from(name)
}

/// True if `inner` is `outer` or inside it (compared as absolute paths).
fn is_inside(inner: &Path, outer: &Path) -> bool {
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .map(|p| p.components().collect::<PathBuf>())
            .unwrap_or_else(|_| p.to_path_buf())
    };
    absolute(inner).starts_with(absolute(outer))
}

/// Grades every learner's folder in `options.submissions`.
pub fn grade(root: &Path, options: &GradeOptions) -> Result<()> {
    let started = Instant::now();
    let lang = options.lang;
    // Everything is checked before any work starts.
    let catalogue = catalogue::load(root, lang)?;
    let selection = catalogue.select(None, options.assignment.as_deref())?;
    let submissions = &options.submissions;
    if !submissions.is_dir() {
        let folder = submissions.display().to_string();
        bail!(if submissions.exists() {
            texts::submissions_not_a_folder(lang, &folder)
        } else {
            texts::submissions_missing(lang, &folder)
        });
    }
    let learners = visible_entries(submissions);
    if learners.is_empty() {
        bail!(texts::submissions_empty(
            lang,
            &submissions.display().to_string()
        ));
    }
    let reports = reports_folder(options);
    for (what, path) in [
        ("--csv".to_string(), &options.csv),
        (texts::the_json_reports(lang), &reports),
    ] {
        if is_inside(path, submissions) {
            bail!(texts::inside_submissions(
                lang,
                &what,
                &path.display().to_string()
            ));
        }
    }
    files::check_writable(&options.csv).context("--csv")?;
    files::check_writable_folder(&reports).context("--json")?;
    let hidden = match &options.hidden_tests {
        Some(given) => {
            let ids = check_hidden_folder(given, &catalogue)?;
            // The checks' programs are built elsewhere: they need the folder's full path.
            let folder = &std::path::absolute(given)
                .with_context(|| format!("--hidden-tests {}", given.display()))?;
            let graded: BTreeSet<&str> = selection
                .items
                .iter()
                .map(|i| i.exercise.id.as_str())
                .collect();
            let unused: Vec<&str> = ids
                .iter()
                .map(String::as_str)
                .filter(|id| !graded.contains(id))
                .collect();
            if !unused.is_empty() {
                println!(
                    "{}",
                    texts::hidden_unused(lang, &unused.join(", "), &selection.label)
                );
            }
            Some((folder.clone(), ids))
        }
        None => None,
    };
    let seed = options
        .seed
        .unwrap_or_else(|| rand::rng().random_range(1..=u32::MAX as u64));
    // Reports name the folder as the teacher gave it.
    let hidden_shown = options.hidden_tests.as_ref().map(|given| {
        given
            .display()
            .to_string()
            .trim_end_matches('/')
            .to_string()
    });
    let hidden_arg = hidden
        .as_ref()
        .zip(hidden_shown.as_deref())
        .map(|((folder, _), shown)| (folder.as_path(), shown));

    let what = match &options.assignment {
        Some(name) => texts::assignment_named(lang, name),
        None => texts::all_exercises(lang),
    };
    println!(
        "{}",
        texts::grading(
            lang,
            learners.len(),
            &submissions.display().to_string(),
            &what,
            selection.title.as_deref(),
            selection.items.len(),
            selection.possible_points(),
            seed
        )
    );

    // The hidden checks must pass on the reference solutions, or they would fail everyone.
    if let Some((folder, ids)) = &hidden {
        validate_hidden(
            root,
            &selection,
            folder,
            ids,
            hidden_arg,
            RunOptions {
                seed,
                time_limit: options.time_limit,
                lang,
            },
        )?;
    }

    let bar = progress_bar(learners.len());
    let mut rows = Vec::new();
    let mut written = 0;
    for (index, learner) in learners.iter().enumerate() {
        bar.set_message(texts::reading(lang, learner));
        let submission = find_submission(&submissions.join(learner), learner, lang);
        let grading = Grading {
            root,
            selection: &selection,
            hidden: hidden_arg,
            run: RunOptions {
                seed,
                time_limit: options.time_limit,
                lang,
            },
        };
        let (results, note) = grading
            .learner(&submission, |step| {
                bar.set_message(format!("{learner}: {step}"))
            })
            .with_context(|| format!("grading {learner}"))?;
        let totals = Totals::of(&results);
        let row = Row {
            learner: learner.clone(),
            points: results.iter().map(|r| r.points).collect(),
            total: totals.points,
            note: note.clone(),
        };
        let report = Report {
            student: Some(learner.clone()),
            code: "submission",
            selection: selection.label.clone(),
            seed,
            hidden_checks: hidden_shown.clone(),
            note: (!note.is_empty()).then_some(note),
            totals,
            exercises: results,
        };
        std::fs::create_dir_all(&reports)
            .with_context(|| format!("cannot create {}", reports.display()))?;
        files::write_atomically(
            &reports.join(format!("{learner}.json")),
            report.to_json().as_bytes(),
        )?;
        written += 1;
        let line = format!(
            "[{}/{}] {}",
            index + 1,
            learners.len(),
            texts::learner_points(
                lang,
                learner,
                row.total,
                selection.possible_points(),
                &row.note
            )
        );
        bar.suspend(|| println!("{line}"));
        bar.inc(1);
        rows.push(row);
    }
    bar.finish_and_clear();
    files::write_atomically(&options.csv, csv_text(&selection, &rows)?.as_bytes())?;
    println!(
        "{}",
        texts::graded(
            lang,
            learners.len(),
            &duration_text(started.elapsed(), lang),
            seed,
            &options.csv.display().to_string(),
            written,
            &reports.display().to_string()
        )
    );
    Ok(())
}

/// What every learner is graded with.
struct Grading<'a> {
    root: &'a Path,
    selection: &'a Selection<'a>,
    hidden: Option<(&'a Path, &'a str)>,
    run: RunOptions,
}

impl Grading<'_> {
    /// One learner's results, and the note of their row: for a folder that cannot be
    /// graded, every exercise not handed in and the reason; otherwise each exercise built
    /// and run on its own.
    fn learner(
        &self,
        submission: &Submission,
        progress: impl FnMut(&str),
    ) -> Result<(Vec<ExerciseResult>, String)> {
        let not_handed_in = |why: &str| -> Vec<ExerciseResult> {
            self.selection
                .items
                .iter()
                .map(|item| {
                    let mut result = check::judge_missing(item);
                    result.message = Some(why.to_string());
                    result
                })
                .collect()
        };
        let (path, shown_as) = match submission {
            Submission::Unusable(why) => return Ok((not_handed_in(why), why.clone())),
            Submission::Folder { path, shown_as } => (path, shown_as),
        };
        let sources = check::sources_in(self.selection, path, shown_as);
        if sources.iter().all(|s| s.file.is_none()) {
            let example = format!("{shown_as}/{}", self.selection.items[0].exercise.file());
            let why = texts::none_of_the_files(self.run.lang, sources.len(), &example);
            return Ok((not_handed_in(&why), why));
        }
        let results = check::evaluate(
            self.root,
            Slot::Grade,
            &sources,
            self.hidden,
            self.run,
            progress,
        )?;
        let note = note_of(&results, self.run.lang);
        Ok((results, note))
    }
}

/// Runs the hidden checks against the reference solutions; fails if any does not pass.
fn validate_hidden(
    root: &Path,
    selection: &Selection,
    folder: &Path,
    ids: &[String],
    hidden: Option<(&Path, &str)>,
    run: RunOptions,
) -> Result<()> {
    let solutions = root.join("exercises/solutions");
    if !solutions.is_dir() {
        println!("{}", texts::no_solutions_here(run.lang));
        return Ok(());
    }
    println!(
        "{}",
        texts::trying_hidden(run.lang, &folder.display().to_string())
    );
    let mut tried = selection.clone();
    tried.items.retain(|item| ids.contains(&item.exercise.id));
    let sources = check::sources_in(&tried, &solutions, "exercises/solutions");
    let results = check::evaluate(root, Slot::Grade, &sources, hidden, run, |_| {})?;
    let failing: Vec<String> = results
        .iter()
        .filter(|r| r.status != Status::Passed)
        .map(|r| {
            format!(
                "  {} {}: {}{}",
                r.status.label(),
                r.id,
                r.failed_check
                    .as_deref()
                    .map(|c| format!("{c}: "))
                    .unwrap_or_default(),
                r.message.as_deref().unwrap_or("")
            )
        })
        .collect();
    if !failing.is_empty() {
        bail!(
            "the hidden checks in {} fail on the reference solutions, so they would fail \
             every learner; fix them first:\n{}",
            folder.display(),
            failing.join("\n")
        );
    }
    Ok(())
}

/// A progress bar on a terminal (on standard error); nothing otherwise, where the line
/// printed per learner shows the progress.
fn progress_bar(learners: usize) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(learners as u64);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {wide_msg}")
            .expect("the template is valid")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// "1 min 23 s", "45.2 s" (in `lang`).
fn duration_text(duration: Duration, lang: Lang) -> String {
    texts::duration(lang, duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::CATALOGUE;

    fn class_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-grade-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn submissions_are_found_or_explained() {
        let class = class_dir("submissions");
        let make = |path: &str, text: &str| {
            let path = class.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        make("ada/ch03/pooled_sizes.rs", "");
        make("bob/exercises/src/ch03/pooled_sizes.rs", "");
        make("cy/notes.txt", "");
        make("dee/lib/main.rs", "");
        make("eve.zip", "");
        std::fs::create_dir_all(class.join("fay/.git")).unwrap();
        let found = |name: &str| find_submission(&class.join(name), name, Lang::En);
        assert_eq!(
            found("ada"),
            Submission::Folder {
                path: class.join("ada/"),
                shown_as: "ada".into()
            }
        );
        assert_eq!(
            found("bob"),
            Submission::Folder {
                path: class.join("bob/exercises/src"),
                shown_as: "bob/exercises/src".into()
            }
        );
        let unusable = |name: &str| match found(name) {
            Submission::Unusable(why) => why,
            other => panic!("{name}: {other:?}"),
        };
        assert!(unusable("cy").starts_with("not a folder of Rust files"));
        assert!(unusable("dee").starts_with("missing"));
        assert!(unusable("eve.zip").contains("unpack it"));
        assert_eq!(unusable("fay"), "empty: nothing handed in");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(class.join("nowhere"), class.join("gus")).unwrap();
            assert!(unusable("gus").starts_with("missing"));
        }
        std::fs::remove_dir_all(&class).unwrap();
    }

    #[test]
    fn hidden_folders_hold_only_exercise_files() {
        let catalogue = catalogue::parse(CATALOGUE).unwrap();
        let folder = class_dir("hidden");
        std::fs::create_dir_all(folder.join("ch03")).unwrap();
        std::fs::write(folder.join("ch03/max_pool_argmax.rs"), "").unwrap();
        assert_eq!(
            check_hidden_folder(&folder, &catalogue).unwrap(),
            ["ch03-max-pool-argmax"]
        );
        std::fs::write(folder.join("ch03/argmax.rs"), "").unwrap();
        let error = check_hidden_folder(&folder, &catalogue)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("ch03/argmax.rs is the file of no exercise"),
            "{error}"
        );
        assert!(check_hidden_folder(&folder.join("nothing"), &catalogue).is_err());
        std::fs::remove_dir_all(&folder).unwrap();
    }

    #[test]
    fn the_csv_has_a_column_per_exercise_then_the_total() {
        let catalogue = catalogue::parse(CATALOGUE).unwrap();
        let selection = catalogue.select(None, Some("week2")).unwrap();
        let rows = vec![
            Row {
                learner: "ada".into(),
                points: vec![2, 1],
                total: 3,
                note: String::new(),
            },
            Row {
                learner: "Lovelace, Ada".into(),
                points: vec![0, 0],
                total: 0,
                note: "empty: nothing handed in".into(),
            },
        ];
        assert_eq!(
            csv_text(&selection, &rows).unwrap(),
            "learner,ch03-max-pool-argmax,ch04-uncovered-pixels,total,note\n\
             ada,2,1,3,\n\
             \"Lovelace, Ada\",0,0,0,empty: nothing handed in\n"
        );
    }

    #[test]
    fn reports_go_beside_the_csv_by_default() {
        let options = |csv: &str, json: Option<&str>| GradeOptions {
            submissions: "class".into(),
            assignment: None,
            csv: csv.into(),
            json: json.map(PathBuf::from),
            hidden_tests: None,
            seed: None,
            time_limit: Duration::from_secs(1),
            lang: Lang::En,
        };
        assert_eq!(
            reports_folder(&options("out/week2.csv", None)),
            Path::new("out/week2-reports")
        );
        assert_eq!(
            reports_folder(&options("grades", None)),
            Path::new("grades-reports")
        );
        assert_eq!(reports_folder(&options("g.csv", Some("r"))), Path::new("r"));
        assert!(is_inside(Path::new("class/grades.csv"), Path::new("class")));
        assert!(is_inside(Path::new("./class/a/../b"), Path::new("class")));
        assert!(!is_inside(Path::new("classes/x"), Path::new("class")));
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(
            duration_text(Duration::from_millis(45_240), Lang::En),
            "45.2 s"
        );
        assert_eq!(
            duration_text(Duration::from_secs(83), Lang::En),
            "1 min 23 s"
        );
        assert_eq!(
            duration_text(Duration::from_secs(83), Lang::ZhCn),
            "1 分 23 秒"
        );
    }
}
