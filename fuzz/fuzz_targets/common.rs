//! What both targets share: the schemas (compiled once), a small tenant file
//! so names resolve and the break-glass rules run, the oracles, and the
//! report renderers that map pointers to positions. Each target uses a part.
#![allow(dead_code)]

use caac::config::{Config, ConfigFile};
use caac::diag::{Diagnostic, Location};
use caac::lint::{self, Context};
use caac::load::Position;
use caac::model::{self, BreakGlassIds, Policy, Tenant};
use caac::render::FileReport;
use caac::validate::Schema;
use std::sync::LazyLock;

pub static POLICY_SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::new(model::policy_schema()));

/// The names the seed corpus uses (tests/fixtures/rules/tenant.yaml plus the
/// starter set's groups).
const TENANT_YAML: &str = "\
breakGlass:
  groups: [Emergency Access]
  users: [breakglass1@contoso.com]
users:
  breakglass1@contoso.com: 0e1f2a3b-0000-4000-8000-000000000001
  alice@contoso.com: 0e1f2a3b-0000-4000-8000-000000000002
groups:
  Emergency Access: 11111111-1111-4111-8111-111111111111
  Pilot: 22222222-2222-4222-8222-222222222222
  Token Protection Pilot: 00000000-0000-4000-8000-0000000070b1
namedLocations:
  HQ: 55555555-5555-4555-8555-555555555555
authenticationStrengths:
  Contoso Passkeys: 77777777-7777-4777-8777-777777777777
termsOfUse:
  Contoso Terms: 88888888-8888-4888-8888-888888888888
authenticationContexts:
  Sensitive Data: c1
servicePrincipals:
  Payroll Sync: 99999999-9999-4999-8999-999999999999
externalTenants:
  Fabrikam: aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
tenantId: 0b5b2d4e-9a6c-4f1e-8d3a-000000000001
";

/// The repository's own lint configuration (so the naming rule runs too).
const CONFIG_YAML: &str = "\
profile: microsoft
naming:
  pattern: '^CA\\d{3}-[A-Za-z0-9]+(-[A-Za-z0-9]+)*$'
";

pub static CONFIG: LazyLock<Config> = LazyLock::new(|| {
    let file: ConfigFile = typed_text(CONFIG_YAML, &Schema::new(caac::config::config_schema()));
    let (config, ds) = Config::from_file(&file);
    assert!(ds.is_empty(), "fuzz config is valid: {ds:?}");
    config
});

fn typed_text<T: serde::de::DeserializeOwned>(text: &str, schema: &Schema) -> T {
    let (value, spans) = caac::load::parse_text(text).expect("embedded YAML parses");
    let doc = caac::load::Document {
        path: "embedded.yaml".into(),
        text: text.into(),
        value,
        spans,
    };
    caac::validate::typed(schema, &doc).expect("embedded YAML is valid")
}

pub struct TenantData {
    pub tenant: Tenant,
    pub break_glass: BreakGlassIds,
}

pub static TENANT: LazyLock<TenantData> = LazyLock::new(|| {
    let tenant: Tenant = typed_text(TENANT_YAML, &Schema::new(model::tenant_schema()));
    let (users, groups, ds) = caac::resolve::break_glass(&tenant);
    assert!(ds.is_empty(), "fuzz tenant break-glass resolves: {ds:?}");
    TenantData {
        tenant,
        break_glass: BreakGlassIds { users, groups },
    }
});

/// Oracle: `internal` diagnostics are caac bugs by their own definition
/// ("this is a caac bug; please report it").
pub fn assert_no_internal(ds: &[Diagnostic], what: &str) {
    if let Some(d) = ds.iter().find(|d| d.code == "internal") {
        panic!("{what}: internal diagnostic (a caac bug): {d:?}");
    }
}

/// Oracle: a loader diagnostic carries a concrete position that is
/// consistent with the text it is shown against: in bounds, on a char
/// boundary, and a line:column that matches the byte offset under YAML's
/// line model (`\r\n`, `\n` and a lone `\r` end a line), which caac's own
/// [`Position::at_end_of`] must share (they once differed after a lone `\r`).
pub fn assert_positioned(d: &Diagnostic, text: Option<&str>) {
    let Location::Position(p) = &d.location else {
        panic!("loader diagnostic without a position: {d:?}");
    };
    let Some(text) = text else {
        return;
    };
    assert!(
        p.offset <= text.len() && text.is_char_boundary(p.offset),
        "loader position {p:?} is outside the text or inside a character ({} bytes): {d:?}",
        text.len()
    );
    let prefix = &text[..p.offset];
    let caac = Position::at_end_of(prefix);
    let yaml = yaml_line_column(prefix);
    assert_eq!(
        (caac.line, caac.column),
        yaml,
        "caac's line model disagrees with YAML's at offset {}",
        p.offset
    );
    assert_eq!(
        (p.line, p.column),
        yaml,
        "loader position line:column disagrees with its byte offset {}: {d:?}",
        p.offset
    );
}

/// 1-based line and character column just after `prefix`, YAML's way:
/// `\r\n`, `\n` and a lone `\r` each end a line.
fn yaml_line_column(prefix: &str) -> (u32, u32) {
    let (mut line, mut column) = (1u32, 1u32);
    let mut chars = prefix.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\n' || (c == '\r' && chars.peek() != Some(&'\n')) {
            line = line.saturating_add(1);
            column = 1;
        } else if c != '\r' {
            column = column.saturating_add(1);
        }
    }
    (line, column)
}

/// Runs every lint rule on one resolved policy, with the tenant's break-glass ids.
pub fn lint(source: &str, policy: &Policy) -> Vec<Diagnostic> {
    let t = &*TENANT;
    let config = &*CONFIG;
    let ctx = Context {
        source,
        policy,
        tenant: Some(&t.tenant),
        break_glass: &t.break_glass,
        break_glass_personas: &[],
        config,
        tenant_ids: None,
    };
    let outcome = lint::run(std::slice::from_ref(&ctx), config, true, true, false);
    let mut out: Vec<Diagnostic> = outcome.policies.into_iter().flatten().collect();
    out.extend(outcome.set);
    out
}

/// Applies suppressions, sorts, places every diagnostic and renders the
/// report for people (pointer → line:column, underlined snippet), as JSON and
/// as GitHub annotations. SARIF is left out: it embeds the whole rule
/// catalogue in every run, which cost a third of each execution and adds no
/// input-dependent path beyond the placing done here.
pub fn render(mut report: FileReport) {
    lint::suppress::apply(&mut report);
    report.sort();
    for d in &report.diagnostics {
        let _ = report.place(d);
    }
    let files = [report];
    std::hint::black_box(caac::render::human(&files, false));
    std::hint::black_box(caac::render::json(&files, &[]));
    std::hint::black_box(caac::render::github(&files));
}

/// Oracle: every diagnostic of a report that names a place in the file is
/// placed inside its text, on a char boundary, with a line:column that
/// matches the byte offset under YAML's line model, and an underline inside
/// the text. A pointer diagnostic on a parsed file must be placeable (the
/// span map finds the pointer or its nearest written ancestor).
pub fn assert_places_inside(report: &FileReport) {
    for d in &report.diagnostics {
        match &d.location {
            Location::File => {}
            Location::Position(_) => assert_positioned(d, report.text.as_deref()),
            Location::Pointer { .. } => {
                let (Some(text), Some(_)) = (report.text.as_deref(), report.spans.as_ref()) else {
                    panic!("pointer diagnostic on a file without text or spans: {d:?}");
                };
                let place = report
                    .place(d)
                    .unwrap_or_else(|| panic!("pointer diagnostic cannot be placed: {d:?}"));
                let p = place.position;
                assert!(
                    p.offset <= text.len() && text.is_char_boundary(p.offset),
                    "placed at {p:?}, outside the text or inside a character ({} bytes): {d:?}",
                    text.len()
                );
                assert!(
                    place.range.start == p.offset
                        && place.range.end <= text.len()
                        && text.is_char_boundary(place.range.end),
                    "underline {:?} outside the text ({} bytes): {d:?}",
                    place.range,
                    text.len()
                );
                assert_eq!(
                    (p.line, p.column),
                    yaml_line_column(&text[..p.offset]),
                    "placed line:column disagrees with its byte offset {}: {d:?}",
                    p.offset
                );
            }
        }
    }
}

/// A scratch directory of this process (libFuzzer's `-fork` children each
/// get their own), for the loaders that read files by path.
pub fn scratch(sub: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("caac-fuzz-{}", std::process::id()))
        .join(sub);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}
