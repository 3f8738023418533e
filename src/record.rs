//! Session recordings: one JSON object per call and answer, one per line (JSON Lines), written by
//! `rpc repl --record` and read back by `rpc replay`.
//!
//! ```text
//! {"endpoint":"http://localhost:8000/","protocol":"json-rpc","method":"add","params":[2,3],"result":5,"duration_ms":0.81}
//! {"endpoint":"http://localhost:8000/","protocol":"json-rpc","method":"nope","params":[],"error":{"code":-32601,"message":"…"},"duration_ms":0.4}
//! ```
//!
//! An answer is `result` or `error`. Errors that came from the server without an RPC error object
//! (an HTTP error status, an invalid answer) are recorded as `{"kind": …, "message": …}`; a call
//! that got no answer at all (refused, timed out) is not recorded: there is nothing to compare.
//!
//! A gRPC streaming call is one line too, with every message both ways in order and the status
//! it ended with (`{"code":0}` for OK, the status as a fault otherwise):
//!
//! ```text
//! {"endpoint":"grpc://localhost:8000","protocol":"grpc","method":"Router/ListRoutes","requests":[{}],"responses":[{…},{…}],"status":{"code":0},"duration_ms":2.1}
//! ```

use crate::error::{Error, Result};
use crate::protocol::{Call, Outcome, Params, Proto};
use crate::value::Value;
use serde_json::{json, Map, Value as Json};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// One recorded call.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub endpoint: String,
    /// `--unix-socket`: the Unix socket an `http(s)://` or `grpc(s)://` endpoint was reached
    /// through (written as `"unix_socket"` only when there was one).
    pub unix_socket: Option<std::path::PathBuf>,
    pub proto: Proto,
    pub exchange: Exchange,
    pub duration: Duration,
}

/// What one entry holds: a call with its answer, or a whole gRPC stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Exchange {
    Call {
        call: Call,
        /// `{"result": …}` or `{"error": …}`: the part `rpc replay` compares.
        answer: Json,
    },
    Stream(Stream),
    /// A notification of a subscription the recorded session opened (`rpc proxy --record`: the
    /// first `--record-notifications` of each). `params` names the subscription by the id the
    /// server gave then; `rpc replay` compares the rest with the notification of the id it gets.
    Notification {
        method: String,
        params: Json,
    },
}

/// A gRPC streaming call as it went: the messages sent, the messages received (both in the
/// schema's JSON form, in order) and the status it ended with.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Stream {
    pub method: String,
    pub requests: Vec<Json>,
    /// What `rpc replay` compares, message by message, with `status`.
    pub responses: Vec<Json>,
    /// `{"code":0}` for OK; the status as a fault (`{"code","message","data"?}`) otherwise, or
    /// `{"kind","message"}` for an answer that was not a status.
    pub status: Json,
}

impl Exchange {
    /// The method called, as it was written.
    pub fn method(&self) -> &str {
        match self {
            Exchange::Call { call, .. } => &call.method,
            Exchange::Stream(stream) => &stream.method,
            Exchange::Notification { method, .. } => method,
        }
    }
}

impl Entry {
    /// The JSON line for this entry.
    pub fn to_json(&self) -> Json {
        let mut line = Map::new();
        line.insert("endpoint".into(), self.endpoint.clone().into());
        if let Some(path) = &self.unix_socket {
            line.insert("unix_socket".into(), path.display().to_string().into());
        }
        line.insert("protocol".into(), self.proto.name().into());
        line.insert("method".into(), self.exchange.method().into());
        match &self.exchange {
            Exchange::Call { call, answer } => {
                line.insert("params".into(), call.params.to_json());
                if let Json::Object(answer) = answer {
                    line.extend(answer.clone());
                }
            }
            Exchange::Stream(stream) => {
                line.insert("requests".into(), stream.requests.clone().into());
                line.insert("responses".into(), stream.responses.clone().into());
                line.insert("status".into(), stream.status.clone());
            }
            Exchange::Notification { params, .. } => {
                line.insert("notification".into(), params.clone());
            }
        }
        line.insert(
            "duration_ms".into(),
            json!((self.duration.as_secs_f64() * 1e6).round() / 1e3),
        );
        Json::Object(line)
    }

    /// Reads one line back.
    pub fn from_json(line: &Json) -> std::result::Result<Entry, String> {
        let field = |name: &str| line.get(name).ok_or_else(|| format!("no {name:?} field"));
        let text = |name: &str| {
            field(name)?
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| format!("{name:?} is not a string"))
        };
        let proto = Proto::parse(&text("protocol")?)?;
        let method = text("method")?;
        let exchange = if let Some(params) = line.get("notification") {
            Exchange::Notification {
                method,
                params: params.clone(),
            }
        } else if line.get("requests").is_some() {
            let messages = |name: &str| match field(name)? {
                Json::Array(items) => Ok(items.clone()),
                _ => Err(format!("{name:?} is not an array")),
            };
            Exchange::Stream(Stream {
                method,
                requests: messages("requests")?,
                responses: messages("responses")?,
                status: field("status")?.clone(),
            })
        } else {
            let answer = match (line.get("result"), line.get("error")) {
                (Some(result), None) => json!({ "result": result }),
                (None, Some(error)) => json!({ "error": error }),
                _ => return Err("expected exactly one of \"result\" and \"error\"".into()),
            };
            let params = params_from_json(field("params")?)?;
            Exchange::Call {
                call: Call { method, params },
                answer,
            }
        };
        let millis = line
            .get("duration_ms")
            .and_then(Json::as_f64)
            .unwrap_or(0.0);
        let unix_socket = match line.get("unix_socket") {
            None => None,
            Some(_) => Some(std::path::PathBuf::from(text("unix_socket")?)),
        };
        Ok(Entry {
            endpoint: text("endpoint")?,
            unix_socket,
            proto,
            exchange,
            duration: Duration::try_from_secs_f64(millis / 1e3).unwrap_or_default(),
        })
    }
}

/// Params from their JSON form: an array (positional) or an object (named).
pub fn params_from_json(json: &Json) -> std::result::Result<Params, String> {
    let value = |v: &Json| Value::from_json(v).map_err(|e| format!("params: {e}"));
    match json {
        Json::Array(items) => items
            .iter()
            .map(value)
            .collect::<std::result::Result<_, _>>()
            .map(Params::Positional),
        Json::Object(map) => map
            .iter()
            .map(|(k, v)| value(v).map(|v| (k.clone(), v)))
            .collect::<std::result::Result<_, _>>()
            .map(Params::Named),
        // A request without params (LSP's `shutdown`): sent again without them.
        Json::Null => Ok(Params::empty()),
        _ => Err("\"params\" is neither an array nor an object".into()),
    }
}

/// The comparable answer of one call: `{"result": …}` or `{"error": …}`; `None` when the call got
/// no answer to compare (transport failure, usage error).
pub fn answer_json(outcome: std::result::Result<&Outcome, &Error>) -> Option<Json> {
    match outcome {
        Ok(Ok(value)) => Some(json!({ "result": value.to_json() })),
        Ok(Err(fault)) | Err(Error::Answered(_, fault)) => {
            Some(json!({ "error": fault.to_json() }))
        }
        Err(Error::HttpStatus(text)) => Some(json!({ "error": {"kind": "http", "message": text} })),
        Err(Error::Protocol(text)) => {
            Some(json!({ "error": {"kind": "invalid-answer", "message": text} }))
        }
        Err(Error::Usage(_) | Error::Transport(_) | Error::Local(_)) => None,
    }
}

/// The status a stream ended with, as recorded (see [`Stream::status`]); `None` when the call got
/// no answer to compare.
pub fn status_json(end: std::result::Result<(), &Error>) -> Option<Json> {
    match end {
        Ok(()) => Some(json!({ "code": 0 })),
        Err(e) => answer_json(Err(e)).and_then(|answer| answer.get("error").cloned()),
    }
}

/// An open recording: every entry is appended and flushed at once, so a session that is killed
/// keeps everything it answered.
pub struct Recorder {
    path: PathBuf,
    file: File,
}

impl Recorder {
    /// Opens FILE for appending, creating it if needed.
    pub fn open(path: &Path) -> Result<Recorder> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| {
                Error::usage(format!(
                    "cannot record to {}: {}",
                    path.display(),
                    crate::error::plain(&e)
                ))
            })?;
        Ok(Recorder {
            path: path.to_owned(),
            file,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn append(&mut self, entry: &Entry) -> Result<()> {
        let line = format!("{}\n", entry.to_json());
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.flush())
            .map_err(|e| {
                Error::Local(format!(
                    "cannot write to {}: {}",
                    self.path.display(),
                    crate::error::plain(&e)
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Fault;

    fn entry(answer: Json) -> Entry {
        Entry {
            endpoint: "http://localhost:8000/".into(),
            unix_socket: None,
            proto: Proto::JsonRpc,
            exchange: Exchange::Call {
                call: Call {
                    method: "add".into(),
                    params: Params::Positional(vec![Value::Int(2), Value::Int(3)]),
                },
                answer,
            },
            duration: Duration::from_micros(1500),
        }
    }

    fn stream_entry(status: Json) -> Entry {
        Entry {
            endpoint: "grpc://localhost:8000/".into(),
            unix_socket: Some("/run/app.sock".into()),
            proto: Proto::Grpc,
            exchange: Exchange::Stream(Stream {
                method: "Router/AddRoutes".into(),
                requests: vec![json!({"network": "10.0.0.0/8"}), json!({})],
                responses: vec![json!({"added": 2})],
                status,
            }),
            duration: Duration::from_micros(2000),
        }
    }

    #[test]
    fn stream_line_format() {
        assert_eq!(
            stream_entry(json!({"code": 0})).to_json().to_string(),
            r#"{"endpoint":"grpc://localhost:8000/","unix_socket":"/run/app.sock","protocol":"grpc","method":"Router/AddRoutes","requests":[{"network":"10.0.0.0/8"},{}],"responses":[{"added":2}],"status":{"code":0},"duration_ms":2.0}"#
        );
        for status in [
            json!({"code": 0}),
            json!({"code": 5, "message": "no route"}),
        ] {
            let original = stream_entry(status);
            assert_eq!(Entry::from_json(&original.to_json()).unwrap(), original);
        }
        let mut broken = stream_entry(json!({"code": 0})).to_json();
        broken["responses"] = json!({});
        assert!(Entry::from_json(&broken).is_err());
    }

    #[test]
    fn stream_status() {
        assert_eq!(status_json(Ok(())), Some(json!({"code": 0})));
        let status = Error::Answered(Proto::Grpc, Fault::new(5, "no route"));
        assert_eq!(
            status_json(Err(&status)),
            Some(json!({"code": 5, "message": "no route"}))
        );
        let refused = Error::transport("h:1", crate::client::failure::Cause::Refused);
        assert_eq!(status_json(Err(&refused)), None);
    }

    #[test]
    fn line_format() {
        assert_eq!(
            entry(json!({"result": 5})).to_json().to_string(),
            r#"{"endpoint":"http://localhost:8000/","protocol":"json-rpc","method":"add","params":[2,3],"result":5,"duration_ms":1.5}"#
        );
    }

    #[test]
    fn lines_read_back() {
        for answer in [
            json!({"result": [1, {"a": null}]}),
            json!({"error": {"code": 1}}),
        ] {
            let original = entry(answer);
            assert_eq!(Entry::from_json(&original.to_json()).unwrap(), original);
        }
        assert!(Entry::from_json(&json!({"endpoint": "x"})).is_err());
    }

    #[test]
    fn notifications_read_back() {
        let line = r#"{"endpoint":"ws://localhost:8545/","protocol":"json-rpc","method":"eth_subscription","notification":{"subscription":"0x1","result":{"number":"0x2"}},"duration_ms":0.0}"#;
        let entry = Entry::from_json(&serde_json::from_str(line).unwrap()).unwrap();
        assert_eq!(
            entry.exchange,
            Exchange::Notification {
                method: "eth_subscription".into(),
                params: json!({"subscription": "0x1", "result": {"number": "0x2"}}),
            }
        );
        assert_eq!(entry.to_json().to_string(), line);
    }

    #[test]
    fn answers_that_can_be_compared() {
        assert_eq!(
            answer_json(Ok(&Ok(Value::Int(5)))),
            Some(json!({"result": 5}))
        );
        assert_eq!(
            answer_json(Ok(&Err(Fault::new(1000, "division by zero")))),
            Some(json!({"error": {"code": 1000, "message": "division by zero"}}))
        );
        let refused = Error::transport("h:1", crate::client::failure::Cause::Refused);
        assert_eq!(answer_json(Err(&refused)), None);
    }
}
