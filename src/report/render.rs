//! Rendering the `caac report` facts ([`Summary`]) for people (Markdown,
//! one self-contained HTML page) and programs (versioned JSON).
//!
//! Contract: pure and deterministic; every string from a spec is escaped
//! ([`escape::html`], [`escape::markdown`]), so a display name such as
//! `<script>` renders as text.

use super::{Part, Sentence, Summary};
use crate::escape;

pub(super) fn sentence_md(s: &Sentence) -> String {
    s.iter()
        .map(|p| match p {
            Part::Text(t) => escape::markdown(t),
            Part::Name(n) => format!("*{}*", escape::markdown(n)),
            Part::Code(c) => escape::markdown_code(c),
        })
        .collect()
}

pub(super) fn sentence_html(s: &Sentence) -> String {
    s.iter()
        .map(|p| match p {
            Part::Text(t) => escape::html(t),
            Part::Name(n) => format!("<em>{}</em>", escape::html(n)),
            Part::Code(c) => format!("<code>{}</code>", escape::html(c)),
        })
        .collect()
}

fn state_counts(s: &Summary) -> (usize, usize, usize) {
    let c = |l: &str| s.policies.iter().filter(|p| p.state == l).count();
    (c("On"), c("Report-only"), c("Off"))
}

/// The facts the page shows, as versioned JSON for programs (`caac report
/// -f json`): every field of [`Summary`], each sentence both as parts and as
/// plain text, and the lint counts named.
pub fn json(s: &Summary) -> serde_json::Value {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    if let Some(ps) = v.get_mut("policies").and_then(|p| p.as_array_mut()) {
        for (p, line) in ps.iter_mut().zip(&s.policies) {
            let plain: String = line
                .sentence
                .iter()
                .map(|part| match part {
                    Part::Text(t) | Part::Name(t) | Part::Code(t) => t.as_str(),
                })
                .collect();
            p["text"] = plain.into();
        }
    }
    let (errors, warnings, infos) = s.counts;
    v["counts"] = serde_json::json!({"errors": errors, "warnings": warnings, "infos": infos});
    let mut out = serde_json::json!({"version": 1});
    if let (Some(o), serde_json::Value::Object(fields)) = (out.as_object_mut(), v) {
        o.extend(fields);
    }
    out
}

/// Markdown rendering.
pub fn markdown(s: &Summary) -> String {
    let mut o = String::new();
    let (on, ro, off) = state_counts(s);
    o.push_str("# Conditional Access policy set\n\n");
    o.push_str(&format!(
        "{} policies: {on} on, {ro} report-only, {off} off. Lint: {} error(s), {} warning(s), {} info(s).\n\n",
        s.policies.len(),
        s.counts.0,
        s.counts.1,
        s.counts.2
    ));
    o.push_str("## Policies\n\n");
    for p in &s.policies {
        o.push_str(&format!(
            "- **{}** ({}): {}  \n  <sub>{}</sub>\n",
            escape::markdown(&p.name),
            p.state,
            sentence_md(&p.sentence),
            escape::markdown(&p.source)
        ));
    }
    o.push_str("\n## Who gets what\n\n");
    if s.matrices.is_empty() {
        o.push_str("No sign-in to evaluate.\n");
    } else {
        o.push_str(&format!(
            "Outcome per user and application for an ordinary sign-in ({}), one table per kind of location the policies tell apart. \
             \"would be …\" is the outcome once the report-only policies are enforced.\n",
            escape::markdown(&s.context)
        ));
    }
    for lm in &s.matrices {
        o.push_str(&format!(
            "\n### From {}\n\n",
            escape::markdown(&lm.location)
        ));
        o.push_str("| User |");
        for c in &s.columns {
            o.push_str(&format!(" {} |", escape::markdown(c)));
        }
        o.push_str("\n|---|");
        for _ in &s.columns {
            o.push_str("---|");
        }
        o.push('\n');
        for (r, row) in s.rows.iter().zip(&lm.cells) {
            o.push_str(&format!("| {} |", escape::markdown(r)));
            for cell in row {
                match &cell.would {
                    None => o.push_str(&format!(" {} |", escape::markdown(&cell.now))),
                    Some(w) => o.push_str(&format!(
                        " {} → _would be {}_ |",
                        escape::markdown(&cell.now),
                        escape::markdown(w)
                    )),
                }
            }
            o.push('\n');
        }
    }
    o.push_str("\n## Exclusions\n\n");
    if s.exclusions.is_empty() {
        o.push_str("No policy excludes anyone or anything.\n");
    } else {
        o.push_str("| Policy | Excluded | Owner | Reason | Expires |\n|---|---|---|---|---|\n");
        let or_dash = |v: &Option<String>| v.as_deref().map_or("—".to_owned(), escape::markdown);
        for e in &s.exclusions {
            o.push_str(&format!(
                "| {} | {}: {} | {} | {} | {} |\n",
                escape::markdown(&e.policy),
                e.kind,
                e.names
                    .iter()
                    .map(|n| escape::markdown(n))
                    .collect::<Vec<_>>()
                    .join(", "),
                or_dash(&e.owner),
                or_dash(&e.reason),
                or_dash(&e.expires),
            ));
        }
        o.push_str("\nOwner, reason and expiry come from each spec's `exclusions:` records; — means none is recorded.\n");
    }
    o.push_str("\n## Lint\n\n");
    o.push_str(&format!(
        "{} error(s), {} warning(s), {} info(s) (`caac lint` for details).\n",
        s.counts.0, s.counts.1, s.counts.2
    ));
    if !s.findings.is_empty() {
        o.push('\n');
        for f in &s.findings {
            o.push_str(&format!(
                "- {} `{}` {}: {}\n",
                f.severity.as_str(),
                f.code,
                escape::markdown(&f.subject),
                escape::markdown(&f.message)
            ));
        }
    }
    o
}

const CSS: &str = r#"
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --on: #1a7f37; --ro: #9a6700; --off: #6e7781; --block: #cf222e; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); max-width: 1100px; margin: 2rem auto; padding: 0 1.5rem; }
h1 { font-size: 1.8rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; margin-top: 2.2rem; }
h3 { font-size: 1rem; margin: 1.4rem 0 .4rem; }
.lead { color: var(--muted); margin-top: 0; }
.stats { display: flex; gap: .75rem; flex-wrap: wrap; margin: 1rem 0; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: .5rem .9rem; min-width: 8rem; }
.stat b { display: block; font-size: 1.5rem; }
ol.policies { padding-left: 0; list-style: none; }
ol.policies li { border-left: 4px solid var(--line); padding: .4rem .8rem; margin: .6rem 0; break-inside: avoid; }
ol.policies li.On { border-color: var(--on); } ol.policies li.Report-only { border-color: var(--ro); } ol.policies li.Off { border-color: var(--off); }
.name { font-weight: 600; }
.badge { display: inline-block; font-size: .75rem; font-weight: 600; border-radius: 999px; padding: 0 .55rem; margin-left: .4rem; color: #fff; vertical-align: middle; }
.badge.On { background: var(--on); } .badge.Report-only { background: var(--ro); } .badge.Off { background: var(--off); }
.src { color: var(--muted); font-size: .8rem; font-family: ui-monospace, monospace; }
em { font-style: normal; font-weight: 600; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; break-inside: auto; }
th, td { border: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
tr { break-inside: avoid; }
td.Block { color: var(--block); font-weight: 600; }
td.Allow { color: var(--muted); }
.would { display: block; font-size: .8rem; color: var(--ro); font-style: italic; border-top: 1px dashed var(--line); margin-top: .2rem; }
.sev-error { color: var(--block); font-weight: 600; } .sev-warning { color: var(--ro); font-weight: 600; } .sev-info { color: var(--muted); }
code { font-family: ui-monospace, monospace; font-size: .85em; }
footer { color: var(--muted); font-size: .8rem; margin-top: 3rem; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } h2, h3 { break-after: avoid; } a { color: inherit; } }
"#;

/// HTML rendering: one self-contained page (see the module docs).
pub fn html(s: &Summary) -> String {
    let mut o = String::new();
    let (on, ro, off) = state_counts(s);
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    o.push_str("<title>Conditional Access policy set</title>\n<style>");
    o.push_str(CSS);
    o.push_str("</style>\n</head>\n<body>\n<h1>Conditional Access policy set</h1>\n");
    o.push_str("<p class=\"lead\">Who must do what to sign in, in plain words. Generated by caac from the policy specs.</p>\n");
    o.push_str("<div class=\"stats\">");
    for (n, l) in [
        (s.policies.len(), "policies"),
        (on, "on"),
        (ro, "report-only"),
        (off, "off"),
        (s.counts.0, "lint errors"),
        (s.counts.1, "lint warnings"),
    ] {
        o.push_str(&format!("<div class=\"stat\"><b>{n}</b>{l}</div>"));
    }
    o.push_str("</div>\n<h2>Policies</h2>\n<ol class=\"policies\">\n");
    for p in &s.policies {
        o.push_str(&format!(
            "<li class=\"{st}\"><span class=\"name\">{}</span><span class=\"badge {st}\">{st}</span><br>{}<br><span class=\"src\">{}</span></li>\n",
            escape::html(&p.name),
            sentence_html(&p.sentence),
            escape::html(&p.source),
            st = p.state,
        ));
    }
    o.push_str("</ol>\n<h2>Who gets what</h2>\n");
    if s.matrices.is_empty() {
        o.push_str("<p>No sign-in to evaluate.</p>\n");
    } else {
        o.push_str(&format!(
            "<p>Outcome per user and application for an ordinary sign-in ({}), one table per kind of location the policies tell apart. <span class=\"would\" style=\"display:inline;border:0\">would be …</span> is the outcome once the report-only policies are enforced.</p>\n",
            escape::html(&s.context)
        ));
    }
    for lm in &s.matrices {
        o.push_str(&format!("<h3>From {}</h3>\n", escape::html(&lm.location)));
        o.push_str("<table>\n<thead><tr><th>User</th>");
        for c in &s.columns {
            o.push_str(&format!("<th>{}</th>", escape::html(c)));
        }
        o.push_str("</tr></thead>\n<tbody>\n");
        for (r, row) in s.rows.iter().zip(&lm.cells) {
            o.push_str(&format!("<tr><th>{}</th>", escape::html(r)));
            for cell in row {
                let class = match cell.now.as_str() {
                    "Block" => "Block",
                    "Allow" => "Allow",
                    _ => "Grant",
                };
                o.push_str(&format!(
                    "<td class=\"{class}\">{}",
                    escape::html(&cell.now)
                ));
                if let Some(w) = &cell.would {
                    o.push_str(&format!(
                        "<span class=\"would\">would be {}</span>",
                        escape::html(w)
                    ));
                }
                o.push_str("</td>");
            }
            o.push_str("</tr>\n");
        }
        o.push_str("</tbody>\n</table>\n");
    }
    o.push_str("<h2>Exclusions</h2>\n");
    if s.exclusions.is_empty() {
        o.push_str("<p>No policy excludes anyone or anything.</p>\n");
    } else {
        o.push_str("<table>\n<thead><tr><th>Policy</th><th>Excluded</th><th>Owner</th><th>Reason</th><th>Expires</th></tr></thead>\n<tbody>\n");
        let or_dash = |v: &Option<String>| v.as_deref().map_or("—".to_owned(), escape::html);
        for e in &s.exclusions {
            o.push_str(&format!(
                "<tr><td>{}</td><td>{}: {}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                escape::html(&e.policy),
                e.kind,
                e.names
                    .iter()
                    .map(|n| format!("<em>{}</em>", escape::html(n)))
                    .collect::<Vec<_>>()
                    .join(", "),
                or_dash(&e.owner),
                or_dash(&e.reason),
                or_dash(&e.expires),
            ));
        }
        o.push_str("</tbody>\n</table>\n<p class=\"lead\">Owner, reason and expiry come from each spec's <code>exclusions:</code> records; — means none is recorded.</p>\n");
    }
    o.push_str(&format!(
        "<h2>Lint</h2>\n<p>{} error(s), {} warning(s), {} info(s). Run <code>caac lint</code> for details and fixes.</p>\n",
        s.counts.0, s.counts.1, s.counts.2
    ));
    if !s.findings.is_empty() {
        o.push_str("<table>\n<thead><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Finding</th></tr></thead>\n<tbody>\n");
        for f in &s.findings {
            o.push_str(&format!(
                "<tr><td class=\"sev-{sev}\">{sev}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                escape::html(&f.code),
                escape::html(&f.subject),
                escape::html(&f.message),
                sev = f.severity.as_str(),
            ));
        }
        o.push_str("</tbody>\n</table>\n");
    }
    o.push_str("<footer>Generated by caac report. Outcomes come from caac's offline what-if engine, not from the tenant; the sign-in logs (caac monitor) show what really happened.</footer>\n</body>\n</html>\n");
    o
}
