//! `rpc demo`: the toy service started in-process on a free port, and a short tour of every
//! protocol against it, logged in the trace format (`RPC add [2,3]`, `RPC add [2,3] ==> 5`).
//!
//! A demo is for people, so its log is its output: everything goes to stdout (the trace written
//! there instead of stderr), and a script can page or grep it. Each step first shows the
//! `rpc call` line that makes the same call against `rpc serve`, so the tour teaches the syntax
//! too. The demo checks every answer (ok or error, as the step means it) and fails when one
//! surprises it, which also makes it a smoke test of the whole binary.

use crate::args;
use crate::client::reach::{Answering, Callbacks, Interaction};
use crate::client::{self, Client, Mode};
use crate::curl::shell_quote;
use crate::error::{Error, Result};
use crate::introspect;
use crate::protocol::Proto;
use crate::server::{self, Server};
use crate::term::Colors;
use crate::trace::Trace;
use colored::Colorize;
use serde_json::{json, Value as Json};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// One stop of the tour: a call (or batch) over one protocol, as its command-line words.
struct Step {
    title: &'static str,
    proto: Proto,
    /// METHOD [ARG]… [+ METHOD [ARG]…]…, exactly as typed after `rpc call ENDPOINT`.
    words: &'static [&'static str],
    /// Whether the server is meant to answer (at least one call) with an error.
    fails: bool,
    kind: Kind,
}

/// What a step does with its words.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// `rpc call`: a call, or a `+` batch.
    Call,
    /// A Reach interactive call, its callbacks answered by the demo.
    Interactive,
    /// A gRPC stream: the client's messages, one JSON document each (sent with `-d @-`); none
    /// for a server stream (one empty message).
    Stream(&'static [&'static str]),
    /// `rpc list`: the method names, from the server's introspection (gRPC: reflection).
    List,
}

const TOUR: &[Step] = &[
    Step {
        title: "JSON-RPC 2.0: a call",
        proto: Proto::JsonRpc,
        words: &["add", "2", "3"],
        fails: false,
        kind: Kind::Call,
    },
    Step {
        title: "JSON-RPC 2.0: an error answer (rpc call prints it on stderr and exits 1)",
        proto: Proto::JsonRpc,
        words: &["div", "1", "0"],
        fails: true,
        kind: Kind::Call,
    },
    Step {
        title: "JSON-RPC 2.0: a batch, three calls in one request, answered in order",
        proto: Proto::JsonRpc,
        words: &["add", "1", "2", "+", "mul", "3", "4", "+", "echo", "hello"],
        fails: false,
        kind: Kind::Call,
    },
    Step {
        title: "XML-RPC: introspection, the method list (what rpc list asks)",
        proto: Proto::XmlRpc,
        words: &["system.listMethods"],
        fails: false,
        kind: Kind::Call,
    },
    Step {
        title: "XML-RPC: introspection, one method's help (what rpc describe asks)",
        proto: Proto::XmlRpc,
        words: &["system.methodHelp", "sum"],
        fails: false,
        kind: Kind::Call,
    },
    Step {
        title: "XML-RPC: a batch travels as one system.multicall",
        proto: Proto::XmlRpc,
        words: &["square", "3", "+", "cube", "2.5"],
        fails: false,
        kind: Kind::Call,
    },
    Step {
        title: "Reach RPC: a call is POST /add with a JSON array",
        proto: Proto::Reach,
        words: &["/add", "2", "3"],
        fails: false,
        kind: Kind::Call,
    },
    Step {
        title: "Reach RPC: an interactive call; each callback the server asks for is answered with POST /kont",
        proto: Proto::Reach,
        words: &["/interact/sum", "3"],
        fails: false,
        kind: Kind::Interactive,
    },
    Step {
        title: "raw-TCP JSON: one JSON array on a TCP connection, one JSON value back",
        proto: Proto::RawTcp,
        words: &["sum", "[1,2,3,4]"],
        fails: false,
        kind: Kind::Call,
    },
    Step {
        title: "gRPC: the methods a server offers, asked of its reflection service (rpc list)",
        proto: Proto::Grpc,
        words: &[],
        fails: false,
        kind: Kind::List,
    },
    Step {
        title: "gRPC: a unary call over HTTP/2, the schema learnt from the server's reflection",
        proto: Proto::Grpc,
        words: &["Add", "2", "3"],
        fails: false,
        kind: Kind::Call,
    },
    Step {
        title: "gRPC: a client stream, AddRoutes sent one JSON document per line",
        proto: Proto::Grpc,
        words: &["Router/AddRoutes"],
        fails: false,
        kind: Kind::Stream(&[
            r#"{"dest":"10.0.0.0","mask":"255.0.0.0","nh":"10.0.0.1"}"#,
            r#"{"dest":"192.168.0.0","mask":"255.255.0.0","nh":"192.168.0.1"}"#,
        ]),
    },
    Step {
        title: "gRPC: a server stream, ListRoutes answers one message per route, as it comes",
        proto: Proto::Grpc,
        words: &["Router/ListRoutes"],
        fails: false,
        kind: Kind::Stream(&[]),
    },
    Step {
        title: "gRPC: an error status, with its google.rpc.ErrorInfo detail",
        proto: Proto::Grpc,
        words: &["Div", "1", "0"],
        fails: true,
        kind: Kind::Call,
    },
];

/// The `start` value of the interactive step; the server adds the callbacks' answers to it.
const START: i64 = 100;

/// The command-line flags that make the interactive step's call with `rpc call`: the same
/// answers the demo gives ([`DemoCallbacks`]).
const INTERACTIVE_FLAGS: &[&str] = &[
    "--value",
    "start=100",
    "--callback",
    "getNumber=!echo $(($1 * 10))",
    "--callback",
    "showTotal=null",
];

/// How long any one step may take before the demo gives up on it (exit 3, never a hang).
const STEP_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts the server, takes the tour, stops the server: exit 0 when every answer was as expected.
pub async fn run(colors: Colors) -> Result<ExitCode> {
    let server = Server::bind(&server_config()).await?;
    let addr: SocketAddr = server
        .local_addr()?
        .parse()
        .map_err(|_| Error::internal("the demo's server has no TCP address"))?;
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(server.run(shutdown.clone()));
    let out = Trace::new(1, colors.stdout).on_stdout();
    out.note(&format!(
        "rpc demo: the toy math service is listening on {addr}, every protocol on one port.\n\
         Each step shows the rpc command that makes the same call against `rpc serve` (port 8000),\n\
         then the log `rpc call -v` prints: RPC method args, then ==> and the answer (=!> an error)."
    ));
    let toured = tour(addr, out).await;
    shutdown.cancel();
    // The steps' connections are closed by now; never wait long for a stray one.
    let _ = tokio::time::timeout(Duration::from_secs(5), running).await;
    let surprises = toured?;
    if !surprises.is_empty() {
        return Err(Error::protocol(format!(
            "the demo got answers it did not expect: {}",
            surprises.join("; ")
        )));
    }
    let names: Vec<&str> = crate::protocol::PROTOCOLS
        .iter()
        .filter(|s| s.served())
        .map(|s| s.name)
        .collect();
    out.note(&format!(
        "\nrpc demo: {} steps over {}, every answer as expected; \
         the server has stopped.\n\
         Next: run `rpc serve` in one terminal and the $ lines above in another; \
         `rpc --help` and docs/ say more.",
        TOUR.len(),
        names.join(", ")
    ));
    Ok(ExitCode::SUCCESS)
}

/// Runs every step; returns what surprised it (a step meant to succeed that failed, or the other
/// way round). A transport failure ends the tour with its error.
async fn tour(addr: SocketAddr, out: Trace) -> Result<Vec<String>> {
    let mut surprises = Vec::new();
    for (i, step) in TOUR.iter().enumerate() {
        out.note(&heading(i + 1, step, out.color));
        let failed = run_step(addr, step, out).await?;
        if failed != step.fails {
            let expected = if step.fails { "an error" } else { "success" };
            surprises.push(format!(
                "step {} ({}) expected {expected}",
                i + 1,
                step.title
            ));
        }
    }
    Ok(surprises)
}

/// Sends one step's calls with the trace on; returns whether any call was answered with an error.
async fn run_step(addr: SocketAddr, step: &Step, out: Trace) -> Result<bool> {
    let mut client = Client::new(
        &step.proto.spec().server_url(&addr.to_string(), false),
        &client_options(step.proto),
        out,
    )?;
    let calls = args::parse_calls(
        &step
            .words
            .iter()
            .map(|w| (*w).to_owned())
            .collect::<Vec<_>>(),
    );
    match step.kind {
        Kind::List => {
            for name in introspect::method_names(&client).await? {
                out.note(&name);
            }
            return Ok(false);
        }
        Kind::Stream(documents) => return run_stream(&client, step.words[0], documents).await,
        Kind::Interactive => client.set_interaction(Some(Interaction {
            values: [("start".to_owned(), json!(START))].into_iter().collect(),
            callbacks: Box::new(DemoCallbacks { out }),
        })),
        Kind::Call => {}
    }
    let calls = calls?;
    let mode = if calls.len() > 1 {
        Mode::Batch
    } else {
        Mode::Single
    };
    let outcomes = client.run(&calls, mode).await?;
    Ok(outcomes.iter().any(Result::is_err))
}

/// A gRPC stream step: its messages (`documents`, or one empty message), each answer logged as
/// it comes; whether the server answered with an error status.
async fn run_stream(client: &Client, method: &str, documents: &[&str]) -> Result<bool> {
    let (sender, requests) = tokio::sync::mpsc::channel(documents.len().max(1));
    let documents: Vec<Json> = match documents {
        [] => vec![json!({})],
        documents => documents
            .iter()
            .map(|d| serde_json::from_str(d).map_err(|e| Error::internal(e.to_string())))
            .collect::<Result<_>>()?,
    };
    for document in documents {
        let _ = sender.try_send(Ok(document));
    }
    drop(sender);
    let mut ignore = |_: &Json| {};
    let io = crate::client::grpc::Streaming {
        requests,
        on_response: &mut ignore,
        sent: None,
    };
    match crate::client::grpc::call_streaming(client, method, io).await {
        Ok(()) => Ok(false),
        Err(Error::Answered(..)) => Ok(true),
        Err(e) => Err(e),
    }
}

/// `== 3/9 Title ==` and the `$ rpc call …` line that makes the same call.
fn heading(number: usize, step: &Step, color: bool) -> String {
    let title = format!("\n== {number}/{} {} ==", TOUR.len(), step.title);
    let title = if color {
        title.bold().to_string()
    } else {
        title
    };
    format!("{title}\n$ {}", command_line(step))
}

/// The `rpc call` (or `rpc list`) line a user would type against `rpc serve` on its default port.
fn command_line(step: &Step) -> String {
    let command = if step.kind == Kind::List {
        "list"
    } else {
        "call"
    };
    let mut words = vec!["rpc".to_owned(), command.to_owned()];
    let spec = step.proto.spec();
    // The shortest endpoint that implies the protocol (`:8000` is http), else `-P NAME :8000`.
    match spec.default_for_schemes.first() {
        Some(&"http") => words.push(":8000".to_owned()),
        Some(scheme) => words.push(format!("{scheme}://localhost:8000")),
        None => words.extend(["-P".to_owned(), spec.name.to_owned(), ":8000".to_owned()]),
    }
    words.extend(step.words.iter().map(|w| shell_quote(w)));
    match step.kind {
        Kind::Interactive => words.extend(INTERACTIVE_FLAGS.iter().map(|w| shell_quote(w))),
        Kind::Stream(documents) if !documents.is_empty() => {
            let documents: Vec<String> = documents.iter().map(|d| shell_quote(d)).collect();
            return format!(
                "printf '%s\\n' {} | {} -d @-",
                documents.join(" "),
                words.join(" ")
            );
        }
        Kind::Stream(_) | Kind::Call | Kind::List => {}
    }
    words.join(" ")
}

/// `rpc serve --addr 127.0.0.1:0 --quiet`: every other option at its default, so the demo's
/// server is exactly the one `rpc serve` would start. No API key: the demo's calls send none.
fn server_config() -> server::Config {
    server::Config {
        quiet: true,
        ..server::Config::new("127.0.0.1:0")
    }
}

/// The connection options of `rpc call -P PROTO -t 10`.
fn client_options(proto: Proto) -> client::Options {
    client::Options {
        proto: Some(proto),
        timeout: Some(STEP_TIMEOUT),
        ..client::Options::default()
    }
}

/// The interactive step's callbacks: `getNumber(i)` answers `10 * i`, `showTotal` answers null;
/// each answer is noted in the log, between the `Kont` that asked and the `/kont` that answers.
struct DemoCallbacks {
    out: Trace,
}

impl DemoCallbacks {
    /// The answer to `name(args)`; a name the demo never offered is an error, as in `rpc call`.
    fn reply(&self, name: &str, args: &[Json]) -> Result<Json> {
        let answer = match (name, args.first().and_then(Json::as_i64)) {
            ("getNumber", Some(i)) => json!(i.saturating_mul(10)),
            ("showTotal", _) => Json::Null,
            _ => {
                return Err(Error::protocol(format!(
                    "the server called back {name}({args:?}), which the demo does not answer"
                )))
            }
        };
        self.out.note(&format!(
            "   the server called back {name}({}); the demo answers {answer}",
            args.iter()
                .map(Json::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
        Ok(answer)
    }
}

impl Callbacks for DemoCallbacks {
    fn names(&self) -> Vec<String> {
        vec!["getNumber".to_owned(), "showTotal".to_owned()]
    }

    fn answer<'a>(&'a self, name: &'a str, args: &'a [Json]) -> Answering<'a> {
        Box::pin(std::future::ready(self.reply(name, args)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_protocol_is_toured_and_every_step_parses() {
        let served = crate::protocol::PROTOCOLS
            .iter()
            .filter(|spec| spec.served());
        for proto in served.map(|spec| spec.proto) {
            assert!(TOUR.iter().any(|s| s.proto == proto), "{proto:?}");
        }
        for step in TOUR.iter().filter(|s| s.kind != Kind::List) {
            let words: Vec<String> = step.words.iter().map(|w| (*w).to_owned()).collect();
            assert!(args::parse_calls(&words).is_ok(), "{}", step.title);
        }
        assert_eq!(server_config().limits, server::Limits::DEFAULT);
        assert_eq!(client_options(Proto::Reach).proto, Some(Proto::Reach));
    }

    #[test]
    fn command_lines_are_what_a_user_types() {
        assert_eq!(command_line(&TOUR[0]), "rpc call :8000 add 2 3");
        let interactive = TOUR.iter().find(|s| s.kind == Kind::Interactive).unwrap();
        assert_eq!(
            command_line(interactive),
            "rpc call -P reach :8000 /interact/sum 3 --value start=100 \
             --callback 'getNumber=!echo $(($1 * 10))' --callback showTotal=null"
        );
    }

    #[test]
    fn callbacks_answer_ten_times_the_index() {
        let callbacks = DemoCallbacks {
            out: Trace::default(),
        };
        assert_eq!(
            callbacks.reply("getNumber", &[json!(3)]).unwrap(),
            json!(30)
        );
        assert_eq!(
            callbacks.reply("showTotal", &[json!(160)]).unwrap(),
            Json::Null
        );
        assert!(callbacks.reply("getColor", &[]).is_err());
    }
}
