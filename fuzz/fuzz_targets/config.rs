//! `config`: arbitrary bytes as the configuration file (`.caac.yaml`)
//! through what every command runs on it: [`caac::check::load_config`]
//! (hardened loader + strict schema) and [`caac::config::Config::from_file`]
//! (rule keys, Token Protection resources, the naming regex, thresholds,
//! the break-glass opt-out).
//!
//! Oracles beyond "does not panic":
//! - positions inside the input: every diagnostic of the load, the schema
//!   check and `from_file` (pointers into the file) is placed inside the
//!   text, at a line:column that matches its byte offset;
//! - two paths agree: the file on disk ([`caac::check::load_config`]) and
//!   the bytes in memory ([`caac::load::parse_bytes`] → schema check) give
//!   the same config or the same diagnostics;
//! - deterministic: loading the same file twice gives the same config,
//!   effective config and diagnostics;
//! - re-serialise → re-load equal: an accepted config written back as YAML
//!   (the model's own serialisation, through caac's YAML writer) loads to
//!   the same `ConfigFile`, the same effective `Config` and the same
//!   `from_file` findings.
#![no_main]

mod common;

use caac::config::{Config, ConfigFile, config_schema};
use caac::diag::Diagnostic;
use caac::render::FileReport;
use caac::validate::Schema;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::new(config_schema()));

/// What a load gives, as comparable text.
fn outcome(file: &Option<ConfigFile>, report: &FileReport) -> String {
    let effective = file.as_ref().map(|f| {
        let (c, ds) = Config::from_file(f);
        format!("{c:?} {ds:?}")
    });
    format!("{file:?} {:?} {effective:?}", report.diagnostics)
}

/// The findings of `from_file` as (code, message, location): what a person
/// reads (the config is the same; only where it is written moved).
fn findings(ds: &[Diagnostic]) -> Vec<String> {
    ds.iter()
        .map(|d| format!("{} {} {:?}", d.code, d.message, d.location))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let dir = common::scratch("config");
    let path = dir.join(".caac.yaml");
    std::fs::write(&path, data).expect("scratch file");
    let (file, mut report) = caac::check::load_config(&path);
    common::assert_no_internal(&report.diagnostics, "config load");

    // Deterministic.
    let (again, again_report) = caac::check::load_config(&path);
    assert_eq!(
        outcome(&file, &report),
        outcome(&again, &again_report),
        "loading the same config twice differs"
    );

    // Two paths agree.
    match caac::load::parse_bytes("f.yaml".into(), data) {
        Err((d, text)) => {
            assert!(file.is_none());
            assert_eq!(report.text, text, "the two paths decode otherwise");
            assert_eq!(
                format!("{:?}", report.diagnostics),
                format!("{:?}", [*d]),
                "the two paths disagree on the load error"
            );
        }
        Ok(doc) => match caac::validate::typed::<ConfigFile>(&SCHEMA, &doc) {
            Err(ds) => {
                assert!(file.is_none(), "refused in memory, accepted from disk");
                assert_eq!(
                    format!("{:?}", report.diagnostics),
                    format!("{ds:?}"),
                    "the two paths disagree on the schema findings"
                );
            }
            Ok(typed) => assert_eq!(file.as_ref(), Some(&typed), "the two paths read otherwise"),
        },
    }

    let Some(file) = file else {
        common::assert_places_inside(&report);
        return;
    };
    let (config, diags) = Config::from_file(&file);
    report.diagnostics.extend(diags.iter().cloned());
    common::assert_places_inside(&report);

    // Re-serialise → re-load.
    let value = serde_json::to_value(&file).expect("a config serialises");
    let text = caac::import::yaml::to_yaml(&value);
    std::fs::write(&path, &text).expect("scratch file");
    let (back, back_report) = caac::check::load_config(&path);
    let back = back.unwrap_or_else(|| {
        panic!(
            "the re-serialised config is refused: {:?}\n{text}",
            back_report.diagnostics
        )
    });
    assert_eq!(
        back, file,
        "the re-serialised config loads otherwise:\n{text}"
    );
    let (back_config, back_diags) = Config::from_file(&back);
    assert_eq!(
        format!("{back_config:?}"),
        format!("{config:?}"),
        "the effective config differs after re-serialising:\n{text}"
    );
    let (a, b) = (findings(&diags), findings(&back_diags));
    assert_eq!(
        a, b,
        "from_file findings differ after re-serialising:\n{text}"
    );
});
