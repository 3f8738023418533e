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
    #[error("integer {0} is out of the 64-bit signed range")]
    IntegerOutOfRange(String),
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
            Value::Int(_) => "int",
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
    } else if n.is_u64() {
        Err(ValueError::IntegerOutOfRange(n.to_string()))
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

/// Checks the XML-RPC date-time form `YYYYMMDDTHH:MM:SS` (also accepting `YYYY-MM-DDTHH:MM:SS`,
/// which some peers write), with field ranges checked so nonsense never travels.
pub fn check_datetime(text: &str) -> Result<(), ValueError> {
    let bad = || ValueError::DateTime(text.to_owned());
    let (date, time) = text.split_once('T').ok_or_else(bad)?;
    let date: String = date.chars().filter(|c| *c != '-').collect();
    let time = time.trim_end_matches('Z');
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if date.len() != 8 || !digits(&date) {
        return Err(bad());
    }
    let parts: Vec<&str> = time.split(':').collect();
    if parts.len() != 3 || !parts.iter().all(|p| p.len() == 2 && digits(p)) {
        return Err(bad());
    }
    let num = |s: &str| s.parse::<u32>().unwrap_or(u32::MAX);
    let (month, day) = (num(&date[4..6]), num(&date[6..8]));
    let (hour, minute, second) = (num(parts[0]), num(parts[1]), num(parts[2]));
    let in_range = (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    if in_range {
        Ok(())
    } else {
        Err(bad())
    }
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
    fn a_tag_with_company_is_a_plain_struct() {
        let v = Value::from_json(&json!({"$base64": "x", "other": 1})).unwrap();
        assert!(matches!(v, Value::Struct(_)));
    }

    #[test]
    fn integers_beyond_i64_are_refused() {
        let doc: serde_json::Value = serde_json::from_str("18446744073709551615").unwrap();
        assert!(matches!(
            Value::from_json(&doc),
            Err(ValueError::IntegerOutOfRange(_))
        ));
    }

    #[test]
    fn ints_and_doubles_stay_apart() {
        assert_eq!(Value::from_json(&json!(2)).unwrap(), Value::Int(2));
        assert_eq!(Value::from_json(&json!(2.0)).unwrap(), Value::Double(2.0));
        assert_eq!(Value::Double(2.0).to_string(), "2.0");
    }
}
