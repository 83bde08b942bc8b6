//! Every `caac …` command the README gives literally — with concrete
//! arguments, meant to be typed from the repository root — runs as written:
//! no usage or input error (exit 2), no panic. Command-reference templates
//! (`[PATHS…]`, `FILE`, `a|b`), bare command names in prose and fragments
//! ending in an option are not commands to run. Each run happens in a copy
//! of the files the README's commands read, so `build` and `report` write
//! nothing into the checkout.

use crate::common::{caac, root, text};
use std::path::Path;

/// Literal commands the README gives that need what a test cannot have,
/// with the reason.
const NOT_RUN_HERE: &[(&str, &str)] = &[(
    "caac import state/policies.json --out policies",
    "reads `state/` written by `caac pull` from a live tenant",
)];

/// The `caac …` commands in `text`: inline code spans (which may wrap
/// lines) and lines of ```` ```sh ```` blocks (without trailing comments).
fn commands(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for line in text.lines() {
        if line.starts_with("```") {
            in_sh = !in_sh && line.trim() == "```sh";
            continue;
        }
        if in_sh && let Some(rest) = line.strip_prefix("caac ") {
            let rest = rest.split("  #").next().unwrap_or_default();
            out.push(format!("caac {}", rest.trim()));
        }
    }
    let flat = text.replace('\n', " ");
    for (i, span) in flat.split('`').enumerate() {
        // Odd pieces are inside backticks (the fences hold no `caac ` spans
        // that matter: their lines were taken above).
        if i % 2 == 1 && span.starts_with("caac ") {
            out.push(span.split_whitespace().collect::<Vec<_>>().join(" "));
        }
    }
    out
}

/// A literal command: arguments beyond the subcommand, no placeholder
/// (`[…]`, `<…>`, `a|b`, `…`, an upper-case word such as `FILE`), no shell
/// redirection (`> impact.md`, the pull-request recipe that needs a git
/// remote), not ending in an option that wants a value.
fn literal(command: &str) -> bool {
    let words: Vec<&str> = command.split_whitespace().collect();
    words.len() > 2
        && !command.contains(['[', ']', '<', '>', '|', '…'])
        && !words
            .iter()
            .any(|w| w.len() > 2 && w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        && !words.last().is_some_and(|w| w.starts_with("--"))
}

/// Copies what the README's commands read into `dir`.
fn copy_checkout(dir: &Path) {
    fn copy(from: &Path, to: &Path) {
        if from.is_dir() {
            std::fs::create_dir_all(to).unwrap();
            for e in std::fs::read_dir(from).unwrap() {
                let e = e.unwrap();
                copy(&e.path(), &to.join(e.file_name()));
            }
        } else {
            std::fs::copy(from, to).unwrap();
        }
    }
    for name in ["policies", "examples", "tests", "tenant.yaml", ".caac.yaml"] {
        copy(&root().join(name), &dir.join(name));
    }
}

#[test]
fn every_literal_readme_command_runs_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut literal_commands: Vec<String> = commands(&readme)
        .into_iter()
        .filter(|c| literal(c))
        .collect();
    literal_commands.sort();
    literal_commands.dedup();
    for (c, why) in NOT_RUN_HERE {
        assert!(
            literal_commands.iter().any(|l| l == c),
            "`{c}` ({why}) is no longer in the README: drop it from NOT_RUN_HERE"
        );
    }
    let to_run: Vec<&String> = literal_commands
        .iter()
        .filter(|c| !NOT_RUN_HERE.iter().any(|(n, _)| n == c))
        .collect();
    for must in [
        "caac whatif policies --request examples/whatif/outlook-desktop-windows.json",
        "caac report policies -o report.html -f html",
        "caac build examples/token-protection --tenant examples/token-protection/tenant.yaml",
    ] {
        assert!(
            to_run.iter().any(|c| *c == must),
            "`{must}` is not found as a literal command: {to_run:#?}"
        );
    }
    let mut failures = Vec::new();
    for command in to_run {
        let tmp = tempfile::tempdir().unwrap();
        copy_checkout(tmp.path());
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        let out = caac(tmp.path(), &args);
        let (stdout, stderr) = text(&out);
        if !matches!(out.status.code(), Some(0 | 1)) || stderr.contains("panicked") {
            failures.push(format!(
                "`{command}` exited {:?}:\n{stdout}{stderr}",
                out.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_extractor_tells_commands_from_templates() {
    let text = "Run `caac whatif policies\n--request r.json` or `caac lint [PATHS…]`, \
                `caac build`, `caac explain RULE`, `caac whatif --request`.\n\
                ```sh\ncaac build -f json   # the manifest\n```\n";
    let found: Vec<String> = commands(text).into_iter().filter(|c| literal(c)).collect();
    assert_eq!(
        found,
        [
            "caac build -f json",
            "caac whatif policies --request r.json"
        ]
    );
}
