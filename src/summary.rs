//! `caac report` (placeholder, filled in next commit).
use crate::cli::ReportArgs;

/// `caac report`.
pub fn run(_args: &ReportArgs, _color: bool) -> u8 {
    crate::app::INPUT_ERROR
}
