//! XML-RPC codec (<http://xmlrpc.com/spec.md>), with the `<nil/>` and `<i8>` extensions
//! (<http://ontosys.com/xml-rpc/extensions.php>): `methodCall` and `methodResponse` documents,
//! faults, and the `system.multicall` convention
//! (<https://mirrors.talideon.com/articles/multicall.html>) that carries a batch.
//!
//! Pure: bytes in, calls and outcomes out, and back. The reader ([`read`]) is a strict recursive
//! descent over quick-xml events that refuses DOCTYPE and entity declarations (so nothing is ever
//! expanded), documents over a size limit and values nested deeper than a depth limit; the writer
//! ([`write`]) produces what the most pedantic peers accept: `<i8>` only beyond 32 bits, doubles
//! always with a decimal point and never an exponent, empty elements written expanded.
//!
//! Values map to [`Value`] one to one: `i4`/`int`/`i8` → Int, `boolean` → Bool, `string` (or
//! untyped text) → String, `double` → Double, `dateTime.iso8601` → DateTime, `base64` → Bytes,
//! `array` → Array, `struct` → Struct, `nil` → Nil.

mod read;
mod write;

use super::answer::{self, AnswerError, Mode, Reply};
use super::{codes, Call, Fault, Limits, Outcome, Params};
use crate::value::Value;
use indexmap::IndexMap;

pub use read::{decode_call, decode_response};
pub use write::{encode_call, encode_fault, encode_response};

/// The method that carries a batch of calls in one request.
pub const MULTICALL: &str = "system.multicall";

/// Deepest nesting of arrays and structs the reader ever accepts, whatever the limits say: the
/// same bound serde_json applies to JSON, so both protocols give up at the same point and the
/// recursive descent always fits in a worker thread's stack.
pub const DEPTH_CEILING: usize = 128;

/// Why a document was refused while reading.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// Not well-formed XML (or not UTF-8).
    #[error("not well-formed XML: {0}")]
    Syntax(String),
    /// Well-formed XML that XML-RPC never needs and that could make a reader expand or fetch
    /// things: a DOCTYPE, and with it any entity declaration.
    #[error("{0}")]
    Forbidden(String),
    #[error("XML-RPC document of {size} bytes is larger than the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("XML-RPC values nested deeper than {0} levels")]
    TooDeep(usize),
    /// Elements other than XML-RPC's, or in the wrong place.
    #[error("not XML-RPC: {0}")]
    Shape(String),
    /// A scalar whose text does not fit its type: an `<int>` out of range, bad base64, …
    #[error("invalid value: {0}")]
    Value(String),
}

impl ReadError {
    /// The fault code a server answers this error with (the JSON-RPC codes, as for every protocol).
    pub fn fault_code(&self) -> i64 {
        match self {
            ReadError::Syntax(_) => codes::PARSE_ERROR,
            ReadError::Forbidden(_) | ReadError::TooDeep(_) | ReadError::Shape(_) => {
                codes::INVALID_REQUEST
            }
            ReadError::TooLarge { .. } => codes::LIMIT_EXCEEDED,
            ReadError::Value(_) => codes::INVALID_PARAMS,
        }
    }
}

/// Why a call or an answer cannot be written as XML-RPC.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum WriteError {
    #[error("XML-RPC has no parameters by name; pass one struct instead, e.g. '{{\"a\":1}}'")]
    NamedParams,
    #[error("XML 1.0 cannot carry the character U+{0:04X}; send such data as {{\"$base64\": …}}")]
    UnwritableChar(u32),
    #[error("XML-RPC has no representation for the double {0}")]
    NotFinite(f64),
    #[error("XML-RPC's largest integer is <i8> 9223372036854775807; {0} is above it (send it as a string)")]
    IntegerTooBig(u64),
}

// ---------------------------------------------------------------------------------------------
// Faults: <fault><value><struct> faultCode, faultString </struct></value></fault>

const FAULT_CODE: &str = "faultCode";
const FAULT_STRING: &str = "faultString";

/// The struct a fault travels as.
pub fn fault_struct(fault: &Fault) -> Value {
    let mut members = IndexMap::new();
    members.insert(FAULT_CODE.to_owned(), Value::Int(fault.code));
    members.insert(
        FAULT_STRING.to_owned(),
        Value::String(fault.message.clone()),
    );
    Value::Struct(members)
}

/// Reads a fault struct: `faultCode` an integer and `faultString` a string; any other members a
/// peer adds are kept as the fault's data rather than lost.
pub fn fault_from_struct(value: &Value) -> Result<Fault, String> {
    let Value::Struct(members) = value else {
        return Err(format!(
            "a fault must be a struct, got {} {value}",
            value.type_name()
        ));
    };
    let code = match members.get(FAULT_CODE) {
        Some(Value::Int(code)) => *code,
        other => return Err(missing_member(FAULT_CODE, "an int", other)),
    };
    let message = match members.get(FAULT_STRING) {
        Some(Value::String(text)) => text.clone(),
        other => return Err(missing_member(FAULT_STRING, "a string", other)),
    };
    let extra: serde_json::Map<String, serde_json::Value> = members
        .iter()
        .filter(|(name, _)| *name != FAULT_CODE && *name != FAULT_STRING)
        .map(|(name, v)| (name.clone(), v.to_json()))
        .collect();
    Ok(Fault {
        code,
        message,
        data: (!extra.is_empty()).then_some(serde_json::Value::Object(extra)),
    })
}

fn missing_member(name: &str, kind: &str, found: Option<&Value>) -> String {
    match found {
        None => format!("a fault struct needs a member {name:?}"),
        Some(v) => format!("fault member {name:?} must be {kind}, got {v}"),
    }
}

// ---------------------------------------------------------------------------------------------
// system.multicall: params [[{methodName, params}, …]], answer [[result] | fault struct, …]

const METHOD_NAME: &str = "methodName";
const PARAMS: &str = "params";

/// The answer rule: the XML-RPC answer in the body wins over the HTTP status; a batch travels
/// as one `system.multicall`, whose result is split back into one outcome per call, and a fault
/// to the multicall itself (most often: the server has none) refuses the whole batch.
pub fn read_answer(
    reply: Reply<'_>,
    count: usize,
    mode: Mode,
) -> Result<Vec<Outcome>, AnswerError> {
    answer::rpc_over_status(reply, mode, |body| {
        let outcome = decode_response(body, Limits::CLIENT)
            .map_err(|e| AnswerError::Invalid(e.to_string()))?;
        match (mode, outcome) {
            (Mode::Single, outcome) => Ok(vec![outcome]),
            (_, Ok(answer)) => multicall_outcomes(answer, count).map_err(AnswerError::Invalid),
            (_, Err(fault)) => Err(AnswerError::Refused(fault)),
        }
    })
}

/// The one `system.multicall` call that carries `calls`.
pub fn multicall(calls: &[Call]) -> Result<Call, WriteError> {
    let entries = calls
        .iter()
        .map(|call| {
            let Params::Positional(args) = &call.params else {
                return Err(WriteError::NamedParams);
            };
            let mut members = IndexMap::new();
            members.insert(METHOD_NAME.to_owned(), Value::String(call.method.clone()));
            members.insert(PARAMS.to_owned(), Value::Array(args.clone()));
            Ok(Value::Struct(members))
        })
        .collect::<Result<_, _>>()?;
    Ok(Call {
        method: MULTICALL.to_owned(),
        params: Params::Positional(vec![Value::Array(entries)]),
    })
}

/// Splits a `system.multicall` answer into one outcome per call: `[result]` for a success, a
/// fault struct for a failure.
pub fn multicall_outcomes(answer: Value, count: usize) -> Result<Vec<Outcome>, String> {
    let Value::Array(slots) = answer else {
        return Err(format!(
            "{MULTICALL} must answer an array, got {} {answer}",
            answer.type_name()
        ));
    };
    if slots.len() != count {
        return Err(format!(
            "{MULTICALL} answered {} results for {count} calls",
            slots.len()
        ));
    }
    slots
        .into_iter()
        .map(|slot| match slot {
            Value::Array(mut one) if one.len() == 1 => Ok(Ok(one.remove(0))),
            fault @ Value::Struct(_) => fault_from_struct(&fault).map(Err),
            other => Err(format!(
                "a {MULTICALL} result must be [value] or a fault struct, got {other}"
            )),
        })
        .collect()
}

/// Reads the params of a `system.multicall` request into its calls; an entry that is no call
/// becomes the fault that answers it, so the others still run.
pub fn multicall_entries(params: &Params) -> Result<Vec<Result<Call, Fault>>, Fault> {
    let invalid = |message: String| Fault::new(codes::INVALID_PARAMS, message);
    let entries = match params {
        Params::Positional(args) => match args.as_slice() {
            [Value::Array(entries)] => entries,
            _ => {
                return Err(invalid(format!(
                    "Invalid params: {MULTICALL} takes one array of {{methodName, params}} structs"
                )))
            }
        },
        Params::Named(_) => return Err(invalid("Invalid params: not by name".into())),
    };
    Ok(entries.iter().map(multicall_entry).collect())
}

fn multicall_entry(entry: &Value) -> Result<Call, Fault> {
    let invalid = |message: &str| {
        Fault::new(
            codes::INVALID_REQUEST,
            format!("Invalid request: a {MULTICALL} entry {message}"),
        )
    };
    let Value::Struct(members) = entry else {
        return Err(invalid("must be a struct"));
    };
    let Some(Value::String(method)) = members.get(METHOD_NAME) else {
        return Err(invalid("needs a string methodName"));
    };
    if method == MULTICALL {
        // A nested multicall would multiply one request's work; xmlrpc-c refuses it too.
        return Err(invalid("cannot call system.multicall itself"));
    }
    let args = match members.get(PARAMS) {
        Some(Value::Array(args)) => args.clone(),
        None => Vec::new(),
        Some(_) => return Err(invalid("needs params as an array")),
    };
    Ok(Call {
        method: method.clone(),
        params: Params::Positional(args),
    })
}

/// The answer to a `system.multicall`: `[result]` or a fault struct per call, in order.
pub fn multicall_answer(outcomes: &[Outcome]) -> Value {
    Value::Array(
        outcomes
            .iter()
            .map(|outcome| match outcome {
                Ok(value) => Value::Array(vec![value.clone()]),
                Err(fault) => fault_struct(fault),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(method: &str, args: Vec<Value>) -> Call {
        Call {
            method: method.into(),
            params: Params::Positional(args),
        }
    }

    #[test]
    fn multicall_round_trips_through_the_server_side() {
        let calls = vec![
            call("add", vec![Value::Int(1), Value::Int(2)]),
            call("info", vec![]),
        ];
        let carrier = multicall(&calls).unwrap();
        assert_eq!(carrier.method, MULTICALL);
        let entries = multicall_entries(&carrier.params).unwrap();
        let back: Vec<Call> = entries.into_iter().map(Result::unwrap).collect();
        assert_eq!(back, calls);
    }

    #[test]
    fn multicall_answers_split_into_outcomes() {
        let outcomes = vec![
            Ok(Value::Int(3)),
            Err(Fault::new(-32601, "Method not found: nope")),
        ];
        let answer = multicall_answer(&outcomes);
        assert_eq!(multicall_outcomes(answer.clone(), 2).unwrap(), outcomes);
        assert!(multicall_outcomes(answer, 3).is_err());
        assert!(multicall_outcomes(Value::Int(1), 1).is_err());
        assert!(multicall_outcomes(Value::Array(vec![Value::Int(1)]), 1).is_err());
    }

    #[test]
    fn bad_multicall_entries_fault_in_their_slot() {
        let mut good = IndexMap::new();
        good.insert(METHOD_NAME.to_owned(), Value::String("info".into()));
        let mut nested = IndexMap::new();
        nested.insert(METHOD_NAME.to_owned(), Value::String(MULTICALL.into()));
        let params = Params::Positional(vec![Value::Array(vec![
            Value::Struct(good),
            Value::Int(1),
            Value::Struct(nested),
        ])]);
        let entries = multicall_entries(&params).unwrap();
        assert!(entries[0].is_ok(), "params may be left out");
        assert_eq!(
            entries[1].as_ref().unwrap_err().code,
            codes::INVALID_REQUEST
        );
        assert_eq!(
            entries[2].as_ref().unwrap_err().code,
            codes::INVALID_REQUEST
        );
        assert!(multicall_entries(&Params::Positional(vec![])).is_err());
    }

    #[test]
    fn named_params_have_no_xmlrpc_form() {
        let named = Call {
            method: "add".into(),
            params: Params::Named(IndexMap::new()),
        };
        assert_eq!(
            multicall(std::slice::from_ref(&named)),
            Err(WriteError::NamedParams)
        );
        assert_eq!(encode_call(&named), Err(WriteError::NamedParams));
    }

    #[test]
    fn faults_need_code_and_string_and_keep_extras() {
        let fault = Fault::new(4, "Too many parameters.");
        assert_eq!(fault_from_struct(&fault_struct(&fault)).unwrap(), fault);
        let Value::Struct(mut members) = fault_struct(&fault) else {
            unreachable!()
        };
        members.insert("detail".into(), Value::Bool(true));
        let with_extra = fault_from_struct(&Value::Struct(members.clone())).unwrap();
        assert_eq!(with_extra.data, Some(serde_json::json!({"detail": true})));
        members.shift_remove(FAULT_CODE);
        assert!(fault_from_struct(&Value::Struct(members)).is_err());
        assert!(fault_from_struct(&Value::String("x".into())).is_err());
    }
}
