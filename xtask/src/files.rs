//! Writing reports: checked before the work starts, written whole or not at all.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};

/// Tells temporary files of one process apart.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A name for a temporary file beside `path`, in the same folder (so that renaming it to
/// `path` is atomic).
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    parent_of(path).join(format!(".{name}.{}-{count}.tmp", std::process::id()))
}

/// The folder a file is in (`.` for a bare file name).
fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Fails, saying why, unless a file can be written at `path`: its folder exists and takes
/// new files, and `path` is not a folder. Run it before the work whose result goes there.
pub fn check_writable(path: &Path) -> Result<()> {
    if path.is_dir() {
        bail!("cannot write {}: it is a folder", path.display());
    }
    let folder = parent_of(path);
    if !folder.is_dir() {
        bail!(
            "cannot write {}: the folder {} does not exist",
            path.display(),
            folder.display()
        );
    }
    let probe = temporary_beside(path);
    std::fs::write(&probe, b"").with_context(|| {
        format!(
            "cannot write {}: the folder {} does not take new files",
            path.display(),
            folder.display()
        )
    })?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Fails unless files can be written into the folder `dir`, which may not exist yet (its
/// nearest existing parent must then take new folders).
pub fn check_writable_folder(dir: &Path) -> Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("cannot write reports into {}: it is a file", dir.display());
        }
        return check_writable(&dir.join("report.json"));
    }
    let mut existing = dir.to_path_buf();
    while !existing.exists() {
        existing = parent_of(&existing);
        if existing == Path::new(".") && !existing.exists() {
            break;
        }
    }
    if !existing.is_dir() {
        bail!(
            "cannot create the folder {}: {} is not a folder",
            dir.display(),
            existing.display()
        );
    }
    check_writable(&existing.join("probe"))
        .with_context(|| format!("cannot create the folder {}", dir.display()))
}

/// Writes `bytes` to `path` whole or not at all: into a temporary file in the same folder,
/// then renamed over `path`. A reader sees the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let temporary = temporary_beside(path);
    let written =
        std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    if let Err(error) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(error).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn unwritable_places_are_found_before_the_work() {
        let dir = scratch_dir("writable");
        assert!(check_writable(&dir.join("report.json")).is_ok());
        let missing = check_writable(&dir.join("no/such/report.json")).unwrap_err();
        assert!(missing.to_string().contains("does not exist"), "{missing}");
        let folder = check_writable(&dir).unwrap_err();
        assert!(folder.to_string().contains("is a folder"), "{folder}");
        // Nothing is left behind by the probe.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        assert!(check_writable_folder(&dir.join("reports/week2")).is_ok());
        std::fs::write(dir.join("file"), "x").unwrap();
        assert!(check_writable_folder(&dir.join("file")).is_err());
        assert!(check_writable_folder(&dir.join("file/reports")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn atomic_writes_leave_only_the_file() {
        let dir = scratch_dir("atomic");
        let path = dir.join("grades.csv");
        write_atomically(&path, b"old").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
        assert!(write_atomically(&dir.join("missing/grades.csv"), b"x").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
