//! The protocol-neutral value model.
//!
//! Every protocol maps its wire values to [`Value`]. Values print as JSON; the XML-RPC types with no
//! JSON twin travel as tagged objects, `{"$base64": "..."}` and `{"$datetime": "..."}`, both on input
//! and on output, so anything `rpc` prints can be fed back as an argument.

use base64::Engine as _;
use indexmap::IndexMap;
use serde_json::{Map, Number};

/// Tag of a JSON object that stands for XML-RPC `<base64>`.
pub const BASE64_TAG: &str = "$base64";
/// Tag of a JSON object that stands for XML-RPC `<dateTime.iso8601>`.
pub const DATETIME_TAG: &str = "$datetime";

/// One RPC value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    /// An integer above `i64::MAX`, up to `u64::MAX` (protobuf's `uint64` and `fixed64`, and JSON
    /// numbers, carry them). Only such integers take this form, so each integer has one.
    UInt(u64),
    Double(f64),
    String(String),
    Bytes(Vec<u8>),
    /// XML-RPC `dateTime.iso8601` text, kept as written (the spec gives it no time zone).
    DateTime(String),
    Array(Vec<Value>),
    /// Member order is kept for printing; equality ignores it (as XML-RPC structs do).
    Struct(IndexMap<String, Value>),
}

/// Why a JSON document is not a [`Value`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error("invalid {BASE64_TAG} value: {0}")]
    Base64(String),
    #[error("invalid {DATETIME_TAG} value {0:?}: expected YYYYMMDDTHH:MM:SS")]
    DateTime(String),
}

impl Value {
    /// Converts JSON (with `$base64`/`$datetime` tags) to a value.
    pub fn from_json(json: &serde_json::Value) -> Result<Value, ValueError> {
        Ok(match json {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => number_from_json(n)?,
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(Value::from_json)
                    .collect::<Result<_, _>>()?,
            ),
            serde_json::Value::Object(map) => object_from_json(map)?,
        })
    }

    /// Converts the value to JSON, tagging bytes and date-times.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::UInt(u) => serde_json::Value::from(*u),
            // A non-finite double has no JSON form; the codecs refuse to produce one, so null is
            // only ever a last resort here.
            Value::Double(d) => Number::from_f64(*d)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Bytes(b) => tagged(
                BASE64_TAG,
                base64::engine::general_purpose::STANDARD.encode(b),
            ),
            Value::DateTime(t) => tagged(DATETIME_TAG, t.clone()),
            Value::Array(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Struct(members) => serde_json::Value::Object(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// The name of the value's type, as error messages and signatures say it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "nil",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::UInt(_) => "int",
            Value::Double(_) => "double",
            Value::String(_) => "string",
            Value::Bytes(_) => "base64",
            Value::DateTime(_) => "dateTime.iso8601",
            Value::Array(_) => "array",
            Value::Struct(_) => "struct",
        }
    }
}

impl std::fmt::Display for Value {
    /// Compact JSON, the form the trace and piped output use.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_json())
    }
}

fn tagged(tag: &str, text: String) -> serde_json::Value {
    let mut map = Map::new();
    map.insert(tag.to_owned(), serde_json::Value::String(text));
    serde_json::Value::Object(map)
}

fn number_from_json(n: &Number) -> Result<Value, ValueError> {
    if let Some(i) = n.as_i64() {
        Ok(Value::Int(i))
    } else if let Some(u) = n.as_u64() {
        Ok(Value::UInt(u))
    } else {
        // serde_json refuses non-finite numbers while parsing, so this is a finite double.
        Ok(Value::Double(n.as_f64().unwrap_or(f64::NAN)))
    }
}

fn object_from_json(map: &Map<String, serde_json::Value>) -> Result<Value, ValueError> {
    if map.len() == 1 {
        if let Some(serde_json::Value::String(text)) = map.get(BASE64_TAG) {
            return decode_base64(text).map(Value::Bytes);
        }
        if let Some(serde_json::Value::String(text)) = map.get(DATETIME_TAG) {
            return check_datetime(text).map(|()| Value::DateTime(text.clone()));
        }
    }
    let mut members = IndexMap::with_capacity(map.len());
    for (k, v) in map {
        members.insert(k.clone(), Value::from_json(v)?);
    }
    Ok(Value::Struct(members))
}

/// Decodes base64 text, ignoring the line breaks and spaces XML-RPC peers put in long values.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, ValueError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| ValueError::Base64(e.to_string()))
}

/// Checks that `text` is a date-time in one of the ISO 8601 forms XML-RPC peers send, keeping it
/// as the text it is (peers disagree on the form, and Python's xmlrpc.client passes any through):
///
/// - the date, basic `YYYYMMDD` or extended `YYYY-MM-DD`, alone or followed by `T` and the time;
/// - the time, `HH:MM:SS` or `HHMMSS` (or `HH:MM`, `HHMM`), with optional fractional seconds
///   (`.123` or `,123`);
/// - an optional zone: `Z`, `±HH:MM`, `±HHMM` or `±HH`.
///
/// Fields are range-checked (month 1–12, day 1–31, hour 0–24, minute 0–59, second 0–60), so what
/// is not a date at all (`yesterday`, month 13) is refused.
pub fn check_datetime(text: &str) -> Result<(), ValueError> {
    parse_datetime(text).ok_or_else(|| ValueError::DateTime(text.to_owned()))
}

fn parse_datetime(text: &str) -> Option<()> {
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (text, None),
    };
    check_date(date)?;
    match time {
        Some(time) => check_time_and_zone(time),
        None => Some(()),
    }
}

/// `YYYYMMDD` or `YYYY-MM-DD`.
fn check_date(date: &str) -> Option<()> {
    let digits: String = match date.len() {
        8 => date.to_owned(),
        10 if date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-' => date.replace('-', ""),
        _ => return None,
    };
    let fields = numbers(&digits, &[4, 2, 2])?;
    ((1..=12).contains(&fields[1]) && (1..=31).contains(&fields[2])).then_some(())
}

/// `HH:MM:SS`, `HHMMSS`, `HH:MM` or `HHMM`, a fraction, then a zone.
fn check_time_and_zone(time: &str) -> Option<()> {
    let zone_at = time.find(['Z', '+', '-']).unwrap_or(time.len());
    let (clock, zone) = time.split_at(zone_at);
    let (clock, fraction) = match clock.split_once(['.', ',']) {
        Some((clock, fraction)) => (clock, Some(fraction)),
        None => (clock, None),
    };
    if fraction.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let compact = clock.replace(':', "");
    let widths: &[usize] = if compact.len() == 6 {
        &[2, 2, 2]
    } else {
        &[2, 2]
    };
    let extended = clock.contains(':');
    if extended && clock.len() != compact.len() + widths.len() - 1 {
        return None;
    }
    let fields = numbers(&compact, widths)?;
    let second_ok = fields.get(2).is_none_or(|s| *s <= 60);
    (fields[0] <= 24 && fields[1] < 60 && second_ok).then_some(())?;
    check_zone(zone)
}

/// ``, `Z`, `±HH:MM`, `±HHMM` or `±HH`.
fn check_zone(zone: &str) -> Option<()> {
    if zone.is_empty() || zone == "Z" {
        return Some(());
    }
    let offset = zone.strip_prefix(['+', '-'])?;
    let compact = offset.replace(':', "");
    let widths: &[usize] = match (offset.len(), compact.len()) {
        (2, 2) => &[2],
        (4, 4) | (5, 4) => &[2, 2],
        _ => return None,
    };
    let fields = numbers(&compact, widths)?;
    (fields[0] <= 23 && fields.get(1).is_none_or(|m| *m < 60)).then_some(())
}

/// `digits` cut into numbers of the given widths, all of it ASCII digits.
fn numbers(digits: &str, widths: &[usize]) -> Option<Vec<u32>> {
    if digits.len() != widths.iter().sum::<usize>() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut at = 0;
    widths
        .iter()
        .map(|w| {
            let n = digits[at..at + w].parse().ok();
            at += w;
            n
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tagged_values_round_trip() {
        for doc in [
            json!({"$base64": "aGVsbG8="}),
            json!({"$datetime": "20261121T22:41:56"}),
            json!([1, 2.5, "x", null, true, {"a": {"$base64": ""}}]),
        ] {
            let value = Value::from_json(&doc).unwrap();
            assert_eq!(value.to_json(), doc);
        }
    }

    #[test]
    fn base64_tag_decodes_bytes() {
        let v = Value::from_json(&json!({"$base64": "aGVs\nbG8="})).unwrap();
        assert_eq!(v, Value::Bytes(b"hello".to_vec()));
    }

    #[test]
    fn bad_tags_are_refused() {
        assert!(Value::from_json(&json!({"$base64": "%%%"})).is_err());
        assert!(Value::from_json(&json!({"$datetime": "yesterday"})).is_err());
        assert!(Value::from_json(&json!({"$datetime": "20261321T22:41:56"})).is_err());
    }

    #[test]
    fn every_iso_8601_form_peers_send_is_kept() {
        for text in [
            "20261121T22:41:56",
            "2026-11-21T22:41:56",
            "2014-11-10T23:38:51+0000",
            "20180222T130252",
            "2026-11-21T22:41:56Z",
            "2026-11-21T22:41:56.123+01:00",
            "20261121T224156,5-05",
            "2026-11-21T22:41",
            "2026-11-21",
            "20261121",
        ] {
            assert!(check_datetime(text).is_ok(), "{text}");
            let tagged = json!({ "$datetime": text });
            assert_eq!(Value::from_json(&tagged).unwrap().to_json(), tagged);
        }
        for text in [
            "yesterday",
            "20261321T22:41:56",
            "2026-11-21T25:00:00",
            "2026-11-21T22:41:56+2500",
            "2026-11-21T22:4:56",
            "2026-11-21T",
            "2026-11-21T22:41:56.",
            "",
        ] {
            assert!(check_datetime(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn a_tag_with_company_is_a_plain_struct() {
        let v = Value::from_json(&json!({"$base64": "x", "other": 1})).unwrap();
        assert!(matches!(v, Value::Struct(_)));
    }

    #[test]
    fn the_whole_64_bit_range_is_kept_exactly() {
        for text in [
            "18446744073709551615",
            "9223372036854775808",
            "-9223372036854775808",
        ] {
            let doc: serde_json::Value = serde_json::from_str(text).unwrap();
            let value = Value::from_json(&doc).unwrap();
            assert_eq!(value.to_string(), text);
        }
        let max: serde_json::Value = serde_json::from_str("18446744073709551615").unwrap();
        assert_eq!(Value::from_json(&max).unwrap(), Value::UInt(u64::MAX));
        let fits: serde_json::Value = serde_json::from_str("9223372036854775807").unwrap();
        assert_eq!(Value::from_json(&fits).unwrap(), Value::Int(i64::MAX));
    }

    #[test]
    fn ints_and_doubles_stay_apart() {
        assert_eq!(Value::from_json(&json!(2)).unwrap(), Value::Int(2));
        assert_eq!(Value::from_json(&json!(2.0)).unwrap(), Value::Double(2.0));
        assert_eq!(Value::Double(2.0).to_string(), "2.0");
    }
}
