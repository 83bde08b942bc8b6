//! `import`: arbitrary bytes as a Graph export (`f.json`), through what
//! `caac import` and then `caac build` do with it: parse, find the policies,
//! convert each from Graph's shape, turn ids back into names, write the spec
//! YAML, read that YAML back through the spec loader, schema check + typed
//! model, resolve and compile. The export's own diagnostics are rendered too
//! (pointer → line:column in the export).
//!
//! Oracles beyond "does not panic", for every policy `caac import` would
//! write (conversion not lossy):
//! - the written YAML parses with caac's own loader (else the writer produced
//!   unreadable YAML) and reads back as exactly the value that was written;
//! - the spec passes the schema check and the typed model;
//! - building the spec compiles to the same Graph body as the export itself.
#![no_main]

mod common;

use caac::model::Policy;
use caac::render::FileReport;
use libfuzzer_sys::fuzz_target;

const PATH: &str = "f.json";

fuzz_target!(|data: &[u8]| {
    let doc = match caac::load::parse_bytes(PATH.into(), data) {
        Ok(doc) => doc,
        Err((d, text)) => {
            common::assert_positioned(&d, text.as_deref());
            common::render(FileReport {
                path: PATH.into(),
                text,
                spans: None,
                diagnostics: vec![*d],
            });
            return;
        }
    };
    let mut diagnostics = Vec::new();
    match caac::graph::read::policies_in(&doc.value) {
        Err(d) => diagnostics.push(d),
        Ok(found) => {
            for (at, value) in found {
                let converted = caac::graph::read::from_graph(value, &at);
                diagnostics.extend(converted.diagnostics.iter().cloned());
                // `caac lint` / `caac build` on the export itself.
                let (resolved, ds) = caac::resolve::resolve(&converted.policy, None);
                let direct = caac::graph::compile::compile(&resolved);
                let clean = ds.is_empty() && !caac::graph::read::has_errors(&converted.diagnostics);
                if clean {
                    // `caac build` compiles only clean units, then checks the body.
                    let graph = caac::graph::compile::check_against_graph(
                        &direct,
                        resolved.passthrough.as_ref(),
                    );
                    common::assert_no_internal(&graph, "compiled export vs Graph metadata");
                    diagnostics.extend(graph);
                }
                for d in ds.into_iter().chain(common::lint(PATH, &resolved)) {
                    let mut d = d;
                    if let caac::diag::Location::Pointer { pointer, .. } = &mut d.location {
                        *pointer = converted
                            .source_pointer(pointer)
                            .unwrap_or_else(|| at.clone());
                    }
                    diagnostics.push(d);
                }
                if converted.lossy {
                    // `caac import` skips it (reported): a spec would lose a value.
                    continue;
                }
                round_trip(&converted.policy, &direct.body, &at);
            }
        }
    }
    common::render(FileReport {
        path: PATH.into(),
        text: Some(doc.text),
        spans: Some(doc.spans),
        diagnostics,
    });
});

/// `caac import` then `caac build` (both without a tenant file).
fn round_trip(policy: &Policy, direct: &serde_json::Value, at: &str) {
    let mut spec = policy.clone();
    caac::import::unresolve(&mut spec, None);
    let source = format!("{PATH}#{at}");
    let yaml = caac::import::spec_text(&spec, "policy.schema.json", &source);
    let (value, spans) = caac::load::parse_text(&yaml).unwrap_or_else(|d| {
        panic!("the imported spec does not parse: {d:?}\n--- spec ---\n{yaml}")
    });
    let written = serde_json::to_value(&spec).expect("a policy serializes");
    assert_eq!(
        value, written,
        "the imported spec reads back as a different value\n--- spec ---\n{yaml}"
    );
    let doc = caac::load::Document {
        path: "spec.yaml".into(),
        text: yaml.clone(),
        value,
        spans,
    };
    let back: Policy = caac::validate::typed(&common::POLICY_SCHEMA, &doc).unwrap_or_else(|ds| {
        panic!("the imported spec fails the schema check: {ds:?}\n--- spec ---\n{yaml}")
    });
    let (resolved, _) = caac::resolve::resolve(&back, None);
    let built = caac::graph::compile::compile(&resolved);
    assert_eq!(
        &built.body, direct,
        "building the imported spec gives a different Graph body than the export\n--- spec ---\n{yaml}"
    );
}
