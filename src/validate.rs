//! Shape check: the loaded value against the JSON Schema generated from the
//! model, then the typed deserialize.
//!
//! Contract: [`typed`] reports *all* shape errors of a document at once, each
//! at its exact key or value (unknown fields at the key, with a did-you-mean
//! drawn from the schema's own property list — taplo's trick), and only then
//! builds the typed value. A serde failure after the schema passed is a caac
//! bug and is reported as `internal`.

use crate::diag::{Code, Diagnostic, Location, did_you_mean};
use crate::load::{Document, escape_segment};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A compiled schema plus its JSON (for did-you-mean lookups).
pub struct Schema {
    json: Value,
    validator: jsonschema::Validator,
}

impl Schema {
    /// Compiles `json` (a schema caac generated itself, so failure is a bug).
    pub fn new(json: Value) -> Self {
        let validator = jsonschema::options()
            .build(&json)
            .unwrap_or_else(|e| panic!("caac's generated schema does not compile: {e}"));
        Schema { json, validator }
    }

    /// Every shape error of `value`, as diagnostics with pointers.
    pub fn check(&self, value: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for e in self.validator.iter_errors(value) {
            self.push(&e, &mut out);
        }
        out
    }

    /// Turns one validation error into diagnostics. For a failed `anyOf`
    /// (a value that may be an id string or a mapping), report the errors of
    /// the alternative whose type matched, not an opaque "not valid under any".
    fn push(&self, e: &jsonschema::ValidationError, out: &mut Vec<Diagnostic>) {
        {
            let pointer = e.instance_path().as_str().to_owned();
            match e.kind() {
                ValidationErrorKind::AnyOf { context }
                | ValidationErrorKind::OneOfNotValid { context } => {
                    let type_mismatch = |errs: &Vec<jsonschema::ValidationError>| {
                        errs.iter().all(|x| {
                            matches!(x.kind(), ValidationErrorKind::Type { .. })
                                && x.instance_path().as_str() == pointer
                        })
                    };
                    match context
                        .iter()
                        .find(|branch| !branch.is_empty() && !type_mismatch(branch))
                    {
                        Some(branch) => branch.iter().for_each(|x| self.push(x, out)),
                        None => {
                            let mut expected: Vec<String> = context
                                .iter()
                                .flatten()
                                .filter_map(|x| match x.kind() {
                                    ValidationErrorKind::Type {
                                        kind: TypeKind::Single(t),
                                    } => Some(t.to_string()),
                                    _ => None,
                                })
                                .collect();
                            expected.dedup();
                            let expected = if expected.is_empty() {
                                "another shape".to_owned()
                            } else {
                                expected.join(" or ")
                            };
                            out.push(
                                Diagnostic::error(
                                    Code::InvalidType,
                                    format!(
                                        "expected {} {expected}, found {}",
                                        article(&expected),
                                        describe(e.instance())
                                    ),
                                )
                                .at_value(&pointer),
                            );
                        }
                    }
                }
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    let allowed = self.properties_at(&pointer);
                    for key in unexpected {
                        let mut d =
                            Diagnostic::error(Code::UnknownField, format!("unknown field `{key}`"))
                                .at_key(format!("{pointer}/{}", escape_segment(key)));
                        let hint = match did_you_mean(key, allowed.iter().map(String::as_str)) {
                            Some(s) => format!("did you mean `{s}`? "),
                            None => String::new(),
                        };
                        if !allowed.is_empty() {
                            d = d.with_help(format!(
                                "{hint}expected one of: {}",
                                allowed.join(", ")
                            ));
                        }
                        out.push(d);
                    }
                }
                ValidationErrorKind::Enum { options } => {
                    let opts: Vec<&str> = options
                        .as_array()
                        .map(|a| a.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    let found = short(e.instance());
                    let mut d =
                        Diagnostic::error("CA015", format!("{found} is not a valid value here"))
                            .at_value(&pointer);
                    d.name = Some("unknown-enum-value");
                    let hint = match e
                        .instance()
                        .as_str()
                        .and_then(|s| did_you_mean(s, opts.iter().copied()))
                    {
                        Some(s) => format!("did you mean `{s}`? "),
                        None => String::new(),
                    };
                    out.push(d.with_help(format!(
                        "{hint}expected one of: {} (case-sensitive)",
                        opts.join(", ")
                    )));
                }
                ValidationErrorKind::Required { property } => {
                    let name = property.as_str().unwrap_or("?");
                    out.push(
                        Diagnostic::error(
                            Code::MissingField,
                            format!("missing required field `{name}`"),
                        )
                        .at_key(&pointer)
                        .with_help(format!("add `{name}:`")),
                    );
                }
                ValidationErrorKind::Type { kind } => {
                    let expected = match kind {
                        TypeKind::Single(t) => t.to_string(),
                        TypeKind::Multiple(ts) => ts
                            .iter()
                            .map(|t| t.to_string())
                            .collect::<Vec<_>>()
                            .join(" or "),
                    };
                    out.push(
                        Diagnostic::error(
                            Code::InvalidType,
                            format!(
                                "expected {} {expected}, found {}",
                                article(&expected),
                                describe(e.instance())
                            ),
                        )
                        .at_value(&pointer),
                    );
                }
                ValidationErrorKind::MinItems { limit } => out.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!("the list must have at least {limit} item(s)"),
                    )
                    .at_value(&pointer),
                ),
                _ => out
                    .push(Diagnostic::error(Code::InvalidValue, e.to_string()).at_value(&pointer)),
            }
        }
    }

    /// Property names the schema allows at an instance pointer.
    fn properties_at(&self, pointer: &str) -> Vec<String> {
        let mut node = self.deref(&self.json);
        for seg in pointer.split('/').skip(1) {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            let next = node
                .get("properties")
                .and_then(|p| p.get(&seg))
                .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()))
                .or_else(|| node.get("items").filter(|_| seg.parse::<usize>().is_ok()));
            match next {
                Some(n) => node = self.deref(n),
                None => return Vec::new(),
            }
        }
        node.get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Follows local `$ref`s (`#/$defs/X`, `#/definitions/X`) and single-branch
    /// `anyOf`/`allOf` wrappers schemars emits.
    fn deref<'a>(&'a self, mut node: &'a Value) -> &'a Value {
        for _ in 0..16 {
            if let Some(r) = node.get("$ref").and_then(Value::as_str) {
                match r.strip_prefix('#').and_then(|p| self.json.pointer(p)) {
                    Some(n) => node = n,
                    None => return node,
                }
            } else if let Some(first) = ["allOf", "anyOf", "oneOf"].iter().find_map(|k| {
                node.get(*k)
                    .and_then(Value::as_array)
                    .and_then(|a| a.first())
            }) {
                node = first;
            } else {
                return node;
            }
        }
        node
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the string \"{}\"", truncate(s)),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{}`", truncate(s)),
        other => describe(other),
    }
}

fn truncate(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// Schema-checks a document and deserializes it into `T`.
pub fn typed<T: DeserializeOwned>(schema: &Schema, doc: &Document) -> Result<T, Vec<Diagnostic>> {
    let errors = schema.check(&doc.value);
    if !errors.is_empty() {
        return Err(errors);
    }
    T::deserialize(&doc.value).map_err(|e| {
        vec![
            Diagnostic::error(
                Code::Internal,
                format!("the schema accepted this file but the model did not: {e}"),
            )
            .at(Location::File)
            .with_help("this is a caac bug; please report it with the file"),
        ]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Policy, policy_schema};

    fn check(yaml: &str) -> Vec<Diagnostic> {
        let (value, spans) = crate::load::parse_text(yaml).unwrap();
        let doc = Document {
            path: "t.yaml".into(),
            text: yaml.into(),
            value,
            spans,
        };
        typed::<Policy>(&Schema::new(policy_schema()), &doc)
            .err()
            .unwrap_or_default()
    }

    #[test]
    fn unknown_field_with_suggestion_at_key() {
        let d = check("displayName: x\nusers:\n  include:\n    grups: [a]\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, "unknown-field");
        assert_eq!(
            d[0].location,
            Location::Pointer {
                pointer: "/users/include/grups".into(),
                key: true
            }
        );
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .starts_with("did you mean `groups`?"),
            "{:?}",
            d[0].help
        );
    }

    #[test]
    fn wrong_enum_case_suggests_graph_spelling() {
        let d = check("displayName: x\nplatforms: {include: [ios]}\n");
        assert_eq!(d[0].code, "CA015");
        assert!(
            d[0].help
                .as_deref()
                .unwrap()
                .contains("did you mean `iOS`?")
        );
    }

    #[test]
    fn all_errors_at_once() {
        let d = check("displayName: 5\nstate: on\nfoo: 1\nclientAppTypes: [web]\n");
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        assert!(
            codes.contains(&"invalid-type")
                && codes.contains(&"CA015")
                && codes.contains(&"unknown-field"),
            "{codes:?}"
        );
    }

    #[test]
    fn any_of_reports_the_matching_alternative() {
        let yaml = "groups:\n  X: 5\nnamedLocations:\n  HQ: {id: a, trusted: yes}\n";
        let (value, spans) = crate::load::parse_text(yaml).unwrap();
        let doc = Document {
            path: "t.yaml".into(),
            text: yaml.into(),
            value,
            spans,
        };
        let d = typed::<crate::model::Tenant>(&Schema::new(crate::model::tenant_schema()), &doc)
            .unwrap_err();
        let got: Vec<(&str, String)> = d
            .iter()
            .map(|d| match &d.location {
                Location::Pointer { pointer, .. } => (d.code, pointer.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            got,
            [
                ("invalid-type", "/groups/X".to_owned()),
                ("invalid-type", "/namedLocations/HQ/trusted".to_owned())
            ]
        );
    }

    #[test]
    fn missing_display_name() {
        let d = check("state: enabled\n");
        assert_eq!(d[0].code, "missing-field");
    }
}
