//! `caac coverage`: the scenario classes the enforced policies leave open
//! ([`crate::whatif::coverage`]). Exit 0 no gap, 1 a gap, 2 unreadable policies.

use super::{FINDINGS, INPUT_ERROR, OK};
use crate::check;
use crate::cli::{CoverageArgs, WhatifFormat};
use crate::emit::{pretty, print_stdout};
use crate::report;

/// `caac coverage`: exit 0 when the enforced policies leave no gap, 1 when
/// they do, 2 when the policies cannot be read.
pub(crate) fn coverage(args: &CoverageArgs, color: bool) -> u8 {
    let opts = check::Options {
        paths: &args.policies,
        tenant: args.tenant.clone(),
        break_glass: &[],
        config: None,
        partial: true,
    };
    let checked = match check::check(&opts) {
        Ok(c) => c,
        Err(message) => {
            eprintln!("error: {message}");
            return INPUT_ERROR;
        }
    };
    // As for whatif: only problems that make the policies unreadable matter.
    let reports = checked.input_errors();
    if !reports.is_empty() {
        eprint!("{}", report::human(&reports, color));
        eprintln!("error: the policies are invalid; nothing was analysed");
        return INPUT_ERROR;
    }
    let policies = checked.policy_refs();
    let tenant = checked.tenant.as_ref();
    let found = crate::whatif::coverage::analyse(&policies, tenant);
    let text = match args.format {
        WhatifFormat::Human => crate::whatif::coverage::human(&found),
        WhatifFormat::Json => pretty(&crate::whatif::coverage::json(&found, tenant)),
    };
    match print_stdout(&text) {
        OK if found.enforced_gaps() > 0 => FINDINGS,
        code => code,
    }
}
