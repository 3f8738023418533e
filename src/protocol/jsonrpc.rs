//! JSON-RPC 2.0 codec (<https://www.jsonrpc.org/specification>): requests and responses, single and
//! batch, for the client and the server alike.

use super::answer::{self, AnswerError, Mode, Reply};
use super::json::{self, JsonError};
use super::{codes, Call, Fault, Limits, Outcome, Params};
use crate::value::Value;
use serde_json::{json, Map, Value as Json};

// ---------------------------------------------------------------------------------------------
// Client side

/// Encodes calls as one request (or a batch when `batch`), with ids 1..=n unless `notify`.
pub fn encode_request(calls: &[Call], batch: bool, notify: bool) -> Vec<u8> {
    let entries: Vec<Json> = calls
        .iter()
        .enumerate()
        .map(|(i, call)| request_object(call, (!notify).then_some(i as u64 + 1)))
        .collect();
    let doc = match (batch, entries.len()) {
        (false, 1) => entries.into_iter().next().unwrap_or(Json::Null),
        _ => Json::Array(entries),
    };
    doc.to_string().into_bytes()
}

fn request_object(call: &Call, id: Option<u64>) -> Json {
    let mut obj = Map::new();
    obj.insert("jsonrpc".into(), "2.0".into());
    obj.insert("method".into(), call.method.clone().into());
    // An empty parameter list is left out, as the spec allows and most clients do.
    if !call.params.is_empty() {
        obj.insert("params".into(), call.params.to_json());
    }
    if let Some(id) = id {
        obj.insert("id".into(), id.into());
    }
    Json::Object(obj)
}

/// The answer rule: the JSON-RPC answer in the body wins over the HTTP status.
pub fn read_answer(
    reply: Reply<'_>,
    count: usize,
    mode: Mode,
) -> Result<Vec<Outcome>, AnswerError> {
    answer::rpc_over_status(reply, mode, |body| {
        decode_response(body, count, mode == Mode::Batch)
    })
}

/// Decodes the answer to `count` calls sent with ids 1..=count, in the order they were sent.
/// An entry the server left out becomes a fault in its slot, so the others are not lost. A batch
/// answered with one error object (the spec's answer to a batch it cannot process: invalid, too
/// large, unparseable) is refused as a whole. JSON-RPC 1.0 answers are read too (see
/// [`decode_response_object`]).
pub fn decode_response(
    body: &[u8],
    count: usize,
    batch: bool,
) -> Result<Vec<Outcome>, AnswerError> {
    let invalid = AnswerError::Invalid;
    let doc = json::parse(body, Limits::CLIENT.max_depth)
        .map_err(|e| invalid(format!("not JSON-RPC: {e}")))?;
    let responses = match (batch, doc) {
        (true, Json::Array(items)) => items,
        (true, obj @ Json::Object(_)) => return Err(refused_batch(&obj)),
        (false, obj @ Json::Object(_)) => vec![obj],
        (_, Json::Array(items)) if count == 1 && items.len() == 1 => items,
        (_, other) => {
            return Err(invalid(format!(
                "unexpected JSON-RPC answer: {}",
                brief(&other)
            )))
        }
    };
    let mut slots: Vec<Option<Outcome>> = vec![None; count];
    for response in responses {
        let (id, outcome) = decode_response_object(&response).map_err(invalid)?;
        match id.as_u64().map(|n| n as usize) {
            Some(n) if (1..=count).contains(&n) && slots[n - 1].is_none() => {
                slots[n - 1] = Some(outcome)
            }
            // Per the spec an error about an unreadable request carries id null; with one call
            // there is no doubt which call it answers.
            _ if id.is_null() && count == 1 && slots[0].is_none() => slots[0] = Some(outcome),
            _ => return Err(invalid(format!("answer with an unexpected id {id}"))),
        }
    }
    Ok(slots
        .into_iter()
        .map(|slot| {
            slot.unwrap_or_else(|| {
                Err(Fault::new(
                    codes::INTERNAL_ERROR,
                    "the server sent no answer for this call",
                ))
            })
        })
        .collect())
}

/// One answer to a batch that is a single object: its error refuses the whole batch; anything
/// else is no answer to a batch at all.
fn refused_batch(doc: &Json) -> AnswerError {
    match decode_response_object(doc) {
        Ok((_, Err(fault))) => AnswerError::Refused(fault),
        _ => AnswerError::Invalid(format!(
            "a batch was answered with one object: {}",
            brief(doc)
        )),
    }
}

/// Reads one response object, liberally, as real servers write them (`rpc serve` itself answers
/// strictly). With `"jsonrpc": "2.0"`: exactly one of `result` and `error`, where a member of
/// null beside the other counts as absent (some libraries write both, `"result": null` with an
/// error or `"error": null` with a result), and the error is `{"code", "message"}`. Without it
/// (JSON-RPC 1.0, as Bitcoin Core before 28 answers): `result` and `error` side by side, the
/// error winning when it is not null, and taking any shape (a string, an object).
pub fn decode_response_object(doc: &Json) -> Result<(Json, Outcome), String> {
    let obj = doc
        .as_object()
        .ok_or_else(|| format!("a JSON-RPC response must be an object, got {}", brief(doc)))?;
    let v2 = obj.get("jsonrpc") == Some(&json!("2.0"));
    let id = obj.get("id").cloned().unwrap_or(Json::Null);
    let error = obj.get("error").filter(|e| !e.is_null());
    let result = match obj.get("result") {
        // JSON-RPC 1.0 writes `"result": null` beside an error, and so do 2.0 servers built
        // on 1.0 code: the error wins.
        Some(Json::Null) if error.is_some() => None,
        other => other,
    };
    let outcome = match (result, error) {
        (Some(result), None) => Ok(Value::from_json(result).map_err(|e| format!("result: {e}"))?),
        (None, Some(error)) if v2 => Err(decode_error_object(error)?),
        (None, Some(error)) => Err(Fault::from_error_json(error)),
        _ => {
            return Err(format!(
                "a response needs exactly one of result and error: {}",
                brief(doc)
            ))
        }
    };
    Ok((id, outcome))
}

fn decode_error_object(error: &Json) -> Result<Fault, String> {
    let code = error.get("code").and_then(Json::as_i64);
    let message = error.get("message").and_then(Json::as_str);
    match (code, message) {
        (Some(code), Some(message)) => Ok(Fault {
            code,
            message: message.to_owned(),
            data: error.get("data").cloned(),
        }),
        _ => Err(format!("malformed error object: {}", brief(error))),
    }
}

/// At most 200 characters of a JSON value, for error messages.
fn brief(doc: &Json) -> String {
    let text = doc.to_string();
    match text.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

// ---------------------------------------------------------------------------------------------
// Server side

/// A request id, echoed exactly as it came.
pub type Id = Json;

/// One entry of a request: a call to make, or a fault to answer with.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// `id` is None for a notification, which gets no answer.
    Call {
        call: Call,
        id: Option<Id>,
    },
    Invalid {
        id: Id,
        fault: Fault,
    },
}

/// A decoded request body.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Single(Entry),
    Batch(Vec<Entry>),
}

/// Decodes a request body. A body that is no request at all decodes to a single invalid entry,
/// which answers with id null as the spec says.
pub fn decode_request(body: &[u8], limits: Limits) -> Request {
    let body = super::strip_bom(body);
    match decode_plain_single(body, limits.max_depth) {
        Some(entry) => Request::Single(entry),
        None => decode_request_in_general(body, limits),
    }
}

/// Decodes any request body by way of a JSON tree.
fn decode_request_in_general(body: &[u8], limits: Limits) -> Request {
    let doc = match json::parse(body, limits.max_depth) {
        Ok(doc) => doc,
        Err(JsonError::Syntax(e)) => {
            return invalid(codes::PARSE_ERROR, format!("Parse error: {e}"))
        }
        Err(e @ JsonError::TooDeep(_)) => {
            return invalid(codes::INVALID_REQUEST, format!("Invalid request: {e}"))
        }
        Err(e @ JsonError::IntegerOutOfRange(_)) => {
            return invalid(codes::INVALID_PARAMS, format!("Invalid params: {e}"))
        }
    };
    match doc {
        Json::Array(items) if items.is_empty() => {
            invalid(codes::INVALID_REQUEST, "Invalid request: empty batch")
        }
        Json::Array(items) if items.len() > limits.max_batch => invalid(
            codes::INVALID_REQUEST,
            format!(
                "Invalid request: batch of {} calls exceeds the limit of {} (--max-batch)",
                items.len(),
                limits.max_batch
            ),
        ),
        Json::Array(items) => Request::Batch(items.iter().map(decode_entry).collect()),
        other => Request::Single(decode_entry(&other)),
    }
}

fn invalid(code: i64, message: impl Into<String>) -> Request {
    Request::Single(Entry::Invalid {
        id: Json::Null,
        fault: Fault::new(code, message),
    })
}

/// The envelope of a single request whose `jsonrpc` and `method` are plain strings, read without
/// building a JSON tree for it; members other than these four are skipped, as the general path
/// ignores them.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    jsonrpc: &'a str,
    #[serde(borrow)]
    method: &'a str,
    /// `Some(Json::Null)` for `"params": null`, None when absent.
    #[serde(default, deserialize_with = "present")]
    params: Option<Json>,
    /// `Some(Json::Null)` for `"id": null` (a call), None when absent (a notification).
    #[serde(default, deserialize_with = "present")]
    id: Option<Json>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Json>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

/// The fast path for the common request, one object: None whenever it is anything else (a batch,
/// escaped strings, repeated members, bad JSON…), which the general path then decodes, so both
/// paths give the same entry for every body.
fn decode_plain_single(body: &[u8], max_depth: usize) -> Option<Entry> {
    // A derived struct also reads a JSON array positionally: only objects take this path.
    let first = body.iter().find(|b| !b.is_ascii_whitespace())?;
    // The checks json::parse makes besides parsing: a body failing one takes the general path,
    // which says why.
    if *first != b'{' || !json::passes_byte_checks(body, max_depth) {
        return None;
    }
    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    Some(entry_of(
        envelope.jsonrpc == "2.0",
        envelope.id,
        Some(envelope.method),
        envelope.params.as_ref(),
    ))
}

fn decode_entry(doc: &Json) -> Entry {
    let Some(obj) = doc.as_object() else {
        return Entry::Invalid {
            id: Json::Null,
            fault: Fault::new(codes::INVALID_REQUEST, "Invalid request: not an object"),
        };
    };
    entry_of(
        obj.get("jsonrpc") == Some(&json!("2.0")),
        obj.get("id").cloned(),
        obj.get("method").and_then(Json::as_str),
        obj.get("params"),
    )
}

/// The entry a request object's members make: the rules of the spec, in one place for both paths.
fn entry_of(
    version_ok: bool,
    id: Option<Json>,
    method: Option<&str>,
    params: Option<&Json>,
) -> Entry {
    let valid_id = matches!(
        id,
        None | Some(Json::Null | Json::Number(_) | Json::String(_))
    );
    let reply_id = if valid_id {
        id.clone().unwrap_or(Json::Null)
    } else {
        Json::Null
    };
    let fail = |message: &str| Entry::Invalid {
        id: reply_id.clone(),
        fault: Fault::new(
            codes::INVALID_REQUEST,
            format!("Invalid request: {message}"),
        ),
    };
    if !version_ok {
        return fail("\"jsonrpc\" must be \"2.0\"");
    }
    if !valid_id {
        return fail("\"id\" must be a string, a number or null");
    }
    let Some(method) = method else {
        return fail("\"method\" must be a string");
    };
    let params = match params {
        None => Ok(Params::empty()),
        Some(Json::Array(items)) => items
            .iter()
            .map(Value::from_json)
            .collect::<Result<_, _>>()
            .map(Params::Positional),
        Some(Json::Object(map)) => map
            .iter()
            .map(|(k, v)| Value::from_json(v).map(|v| (k.clone(), v)))
            .collect::<Result<_, _>>()
            .map(Params::Named),
        Some(_) => return fail("\"params\" must be an array or an object"),
    };
    match params {
        Ok(params) => Entry::Call {
            call: Call {
                method: method.to_owned(),
                params,
            },
            id,
        },
        Err(e) => Entry::Invalid {
            id: reply_id,
            fault: Fault::new(codes::INVALID_PARAMS, format!("Invalid params: {e}")),
        },
    }
}

/// The response object for one answered entry.
pub fn response_object(id: &Id, outcome: &Outcome) -> Json {
    match outcome {
        Ok(value) => json!({"jsonrpc": "2.0", "result": value.to_json(), "id": id}),
        Err(fault) => json!({"jsonrpc": "2.0", "error": fault.to_json(), "id": id}),
    }
}

/// Appends the bytes of [`response_object`] to `out`, the same bytes without building the
/// object: the envelope is fixed text, so only the result (or error) and the id are serialised.
/// This is the server's path for every answer.
pub fn write_response(out: &mut Vec<u8>, id: &Id, outcome: &Outcome) {
    let (member, body) = match outcome {
        Ok(value) => (&b"{\"jsonrpc\":\"2.0\",\"result\":"[..], value.to_json()),
        Err(fault) => (&b"{\"jsonrpc\":\"2.0\",\"error\":"[..], fault.to_json()),
    };
    out.extend_from_slice(member);
    // Writing JSON values into a Vec cannot fail (no I/O, string keys only).
    let _ = serde_json::to_writer(&mut *out, &body);
    out.extend_from_slice(b",\"id\":");
    let _ = serde_json::to_writer(&mut *out, id);
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_decodes_as_the_general_path_does() {
        let bodies = [
            r#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}"#,
            r#" {"id":null,"method":"add","jsonrpc":"2.0","params":{"a":1,"b":[2]}} "#,
            r#"{"jsonrpc":"2.0","method":"info"}"#,
            r#"{"jsonrpc":"2.0","method":"info","params":null,"id":"x"}"#,
            r#"{"jsonrpc":"2.0","method":"info","params":5,"id":2}"#,
            r#"{"jsonrpc":"1.0","method":"info","id":3}"#,
            r#"{"jsonrpc":"2.0","method":"info","id":[1]}"#,
            r#"{"jsonrpc":"2.0","method":"info","id":{"a":1}}"#,
            r#"{"jsonrpc":"2.0","method":"echo","params":[1.5,12345678901234567890,-7],"id":1.5}"#,
            r#"{"jsonrpc":"2.0","method":"echo","params":[{"$base64":"aGk="}],"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"echo","params":[{"$base64":5}],"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"add","params":[1],"id":1,"extra":{"x":[1,2]}}"#,
            r#"{"jsonrpc":"2.0","method":"add","method":"sub","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"a"b","id":1}"#,
            r#"{"jsonrpc":"2.0","method":5,"id":1}"#,
            r#"{"jsonrpc":2.0,"method":"add","id":1}"#,
            r#"{"method":"add","id":1}"#,
            r#"{"jsonrpc":"2.0","id":1}"#,
            r#"{"jsonrpc":"2.0","method":"add","id":1} x"#,
            r#"{"jsonrpc":"2.0","method":"add","params":[[[[[[1]]]]]],"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"add","params":[1180591620717411303424,1],"id":1}"#,
            r#"{"jsonrpc":"2.0","method":"add","params":[1],"id":1180591620717411303424}"#,
            r#"["2.0","add",[1,2],1]"#,
            r#"[{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}]"#,
            r#"{"#,
            "",
        ];
        let limits = Limits {
            max_depth: 4,
            max_batch: 4,
            max_bytes: usize::MAX,
        };
        for body in bodies {
            let general = decode_request_in_general(body.as_bytes(), limits);
            if let Some(fast) = decode_plain_single(body.as_bytes(), limits.max_depth) {
                assert_eq!(Request::Single(fast), general, "{body}");
            }
            assert_eq!(decode_request(body.as_bytes(), limits), general, "{body}");
        }
        assert!(decode_plain_single(bodies[0].as_bytes(), 4).is_some());
    }

    #[test]
    fn written_responses_are_the_bytes_of_the_response_object() {
        let outcomes = [
            Ok(Value::Int(5)),
            Ok(Value::String("a \"quoted\" é".into())),
            Ok(Value::Array(vec![Value::Double(2.0), Value::Nil])),
            Err(Fault::new(
                codes::METHOD_NOT_FOUND,
                "Method not found: nope",
            )),
            Err(Fault {
                code: 1000,
                message: "division by zero".into(),
                data: Some(json!({"a": [1]})),
            }),
        ];
        for id in [json!(1), json!("x"), Json::Null, json!(1.5)] {
            for outcome in &outcomes {
                let mut out = Vec::new();
                write_response(&mut out, &id, outcome);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    response_object(&id, outcome).to_string()
                );
            }
        }
    }

    const LIMITS: Limits = Limits {
        max_depth: 32,
        max_batch: 4,
        max_bytes: usize::MAX,
    };

    fn call(method: &str, args: Vec<Value>) -> Call {
        Call {
            method: method.into(),
            params: Params::Positional(args),
        }
    }

    #[test]
    fn encodes_single_batch_and_notification() {
        let c = call("add", vec![Value::Int(2), Value::Int(3)]);
        assert_eq!(
            String::from_utf8(encode_request(std::slice::from_ref(&c), false, false)).unwrap(),
            r#"{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1}"#
        );
        assert_eq!(
            String::from_utf8(encode_request(std::slice::from_ref(&c), false, true)).unwrap(),
            r#"{"jsonrpc":"2.0","method":"add","params":[2,3]}"#
        );
        let batch = encode_request(&[c.clone(), call("info", vec![])], true, false);
        assert_eq!(
            String::from_utf8(batch).unwrap(),
            r#"[{"jsonrpc":"2.0","method":"add","params":[2,3],"id":1},{"jsonrpc":"2.0","method":"info","id":2}]"#
        );
    }

    #[test]
    fn decodes_batch_answers_in_request_order() {
        let body = br#"[{"jsonrpc":"2.0","error":{"code":-32601,"message":"nope"},"id":2},
                        {"jsonrpc":"2.0","result":5,"id":1}]"#;
        let outcomes = decode_response(body, 3, true).unwrap();
        assert_eq!(outcomes[0], Ok(Value::Int(5)));
        assert_eq!(outcomes[1].as_ref().unwrap_err().code, -32601);
        assert!(
            outcomes[2].is_err(),
            "a missing answer is a fault in its slot"
        );
    }

    #[test]
    fn json_rpc_1_0_answers_are_read() {
        let read = |body: &[u8]| decode_response(body, 1, false).unwrap().remove(0);
        assert_eq!(
            read(br#"{"result":5,"error":null,"id":1}"#),
            Ok(Value::Int(5))
        );
        assert_eq!(read(br#"{"result":1,"id":1}"#), Ok(Value::Int(1)));
        let fault = read(br#"{"result":null,"error":{"code":-8,"message":"bad"},"id":1}"#);
        assert_eq!(fault, Err(Fault::new(-8, "bad")));
        let text = read(br#"{"result":null,"error":"no such wallet","id":1}"#);
        assert_eq!(
            text,
            Err(Fault::new(codes::INTERNAL_ERROR, "no such wallet"))
        );
        // 2.0 servers that write a null error beside the result.
        let null_result =
            read(br#"{"jsonrpc":"2.0","result":null,"error":{"code":-5,"message":"no"},"id":1}"#);
        assert_eq!(
            null_result.unwrap_err().code,
            -5,
            "the error wins over a null result"
        );
        let both = read(br#"{"jsonrpc":"2.0","result":7,"error":null,"id":1}"#);
        assert_eq!(both, Ok(Value::Int(7)));
    }

    #[test]
    fn a_batch_answered_with_one_error_is_refused_whole() {
        let body = br#"{"jsonrpc":"2.0","error":{"code":-32600,"message":"too many"},"id":null}"#;
        assert_eq!(
            decode_response(body, 3, true),
            Err(AnswerError::Refused(Fault::new(-32600, "too many")))
        );
        let parse_error =
            br#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}"#;
        assert!(matches!(
            decode_response(parse_error, 2, true),
            Err(AnswerError::Refused(f)) if f.code == -32700
        ));
        // A lone result is no answer to a batch.
        let result = br#"{"jsonrpc":"2.0","result":1,"id":1}"#;
        assert!(matches!(
            decode_response(result, 2, true),
            Err(AnswerError::Invalid(_))
        ));
    }

    #[test]
    fn malformed_answers_are_protocol_errors() {
        for body in [
            &b"hello"[..],
            br#"{"jsonrpc":"2.0","id":1}"#,
            br#"{"jsonrpc":"2.0","result":1,"error":{"code":1,"message":"x"},"id":1}"#,
            br#"{"jsonrpc":"2.0","result":1,"id":7}"#,
            br#"{"jsonrpc":"2.0","error":{"code":"x"},"id":1}"#,
        ] {
            assert!(
                decode_response(body, 1, false).is_err(),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn request_errors_follow_the_spec() {
        let single = |body: &[u8]| match decode_request(body, LIMITS) {
            Request::Single(Entry::Invalid { id, fault }) => (id, fault.code),
            other => panic!("{other:?}"),
        };
        assert_eq!(single(b"{"), (Json::Null, codes::PARSE_ERROR));
        assert_eq!(single(b"[]"), (Json::Null, codes::INVALID_REQUEST));
        assert_eq!(single(b"[1,2,3,4,5]"), (Json::Null, codes::INVALID_REQUEST));
        assert_eq!(
            single(br#"{"jsonrpc":"1.0","method":"x","id":"a"}"#),
            (json!("a"), codes::INVALID_REQUEST)
        );
        assert_eq!(
            single(br#"{"jsonrpc":"2.0","method":1,"id":3}"#),
            (json!(3), codes::INVALID_REQUEST)
        );
        assert_eq!(
            single(br#"{"jsonrpc":"2.0","method":"x","params":3,"id":3}"#),
            (json!(3), codes::INVALID_REQUEST)
        );
        assert_eq!(
            single(br#"{"jsonrpc":"2.0","method":"x","id":[1]}"#),
            (Json::Null, codes::INVALID_REQUEST)
        );
    }

    #[test]
    fn ids_and_notifications_are_kept() {
        let body = br#"[{"jsonrpc":"2.0","method":"a","id":1.5},{"jsonrpc":"2.0","method":"b"},1]"#;
        let Request::Batch(entries) = decode_request(body, LIMITS) else {
            panic!()
        };
        assert!(matches!(&entries[0], Entry::Call { id: Some(id), .. } if *id == json!(1.5)));
        assert!(matches!(&entries[1], Entry::Call { id: None, .. }));
        assert!(matches!(&entries[2], Entry::Invalid { .. }));
    }
}
