//! `caac coverage`: the scenario classes the enforced policies leave open
//! ([`crate::whatif::coverage`]). Exit 0 no gap, 1 a gap, 2 unreadable policies.

use super::{ExitStatus, FINDINGS, INPUT_ERROR, OK, check_stages, deliver, input_errors, inputs};
use crate::cli::{CoverageArgs, CoverageFormat};
use crate::whatif::coverage::{Format, Options};

/// `caac coverage`: exit 0 when the enforced policies leave no gap, 1 when
/// they do, 2 when the policies cannot be read.
pub(crate) fn run(args: &CoverageArgs, color: bool) -> ExitStatus {
    execute(&options_of(args), color)
}

/// The library's options from the command line.
fn options_of(args: &CoverageArgs) -> Options {
    Options {
        inputs: inputs(&args.input),
        format: match args.format {
            CoverageFormat::Human => Format::Human,
            CoverageFormat::Json => Format::Json,
        },
        output: args.output.clone(),
    }
}

fn execute(o: &Options, color: bool) -> ExitStatus {
    let Some(checked) = check_stages(&o.inputs.options(true)) else {
        return INPUT_ERROR;
    };
    // As for whatif: only problems that make the policies unreadable matter.
    if let Some(code) = input_errors(&checked, color, "analysed") {
        return code;
    }
    let policies = checked.policy_refs();
    let tenant = checked.tenant.as_ref();
    let found = crate::whatif::coverage::analyse(&policies, tenant);
    let text = crate::whatif::coverage::text(&found, o.format, tenant);
    let inputs: Vec<std::path::PathBuf> = checked.files.iter().map(|f| f.path.clone()).collect();
    match deliver(&text, o.output.as_deref(), &inputs) {
        OK if found.enforced_gaps() > 0 => FINDINGS,
        code => code,
    }
}
