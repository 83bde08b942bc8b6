//! Emit: write a set of output files as one atomic replacement of the output
//! directory.
//!
//! Contract: [`write_dir`] either replaces `dir` with exactly the given files
//! or leaves it untouched. Files are written into a fresh sibling directory,
//! which is then renamed into place; the previous directory is removed only
//! after the swap. A directory caac did not create (no `manifest.json` and not
//! empty) is never replaced, so `--out .` cannot wipe a repository.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The marker file every caac output directory contains.
pub const MANIFEST: &str = "manifest.json";

/// Why output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// The target exists and is not a caac output directory.
    #[error(
        "{0} exists and is not a caac output directory (no {MANIFEST}); refusing to replace it"
    )]
    NotOurs(PathBuf),
    /// The target directory has files in it.
    #[error("{0} is not empty; choose a new directory (caac never overwrites your files)")]
    NotEmpty(PathBuf),
    /// The target file exists.
    #[error("{0} already exists; choose a new path (caac never overwrites your files)")]
    Exists(PathBuf),
    /// An I/O failure, with the path involved.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EmitError + '_ {
    move |source| EmitError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Writes one file atomically: a temporary sibling, synced, then renamed
/// over the target, so a reader never sees half a report.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), EmitError> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.caac-tmp-{}", std::process::id()));
    // Errors name the target, not the temporary file the user never asked for.
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(io(path))?;
        f.write_all(bytes).map_err(io(path))?;
        f.sync_all().map_err(io(path))?;
        std::fs::rename(&tmp, path).map_err(io(path))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Creates `dir` holding exactly `files`, atomically; `dir` must not exist
/// or must be empty, so no file of the user's is ever overwritten.
pub fn create_dir(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), EmitError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(EmitError::NotEmpty(dir.to_owned()));
            }
            std::fs::remove_dir(dir).map_err(io(dir))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(dir)(e)),
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = dir
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.caac-new-{}", std::process::id()));
    let result =
        stage(&staging, files).and_then(|()| std::fs::rename(&staging, dir).map_err(io(dir)));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// Writes a new file atomically; refuses to replace an existing one.
pub fn create_file(path: &Path, bytes: &[u8]) -> Result<(), EmitError> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(EmitError::Exists(path.to_owned()));
    }
    write_file(path, bytes)
}

/// Replaces `dir` with `files` (relative file name → bytes).
pub fn write_dir(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), EmitError> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) if meta.is_dir() => {
            let ours = dir.join(MANIFEST).is_file();
            let empty = std::fs::read_dir(dir).map_err(io(dir))?.next().is_none();
            if !ours && !empty {
                return Err(EmitError::NotOurs(dir.to_owned()));
            }
        }
        Ok(_) => return Err(EmitError::NotOurs(dir.to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(dir)(e)),
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(io(&parent))?;
    let name = dir
        .file_name()
        .map_or_else(|| "out".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.caac-new-{}", std::process::id()));
    let retired = parent.join(format!(".{name}.caac-old-{}", std::process::id()));
    let result = stage(&staging, files).and_then(|()| swap(dir, &staging, &retired));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

fn stage(staging: &Path, files: &[(String, Vec<u8>)]) -> Result<(), EmitError> {
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir(staging).map_err(io(staging))?;
    for (name, bytes) in files {
        let path = staging.join(name);
        let mut f = std::fs::File::create(&path).map_err(io(&path))?;
        f.write_all(bytes).map_err(io(&path))?;
        f.sync_all().map_err(io(&path))?;
    }
    Ok(())
}

fn swap(dir: &Path, staging: &Path, retired: &Path) -> Result<(), EmitError> {
    let existed = dir.exists();
    if existed {
        std::fs::rename(dir, retired).map_err(io(dir))?;
    }
    if let Err(e) = std::fs::rename(staging, dir) {
        if existed {
            // Put the old output back; the run failed as a whole.
            let _ = std::fs::rename(retired, dir);
        }
        return Err(io(dir)(e));
    }
    if existed {
        let _ = std::fs::remove_dir_all(retired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_our_directories() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_dir(
            &out,
            &[
                (MANIFEST.into(), b"{}".to_vec()),
                ("a.json".into(), b"1".to_vec()),
            ],
        )
        .unwrap();
        write_dir(
            &out,
            &[
                (MANIFEST.into(), b"{}".to_vec()),
                ("b.json".into(), b"2".to_vec()),
            ],
        )
        .unwrap();
        assert!(!out.join("a.json").exists());
        assert_eq!(std::fs::read(out.join("b.json")).unwrap(), b"2");
        let foreign = tmp.path().join("src");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("main.rs"), "x").unwrap();
        assert!(matches!(
            write_dir(&foreign, &[]),
            Err(EmitError::NotOurs(_))
        ));
        assert!(foreign.join("main.rs").exists());
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers.len(), 2, "{leftovers:?}");
    }
}
