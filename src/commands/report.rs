//! `caac report`: the policy set described for people
//! ([`crate::report`]) as Markdown or HTML, to stdout or one file. Exit 0
//! when the page was written (lint findings are content here), 2 on
//! unreadable input or an unwritable output.

use super::{ExitStatus, INPUT_ERROR, OK, check_stages, input_errors, inputs, print_stdout};
use crate::check;
use crate::cli::{ReportArgs, ReportClient, ReportDevice, ReportFormat, ReportPlatform};
use crate::model::Platform;
use crate::report::{DeviceState, Format, Options, SignInContext, build, render};
use crate::whatif::ClientApp;
use std::path::Path;

/// `caac report`: the arguments as options, then the report.
pub(crate) fn run(args: &ReportArgs, color: bool) -> ExitStatus {
    execute(&options_of(args), color)
}

/// The library's options from the command line.
fn options_of(args: &ReportArgs) -> Options {
    Options {
        inputs: inputs(&args.input),
        format: match args.format {
            ReportFormat::Markdown => Format::Markdown,
            ReportFormat::Html => Format::Html,
            ReportFormat::Json => Format::Json,
        },
        output: args.output.clone(),
        context: context(args),
    }
}

fn execute(o: &Options, color: bool) -> ExitStatus {
    let Some(mut checked) = check_stages(&o.inputs.options(false)) else {
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
    let summary = build(&checked, &reports, &o.context);
    let text = render(&summary, o.format);
    match &o.output {
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
