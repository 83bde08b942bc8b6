//! A small YAML writer for caac specs: block mappings, short scalar lists in
//! flow style (`[a, b]`), and strings quoted whenever a YAML reader could
//! take them for anything but that string (YAML 1.1 booleans such as `NO`,
//! numbers, `null`, leading indicators, `: ` or ` #` inside; inside a flow
//! list also a flow indicator `,[]{}` anywhere). The output parses back
//! through caac's own loader to the same value (tested).

use serde_json::Value;
use std::fmt::Write;

/// Renders a JSON value (a serialized spec) as YAML.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => mapping(&mut out, m, 0),
        other => {
            let _ = writeln!(out, "{}", inline(other, false));
        }
    }
    out
}

fn mapping(out: &mut String, m: &serde_json::Map<String, Value>, indent: usize) {
    for (k, v) in m {
        let pad = " ".repeat(indent);
        let key = scalar_str(k);
        match v {
            Value::Object(inner) if !inner.is_empty() => {
                let _ = writeln!(out, "{pad}{key}:");
                mapping(out, inner, indent + 2);
            }
            Value::Array(items) if !fits_flow(items, indent + key.len() + 2) => {
                let _ = writeln!(out, "{pad}{key}:");
                for item in items {
                    match item {
                        Value::Object(inner) if !inner.is_empty() => {
                            // `- ` then the mapping indented under the dash.
                            let mut nested = String::new();
                            mapping(&mut nested, inner, indent + 4);
                            let trimmed = nested.trim_start();
                            let _ = write!(out, "{pad}  - {trimmed}");
                        }
                        other => {
                            let _ = writeln!(out, "{pad}  - {}", inline(other, false));
                        }
                    }
                }
            }
            other => {
                let _ = writeln!(out, "{pad}{key}: {}", inline(other, false));
            }
        }
    }
}

fn fits_flow(items: &[Value], used: usize) -> bool {
    items.iter().all(|i| !i.is_object() && !i.is_array())
        && used + inline(&Value::Array(items.to_vec()), false).len() <= 100
}

/// A value on one line. `flow`: it stands inside a flow collection (`[…]`,
/// `{…}`), where a plain scalar ends at any flow indicator `,[]{}`
/// (YAML 1.2.2 §7.3.3, plain style: `ns-plain-safe-in` excludes
/// `c-flow-indicator`, <https://yaml.org/spec/1.2.2/#733-plain-style>):
/// `[password,sms]` is two items, so such a string is quoted there. An
/// authentication strength's combination (`password,sms`,
/// <https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy>)
/// is the common case.
fn inline(v: &Value, flow: bool) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if flow && s.contains([',', '[', ']', '{', '}']) => quoted(s),
        Value::String(s) => scalar_str(s),
        Value::Array(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| inline(i, true))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(m) if m.is_empty() => "{}".into(),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| {
                    let k = if k.contains([',', '[', ']', '{', '}']) {
                        quoted(k)
                    } else {
                        scalar_str(k)
                    };
                    format!("{k}: {}", inline(v, true))
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A string as a YAML scalar: plain when unambiguous, else double-quoted.
pub fn scalar_str(s: &str) -> String {
    if needs_quotes(s) {
        quoted(s)
    } else {
        s.to_owned()
    }
}

/// A string as a double-quoted YAML scalar.
fn quoted(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\r' => q.push_str("\\r"),
            '\t' => q.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(q, "\\u{:04X}", c as u32);
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || s.trim() != s {
        return true;
    }
    let lower = s.to_ascii_lowercase();
    // YAML 1.1 and 1.2 non-strings; `NO` (Norway) is the classic trap.
    const WORDS: &[&str] = &[
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".nan", ".inf", "-.inf",
    ];
    if WORDS.contains(&lower.as_str()) {
        return true;
    }
    if s.parse::<f64>().is_ok() || looks_numeric_or_date(s) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
        return true;
    }
    s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| c.is_control() || c == '\u{feff}')
}

/// Shapes other YAML readers turn into numbers or dates: `1_000`, `0x1F`,
/// `12:30` (YAML 1.1 base 60), `2024-01-31` (timestamps).
fn looks_numeric_or_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: &[u8]| !r.is_empty() && r.iter().all(u8::is_ascii_digit);
    let date = b.len() >= 8 && digits(&b[..4]) && b[4] == b'-' && b[5].is_ascii_digit() && {
        let rest = &s[5..];
        let mut parts = rest.splitn(3, ['-', 'T', 't', ' ']);
        parts
            .next()
            .is_some_and(|m| digits(m.as_bytes()) && m.len() <= 2)
            && parts
                .next()
                .is_some_and(|d| d.len() <= 2 && digits(d.as_bytes()))
    };
    let base60 = s.contains(':') && s.split(':').all(|p| digits(p.as_bytes()));
    let prefixed =
        s.len() > 2 && (s.starts_with("0x") || s.starts_with("0o") || s.starts_with("0b"));
    let underscored = s.contains('_')
        && s.chars()
            .all(|c| c.is_ascii_digit() || c == '_' || c == '.');
    date || base60 || prefixed || underscored
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_readable_yaml_that_reads_back_the_same() {
        let v = json!({
            "displayName": "CA001: Block - legacy",
            "state": "reportOnly",
            "users": {"include": {"users": ["All"]}, "exclude": {"groups": ["Emergency Access", "00000000-0000-0000-0000-000000000001"]}},
            "locations": {"include": ["NO", "yes", "123", "- x", "a #b", " padded", "<Group>", "%Token%", "2024-01-31", "12:30", "1_000", "0x1F"]},
            "session": {"signInFrequency": {"value": 4, "type": "hours"}, "tokenProtection": true},
            "passthrough": {"conditions": {"agents": {"includeAgentUsers": ["All"]}, "list": [{"a": 1, "b": [1, 2]}, {"c": null}]}},
        });
        let text = to_yaml(&v);
        assert!(text.contains("state: reportOnly\n"), "{text}");
        assert!(
            text.contains("    - \"NO\"\n    - \"yes\"\n    - \"123\"\n"),
            "{text}"
        );
        assert!(
            text.contains("    - \"2024-01-31\"\n    - \"12:30\"\n"),
            "{text}"
        );
        let (back, _) = crate::load::parse_text(&text).unwrap();
        assert_eq!(back, v, "{text}");
    }

    /// Found by the `strengths` fuzz target: a flow list wrote
    /// `[fido2, password,sms]`, which reads back as three items, so an
    /// imported strength's `password,sms` became `password` alone.
    #[test]
    fn flow_indicators_inside_a_flow_list_are_quoted() {
        let v = json!({
            "allowedCombinations": ["fido2", "password,sms", "a[b", "c]", "{d}"],
            "more": ["password, microsoftAuthenticatorPush"],
            "m": [{"k,1": "v,2", "x": ["y,z"]}],
        });
        let text = to_yaml(&v);
        assert!(
            text.contains(r#"allowedCombinations: [fido2, "password,sms", "a[b", "c]", "{d}"]"#),
            "{text}"
        );
        assert!(
            text.contains(r#"more: ["password, microsoftAuthenticatorPush"]"#),
            "{text}"
        );
        let (back, _) = crate::load::parse_text(&text).unwrap();
        assert_eq!(back, v, "{text}");
        // In block context the same strings stay plain.
        assert_eq!(to_yaml(&json!({"a": "password,sms"})), "a: password,sms\n");
    }

    #[test]
    fn long_lists_go_block_style() {
        let ids: Vec<String> = (0..6)
            .map(|i| format!("0000000{i}-0000-0000-0000-000000000000"))
            .collect();
        let v = json!({"users": {"include": {"groups": ids}}});
        let text = to_yaml(&v);
        assert!(
            text.contains("groups:\n      - 00000000-"),
            "GUIDs stay plain: {text}"
        );
        assert_eq!(crate::load::parse_text(&text).unwrap().0, v);
    }
}
