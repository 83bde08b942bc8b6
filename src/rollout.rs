//! Rollout as data: the `rollout:` stage, its effective policy, and `caac promote`.
//!
//! Contract:
//! - [`effective`] is the ONE place the stage becomes Graph state, called by
//!   [`crate::resolve::resolve`] so lint, what-if, the lockout gate, compile
//!   and deploy all see the same policy: `reportOnly` →
//!   `enabledForReportingButNotEnforced`; `pilot` → `enabled` with the user
//!   include narrowed to the pilot group (exclusions kept); `enforced` →
//!   `enabled` with the spec's scope. A pilot stage without a pilot group stays
//!   report-only (fail safe: never enforce beyond the pilot; CA208 reports it).
//!   A policy without `rollout:` is untouched.
//! - `rollout:` and `exclusions:` are caac metadata: compile never reads them,
//!   so they never reach a Graph body.
//! - `caac promote` (the command, `commands/promote.rs`) moves a spec one stage on by editing its text in place at
//!   byte offsets from the loader's span map (comments, key order and
//!   formatting elsewhere stay byte-for-byte), re-loads the result to prove it
//!   parses to the intended value, and writes it atomically.
//! - Dates are UTC calendar days. A promotion that writes the spec is dated
//!   by the system clock, always: the dwell check and the `pilotSince` it
//!   records use that day, so the dwell time cannot be skipped from the
//!   command line — neither by a later day (ageing the stage) nor by an
//!   earlier one (recording `pilotSince` in the past, so the pilot looks
//!   over the next day). `--today` / `CAAC_TODAY` may name another day only
//!   with `--dry-run`, which writes nothing; without it a day other than the
//!   system clock's is refused (exit 2), see [`promotion_day`].
//! - The lint rules read `CAAC_TODAY` too ([`Day::today`]: a later one is
//!   ignored, an earlier one is used), so lint output of the date rules
//!   (CA201 with rollout, CA207, CA111) can change from one day to the next;
//!   nothing else does.
//!
//! Microsoft's deployment guidance is report-only first, then a pilot, then
//! everyone: <https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access>.

use crate::catalog::Kind;
use crate::diag::{Code, Diagnostic};
use crate::model::{ExclusionNote, Policy, Rollout, Stage, State, Tenant, UserSet};

/// The default minimum days per stage.
pub const DEFAULT_DWELL: u32 = 14;

/// A UTC calendar day as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub i64);

/// What `caac promote` is asked for, in the library's terms (the command
/// line's arguments turned into options by `commands/promote.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromoteOptions {
    /// The spec: a path or a displayName under `dir`.
    pub policy: String,
    /// Where a displayName is looked up.
    pub dir: std::path::PathBuf,
    /// `--today`, when given (dry runs only).
    pub today: Option<String>,
    /// Show the edit without writing it.
    pub dry_run: bool,
    /// How names resolve (`paths` is set to the spec once found).
    pub resolve: crate::load::Inputs,
}

impl Day {
    /// Parses `YYYY-MM-DD` (a real calendar date).
    pub fn parse(s: &str) -> Option<Day> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let y: i64 = s[0..4].parse().ok()?;
        let m: u32 = s[5..7].parse().ok()?;
        let d: u32 = s[8..10].parse().ok()?;
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Day(days_from_civil(y, m, d)))
    }

    /// Today (UTC) by the system clock.
    pub fn system() -> Day {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Day(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// Today (UTC): `CAAC_TODAY` when it is a valid date no later than the
    /// system clock's day, else the system clock. A later `CAAC_TODAY` is
    /// ignored: the override may only move today backwards, so it can never
    /// age a rollout past its dwell time. This is the lint rules' day (CA201
    /// with rollout, CA207, CA111), which only report; `caac promote`, which
    /// writes, does not use it: a promotion that writes is dated by the
    /// system clock ([`promotion_day`]).
    pub fn today() -> Day {
        let system = Day::system();
        match std::env::var("CAAC_TODAY")
            .ok()
            .and_then(|v| Day::parse(&v))
        {
            Some(d) if d <= system => d,
            _ => system,
        }
    }

    /// The day `n` days later.
    pub fn plus(self, n: u32) -> Day {
        Day(self.0 + i64::from(n))
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (y, m, d) = civil_from_days(self.0);
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

fn leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's civil-date algorithms (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

impl Rollout {
    /// `minDwellDays`, or the default 14.
    pub fn dwell(&self) -> u32 {
        self.min_dwell_days.unwrap_or(DEFAULT_DWELL)
    }
}

/// The Graph state a stage stands for.
pub fn stage_state(stage: Stage) -> State {
    match stage {
        Stage::ReportOnly => State::ReportOnly,
        Stage::Pilot | Stage::Enforced => State::Enabled,
    }
}

/// A `state:` written next to `rollout:` that says something else is an error
/// at the key: the stage is the single source of truth. `written` is the raw
/// `state` value of the spec, when the key is present.
pub fn state_conflict(written: Option<&str>, rollout: &Rollout) -> Option<Diagnostic> {
    let written = written?;
    let state: State = serde_json::from_value(written.into()).ok()?;
    (state.graph() != stage_state(rollout.stage).graph()).then(|| {
        Diagnostic::error(
            Code::RolloutStateConflict,
            format!(
                "`state: {written}` contradicts `rollout.stage: {}`",
                rollout.stage.as_str()
            ),
        )
        .at_key("/state")
        .with_help("remove `state:`; with `rollout:` the stage decides the state (use `caac promote` to move it on)")
    })
}

/// Applies `rollout:` and checks `exclusions:` (see the module docs).
/// `original` is the spec as written, `out` its resolved copy.
pub fn effective(
    original: &Policy,
    out: &mut Policy,
    tenant: Option<&Tenant>,
    diags: &mut Vec<Diagnostic>,
) {
    if let Some(r) = &original.rollout {
        for (key, v) in [
            ("reportOnlySince", &r.report_only_since),
            ("pilotSince", &r.pilot_since),
        ] {
            if let Some(v) = v.as_deref().filter(|v| Day::parse(v).is_none()) {
                diags.push(bad_date(v).at_value(format!("/rollout/{key}")));
            }
        }
        if original.state != State::ReportOnly
            && let Some(d) = state_conflict(Some(original.state.graph()), r)
        {
            diags.push(d);
        }
        let group = r.pilot_group.as_deref().map(|g| {
            crate::resolve::resolve_value(Kind::Group, g, tenant)
                .map_err(|d| d.at_value("/rollout/pilotGroup"))
        });
        out.state = stage_state(r.stage);
        match group {
            Some(Ok(id)) => {
                if r.stage == Stage::Pilot {
                    let users = out.users.get_or_insert_with(Default::default);
                    users.include = Some(UserSet {
                        groups: vec![id.clone()],
                        ..UserSet::default()
                    });
                }
                if let Some(o) = &mut out.rollout {
                    o.pilot_group = Some(id);
                }
            }
            Some(Err(d)) => {
                // Unknown pilot group: never enforce for more than the pilot.
                out.state = State::ReportOnly;
                diags.push(d);
            }
            // Fail safe: a pilot with nobody named is not enforced (CA208).
            None if r.stage == Stage::Pilot => out.state = State::ReportOnly,
            None => {}
        }
    }
    for (i, note) in original.exclusions.iter().enumerate() {
        if let Some(v) = note.expires.as_deref().filter(|v| Day::parse(v).is_none()) {
            diags.push(bad_date(v).at_value(format!("/exclusions/{i}/expires")));
        }
        match excluded_index(original, &note.principal) {
            Some((key, k)) => {
                let resolved = out
                    .user_exclude()
                    .and_then(|e| list(e, key).get(k).cloned());
                if let (Some(id), Some(n)) = (resolved, out.exclusions.get_mut(i)) {
                    n.principal = id;
                }
            }
            None => diags.push(
                Diagnostic::error(
                    Code::StaleExclusion,
                    format!(
                        "`{}` is not excluded by this policy (`users.exclude`), so its exclusion record is stale",
                        note.principal
                    ),
                )
                .at_value(format!("/exclusions/{i}/principal"))
                .with_help("write the principal exactly as in `users.exclude`, or remove the record"),
            ),
        }
    }
}

fn bad_date(v: &str) -> Diagnostic {
    Diagnostic::error(Code::InvalidValue, format!("`{v}` is not a calendar date"))
        .with_help("write the day as YYYY-MM-DD (UTC)")
}

fn list<'a>(set: &'a UserSet, key: &str) -> &'a [String] {
    match key {
        "users" => &set.users,
        "groups" => &set.groups,
        _ => &set.roles,
    }
}

/// Where `principal` sits in the written `users.exclude`: (list key, index).
fn excluded_index(p: &Policy, principal: &str) -> Option<(&'static str, usize)> {
    let exclude = p.users.as_ref()?.exclude.as_ref()?;
    ["users", "groups", "roles"].into_iter().find_map(|key| {
        list(exclude, key)
            .iter()
            .position(|v| v == principal || v.eq_ignore_ascii_case(principal))
            .map(|k| (key, k))
    })
}

/// The governance record of an excluded (resolved) principal, if any.
pub fn note_for<'a>(p: &'a Policy, id: &str) -> Option<&'a ExclusionNote> {
    p.exclusions
        .iter()
        .find(|n| n.principal.eq_ignore_ascii_case(id))
}

/// Why a stage has not yet dwelt long enough: `(since, earliest, days so far)`
/// or `None` when it has. `since` is the stage's start.
pub fn dwell_left(since: Day, dwell: u32, today: Day) -> Option<(Day, i64)> {
    let earliest = since.plus(dwell);
    (today < earliest).then_some((earliest, today.0 - since.0))
}

/// What `caac promote` would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Already enforced.
    Done,
    /// Move to `to`, recording `pilotSince` when `record` is set.
    Move { to: Stage, record: Option<Day> },
}

/// Decides the next step, or says why not.
pub fn next_step(r: &Rollout, today: Day) -> Result<Step, String> {
    let dwell = r.dwell();
    let date = |v: &Option<String>, key: &str| -> Result<Day, String> {
        let v = v.as_deref().ok_or_else(|| {
            format!("`rollout.{key}` is not recorded; write the day the stage began")
        })?;
        Day::parse(v).ok_or_else(|| format!("`rollout.{key}: {v}` is not a calendar date"))
    };
    match r.stage {
        Stage::Enforced => Ok(Step::Done),
        Stage::ReportOnly => {
            let since = date(&r.report_only_since, "reportOnlySince")?;
            if let Some((earliest, so_far)) = dwell_left(since, dwell, today) {
                return Err(format!(
                    "report-only since {since}: {so_far} of {dwell} days; earliest promotion {earliest}"
                ));
            }
            if r.pilot_group.is_none() {
                return Err(
                    "no `rollout.pilotGroup`: the pilot stage enforces the policy for that group only; name one"
                        .into(),
                );
            }
            Ok(Step::Move {
                to: Stage::Pilot,
                record: Some(today),
            })
        }
        Stage::Pilot => {
            if r.pilot_group.is_none() {
                return Err(
                    "no `rollout.pilotGroup`: the pilot never ran; name the pilot group".into(),
                );
            }
            let since = date(&r.pilot_since, "pilotSince")?;
            if let Some((earliest, so_far)) = dwell_left(since, dwell, today) {
                return Err(format!(
                    "pilot since {since}: {so_far} of {dwell} days; earliest promotion {earliest}"
                ));
            }
            Ok(Step::Move {
                to: Stage::Enforced,
                record: None,
            })
        }
    }
}

/// A text edit: replace `start..end` with `with`.
#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    end: usize,
    with: String,
}

/// Edits `text` (a spec whose parsed value and spans are given) to carry the
/// step; returns the new text. Errors are human sentences.
pub fn edit_text(text: &str, spans: &crate::load::SpanMap, step: &Step) -> Result<String, String> {
    let Step::Move { to, record } = step else {
        return Ok(text.to_owned());
    };
    let stage = spans
        .get("/rollout/stage")
        .ok_or("no `rollout.stage` in the file")?;
    let start = stage.value.offset;
    let mut edits = vec![Edit {
        start,
        end: start + scalar_len(text, start, stage.len),
        with: to.as_str().to_owned(),
    }];
    if let Some(day) = record {
        let day = day.to_string();
        if let Some(s) = spans.get("/rollout/pilotSince") {
            let at = s.value.offset;
            edits.push(Edit {
                start: at,
                end: at + scalar_len(text, at, s.len),
                with: day,
            });
        } else {
            let block = spans.get("/rollout").ok_or("no `rollout:` in the file")?;
            let end = start + scalar_len(text, start, stage.len);
            if text[block.value.offset..].starts_with('{') {
                // Flow mapping: add the key right after the stage value.
                edits.push(Edit {
                    start: end,
                    end,
                    with: format!(", pilotSince: {day}"),
                });
            } else {
                // Block mapping: a new line after the stage's line, at the
                // stage key's indentation (comment on the stage line kept).
                let key = stage.key.ok_or("`rollout.stage` has no key position")?;
                let line_start = crate::load::line_start(text, key.offset);
                let indent = &text[line_start..key.offset];
                if !indent.chars().all(|c| c == ' ') {
                    return Err("cannot insert `pilotSince` next to `stage:` (unusual layout); add `pilotSince:` by hand".into());
                }
                let eol = crate::load::line_end(text, end);
                let newline = if text[..eol].ends_with('\r') || text.contains("\r\n") {
                    "\r\n"
                } else {
                    "\n"
                };
                let (at, with) = if eol >= text.len() {
                    (text.len(), format!("{newline}{indent}pilotSince: {day}"))
                } else {
                    let next = eol + 1;
                    (next, format!("{indent}pilotSince: {day}{newline}"))
                };
                edits.push(Edit {
                    start: at,
                    end: at,
                    with,
                });
            }
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.start));
    let mut out = text.to_owned();
    for e in edits {
        out.replace_range(e.start..e.end, &e.with);
    }
    Ok(out)
}

/// The written length of a scalar starting at `at` (the span map gives 0 for
/// some scalars; fall back to scanning to the end of a plain or quoted word).
fn scalar_len(text: &str, at: usize, len: usize) -> usize {
    if len > 0 {
        return len;
    }
    let rest = &text[at..];
    match rest.chars().next() {
        Some(q @ ('"' | '\'')) => rest[1..].find(q).map_or(rest.len(), |i| i + 2),
        _ => rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | '}' | '#'))
            .unwrap_or(rest.len()),
    }
}

/// A two-column line diff of an in-place edit: the changed lines only.
pub fn line_diff(before: &str, after: &str) -> String {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = String::new();
    for l in &a[prefix..a.len() - suffix] {
        out.push_str(&format!("-{l}\n"));
    }
    for l in &b[prefix..b.len() - suffix] {
        out.push_str(&format!("+{l}\n"));
    }
    out
}

/// The day `caac promote` acts on.
///
/// The rule: **a promotion that writes is dated by the system clock.** The
/// dwell time is the safety of a staged rollout, and the date a promotion
/// records (`pilotSince`) is the start of the next dwell, so neither may
/// come from the command line: a later day would age the current stage, an
/// earlier one would backdate the pilot (promote to pilot "in 2020", to
/// enforced today). `--today`, else `CAAC_TODAY`, may name another day only
/// with `dry_run` (a preview that writes nothing); without it, a day other
/// than `system` is refused with the reason. The same day as `system` is
/// accepted, so a CI that pins `CAAC_TODAY` to today still promotes.
pub fn promotion_day(flag: Option<&str>, system: Day, dry_run: bool) -> Result<Day, String> {
    let (value, source) = match flag {
        Some(t) => (Some(t.to_owned()), "--today"),
        None => (std::env::var("CAAC_TODAY").ok(), "CAAC_TODAY"),
    };
    let Some(value) = value else {
        return Ok(system);
    };
    let day = Day::parse(&value)
        .ok_or_else(|| format!("{source} `{value}` is not a calendar date (YYYY-MM-DD)"))?;
    if dry_run || day == system {
        return Ok(day);
    }
    let (relation, effect) = if day > system {
        ("later", "a promotion cannot be dated in the future")
    } else {
        ("earlier", "a promotion cannot be backdated")
    };
    Err(format!(
        "{source} `{value}` is {relation} than today ({system}, UTC, by the system clock): {effect}: a promotion that writes the spec is dated by the system clock, so the dwell time (`rollout.minDwellDays`, default {DEFAULT_DWELL} days) cannot be skipped; add --dry-run to preview a promotion on another day{}",
        if source == "CAAC_TODAY" {
            ", or unset CAAC_TODAY"
        } else {
            ", or leave --today out"
        }
    ))
}

/// Compares two values ignoring object key order.
pub(crate) fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        _ => a == b,
    }
}

/// A spec path, or the one spec under `dir` whose displayName is `policy`.
pub(crate) fn find(policy: &str, dir: &std::path::Path) -> Result<std::path::PathBuf, String> {
    let p = std::path::PathBuf::from(policy);
    if p.is_file() {
        return Ok(p);
    }
    let mut errors = Vec::new();
    let files = crate::check::collect(std::slice::from_ref(&dir.to_path_buf()), &[], &mut errors);
    let found: Vec<_> = files
        .into_iter()
        .filter(|f| {
            crate::load::load(f)
                .is_ok_and(|d| d.value.get("displayName").and_then(|v| v.as_str()) == Some(policy))
        })
        .collect();
    match found.len() {
        1 => Ok(found.into_iter().next().unwrap_or_default()),
        0 => Err(format!(
            "`{policy}` is neither a spec file nor the displayName of a policy under {}",
            crate::check::display(dir)
        )),
        _ => Err(format!(
            "`{policy}` is the displayName of {} specs; pass the path instead",
            found.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_reject_nonsense() {
        for s in ["1970-01-01", "2024-02-29", "2026-12-31", "2000-03-01"] {
            assert_eq!(Day::parse(s).unwrap().to_string(), s);
        }
        for s in ["2026-02-29", "2026-13-01", "2026-1-01", "2026-00-10", "x"] {
            assert!(Day::parse(s).is_none(), "{s}");
        }
        let d = Day::parse("2026-11-20").unwrap();
        assert_eq!(d.plus(14).to_string(), "2026-12-04");
    }

    fn r(stage: Stage) -> Rollout {
        Rollout {
            stage,
            pilot_group: Some("Pilot".into()),
            report_only_since: Some("2026-11-20".into()),
            pilot_since: Some("2026-12-04".into()),
            min_dwell_days: None,
        }
    }

    #[test]
    fn a_promotion_that_writes_is_dated_by_the_system_clock() {
        let day = |s| Day::parse(s).unwrap();
        let system = day("2026-12-05");
        // Writing: only the system clock's day.
        assert_eq!(promotion_day(Some("2026-12-05"), system, false), Ok(system));
        let e = promotion_day(Some("2026-12-06"), system, false).unwrap_err();
        assert!(
            e.contains("--today `2026-12-06` is later than today (2026-12-05"),
            "{e}"
        );
        assert!(
            e.contains("cannot be skipped") && e.contains("--dry-run"),
            "{e}"
        );
        // Backdating is the same bypass the other way round.
        let e = promotion_day(Some("2020-01-01"), system, false).unwrap_err();
        assert!(
            e.contains("--today `2020-01-01` is earlier than today (2026-12-05")
                && e.contains("cannot be backdated")
                && e.contains("cannot be skipped")
                && e.contains("add --dry-run"),
            "{e}"
        );
        // A dry run writes nothing: any day may be previewed.
        assert_eq!(
            promotion_day(Some("2020-01-01"), system, true),
            Ok(day("2020-01-01"))
        );
        assert_eq!(
            promotion_day(Some("2027-01-01"), system, true),
            Ok(day("2027-01-01"))
        );
        for dry_run in [false, true] {
            assert!(
                promotion_day(Some("2026-02-30"), system, dry_run)
                    .unwrap_err()
                    .contains("not a calendar date")
            );
        }
    }

    #[test]
    fn dwell_is_respected() {
        let day = |s| Day::parse(s).unwrap();
        let e = next_step(&r(Stage::ReportOnly), day("2026-11-27")).unwrap_err();
        assert_eq!(
            e,
            "report-only since 2026-11-20: 7 of 14 days; earliest promotion 2026-12-04"
        );
        assert_eq!(
            next_step(&r(Stage::ReportOnly), day("2026-12-04")).unwrap(),
            Step::Move {
                to: Stage::Pilot,
                record: Some(day("2026-12-04"))
            }
        );
        assert!(next_step(&r(Stage::Pilot), day("2026-12-17")).is_err());
        assert!(next_step(&r(Stage::Pilot), day("2026-12-18")).is_ok());
        assert_eq!(
            next_step(&r(Stage::Enforced), day("2000-01-01")).unwrap(),
            Step::Done
        );
        let mut no_group = r(Stage::ReportOnly);
        no_group.pilot_group = None;
        assert!(
            next_step(&no_group, day("2027-01-01"))
                .unwrap_err()
                .contains("pilotGroup")
        );
    }

    #[test]
    fn effective_policy_per_stage_fails_safe() {
        let mut t = Tenant::default();
        t.groups.insert(
            "Pilot".into(),
            "22222222-2222-4222-8222-222222222222".into(),
        );
        let base = |stage: Stage, group: Option<&str>| Policy {
            display_name: "x".into(),
            users: Some(crate::model::Users {
                include: Some(UserSet {
                    users: vec!["All".into()],
                    ..UserSet::default()
                }),
                exclude: None,
            }),
            rollout: Some(Rollout {
                stage,
                pilot_group: group.map(str::to_owned),
                ..Rollout::default()
            }),
            ..Policy::default()
        };
        let run = |p: &Policy| crate::resolve::resolve(p, Some(&t));
        let (p, d) = run(&base(Stage::Pilot, Some("Pilot")));
        assert!(d.is_empty());
        assert_eq!(p.state, State::Enabled);
        let inc = p.user_include().unwrap();
        assert_eq!(inc.groups, ["22222222-2222-4222-8222-222222222222"]);
        assert!(inc.users.is_empty());
        let (p, _) = run(&base(Stage::Pilot, None));
        assert_eq!(p.state, State::ReportOnly);
        let (p, d) = run(&base(Stage::Pilot, Some("Nope")));
        assert_eq!(p.state, State::ReportOnly);
        assert_eq!(d.len(), 1);
        let (p, _) = run(&base(Stage::Enforced, Some("Pilot")));
        assert_eq!(p.state, State::Enabled);
        assert_eq!(p.user_include().unwrap().users, ["All"]);
        let (p, _) = run(&base(Stage::ReportOnly, Some("Pilot")));
        assert_eq!(p.state.graph(), "enabledForReportingButNotEnforced");
        let mut conflict = base(Stage::ReportOnly, None);
        conflict.state = State::Enabled;
        assert_eq!(run(&conflict).1[0].code, "rollout-state-conflict");
    }

    #[test]
    fn edits_keep_everything_else() {
        let text = "displayName: X # c\nrollout:\n  stage: reportOnly   # keep\n  reportOnlySince: 2026-11-20\nstate: x\n";
        let (_, spans) = crate::load::parse_text(text).unwrap();
        let step = Step::Move {
            to: Stage::Pilot,
            record: Some(Day::parse("2026-12-04").unwrap()),
        };
        let out = edit_text(text, &spans, &step).unwrap();
        assert_eq!(
            out,
            "displayName: X # c\nrollout:\n  stage: pilot   # keep\n  pilotSince: 2026-12-04\n  reportOnlySince: 2026-11-20\nstate: x\n"
        );
        // CRLF, a quoted stage on the last line without a newline.
        let crlf = "a: 1\r\nrollout:\r\n  stage: \"reportOnly\"";
        let (_, spans) = crate::load::parse_text(crlf).unwrap();
        assert_eq!(
            edit_text(crlf, &spans, &step).unwrap(),
            "a: 1\r\nrollout:\r\n  stage: pilot\r\n  pilotSince: 2026-12-04"
        );
        let flow = "rollout: {stage: 'reportOnly', pilotGroup: P}\n";
        let (_, spans) = crate::load::parse_text(flow).unwrap();
        assert_eq!(
            edit_text(flow, &spans, &step).unwrap(),
            "rollout: {stage: pilot, pilotSince: 2026-12-04, pilotGroup: P}\n"
        );
    }
}
