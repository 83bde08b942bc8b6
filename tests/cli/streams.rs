//! One grammar for every command, the stream and discovery part: colour
//! decided per stream (tested under a real pseudo-terminal with util-linux
//! `script`), the product on stdout and the rest on stderr, the global
//! `-q`/`-v`, `.caac.yaml` discovery from a subdirectory, file discovery,
//! and `caac schema` printing every shipped schema.

use crate::common::{root, text};
use std::path::Path;
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_caac")
}

/// A policy with an input error (an unknown key) and a lint finding, so
/// the human report has styled parts to colour.
const BAD: &str = "displayName: X\nstate: enabled\nbogus: 1\n";

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    dir
}

/// `script` runs `shell` with stdin, stdout and stderr on a fresh
/// pseudo-terminal and copies what reached the terminal to its stdout.
/// `None` when util-linux `script` is missing (the test then says so).
fn under_pty(dir: &Path, shell: &str, env: &[(&str, &str)]) -> Option<(String, String)> {
    let mut cmd = Command::new("script");
    cmd.current_dir(dir)
        .args(["-qec", shell, "/dev/null"])
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().ok()?;
    let file = std::fs::read_to_string(dir.join("out.txt")).unwrap_or_default();
    Some((String::from_utf8_lossy(&out.stdout).into_owned(), file))
}

fn has_escape(s: &str) -> bool {
    s.contains("\u{1b}[")
}

#[test]
fn lint_redirected_from_a_terminal_writes_no_escape_codes() {
    let dir = dir_with(&[("p.yaml", BAD)]);
    let Some((_, file)) = under_pty(
        dir.path(),
        &format!("{} lint --partial p.yaml > out.txt", bin()),
        &[],
    ) else {
        println!("skipped: `script` (util-linux) is not installed");
        return;
    };
    assert!(
        file.contains("bogus"),
        "the report reached the file: {file}"
    );
    assert!(
        !has_escape(&file),
        "escape codes in a redirected stdout: {file:?}"
    );
}

#[test]
fn stderr_on_a_terminal_is_coloured_while_stdout_is_redirected() {
    let dir = dir_with(&[("p.yaml", BAD)]);
    let shell = format!("{} -v lint --partial p.yaml > out.txt", bin());
    let Some((tty, file)) = under_pty(dir.path(), &shell, &[]) else {
        println!("skipped: `script` (util-linux) is not installed");
        return;
    };
    assert!(tty.contains("verbose:"), "{tty}");
    assert!(
        has_escape(&tty),
        "stderr on the terminal is coloured: {tty:?}"
    );
    assert!(!has_escape(&file), "{file:?}");
    // NO_COLOR (non-empty) turns the terminal's colour off ...
    let (tty, _) = under_pty(dir.path(), &shell, &[("NO_COLOR", "1")]).unwrap();
    assert!(tty.contains("verbose:") && !has_escape(&tty), "{tty:?}");
    // ... but an empty NO_COLOR does not (https://no-color.org).
    let (tty, _) = under_pty(dir.path(), &shell, &[("NO_COLOR", "")]).unwrap();
    assert!(has_escape(&tty), "{tty:?}");
    // --color never wins over the terminal.
    let shell = format!("{} --color never -v lint --partial p.yaml", bin());
    let (tty, _) = under_pty(dir.path(), &shell, &[]).unwrap();
    assert!(tty.contains("bogus") && !has_escape(&tty), "{tty:?}");
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = Command::new(bin());
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

#[test]
fn color_always_and_clicolor_force_colour_a_pipe() {
    let dir = dir_with(&[("p.yaml", BAD)]);
    let (out, _) = text(&run(
        dir.path(),
        &["--color", "always", "lint", "--partial", "p.yaml"],
        &[],
    ));
    assert!(has_escape(&out), "{out:?}");
    let (out, _) = text(&run(
        dir.path(),
        &["lint", "--partial", "p.yaml"],
        &[("CLICOLOR_FORCE", "1")],
    ));
    assert!(has_escape(&out), "{out:?}");
    // A pipe under auto: plain.
    let (out, err) = text(&run(
        dir.path(),
        &["-v", "lint", "--partial", "p.yaml"],
        &[],
    ));
    assert!(!has_escape(&out) && !has_escape(&err), "{out:?} {err:?}");
    // --color never beats CLICOLOR_FORCE.
    let (out, _) = text(&run(
        dir.path(),
        &["--color", "never", "lint", "--partial", "p.yaml"],
        &[("CLICOLOR_FORCE", "1")],
    ));
    assert!(!has_escape(&out), "{out:?}");
}

/// A copy of the starter set (policies/, tenant.yaml, .caac.yaml) in a git
/// repository of its own, plus one policy whose name breaks the starter's
/// naming convention: CA801 fires only when `.caac.yaml` was read.
fn starter_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join(".git")).unwrap();
    std::fs::create_dir(d.join("policies")).unwrap();
    for e in std::fs::read_dir(root().join("policies"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(e.path(), d.join("policies").join(e.file_name())).unwrap();
    }
    for f in ["tenant.yaml", ".caac.yaml"] {
        std::fs::copy(root().join(f), d.join(f)).unwrap();
    }
    let ca001 =
        std::fs::read_to_string(d.join("policies/CA001-BlockLegacyAuthentication.yaml")).unwrap();
    let renamed = ca001.replace(
        "displayName: CA001-BlockLegacyAuthentication",
        "displayName: Block legacy authentication (copy)",
    );
    assert_ne!(renamed, ca001, "the starter's CA001 changed its name");
    std::fs::write(d.join("policies/copy.yaml"), renamed).unwrap();
    dir
}

#[test]
fn lint_from_policies_finds_the_repository_config_and_tenant() {
    let repo = starter_repo();
    let from_root = run(repo.path(), &["--color", "never", "lint"], &[]);
    let from_sub = run(
        &repo.path().join("policies"),
        &["--color", "never", "lint"],
        &[],
    );
    let (root_out, root_err) = text(&from_root);
    let (sub_out, sub_err) = text(&from_sub);
    assert!(
        root_out.contains("naming-convention"),
        "{root_out}{root_err}"
    );
    assert_eq!(
        from_root.status.code(),
        from_sub.status.code(),
        "{sub_out}{sub_err}"
    );
    // Same findings; paths are shown relative to where caac ran.
    assert_eq!(root_out, sub_out.replace("../", ""), "{sub_err}");
    let (_, verbose) = text(&run(
        &repo.path().join("policies"),
        &["--color", "never", "-v", "lint"],
        &[],
    ));
    assert!(verbose.contains("config: ../.caac.yaml"), "{verbose}");
    assert!(verbose.contains("tenant: ../tenant.yaml"), "{verbose}");
}

#[test]
fn config_discovery_stops_at_the_repository_root() {
    let outer = starter_repo();
    // A repository inside the folder that holds a .caac.yaml: not its config.
    let inner = outer.path().join("inner");
    std::fs::create_dir_all(inner.join(".git")).unwrap();
    std::fs::create_dir_all(inner.join("policies")).unwrap();
    std::fs::copy(
        outer.path().join("policies/copy.yaml"),
        inner.join("policies/copy.yaml"),
    )
    .unwrap();
    let (out, err) = text(&run(
        &inner.join("policies"),
        &["--color", "never", "-v", "lint", "--partial", "copy.yaml"],
        &[],
    ));
    assert!(err.contains("config: none"), "{err}");
    assert!(!out.contains("naming-convention"), "{out}");
}

#[test]
fn config_paths_are_relative_to_the_config_file_and_the_command_line_wins() {
    let repo = starter_repo();
    let d = repo.path();
    std::fs::rename(d.join("policies"), d.join("specs")).unwrap();
    std::fs::create_dir(d.join("ids")).unwrap();
    std::fs::rename(d.join("tenant.yaml"), d.join("ids/directory.yaml")).unwrap();
    let config = std::fs::read_to_string(d.join(".caac.yaml")).unwrap();
    std::fs::write(
        d.join(".caac.yaml"),
        format!("{config}policies: [specs]\ntenant: ids/directory.yaml\nscenarios: scenarios\n"),
    )
    .unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    let from_root = run(d, &["--color", "never", "lint"], &[]);
    let from_sub = run(&d.join("sub"), &["--color", "never", "-v", "lint"], &[]);
    let (root_out, root_err) = text(&from_root);
    let (sub_out, sub_err) = text(&from_sub);
    assert!(
        root_out.contains("naming-convention"),
        "{root_out}{root_err}"
    );
    assert_eq!(root_out, sub_out.replace("../", ""), "{sub_err}");
    assert!(
        sub_err.contains("tenant: ../ids/directory.yaml"),
        "{sub_err}"
    );
    assert!(sub_err.contains("policy paths: ../specs"), "{sub_err}");
    // Explicit paths win over `policies:`.
    let (out, err) = text(&run(
        &d.join("sub"),
        &[
            "--color",
            "never",
            "-v",
            "lint",
            "--partial",
            "../specs/copy.yaml",
        ],
        &[],
    ));
    assert!(err.contains("policy paths: ../specs/copy.yaml"), "{err}");
    assert!(out.contains("in 1 file(s)"), "{out}");
}

#[test]
fn quiet_prints_findings_only_and_verbose_adds_what_was_read() {
    let repo = starter_repo();
    let plain = run(repo.path(), &["--color", "never", "lint"], &[]);
    let quiet = run(repo.path(), &["--color", "never", "lint", "-q"], &[]);
    let verbose = run(repo.path(), &["--color", "never", "-v", "lint"], &[]);
    let (plain_out, _) = text(&plain);
    let (quiet_out, quiet_err) = text(&quiet);
    let (verbose_out, verbose_err) = text(&verbose);
    assert_eq!(plain.status.code(), quiet.status.code());
    assert!(plain_out.contains("error(s)"), "{plain_out}");
    assert!(quiet_out.contains("naming-convention"), "{quiet_out}");
    assert!(
        !quiet_out.contains("error(s)") && quiet_err.is_empty(),
        "{quiet_out}{quiet_err}"
    );
    // -v leaves the product alone and reports on stderr.
    assert_eq!(plain_out, verbose_out);
    for want in [
        "config: .caac.yaml",
        "tenant: tenant.yaml",
        "read policies/copy.yaml",
        "lint: ",
    ] {
        assert!(verbose_err.contains(want), "{want}: {verbose_err}");
    }
    // Declared once, accepted by every command.
    for cmd in ["rules", "schema", "lint", "coverage", "report"] {
        let out = run(repo.path(), &["-q", cmd], &[]);
        assert_ne!(out.status.code(), Some(2), "{cmd}: {}", text(&out).1);
    }
    let both = run(repo.path(), &["-q", "-v", "rules"], &[]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn upper_case_extensions_are_read_not_skipped() {
    let repo = starter_repo();
    let d = repo.path();
    std::fs::rename(d.join("policies/copy.yaml"), d.join("policies/COPY.YAML")).unwrap();
    let (out, err) = text(&run(d, &["--color", "never", "-v", "lint"], &[]));
    assert!(err.contains("read policies/COPY.YAML"), "{err}");
    assert!(out.contains("in 11 file(s)"), "{out}");
    assert!(out.contains("naming-convention"), "{out}");
}

#[test]
fn notes_go_to_stderr_and_quiet_drops_them() {
    let repo = starter_repo();
    let d = repo.path();
    std::fs::remove_file(d.join("policies/copy.yaml")).unwrap();
    // build's product is files: nothing on stdout, its closing line on stderr.
    let out = run(d, &["--color", "never", "build", "--out", "out"], &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("wrote 10 policies"), "{stderr}");
    assert!(
        stderr.contains("note: 0 error(s), 1 warning(s)"),
        "{stderr}"
    );
    // -q: the findings (the tenant's placeholder-id warning) only.
    let out = run(d, &["--color", "never", "-q", "build", "--out", "out"], &[]);
    let (quiet_out, quiet_err) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{quiet_out}{quiet_err}");
    assert!(quiet_out.is_empty(), "{quiet_out}");
    assert!(quiet_err.contains("warning[placeholder-id]"), "{quiet_err}");
    assert!(
        !quiet_err.contains("wrote") && !quiet_err.contains("note:"),
        "{quiet_err}"
    );
    assert!(d.join("out/manifest.json").is_file());
    // report: the product on stdout without --out; "wrote" is a note.
    let out = run(d, &["--color", "never", "report"], &[]);
    assert!(!text(&out).0.is_empty());
    let out = run(d, &["--color", "never", "report", "--out", "r.md"], &[]);
    assert_eq!(text(&out), (String::new(), "wrote r.md\n".to_owned()));
    let out = run(
        d,
        &["--color", "never", "-q", "report", "--out", "r.md"],
        &[],
    );
    assert_eq!(text(&out), (String::new(), String::new()));
}

#[test]
fn caac_test_reads_the_scenarios_the_config_names() {
    let repo = starter_repo();
    let d = repo.path();
    std::fs::create_dir(d.join("what-if")).unwrap();
    for f in [
        "baseline-policies.yaml",
        "emergency-access-never-blocked.yaml",
    ] {
        std::fs::copy(root().join("tests").join(f), d.join("what-if").join(f)).unwrap();
    }
    let config = std::fs::read_to_string(d.join(".caac.yaml")).unwrap();
    std::fs::write(
        d.join(".caac.yaml"),
        format!("{config}scenarios: what-if\n"),
    )
    .unwrap();
    let from_root = run(d, &["--color", "never", "test"], &[]);
    let from_sub = run(&d.join("policies"), &["--color", "never", "test"], &[]);
    let (root_out, root_err) = text(&from_root);
    assert_eq!(from_root.status.code(), Some(0), "{root_out}{root_err}");
    assert!(root_out.contains("PASS"), "{root_out}");
    assert_eq!(from_sub.status.code(), Some(0), "{}", text(&from_sub).1);
    assert_eq!(root_out, text(&from_sub).0.replace("../", ""));
    // An explicit directory wins.
    let out = run(d, &["--color", "never", "test", "nowhere"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("nowhere"), "{}", text(&out).1);
}

/// `policies` typed in a subdirectory that has a `policies/` of its own
/// cannot be told from the default (the project root's): caac refuses
/// instead of linting — or planning, or applying — the other set, and
/// `./policies` names this directory's without doubt.
#[test]
fn an_ambiguous_policies_directory_is_refused_not_guessed() {
    let repo = starter_repo();
    let team = repo.path().join("team");
    std::fs::create_dir_all(team.join("policies")).unwrap();
    std::fs::copy(
        repo.path().join("policies/copy.yaml"),
        team.join("policies/copy.yaml"),
    )
    .unwrap();
    for args in [
        &["--color", "never", "lint", "policies"][..],
        &["--color", "never", "lint"][..],
    ] {
        let out = run(&team, args, &[]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stdout}{stderr}");
        assert!(
            stderr.contains("`policies` is ambiguous here")
                && stderr.contains("`./policies`")
                && stderr.contains("`../policies`"),
            "{stderr}"
        );
        assert!(stdout.is_empty(), "{stdout}");
    }
    // Named without doubt: this directory's one file, linted.
    let (_, verbose) = text(&run(
        &team,
        &["--color", "never", "-v", "lint", "--partial", "./policies"],
        &[],
    ));
    assert!(verbose.contains("policies/copy.yaml"), "{verbose}");
    assert!(
        !verbose.contains("CA001-BlockLegacyAuthentication"),
        "{verbose}"
    );
    // From the root, the default is the root's, as before.
    let out = run(repo.path(), &["--color", "never", "lint"], &[]);
    assert_ne!(out.status.code(), Some(2), "{}", text(&out).1);
}
