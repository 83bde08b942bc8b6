//! Bytes → text. Exported policies arrive as UTF-8, UTF-8 with BOM and UTF-16
//! LE/BE with BOM (PowerShell 5 `Out-File` writes UTF-16 LE with a BOM:
//! <https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_character_encoding>;
//! IntuneManagement exports). Anything that is not valid text is a
//! positioned error, never a lossy conversion.

use super::Position;

/// Why the bytes are not text caac accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Where the problem starts.
    pub position: Position,
    /// What is wrong.
    pub message: String,
    /// The text as far as it can be shown (invalid bytes replaced), for the snippet.
    pub text: String,
}

/// Decodes `bytes` into a `String`, sniffing a BOM (UTF-8, UTF-16 LE/BE) and
/// BOM-less UTF-16 (a NUL in every other byte of the first characters).
pub fn decode(bytes: &[u8]) -> Result<String, DecodeError> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16(rest, u16::from_le_bytes, "UTF-16LE");
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return utf16(rest, u16::from_be_bytes, "UTF-16BE");
    }
    // BOM-less UTF-16: ASCII-heavy text has a NUL in every second byte.
    if bytes.len() >= 4 && bytes[0] != 0 && bytes[1] == 0 && bytes[2] != 0 && bytes[3] == 0 {
        return utf16(bytes, u16::from_le_bytes, "UTF-16LE");
    }
    if bytes.len() >= 4 && bytes[0] == 0 && bytes[1] != 0 && bytes[2] == 0 && bytes[3] != 0 {
        return utf16(bytes, u16::from_be_bytes, "UTF-16BE");
    }
    utf8(bytes)
}

fn utf8(bytes: &[u8]) -> Result<String, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => reject_nul(text),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            // SAFETY of the unwrap-free path: `valid_up_to` marks a valid prefix.
            let prefix = std::str::from_utf8(valid).unwrap_or_default();
            Err(DecodeError {
                position: Position::at_end_of(prefix),
                text: String::from_utf8_lossy(bytes).into_owned(),
                message: format!(
                    "invalid UTF-8 (byte 0x{:02X} at offset {}); save the file as UTF-8 or UTF-16 with a BOM",
                    bytes[e.valid_up_to()],
                    e.valid_up_to()
                ),
            })
        }
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16, name: &str) -> Result<String, DecodeError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(DecodeError {
            position: Position::start(),
            text: String::new(),
            message: format!(
                "{name} text has an odd number of bytes ({}); the file is truncated",
                bytes.len()
            ),
        });
    }
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    for decoded in char::decode_utf16(units) {
        match decoded {
            Ok(c) => text.push(c),
            Err(e) => {
                let shown: String =
                    char::decode_utf16(bytes.chunks_exact(2).map(|c| unit([c[0], c[1]])))
                        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                        .collect();
                return Err(DecodeError {
                    position: Position::at_end_of(&text),
                    text: shown,
                    message: format!(
                        "invalid {name}: unpaired surrogate 0x{:04X}",
                        e.unpaired_surrogate()
                    ),
                });
            }
        }
    }
    reject_nul(&text).map(|_| text)
}

/// YAML forbids NUL; reporting it here gives a clearer message than the parser.
fn reject_nul(text: &str) -> Result<String, DecodeError> {
    match text.find('\0') {
        Some(i) => Err(DecodeError {
            position: Position::at_end_of(&text[..i]),
            // Show NUL as the visible symbol for it.
            text: text.replace('\0', "\u{2400}"),
            message: "NUL byte in text; the file is binary or in an unsupported encoding".into(),
        }),
        None => Ok(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode(b"a: 1").unwrap(), "a: 1");
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1").unwrap(), "a: 1");
    }

    #[test]
    fn utf16_le_be_with_bom_and_crlf() {
        let le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("{\r\n}".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&le).unwrap(), "{\r\n}");
        let be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("{}".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(&be).unwrap(), "{}");
    }

    #[test]
    fn bomless_utf16() {
        let le: Vec<u8> = "{\"a\": 1}"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(decode(&le).unwrap(), "{\"a\": 1}");
    }

    #[test]
    fn odd_utf16_invalid_utf8_and_nul_are_errors() {
        assert!(
            decode(&[0xFF, 0xFE, 0x41])
                .unwrap_err()
                .message
                .contains("odd")
        );
        let e = decode(b"a: 1\nb: \xFF").unwrap_err();
        assert_eq!((e.position.line, e.position.column), (2, 4));
        let e = decode(b"a: 1\0").unwrap_err();
        assert!(e.message.contains("NUL"));
    }
}
