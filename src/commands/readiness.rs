//! `caac readiness token-protection`: sign-in logs (read as `caac replay`
//! reads them, [`crate::signins::read`]) through
//! [`crate::signins::readiness`]. Exit 0 written, 2 input error (a sign-in
//! file that cannot be read to its end, an unwritable output).

use super::{ExitStatus, INPUT_ERROR, OK, deliver};
use crate::check;
use crate::cli::{ReadinessCommand, ReadinessFormat};
use crate::signins::Record;
use crate::signins::read::{Event, read};
use crate::signins::readiness::Readiness;

/// `caac readiness …`.
pub(crate) fn run(cmd: &ReadinessCommand) -> ExitStatus {
    let ReadinessCommand::TokenProtection(args) = cmd;
    let mut r = Readiness::default();
    let mut skipped = 0u64;
    let mut failed = false;
    for path in &args.signins {
        let name = check::display(path);
        let result = read(path, &mut |e| match e {
            Event::Record { fields, line } => match Record::from_fields(&fields) {
                Ok(rec) => r.add(&rec),
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
    if let Some(path) = &args.known_good {
        let code = deliver(&r.known_good_csv(), Some(path), &args.signins);
        if code != OK {
            return code;
        }
    }
    let text = match args.format {
        ReadinessFormat::Human => r.human(),
        ReadinessFormat::Json => crate::emit::pretty(&r.json()),
    };
    deliver(&text, args.output.as_deref(), &args.signins)
}
