//! `locations`: arbitrary bytes as a named location spec (`locations/f.yaml`)
//! and as a Graph export of named locations, through what `caac build`,
//! `caac plan` and `caac import` / `caac pull` run on them.
//!
//! Oracles beyond "does not panic":
//! - positions inside the input: every diagnostic of the spec file's report
//!   (load, schema, Graph-validity constraints, id) and of the export's
//!   import is placed inside the text, at a line:column that matches its
//!   byte offset;
//! - two paths agree: [`caac::objects::load`] (a `locations/` directory on
//!   disk) and the in-memory loader + schema check
//!   ([`caac::load::parse_bytes`] → [`caac::validate::typed`]) give the same
//!   spec, or the same diagnostics when the schema stage refuses it;
//! - compile → read round trip: an accepted spec's Graph body
//!   ([`caac::deploy::objects::location_body`]) read back the way `caac pull`
//!   reads a live object ([`caac::objects::import::convert`]) is the spec
//!   with Graph's documented defaults filled in (`isTrusted: false`,
//!   `includeUnknownCountriesAndRegions: false`, `countryLookupMethod:
//!   clientIpAddress`; <https://learn.microsoft.com/graph/api/resources/ipnamedlocation>,
//!   <https://learn.microsoft.com/graph/api/resources/countrynamedlocation>),
//!   the YAML `pull` writes for it reads back as exactly that spec, passes
//!   the Graph-validity constraints, and plans no change against the body;
//! - spec ⇄ Graph JSON import agreement: every location the importer
//!   converts from the bytes (as an export) is written as YAML that reads
//!   back as the same spec, and that spec's Graph body reads back as it.
#![no_main]

mod common;

use caac::deploy::objects::{location_body, normal};
use caac::deploy::plan::Kind;
use caac::diag::Severity;
use caac::objects::import::{ObjectKind, convert, spec_text};
use caac::objects::{CountryLookupMethod, NamedLocation, location_schema};
use caac::render::FileReport;
use caac::validate::Schema;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static SCHEMA: LazyLock<Schema> = LazyLock::new(|| Schema::new(location_schema()));

/// The spec as Graph returns it: the defaults of its kind filled in, no id
/// (a body never carries the id; it is in the URL).
fn with_defaults(spec: &NamedLocation) -> NamedLocation {
    let mut l = spec.clone();
    l.id = None;
    if l.is_ip() {
        l.is_trusted = Some(l.trusted());
    } else {
        l.include_unknown_countries_and_regions = Some(l.include_unknown());
        l.country_lookup_method = Some(
            l.country_lookup_method
                .unwrap_or(CountryLookupMethod::ClientIpAddress),
        );
    }
    l
}

/// YAML text → typed spec through the loader and schema, as `caac` reads the
/// files `import` / `pull` write.
fn reread(text: &str) -> NamedLocation {
    let doc = caac::load::parse_bytes("written.yaml".into(), text.as_bytes())
        .unwrap_or_else(|(d, _)| panic!("the written spec does not parse: {d:?}\n{text}"));
    caac::validate::typed::<NamedLocation>(&SCHEMA, &doc)
        .unwrap_or_else(|ds| panic!("the written spec fails the schema: {ds:?}\n{text}"))
}

/// The Graph-validity constraints `caac::objects::load` applies (errors).
fn validity(l: &NamedLocation) -> Vec<caac::diag::Hit> {
    use caac::validity::*;
    let mut hits = ca023_invalid_ip_range::check(l);
    hits.extend(ca024_invalid_country_code::check(l));
    hits.extend(ca026_location_kind_conflict::check(l));
    hits.extend(ca910_named_location_limits::check(l));
    hits
}

/// Compile → read: the body read back like a live object is the spec with
/// Graph's defaults; the YAML pull writes for it reads back exactly; it
/// plans no change.
fn round_trip(spec: &NamedLocation) {
    let body = location_body(spec);
    let mut notes = Vec::new();
    let converted = convert(ObjectKind::Location, &body, "", &mut notes)
        .unwrap_or_else(|e| panic!("caac cannot read its own body back: {e:?}\n{body}"))
        .expect("a named location is never skipped");
    let back: NamedLocation = serde_json::from_value(converted.spec.clone())
        .unwrap_or_else(|e| panic!("converted spec is not a spec: {e}"));
    assert_eq!(
        back,
        with_defaults(spec),
        "body → read loses or changes a value\nbody: {body}"
    );
    let text = spec_text(&converted.spec, "../schemas/location.schema.json", "fuzz");
    assert_eq!(
        reread(&text),
        back,
        "written YAML reads back otherwise:\n{text}"
    );
    let hits = validity(&back);
    assert!(
        hits.is_empty(),
        "the spec pull writes for an accepted spec fails a constraint: {:?}",
        hits.iter().map(|h| &h.message).collect::<Vec<_>>()
    );
    let a = normal(Kind::NamedLocation, &body).expect("normal of the body");
    let b = normal(Kind::NamedLocation, &location_body(&back)).expect("normal of the re-read");
    assert_eq!(a, b, "a pulled spec would plan a change");
}

fuzz_target!(|data: &[u8]| {
    // Path A: a `locations/` directory, as `caac build` reads it.
    let dir = common::scratch("locations");
    std::fs::write(dir.join("f.yaml"), data).expect("scratch file");
    let objects = caac::objects::load(Some(&dir), None, Some(&common::TENANT.tenant));
    assert_eq!(objects.reports.len(), 1, "one file, one report");
    let report = &objects.reports[0];
    common::assert_places_inside(report);
    common::assert_no_internal(&report.diagnostics, "locations load");

    // Path B: in memory, loader + schema.
    let b = caac::load::parse_bytes("f.yaml".into(), data);
    match &b {
        Err((d, text)) => {
            assert_eq!(
                (report.diagnostics.len(), &report.text),
                (1, text),
                "the two paths read other text"
            );
            assert_eq!(
                format!("{:?}", report.diagnostics[0]),
                format!("{d:?}"),
                "the two paths disagree on the load error"
            );
            assert!(objects.locations.is_empty());
        }
        Ok(doc) => {
            assert_eq!(report.text.as_deref(), Some(doc.text.as_str()));
            match caac::validate::typed::<NamedLocation>(&SCHEMA, doc) {
                Err(ds) => {
                    assert_eq!(
                        format!("{:?}", report.diagnostics),
                        format!("{ds:?}"),
                        "the two paths disagree on the schema findings"
                    );
                    assert!(objects.locations.is_empty());
                }
                Ok(spec) => {
                    if let Some(loaded) = objects.locations.first() {
                        assert_eq!(loaded.spec, spec, "the two paths read other specs");
                    }
                    let errors = report
                        .diagnostics
                        .iter()
                        .any(|d| d.severity == Severity::Error);
                    // Accepted (no error): the object caac would create.
                    if !errors {
                        assert_eq!(objects.locations.len(), 1, "accepted but not loaded");
                        round_trip(&spec);
                    }
                }
            }
        }
    }

    // Path C: the bytes as a Graph export (`caac import` / `pull`).
    if let Ok(doc) = &b
        && let Some((converted, diags)) = caac::objects::import::import(doc)
    {
        let report = FileReport {
            path: "export.json".into(),
            text: Some(doc.text.clone()),
            spans: Some(doc.spans.clone()),
            diagnostics: diags,
        };
        common::assert_places_inside(&report);
        for c in converted.iter().filter(|c| c.kind == ObjectKind::Location) {
            let spec: NamedLocation = serde_json::from_value(c.spec.clone())
                .unwrap_or_else(|e| panic!("converted spec is not a spec: {e}"));
            let text = spec_text(&c.spec, "../schemas/location.schema.json", "fuzz");
            assert_eq!(
                reread(&text),
                spec,
                "imported YAML reads back otherwise:\n{text}"
            );
            // The imported spec's body reads back as the spec (with defaults),
            // when it is a spec caac accepts.
            if validity(&spec).is_empty() {
                round_trip(&spec);
            }
        }
    }
});
