//! The command-line interface: clap definitions, so completions and the man page can be rendered
//! from the same [`Cli::command`], and the one place where command lines become the layers' own
//! configuration types ([`client::Options`], [`server::Config`], [`bench::Options`],
//! [`repl::Options`]). Values are parsed and checked here, by clap: durations arrive as
//! [`Duration`]s, headers as (name, value) pairs.

use crate::args::{parse_seconds, parse_seconds_or_zero, Seconds};
use crate::bench::{self, ConnectionMode};
use crate::client::{self, reach::InteractionArgs, Credentials, Given, DEFAULT_MAX_RESPONSE};
use crate::framing::Framing;
use crate::protocol::grpc::frames::Encoding;
use crate::protocol::Proto;
use crate::proxy;
use crate::repl;
use crate::server::{self, Limits, TlsSource};
pub use crate::term::ColorWhen;
use clap::{ArgAction, Args, Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "rpc",
    version,
    about = "The curl, grpcurl and netcat of RPC: call, serve and debug JSON-RPC, XML-RPC, Reach RPC, raw-TCP JSON and gRPC",
    after_help = "New here? `rpc demo` takes a logged tour of every protocol; `rpc serve` starts a \
                  server to play with (:8000), and `rpc SUBCOMMAND --help` shows examples.\n\
                  Exit status: 0 success, 1 the server answered with an error, 2 usage error, \
                  3 transport failure, 4 invalid answer, 5 local failure."
)]
pub struct Cli {
    /// When to colour output: auto (on terminals, unless NO_COLOR is set), always or never
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, global = true)]
    pub color: ColorWhen,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Call a remote method (or a batch of them) and print the result on stdout
    #[command(after_help = CALL_EXAMPLES)]
    Call(CallArgs),
    /// Serve the toy math service on every protocol at once, on one port
    #[command(after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// List the methods a server offers (by introspection)
    #[command(after_help = LIST_EXAMPLES)]
    List(ListArgs),
    /// Show the help text and signature of one method (by introspection)
    #[command(after_help = DESCRIBE_EXAMPLES)]
    Describe(DescribeArgs),
    /// Print the shell completion script (the same files are under completions/)
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Interactive session that logs every request and response
    #[command(after_help = REPL_EXAMPLES)]
    Repl(ReplArgs),
    /// Re-send a session recorded by `rpc repl --record`; exit 1 if an answer changed
    #[command(after_help = REPLAY_EXAMPLES)]
    Replay(ReplayArgs),
    /// Load a server with one call: throughput, latency percentiles, errors by kind
    #[command(after_help = BENCH_EXAMPLES)]
    Bench(BenchArgs),
    /// Stand between a client and a server: forward every connection, log every call
    #[command(after_help = PROXY_EXAMPLES)]
    Proxy(ProxyArgs),
    /// Start the toy service in-process and take a logged tour of every protocol; exit 0
    #[command(after_help = DEMO_HELP)]
    Demo,
}

const DEMO_HELP: &str = "\
The server listens on 127.0.0.1 on a port the system picks, so nothing else needs to run and no
port needs to be free. Each step prints the `rpc` command that makes the same call against
`rpc serve`, then the log `rpc call -v` shows: RPC add [2,3] before the answer, RPC add [2,3] ==> 5
after it (=!> for an error). The log is the output: it goes to stdout.

Examples:
  rpc demo                                    the tour
  rpc demo --color always | less -R           page through it, in colour
  cargo run -- demo                           build and run it from a clone";

const LIST_EXAMPLES: &str = "\
Asks rpc.discover (OpenRPC), else system.listMethods; gRPC: server reflection (v1, else v1alpha)
or --schema FILE. A server with none of them: exit 1 (gRPC: exit 2, naming --schema).

Examples:
  rpc list :8000                              one name per line
  rpc list :8000 --json | jq -r '.[]'         one JSON array, for scripts
  rpc list -P xml-rpc :8000                   over XML-RPC (posts to /RPC2)
  rpc list -P reach :8000                     over Reach (POST /system.listMethods)
  rpc list tcp://localhost:8000               over raw-tcp
  rpc list grpc://localhost:8000              gRPC methods, Service/Method (--all: reflection's too)";

const DESCRIBE_EXAMPLES: &str = "\
Examples:
  rpc describe :8000 add                      signature, then the help text
  rpc describe :8000 add --json | jq -r .help one JSON object, for scripts
  rpc describe -P xml-rpc :8000 add           system.methodHelp and system.methodSignature";

const COMPLETIONS_HELP: &str = "\
Install:
  bash:        rpc completions bash > ~/.local/share/bash-completion/completions/rpc
  zsh:         rpc completions zsh > ~/.zfunc/_rpc   (with fpath+=~/.zfunc before compinit)
  fish:        rpc completions fish > ~/.config/fish/completions/rpc.fish
  PowerShell:  rpc completions powershell >> $PROFILE
  elvish:      rpc completions elvish >> ~/.config/elvish/rc.elv";

const CALL_EXAMPLES: &str = "\
Arguments: each ARG is JSON when it parses as JSON, else a string (hello → \"hello\").
  NAME:=VALUE passes a parameter by name; a lone + starts the next call of a batch.

Examples:
  rpc call :8000 add 2 3                      positional params → 5
  rpc call :8000 add a:=2 b:=3                named params
  rpc call :8000 echo '{\"a\":[1,2]}'           JSON argument
  rpc call :8000 add 1 2 + mul 3 4 + nope     a batch: one result line per call
  rpc call :8000 sum -d @numbers.json         params from a file (-d @- reads stdin)
  rpc call :8000 info --notify                a notification: no answer, no output
  rpc call -v :8000 add 2 3                   log the exchange on stderr (-vv: the bytes)
  rpc call --curl :8000 add 2 3               the same request as a curl command; sends nothing
  rpc call grpc://localhost:8000 Add 2 3      gRPC: the schema from the server's reflection
  rpc call grpc://localhost:8000 Router/GetRoute network:=10.0.0.0
  echo '{\"x\":1}' | rpc call grpc://localhost:8000 RunningSum -d @-   a stream, one JSON per line
  rpc call unix:/tmp/anvil.ipc eth_blockNumber  JSON-RPC objects on a Unix socket (geth/anvil IPC)
  rpc call --unix-socket /run/app.sock http://localhost/ add 2 3   HTTP to a Unix socket, as curl
  rpc call stdio:'./server --verbose' add 2 3  a child process as the server, on its stdin/stdout
  rpc call -P lsp --open app.py stdio:pylsp textDocument/hover textDocument:='{\"uri\":\"app.py\"}' \
      position:='{\"line\":3,\"character\":5}'   a language server: initialize, the call, shutdown
  rpc call -P lsp --open app.py --wait textDocument/publishDiagnostics stdio:'pyright-langserver --stdio'

Reach RPC (-P reach): METHOD is the path, with or without its leading /. With no ENDPOINT, a first
word starting with / is the METHOD and the server is https://$REACH_RPC_SERVER:$REACH_RPC_PORT.
  rpc call -P reach :8000 add 2 3
  rpc call -P reach --api-key s3cret https://host:3000 /stdlib/formatCurrency '\"19283.1035819471\"' 4
  REACH_RPC_SERVER=host REACH_RPC_PORT=3000 rpc call -P reach /health
  rpc call -P reach :8000 /interact/sum 2 --value start=10 --callback 'getNumber=!echo $1' \\
      --callback showTotal=null                interactive: answer each callback";

const SERVE_EXAMPLES: &str = "\
Examples:
  rpc serve                                   http://127.0.0.1:8000
  rpc serve --addr 127.0.0.1:0                a free port; the first stdout line names it
  rpc serve -q --max-body 65536               quiet, with a smaller body limit";

const PROXY_EXAMPLES: &str = "\
Each connection is sniffed as rpc serve sniffs it (JSON-RPC, XML-RPC, Reach, raw-tcp, gRPC) and
forwarded unchanged; every call and answer is printed on stdout in the trace format, prefixed with
the client connection's number and the time since the proxy started. What it cannot read is
forwarded all the same and shown as bytes.

Examples:
  rpc proxy --listen :9000 --to :8000          clients call :9000, the server is on :8000
  rpc proxy --listen :9000 --to https://api.example.com --tls   TLS on both sides
  rpc proxy --listen :0 --to grpc://127.0.0.1:50051 --json | tail -n +2 | jq .method
                                               (the first line is always `listening on`)
  rpc proxy --listen :9000 --to :8000 --record calls.jsonl   then: rpc replay calls.jsonl
  rpc proxy --listen unix:/tmp/p.sock --to unix:/tmp/anvil.ipc   JSON-RPC on Unix sockets

In place of a server a client starts (an editor's language server, an MCP server): the client
talks to rpc proxy on stdin and stdout, the log goes to stderr (or --log FILE):
  rpc proxy --stdio --to stdio:pylsp --log /tmp/lsp.log
  rpc proxy --stdio --to stdio:'pyright-langserver --stdio' --record lsp.jsonl";

const REPL_EXAMPLES: &str = "\
A line is a call with the ARG rules of `rpc call` (add 2 3, echo {\"a\":[1,2]}, echo \"two words\");
lines starting with : are meta-commands (:help lists them). Ctrl-C cancels the line or the call in
flight, Ctrl-D or :quit leaves. When stdin is not a terminal, commands are read line by line.

Examples:
  rpc repl                                    json-rpc at http://localhost:8000
  rpc repl tcp://127.0.0.1:9000               raw-tcp (the tcp:// default)
  rpc repl :8000 -P xml-rpc --record s.jsonl  record every call and answer
  printf 'add 2 3\\nmul 3 4\\n' | rpc repl      a script: results on stdout, log on stderr

Reach interactive calls: --callback NAME=ANSWER and --value NAME=JSON as in `rpc call`; in the REPL
--callback NAME alone offers the callback and asks you for each answer (getNumber(1) ? ).
  rpc repl -P reach :8000 --callback getNumber --callback showTotal=null
      then /interact/sum 2 asks getNumber(1) ? and getNumber(2) ? and prints the total";

const REPLAY_EXAMPLES: &str = "\
Examples:
  rpc replay session.jsonl                    re-send every call to where it was recorded
  rpc replay session.jsonl --endpoint :9000   to another server (exit 1 if an answer changed)";

const BENCH_EXAMPLES: &str = "\
The request is encoded once and sent again and again; every answer is decoded and checked, and
failures are counted by kind. Latency is measured per request, from writing it to its whole answer.

Examples:
  rpc bench :8000 add 2 3                     10 s, 64 connections kept alive
  rpc bench :8000 add 2 3 -c 1 -n 10000       one connection, 10000 calls
  rpc bench tcp://127.0.0.1:8000 add 2 3 --pipeline 16
  rpc bench :8000 add 2 3 --connections per-call   a new connection for every call
  rpc bench :8000 echo hi -P xml-rpc --json | jq .requests_per_sec
  rpc bench grpc://127.0.0.1:8000 Add 2 3 -c 4 --streams 16   4 HTTP/2 connections, 16 each

On gRPC it measures unary and server-streaming methods (a call is one stream; `messages` counts
what streams sent) and counts each answer's status by name. The exit status is 0 once the run is
over, whatever the errors: they are in the report.";

/// Options shared by everything that talks to a server.
#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    /// Protocol to speak (default: json-rpc for http(s)://, raw-tcp for tcp://, grpc for grpc(s)://)
    #[arg(short = 'P', long = "proto", value_enum)]
    pub proto: Option<Proto>,

    /// Extra HTTP header, 'Name: value' (repeatable)
    #[arg(short = 'H', long = "header", value_name = "HEADER", value_parser = header)]
    pub headers: Vec<(String, String)>,

    /// Give up after SECS seconds (connect and answer together)
    #[arg(short = 't', long, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<Duration>,

    /// Do not verify the server's TLS certificate (prints a warning)
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// Trust the CA certificates in this PEM file as well
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Refuse an answer larger than BYTES
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_RESPONSE)]
    pub max_response: u64,

    /// Content-Length framing (LSP): refuse a header block longer than BYTES before its blank line
    #[arg(long, value_name = "BYTES", value_parser = at_least_one,
          default_value_t = crate::framing::DEFAULT_MAX_HEADER_BLOCK)]
    pub max_header_block: usize,

    /// Log the exchange on stderr (-v: call lines, -vv: also the bytes on the wire)
    #[arg(short = 'v', long, action = ArgAction::Count)]
    pub verbose: u8,

    /// Reach: the API key sent as X-API-Key
    #[arg(
        long,
        value_name = "KEY",
        env = "REACH_RPC_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,

    /// HTTP basic authentication, as curl takes it: USER:PASSWORD, or USER alone to be asked for
    /// the password at the terminal (credentials in the URL work too)
    #[arg(short = 'u', long = "user", value_name = "USER[:PASSWORD]")]
    pub user: Option<String>,

    /// HTTP basic authentication from a cookie file holding USER:PASSWORD, as bitcoind writes
    /// __cookie__:PASSWORD to its .cookie file
    #[arg(long, value_name = "FILE", conflicts_with = "user")]
    pub cookie_file: Option<PathBuf>,

    /// Show credentials (Authorization, X-API-Key, cookies) in -vv dumps instead of ***
    #[arg(long)]
    pub show_secrets: bool,

    /// gRPC: a .proto source or a FileDescriptorSet (.protoset) describing the server's methods,
    /// instead of its reflection (repeatable)
    #[arg(long = "schema", value_name = "FILE")]
    pub schema: Vec<PathBuf>,

    /// gRPC: a directory where the imports of --schema sources are found (repeatable)
    #[arg(long = "import-path", value_name = "DIR")]
    pub import_paths: Vec<PathBuf>,

    /// gRPC: send requests compressed (grpc-encoding); answers are read in gzip and deflate
    /// whatever this says
    #[arg(long, value_name = "ENCODING")]
    pub compress: Option<Compress>,

    /// Send an http(s):// or grpc(s):// URL's requests to this Unix domain socket instead of its
    /// host (Host and :authority still come from the URL), as curl and buf curl do
    #[arg(long, value_name = "PATH")]
    pub unix_socket: Option<PathBuf>,

    /// How messages are cut on a byte stream (unix:, stdio:, tcp://), instead of the protocol's
    /// own: json (one value after another), ndjson (one per line), content-length (LSP's headers)
    #[arg(long, value_name = "FRAMING", value_parser = framing)]
    pub framing: Option<Framing>,

    /// stdio: endpoints: write the server's stderr to FILE instead of rpc's stderr
    #[arg(long, value_name = "FILE")]
    pub server_stderr: Option<PathBuf>,

    /// stdio: endpoints: how long the server gets to exit once its stdin is closed, before it is
    /// killed
    #[arg(long, value_name = "SECS", value_parser = parse_seconds_or_zero,
          default_value_t = Seconds(crate::connect::child::DEFAULT_GRACE))]
    pub stop_grace: Seconds,

    /// LSP: the workspace's root directory, sent with initialize (default: the current directory)
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// LSP: open FILE (textDocument/didOpen) before the calls (repeatable)
    #[arg(long = "open", value_name = "FILE")]
    pub open: Vec<PathBuf>,

    /// WebSocket: the Origin header of the handshake
    #[arg(long, value_name = "ORIGIN")]
    pub origin: Option<String>,

    /// WebSocket: offer subprotocol NAME in Sec-WebSocket-Protocol (repeatable, in order)
    #[arg(long = "ws-protocol", value_name = "NAME")]
    pub ws_protocols: Vec<String>,

    /// WebSocket: send a ping every SECS, keeping an idle connection open (pongs show at -vv)
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub ping_interval: Option<std::time::Duration>,
}

/// `--framing`: one of [`crate::framing::FRAMINGS`]'s names.
fn framing(text: &str) -> Result<Framing, String> {
    Framing::named(text).ok_or_else(|| {
        let names: Vec<&str> = crate::framing::FRAMINGS
            .iter()
            .map(|row| row.name)
            .collect();
        format!("unknown framing {text:?}: use {}", names.join(", "))
    })
}

/// `--compress`: gRPC's message encodings that `rpc` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Compress {
    Gzip,
    Deflate,
}

impl ConnectArgs {
    /// The client's options, as these flags give them. Asks for the password of `-u USER` at the
    /// terminal, so it is called once per command; a usage error when that or the cookie file
    /// cannot be read.
    pub fn options(&self) -> crate::error::Result<client::Options> {
        Ok(client::Options {
            proto: self.proto,
            headers: self.headers.clone(),
            timeout: self.timeout,
            insecure: self.insecure,
            cacert: self.cacert.clone(),
            max_response: self.max_response,
            max_header_block: self.max_header_block,
            api_key: self.api_key.clone(),
            schema: client::grpc::SchemaSource {
                files: self.schema.clone(),
                import_paths: self.import_paths.clone(),
            },
            compress: self.compress.map(|c| match c {
                Compress::Gzip => Encoding::Gzip,
                Compress::Deflate => Encoding::Deflate,
            }),
            unix_socket: self.unix_socket.clone(),
            framing: self.framing,
            child: crate::connect::ChildOptions {
                stderr_file: self.server_stderr.clone(),
                grace: self.stop_grace.0,
            },
            lsp: client::lsp::LspOptions {
                root: self.root.clone(),
                open: self.open.clone(),
            },
            websocket: client::WebSocketOptions {
                origin: self.origin.clone(),
                protocols: self.ws_protocols.clone(),
                ping_interval: self.ping_interval,
            },
            auth: self.credentials()?,
        })
    }

    /// The trace these flags ask for: `-v` levels, `--show-secrets`.
    pub fn trace(&self, color: bool) -> crate::trace::Trace {
        crate::trace::Trace::new(self.verbose, color).showing_secrets(self.show_secrets)
    }

    fn credentials(&self) -> crate::error::Result<Option<Credentials>> {
        use crate::error::Error;
        if let Some(path) = &self.cookie_file {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::usage(format!(
                    "cannot read --cookie-file {}: {}",
                    path.display(),
                    crate::error::plain(&e)
                ))
            })?;
            let given = Given::CookieFile(path.clone());
            return Credentials::parse(&text, given).map(Some).ok_or_else(|| {
                Error::usage(format!(
                    "--cookie-file {} does not hold USER:PASSWORD",
                    path.display()
                ))
            });
        }
        let Some(user) = &self.user else {
            return Ok(None);
        };
        if let Some(credentials) = Credentials::parse(user, Given::Flag) {
            return Ok(Some(credentials));
        }
        // curl's prompt, read from the terminal without echo.
        let prompt = format!("Enter host password for user '{user}':");
        let password = rpassword::prompt_password(prompt).map_err(|e| {
            Error::usage(format!(
                "cannot ask for the password of {user} ({}): give it as -u {user}:PASSWORD",
                crate::error::plain(&e)
            ))
        })?;
        Ok(Some(Credentials {
            user: user.clone(),
            password,
            given: Given::Prompted,
        }))
    }
}

/// `-H 'Name: value'`, parsed for clap.
fn header(text: &str) -> Result<(String, String), String> {
    client::http::parse_header(text).map_err(|e| e.to_string())
}

/// A positive number of seconds, for flags whose default clap shows.
fn positive_seconds(text: &str) -> Result<Seconds, String> {
    parse_seconds(text).map(Seconds)
}

/// Reach interactive calls: the callbacks and values of the participant's interact interface.
#[derive(Debug, Clone, Default, Args)]
pub struct ReachArgs {
    /// Answer callback NAME: Reach's (makes the call interactive), or on a stream (unix:, stdio:,
    /// LSP) the server's own request NAME. ANSWER is JSON, or !COMMAND run with the arguments (a
    /// JSON array on stdin, each one as JSON in $1, $2, …) whose stdout is the answer (repeatable)
    #[arg(long = "callback", value_name = "NAME=ANSWER")]
    pub callbacks: Vec<String>,

    /// Reach: add a non-function value NAME to the values object (repeatable)
    #[arg(long = "value", value_name = "NAME=JSON")]
    pub values: Vec<String>,
}

impl ReachArgs {
    /// The words as typed; the commands parse them.
    pub fn interaction(&self) -> InteractionArgs {
        InteractionArgs {
            callbacks: self.callbacks.clone(),
            values: self.values.clone(),
        }
    }
}

#[derive(Debug, Args)]
pub struct CallArgs {
    /// Server: URL (http://, https://, tcp://, grpc://, grpcs://), HOST:PORT, :PORT for
    /// localhost, unix:PATH (JSON-RPC on a Unix socket) or stdio:CMD (a child process)
    pub endpoint: String,

    /// METHOD [ARG]... [+ METHOD [ARG]...]...
    #[arg(num_args = 0.., allow_negative_numbers = true, value_name = "METHOD [ARG]")]
    pub words: Vec<String>,

    #[command(flatten)]
    pub connect: ConnectArgs,

    #[command(flatten)]
    pub reach: ReachArgs,

    /// Whole params as one JSON array or object instead of ARGs; @FILE reads a file, @- stdin
    #[arg(short = 'd', long = "params", value_name = "JSON")]
    pub params: Option<String>,

    /// Send as notification(s): no id, no answer expected, nothing printed
    #[arg(long)]
    pub notify: bool,

    /// Print a string result without quotes
    #[arg(short = 'r', long)]
    pub raw: bool,

    /// Print the request that would be sent, and send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Print the request as a curl command (printf | nc for raw-tcp), and send nothing
    #[arg(long, conflicts_with = "dry_run")]
    pub curl: bool,

    /// On a stream (stdio:, unix:, tcp://): after the calls (or without any), wait for the
    /// server's notification METHOD and print its params as a result (LSP:
    /// textDocument/publishDiagnostics)
    #[arg(long, value_name = "METHOD")]
    pub wait: Option<String>,

    /// On a stream (ws://, stdio:, unix:, tcp://): after the answer, print each notification
    /// as one line (its params.result) until -n, -t, the server closes or Ctrl-C; then
    /// unsubscribe (eth_subscribe → eth_unsubscribe) and exit 0
    #[arg(long, conflicts_with_all = ["wait", "notify", "dry_run", "curl"])]
    pub follow: bool,

    /// --follow: stop after N notifications
    #[arg(short = 'n', long = "count", value_name = "N", requires = "follow",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,

    /// --follow: print each notification whole ({"jsonrpc","method","params"}), not its
    /// params.result
    #[arg(long, requires = "follow")]
    pub whole_notification: bool,

    /// --follow: the method that ends the subscription (default: the call's, with subscribe
    /// made unsubscribe); its params are [SUBSCRIPTION-ID]
    #[arg(long, value_name = "METHOD", requires = "follow")]
    pub unsubscribe: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Server: URL, HOST:PORT, :PORT, unix:PATH or stdio:CMD
    pub endpoint: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Print the names as one JSON array
    #[arg(long)]
    pub json: bool,
    /// gRPC: list the reflection services' methods too
    #[arg(long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// Server: URL, HOST:PORT, :PORT, unix:PATH or stdio:CMD
    pub endpoint: String,
    /// The method to describe
    pub method: String,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Print the description as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReplArgs {
    /// Server: URL (http://, https://, tcp://, grpc://, grpcs://), HOST:PORT, :PORT for
    /// localhost, unix:PATH (JSON-RPC on a Unix socket) or stdio:CMD (a child process)
    #[arg(default_value = ":8000")]
    pub endpoint: String,

    #[command(flatten)]
    pub connect: ConnectArgs,

    #[command(flatten)]
    pub reach: ReachArgs,

    /// Keep the line history in FILE (default: rpc/history in the platform's data directory)
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,

    /// Append every call and its answer to FILE as JSON Lines, for `rpc replay`
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// When reading commands from a pipe, stop at the first failed line with its exit status
    #[arg(long)]
    pub fail_fast: bool,
}

impl ReplArgs {
    /// The REPL's options; `color` is the global `--color`.
    pub fn options(&self, color: ColorWhen) -> crate::error::Result<repl::Options> {
        Ok(repl::Options {
            endpoint: self.endpoint.clone(),
            client: self.connect.options()?,
            verbose: self.connect.verbose,
            interaction: self.reach.interaction(),
            history: self.history.clone(),
            record: self.record.clone(),
            fail_fast: self.fail_fast,
            color,
            show_secrets: self.connect.show_secrets,
        })
    }
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// A JSON Lines file written by `rpc repl --record`
    pub file: PathBuf,

    /// Send every call here instead of the endpoint it was recorded with (URL, unix:PATH,
    /// stdio:CMD)
    #[arg(long, value_name = "ENDPOINT")]
    pub endpoint: Option<String>,

    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Server: URL (http://, tcp://, grpc://), HOST:PORT, :PORT for localhost, unix:PATH, or
    /// stdio:CMD (a child process per connection)
    pub endpoint: String,

    /// The method to call
    pub method: String,

    /// Its arguments, as for `rpc call` (JSON else string; NAME:=VALUE by name)
    #[arg(num_args = 0.., allow_negative_numbers = true, value_name = "ARG")]
    pub args: Vec<String>,

    /// Whole params as one JSON array or object instead of ARGs; @FILE reads a file, @- stdin
    /// (-d is --duration here)
    #[arg(long, value_name = "JSON", conflicts_with = "args")]
    pub params: Option<String>,

    #[command(flatten)]
    pub connect: ConnectArgs,

    /// Connections: each has one call in flight at once (times --pipeline / --streams)
    #[arg(short = 'c', long, value_name = "N", default_value_t = 64)]
    pub concurrency: usize,

    /// Stop after N calls (warm-up calls not counted)
    #[arg(short = 'n', long, value_name = "N", conflicts_with = "duration")]
    pub requests: Option<u64>,

    /// Stop after SECS seconds (the default, 10, when neither -n nor -d is given)
    #[arg(short = 'd', long, value_name = "SECS", value_parser = parse_seconds)]
    pub duration: Option<Duration>,

    /// Send calls for SECS seconds first, and count nothing of them
    #[arg(long, value_name = "SECS", value_parser = parse_seconds_or_zero,
          default_value_t = Seconds(Duration::ZERO))]
    pub warmup: Seconds,

    /// Keep connections alive, or open a new one per call (closed with a reset once answered, so
    /// no port is left waiting in TIME_WAIT)
    #[arg(long, value_enum, default_value_t = ConnectionMode::KeepAlive)]
    pub connections: ConnectionMode,

    /// Calls in flight on each kept-alive connection: written ahead before their answers come
    /// (HTTP pipelining, raw-tcp requests back to back), or concurrent streams on gRPC
    #[arg(
        long,
        visible_alias = "streams",
        short = 'm',
        value_name = "DEPTH",
        default_value_t = 1
    )]
    pub pipeline: usize,

    /// Client threads (default: the number of cores, at most one per connection)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Print the report as one JSON object on stdout
    #[arg(long)]
    pub json: bool,
}

impl BenchArgs {
    /// The benchmark's options, as these flags give them.
    pub fn options(&self) -> crate::error::Result<bench::Options> {
        Ok(bench::Options {
            endpoint: self.endpoint.clone(),
            method: self.method.clone(),
            args: self.args.clone(),
            params: self.params.clone(),
            client: self.connect.options()?,
            concurrency: self.concurrency,
            requests: self.requests,
            duration: self.duration,
            warmup: self.warmup.0,
            connections: self.connections,
            pipeline: self.pipeline,
            threads: self.threads,
            json: self.json,
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct ProxyArgs {
    /// Address to listen on (HOST:PORT, or :PORT for 127.0.0.1; port 0 picks a free port, which
    /// the first stdout line names), or unix:PATH for a Unix domain socket
    #[arg(
        long,
        value_name = "HOST:PORT|unix:PATH",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: String,

    /// The mode of a unix:PATH socket, in octal: who may connect
    #[arg(long, value_name = "MODE", default_value = "600", value_parser = crate::connect::listen::parse_mode)]
    pub socket_mode: u32,

    /// The server every connection goes to: URL (http://, https://, tcp://, grpc://, grpcs://),
    /// HOST:PORT or :PORT, unix:PATH (a Unix socket), stdio:CMD (a child per client); https://
    /// and grpcs:// use TLS toward it
    #[arg(long, value_name = "ENDPOINT")]
    pub to: String,

    /// Reach --to's server through this Unix domain socket (the URL still gives TLS and names)
    #[arg(long, value_name = "PATH")]
    pub unix_socket: Option<PathBuf>,

    /// Accept TLS from clients too (without it, TLS is tunnelled unread), with a self-signed
    /// certificate for localhost and 127.0.0.1 made at start unless --cert and --key give one
    #[arg(long)]
    pub tls: bool,

    /// PEM certificate chain to listen with (needs --key, implies --tls)
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// PEM private key for the listening side (with --cert; implies --tls)
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Trust this PEM CA (or self-signed certificate) for the server's TLS
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,

    /// Do not check the server's TLS certificate
    #[arg(short = 'k', long)]
    pub insecure: bool,

    /// gRPC: read messages with this schema (.proto or protoset) instead of the server's reflection
    #[arg(long = "schema", value_name = "FILE")]
    pub schema: Vec<PathBuf>,

    /// gRPC: where --schema's imports are found
    #[arg(long = "import-path", value_name = "DIR")]
    pub import_paths: Vec<PathBuf>,

    /// -v: headers too; -vv: the bytes of each body and message
    #[arg(short = 'v', long, action = ArgAction::Count)]
    pub verbose: u8,

    /// Show credentials (Authorization, X-API-Key, cookies) in -v headers instead of ***
    #[arg(long)]
    pub show_secrets: bool,

    /// One JSON object per event on stdout (connection, protocol, method, params, result or
    /// error, duration), values never shortened; the first line stays `listening on HOST:PORT`
    #[arg(long)]
    pub json: bool,

    /// Append every call and answer to FILE, as `rpc repl --record` does (for `rpc replay`)
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// With --record: the first N notifications of each subscription (eth_subscribe over ws://)
    /// recorded, for rpc replay to compare
    #[arg(long, value_name = "N",
          default_value_t = proxy::Limits::DEFAULT.record_notifications)]
    pub record_notifications: usize,

    /// Most client connections open at once (more wait to be accepted)
    #[arg(long, value_name = "N", value_parser = at_least_one,
          default_value_t = proxy::Limits::DEFAULT.max_connections)]
    pub max_connections: usize,

    /// Largest HTTP body (either way) or raw-tcp value decoded, in bytes; a bigger request gets
    /// 413, a bigger answer 502; a bigger gRPC message passes unread
    #[arg(long, value_name = "BYTES", default_value_t = proxy::Limits::DEFAULT.max_body)]
    pub max_body: u64,

    /// Seconds a client may take to send its first bytes and headers (and a TLS handshake)
    #[arg(long, value_name = "SECS", value_parser = positive_seconds,
          default_value_t = Seconds(proxy::Limits::DEFAULT.header_timeout))]
    pub header_timeout: Seconds,

    /// Seconds a kept-alive HTTP/1.1 connection may wait for its next request, and a raw-tcp or
    /// tunnelled one may stay silent both ways with no call waiting
    #[arg(long, value_name = "SECS", value_parser = positive_seconds,
          default_value_t = Seconds(proxy::Limits::DEFAULT.idle_timeout))]
    pub idle_timeout: Seconds,

    /// Seconds a client may take to send an HTTP body once its headers are in (then 408)
    #[arg(long, value_name = "SECS", value_parser = positive_seconds,
          default_value_t = Seconds(proxy::Limits::DEFAULT.body_timeout))]
    pub body_timeout: Seconds,

    /// Seconds connecting to the server (and asking its gRPC reflection) may take
    #[arg(long, value_name = "SECS", value_parser = positive_seconds,
          default_value_t = Seconds(proxy::Limits::DEFAULT.connect_timeout))]
    pub connect_timeout: Seconds,

    /// Seconds calls in flight may take to finish after SIGINT/SIGTERM (a second signal stops at
    /// once)
    #[arg(long, value_name = "SECS", value_parser = positive_seconds,
          default_value_t = Seconds(proxy::Limits::DEFAULT.drain_timeout))]
    pub drain_timeout: Seconds,

    /// Log lines waiting for a slow stdout; more are dropped, and counted in the log
    #[arg(long, value_name = "LINES", value_parser = at_least_one,
          default_value_t = proxy::Limits::DEFAULT.max_log_queue)]
    pub max_log_queue: usize,

    /// HTTP/2 streams (gRPC calls) open at once on one client connection
    #[arg(long, value_name = "N", value_parser = at_least_one,
          default_value_t = proxy::Limits::DEFAULT.max_streams)]
    pub max_streams: usize,

    /// Reach continuations remembered while they wait for their /kont (the oldest forgotten)
    #[arg(long, value_name = "N", value_parser = at_least_one,
          default_value_t = proxy::Limits::DEFAULT.max_konts)]
    pub max_konts: usize,

    /// Calls remembered per connection while they wait for answers (raw-tcp; JSON-RPC on a stream
    /// or WebSocket, each way), the oldest forgotten; as many subscriptions, to label notifications
    #[arg(long, value_name = "N", value_parser = at_least_one,
          default_value_t = proxy::Limits::DEFAULT.max_pending)]
    pub max_pending: usize,

    /// Content-Length framing (LSP) on a stream: the longest header block read, in bytes (longer:
    /// its messages are no longer logged, the bytes still pass)
    #[arg(long, value_name = "BYTES", value_parser = at_least_one,
          default_value_t = proxy::Limits::DEFAULT.max_header_block)]
    pub max_header_block: usize,

    /// Be the server of a client that starts rpc proxy in its place (an editor, an MCP host):
    /// its stdin and stdout go to --to (stdio:CMD starts the server), the log to stderr or --log;
    /// nothing but the server's bytes is written to stdout
    #[arg(long, conflicts_with_all = ["tls", "cert"])]
    pub stdio: bool,

    /// --stdio: write the log to FILE (appended) instead of stderr
    #[arg(long, value_name = "FILE", requires = "stdio")]
    pub log: Option<PathBuf>,

    /// --stdio: how messages are cut (json, ndjson, content-length); by default each direction's
    /// first bytes tell (Content-Length headers, else JSON values)
    #[arg(long, value_name = "FRAMING", value_parser = framing)]
    pub framing: Option<Framing>,
}

/// A count that must be at least 1.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

impl ProxyArgs {
    /// The proxy's configuration, as these flags give it; `color` for the log on stdout.
    pub fn config(&self, color: bool) -> crate::error::Result<proxy::Config> {
        use std::io::IsTerminal;
        let tls = match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => Some(TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ if self.tls => Some(TlsSource::SelfSigned),
            _ => None,
        };
        let listen = match self.listen.strip_prefix(':') {
            Some(port) => format!("127.0.0.1:{port}"),
            None => self.listen.clone(),
        };
        Ok(proxy::Config {
            listen,
            socket_mode: self.socket_mode,
            upstream: client::parse_endpoint(&self.to)?,
            client: client::Options {
                cacert: self.cacert.clone(),
                insecure: self.insecure,
                unix_socket: self.unix_socket.clone(),
                schema: client::grpc::SchemaSource {
                    files: self.schema.clone(),
                    import_paths: self.import_paths.clone(),
                },
                ..client::Options::default()
            },
            tls,
            limits: proxy::Limits {
                max_connections: self.max_connections,
                max_body: self.max_body,
                header_timeout: self.header_timeout.0,
                idle_timeout: self.idle_timeout.0,
                body_timeout: self.body_timeout.0,
                connect_timeout: self.connect_timeout.0,
                drain_timeout: self.drain_timeout.0,
                max_log_queue: self.max_log_queue,
                max_streams: self.max_streams,
                max_konts: self.max_konts,
                max_pending: self.max_pending,
                max_header_block: self.max_header_block,
                record_notifications: self.record_notifications,
            },
            style: proxy::log::Style {
                verbose: self.verbose,
                json: self.json,
                color: color && !self.json,
                shorten: std::io::stdout().is_terminal() && !self.json,
                show_secrets: self.show_secrets,
            },
            record: self.record.clone(),
            stdio: self.stdio.then(|| proxy::StdioMode {
                log: self.log.clone(),
                framing: self.framing,
            }),
        })
    }
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port), or unix:PATH for a Unix domain socket
    /// (a stale socket file is replaced, the file removed on exit)
    #[arg(
        long,
        default_value = "127.0.0.1:8000",
        value_name = "HOST:PORT|unix:PATH"
    )]
    pub addr: String,

    /// Serve one client on stdin and stdout instead of a port: JSON-RPC objects, one per line, the
    /// per-call log on stderr (for a client that starts its server: stdio:'rpc serve --stdio')
    #[arg(long, conflicts_with_all = ["addr", "tls", "cert", "socket_mode"])]
    pub stdio: bool,

    /// The mode of a unix:PATH socket, in octal: who may connect
    #[arg(long, value_name = "MODE", default_value = "600", value_parser = crate::connect::listen::parse_mode)]
    pub socket_mode: u32,

    /// Do not log one line per call on stderr
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Serve HTTPS too (same port), with a self-signed certificate for localhost and 127.0.0.1
    /// made at start, unless --cert and --key are given
    #[arg(long)]
    pub tls: bool,

    /// PEM certificate chain for HTTPS (with --key; implies --tls)
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// PEM private key for HTTPS (with --cert; implies --tls)
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    /// Make the Reach endpoints demand this X-API-Key (401 otherwise)
    #[arg(
        long,
        value_name = "KEY",
        env = "REACH_RPC_KEY",
        hide_env_values = true
    )]
    pub api_key: Option<String>,

    #[command(flatten)]
    pub limits: LimitArgs,
}

impl ServeArgs {
    /// The server's configuration, as these flags give it.
    pub fn config(&self) -> server::Config {
        let tls = match (&self.cert, &self.key) {
            (Some(cert), Some(key)) => Some(TlsSource::Files {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ if self.tls => Some(TlsSource::SelfSigned),
            _ => None,
        };
        server::Config {
            addr: self.addr.clone(),
            socket_mode: self.socket_mode,
            quiet: self.quiet,
            tls,
            api_key: self.api_key.clone(),
            limits: self.limits.limits(),
            stdio: self.stdio,
        }
    }
}

/// Every server limit: a name, a default ([`Limits::DEFAULT`]) and a flag (see docs/security.md).
#[derive(Debug, Clone, Args)]
pub struct LimitArgs {
    /// Largest request body accepted, in bytes (larger: HTTP 413)
    #[arg(long, value_name = "BYTES", default_value_t = Limits::DEFAULT.max_body)]
    pub max_body: u64,

    /// Most calls in one JSON-RPC batch or XML-RPC multicall
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.max_batch)]
    pub max_batch: usize,

    /// Deepest nesting of arrays/objects (JSON) or arrays/structs (XML-RPC) accepted
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.max_depth)]
    pub max_depth: usize,

    /// Largest raw-tcp request accepted, in bytes (larger: an error answer, then close)
    #[arg(long, value_name = "BYTES", default_value_t = Limits::DEFAULT.max_message)]
    pub max_message: usize,

    /// Seconds a raw-tcp or keep-alive HTTP connection may wait for its next request before it is
    /// closed (for HTTP the header timeout bounds the wait too)
    #[arg(long, value_name = "SECS", value_parser = positive_seconds,
          default_value_t = Seconds(Limits::DEFAULT.idle_timeout))]
    pub idle_timeout: Seconds,

    /// Seconds a client may take to send a request's first bytes and headers
    #[arg(long, value_name = "SECS", value_parser = positive_seconds,
          default_value_t = Seconds(Limits::DEFAULT.header_timeout))]
    pub header_timeout: Seconds,

    /// Seconds a client may take to send an HTTP request's body once its headers are in (later: 408)
    #[arg(long, value_name = "SECS", value_parser = positive_seconds,
          default_value_t = Seconds(Limits::DEFAULT.body_timeout))]
    pub body_timeout: Seconds,

    /// Most connections open at once. When all are taken, a newcomer closes the oldest one that
    /// has not sent a request yet and takes its place; if every one has, the newcomer gets HTTP 503
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.max_connections)]
    pub max_connections: usize,

    /// Longest `sleep` the service grants, in seconds
    #[arg(long, value_name = "SECS", value_parser = parse_seconds_or_zero,
          default_value_t = Seconds(Limits::DEFAULT.max_sleep))]
    pub max_sleep: Seconds,

    /// Seconds a Reach continuation handle (kid) stays valid, waiting for its /kont
    #[arg(long, value_name = "SECS", value_parser = positive_seconds,
          default_value_t = Seconds(Limits::DEFAULT.kont_timeout))]
    pub kont_timeout: Seconds,

    /// Most Reach continuations waiting for their /kont at once (more: HTTP 503)
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.max_konts)]
    pub max_konts: usize,

    /// Most per-call log lines waiting for a slow stderr (more are dropped, and counted in the log)
    #[arg(long, value_name = "LINES", default_value_t = Limits::DEFAULT.max_log_queue)]
    pub max_log_queue: usize,

    /// Most HTTP/2 streams (gRPC calls) open at once on one connection
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.max_streams)]
    pub max_streams: usize,

    /// Largest HTTP/2 header list a gRPC request may send, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = Limits::DEFAULT.max_header_list)]
    pub max_header_list: usize,

    /// Most streams one HTTP/2 connection may reset before it is closed (Rapid Reset flood,
    /// CVE-2023-44487)
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.max_resets)]
    pub max_resets: usize,

    /// Most routes the gRPC Router's table holds (more: RESOURCE_EXHAUSTED)
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.max_routes)]
    pub max_routes: usize,

    /// Most subscriptions one WebSocket connection may hold (more: error -32000)
    #[arg(long, value_name = "N", default_value_t = Limits::DEFAULT.max_subscriptions)]
    pub max_subscriptions: usize,

    /// Most messages waiting for a WebSocket client that does not read; past that it is cut off
    /// (close 1008)
    #[arg(long, value_name = "N", value_parser = at_least_one,
          default_value_t = Limits::DEFAULT.max_ws_queue)]
    pub max_ws_queue: usize,
}

impl LimitArgs {
    /// The limits these flags give.
    pub fn limits(&self) -> Limits {
        Limits {
            max_body: self.max_body,
            max_batch: self.max_batch,
            max_depth: self.max_depth,
            max_message: self.max_message,
            idle_timeout: self.idle_timeout.0,
            header_timeout: self.header_timeout.0,
            body_timeout: self.body_timeout.0,
            max_connections: self.max_connections,
            max_sleep: self.max_sleep.0,
            kont_timeout: self.kont_timeout.0,
            max_konts: self.max_konts,
            max_log_queue: self.max_log_queue,
            max_streams: self.max_streams,
            max_header_list: self.max_header_list,
            max_resets: self.max_resets,
            max_routes: self.max_routes,
            max_subscriptions: self.max_subscriptions,
            max_ws_queue: self.max_ws_queue,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The flags' defaults are the layers' defaults: `rpc serve` with no flags is
    /// `Limits::DEFAULT`, and `rpc call` with none is `client::Options::default()`.
    #[test]
    fn flag_defaults_are_the_layers_defaults() {
        let Command::Serve(serve) = Cli::parse_from(["rpc", "serve"]).command else {
            panic!("not serve")
        };
        assert_eq!(serve.config().limits, Limits::DEFAULT);
        let Command::Call(call) = Cli::parse_from(["rpc", "call", ":1", "m"]).command else {
            panic!("not call")
        };
        let defaults = client::Options::default();
        assert_eq!(
            call.connect.options().unwrap().max_response,
            defaults.max_response
        );
        assert_eq!(call.connect.options().unwrap().timeout, defaults.timeout);
    }

    /// Every flag and positional argument of every subcommand explains itself in `--help`.
    #[test]
    fn every_argument_has_help() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let builtin = matches!(arg.get_id().as_str(), "help" | "version");
                if !builtin
                    && arg
                        .get_help()
                        .is_none_or(|h| h.to_string().trim().is_empty())
                {
                    missing.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in command.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(&Cli::command(), "rpc", &mut missing);
        assert!(missing.is_empty(), "arguments without help: {missing:?}");
    }

    /// Every subcommand's `--help` ends with examples.
    #[test]
    fn every_subcommand_has_examples() {
        for sub in Cli::command().get_subcommands() {
            let after = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                after.contains("Example") || after.contains("Install:"),
                "rpc {} --help shows no examples",
                sub.get_name()
            );
        }
    }
}
