//! Runs one exercise's program, within its time limit, and reads its signed verdicts.

use std::io::{Read, Write as _};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use cnn_exercises_harness::Lang;
use cnn_exercises_harness::protocol::{self, Event, Key, Record};
use rand::Rng;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The harness ran every check and signed its `end`.
    Completed,
    /// The program was stopped after the time limit.
    TimedOut,
    /// The program was killed by a signal (an abort, a stack overflow, ...).
    Crashed { signal: i32, stack_overflow: bool },
    /// The program exited before the harness's `end`: `std::process::exit` in the code,
    /// or a harness that could not start.
    Exited { code: Option<i32> },
}

/// What one run of an exercise's program said, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The verdicts, signed with this run's key, in order.
    pub records: Vec<Record>,
    pub ending: Ending,
    /// The first lines the checked code printed, for a learner debugging with `println!`.
    pub printed: Vec<String>,
}

/// How many lines of the checked code's output a report shows.
const PRINTED_LINES: usize = 6;

/// Runs `program` in `dir` with a fresh key, stops it (and everything it started) after
/// `time_limit`, and reads its verdicts. The checks' messages are written in `lang`.
///
/// The environment is emptied but for `RAYON_NUM_THREADS=1`, so that what cnn-core computes
/// does not depend on how many cores the machine has, and `RUST_BACKTRACE=0`.
pub fn run_program(
    program: &Path,
    dir: &Path,
    seed: u64,
    time_limit: Duration,
    lang: Lang,
) -> Result<Run> {
    let key: Key = rand::rng().random();
    let verdicts = dir.join("verdicts.txt");
    let _ = std::fs::remove_file(&verdicts);
    let mut command = Command::new(program);
    command
        .arg("--verdict")
        .arg(&verdicts)
        .args(["--seed", &seed.to_string()])
        .args(["--lang", lang.code()])
        .current_dir(dir)
        .env_clear()
        .env("RAYON_NUM_THREADS", "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // In a process group of its own, so that stopping it stops whatever it started.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .spawn()
        .with_context(|| format!("could not start {}", program.display()))?;
    {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        // The program reads the key first, before any checked code runs; if it died
        // already, there is no verdict, which says enough.
        let _ = writeln!(stdin, "{}", protocol::key_to_hex(&key));
    }
    // The code may print without end (a loop around `println!`): keep the start of its
    // output and the end of its errors, and read the rest into nothing.
    let stdout = capture(child.stdout.take().expect("stdout is piped"), Keep::Start);
    let stderr = capture(child.stderr.take().expect("stderr is piped"), Keep::End);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() > time_limit {
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    stop_group(&mut child);
    if status.is_none() {
        let _ = child.wait();
    }
    // A process the code started in a group of its own may hold the pipes open: wait for
    // the output a moment, not for ever.
    let output = stdout
        .recv_timeout(Duration::from_secs(1))
        .unwrap_or_default();
    let errors = stderr
        .recv_timeout(Duration::from_secs(1))
        .unwrap_or_default();
    let text = std::fs::read(&verdicts).unwrap_or_default();
    let records = protocol::read(&key, &String::from_utf8_lossy(&text));
    let completed = matches!(
        records.last(),
        Some(Record {
            event: Event::End,
            ..
        })
    );
    let ending = match status {
        None => Ending::TimedOut,
        Some(_) if completed => Ending::Completed,
        Some(status) => match signal_of(&status) {
            Some(signal) => Ending::Crashed {
                signal,
                stack_overflow: String::from_utf8_lossy(&errors)
                    .contains("has overflowed its stack"),
            },
            None => Ending::Exited {
                code: status.code(),
            },
        },
    };
    let printed = String::from_utf8_lossy(&output)
        .lines()
        .take(PRINTED_LINES + 1)
        .map(|line| line.chars().take(200).collect())
        .collect();
    Ok(Run {
        records,
        ending,
        printed,
    })
}

/// How much of a stream [`capture`] keeps.
const KEPT_BYTES: usize = 16 * 1024;

/// Which part of a stream [`capture`] keeps.
#[derive(Clone, Copy)]
enum Keep {
    /// The first [`KEPT_BYTES`].
    Start,
    /// The last [`KEPT_BYTES`].
    End,
}

/// Reads `stream` to its end on a thread of its own, keeping [`KEPT_BYTES`] of it; the
/// bytes arrive on the returned channel when the stream ends.
fn capture(mut stream: impl Read + Send + 'static, keep: Keep) -> mpsc::Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buffer = [0u8; 8192];
        while let Ok(count) = stream.read(&mut buffer) {
            if count == 0 {
                break;
            }
            match keep {
                Keep::Start => {
                    let room = KEPT_BYTES.saturating_sub(kept.len());
                    kept.extend_from_slice(&buffer[..count.min(room)]);
                }
                Keep::End => {
                    kept.extend_from_slice(&buffer[..count]);
                    if kept.len() > 2 * KEPT_BYTES {
                        kept.drain(..kept.len() - KEPT_BYTES);
                    }
                }
            }
        }
        let _ = sender.send(kept);
    });
    receiver
}

/// Kills the program's process group (what it started, if it is still running), or the
/// program itself where there are no process groups.
fn stop_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", child.id())])
            .stderr(Stdio::null())
            .status();
    }
    let _ = child.kill();
}

#[cfg(unix)]
fn signal_of(status: &std::process::ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(status)
}

#[cfg(not(unix))]
fn signal_of(_status: &std::process::ExitStatus) -> Option<i32> {
    None
}
