//! A bounded, seeded fuzz test of every loader: the real files of the repository,
//! mutated (bits flipped, bytes overwritten, cut short, header fields set to extremes),
//! must give a clear error or a valid result, never a panic, an abort or a huge
//! allocation.
//!
//! A counting allocator watches every allocation of this test binary: one request over
//! the cap (a multiple of the input's size, as the robustness issue asks) fails the test
//! at once, before the memory is touched. `FUZZ_CASES` sets the number of mutations per
//! loader (default 150, so that CI stays fast; run `FUZZ_CASES=20000 cargo test --release
//! --test fuzz_loaders` for a long run).

use std::alloc::{GlobalAlloc, Layout, System};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use cnn_core::Sequential;
use cnn_core::data::image::load_rgb_center_crop;
use cnn_core::data::mnist::{read_idx_images, read_idx_images_as_floats, read_idx_labels};
use cnn_core::data::tfjs::load_layers_model;
use flate2::Compression;
use flate2::write::GzEncoder;
use ndarray::{Array2, Array4};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The largest single allocation allowed while a case runs (0 = no limit).
static CAP: AtomicUsize = AtomicUsize::new(0);

struct Capped;

unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let cap = CAP.load(Ordering::Relaxed);

        if cap != 0 && layout.size() > cap {
            // A loader asked for more than the input could justify: refuse, which makes
            // the test abort with "memory allocation failed" and the size in the message.
            eprintln!("allocation of {} bytes refused (cap {cap})", layout.size());
            return std::ptr::null_mut();
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Capped = Capped;

fn warm_up_matrix_multiply() {
    let (a, b) = (Array2::ones((64, 64)), Array2::ones((64, 64))); // large enough to need it
    let mut c = Array2::zeros((64, 64));
    cnn_core::ops::matmul_into(a.view(), b.view(), c.view_mut(), false);
}

/// One case at a time: the cap is global to the binary.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn cases() -> usize {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(150)
}

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(relative)
}

/// Run `load` with allocations capped at `cap` bytes; it must not panic.
fn capped<T>(cap: usize, what: &str, load: impl FnOnce() -> T) -> T {
    // The matrix multiply (the `gemm` crate) gives each thread a working buffer the size
    // of the processor's L2 cache the first time it runs there, whatever the input; make
    // it before the cap, which is about what a file can make a loader allocate.
    rayon::broadcast(|_| warm_up_matrix_multiply());
    warm_up_matrix_multiply();
    CAP.store(cap, Ordering::Relaxed);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(load));
    CAP.store(0, Ordering::Relaxed);
    match result {
        Ok(value) => value,
        Err(_) => panic!("{what}: the loader panicked"),
    }
}

/// One random mutation of `bytes`: flip bits, overwrite a run with extreme bytes, cut
/// it short, or set a 4-byte field (in the first `header` bytes) to an extreme value,
/// big- or little-endian.
fn mutate(bytes: &[u8], header: usize, rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if out.is_empty() {
        return out;
    }
    match rng.random_range(0..4) {
        0 => {
            for _ in 0..rng.random_range(1..8) {
                let at = rng.random_range(0..out.len());
                out[at] ^= 1 << rng.random_range(0..8);
            }
        }
        1 => {
            let at = rng.random_range(0..out.len());
            let run = rng.random_range(1..16).min(out.len() - at);
            let value = [0x00, 0xff, 0x7f, 0x80][rng.random_range(0..4)];
            out[at..at + run].fill(value);
        }
        2 => out.truncate(rng.random_range(0..out.len())),
        _ => {
            let field = rng.random_range(0..header.min(out.len()).max(4) - 3);
            let extremes = [
                0u32,
                1,
                0x7fff_ffff,
                0x8000_0000,
                u32::MAX,
                1 << 16,
                1 << 24,
            ];
            let value = extremes[rng.random_range(0..extremes.len())];
            let bytes = if rng.random_bool(0.5) {
                value.to_be_bytes()
            } else {
                value.to_le_bytes()
            };
            out[field..field + 4].copy_from_slice(&bytes);
        }
    }
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut flate2::read::GzDecoder::new(fs::File::open(path).unwrap()),
        &mut bytes,
    )
    .unwrap();
    bytes
}

#[test]
fn idx_files() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("case.gz");
    // The real test set, cut to its first 200 images so that a case is quick, with its
    // header's count set to match.
    let mut images = gunzip(&repo("data/mnist/t10k-images-idx3-ubyte.gz"));
    images.truncate(16 + 200 * 28 * 28);
    images[4..8].copy_from_slice(&200u32.to_be_bytes());
    let mut labels = gunzip(&repo("data/mnist/t10k-labels-idx1-ubyte.gz"));
    labels.truncate(8 + 200);
    labels[4..8].copy_from_slice(&200u32.to_be_bytes());
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let (mut valid, mut errors) = (0, 0);
    for case in 0..cases() {
        let (raw, is_images) = if case % 2 == 0 {
            (&images, true)
        } else {
            (&labels, false)
        };
        // Half the cases mutate the decompressed file (then compress it again), half the
        // compressed bytes themselves.
        let file = if case % 4 < 2 {
            gzip(&mutate(raw, 16, &mut rng))
        } else {
            mutate(&gzip(raw), 16, &mut rng)
        };
        fs::write(&path, &file).unwrap();
        // The decompressed data may be the size of the original (plus slack), no more.
        let cap = 4 * raw.len() + (1 << 20);
        let ok = capped(cap, &format!("IDX case {case}"), || {
            if is_images {
                // Both readers of images, bytes and floats, must agree on what is valid.
                let bytes = read_idx_images(&path).map(|_| ());
                let floats = read_idx_images_as_floats(&path).map(|_| ());
                assert_eq!(
                    bytes.is_ok(),
                    floats.is_ok(),
                    "case {case}: {bytes:?} vs {floats:?}"
                );
                floats
            } else {
                read_idx_labels(&path).map(|_| ())
            }
        });
        match ok {
            Ok(()) => valid += 1,
            Err(e) => {
                assert!(
                    e.to_string().starts_with(&path.display().to_string()),
                    "{e}"
                );
                errors += 1;
            }
        }
    }
    println!(
        "IDX: {} cases, {valid} valid, {errors} clear errors",
        cases()
    );
}

#[test]
fn model_files() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = fs::read(repo("data/trained/lenet5.cnn")).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let digit = Array4::<f32>::zeros((1, 1, 28, 28));
    let (mut valid, mut errors) = (0, 0);
    for case in 0..cases() {
        // The header and the first layer's fields are where sizes live: aim there often.
        let header = if case % 2 == 0 { 64 } else { bytes.len() };
        let crafted = mutate(&bytes, header, &mut rng);
        let cap = 4 * bytes.len() + (1 << 20);
        let loaded = capped(cap, &format!("model case {case}"), || {
            let net = Sequential::from_bytes(&crafted)?;
            // A file that loads must also run, or fail cleanly, on a digit.
            let _ = net.forward(&digit);
            Ok::<_, String>(())
        });
        match loaded {
            Ok(()) => valid += 1,
            Err(e) => {
                assert!(!e.is_empty());
                errors += 1;
            }
        }
    }
    println!(
        "model files: {} cases, {valid} valid, {errors} clear errors",
        cases()
    );
}

#[test]
fn tfjs_models() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let json = fs::read(repo("data/cnn-explainer/model.json")).unwrap();
    let shard = fs::read(repo("data/cnn-explainer/group1-shard1of1.bin")).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let numbers = number_positions(&json);
    let (mut valid, mut errors) = (0, 0);
    for case in 0..cases() {
        let (json_case, shard_case) = match case % 3 {
            // A number in model.json set to an extreme (a shape, a filter count, a size).
            0 => (
                replace_number(&json, numbers[rng.random_range(0..numbers.len())], &mut rng),
                shard.clone(),
            ),
            // Any bytes of model.json changed.
            1 => (mutate(&json, 0, &mut rng), shard.clone()),
            // The shard changed or cut short.
            _ => (json.clone(), mutate(&shard, 0, &mut rng)),
        };
        fs::write(dir.path().join("model.json"), &json_case).unwrap();
        fs::write(dir.path().join("group1-shard1of1.bin"), &shard_case).unwrap();
        let cap = 8 * (json.len() + shard.len()) + (1 << 20);
        let loaded = capped(cap, &format!("TF.js case {case}"), || {
            load_layers_model(&dir.path().join("model.json")).map(|_| ())
        });
        match loaded {
            Ok(()) => valid += 1,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                errors += 1;
            }
        }
    }
    println!(
        "TF.js models: {} cases, {valid} valid, {errors} clear errors",
        cases()
    );
}

/// Where the unsigned integers of a JSON text start and end.
fn number_positions(json: &[u8]) -> Vec<(usize, usize)> {
    let mut positions = Vec::new();
    let mut i = 0;
    while i < json.len() {
        if json[i].is_ascii_digit()
            && (i == 0 || !json[i - 1].is_ascii_alphanumeric() && json[i - 1] != b'.')
        {
            let start = i;
            while i < json.len() && json[i].is_ascii_digit() {
                i += 1;
            }
            if i < json.len() && json[i] != b'.' && json[i] != b'e' {
                positions.push((start, i));
            }
        }
        i += 1;
    }
    positions
}

fn replace_number(json: &[u8], (start, end): (usize, usize), rng: &mut ChaCha8Rng) -> Vec<u8> {
    let extremes = [
        "0",
        "1",
        "4294967296",
        "1099511627776",
        "18446744073709551615",
        "65536",
        "99999999999999999999",
    ];
    let mut out = json[..start].to_vec();
    out.extend_from_slice(extremes[rng.random_range(0..extremes.len())].as_bytes());
    out.extend_from_slice(&json[end..]);
    out
}

#[test]
fn images() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let originals = [
        (
            "png",
            fs::read(repo("data/cnn-explainer/png/boat_1.png")).unwrap(),
        ),
        (
            "jpeg",
            fs::read(repo("data/cnn-explainer/jpeg/boat_1.jpeg")).unwrap(),
        ),
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let (mut valid, mut errors) = (0, 0);
    for case in 0..cases() {
        let (extension, original) = &originals[case % 2];
        let mut crafted = mutate(original, 32, &mut rng);
        if *extension == "png" && case % 4 == 0 {
            // Set the header's width and height to extremes and fix its checksum, so the
            // decoder believes them.
            let extremes = [1u32, 2, 65, 12_000, 20_000, 1 << 20, 2_000_000, u32::MAX];
            crafted = original.clone();
            for field in [16, 20] {
                let value = extremes[rng.random_range(0..extremes.len())];
                crafted[field..field + 4].copy_from_slice(&value.to_be_bytes());
            }
            let mut crc = flate2::Crc::new();
            crc.update(&crafted[12..29]);
            crafted[29..33].copy_from_slice(&crc.sum().to_be_bytes());
        }
        let path = dir.path().join(format!("case.{extension}"));
        fs::write(&path, &crafted).unwrap();
        // Decoding may allocate the pixels of an image the limits allow, no more.
        let cap = (cnn_core::data::image::MAX_DECODE_BYTES as usize) + (1 << 20);
        let loaded = capped(cap, &format!("image case {case}"), || {
            load_rgb_center_crop(&path, 65, 64).map(|_| ())
        });
        match loaded {
            Ok(()) => valid += 1,
            Err(e) => {
                assert!(
                    e.to_string().starts_with(&path.display().to_string())
                        || e.to_string().contains("image"),
                    "{e}"
                );
                errors += 1;
            }
        }
    }
    println!(
        "images: {} cases, {valid} valid, {errors} clear errors",
        cases()
    );
}
