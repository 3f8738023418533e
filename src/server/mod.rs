//! `rpc serve`: one listener for every protocol. Each connection's first bytes say what it speaks
//! ([`sniff`]); HTTP requests are then routed by path and body ([`http`]); every protocol's glue
//! decodes with its codec, runs the call on the [`service::Service`] through [`State::invoke`], and
//! encodes the answer.

pub mod config;
pub mod grpc;
pub mod http;
pub(crate) mod io;
mod jsonrpc;
mod log;
pub mod openrpc;
pub mod probation;
pub(crate) mod rawtcp;
pub mod reach;
pub mod service;
pub mod sniff;
pub mod tls;
pub mod websocket;
mod woken;
mod xmlrpc;

use crate::connect::listen::Listener;
use crate::connect::listen::Peer;
use crate::connect::Conn;
use crate::error::{Error, Result};
use crate::protocol::{codes, Call, Fault, Outcome, Proto, PROTOCOLS};
use crate::trace;
pub use config::{Config, Limits, TlsSource};
use service::Service;
use sniff::Kind;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Most blank bytes accepted before the first meaningful byte of a connection.
const MAX_LEADING_BLANKS: usize = 1024;

/// What every connection shares.
pub struct State {
    pub service: Service,
    pub limits: Limits,
    /// One permit per open connection, `--max-connections` in all.
    pub connections: Arc<tokio::sync::Semaphore>,
    /// The open connections that have not had a request yet: shed first when the server is full.
    pub ward: Arc<probation::Ward>,
    pub quiet: bool,
    /// The Reach API key and suspended interactive calls.
    pub reach: reach::ReachState,
    /// HTTPS, when `--tls` or `--cert/--key` ask for it.
    pub tls: Option<tls::Tls>,
    /// gRPC's schema, route table, reflection and health.
    pub grpc: grpc::GrpcState,
}

impl State {
    /// The shared state of a server started with `config`; a usage error for a limit that
    /// cannot work (no connection allowed), an I/O error for unreadable TLS files.
    pub fn new(config: &Config) -> Result<State> {
        let limits = &config.limits;
        if limits.max_connections == 0 {
            return Err(Error::usage("--max-connections must be at least 1"));
        }
        log::set_queue_limit(limits.max_log_queue);
        Ok(State {
            service: Service::new(limits.max_sleep),
            connections: Arc::new(tokio::sync::Semaphore::new(limits.max_connections)),
            ward: Arc::default(),
            limits: limits.clone(),
            quiet: config.quiet,
            reach: reach::ReachState::new(config.api_key.as_deref(), limits),
            tls: config.tls.as_ref().map(tls::Tls::new).transpose()?,
            grpc: grpc::GrpcState::new(limits.max_routes).map_err(Error::internal)?,
        })
    }

    /// Runs one call and logs it: the single path every protocol takes to the service. A panic
    /// in a method becomes an internal-error answer, so one bad call never takes a connection or
    /// the server down.
    pub async fn invoke(&self, proto: Proto, peer: Peer, call: &Call) -> Outcome {
        use futures_util::FutureExt;
        // The clock is read only for the log line.
        let start = (!self.quiet).then(Instant::now);
        let outcome = std::panic::AssertUnwindSafe(self.service.call(proto, call))
            .catch_unwind()
            .await
            .unwrap_or_else(|_| {
                Err(Fault::new(
                    codes::INTERNAL_ERROR,
                    format!("Internal error: {} failed unexpectedly", call.method),
                ))
            });
        if let Some(start) = start {
            let line = trace::server_line(
                &peer.to_string(),
                proto.name(),
                &call.method,
                &call.params.to_json(),
                &outcome,
                start.elapsed(),
            );
            // Buffered: one unbuffered stderr write per call cost more than the call (see log.rs).
            log::line(line);
        }
        outcome
    }
}

/// A bound, not yet running, server.
pub struct Server {
    listener: Listener,
    state: Arc<State>,
}

impl Server {
    /// Binds `config.addr` (`HOST:PORT` or `unix:PATH`) and sets up the shared state; nothing is
    /// accepted before [`Server::run`].
    pub async fn bind(config: &Config) -> Result<Server> {
        let state = Arc::new(State::new(config)?);
        let listener = Listener::bind(&config.addr, config.socket_mode).await?;
        Ok(Server { listener, state })
    }

    /// Where it listens: `127.0.0.1:8000` or `unix:PATH`.
    pub fn local_addr(&self) -> Result<String> {
        self.listener.local()
    }

    /// The lines `rpc serve` prints once it listens: the address, then one endpoint per protocol.
    pub fn banner(&self) -> Result<Vec<String>> {
        let addr = self.local_addr()?;
        // With TLS the port speaks both; the banner names the secure URLs. Raw-tcp is never
        // inside TLS: its first byte `[` is told apart before any handshake.
        let tls = self.state.tls.is_some();
        let mut lines = vec![format!("listening on {addr}")];
        if addr.starts_with("unix:") {
            // JSON-RPC objects on the socket itself, as geth's IPC: `rpc call unix:PATH m`.
            lines.push(format!("json-rpc {addr}"));
        }
        lines.extend(
            PROTOCOLS
                .iter()
                .filter(|spec| spec.served())
                .map(|spec| format!("{} {}", spec.name, spec.server_url(&addr, tls))),
        );
        Ok(lines)
    }

    /// Accepts connections until `shutdown` is cancelled, then waits for calls in flight.
    pub async fn run(self, shutdown: CancellationToken) {
        let tracker = TaskTracker::new();
        loop {
            let accepted = tokio::select! {
                _ = shutdown.cancelled() => break,
                accepted = self.listener.accept() => accepted,
            };
            match accepted {
                Ok((stream, peer)) => {
                    let state = Arc::clone(&self.state);
                    let shutdown = shutdown.clone();
                    match Arc::clone(&state.connections).try_acquire_owned() {
                        Ok(permit) => {
                            // Admitted here, in accept order, so "oldest" means oldest.
                            let probation = state.ward.admit();
                            tracker.spawn(serve_in_slot(
                                stream, peer, state, shutdown, permit, probation,
                            ));
                        }
                        Err(_) => {
                            tracker.spawn(make_room_or_refuse(stream, peer, state, shutdown));
                        }
                    }
                }
                Err(e) => {
                    // Out of file descriptors and the like: say so, breathe, go on.
                    trace::Trace::default().note(&format!(
                        "rpc serve: accept failed: {}",
                        crate::error::plain(&e)
                    ));
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        drop(self.listener);
        tracker.close();
        tracker.wait().await;
    }
}

/// `rpc serve`: bind, announce, serve until SIGINT/SIGTERM, drain, exit 0.
pub async fn serve(config: Config) -> Result<()> {
    if config.stdio {
        return serve_stdio(config).await;
    }
    let server = Server::bind(&config).await?;
    // The handlers go in before the banner: a signal sent as soon as the port is known must find
    // them, or its default action kills the process instead of a graceful stop.
    let signalled = shutdown_signal()?;
    print_banner(&server.banner()?);
    if let Some(tls) = &server.state.tls {
        trace::Trace::default().note(&format!(
            "rpc serve: TLS with {}, SHA-256 fingerprint {}",
            tls.origin, tls.fingerprint
        ));
    }
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(signalled, shutdown.clone()));
    server.run(shutdown).await;
    log::flush();
    if !config.quiet {
        trace::Trace::default().note("rpc serve: stopped");
    }
    Ok(())
}

/// `rpc serve --stdio`: JSON-RPC objects on stdin, answers on stdout (one per line), until stdin
/// ends or SIGINT/SIGTERM (the call in hand answered first); nothing else is written on stdout.
/// The client is the process that started the server and may stay quiet as long as it likes, so
/// `--idle-timeout` does not apply; every other bound does (`--max-message` per message).
async fn serve_stdio(mut config: Config) -> Result<()> {
    config.limits.idle_timeout = STDIO_IDLE;
    let state = Arc::new(State::new(&config)?);
    let signalled = shutdown_signal()?;
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(signalled, shutdown.clone()));
    let stdio = tokio::io::join(tokio::io::stdin(), tokio::io::stdout());
    let probation = state.ward.admit();
    let dialect = rawtcp::Dialect::JsonRpc;
    let peer = Peer::Stdio;
    rawtcp::serve_connection(
        stdio,
        dialect,
        peer,
        Arc::clone(&state),
        shutdown,
        &probation,
    )
    .await;
    log::flush();
    Ok(())
}

/// `--stdio`'s idle time: none to speak of (a century).
const STDIO_IDLE: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

fn print_banner(lines: &[String]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
    // stdout is usually a pipe to a test or a script waiting for the port: flush now.
    let _ = out.flush();
}

/// Installs the SIGINT/SIGTERM handlers now and returns the wait for the first signal.
pub(crate) fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let install = |kind| {
            signal(kind).map_err(|e| Error::Local(format!("cannot install signal handlers: {e}")))
        };
        let mut interrupt = install(SignalKind::interrupt())?;
        let mut terminate = install(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

async fn cancel_on_signal(
    signalled: impl std::future::Future<Output = ()>,
    shutdown: CancellationToken,
) {
    signalled.await;
    trace::Trace::default().note("rpc serve: shutting down, finishing calls in flight");
    shutdown.cancel();
}

async fn handle_connection(
    mut stream: Conn,
    peer: Peer,
    state: Arc<State>,
    shutdown: CancellationToken,
    probation: Arc<probation::Probation>,
) {
    let wait = state.limits.header_timeout;
    let prefix = tokio::select! {
        _ = shutdown.cancelled() => return,
        prefix = tokio::time::timeout(wait, read_prefix(&mut stream)) => prefix,
    };
    let Ok(Ok(Some((kind, prefix)))) = prefix else {
        return;
    };
    let stream = io::Prefixed::new(prefix, stream);
    match kind {
        Kind::Http => http::serve_connection(stream, peer, state, shutdown, probation).await,
        Kind::Http2 => {
            probation.prove();
            grpc::serve_connection(stream, peer, state, shutdown).await
        }
        Kind::Tls => serve_tls(stream, peer, state, shutdown, wait, probation).await,
        Kind::RawTcp => {
            let dialect = rawtcp::Dialect::RawTcp;
            rawtcp::serve_connection(stream, dialect, peer, state, shutdown, &probation).await
        }
        Kind::JsonStream => {
            let dialect = rawtcp::Dialect::JsonRpc;
            rawtcp::serve_connection(stream, dialect, peer, state, shutdown, &probation).await
        }
    }
}

/// Serves one connection in its slot under `--max-connections`, on probation until its first
/// request; shed (closed) if the server fills up before that.
async fn serve_in_slot(
    stream: Conn,
    peer: Peer,
    state: Arc<State>,
    shutdown: CancellationToken,
    permit: OwnedSemaphorePermit,
    probation: probation::Probation,
) {
    let probation = Arc::new(probation);
    tokio::select! {
        _ = woken::poll_when_woken(probation.shed()) => {
            if !state.quiet {
                trace::Trace::default().note(&format!(
                    "{peer} closed to make room: no request yet, and the server is full (--max-connections)"
                ));
            }
        }
        _ = handle_connection(stream, peer, Arc::clone(&state), shutdown, Arc::clone(&probation)) => {}
    }
    drop(permit);
}

/// How long a newcomer waits for the slot of a connection it shed.
const SHED_WAIT: Duration = Duration::from_secs(1);

/// Over `--max-connections`: shed the oldest connection that has sent no request yet and take its
/// slot; when every connection has had a request, answer 503.
async fn make_room_or_refuse(
    stream: Conn,
    peer: Peer,
    state: Arc<State>,
    shutdown: CancellationToken,
) {
    if state.ward.shed_oldest() {
        let slot = Arc::clone(&state.connections).acquire_owned();
        if let Ok(Ok(permit)) = tokio::time::timeout(SHED_WAIT, slot).await {
            let probation = state.ward.admit();
            return serve_in_slot(stream, peer, state, shutdown, permit, probation).await;
        }
    }
    refuse_busy(stream, peer, state).await
}

/// How long a refused connection is given to read its 503 before it is closed.
const BUSY_LINGER: Duration = Duration::from_millis(500);

/// Answers a connection over `--max-connections` with an HTTP 503 and closes it, without reading
/// its request: the slot it would need is taken, and waiting for its first bytes is exactly what
/// a flood of half-open connections wants. Raw-tcp clients see the same bytes and report an
/// answer that is not JSON; the stderr log says why.
async fn refuse_busy(mut stream: Conn, peer: Peer, state: Arc<State>) {
    use tokio::io::AsyncWriteExt;
    if !state.quiet {
        trace::Trace::default().note(&format!(
            "{peer} refused: {} connections open (the server's --max-connections)",
            state.limits.max_connections
        ));
    }
    let _ = tokio::time::timeout(BUSY_LINGER, async {
        stream
            .write_all(&busy_answer(state.limits.max_connections))
            .await?;
        stream.shutdown().await?;
        // Read what the client sent, so closing does not reset the connection under the answer.
        let mut sink = [0u8; 4096];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}

/// The 503 a connection over `--max-connections` gets: a JSON-RPC error with id null.
pub fn busy_answer(max_connections: usize) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "error": {
            "code": codes::LIMIT_EXCEEDED,
            "message": format!(
                "server busy: {max_connections} connections open (the server's --max-connections); retry later"
            ),
        },
        "id": null,
    })
    .to_string();
    format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\ncontent-length: {}\r\nretry-after: 1\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Completes the TLS handshake (within the header timeout), then serves HTTP inside it.
async fn serve_tls(
    stream: io::Prefixed<Conn>,
    peer: Peer,
    state: Arc<State>,
    shutdown: CancellationToken,
    wait: Duration,
    probation: Arc<probation::Probation>,
) {
    let Some(tls) = &state.tls else {
        if !state.quiet {
            trace::Trace::default().note(&format!(
                "{peer} TLS handshake, but HTTPS is off (start with --tls); closing"
            ));
        }
        return;
    };
    let acceptor = tls.acceptor.clone();
    match tokio::time::timeout(wait, acceptor.accept(stream)).await {
        // ALPN says which HTTP the client chose: h2 is gRPC, anything else HTTP/1.1.
        Ok(Ok(secure)) if secure.get_ref().1.alpn_protocol() == Some(b"h2") => {
            probation.prove();
            grpc::serve_connection(secure, peer, state, shutdown).await
        }
        Ok(Ok(secure)) => http::serve_connection(secure, peer, state, shutdown, probation).await,
        Ok(Err(e)) => {
            if !state.quiet {
                trace::Trace::default().note(&format!("{peer} TLS handshake failed: {e}"));
            }
        }
        Err(_) => {}
    }
}

/// Reads until the first non-blank byte tells what the connection speaks.
pub(crate) async fn read_prefix(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
) -> std::io::Result<Option<(Kind, Vec<u8>)>> {
    let mut buf = Vec::with_capacity(512);
    loop {
        if let Some(kind) = sniff::classify(&buf) {
            return Ok(Some((kind, buf)));
        }
        if buf.len() > MAX_LEADING_BLANKS {
            return Ok(None);
        }
        let mut chunk = [0u8; 512];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::Params;
    use crate::value::Value;

    fn boom(_: &[Value]) -> Outcome {
        panic!("a bug in a method")
    }

    #[tokio::test]
    async fn a_panicking_method_becomes_an_internal_error() {
        let method = service::Method {
            name: "boom",
            help: "panics",
            params: &[],
            returns: service::Ty::Any,
            run: service::Run::Compute(boom),
        };
        let state = State {
            service: Service::with_methods(vec![method], Duration::ZERO),
            connections: Arc::new(tokio::sync::Semaphore::new(1)),
            ward: Arc::default(),
            limits: Limits::DEFAULT,
            quiet: true,
            reach: reach::ReachState::new(None, &Limits::DEFAULT),
            tls: None,
            grpc: grpc::GrpcState::new(1).unwrap(),
        };
        let call = Call {
            method: "boom".into(),
            params: Params::empty(),
        };
        let peer = Peer::Tcp(([127, 0, 0, 1], 1).into());
        let outcome = state.invoke(Proto::JsonRpc, peer, &call).await;
        assert_eq!(outcome.unwrap_err().code, codes::INTERNAL_ERROR);
    }
}
