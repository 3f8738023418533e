//! The REPL's meta-commands: lines that start with `:` and talk to `rpc`, not to the server.

use crate::error::{Error, Result};
use crate::protocol::{Proto, PROTOCOLS};
use std::path::PathBuf;

/// One parsed meta-command.
#[derive(Debug, Clone, PartialEq)]
pub enum Meta {
    Help,
    /// `:proto` alone shows the current protocol.
    Proto(Option<Proto>),
    Connect(String),
    Methods,
    Describe(String),
    /// `:header` alone lists the headers; `Name:` with no value removes one.
    Header(Option<(String, String)>),
    /// `:verbose` alone toggles.
    Verbose(Option<bool>),
    History,
    Record(RecordCommand),
    /// `:callback`: the session's Reach callbacks.
    Callback(Setting),
    /// `:value`: the session's Reach values.
    Value(Setting),
    /// `:subscribe METHOD ARG…` as typed after the name; None lists the subscriptions.
    Subscribe(Option<String>),
    /// `:unsubscribe [ID]`: one subscription by its id (as printed, JSON or a bare word), or all.
    Unsubscribe(Option<String>),
    Quit,
}

/// What `:record` is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordCommand {
    Status,
    Start(PathBuf),
    Stop,
}

/// What `:callback` or `:value` is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Setting {
    List,
    Clear,
    /// `NAME=` with nothing after the `=`.
    Remove(String),
    /// `NAME=…` (or a bare `NAME` for `:callback`) as typed; the session parses it.
    Set(String),
}

/// Every meta-command with its usage, in the order `:help` shows them; Tab completes these names.
pub const COMMANDS: &[(&str, &str)] = &[
    (":help", "this list"),
    (
        ":proto [NAME]",
        "switch protocol: json-rpc, xml-rpc, reach, raw-tcp (or show it)",
    ),
    (
        ":connect ENDPOINT",
        "switch server: URL, HOST:PORT or :PORT",
    ),
    (":methods", "list the server's methods (introspection)"),
    (":describe METHOD", "help and signature of one method"),
    (
        ":header [Name: value]",
        "add or replace an HTTP header (Name: alone removes it; no argument lists them)",
    ),
    (
        ":verbose [on|off]",
        "also dump the bytes on the wire (no argument toggles)",
    ),
    (":history", "the lines entered so far"),
    (
        ":record [FILE|off]",
        "append every call and answer to FILE as JSON Lines (for rpc replay)",
    ),
    (
        ":callback [NAME[=ANSWER]]",
        "Reach: answer callback NAME with JSON or !COMMAND; NAME alone is asked at the prompt \
         (NAME= removes it, clear removes all; no argument lists them)",
    ),
    (
        ":value [NAME=JSON]",
        "Reach: a value of the interact object (NAME= removes it, clear removes all; no argument lists them)",
    ),
    (
        ":subscribe [METHOD ARG…]",
        "call a subscribe method on a stream (ws://, unix:, stdio:) and keep its id; its \
         notifications show as they come (no argument lists the subscriptions)",
    ),
    (
        ":unsubscribe [ID]",
        "end one subscription (all without ID) with its paired unsubscribe \
         (eth_subscribe → eth_unsubscribe)",
    ),
    (":quit", "leave (Ctrl-D does too)"),
];

/// The bare names (`:help`, `:proto`, …) for completion.
pub fn names() -> impl Iterator<Item = &'static str> {
    COMMANDS
        .iter()
        .map(|(usage, _)| usage.split(' ').next().unwrap_or(usage))
}

/// The text `:help` prints.
pub fn help_text() -> String {
    let width = COMMANDS.iter().map(|(u, _)| u.len()).max().unwrap_or(0);
    let mut text = String::from(
        "A line is a call: METHOD [ARG]... (ARGs as in `rpc call`: JSON, else a string; NAME:=VALUE; + for a batch).\n\
         \"…\" is a JSON string, '…' is taken literally, {…} and […] are JSON as typed.\n",
    );
    for (usage, what) in COMMANDS {
        text.push_str(&format!("  {usage:width$}  {what}\n"));
    }
    text.push_str(
        "Reach: with callbacks or values set, every call is interactive; a callback with no answer is\n\
         asked at the prompt (getNumber(1) ? ), the answer read as an ARG (an empty line is null).\n\
         From a pipe, the lines after a call answer its callbacks.\n",
    );
    text.push_str(
        "On a stream (ws://, unix:, stdio:), what the server sends unasked is logged as it comes\n\
         (RPC <- subscription {…}), above the prompt.\n\
         Ctrl-C cancels the line, the call in flight or a callback's prompt; Ctrl-D leaves.",
    );
    text
}

/// Parses a line that starts with `:`.
pub fn parse(line: &str) -> Result<Meta> {
    let line = line.trim();
    let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
    let rest = rest.trim();
    let arg = (!rest.is_empty()).then_some(rest);
    match name {
        ":help" | ":h" | ":?" => no_argument(Meta::Help, arg),
        ":proto" => arg.map(parse_proto).transpose().map(Meta::Proto),
        ":connect" => required(arg, ":connect ENDPOINT").map(Meta::Connect),
        ":methods" => no_argument(Meta::Methods, arg),
        ":describe" => required(arg, ":describe METHOD").map(Meta::Describe),
        ":header" => arg.map(parse_header).transpose().map(Meta::Header),
        ":verbose" => arg.map(parse_switch).transpose().map(Meta::Verbose),
        ":history" => no_argument(Meta::History, arg),
        ":record" => Ok(Meta::Record(match arg {
            None => RecordCommand::Status,
            Some("off") => RecordCommand::Stop,
            Some(path) => RecordCommand::Start(PathBuf::from(path)),
        })),
        ":callback" => parse_setting(arg).map(Meta::Callback),
        ":value" => parse_setting(arg).map(Meta::Value),
        ":subscribe" => Ok(Meta::Subscribe(arg.map(str::to_owned))),
        ":unsubscribe" => Ok(Meta::Unsubscribe(arg.map(str::to_owned))),
        ":quit" | ":q" | ":exit" => no_argument(Meta::Quit, arg),
        other => Err(Error::usage(format!(
            "unknown meta-command {other} (:help lists them)"
        ))),
    }
}

fn no_argument(meta: Meta, arg: Option<&str>) -> Result<Meta> {
    match arg {
        None => Ok(meta),
        Some(extra) => Err(Error::usage(format!("unexpected argument {extra:?}"))),
    }
}

fn required(arg: Option<&str>, usage: &str) -> Result<String> {
    arg.map(str::to_owned)
        .ok_or_else(|| Error::usage(format!("usage: {usage}")))
}

/// A protocol by name or alias, as `-P` takes it.
fn parse_proto(name: &str) -> Result<Proto> {
    Proto::parse(name).map_err(Error::usage)
}

/// The protocols' main names, for completion.
pub fn proto_names() -> impl Iterator<Item = &'static str> {
    PROTOCOLS.iter().map(|spec| spec.name)
}

/// `Name: value` → (Name, value); `Name:` → (Name, "") which removes the header.
fn parse_header(text: &str) -> Result<(String, String)> {
    let (name, value) = text
        .split_once(':')
        .ok_or_else(|| Error::usage("usage: :header Name: value"))?;
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(Error::usage(format!("invalid header name {name:?}")));
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// The argument of `:callback` and `:value`.
fn parse_setting(arg: Option<&str>) -> Result<Setting> {
    let Some(text) = arg else {
        return Ok(Setting::List);
    };
    if text == "clear" {
        return Ok(Setting::Clear);
    }
    match text.split_once('=') {
        Some((name, "")) if name.trim().is_empty() => {
            Err(Error::usage("a name is missing before the ="))
        }
        Some((name, "")) => Ok(Setting::Remove(name.trim().to_owned())),
        _ => Ok(Setting::Set(text.to_owned())),
    }
}

fn parse_switch(text: &str) -> Result<bool> {
    match text {
        "on" => Ok(true),
        "off" => Ok(false),
        other => Err(Error::usage(format!("expected on or off, not {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_command() {
        assert_eq!(parse(":help").unwrap(), Meta::Help);
        assert_eq!(
            parse(":proto xml").unwrap(),
            Meta::Proto(Some(Proto::XmlRpc))
        );
        assert_eq!(
            parse(":proto TCP").unwrap(),
            Meta::Proto(Some(Proto::RawTcp))
        );
        assert_eq!(parse(":proto").unwrap(), Meta::Proto(None));
        assert_eq!(
            parse(":connect :9000").unwrap(),
            Meta::Connect(":9000".into())
        );
        assert_eq!(
            parse(":header X-Api-Key:  k 1").unwrap(),
            Meta::Header(Some(("X-Api-Key".into(), "k 1".into())))
        );
        assert_eq!(parse(":verbose").unwrap(), Meta::Verbose(None));
        assert_eq!(parse(":verbose off").unwrap(), Meta::Verbose(Some(false)));
        assert_eq!(
            parse(":record off").unwrap(),
            Meta::Record(RecordCommand::Stop)
        );
        assert_eq!(
            parse(":callback getNumber").unwrap(),
            Meta::Callback(Setting::Set("getNumber".into()))
        );
        assert_eq!(
            parse(":callback showTotal=null").unwrap(),
            Meta::Callback(Setting::Set("showTotal=null".into()))
        );
        assert_eq!(
            parse(":callback getNumber=").unwrap(),
            Meta::Callback(Setting::Remove("getNumber".into()))
        );
        assert_eq!(
            parse(":callback clear").unwrap(),
            Meta::Callback(Setting::Clear)
        );
        assert_eq!(parse(":value").unwrap(), Meta::Value(Setting::List));
        assert_eq!(
            parse(":subscribe eth_subscribe newHeads").unwrap(),
            Meta::Subscribe(Some("eth_subscribe newHeads".into()))
        );
        assert_eq!(parse(":unsubscribe").unwrap(), Meta::Unsubscribe(None));
        assert_eq!(
            parse(":value start=10").unwrap(),
            Meta::Value(Setting::Set("start=10".into()))
        );
        assert_eq!(parse(" :quit ").unwrap(), Meta::Quit);
    }

    #[test]
    fn mistakes_are_errors() {
        assert!(parse(":nope").is_err());
        assert!(parse(":proto soap").is_err());
        assert!(parse(":connect").is_err());
        assert!(parse(":describe").is_err());
        assert!(parse(":verbose maybe").is_err());
        assert!(parse(":header no-colon").is_err());
        assert!(parse(":quit now").is_err());
        assert!(parse(":value =").is_err());
    }

    #[test]
    fn every_protocol_has_a_name() {
        assert_eq!(
            proto_names().collect::<Vec<_>>(),
            ["json-rpc", "xml-rpc", "reach", "raw-tcp", "grpc", "lsp"]
        );
    }
}
