//! The verdict file: one signed line per event, written by the harness, read by the checker.
//!
//! A line is `SIGNATURE JSON`: the JSON of a [`Record`] (its sequence number and an
//! [`Event`]), and before it the HMAC-SHA256 of exactly those JSON bytes under the run's
//! key, in hexadecimal. The checker keeps the lines whose signature is right and whose
//! sequence numbers run 0, 1, 2, ... without a gap, and ignores everything else.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::Path;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The run's secret: 32 random bytes, chosen by the checker for each run.
pub type Key = [u8; 32];

/// What happened in the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The run starts; these checks will run, in this order.
    Begin { checks: Vec<String> },
    /// A check starts. If the program ends before its `Result`, the check did not finish.
    Start { check: String },
    /// A check finished: passed, or failed with its panic's message and location.
    Result {
        check: String,
        passed: bool,
        message: String,
        location: Option<String>,
    },
    /// Every check ran.
    End,
}

/// One line of the verdict file, without its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// 0 for the first line, then 1, 2, ...
    pub seq: u64,
    #[serde(flatten)]
    pub event: Event,
}

/// The key as 64 hexadecimal digits, as the checker writes it to the harness.
pub fn key_to_hex(key: &Key) -> String {
    to_hex(key)
}

/// Reads 64 hexadecimal digits back into a key.
pub fn parse_key(text: &str) -> Option<Key> {
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut key = [0u8; 32];
    for (index, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * index..2 * index + 2], 16).ok()?;
    }
    Some(key)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn mac(key: &Key) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length")
}

/// The signed line for `record`, with its newline.
pub fn sign(key: &Key, record: &Record) -> String {
    let json = serde_json::to_string(record).expect("a record is plain data");
    let mut signer = mac(key);
    signer.update(json.as_bytes());
    let signature = to_hex(&signer.finalize().into_bytes());
    format!("{signature} {json}\n")
}

/// The record of one line, if its signature is right under `key`.
pub fn verify(key: &Key, line: &str) -> Option<Record> {
    let (signature, json) = line.split_once(' ')?;
    if signature.len() != 64 {
        return None;
    }
    let mut expected = [0u8; 32];
    for (index, byte) in expected.iter_mut().enumerate() {
        *byte = u8::from_str_radix(signature.get(2 * index..2 * index + 2)?, 16).ok()?;
    }
    let mut checker = mac(key);
    checker.update(json.as_bytes());
    checker.verify_slice(&expected).ok()?;
    serde_json::from_str(json).ok()
}

/// The records of a verdict file that are signed with `key`, in order, up to the first gap
/// in their sequence numbers. Lines without a valid signature (anything the checked code
/// wrote) are skipped.
pub fn read(key: &Key, text: &str) -> Vec<Record> {
    let mut records: Vec<Record> = Vec::new();
    for line in text.lines() {
        let Some(record) = verify(key, line) else {
            continue;
        };
        if record.seq != records.len() as u64 {
            break;
        }
        records.push(record);
    }
    records
}

/// Appends signed records to the verdict file, numbering them.
pub struct VerdictWriter {
    file: File,
    key: Key,
    next: u64,
}

impl VerdictWriter {
    /// Creates (or empties) the verdict file.
    pub fn create(path: &Path, key: Key) -> std::io::Result<VerdictWriter> {
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(path)?;
        Ok(VerdictWriter { file, key, next: 0 })
    }

    /// Signs and appends one event, in one write.
    pub fn write(&mut self, event: Event) -> std::io::Result<()> {
        let record = Record {
            seq: self.next,
            event,
        };
        self.file.write_all(sign(&self.key, &record).as_bytes())?;
        self.file.flush()?;
        self.next += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: Key = [7; 32];

    fn record(seq: u64, event: Event) -> Record {
        Record { seq, event }
    }

    #[test]
    fn a_signed_line_verifies_and_round_trips() {
        let begin = record(
            0,
            Event::Begin {
                checks: vec!["ch03::pooled_sizes::lenet_pooling".into()],
            },
        );
        let line = sign(&KEY, &begin);
        assert!(line.ends_with('\n'));
        assert_eq!(verify(&KEY, line.trim_end()), Some(begin));
    }

    #[test]
    fn a_key_round_trips_through_hex() {
        let key: Key = std::array::from_fn(|i| (i * 37) as u8);
        assert_eq!(parse_key(&key_to_hex(&key)), Some(key));
        assert_eq!(parse_key("abc"), None);
        assert_eq!(parse_key(&"zz".repeat(32)), None);
    }

    #[test]
    fn forged_altered_and_foreign_lines_are_ignored() {
        let passed = record(
            2,
            Event::Result {
                check: "ch03::pooled_sizes::lenet_pooling".into(),
                passed: false,
                message: "not yet implemented".into(),
                location: None,
            },
        );
        let line = sign(&KEY, &passed);
        // The checked code turns the verdict into a pass, keeping the signature.
        let altered = line.replace("\"passed\":false", "\"passed\":true");
        assert_eq!(verify(&KEY, altered.trim_end()), None);
        // Or signs its own line with a key it guessed.
        let guessed = sign(&[0; 32], &passed);
        assert_eq!(verify(&KEY, guessed.trim_end()), None);
        // Or prints what a test runner prints.
        assert_eq!(
            verify(&KEY, "test ch03::pooled_sizes::lenet_pooling ... ok"),
            None
        );
        assert_eq!(verify(&KEY, ""), None);
        assert_eq!(verify(&KEY, "ab cd"), None);
    }

    #[test]
    fn reading_keeps_signed_lines_in_sequence() {
        let lines = [
            sign(&KEY, &record(0, Event::Begin { checks: vec![] })),
            "test ch03::pooled_sizes::lenet_pooling ... ok\n".to_string(),
            sign(&KEY, &record(1, Event::End)),
            // A replayed line with a wrong number ends the sequence.
            sign(&KEY, &record(0, Event::Begin { checks: vec![] })),
            sign(&KEY, &record(3, Event::End)),
        ];
        let records = read(&KEY, &lines.concat());
        assert_eq!(
            records,
            [
                record(0, Event::Begin { checks: vec![] }),
                record(1, Event::End)
            ]
        );
    }

    #[test]
    fn the_writer_numbers_and_signs() {
        let path = std::env::temp_dir().join(format!("verdicts-{}.txt", std::process::id()));
        let mut writer = VerdictWriter::create(&path, KEY).unwrap();
        writer.write(Event::Begin { checks: vec![] }).unwrap();
        writer.write(Event::End).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        let records = read(&KEY, &text);
        assert_eq!(records.len(), 2);
        assert_eq!(records[1], record(1, Event::End));
    }
}
