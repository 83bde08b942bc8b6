//! `caac coverage`: the scenario classes the enforced policies leave open
//! ([`crate::whatif::coverage`]). Exit 0 no gap, 1 a gap, 2 unreadable policies.

use super::{
    ExitStatus, FINDINGS, INPUT_ERROR, OK, check_stages, deliver, input_errors, options,
    policy_paths,
};
use crate::cli::{CoverageArgs, CoverageFormat};
use crate::emit::pretty;

/// `caac coverage`: exit 0 when the enforced policies leave no gap, 1 when
/// they do, 2 when the policies cannot be read.
pub(crate) fn run(args: &CoverageArgs, color: bool) -> ExitStatus {
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
        CoverageFormat::Human => crate::whatif::coverage::human(&found),
        CoverageFormat::Json => pretty(&crate::whatif::coverage::json(&found, tenant)),
    };
    let inputs: Vec<std::path::PathBuf> = checked.files.iter().map(|f| f.path.clone()).collect();
    match deliver(&text, args.output.as_deref(), &inputs) {
        OK if found.enforced_gaps() > 0 => FINDINGS,
        code => code,
    }
}
