//! The YAML fast path: a spec parsed by serde-saphyr straight into a
//! `serde_json::Value`, with no positions recorded. Positions are recorded
//! only when a diagnostic asks for one: the span map of a file this path
//! read is built on its first look-up by re-parsing the text with
//! positions ([`super::parse_yaml_text`]). Most files have no diagnostic, so
//! most files are parsed once, without a second tree.
//!
//! Contract: [`parse`] returns `Some(value)` only when the positioned YAML
//! path would return `Ok` with the same value; for everything else (a syntax
//! error, a limit, an empty document, a key two spellings of which collide,
//! a number that is not finite or does not fit) it returns `None` and the
//! caller takes the positioned path, so every error message and position is
//! that path's. Both paths use the same parser, the same options
//! ([`super::options`]) and visitors with the same methods: a key is any
//! scalar written as text (`1:` is the key "1"), a value is what
//! [`super::parse_yaml_text`] builds. The test `yaml_fast_path_matches_yaml_path`
//! compares the two over every YAML and JSON file in the repository and the
//! shared corpus.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// The value of `text` when the positioned YAML path would accept it (see
/// the module contract), else `None`.
pub fn parse(text: &str) -> Option<Value> {
    let v: Fast = serde_saphyr::from_str_with_options(text, super::options()).ok()?;
    // A null document is the positioned path's `empty-file` error.
    (!v.0.is_null()).then_some(v.0)
}

struct Fast(Value);

impl<'de> Deserialize<'de> for Fast {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FastVisitor).map(Fast)
    }
}

/// The same methods as the positioned path's `NodeVisitor`: whatever it
/// refuses is refused here too (and then reported by it).
struct FastVisitor;

impl<'de> Visitor<'de> for FastVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Err(E::custom(format!("integer {v} is out of range")))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Err(E::custom(format!("integer {v} is out of range")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // Not finite: the positioned path reports it with a position.
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Fast::deserialize(d).map(|f| f.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Fast>()? {
            items.push(item.0);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(k) = map.next_key::<super::Key>()? {
            let v = map.next_value::<Fast>()?;
            // Two spellings of one key (`1:` and `"1":`): the positioned
            // path reports the duplicate at the second key.
            if out.insert(k.0, v.0).is_some() {
                return Err(de::Error::custom("duplicate key"));
            }
        }
        Ok(Value::Object(out))
    }
}
