//! Pins every number chapter 3 quotes. The tables are computed by the chapter's
//! example itself (included below), so the book and these snapshots cannot drift
//! apart: change the example, and a snapshot here changes too.

#[path = "../examples/ch03_pooling.rs"]
#[allow(dead_code)]
mod ch03;

#[test]
fn lecture_example_pooled() {
    let lecture = ch03::LectureExample::compute().unwrap();
    insta::assert_snapshot!(lecture.table().to_markdown());
}

#[test]
fn photo_pooling_sizes() {
    let photo = ch03::PhotoPooling::compute().unwrap();
    insta::assert_snapshot!(photo.table().to_markdown());
}

#[test]
fn pooled_maps_change_less_under_shifts() {
    let invariance = ch03::Invariance::compute().unwrap();
    insta::assert_snapshot!(format!(
        "{}\n{}",
        invariance.table().to_markdown(),
        invariance.shares_table().to_markdown()
    ));
    // The chapter's numbers: an unrelated map of the same energy is further away than
    // an all-zero map (1), but less than the sqrt(2) of two uncorrelated signed maps,
    // because maps after ReLU are never negative and so always overlap a little.
    let unrelated = invariance.unrelated[0];
    assert!(unrelated > 1.0 && unrelated < 2f32.sqrt(), "{unrelated}");
    // A one-pixel shift changes the unpooled map a lot, but less than an unrelated map.
    assert!(invariance.changes[0][1] < unrelated);
}

/// The chapter's claim, on every photo and every shift: measured against an
/// unrelated map's change, the larger the pooling window, the smaller the change. On
/// the raw changes too, so the claim does not depend on how the change is scaled.
#[test]
fn larger_windows_reduce_the_change_on_every_photo() {
    for photo in ch03::INVARIANCE_PHOTOS {
        let invariance = ch03::Invariance::of_photo(photo).unwrap();
        for shift in 1..=ch03::MAX_SHIFT {
            let shares: Vec<f32> = (0..ch03::POOLINGS.len())
                .map(|p| invariance.share(p, shift))
                .collect();
            let raw: Vec<f32> = invariance.changes.iter().map(|row| row[shift]).collect();
            for values in [&shares, &raw] {
                assert!(
                    values.windows(2).all(|w| w[1] < w[0]),
                    "{photo}, shift {shift}: {values:?}"
                );
            }
        }
    }
}

#[test]
fn downstream_parameters() {
    let (table, ratio) = ch03::downstream_parameters().unwrap();
    // 1,106,040 / 48,120 = 22.98..., which the chapter prints as 23.0.
    assert_eq!(format!("{ratio:.1}"), "23.0");
    insta::assert_snapshot!(format!("{table}\nratio: {ratio:.1}"));
}

#[test]
fn sentences_of_any_length_give_vectors_of_one_length() {
    let sentences = ch03::Sentences::compute().unwrap();
    for (_, pooled) in &sentences.results {
        assert_eq!(pooled.dim(), (1, ch03::TEXT_FILTERS));
    }
    insta::assert_snapshot!(sentences.table().to_markdown());
}

#[test]
fn receptive_fields() {
    let fields = ch03::ReceptiveFields::compute().unwrap();
    insta::assert_snapshot!(fields.table().to_markdown());
}

/// The program takes `--help` and refuses what it does not know, before any work.
#[test]
fn the_command_line_takes_help_and_rejects_unknown_arguments() {
    use clap::Parser;
    use clap::error::ErrorKind;
    assert!(ch03::Args::try_parse_from(["ch03_pooling"]).is_ok());
    let help = ch03::Args::try_parse_from(["ch03_pooling", "--help"]).unwrap_err();
    assert_eq!(help.kind(), ErrorKind::DisplayHelp);
    assert!(help.to_string().contains("Computes chapter"), "{help}");
    for wrong in ["--bogus", "extra"] {
        let error = ch03::Args::try_parse_from(["ch03_pooling", wrong]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownArgument, "{wrong}: {error}");
    }
}
