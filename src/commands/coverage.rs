//! `caac coverage`: the scenario classes the enforced policies leave open
//! ([`crate::whatif::coverage`]). Exit 0 no gap, 1 a gap, 2 unreadable policies.

use super::{
    ExitStatus, FINDINGS, INPUT_ERROR, OK, check_stages, input_errors, options, policy_paths,
    print_stdout,
};
use crate::cli::{CoverageArgs, WhatifFormat};
use crate::emit::pretty;

/// `caac coverage`: exit 0 when the enforced policies leave no gap, 1 when
/// they do, 2 when the policies cannot be read.
pub(crate) fn coverage(args: &CoverageArgs, color: bool) -> ExitStatus {
    let paths = policy_paths(&args.input);
    let opts = options(&paths, &args.input.resolve, true);
    let Some(checked) = check_stages(&opts) else {
        return INPUT_ERROR;
    };
    // As for whatif: only problems that make the policies unreadable matter.
    if let Some(code) = input_errors(&checked, color, "analysed") {
        return code;
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
