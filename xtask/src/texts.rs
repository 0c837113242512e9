//! What `cargo xtask check` and `cargo xtask grade` say to a person, in every language of
//! [`Lang`]: the one catalogue of the checker's own messages.
//!
//! Each message is a function with its English and its Simplified Chinese side by side, in a
//! `match` on the language, so a message without a translation does not compile, and the
//! compiler checks that both texts use the same values. English is the source; a new
//! language is a new arm in each function. The exercises' titles and hints are translated in
//! `exercises/exercises.zh-CN.toml` ([`crate::catalogue`]), and the checks' failure messages
//! beside each check, with `cnn_exercises_harness::message!`.
//!
//! What stays the same in every language, for teachers' scripts: the JSON report's field
//! names and status codes (`passed`, `not_started`, ...), the CSV file's header, exercise
//! ids, paths, commands and what the checked code printed.

pub use cnn_exercises_harness::Lang;

/// A `format!` of the English or of the Chinese text, by language.
macro_rules! say {
    ($lang:expr, en: $en:literal, zh: $zh:literal $(, $argument:expr)* $(,)?) => {
        match $lang {
            Lang::En => format!($en $(, $argument)*),
            Lang::ZhCn => format!($zh $(, $argument)*),
        }
    };
}

/// "1 exercise", "3 exercises"; "1 道练习" ...
pub fn exercises(lang: Lang, count: usize) -> String {
    let plural = if count == 1 { "" } else { "s" };
    say!(lang, en: "{count} exercise{plural}", zh: "{count} 道练习")
}

/// "1 learner", "5 learners".
pub fn learners(lang: Lang, count: usize) -> String {
    let plural = if count == 1 { "" } else { "s" };
    say!(lang, en: "{count} learner{plural}", zh: "{count} 名学生")
}

// The verdicts.

pub fn status_passed(lang: Lang) -> String {
    say!(lang, en: "PASS", zh: "通过")
}
pub fn status_failed(lang: Lang) -> String {
    say!(lang, en: "FAIL", zh: "未通过")
}
pub fn status_not_started(lang: Lang) -> String {
    say!(lang, en: "NOT STARTED", zh: "未开始")
}
pub fn status_compile_error(lang: Lang) -> String {
    say!(lang, en: "DOES NOT COMPILE", zh: "无法编译")
}
pub fn status_timed_out(lang: Lang) -> String {
    say!(lang, en: "TIMED OUT", zh: "超时")
}
pub fn status_crashed(lang: Lang) -> String {
    say!(lang, en: "CRASHED", zh: "崩溃")
}
pub fn status_not_handed_in(lang: Lang) -> String {
    say!(lang, en: "NOT HANDED IN", zh: "未提交")
}
pub fn status_no_checks(lang: Lang) -> String {
    say!(lang, en: "NO CHECKS", zh: "没有检查")
}

/// The level of an exercise, as `--list` shows it.
pub fn level(lang: Lang, level: crate::catalogue::Level) -> String {
    use crate::catalogue::Level;
    match level {
        Level::Compute => say!(lang, en: "compute", zh: "计算"),
        Level::Implement => say!(lang, en: "implement", zh: "实现"),
        Level::Investigate => say!(lang, en: "investigate", zh: "探究"),
    }
}

// Why a run stopped (the message of a TIMED OUT or CRASHED exercise).

pub fn during_check(lang: Lang, check: &str) -> String {
    // In Chinese with a space after the name, before the Chinese that follows it.
    say!(lang, en: "check {check}", zh: "检查 {check} ")
}
pub fn between_checks(lang: Lang) -> String {
    say!(lang, en: "between checks", zh: "两项检查之间")
}
pub fn before_the_checks(lang: Lang) -> String {
    say!(lang, en: "before the checks began", zh: "检查开始之前")
}
pub fn timed_out(lang: Lang, during: &str, seconds: f64) -> String {
    say!(lang,
        en: "{during} did not finish within {seconds} seconds: an endless loop?",
        zh: "{during}没有在 {seconds} 秒内完成：是不是死循环？")
}
pub fn stack_overflow(lang: Lang) -> String {
    say!(lang, en: "a stack overflow: endless recursion?", zh: "栈溢出：是不是无穷递归？")
}
pub fn crashed(lang: Lang, during: &str, how: &str) -> String {
    say!(lang,
        en: "the program crashed during {during}: {how}",
        zh: "程序在{during}时崩溃：{how}")
}
pub fn exited(lang: Lang, code: &str, during: &str) -> String {
    say!(lang,
        en: "the program exited (status {code}) during {during}, before its checks were done: \
             does the code call std::process::exit? Only the checker may end it",
        zh: "程序在{during}时退出（状态 {code}），检查还没做完：代码里是否调用了 \
             std::process::exit？只有检查程序可以结束它")
}

/// A signal's usual name and what it means for a learner.
pub fn signal_meaning(lang: Lang, signal: i32) -> String {
    match signal {
        6 => say!(lang,
            en: "SIGABRT: the program aborted (std::process::abort, or a panic during a panic)",
            zh: "SIGABRT：程序中止了（std::process::abort，或在 panic 过程中又发生 panic）"),
        9 => say!(lang,
            en: "SIGKILL: the program was killed (out of memory?)",
            zh: "SIGKILL：程序被强行结束（内存不够？）"),
        11 => say!(lang, en: "SIGSEGV: a memory access fault", zh: "SIGSEGV：内存访问错误"),
        4 => say!(lang,
            en: "SIGILL: an illegal instruction (an abort)",
            zh: "SIGILL：非法指令（程序中止）"),
        other => say!(lang, en: "signal {other}", zh: "信号 {other}"),
    }
}

/// The file of an exercise a submission lacks.
pub fn file_missing(lang: Lang, file: &str) -> String {
    say!(lang, en: "{file} is missing", zh: "缺少 {file}")
}

// The summary line: "12 passed, 3 failed (30 exercises)".

pub fn count_passed(lang: Lang, count: usize) -> String {
    say!(lang, en: "{count} passed", zh: "{count} 道通过")
}
pub fn count_failed(lang: Lang, count: usize) -> String {
    say!(lang, en: "{count} failed", zh: "{count} 道未通过")
}
pub fn count_not_started(lang: Lang, count: usize) -> String {
    say!(lang, en: "{count} not started", zh: "{count} 道未开始")
}
pub fn count_compile_error(lang: Lang, count: usize) -> String {
    say!(lang, en: "{count} do not compile", zh: "{count} 道无法编译")
}
pub fn count_timed_out(lang: Lang, count: usize) -> String {
    say!(lang, en: "{count} timed out", zh: "{count} 道超时")
}
pub fn count_crashed(lang: Lang, count: usize) -> String {
    say!(lang, en: "{count} crashed", zh: "{count} 道崩溃")
}
pub fn count_not_handed_in(lang: Lang, count: usize) -> String {
    say!(lang, en: "{count} not handed in", zh: "{count} 道未提交")
}
pub fn count_no_checks(lang: Lang, count: usize) -> String {
    say!(lang, en: "{count} without checks", zh: "{count} 道没有检查")
}
pub fn summary(lang: Lang, parts: &[String], total: usize) -> String {
    let exercises = exercises(lang, total);
    match lang {
        Lang::En => format!("{} ({exercises})", parts.join(", ")),
        Lang::ZhCn => format!("{}（共 {total} 道练习）", parts.join("，")),
    }
}
pub fn points_of(lang: Lang, points: u32, possible: u32) -> String {
    say!(lang, en: "; {points} of {possible} points", zh: "；得分 {points}/{possible}")
}

// The text report, under each exercise.

pub fn prediction_right(lang: Lang) -> String {
    say!(lang,
        en: "prediction right; now write your EXPLANATION for your teacher",
        zh: "预测正确；现在为老师写下你的 EXPLANATION（解释）")
}
pub fn more_lines(lang: Lang, count: usize) -> String {
    say!(lang, en: "... {count} more lines", zh: "……还有 {count} 行")
}
pub fn failed_check(lang: Lang, check: &str, location: Option<&str>) -> String {
    match location {
        Some(at) => say!(lang,
            en: "check {check}, panicked at {at}:",
            zh: "检查 {check}，panic 位于 {at}："),
        None => say!(lang, en: "check {check}:", zh: "检查 {check}："),
    }
}
pub fn no_checks_in(lang: Lang, file: &str) -> String {
    say!(lang,
        en: "no checks in exercises/tests/check/{file}",
        zh: "exercises/tests/check/{file} 里没有检查")
}
pub fn your_code_printed(lang: Lang) -> String {
    say!(lang, en: "your code printed:", zh: "你的代码输出了：")
}
pub fn edit(lang: Lang, path: &str) -> String {
    say!(lang, en: "edit {path}", zh: "请编辑 {path}")
}
pub fn hint_label(lang: Lang, number: usize) -> String {
    say!(lang, en: "hint {number}: ", zh: "提示 {number}：")
}
pub fn another_hint(lang: Lang, number: usize) -> String {
    say!(lang,
        en: "(another hint: --hint {number})",
        zh: "（更多提示：--hint {number}）")
}

// `cargo xtask check`'s own lines.

pub fn checking(lang: Lang, count: usize, code: &str, what: &str, title: Option<&str>) -> String {
    let exercises = exercises(lang, count);
    match lang {
        Lang::En => {
            let what = if what.is_empty() {
                String::new()
            } else {
                format!(": {what}")
            };
            let title = title.map(|t| format!(" ({t})")).unwrap_or_default();
            format!("==> Checking {exercises} ({code}){what}{title}")
        }
        Lang::ZhCn => {
            let code = match code {
                "starters" => "起始代码",
                "solutions" => "参考答案",
                other => other,
            };
            let what = if what.is_empty() {
                String::new()
            } else {
                format!("：{what}")
            };
            let title = title.map(|t| format!("（{t}）")).unwrap_or_default();
            format!("==> 正在检查 {exercises}（{code}）{what}{title}")
        }
    }
}
pub fn assignment_named(lang: Lang, name: &str) -> String {
    say!(lang, en: "assignment {name}", zh: "作业 {name}")
}
pub fn first_build(lang: Lang) -> String {
    say!(lang,
        en: "    (the first check compiles cnn-core and the checks' other dependencies: \
             a few minutes; later checks take seconds)",
        zh: "    （第一次检查要编译 cnn-core 及检查用到的其他依赖：需要几分钟；之后每次只要几秒）")
}
pub fn report_written(lang: Lang, path: &str) -> String {
    say!(lang, en: "Report written to {path}", zh: "报告已写入 {path}")
}
pub fn watching(lang: Lang) -> String {
    say!(lang,
        en: "\n==> Watching exercises/ for changes (Ctrl-C to stop)",
        zh: "\n==> 正在监视 exercises/ 的改动（按 Ctrl-C 停止）")
}
pub fn list_minutes(lang: Lang, minutes: u32) -> String {
    say!(lang, en: "{minutes:>3} min", zh: "{minutes:>3} 分钟")
}
pub fn list_assignments(lang: Lang) -> String {
    say!(lang,
        en: "\nAssignments (cargo xtask check --assignment NAME):",
        zh: "\n作业（cargo xtask check --assignment 作业名）：")
}
pub fn list_assignment(lang: Lang, count: usize, points: u32, title: &str) -> String {
    let exercises = exercises(lang, count);
    say!(lang,
        en: "{exercises}, {points} points: {title}",
        zh: "{exercises}，{points} 分：{title}")
}

// Errors about what was asked for.

pub fn no_chapter(lang: Lang, chapter: &str, chapters: &str) -> String {
    say!(lang,
        en: "no exercises for chapter `{chapter}`; chapters with exercises: {chapters}",
        zh: "没有 `{chapter}` 章的练习；有练习的章：{chapters}")
}
pub fn no_exercise(lang: Lang, target: &str) -> String {
    say!(lang, en: "no exercise `{target}`.", zh: "没有练习 `{target}`。")
}
pub fn give_a_target(lang: Lang, chapters: &str, example: &str) -> String {
    say!(lang,
        en: " Give a chapter ({chapters}), an exercise id such as `{example}` or \
             --assignment NAME; `cargo xtask check --list` lists them all.",
        zh: "请给出一章（{chapters}）、一个练习 id（例如 `{example}`）或 \
             --assignment 作业名；`cargo xtask check --list` 会列出全部。")
}
pub fn chapter_has(lang: Lang, chapter: &str, ids: &str) -> String {
    say!(lang, en: " Chapter {chapter} has: {ids}.", zh: "{chapter} 章有：{ids}。")
}
pub fn no_assignments(lang: Lang, name: &str) -> String {
    say!(lang,
        en: "no assignment `{name}`: exercises/exercises.toml declares no [[assignment]]",
        zh: "没有作业 `{name}`：exercises/exercises.toml 里没有声明任何 [[assignment]]")
}
pub fn no_assignment(lang: Lang, name: &str, known: &str) -> String {
    say!(lang,
        en: "no assignment `{name}`; exercises/exercises.toml declares: {known}",
        zh: "没有作业 `{name}`；exercises/exercises.toml 声明的作业有：{known}")
}
pub fn bad_time_limit(lang: Lang, seconds: f64) -> String {
    say!(lang,
        en: "--time-limit {seconds}: give a number of seconds above 0 and at most 3600",
        zh: "--time-limit {seconds}：请给出大于 0、至多 3600 的秒数")
}

// `cargo xtask grade`.

#[allow(clippy::too_many_arguments)]
pub fn grading(
    lang: Lang,
    learners: usize,
    folder: &str,
    what: &str,
    title: Option<&str>,
    exercises: usize,
    points: u32,
    seed: u64,
) -> String {
    let people = self::learners(lang, learners);
    match lang {
        Lang::En => {
            let title = title.map(|t| format!(" ({t})")).unwrap_or_default();
            format!(
                "==> Grading {people} in {folder}: {what}{title} ({exercises} exercises, \
                 {points} points), seed {seed}"
            )
        }
        Lang::ZhCn => {
            let title = title.map(|t| format!("（{t}）")).unwrap_or_default();
            format!(
                "==> 正在为 {folder} 中的 {people}评分：{what}{title}（{exercises} 道练习，\
                 {points} 分），种子 {seed}"
            )
        }
    }
}
pub fn all_exercises(lang: Lang) -> String {
    say!(lang, en: "all", zh: "全部练习")
}
pub fn learner_points(lang: Lang, learner: &str, points: u32, possible: u32, note: &str) -> String {
    match (lang, note.is_empty()) {
        (Lang::En, true) => format!("{learner}: {points} of {possible} points"),
        (Lang::En, false) => format!("{learner}: {points} of {possible} points ({note})"),
        (Lang::ZhCn, true) => format!("{learner}：{points}/{possible} 分"),
        (Lang::ZhCn, false) => format!("{learner}：{points}/{possible} 分（{note}）"),
    }
}
pub fn graded(
    lang: Lang,
    learners: usize,
    took: &str,
    seed: u64,
    csv: &str,
    reports: usize,
    folder: &str,
) -> String {
    let people = self::learners(lang, learners);
    say!(lang,
        en: "==> Graded {people} in {took} (seed {seed}): grades in {csv}, {reports} reports in {folder}",
        zh: "==> 已为 {people}评分，用时 {took}（种子 {seed}）：成绩在 {csv}，{reports} 份报告在 {folder}")
}
pub fn duration(lang: Lang, seconds: f64) -> String {
    if seconds < 60.0 {
        say!(lang, en: "{seconds:.1} s", zh: "{seconds:.1} 秒")
    } else {
        let (minutes, rest) = (seconds as u64 / 60, seconds as u64 % 60);
        say!(lang, en: "{minutes} min {rest:02} s", zh: "{minutes} 分 {rest:02} 秒")
    }
}
pub fn reading(lang: Lang, learner: &str) -> String {
    say!(lang, en: "{learner}: reading", zh: "{learner}：读取中")
}
pub fn built(lang: Lang, done: usize, total: usize) -> String {
    say!(lang,
        en: "built {done} of {total} exercises",
        zh: "已编译 {done}/{total} 道练习")
}
pub fn running(lang: Lang, id: &str) -> String {
    say!(lang, en: "running {id}", zh: "正在运行 {id}")
}

/// The headings of a learner's note (the CSV's `note` column and the JSON's `note`).
pub fn note_compile_error(lang: Lang) -> String {
    say!(lang, en: "does not compile", zh: "无法编译")
}
pub fn note_timed_out(lang: Lang) -> String {
    say!(lang, en: "timed out", zh: "超时")
}
pub fn note_crashed(lang: Lang) -> String {
    say!(lang, en: "crashed", zh: "崩溃")
}
pub fn note_not_handed_in(lang: Lang) -> String {
    say!(lang, en: "not handed in", zh: "未提交")
}
pub fn note_part(lang: Lang, what: &str, ids: &str) -> String {
    say!(lang, en: "{what}: {ids}", zh: "{what}：{ids}")
}
pub fn note_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "; ",
        Lang::ZhCn => "；",
    }
}

// Why a learner's folder cannot be graded.

pub fn link_to_nothing(lang: Lang) -> String {
    say!(lang, en: "missing: a link to nothing", zh: "缺失：一个指向不存在之处的链接")
}
pub fn an_archive(lang: Lang) -> String {
    say!(lang,
        en: "not a folder of Rust files: an archive; unpack it into a folder named after the learner",
        zh: "不是 Rust 文件的文件夹：是一个压缩包；请把它解压到以学生命名的文件夹里")
}
pub fn a_file(lang: Lang) -> String {
    say!(lang, en: "not a folder of Rust files: a file", zh: "不是 Rust 文件的文件夹：是一个文件")
}
pub fn empty_folder(lang: Lang) -> String {
    say!(lang, en: "empty: nothing handed in", zh: "空的：什么也没交")
}
pub fn no_rust_files(lang: Lang) -> String {
    say!(lang,
        en: "not a folder of Rust files: no .rs file in it",
        zh: "不是 Rust 文件的文件夹：里面没有 .rs 文件")
}
pub fn no_chapter_folders(lang: Lang) -> String {
    say!(lang,
        en: "missing: Rust files, but no chNN/ folders of exercise files (expected the \
             learner's exercises/src/ folder)",
        zh: "缺失：有 Rust 文件，但没有放练习文件的 chNN/ 文件夹（应当是学生的 \
             exercises/src/ 文件夹）")
}
pub fn none_of_the_files(lang: Lang, count: usize, example: &str) -> String {
    say!(lang,
        en: "missing: none of the {count} files graded (such as {example})",
        zh: "缺失：要评分的 {count} 个文件一个也没有（例如 {example}）")
}

pub fn submissions_not_a_folder(lang: Lang, folder: &str) -> String {
    say!(lang,
        en: "the submissions folder {folder} is not a folder",
        zh: "提交文件夹 {folder} 不是文件夹")
}
pub fn submissions_missing(lang: Lang, folder: &str) -> String {
    say!(lang,
        en: "the submissions folder {folder} does not exist",
        zh: "提交文件夹 {folder} 不存在")
}
pub fn submissions_empty(lang: Lang, folder: &str) -> String {
    say!(lang,
        en: "the submissions folder {folder} is empty: it needs one folder per learner",
        zh: "提交文件夹 {folder} 是空的：每名学生需要一个文件夹")
}
pub fn the_json_reports(lang: Lang) -> String {
    say!(lang, en: "the JSON reports", zh: "JSON 报告")
}
pub fn inside_submissions(lang: Lang, what: &str, path: &str) -> String {
    say!(lang,
        en: "{what} ({path}) would be inside the submissions folder, where it would look like \
             a learner's submission; write it elsewhere",
        zh: "{what}（{path}）会落在提交文件夹里，看起来像某名学生的提交；请写到别处")
}
pub fn hidden_unused(lang: Lang, ids: &str, graded: &str) -> String {
    say!(lang,
        en: "note: the hidden checks of {ids} are not used: {graded} does not grade them",
        zh: "注意：{ids} 的隐藏检查没有用上：{graded} 不评这些练习")
}
pub fn no_solutions_here(lang: Lang) -> String {
    say!(lang,
        en: "note: no exercises/solutions/ here, so the hidden checks are not tried on them",
        zh: "注意：这里没有 exercises/solutions/，所以隐藏检查没有在参考答案上试过")
}
pub fn trying_hidden(lang: Lang, folder: &str) -> String {
    say!(lang,
        en: "==> Trying the hidden checks of {folder} on the reference solutions",
        zh: "==> 正在用参考答案试运行 {folder} 中的隐藏检查")
}

// Why a learner's file is refused unbuilt (a DOES NOT COMPILE exercise).

pub fn refused_missing(lang: Lang) -> String {
    say!(lang, en: "the file is missing", zh: "文件不存在")
}
pub fn refused_link(lang: Lang) -> String {
    say!(lang, en: "a link, not a file", zh: "是一个链接，不是文件")
}
pub fn refused_not_a_file(lang: Lang) -> String {
    say!(lang, en: "not a file", zh: "不是文件")
}
pub fn refused_too_large(lang: Lang, bytes: u64) -> String {
    say!(lang, en: "{bytes} bytes: larger than 1 MiB", zh: "{bytes} 字节：超过 1 MiB")
}
pub fn refused_unreadable(lang: Lang, error: &str) -> String {
    say!(lang, en: "cannot be read: {error}", zh: "无法读取：{error}")
}
/// `why` is one of [`crate::scratch::forbidden_construct`]'s English reasons.
pub fn refused_construct(lang: Lang, construct: &str, why: &str) -> String {
    match lang {
        Lang::En => format!("uses {construct}, {why}"),
        Lang::ZhCn => {
            let why = if construct == "unsafe" {
                "练习用不到它，检查程序也不允许"
            } else {
                "它会在编译时读取另一个文件"
            };
            format!("用了 {construct}，{why}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_a_text_in_every_language() {
        // The compiler sees to the translations; this checks that none is left empty or
        // was pasted from the English by mistake.
        for lang in Lang::ALL {
            let samples = [
                status_passed(lang),
                status_failed(lang),
                status_not_started(lang),
                status_compile_error(lang),
                status_timed_out(lang),
                status_crashed(lang),
                status_not_handed_in(lang),
                status_no_checks(lang),
                timed_out(lang, &during_check(lang, "ch03::a"), 10.0),
                crashed(lang, &between_checks(lang), &stack_overflow(lang)),
                exited(lang, "0", &before_the_checks(lang)),
                prediction_right(lang),
                your_code_printed(lang),
                first_build(lang),
                empty_folder(lang),
            ];
            for sample in samples {
                assert!(!sample.trim().is_empty());
                let ascii_only = sample.is_ascii();
                assert_eq!(ascii_only, lang == Lang::En, "{}: {sample}", lang.code());
            }
        }
        assert_eq!(duration(Lang::ZhCn, 83.0), "1 分 23 秒");
        assert_eq!(duration(Lang::En, 45.24), "45.2 s");
    }

    /// The Rust files of the checks: every exercise's, the shared helpers, and the example
    /// of a teacher's hidden checks.
    fn check_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, files);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(&root.join("exercises/tests/check"), &mut files);
        walk(&root.join("exercises/hidden-tests-example"), &mut files);
        files.sort();
        files
    }

    /// The text from `open` (just after a call's opening parenthesis) to its closing one.
    fn call_arguments(text: &str, open: usize) -> &str {
        let mut depth = 1;
        let mut in_string = false;
        let bytes = text.as_bytes();
        let mut i = open;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' if in_string => i += 1,
                b'"' => in_string = !in_string,
                b'(' | b'[' | b'{' if !in_string => depth += 1,
                b')' | b']' | b'}' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        return &text[open..i];
                    }
                }
                _ => {}
            }
            i += 1;
        }
        &text[open..]
    }

    /// True if a description handed to an assertion helper is code only (such as
    /// `"softmax(&[3, 3])"` or `format!("output_size({input}, ...)")`), which reads the same
    /// in every language: no word of two letters or more but a function's name before `(`
    /// and names with `_`.
    fn is_code_only(arguments: &str) -> bool {
        // The string literals of the call, each without its `{...}` placeholders.
        let mut literals = Vec::new();
        let mut current: Option<String> = None;
        let mut depth = 0;
        for c in arguments.chars() {
            match (&mut current, c) {
                (None, '"') => current = Some(String::new()),
                (Some(text), '"') => {
                    literals.push(std::mem::take(text));
                    current = None;
                }
                (Some(_), '{') => depth += 1,
                (Some(_), '}') => depth -= 1,
                (Some(text), c) if depth == 0 => text.push(c),
                _ => {}
            }
        }
        !literals.is_empty()
            && literals.iter().all(|literal| {
                let mut word = String::new();
                for c in literal.chars().chain([' ']) {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        word.push(c);
                        continue;
                    }
                    let letters = word.chars().filter(|c| c.is_ascii_alphabetic()).count();
                    // A name with `_` (`d_signal`) or before `(` is code; a word is prose.
                    if letters >= 2 && c != '(' && !word.contains('_') {
                        return false;
                    }
                    word.clear();
                }
                true
            })
    }

    /// Every failure message of the checks is written with `message!` (English and Chinese
    /// side by side), or is code that reads the same in every language: an assertion with
    /// an English-only message would show English to a Chinese learner.
    #[test]
    fn every_check_message_is_translated() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut untranslated = Vec::new();
        let mut assertions = 0;
        for file in check_files(&root) {
            let text = std::fs::read_to_string(&file).unwrap();
            let name = file.strip_prefix(&root).unwrap().display().to_string();
            for call in [
                "assert!(",
                "assert_eq!(",
                "assert_ne!(",
                "panic!(",
                "unreachable!(",
                ".expect(",
                "assert_close(",
                "assert_same(",
            ] {
                for (at, _) in text.match_indices(call) {
                    // The helpers' own definitions are not calls.
                    if text[..at].ends_with("fn ") {
                        continue;
                    }
                    let arguments = call_arguments(&text, at + call.len());
                    assertions += 1;
                    let helper = call == "assert_close(" || call == "assert_same(";
                    let forwarded =
                        call == "panic!(" && arguments.starts_with("\"{}\", cannot_load");
                    let translated = arguments.contains("message!(")
                        || arguments.contains("same_shape()")
                        || forwarded
                        || (helper && (is_code_only(arguments) || arguments.contains("&what")));
                    if !translated {
                        let line = text[..at].lines().count();
                        untranslated.push(format!("{name}:{line}: {call}{arguments})"));
                    }
                }
            }
        }
        assert!(assertions > 100, "only {assertions} assertions found");
        assert!(
            untranslated.is_empty(),
            "assertions whose message is not written with message!(en: ..., zh: ...):\n{}",
            untranslated.join("\n")
        );
    }

    #[test]
    fn code_only_descriptions_are_told_from_prose() {
        assert!(is_code_only("&got, &expected, \"softmax(&[3, 3])\""));
        assert!(is_code_only(
            "a, b, &format!(\"output_size({input}, {kernel})\")"
        ));
        assert!(is_code_only(
            "a, b, \"output_size(6, 3, 2, 0): floor(3 / 2) + 1\""
        ));
        assert!(!is_code_only("a, b, \"3x3 input, 2x2 kernel\""));
        assert!(!is_code_only("a, b, \"the first one wins\""));
    }
}
