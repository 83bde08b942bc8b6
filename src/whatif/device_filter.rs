//! Device filter rules (`conditions.devices.deviceFilter.rule`): parser and evaluator.
//!
//! Grammar and semantics, from Microsoft Learn:
//!
//! - Attributes and operators: "Conditional Access: Filter for devices",
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-condition-filters-for-devices#supported-operators-and-device-properties-for-filters>:
//!   `device.<attribute> <operator> <value>` over `deviceId`, `displayName`,
//!   `deviceOwnership`, `enrollmentProfileName`, `extensionAttribute1`–`15`,
//!   `isCompliant`, `manufacturer`, `mdmAppId`, `model`, `operatingSystem`,
//!   `operatingSystemVersion`, `physicalIds`, `profileType`, `systemLabels`,
//!   `trustType`, with `-eq -ne -startsWith -notStartsWith -endsWith
//!   -notEndsWith -contains -notContains -in -notIn`. The page's own example
//!   writes `device.deviceid`, so attribute names are matched
//!   case-insensitively. The per-attribute operator table is *not* enforced:
//!   Microsoft's token-protection guide writes `systemLabels -eq "CloudPC"`
//!   although the table lists only `-contains` for `systemLabels`; a lint can
//!   flag such combinations, evaluation accepts them.
//! - `-contains` on the string-collection attributes (`physicalIds`,
//!   `systemLabels`) matches a whole element; on string attributes it is a
//!   substring test (same page, note under the table).
//! - Rule syntax is the dynamic membership rule syntax,
//!   <https://learn.microsoft.com/entra/identity/users/groups-dynamic-membership>:
//!   operator precedence from high to low is comparison, `-not`, `-and`,
//!   `-or` ("Operator precedence"); parentheses group; operators may be
//!   written with or without the leading hyphen and in any case; string and
//!   regex operations are case-insensitive ("Supported values"); `-in`/`-notIn`
//!   take a `["a","b"]` list; `null` compares with `-eq`/`-ne` only; a double
//!   quote inside a double-quoted string is escaped with a backtick, a single
//!   quote inside a single-quoted string by doubling it. `-match`,
//!   `-notMatch`, `-any` and `-all` are not device-filter operators (not in the
//!   filter page's list) and are rejected. The Learn examples print `–eq`
//!   with an en dash; it is accepted as a hyphen.
//! - Null attributes: "For a device that is unregistered with Microsoft Entra
//!   ID, all device properties are considered as null values … use the
//!   negative operator since the configured filter rule would apply. If you
//!   were to use a positive operator, the filter rule would only apply when a
//!   device exists in the directory" (same filter page, note and "Policy
//!   behavior with filter for devices" table). So a positive operator on a
//!   null attribute is false and a negative operator is true; the same holds
//!   for a single attribute that is absent on a registered device.
//! - `extensionAttribute1`–`15` are available only when the device is Intune
//!   managed, compliant or Microsoft Entra hybrid joined (same page, warning
//!   under the table); otherwise they read as null. caac recognises "Intune
//!   managed" by `mdmAppId` = the Microsoft Intune app id
//!   `0000000a-0000-0000-c000-000000000000`, "compliant" by `isCompliant`
//!   true and "hybrid joined" by `trustType` `ServerAD`.
//!
//! [`parse`] never panics: every input yields an [`Expr`] or a positioned
//! [`ParseError`] (byte offset into the rule), so a lint rule can reuse it.
//! Nesting deeper than [`MAX_DEPTH`] is an error rather than a stack overflow.

use super::{Device, DeviceValue};
use std::fmt;

/// Deepest nesting of parentheses and `-not` the parser accepts (Graph caps a
/// rule at 3072 characters; real rules nest a handful of levels).
pub const MAX_DEPTH: usize = 64;

/// The Microsoft Intune app id, the `mdmAppId` of Intune-managed devices
/// (graph-ca-schema.md §6.1, catalog "Microsoft Intune").
const INTUNE_APP_ID: &str = "0000000a-0000-0000-c000-000000000000";

/// A device attribute usable in a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Attr {
    DeviceId,
    DisplayName,
    DeviceOwnership,
    EnrollmentProfileName,
    /// `extensionAttribute1` … `extensionAttribute15` (1-based).
    ExtensionAttribute(u8),
    IsCompliant,
    Manufacturer,
    MdmAppId,
    Model,
    OperatingSystem,
    OperatingSystemVersion,
    PhysicalIds,
    ProfileType,
    SystemLabels,
    TrustType,
}

const EXTENSION_NAMES: [&str; 15] = [
    "extensionAttribute1",
    "extensionAttribute2",
    "extensionAttribute3",
    "extensionAttribute4",
    "extensionAttribute5",
    "extensionAttribute6",
    "extensionAttribute7",
    "extensionAttribute8",
    "extensionAttribute9",
    "extensionAttribute10",
    "extensionAttribute11",
    "extensionAttribute12",
    "extensionAttribute13",
    "extensionAttribute14",
    "extensionAttribute15",
];

impl Attr {
    /// Every attribute, in the filter page's table order.
    pub fn all() -> impl Iterator<Item = Attr> {
        [
            Attr::DeviceId,
            Attr::DisplayName,
            Attr::DeviceOwnership,
            Attr::EnrollmentProfileName,
            Attr::IsCompliant,
            Attr::Manufacturer,
            Attr::MdmAppId,
            Attr::Model,
            Attr::OperatingSystem,
            Attr::OperatingSystemVersion,
            Attr::PhysicalIds,
            Attr::ProfileType,
            Attr::SystemLabels,
            Attr::TrustType,
        ]
        .into_iter()
        .chain((1..=15).map(Attr::ExtensionAttribute))
    }

    /// The canonical attribute name, also the key in [`Device::attributes`].
    pub fn name(self) -> &'static str {
        match self {
            Attr::DeviceId => "deviceId",
            Attr::DisplayName => "displayName",
            Attr::DeviceOwnership => "deviceOwnership",
            Attr::EnrollmentProfileName => "enrollmentProfileName",
            Attr::ExtensionAttribute(n) => EXTENSION_NAMES[usize::from(n.clamp(1, 15)) - 1],
            Attr::IsCompliant => "isCompliant",
            Attr::Manufacturer => "manufacturer",
            Attr::MdmAppId => "mdmAppId",
            Attr::Model => "model",
            Attr::OperatingSystem => "operatingSystem",
            Attr::OperatingSystemVersion => "operatingSystemVersion",
            Attr::PhysicalIds => "physicalIds",
            Attr::ProfileType => "profileType",
            Attr::SystemLabels => "systemLabels",
            Attr::TrustType => "trustType",
        }
    }

    /// Looks an attribute up by name, ignoring ASCII case.
    pub fn from_name(name: &str) -> Option<Attr> {
        Attr::all().find(|a| a.name().eq_ignore_ascii_case(name))
    }

    /// A string-collection attribute (`physicalIds`, `systemLabels`).
    pub fn is_collection(self) -> bool {
        matches!(self, Attr::PhysicalIds | Attr::SystemLabels)
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Ne,
    StartsWith,
    NotStartsWith,
    EndsWith,
    NotEndsWith,
    Contains,
    NotContains,
    In,
    NotIn,
}

impl Op {
    const ALL: [(Op, &'static str); 10] = [
        (Op::Eq, "eq"),
        (Op::Ne, "ne"),
        (Op::StartsWith, "startsWith"),
        (Op::NotStartsWith, "notStartsWith"),
        (Op::EndsWith, "endsWith"),
        (Op::NotEndsWith, "notEndsWith"),
        (Op::Contains, "contains"),
        (Op::NotContains, "notContains"),
        (Op::In, "in"),
        (Op::NotIn, "notIn"),
    ];

    /// The operator as written in rules, with its hyphen (`-startsWith`).
    pub fn name(self) -> &'static str {
        match self {
            Op::Eq => "-eq",
            Op::Ne => "-ne",
            Op::StartsWith => "-startsWith",
            Op::NotStartsWith => "-notStartsWith",
            Op::EndsWith => "-endsWith",
            Op::NotEndsWith => "-notEndsWith",
            Op::Contains => "-contains",
            Op::NotContains => "-notContains",
            Op::In => "-in",
            Op::NotIn => "-notIn",
        }
    }

    fn from_word(word: &str) -> Option<Op> {
        Op::ALL
            .iter()
            .find(|(_, n)| n.eq_ignore_ascii_case(word))
            .map(|(op, _)| *op)
    }

    /// A negative operator (`-ne`, `-not…`): true on null attributes.
    pub fn is_negative(self) -> bool {
        matches!(
            self,
            Op::Ne | Op::NotStartsWith | Op::NotEndsWith | Op::NotContains | Op::NotIn
        )
    }

    /// The positive counterpart (`-ne` → `-eq`); positive operators map to themselves.
    pub fn positive(self) -> Op {
        match self {
            Op::Ne => Op::Eq,
            Op::NotStartsWith => Op::StartsWith,
            Op::NotEndsWith => Op::EndsWith,
            Op::NotContains => Op::Contains,
            Op::NotIn => Op::In,
            other => other,
        }
    }
}

/// A literal on the right-hand side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// A quoted string, kept as written and lower-cased for comparison.
    Str { text: String, lower: String },
    /// `True` / `False`.
    Bool(bool),
    /// `null`.
    Null,
    /// `["a", "b"]` (for `-in` / `-notIn`), lower-cased.
    List(Vec<String>),
}

/// A parsed rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// `device.<attr> <op> <value>`; `at` is the byte offset of `device`.
    Cmp {
        attr: Attr,
        op: Op,
        value: Literal,
        at: usize,
    },
    /// `-not <expr>`.
    Not(Box<Expr>),
    /// `<expr> -and <expr> …` (two or more).
    And(Vec<Expr>),
    /// `<expr> -or <expr> …` (two or more).
    Or(Vec<Expr>),
}

/// A rule that does not parse: what and where (byte offset into the rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset of the offending token (the rule's length at end of input).
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for ParseError {}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError {
        offset,
        message: message.into(),
    })
}

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    /// A bare word; `dashed` when written with a leading hyphen (`-eq`).
    Word {
        text: String,
        dashed: bool,
    },
    Str(String),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    at: usize,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

fn is_dash(c: char) -> bool {
    c == '-' || c == '\u{2013}'
}

fn tokenize(rule: &str) -> Result<Vec<Token>, ParseError> {
    let mut out = Vec::new();
    let mut chars = rule.char_indices().peekable();
    while let Some(&(at, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let simple = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(tok) = simple {
            chars.next();
            out.push(Token { tok, at });
            continue;
        }
        if c == '"' || c == '\'' {
            chars.next();
            let mut text = String::new();
            let mut closed = false;
            while let Some((_, ch)) = chars.next() {
                if c == '"' && ch == '`' {
                    match chars.next() {
                        Some((_, escaped)) => text.push(escaped),
                        None => break,
                    }
                } else if ch == c {
                    if c == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                        chars.next();
                        text.push('\'');
                    } else {
                        closed = true;
                        break;
                    }
                } else {
                    text.push(ch);
                }
            }
            if !closed {
                return err(at, format!("unterminated string starting with {c}"));
            }
            out.push(Token {
                tok: Tok::Str(text),
                at,
            });
            continue;
        }
        let dashed = is_dash(c);
        if dashed {
            chars.next();
            if !chars.peek().is_some_and(|&(_, n)| n.is_ascii_alphabetic()) {
                return err(at, "expected an operator name after `-`");
            }
        } else if !is_word_char(c) {
            return err(at, format!("unexpected character `{c}`"));
        }
        let mut text = String::new();
        while let Some(&(_, ch)) = chars.peek() {
            if is_word_char(ch) {
                text.push(ch);
                chars.next();
            } else {
                break;
            }
        }
        out.push(Token {
            tok: Tok::Word { text, dashed },
            at,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    len: usize,
    rule: &'a str,
}

/// Logical keywords (`and`, `or`, `not`), with or without the hyphen.
fn keyword(tok: &Tok, name: &str) -> bool {
    matches!(tok, Tok::Word { text, .. } if text.eq_ignore_ascii_case(name))
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn here(&self) -> usize {
        self.peek().map_or(self.len, |t| t.at)
    }

    fn describe(&self, t: &Token) -> String {
        let end = self
            .tokens
            .get(self.pos)
            .map_or(self.len, |n| n.at)
            .max(t.at);
        let text = self.rule.get(t.at..end).unwrap_or("").trim();
        if text.is_empty() {
            "end of rule".into()
        } else {
            format!("`{}`", text.chars().take(40).collect::<String>())
        }
    }

    fn or(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut items = vec![self.and(depth)?];
        while self.peek().is_some_and(|t| keyword(&t.tok, "or")) {
            self.next();
            items.push(self.and(depth)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::Or(items)
        })
    }

    fn and(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let mut items = vec![self.unary(depth)?];
        while self.peek().is_some_and(|t| keyword(&t.tok, "and")) {
            self.next();
            items.push(self.unary(depth)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Expr::And(items)
        })
    }

    fn unary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        if depth >= MAX_DEPTH {
            return err(
                self.here(),
                format!("the rule nests deeper than {MAX_DEPTH} levels"),
            );
        }
        if self.peek().is_some_and(|t| keyword(&t.tok, "not")) {
            self.next();
            return Ok(Expr::Not(Box::new(self.unary(depth + 1)?)));
        }
        self.primary(depth)
    }

    fn primary(&mut self, depth: usize) -> Result<Expr, ParseError> {
        let Some(t) = self.next() else {
            return err(
                self.len,
                "expected a comparison such as `device.trustType -eq \"AzureAD\"`, found the end of the rule",
            );
        };
        match &t.tok {
            Tok::LParen => {
                let inner = self.or(depth + 1)?;
                match self.next() {
                    Some(Token {
                        tok: Tok::RParen, ..
                    }) => Ok(inner),
                    Some(other) => err(
                        other.at,
                        format!("expected `)`, found {}", self.describe(&other)),
                    ),
                    None => err(
                        self.len,
                        format!("missing `)` for the `(` at byte {}", t.at),
                    ),
                }
            }
            Tok::Word {
                text,
                dashed: false,
            } => self.comparison(text.clone(), t.at),
            _ => err(
                t.at,
                format!(
                    "expected a comparison such as `device.trustType -eq \"AzureAD\"`, found {}",
                    self.describe(&t)
                ),
            ),
        }
    }

    fn comparison(&mut self, word: String, at: usize) -> Result<Expr, ParseError> {
        let Some((object, name)) = word.split_once('.') else {
            return err(at, format!("expected `device.<attribute>`, found `{word}`"));
        };
        if !object.eq_ignore_ascii_case("device") {
            return err(
                at,
                format!("device filters can only use `device.` attributes, found `{word}`"),
            );
        }
        let attr = Attr::from_name(name).ok_or_else(|| {
            let hint = crate::diag::did_you_mean(name, Attr::all().map(Attr::name))
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            ParseError {
                offset: at + object.len() + 1,
                message: format!("unknown device attribute `{name}`{hint}"),
            }
        })?;
        let op_tok = self.next().ok_or_else(|| ParseError {
            offset: self.len,
            message: format!("expected an operator such as `-eq` after `{word}`"),
        })?;
        let op = match &op_tok.tok {
            Tok::Word { text, .. } => match Op::from_word(text) {
                Some(op) => op,
                None if ["match", "notmatch", "any", "all"]
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(text)) =>
                {
                    return err(
                        op_tok.at,
                        format!(
                            "`-{text}` is not supported in device filters (use -eq, -ne, -startsWith, -notStartsWith, -endsWith, -notEndsWith, -contains, -notContains, -in or -notIn)"
                        ),
                    );
                }
                None => {
                    return err(
                        op_tok.at,
                        format!(
                            "unknown operator `{text}`; expected one of -eq, -ne, -startsWith, -notStartsWith, -endsWith, -notEndsWith, -contains, -notContains, -in, -notIn"
                        ),
                    );
                }
            },
            _ => {
                return err(
                    op_tok.at,
                    format!(
                        "expected an operator such as `-eq`, found {}",
                        self.describe(&op_tok)
                    ),
                );
            }
        };
        let value = self.literal()?;
        match (&value, op) {
            (Literal::List(_), Op::In | Op::NotIn) => {}
            (_, Op::In | Op::NotIn) => {
                return err(
                    self.tokens.get(self.pos - 1).map_or(self.len, |t| t.at),
                    format!("`{}` takes a list such as [\"a\", \"b\"]", op.name()),
                );
            }
            (Literal::List(_), _) => {
                return err(
                    op_tok.at,
                    format!(
                        "`{}` takes a single value; a list needs `-in` or `-notIn`",
                        op.name()
                    ),
                );
            }
            (Literal::Null, Op::Eq | Op::Ne) => {}
            (Literal::Null, _) => {
                return err(op_tok.at, "`null` can only be compared with `-eq` or `-ne`");
            }
            _ => {}
        }
        Ok(Expr::Cmp {
            attr,
            op,
            value,
            at,
        })
    }

    fn literal(&mut self) -> Result<Literal, ParseError> {
        let Some(t) = self.next() else {
            return err(
                self.len,
                "expected a value such as \"AzureAD\", True or [\"a\", \"b\"], found the end of the rule",
            );
        };
        match t.tok {
            Tok::Str(text) => {
                let lower = text.to_lowercase();
                Ok(Literal::Str { text, lower })
            }
            Tok::Word {
                ref text,
                dashed: false,
            } if text.eq_ignore_ascii_case("true") => Ok(Literal::Bool(true)),
            Tok::Word {
                ref text,
                dashed: false,
            } if text.eq_ignore_ascii_case("false") => Ok(Literal::Bool(false)),
            Tok::Word {
                ref text,
                dashed: false,
            } if text.eq_ignore_ascii_case("null") => Ok(Literal::Null),
            Tok::LBracket => {
                let mut items = Vec::new();
                loop {
                    match self.next() {
                        Some(Token {
                            tok: Tok::Str(s), ..
                        }) => items.push(s.to_lowercase()),
                        Some(Token {
                            tok: Tok::RBracket, ..
                        }) if items.is_empty() => {
                            return err(t.at, "an `-in` list needs at least one value");
                        }
                        Some(other) => {
                            return err(
                                other.at,
                                format!(
                                    "expected a quoted string in the list, found {}",
                                    self.describe(&other)
                                ),
                            );
                        }
                        None => return err(self.len, "missing `]` to close the list"),
                    }
                    match self.next() {
                        Some(Token {
                            tok: Tok::Comma, ..
                        }) => {}
                        Some(Token {
                            tok: Tok::RBracket, ..
                        }) => return Ok(Literal::List(items)),
                        Some(other) => {
                            return err(
                                other.at,
                                format!("expected `,` or `]`, found {}", self.describe(&other)),
                            );
                        }
                        None => return err(self.len, "missing `]` to close the list"),
                    }
                }
            }
            _ => err(
                t.at,
                format!(
                    "expected a value such as \"AzureAD\", True or [\"a\", \"b\"], found {}; strings must be quoted",
                    self.describe(&t)
                ),
            ),
        }
    }
}

/// Parses a device filter rule.
pub fn parse(rule: &str) -> Result<Expr, ParseError> {
    let tokens = tokenize(rule)?;
    if tokens.is_empty() {
        return err(0, "the rule is empty");
    }
    let mut p = Parser {
        tokens,
        pos: 0,
        len: rule.len(),
        rule,
    };
    let expr = p.or(0)?;
    if let Some(t) = p.next() {
        let what = p.describe(&t);
        return err(
            t.at,
            format!(
                "unexpected {what} after a complete expression; join expressions with -and or -or"
            ),
        );
    }
    Ok(expr)
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

/// ASCII fast path, Unicode lower-casing otherwise; `needle` is lower-case.
fn starts_with_ci(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        hay.len() >= needle.len()
            && hay.as_bytes()[..needle.len()].eq_ignore_ascii_case(needle.as_bytes())
    } else {
        hay.to_lowercase().starts_with(needle)
    }
}

fn ends_with_ci(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        hay.len() >= needle.len()
            && hay.as_bytes()[hay.len() - needle.len()..].eq_ignore_ascii_case(needle.as_bytes())
    } else {
        hay.to_lowercase().ends_with(needle)
    }
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        hay.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    } else {
        hay.to_lowercase().contains(needle)
    }
}

fn eq_ci(a: &str, lower: &str) -> bool {
    if a.is_ascii() && lower.is_ascii() {
        a.eq_ignore_ascii_case(lower)
    } else {
        a.to_lowercase() == lower
    }
}

/// One scalar device value compared with a positive operator.
fn scalar(op: Op, have: &str, value: &Literal) -> bool {
    match (op, value) {
        (Op::In, Literal::List(items)) => items.iter().any(|i| eq_ci(have, i)),
        (_, Literal::Str { lower, .. }) => match op {
            Op::Eq => eq_ci(have, lower),
            Op::StartsWith => starts_with_ci(have, lower),
            Op::EndsWith => ends_with_ci(have, lower),
            Op::Contains => contains_ci(have, lower),
            _ => false,
        },
        (_, Literal::Bool(b)) => {
            let want = if *b { "true" } else { "false" };
            match op {
                Op::Eq => eq_ci(have, want),
                Op::StartsWith => starts_with_ci(have, want),
                Op::EndsWith => ends_with_ci(have, want),
                Op::Contains => contains_ci(have, want),
                _ => false,
            }
        }
        _ => false,
    }
}

impl Device {
    /// Extension attributes are readable: the device is Intune managed,
    /// compliant or hybrid joined (see the module docs).
    pub fn extension_attributes_available(&self) -> bool {
        let compliant = matches!(
            self.attributes.get("isCompliant"),
            Some(DeviceValue::Bool(true))
        ) || matches!(self.attributes.get("isCompliant"), Some(DeviceValue::String(s)) if s.eq_ignore_ascii_case("true"));
        let hybrid = matches!(self.attributes.get("trustType"), Some(DeviceValue::String(s)) if s.eq_ignore_ascii_case("ServerAD"));
        let intune = matches!(self.attributes.get("mdmAppId"), Some(DeviceValue::String(s)) if s.eq_ignore_ascii_case(INTUNE_APP_ID));
        compliant || hybrid || intune
    }

    /// The value a filter sees for `attr`: `None` (null) when the device is
    /// not registered, the attribute is absent, or it is an extension
    /// attribute that is not available.
    pub fn filter_value(&self, attr: Attr) -> Option<&DeviceValue> {
        if !self.registered {
            return None;
        }
        if matches!(attr, Attr::ExtensionAttribute(_)) && !self.extension_attributes_available() {
            return None;
        }
        self.attributes.get(attr.name())
    }
}

impl Expr {
    /// Evaluates the rule against a device.
    pub fn matches(&self, device: &Device) -> bool {
        match self {
            Expr::Cmp {
                attr, op, value, ..
            } => {
                let have = device.filter_value(*attr);
                if *value == Literal::Null {
                    return (*op == Op::Eq) == have.is_none();
                }
                let Some(have) = have else {
                    return op.is_negative();
                };
                let positive = op.positive();
                let hit = match have {
                    DeviceValue::String(s) => scalar(positive, s, value),
                    DeviceValue::Bool(b) => {
                        scalar(positive, if *b { "true" } else { "false" }, value)
                    }
                    // Collections: an element matches. `-contains` compares whole
                    // elements (filter page, note on Contains for collections).
                    DeviceValue::List(items) => {
                        let op = if positive == Op::Contains {
                            Op::Eq
                        } else {
                            positive
                        };
                        items.iter().any(|i| scalar(op, i, value))
                    }
                };
                hit != op.is_negative()
            }
            Expr::Not(inner) => !inner.matches(device),
            Expr::And(items) => items.iter().all(|e| e.matches(device)),
            Expr::Or(items) => items.iter().any(|e| e.matches(device)),
        }
    }

    /// The rule reads an `extensionAttributeN`.
    pub fn uses_extension_attributes(&self) -> bool {
        match self {
            Expr::Cmp { attr, .. } => matches!(attr, Attr::ExtensionAttribute(_)),
            Expr::Not(inner) => inner.uses_extension_attributes(),
            Expr::And(items) | Expr::Or(items) => items.iter().any(Expr::uses_extension_attributes),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn device(attrs: &[(&str, DeviceValue)]) -> Device {
        Device {
            registered: true,
            attributes: attrs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn s(v: &str) -> DeviceValue {
        DeviceValue::String(v.into())
    }

    fn list(v: &[&str]) -> DeviceValue {
        DeviceValue::List(v.iter().map(|x| (*x).to_owned()).collect())
    }

    fn eval(rule: &str, d: &Device) -> bool {
        parse(rule)
            .unwrap_or_else(|e| panic!("{rule}: {e}"))
            .matches(d)
    }

    /// A registered Entra-joined, compliant Windows device.
    fn windows() -> Device {
        device(&[
            ("trustType", s("AzureAD")),
            ("isCompliant", DeviceValue::Bool(true)),
            ("operatingSystem", s("Windows")),
            ("operatingSystemVersion", s("10.0.22631")),
            ("model", s("Surface Laptop 5")),
            ("manufacturer", s("Microsoft Corporation")),
            ("extensionAttribute1", s("SAW")),
            ("systemLabels", list(&["CloudPC", "M365Managed"])),
            ("physicalIds", list(&["[ZTDId]:abc", "[OrderId]:42"])),
            ("deviceOwnership", s("Company")),
        ])
    }

    // Operators and attributes: concept-condition-filters-for-devices
    // (supported operators table); case-insensitive strings:
    // groups-dynamic-membership "Supported values".
    #[test]
    fn comparison_table() {
        let d = windows();
        let cases: &[(&str, bool)] = &[
            (r#"device.trustType -eq "AzureAD""#, true),
            (r#"device.trustType -eq "azuread""#, true),
            (r#"device.TRUSTTYPE -EQ "AzureAD""#, true),
            (r#"device.trustType eq "AzureAD""#, true),
            (r#"device.trustType -ne "ServerAD""#, true),
            (r#"device.isCompliant -eq True"#, true),
            (r#"device.isCompliant -eq "True""#, true),
            (r#"device.isCompliant -ne True"#, false),
            (r#"device.isCompliant -eq false"#, false),
            (r#"device.operatingSystemVersion -startsWith "10.0""#, true),
            (
                r#"device.operatingSystemVersion -notStartsWith "10.0""#,
                false,
            ),
            (r#"device.model -endsWith "laptop 5""#, true),
            (r#"device.model -notEndsWith "5""#, false),
            (r#"device.model -contains "SURFACE""#, true),
            (r#"device.model -notContains "Surface""#, false),
            (
                r#"device.operatingSystemVersion -in ["10.0.19045", "10.0.22631"]"#,
                true,
            ),
            (
                r#"device.operatingSystemVersion -notIn ['10.0.19045', '10.0.22631']"#,
                false,
            ),
            (r#"device.manufacturer -in ["microsoft corporation"]"#, true),
            // Collections: -contains matches a whole element only.
            (r#"device.systemLabels -contains "CloudPC""#, true),
            (r#"device.systemLabels -contains "Cloud""#, false),
            (r#"device.systemLabels -notContains "MultiUser""#, true),
            (r#"device.physicalIds -contains "[ZTDId]:abc""#, true),
            // Token protection guide's form: -eq on systemLabels.
            (r#"device.systemLabels -eq "cloudpc""#, true),
            (r#"device.extensionAttribute1 -eq "SAW""#, true),
            (
                r#"device.deviceid -eq "aaaaaaaa-0000-1111-2222-bbbbbbbbbbbb""#,
                false,
            ),
            (r#"device.displayName -eq null"#, true),
            (r#"device.model -ne null"#, true),
            // En dash as printed in Learn's examples.
            ("device.trustType \u{2013}eq \"AzureAD\"", true),
            (r#"device.deviceOwnership -eq "company""#, true),
        ];
        for (rule, want) in cases {
            assert_eq!(eval(rule, &d), *want, "{rule}");
        }
    }

    // Precedence: comparison > -not > -and > -or; parentheses override
    // (groups-dynamic-membership "Operator precedence").
    #[test]
    fn precedence_and_parentheses() {
        let d = windows();
        // true -or (false -and false) = true; (true -or false) -and false = false
        let t = r#"device.trustType -eq "AzureAD""#;
        let f = r#"device.trustType -eq "ServerAD""#;
        assert!(eval(&format!("{t} -or {f} -and {f}"), &d));
        assert!(!eval(&format!("({t} -or {f}) -and {f}"), &d));
        assert!(eval(&format!("{f} -and {f} -or {t}"), &d));
        assert!(!eval(&format!("{f} -and ({f} -or {t})"), &d));
        // -not binds tighter than -and.
        assert!(!eval(&format!("-not {t} -and {t}"), &d));
        assert!(eval(&format!("-not ({t} -and {f})"), &d));
        assert!(eval(&format!("not {f} and {t}"), &d));
        assert!(eval(&format!("((({t})))"), &d));
        match parse(&format!("{t} -or {f} -and {f}")).unwrap() {
            Expr::Or(items) => {
                assert_eq!(items.len(), 2);
                assert!(matches!(items[1], Expr::And(_)));
            }
            other => panic!("{other:?}"),
        }
        // Microsoft template 62e51ccc's rule.
        let rule = r#"device.trustType -ne "ServerAD" -or device.isCompliant -ne True"#;
        assert!(eval(rule, &d));
        let hybrid_compliant = device(&[
            ("trustType", s("ServerAD")),
            ("isCompliant", DeviceValue::Bool(true)),
        ]);
        assert!(!eval(rule, &hybrid_compliant));
    }

    // Null attributes: positive operators never match an unregistered
    // device, negative operators do (concept-condition-filters-for-devices,
    // "Policy behavior with filter for devices").
    #[test]
    fn null_attributes() {
        let unregistered = Device::default();
        let cases: &[(&str, bool)] = &[
            (r#"device.trustType -eq "AzureAD""#, false),
            (r#"device.trustType -ne "AzureAD""#, true),
            (r#"device.model -startsWith "S""#, false),
            (r#"device.model -notStartsWith "S""#, true),
            (r#"device.model -endsWith "S""#, false),
            (r#"device.model -notEndsWith "S""#, true),
            (r#"device.model -contains "S""#, false),
            (r#"device.model -notContains "S""#, true),
            (r#"device.model -in ["S"]"#, false),
            (r#"device.model -notIn ["S"]"#, true),
            (r#"device.isCompliant -eq True"#, false),
            (r#"device.isCompliant -ne True"#, true),
            (r#"device.systemLabels -contains "CloudPC""#, false),
            (r#"device.systemLabels -notContains "CloudPC""#, true),
            (r#"device.model -eq null"#, true),
            (r#"device.model -ne null"#, false),
        ];
        for (rule, want) in cases {
            assert_eq!(eval(rule, &unregistered), *want, "{rule}");
        }
        // Attributes given but the device flagged unregistered: still null.
        let mut d = windows();
        d.registered = false;
        assert!(!eval(r#"device.trustType -eq "AzureAD""#, &d));
        // A registered device without the attribute: null for that attribute.
        assert!(eval(
            r#"device.enrollmentProfileName -ne "Kiosk""#,
            &windows()
        ));
        assert!(!eval(
            r#"device.enrollmentProfileName -eq "Kiosk""#,
            &windows()
        ));
    }

    // extensionAttribute1-15 need an Intune-managed, compliant or hybrid
    // joined device (concept-condition-filters-for-devices, warning).
    #[test]
    fn extension_attributes_need_a_managed_device() {
        let rule = r#"device.extensionAttribute1 -eq "SAW""#;
        let plain = device(&[
            ("trustType", s("Workplace")),
            ("extensionAttribute1", s("SAW")),
        ]);
        assert!(!eval(rule, &plain));
        assert!(eval(r#"device.extensionAttribute1 -ne "SAW""#, &plain));
        let hybrid = device(&[
            ("trustType", s("ServerAD")),
            ("extensionAttribute1", s("SAW")),
        ]);
        assert!(eval(rule, &hybrid));
        let intune = device(&[
            ("mdmAppId", s("0000000A-0000-0000-C000-000000000000")),
            ("extensionAttribute1", s("saw")),
        ]);
        assert!(eval(rule, &intune));
        assert!(parse(rule).unwrap().uses_extension_attributes());
        assert!(
            !parse(r#"device.model -eq "x""#)
                .unwrap()
                .uses_extension_attributes()
        );
    }

    #[test]
    fn strings_and_escapes() {
        let d = device(&[("displayName", s("Bob's \"PC\""))]);
        assert!(eval(r#"device.displayName -eq 'Bob''s "PC"'"#, &d));
        assert!(eval("device.displayName -eq \"Bob's `\"PC`\"\"", &d));
        let unicode = device(&[("displayName", s("ÄRGER-Laptop"))]);
        assert!(eval(r#"device.displayName -startsWith "ärger""#, &unicode));
        assert!(eval(r#"device.displayName -contains "GER-lap""#, &unicode));
        assert!(eval(r#"device.displayName -in ["ärger-laptop"]"#, &unicode));
    }

    fn parse_err(rule: &str) -> ParseError {
        parse(rule).expect_err(rule)
    }

    #[test]
    fn positioned_errors() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 0, "empty"),
            ("   ", 0, "empty"),
            (
                r#"device.trustTyp -eq "AzureAD""#,
                7,
                "did you mean `trustType`",
            ),
            (r#"user.department -eq "x""#, 0, "only use `device.`"),
            (r#"device.trustType -eq"#, 20, "expected a value"),
            (r#"device.trustType -equals "x""#, 17, "unknown operator"),
            (r#"device.model -match "x""#, 13, "not supported"),
            (r#"device.model -eq x"#, 17, "strings must be quoted"),
            (r#"device.model -eq "x"#, 17, "unterminated"),
            (r#"device.model -in "x""#, 17, "takes a list"),
            (r#"device.model -eq ["x"]"#, 13, "single value"),
            (r#"device.model -in []"#, 17, "at least one value"),
            (r#"device.model -in ["x" "y"]"#, 22, "expected `,` or `]`"),
            (r#"device.model -in ["x","#, 22, "missing `]`"),
            (r#"device.model -contains null"#, 13, "null"),
            (r#"(device.model -eq "x""#, 21, "missing `)`"),
            (r#"device.model -eq "x")"#, 20, "unexpected"),
            (
                r#"device.model -eq "x" device.model -eq "y""#,
                21,
                "join expressions",
            ),
            (r#"device.model -eq "x" -and"#, 25, "found the end"),
            (r#"-and device.model -eq "x""#, 0, "expected a comparison"),
            (r#"device.model == "x""#, 13, "unexpected character `=`"),
            (r#"device.model - eq "x""#, 13, "operator name after `-`"),
            (r#"device -eq "x""#, 0, "expected `device.<attribute>`"),
        ];
        for (rule, offset, needle) in cases {
            let e = parse_err(rule);
            assert_eq!(e.offset, *offset, "{rule}: {e}");
            assert!(e.message.contains(needle), "{rule}: {e}");
        }
        let deep = format!(
            "{}device.model -eq \"x\"{}",
            "(".repeat(200),
            ")".repeat(200)
        );
        assert!(parse_err(&deep).message.contains("nests deeper"));
        let nots = format!("{}device.model -eq \"x\"", "-not ".repeat(200));
        assert!(parse_err(&nots).message.contains("nests deeper"));
    }

    /// Never panics: random rules built from the grammar, then mutated with
    /// junk tokens, deletions and truncation (a small xorshift generator
    /// keeps the test deterministic).
    #[test]
    fn fuzz_never_panics() {
        const JUNK: &[&str] = &[
            "device.",
            "-eq",
            "-in",
            "-and",
            "-or",
            "-not",
            "not",
            "(",
            ")",
            "[",
            "]",
            ",",
            "\"",
            "'",
            "`",
            "True",
            "null",
            " ",
            "-",
            "\u{2013}",
            "ä",
            "\u{0}",
            "=",
            "\"x",
            "'it''s'",
            "x",
            "9",
            ".",
            "-match",
            "\u{1F600}",
            "\\",
            "device.extensionAttribute16",
        ];
        const ATTRS: &[&str] = &[
            "device.trustType",
            "device.model",
            "device.systemLabels",
            "device.extensionAttribute7",
            "device.isCompliant",
            "device.deviceId",
            "device.DISPLAYNAME",
        ];
        const OPS: &[&str] = &[
            "-eq",
            "-ne",
            "-startsWith",
            "-notContains",
            "-in",
            "-notIn",
            "eq",
            "-CONTAINS",
        ];
        const VALUES: &[&str] = &[
            "\"AzureAD\"",
            "'x'",
            "True",
            "false",
            "null",
            "[\"a\",\"b\"]",
            "\"ä`\"\"",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let d = windows();
        let (mut parsed, mut rejected) = (0, 0);
        for _ in 0..20_000 {
            // A grammatical rule of 1–4 comparisons…
            let mut pieces: Vec<String> = Vec::new();
            for i in 0..=next(4) {
                if i > 0 {
                    pieces.push(["-and", "-or", "and", "OR"][next(4)].into());
                }
                if next(4) == 0 {
                    pieces.push("-not".into());
                }
                let open = next(3) == 0;
                if open {
                    pieces.push("(".into());
                }
                pieces.push(ATTRS[next(ATTRS.len())].into());
                pieces.push(OPS[next(OPS.len())].into());
                pieces.push(VALUES[next(VALUES.len())].into());
                if open {
                    pieces.push(")".into());
                }
            }
            // …then, most of the time, damaged.
            for _ in 0..next(4) {
                let at = next(pieces.len() + 1);
                match next(3) {
                    0 => pieces.insert(at, JUNK[next(JUNK.len())].into()),
                    1 if at < pieces.len() => {
                        pieces.remove(at);
                    }
                    _ => pieces.truncate(at),
                }
            }
            let rule = pieces.join(if next(2) == 0 { " " } else { "  " });
            match parse(&rule) {
                Ok(expr) => {
                    parsed += 1;
                    let _ = expr.matches(&d);
                    let _ = expr.matches(&Device::default());
                    let _ = expr.uses_extension_attributes();
                }
                Err(e) => {
                    rejected += 1;
                    assert!(e.offset <= rule.len(), "{rule:?}: {e}");
                    assert!(rule.is_char_boundary(e.offset), "{rule:?}: {e}");
                    assert!(!e.message.is_empty());
                }
            }
        }
        eprintln!("fuzz: {parsed} parsed, {rejected} rejected");
        assert!(
            parsed > 1000 && rejected > 1000,
            "{parsed} parsed, {rejected} rejected"
        );
    }
}
