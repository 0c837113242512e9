//! `cargo xtask handout DIR`: the repository a learner receives.
//!
//! A copy of the repository's files (those git tracks) without what gives answers away:
//! the reference solutions, the tables of numeric answers and the code and snapshots that
//! compute them, and the project's own CI (which checks the solutions). The book's
//! solutions appendix is replaced by a page that says the solutions are left out, so the
//! book still builds, with every link whole. Added: a GitHub Actions workflow that checks
//! the learner's work on every push and reports the points to GitHub Classroom.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::catalogue::{self, Selection};

/// Where the workflow goes in the learner's repository.
pub const WORKFLOW_PATH: &str = ".github/workflows/classroom.yml";

/// Left out of a learner's copy: the files at these paths or under these folders...
const LEFT_OUT: &[&str] = &[
    "exercises/solutions/",
    "examples/exercise_answers.rs",
    "tests/exercise_answers.rs",
    ".ci/",
    ".github/",
];

/// ... and files whose paths start with one of these and end with the second part.
const LEFT_OUT_PATTERNS: &[(&str, &str)] = &[
    // The numeric answers, for the solutions appendix.
    ("book/generated/exercises/ch", ".md"),
    ("tests/snapshots/exercise_answers__", ".snap"),
];

/// The page that takes the solutions appendix's place.
const SOLUTIONS_STUB: &str = "# Solutions\n\n\
This copy of the book is a class's: it comes without the reference solutions, which your\n\
teacher may hand out later. Until then, `cargo xtask check --hint` gives a first hint for\n\
each exercise that does not pass yet, and `--hint 2` a more explicit one.\n";

/// True if a learner's copy leaves the file at `path` (relative, with `/`) out.
pub fn is_left_out(path: &str) -> bool {
    LEFT_OUT.iter().any(|prefix| {
        if prefix.ends_with('/') {
            path.starts_with(prefix)
        } else {
            path == *prefix
        }
    }) || LEFT_OUT_PATTERNS
        .iter()
        .any(|(start, end)| path.starts_with(start) && path.ends_with(end))
}

/// Writes the learner's repository into `dir`, which must be new or empty.
pub fn handout(root: &Path, dir: &Path, assignment: Option<&str>) -> Result<()> {
    let catalogue = catalogue::load(root, crate::texts::Lang::En)?;
    let selection = catalogue.select(None, assignment)?;
    // Check the destination before any work.
    if dir.exists() {
        let is_empty_folder = dir.is_dir()
            && std::fs::read_dir(dir)
                .with_context(|| format!("cannot read {}", dir.display()))?
                .next()
                .is_none();
        if !is_empty_folder {
            bail!(
                "{} already exists and is not an empty folder; give a new folder",
                dir.display()
            );
        }
    }
    let absolute = std::path::absolute(dir)?;
    let parent = absolute
        .parent()
        .context("the handout needs a folder with a parent")?
        .to_path_buf();
    if !parent.is_dir() {
        bail!(
            "cannot write {}: {} does not exist",
            dir.display(),
            parent.display()
        );
    }
    if absolute.starts_with(root) && !absolute.starts_with(root.join("target")) {
        bail!(
            "{} is inside the repository; write the handout outside it (or under target/)",
            dir.display()
        );
    }

    let files = repository_files(root)?;
    let partial = parent.join(format!(
        ".{}.partial-{}",
        absolute.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&partial);
    let written = write_handout(root, &files, &partial, &selection);
    if let Err(error) = written {
        let _ = std::fs::remove_dir_all(&partial);
        return Err(error);
    }
    if dir.exists() {
        std::fs::remove_dir(dir).with_context(|| format!("cannot replace {}", dir.display()))?;
    }
    std::fs::rename(&partial, dir)
        .with_context(|| format!("cannot move the handout to {}", dir.display()))?;
    let copied = files.iter().filter(|f| !is_left_out(f)).count();
    println!(
        "==> Wrote the learners' repository to {}: {copied} files, {} left out (solutions, \
         answers, the project's CI), and {WORKFLOW_PATH}, which checks {} on every push",
        dir.display(),
        files.len() - copied,
        selection.label
    );
    Ok(())
}

/// The repository's files, relative, with `/`: those git tracks, or, without git, every
/// file outside `target/` and `.git/`.
fn repository_files(root: &Path) -> Result<Vec<String>> {
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached"])
        .current_dir(root)
        .output();
    if let Ok(output) = listed
        && output.status.success()
    {
        let text =
            String::from_utf8(output.stdout).context("git lists a path that is not UTF-8")?;
        return Ok(text
            .split('\0')
            .filter(|p| !p.is_empty())
            // A tracked file deleted in the working copy is not handed out.
            .filter(|p| root.join(p).is_file())
            .map(str::to_string)
            .collect());
    }
    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    files.sort();
    Ok(files)
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<String>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let path = entry?.path();
        let relative = path
            .strip_prefix(root)
            .expect("inside the root")
            .to_string_lossy()
            .replace('\\', "/");
        if relative == "target" || relative == ".git" {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, files)?;
        } else {
            files.push(relative);
        }
    }
    Ok(())
}

fn write_handout(root: &Path, files: &[String], into: &Path, selection: &Selection) -> Result<()> {
    for file in files.iter().filter(|f| !is_left_out(f)) {
        let to = into.join(file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if file == "book/solutions.md" {
            std::fs::write(&to, SOLUTIONS_STUB)?;
        } else if file == TESTS_MANIFEST {
            let manifest = std::fs::read_to_string(root.join(file))
                .with_context(|| format!("cannot read {file}"))?;
            std::fs::write(&to, without_left_out_tests(&manifest))?;
        } else {
            std::fs::copy(root.join(file), &to).with_context(|| format!("cannot copy {file}"))?;
        }
    }
    let workflow = into.join(WORKFLOW_PATH);
    std::fs::create_dir_all(workflow.parent().expect("the workflow is in a folder"))?;
    std::fs::write(&workflow, workflow_text(selection))?;
    Ok(())
}

/// The manifest of the tests' package, which lists each test file.
const TESTS_MANIFEST: &str = "tests/Cargo.toml";

/// The tests' manifest without the `[[test]]` entries of files a learner's copy leaves
/// out (their files are not there, so Cargo would refuse the whole workspace).
fn without_left_out_tests(manifest: &str) -> String {
    let mut entries = manifest.split("\n[[test]]\n");
    let mut kept = entries.next().unwrap_or_default().to_string();
    for entry in entries {
        let path = entry
            .lines()
            .find_map(|line| line.strip_prefix("path = "))
            .map(|quoted| quoted.trim_matches('"'));
        if path.is_some_and(|path| is_left_out(&format!("tests/{path}"))) {
            continue;
        }
        kept.push_str("\n[[test]]\n");
        kept.push_str(entry);
    }
    kept
}

/// The GitHub Actions workflow of a learner's repository: on every push, build and check
/// the exercises of `selection` (a report in the log), then one step per exercise, whose
/// points GitHub Classroom's reporter adds up.
pub fn workflow_text(selection: &Selection) -> String {
    let assignment = selection.label.strip_prefix("assignment ");
    let all = match assignment {
        Some(name) => format!("cargo xtask check --assignment {name}"),
        None => "cargo xtask check".to_string(),
    };
    let mut text = format!(
        "# Written by `cargo xtask handout`: checks {what} on every push and reports\n\
         # the points to GitHub Classroom, with its autograding actions\n\
         # (classroom-resources/autograding-command-grader and -grading-reporter).\n\
         # A step per exercise runs `cargo xtask check ID`, which passes only if every check\n\
         # of that exercise passes; the step's max-score is the exercise's points.\n\
         # The teacher's own grade comes from `cargo xtask grade` on their copy.\n\
         name: Autograding\n\
         on:\n  push:\n  workflow_dispatch:\n  repository_dispatch:\n\
         permissions:\n  checks: write\n  actions: read\n  contents: read\n\
         jobs:\n  autograding:\n    runs-on: ubuntu-latest\n\
         \x20   if: github.actor != 'github-classroom[bot]'\n\
         \x20   timeout-minutes: 45\n\
         \x20   steps:\n\
         \x20     - uses: actions/checkout@v4\n\
         \x20     - uses: actions/cache@v4\n\
         \x20       with:\n\
         \x20         path: |\n\
         \x20           ~/.cargo/registry\n\
         \x20           ~/.cargo/git\n\
         \x20           target\n\
         \x20         key: exercises-${{{{ runner.os }}}}-${{{{ hashFiles('Cargo.lock') }}}}\n\
         \x20     # The first build compiles cnn-core and the checks: several minutes. The\n\
         \x20     # report in this step's log is the one `{all}` prints.\n\
         \x20     - name: Build and check everything\n\
         \x20       run: {all} || true\n",
        what = match assignment {
            Some(name) => format!("assignment {name}"),
            None => "every exercise".to_string(),
        },
    );
    let mut runners = Vec::new();
    let mut results = String::new();
    for item in &selection.items {
        let id = &item.exercise.id;
        text.push_str(&format!(
            "      - name: {id}\n\
             \x20       id: {id}\n\
             \x20       uses: classroom-resources/autograding-command-grader@v1\n\
             \x20       with:\n\
             \x20         test-name: {id}\n\
             \x20         command: cargo xtask check {id}\n\
             \x20         timeout: 10\n\
             \x20         max-score: {}\n",
            item.points
        ));
        runners.push(id.clone());
        results.push_str(&format!(
            "          {}_RESULTS: \"${{{{ steps.{id}.outputs.result }}}}\"\n",
            id.to_uppercase()
        ));
    }
    text.push_str(&format!(
        "      - name: Autograding Reporter\n\
         \x20       uses: classroom-resources/autograding-grading-reporter@v1\n\
         \x20       env:\n{results}\
         \x20       with:\n\
         \x20         runners: {}\n",
        runners.join(",")
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::tests::CATALOGUE;

    /// The commands the workflow runs, in order (for a test that runs them).
    fn workflow_commands(workflow: &str) -> Vec<String> {
        workflow
            .lines()
            .filter_map(|line| {
                let line = line.trim();
                line.strip_prefix("run: ")
                    .or_else(|| line.strip_prefix("command: "))
                    .map(|command| command.trim_end_matches(" || true").to_string())
            })
            .collect()
    }

    #[test]
    fn the_tests_manifest_loses_only_the_left_out_tests() {
        let manifest = "[package]\nname = \"t\"\n\n[[test]]\nname = \"ch03_pooling\"\npath = \"ch03_pooling.rs\"\n\n\
                        [[test]]\nname = \"exercise_answers\"\npath = \"exercise_answers.rs\"\n\n\
                        [[test]]\nname = \"quizzes\"\npath = \"quizzes.rs\"\n";
        assert_eq!(
            without_left_out_tests(manifest),
            "[package]\nname = \"t\"\n\n[[test]]\nname = \"ch03_pooling\"\npath = \"ch03_pooling.rs\"\n\n\
             [[test]]\nname = \"quizzes\"\npath = \"quizzes.rs\"\n"
        );
        // The repository's own manifest: the entries of the files handed out stay.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let real = std::fs::read_to_string(root.join(TESTS_MANIFEST)).unwrap();
        let handed_out = without_left_out_tests(&real);
        for line in real.lines().filter(|line| line.starts_with("path = ")) {
            let file = format!("tests/{}", line["path = ".len()..].trim_matches('"'));
            assert_eq!(handed_out.contains(line), !is_left_out(&file), "{file}");
        }
    }

    #[test]
    fn solutions_and_answers_are_left_out() {
        for path in [
            "exercises/solutions/ch03/pooled_sizes.rs",
            "examples/exercise_answers.rs",
            "tests/exercise_answers.rs",
            "tests/snapshots/exercise_answers__ch03.snap",
            "book/generated/exercises/ch03.md",
            ".ci/run",
        ] {
            assert!(is_left_out(path), "{path}");
        }
        for path in [
            "exercises/src/ch03/pooled_sizes.rs",
            "exercises/tests/check/ch03/pooled_sizes.rs",
            "book/generated/exercises/list.md",
            "book/solutions.md",
            "examples/ch03_pooling.rs",
            "tests/snapshots/ch03_pooling__sizes.snap",
            ".cargo/config.toml",
        ] {
            assert!(!is_left_out(path), "{path}");
        }
    }

    #[test]
    fn the_workflow_has_a_step_per_exercise_with_its_points() {
        let catalogue = catalogue::parse(CATALOGUE).unwrap();
        let week = catalogue.select(None, Some("week2")).unwrap();
        let workflow = workflow_text(&week);
        assert!(workflow.contains("max-score: 2\n"), "{workflow}");
        assert!(
            workflow.contains(
                "CH03-MAX-POOL-ARGMAX_RESULTS: \"${{ steps.ch03-max-pool-argmax.outputs.result }}\""
            ),
            "{workflow}"
        );
        assert!(
            workflow.contains("runners: ch03-max-pool-argmax,ch04-uncovered-pixels\n"),
            "{workflow}"
        );
        assert_eq!(
            workflow_commands(&workflow),
            [
                "cargo xtask check --assignment week2",
                "cargo xtask check ch03-max-pool-argmax",
                "cargo xtask check ch04-uncovered-pixels",
            ]
        );
        // Every line is indented with spaces, as YAML needs.
        assert!(!workflow.contains('\t'));
    }
}
