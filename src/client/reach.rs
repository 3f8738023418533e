//! Reach RPC over HTTP(S): one `POST /<method>` per call (a batch is sent as sequential calls),
//! the `X-API-Key` header, Reach's environment variables, and the interactive loop that answers
//! each `Kont` through `POST /kont` until `Done`.
//!
//! Spec: <https://docs.reach.sh/ref-backends-rpc-proto.html>. The callbacks are answered behind the
//! small [`Callbacks`] trait, so `rpc call` can answer from its command line and the REPL can ask
//! the user at a prompt instead.

use super::http::HttpRequest;
use super::Options;
use super::{Client, Mode};
use crate::error::{Error, Result};
use crate::protocol::answer::Reply;
use crate::protocol::reach::{self, Step};
use crate::protocol::{codes, Call, Fault, Outcome, Proto};
use crate::trace::Trace;
use crate::value::Value;
use indexmap::IndexMap;
use serde_json::Value as Json;
use std::future::Future;
use std::io::Write;
use std::pin::Pin;
use std::process::{Command, Stdio};

/// An answer being worked out; see [`Callbacks::answer`].
pub type Answering<'a> = Pin<Box<dyn Future<Output = Result<Json>> + Send + 'a>>;

/// Answers the callbacks of interactive calls.
pub trait Callbacks: Send + Sync {
    /// The callback names sent in the `methods` object, in order.
    fn names(&self) -> Vec<String>;
    /// The answer to one `Kont`: callback `name` called with `args`. Asked for every `Kont`, also
    /// for a name not in [`Callbacks::names`] (a server may call back what was never offered), so
    /// the implementation decides whether that is an error. Async because the answer may come
    /// from a person at a prompt: the runtime must keep serving the connections meanwhile.
    fn answer<'a>(&'a self, name: &'a str, args: &'a [Json]) -> Answering<'a>;
}

/// What makes calls interactive: the `values` object and the callbacks.
pub struct Interaction {
    pub values: IndexMap<String, Json>,
    pub callbacks: Box<dyn Callbacks>,
}

/// The Reach side of a [`Client`]: the API key and, for interactive calls, the interaction.
#[derive(Default)]
pub struct Settings {
    pub api_key: Option<String>,
    pub interaction: Option<std::sync::Arc<Interaction>>,
}

/// The environment variables of the Reach client libraries (see the "Reach RPC Server" page,
/// "Client Options").
pub mod env {
    pub const SERVER: &str = "REACH_RPC_SERVER";
    pub const PORT: &str = "REACH_RPC_PORT";
    pub const TIMEOUT: &str = "REACH_RPC_TIMEOUT";
    pub const REJECT_UNVERIFIED: &str = "REACH_RPC_TLS_REJECT_UNVERIFIED";
}

/// `https://$REACH_RPC_SERVER:$REACH_RPC_PORT`, the endpoint the Reach clients assume.
pub fn endpoint_from_env() -> Result<String> {
    let read = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match (read(env::SERVER), read(env::PORT)) {
        (Some(host), Some(port)) => Ok(format!("https://{}:{}", host.trim(), port.trim())),
        _ => Err(Error::usage(format!(
            "no ENDPOINT given: name one (rpc call -P reach :8000 METHOD …), or set {} and {}",
            env::SERVER,
            env::PORT
        ))),
    }
}

/// The connection options with Reach's environment applied: `REACH_RPC_TIMEOUT` (seconds, as in
/// the Reach clients) when `-t` is not given, and `REACH_RPC_TLS_REJECT_UNVERIFIED=0` as `-k`.
pub fn apply_env(args: &Options, trace: Trace) -> Result<Options> {
    let mut args = args.clone();
    if args.timeout.is_none() {
        if let Ok(text) = std::env::var(env::TIMEOUT) {
            let timeout = crate::args::parse_seconds(&text)
                .map_err(|e| Error::usage(format!("{}={text:?}: {e}", env::TIMEOUT)))?;
            args.timeout = Some(timeout);
        }
    }
    if !args.insecure && std::env::var(env::REJECT_UNVERIFIED).is_ok_and(|v| v == "0") {
        trace.note(&format!(
            "rpc: *** warning: TLS verification disabled by {}=0 ***\n\
             rpc: this is insecure; allow it only under controlled conditions (such as development)",
            env::REJECT_UNVERIFIED
        ));
        args.insecure = true;
    }
    Ok(args)
}

/// The `--callback NAME=ANSWER` and `--value NAME=JSON` words of a command line, as typed; the
/// commands parse them (`rpc call` with [`interaction_from_args`], the REPL its own way, since a
/// bare `--callback NAME` asks the user there).
#[derive(Debug, Clone, Default)]
pub struct InteractionArgs {
    pub callbacks: Vec<String>,
    pub values: Vec<String>,
}

impl InteractionArgs {
    /// `--callback` and `--value` words as typed.
    pub fn new(callbacks: &[&str], values: &[&str]) -> InteractionArgs {
        InteractionArgs {
            callbacks: callbacks.iter().map(|s| s.to_string()).collect(),
            values: values.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The callbacks and values of `rpc call`'s command line; None when no `--callback` is given.
pub fn interaction_from_args(args: &InteractionArgs) -> Result<Option<Interaction>> {
    let values = args
        .values
        .iter()
        .map(|pair| parse_value_pair(pair))
        .collect::<Result<IndexMap<_, _>>>()?;
    if args.callbacks.is_empty() {
        if !values.is_empty() {
            return Err(Error::usage(
                "--value only makes sense in an interactive call: add at least one --callback",
            ));
        }
        return Ok(None);
    }
    let mut answers = IndexMap::new();
    for pair in &args.callbacks {
        let (name, answer) = parse_callback_pair(pair)?;
        if answers.contains_key(&name) {
            return Err(Error::usage(format!("--callback {name} is given twice")));
        }
        answers.insert(name, answer);
    }
    Ok(Some(Interaction {
        values,
        callbacks: Box::new(CommandLineCallbacks { answers }),
    }))
}

/// `NAME=JSON`, as `--value` takes it.
pub fn parse_value_pair(pair: &str) -> Result<(String, Json)> {
    let (name, text) = split_pair(pair, "--value", "NAME=JSON")?;
    let json = serde_json::from_str(text)
        .map_err(|e| Error::usage(format!("--value {name}: {text:?} is not JSON: {e}")))?;
    Ok((name.to_owned(), json))
}

/// `NAME=ANSWER`, as `--callback` takes it.
pub fn parse_callback_pair(pair: &str) -> Result<(String, CallbackAnswer)> {
    let (name, text) = split_pair(pair, "--callback", "NAME=ANSWER")?;
    Ok((name.to_owned(), CallbackAnswer::parse(name, text)?))
}

fn split_pair<'a>(pair: &'a str, flag: &str, form: &str) -> Result<(&'a str, &'a str)> {
    match pair.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => Ok((name.trim(), value)),
        _ => Err(Error::usage(format!("{flag} {pair:?}: write it as {form}"))),
    }
}

/// How one `--callback` answers.
#[derive(Debug, Clone, PartialEq)]
pub enum CallbackAnswer {
    /// Always the same JSON value.
    Fixed(Json),
    /// The output of a shell command.
    Command(String),
}

impl CallbackAnswer {
    /// The answer to callback `name` called with `args`.
    pub fn answer(&self, name: &str, args: &[Json]) -> Result<Json> {
        match self {
            CallbackAnswer::Fixed(value) => Ok(value.clone()),
            CallbackAnswer::Command(command) => run_callback_command(name, command, args),
        }
    }

    fn parse(name: &str, text: &str) -> Result<CallbackAnswer> {
        if let Some(command) = text.strip_prefix('!') {
            return Ok(CallbackAnswer::Command(command.to_owned()));
        }
        serde_json::from_str(text)
            .map(CallbackAnswer::Fixed)
            .map_err(|e| {
                Error::usage(format!(
                    "--callback {name}: {text:?} is neither JSON nor !COMMAND: {e}"
                ))
            })
    }
}

/// The callbacks given with `--callback NAME=ANSWER`.
struct CommandLineCallbacks {
    answers: IndexMap<String, CallbackAnswer>,
}

impl Callbacks for CommandLineCallbacks {
    fn names(&self) -> Vec<String> {
        self.answers.keys().cloned().collect()
    }

    fn answer<'a>(&'a self, name: &'a str, args: &'a [Json]) -> Answering<'a> {
        let answer = match self.answers.get(name) {
            Some(answer) => answer.answer(name, args),
            None => Err(unregistered(name)),
        };
        Box::pin(std::future::ready(answer))
    }
}

/// The server asked for a callback the client never offered: an error, not a guess or a hang.
fn unregistered(name: &str) -> Error {
    Error::server(Proto::Reach, Fault::new(
        codes::METHOD_NOT_FOUND,
        format!(
            "the server called back {name:?}, which is not registered; answer it with --callback {name}=ANSWER"
        ),
    ))
}

/// Runs `sh -c COMMAND` with the callback's arguments as a JSON array on stdin and each argument
/// as JSON in `$1`, `$2`, …; its stdout is the answer: JSON when it parses, else a string, and
/// `null` when empty. A failing command ends the call (exit 2, the command line is to fix).
fn run_callback_command(name: &str, command: &str, args: &[Json]) -> Result<Json> {
    let fail = |what: String| Error::usage(format!("--callback {name}: {what}"));
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .arg(format!("rpc-callback-{name}"))
        .args(args.iter().map(Json::to_string))
        .env("RPC_CALLBACK", name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| fail(format!("cannot run {command:?}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that ignores its stdin may exit before reading it: that is not an error.
        let _ = stdin.write_all(Json::Array(args.to_vec()).to_string().as_bytes());
    }
    let output = child
        .wait_with_output()
        .map_err(|e| fail(format!("{command:?} failed: {e}")))?;
    if !output.status.success() {
        return Err(fail(format!("{command:?} exited with {}", output.status)));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let text = text.trim();
    if text.is_empty() {
        return Ok(Json::Null);
    }
    Ok(serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_owned())))
}

/// The request of one synchronous call or of the first step of an interactive one.
pub fn request(client: &Client, call: &Call) -> Result<HttpRequest> {
    let args = call_args(client, call)?;
    Ok(post_request(
        client,
        &reach::method_path(&call.method),
        &args,
    ))
}

fn call_args(client: &Client, call: &Call) -> Result<Vec<Json>> {
    let args = reach::args_of(&call.params).map_err(Error::usage)?;
    Ok(match &client.reach.interaction {
        Some(interaction) => {
            reach::interactive_args(args, &interaction.values, &interaction.callbacks.names())
        }
        None => args,
    })
}

fn post_request(client: &Client, path: &str, args: &[Json]) -> HttpRequest {
    let mut url = client.url.clone();
    url.set_path(&reach::request_path(client.url.path(), path));
    let mut request = HttpRequest::post(url, reach::CONTENT_TYPE, reach::encode_args(args));
    if let Some(key) = &client.reach.api_key {
        request
            .headers
            .push((reach::API_KEY_HEADER.to_owned(), key.clone()));
    }
    request
}

/// Runs the calls one after the other; each gets its own outcome.
pub async fn run(client: &Client, calls: &[Call], mode: Mode) -> Result<Vec<Outcome>> {
    if mode == Mode::Notify {
        return Err(Error::usage(
            "Reach RPC has no notifications: every call is answered (drop --notify)",
        ));
    }
    let mut outcomes = Vec::with_capacity(calls.len());
    for call in calls {
        let args = call_args(client, call)?;
        let path = reach::method_path(&call.method);
        let outcome = match &client.reach.interaction {
            Some(interaction) => interact(client, interaction, &path, &args).await?,
            None => post(client, &path, &args).await?.map(|answer| answer.value),
        };
        outcomes.push(outcome);
    }
    Ok(outcomes)
}

/// An answer, as JSON for the protocol and as a value for the caller.
struct Answer {
    json: Json,
    value: Value,
}

/// One POST, logged as `RPC <path> <args>` and `RPC <path> <args> ==> <answer>`; the reply is
/// read by the protocol's rule ([`reach::decode_answer`]).
async fn post(client: &Client, path: &str, args: &[Json]) -> Result<Result<Answer, Fault>> {
    let shown = Json::Array(args.to_vec());
    client.trace.call(path, &shown);
    let answer = client
        .http()?
        .send(&post_request(client, path, args))
        .await?;
    let reply = Reply::Http {
        status: answer.status,
        body: &answer.body,
    };
    let result =
        match reach::decode_answer(reply).map_err(|e| Error::from_answer(Proto::Reach, e))? {
            Ok(json) => {
                let value = Value::from_json(&json).map_err(|e| Error::protocol(e.to_string()))?;
                Ok(Answer { json, value })
            }
            Err(fault) => Err(fault),
        };
    let outcome: Outcome = result
        .as_ref()
        .map(|a| a.value.clone())
        .map_err(Clone::clone);
    client.trace.answer(path, &shown, &outcome);
    Ok(result)
}

/// An interactive call: the first POST, then `/kont [kid, answer]` for every `Kont`, until `Done`.
async fn interact(
    client: &Client,
    interaction: &Interaction,
    path: &str,
    args: &[Json],
) -> Result<Outcome> {
    let mut answer = match post(client, path, args).await? {
        Ok(answer) => answer,
        Err(fault) => return Ok(Err(fault)),
    };
    loop {
        match reach::decode_step(&answer.json).map_err(Error::protocol)? {
            Step::Done(ans) => {
                return Value::from_json(&ans)
                    .map(Ok)
                    .map_err(|e| Error::protocol(e.to_string()))
            }
            Step::Kont { kid, method, args } => {
                let reply = interaction.callbacks.answer(&method, &args).await?;
                answer = match post(client, reach::KONT_PATH, &[Json::String(kid), reply]).await? {
                    Ok(answer) => answer,
                    Err(fault) => return Ok(Err(fault)),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reach_args(callbacks: &[&str], values: &[&str]) -> InteractionArgs {
        InteractionArgs::new(callbacks, values)
    }

    #[tokio::test]
    async fn callbacks_answer_fixed_json_or_commands() {
        let interaction = interaction_from_args(&reach_args(
            &["showX=null", "getNumber=!echo $1", "pair=!cat"],
            &["price=10"],
        ))
        .unwrap()
        .unwrap();
        assert_eq!(interaction.values["price"], json!(10));
        let callbacks = &interaction.callbacks;
        assert_eq!(callbacks.names(), ["showX", "getNumber", "pair"]);
        assert_eq!(
            callbacks.answer("showX", &[json!(1)]).await.unwrap(),
            json!(null)
        );
        assert_eq!(
            callbacks.answer("getNumber", &[json!(7)]).await.unwrap(),
            json!(7)
        );
        assert_eq!(
            callbacks
                .answer("pair", &[json!("a"), json!(2)])
                .await
                .unwrap(),
            json!(["a", 2])
        );
        assert!(matches!(
            callbacks.answer("nope", &[]).await,
            Err(Error::Answered(..))
        ));
    }

    #[test]
    fn command_output_that_is_not_json_is_a_string_and_failures_are_errors() {
        assert_eq!(
            run_callback_command("x", "echo hello world", &[]).unwrap(),
            json!("hello world")
        );
        assert_eq!(run_callback_command("x", "true", &[]).unwrap(), json!(null));
        assert!(run_callback_command("x", "exit 3", &[]).is_err());
    }

    #[test]
    fn bad_pairs_are_usage_errors() {
        assert!(interaction_from_args(&reach_args(&["noequals"], &[])).is_err());
        assert!(interaction_from_args(&reach_args(&["x=not json"], &[])).is_err());
        assert!(interaction_from_args(&reach_args(&["x=1", "x=2"], &[])).is_err());
        assert!(interaction_from_args(&reach_args(&[], &["v=1"])).is_err());
        assert!(interaction_from_args(&reach_args(&[], &[]))
            .unwrap()
            .is_none());
    }
}
