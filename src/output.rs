//! Printing results on stdout: pretty on a terminal, one compact line when piped, colour on request.

use crate::curl::shell_quote;
use crate::error::{Error, Result};
use crate::protocol::answer::Mode;
use crate::protocol::{codes, Call, Outcome, Proto};
use colored::Colorize;
use serde_json::Value as Json;
use std::io::Write;
use std::process::ExitCode;

/// Writes `text` and a newline on stdout, flushed; an error when stdout is closed (the reader of
/// a pipe has gone), for the commands that print as long as something comes.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()
}

/// Prints one line on stdout and flushes it (stdout may be a pipe someone is reading live).
pub fn print_stdout(text: &str) {
    let _ = write_stdout(text);
}

/// How `rpc call` and the REPL report the outcomes of a line of calls: the same code, so the
/// same fault reads the same in both.
pub struct Report {
    pub proto: Proto,
    pub style: Style,
    /// Said after a "method not found" error: how to see the methods.
    pub hint: String,
}

impl Report {
    /// Prints results on stdout (notifications have none). A single failed call is the returned error (the caller prints
    /// it as `rpc: …`); a batch prints one compact line per call, so a script can pair lines with
    /// calls, reports each failure on stderr, and exits 1 after printing every line.
    pub fn print(&self, calls: &[Call], outcomes: Vec<Outcome>, mode: Mode) -> Result<ExitCode> {
        if mode == Mode::Notify {
            return Ok(ExitCode::SUCCESS);
        }
        if outcomes.len() < calls.len() {
            return Err(Error::protocol("the server sent fewer answers than calls"));
        }
        if mode == Mode::Single {
            let value = outcomes
                .into_iter()
                .next()
                .ok_or_else(|| Error::protocol("the server sent no answer"))?
                .map_err(|fault| self.error(fault))?;
            print_stdout(&render(&value.to_json(), self.style));
            return Ok(ExitCode::SUCCESS);
        }
        let line_style = Style {
            pretty: false,
            ..self.style
        };
        let mut failed = false;
        for (i, (call, outcome)) in calls.iter().zip(outcomes).enumerate() {
            let line = match outcome {
                Ok(value) => value.to_json(),
                Err(fault) => {
                    failed = true;
                    let json = serde_json::json!({ "error": fault.to_json() });
                    eprintln!(
                        "rpc: call {} ({}): {}",
                        i + 1,
                        call.method,
                        self.error(fault)
                    );
                    json
                }
            };
            print_stdout(&render(&line, line_style));
        }
        Ok(if failed {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }

    /// The error of a call the server refused; an unknown method gets the hint to list them.
    pub fn error(&self, mut fault: crate::protocol::Fault) -> Error {
        if fault.code == codes::METHOD_NOT_FOUND {
            fault.message = format!("{} ({})", fault.message, self.hint);
        }
        Error::server(self.proto, fault)
    }
}

/// What to run to see the methods of `endpoint` over `proto`: `` `rpc list [-P PROTO] ENDPOINT`
/// shows the methods``, with `-P` when the protocol was `chosen` by hand; for a protocol with no
/// listing (LSP), where what the server does is said instead.
pub fn list_hint(endpoint: &str, chosen: Option<Proto>, proto: Proto) -> String {
    if proto.spec().introspection == crate::protocol::Introspection::None {
        return "the server's capabilities, in its initialize answer, say what it does: \
                `rpc call -v` shows them"
            .to_owned();
    }
    let proto = match chosen {
        Some(proto) => format!("-P {} ", proto.name()),
        None => String::new(),
    };
    format!(
        "`rpc list {proto}{}` shows the methods",
        shell_quote(endpoint)
    )
}

/// How results are printed.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub pretty: bool,
    pub color: bool,
    /// Print a string result without quotes.
    pub raw: bool,
}

/// Renders one result as the text to print (no trailing newline).
pub fn render(value: &Json, style: Style) -> String {
    if style.raw {
        if let Json::String(s) = value {
            return s.clone();
        }
    }
    let mut out = String::new();
    write_value(&mut out, value, style, 0);
    out
}

fn write_value(out: &mut String, value: &Json, style: Style, depth: usize) {
    match value {
        Json::Array(items) if !items.is_empty() => write_container(
            out,
            style,
            depth,
            ('[', ']'),
            items.iter().map(|v| (None, v)),
        ),
        Json::Object(map) if !map.is_empty() => write_container(
            out,
            style,
            depth,
            ('{', '}'),
            map.iter().map(|(k, v)| (Some(k), v)),
        ),
        scalar => out.push_str(&paint_scalar(scalar, style.color)),
    }
}

fn write_container<'a>(
    out: &mut String,
    style: Style,
    depth: usize,
    (open, close): (char, char),
    entries: impl Iterator<Item = (Option<&'a String>, &'a Json)>,
) {
    out.push(open);
    for (i, (key, value)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        newline_indent(out, style, depth + 1);
        if let Some(key) = key {
            let quoted = Json::String(key.clone()).to_string();
            out.push_str(&if style.color {
                quoted.blue().bold().to_string()
            } else {
                quoted
            });
            out.push_str(if style.pretty { ": " } else { ":" });
        }
        write_value(out, value, style, depth + 1);
    }
    newline_indent(out, style, depth);
    out.push(close);
}

fn newline_indent(out: &mut String, style: Style, depth: usize) {
    if style.pretty {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    }
}

fn paint_scalar(value: &Json, color: bool) -> String {
    let text = value.to_string();
    if !color {
        return text;
    }
    match value {
        Json::String(_) => text.green().to_string(),
        Json::Number(_) => text.cyan().to_string(),
        Json::Bool(_) => text.yellow().to_string(),
        Json::Null => text.dimmed().to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const PLAIN: Style = Style {
        pretty: false,
        color: false,
        raw: false,
    };

    #[test]
    fn compact_is_serde_compact() {
        let doc = json!({"a": [1, 2.0, "x"], "b": {}, "c": []});
        assert_eq!(render(&doc, PLAIN), doc.to_string());
    }

    #[test]
    fn pretty_matches_serde_pretty() {
        let doc = json!({"a": [1, {"b": null}], "e": []});
        let style = Style {
            pretty: true,
            ..PLAIN
        };
        assert_eq!(
            render(&doc, style),
            serde_json::to_string_pretty(&doc).unwrap()
        );
    }

    #[test]
    fn raw_strings_lose_quotes_only() {
        let style = Style { raw: true, ..PLAIN };
        assert_eq!(render(&json!("a\"b"), style), "a\"b");
        assert_eq!(render(&json!([1]), style), "[1]");
    }
}
