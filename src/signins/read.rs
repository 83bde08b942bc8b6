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
//! A problem with one record (malformed NDJSON line, CSV row with the wrong
//! number of fields, invalid UTF-8, a line over [`MAX_LINE`] bytes, a JSON
//! value that is not an object) is reported with its line and the record is
//! skipped ([`Event::Skipped`]). A problem that stops the stream (truncated
//! gzip, a JSON syntax error inside an array or page, unreadable file) is a
//! [`FileError`] with the position reached; records already pushed stay
//! pushed. Never panics.

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

/// The longest NDJSON line read; longer lines are skipped (counted).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

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
    /// nested fields stay strings, [`super::record`] decodes them).
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
    let mut raw = BufReader::with_capacity(64 * 1024, reader);
    let gzip = {
        let head = raw.fill_buf().map_err(|e| io_error(None, &e))?;
        head.starts_with(&[0x1f, 0x8b])
    };
    if gzip {
        let decoded =
            BufReader::with_capacity(64 * 1024, flate2::bufread::MultiGzDecoder::new(raw));
        detect(decoded, sink)
    } else {
        detect(raw, sink)
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
        for &b in bytes {
            if b == b'\n' {
                self.line.set(self.line.get() + 1);
                self.column.set(1);
            } else {
                self.column.set(self.column.get() + 1);
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

fn detect<R: BufRead>(inner: R, sink: &mut dyn FnMut(Event)) -> Result<Dialect, FileError> {
    let mut r = Counting {
        inner,
        pos: Pos::new(),
    };
    match skip_ws(&mut r)? {
        None => Ok(Dialect::Empty),
        Some(b'[') => {
            json_values(&mut r, sink)?;
            Ok(Dialect::JsonArray)
        }
        Some(b'{') => {
            // NDJSON when the first value (a record or a page) sits on one
            // line: from then on a malformed line is skipped, not fatal.
            let start = r.pos.line.get();
            one_value(&mut r, sink)?;
            if r.pos.line.get() == start {
                ndjson(&mut r, sink)?;
                Ok(Dialect::Ndjson)
            } else {
                json_values(&mut r, sink)?;
                Ok(Dialect::JsonObjects)
            }
        }
        Some(_) => {
            csv_rows(r, sink)?;
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
        let (chunk, done) = match buf.iter().position(|&b| b == b'\n') {
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

fn one_line(line: u64, text: &[u8], sink: &mut dyn FnMut(Event)) {
    let text = text.trim_ascii();
    if text.is_empty() {
        return;
    }
    match serde_json::from_slice::<Value>(text) {
        Ok(Value::Object(mut m)) => match m.remove("value") {
            // A Graph page saved on one line.
            Some(Value::Array(items)) => {
                for item in items {
                    element(line, item, sink);
                }
            }
            Some(other) => {
                m.insert("value".into(), other);
                sink(Event::Record { line, fields: m });
            }
            None => sink(Event::Record { line, fields: m }),
        },
        Ok(_) => sink(Event::Skipped {
            line,
            kind: "not a JSON object",
            message: "expected a sign-in record (a JSON object)".into(),
        }),
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

fn element(line: u64, v: Value, sink: &mut dyn FnMut(Event)) {
    match v {
        Value::Object(fields) => sink(Event::Record { line, fields }),
        _ => sink(Event::Skipped {
            line,
            kind: "not a JSON object",
            message: "expected a sign-in record (a JSON object)".into(),
        }),
    }
}

fn ndjson<R: BufRead>(r: &mut Counting<R>, sink: &mut dyn FnMut(Event)) -> Result<(), FileError> {
    let mut buf = Vec::new();
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
        one_line(line, &buf, sink);
    }
}

/// Consecutive JSON values (arrays of records, pages, records) until the end.
fn json_values<R: BufRead>(
    r: &mut Counting<R>,
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
        one_value(r, sink)?;
    }
}

/// One top-level JSON value (the next byte is `{` or `[`).
fn one_value<R: BufRead>(
    r: &mut Counting<R>,
    sink: &mut dyn FnMut(Event),
) -> Result<(), FileError> {
    let pos = r.pos.clone();
    let mut de = serde_json::Deserializer::from_reader(&mut *r);
    let seed = Top {
        sink: &mut *sink,
        pos: pos.clone(),
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
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let line = self.pos.line.get();
        d.deserialize_any(TopVisitor {
            sink: self.sink,
            pos: self.pos,
            line,
        })
    }
}

struct TopVisitor<'s> {
    sink: &'s mut dyn FnMut(Event),
    pos: Pos,
    line: u64,
}

impl<'de> Visitor<'de> for TopVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sign-in record, a Graph page or an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq
            .next_element_seed(Element {
                sink: &mut *self.sink,
                pos: self.pos.clone(),
            })?
            .is_some()
        {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut fields = Map::new();
        let mut page = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "value" {
                page = true;
                map.next_value_seed(Top {
                    sink: &mut *self.sink,
                    pos: self.pos.clone(),
                })?;
            } else {
                let v: Value = map.next_value()?;
                if !page {
                    fields.insert(key, v);
                }
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

/// One element of an array: a record.
struct Element<'s> {
    sink: &'s mut dyn FnMut(Event),
    pos: Pos,
}

impl<'de> DeserializeSeed<'de> for Element<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        // serde_json has peeked the element's first byte: this is its line.
        let line = self.pos.line.get();
        let v = <Value as serde::Deserialize>::deserialize(d)?;
        element(line, v, self.sink);
        Ok(())
    }
}

/// Nested columns of the Log Analytics export, kept as JSON strings in CSV.
fn csv_rows<R: BufRead>(r: Counting<R>, sink: &mut dyn FnMut(Event)) -> Result<(), FileError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(r);
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
                let mut fields = Map::new();
                let mut bad = false;
                for (name, cell) in names.iter().zip(row.iter()) {
                    match std::str::from_utf8(cell) {
                        Ok(s) => {
                            fields.insert(name.clone(), Value::String(s.to_owned()));
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

    #[test]
    fn empty_and_garbage() {
        assert_eq!(collect(b"  \n").0, Ok(Dialect::Empty));
        // Binary garbage reads as CSV with one odd column: never a panic.
        let (r, _) = collect(&[0u8, 159, 146, 150, b'\n', 1, 2]);
        assert!(r.is_ok() || r.is_err());
    }
}
