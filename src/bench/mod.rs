//! `rpc bench`: a load generator for every protocol `rpc` speaks.
//!
//! The call is encoded once, by the same client code `rpc call` uses ([`Client::preview`]), and its
//! exact bytes are written again and again on plain tokio sockets: no HTTP client library sits in
//! the way, so the generator costs the server's machine little more than `wrk` does. Each answer
//! is still decoded by the protocol's codec, so a wrong answer is an error, not a fast success.
//!
//! Like `wrk`, the load runs on a few OS threads, each with its own single-threaded runtime and
//! its share of the connections, so no lock or cross-thread wake-up is on a call's path.

mod answer;
mod conn;
mod grpc;
mod report;
mod stats;
mod websocket;

use crate::{
    args,
    client::failure::TransportError,
    client::{self, Client, Mode, Wire},
    error::{Error, Result},
    protocol::Call,
    term::Colors,
    trace::Trace,
};
use conn::{Clock, Dial, Plan};
use stats::Stats;
use std::cell::RefCell;
use std::net::{SocketAddr, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a run lasts when neither `-n` nor `-d` is given.
const DEFAULT_DURATION: Duration = Duration::from_secs(10);
/// How long one call may wait for its answer (or a connection) unless `-t` says otherwise.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How `rpc bench` uses connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConnectionMode {
    /// Each of the -c connections is opened once and reused (HTTP keep-alive)
    KeepAlive,
    /// A new connection for every call, closed after its answer
    PerCall,
}

/// What to measure and how: built at the command line's edge (`cli.rs`).
#[derive(Debug, Clone)]
pub struct Options {
    /// The server: a URL, `HOST:PORT` or `:PORT`.
    pub endpoint: String,
    pub method: String,
    /// The method's ARG words, as `rpc call` reads them.
    pub args: Vec<String>,
    /// `--params`: the whole params document (JSON, `@FILE` or `@-`) instead of `args`.
    pub params: Option<String>,
    pub client: client::Options,
    /// `-c`: calls in flight at once, one per connection.
    pub concurrency: usize,
    /// `-n`: stop after this many calls (warm-up not counted).
    pub requests: Option<u64>,
    /// `-d`: stop after this long (10 s when neither this nor `requests` is given).
    pub duration: Option<Duration>,
    /// `--warmup`: calls sent first and not counted, for this long.
    pub warmup: Duration,
    pub connections: ConnectionMode,
    /// `--pipeline`: requests written ahead on each kept-alive connection.
    pub pipeline: usize,
    /// `--threads`: client threads; None: one per core.
    pub threads: Option<usize>,
    /// `--json`: the report as one JSON object.
    pub json: bool,
}

/// What the command line asked for, checked.
struct Settings {
    endpoint: String,
    proto: crate::protocol::Proto,
    method: String,
    shown_args: String,
    concurrency: usize,
    threads: usize,
    duration: Option<Duration>,
    warmup: Duration,
    json: bool,
}

/// Runs the benchmark and prints its report; exits 0 once the run is over, errors or not (they
/// are in the report).
pub fn run(args: Options, colors: Colors) -> Result<ExitCode> {
    let (settings, plan) = prepare(&args)?;
    let plan = Arc::new(plan);
    let started = Instant::now();
    let (stats, ended) = load(&settings, &plan)?;
    let measured = ended.saturating_duration_since(plan.clock.measure_from.max(started));
    let summary = report::Summary {
        endpoint: &settings.endpoint,
        proto: settings.proto,
        method: &settings.method,
        args: &settings.shown_args,
        concurrency: settings.concurrency,
        threads: settings.threads,
        pipeline: plan.depth,
        streams: plan.grpc.is_some(),
        per_call: plan.per_call,
        elapsed: measured,
        stats: &stats,
    };
    if settings.json {
        report::print_json(&summary);
    } else {
        report::print_text(&summary, colors.stdout);
    }
    Ok(ExitCode::SUCCESS)
}

/// Checks the arguments and encodes the call once.
fn prepare(args: &Options) -> Result<(Settings, Plan)> {
    let positive = |n: usize, flag: &str| {
        if n == 0 {
            Err(Error::usage(format!("{flag} must be at least 1")))
        } else {
            Ok(n)
        }
    };
    let concurrency = positive(args.concurrency, "--concurrency")?;
    let depth = positive(args.pipeline, "--pipeline")?;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = positive(args.threads.unwrap_or(cores), "--threads")?.min(concurrency);
    let duration = match (args.requests, args.duration) {
        (Some(0), _) => return Err(Error::usage("--requests must be at least 1")),
        (Some(_), _) => None,
        (None, duration) => Some(duration.unwrap_or(DEFAULT_DURATION)),
    };
    let warmup = args.warmup;
    let timeout = args.client.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let params = match &args.params {
        Some(source) => args::parse_params_document(&crate::call::read_params_source(source)?)?,
        None => args::parse_params(&args.args)?,
    };
    let call = Call {
        method: args.method.clone(),
        params,
    };
    let client = Client::new(&args.endpoint, &args.client, Trace::default())?;
    let (addr, request, grpc, stream) = match preview(&client, &call)? {
        Wire::Grpc(preview) => {
            let (addr, target) = grpc::Target::from_preview(&client, preview)?;
            (addr, Vec::new(), Some(target), false)
        }
        wire => {
            let (addr, request, stream) = encode(&client, wire)?;
            (addr, request, None, stream)
        }
    };
    let settings = Settings {
        endpoint: client.endpoint(),
        proto: client.proto,
        method: call.method.clone(),
        shown_args: call.params.to_json().to_string(),
        concurrency,
        threads,
        duration,
        warmup,
        json: args.json,
    };
    let websocket = websocket_target(&client, &addr, &request)?;
    let dial = match websocket {
        Some(_) => Dial::WebSocket,
        None => dial(&client, &addr)?,
    };
    let now = Instant::now();
    let plan = Plan {
        dial,
        websocket,
        stream,
        proto: client.proto,
        grpc,
        requests: request.repeat(depth),
        request_len: request.len(),
        depth,
        per_call: args.connections == ConnectionMode::PerCall,
        timeout,
        clock: Clock {
            measure_from: now + warmup,
            deadline: duration.map(|d| now + warmup + d),
        },
        limit: args.requests,
        issued: AtomicU64::new(0),
        done: AtomicU64::new(0),
    };
    Ok((settings, plan))
}

/// The call's request, exactly as `rpc call` would send it (built once; a gRPC one with the
/// method's schema, so this runs a runtime for a moment: reflection may be asked).
fn preview(client: &Client, call: &Call) -> Result<Wire> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Local(format!("cannot start the async runtime: {e}")))?;
    runtime
        .block_on(client.preview_all(std::slice::from_ref(call), Mode::Single))?
        .into_iter()
        .next()
        .ok_or_else(|| Error::usage("nothing to send"))
}

/// The bytes of a request that is not gRPC's, where to send them (`HOST:PORT` or `unix:PATH`),
/// and whether they are JSON on a byte stream rather than HTTP.
fn encode(client: &Client, wire: Wire) -> Result<(String, Vec<u8>, bool)> {
    match wire {
        Wire::Grpc(_) => Err(Error::internal(
            "a gRPC request is measured as HTTP/2 streams",
        )),
        Wire::Tcp { addr, bytes } => Ok((addr, bytes, true)),
        Wire::Http(request) => {
            if request.url.scheme() != "http" {
                return Err(Error::usage(
                    "rpc bench speaks plain http:// and tcp:// (measure HTTPS with a TLS-terminating tool)",
                ));
            }
            let bytes = client.request_text(&request);
            if let Some(path) = &client.options().unix_socket {
                return Ok((format!("unix:{}", path.display()), bytes, false));
            }
            let host = request.url.host_str().unwrap_or_default();
            let port = request.url.port_or_known_default().unwrap_or(80);
            Ok((format!("{host}:{port}"), bytes, false))
        }
    }
}

/// For a `ws://` or `wss://` endpoint (`addr` is then its URL), what each connection shakes
/// hands with and sends.
fn websocket_target(
    client: &Client,
    addr: &str,
    request: &[u8],
) -> Result<Option<websocket::Target>> {
    let Some(url) = url::Url::parse(addr)
        .ok()
        .filter(|url| matches!(url.scheme(), "ws" | "wss"))
    else {
        return Ok(None);
    };
    let options = client.options();
    let place = client::place_of(&url, options.unix_socket.as_deref())?;
    let handshake = client::websocket::Handshake::new(&url, options, Trace::default(), place)?;
    let message = String::from_utf8(request.to_vec())
        .map_err(|_| Error::internal("a JSON-RPC message is UTF-8"))?;
    Ok(Some(websocket::Target {
        handshake,
        message: message.into(),
        max_message: usize::try_from(options.max_response).unwrap_or(usize::MAX),
    }))
}

/// Where the connections go: a Unix socket, a child process per connection (LSP refused: its
/// session is a lifecycle, not one call repeated), or a TCP address resolved once.
fn dial(client: &Client, addr: &str) -> Result<Dial> {
    if let Some(path) = addr.strip_prefix("unix:") {
        return Ok(Dial::Unix(std::path::PathBuf::from(path)));
    }
    let Some(words) = addr.strip_prefix("stdio:") else {
        return Ok(Dial::Tcp(resolve(addr)?));
    };
    if client.has_lifecycle() {
        return Err(Error::usage(
            "rpc bench repeats one call, and this protocol's session is a lifecycle \
             (initialize … exit) around its calls: time them with rpc call -v or in rpc repl",
        ));
    }
    let words = crate::connect::command_words(words)?;
    Ok(Dial::Child(words, client.options().child.clone()))
}

/// Resolves the host once (not once per connection), preferring an address that accepts: a
/// `localhost` that resolves to ::1 first must not send the whole load to a closed port.
fn resolve(addr: &str) -> Result<SocketAddr> {
    let candidates: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| TransportError::unresolved(addr, Some(Box::new(e))))?
        .collect();
    let reachable = candidates.iter().find(|candidate| {
        std::net::TcpStream::connect_timeout(candidate, Duration::from_secs(2)).is_ok()
    });
    reachable
        .or(candidates.first())
        .copied()
        .ok_or_else(|| TransportError::unresolved(addr, None).into())
}

/// Runs the connections on `settings.threads` threads; returns the merged counts and the time
/// the last answer came.
fn load(settings: &Settings, plan: &Arc<Plan>) -> Result<(Stats, Instant)> {
    let shares = split(settings.concurrency, settings.threads);
    let mut workers = Vec::with_capacity(shares.len());
    for connections in shares {
        let stats = Stats::new().map_err(|e| Error::Local(format!("histogram: {e}")))?;
        let plan = Arc::clone(plan);
        let worker = std::thread::Builder::new()
            .name("rpc-bench".into())
            .spawn(move || run_thread(&plan, connections, stats))
            .map_err(|e| {
                Error::Local(format!(
                    "cannot start a client thread: {}",
                    crate::error::plain(&e)
                ))
            })?;
        workers.push(worker);
    }
    let progress = report::Progress::start(plan.limit, settings.duration, settings.warmup);
    while !workers.iter().all(|w| w.is_finished()) {
        progress.update(plan.done.load(Ordering::Relaxed));
        std::thread::sleep(Duration::from_millis(100));
    }
    progress.finish();
    let mut total = Stats::new().map_err(|e| Error::Local(format!("histogram: {e}")))?;
    let mut ended = Instant::now();
    let mut last = None::<Instant>;
    for worker in workers {
        let (stats, finished) = worker
            .join()
            .map_err(|_| Error::internal("a client thread panicked"))??;
        total.merge(stats);
        last = Some(last.map_or(finished, |l| l.max(finished)));
    }
    if let Some(last) = last {
        ended = last;
    }
    Ok((total, ended))
}

/// One client thread: its connections, all driven by one single-threaded runtime.
fn run_thread(plan: &Plan, connections: usize, stats: Stats) -> Result<(Stats, Instant)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Local(format!("cannot start the async runtime: {e}")))?;
    let stats = RefCell::new(stats);
    let ends = match (&plan.grpc, &plan.websocket) {
        (Some(target), _) => runtime.block_on(futures_util::future::join_all(
            (0..connections).map(|_| grpc::drive(plan, target, &stats)),
        )),
        (None, Some(target)) => runtime.block_on(futures_util::future::join_all(
            (0..connections).map(|_| websocket::drive(plan, target, &stats)),
        )),
        (None, None) => runtime.block_on(futures_util::future::join_all(
            (0..connections).map(|_| conn::drive(plan, &stats)),
        )),
    };
    let ended = ends.into_iter().max().unwrap_or_else(Instant::now);
    Ok((stats.into_inner(), ended))
}

/// `total` connections spread over `parts` threads as evenly as can be.
fn split(total: usize, parts: usize) -> Vec<usize> {
    (0..parts)
        .map(|i| total / parts + usize::from(i < total % parts))
        .filter(|&n| n > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_are_spread_evenly() {
        assert_eq!(split(64, 2), vec![32, 32]);
        assert_eq!(split(5, 2), vec![3, 2]);
        assert_eq!(split(1, 1), vec![1]);
    }
}
