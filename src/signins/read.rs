//! Streaming sign-in log reader: dialect detection and per-record parsing.
//!
//! Contract: [`read`] opens one file and pushes every record it finds to a
//! sink as it is parsed, so memory holds one record (plus the reader's
//! buffers), never the whole file. Dialects, detected from the content, not
//! the file name:
//!
//! - gzip (magic `1f 8b`) of any of the below, decoded on the fly (`flate2`,
//!   multi-member);
//! - a JSON array of records (Log Analytics / Sentinel "Export to JSON",
//!   the admin center's JSON download);
//! - JSON objects, one after the other: Graph `GET /auditLogs/signIns`
//!   pages (`{"@odata.context": …, "value": […], "@odata.nextLink": …}`,
//!   v1.0 and beta; everything but `value` is ignored), or records;
//! - NDJSON: one record (or one page) per line — chosen when the first line
//!   is a complete JSON object; a malformed line is skipped, not fatal;
//! - CSV with a header row (Log Analytics / Sentinel "Export to CSV",
//!   PascalCase columns, nested fields as JSON strings), read with the `csv`
//!   crate; or the Entra admin center's CSV download, recognised by its
//!   header and turned into Graph fields row by row
//!   ([`super::admin_center`]).
//!
//! A record carries only the fields [`super::Record::from_fields`] reads
//! ([`Keep::Known`]; [`read_from_keeping`] with [`Keep::All`] keeps every
//! field): the others are parsed and checked exactly as before, not built.
//!
//! Throughput (BENCHMARKS.md, "Sign-in reader throughput"): a line (an
//! NDJSON record or a Graph page saved on one line, at most [`MAX_LINE`]
//! bytes) is read into one reused buffer (line breaks found with `memchr`),
//! its UTF-8 checked once, whole, and parsed from that `str` with
//! `serde_json`, which then does not check each string again; a page's
//! records are collected into one list reused from page to page. A value
//! spread over several lines (a pretty-printed page, a JSON array) is parsed
//! while it streams, never buffered whole. CSV rows are read by the `csv`
//! crate, which counts lines itself. The reference path ([`Keep::All`])
//! parses every line from bytes as the reader always did; the differential
//! tests (`tests/cli/signins_reader.rs`) compare the two.
//!
//! A problem with one record (malformed NDJSON line, CSV row with the wrong
//! number of fields, invalid UTF-8, a line over [`MAX_LINE`] bytes, a JSON
//! value that is not an object) is reported with its line and the record is
//! skipped ([`Event::Skipped`]). A problem that stops the stream (truncated
//! gzip, a JSON syntax error inside an array or page, unreadable file) is a
//! [`FileError`] with the position reached; records already pushed stay
//! pushed. Never panics.

use serde::Deserialize;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

/// The longest NDJSON line read; longer lines are skipped (counted).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// The room a record's map is made with (see `RecordVisitor`).
const RECORD_CAPACITY: usize = 32;

/// The detected file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// A JSON array of records.
    JsonArray,
    /// Graph pages or records as consecutive JSON objects.
    JsonObjects,
    /// One JSON object per line.
    Ndjson,
    /// CSV with a header row.
    Csv,
    /// Nothing but whitespace.
    Empty,
}

impl Dialect {
    /// Lower-case name for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::JsonArray => "JSON array",
            Dialect::JsonObjects => "JSON (Graph pages)",
            Dialect::Ndjson => "NDJSON",
            Dialect::Csv => "CSV",
            Dialect::Empty => "empty",
        }
    }
}

/// What the reader found.
#[derive(Debug)]
pub enum Event {
    /// One record as a JSON object (CSV rows become objects keyed by column;
    /// nested fields stay strings, [`super::Record::from_fields`] decodes them).
    Record {
        /// 1-based line where the record starts.
        line: u64,
        /// The fields.
        fields: Map<String, Value>,
    },
    /// A record that could not be read.
    Skipped {
        /// 1-based line.
        line: u64,
        /// Short category for the counts (`malformed JSON`, `invalid UTF-8`, …).
        kind: &'static str,
        /// The detail.
        message: String,
    },
}

/// A problem that stops reading a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// 1-based line reached, when known.
    pub line: Option<u64>,
    /// 1-based column reached, when known.
    pub column: Option<u64>,
    /// What went wrong.
    pub message: String,
}

impl FileError {
    fn at(pos: &Pos, message: String) -> FileError {
        FileError {
            line: Some(pos.line.get()),
            column: Some(pos.column.get()),
            message,
        }
    }
}

/// Which fields of a record [`Event::Record`] carries.
///
/// Only what [`super::Record::from_fields`] reads ([`super::FIELDS`], and in
/// nested objects [`super::NESTED_FIELDS`]) is built into values: every other
/// field is still parsed and checked exactly as before (syntax, UTF-8,
/// numbers, nesting depth: the same records are skipped with the same
/// messages) but not kept, so a record costs a few small allocations
/// instead of a map of everything the export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The fields `Record::from_fields` reads (what [`read`] does).
    Known,
    /// Every field, as the reader kept them before the fast path (for
    /// tests comparing the two, and for callers that need other fields).
    All,
}

impl Keep {
    fn field(self, name: &str) -> bool {
        self == Keep::All || super::field_name(name).is_some()
    }
}

/// Reads `path`, pushing every record or skipped record to `sink`.
pub fn read(path: &Path, sink: &mut dyn FnMut(Event)) -> Result<Dialect, FileError> {
    let file = std::fs::File::open(path).map_err(|e| FileError {
        line: None,
        column: None,
        message: format!("cannot read: {e}"),
    })?;
    read_from(file, sink)
}

/// [`read`] over any reader (tests, stdin).
pub fn read_from<R: Read>(reader: R, sink: &mut dyn FnMut(Event)) -> Result<Dialect, FileError> {
    read_from_keeping(reader, Keep::Known, sink)
}

/// [`read_from`], choosing which fields records carry.
pub fn read_from_keeping<R: Read>(
    reader: R,
    keep: Keep,
    sink: &mut dyn FnMut(Event),
) -> Result<Dialect, FileError> {
    let mut raw = BufReader::with_capacity(64 * 1024, reader);
    let gzip = {
        let head = raw.fill_buf().map_err(|e| io_error(None, &e))?;
        head.starts_with(&[0x1f, 0x8b])
    };
    if gzip {
        let decoded =
            BufReader::with_capacity(64 * 1024, flate2::bufread::MultiGzDecoder::new(raw));
        detect(decoded, keep, sink)
    } else {
        detect(raw, keep, sink)
    }
}

fn io_error(pos: Option<&Pos>, e: &io::Error) -> FileError {
    let what = if e.kind() == io::ErrorKind::UnexpectedEof {
        format!("the file ends early (truncated?): {e}")
    } else if e.kind() == io::ErrorKind::InvalidInput || e.kind() == io::ErrorKind::InvalidData {
        format!("corrupt data: {e}")
    } else {
        format!("cannot read: {e}")
    };
    FileError {
        line: pos.map(|p| p.line.get()),
        column: pos.map(|p| p.column.get()),
        message: what,
    }
}

/// Line and column of the next byte to be consumed (1-based).
#[derive(Debug, Clone)]
struct Pos {
    line: Rc<Cell<u64>>,
    column: Rc<Cell<u64>>,
}

impl Pos {
    fn new() -> Pos {
        Pos {
            line: Rc::new(Cell::new(1)),
            column: Rc::new(Cell::new(1)),
        }
    }

    fn advance(&self, bytes: &[u8]) {
        // Whole chunks at a time: count the line breaks, and the column is
        // what follows the last one.
        match memchr::memrchr(b'\n', bytes) {
            None => self.column.set(self.column.get() + bytes.len() as u64),
            Some(last) => {
                let breaks = memchr::memchr_iter(b'\n', &bytes[..=last]).count() as u64;
                self.line.set(self.line.get() + breaks);
                self.column.set((bytes.len() - last) as u64);
            }
        }
    }
}

/// A reader that tracks the position of what it hands out.
struct Counting<R> {
    inner: R,
    pos: Pos,
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos.advance(&buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            let n = amt.min(buf.len());
            self.pos.advance(&buf[..n]);
        }
        self.inner.consume(amt);
    }
}

/// Skips whitespace and a UTF-8 byte order mark; the next byte, or `None` at the end.
fn skip_ws<R: BufRead>(r: &mut Counting<R>) -> Result<Option<u8>, FileError> {
    loop {
        let pos = r.pos.clone();
        let buf = r.fill_buf().map_err(|e| io_error(Some(&pos), &e))?;
        if buf.is_empty() {
            return Ok(None);
        }
        if buf.starts_with(&[0xef, 0xbb, 0xbf]) {
            r.consume(3);
            continue;
        }
        let n = buf
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        if n == 0 {
            return Ok(Some(buf[0]));
        }
        r.consume(n);
    }
}

fn detect<R: BufRead>(
    inner: R,
    keep: Keep,
    sink: &mut dyn FnMut(Event),
) -> Result<Dialect, FileError> {
    let mut r = Counting {
        inner,
        pos: Pos::new(),
    };
    match skip_ws(&mut r)? {
        None => Ok(Dialect::Empty),
        Some(b'[') => {
            json_values(&mut r, keep, sink)?;
            Ok(Dialect::JsonArray)
        }
        Some(b'{') => {
            // NDJSON when the first value (a record or a page) sits on one
            // line: from then on a malformed line is skipped, not fatal.
            let start = r.pos.line.get();
            one_value(&mut r, keep, sink)?;
            if r.pos.line.get() == start {
                ndjson(&mut r, keep, sink)?;
                Ok(Dialect::Ndjson)
            } else {
                json_values(&mut r, keep, sink)?;
                Ok(Dialect::JsonObjects)
            }
        }
        Some(_) => {
            csv_rows(r, keep, sink)?;
            Ok(Dialect::Csv)
        }
    }
}

/// Reads one line (without the newline) into `out`; true when the line was
/// longer than [`MAX_LINE`] (the rest is consumed and dropped).
fn read_line<R: BufRead>(r: &mut Counting<R>, out: &mut Vec<u8>) -> Result<bool, FileError> {
    out.clear();
    let mut too_long = false;
    loop {
        let pos = r.pos.clone();
        let buf = r.fill_buf().map_err(|e| io_error(Some(&pos), &e))?;
        if buf.is_empty() {
            return Ok(too_long);
        }
        let (chunk, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (&buf[..i], Some(i + 1)),
            None => (buf, None),
        };
        if !too_long {
            if out.len() + chunk.len() > MAX_LINE {
                too_long = true;
                out.clear();
            } else {
                out.extend_from_slice(chunk);
            }
        }
        let used = done.unwrap_or(buf.len());
        r.consume(used);
        if done.is_some() {
            return Ok(too_long);
        }
    }
}

fn not_an_object(line: u64) -> Event {
    Event::Skipped {
        line,
        kind: "not a JSON object",
        message: "expected a sign-in record (a JSON object)".into(),
    }
}

/// One NDJSON line: a record, or a Graph page saved on one line. The line is
/// parsed whole before anything is pushed, so a malformed line gives one
/// skipped record and no records.
fn one_line(
    line: u64,
    text: &[u8],
    keep: Keep,
    items: &mut Vec<Option<Map<String, Value>>>,
    sink: &mut dyn FnMut(Event),
) {
    items.clear();
    let text = text.trim_ascii();
    if text.is_empty() {
        return;
    }
    let seed = LineSeed {
        keep,
        items: &mut *items,
    };
    // The fast path checks the line's UTF-8 once, whole (a text mostly
    // ASCII is checked a word at a time), and parses it as a `str`, which
    // serde_json does not check again string by string. A line that is
    // not UTF-8, and every line of the reference path (`Keep::All`), is
    // parsed from bytes as before: the same error, at the same position.
    let parsed = match std::str::from_utf8(text) {
        Ok(s) if keep == Keep::Known => {
            let mut de = serde_json::Deserializer::from_str(s);
            seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v))
        }
        _ => {
            let mut de = serde_json::Deserializer::from_slice(text);
            seed.deserialize(&mut de).and_then(|v| de.end().map(|()| v))
        }
    };
    match parsed {
        Ok(Line::Record(fields)) => sink(Event::Record { line, fields }),
        Ok(Line::Page) => {
            // Drained, not dropped: the list's memory serves every page
            // (freeing a list of a thousand records made the allocator
            // consolidate its free lists once per page).
            for item in items.drain(..) {
                match item {
                    Some(fields) => sink(Event::Record { line, fields }),
                    None => sink(not_an_object(line)),
                }
            }
        }
        Ok(Line::NotObject) => sink(not_an_object(line)),
        Err(e) => {
            let kind = if std::str::from_utf8(text).is_err() {
                "invalid UTF-8"
            } else {
                "malformed JSON"
            };
            sink(Event::Skipped {
                line,
                kind,
                message: format!("{kind}: {e}"),
            });
        }
    }
}

fn ndjson<R: BufRead>(
    r: &mut Counting<R>,
    keep: Keep,
    sink: &mut dyn FnMut(Event),
) -> Result<(), FileError> {
    let mut buf = Vec::new();
    let mut items = Vec::new();
    loop {
        let line = r.pos.line.get();
        let pos = r.pos.clone();
        let at_end = r
            .fill_buf()
            .map_err(|e| io_error(Some(&pos), &e))?
            .is_empty();
        if at_end {
            return Ok(());
        }
        if read_line(r, &mut buf)? {
            sink(Event::Skipped {
                line,
                kind: "line too long",
                message: format!("the line is longer than {MAX_LINE} bytes"),
            });
            continue;
        }
        one_line(line, &buf, keep, &mut items, sink);
    }
}

/// Consecutive JSON values (arrays of records, pages, records) until the end.
fn json_values<R: BufRead>(
    r: &mut Counting<R>,
    keep: Keep,
    sink: &mut dyn FnMut(Event),
) -> Result<(), FileError> {
    loop {
        match skip_ws(r)? {
            None => return Ok(()),
            Some(b'{' | b'[') => {}
            Some(b) => {
                return Err(FileError::at(
                    &r.pos,
                    format!(
                        "expected a JSON object or array, found {}",
                        char::from(b).escape_default()
                    ),
                ));
            }
        }
        one_value(r, keep, sink)?;
    }
}

/// One top-level JSON value (the next byte is `{` or `[`).
fn one_value<R: BufRead>(
    r: &mut Counting<R>,
    keep: Keep,
    sink: &mut dyn FnMut(Event),
) -> Result<(), FileError> {
    let pos = r.pos.clone();
    let mut de = serde_json::Deserializer::from_reader(&mut *r);
    let seed = Top {
        sink: &mut *sink,
        pos: pos.clone(),
        keep,
    };
    seed.deserialize(&mut de).map_err(|e| {
        if let Some(kind) = e.io_error_kind() {
            io_error(Some(&pos), &io::Error::new(kind, e.to_string()))
        } else {
            FileError::at(&pos, format!("malformed JSON: {}", strip_position(&e)))
        }
    })
}

/// serde_json's message without its own (per-value) position.
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// A top-level JSON value: an array of records, a page, or a record.
struct Top<'s> {
    sink: &'s mut dyn FnMut(Event),
    pos: Pos,
    keep: Keep,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let line = self.pos.line.get();
        d.deserialize_any(TopVisitor {
            sink: self.sink,
            pos: self.pos,
            line,
            keep: self.keep,
        })
    }
}

struct TopVisitor<'s> {
    sink: &'s mut dyn FnMut(Event),
    pos: Pos,
    line: u64,
    keep: Keep,
}

impl<'de> Visitor<'de> for TopVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sign-in record, a Graph page or an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element_seed(Element {
            pos: self.pos.clone(),
            keep: self.keep,
        })? {
            match item {
                (line, Some(fields)) => (self.sink)(Event::Record { line, fields }),
                (line, None) => (self.sink)(not_an_object(line)),
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut fields = Map::new();
        let mut page = false;
        while let Some(key) = map.next_key_seed(KeySeed { keep: self.keep })? {
            if key.is_value() {
                page = true;
                map.next_value_seed(Top {
                    sink: &mut *self.sink,
                    pos: self.pos.clone(),
                    keep: self.keep,
                })?;
            } else if !page && self.keep.field(key.as_str()) {
                let v = map.next_value_seed(Kept { keep: self.keep })?;
                fields.insert(key.into_string(), v);
            } else {
                // A page's other members, and fields caac does not read:
                // parsed and checked, not kept.
                map.next_value::<Skip>()?;
            }
        }
        if !page {
            (self.sink)(Event::Record {
                line: self.line,
                fields,
            });
        }
        Ok(())
    }
}

/// One element of an array: a record (`Some`), or something else (`None`),
/// with the line it starts on.
struct Element {
    pos: Pos,
    keep: Keep,
}

impl<'de> DeserializeSeed<'de> for Element {
    type Value = (u64, Option<Map<String, Value>>);
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        // serde_json has peeked the element's first byte: this is its line.
        let line = self.pos.line.get();
        let fields = d.deserialize_any(RecordVisitor { keep: self.keep })?;
        Ok((line, fields))
    }
}

/// A record's kept fields, or `None` for a value that is not an object
/// (parsed and checked, then dropped).
struct RecordVisitor {
    keep: Keep,
}

impl<'de> Visitor<'de> for RecordVisitor {
    type Value = Option<Map<String, Value>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sign-in record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // Room for what a Graph or Log Analytics record holds of
        // `super::FIELDS` (about 25) at once, not grown four times.
        let mut fields = Map::with_capacity(RECORD_CAPACITY);
        while let Some(key) = map.next_key_seed(KeySeed { keep: self.keep })? {
            if self.keep.field(key.as_str()) {
                let v = map.next_value_seed(Kept { keep: self.keep })?;
                fields.insert(key.into_string(), v);
            } else {
                map.next_value::<Skip>()?;
            }
        }
        Ok(Some(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        SkipVisitor.visit_seq(seq).map(|_| None)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// What one NDJSON line holds.
enum Line {
    /// A record's kept fields.
    Record(Map<String, Value>),
    /// A page: its records (`None`: an element that is not an object) are
    /// in [`LineSeed::items`].
    Page,
    /// Not an object.
    NotObject,
}

/// One NDJSON line, as the reader read it before the fast path: an object
/// whose `value` is an array is a page (its other members are ignored);
/// any other object is a record (a non-array `value` is then one of its
/// fields); anything else is not a record.
struct LineSeed<'i> {
    keep: Keep,
    /// Where a page's records go (emptied first).
    items: &'i mut Vec<Option<Map<String, Value>>>,
}

impl<'de> DeserializeSeed<'de> for LineSeed<'_> {
    type Value = Line;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Line, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LineSeed<'_> {
    type Value = Line;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sign-in record or a Graph page")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Line, A::Error> {
        let mut fields = Map::new();
        let mut page = false;
        while let Some(key) = map.next_key_seed(KeySeed { keep: self.keep })? {
            if key.is_value() {
                // The last `value` wins, as it did when the line was one map.
                self.items.clear();
                match map.next_value_seed(PageItems {
                    keep: self.keep,
                    out: &mut *self.items,
                })? {
                    Ok(()) => {
                        fields.remove("value");
                        page = true;
                    }
                    Err(other) => {
                        page = false;
                        if let Some(v) = other {
                            fields.insert("value".into(), v);
                        }
                    }
                }
            } else if self.keep.field(key.as_str()) {
                let v = map.next_value_seed(Kept { keep: self.keep })?;
                fields.insert(key.into_string(), v);
            } else {
                map.next_value::<Skip>()?;
            }
        }
        Ok(if page {
            Line::Page
        } else {
            self.items.clear();
            Line::Record(fields)
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Line, A::Error> {
        SkipVisitor.visit_seq(seq).map(|_| Line::NotObject)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Line, E> {
        Ok(Line::NotObject)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Line, E> {
        Ok(Line::NotObject)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Line, E> {
        Ok(Line::NotObject)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Line, E> {
        Ok(Line::NotObject)
    }
    fn visit_str<E>(self, _: &str) -> Result<Line, E> {
        Ok(Line::NotObject)
    }
    fn visit_unit<E>(self) -> Result<Line, E> {
        Ok(Line::NotObject)
    }
}

/// A line's `value`: the records of a page (`Ok`, pushed to `out`), or any
/// other value (`Err`, with the value itself when every field is kept).
struct PageItems<'i> {
    keep: Keep,
    out: &'i mut Vec<Option<Map<String, Value>>>,
}

type PageValue = Result<(), Option<Value>>;

impl<'de> DeserializeSeed<'de> for PageItems<'_> {
    type Value = PageValue;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<PageValue, D::Error> {
        if self.keep == Keep::All {
            // Every field is kept: build the value, as before.
            return Ok(match Value::deserialize(d)? {
                Value::Array(items) => {
                    self.out.extend(items.into_iter().map(|v| match v {
                        Value::Object(m) => Some(m),
                        _ => None,
                    }));
                    Ok(())
                }
                other => Err(Some(other)),
            });
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PageItems<'_> {
    type Value = PageValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a page's records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PageValue, A::Error> {
        while let Some(item) = seq.next_element_seed(RecordSeed { keep: self.keep })? {
            self.out.push(item);
        }
        Ok(Ok(()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PageValue, A::Error> {
        // `value` is not one of the fields `Record::from_fields` reads.
        SkipVisitor.visit_map(map).map(|_| Err(None))
    }
    fn visit_bool<E>(self, _: bool) -> Result<PageValue, E> {
        Ok(Err(None))
    }
    fn visit_i64<E>(self, _: i64) -> Result<PageValue, E> {
        Ok(Err(None))
    }
    fn visit_u64<E>(self, _: u64) -> Result<PageValue, E> {
        Ok(Err(None))
    }
    fn visit_f64<E>(self, _: f64) -> Result<PageValue, E> {
        Ok(Err(None))
    }
    fn visit_str<E>(self, _: &str) -> Result<PageValue, E> {
        Ok(Err(None))
    }
    fn visit_unit<E>(self) -> Result<PageValue, E> {
        Ok(Err(None))
    }
}

struct RecordSeed {
    keep: Keep,
}

impl<'de> DeserializeSeed<'de> for RecordSeed {
    type Value = Option<Map<String, Value>>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(RecordVisitor { keep: self.keep })
    }
}

/// An object key, compared without allocating when it is not kept.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
    /// A name that is not kept.
    Other,
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
            Key::Other => "",
        }
    }
    fn is_value(&self) -> bool {
        self.as_str() == "value"
    }
    fn into_string(self) -> String {
        match self {
            Key::Borrowed(s) => s.to_owned(),
            Key::Owned(s) => s,
            Key::Other => String::new(),
        }
    }
}

struct KeySeed {
    keep: Keep,
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Key<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
        Ok(Key::Borrowed(s))
    }
    fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
        // Streaming input hands keys out of a scratch buffer: copy only the
        // names that can be kept.
        Ok(if s == "value" || self.keep.field(s) {
            Key::Owned(s.to_owned())
        } else {
            Key::Other
        })
    }
}

/// A kept field's value: all of it with [`Keep::All`]; with [`Keep::Known`],
/// nested objects keep only [`super::NESTED_FIELDS`].
#[derive(Clone, Copy)]
struct Kept {
    keep: Keep,
}

impl<'de> DeserializeSeed<'de> for Kept {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.keep {
            Keep::All => Value::deserialize(d),
            Keep::Known => d.deserialize_any(Pick),
        }
    }
}

/// Builds a value, keeping in objects only [`super::NESTED_FIELDS`]
/// (their values whole); everything else is parsed and checked.
#[derive(Clone, Copy)]
struct Pick;

impl<'de> DeserializeSeed<'de> for Pick {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pick {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(NestedKey)? {
            match key {
                Some(k) => {
                    let v: Value = map.next_value()?;
                    out.insert(k.to_owned(), v);
                }
                None => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Pick)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::from(n))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::from(n))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        // As serde_json's own `Value` does: a non-finite number is null.
        Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
}

/// A nested key: `Some` when it is one of [`super::NESTED_FIELDS`].
struct NestedKey;

impl<'de> DeserializeSeed<'de> for NestedKey {
    type Value = Option<&'static str>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NestedKey {
    type Value = Option<&'static str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E>(self, s: &str) -> Result<Self::Value, E> {
        Ok(super::nested_field_name(s))
    }
}

/// Parses and checks any value, as building a `serde_json::Value` would
/// (strings are UTF-8-checked and unescaped, numbers parsed), keeping
/// nothing. `serde::de::IgnoredAny` would not do: serde_json skips ignored
/// strings without checking their UTF-8.
struct Skip;

impl<'de> serde::Deserialize<'de> for Skip {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Skip, D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_none<E>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
}

/// A nested field held as a JSON string (a Log Analytics CSV cell), parsed
/// as [`Keep::Known`] reads nested objects: what `from_fields` reads is
/// kept, the rest parsed and checked.
pub(crate) fn parse_nested(text: &str) -> serde_json::Result<Value> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Pick.deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Nested columns of the Log Analytics export, kept as JSON strings in CSV.
fn csv_rows<R: BufRead>(
    r: Counting<R>,
    keep: Keep,
    sink: &mut dyn FnMut(Event),
) -> Result<(), FileError> {
    // The `csv` crate counts lines itself: the position counter would only
    // cost a pass over every byte.
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(r.inner);
    let headers = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(csv_fatal(&e)),
    };
    let mut names = Vec::with_capacity(headers.len());
    for h in &headers {
        match std::str::from_utf8(h) {
            Ok(s) => names.push(s.trim_start_matches('\u{feff}').to_owned()),
            Err(_) => {
                return Err(FileError {
                    line: Some(1),
                    column: None,
                    message: "the CSV header row is not valid UTF-8".into(),
                });
            }
        }
    }
    // The admin center's download has its own columns; one message for a
    // download that holds no sign-ins to evaluate.
    let admin = super::admin_center::detect(&names).map_err(|message| FileError {
        line: Some(1),
        column: None,
        message,
    })?;
    // One message for the root cause, not one per row.
    if admin.is_none() && !names.iter().any(|n| n == "Id" || n == "id") {
        return Err(FileError {
            line: Some(1),
            column: None,
            message: format!(
                "not a sign-in log export: the CSV header has no `Id` column (found: {}); export SigninLogs / AADNonInteractiveUserSignInLogs from Log Analytics with their columns, or use Graph JSON",
                names.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
            ),
        });
    }
    // The columns kept: the others (AuthenticationDetails, Status, … often
    // most of a row) are checked for UTF-8 and never parsed or copied.
    // The admin center's columns have their own names: all are kept and
    // [`super::admin_center::to_graph`] picks what it maps.
    let kept: Vec<bool> = names
        .iter()
        .map(|n| admin.is_some() || keep.field(n))
        .collect();
    let kept_count = kept.iter().filter(|k| **k).count();
    let mut row = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut row) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let line = row.position().map_or(0, csv::Position::line);
                if row.as_slice().len() > MAX_LINE {
                    sink(Event::Skipped {
                        line,
                        kind: "line too long",
                        message: format!("the row is longer than {MAX_LINE} bytes"),
                    });
                    continue;
                }
                let mut fields = Map::with_capacity(kept_count);
                let mut bad = false;
                for ((name, cell), kept) in names.iter().zip(row.iter()).zip(&kept) {
                    match std::str::from_utf8(cell) {
                        Ok(s) => {
                            if *kept {
                                fields.insert(name.clone(), Value::String(s.to_owned()));
                            }
                        }
                        Err(_) => {
                            bad = true;
                            sink(Event::Skipped {
                                line,
                                kind: "invalid UTF-8",
                                message: format!("invalid UTF-8 in column {name}"),
                            });
                            break;
                        }
                    }
                }
                if !bad {
                    let fields = match admin {
                        Some(kind) => super::admin_center::to_graph(kind, &fields),
                        None => fields,
                    };
                    sink(Event::Record { line, fields });
                }
            }
            Err(e) => match e.kind() {
                csv::ErrorKind::UnequalLengths {
                    pos,
                    expected_len,
                    len,
                } => {
                    sink(Event::Skipped {
                        line: pos.as_ref().map_or(0, csv::Position::line),
                        kind: "wrong number of CSV fields",
                        message: format!("{len} fields where the header has {expected_len}"),
                    });
                }
                csv::ErrorKind::Utf8 { pos, .. } => sink(Event::Skipped {
                    line: pos.as_ref().map_or(0, csv::Position::line),
                    kind: "invalid UTF-8",
                    message: "invalid UTF-8".into(),
                }),
                _ => return Err(csv_fatal(&e)),
            },
        }
    }
}

fn csv_fatal(e: &csv::Error) -> FileError {
    let line = e.position().map(csv::Position::line);
    match e.kind() {
        csv::ErrorKind::Io(io) => {
            let mut f = io_error(None, io);
            f.line = line;
            f
        }
        _ => FileError {
            line,
            column: None,
            message: format!("malformed CSV: {e}"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(bytes: &[u8]) -> (Result<Dialect, FileError>, Vec<Event>) {
        let mut out = Vec::new();
        let r = read_from(bytes, &mut |e| out.push(e));
        (r, out)
    }

    fn lines(events: &[Event]) -> Vec<(u64, bool)> {
        events
            .iter()
            .map(|e| match e {
                Event::Record { line, .. } => (*line, true),
                Event::Skipped { line, .. } => (*line, false),
            })
            .collect()
    }

    #[test]
    fn graph_page_pretty_printed_ignores_next_link() {
        let text = b"{\n  \"@odata.context\": \"x\",\n  \"value\": [\n    {\"id\": \"a\"},\n    {\n      \"id\": \"b\"\n    }\n  ],\n  \"@odata.nextLink\": \"https://graph.microsoft.com/v1.0/auditLogs/signIns?$skiptoken=x\"\n}\n";
        let (r, ev) = collect(text);
        assert_eq!(r, Ok(Dialect::JsonObjects));
        assert_eq!(lines(&ev), vec![(4, true), (5, true)]);
    }

    #[test]
    fn two_pages_in_one_file() {
        let text = b"{\"value\":[{\"id\":\"a\"}]}\n{\"value\":[{\"id\":\"b\"},{\"id\":\"c\"}]}\n";
        let (r, ev) = collect(text);
        // Each page is one line: read as NDJSON pages.
        assert_eq!(r, Ok(Dialect::Ndjson));
        assert_eq!(lines(&ev), vec![(1, true), (2, true), (2, true)]);
    }

    #[test]
    fn ndjson_skips_a_malformed_line_and_goes_on() {
        let text = b"{\"id\":\"a\"}\n{\"id\": \n\n{\"id\":\"c\"}\n[1]\n";
        let (r, ev) = collect(text);
        assert_eq!(r, Ok(Dialect::Ndjson));
        assert_eq!(
            lines(&ev),
            vec![(1, true), (2, false), (4, true), (5, false)]
        );
    }

    #[test]
    fn json_array_records_with_lines() {
        let text = b"[\n {\"Id\":\"a\"},\n {\"Id\":\"b\"}\n]";
        let (r, ev) = collect(text);
        assert_eq!(r, Ok(Dialect::JsonArray));
        assert_eq!(lines(&ev), vec![(2, true), (3, true)]);
    }

    #[test]
    fn truncated_array_is_a_file_error_after_the_good_records() {
        let text = b"[\n {\"Id\":\"a\"},\n {\"Id\":";
        let (r, ev) = collect(text);
        let e = r.unwrap_err();
        assert_eq!(e.line, Some(3));
        assert!(e.message.contains("malformed JSON"), "{e:?}");
        assert_eq!(lines(&ev), vec![(2, true)]);
    }

    #[test]
    fn csv_rows_and_bad_rows() {
        let text = b"\xef\xbb\xbfId,UserId\na,u1\nb\nc,\"u\xff\"\nd,u4\n";
        let (r, ev) = collect(text);
        assert_eq!(r, Ok(Dialect::Csv));
        assert_eq!(
            lines(&ev),
            vec![(2, true), (3, false), (4, false), (5, true)]
        );
        let Event::Record { fields, .. } = &ev[0] else {
            panic!()
        };
        assert_eq!(fields["Id"], "a");
    }

    #[test]
    fn gzip_of_ndjson_and_truncated_gzip() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"{\"id\":\"a\"}\n{\"id\":\"b\"}\n").unwrap();
        let gz = enc.finish().unwrap();
        let (r, ev) = collect(&gz);
        assert_eq!(r, Ok(Dialect::Ndjson));
        assert_eq!(ev.len(), 2);
        let (r, _) = collect(&gz[..gz.len() - 6]);
        assert!(r.unwrap_err().message.contains("ends early"));
    }

    #[test]
    fn huge_line_is_skipped_and_counted() {
        let mut text = b"{\"id\":\"a\"}\n{\"id\":\"".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        text.extend_from_slice(b"\"}\n{\"id\":\"c\"}\n");
        let (r, ev) = collect(&text);
        assert_eq!(r, Ok(Dialect::Ndjson));
        assert_eq!(lines(&ev), vec![(1, true), (2, false), (3, true)]);
    }

    #[test]
    fn csv_without_an_id_column_is_one_error() {
        let (r, ev) = collect(b"Date,Request,User\n2026-01-01,x,y\n");
        let e = r.unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("no `Id` column"), "{e:?}");
        assert!(e.message.contains("Date, Request, User"), "{e:?}");
        assert!(ev.is_empty());
    }

    /// The admin center's download: read by its own columns; a download
    /// with no user or service principal column is one error.
    #[test]
    fn admin_center_csv_rows_become_graph_fields() {
        let (r, ev) = collect(
            b"\"Date (UTC)\",\"Request ID\",\"User ID\",\"Resource ID \",\"Client app\"\n2026-11-20T09:00:00Z,r1,u1,00000002-0000-0ff1-ce00-000000000000,Browser\n",
        );
        assert_eq!(r, Ok(Dialect::Csv));
        let Event::Record { line, fields } = &ev[0] else {
            panic!("{ev:?}")
        };
        assert_eq!(*line, 2);
        assert_eq!(fields["id"], "r1");
        assert_eq!(fields["resourceId"], "00000002-0000-0ff1-ce00-000000000000");
        assert_eq!(fields["clientAppUsed"], "Browser");
        // With a byte order mark before the quoted header: the same.
        let (r, ev) = collect(
            b"\xef\xbb\xbf\"Date (UTC)\",\"Request ID\",\"User ID\"\r\n2026-11-20T09:00:00Z,r2,u2\r\n",
        );
        assert_eq!(r, Ok(Dialect::Csv));
        let Event::Record { fields, .. } = &ev[0] else {
            panic!("{ev:?}")
        };
        assert_eq!(fields["id"], "r2");
        assert_eq!(fields["userId"], "u2");
        let (r, ev) = collect(b"Date (UTC),Request ID,User\n2026-01-01,x,y\n");
        let e = r.unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(
            e.message
                .contains("admin center download without a `User ID`"),
            "{e:?}"
        );
        assert!(ev.is_empty());
    }

    /// Reads `bytes` with the fast path and with every field kept (the
    /// reader before the fast path), and checks that both push the same
    /// events and that every record maps to the same `Record` and the
    /// same engine request.
    fn same_as_before(name: &str, bytes: &[u8]) -> usize {
        let mut fast = Vec::new();
        let fast_end = read_from_keeping(bytes, Keep::Known, &mut |e| fast.push(e));
        let mut all = Vec::new();
        let all_end = read_from_keeping(bytes, Keep::All, &mut |e| all.push(e));
        assert_eq!(fast_end, all_end, "{name}: outcome");
        assert_eq!(fast.len(), all.len(), "{name}: events");
        let mut records = 0;
        for (f, a) in fast.iter().zip(&all) {
            match (f, a) {
                (
                    Event::Record { line, fields },
                    Event::Record {
                        line: l2,
                        fields: f2,
                    },
                ) => {
                    assert_eq!(line, l2, "{name}");
                    let (r1, r2) = (
                        super::super::Record::from_fields(fields),
                        super::super::Record::from_fields(f2),
                    );
                    assert_eq!(r1, r2, "{name}:{line}");
                    if let (Ok(r1), Ok(r2)) = (r1, r2) {
                        assert_eq!(r1.sign_in(), r2.sign_in(), "{name}:{line}");
                        records += 1;
                    }
                    assert!(fields.len() <= f2.len());
                }
                (
                    Event::Skipped {
                        line,
                        kind,
                        message,
                    },
                    Event::Skipped {
                        line: l2,
                        kind: k2,
                        message: m2,
                    },
                ) => assert_eq!((line, kind, message), (l2, k2, m2), "{name}"),
                _ => panic!("{name}: {f:?} against {a:?}"),
            }
        }
        records
    }

    /// The fast path (only the fields `from_fields` reads are built) and
    /// the previous reader (every field) agree on every sign-in fixture,
    /// gzipped too, and on damaged copies of them.
    #[test]
    fn fast_path_maps_every_fixture_as_before() {
        use std::io::Write;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signins");
        let mut mapped = 0;
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !matches!(ext, "json" | "ndjson" | "csv")
                || path.file_name().unwrap() == "members.json"
            {
                continue;
            }
            files += 1;
            let name = path.display().to_string();
            let bytes = std::fs::read(&path).unwrap();
            mapped += same_as_before(&name, &bytes);
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(&bytes).unwrap();
            same_as_before(&name, &enc.finish().unwrap());
            // One page or record per line, as NDJSON.
            if ext == "json" {
                let v: Value = serde_json::from_slice(&bytes).unwrap();
                let mut nd = serde_json::to_string(&v).unwrap();
                nd.push('\n');
                if let Some(items) = v.get("value").and_then(Value::as_array) {
                    for item in items {
                        nd.push_str(&serde_json::to_string(item).unwrap());
                        nd.push('\n');
                    }
                }
                mapped += same_as_before(&name, nd.as_bytes());
            }
            // Damaged: cut short, a byte flipped to invalid UTF-8 in the
            // middle, a line doubled.
            same_as_before(&name, &bytes[..bytes.len() * 2 / 3]);
            let mut bad = bytes.clone();
            let mid = bad.len() / 2;
            bad[mid] = 0xff;
            same_as_before(&name, &bad);
        }
        assert!(files >= 5, "{files} fixtures");
        assert!(mapped > 40, "{mapped} records mapped");
        // Odd shapes the fixtures do not have.
        for text in [
            &b"{\"value\": 3, \"id\": \"a\"}\n{\"value\": {\"id\": \"b\"}}\n"[..],
            b"{\"id\":\"a\",\"value\":[1,{\"id\":\"b\"}],\"value\":{\"x\":1}}\n",
            b"{\"id\":\"a\",\"value\":{\"x\":1},\"value\":[{\"id\":\"b\"}]}\n",
            b"[{\"id\":\"a\",\"x\":\"\\ud800\"},2,{\"id\":\"c\",\"deviceDetail\":{\"deviceId\":\"d\",\"n\":1e999}}]",
            b"{\"id\":\"a\",\"extra\":\"caf\xff\"}\n{\"id\":\"b\"}\n",
            b"{\n\"id\":\"a\",\"extra\":\"caf\xff\"}\n",
            b"{\n\"value\": [{\"id\": \"a\", \"deviceDetail\": {\"operatingSystem\": \"iOS\", \"x\": [[[]]]}}], \"more\": {\"a\": [1, 2.5, null, true]}}",
            b"Id,DeviceDetail,Status\na,\"{\"\"operatingSystem\"\": \"\"Android\"\", \"\"extra\"\": [1]}\",\"{bad json\"\nb,\"{broken\",x\n",
        ] {
            same_as_before("odd shape", text);
        }
    }

    /// A field caac does not read is still checked: invalid UTF-8 in it
    /// skips the record (it is not a valid JSON text), as before.
    #[test]
    fn unread_fields_are_still_checked() {
        let (r, ev) = collect(
            b"{\"id\":\"a\"}\n{\"id\":\"b\",\"status\":{\"additionalDetails\":\"caf\xe9\"}}\n{\"id\":\"c\"}\n",
        );
        assert_eq!(r, Ok(Dialect::Ndjson));
        assert_eq!(lines(&ev), vec![(1, true), (2, false), (3, true)]);
        let (r, _) = collect(b"[\n{\"id\":\"a\",\"status\":\"caf\xe9\"}\n]");
        assert!(r.unwrap_err().message.contains("malformed JSON"));
    }

    #[test]
    fn empty_and_garbage() {
        assert_eq!(collect(b"  \n").0, Ok(Dialect::Empty));
        // Binary garbage reads as CSV with one odd column: never a panic.
        let (r, _) = collect(&[0u8, 159, 146, 150, b'\n', 1, 2]);
        assert!(r.is_ok() || r.is_err());
    }
}
