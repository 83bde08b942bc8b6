//! Escaping text from specs and the tenant file for the documents caac
//! writes: Markdown (`caac report`, `caac impact --format markdown`), HTML
//! (`caac report --format html`, the `<details>` blocks of impact's
//! Markdown) and XML (`caac test --junit`).
//!
//! Contract: every function is total and pure; the output, pasted where the
//! function's doc says, renders as the literal input text — a display name
//! such as `<script>` or `a|b` can neither inject markup nor break a table.
//! There is one escaper per target language and every renderer uses these
//! (no renderer keeps its own copy).
//!
//! Sources: CommonMark backslash escapes
//! (<https://spec.commonmark.org/0.31.2/#backslash-escapes>) and code spans
//! (<https://spec.commonmark.org/0.31.2/#code-spans>); GitHub Flavored
//! Markdown tables, where `\|` is needed even inside a code span
//! (<https://github.github.com/gfm/#tables-extension->); HTML character
//! references (<https://html.spec.whatwg.org/multipage/syntax.html#character-references>);
//! XML 1.0 characters and predefined entities
//! (<https://www.w3.org/TR/xml/#charsets>, <https://www.w3.org/TR/xml/#syntax>).

/// Inline Markdown text, also inside a GFM table cell: the punctuation
/// CommonMark and GFM give a meaning inline is backslash-escaped, line
/// breaks become spaces (a table row is one line).
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An inline Markdown code span holding `s` literally: a fence one backtick
/// longer than any run inside, padded with one space each side so a leading
/// or trailing backtick stays literal (CommonMark strips one space each
/// side). `|` is escaped because GitHub splits table cells on it even in
/// code; line breaks become spaces.
pub fn markdown_code(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for ch in s.chars() {
        run = if ch == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let body = s.replace(['\n', '\r'], " ").replace('|', "\\|");
    format!("{fence} {body} {fence}")
}

/// HTML element content or a quoted attribute value (either quote):
/// `& < > " '` become character references.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// XML 1.0 text or attribute content: markup characters escaped, characters
/// XML 1.0 cannot carry (most C0 controls, U+FFFE, U+FFFF) replaced by
/// U+FFFD, a carriage return kept as a reference (attribute normalisation
/// would otherwise turn it into a space).
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_all_five_markup_characters() {
        assert_eq!(
            html("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
        // Attribute values in either quote style stay closed.
        assert_eq!(html(r#"a" onload="x"#), "a&quot; onload=&quot;x");
        assert_eq!(html("it's"), "it&#39;s");
        assert_eq!(html("plain — ü"), "plain — ü");
    }

    #[test]
    fn markdown_escapes_inline_syntax_and_table_pipes() {
        assert_eq!(markdown("a|b*c_<d>"), "a\\|b\\*c\\_\\<d\\>");
        assert_eq!(
            markdown("[x](y) `z` #1 ~s~"),
            "\\[x\\](y) \\`z\\` \\#1 \\~s\\~"
        );
        assert_eq!(markdown("a\\b"), "a\\\\b");
        // An entity reference must not be decoded.
        assert_eq!(markdown("&amp;"), "\\&amp;");
        assert_eq!(markdown("two\nlines\r"), "two lines ");
    }

    #[test]
    fn markdown_code_spans_hold_any_text() {
        assert_eq!(markdown_code("a`b|c"), "`` a`b\\|c ``");
        assert_eq!(markdown_code("x"), "` x `");
        assert_eq!(markdown_code("``"), "``` `` ```");
        assert_eq!(markdown_code("a\nb"), "` a b `");
    }

    #[test]
    fn xml_escapes_markup_and_replaces_forbidden_characters() {
        assert_eq!(
            xml("a<b>&\"c\"'d'\u{1}\r\n"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;\u{FFFD}&#13;\n"
        );
        assert_eq!(xml("\u{FFFE}\u{FFFF}\t"), "\u{FFFD}\u{FFFD}\t");
    }
}
