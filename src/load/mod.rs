//! Load: bytes → text → YAML/JSON value + a JSON-pointer → position map
//! (built on first look-up for the files the fast paths read).
//!
//! Contract: [`load`] never panics and never guesses. It decodes (BOM and
//! UTF-16 sniffing, see [`decode`]), parses with serde-saphyr under one hardened
//! set of [`options`] (no anchors or aliases, one document, bounded depth and
//! size, duplicate keys rejected, YAML 1.1 booleans off so the country code `NO`
//! stays a string), and hands the next stage a [`Document`]: the untyped
//! `serde_json::Value` plus a [`SpanMap`] giving the line:column of every key and
//! value. JSON is YAML 1.2 flow syntax, so the same parser reads Graph exports.
//! Every failure is a [`Diagnostic`] with a position.

pub mod decode;
pub mod fast;
pub mod json;

use crate::diag::{Code, Diagnostic, Location};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// Files larger than this are refused before parsing (a CA policy is a few KB;
/// Graph itself caps a policy object far below this).
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting accepted; a Graph policy is about 6 levels deep.
pub const MAX_DEPTH: usize = 64;
/// Most YAML nodes accepted in one file.
pub const MAX_NODES: usize = 250_000;

/// Re-exported: a position is part of a diagnostic, so it lives in [`crate::diag`].
pub use crate::diag::Position;

/// The policies a command reads and how their names resolve, owned: the
/// part every command's options share (`[PATHS]…`, `--tenant`, `--config`,
/// `--break-glass`); the check stages borrow their options from it
/// (`Inputs::options` in `check`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Policy files and directories (`policies` when none given).
    pub paths: Vec<std::path::PathBuf>,
    /// The tenant file, when named.
    pub tenant: Option<std::path::PathBuf>,
    /// The config file, when named.
    pub config: Option<std::path::PathBuf>,
    /// Extra break-glass users or groups (names or ids).
    pub break_glass: Vec<String>,
}

impl Position {
    /// The position just after `prefix` (used to point into decoded text).
    ///
    /// Byte order marks (U+FEFF) left at the start of the text (a file
    /// saved with more than one; the decoder removes only the first) are
    /// not columns: in YAML a byte order mark is an encoding marker before a
    /// document, never content ("A BOM must not appear inside a document",
    /// <https://yaml.org/spec/1.2.2/#52-character-encodings>), the YAML
    /// parser's own line:column for the spans skips them, and
    /// editors draw them with no width, so both ways of placing an offset
    /// agree.
    pub fn at_end_of(prefix: &str) -> Self {
        let line = 1 + line_breaks(prefix);
        let line_start = line_start(prefix, prefix.len());
        let mut on_line = &prefix[line_start..];
        if line_start == 0 {
            on_line = on_line.trim_start_matches('\u{feff}');
        }
        let column = 1 + on_line.chars().count();
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            offset: prefix.len(),
        }
    }

    fn from_saphyr(loc: serde_saphyr::Location, text: &str) -> Self {
        let offset = loc
            .span()
            .byte_offset()
            .and_then(|o| usize::try_from(o).ok())
            .filter(|&o| o <= text.len() && text.is_char_boundary(o));
        // serde-saphyr already counts lines and (character) columns; use them
        // as given. Recounting from the start of the text for every node made
        // large files quadratic.
        match offset {
            Some(o) if loc.line() > 0 && loc.column() > 0 => Position {
                line: u32::try_from(loc.line()).unwrap_or(u32::MAX),
                column: u32::try_from(loc.column()).unwrap_or(u32::MAX),
                offset: o,
            },
            Some(o) => Position::at_end_of(&text[..o]),
            None => Position::from_line_column(text, loc.line(), loc.column()),
        }
    }

    /// The position at a 1-based line and character column of `text`
    /// (clamped to the text), with its byte offset.
    pub fn from_line_column(text: &str, line: u64, column: u64) -> Self {
        let mut offset = 0;
        for (n, l) in lines_inclusive(text).enumerate() {
            if n as u64 + 1 == line.max(1) {
                let body = l.trim_end_matches(['\n', '\r']);
                let col = usize::try_from(column.max(1) - 1).unwrap_or(usize::MAX);
                let within = body.char_indices().nth(col).map_or(body.len(), |(i, _)| i);
                return Position::at_end_of(&text[..offset + within]);
            }
            offset += l.len();
        }
        Position::at_end_of(text)
    }
}

/// YAML's line breaks are `\r\n`, `\n` and a lone `\r` (YAML 1.2 §5.4,
/// <https://yaml.org/spec/1.2.2/#54-line-break-characters>); the parser counts
/// lines that way, so every position and snippet here must too (a fuzz
/// finding: classic-Mac files got `3:31` under a one-line snippet).
/// The number of line breaks in `text`.
pub fn line_breaks(text: &str) -> usize {
    let b = text.as_bytes();
    b.iter()
        .enumerate()
        .filter(|&(i, &c)| c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .count()
}

/// The byte offset where the line holding byte `at` of `text` starts.
pub fn line_start(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[..at]
        .iter()
        .rposition(|&c| c == b'\n' || c == b'\r')
        .map_or(0, |i| i + 1)
}

/// The byte offset where the line holding byte `at` of `text` ends (before
/// its line break, or the end of the text).
pub fn line_end(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    text.as_bytes()[at..]
        .iter()
        .position(|&c| c == b'\n' || c == b'\r')
        .map_or(text.len(), |i| at + i)
}

/// The lines of `text`, each with its line break (`\r\n`, `\n` or `\r`).
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let b = rest.as_bytes();
        let end = match b.iter().position(|&c| c == b'\n' || c == b'\r') {
            Some(i) if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') => i + 2,
            Some(i) => i + 1,
            None => rest.len(),
        };
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// Where a key and its value are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSpan {
    /// The key's position; `None` for array elements and the root.
    pub key: Option<Position>,
    /// The value's position.
    pub value: Position,
    /// Length in bytes of a scalar value as written (0 for collections).
    pub len: usize,
}

/// JSON pointer (RFC 6901, e.g. `/users/exclude/groups/0`) → where it is written.
///
/// Built on the first look-up from the text: a JSON file's by a small
/// tokenizer ([`json`]), a YAML file's by parsing it again with positions
/// ([`parse_yaml_text`]); so the files without a diagnostic (most of them)
/// never build one. Only a file the positioned YAML path had to read (see
/// [`parse_text`]) carries a map built while parsing.
#[derive(Debug, Clone, Default)]
pub struct SpanMap {
    map: std::sync::OnceLock<HashMap<String, NodeSpan>>,
    /// The text to build `map` from on first use.
    source: Option<Lazy>,
}

/// Which way a lazy [`SpanMap`] is built from its text.
#[derive(Debug, Clone)]
enum Lazy {
    Json(std::sync::Arc<str>),
    Yaml(std::sync::Arc<str>),
}

impl SpanMap {
    fn built(map: HashMap<String, NodeSpan>) -> Self {
        SpanMap {
            map: std::sync::OnceLock::from(map),
            source: None,
        }
    }

    fn lazy(source: Lazy) -> Self {
        SpanMap {
            map: std::sync::OnceLock::new(),
            source: Some(source),
        }
    }

    /// Every pointer and its span (builds a lazy map).
    pub fn entries(&self) -> &HashMap<String, NodeSpan> {
        self.map.get_or_init(|| match &self.source {
            Some(Lazy::Json(text)) => json::spans(text),
            // The fast path accepted this text, so the positioned path does
            // too (the module contract of [`fast`]).
            Some(Lazy::Yaml(text)) => parse_yaml_text(text)
                .map(|(_, spans)| spans.map.into_inner().unwrap_or_default())
                .unwrap_or_default(),
            None => HashMap::new(),
        })
    }

    /// The span of exactly this pointer.
    pub fn get(&self, pointer: &str) -> Option<&NodeSpan> {
        self.entries().get(pointer)
    }

    /// The span of this pointer or of its nearest written ancestor
    /// (a missing property points at the object that lacks it).
    pub fn nearest(&self, pointer: &str) -> Option<(&str, &NodeSpan)> {
        let mut p = pointer;
        loop {
            if let Some((k, s)) = self.entries().get_key_value(p) {
                return Some((k.as_str(), s));
            }
            if p.is_empty() {
                return None;
            }
            p = &p[..p.rfind('/').unwrap_or(0)];
        }
    }
}

/// Escapes one JSON pointer segment (`~` → `~0`, `/` → `~1`, RFC 6901 §3,
/// <https://www.rfc-editor.org/rfc/rfc6901#section-3>). Borrows the segment
/// when it has neither (almost every key), so building a pointer allocates
/// once.
pub fn escape_segment(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1").into()
    } else {
        segment.into()
    }
}

/// A parsed input file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The path as given on the command line (used in messages).
    pub path: String,
    /// The decoded text (BOM removed).
    pub text: String,
    /// The parsed value.
    pub value: Value,
    /// Positions of every key and value.
    pub spans: SpanMap,
}

/// A load failure: the diagnostic, and the decoded text when decoding got
/// that far (for the snippet).
pub type LoadError = (Box<Diagnostic>, Option<String>);

/// Reads and parses one file.
pub fn load(path: &Path) -> Result<Document, LoadError> {
    let shown = path.display().to_string();
    let err = |code, message: String| {
        (
            Box::new(Diagnostic::error(code, message).at(Location::Position(Position::start()))),
            None,
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| err("io", format!("cannot read: {e}")))?;
    // A FIFO would block forever and /dev/zero never ends: only regular files.
    if !meta.is_file() {
        return Err(err(
            "io",
            "not a regular file (a device, pipe or directory); caac reads policy files only".into(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(err(
            "file-too-large",
            format!(
                "file is {} bytes; caac reads policy files up to {MAX_FILE_BYTES} bytes",
                meta.len()
            ),
        ));
    }
    // Read at most one byte past the limit, so a file that grows after the
    // size check still cannot exhaust memory.
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).map_err(|e| err("io", format!("cannot read: {e}")))?,
            MAX_FILE_BYTES as u64 + 1,
        ),
        &mut bytes,
    )
    .map_err(|e| err("io", format!("cannot read: {e}")))?;
    parse_bytes(shown, &bytes)
}

/// Parses bytes already in memory; on failure also returns the decoded text
/// (when decoding got that far) so the caller can render a snippet.
pub fn parse_bytes(
    path: String,
    bytes: &[u8],
) -> Result<Document, (Box<Diagnostic>, Option<String>)> {
    if bytes.len() > MAX_FILE_BYTES {
        let d = Diagnostic::error(
            Code::FileTooLarge,
            format!(
                "file is {} bytes; caac reads policy files up to {MAX_FILE_BYTES} bytes",
                bytes.len()
            ),
        )
        .at(Location::Position(Position::start()));
        return Err((Box::new(d), None));
    }
    let text = decode::decode(bytes).map_err(|e| {
        (
            Box::new(
                Diagnostic::error(Code::Encoding, e.message).at(Location::Position(e.position)),
            ),
            Some(e.text),
        )
    })?;
    match parse_text(&text) {
        Ok((value, spans)) => Ok(Document {
            path,
            text,
            value,
            spans,
        }),
        Err(d) => Err((d, Some(text))),
    }
}

/// The one set of parser options: every call site goes through here.
pub fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_anchors: 0,
            max_aliases: 0,
            max_documents: 1,
            max_depth: MAX_DEPTH,
            max_nodes: MAX_NODES,
            flow_nesting_limit: MAX_DEPTH,
        },
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        // YAML 1.1 traps: `NO` (Norway), `on`, `yes` stay strings; `0123` stays a string.
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        reject_unsupported_tags: true,
        // `!!binary` would silently decode base64 into a value the reviewer
        // never saw; keep the text as written instead.
        ignore_binary_tag_for_string: true,
        with_snippet: false,
    }
}

/// Parses decoded text into a value and its span map: JSON the fast path
/// takes ([`json::parse`], Graph exports) through `serde_json`, other text
/// the YAML parser accepts through it without positions ([`fast::parse`]),
/// both with a lazy span map; everything else (every error) through the
/// positioned YAML parser ([`parse_yaml_text`]). All give the same value,
/// positions and errors.
pub fn parse_text(text: &str) -> Result<(Value, SpanMap), Box<Diagnostic>> {
    if let Some(value) = json::parse(text) {
        return Ok((value, SpanMap::lazy(Lazy::Json(text.into()))));
    }
    if !text.trim().is_empty()
        && let Some(value) = fast::parse(text)
    {
        return Ok((value, SpanMap::lazy(Lazy::Yaml(text.into()))));
    }
    parse_yaml_text(text)
}

/// Parses decoded text with the YAML parser only (the path every input took
/// before the JSON fast path; kept public so tests can compare the two).
pub fn parse_yaml_text(text: &str) -> Result<(Value, SpanMap), Box<Diagnostic>> {
    if text.trim().is_empty() {
        return Err(Box::new(
            Diagnostic::error(
                Code::EmptyFile,
                "the file is empty; expected a policy mapping".into(),
            )
            .at(Location::Position(Position::start())),
        ));
    }
    let root: Spanned<Node> = serde_saphyr::from_str_with_options(text, options())
        .map_err(|e| Box::new(syntax_error(&e, text)))?;
    if matches!(root.value, Node::Null) {
        return Err(Box::new(
            Diagnostic::error(
                Code::EmptyFile,
                "the file has no content (only comments or `null`); expected a policy mapping"
                    .into(),
            )
            .at(Location::Position(Position::start())),
        ));
    }
    let mut spans = HashMap::new();
    let mut pointer = String::new();
    let value = to_value(root, None, &mut pointer, &mut spans, text)?;
    Ok((value, SpanMap::built(spans)))
}

fn syntax_error(e: &serde_saphyr::Error, text: &str) -> Diagnostic {
    let mut position = e
        .location()
        .map_or_else(Position::start, |l| Position::from_saphyr(l, text));
    // serde-saphyr places anchor errors on the anchored value; point at the
    // `&name` the user has to remove.
    // Likewise a tab error is reported after the tab; point at the tab.
    let raw_lower = e.to_string().to_ascii_lowercase();
    let marker = if raw_lower.contains("anchor") {
        Some('&')
    } else if raw_lower.contains("tab") {
        Some('\t')
    } else {
        None
    };
    if let Some(marker) = marker {
        let end = position.offset.min(text.len());
        let line_start = line_start(text, end);
        let search_end = if marker == '\t' {
            (end + 1).min(text.len())
        } else {
            end
        };
        if let Some(at) = text
            .get(line_start..search_end)
            .and_then(|l| l.find(marker).or_else(|| l.rfind(marker)))
        {
            position = Position::at_end_of(&text[..line_start + at]);
        }
    }
    let raw = e.to_string();
    // serde-saphyr appends "at line X column Y"; the position is shown by the report stage.
    let message = raw
        .lines()
        .next()
        .unwrap_or("invalid YAML")
        .split(" at line ")
        .next()
        .unwrap_or("invalid YAML")
        .trim()
        .to_owned();
    let lower = message.to_ascii_lowercase();
    let (code, message, help) = if let Some(key) = message.strip_prefix("duplicate mapping key: ") {
        let key = key.split(", set DuplicateKeyPolicy").next().unwrap_or(key);
        (
            Code::DuplicateKey,
            format!("duplicate key `{key}`"),
            Some("each key may appear once per mapping; remove or merge the repeated key"),
        )
    } else if lower.contains("duplicate") {
        (
            Code::DuplicateKey,
            message,
            Some("each key may appear once per mapping; remove or merge the repeated key"),
        )
    } else if lower.contains("budget") || lower.contains("recursion limit") {
        let what = if lower.contains("anchor") || lower.contains("alias") {
            "YAML anchors (`&name`) and aliases (`*name`) are not allowed".to_owned()
        } else if lower.contains("depth")
            || lower.contains("nesting")
            || lower.contains("recursion")
        {
            format!("nesting is deeper than {MAX_DEPTH} levels")
        } else if lower.contains("document") {
            "more than one YAML document (`---`) in one file".to_owned()
        } else if lower.contains("node") {
            format!("more than {MAX_NODES} YAML nodes in one file")
        } else {
            message
        };
        (
            Code::YamlLimit,
            what,
            Some(
                "caac refuses anchors/aliases, multiple documents and deep nesting so a hostile file cannot exhaust memory; write the value out in full",
            ),
        )
    } else {
        (Code::YamlSyntax, message, None)
    };
    let mut d = Diagnostic::error(code, message).at(Location::Position(position));
    if let Some(h) = help {
        d = d.with_help(h);
    }
    d
}

fn to_value(
    node: Spanned<Node>,
    key: Option<Position>,
    pointer: &mut String,
    spans: &mut HashMap<String, NodeSpan>,
    text: &str,
) -> Result<Value, Box<Diagnostic>> {
    let pos = Position::from_saphyr(node.referenced, text);
    let len = node
        .referenced
        .span()
        .byte_len()
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(0);
    let scalar_len = if matches!(node.value, Node::Seq(_) | Node::Map(_)) {
        0
    } else {
        len
    };
    spans.insert(
        pointer.clone(),
        NodeSpan {
            key,
            value: pos,
            len: scalar_len,
        },
    );
    Ok(match node.value {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Int(i) => Value::from(i),
        Node::UInt(u) => Value::from(u),
        Node::Float(f) => match serde_json::Number::from_f64(f) {
            Some(n) => Value::Number(n),
            None => {
                return Err(Box::new(
                    Diagnostic::error(Code::YamlSyntax, format!("number `{f}` is not finite"))
                        .at(Location::Position(pos)),
                ));
            }
        },
        Node::Str(s) => Value::String(s),
        Node::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let len_before = pointer.len();
                pointer.push('/');
                pointer.push_str(&i.to_string());
                out.push(to_value(item, None, pointer, spans, text)?);
                pointer.truncate(len_before);
            }
            Value::Array(out)
        }
        Node::Map(entries) => {
            let mut out = serde_json::Map::with_capacity(entries.len());
            for (k, v) in entries {
                let key_pos = Position::from_saphyr(k.referenced, text);
                if out.contains_key(&k.value) {
                    return Err(Box::new(
                        Diagnostic::error(Code::DuplicateKey, format!("duplicate key `{}`", k.value))
                            .at(Location::Position(key_pos))
                            .with_help("each key may appear once per mapping; remove or merge the repeated key"),
                    ));
                }
                let len_before = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_segment(&k.value));
                let value = to_value(v, Some(key_pos), pointer, spans, text)?;
                pointer.truncate(len_before);
                out.insert(k.value, value);
            }
            Value::Object(out)
        }
    })
}

/// An untyped YAML node with a position on every child; only used to build
/// the [`Value`] and [`SpanMap`] from one parse.
enum Node {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Node>>),
    Map(Vec<(Spanned<String>, Spanned<Node>)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::UInt(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        Err(E::custom(format!("integer {v} is out of range")))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        Err(E::custom(format!("integer {v} is out of range")))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(k) = map.next_key::<Spanned<Key>>()? {
            let v = map.next_value::<Spanned<Node>>()?;
            entries.push((Spanned::new(k.value.0, k.referenced, k.defined), v));
        }
        Ok(Node::Map(entries))
    }
}

/// A mapping key: any scalar, as text (`1:` is the key "1"); null and
/// collections are refused with a message a policy author understands.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
                Ok(Key(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
                Err(E::custom("a mapping key must be text, not null (`~`)"))
            }
            fn visit_none<E: de::Error>(self) -> Result<Key, E> {
                Err(E::custom("a mapping key must be text, not null (`~`)"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Key, A::Error> {
                Err(de::Error::custom("a mapping key must be text, not a list"))
            }
            fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Key, A::Error> {
                Err(de::Error::custom(
                    "a mapping key must be text, not a mapping",
                ))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn line_breaks_are_yamls_three() {
        let text = "a\r\nb\rc\nd";
        assert_eq!(line_breaks(text), 3);
        assert_eq!(
            lines_inclusive(text).collect::<Vec<_>>(),
            ["a\r\n", "b\r", "c\n", "d"]
        );
        assert_eq!(line_start(text, 4), 3, "after `\\r\\n`");
        assert_eq!(line_start(text, 5), 5, "after a lone `\\r`");
        assert_eq!(line_end(text, 0), 1);
        assert_eq!(line_end(text, 3), 4);
        let p = Position::at_end_of("a\r\nb\rc");
        assert_eq!((p.line, p.column, p.offset), (3, 2, 6));
        let q = Position::from_line_column(text, 3, 1);
        assert_eq!((q.line, q.column, q.offset), (3, 1, 5));
    }
    use super::*;

    fn parse(s: &str) -> Result<(Value, SpanMap), Box<Diagnostic>> {
        parse_text(s)
    }

    fn at(d: &Diagnostic) -> (u32, u32) {
        match &d.location {
            Location::Position(p) => (p.line, p.column),
            other => panic!("unexpected location {other:?}"),
        }
    }

    #[test]
    fn spans_for_keys_and_values() {
        let (v, spans) = parse("a:\n  b:\n    - x\n    - 'y'\n").unwrap();
        assert_eq!(v, serde_json::json!({"a": {"b": ["x", "y"]}}));
        let s = spans.get("/a/b/1").unwrap();
        assert_eq!((s.value.line, s.value.column), (4, 7));
        let s = spans.get("/a/b").unwrap();
        assert_eq!(s.key.map(|k| (k.line, k.column)), Some((2, 3)));
    }

    #[test]
    fn norway_stays_a_string() {
        let (v, _) = parse("countries: [NO, SE]\nflag: yes\nzip: 0123\n").unwrap();
        assert_eq!(v["countries"][0], "NO");
        assert_eq!(v["flag"], "yes");
        assert_eq!(v["zip"], "0123");
    }

    #[test]
    fn json_parses_with_positions() {
        let (v, spans) = parse("{\r\n\t\"a\": [1, \"b\"]\r\n}").unwrap();
        assert_eq!(v["a"][1], "b");
        assert_eq!(spans.get("/a/1").unwrap().value.line, 2);
    }

    #[test]
    fn duplicate_keys_rejected_at_second_key() {
        let d = parse("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(d.code, "duplicate-key");
        assert_eq!(at(&d).0, 3);
    }

    #[test]
    fn anchors_aliases_and_documents_refused() {
        let d = parse("a: &x 1\nb: *x\n").unwrap_err();
        assert_eq!(d.code, "yaml-limit", "{d:?}");
        let d = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(matches!(d.code, "yaml-limit" | "yaml-syntax"), "{d:?}");
        assert_eq!(at(&d).0, 2);
    }

    #[test]
    fn deep_nesting_refused() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let d = parse(&deep).unwrap_err();
        assert_eq!(d.code, "yaml-limit", "{d:?}");
    }

    #[test]
    fn syntax_error_positioned() {
        let d = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(d.code, "yaml-syntax");
        assert!(at(&d).0 >= 1);
    }

    #[test]
    fn pointer_escaping_and_nearest() {
        let (_, spans) = parse("\"a/b\": {c~d: 1}\n").unwrap();
        assert!(spans.get("/a~1b/c~0d").is_some());
        assert_eq!(spans.nearest("/a~1b/missing").unwrap().0, "/a~1b");
    }
}
