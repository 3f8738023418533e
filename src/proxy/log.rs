//! What `rpc proxy` prints: one line per request and per answer in the trace format
//! (`RPC add [2,3]`, `RPC add [2,3] ==> 5`, `=!>` for an error), each prefixed with the client
//! connection's number and the time since the proxy started (`#3 +1.204s`); notes (a connection
//! opened, bytes that did not decode, an unreachable upstream); `-v` headers and `-vv` bytes. With
//! `--json`, one JSON object per event instead. Each event is written and flushed whole, so lines
//! of connections served at once never mix.
//!
//! Every answered call is also appended to the `--record` file, in the format of
//! `rpc repl --record` ([`crate::record`]): those whose params are an array or an object (every
//! protocol's calls are, but a JSON-RPC call with scalar params), and gRPC calls read with a
//! schema (gRPC's reflection is logged, not recorded).

use crate::linelog::{self, LineWriter, Sink};
use crate::protocol::Proto;
use crate::record::{self, Entry, Exchange, Recorder};
use colored::Colorize;
use serde_json::{json, Value as Json};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Values longer than this many characters are shortened in the text log on a terminal (never in
/// `--json` or in a recording).
const SHORTEN_AT: usize = 200;
/// Bytes of undecoded data shown in a note.
const DUMP_BYTES: usize = 64;

/// How the log looks: built at the command line's edge.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// `-v` headers, `-vv` bytes too.
    pub verbose: u8,
    pub json: bool,
    pub color: bool,
    /// Shorten long values (stdout is a terminal).
    pub shorten: bool,
    /// `--show-secrets`: credentials in `-v` heads as they are, not `***`.
    pub show_secrets: bool,
}

/// The proxy's log, shared by every connection. Events go to a writer thread through a queue of
/// at most `--max-log-queue` lines, so a stdout that is read slowly (a pipe to a busy `jq`) never
/// stalls the connections; lines over the limit are counted and the count is printed.
pub struct Log {
    started: Instant,
    style: Style,
    /// None when the writer thread could not be started: lines are then written directly.
    writer: Option<LineWriter>,
    sink: Sink,
    /// `--record`: every answered call, and the upstream's `HOST:PORT` and whether it is TLS
    /// (each entry's endpoint is the URL its protocol is served at there).
    recorder: Option<(Mutex<Recorder>, Upstream)>,
}

/// Where the proxy forwards to, as recordings name it.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// `HOST:PORT`, or `unix:PATH` / `stdio:CMD`.
    pub target: String,
    pub tls: bool,
}

impl Upstream {
    /// The endpoint (and `--unix-socket`) a replay reaches `proto` at there: the URL it is
    /// served at over HTTP (`http://HOST:PORT/RPC2` for XML-RPC, `grpc://…`; on a Unix socket
    /// `http://localhost/…` through it), else the stream itself (`unix:PATH`, `stdio:CMD`,
    /// `tcp://HOST:PORT`), or the WebSocket URL the calls went to (`ws://HOST:PORT/PATH`).
    fn endpoint(&self, proto: Proto, carrier: Carrier) -> (String, Option<std::path::PathBuf>) {
        use crate::protocol::Transport;
        let stream = match carrier {
            Carrier::WebSocket(path) => return self.websocket(path),
            Carrier::Stream => true,
            Carrier::Native => false,
        };
        let spec = proto.spec();
        let over_http = !stream && matches!(spec.transport, Transport::Http | Transport::Http2);
        let unix = self.target.strip_prefix("unix:");
        match unix {
            Some(path) if over_http => (spec.server_url("localhost", self.tls), Some(path.into())),
            Some(_) => (self.target.clone(), None),
            None if self.target.starts_with("stdio:") => (self.target.clone(), None),
            None if stream => (format!("tcp://{}", self.target), None),
            None => (spec.server_url(&self.target, self.tls), None),
        }
    }

    /// `ws://HOST:PORT/PATH` (`wss://` with TLS); on a Unix socket `ws://localhost/PATH` through
    /// it.
    fn websocket(&self, path: &str) -> (String, Option<std::path::PathBuf>) {
        let scheme = if self.tls { "wss" } else { "ws" };
        match self.target.strip_prefix("unix:") {
            Some(socket) => (format!("{scheme}://localhost{path}"), Some(socket.into())),
            None => (format!("{scheme}://{}{path}", self.target), None),
        }
    }
}

/// How a call travelled to the server, which says where a replay sends it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Carrier<'a> {
    /// The protocol's own transport: HTTP/1.1, HTTP/2, raw TCP.
    Native,
    /// A message on a byte stream (`unix:`, `stdio:`, `tcp://`).
    Stream,
    /// A WebSocket message, on the upgrade of this path (and query).
    WebSocket(&'a str),
}

/// Which way something went.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Way {
    /// From the client, to the server.
    Request,
    /// From the server, to the client.
    Answer,
}

/// One finished call, as the log and the recording see it.
pub struct Answered<'a> {
    pub conn: u64,
    pub proto: Proto,
    pub method: &'a str,
    pub params: &'a Json,
    /// `Ok(result)` or `Err(error object)`.
    pub outcome: Result<&'a Json, &'a Json>,
    pub duration: Duration,
    pub carrier: Carrier<'a>,
}

impl Log {
    /// A log printing in `style` to `sink` (stdout; stderr or `--log FILE` for `--stdio`, whose
    /// stdout is the server's), queueing at most `max_queue` lines, recording with `recorder`.
    pub fn new(
        style: Style,
        sink: Sink,
        max_queue: usize,
        recorder: Option<(Recorder, Upstream)>,
    ) -> Log {
        Log {
            started: Instant::now(),
            style,
            writer: LineWriter::start("rpc proxy", sink.clone(), max_queue),
            sink,
            recorder: recorder.map(|(r, upstream)| (Mutex::new(r), upstream)),
        }
    }

    /// Waits until every line queued so far is written.
    pub fn flush(&self) {
        if let Some(writer) = &self.writer {
            writer.flush();
        }
    }

    pub fn style(&self) -> Style {
        self.style
    }

    /// `#3 +1.204s `
    fn prefix(&self, conn: u64) -> String {
        format!("#{conn} +{:.3}s ", self.started.elapsed().as_secs_f64())
    }

    fn elapsed(&self) -> f64 {
        (self.started.elapsed().as_secs_f64() * 1e6).round() / 1e6
    }

    fn emit(&self, text: &str) {
        match &self.writer {
            Some(writer) => writer.line(text.to_owned()),
            None => linelog::direct(&self.sink, text),
        }
    }

    fn shown(&self, value: &Json) -> String {
        let text = value.to_string();
        if self.style.shorten && text.chars().count() > SHORTEN_AT {
            let kept: String = text.chars().take(SHORTEN_AT).collect();
            format!("{kept}…")
        } else {
            text
        }
    }

    /// A call on its way to the server: `#1 +0.512s RPC add [2,3]`.
    pub fn call(&self, conn: u64, proto: Proto, method: &str, params: &Json) {
        if self.style.json {
            return self.emit(
                &json!({
                    "event": "call", "connection": conn, "time": self.elapsed(),
                    "protocol": proto.name(), "method": method, "params": params,
                })
                .to_string(),
            );
        }
        let line = format!("RPC {method} {}", self.shown(params));
        let line = if self.style.color {
            line.cyan().to_string()
        } else {
            line
        };
        self.emit(&format!("{}{line}", self.prefix(conn)));
    }

    /// A call's answer: `#1 +0.515s RPC add [2,3] ==> 5` (`=!>` and the error object for an error);
    /// recorded with `--record`.
    pub fn answer(&self, answered: &Answered) {
        self.record_call(answered);
        self.answer_line(answered);
    }

    /// An answer's line only, not recorded: one message of a gRPC stream, which is recorded
    /// whole when it ends ([`Log::record_stream`]).
    pub fn answer_line(&self, answered: &Answered) {
        let Answered {
            conn,
            proto,
            method,
            params,
            outcome,
            duration,
            carrier: _,
        } = answered;
        if self.style.json {
            let mut event = json!({
                "event": "answer", "connection": conn, "time": self.elapsed(),
                "protocol": proto.name(), "method": method, "params": params,
                "duration_ms": (duration.as_secs_f64() * 1e6).round() / 1e3,
            });
            match outcome {
                Ok(result) => event["result"] = (*result).clone(),
                Err(error) => event["error"] = (*error).clone(),
            }
            return self.emit(&event.to_string());
        }
        let (arrow, value) = match outcome {
            Ok(result) => ("==>", result),
            Err(error) => ("=!>", error),
        };
        let line = format!(
            "RPC {method} {} {arrow} {}",
            self.shown(params),
            self.shown(value)
        );
        let line = match (self.style.color, outcome.is_ok()) {
            (false, _) => line,
            (true, true) => line.green().to_string(),
            (true, false) => line.red().to_string(),
        };
        self.emit(&format!("{}{line}", self.prefix(*conn)));
    }

    /// Something worth knowing that is not a call: a connection, a callback step, a failure.
    pub fn note(&self, conn: u64, text: &str) {
        if self.style.json {
            return self.emit(
                &json!({"event": "note", "connection": conn, "time": self.elapsed(), "text": text})
                    .to_string(),
            );
        }
        let line = format!("{}{text}", self.prefix(conn));
        self.emit(&if self.style.color {
            line.dimmed().to_string()
        } else {
            line
        });
    }

    /// Bytes that did not decode as any call or answer: forwarded all the same, shown short.
    pub fn undecoded(&self, conn: u64, way: Way, what: &str, bytes: &[u8]) {
        let side = match way {
            Way::Request => "from the client",
            Way::Answer => "from the server",
        };
        if self.style.json {
            return self.emit(
                &json!({
                    "event": "undecoded", "connection": conn, "time": self.elapsed(),
                    "from": if way == Way::Request { "client" } else { "server" },
                    "what": what, "bytes": bytes.len(), "dump": escaped(bytes),
                })
                .to_string(),
            );
        }
        self.note(
            conn,
            &format!(
                "{} bytes {side} not decoded ({what}), forwarded: {}",
                bytes.len(),
                dump(bytes)
            ),
        );
    }

    /// `-v`: a head (its start line, then `name: value` per header), `>` toward the server, `<`
    /// back; secrets as `***` unless `--show-secrets` ([`crate::trace::header_shown`]).
    pub fn head(&self, conn: u64, way: Way, start: &str, headers: &hyper::HeaderMap) {
        if self.style.verbose == 0 || self.style.json {
            return;
        }
        let mark = if way == Way::Request { ">" } else { "<" };
        let prefix = self.prefix(conn);
        let mut text = format!("{prefix}{mark} {start}");
        for (name, value) in headers {
            let value = String::from_utf8_lossy(value.as_bytes());
            let shown = crate::trace::header_shown(name.as_str(), &value, self.style.show_secrets);
            text.push_str(&format!("\n{prefix}{mark} {name}: {shown}"));
        }
        self.emit(&text);
    }

    /// `-vv`: bytes as they passed.
    pub fn bytes(&self, conn: u64, way: Way, bytes: &[u8]) {
        if self.style.verbose < 2 || self.style.json || bytes.is_empty() {
            return;
        }
        let mark = if way == Way::Request { ">" } else { "<" };
        let prefix = self.prefix(conn);
        let text: Vec<String> = String::from_utf8_lossy(bytes)
            .lines()
            .map(|l| format!("{prefix}{mark} {l}"))
            .collect();
        self.emit(&text.join("\n"));
    }

    fn record_call(&self, answered: &Answered) {
        let Some((recorder, upstream)) = &self.recorder else {
            return;
        };
        let Ok(params) = record::params_from_json(answered.params) else {
            return;
        };
        let answer = match answered.outcome {
            Ok(result) => json!({ "result": result }),
            Err(error) => json!({ "error": error }),
        };
        let (endpoint, unix_socket) = upstream.endpoint(answered.proto, answered.carrier);
        self.append(
            recorder,
            Entry {
                endpoint,
                unix_socket,
                proto: answered.proto,
                exchange: Exchange::Call {
                    call: crate::protocol::Call {
                        method: answered.method.to_owned(),
                        params,
                    },
                    answer,
                },
                duration: answered.duration,
            },
        );
    }

    /// Records a notification of a client's subscription (with `--record`), `duration` after the
    /// subscription was answered.
    pub fn record_notification(
        &self,
        proto: Proto,
        carrier: Carrier,
        method: &str,
        params: &Json,
        duration: Duration,
    ) {
        if let Some((recorder, upstream)) = &self.recorder {
            let (endpoint, unix_socket) = upstream.endpoint(proto, carrier);
            let exchange = Exchange::Notification {
                method: method.to_owned(),
                params: params.clone(),
            };
            let entry = Entry {
                endpoint,
                unix_socket,
                proto,
                exchange,
                duration,
            };
            self.append(recorder, entry);
        }
    }

    /// Records a whole gRPC stream (with `--record`).
    pub fn record_stream(&self, stream: record::Stream, duration: Duration) {
        if let Some((recorder, upstream)) = &self.recorder {
            let (endpoint, unix_socket) = upstream.endpoint(Proto::Grpc, Carrier::Native);
            self.append(
                recorder,
                Entry {
                    endpoint,
                    unix_socket,
                    proto: Proto::Grpc,
                    exchange: Exchange::Stream(stream),
                    duration,
                },
            );
        }
    }

    /// Whether calls are recorded (gRPC streams then keep their messages).
    pub fn recording(&self) -> bool {
        self.recorder.is_some()
    }

    fn append(&self, recorder: &Mutex<Recorder>, entry: Entry) {
        let mut recorder = recorder.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = recorder.append(&entry) {
            eprintln!("rpc proxy: {e}");
        }
    }
}

/// The first bytes in quotes: as text where they are printable and `\xNN` where not, `…` when
/// cut.
pub fn dump(bytes: &[u8]) -> String {
    format!("\"{}\"", escaped(bytes))
}

/// The first [`DUMP_BYTES`] bytes as [`dump`] shows them, without the quotes.
fn escaped(bytes: &[u8]) -> String {
    let mut text: String = bytes
        .iter()
        .take(DUMP_BYTES)
        .flat_map(|b| std::ascii::escape_default(*b))
        .map(char::from)
        .collect();
    if bytes.len() > DUMP_BYTES {
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dumps_are_short_and_escaped() {
        assert_eq!(dump(b"ab\x00\n"), "\"ab\\x00\\n\"");
        assert!(dump(&[b'x'; 100]).ends_with("…\""));
    }
}
