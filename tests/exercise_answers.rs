//! Pins the numeric answers of the exercises, as the solutions appendix shows them. The
//! tables are computed by `examples/exercise_answers.rs` (included below) with cnn-core.

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
