//! `caac report`: the policy set described for people
//! ([`crate::report`]) as Markdown or HTML, to stdout or one file. Exit 0
//! when the page was written (lint findings are content here), 2 on
//! unreadable input or an unwritable output.

use super::{
    ExitStatus, INPUT_ERROR, OK, check_stages, input_errors, options, policy_paths, print_stdout,
};
use crate::check;
use crate::cli::{ReportArgs, ReportClient, ReportDevice, ReportFormat, ReportPlatform};
use crate::model::Platform;
use crate::report::{DeviceState, SignInContext, build, html, markdown};
use crate::whatif::ClientApp;
use std::path::Path;

/// `caac report`.
pub(crate) fn run(args: &ReportArgs, color: bool) -> ExitStatus {
    let paths = policy_paths(&args.input);
    let opts = options(&paths, &args.input.resolve, false);
    let Some(mut checked) = check_stages(&opts) else {
        return INPUT_ERROR;
    };
    if let Some(code) = input_errors(&checked, color, "generated") {
        return code;
    }
    check::lockout_gate(&mut checked);
    let inputs: Vec<std::path::PathBuf> = checked.files.iter().map(|f| f.path.clone()).collect();
    let reports: Vec<crate::render::FileReport> = checked
        .other
        .iter()
        .chain(checked.files.iter().map(|f| &f.report))
        .cloned()
        .collect();
    let summary = build(&checked, &reports, &context(args));
    let text = match args.format {
        ReportFormat::Markdown => markdown(&summary),
        ReportFormat::Html => html(&summary),
        ReportFormat::Json => crate::emit::pretty(&crate::report::json(&summary)),
    };
    match &args.output {
        None => print_stdout(&text),
        Some(path) => match write(path, &text, &inputs) {
            Ok(()) => {
                super::note(format_args!("wrote {}", check::display(path)));
                OK
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", check::display(path));
                INPUT_ERROR
            }
        },
    }
}

/// The matrix's sign-in context from `--platform`, `--client`, `--device`.
fn context(args: &ReportArgs) -> SignInContext {
    SignInContext {
        platform: match args.platform {
            ReportPlatform::Windows => Platform::Windows,
            ReportPlatform::MacOs => Platform::MacOS,
            ReportPlatform::Ios => Platform::IOS,
            ReportPlatform::Android => Platform::Android,
            ReportPlatform::Linux => Platform::Linux,
        },
        client: match args.client {
            ReportClient::Browser => ClientApp::Browser,
            ReportClient::MobileAppsAndDesktopClients => ClientApp::MobileAppsAndDesktopClients,
        },
        device: match args.device {
            ReportDevice::Unregistered => DeviceState::Unregistered,
            ReportDevice::Registered => DeviceState::Registered,
            ReportDevice::Compliant => DeviceState::Compliant,
        },
    }
}

fn write(path: &Path, text: &str, inputs: &[std::path::PathBuf]) -> Result<(), String> {
    let target = path.canonicalize().ok();
    if target.is_some() && inputs.iter().any(|i| i.canonicalize().ok() == target) {
        return Err("it is one of the policy specs".into());
    }
    crate::emit::write_file(path, text.as_bytes()).map_err(|e| e.to_string())
}
