//! Reading and writing files safely: every loader reads through here, and every file
//! the library writes is written through here.
//!
//! - A file is read only if it is a regular file (not a folder, a FIFO that would
//!   block forever, or a device such as `/dev/zero` that never ends) and not larger
//!   than the caller's limit, checked *before* it is read.
//! - A file is written whole or not at all: to a temporary file in the same folder,
//!   flushed to disk, then renamed over the target. A crash or an error half-way
//!   leaves the previous file exactly as it was and no temporary file behind.
//! - Nothing is written over something that is not a regular file: a symbolic link,
//!   a device or a folder at the target path is refused, not replaced.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

use crate::error::{CnnError, Result};

/// Checks that `path` is a regular file (following symbolic links) and returns its
/// size in bytes.
///
/// # Errors
/// The file is missing, unreadable, or not a regular file.
pub fn regular_file_size(path: &Path) -> Result<u64> {
    let metadata = fs::metadata(path).map_err(|e| CnnError::io(path, e))?;
    if !metadata.is_file() {
        let kind = if metadata.is_dir() {
            "a folder"
        } else {
            "not a regular file (a device, a FIFO or a socket)"
        };
        return Err(CnnError::format(
            path,
            format!("is {kind}; expected a file"),
        ));
    }
    Ok(metadata.len())
}

/// The bytes of the regular file at `path`, refusing files over `limit` bytes.
///
/// # Errors
/// The file is missing, unreadable, not a regular file, or larger than `limit`.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>> {
    let size = regular_file_size(path)?;
    if size > limit {
        return Err(CnnError::format(
            path,
            format!("is {size} bytes, more than the {limit} bytes a file of this kind may have"),
        ));
    }
    let file = fs::File::open(path).map_err(|e| CnnError::io(path, e))?;
    let mut bytes = Vec::with_capacity(size as usize);
    // `take` guards against a file that grows while it is read.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| CnnError::io(path, e))?;
    if bytes.len() as u64 > limit {
        return Err(CnnError::format(
            path,
            format!("grew past {limit} bytes while it was read"),
        ));
    }
    Ok(bytes)
}

/// Checks that `path` may be written: nothing is there yet, or a regular file (not a
/// symbolic link, device or folder), and its folder exists. Programs call this before
/// they start work, so that a bad output path fails at once, not after an hour.
///
/// # Errors
/// Something other than a regular file is at `path`, or its folder does not exist.
pub fn check_writable(path: &Path) -> Result<()> {
    match fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            return Err(CnnError::format(
                path,
                "is a symbolic link; refusing to replace it (give the path of a regular file)",
            ));
        }
        Ok(metadata) if !metadata.is_file() => {
            return Err(CnnError::format(
                path,
                "is not a regular file (a folder or a device); refusing to replace it",
            ));
        }
        Ok(metadata) if metadata.permissions().readonly() => {
            return Err(CnnError::format(
                path,
                "is read-only; refusing to replace it",
            ));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(CnnError::io(path, e)),
    }
    let folder = folder_of(path);
    match fs::metadata(folder) {
        Ok(metadata) if metadata.is_dir() => {}
        Ok(_) => return Err(CnnError::format(folder, "is not a folder")),
        Err(e) => return Err(CnnError::io(folder, e)),
    }
    // The one sure test that a file can be made there: make one (it is deleted at once).
    tempfile::Builder::new()
        .prefix(".cnn-check-")
        .tempfile_in(folder)
        .map_err(|e| CnnError::io(folder, e))?;
    Ok(())
}

/// The folder a file at `path` lives in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Write `bytes` to `path` whole or not at all (see the [module docs](self)). The
/// folder must exist.
///
/// # Errors
/// Everything [`check_writable`] refuses, and any error while writing; the previous
/// file at `path`, if any, is then left as it was.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    check_writable(path)?;
    let folder = folder_of(path);
    let mut temporary = tempfile::Builder::new()
        .prefix(".cnn-partial-")
        .tempfile_in(folder)
        .map_err(|e| CnnError::io(folder, e))?;
    temporary
        .write_all(bytes)
        .and_then(|()| temporary.as_file().sync_all())
        .map_err(|e| CnnError::io(path, e))?;
    // The temporary file is private (0600); the file it becomes is an ordinary one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let permissions = fs::Permissions::from_mode(0o644);
        temporary
            .as_file()
            .set_permissions(permissions)
            .map_err(|e| CnnError::io(path, e))?;
    }
    // On any error above, dropping `temporary` deletes it.
    temporary
        .persist(path)
        .map_err(|e| CnnError::io(path, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_are_read_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("model.cnn");
        write_atomically(&file, b"first").unwrap();
        write_atomically(&file, b"second").unwrap();
        assert_eq!(read_limited(&file, 100).unwrap(), b"second");
        let e = read_limited(&file, 3).unwrap_err().to_string();
        assert!(
            e.ends_with("is 6 bytes, more than the 3 bytes a file of this kind may have"),
            "{e}"
        );
        // A folder is neither read nor replaced.
        let e = read_limited(dir.path(), 100).unwrap_err().to_string();
        assert!(e.contains("is a folder"), "{e}");
        assert!(write_atomically(dir.path(), b"x").is_err());
        // Nothing but the file was left in the folder: no temporary files.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("model.cnn")]);
        // A missing folder is an error before anything is written.
        let e = check_writable(&dir.path().join("no/such/folder/x.cnn"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no/such/folder"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn links_and_devices_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target.txt");
        fs::write(&target, b"keep me").unwrap();
        let link = dir.path().join("link.png");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = write_atomically(&link, b"overwritten")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a symbolic link"), "{e}");
        assert_eq!(fs::read(&target).unwrap(), b"keep me");
        let e = write_atomically(Path::new("/dev/null"), b"x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let e = read_limited(Path::new("/dev/zero"), 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }
}
