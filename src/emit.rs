//! Emit: write a set of output files as one atomic replacement of the output
//! directory.
//!
//! Contract: [`write_dir`] either replaces `dir` with exactly the given files
//! or leaves it untouched. Files are written into a fresh sibling directory,
//! which is then renamed into place; the previous directory is removed only
//! after the swap. A directory caac did not create (no `manifest.json` and not
//! empty) is never replaced, so `--out .` cannot wipe a repository.
//! A previous output that cannot be changed (read-only) is refused before
//! anything moves. When the previous output already holds exactly the given
//! files (names and bytes), nothing is touched. Otherwise files whose bytes
//! did not change are hard-linked from the previous output instead of being
//! written and synced again; new files are written and synced on a small I/O
//! pool (see BENCHMARKS.md for why).
//!
//! When output is refused, [`refusal`] words the one error (the directory
//! and why) and [`closing_line`] the command's last line, which then counts
//! that error and says nothing was written because of it.
//!
//! Also the output helpers every command and library module shares:
//! [`pretty`] (the one JSON serialisation, byte-stable), [`print_stdout`]
//! (a closed pipe is not an error), [`file_stem`] (a safe file name from a
//! display name) and `write_output` (a build's bodies plus manifest).

use crate::check;
use crate::diag::Code;
use crate::graph::compile::{self, Compiled};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The marker file every caac output directory contains.
pub const MANIFEST: &str = "manifest.json";

/// Why output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// The target is a directory holding files and no manifest: caac did
    /// not create it, so replacing it could delete the user's files.
    #[error(
        "{0} exists and is not a caac output directory: it holds files but no {MANIFEST}, so caac did not create it, and caac replaces only directories it created (it would delete your files otherwise)"
    )]
    NotOurs(PathBuf),
    /// The target exists and is a file (or another non-directory).
    #[error(
        "{0} exists and is not a caac output directory: it is a file, and caac writes a directory there"
    )]
    NotADirectory(PathBuf),
    /// The target directory has files in it.
    #[error("{0} is not empty; choose a new directory (caac never overwrites your files)")]
    NotEmpty(PathBuf),
    /// The target file exists.
    #[error("{0} already exists; choose a new path (caac never overwrites your files)")]
    Exists(PathBuf),
    /// The previous output cannot be changed (read-only directory).
    #[error(
        "{0} cannot be replaced: its files cannot be removed ({1}); make it writable or choose another output directory"
    )]
    NotWritable(PathBuf, std::io::Error),
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
    write_file_with(path, &mut |f| f.write_all(bytes))
}

/// [`write_file`] for content written piece by piece by `write` (a report
/// too large to hold in memory): the target appears, whole, only after
/// `write` succeeded; on any error the temporary file is removed and the
/// target is untouched.
pub fn write_file_with(
    path: &Path,
    write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), EmitError> {
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
        let f = std::fs::File::create(&tmp).map_err(io(path))?;
        let mut w = std::io::BufWriter::with_capacity(256 * 1024, f);
        write(&mut w).map_err(io(path))?;
        let f = w.into_inner().map_err(|e| io(path)(e.into_error()))?;
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
        stage(&staging, files, None).and_then(|()| std::fs::rename(&staging, dir).map_err(io(dir)));
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
        Ok(_) => return Err(EmitError::NotADirectory(dir.to_owned())),
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
    let previous = dir.is_dir().then_some(dir);
    if let Some(d) = previous {
        probe_writable(d)?;
        // Already exactly these files: replacing the directory by itself
        // would only link, rename and unlink 20,001 inodes for nothing
        // (BENCHMARKS.md, run 6). Nothing is touched, which is as atomic
        // as it gets.
        if holds_exactly(d, files) {
            return Ok(());
        }
    }
    let result = stage(&staging, files, previous).and_then(|()| swap(dir, &staging, &retired));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
}

/// A path as the diagnostics print it (forward slashes on every OS, as
/// `check::display` does; emit sits below check, so it has its own copy).
fn shown(path: &Path) -> String {
    path.display().to_string().replace('\\', "/")
}

/// What `caac build` is asked for, in the library's terms (the command
/// line's arguments turned into options by `commands/build.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildOptions {
    /// The policies and how names resolve.
    pub inputs: crate::load::Inputs,
    /// The output directory.
    pub output: std::path::PathBuf,
    /// How the summary of what was written is given.
    pub summary: SummaryFormat,
}

/// How `caac build` reports what it wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryFormat {
    /// One line on stderr.
    Human,
    /// The manifest on stdout.
    Json,
}

/// What became of a command's output directory, for [`closing_line`].
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// The output was written.
    Written,
    /// Nothing was written because the input has errors.
    Withheld,
    /// The input was fine but the output directory was refused
    /// ([`refusal`] says why).
    Refused(&'a Path),
}

/// The one error for output that could not be written: positioned at the
/// output path, the message naming it and the reason, the help saying what
/// to pass instead.
pub fn refusal(out: &Path, e: &EmitError) -> crate::diag::Diagnostic {
    let help = match e {
        EmitError::NotOurs(_) | EmitError::NotADirectory(_) => format!(
            "pass --out a directory that does not exist yet, an empty one, or one an earlier caac run wrote (it holds {MANIFEST}); or move {} away",
            shown(out)
        ),
        EmitError::NotEmpty(_) | EmitError::Exists(_) => {
            "choose a new path: caac never overwrites your files".to_owned()
        }
        EmitError::NotWritable(..) | EmitError::Io { .. } => {
            "fix the permissions or choose another output directory".to_owned()
        }
    };
    crate::diag::Diagnostic::error(Code::Output, format!("cannot write {}: {e}", shown(out)))
        .with_help(help)
}

/// The last line of a command that writes an output directory (`build`):
/// the counts of errors, warnings and infos, and whether anything was
/// written. When the output was refused, that refusal is one of the errors
/// counted and the line says nothing was written because of it — never
/// "0 error(s) … nothing was written". `None` when everything was written
/// and there is nothing to count.
pub fn closing_line(
    errors: usize,
    warnings: usize,
    infos: usize,
    outcome: Outcome,
) -> Option<String> {
    let counts =
        |errors: usize| format!("{errors} error(s), {warnings} warning(s), {infos} info(s)");
    match outcome {
        Outcome::Written if errors + warnings + infos == 0 => None,
        Outcome::Written => Some(format!("note: {}\n", counts(errors))),
        Outcome::Withheld => Some(format!("error: {}; nothing was written\n", counts(errors))),
        Outcome::Refused(out) => Some(format!(
            "error: {}; nothing was written because {} cannot be written (error[output] above)\n",
            counts(errors + 1),
            shown(out)
        )),
    }
}

/// How many files are written and synced at once. `fsync` mostly waits on
/// the device, so overlapping several costs far less than one after another
/// even on two cores (BENCHMARKS.md: 20,000 serial syncs took 8 s on ext4).
const IO_THREADS: usize = 8;

fn io_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(IO_THREADS)
        .thread_name(|i| format!("caac-io-{i}"))
        .build()
        .ok()
}

/// Runs `f` over `items` on the I/O pool (or on this thread when no pool
/// can be started), stopping at the first error in item order.
fn for_each_io<T: Sync>(
    items: &[T],
    f: impl Fn(&T) -> Result<(), EmitError> + Sync + Send,
) -> Result<(), EmitError> {
    use rayon::prelude::*;
    match io_pool() {
        Some(pool) => pool.install(|| items.par_iter().try_for_each(&f)),
        None => items.iter().try_for_each(f),
    }
}

/// True when `old` is a regular file holding exactly `bytes`.
fn same_file_contents(old: &Path, bytes: &[u8]) -> bool {
    match std::fs::symlink_metadata(old) {
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            std::fs::read(old).is_ok_and(|b| b == bytes)
        }
        _ => false,
    }
}

/// True when `dir` holds exactly `files`: the same names, nothing else
/// (no other file, directory or link), and each file byte for byte.
fn holds_exactly(dir: &Path, files: &[(String, Vec<u8>)]) -> bool {
    use rayon::prelude::*;
    let wanted: std::collections::HashSet<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let mut found = 0;
    for e in entries {
        let Ok(e) = e else { return false };
        let name = e.file_name();
        if !e.file_type().is_ok_and(|t| t.is_file())
            || !name.to_str().is_some_and(|n| wanted.contains(n))
        {
            return false;
        }
        found += 1;
    }
    if found != wanted.len() || wanted.len() != files.len() {
        return false;
    }
    let same = |(name, bytes): &(String, Vec<u8>)| same_file_contents(&dir.join(name), bytes);
    match io_pool() {
        Some(pool) => pool.install(|| files.par_iter().all(same)),
        None => files.iter().all(same),
    }
}

/// Fills `staging` with `files`. A file whose bytes equal the same-named
/// file of `previous` (the output being replaced) is hard-linked instead of
/// written: it is already on disk and synced, so an unchanged rebuild writes
/// and syncs nothing but the changed bodies, and removing the retired
/// directory frees no blocks. Every written file is synced before the
/// directory is renamed into place, so a crash never exposes a short file.
fn stage(
    staging: &Path,
    files: &[(String, Vec<u8>)],
    previous: Option<&Path>,
) -> Result<(), EmitError> {
    let _ = std::fs::remove_dir_all(staging);
    std::fs::create_dir(staging).map_err(io(staging))?;
    for_each_io(files, |(name, bytes)| {
        let path = staging.join(name);
        if let Some(old) = previous.map(|p| p.join(name))
            && same_file_contents(&old, bytes)
            && std::fs::hard_link(&old, &path).is_ok()
        {
            return Ok(());
        }
        let mut f = std::fs::File::create(&path).map_err(io(&path))?;
        f.write_all(bytes).map_err(io(&path))?;
        f.sync_all().map_err(io(&path))
    })?;
    sync_dir(staging)
}

/// Syncs a directory's entries (the names of the files just created).
fn sync_dir(dir: &Path) -> Result<(), EmitError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io(dir))
}

/// Fails unless entries of `dir` can be created and removed: a previous
/// output that is read-only would otherwise be swapped out and then left
/// behind as a `.caac-old` directory nobody asked for.
fn probe_writable(dir: &Path) -> Result<(), EmitError> {
    let probe = dir.join(format!(".caac-probe-{}", std::process::id()));
    let refuse = |e| EmitError::NotWritable(dir.to_owned(), e);
    std::fs::File::create(&probe).map_err(refuse)?;
    std::fs::remove_file(&probe).map_err(refuse)
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
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        // The renames live in the parent; best effort, the swap already happened.
        let _ = sync_dir(parent);
    }
    if existed {
        remove_retired(retired);
    }
    Ok(())
}

/// Removes the previous output, its files in parallel (each unlink is a
/// metadata write; hard-linked ones free nothing).
fn remove_retired(retired: &Path) {
    let entries: Vec<PathBuf> = match std::fs::read_dir(retired) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => return,
    };
    let _ = for_each_io(&entries, |p| {
        let _ = if p.is_dir() {
            std::fs::remove_dir_all(p)
        } else {
            std::fs::remove_file(p)
        };
        Ok(())
    });
    let _ = std::fs::remove_dir_all(retired);
}

// ---------------------------------------------------------------------------
// Output helpers: the one JSON serialisation, stdout, file names and the
// compiled-policy directory. They live here, in the output layer, so that
// library modules never import the command layer for them.
// ---------------------------------------------------------------------------

/// Exit code of [`print_stdout`]: written (or the reader closed the pipe).
const OK: u8 = 0;
/// Exit code of [`print_stdout`]: stdout cannot be written.
const INPUT_ERROR: u8 = 2;

/// Writes `s` to stdout; returns the exit code (0, or 2 after printing why).
pub fn print_stdout(s: &str) -> u8 {
    // Through anstream: when stdout is not to be coloured (redirected, or
    // `--color never`, or NO_COLOR) any escape code is stripped, so a
    // product written to a file or a pipe is plain text whatever rendered it.
    let mut out = anstream::AutoStream::auto(std::io::stdout().lock());
    // A closed pipe (`caac schema | head`) is not an error.
    match out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => OK,
        Err(e) => {
            eprintln!("error: cannot write to stdout: {e}");
            INPUT_ERROR
        }
    }
}

/// Pretty JSON with a trailing newline: the one serialisation of every file
/// caac writes, so output is byte-stable.
pub fn pretty(v: &serde_json::Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// File name for a policy: its display name reduced to `[A-Za-z0-9._-]`.
pub fn file_stem(display_name: &str) -> String {
    let mut s = String::new();
    for c in display_name.trim().chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_') {
            s.push(c);
        } else if !s.ends_with('-') {
            s.push('-');
        }
    }
    let s = s.trim_matches(['-', '.']).to_owned();
    if s.is_empty() {
        "policy".into()
    } else {
        s.chars().take(120).collect()
    }
}

/// One compiled body as written: its bytes, hash and manifest fields. The
/// body's JSON tree is dropped once these exist ([`render_body`]), so a
/// build never holds every compiled tree at once (BENCHMARKS.md, run 6).
pub(crate) struct Rendered {
    source: String,
    display_name: serde_json::Value,
    api_version: compile::ApiVersion,
    beta_reasons: Vec<String>,
    bytes: Vec<u8>,
    sha: String,
}

/// Serialises and hashes one compiled body (`source`: the spec file, or
/// `file#pointer` in an export), consuming it.
pub(crate) fn render_body(source: String, c: Compiled) -> Rendered {
    let bytes = pretty(&c.body).into_bytes();
    let sha = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Rendered {
        source,
        display_name: c.body["displayName"].clone(),
        api_version: c.api_version,
        beta_reasons: c.beta_reasons,
        bytes,
        sha,
    }
}

/// Writes a build's rendered bodies ([`render_body`], in input order) and
/// their manifest as one atomic replacement of `out`.
pub(crate) fn write_output(
    out: &Path,
    rendered: Vec<Rendered>,
) -> Result<(String, serde_json::Value), crate::emit::EmitError> {
    let count = rendered.len();
    let mut used = BTreeSet::new();
    let mut outputs = Vec::with_capacity(count + 1);
    let mut manifest = Vec::with_capacity(count);
    let (mut v1, mut beta) = (0, 0);
    for Rendered {
        source,
        display_name,
        api_version,
        beta_reasons,
        bytes,
        sha,
    } in rendered
    {
        let stem = file_stem(display_name.as_str().unwrap_or_default());
        let mut name = format!("{stem}.json");
        let mut n = 2;
        while !used.insert(name.to_lowercase()) {
            name = format!("{stem}-{n}.json");
            n += 1;
        }
        match api_version {
            compile::ApiVersion::V1 => v1 += 1,
            compile::ApiVersion::Beta => beta += 1,
        }
        manifest.push(serde_json::json!({
            "source": source,
            "output": name,
            "displayName": display_name,
            "apiVersion": api_version,
            "betaReasons": beta_reasons,
            "endpoint": format!("https://graph.microsoft.com/{}/identity/conditionalAccess/policies", api_version.as_str()),
            "sha256": sha,
        }));
        outputs.push((name, bytes));
    }
    let manifest =
        serde_json::json!({ "generator": "caac", "formatVersion": 1, "policies": manifest });
    // The written file, kept for `caac build -f json` (stdout).
    outputs.push((
        crate::emit::MANIFEST.to_owned(),
        pretty(&manifest).into_bytes(),
    ));
    crate::emit::write_dir(out, &outputs)?;
    let summary = format!(
        "wrote {} polic{} to {} ({v1} v1.0, {beta} beta) and {}\n",
        count,
        if count == 1 { "y" } else { "ies" },
        check::display(out),
        crate::emit::MANIFEST
    );
    Ok((summary, manifest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_directory_is_named_with_its_reason() {
        let tmp = tempfile::tempdir().unwrap();
        let foreign = tmp.path().join("docs");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("notes.md"), "keep").unwrap();
        let e = write_dir(&foreign, &[]).unwrap_err();
        let d = refusal(&foreign, &e);
        let shown = shown(&foreign);
        assert_eq!(d.code, "output");
        assert!(
            d.message.starts_with(&format!("cannot write {shown}: {shown} exists and is not a caac output directory: it holds files but no manifest.json, so caac did not create it")),
            "{}",
            d.message
        );
        assert!(
            d.help
                .as_deref()
                .unwrap()
                .contains("does not exist yet, an empty one")
        );
        let file = tmp.path().join("target.txt");
        std::fs::write(&file, "x").unwrap();
        let e = write_dir(&file, &[]).unwrap_err();
        assert!(matches!(e, EmitError::NotADirectory(_)));
        assert!(
            refusal(&file, &e)
                .message
                .ends_with("it is a file, and caac writes a directory there")
        );
    }

    #[test]
    fn the_closing_line_never_says_zero_errors_when_nothing_was_written() {
        assert_eq!(closing_line(0, 0, 0, Outcome::Written), None);
        assert_eq!(
            closing_line(0, 1, 0, Outcome::Written).as_deref(),
            Some("note: 0 error(s), 1 warning(s), 0 info(s)\n")
        );
        assert_eq!(
            closing_line(2, 0, 0, Outcome::Withheld).as_deref(),
            Some("error: 2 error(s), 0 warning(s), 0 info(s); nothing was written\n")
        );
        let line = closing_line(0, 1, 0, Outcome::Refused(Path::new("docs"))).unwrap();
        assert_eq!(
            line,
            "error: 1 error(s), 1 warning(s), 0 info(s); nothing was written because docs cannot be written (error[output] above)\n"
        );
        assert!(!line.contains("0 error(s)"));
    }

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

    #[test]
    fn an_unchanged_output_is_left_untouched_and_any_difference_replaces_it() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let files = vec![
            (MANIFEST.to_owned(), b"{}".to_vec()),
            ("a.json".to_owned(), b"one".to_vec()),
        ];
        write_dir(&out, &files).unwrap();
        let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
        let dir = ino(&out);
        // The same files again: the directory itself is kept (no swap).
        write_dir(&out, &files).unwrap();
        assert_eq!(ino(&out), dir, "an unchanged output is not replaced");
        // A stray file, a missing file or different bytes: replaced.
        std::fs::write(out.join("stray.json"), b"x").unwrap();
        write_dir(&out, &files).unwrap();
        assert_ne!(ino(&out), dir, "a stray file makes it a replacement");
        assert!(!out.join("stray.json").exists());
        let dir = ino(&out);
        write_dir(&out, &files[..1]).unwrap();
        assert_ne!(ino(&out), dir, "one file fewer makes it a replacement");
        assert!(!out.join("a.json").exists());
        write_dir(&out, &files).unwrap();
        let dir = ino(&out);
        let changed = vec![files[0].clone(), ("a.json".to_owned(), b"two".to_vec())];
        write_dir(&out, &changed).unwrap();
        assert_ne!(ino(&out), dir, "changed bytes make it a replacement");
        assert_eq!(std::fs::read(out.join("a.json")).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out"], "no staging, retired or probe debris");
    }

    #[test]
    fn unchanged_files_are_linked_changed_ones_rewritten() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let files = |b: &[u8]| {
            vec![
                (MANIFEST.to_owned(), b"{}".to_vec()),
                ("same.json".to_owned(), b"unchanged".to_vec()),
                ("edit.json".to_owned(), b.to_vec()),
            ]
        };
        write_dir(&out, &files(b"one")).unwrap();
        let ino = |n: &str| std::fs::metadata(out.join(n)).unwrap().ino();
        let (same, edit) = (ino("same.json"), ino("edit.json"));
        write_dir(&out, &files(b"two")).unwrap();
        assert_eq!(ino("same.json"), same, "unchanged file is the same inode");
        assert_ne!(ino("edit.json"), edit, "changed file is a new inode");
        assert_eq!(std::fs::read(out.join("edit.json")).unwrap(), b"two");
        assert_eq!(std::fs::metadata(out.join("same.json")).unwrap().nlink(), 1);
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out"], "no staging, retired or probe debris");
    }
}

#[cfg(test)]
mod helper_tests {
    use super::file_stem;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(
            file_stem("CA410-TokenProtection-ExchangeSharePoint-Windows"),
            "CA410-TokenProtection-ExchangeSharePoint-Windows"
        );
        assert_eq!(
            file_stem("CA001 - Block legacy auth / all users"),
            "CA001-Block-legacy-auth-all-users"
        );
        assert_eq!(file_stem("../../etc/passwd"), "etc-passwd");
        assert_eq!(file_stem("★"), "policy");
    }
}
