//! `caac readiness token-protection`: sign-in logs (read as `caac replay`
//! reads them, [`crate::signins::read`]) through
//! [`crate::signins::readiness`]; with `--policy NAME` only the users and
//! resources that policy targets ([`PolicyScope`]: the policies are loaded
//! from PATHS, the name is a displayName or a spec path, an unknown name is
//! an input error with the closest name). Exit 0 written, 2 input error
//! (invalid policies, an unknown `--policy`, an unreadable members file, a
//! sign-in file that cannot be read to its end, an unwritable output).

use super::{
    ExitStatus, INPUT_ERROR, OK, check_stages, deliver, input_errors, options, policy_paths,
};
use crate::check;
use crate::cli::{ReadinessCommand, ReadinessFormat, TokenProtectionArgs};
use crate::signins::Record;
use crate::signins::members::Members;
use crate::signins::read::{Event, read};
use crate::signins::readiness::{PolicyScope, Readiness, assignment_only};
use crate::whatif::PolicyRef;
use std::path::PathBuf;

/// `caac readiness …`.
pub(crate) fn run(cmd: &ReadinessCommand, color: bool) -> ExitStatus {
    let ReadinessCommand::TokenProtection(args) = cmd;
    if args.policy.is_none() && !(args.input.paths.is_empty() && args.input.policies.is_empty()) {
        eprintln!("warning: PATHS are read only with --policy NAME; they were ignored");
    }
    let checked = match &args.policy {
        None => None,
        Some(_) => {
            let paths = policy_paths(&args.input);
            let Some(c) = check_stages(&options(&paths, &args.input.resolve, true)) else {
                return INPUT_ERROR;
            };
            if let Some(code) = input_errors(&c, color, "evaluated") {
                return code;
            }
            Some(c)
        }
    };
    let members = match &args.members {
        None => None,
        Some(p) => match Members::read(p) {
            Ok(m) => Some(m),
            Err(e) => {
                eprintln!("error: {}: {e}", check::display(p));
                return INPUT_ERROR;
            }
        },
    };
    let chosen = match (&args.policy, &checked) {
        (Some(wanted), Some(c)) => match find_policy(c, wanted, &policy_paths(&args.input)) {
            Ok(p) => {
                if !p.policy.token_protection() {
                    eprintln!(
                        "warning: policy `{}` does not require token protection (sessionControls.secureSignInSession); readiness is computed for its users and resources anyway",
                        p.name
                    );
                }
                Some((p.name, assignment_only(p.policy)))
            }
            Err(code) => return code,
        },
        _ => None,
    };
    let mut scope = match (&chosen, &checked) {
        (Some((name, policy)), Some(c)) => Some(PolicyScope::new(
            PolicyRef { name, policy },
            c.tenant.as_ref(),
            members.as_ref(),
        )),
        _ => None,
    };
    run_with(args, scope.as_mut(), checked.as_ref())
}

/// The policy named `wanted`: a displayName (exact, then ignoring case), or
/// a spec path among the loaded ones. Unknown: exit 2 with the closest name.
fn find_policy<'c>(
    c: &'c check::Checked,
    wanted: &str,
    paths: &[PathBuf],
) -> Result<PolicyRef<'c>, ExitStatus> {
    let mut all: Vec<(PathBuf, PolicyRef<'c>)> = Vec::new();
    for f in &c.files {
        for u in &f.units {
            if let Some(p) = &u.policy {
                all.push((
                    f.path.clone(),
                    PolicyRef {
                        name: u.display_name.as_deref().unwrap_or(""),
                        policy: p,
                    },
                ));
            }
        }
    }
    let as_path = PathBuf::from(wanted).canonicalize().ok();
    let pick = |hits: Vec<PolicyRef<'c>>| -> Result<Option<PolicyRef<'c>>, ExitStatus> {
        match hits.len() {
            0 => Ok(None),
            1 => Ok(Some(hits[0])),
            n => {
                eprintln!(
                    "error: --policy {wanted:?} names {n} policies; give one spec path or a unique displayName"
                );
                Err(INPUT_ERROR)
            }
        }
    };
    let by_name = |exact: bool| -> Vec<PolicyRef<'c>> {
        all.iter()
            .filter(|(_, p)| {
                if exact {
                    p.name == wanted
                } else {
                    p.name.eq_ignore_ascii_case(wanted)
                }
            })
            .map(|(_, p)| *p)
            .collect()
    };
    if let Some(p) = pick(by_name(true))? {
        return Ok(p);
    }
    if let Some(w) = &as_path
        && let Some(p) = pick(
            all.iter()
                .filter(|(path, _)| path.canonicalize().ok().as_ref() == Some(w))
                .map(|(_, p)| *p)
                .collect(),
        )?
    {
        return Ok(p);
    }
    if let Some(p) = pick(by_name(false))? {
        return Ok(p);
    }
    let loaded = paths
        .iter()
        .map(|p| check::display(p))
        .collect::<Vec<_>>()
        .join(", ");
    eprintln!(
        "error: --policy {wanted:?}: no policy with that displayName or spec path among {loaded}"
    );
    match crate::diag::did_you_mean(wanted, all.iter().map(|(_, p)| p.name)) {
        Some(near) => eprintln!("help: did you mean --policy {near:?}?"),
        None if !all.is_empty() => eprintln!(
            "note: policies: {}",
            all.iter()
                .map(|(_, p)| p.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => {}
    }
    Err(INPUT_ERROR)
}

fn run_with(
    args: &TokenProtectionArgs,
    mut scope: Option<&mut PolicyScope<'_>>,
    checked: Option<&check::Checked>,
) -> ExitStatus {
    let mut r = Readiness::default();
    let mut skipped = 0u64;
    let mut failed = false;
    for path in &args.signins {
        let name = check::display(path);
        let result = read(path, &mut |e| match e {
            Event::Record { fields, line } => match Record::from_fields(&fields) {
                Ok(rec) => r.add(&rec, scope.as_deref_mut()),
                Err(e) => {
                    skipped += 1;
                    eprintln!("warning: skipped {name}:{line}: {e}");
                }
            },
            Event::Skipped { line, message, .. } => {
                skipped += 1;
                eprintln!("warning: skipped {name}:{line}: {message}");
            }
        });
        if let Err(e) = result {
            failed = true;
            let at = e.line.map_or(name.clone(), |l| format!("{name}:{l}"));
            eprintln!("error: {at}: {}; fix or re-export the file", e.message);
        }
    }
    if failed {
        return INPUT_ERROR;
    }
    if skipped > 0 {
        eprintln!("warning: {skipped} records skipped");
    }
    let mut inputs = args.signins.clone();
    if let Some(c) = checked {
        inputs.extend(c.files.iter().map(|f| f.path.clone()));
    }
    if let Some(path) = &args.known_good {
        let code = deliver(&r.known_good_csv(), Some(path), &inputs);
        if code != OK {
            return code;
        }
    }
    let text = match args.format {
        ReadinessFormat::Human => r.human(),
        ReadinessFormat::Json => crate::emit::pretty(&r.json()),
    };
    deliver(&text, args.output.as_deref(), &inputs)
}
