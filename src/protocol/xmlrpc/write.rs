//! Writing XML-RPC documents. Output is compact (no indentation) and conservative: `<int>` for
//! integers that fit 32 bits and `<i8>` beyond, doubles in plain decimal notation with a point,
//! `&`, `<`, `>` and carriage returns escaped, and every element written with an end tag, since
//! some peers reject `<tag/>`.

use super::{fault_struct, WriteError};
use crate::protocol::{Call, Fault, Outcome, Params};
use crate::value::Value;
use base64::Engine as _;

const DECLARATION: &str = "<?xml version=\"1.0\"?>";

/// `<methodCall>` for one call; the params must be positional (XML-RPC has no names).
pub fn encode_call(call: &Call) -> Result<Vec<u8>, WriteError> {
    let Params::Positional(args) = &call.params else {
        return Err(WriteError::NamedParams);
    };
    let mut out = String::from(DECLARATION);
    out.push_str("<methodCall><methodName>");
    push_text(&mut out, &call.method)?;
    out.push_str("</methodName><params>");
    for arg in args {
        push_param(&mut out, arg)?;
    }
    out.push_str("</params></methodCall>");
    Ok(out.into_bytes())
}

/// `<methodResponse>` for an outcome: one param, or a fault. Only a result can fail to be written;
/// a fault always can (characters XML cannot carry are replaced in its message).
pub fn encode_response(outcome: &Outcome) -> Result<Vec<u8>, WriteError> {
    match outcome {
        Ok(value) => {
            let mut out = String::from(DECLARATION);
            out.push_str("<methodResponse><params>");
            push_param(&mut out, value)?;
            out.push_str("</params></methodResponse>");
            Ok(out.into_bytes())
        }
        Err(fault) => Ok(encode_fault(fault)),
    }
}

/// `<methodResponse><fault>…</fault></methodResponse>`, never failing.
pub fn encode_fault(fault: &Fault) -> Vec<u8> {
    let writable = Fault::new(
        fault.code,
        fault
            .message
            .chars()
            .map(writable_or_replacement)
            .collect::<String>(),
    );
    let mut out = String::from(DECLARATION);
    out.push_str("<methodResponse><fault>");
    // Both members are an int (i64, so it is always writable) and a cleaned string.
    let _ = push_value(&mut out, &fault_struct(&writable));
    out.push_str("</fault></methodResponse>");
    out.into_bytes()
}

fn writable_or_replacement(c: char) -> char {
    if is_xml_char(c) {
        c
    } else {
        char::REPLACEMENT_CHARACTER
    }
}

fn push_param(out: &mut String, value: &Value) -> Result<(), WriteError> {
    out.push_str("<param>");
    push_value(out, value)?;
    out.push_str("</param>");
    Ok(())
}

/// `<value>…</value>` for any value.
pub fn push_value(out: &mut String, value: &Value) -> Result<(), WriteError> {
    out.push_str("<value>");
    match value {
        Value::Nil => out.push_str("<nil></nil>"),
        Value::Bool(b) => push_scalar(out, "boolean", if *b { "1" } else { "0" }),
        Value::Int(i) => push_int(out, *i),
        Value::UInt(u) => return Err(WriteError::IntegerTooBig(*u)),
        Value::Double(d) => push_scalar(out, "double", &double_text(*d)?),
        Value::String(s) => {
            out.push_str("<string>");
            push_text(out, s)?;
            out.push_str("</string>");
        }
        Value::Bytes(b) => push_scalar(
            out,
            "base64",
            &base64::engine::general_purpose::STANDARD.encode(b),
        ),
        Value::DateTime(t) => {
            out.push_str("<dateTime.iso8601>");
            push_text(out, t)?;
            out.push_str("</dateTime.iso8601>");
        }
        Value::Array(items) => {
            out.push_str("<array><data>");
            for item in items {
                push_value(out, item)?;
            }
            out.push_str("</data></array>");
        }
        Value::Struct(members) => {
            out.push_str("<struct>");
            for (name, member) in members {
                out.push_str("<member><name>");
                push_text(out, name)?;
                out.push_str("</name>");
                push_value(out, member)?;
                out.push_str("</member>");
            }
            out.push_str("</struct>");
        }
    }
    out.push_str("</value>");
    Ok(())
}

/// `<int>` when the spec's 32 bits suffice, so every peer reads it; `<i8>` otherwise.
fn push_int(out: &mut String, i: i64) {
    let tag = if i32::try_from(i).is_ok() {
        "int"
    } else {
        "i8"
    };
    push_scalar(out, tag, &i.to_string());
}

/// A scalar whose text never needs escaping.
fn push_scalar(out: &mut String, tag: &str, text: &str) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    out.push_str(text);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

/// The spec allows only `[-+]digits.digits` for a double; Rust's `Display` never uses an exponent
/// and round-trips exactly, so only the point has to be added when the value is whole.
fn double_text(d: f64) -> Result<String, WriteError> {
    if !d.is_finite() {
        return Err(WriteError::NotFinite(d));
    }
    let text = d.to_string();
    Ok(if text.contains('.') {
        text
    } else {
        format!("{text}.0")
    })
}

/// Escapes text content. `\r` is written as a reference because XML readers turn a literal one
/// into `\n`; characters XML 1.0 cannot carry at all are refused.
fn push_text(out: &mut String, text: &str) -> Result<(), WriteError> {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            c => return Err(WriteError::UnwritableChar(c as u32)),
        }
    }
    Ok(())
}

/// XML 1.0's `Char` production (surrogates cannot occur in a Rust `char`).
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    fn xml(value: &Value) -> String {
        let mut out = String::new();
        push_value(&mut out, value).unwrap();
        out
    }

    #[test]
    fn golden_scalars() {
        let cases = [
            (Value::Int(-12), "<value><int>-12</int></value>"),
            (
                Value::Int(i32::MAX as i64),
                "<value><int>2147483647</int></value>",
            ),
            (
                Value::Int(i32::MIN as i64),
                "<value><int>-2147483648</int></value>",
            ),
            (Value::Int(1 << 31), "<value><i8>2147483648</i8></value>"),
            (
                Value::Int(i64::MIN),
                "<value><i8>-9223372036854775808</i8></value>",
            ),
            (Value::Bool(true), "<value><boolean>1</boolean></value>"),
            (Value::Bool(false), "<value><boolean>0</boolean></value>"),
            (Value::Double(2.0), "<value><double>2.0</double></value>"),
            (Value::Double(-0.5), "<value><double>-0.5</double></value>"),
            (
                Value::Double(1e21),
                "<value><double>1000000000000000000000.0</double></value>",
            ),
            (
                Value::Double(1.5e-7),
                "<value><double>0.00000015</double></value>",
            ),
            (Value::Nil, "<value><nil></nil></value>"),
            (
                Value::String(String::new()),
                "<value><string></string></value>",
            ),
            (
                Value::String("a<b & c>d\r\n\"é\"".into()),
                "<value><string>a&lt;b &amp; c&gt;d&#13;\n\"é\"</string></value>",
            ),
            (
                Value::Bytes(b"hello".to_vec()),
                "<value><base64>aGVsbG8=</base64></value>",
            ),
            (Value::Bytes(Vec::new()), "<value><base64></base64></value>"),
            (
                Value::DateTime("20261121T22:41:56".into()),
                "<value><dateTime.iso8601>20261121T22:41:56</dateTime.iso8601></value>",
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(xml(&value), expected, "{value:?}");
        }
    }

    #[test]
    fn golden_containers() {
        assert_eq!(
            xml(&Value::Array(vec![])),
            "<value><array><data></data></array></value>"
        );
        assert_eq!(
            xml(&Value::Array(vec![Value::Int(1), Value::String("x".into())])),
            "<value><array><data><value><int>1</int></value><value><string>x</string></value></data></array></value>"
        );
        let mut members = IndexMap::new();
        members.insert("a&b".to_owned(), Value::Int(1));
        members.insert("empty".to_owned(), Value::Struct(IndexMap::new()));
        assert_eq!(
            xml(&Value::Struct(members)),
            "<value><struct><member><name>a&amp;b</name><value><int>1</int></value></member><member><name>empty</name><value><struct></struct></value></member></struct></value>"
        );
    }

    #[test]
    fn golden_documents() {
        let call = Call {
            method: "add".into(),
            params: Params::Positional(vec![Value::Int(2), Value::Int(3)]),
        };
        assert_eq!(
            String::from_utf8(encode_call(&call).unwrap()).unwrap(),
            "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params><param><value><int>2</int></value></param><param><value><int>3</int></value></param></params></methodCall>"
        );
        let no_args = Call {
            method: "info".into(),
            params: Params::Positional(vec![]),
        };
        assert_eq!(
            String::from_utf8(encode_call(&no_args).unwrap()).unwrap(),
            "<?xml version=\"1.0\"?><methodCall><methodName>info</methodName><params></params></methodCall>"
        );
        assert_eq!(
            String::from_utf8(encode_response(&Ok(Value::Int(5))).unwrap()).unwrap(),
            "<?xml version=\"1.0\"?><methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>"
        );
        assert_eq!(
            String::from_utf8(encode_response(&Err(Fault::new(-32601, "no <such> method"))).unwrap()).unwrap(),
            "<?xml version=\"1.0\"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>-32601</int></value></member><member><name>faultString</name><value><string>no &lt;such&gt; method</string></value></member></struct></value></fault></methodResponse>"
        );
    }

    #[test]
    fn unwritable_values_are_refused() {
        let mut out = String::new();
        assert_eq!(
            push_value(&mut out, &Value::String("bell\u{7}".into())),
            Err(WriteError::UnwritableChar(7))
        );
        assert_eq!(
            push_value(&mut out, &Value::Double(f64::NAN))
                .map_err(|e| matches!(e, WriteError::NotFinite(_))),
            Err(true)
        );
        assert_eq!(
            push_value(&mut out, &Value::Double(f64::INFINITY)),
            Err(WriteError::NotFinite(f64::INFINITY))
        );
    }

    #[test]
    fn fault_messages_are_always_writable() {
        let text = String::from_utf8(encode_fault(&Fault::new(1, "nul\u{0}here"))).unwrap();
        assert!(text.contains("nul\u{FFFD}here"), "{text}");
    }
}
