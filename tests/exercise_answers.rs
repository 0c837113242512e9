//! Pins the numeric answers of the exercises, as the solutions appendix shows them, and the
//! teacher's guide's tables. They are computed by `examples/exercise_answers.rs` (included
//! below) with cnn-core. Also checks that the book's exercise pages and solutions appendix
//! show every exercise of `exercises/exercises.toml`, with its title and time.

#[path = "../examples/exercise_answers.rs"]
#[allow(dead_code)]
mod answers;

#[test]
fn answers_per_chapter() {
    for (chapter, table) in answers::all().unwrap() {
        insta::assert_snapshot!(chapter, table.to_markdown());
    }
}

#[test]
fn every_chapter_has_answers() {
    let chapters: Vec<&str> = answers::all().unwrap().iter().map(|(c, _)| *c).collect();
    assert_eq!(
        chapters,
        [
            "ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "ch08"
        ]
    );
}

#[test]
fn teachers_guide_tables() {
    let exercises = answers::catalogue().unwrap();
    insta::assert_snapshot!("list", answers::exercise_list(&exercises).to_markdown());
    insta::assert_snapshot!("weeks", answers::weekly_plan(&exercises).to_markdown());
    insta::assert_snapshot!(
        "counts",
        format!(
            "{} exercises, compute exercises {} minutes",
            exercises.len(),
            answers::minutes_of_level(&exercises, "compute")
        )
    );
}

#[test]
fn the_book_shows_every_exercise() {
    let root = cnn_book::output::repo_root();
    let solutions = std::fs::read_to_string(root.join("book/solutions.md")).unwrap();
    let exercises = answers::catalogue().unwrap();
    for chapter in [
        "ch01", "ch02", "ch03", "ch04", "ch05", "ch06", "ch07", "ch08",
    ] {
        let page_path = root.join(format!("book/exercises/{chapter}.md"));
        let page = std::fs::read_to_string(&page_path).unwrap();
        let number: usize = chapter[2..].parse().unwrap();
        let in_chapter: Vec<&answers::Exercise> = exercises
            .iter()
            .filter(|e| e.id.starts_with(chapter))
            .collect();
        assert!(
            in_chapter.len() >= 3,
            "{chapter} has fewer than 3 exercises"
        );
        for (index, exercise) in in_chapter.iter().enumerate() {
            let module = exercise.id[5..].replace('-', "_");
            let heading = format!("### Exercise {number}.{}: {}", index + 1, exercise.title);
            let time = format!("about {} minutes", exercise.minutes);
            let starter = format!("{{{{#include ../../exercises/src/{chapter}/{module}.rs}}}}");
            let check = format!("cargo xtask check {}", exercise.id);
            for expected in [&heading, &time, &starter, &check] {
                assert!(
                    page.contains(expected.as_str()),
                    "{}: missing `{expected}`",
                    page_path.display()
                );
            }
            let solution = format!("{{{{#include ../exercises/solutions/{chapter}/{module}.rs}}}}");
            let solution_heading = format!("### {number}.{} {}", index + 1, exercise.title);
            for expected in [&solution, &solution_heading] {
                assert!(
                    solutions.contains(expected.as_str()),
                    "book/solutions.md: missing `{expected}`"
                );
            }
        }
    }
}
