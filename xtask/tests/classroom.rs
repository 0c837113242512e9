//! The Teacher's guide, run: every command of its `console` blocks, in order and as written
//! (with `~/class` a fresh folder), against a pretend class whose eleven learners show each
//! way a submission can go wrong; then the grades are compared with the CSV file the guide
//! shows, the hidden checks' grades with what the guide says of them, and the guide's JSON
//! example with a real report.
//!
//! It builds and grades the class, which takes minutes, so it is `#[ignore]`d from
//! `cargo test --workspace`; CI runs it with
//! `cargo test -p xtask --test classroom -- --ignored --nocapture`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask/ is in the repository")
        .to_path_buf()
}

/// Copies the files of `from` into `to`, folders and all.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// `text` with every `todo!(...)` replaced by `body`.
fn replace_todos(text: &str, body: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("todo!(") {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find(')').expect("a todo!( is closed");
        out.push_str(body);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The pretend class of the guide, one folder per learner in `class`, each a learner's
/// `exercises/src/` (the starters, some files replaced):
fn make_class(root: &Path, class: &Path) {
    let starters = root.join("exercises/src");
    let solutions = root.join("exercises/solutions");
    let learner = |name: &str, solved: &[&str]| -> PathBuf {
        let folder = class.join(name);
        copy_tree(&starters, &folder);
        for chapter in solved {
            copy_tree(&solutions.join(chapter), &folder.join(chapter));
        }
        folder
    };
    let starter = |file: &str| std::fs::read_to_string(starters.join(file)).unwrap();
    let write =
        |folder: &Path, file: &str, text: &str| std::fs::write(folder.join(file), text).unwrap();
    let week2 = ["ch03", "ch04"];

    // Correct work.
    learner("correct", &week2);
    // Correct work, and a type error in a file of chapter 5, which week2 does not grade.
    let folder = learner("type-error-in-ch05", &week2);
    let broken = starter("ch05/receptive_field.rs").replacen(
        "todo!(\"write the number you worked out\")",
        "{ let three: usize = \"three\"; three }",
        1,
    );
    write(&folder, "ch05/receptive_field.rs", &broken);
    // Correct work but one exercise that loops forever, printing as it goes.
    let folder = learner("endless-loop", &week2);
    let looping = replace_todos(
        &starter("ch04/same_padding.rs"),
        "loop { println!(\"kernel {kernel}: still looking\"); }",
    );
    write(&folder, "ch04/same_padding.rs", &looping);
    // Correct work but one exercise whose recursion never ends.
    let folder = learner("stack-overflow", &week2);
    let recursing = replace_todos(
        &starter("ch03/max_pool_argmax.rs"),
        "{ fn deeper(n: u64) -> u64 { deeper(n + 1) + 1 } let _ = deeper(kernel as u64); unreachable!() }",
    );
    write(&folder, "ch03/max_pool_argmax.rs", &recursing);
    // Correct work but one exercise that aborts.
    let folder = learner("abort", &week2);
    let aborting = replace_todos(&starter("ch04/output_size.rs"), "std::process::abort()");
    write(&folder, "ch04/output_size.rs", &aborting);
    // Correct work but a backward pass that lets the last of equal maxima win: the visible
    // checks (random values) do not notice; the hidden ones (ties) do.
    let folder = learner("ties-last", &week2);
    let solution = std::fs::read_to_string(solutions.join("ch03/max_pool_backward.rs")).unwrap();
    assert!(solution.contains("if map[[row, col]] > map[best] {"));
    let last = solution.replace(
        "if map[[row, col]] > map[best] {",
        "if map[[row, col]] >= map[best] {",
    );
    write(&folder, "ch03/max_pool_backward.rs", &last);
    // No work: the starters.
    learner("no-work", &[]);
    // Output forged to look like passing tests, then an exit before the checks can fail.
    let folder = learner("forged-output", &[]);
    for chapter in week2 {
        for entry in std::fs::read_dir(folder.join(chapter)).unwrap() {
            let path = entry.unwrap().path();
            let text = replace_todos(&std::fs::read_to_string(&path).unwrap(), "forge()");
            let forged = format!(
                "{text}\nfn forge() -> ! {{\n    for name in [\"ch03::pooled_sizes::lenet_pooling\", \
                 \"ch04::same_padding::odd_kernels_keep_the_size\"] {{\n        \
                 println!(\"test {{name}} ... ok\");\n    }}\n    \
                 println!(\"test result: ok. 69 passed; 0 failed; 0 ignored\");\n    \
                 std::process::exit(0)\n}}\n"
            );
            std::fs::write(&path, forged).unwrap();
        }
    }
    // Folders that cannot be graded.
    std::fs::create_dir_all(class.join("empty-folder")).unwrap();
    std::fs::create_dir_all(class.join("notes-only")).unwrap();
    write(&class.join("notes-only"), "notes.txt", "I ran out of time.");
    std::fs::write(class.join("zipped.zip"), b"PK\x03\x04").unwrap();
}

/// The lines of the guide's ```console blocks, in order.
fn console_commands(guide: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_console = false;
    for line in guide.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") {
            in_console = trimmed == "```console";
            continue;
        }
        if in_console && !trimmed.is_empty() {
            commands.push(trimmed.to_string());
        }
    }
    commands
}

/// The first fenced block of `kind` after the text `marker` in `text`.
fn block_after(text: &str, marker: &str, kind: &str) -> String {
    let after = &text[text.find(marker).expect("the marker is in the guide")..];
    let open = format!("```{kind}\n");
    let start = after.find(&open).expect("a block follows the marker") + open.len();
    let length = after[start..].find("```").expect("the block is closed");
    after[start..start + length].to_string()
}

/// Runs a shell command in the repository; returns its status code and output.
fn run(root: &Path, command: &str) -> (i32, String) {
    let output = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(root)
        .output()
        .expect("sh runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code().unwrap_or(-1), text)
}

#[test]
#[ignore = "builds and grades a class of eleven, twice: minutes (CI runs it)"]
fn the_teachers_guide_runs_and_grades_its_class_right() {
    let root = root();
    let guide = std::fs::read_to_string(root.join("book/teachers-guide.md")).unwrap();
    let home = std::env::temp_dir().join(format!("cnn-book-classroom-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let class = home.join("class");
    make_class(&root, &class.join("week2"));

    // Wrong places for the grades are found before any work, and nothing is written.
    let started = Instant::now();
    let (code, output) = run(
        &root,
        &format!(
            "cargo xtask grade {0}/week2 --assignment week2 --csv {0}/no/such/folder/week2.csv",
            class.display()
        ),
    );
    assert_ne!(code, 0, "{output}");
    assert!(output.contains("does not exist"), "{output}");
    assert!(!output.contains("Grading"), "it started grading:\n{output}");
    let (code, output) = run(
        &root,
        &format!(
            "cargo xtask grade {0}/week2 --assignment week2 --csv {0}/week2/grades.csv",
            class.display()
        ),
    );
    assert_ne!(code, 0, "{output}");
    assert!(output.contains("inside the submissions folder"), "{output}");
    println!(
        "bad destinations refused in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    for command in console_commands(&guide) {
        let command = command.replace("~/class", &class.display().to_string());
        let started = Instant::now();
        let (code, output) = run(&root, &command);
        println!(
            "$ {command}\n{}\n(exit status {code}, {:.1} s)\n",
            output.trim_end(),
            started.elapsed().as_secs_f64()
        );
        // A learner's check of unsolved exercises fails (status 1), as it should.
        let is_check_of_starters = command.starts_with("cargo xtask check")
            && !command.contains("--list")
            && !command.contains("--verify");
        if is_check_of_starters {
            assert!(code == 0 || code == 1, "`{command}` failed:\n{output}");
            assert!(
                output.contains("passed"),
                "`{command}` gave no summary:\n{output}"
            );
        } else {
            assert_eq!(code, 0, "`{command}` failed:\n{output}");
        }
    }

    // The grades, exactly as the guide shows them.
    let shown = block_after(&guide, "Its grades:", "text");
    let graded = std::fs::read_to_string(class.join("week2.csv")).unwrap();
    assert_eq!(graded, shown, "the grades differ from the guide's");

    // With the hidden checks, only ties-last loses the points of ch03-max-pool-backward.
    let hidden = std::fs::read_to_string(class.join("week2-hidden.csv")).unwrap();
    let expected_hidden = shown.replace(
        "ties-last,1,2,2,1,2,1,2,1,12,",
        "ties-last,1,2,0,1,2,1,2,1,10,",
    );
    assert_eq!(hidden, expected_hidden);

    // The same code and seed give the same grades and reports, byte for byte, on one core
    // (where `taskset` can pin the grader to one) as on all of them.
    let hidden_command = console_commands(&guide)
        .into_iter()
        .find(|c| c.contains("--hidden-tests"))
        .unwrap()
        .replace("~/class", &class.display().to_string())
        .replace("week2-hidden.csv", "week2-again.csv");
    let one_core = if run(&root, "taskset -c 0 true").0 == 0 {
        format!("taskset -c 0 {hidden_command}")
    } else {
        hidden_command.clone()
    };
    let (code, output) = run(&root, &one_core);
    assert_eq!(code, 0, "{output}");
    assert_eq!(
        std::fs::read_to_string(class.join("week2-again.csv")).unwrap(),
        hidden
    );
    for entry in std::fs::read_dir(class.join("week2-hidden-reports")).unwrap() {
        let path = entry.unwrap().path();
        let again = class
            .join("week2-again-reports")
            .join(path.file_name().unwrap());
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(&again).unwrap(),
            "{} differs when graded again on one core",
            path.display()
        );
    }

    // In Chinese, the same points, header, ids and status codes, and again the same bytes
    // whatever the thread count: only the words for people are translated.
    let chinese_command = |csv: &str| {
        format!(
            "{} --lang zh-CN",
            hidden_command.replace("week2-again.csv", csv)
        )
    };
    let (code, output) = run(&root, &chinese_command("week2-zh.csv"));
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("==> 正在为"), "{output}");
    let (code, output) = run(
        &root,
        &format!(
            "CNN_BOOK_LANG=zh-CN {}",
            if one_core.starts_with("taskset") {
                format!(
                    "taskset -c 0 {}",
                    hidden_command.replace("week2-again.csv", "week2-zh-again.csv")
                )
            } else {
                hidden_command.replace("week2-again.csv", "week2-zh-again.csv")
            }
        ),
    );
    assert_eq!(code, 0, "{output}");
    let chinese = std::fs::read_to_string(class.join("week2-zh.csv")).unwrap();
    assert_eq!(
        std::fs::read_to_string(class.join("week2-zh-again.csv")).unwrap(),
        chinese,
        "graded twice in Chinese, the grades differ"
    );
    let points = |csv: &str| -> Vec<String> {
        csv.lines()
            .map(|row| {
                row.rsplit_once(',')
                    .map(|(points, _note)| points)
                    .unwrap_or(row)
                    .to_string()
            })
            .collect()
    };
    assert_eq!(
        points(&chinese),
        points(&hidden),
        "the points differ in Chinese"
    );
    assert_ne!(chinese, hidden, "the notes are not translated:\n{chinese}");
    for entry in std::fs::read_dir(class.join("week2-zh-reports")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        let again = class.join("week2-zh-again-reports").join(name);
        assert_eq!(
            std::fs::read(&path).unwrap(),
            std::fs::read(&again).unwrap(),
            "{} differs when graded again in Chinese on one core",
            path.display()
        );
        let read = |path: &Path| -> serde_json::Value {
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
        };
        let (chinese, english) = (
            read(&path),
            read(&class.join("week2-hidden-reports").join(name)),
        );
        assert_eq!(chinese["totals"], english["totals"]);
        for (zh, en) in chinese["exercises"]
            .as_array()
            .unwrap()
            .iter()
            .zip(english["exercises"].as_array().unwrap())
        {
            assert_eq!(
                (&zh["id"], &zh["status"], &zh["points"]),
                (&en["id"], &en["status"], &en["points"])
            );
            assert!(!zh["title"].as_str().unwrap().is_ascii(), "{}", zh["title"]);
        }
    }

    // The guide's JSON example is a real report, shortened to one exercise (the seed aside).
    let example: serde_json::Value =
        serde_json::from_str(&block_after(&guide, "Here one learner's", "json")).unwrap();
    let report_path = class.join("week2-reports/endless-loop.json");
    let mut report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report_path).unwrap()).unwrap();
    let shown_exercise = &example["exercises"][0];
    let exercises = report["exercises"].as_array().unwrap().clone();
    let real = exercises
        .iter()
        .find(|e| e["id"] == shown_exercise["id"])
        .unwrap();
    assert_eq!(real, shown_exercise);
    report["exercises"] = serde_json::json!([real]);
    report["seed"] = example["seed"].clone();
    assert_eq!(report, example);
    let hidden_report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(class.join("week2-hidden-reports/ties-last.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(hidden_report["seed"], 7);
    assert_eq!(
        hidden_report["hidden_checks"],
        "exercises/hidden-tests-example"
    );

    // The handout holds no solution and no answer, and its workflow checks week2.
    let handout = class.join("handout");
    assert!(!handout.join("exercises/solutions").exists());
    assert!(!handout.join("book/generated/exercises/ch03.md").exists());
    assert!(handout.join("exercises/src/ch03/pooled_sizes.rs").is_file());
    let workflow =
        std::fs::read_to_string(handout.join(".github/workflows/classroom.yml")).unwrap();
    for exercise in [
        "ch03-pooled-sizes",
        "ch03-max-pool-argmax",
        "ch04-uncovered-pixels",
    ] {
        assert!(
            workflow.contains(&format!("command: cargo xtask check {exercise}\n")),
            "{workflow}"
        );
    }
    assert!(workflow.contains("run: cargo xtask check --assignment week2 || true\n"));
    assert!(workflow.contains("runners: ch03-pooled-sizes,ch03-max-pool-argmax,"));
    // Its book builds without the solutions (and its links hold), if mdbook is installed.
    let mdbook = std::env::var_os("HOME")
        .map(|home| Path::new(&home).join(".cargo/bin/mdbook"))
        .filter(|path| path.is_file());
    if let Some(mdbook) = mdbook {
        let (code, output) = run(&handout, &format!("{} build", mdbook.display()));
        assert_eq!(code, 0, "the handout's book does not build:\n{output}");
        assert!(!output.contains("ERROR"), "{output}");
    } else {
        println!("mdbook is not installed: the handout's book is not built");
    }
    std::fs::remove_dir_all(&home).unwrap();
}
