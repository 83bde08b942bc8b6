//! `caac whatif`: one sign-in (the body of Graph's
//! `POST /identity/conditionalAccess/evaluate`,
//! <https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate>)
//! evaluated offline against the policies by [`crate::whatif`]. Exit 2 when
//! the policies or the request cannot be read; lint findings do not matter.

use super::{ExitStatus, INPUT_ERROR, check_stages, deliver, inputs};
use crate::check;
use crate::cli::{WhatifArgs, WhatifFormat};
use crate::render;
use crate::whatif::output::{Format, Options};

/// `caac whatif`: the arguments as options, then the evaluation.
pub(crate) fn run(args: &WhatifArgs, color: bool) -> ExitStatus {
    execute(&options_of(args), color)
}

/// The library's options from the command line.
fn options_of(args: &WhatifArgs) -> Options {
    Options {
        inputs: inputs(&args.input),
        request: args.request.clone(),
        format: match args.format {
            WhatifFormat::Human => Format::Human,
            WhatifFormat::Json => Format::Json,
        },
        output: args.output.clone(),
    }
}

fn execute(o: &Options, color: bool) -> ExitStatus {
    if let Some(path) = policy_path_holding(&o.request, &o.inputs.paths) {
        // Every `*.json` under a policy path is read as a Graph export, so
        // the request (and its neighbours) would fail as policies, one
        // confusing error each: one message for the one root cause.
        eprintln!(
            "error: the request {request} is inside the policy path {path}, so caac would read it as a policy; \
             give the policies' directory and the request separately, e.g. \
             `caac whatif policies --request {request}`",
            request = check::display(&o.request),
            path = check::display(path),
        );
        return INPUT_ERROR;
    }
    let Some(checked) = check_stages(&o.inputs.options(true)) else {
        return INPUT_ERROR;
    };
    // Only problems that make the policies unreadable matter here; lint findings do not.
    let mut reports = checked.input_errors();
    let mut request_report = render::FileReport {
        path: check::display(&o.request),
        ..Default::default()
    };
    let sign_in = match crate::load::load(&o.request) {
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
    let mut text = crate::whatif::output::text(&outcome, o.format, applied_only);
    if o.format == crate::whatif::output::Format::Human {
        text.push_str(&network_line(checked.tenant.as_ref(), &sign_in));
    }
    let inputs: Vec<std::path::PathBuf> = checked
        .files
        .iter()
        .map(|f| f.path.clone())
        .chain([o.request.clone()])
        .collect();
    deliver(&text, o.output.as_deref(), &inputs)
}

/// The policy path (a file, or a directory searched recursively) that holds
/// `request`, compared by canonical path; `None` when the request is
/// elsewhere or does not exist (loading it reports that).
fn policy_path_holding<'p>(
    request: &std::path::Path,
    paths: &'p [std::path::PathBuf],
) -> Option<&'p std::path::PathBuf> {
    let request = request.canonicalize().ok()?;
    paths.iter().find(|p| {
        p.canonicalize()
            .is_ok_and(|p| request == p || (p.is_dir() && request.starts_with(&p)))
    })
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
