//! Builds every exercise as a program of its own, so that one exercise's code cannot stop
//! another's from compiling.
//!
//! For each exercise `chNN-name` the checker writes two small crates into a scratch
//! workspace under `target/exercises/<slot>/`:
//!
//! - `chNN-name/code`: a library with the one file of code to check (a learner's file, a
//!   starter or a solution), at `cnn_exercises::chNN::name` as the checks expect (a file
//!   that uses `unsafe`, or reads other files at compile time, is refused unbuilt);
//! - `chNN-name/check`: a program with the exercise's checks
//!   (`exercises/tests/check/chNN/name.rs`, read in place), a teacher's hidden checks if
//!   any, and the harness (`exercises/harness/`) that runs them.
//!
//! One `cargo build --keep-going` builds them all (in parallel); an exercise whose code does
//! not compile is reported with its own compiler errors, and the others build. The slots
//! (`check` for the repository's own `exercises/src/`, `solutions`, `grade`) keep separate
//! copies, so that switching between them does not rebuild everything, and share one target
//! folder, so that cnn-core and the other dependencies are compiled once.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use crate::catalogue::Exercise;
use crate::texts::{self, Lang};

/// Which copy of the exercises a build uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The repository's `exercises/src/`: a learner checking their work, or CI's starters.
    Check,
    /// `exercises/solutions/`.
    Solutions,
    /// A teacher grading submissions, one after another.
    Grade,
}

impl Slot {
    fn name(self) -> &'static str {
        match self {
            Slot::Check => "check",
            Slot::Solutions => "solutions",
            Slot::Grade => "grade",
        }
    }
}

/// The scratch workspace's `Cargo.toml`, the same for every slot.
const WORKSPACE_MANIFEST: &str = "\
# Written by `cargo xtask check`: each exercise built on its own (xtask/src/scratch.rs).
[workspace]
resolver = \"3\"
members = [\"*/code\", \"*/check\"]

# The checked code and the checks compile quickly; cnn-core and the other
# dependencies, compiled once, run fast.
[profile.dev]
opt-level = 0
debug = false
incremental = false

[profile.dev.package.\"*\"]
opt-level = 3
";

/// The largest exercise file the checker accepts.
const LARGEST_FILE: u64 = 1 << 20;

/// What to build for one exercise.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    pub exercise: &'a Exercise,
    /// The file of code to check.
    pub code: PathBuf,
    /// How reports name that file, such as `exercises/src/ch03/pooled_sizes.rs`.
    pub code_shown_as: String,
    /// A teacher's hidden checks of this exercise, if any.
    pub hidden: Option<PathBuf>,
}

/// The outcome of building one exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Built {
    /// The program that runs the exercise's checks.
    Program(PathBuf),
    /// The code was refused or did not compile: the compiler's errors, or why.
    Failed(String),
}

/// One slot's scratch workspace.
pub struct Scratch {
    /// The repository's root.
    root: PathBuf,
    slot: Slot,
    /// `target/exercises/<slot>/`.
    dir: PathBuf,
    /// `target/exercises/build/`, shared by the slots.
    target_dir: PathBuf,
    /// How reports name a folder of hidden checks: (the folder, its name in reports).
    hidden_shown_as: Option<(PathBuf, String)>,
    /// The language of the reasons a file is refused.
    pub lang: Lang,
}

impl Scratch {
    /// The scratch workspace of `slot`, created or brought up to date.
    pub fn open(root: &Path, slot: Slot) -> Result<Scratch> {
        let exercises = root.join("target/exercises");
        let scratch = Scratch {
            root: root.to_path_buf(),
            slot,
            dir: exercises.join(slot.name()),
            target_dir: exercises.join("build"),
            hidden_shown_as: None,
            lang: Lang::En,
        };
        std::fs::create_dir_all(&scratch.dir)
            .with_context(|| format!("cannot create {}", scratch.dir.display()))?;
        scratch.write_workspace()?;
        Ok(scratch)
    }

    /// Reports name files of the hidden checks in `folder` as `shown_as/chNN/name.rs`.
    pub fn show_hidden_as(&mut self, folder: &Path, shown_as: &str) {
        self.hidden_shown_as = Some((folder.to_path_buf(), shown_as.to_string()));
    }

    /// The folder of one exercise's two crates.
    pub fn member_dir(&self, exercise: &Exercise) -> PathBuf {
        self.dir.join(&exercise.id)
    }

    /// The package name of an exercise's program.
    fn package(&self, exercise: &Exercise) -> String {
        format!("{}-{}", self.slot.name(), exercise.id)
    }

    /// The workspace's `Cargo.toml` and `Cargo.lock`: the repository's dependency versions,
    /// the same profiles for every slot.
    fn write_workspace(&self) -> Result<()> {
        let manifest = WORKSPACE_MANIFEST;
        write_if_changed(&self.dir.join("Cargo.toml"), manifest.as_bytes())?;
        // The repository's lock file pins every dependency; cargo adds the scratch crates.
        let root_lock = self.root.join("Cargo.lock");
        let copied = self.dir.join("Cargo.lock.from-repository");
        let lock = std::fs::read(&root_lock)
            .with_context(|| format!("cannot read {}", root_lock.display()))?;
        if std::fs::read(&copied).ok().as_deref() != Some(lock.as_slice())
            || !self.dir.join("Cargo.lock").exists()
        {
            std::fs::write(self.dir.join("Cargo.lock"), &lock)?;
            std::fs::write(&copied, &lock)?;
        }
        Ok(())
    }

    /// The dependencies of the exercises' crate (`exercises/Cargo.toml`), written out in
    /// full (no `workspace = true`, absolute paths): `[dependencies]` for the code, and
    /// those and `[dev-dependencies]` for the checks.
    fn dependencies(&self) -> Result<(String, String)> {
        let read = |path: &Path| -> Result<toml::Table> {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))
        };
        let workspace = read(&self.root.join("Cargo.toml"))?;
        let shared = workspace
            .get("workspace")
            .and_then(|w| w.get("dependencies"))
            .and_then(|d| d.as_table())
            .cloned()
            .unwrap_or_default();
        let exercises = read(&self.root.join("exercises/Cargo.toml"))?;
        let mut code = String::new();
        let mut checks = String::new();
        for (section, into_code) in [("dependencies", true), ("dev-dependencies", false)] {
            let Some(table) = exercises.get(section).and_then(|t| t.as_table()) else {
                continue;
            };
            for (name, spec) in table {
                let (spec, base) = if spec.get("workspace").and_then(|w| w.as_bool()) == Some(true)
                {
                    let spec = shared.get(name).with_context(|| {
                        format!("exercises/Cargo.toml: `{name}` is not in [workspace.dependencies]")
                    })?;
                    (spec.clone(), self.root.clone())
                } else {
                    (spec.clone(), self.root.join("exercises"))
                };
                let line = format!("{name} = {}\n", absolute_paths(spec, &base));
                if into_code {
                    code.push_str(&line);
                }
                checks.push_str(&line);
            }
        }
        Ok((code, checks))
    }

    /// Writes the two crates of each job, then builds them all. Returns each exercise's
    /// outcome, by id. `progress` is told how many programs are done, of how many.
    pub fn build(
        &self,
        jobs: &[Job],
        mut progress: impl FnMut(usize, usize),
    ) -> Result<BTreeMap<String, Built>> {
        let (code_dependencies, check_dependencies) = self.dependencies()?;
        let mut outcomes = BTreeMap::new();
        let mut to_build = Vec::new();
        for job in jobs {
            match self.write_job(job, &code_dependencies, &check_dependencies)? {
                Some(refusal) => {
                    outcomes.insert(job.exercise.id.clone(), Built::Failed(refusal));
                }
                None => to_build.push(job),
            }
        }
        if to_build.is_empty() {
            return Ok(outcomes);
        }

        let mut command = crate::cargo();
        command
            .arg("build")
            .arg("--manifest-path")
            .arg(self.dir.join("Cargo.toml"))
            .args(["--message-format", "json", "--keep-going", "--quiet"])
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for job in &to_build {
            command.args(["--package", &self.package(job.exercise)]);
        }
        let mut child = command
            .spawn()
            .context("could not start `cargo build` for the exercises")?;
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut errors: BTreeMap<String, String> = BTreeMap::new();
        let mut programs: BTreeMap<String, PathBuf> = BTreeMap::new();
        progress(0, to_build.len());
        for line in BufReader::new(stdout).lines() {
            let line = line.context("could not read cargo's messages")?;
            let Ok(message) = serde_json::from_str::<CargoMessage>(&line) else {
                continue;
            };
            let Some(id) = message
                .manifest_path
                .as_deref()
                .and_then(|p| self.exercise_of(p))
            else {
                continue;
            };
            match message.reason.as_str() {
                "compiler-message" => {
                    let Some(diagnostic) = message.message else {
                        continue;
                    };
                    if diagnostic.level != "error" || diagnostic.message.starts_with("aborting") {
                        continue;
                    }
                    if let Some(rendered) = diagnostic.rendered {
                        errors.entry(id).or_default().push_str(&rendered);
                    }
                }
                "compiler-artifact" => {
                    if let Some(executable) = message.executable {
                        programs.insert(id, executable);
                        progress(programs.len(), to_build.len());
                    }
                }
                _ => {}
            }
        }
        let status = child.wait().context("`cargo build` did not finish")?;
        let cargo_log = stderr.join().unwrap_or_default();
        for job in to_build {
            let id = &job.exercise.id;
            let outcome = if let Some(program) = programs.remove(id) {
                Built::Program(program)
            } else if let Some(text) = errors.remove(id) {
                Built::Failed(self.shown(job, text.trim_end()))
            } else if status.success() {
                bail!("cargo built the exercises but reported no program for {id}");
            } else {
                // Not the code's fault: a missing dependency, a broken toolchain, ...
                bail!(
                    "`cargo build` of the exercises failed:\n{}",
                    cargo_log.trim_end()
                );
            };
            outcomes.insert(id.clone(), outcome);
        }
        Ok(outcomes)
    }

    /// The exercise whose crate has this manifest, if it is one of this slot's.
    fn exercise_of(&self, manifest: &Path) -> Option<String> {
        let member = manifest.parent()?.parent()?;
        if member.parent()? != self.dir {
            return None;
        }
        Some(member.file_name()?.to_str()?.to_string())
    }

    /// Writes the crates of one job. Returns why the code is refused, if it is.
    fn write_job(
        &self,
        job: &Job,
        code_dependencies: &str,
        check_dependencies: &str,
    ) -> Result<Option<String>> {
        let exercise = job.exercise;
        let source = match read_code(&job.code, self.lang) {
            Ok(source) => source,
            Err(refusal) => return Ok(Some(format!("{}: {refusal}", job.code_shown_as))),
        };
        if let Some((construct, why)) = forbidden_construct(&String::from_utf8_lossy(&source)) {
            let why = texts::refused_construct(self.lang, construct, why);
            return Ok(Some(format!("{}: {why}", job.code_shown_as)));
        }
        let member = self.member_dir(exercise);
        let package = self.package(exercise);

        // The code: one file, where `cnn_exercises::chNN::name` expects it.
        let code = member.join("code");
        let manifest = format!(
            "[package]\nname = \"{package}-code\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\n{code_dependencies}"
        );
        write_if_changed(&code.join("Cargo.toml"), manifest.as_bytes())?;
        let lib = format!(
            "//! Written by `cargo xtask check`: the code of exercise {id}, alone.\n\
             #![deny(unsafe_code)]\n\
             #![allow(unused_variables)]\n\n\
             pub mod {chapter} {{\n    pub mod {module};\n}}\n",
            id = exercise.id,
            chapter = exercise.chapter(),
            module = exercise.module(),
        );
        write_if_changed(&code.join("src/lib.rs"), lib.as_bytes())?;
        write_if_changed(&code.join("src").join(exercise.file()), &source)?;

        // The checks, read from the repository, and the harness that runs them.
        let check = member.join("check");
        let manifest = format!(
            "[package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\n\
             cnn-exercises = {{ package = \"{package}-code\", path = \"../code\" }}\n\
             {check_dependencies}"
        );
        write_if_changed(&check.join("Cargo.toml"), manifest.as_bytes())?;
        let checks = self.root.join(exercise.checks_path());
        if !checks.is_file() {
            bail!(
                "{}: the checks of {} are missing",
                exercise.checks_path(),
                exercise.id
            );
        }
        let path_literal = |path: &Path| format!("{:?}", path.to_string_lossy());
        let mut main = format!(
            "//! Written by `cargo xtask check`: the checks of exercise {id}.\n\
             #![allow(dead_code)]\n\n\
             const REPO_ROOT: &str = {root};\n\n\
             #[path = {common}]\nmod common;\n\n\
             mod {chapter} {{\n    #[path = {checks}]\n    pub mod {module};\n}}\n",
            id = exercise.id,
            root = path_literal(&self.root),
            common = path_literal(&self.root.join("exercises/tests/check/common.rs")),
            chapter = exercise.chapter(),
            checks = path_literal(&checks),
            module = exercise.module(),
        );
        let suite = exercise.suite();
        let mut suites = format!(
            "        cnn_exercises_harness::Suite {{ name: \"{suite}\", checks: {suite}::CHECKS }},\n"
        );
        if let Some(hidden) = &job.hidden {
            main.push_str(&format!(
                "\nmod hidden {{\n    pub mod {chapter} {{\n        #[path = {path}]\n        \
                 pub mod {module};\n    }}\n}}\n",
                chapter = exercise.chapter(),
                path = path_literal(hidden),
                module = exercise.module(),
            ));
            suites.push_str(&format!(
                "        cnn_exercises_harness::Suite {{ name: \"hidden::{suite}\", \
                 checks: hidden::{suite}::CHECKS }},\n"
            ));
        }
        main.push_str(&format!(
            "\nfn main() {{\n    cnn_exercises_harness::main(&[\n{suites}    ]);\n}}\n"
        ));
        write_if_changed(&check.join("src/main.rs"), main.as_bytes())?;
        Ok(None)
    }

    /// Pairs of (path as the compiler names it, path as reports show it), to rewrite
    /// messages: the copy of the checked code, the repository, the hidden checks.
    pub fn path_names(&self, job: &Job) -> Vec<(String, String)> {
        let copy = format!("{}/code/src/{}", job.exercise.id, job.exercise.file());
        let mut names = vec![(copy, job.code_shown_as.clone())];
        if let Some((folder, shown_as)) = &self.hidden_shown_as {
            names.push((
                format!("{}/", folder.display()),
                format!("{}/", shown_as.trim_end_matches('/')),
            ));
        }
        names.push((format!("{}/", self.root.display()), String::new()));
        names
    }

    /// `text` with the paths of [`Scratch::path_names`] rewritten.
    pub fn shown(&self, job: &Job, text: &str) -> String {
        rename_paths(text, &self.path_names(job))
    }
}

/// `text` with each `from` replaced by its `to`, in order.
pub fn rename_paths(text: &str, names: &[(String, String)]) -> String {
    let mut text = text.to_string();
    for (from, to) in names {
        text = text.replace(from.as_str(), to);
    }
    text
}

/// The bytes of a file of code to check, or why it is refused.
fn read_code(path: &Path, lang: Lang) -> std::result::Result<Vec<u8>, String> {
    let metadata = std::fs::symlink_metadata(path).map_err(|_| texts::refused_missing(lang))?;
    if metadata.file_type().is_symlink() {
        return Err(texts::refused_link(lang));
    }
    if !metadata.is_file() {
        return Err(texts::refused_not_a_file(lang));
    }
    if metadata.len() > LARGEST_FILE {
        return Err(texts::refused_too_large(lang, metadata.len()));
    }
    std::fs::read(path).map_err(|e| texts::refused_unreadable(lang, &e.to_string()))
}

/// The first construct in `source` that an exercise's file may not use, and why:
/// `include!`, `include_str!`, `include_bytes!` or a `path = ...` in an attribute
/// (`#[path = ...]`, `#[cfg_attr(..., path = ...)]`), which read another file when the code
/// is compiled (the reference solution of the teacher's copy, say); and `unsafe`, which
/// could reach into the checks' harness. (The crate is also `#![deny(unsafe_code)]`; a
/// `forbid` would refuse ndarray's `s![]`, whose expansion allows its own `unsafe`.)
pub fn forbidden_construct(source: &str) -> Option<(&'static str, &'static str)> {
    const READS: &str = "which reads another file when the code is compiled";
    const UNSAFE: &str = "which the exercises do not need and the checker does not allow";
    let tokens = tokens(source);
    // How deep inside `#[...]` or `#![...]` brackets the scan is (0: outside attributes).
    let mut attribute_depth = 0usize;
    for (index, token) in tokens.iter().enumerate() {
        let next = tokens.get(index + 1).map(String::as_str);
        let name = token.strip_prefix("r#").unwrap_or(token);
        match (name, next) {
            ("include", Some("!")) => return Some(("include!", READS)),
            ("include_str", Some("!")) => return Some(("include_str!", READS)),
            ("include_bytes", Some("!")) => return Some(("include_bytes!", READS)),
            ("path", Some("=")) if attribute_depth > 0 => return Some(("#[path = ...]", READS)),
            ("unsafe", _) => return Some(("unsafe", UNSAFE)),
            ("#", Some("[")) if attribute_depth == 0 => attribute_depth = 1,
            ("#", Some("!"))
                if attribute_depth == 0
                    && tokens.get(index + 2).map(String::as_str) == Some("[") =>
            {
                attribute_depth = 1
            }
            ("[", _)
                if attribute_depth > 0
                    && index > 0
                    && tokens[index - 1] != "#"
                    && tokens[index - 1] != "!" =>
            {
                attribute_depth += 1
            }
            ("]", _) if attribute_depth > 0 => attribute_depth -= 1,
            _ => {}
        }
    }
    None
}

/// Rust source cut into identifiers and single punctuation characters, without comments,
/// string and character literals (whose text could look like code).
fn tokens(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || (next == Some('#') && raw_string_at(&chars, i)))
        {
            // r"..." or r#"..."#
            let mut hashes = 0;
            i += 1;
            while chars.get(i) == Some(&'#') {
                hashes += 1;
                i += 1;
            }
            i += 1; // the opening quote
            while i < chars.len() {
                if chars[i] == '"' && (0..hashes).all(|h| chars.get(i + 1 + h) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3; // 'x'
        } else if c == '\'' && next == Some('\\') {
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // A raw identifier: r#name.
            if word == "r" && chars.get(i) == Some(&'#') {
                let rest = i + 1;
                let mut end = rest;
                while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                tokens.push(format!("r#{}", chars[rest..end].iter().collect::<String>()));
                i = end;
            } else {
                tokens.push(word);
            }
        } else if c.is_whitespace() {
            i += 1;
        } else {
            tokens.push(c.to_string());
            i += 1;
        }
    }
    tokens
}

/// True if `r` at `i` starts a raw string `r#..#"`, not a raw identifier `r#name`.
fn raw_string_at(chars: &[char], i: usize) -> bool {
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    chars.get(j) == Some(&'"')
}

/// A dependency's specification with any relative `path` made absolute from `base`.
fn absolute_paths(spec: toml::Value, base: &Path) -> toml::Value {
    match spec {
        toml::Value::Table(mut table) => {
            if let Some(toml::Value::String(path)) = table.get("path") {
                let absolute = base.join(path);
                table.insert(
                    "path".into(),
                    toml::Value::String(absolute.to_string_lossy().into_owned()),
                );
            }
            // Inline, on one line, as `name = { ... }`.
            toml::Value::Table(table)
        }
        other => other,
    }
}

/// Writes `bytes` to `path` unless the file already holds exactly them, so that cargo
/// does not rebuild what has not changed.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).ok().as_deref() == Some(bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

/// The fields of cargo's JSON messages that the checker reads.
#[derive(Debug, Deserialize)]
struct CargoMessage {
    reason: String,
    manifest_path: Option<PathBuf>,
    message: Option<Diagnostic>,
    executable: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
struct Diagnostic {
    level: String,
    message: String,
    rendered: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_reading_constructs_are_found() {
        let refused = [
            (
                "include!(\"../../solutions/ch03/pooled_sizes.rs\");",
                "include!",
            ),
            (
                "const S: &str = include_str !(\"/etc/hosts\");",
                "include_str!",
            ),
            ("static B: &[u8] = include_bytes!(\"x\");", "include_bytes!"),
            ("#[path = \"x.rs\"] mod x;", "#[path = ...]"),
            ("# [ path = \"x.rs\" ] mod x;", "#[path = ...]"),
            ("#![path = \"x.rs\"]", "#[path = ...]"),
            (
                "#[cfg_attr(all(), path = \"x.rs\")] mod x;",
                "#[path = ...]",
            ),
            ("macro_rules! m { () => { r#include!(\"x\") } }", "include!"),
            (
                "fn f() { unsafe { std::hint::unreachable_unchecked() } }",
                "unsafe",
            ),
            ("#[unsafe(no_mangle)] fn main() {}", "unsafe"),
        ];
        for (source, construct) in refused {
            assert_eq!(
                forbidden_construct(source).map(|(c, _)| c),
                Some(construct),
                "{source}"
            );
        }
        let allowed = [
            "// include!(\"x\") in a comment",
            "/* include!(\"x\") /* nested */ still a comment */ fn f() {}",
            "let s = \"include!(x)\";",
            "let s = r#\"include!(\"x\")\"#;",
            "let path = 3; let x = path == 3;",
            "#[derive(Debug)] struct S { path: u8 } fn f(v: [u8; 2]) { let path = v[0]; }",
            "fn include() {} fn main() { include(); }",
            "let c = '!'; let d = '\\'';",
            "// unsafe in a comment; let s = \"unsafe\";",
            "let view = map.slice(s![.., 1..]);",
        ];
        for source in allowed {
            assert_eq!(forbidden_construct(source), None, "{source}");
        }
    }

    #[test]
    fn paths_become_absolute() {
        let spec: toml::Value =
            toml::from_str::<toml::Table>("d = { path = \"crates/x\" }").unwrap()["d"].clone();
        let absolute = absolute_paths(spec, Path::new("/repo"));
        assert_eq!(absolute["path"].as_str(), Some("/repo/crates/x"));
        let version = toml::Value::String("0.16".into());
        assert_eq!(absolute_paths(version.clone(), Path::new("/repo")), version);
    }

    #[test]
    fn paths_are_renamed_in_order() {
        let names = vec![
            (
                "ch03-pooled-sizes/code/src/ch03/pooled_sizes.rs".to_string(),
                "ada/ch03/pooled_sizes.rs".to_string(),
            ),
            ("/repo/".to_string(), String::new()),
        ];
        let text = "--> ch03-pooled-sizes/code/src/ch03/pooled_sizes.rs:3:5\n\
                    at /repo/exercises/tests/check/ch03/pooled_sizes.rs:9:5";
        assert_eq!(
            rename_paths(text, &names),
            "--> ada/ch03/pooled_sizes.rs:3:5\nat exercises/tests/check/ch03/pooled_sizes.rs:9:5"
        );
    }
}
