//! The traffic log: the one place that formats requests and responses for people.
//!
//! Lines follow the Reach RPC client's debug log, `RPC <method> <json args>` before a call and
//! `RPC <method> <json args> ==> <json result>` after it; a failed call ends in `=!> <error json>`.
//! At level 2 the exact bytes on the wire are dumped too, `>` for what was sent, `<` for what came.

use crate::protocol::Outcome;
use colored::Colorize;
use std::io::Write;

/// Where and how much to log. Cheap to copy; every copy writes to the same stream (stderr, unless
/// [`Trace::on_stdout`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Trace {
    /// 0: nothing, 1: call lines, 2: call lines and wire dumps.
    pub level: u8,
    pub color: bool,
    /// Write to stdout instead of stderr: for `rpc demo`, whose log is its output.
    pub to_stdout: bool,
    /// `--show-secrets`: wire dumps show credentials (Authorization, X-API-Key, cookies) as sent
    /// instead of `***`.
    pub show_secrets: bool,
    /// What lies under a failure (the libraries' own words) is shown: with `-v`; the REPL, which
    /// logs calls at level 1 by default, only with its wire dump on.
    pub details: bool,
}

/// Direction of a wire dump.
#[derive(Debug, Clone, Copy)]
pub enum Direction {
    Sent,
    Received,
}

impl Trace {
    pub fn new(level: u8, color: bool) -> Self {
        Trace {
            level,
            color,
            to_stdout: false,
            show_secrets: false,
            details: level >= 1,
        }
    }

    /// The same log, showing what lies under a failure only when `shown`.
    pub fn with_details(self, shown: bool) -> Self {
        Trace {
            details: shown,
            ..self
        }
    }

    /// The same log, with secrets in wire dumps shown as they are (`--show-secrets`).
    pub fn showing_secrets(self, show: bool) -> Self {
        Trace {
            show_secrets: show,
            ..self
        }
    }

    /// The same log, written to stdout.
    pub fn on_stdout(self) -> Self {
        Trace {
            to_stdout: true,
            ..self
        }
    }

    /// `RPC <method> <args>`, before a call goes out.
    pub fn call(&self, method: &str, params: &serde_json::Value) {
        if self.level >= 1 {
            let line = call_line(method, params);
            self.emit(&self.paint(&line, Paint::Request));
        }
    }

    /// `RPC <method> <args> ==> <result>` (or `=!> <error>`), when the answer is in.
    pub fn answer(&self, method: &str, params: &serde_json::Value, outcome: &Outcome) {
        if self.level >= 1 {
            let line = answer_line(method, params, outcome);
            let paint = if outcome.is_ok() {
                Paint::Response
            } else {
                Paint::Error
            };
            self.emit(&self.paint(&line, paint));
        }
    }

    /// The exact bytes of one message, each line prefixed with `> ` or `< ` as curl -v does.
    pub fn wire(&self, direction: Direction, bytes: &[u8]) {
        if self.level >= 2 {
            let dump = wire_dump(direction, bytes, self.show_secrets);
            self.emit(&self.paint(&dump, Paint::Wire));
        }
    }

    /// With [`Trace::details`] (`-v`), what lies under a failure: the chain of its sources (the libraries' own words),
    /// which the one-line error leaves out.
    pub fn detail(&self, error: &(dyn std::error::Error + 'static)) {
        if !self.details {
            return;
        }
        let top = error.to_string();
        let mut chain: Vec<String> = Vec::new();
        let mut source = error.source();
        while let Some(inner) = source {
            let text = inner.to_string();
            if text != top && !chain.contains(&text) {
                chain.push(text);
            }
            source = inner.source();
        }
        if !chain.is_empty() {
            self.emit(&format!("rpc: detail: {}", chain.join(": ")));
        }
    }

    /// A free-form note for people (warnings, progress), never traffic.
    pub fn note(&self, text: &str) {
        self.emit(text);
    }

    fn paint(&self, text: &str, paint: Paint) -> String {
        if !self.color {
            return text.to_owned();
        }
        match paint {
            Paint::Request => text.cyan().to_string(),
            Paint::Response => text.green().to_string(),
            Paint::Error => text.red().to_string(),
            Paint::Wire => text.dimmed().to_string(),
        }
    }

    fn emit(&self, text: &str) {
        // One locked write per entry, so lines from concurrent calls never interleave.
        if self.to_stdout {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        } else {
            write_log(format!("{text}\n").as_bytes());
        }
    }
}

/// Writes whole log lines somewhere else than stderr (see [`route_log`]).
pub type LogSink = Box<dyn FnMut(String) + Send>;

/// Where log lines go while the REPL's line editor owns the terminal; None: stderr.
static LOG_SINK: std::sync::Mutex<Option<LogSink>> = std::sync::Mutex::new(None);

/// Sends every log line (the trace's, a child's stderr) to `sink` from now on, None: back to
/// stderr. The interactive REPL routes them through its line editor, so a notification that
/// arrives while the user types is printed above the prompt instead of into it.
pub fn route_log(sink: Option<LogSink>) {
    *LOG_SINK.lock().unwrap_or_else(|p| p.into_inner()) = sink;
}

/// One or more whole log lines (`\n`-terminated), written at once: to the sink [`route_log`] set,
/// else to stderr.
pub fn write_log(lines: &[u8]) {
    let mut sink = LOG_SINK.lock().unwrap_or_else(|p| p.into_inner());
    match sink.as_mut() {
        Some(sink) => sink(String::from_utf8_lossy(lines).into_owned()),
        None => {
            let _ = std::io::stderr().lock().write_all(lines);
        }
    }
}

#[derive(Clone, Copy)]
enum Paint {
    Request,
    Response,
    Error,
    Wire,
}

/// `RPC add [2,3]`
pub fn call_line(method: &str, params: &serde_json::Value) -> String {
    format!("RPC {method} {params}")
}

/// `RPC add [2,3] ==> 5`, or `RPC nope [] =!> {"code":-32601,…}` for a failed call.
pub fn answer_line(method: &str, params: &serde_json::Value, outcome: &Outcome) -> String {
    match outcome {
        Ok(value) => format!("RPC {method} {params} ==> {value}"),
        Err(fault) => format!("RPC {method} {params} =!> {}", fault.to_json()),
    }
}

/// The per-call line `rpc serve` logs: peer, protocol, the answer line and the time taken.
pub fn server_line(
    peer: &str,
    proto: &str,
    method: &str,
    params: &serde_json::Value,
    outcome: &Outcome,
    elapsed: std::time::Duration,
) -> String {
    format!(
        "{peer} {proto} {} ({:.3} ms)",
        answer_line(method, params, outcome),
        elapsed.as_secs_f64() * 1000.0
    )
}

/// Header names whose values are secrets: shown as `***` in wire dumps unless asked.
pub const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "cookie",
    "set-cookie",
];

fn wire_dump(direction: Direction, bytes: &[u8], show_secrets: bool) -> String {
    let prefix = match direction {
        Direction::Sent => "> ",
        Direction::Received => "< ",
    };
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len() + 16);
    // Secrets sit in the headers of an HTTP message: the lines before the first blank one.
    let mut in_head = text.starts_with("HTTP/") || text.starts_with("POST ");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        in_head &= !line.is_empty();
        out.push_str(prefix);
        match (in_head && !show_secrets).then(|| redacted(line)).flatten() {
            Some(shown) => out.push_str(&shown),
            None => out.push_str(line),
        }
    }
    out
}

/// A header's value as logs show it: `***` for a secret ([`SECRET_HEADERS`]; `Basic ***` keeps
/// an `Authorization` scheme) unless `show_secrets`.
pub fn header_shown(name: &str, value: &str, show_secrets: bool) -> String {
    if show_secrets {
        return value.to_owned();
    }
    match redacted(&format!("{name}: {value}")) {
        Some(line) => line
            .split_once(": ")
            .map_or(line.clone(), |(_, shown)| shown.to_owned()),
        None => value.to_owned(),
    }
}

/// `Authorization: Basic ***` for a header line carrying a secret (the scheme word is kept).
fn redacted(line: &str) -> Option<String> {
    let (name, value) = line.split_once(':')?;
    if !SECRET_HEADERS.contains(&name.trim().to_ascii_lowercase().as_str()) {
        return None;
    }
    let value = value.trim();
    let shown = match value.split_once(' ') {
        Some((scheme, _)) if name.trim().eq_ignore_ascii_case("authorization") => {
            format!("{scheme} ***")
        }
        _ => "***".to_owned(),
    };
    Some(format!("{name}: {shown}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Fault;
    use crate::value::Value;
    use serde_json::json;

    #[test]
    fn reach_style_lines() {
        assert_eq!(call_line("add", &json!([2, 3])), "RPC add [2,3]");
        assert_eq!(
            answer_line("add", &json!([2, 3]), &Ok(Value::Int(5))),
            "RPC add [2,3] ==> 5"
        );
        assert_eq!(
            answer_line(
                "nope",
                &json!([]),
                &Err(Fault::new(-32601, "Method not found: nope"))
            ),
            r#"RPC nope [] =!> {"code":-32601,"message":"Method not found: nope"}"#
        );
    }

    #[test]
    fn wire_dump_prefixes_every_line() {
        assert_eq!(
            wire_dump(
                Direction::Sent,
                b"POST / HTTP/1.1\r\nHost: x\r\n\r\n{}",
                false
            ),
            "> POST / HTTP/1.1\n> Host: x\n> \n> {}"
        );
    }

    #[test]
    fn secrets_in_headers_are_redacted_unless_asked() {
        let head = b"POST / HTTP/1.1\r\nAuthorization: Basic YWxpY2U6c2VjcmV0\r\nX-Api-Key: k\r\n\r\nAuthorization: in the body";
        assert_eq!(
            wire_dump(Direction::Sent, head, false),
            "> POST / HTTP/1.1\n> Authorization: Basic ***\n> X-Api-Key: ***\n> \n> Authorization: in the body"
        );
        let shown = wire_dump(Direction::Sent, head, true);
        assert!(shown.contains("Basic YWxpY2U6c2VjcmV0") && shown.contains("X-Api-Key: k"));
    }
}
