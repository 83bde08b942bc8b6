//! `load`: arbitrary bytes as a policy spec (`f.yaml`), through every stage
//! `caac build` and `caac lint` run on a spec: decode + parse (positions),
//! schema check + typed model, resolve (without and with a tenant file),
//! compile, the Graph-metadata check, the lint rules, suppressions, and every
//! report renderer (pointer → line:column).
//!
//! Oracles beyond "does not panic": loader errors carry a consistent position;
//! no stage reports an `internal` diagnostic (caac's own word for a caac bug).
#![no_main]

mod common;

use caac::model::Policy;
use caac::render::FileReport;
use libfuzzer_sys::fuzz_target;

const PATH: &str = "f.yaml";

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
    match caac::validate::typed::<Policy>(&common::POLICY_SCHEMA, &doc) {
        Err(ds) => {
            common::assert_no_internal(&ds, "schema check + typed model");
            diagnostics.extend(ds);
        }
        Ok(policy) => {
            // As `caac build` without a tenant file: names stay unresolved.
            let (resolved, _) = caac::resolve::resolve(&policy, None);
            std::hint::black_box(caac::graph::compile::compile(&resolved));
            // With a tenant file: names resolve, and a clean policy is
            // compiled and checked against Graph's metadata like `caac build` does.
            let tenant = &common::TENANT.tenant;
            let (resolved, ds) = caac::resolve::resolve(&policy, Some(tenant));
            if ds.is_empty() {
                let compiled = caac::graph::compile::compile(&resolved);
                let graph = caac::graph::compile::check_against_graph(
                    &compiled,
                    resolved.passthrough.as_ref(),
                );
                common::assert_no_internal(&graph, "compiled body vs Graph metadata");
                diagnostics.extend(compiled.diagnostics);
                diagnostics.extend(graph);
            }
            diagnostics.extend(ds);
            diagnostics.extend(common::lint(PATH, &resolved));
        }
    }
    common::render(FileReport {
        path: PATH.into(),
        text: Some(doc.text),
        spans: Some(doc.spans),
        diagnostics,
    });
});
