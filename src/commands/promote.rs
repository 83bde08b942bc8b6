//! `caac promote`: one spec moved one rollout stage on (report-only →
//! pilot → enforced) when its dwell time has passed, edited in place at the
//! loader's byte offsets and proven to parse back ([`crate::rollout`]).
//! Exit 1 when the spec may not move yet or has lint errors, 2 on input
//! errors. The verdict (promoted with the diff, not promoted and why,
//! nothing to do) is the product and goes to stdout; errors to stderr.

use super::{ExitStatus, FINDINGS, INPUT_ERROR, OK, check_stages, print_stdout};
use crate::model::Rollout;
use crate::rollout::{
    Day, PromoteOptions, Step, edit_text, find, line_diff, next_step, promotion_day, same,
};

/// `caac promote`: see the module docs. Returns the exit code.
pub(crate) fn run(args: &crate::cli::PromoteArgs, color: bool) -> ExitStatus {
    execute(&options_of(args), color)
}

/// The library's options from the command line.
fn options_of(args: &crate::cli::PromoteArgs) -> PromoteOptions {
    PromoteOptions {
        policy: args.policy.clone(),
        dir: args.dir.clone(),
        today: args.today.clone(),
        dry_run: args.dry_run,
        resolve: crate::load::Inputs {
            paths: Vec::new(),
            tenant: args.resolve.tenant.clone(),
            config: args.resolve.config.clone(),
            break_glass: args.resolve.break_glass.clone(),
        },
    }
}

fn execute(o: &PromoteOptions, color: bool) -> ExitStatus {
    use crate::diag::Severity;
    let today = match promotion_day(o.today.as_deref(), Day::system(), o.dry_run) {
        Ok(d) => d,
        Err(why) => {
            eprintln!("error: {why}");
            return INPUT_ERROR;
        }
    };
    let path = match find(&o.policy, &o.dir) {
        Ok(p) => p,
        Err(why) => {
            eprintln!("error: {why}");
            return INPUT_ERROR;
        }
    };
    let shown = crate::check::display(&path);
    // The same checks as `caac lint` (rules and the lockout gate), on this file.
    let inputs = crate::load::Inputs {
        paths: vec![path.clone()],
        ..o.resolve.clone()
    };
    let Some(mut checked) = check_stages(&inputs.options(true)) else {
        return INPUT_ERROR;
    };
    crate::check::lockout_gate(&mut checked);
    let mut reports = checked.into_reports();
    for r in &mut reports {
        r.sort();
        r.diagnostics.retain(|d| d.severity == Severity::Error);
    }
    reports.retain(|r| !r.diagnostics.is_empty());
    if !reports.is_empty() {
        let input = reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .any(|d| d.name.is_none() && !d.is(crate::diag::Code::Lockout));
        eprint!("{}", crate::render::human(&reports, color));
        eprintln!("error: not promoting {shown}: fix the errors above first");
        return if input { INPUT_ERROR } else { FINDINGS };
    }
    let doc = match crate::load::load(&path) {
        Ok(d) => d,
        Err((d, _)) => {
            eprintln!("error: {shown}: {}", d.message);
            return INPUT_ERROR;
        }
    };
    let Some(rollout) = doc
        .value
        .get("rollout")
        .and_then(|v| serde_json::from_value::<Rollout>(v.clone()).ok())
    else {
        eprintln!(
            "error: {shown} has no `rollout:` block; add `rollout: {{stage: reportOnly, reportOnlySince: {today}, pilotGroup: <group>}}` to stage it"
        );
        return INPUT_ERROR;
    };
    let step = match next_step(&rollout, today) {
        Ok(s) => s,
        Err(why) => {
            // The verdict (exit 1, like a finding) is the product: stdout,
            // where "promoted" and "nothing to do" go too.
            let code = print_stdout(&format!("{shown}: not promoted: {why}\n"));
            return if code == OK { FINDINGS } else { code };
        }
    };
    let Step::Move { to, .. } = step else {
        return print_stdout(&format!("{shown}: already enforced; nothing to do\n"));
    };
    let after = match edit_text(&doc.text, &doc.spans, &step) {
        Ok(t) => t,
        Err(why) => {
            eprintln!("error: {shown}: {why}");
            return INPUT_ERROR;
        }
    };
    // Prove the edit: the new text parses to the old value with only the
    // rollout stage (and pilotSince) changed.
    let mut expected = doc.value.clone();
    if let Some(r) = expected.get_mut("rollout").and_then(|r| r.as_object_mut()) {
        r.insert("stage".into(), to.as_str().into());
        if let Step::Move {
            record: Some(d), ..
        } = &step
        {
            r.insert("pilotSince".into(), d.to_string().into());
        }
    }
    match crate::load::parse_text(&after) {
        Ok((value, _)) if same(&value, &expected) => {}
        _ => {
            eprintln!(
                "error: {shown}: the in-place edit did not parse back to the intended value; edit `rollout.stage` by hand"
            );
            return INPUT_ERROR;
        }
    }
    let code = print_stdout(&format!(
        "{shown}: {} -> {}{}\n{}",
        rollout.stage.as_str(),
        to.as_str(),
        if o.dry_run { " (dry run)" } else { "" },
        line_diff(&doc.text, &after)
    ));
    if code != OK {
        return code;
    }
    if !o.dry_run
        && let Err(e) = crate::emit::write_file(&path, after.as_bytes())
    {
        eprintln!("error: cannot write {shown}: {e}");
        return INPUT_ERROR;
    }
    OK
}
