//! `caac whatif`: one sign-in (the body of Graph's
//! `POST /identity/conditionalAccess/evaluate`,
//! <https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate>)
//! evaluated offline against the policies by [`crate::whatif`]. Exit 2 when
//! the policies or the request cannot be read; lint findings do not matter.

use super::{ExitStatus, INPUT_ERROR, check_stages, deliver, options, policy_paths};
use crate::check;
use crate::cli::{WhatifArgs, WhatifFormat};
use crate::emit::pretty;
use crate::render;

/// `caac whatif`.
pub(crate) fn run(args: &WhatifArgs, color: bool) -> ExitStatus {
    let paths = policy_paths(&args.input);
    let opts = options(&paths, &args.input.resolve, true);
    let Some(checked) = check_stages(&opts) else {
        return INPUT_ERROR;
    };
    // Only problems that make the policies unreadable matter here; lint findings do not.
    let mut reports = checked.input_errors();
    let mut request_report = render::FileReport {
        path: check::display(&args.request),
        ..Default::default()
    };
    let sign_in = match crate::load::load(&args.request) {
        Err((d, text)) => {
            request_report.diagnostics.push(*d);
            request_report.text = text;
            None
        }
        Ok(doc) => {
            let parsed = crate::whatif::request::parse(&doc.value, checked.tenant.as_ref());
            request_report.text = Some(doc.text.clone());
            request_report.spans = Some(doc.spans.clone());
            match parsed {
                Ok(s) => Some((s, crate::whatif::request::applied_policies_only(&doc.value))),
                Err(ds) => {
                    request_report.diagnostics.extend(ds);
                    None
                }
            }
        }
    };
    if !request_report.diagnostics.is_empty() {
        reports.push(request_report);
    }
    let Some((sign_in, applied_only)) = sign_in.filter(|_| reports.is_empty()) else {
        for r in &mut reports {
            r.sort();
        }
        eprint!("{}", render::human(&reports, color));
        eprintln!("error: the policies or the request are invalid; nothing was evaluated");
        return INPUT_ERROR;
    };
    let policies = checked.policy_refs();
    let outcome = crate::whatif::evaluate(&policies, checked.tenant.as_ref(), &sign_in);
    let text = match args.format {
        WhatifFormat::Human => {
            let mut text = crate::whatif::output::human(&outcome);
            text.push_str(&network_line(checked.tenant.as_ref(), &sign_in));
            text
        }
        WhatifFormat::Json if applied_only => {
            pretty(&crate::whatif::output::to_json_applied_only(&outcome))
        }
        WhatifFormat::Json => pretty(&crate::whatif::output::to_json(&outcome)),
    };
    let inputs: Vec<std::path::PathBuf> = checked
        .files
        .iter()
        .map(|f| f.path.clone())
        .chain([args.request.clone()])
        .collect();
    deliver(&text, args.output.as_deref(), &inputs)
}

/// "Network: 203.0.113.7 (NL) is in Office (trusted)": which named
/// locations the sign-in is in, by their ranges and countries (tenant file
/// and location specs). Empty when the tenant has no location to match or
/// the request gives neither an address nor a country.
fn network_line(tenant: Option<&crate::model::Tenant>, sign_in: &crate::whatif::SignIn) -> String {
    let Some(t) = tenant else {
        return String::new();
    };
    let evaluable = t.named_locations.values().any(|e| {
        e.detail().is_some_and(|d| {
            !d.ip_ranges.is_empty() || !d.countries.is_empty() || d.include_unknown_countries
        })
    });
    if !evaluable {
        return String::new();
    }
    let from = match (&sign_in.ip, &sign_in.country) {
        (Some(ip), Some(c)) => format!("{ip} ({c})"),
        (Some(ip), None) => format!("{ip} (country unknown)"),
        (None, Some(c)) => format!("a sign-in from {c}"),
        (None, None) => return String::new(),
    };
    let found = crate::whatif::sign_in_locations(t, sign_in);
    if found.is_empty() {
        return format!("Network: {from} is in no named location\n");
    }
    let names: Vec<String> = found
        .iter()
        .map(|(n, trusted)| {
            if *trusted {
                format!("{n} (trusted)")
            } else {
                n.clone()
            }
        })
        .collect();
    format!("Network: {from} is in {}\n", names.join(", "))
}
