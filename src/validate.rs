//! Shape check: the loaded value against the JSON Schema generated from the
//! model, then the typed deserialize.
//!
//! Contract: [`typed`] reports *all* shape errors of a document at once, each
//! at its exact key or value (unknown fields at the key, with a did-you-mean
//! drawn from the schema's own property list — taplo's trick), and only then
//! builds the typed value. A serde failure after the schema passed is a caac
//! bug and is reported as `internal`.
//!
//! Compiling a validator costs more than checking a file (jsonschema also
//! checks the schema against its meta-schema, about half of a one-file lint,
//! BENCHMARKS.md run 2), and most files are valid. So a [`Schema`] first asks
//! [`Schema::surely_valid`], a small interpreter of the keywords caac's own
//! schemas use (JSON Schema 2020-12 validation,
//! <https://json-schema.org/draft/2020-12/json-schema-validation>), and
//! compiles the jsonschema validator only when that cannot prove the value
//! valid, or once a run has checked more files than interpreting is worth. The interpreter only ever answers "valid" or "don't know": any
//! keyword, pattern or value it does not understand is "don't know", so the
//! diagnostics always come from jsonschema, exactly as before.

use crate::diag::{Code, Diagnostic, Location, did_you_mean};
use crate::load::{Document, escape_segment};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A schema's JSON (for did-you-mean lookups) and its validator, compiled
/// on first need.
pub struct Schema {
    json: Value,
    validator: std::sync::OnceLock<jsonschema::Validator>,
    /// Checks answered by the interpreter so far.
    interpreted: std::sync::atomic::AtomicUsize,
}

/// Checks per schema the interpreter answers before the validator is
/// compiled anyway (a few tenths of a millisecond of interpreting at most).
const INTERPRETED_CHECKS: usize = 64;

impl Schema {
    /// A schema caac generated itself; compiled on first need (a failure is
    /// a bug, and `every_schema_compiles` tests each one).
    pub fn new(json: Value) -> Self {
        Schema {
            json,
            validator: std::sync::OnceLock::new(),
            interpreted: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// The compiled validator.
    pub fn validator(&self) -> &jsonschema::Validator {
        self.validator.get_or_init(|| {
            jsonschema::options()
                .build(&self.json)
                .unwrap_or_else(|e| panic!("caac's generated schema does not compile: {e}"))
        })
    }

    /// Every shape error of `value`, as diagnostics with pointers.
    pub fn check(&self, value: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // The interpreter is ~17× slower per check than a compiled validator
        // (`cargo bench --bench caac -- shape_check`: 5.8 µs against 0.34 µs
        // for a policy), which pays for its compilation after a few hundred
        // files: interpret the first few checks of a run, compile after.
        if self.validator.get().is_none()
            && self
                .interpreted
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                < INTERPRETED_CHECKS
            && self.surely_valid(value)
        {
            return out;
        }
        for e in self.validator().iter_errors(value) {
            self.push(&e, &mut out);
        }
        out
    }

    /// `true` only when `value` is valid under this schema by the keywords
    /// the interpreter knows; `false` means "don't know" (the compiled
    /// validator decides). Never `true` for a value jsonschema rejects: the
    /// test `surely_valid_never_accepts_what_jsonschema_rejects` checks that
    /// over every fixture and many invalid variants.
    pub fn surely_valid(&self, value: &Value) -> bool {
        self.accepts(&self.json, value, 0)
    }

    fn accepts(&self, schema: &Value, v: &Value, depth: usize) -> bool {
        let Some(schema) = schema.as_object() else {
            return schema.as_bool() == Some(true);
        };
        if depth > 64 {
            return false;
        }
        for (k, rule) in schema {
            let ok = match k.as_str() {
                // Annotations: no effect on validity.
                "$schema" | "$id" | "$defs" | "definitions" | "title" | "description"
                | "default" | "examples" | "deprecated" | "readOnly" | "writeOnly" => true,
                "$ref" => rule
                    .as_str()
                    .and_then(|r| r.strip_prefix('#'))
                    .and_then(|p| self.json.pointer(p))
                    .is_some_and(|target| self.accepts(target, v, depth + 1)),
                "type" => match rule {
                    Value::String(t) => is_type(t, v),
                    Value::Array(ts) => {
                        ts.iter().any(|t| t.as_str().is_some_and(|t| is_type(t, v)))
                    }
                    _ => false,
                },
                "enum" => rule
                    .as_array()
                    .is_some_and(|opts| opts.iter().any(|o| same(o, v))),
                "const" => same(rule, v),
                "properties" => match (rule.as_object(), v.as_object()) {
                    (Some(props), Some(obj)) => props.iter().all(|(name, sub)| {
                        obj.get(name)
                            .is_none_or(|x| self.accepts(sub, x, depth + 1))
                    }),
                    (Some(_), None) => true,
                    _ => false,
                },
                "additionalProperties" => match v.as_object() {
                    None => true,
                    Some(obj) => {
                        let declared = schema.get("properties").and_then(Value::as_object);
                        if schema.contains_key("patternProperties") {
                            false
                        } else {
                            obj.iter()
                                .filter(|(name, _)| {
                                    !declared.is_some_and(|d| d.contains_key(name.as_str()))
                                })
                                .all(|(_, x)| self.accepts(rule, x, depth + 1))
                        }
                    }
                },
                "required" => match v.as_object() {
                    None => true,
                    Some(obj) => rule.as_array().is_some_and(|names| {
                        names
                            .iter()
                            .all(|n| n.as_str().is_some_and(|n| obj.contains_key(n)))
                    }),
                },
                "items" => match v.as_array() {
                    None => true,
                    Some(items) => items.iter().all(|x| self.accepts(rule, x, depth + 1)),
                },
                "minItems" => v
                    .as_array()
                    .is_none_or(|a| rule.as_u64().is_some_and(|n| a.len() as u64 >= n)),
                "maxItems" => v
                    .as_array()
                    .is_none_or(|a| rule.as_u64().is_some_and(|n| a.len() as u64 <= n)),
                // Length counts characters (code points), RFC 8259 §7 /
                // JSON Schema validation §6.3.1.
                "minLength" => v
                    .as_str()
                    .is_none_or(|s| rule.as_u64().is_some_and(|n| s.chars().count() as u64 >= n)),
                "maxLength" => v
                    .as_str()
                    .is_none_or(|s| rule.as_u64().is_some_and(|n| s.chars().count() as u64 <= n)),
                "minimum" => match (v.is_number(), v.as_i64(), v.as_u64(), rule.as_i64()) {
                    (false, ..) => true,
                    (true, Some(x), _, Some(m)) => x >= m,
                    (true, None, Some(_), Some(_)) => true,
                    _ => false,
                },
                "maximum" => match (v.is_number(), v.as_u64(), v.as_i64(), rule.as_u64()) {
                    (false, ..) => true,
                    (true, Some(x), _, Some(m)) => x <= m,
                    (true, None, Some(_), Some(_)) => true,
                    _ => false,
                },
                // Format asserts only on strings (and only when enabled);
                // caac's formats are on integers. A string: don't know.
                "format" => !v.is_string(),
                "pattern" => match v.as_str() {
                    None => true,
                    Some(s) => known_pattern(rule.as_str().unwrap_or_default(), s),
                },
                "allOf" => rule
                    .as_array()
                    .is_some_and(|subs| subs.iter().all(|sub| self.accepts(sub, v, depth + 1))),
                "anyOf" => rule
                    .as_array()
                    .is_some_and(|subs| subs.iter().any(|sub| self.accepts(sub, v, depth + 1))),
                _ => false,
            };
            if !ok {
                return false;
            }
        }
        true
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

/// JSON Schema's types (validation §6.1.1); an integer is a number with a
/// zero fractional part, so a float like `1.0` is "don't know" here.
fn is_type(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "string" => v.is_string(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        _ => false,
    }
}

/// `enum`/`const` equality for the values caac's schemas list (strings,
/// integers, booleans, null); anything else is "don't know".
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null, Value::Null) => true,
        (Value::Number(x), Value::Number(y)) => {
            (x.as_i64().is_some() || x.as_u64().is_some()) && x == y
        }
        _ => false,
    }
}

/// The patterns caac's schemas use, matched by hand (an ECMA-262 `^…$` with
/// ASCII classes matches the whole string); any other pattern: don't know.
fn known_pattern(pattern: &str, s: &str) -> bool {
    const GUID: &str =
        "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
    const DATE: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
    let shape = |dashes: &[usize], len: usize, digit: fn(u8) -> bool| {
        s.len() == len
            && s.bytes().enumerate().all(|(i, c)| {
                if dashes.contains(&i) {
                    c == b'-'
                } else {
                    digit(c)
                }
            })
    };
    match pattern {
        GUID => shape(&[8, 13, 18, 23], 36, |c| c.is_ascii_hexdigit()),
        DATE => shape(&[4, 7], 10, |c| c.is_ascii_digit()),
        _ => false,
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
    use serde_json::json;

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

    /// Every YAML/JSON file in the repository's fixtures, starter set and
    /// examples, parsed.
    fn corpus_values() -> Vec<(String, Value)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            let Ok(rd) = std::fs::read_dir(dir) else {
                return;
            };
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    if !p.ends_with("snapshots") {
                        walk(&p, out);
                    }
                } else if p
                    .extension()
                    .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
                {
                    out.push(p);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![root.join("tenant.yaml"), root.join(".caac.yaml")];
        for d in ["tests", "examples", "policies"] {
            walk(&root.join(d), &mut files);
        }
        files.sort();
        files
            .into_iter()
            .filter_map(|f| {
                let doc = crate::load::load(&f).ok()?;
                Some((f.display().to_string(), doc.value))
            })
            .collect()
    }

    fn schemas() -> Vec<(&'static str, Schema)> {
        vec![
            ("policy", Schema::new(policy_schema())),
            ("tenant", Schema::new(crate::model::tenant_schema())),
            ("config", Schema::new(crate::lint::config::config_schema())),
            (
                "location",
                Schema::new(crate::objects::location::location_schema()),
            ),
            (
                "strength",
                Schema::new(crate::objects::strength::strength_schema()),
            ),
            (
                "scenario",
                Schema::new(crate::scenario::spec::scenario_schema()),
            ),
        ]
    }

    /// Values that break one constraint or another: wrong types, empty and
    /// over-long strings, malformed ids and dates, out-of-range numbers.
    fn replacements() -> Vec<Value> {
        vec![
            Value::Null,
            json!(true),
            json!(0),
            json!(-1),
            json!(1.5),
            json!(366),
            json!(4_294_967_296u64),
            json!(""),
            json!("x"),
            json!("enabled"),
            json!("0000000-0000-0000-0000-000000000000"),
            json!("00000000-0000-0000-0000-00000000000g"),
            json!("2025-1-01"),
            json!("2025-01-01\n"),
            json!("é".repeat(257)),
            json!("x".repeat(3073)),
            json!([]),
            json!(["x"]),
            json!([1]),
            json!({}),
            json!({"bogus": 1}),
        ]
    }

    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    pointers(x, format!("{at}/{}", escape_segment(k)), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    pointers(x, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
        out.push(at);
    }

    /// The interpreter behind [`Schema::surely_valid`] never calls valid what
    /// jsonschema rejects: over every file in the repository against every
    /// schema, and over variants of each file that replace any one node
    /// with a value breaking some constraint, add an unknown key or drop a
    /// key. And it does say "valid" for the starter set, the tenant and
    /// config files (else the fast path would never run).
    #[test]
    fn surely_valid_never_accepts_what_jsonschema_rejects() {
        let schemas = schemas();
        let files = corpus_values();
        assert!(files.len() > 150, "{} files", files.len());
        let mut fast = 0;
        let mut variants = 0;
        for (name, value) in &files {
            for (kind, schema) in &schemas {
                let sure = schema.surely_valid(value);
                let valid = schema.validator().is_valid(value);
                assert!(
                    !sure || valid,
                    "{kind} schema, {name}: surely valid but invalid"
                );
                if !sure {
                    continue;
                }
                fast += 1;
                let mut ps = Vec::new();
                pointers(value, String::new(), &mut ps);
                let mut check = |v: &Value, what: &str| {
                    variants += 1;
                    assert!(
                        !schema.surely_valid(v) || schema.validator().is_valid(v),
                        "{kind} schema, {name}, {what}: surely valid but invalid"
                    );
                };
                for p in &ps {
                    for r in replacements() {
                        let mut v = value.clone();
                        *v.pointer_mut(p).unwrap() = r.clone();
                        check(&v, &format!("{p} = {r}"));
                    }
                    if let Some(Value::Object(m)) = value.pointer(p) {
                        let mut v = value.clone();
                        if let Some(Value::Object(o)) = v.pointer_mut(p) {
                            o.insert("bogusKey".into(), json!("x"));
                        }
                        check(&v, &format!("{p} + bogusKey"));
                        for k in m.keys() {
                            let mut v = value.clone();
                            if let Some(Value::Object(o)) = v.pointer_mut(p) {
                                o.shift_remove(k);
                            }
                            check(&v, &format!("{p} - {k}"));
                        }
                    }
                }
            }
        }
        assert!(variants > 10_000, "{variants} variants");
        assert!(fast > 100, "surely valid only {fast} times");
        // The common case takes the fast path.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for (f, kind) in [("tenant.yaml", 1), (".caac.yaml", 2)] {
            let v = crate::load::load(&root.join(f)).unwrap().value;
            assert!(schemas[kind].1.surely_valid(&v), "{f}");
        }
        for e in std::fs::read_dir(root.join("policies")).unwrap() {
            let v = crate::load::load(&e.unwrap().path()).unwrap().value;
            assert!(schemas[0].1.surely_valid(&v));
        }
    }

    /// A valid file compiles no validator (compiling is half a one-file
    /// lint); an invalid one compiles it and gets jsonschema's diagnostics.
    #[test]
    fn valid_files_compile_no_validator() {
        let schema = Schema::new(policy_schema());
        let (v, _) = crate::load::parse_text("displayName: x\nstate: enabled\n").unwrap();
        assert!(schema.check(&v).is_empty());
        assert!(
            schema.validator.get().is_none(),
            "compiled for a valid file"
        );
        let (bad, _) = crate::load::parse_text("displayName: x\nstate: on\n").unwrap();
        assert_eq!(schema.check(&bad)[0].code, "CA015");
        assert!(schema.validator.get().is_some());
        // A large set: the interpreter stops after a few files and the
        // compiled validator (faster per file) takes over.
        let many = Schema::new(policy_schema());
        for _ in 0..=INTERPRETED_CHECKS {
            assert!(many.check(&v).is_empty());
        }
        assert!(many.validator.get().is_some(), "never compiled");
    }

    /// Compilation is lazy now, so a schema that does not compile would
    /// only panic on the first invalid file: compile each one here.
    #[test]
    fn every_schema_compiles() {
        for (kind, schema) in schemas() {
            let v = schema.validator();
            assert!(!v.is_valid(&json!(null)), "{kind} schema accepts null");
        }
    }

    #[test]
    fn missing_display_name() {
        let d = check("state: enabled\n");
        assert_eq!(d[0].code, "missing-field");
    }
}
