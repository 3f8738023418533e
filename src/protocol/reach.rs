//! The Reach RPC protocol as a pure codec: method paths, argument arrays, interactive
//! continuations (`Kont`/`Done`) and error bodies. No sockets here.
//!
//! Spec: "Reach RPC Protocol Specification" in the Reach documentation
//! (<https://docs.reach.sh/ref-backends-rpc-proto.html>; the methods of the Reach RPC Server are on
//! <https://docs.reach.sh/ref-backends-rpc.html>). In short: `POST /<method>` with a JSON
//! array of arguments and an `X-API-Key` header; the answer is one JSON value. An interactive method
//! takes its arguments followed by a `values` object and a `methods` object (`{"NAME": true}`) and
//! answers `{"t":"Kont","kid","m","args"}` for each callback the client must run, until
//! `{"t":"Done","ans"}`; the client answers a `Kont` with `POST /kont [kid, answer]`.

use super::answer::{AnswerError, Mode, Reply};
use super::json::{self, JsonError};
use super::{codes, Fault, Outcome, Params};
use crate::value::Value;
use indexmap::IndexMap;
use serde_json::{json, Value as Json};

/// The header that carries the shared secret.
pub const API_KEY_HEADER: &str = "X-API-Key";
/// The content type the spec asks requests and answers to declare.
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// The method that answers a `Kont`.
pub const KONT_PATH: &str = "/kont";

/// The request path of a method: `add` and `/add` both mean `/add`.
pub fn method_path(method: &str) -> String {
    if method.starts_with('/') {
        method.to_owned()
    } else {
        format!("/{method}")
    }
}

/// The path a request goes to: the endpoint's own path (a server mounted under a prefix)
/// followed by the method's path.
pub fn request_path(base: &str, method_path: &str) -> String {
    format!("{}{method_path}", base.trim_end_matches('/'))
}

/// A request body: the argument array as JSON.
pub fn encode_args(args: &[Json]) -> Vec<u8> {
    Json::Array(args.to_vec()).to_string().into_bytes()
}

/// The method a request path names: `/add` → `add`, `/interact/sum` → `interact/sum`.
pub fn method_of_path(path: &str) -> &str {
    path.strip_prefix('/').unwrap_or(path)
}

/// The argument array of a call. Reach has no named arguments, so named params are refused.
pub fn args_of(params: &Params) -> Result<Vec<Json>, String> {
    match params {
        Params::Positional(values) => Ok(values.iter().map(|v| v.to_json()).collect()),
        Params::Named(_) => {
            Err("Reach RPC passes arguments by position only; drop the NAME:= prefixes".to_owned())
        }
    }
}

/// The arguments of an interactive call, as the Reach client libraries send them: the call's own
/// arguments, then the non-function values, then `{"NAME": true}` for every callback.
pub fn interactive_args(
    args: Vec<Json>,
    values: &IndexMap<String, Json>,
    callbacks: &[String],
) -> Vec<Json> {
    let values: serde_json::Map<String, Json> =
        values.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let methods: serde_json::Map<String, Json> = callbacks
        .iter()
        .map(|name| (name.clone(), Json::Bool(true)))
        .collect();
    let mut all = args;
    all.push(Json::Object(values));
    all.push(Json::Object(methods));
    all
}

/// One step of an interactive call.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// The server wants callback `method` run with `args`; answer via `/kont [kid, answer]`.
    Kont {
        kid: String,
        method: String,
        args: Vec<Json>,
    },
    /// The interactive call is over; `ans` is its result.
    Done(Json),
}

impl Step {
    /// The wire form: `{"t":"Kont","kid","m","args"}` or `{"t":"Done","ans"}`.
    pub fn to_json(&self) -> Json {
        match self {
            Step::Kont { kid, method, args } => {
                json!({"t": "Kont", "kid": kid, "m": method, "args": args})
            }
            Step::Done(ans) => json!({"t": "Done", "ans": ans}),
        }
    }
}

/// Reads an interactive answer; anything but a well-formed `Kont` or `Done` is an error.
pub fn decode_step(answer: &Json) -> Result<Step, String> {
    let shape = || format!("expected {{\"t\":\"Kont\",…}} or {{\"t\":\"Done\",…}}, got {answer}");
    let object = answer.as_object().ok_or_else(shape)?;
    match object.get("t").and_then(Json::as_str) {
        Some("Done") => Ok(Step::Done(object.get("ans").cloned().unwrap_or(Json::Null))),
        Some("Kont") => {
            let kid = object.get("kid").and_then(Json::as_str);
            let method = object.get("m").and_then(Json::as_str);
            let args = object.get("args").and_then(Json::as_array);
            match (kid, method, args) {
                (Some(kid), Some(method), Some(args)) => Ok(Step::Kont {
                    kid: kid.to_owned(),
                    method: method.to_owned(),
                    args: args.clone(),
                }),
                _ => Err(format!(
                    "a Kont needs a string kid, a string m and an array args, got {answer}"
                )),
            }
        }
        _ => Err(shape()),
    }
}

/// Parses a request body: one JSON array (the arguments), nested at most `limits.max_depth`
/// levels.
pub fn decode_args(body: &[u8], limits: super::Limits) -> Result<Vec<Json>, Fault> {
    match json::parse(body, limits.max_depth) {
        Ok(Json::Array(args)) => Ok(args),
        Ok(other) => Err(Fault::new(
            codes::INVALID_REQUEST,
            format!("a Reach request body is a JSON array of arguments, got {other}"),
        )),
        Err(JsonError::TooDeep(depth)) => Err(Fault::new(
            codes::INVALID_REQUEST,
            format!("JSON nested deeper than {depth} levels (the server's --max-depth)"),
        )),
        Err(JsonError::Syntax(e)) => {
            Err(Fault::new(codes::PARSE_ERROR, format!("Parse error: {e}")))
        }
        Err(e @ JsonError::IntegerOutOfRange(_)) => Err(Fault::new(
            codes::INVALID_PARAMS,
            format!("Invalid params: {e}"),
        )),
    }
}

/// The arguments of `/kont`: `[kid, answer]`.
pub fn decode_kont_args(args: &[Json]) -> Result<(&str, Json), Fault> {
    match args {
        [Json::String(kid), answer] => Ok((kid, answer.clone())),
        [Json::String(kid)] => Ok((kid, Json::Null)),
        _ => Err(Fault::new(
            codes::INVALID_PARAMS,
            "Invalid params: /kont takes [kid, answer] with kid the string of a Kont",
        )),
    }
}

/// The body of an error answer: `{"error": {"code", "message", "data"?}}`, as raw-tcp answers.
pub fn error_body(fault: &Fault) -> Json {
    json!({ "error": fault.to_json() })
}

/// Reads an error body back into a fault, when it has that shape.
pub fn decode_error_body(body: &[u8]) -> Option<Fault> {
    let doc: Json = serde_json::from_slice(super::strip_bom(body)).ok()?;
    let error = doc.get("error")?;
    let code = error.get("code")?.as_i64()?;
    let message = error.get("message")?.as_str()?;
    let mut fault = Fault::new(code, message);
    fault.data = error.get("data").cloned();
    Some(fault)
}

/// The answer rule: each call has its own request, so a reply answers one call. A success status
/// carries the JSON result; an error status is that call's error (see [`decode_answer`]).
pub fn read_answer(
    reply: Reply<'_>,
    _count: usize,
    _mode: Mode,
) -> Result<Vec<Outcome>, AnswerError> {
    let outcome = match decode_answer(reply)? {
        Ok(json) => Ok(Value::from_json(&json).map_err(|e| AnswerError::Invalid(e.to_string()))?),
        Err(fault) => Err(fault),
    };
    Ok(vec![outcome])
}

/// One reply as JSON (the interactive loop reads `Kont` steps from it) or as the call's error: a
/// Reach error body says it best, with the status in brackets; a body of another shape becomes a
/// fault whose code is the HTTP status and whose data is the body.
pub fn decode_answer(reply: Reply<'_>) -> Result<Result<Json, Fault>, AnswerError> {
    let body = reply.body();
    if !reply.is_success() {
        let status = reply.status().unwrap_or_default();
        return Ok(Err(status_fault(status, body)));
    }
    serde_json::from_slice(super::strip_bom(body))
        .map(Ok)
        .map_err(|e| {
            AnswerError::Invalid(format!(
                "the Reach answer is not JSON ({e}): {}",
                String::from_utf8_lossy(body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ))
        })
}

fn status_fault(status: u16, body: &[u8]) -> Fault {
    let shown = super::answer::status_text(status);
    if let Some(mut fault) = decode_error_body(body) {
        fault.message = format!("{} (HTTP {shown})", fault.message);
        return fault;
    }
    let mut fault = Fault::new(i64::from(status), format!("HTTP {shown}"));
    let text = String::from_utf8_lossy(body).trim().to_owned();
    if !text.is_empty() {
        fault.data = Some(
            serde_json::from_str(&text)
                .unwrap_or_else(|_| Json::String(text.chars().take(300).collect())),
        );
    }
    fault
}

/// The HTTP status that goes with a fault's code.
pub fn status_for(code: i64) -> u16 {
    match code {
        codes::METHOD_NOT_FOUND => 404,
        codes::LIMIT_EXCEEDED => 413,
        codes::INTERNAL_ERROR => 500,
        // Parse errors, bad requests, bad params and the service's own errors (division by zero,
        // overflow) are all caused by what the client sent.
        _ => 400,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn paths_with_or_without_slash() {
        assert_eq!(method_path("add"), "/add");
        assert_eq!(
            method_path("/stdlib/formatCurrency"),
            "/stdlib/formatCurrency"
        );
        assert_eq!(method_of_path("/interact/sum"), "interact/sum");
    }

    #[test]
    fn named_params_are_refused() {
        let named = Params::Named([("a".to_owned(), Value::Int(1))].into_iter().collect());
        assert!(args_of(&named).is_err());
        assert_eq!(
            args_of(&Params::Positional(vec![Value::Int(1)])),
            Ok(vec![json!(1)])
        );
    }

    #[test]
    fn interactive_args_follow_the_reach_clients() {
        let values: IndexMap<String, Json> = [("price".to_owned(), json!(10))].into();
        let args = interactive_args(vec![json!("Contract-42")], &values, &["showX".to_owned()]);
        assert_eq!(
            Json::Array(args),
            json!(["Contract-42", {"price": 10}, {"showX": true}])
        );
    }

    #[test]
    fn steps_decode_and_encode() {
        let kont =
            json!({"t": "Kont", "kid": "Kont-A", "m": "showX", "args": ["19283.1035819471"]});
        let step = decode_step(&kont).unwrap();
        assert_eq!(
            step,
            Step::Kont {
                kid: "Kont-A".into(),
                method: "showX".into(),
                args: vec![json!("19283.1035819471")]
            }
        );
        assert_eq!(step.to_json(), kont);
        assert_eq!(
            decode_step(&json!({"t": "Done", "ans": null})).unwrap(),
            Step::Done(Json::Null)
        );
        assert!(decode_step(&json!({"t": "Kont", "kid": 1, "m": "x", "args": []})).is_err());
        assert!(decode_step(&json!({"t": "Other"})).is_err());
        assert!(decode_step(&json!(5)).is_err());
    }

    #[test]
    fn method_paths_join_the_endpoint_path() {
        assert_eq!(request_path("/", "/add"), "/add");
        assert_eq!(request_path("/api/", "/kont"), "/api/kont");
        assert_eq!(encode_args(&[json!(1), json!("a")]), br#"[1,"a"]"#);
    }

    #[test]
    fn request_bodies_must_be_arrays() {
        assert_eq!(
            decode_args(b"[1, 2]", crate::protocol::Limits::with_depth(8)).unwrap(),
            vec![json!(1), json!(2)]
        );
        assert_eq!(
            decode_args(b"{}", crate::protocol::Limits::with_depth(8))
                .unwrap_err()
                .code,
            codes::INVALID_REQUEST
        );
        assert_eq!(
            decode_args(b"[1,", crate::protocol::Limits::with_depth(8))
                .unwrap_err()
                .code,
            codes::PARSE_ERROR
        );
        assert_eq!(
            decode_args(b"[[[1]]]", crate::protocol::Limits::with_depth(2))
                .unwrap_err()
                .code,
            codes::INVALID_REQUEST
        );
    }

    #[test]
    fn kont_args() {
        let args = [json!("k"), json!(5)];
        assert_eq!(decode_kont_args(&args).unwrap(), ("k", json!(5)));
        assert!(decode_kont_args(&[json!(1), json!(2)]).is_err());
        assert!(decode_kont_args(&[]).is_err());
    }

    #[test]
    fn error_bodies_round_trip() {
        let fault = Fault::new(codes::METHOD_NOT_FOUND, "Method not found: nope");
        let body = error_body(&fault).to_string();
        assert_eq!(decode_error_body(body.as_bytes()), Some(fault));
        assert_eq!(decode_error_body(b"\"x\""), None);
        assert_eq!(status_for(codes::METHOD_NOT_FOUND), 404);
        assert_eq!(status_for(codes::DIVISION_BY_ZERO), 400);
    }
}
