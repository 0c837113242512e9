//! # The harness that runs an exercise's checks
//!
//! `cargo xtask check` builds every exercise on its own, as a small program: the learner's
//! file, the exercise's checks, and this harness, whose [`main`] runs the checks one after
//! another, in a fixed order, each on a fresh thread, and catches their panics.
//!
//! The program's output is not trusted: a learner's code can print anything, including
//! lines that look like a test runner's `ok`, and can end the program with
//! `std::process::exit(0)`. So the verdicts travel another way. The checker starts the
//! program with `--verdict FILE` and writes a random key to its standard input; the harness
//! reads the key before any learner code runs (nothing is left to read afterwards), then
//! appends one line to `FILE` per event (a check started, a check ended, the run ended),
//! each signed with the key ([`protocol`]). A line the learner's code writes cannot carry
//! a valid signature, so the checker ignores it; a program that ends early leaves the run
//! without its `end` line, and the check it was in the middle of fails.
//!
//! This stops forged output and early exits, not an attack on the harness itself: code
//! that reads the harness's memory could find the key. Learner code is not sandboxed.
//!
//! Without `--verdict` (as `cargo test -p cnn-exercises --features check` runs it) the
//! harness prints a line per check instead, for the exercises' authors.
//!
//! ## Languages
//!
//! The checks' failure messages come in every language of [`Lang`]: each is written with
//! [`message!`], which takes the English and the Simplified Chinese text side by side, so a
//! message cannot lack a translation (it would not compile). The checker chooses the
//! language with `--lang zh-CN` (`cargo xtask check --lang zh-CN`); without it the harness
//! reads `$CNN_BOOK_LANG`, and speaks English if that is unset too. What the checked code
//! itself prints or panics with is never translated.

use std::io::Read as _;
use std::panic::PanicHookInfo;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

pub mod protocol;

use protocol::{Event, VerdictWriter};

/// A language the checks' messages (and `cargo xtask check`) speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English, the source of every text and the default.
    #[default]
    En,
    /// Simplified Chinese (简体中文).
    ZhCn,
}

/// The environment variable that chooses the language when no `--lang` is given.
pub const LANG_VARIABLE: &str = "CNN_BOOK_LANG";

impl Lang {
    /// Every language, English first.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::ZhCn];

    /// The language's code, as `--lang` takes it: `en`, `zh-CN`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }

    /// The language of a code (`en`, `zh-CN`; case and `_` for `-` do not matter). The
    /// error lists the known codes.
    pub fn parse(code: &str) -> Result<Lang, String> {
        let wanted = code.trim().replace('_', "-");
        Lang::ALL
            .into_iter()
            .find(|lang| lang.code().eq_ignore_ascii_case(&wanted))
            .ok_or_else(|| {
                let known: Vec<&str> = Lang::ALL.iter().map(|lang| lang.code()).collect();
                format!(
                    "unknown language `{code}`; the known languages are {}",
                    known.join(", ")
                )
            })
    }

    /// The language `flag` names, else `$CNN_BOOK_LANG` (`variable`, if set and not empty),
    /// else English. A flag wins over the variable; a bad value of either is an error that
    /// says where it came from.
    pub fn choose(flag: Option<&str>, variable: Option<&str>) -> Result<Lang, String> {
        match (flag, variable.filter(|v| !v.trim().is_empty())) {
            (Some(flag), _) => Lang::parse(flag).map_err(|e| format!("--lang: {e}")),
            (None, Some(variable)) => {
                Lang::parse(variable).map_err(|e| format!("${LANG_VARIABLE}: {e}"))
            }
            (None, None) => Ok(Lang::En),
        }
    }
}

/// The language of this run's messages: `--lang CODE`, else `$CNN_BOOK_LANG`, else English.
static LANG: OnceLock<Lang> = OnceLock::new();

/// The language the checks' messages are written in for this run.
pub fn lang() -> Lang {
    *LANG.get().unwrap_or(&Lang::En)
}

/// A message in the run's language, from its English and its Simplified Chinese text, each
/// a format string (with the same values): the checks' failure messages are written with it.
///
/// ```
/// let yours = 13;
/// let text = cnn_exercises_harness::message!(
///     en: "lenet_pooled_side() = {yours} is not what cnn-core's pooling gives",
///     zh: "lenet_pooled_side() = {yours}，与 cnn-core 的池化结果不符",
/// );
/// assert!(text.starts_with("lenet_pooled_side() = 13 is not"));
/// ```
#[macro_export]
macro_rules! message {
    (en: $en:literal, zh: $zh:literal $(, $argument:expr)* $(,)?) => {
        match $crate::lang() {
            $crate::Lang::En => format!($en $(, $argument)*),
            $crate::Lang::ZhCn => format!($zh $(, $argument)*),
        }
    };
}

/// One check: a function that panics if the exercise is not solved.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// The function's name, such as `ties_go_to_the_first_maximum`.
    pub name: &'static str,
    /// The check itself.
    pub run: fn(),
}

/// The checks of one exercise (or a teacher's hidden checks of it), under a name such as
/// `ch03::max_pool_argmax`: a check's full name is `ch03::max_pool_argmax::ties_go_to_...`.
#[derive(Debug, Clone, Copy)]
pub struct Suite {
    pub name: &'static str,
    pub checks: &'static [Check],
}

/// Lists a module's checks, in the order they run, as `pub const CHECKS: &[Check]`:
///
/// ```
/// fn small_example_by_hand() {}
/// fn matches_cnn_core_on_random_maps() {}
///
/// cnn_exercises_harness::checks![small_example_by_hand, matches_cnn_core_on_random_maps];
///
/// assert_eq!(CHECKS[1].name, "matches_cnn_core_on_random_maps");
/// ```
#[macro_export]
macro_rules! checks {
    ($($name:ident),* $(,)?) => {
        /// The checks of this exercise, in the order they run.
        pub const CHECKS: &[$crate::Check] = &[
            $($crate::Check { name: stringify!($name), run: $name }),*
        ];
    };
}

/// The seed of this run's random inputs: `--seed N`, or 0.
static SEED: OnceLock<u64> = OnceLock::new();

/// The seed of this run's random inputs. The checks mix it into every random number
/// generator they make, so a grader can draw inputs no learner has seen (`--seed`), while
/// the same seed gives the same inputs, and the same report, on every machine.
pub fn seed() -> u64 {
    *SEED.get().unwrap_or(&0)
}

/// The panic of the check running now: its message and where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Panic {
    message: String,
    location: Option<String>,
}

/// The last panic on the thread of the check running now, recorded by the panic hook.
static LAST_PANIC: Mutex<Option<Panic>> = Mutex::new(None);

/// The name of the thread each check runs on; panics on other threads (a learner's own
/// threads) are not the check's.
const CHECK_THREAD: &str = "exercise-check";

/// Each check gets a thread with a stack of this size, so that how deep a recursion may go
/// does not depend on the machine's default (`ulimit -s`).
const CHECK_STACK_BYTES: usize = 16 * 1024 * 1024;

/// The longest panic message kept: a learner's code may panic with a huge one.
const MESSAGE_LIMIT: usize = 4000;

/// Runs the checks of `suites` in order and ends the program.
///
/// Arguments: `--verdict FILE` (signed verdicts, key on standard input), `--seed N`, and
/// without `--verdict`, any other words as filters: only the checks whose full name
/// contains one of them run.
pub fn main(suites: &[Suite]) -> ! {
    // Before anything else, and before any learner code: take the key off standard input.
    let arguments = match Arguments::parse(std::env::args().skip(1)) {
        Ok(arguments) => arguments,
        Err(message) => {
            eprintln!("exercise harness: {message}");
            std::process::exit(2);
        }
    };
    let mut writer = match &arguments.verdict {
        Some(path) => match open_verdicts(path) {
            Ok(writer) => Some(writer),
            Err(message) => {
                eprintln!("exercise harness: {message}");
                std::process::exit(2);
            }
        },
        None => None,
    };
    let _ = SEED.set(arguments.seed);
    let _ = LANG.set(arguments.lang);
    std::panic::set_hook(Box::new(record_panic));

    let checks: Vec<(String, fn())> = suites
        .iter()
        .flat_map(|suite| {
            suite
                .checks
                .iter()
                .map(move |check| (format!("{}::{}", suite.name, check.name), check.run))
        })
        .filter(|(name, _)| {
            arguments.filters.is_empty() || arguments.filters.iter().any(|f| name.contains(f))
        })
        .collect();

    let names: Vec<String> = checks.iter().map(|(name, _)| name.clone()).collect();
    emit(&mut writer, Event::Begin { checks: names });
    let mut failures = Vec::new();
    for (name, run) in &checks {
        emit(
            &mut writer,
            Event::Start {
                check: name.clone(),
            },
        );
        let outcome = run_one(*run);
        if writer.is_none() {
            let word = if outcome.is_ok() { "ok" } else { "FAILED" };
            println!("check {name} ... {word}");
        }
        let (passed, message, location) = match outcome {
            Ok(()) => (true, String::new(), None),
            Err(panic) => {
                failures.push((name.clone(), panic.clone()));
                (false, panic.message, panic.location)
            }
        };
        emit(
            &mut writer,
            Event::Result {
                check: name.clone(),
                passed,
                message,
                location,
            },
        );
    }
    emit(&mut writer, Event::End);
    if writer.is_some() {
        // The verdicts are in the file; the exit status means only "the harness finished".
        std::process::exit(0);
    }
    print_summary(checks.len(), &failures);
    std::process::exit(if failures.is_empty() { 0 } else { 1 });
}

/// The harness's command line.
#[derive(Debug, Default, PartialEq)]
struct Arguments {
    verdict: Option<PathBuf>,
    seed: u64,
    lang: Lang,
    filters: Vec<String>,
}

impl Arguments {
    fn parse(mut words: impl Iterator<Item = String>) -> Result<Arguments, String> {
        let mut arguments = Arguments::default();
        let mut lang = None;
        while let Some(word) = words.next() {
            match word.as_str() {
                "--verdict" => {
                    let path = words.next().ok_or("--verdict needs a file")?;
                    arguments.verdict = Some(PathBuf::from(path));
                }
                "--seed" => {
                    let seed = words.next().ok_or("--seed needs a number")?;
                    arguments.seed = seed
                        .parse()
                        .map_err(|_| format!("--seed {seed}: not a whole number"))?;
                }
                "--lang" => lang = Some(words.next().ok_or("--lang needs a language")?),
                // What `cargo test` may pass to a test program.
                _ if word.starts_with('-') => {}
                _ => arguments.filters.push(word),
            }
        }
        let variable = std::env::var(LANG_VARIABLE).ok();
        arguments.lang = Lang::choose(lang.as_deref(), variable.as_deref())?;
        if arguments.verdict.is_some() && !arguments.filters.is_empty() {
            return Err("filters are for a person running the checks, not with --verdict".into());
        }
        Ok(arguments)
    }
}

/// Reads the key from standard input and opens the verdict file.
fn open_verdicts(path: &Path) -> Result<VerdictWriter, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the key from standard input: {e}"))?;
    let key = protocol::parse_key(text.trim())
        .ok_or("standard input does not hold a key (64 hexadecimal digits)")?;
    VerdictWriter::create(path, key)
        .map_err(|e| format!("cannot write the verdicts to {}: {e}", path.display()))
}

/// Writes an event to the verdict file, if there is one. A failed write ends the program:
/// a missing verdict fails the check anyway, and this says why.
fn emit(writer: &mut Option<VerdictWriter>, event: Event) {
    if let Some(writer) = writer
        && let Err(error) = writer.write(event)
    {
        eprintln!("exercise harness: cannot write a verdict: {error}");
        std::process::exit(3);
    }
}

/// Runs one check on a thread of its own and returns its panic, if any.
fn run_one(run: fn()) -> Result<(), Panic> {
    *lock_last_panic() = None;
    let thread = std::thread::Builder::new()
        .name(CHECK_THREAD.to_string())
        .stack_size(CHECK_STACK_BYTES)
        .spawn(run);
    let joined = match thread {
        Ok(handle) => handle.join(),
        Err(error) => {
            return Err(Panic {
                message: message!(
                    en: "the harness could not start a thread for the check: {error}",
                    zh: "检查程序无法为这项检查启动线程：{error}",
                ),
                location: None,
            });
        }
    };
    match joined {
        Ok(()) => Ok(()),
        Err(payload) => Err(lock_last_panic().take().unwrap_or_else(|| Panic {
            // The learner's code replaced the panic hook: the payload still says what.
            message: truncate(payload_text(payload.as_ref())),
            location: None,
        })),
    }
}

/// The panic hook: remembers the message and location of a panic on the check's thread.
/// It prints nothing; the report shows the message.
fn record_panic(info: &PanicHookInfo) {
    if std::thread::current().name() != Some(CHECK_THREAD) {
        return;
    }
    let message = payload_text(info.payload());
    let location = info
        .location()
        .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
    *lock_last_panic() = Some(Panic {
        message: truncate(message),
        location,
    });
}

fn lock_last_panic() -> std::sync::MutexGuard<'static, Option<Panic>> {
    // A panic while the lock is held cannot happen (nothing in the hook panics), but a
    // poisoned lock still holds a usable value.
    LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner())
}

/// The text of a panic's payload (`panic!("...")` gives a `&str` or a `String`).
fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        message!(
            en: "a panic with a payload that is not text",
            zh: "一次 panic，其负载不是文本",
        )
    }
}

/// At most [`MESSAGE_LIMIT`] bytes of `text`, cut at a character boundary.
fn truncate(mut text: String) -> String {
    if text.len() > MESSAGE_LIMIT {
        let mut end = MESSAGE_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str(" [...]");
    }
    text
}

/// The end of a run without `--verdict`: each failure's message, then the counts.
fn print_summary(total: usize, failures: &[(String, Panic)]) {
    if !failures.is_empty() {
        println!("\nfailures:");
        for (name, panic) in failures {
            let at = panic
                .location
                .as_deref()
                .map(|l| format!(" (at {l})"))
                .unwrap_or_default();
            println!("\n---- {name}{at}\n{}", panic.message);
        }
    }
    println!(
        "\n{} passed, {} failed ({total} checks)",
        total - failures.len(),
        failures.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> impl Iterator<Item = String> {
        text.split_whitespace()
            .map(str::to_string)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn arguments_parse() {
        let parsed = Arguments::parse(words("--verdict out.txt --seed 7")).unwrap();
        assert_eq!(parsed.verdict, Some(PathBuf::from("out.txt")));
        assert_eq!(parsed.seed, 7);
        let filters = Arguments::parse(words("ch03 --quiet pooled")).unwrap();
        assert_eq!(filters.filters, ["ch03", "pooled"]);
        assert!(Arguments::parse(words("--seed many")).is_err());
        assert!(Arguments::parse(words("--verdict")).is_err());
        assert!(Arguments::parse(words("--verdict v ch03")).is_err());
        let chinese = Arguments::parse(words("--verdict v --lang zh-CN")).unwrap();
        assert_eq!(chinese.lang, Lang::ZhCn);
        let error = Arguments::parse(words("--lang fr")).unwrap_err();
        assert_eq!(
            error,
            "--lang: unknown language `fr`; the known languages are en, zh-CN"
        );
    }

    #[test]
    fn languages_come_from_the_flag_then_the_variable() {
        assert_eq!(Lang::parse("zh_cn"), Ok(Lang::ZhCn));
        assert_eq!(Lang::parse("EN"), Ok(Lang::En));
        assert_eq!(Lang::choose(None, None), Ok(Lang::En));
        assert_eq!(Lang::choose(None, Some("")), Ok(Lang::En));
        assert_eq!(Lang::choose(None, Some("zh-CN")), Ok(Lang::ZhCn));
        assert_eq!(Lang::choose(Some("en"), Some("zh-CN")), Ok(Lang::En));
        let error = Lang::choose(None, Some("de")).unwrap_err();
        assert!(
            error.starts_with("$CNN_BOOK_LANG: unknown language `de`"),
            "{error}"
        );
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.code()), Ok(lang));
        }
    }

    #[test]
    fn a_passing_and_a_panicking_check() {
        std::panic::set_hook(Box::new(record_panic));
        assert_eq!(run_one(|| {}), Ok(()));
        let panic = run_one(|| panic!("value {} is wrong", 3)).unwrap_err();
        assert_eq!(panic.message, "value 3 is wrong");
        let location = panic.location.unwrap();
        assert!(
            location.starts_with("exercises/harness/src/lib.rs:"),
            "{location}"
        );
        let todo = run_one(|| todo!()).unwrap_err();
        assert_eq!(todo.message, "not yet implemented");
    }

    #[test]
    fn long_messages_are_cut() {
        let cut = truncate("é".repeat(MESSAGE_LIMIT));
        assert!(cut.len() <= MESSAGE_LIMIT + 6);
        assert!(cut.ends_with(" [...]"));
        assert_eq!(truncate("short".into()), "short");
    }
}
