//! The JSON fast path: Graph exports (the JSON representation of
//! `conditionalAccessPolicy`,
//! <https://learn.microsoft.com/en-us/graph/api/resources/conditionalAccessPolicy>)
//! parsed by `serde_json` instead of the YAML parser, with positions recorded
//! lazily by a small tokenizer ([`spans`]) only when a diagnostic asks for one.
//!
//! Contract: [`parse`] returns `Some(value)` only for text on which the YAML
//! path ([`super::parse_yaml_text`]) gives the same value and, through
//! [`spans`], the same span map; for everything else it returns `None` and the
//! caller takes the YAML path, so every error message, limit and position
//! stays the YAML path's. JSON (RFC 8259, <https://www.rfc-editor.org/rfc/rfc8259>)
//! is YAML 1.2 flow syntax (<https://yaml.org/spec/1.2.2/#chapter-7-flow-style-productions>),
//! but a few corners differ or are parser-specific; those are refused here
//! rather than re-implemented: tabs, numbers other than short integers, `-0`,
//! duplicate keys, `\u` escapes of surrogates or control characters, raw
//! characters YAML does not print (C1 controls, U+FEFF, U+FFFE/F) or might
//! read as line breaks (U+0085, U+2028, U+2029), a key longer than YAML's
//! 1,024-character implicit-key limit or not on the line of its `:`, and
//! nesting or node counts near the YAML path's limits. The test
//! `json_path_matches_yaml_path` compares both paths over every JSON fixture
//! (and the shared corpus of real exports when `CAAC_CORPUS` is set).

use super::{NodeSpan, Position, escape_segment};
use serde_json::Value;
use std::collections::HashMap;

/// Deepest nesting the fast path takes (a policy is about 6 deep; the YAML
/// path's own limit, [`super::MAX_DEPTH`], is reported by the YAML path).
const FAST_DEPTH: usize = 32;
/// Most nodes (keys + values) the fast path takes; well below
/// [`super::MAX_NODES`] whatever way the YAML parser counts them.
const FAST_NODES: usize = super::MAX_NODES / 4;
/// Longest key (bytes with its quotes) the fast path takes: YAML limits an
/// implicit key to 1,024 characters (<https://yaml.org/spec/1.2.2/#rule-ns-s-implicit-yaml-key>).
const FAST_KEY_BYTES: usize = 1000;

/// The value of `text` when it is JSON the fast path takes (see the module
/// contract), else `None`.
pub fn parse(text: &str) -> Option<Value> {
    let first = text
        .as_bytes()
        .iter()
        .find(|b| !matches!(b, b' ' | b'\n' | b'\r'))?;
    if !matches!(first, b'{' | b'[') {
        return None;
    }
    let mut scan = Scanner::new(text, false);
    scan.document()?;
    let members = scan.members;
    let value: Value = serde_json::from_str(text).ok()?;
    // serde_json keeps the last of two equal keys; the YAML path refuses
    // them. Fewer members in the value than in the text means a duplicate.
    (count_members(&value) == members).then_some(value)
}

/// The span map of text [`parse`] accepted: the position of every key and
/// value, exactly as the YAML path records them (a value at its first byte,
/// a key at its opening quote, `len` the bytes of a scalar as written with
/// its quotes, 0 for collections).
pub fn spans(text: &str) -> HashMap<String, NodeSpan> {
    let mut scan = Scanner::new(text, true);
    // `parse` accepted this text, so the scan succeeds; a text it did not
    // accept gets the spans recorded up to the first refusal.
    let _ = scan.document();
    scan.map
}

fn count_members(v: &Value) -> usize {
    match v {
        Value::Object(m) => m.len() + m.values().map(count_members).sum::<usize>(),
        Value::Array(a) => a.iter().map(count_members).sum(),
        _ => 0,
    }
}

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    at: usize,
    /// 1-based line of `at`, and the byte where that line starts.
    line: u32,
    line_start: usize,
    /// A byte on the current line and its 1-based character column, so
    /// columns are counted once per line (minified exports are one line).
    col_at: usize,
    col: u32,
    depth: usize,
    nodes: usize,
    members: usize,
    record: bool,
    pointer: String,
    map: HashMap<String, NodeSpan>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, record: bool) -> Self {
        Scanner {
            text,
            b: text.as_bytes(),
            at: 0,
            line: 1,
            line_start: 0,
            col_at: 0,
            col: 1,
            depth: 0,
            nodes: 0,
            members: 0,
            record,
            pointer: String::new(),
            map: HashMap::new(),
        }
    }

    fn position(&mut self) -> Position {
        if self.col_at < self.line_start {
            self.col_at = self.line_start;
            self.col = 1;
        }
        let chars = self.b[self.col_at..self.at]
            .iter()
            .filter(|&&c| c & 0xC0 != 0x80)
            .count();
        self.col = self
            .col
            .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
        self.col_at = self.at;
        Position {
            line: self.line,
            column: self.col,
            offset: self.at,
        }
    }

    /// Skips JSON whitespace, counting YAML's line breaks (`\r\n`, `\n`, a
    /// lone `\r`); `None` on a tab (see the module contract).
    fn ws(&mut self) -> Option<()> {
        while let Some(&c) = self.b.get(self.at) {
            match c {
                b' ' => self.at += 1,
                b'\n' => {
                    self.at += 1;
                    self.newline();
                }
                b'\r' => {
                    self.at += 1;
                    if self.b.get(self.at) == Some(&b'\n') {
                        self.at += 1;
                    }
                    self.newline();
                }
                _ => break,
            }
        }
        Some(())
    }

    fn newline(&mut self) {
        self.line = self.line.saturating_add(1);
        self.line_start = self.at;
    }

    fn document(&mut self) -> Option<()> {
        self.ws()?;
        self.value(None)?;
        self.ws()?;
        (self.at == self.b.len()).then_some(())
    }

    fn value(&mut self, key: Option<Position>) -> Option<()> {
        self.nodes += 1;
        if self.nodes > FAST_NODES {
            return None;
        }
        let start = self.at;
        let pos = self.record.then(|| self.position());
        let c = *self.b.get(self.at)?;
        let scalar = !matches!(c, b'{' | b'[');
        if let Some(value) = pos {
            // Recorded before the children, as the YAML path does; the
            // length of a scalar is filled in below.
            self.map
                .insert(self.pointer.clone(), NodeSpan { key, value, len: 0 });
        }
        match c {
            b'{' => self.object()?,
            b'[' => self.array()?,
            b'"' => {
                self.string()?;
            }
            b't' => self.literal(b"true")?,
            b'f' => self.literal(b"false")?,
            b'n' => self.literal(b"null")?,
            b'-' | b'0'..=b'9' => self.integer()?,
            _ => return None,
        }
        if scalar
            && self.record
            && let Some(s) = self.map.get_mut(&self.pointer)
        {
            s.len = self.at - start;
        }
        Some(())
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        self.at += 1;
        (self.depth <= FAST_DEPTH).then_some(())
    }

    fn object(&mut self) -> Option<()> {
        self.enter()?;
        self.ws()?;
        if self.b.get(self.at) == Some(&b'}') {
            self.at += 1;
            self.depth -= 1;
            return Some(());
        }
        loop {
            if self.b.get(self.at) != Some(&b'"') {
                return None;
            }
            let key_start = self.at;
            let key_pos = self.record.then(|| self.position());
            let escaped = self.string()?;
            let key_end = self.at;
            if key_end - key_start > FAST_KEY_BYTES {
                return None;
            }
            self.nodes += 1;
            self.members += 1;
            // YAML wants an implicit key on the line of its `:`.
            while self.b.get(self.at) == Some(&b' ') {
                self.at += 1;
            }
            if self.b.get(self.at) != Some(&b':') {
                return None;
            }
            self.at += 1;
            self.ws()?;
            let len_before = self.pointer.len();
            if self.record {
                let raw = &self.text[key_start..key_end];
                let key = if escaped {
                    serde_json::from_str::<String>(raw).ok()?
                } else {
                    raw[1..raw.len() - 1].to_owned()
                };
                self.pointer.push('/');
                self.pointer.push_str(&escape_segment(&key));
            }
            self.value(key_pos)?;
            self.pointer.truncate(len_before);
            self.ws()?;
            match self.b.get(self.at)? {
                b',' => {
                    self.at += 1;
                    self.ws()?;
                }
                b'}' => {
                    self.at += 1;
                    self.depth -= 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self) -> Option<()> {
        self.enter()?;
        self.ws()?;
        if self.b.get(self.at) == Some(&b']') {
            self.at += 1;
            self.depth -= 1;
            return Some(());
        }
        let mut i = 0usize;
        loop {
            let len_before = self.pointer.len();
            if self.record {
                self.pointer.push('/');
                self.pointer.push_str(&i.to_string());
            }
            self.value(None)?;
            self.pointer.truncate(len_before);
            i += 1;
            self.ws()?;
            match self.b.get(self.at)? {
                b',' => {
                    self.at += 1;
                    self.ws()?;
                }
                b']' => {
                    self.at += 1;
                    self.depth -= 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// A string at its opening quote; `Some(true)` when it has escapes.
    fn string(&mut self) -> Option<bool> {
        self.at += 1;
        let mut escaped = false;
        loop {
            let c = *self.b.get(self.at)?;
            match c {
                b'"' => {
                    self.at += 1;
                    return Some(escaped);
                }
                b'\\' => {
                    escaped = true;
                    let e = *self.b.get(self.at + 1)?;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 2,
                        b'u' => {
                            let hex = self.text.get(self.at + 2..self.at + 6)?;
                            let code = u32::from_str_radix(hex, 16).ok()?;
                            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) || !printable(code) {
                                return None;
                            }
                            self.at += 6;
                        }
                        _ => return None,
                    }
                }
                0..=0x1F => return None,
                0x80.. => {
                    let ch = self.text.get(self.at..)?.chars().next()?;
                    if !printable(u32::from(ch)) {
                        return None;
                    }
                    self.at += ch.len_utf8();
                }
                _ => self.at += 1,
            }
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        if self.b.get(self.at..self.at + word.len())? != word {
            return None;
        }
        self.at += word.len();
        self.delimited()
    }

    /// `-?(0|[1-9][0-9]*)`, at most 18 digits (always an `i64`), not `-0`.
    fn integer(&mut self) -> Option<()> {
        let negative = self.b[self.at] == b'-';
        if negative {
            self.at += 1;
        }
        let digits = self.b[self.at..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits == 0 || digits > 18 || (digits > 1 && self.b[self.at] == b'0') {
            return None;
        }
        if negative && digits == 1 && self.b[self.at] == b'0' {
            return None;
        }
        self.at += digits;
        self.delimited()
    }

    /// A scalar must end where JSON ends one (a fraction or exponent is
    /// refused, see the module contract).
    fn delimited(&self) -> Option<()> {
        match self.b.get(self.at) {
            None | Some(b',' | b']' | b'}' | b' ' | b'\n' | b'\r') => Some(()),
            _ => None,
        }
    }
}

/// Characters the fast path takes inside a string: YAML's printable set
/// (<https://yaml.org/spec/1.2.2/#51-character-set>) without the ones a
/// YAML parser may treat specially (NEL, LS, PS, BOM) and without control
/// characters even when escaped.
fn printable(c: u32) -> bool {
    !matches!(c, 0..=0x1F | 0x7F..=0x9F | 0xD800..=0xDFFF | 0xFEFF | 0xFFFE | 0xFFFF | 0x2028 | 0x2029)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both paths on one text: the same value, key order and span map when
    /// the fast path takes it.
    fn same(text: &str) -> bool {
        let fast = parse(text);
        let (ov, os) = match super::super::parse_yaml_text(text) {
            Ok(x) => x,
            Err(_) => {
                assert!(fast.is_none(), "fast path took what YAML refuses: {text:?}");
                return false;
            }
        };
        let Some(nv) = fast else { return false };
        assert_eq!(nv, ov, "{text:?}");
        assert_eq!(nv.to_string(), ov.to_string(), "{text:?}");
        assert_eq!(&spans(text), os.entries(), "{text:?}");
        true
    }

    #[test]
    fn positions_match_the_yaml_path() {
        for t in [
            "{}",
            "[]",
            " \r\n{\"a\": 1}\n",
            "{\"a\" :  [1, \"b\\\"é\", true, null, {\"c\": \"dé\"}, [], {}, -5],\r\n \"é\": \"x\"\r  }",
            "{\"a/b\": {\"c~d\": \"x\"}, \"e\\u00e9\\n\": [\"\\/\", \"\\t\"]}",
            "[{\"displayName\": \"日本語 👍\", \"x\": [\n  0,\n  123456789012345678\n]}]",
            "{\"\": \"\", \"k\": \"\\\\\"}",
        ] {
            assert!(same(t), "fast path refused {t:?}");
        }
    }

    #[test]
    fn corners_go_to_the_yaml_path() {
        for t in [
            "{\"a\":\t1}",
            "{\"a\": 1.5}",
            "{\"a\": 1e3}",
            "{\"a\": -0}",
            "{\"a\": 1234567890123456789012}",
            "{\"a\": 1, \"a\": 2}",
            "{\"a\": \"\\ud83d\\ude00\"}",
            "{\"a\": \"\\u0001\"}",
            "{\"a\": \"\u{85}\"}",
            "{\"a\": \"\u{2028}\"}",
            "{\"a\"\n: 1}",
            "{\"a\": 1} # comment",
            "{a: 1}",
            "\"text\"",
            "null",
            "{\"a\": [1, 2,]}",
        ] {
            assert!(parse(t).is_none(), "fast path took {t:?}");
            same(t);
        }
        let deep = "[".repeat(40) + &"]".repeat(40);
        assert!(parse(&deep).is_none());
        let long = format!("{{\"{}\": 1}}", "k".repeat(1100));
        assert!(parse(&long).is_none());
    }

    #[test]
    fn lazy_span_map_is_built_on_first_use() {
        let (_, s) = super::super::parse_text("{\n  \"a\": [\"x\"]\n}").unwrap();
        let a = s.get("/a/0").unwrap();
        assert_eq!((a.value.line, a.value.column, a.len), (2, 9, 3));
        assert_eq!(s.nearest("/a/7").unwrap().0, "/a/0".trim_end_matches("/0"));
    }
}
