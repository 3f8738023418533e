//! Command-line words → calls.
//!
//! - Each ARG is JSON when it parses as JSON, else a string: `2`, `[1,2]`, `"two words"`, `hello`.
//! - `NAME:=VALUE` passes a parameter by name (VALUE follows the same rule); a call's ARGs are all
//!   positional or all named. To send the string `a:=b` positionally, quote it as JSON: `'"a:=b"'`.
//! - A lone `+` starts the next call of a batch: `add 1 2 + mul 3 4`. The string `+` is `'"+"'`.

use crate::error::{Error, Result};
use crate::protocol::{Call, Params};
use crate::value::Value;
use indexmap::IndexMap;

/// The word that separates the calls of a batch.
pub const BATCH_SEPARATOR: &str = "+";

/// Parses one ARG: JSON if it is valid JSON, otherwise the word as a string.
pub fn parse_value(word: &str) -> Result<Value> {
    match serde_json::from_str::<serde_json::Value>(word) {
        Ok(json) => {
            Value::from_json(&json).map_err(|e| Error::usage(format!("argument {word:?}: {e}")))
        }
        Err(_) => Ok(Value::String(word.to_owned())),
    }
}

/// Parses a number of seconds (`-t 2.5`, `--idle-timeout 30`, `REACH_RPC_TIMEOUT`) into a
/// positive duration; the error says what is wrong, for clap or the caller to wrap.
pub fn parse_seconds(text: &str) -> std::result::Result<std::time::Duration, String> {
    parse_seconds_or_zero(text)?
        .filter_zero()
        .ok_or_else(|| "give a positive number of seconds".to_owned())
}

/// Like [`parse_seconds`], also accepting 0 (`--warmup 0`, `--max-sleep 0`).
pub fn parse_seconds_or_zero(text: &str) -> std::result::Result<Seconds, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|secs| std::time::Duration::try_from_secs_f64(secs).ok())
        .map(Seconds)
        .ok_or_else(|| format!("{text:?} is not a number of seconds (e.g. 2.5)"))
}

/// A duration given in seconds on the command line; shown (in `--help` defaults) as seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seconds(pub std::time::Duration);

impl Seconds {
    fn filter_zero(self) -> Option<std::time::Duration> {
        (!self.0.is_zero()).then_some(self.0)
    }
}

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.as_secs_f64())
    }
}

/// Splits `METHOD ARG… [+ METHOD ARG…]…` into calls.
pub fn parse_calls(words: &[String]) -> Result<Vec<Call>> {
    words
        .split(|w| w == BATCH_SEPARATOR)
        .map(|segment| match segment.split_first() {
            Some((method, args)) => Ok(Call {
                method: method.clone(),
                params: parse_params(args)?,
            }),
            None => Err(Error::usage(format!(
                "empty call in batch: each '{BATCH_SEPARATOR}' must be followed by a METHOD"
            ))),
        })
        .collect()
}

/// Parses the ARGs of one call into positional or named parameters.
pub fn parse_params(args: &[String]) -> Result<Params> {
    let named: Vec<Option<(&str, &str)>> = args.iter().map(|a| split_named(a)).collect();
    if named.iter().all(Option::is_none) {
        return args
            .iter()
            .map(|a| parse_value(a))
            .collect::<Result<_>>()
            .map(Params::Positional);
    }
    let mut map = IndexMap::new();
    for (arg, pair) in args.iter().zip(named) {
        let (name, value) = pair.ok_or_else(|| {
            Error::usage(format!(
                "argument {arg:?} is positional but others are NAME:=VALUE; a call's arguments are all one or the other"
            ))
        })?;
        if map.insert(name.to_owned(), parse_value(value)?).is_some() {
            return Err(Error::usage(format!("parameter {name:?} is given twice")));
        }
    }
    Ok(Params::Named(map))
}

/// `NAME:=VALUE` with NAME an identifier, unless the whole word is valid JSON.
fn split_named(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once(":=")?;
    let is_ident = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let is_json = serde_json::from_str::<serde_json::Value>(word).is_ok();
    (is_ident && !is_json).then_some((name, value))
}

/// Parses a whole params document (`-d`): a JSON array (positional) or object (named).
pub fn parse_params_document(text: &str) -> Result<Params> {
    // A file saved by a Windows editor may begin with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Error::usage(format!(
            "--params is not valid JSON: {e} (give one JSON array or object, quoted for the \
                 shell: -d '[2,3]', or read it with -d @FILE or -d @-)"
        ))
    })?;
    let bad = |e: crate::value::ValueError| Error::usage(format!("--params: {e}"));
    match json {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| Value::from_json(v).map_err(bad))
            .collect::<Result<_>>()
            .map(Params::Positional),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| Value::from_json(v).map(|v| (k.clone(), v)).map_err(bad))
            .collect::<Result<_>>()
            .map(Params::Named),
        _ => Err(Error::usage(
            "--params must be a JSON array (positional) or object (named)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn json_else_string() {
        assert_eq!(parse_value("2").unwrap(), Value::Int(2));
        assert_eq!(parse_value("2.5").unwrap(), Value::Double(2.5));
        assert_eq!(parse_value("null").unwrap(), Value::Nil);
        assert_eq!(
            parse_value("\"two words\"").unwrap(),
            Value::String("two words".into())
        );
        assert_eq!(parse_value("hello").unwrap(), Value::String("hello".into()));
        assert_eq!(parse_value("[1,").unwrap(), Value::String("[1,".into()));
    }

    #[test]
    fn named_params() {
        let p = parse_params(&words(&["a:=1", "b:=x"])).unwrap();
        let Params::Named(m) = p else { panic!() };
        assert_eq!(m["a"], Value::Int(1));
        assert_eq!(m["b"], Value::String("x".into()));
        assert!(parse_params(&words(&["a:=1", "2"])).is_err());
        assert!(parse_params(&words(&["a:=1", "a:=2"])).is_err());
        // Quoted JSON stays positional.
        assert_eq!(
            parse_params(&words(&["\"a:=b\""])).unwrap(),
            Params::Positional(vec![Value::String("a:=b".into())])
        );
    }

    #[test]
    fn batches_split_on_plus() {
        let calls = parse_calls(&words(&["add", "1", "2", "+", "info"])).unwrap();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[1].method, "info");
        assert!(parse_calls(&words(&["add", "+"])).is_err());
        let quoted = parse_calls(&words(&["echo", "\"+\""])).unwrap();
        assert_eq!(quoted.len(), 1);
    }

    #[test]
    fn params_document() {
        assert!(matches!(
            parse_params_document("[1]").unwrap(),
            Params::Positional(_)
        ));
        assert!(matches!(
            parse_params_document("{\"a\":1}").unwrap(),
            Params::Named(_)
        ));
        assert!(parse_params_document("3").is_err());
    }
}
