//! `caac test`: the scenarios kept in the policy repository
//! ([`crate::scenario`]) evaluated against the policies; PASS/FAIL per
//! scenario, optional JUnit XML. Exit 0 all pass, 1 a scenario fails,
//! 2 input error.

use super::{ExitStatus, FINDINGS, INPUT_ERROR, OK, check_stages, deliver, inputs};
use crate::check;
use crate::cli::{TestArgs, TestFormat};
use crate::model::{Policy, State};
use crate::render::{self, FileReport};
use crate::scenario::{
    Env, Format, Options, Verdict, evaluate, junit, load_file, scenario_files, text,
};
use crate::whatif::{Engine, PolicyRef};

/// `caac test`'s default scenario directory (clap's default for `DIR`).
const DEFAULT_SCENARIOS: &str = "tests";

/// `caac test`: returns the exit code (0 all pass, 1 a scenario fails, 2 input error).
pub(crate) fn run(args: &TestArgs, color: bool) -> ExitStatus {
    execute(&options_of(args), color)
}

/// The library's options from the command line.
fn options_of(args: &TestArgs) -> Options {
    Options {
        inputs: inputs(&args.input),
        scenarios: args.scenarios.clone(),
        format: match args.format {
            TestFormat::Human => Format::Human,
            TestFormat::Json => Format::Json,
        },
        output: args.output.clone(),
        junit: args.junit.clone(),
        // `-q`: findings only, so the failing scenarios and the summary.
        failures_only: super::ui().quiet,
    }
}

fn execute(o: &Options, color: bool) -> ExitStatus {
    let Some(checked) = check_stages(&o.inputs.options(true)) else {
        return INPUT_ERROR;
    };
    // Only problems that make the policies unreadable matter; lint findings do not.
    let mut reports: Vec<FileReport> = checked.input_errors();
    let units: Vec<(&str, &Policy)> = checked
        .files
        .iter()
        .flat_map(|f| &f.units)
        .filter_map(|u| Some((u.display_name.as_deref().unwrap_or(""), u.policy.as_ref()?)))
        .collect();
    let env = Env {
        tenant: checked.tenant.as_ref(),
        names: units.iter().map(|(n, _)| *n).collect(),
        names_known: reports.is_empty(),
    };
    // The default directory stands for "not given": `.caac.yaml`'s
    // `scenarios:` decides then.
    let dir = match &checked.scenarios {
        Some(d) if o.scenarios == std::path::Path::new(DEFAULT_SCENARIOS) => d.clone(),
        _ => o.scenarios.clone(),
    };
    let files = match scenario_files(&dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return INPUT_ERROR;
        }
    };
    if files.is_empty() {
        eprintln!(
            "error: no scenario files (*.yaml, *.yml, *.json) directly in {}",
            check::display(&dir)
        );
        return INPUT_ERROR;
    }
    let mut prepared = Vec::new();
    for f in &files {
        let (r, ps) = load_file(f, &env);
        if !r.diagnostics.is_empty() {
            reports.push(r);
        }
        prepared.extend(ps);
    }
    if !reports.is_empty() {
        for r in &mut reports {
            r.sort();
        }
        eprint!("{}", render::human(&reports, color));
        eprintln!(
            "error: the policies, the tenant file or the scenarios are invalid; nothing was evaluated"
        );
        return INPUT_ERROR;
    }
    let refs: Vec<PolicyRef> = units
        .iter()
        .map(|(name, policy)| PolicyRef { name, policy })
        .collect();
    let engine = Engine::new(&refs, env.tenant);
    // Report-only policies evaluated as if enabled, for `enforceReportOnly`.
    let enforced: Vec<Policy> = units
        .iter()
        .map(|(_, p)| {
            let mut p = (*p).clone();
            if matches!(
                p.state,
                State::ReportOnly | State::EnabledForReportingButNotEnforced
            ) {
                p.state = State::Enabled;
            }
            p
        })
        .collect();
    let enforced_refs: Vec<PolicyRef> = units
        .iter()
        .zip(&enforced)
        .map(|((name, _), policy)| PolicyRef { name, policy })
        .collect();
    let enforced_engine = Engine::new(&enforced_refs, env.tenant);
    let verdicts: Vec<Verdict> = prepared
        .iter()
        .map(|p| evaluate(p, if p.enforce { &enforced_engine } else { &engine }))
        .collect();
    if let Some(path) = &o.junit {
        let target = path.canonicalize().ok();
        if target.is_some() && files.iter().any(|f| f.canonicalize().ok() == target) {
            eprintln!(
                "error: --junit {} is one of the scenario files; choose another path",
                check::display(path)
            );
            return INPUT_ERROR;
        }
        if let Err(e) = crate::emit::write_file(path, junit(&verdicts).as_bytes()) {
            eprintln!("error: cannot write the JUnit report: {e}");
            return INPUT_ERROR;
        }
    }
    let text = text(&verdicts, o.format, o.failures_only);
    let inputs: Vec<std::path::PathBuf> = checked
        .files
        .iter()
        .map(|f| f.path.clone())
        .chain(files.iter().cloned())
        .collect();
    let code = deliver(&text, o.output.as_deref(), &inputs);
    if code != OK {
        return code;
    }
    if verdicts.iter().all(Verdict::passed) {
        OK
    } else {
        FINDINGS
    }
}
