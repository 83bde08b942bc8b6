//! `caac report` end to end: the starter set as Markdown (snapshot), the
//! HTML is one self-contained page that escapes what the specs say (a
//! `<script>` display name renders as text), `--out` is written atomically
//! and never over a spec, input errors exit 2; when chromium is installed the
//! page renders to a PNG (tools/render-report.sh), otherwise that test says
//! why it skipped.

use crate::common::{caac, root, text};

#[test]
fn starter_set_markdown() {
    let out = caac(&root(), &["report"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // Names, never GUIDs.
    assert!(!stdout.contains("-0000-0ff1-ce00-"), "{stdout}");
    assert!(stdout.contains(
        "Requires token protection (sign-in sessions bound to the device) when members of *Token Protection Pilot*, except members of *Emergency Access*, use *Office 365 Exchange Online* or *Office 365 SharePoint Online* from Windows with desktop and mobile apps — report-only."
    ));
    insta::assert_snapshot!("report_starter_markdown", stdout);
}

/// The matrix's cell for the Token Protection pilot user on Exchange
/// Online (the starter set's CA410, report-only) for a `--device` and the
/// context line, from `caac report -f json`.
fn pilot_exchange_cell(extra: &[&str]) -> (serde_json::Value, String) {
    let args = [&["report", "-f", "json"][..], extra].concat();
    let out = caac(&root(), &args);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let index = |key: &str, starts: &str| {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .position(|l| l.as_str().unwrap().starts_with(starts))
            .unwrap_or_else(|| panic!("no {key} starting with {starts}: {stdout}"))
    };
    let (r, c) = (
        index("rows", "pilot.user@contoso.com"),
        index("columns", "Office 365 Exchange Online"),
    );
    let cells: Vec<serde_json::Value> = v["matrices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["cells"][r][c].clone())
        .collect();
    (cells.into(), v["context"].as_str().unwrap().to_owned())
}

/// The user chooses the sign-in every cell assumes. Token protection binds
/// sessions only on registered devices and blocks the unbound desktop
/// sign-in ("1002: The request is unbound due to the lack of Microsoft Entra
/// ID device state",
/// <https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>):
/// the pilot's Exchange cell, once CA410 is enforced, is Block from an
/// unregistered Windows device and token protection from a registered one.
/// The default stays an unregistered device (the snapshot above).
#[test]
fn the_matrix_context_is_the_users_choice() {
    let (default, context) = pilot_exchange_cell(&[]);
    assert_eq!(
        context,
        "Windows, mobile/desktop app, no sign-in or user risk, an unregistered device"
    );
    let (unregistered, _) =
        pilot_exchange_cell(&["--platform", "windows", "--device", "unregistered"]);
    assert_eq!(
        default, unregistered,
        "the default is an unregistered Windows device"
    );
    let (registered, context) = pilot_exchange_cell(&["--device", "registered"]);
    assert_eq!(
        context,
        "Windows, mobile/desktop app, no sign-in or user risk, an Entra registered device (not compliant)"
    );
    assert_ne!(registered, unregistered, "{registered} vs {unregistered}");
    for cell in unregistered.as_array().unwrap() {
        assert_eq!(cell["would"], "Block", "{unregistered}");
    }
    for cell in registered.as_array().unwrap() {
        let would = cell["would"].as_str().unwrap_or_default();
        assert!(would.contains("token protection"), "{registered}");
    }
    // Token Protection covers Windows desktop apps only: from a browser or
    // macOS, enforcing CA410 changes nothing for the pilot's Exchange cell.
    for other in [&["--client", "browser"][..], &["--platform", "macOS"][..]] {
        let (cells, _) = pilot_exchange_cell(other);
        for cell in cells.as_array().unwrap() {
            assert!(
                !cell["would"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("token protection")
                    && cell["now"] != "Block",
                "{other:?}: {cells}"
            );
        }
    }
    let help = caac(&root(), &["report", "--help"]);
    let help = text(&help).0;
    for flag in [
        "--platform",
        "--client",
        "--device",
        "macOS",
        "mobileAppsAndDesktopClients",
        "registered",
    ] {
        assert!(help.contains(flag), "--help lists {flag}: {help}");
    }
}

/// Owner, reason and expiry come from the spec's `exclusions:` records,
/// matched to the exclusion by name.
#[test]
fn exclusion_records_show_owner_reason_and_expiry() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("policies");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        tmp.path().join("tenant.yaml"),
        "groups:\n  Contractors: 33333333-3333-4333-8333-333333333333\n  Emergency Access: 11111111-1111-4111-8111-111111111111\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("mfa.yaml"),
        "displayName: CA001-MFA\nusers:\n  include: { users: [All] }\n  exclude: { groups: [Contractors, Emergency Access] }\n\
         applications: { include: [All] }\ngrant: { builtInControls: [mfa] }\nexclusions:\n\
         \x20 - principal: contractors\n    owner: it-security@contoso.com\n    reason: partner tenant enforces MFA\n    expires: 2099-12-31\n",
    )
    .unwrap();
    let out = caac(tmp.path(), &["report"]);
    let (md, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        md.contains("| CA001-MFA | group: Contractors | it-security@contoso.com | partner tenant enforces MFA | 2099-12-31 |"),
        "{md}"
    );
    assert!(
        md.contains("| CA001-MFA | group: Emergency Access | — | — | — |"),
        "{md}"
    );
    let out = caac(tmp.path(), &["report", "--format", "html"]);
    let (html, _) = text(&out);
    assert!(
        html.contains("<td>it-security@contoso.com</td><td>partner tenant enforces MFA</td><td>2099-12-31</td>"),
        "{html}"
    );
}

#[test]
fn html_is_self_contained_and_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("policies");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("evil.yaml"),
        "displayName: \"<script>alert('x')</script> & <b>bold</b>\"\nstate: enabled\n\
         users: { include: { users: [All] }, exclude: { users: [\"<img src=x onerror=alert(1)>\"] } }\n\
         applications: { include: [All] }\ngrant: { builtInControls: [mfa] }\n",
    )
    .unwrap();
    let out = caac(tmp.path(), &["report", "--format", "html"]);
    let (html, stderr) = text(&out);
    // The excluded "user" does not resolve: an input error, exit 2, nothing written.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(html.is_empty());
    std::fs::write(
        dir.join("evil.yaml"),
        "displayName: \"<script>alert('x')</script> & <b>bold</b>\"\nstate: enabled\n\
         users: { include: { users: [All] } }\n\
         applications: { include: [All] }\ngrant: { builtInControls: [mfa] }\n",
    )
    .unwrap();
    let out = caac(tmp.path(), &["report", "--format", "html"]);
    let (html, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains(
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
        )
    );
    let lower = html.to_ascii_lowercase();
    assert!(
        !lower.contains("<script"),
        "no script element, escaped or ours"
    );
    assert!(!lower.contains("<b>bold"));
    // Self-contained: no external resources.
    for bad in [
        "src=", "href=", "@import", "url(", "<link", "http://", "https://",
    ] {
        assert!(!lower.contains(bad), "found {bad}");
    }
    assert!(html.contains("@media print"));
    assert!(html.contains(
        "Requires multifactor authentication when all users use any application — enforced."
    ));
}

#[test]
fn out_is_atomic_and_never_a_spec() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("report.md");
    let out = caac(&root(), &["report", "--out", page.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let first = std::fs::read_to_string(&page).unwrap();
    assert!(first.starts_with("# Conditional Access policy set"));
    // Deterministic, and replaced in place.
    let out = caac(&root(), &["report", "--out", page.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), first);
    // Never over one of the inputs.
    let dir = tmp.path().join("policies");
    std::fs::create_dir(&dir).unwrap();
    let spec = dir.join("a.yaml");
    let body = "displayName: a\nusers: { include: { users: [All] } }\napplications: { include: [All] }\ngrant: { builtInControls: [mfa] }\n";
    std::fs::write(&spec, body).unwrap();
    let out = caac(tmp.path(), &["report", "--out", "policies/a.yaml"]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("one of the policy specs"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&spec).unwrap(), body);
}

#[test]
fn input_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = caac(tmp.path(), &["report"]);
    assert_eq!(out.status.code(), Some(2));
    // An unreadable policy: `hostile.rs`, every command.
}

/// Renders the starter set in headless Chromium when it is installed; the
/// PNG must exist and be a real image. Skips (with the reason) otherwise:
/// CI does not depend on Chromium.
#[test]
fn html_renders_in_chromium_when_available() {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .any(|c| {
            std::process::Command::new("sh")
                .args(["-c", &format!("command -v {c}")])
                .output()
                .is_ok_and(|o| o.status.success())
        });
    if !found {
        eprintln!(
            "skipped: chromium is not installed (apt-get install chromium to run this check)"
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let png = tmp.path().join("report.png");
    let out = std::process::Command::new(root().join("tools/render-report.sh"))
        .arg(&png)
        .current_dir(root())
        .env("CAAC", assert_cmd::cargo::cargo_bin("caac"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(
        bytes.len() > 20_000,
        "a blank page is tiny: {} bytes",
        bytes.len()
    );
}

/// `tools/render-report.sh` runs the binary the README builds
/// (`cargo run --release` → `target/release/caac`) when CAAC is not set.
/// Stand-ins for caac and Chromium record their calls, so this runs without
/// Chromium and without a release build.
#[test]
#[cfg(unix)]
fn render_report_uses_the_release_binary() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let exe = |path: &std::path::Path, body: &str| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    // The fake caac writes the --out file it is given; the fake Chromium
    // writes the --screenshot file.
    exe(
        &tmp.path().join("target/release/caac"),
        "echo \"$@\" > called-release\nwhile [ $# -gt 0 ]; do [ \"$1\" = --out ] && echo '<html>' > \"$2\"; shift; done",
    );
    exe(
        &tmp.path().join("fake-chromium"),
        "for a; do case $a in --screenshot=*) printf png > \"${a#--screenshot=}\";; esac; done",
    );
    let run = || {
        std::process::Command::new(root().join("tools/render-report.sh"))
            .arg("report.png")
            .current_dir(tmp.path())
            .env_remove("CAAC")
            .env("CHROMIUM", tmp.path().join("fake-chromium"))
            .output()
            .unwrap()
    };
    let out = run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = std::fs::read_to_string(tmp.path().join("called-release")).unwrap();
    assert!(args.contains("report --format html --out "), "{args}");
    assert_eq!(
        std::fs::read(tmp.path().join("report.png")).unwrap(),
        b"png"
    );

    // Without a release build, the script says how to get one.
    std::fs::remove_file(tmp.path().join("target/release/caac")).unwrap();
    let out = run();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("target/release/caac not found: run `cargo build --release` first"),
        "{stderr}"
    );
}

/// The README speaks to a new user: no words from caac's own history.
#[test]
fn readme_uses_no_internal_words() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for word in ["the seed", "seed's", "design card"] {
        assert!(
            !readme.to_lowercase().contains(word),
            "README.md says {word:?}"
        );
    }
}

/// A country allow-list baseline blocks sign-ins from everywhere except the
/// allowed countries. One assumed location ("an untrusted IP in BR") turned
/// every cell into Block; the report now shows one matrix per location class,
/// so the allowed country's table shows what its users actually get.
#[test]
fn country_allow_list_shows_a_matrix_per_location() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("tenant.yaml"),
        "groups:\n  Emergency Access: 00000000-0000-4000-8000-0000000000e1\n\
         namedLocations:\n  Allowed countries: { id: 00000000-0000-4000-8000-0000000000c1, countries: [NL] }\n",
    )
    .unwrap();
    std::fs::create_dir(tmp.path().join("policies")).unwrap();
    std::fs::write(
        tmp.path().join("policies/block.yaml"),
        "displayName: Block outside allowed countries\nstate: enabled\n\
         users:\n  include: { users: [All] }\n  exclude: { groups: [Emergency Access] }\n\
         applications:\n  include: [All]\n\
         locations:\n  include: [All]\n  exclude: [Allowed countries]\n\
         grant:\n  builtInControls: [block]\n",
    )
    .unwrap();
    std::fs::write(
        tmp.path().join("policies/mfa.yaml"),
        "displayName: MFA for all\nstate: enabled\n\
         users:\n  include: { users: [All] }\n  exclude: { groups: [Emergency Access] }\n\
         applications:\n  include: [All]\n\
         grant:\n  builtInControls: [mfa]\n",
    )
    .unwrap();
    let out = caac(tmp.path(), &["report"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let tables: Vec<&str> = stdout
        .split("\n### From ")
        .skip(1)
        .map(|t| t.split("\n## ").next().unwrap())
        .collect();
    assert!(tables.len() >= 2, "{stdout}");
    let allowed = tables
        .iter()
        .find(|t| t.starts_with("an untrusted IP in NL\n"))
        .unwrap_or_else(|| panic!("no table for the allowed country:\n{stdout}"));
    let elsewhere = tables
        .iter()
        .find(|t| !t.starts_with("an untrusted IP in NL\n"))
        .unwrap();
    // An ordinary user (not Emergency Access) on any app: MFA at home, blocked abroad.
    let row = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("| ") && !l.starts_with("| User") && !l.contains("Emergency"))
            .unwrap_or_else(|| panic!("{t}"))
            .to_owned()
    };
    assert!(
        row(allowed).contains("MFA") && !row(allowed).contains("Block"),
        "{allowed}"
    );
    assert!(row(elsewhere).contains("Block"), "{elsewhere}");
    assert!(
        stdout.contains("one table per kind of location"),
        "{stdout}"
    );

    // The HTML page shows the same tables.
    let out = caac(tmp.path(), &["report", "--format", "html"]);
    let (html, _) = text(&out);
    assert_eq!(html.matches("<h3>From ").count(), tables.len(), "{html}");
}
