//! Reading XML-RPC documents: a strict recursive descent over quick-xml events.
//!
//! Whitespace between elements, comments and processing instructions are skipped wherever they
//! occur, as is the XML declaration; struct members may come in any order (and a member's
//! `<value>` may even precede its `<name>`). A DOCTYPE is refused outright, so no entity is ever
//! declared, let alone expanded; the only references resolved are XML's five predefined entities
//! and character references.

use super::{fault_from_struct, ReadError, DEPTH_CEILING};
use crate::protocol::Limits;
use crate::protocol::{Call, Outcome, Params};
use crate::value::{self, Value};
use indexmap::IndexMap;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::borrow::Cow;
use std::num::IntErrorKind;

type Result<T, E = ReadError> = std::result::Result<T, E>;

/// Reads a `<methodCall>`.
pub fn decode_call(bytes: &[u8], limits: Limits) -> Result<Call> {
    let utf8 = as_utf8(bytes, limits)?;
    let mut parser = Parser::new(&utf8, limits);
    parser.open_root("methodCall")?;
    parser.expect_open("methodName", "methodCall")?;
    let method = parser.text_until_close("methodName")?.trim().to_owned();
    if method.is_empty() {
        return Err(parser.shape("<methodName> is empty"));
    }
    let params = match parser.next_tag("methodCall")? {
        Tag::Open(name) if name == "params" => {
            let params = parser.params()?;
            parser.expect_close("methodCall")?;
            params
        }
        // Some clients leave <params> out for a call without arguments.
        Tag::Close(name) if name == "methodCall" => Vec::new(),
        other => return Err(parser.unexpected(&other, "<params> or </methodCall>")),
    };
    parser.end_of_document()?;
    Ok(Call {
        method,
        params: Params::Positional(params),
    })
}

/// Reads a `<methodResponse>`: its one value, or its fault.
pub fn decode_response(bytes: &[u8], limits: Limits) -> Result<Outcome> {
    let utf8 = as_utf8(bytes, limits)?;
    let mut parser = Parser::new(&utf8, limits);
    parser.open_root("methodResponse")?;
    let outcome = match parser.next_tag("methodResponse")? {
        Tag::Open(name) if name == "params" => {
            let mut params = parser.params()?;
            if params.len() != 1 {
                return Err(parser.shape(&format!(
                    "a methodResponse carries exactly one <param>, this one has {}",
                    params.len()
                )));
            }
            Ok(params.remove(0))
        }
        Tag::Open(name) if name == "fault" => {
            parser.expect_open("value", "fault")?;
            let value = parser.value(0)?;
            parser.expect_close("fault")?;
            Err(fault_from_struct(&value).map_err(|e| parser.shape(&e))?)
        }
        other => return Err(parser.unexpected(&other, "<params> or <fault>")),
    };
    parser.expect_close("methodResponse")?;
    parser.end_of_document()?;
    Ok(outcome)
}

/// A document event, reduced to what XML-RPC's grammar looks at. Names and texts borrow from the
/// document wherever they can (a text is owned only when a reference had to be resolved): that
/// saves an allocation per tag and per text, a large part of reading a small call.
#[derive(Debug)]
enum Token<'a> {
    /// A start tag, by local name (so `<ex:nil/>` from Apache's extensions reads as `nil`).
    Open(Cow<'a, str>),
    Close(Cow<'a, str>),
    /// Character data: text with references resolved, or a CDATA section.
    Text(Cow<'a, str>),
    Eof,
}

/// A token with blank text skipped: what may come between elements.
#[derive(Debug)]
enum Tag<'a> {
    Open(Cow<'a, str>),
    Close(Cow<'a, str>),
    Eof,
}

struct Parser<'a> {
    document: &'a [u8],
    /// The document as text when all of it is valid UTF-8 (validated once, for every name);
    /// None otherwise, and each name is then validated where it is read, as before.
    valid_text: Option<&'a str>,
    reader: Reader<&'a [u8]>,
    max_depth: usize,
}

impl<'a> Parser<'a> {
    fn new(utf8: &'a [u8], limits: Limits) -> Self {
        let mut reader = Reader::from_reader(utf8);
        // `<nil/>` then reads exactly as `<nil></nil>`.
        reader.config_mut().expand_empty_elements = true;
        Parser {
            document: utf8,
            valid_text: std::str::from_utf8(utf8).ok(),
            reader,
            max_depth: limits.max_depth.min(DEPTH_CEILING),
        }
    }

    /// The next token, skipping comments, processing instructions and the XML declaration.
    fn next(&mut self) -> Result<Token<'a>> {
        loop {
            let event = self.reader.read_event().map_err(|e| self.syntax(&e))?;
            if let Some(token) = self.token(event)? {
                return Ok(token);
            }
        }
    }

    /// The token an event stands for; None for the events XML-RPC ignores.
    fn token(&self, event: Event<'a>) -> Result<Option<Token<'a>>> {
        let text = match event {
            Event::Start(start) => {
                return Ok(Some(Token::Open(self.name(start.local_name().as_ref())?)));
            }
            Event::End(end) => {
                return Ok(Some(Token::Close(self.name(end.local_name().as_ref())?)));
            }
            Event::Eof => return Ok(Some(Token::Eof)),
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => return Ok(None),
            Event::DocType(_) => {
                return Err(ReadError::Forbidden(
                    "a DOCTYPE (and with it any entity declaration) is not allowed in XML-RPC"
                        .into(),
                ))
            }
            // Cannot happen with expand_empty_elements; refused rather than trusted.
            Event::Empty(_) => return Err(self.shape("unexpected empty-element tag")),
            Event::Text(text) => text.unescape().map_err(|e| self.syntax(&e))?,
            Event::CData(data) => data.decode().map_err(|e| self.syntax(&e))?,
        };
        self.check_chars(&text)?;
        Ok(Some(Token::Text(text)))
    }

    /// The next tag, skipping blank text; other text here is out of place.
    fn next_tag(&mut self, within: &str) -> Result<Tag<'a>> {
        loop {
            match self.next()? {
                Token::Open(name) => return Ok(Tag::Open(name)),
                Token::Close(name) => return Ok(Tag::Close(name)),
                Token::Eof => return Ok(Tag::Eof),
                Token::Text(text) if is_blank(&text) => continue,
                Token::Text(text) => {
                    return Err(
                        self.shape(&format!("unexpected text {:?} in <{within}>", brief(&text)))
                    )
                }
            }
        }
    }

    fn open_root(&mut self, root: &str) -> Result<()> {
        match self.next_tag("the prolog")? {
            Tag::Open(name) if name == root => Ok(()),
            other => Err(self.unexpected(&other, &format!("<{root}>"))),
        }
    }

    fn end_of_document(&mut self) -> Result<()> {
        match self.next_tag("the epilog")? {
            Tag::Eof => Ok(()),
            other => Err(self.unexpected(&other, "the end of the document")),
        }
    }

    fn expect_open(&mut self, name: &str, within: &str) -> Result<()> {
        match self.next_tag(within)? {
            Tag::Open(found) if found == name => Ok(()),
            other => Err(self.unexpected(&other, &format!("<{name}>"))),
        }
    }

    fn expect_close(&mut self, name: &str) -> Result<()> {
        match self.next_tag(name)? {
            Tag::Close(found) if found == name => Ok(()),
            other => Err(self.unexpected(&other, &format!("</{name}>"))),
        }
    }

    /// All text up to `</name>`; an element inside is out of place.
    fn text_until_close(&mut self, name: &str) -> Result<Cow<'a, str>> {
        let mut text = Cow::Borrowed("");
        loop {
            match self.next()? {
                Token::Text(part) => append(&mut text, part),
                Token::Close(found) if found == name => return Ok(text),
                Token::Open(found) => {
                    return Err(self.unexpected(&Tag::Open(found), &format!("</{name}>")))
                }
                Token::Close(found) => {
                    return Err(self.unexpected(&Tag::Close(found), &format!("</{name}>")))
                }
                Token::Eof => return Err(self.unexpected(&Tag::Eof, &format!("</{name}>"))),
            }
        }
    }

    /// The `<param>`s of an open `<params>`, through `</params>`.
    fn params(&mut self) -> Result<Vec<Value>> {
        let mut params = Vec::new();
        loop {
            match self.next_tag("params")? {
                Tag::Open(name) if name == "param" => {
                    self.expect_open("value", "param")?;
                    params.push(self.value(0)?);
                    self.expect_close("param")?;
                }
                Tag::Close(name) if name == "params" => return Ok(params),
                other => return Err(self.unexpected(&other, "<param> or </params>")),
            }
        }
    }

    /// The value of an open `<value>`, through `</value>`; `depth` counts enclosing containers.
    fn value(&mut self, depth: usize) -> Result<Value> {
        let mut text = Cow::Borrowed("");
        loop {
            match self.next()? {
                Token::Text(part) => append(&mut text, part),
                // No type element: the spec makes the text a string, blanks and all.
                Token::Close(name) if name == "value" => {
                    return Ok(Value::String(text.into_owned()))
                }
                Token::Open(kind) if is_blank(&text) => {
                    let value = self.typed(&kind, depth)?;
                    self.expect_close("value")?;
                    return Ok(value);
                }
                Token::Open(kind) => {
                    return Err(self.shape(&format!(
                        "text {:?} and <{kind}> mixed in one <value>",
                        brief(&text)
                    )))
                }
                Token::Close(name) => return Err(self.unexpected(&Tag::Close(name), "</value>")),
                Token::Eof => return Err(self.unexpected(&Tag::Eof, "</value>")),
            }
        }
    }

    /// The value of an open type element `<kind>`, through `</kind>`.
    fn typed(&mut self, kind: &str, depth: usize) -> Result<Value> {
        match kind {
            "array" => self.array(depth + 1),
            "struct" => self.structure(depth + 1),
            "string" => Ok(Value::String(self.text_until_close(kind)?.into_owned())),
            _ if SCALARS.contains(&kind) => {
                let text = self.text_until_close(kind)?;
                scalar(kind, &text).map_err(|message| self.value_error(&message))
            }
            _ => Err(self.shape(&format!("unknown value type <{kind}>"))),
        }
    }

    fn enter(&self, depth: usize) -> Result<()> {
        if depth > self.max_depth {
            Err(ReadError::TooDeep(self.max_depth))
        } else {
            Ok(())
        }
    }

    /// `<data>` and its `<value>`s, through `</array>`.
    fn array(&mut self, depth: usize) -> Result<Value> {
        self.enter(depth)?;
        self.expect_open("data", "array")?;
        let mut items = Vec::new();
        loop {
            match self.next_tag("data")? {
                Tag::Open(name) if name == "value" => items.push(self.value(depth)?),
                Tag::Close(name) if name == "data" => break,
                other => return Err(self.unexpected(&other, "<value> or </data>")),
            }
        }
        self.expect_close("array")?;
        Ok(Value::Array(items))
    }

    /// `<member>`s through `</struct>`. A repeated name keeps its last value, as most peers do.
    fn structure(&mut self, depth: usize) -> Result<Value> {
        self.enter(depth)?;
        let mut members = IndexMap::new();
        loop {
            match self.next_tag("struct")? {
                Tag::Open(name) if name == "member" => {
                    let (name, value) = self.member(depth)?;
                    members.insert(name, value);
                }
                Tag::Close(name) if name == "struct" => return Ok(Value::Struct(members)),
                other => return Err(self.unexpected(&other, "<member> or </struct>")),
            }
        }
    }

    /// One `<name>` and one `<value>`, in either order, through `</member>`.
    fn member(&mut self, depth: usize) -> Result<(String, Value)> {
        let (mut name, mut value) = (None, None);
        loop {
            match self.next_tag("member")? {
                Tag::Open(tag) if tag == "name" && name.is_none() => {
                    name = Some(self.text_until_close("name")?.into_owned())
                }
                Tag::Open(tag) if tag == "value" && value.is_none() => {
                    value = Some(self.value(depth)?)
                }
                Tag::Close(tag) if tag == "member" => break,
                other => return Err(self.unexpected(&other, "one <name> and one <value>")),
            }
        }
        match (name, value) {
            (Some(name), Some(value)) => Ok((name, value)),
            _ => Err(self.shape("a <member> needs one <name> and one <value>")),
        }
    }

    /// A tag name as text, borrowed from the document when `raw` lies in it (always, for the
    /// slice reader; quick-xml only hands it out tied to the event, hence the lookup by address).
    /// In a document already known to be UTF-8 that is a slice, with no validation per name.
    fn name(&self, raw: &[u8]) -> Result<Cow<'a, str>> {
        if let Some(name) = self.in_valid_document(raw) {
            return Ok(Cow::Borrowed(name));
        }
        match self.in_document(raw) {
            Some(bytes) => std::str::from_utf8(bytes).map(Cow::Borrowed),
            None => std::str::from_utf8(raw).map(|text| Cow::Owned(text.to_owned())),
        }
        .map_err(|e| self.syntax(&e))
    }

    /// Where `part` starts in the document, when it lies within it.
    fn offset_in_document(&self, part: &[u8]) -> Option<std::ops::Range<usize>> {
        let offset = (part.as_ptr() as usize).checked_sub(self.document.as_ptr() as usize)?;
        let end = offset.checked_add(part.len())?;
        (end <= self.document.len()).then_some(offset..end)
    }

    /// The same bytes as `part`, borrowed from the document itself, when `part` lies within it.
    fn in_document(&self, part: &[u8]) -> Option<&'a [u8]> {
        self.document.get(self.offset_in_document(part)?)
    }

    /// `part` as text borrowed from the document, when the whole document is valid UTF-8 and
    /// `part` lies within it on character boundaries.
    fn in_valid_document(&self, part: &[u8]) -> Option<&'a str> {
        self.valid_text?.get(self.offset_in_document(part)?)
    }

    /// Refuses characters XML 1.0 forbids, whether raw or written as references (`&#1;`).
    fn check_chars(&self, text: &str) -> Result<()> {
        match text.chars().find(|c| !super::write::is_xml_char(*c)) {
            Some(c) => Err(self.syntax(&format!(
                "the character U+{:04X} is not allowed in XML",
                c as u32
            ))),
            None => Ok(()),
        }
    }

    fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn syntax(&self, e: &dyn std::fmt::Display) -> ReadError {
        ReadError::Syntax(format!("{e} (at byte {})", self.position()))
    }

    fn shape(&self, message: &str) -> ReadError {
        ReadError::Shape(format!("{message} (at byte {})", self.position()))
    }

    fn value_error(&self, message: &str) -> ReadError {
        ReadError::Value(format!("{message} (at byte {})", self.position()))
    }

    /// A tag out of place is not XML-RPC; the document ending early is not even well-formed XML.
    fn unexpected(&self, found: &Tag<'_>, wanted: &str) -> ReadError {
        let found = match found {
            Tag::Open(name) => format!("<{name}>"),
            Tag::Close(name) => format!("</{name}>"),
            Tag::Eof => return self.syntax(&format!("expected {wanted}, the document ends")),
        };
        self.shape(&format!("expected {wanted}, found {found}"))
    }
}

/// Appends a text part, allocating only when a second part has to be joined to a first.
fn append<'a>(text: &mut Cow<'a, str>, part: Cow<'a, str>) {
    if text.is_empty() {
        *text = part;
    } else {
        text.to_mut().push_str(&part);
    }
}

/// The document as UTF-8, after the size check. XML-RPC is UTF-8 nearly everywhere, but older
/// peers (PHP's, Apache's) declare ISO-8859-1, which maps byte for byte onto the first 256 code
/// points; any other declared encoding is refused by name rather than misread.
fn as_utf8(bytes: &[u8], limits: Limits) -> Result<Cow<'_, [u8]>> {
    let bytes = crate::protocol::strip_bom(bytes);
    if bytes.len() > limits.max_bytes {
        return Err(ReadError::TooLarge {
            size: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    let Some(encoding) = declared_encoding(bytes) else {
        return Ok(Cow::Borrowed(bytes));
    };
    match encoding.to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" | "us-ascii" | "ascii" => Ok(Cow::Borrowed(bytes)),
        "iso-8859-1" | "iso8859-1" | "latin1" | "latin-1" => Ok(Cow::Owned(
            bytes
                .iter()
                .map(|&b| char::from(b))
                .collect::<String>()
                .into_bytes(),
        )),
        _ => Err(ReadError::Syntax(format!(
            "the document declares encoding {encoding:?}; only UTF-8 and ISO-8859-1 are read"
        ))),
    }
}

/// The `encoding` pseudo-attribute of a leading `<?xml …?>` declaration, if there is one.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let rest = bytes.strip_prefix(b"<?xml")?;
    let end = rest.windows(2).position(|w| w == b"?>")?;
    let declaration = std::str::from_utf8(&rest[..end]).ok()?;
    let value = declaration
        .split_once("encoding")?
        .1
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = value.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    value[1..].split(quote).next().map(str::to_owned)
}

/// The type elements whose content is text to convert (`string` aside, which is taken as is).
const SCALARS: &[&str] = &[
    "int",
    "i4",
    "i8",
    "boolean",
    "double",
    "dateTime.iso8601",
    "base64",
    "nil",
];

/// The value of a scalar type element (one of [`SCALARS`]) from its text.
fn scalar(kind: &str, text: &str) -> Result<Value, String> {
    let trimmed = text.trim();
    match kind {
        "i8" => int(kind, trimmed, 64).map(Value::Int),
        "boolean" => match trimmed {
            "1" => Ok(Value::Bool(true)),
            "0" => Ok(Value::Bool(false)),
            _ => Err(format!("<boolean> must be 0 or 1, not {:?}", brief(text))),
        },
        "double" => double(trimmed).map(Value::Double),
        "dateTime.iso8601" => value::check_datetime(trimmed)
            .map(|()| Value::DateTime(trimmed.to_owned()))
            .map_err(|e| format!("<dateTime.iso8601>: {e}")),
        "base64" => value::decode_base64(text)
            .map(Value::Bytes)
            .map_err(|e| format!("<base64>: {e}")),
        "nil" if is_blank(text) => Ok(Value::Nil),
        "nil" => Err("<nil> must be empty".into()),
        // <int> and <i4>.
        _ => int(kind, trimmed, 32).map(Value::Int),
    }
}

/// An integer of at most `bits` bits (32 for `<int>`/`<i4>`, 64 for `<i8>`).
fn int(kind: &str, text: &str, bits: u32) -> Result<i64, String> {
    let parsed = if bits == 32 {
        text.parse::<i32>().map(i64::from)
    } else {
        text.parse::<i64>()
    };
    parsed.map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow if bits == 32 => {
            format!("<{kind}> {text} is out of the 32-bit range (larger integers travel as <i8>)")
        }
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
            format!("<{kind}> {text} is out of the 64-bit range")
        }
        _ => format!("<{kind}> {:?} is not an integer", brief(text)),
    })
}

/// A finite double. Exponents are accepted (Python writes them) but not Rust's other spellings,
/// so `NaN`, `inf` and `infinity` are refused, as is anything that overflows to infinity.
fn double(text: &str) -> Result<f64, String> {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    match text.parse::<f64>() {
        Ok(d) if plain && d.is_finite() => Ok(d),
        Ok(_) if plain => Err(format!("<double> {text} is out of range")),
        _ => Err(format!(
            "<double> {:?} is not a finite decimal number",
            brief(text)
        )),
    }
}

fn is_blank(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_whitespace())
}

/// At most 40 characters of some text, for error messages.
fn brief(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{encode_call, encode_response, write::is_xml_char};
    use super::*;
    use crate::protocol::{codes, Fault};
    use proptest::prelude::*;

    const LIMITS: Limits = Limits {
        max_depth: 8,
        max_batch: usize::MAX,
        max_bytes: 64 * 1024,
    };

    fn response(value_xml: &str) -> String {
        format!("<methodResponse><params><param>{value_xml}</param></params></methodResponse>")
    }

    fn read_value(value_xml: &str) -> Result<Value> {
        decode_response(response(value_xml).as_bytes(), LIMITS).map(|o| o.unwrap())
    }

    fn strukt(pairs: &[(&str, Value)]) -> Value {
        Value::Struct(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn golden_scalars() {
        let cases = [
            ("<value><i4>-12</i4></value>", Value::Int(-12)),
            ("<value><int>+7</int></value>", Value::Int(7)),
            ("<value><int> 42 </int></value>", Value::Int(42)),
            (
                "<value><i8>9223372036854775807</i8></value>",
                Value::Int(i64::MAX),
            ),
            ("<value><ex:i8>-3</ex:i8></value>", Value::Int(-3)),
            ("<value><boolean>1</boolean></value>", Value::Bool(true)),
            ("<value><boolean>0</boolean></value>", Value::Bool(false)),
            ("<value><double>2.0</double></value>", Value::Double(2.0)),
            ("<value><double>-.5</double></value>", Value::Double(-0.5)),
            (
                "<value><double>1e+100</double></value>",
                Value::Double(1e100),
            ),
            (
                "<value><string>a&lt;b&amp;&#233;&#x41;</string></value>",
                Value::String("a<b&éA".into()),
            ),
            (
                "<value><string><![CDATA[<raw> & ]]></string></value>",
                Value::String("<raw> & ".into()),
            ),
            ("<value><string/></value>", Value::String(String::new())),
            (
                "<value>untyped  text </value>",
                Value::String("untyped  text ".into()),
            ),
            ("<value></value>", Value::String(String::new())),
            (
                "<value><string>\u{1F600} ü</string></value>",
                Value::String("\u{1F600} ü".into()),
            ),
            ("<value><nil/></value>", Value::Nil),
            ("<value><nil></nil></value>", Value::Nil),
            ("<value><ex:nil/></value>", Value::Nil),
            (
                "<value><base64>aGVs\n bG8=</base64></value>",
                Value::Bytes(b"hello".to_vec()),
            ),
            ("<value><base64/></value>", Value::Bytes(Vec::new())),
            (
                "<value><dateTime.iso8601>20261121T22:41:56</dateTime.iso8601></value>",
                Value::DateTime("20261121T22:41:56".into()),
            ),
            (
                "<value><dateTime.iso8601>2026-11-21T22:41:56</dateTime.iso8601></value>",
                Value::DateTime("2026-11-21T22:41:56".into()),
            ),
        ];
        for (xml, expected) in cases {
            assert_eq!(read_value(xml), Ok(expected), "{xml}");
        }
    }

    #[test]
    fn golden_containers_with_comments_and_whitespace() {
        let xml = "<value>
            <!-- a comment -->
            <struct>
              <member><value><int>2</int></value><name>b</name></member>
              <member>
                <name>a</name>
                <value><array><data>
                  <value><int>1</int></value> <!-- between values -->
                  <value>x</value>
                  <value><array><data/></array></value>
                </data></array></value>
              </member>
              <member><name>s</name><value><struct/></value></member>
            </struct>
        </value>";
        let expected = strukt(&[
            (
                "a",
                Value::Array(vec![
                    Value::Int(1),
                    Value::String("x".into()),
                    Value::Array(vec![]),
                ]),
            ),
            ("b", Value::Int(2)),
            ("s", strukt(&[])),
        ]);
        // Member order does not matter for equality, and the reading keeps the written order.
        let read = read_value(xml).unwrap();
        assert_eq!(read, expected);
        let Value::Struct(members) = read else {
            unreachable!()
        };
        assert_eq!(members.keys().collect::<Vec<_>>(), ["b", "a", "s"]);
    }

    #[test]
    fn golden_documents() {
        let call = "<?xml version='1.0' encoding='UTF-8'?>\n<!-- before -->\n<methodCall>\n<methodName> add </methodName>\n<params>\n<param><value><int>2</int></value></param>\n<param>\n<value><i4>3</i4></value>\n</param>\n</params>\n</methodCall>\n<!-- after -->\n";
        assert_eq!(
            decode_call(call.as_bytes(), LIMITS),
            Ok(Call {
                method: "add".into(),
                params: Params::Positional(vec![Value::Int(2), Value::Int(3)]),
            })
        );
        let bare = "<methodCall><methodName>info</methodName></methodCall>";
        assert_eq!(
            decode_call(bare.as_bytes(), LIMITS).unwrap().params,
            Params::empty()
        );
        let fault = "<?xml version=\"1.0\"?><methodResponse><fault><value><struct>
            <member><name>faultString</name><value><string>Too many parameters.</string></value></member>
            <member><name>faultCode</name><value><int>4</int></value></member>
            </struct></value></fault></methodResponse>";
        assert_eq!(
            decode_response(fault.as_bytes(), LIMITS),
            Ok(Err(Fault::new(4, "Too many parameters.")))
        );
    }

    fn refused(doc: &str) -> ReadError {
        let as_call = decode_call(doc.as_bytes(), LIMITS);
        let as_response = decode_response(doc.as_bytes(), LIMITS);
        match (as_call, as_response) {
            (Err(e), Err(_)) => e,
            other => panic!("accepted {doc:?}: {other:?}"),
        }
    }

    #[test]
    fn latin1_documents_are_transcoded_and_other_encodings_refused() {
        let mut latin1 = b"<?xml version='1.0' encoding='ISO-8859-1'?><methodCall><methodName>echo</methodName><params><param><value>h".to_vec();
        latin1.push(0xE9);
        latin1.extend_from_slice(b"llo</value></param></params></methodCall>");
        assert_eq!(
            decode_call(&latin1, LIMITS).unwrap().params,
            Params::Positional(vec![Value::String("h\u{e9}llo".into())])
        );
        let utf8 = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodCall><methodName>h\u{e9}</methodName></methodCall>";
        assert_eq!(
            decode_call(utf8.as_bytes(), LIMITS).unwrap().method,
            "h\u{e9}"
        );
        let utf16 = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><methodCall><methodName>x</methodName></methodCall>";
        let e = decode_call(utf16.as_bytes(), LIMITS).unwrap_err();
        assert!(e.to_string().contains("\"UTF-16\""), "{e}");
    }

    #[test]
    fn hostile_documents_are_refused_not_expanded() {
        let billion_laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><methodCall><methodName>&lol2;</methodName></methodCall>"#;
        assert!(matches!(refused(billion_laughs), ReadError::Forbidden(_)));
        let external = r#"<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>&xxe;</methodName></methodCall>"#;
        assert!(matches!(refused(external), ReadError::Forbidden(_)));
        let undeclared = "<methodCall><methodName>&xxe;</methodName></methodCall>";
        assert!(matches!(refused(undeclared), ReadError::Syntax(_)));
    }

    #[test]
    fn nesting_over_the_limit_is_refused() {
        let nest = |levels: usize| {
            let open = "<value><array><data>".repeat(levels);
            let close = "</data></array></value>".repeat(levels);
            response(&format!("{open}<value><int>1</int></value>{close}"))
        };
        assert!(decode_response(nest(8).as_bytes(), LIMITS).is_ok());
        assert_eq!(
            decode_response(nest(9).as_bytes(), LIMITS),
            Err(ReadError::TooDeep(8))
        );
        // Far deeper than any stack could take: refused at the limit, not by a crash.
        let deep = response(&"<value><struct><member><name>a</name>".repeat(100_000));
        let unbounded = Limits {
            max_depth: usize::MAX,
            max_batch: usize::MAX,
            max_bytes: usize::MAX,
        };
        assert_eq!(
            decode_response(deep.as_bytes(), unbounded),
            Err(ReadError::TooDeep(DEPTH_CEILING))
        );
    }

    #[test]
    fn the_deepest_accepted_document_fits_a_worker_thread_stack() {
        let open = "<value><array><data>".repeat(DEPTH_CEILING);
        let close = "</data></array></value>".repeat(DEPTH_CEILING);
        let doc = response(&format!("{open}<value><int>1</int></value>{close}"));
        let unbounded = Limits {
            max_depth: usize::MAX,
            max_batch: usize::MAX,
            max_bytes: usize::MAX,
        };
        // Tokio's worker threads have 2 MiB stacks; this runs on one that size, unoptimised.
        let reader = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || decode_response(doc.as_bytes(), unbounded).is_ok())
            .unwrap();
        assert!(reader.join().unwrap());
    }

    #[test]
    fn documents_over_the_size_limit_are_refused() {
        let big = response(&format!("<value>{}</value>", "x".repeat(LIMITS.max_bytes)));
        let e = decode_response(big.as_bytes(), LIMITS).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { .. }));
        assert_eq!(e.fault_code(), codes::LIMIT_EXCEEDED);
    }

    #[test]
    fn bad_scalars_are_refused() {
        for xml in [
            "<value><int>2147483648</int></value>",
            "<value><i4>-2147483649</i4></value>",
            "<value><i8>9223372036854775808</i8></value>",
            "<value><int>1.5</int></value>",
            "<value><int></int></value>",
            "<value><boolean>true</boolean></value>",
            "<value><boolean>2</boolean></value>",
            "<value><double>NaN</double></value>",
            "<value><double>inf</double></value>",
            "<value><double>-Infinity</double></value>",
            "<value><double>1e999</double></value>",
            "<value><double></double></value>",
            "<value><double>0x10</double></value>",
            "<value><base64>%%%</base64></value>",
            "<value><base64>aGVsbG8</base64></value>",
            "<value><dateTime.iso8601>yesterday</dateTime.iso8601></value>",
            "<value><dateTime.iso8601>20261321T22:41:56</dateTime.iso8601></value>",
            "<value><nil>x</nil></value>",
        ] {
            let e = read_value(xml).unwrap_err();
            assert!(matches!(e, ReadError::Value(_)), "{xml}: {e:?}");
            assert_eq!(e.fault_code(), codes::INVALID_PARAMS);
        }
        let e = read_value("<value><int>2147483648</int></value>").unwrap_err();
        assert!(e.to_string().contains("out of the 32-bit range"), "{e}");
    }

    #[test]
    fn malformed_documents_are_refused() {
        for doc in [
            "",
            "   ",
            "not xml",
            "<methodCall>",
            "<methodCall><methodName>a</methodName></methodCall><methodCall/>",
            "<methodCall><methodName>a</methodName></methodCall> trailing",
            "<methodCall><methodName>a</methodName><params><param></param></params></methodCall>",
            "<methodCall><methodName></methodName></methodCall>",
            "<methodCall><methodName>a<b/></methodName></methodCall>",
            "<methodCall><methodName>a</methodName><params><param><value><int>1</int></value><value/></param></params></methodCall>",
            "<methodCall><methodName>a</methodName><params><param><value>x<int>1</int></value></param></params></methodCall>",
            "<methodCall><methodName>a</methodName><params><param><value><float>1</float></value></param></params></methodCall>",
            "<methodCall><methodName>a</methodName><params><param><value><array><value/></array></value></param></params></methodCall>",
            "<methodCall><methodName>a</methodName><params><param><value><struct><member><name>a</name></member></struct></value></param></params></methodCall>",
            "<methodCall><methodName>a</methodName><params><param><value><struct><member><name>a</name><name>b</name><value/></member></struct></value></param></params></methodCall>",
            "<methodCall><methodName>a</methodName></methodResponse>",
            "<methodCall><methodName>bell\u{7}</methodName></methodCall>",
            "<methodCall><methodName>&#1;</methodName></methodCall>",
            "<methodCall><methodName>&#0;</methodName></methodCall>",
        ] {
            assert!(decode_call(doc.as_bytes(), LIMITS).is_err(), "{doc:?}");
        }
        assert!(decode_call(
            b"<methodCall><methodName>\xff</methodName></methodCall>",
            LIMITS
        )
        .is_err());
    }

    #[test]
    fn malformed_responses_are_refused() {
        for doc in [
            "<methodResponse></methodResponse>",
            "<methodResponse><params></params></methodResponse>",
            "<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>",
            "<methodResponse><fault><value><int>1</int></value></fault></methodResponse>",
            "<methodResponse><fault><value><struct><member><name>faultCode</name><value>1</value></member></struct></value></fault></methodResponse>",
            "<methodCall><methodName>a</methodName></methodCall>",
            "{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":1}",
        ] {
            assert!(decode_response(doc.as_bytes(), LIMITS).is_err(), "{doc:?}");
        }
    }

    #[test]
    fn error_kinds_map_to_the_contract_codes() {
        assert_eq!(refused("<methodCall>").fault_code(), codes::PARSE_ERROR);
        assert_eq!(
            refused("<methodCall><methodName>a</b></methodCall>").fault_code(),
            codes::PARSE_ERROR
        );
        assert_eq!(refused("<x/>").fault_code(), codes::INVALID_REQUEST);
        assert_eq!(
            refused("<!DOCTYPE x><methodCall/>").fault_code(),
            codes::INVALID_REQUEST
        );
    }

    // -----------------------------------------------------------------------------------------
    // Property-based round trips: whatever the writer writes, the reader reads back unchanged.

    fn xml_string() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z <>&\"'\\]\r\n\t]{0,12}",
            prop::collection::vec(
                any::<char>().prop_filter("XML char", |c| is_xml_char(*c)),
                0..12
            )
            .prop_map(String::from_iter),
        ]
    }

    fn leaf() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(Value::Nil),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            any::<i32>().prop_map(|i| Value::Int(i.into())),
            any::<f64>()
                .prop_filter("finite", |d| d.is_finite())
                .prop_map(Value::Double),
            xml_string().prop_map(Value::String),
            prop::collection::vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
            crate::protocol::roundtrip_tests::datetime().prop_map(Value::DateTime),
        ]
    }

    fn any_value() -> impl Strategy<Value = Value> {
        leaf().prop_recursive(6, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((xml_string(), inner), 0..6)
                    .prop_map(|members| Value::Struct(members.into_iter().collect())),
            ]
        })
    }

    const ROOMY: Limits = Limits {
        max_depth: 64,
        max_batch: usize::MAX,
        max_bytes: usize::MAX,
    };

    proptest! {
        #[test]
        fn responses_round_trip(value in any_value()) {
            let bytes = encode_response(&Ok(value.clone())).unwrap();
            prop_assert_eq!(decode_response(&bytes, ROOMY), Ok(Ok(value)));
        }

        #[test]
        fn calls_round_trip(method in "[A-Za-z_.:/0-9]{1,20}", args in prop::collection::vec(any_value(), 0..4)) {
            let call = Call { method, params: Params::Positional(args) };
            let bytes = encode_call(&call).unwrap();
            prop_assert_eq!(decode_call(&bytes, ROOMY), Ok(call));
        }

        #[test]
        fn faults_round_trip(code in any::<i64>(), message in xml_string()) {
            let fault = Fault::new(code, message);
            let bytes = encode_response(&Err(fault.clone())).unwrap();
            prop_assert_eq!(decode_response(&bytes, ROOMY), Ok(Err(fault)));
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode_call(&bytes, LIMITS);
            let _ = decode_response(&bytes, LIMITS);
        }

        #[test]
        fn mangled_documents_never_panic(value in any_value(), cut in any::<prop::sample::Index>(), byte in any::<u8>()) {
            let mut bytes = encode_response(&Ok(value)).unwrap();
            let at = cut.index(bytes.len());
            bytes[at] = byte;
            let _ = decode_response(&bytes, LIMITS);
            bytes.truncate(at);
            let _ = decode_response(&bytes, LIMITS);
        }
    }
}
