//! `rpc proxy --listen ADDR --to ENDPOINT`: stands between a client and a server you do not
//! control, forwards every connection unchanged, and logs every call that passes in the trace
//! format ([`log`]).
//!
//! Each accepted connection is sniffed exactly as `rpc serve` sniffs it (`server::read_prefix`
//! and `server::sniff`), then forwarded by kind: HTTP/1.1 request by request ([`http1`]: JSON-RPC,
//! XML-RPC, Reach), raw-tcp byte for byte with its JSON values matched in order ([`rawtcp`]),
//! HTTP/2 stream by stream with each gRPC message logged as it passes ([`grpc`]). TLS from the
//! client is ended here with `--tls` (ALPN picks HTTP/1.1 or h2), or else tunnelled unread;
//! anything else the proxy cannot read is tunnelled too ([`tunnel`]), never dropped. (A connection
//! that sends nothing but blanks, or nothing at all within `--header-timeout`, is closed: the
//! proxy must see a first byte to know where it goes.) Each client connection has its own
//! upstream connection, and the log is written by a thread of its own, so a slow side slows only
//! its own pair.

pub mod grpc;
pub mod http1;
pub mod log;
pub mod rawtcp;
pub mod stdio;
pub mod stream;
pub mod tunnel;
pub mod websocket;

use crate::client::{self, http::Stream};
use crate::connect::listen::Listener;
use crate::connect::listen::Peer;
use crate::connect::Conn;
use crate::error::{Error, Result};
use crate::server::config::TlsSource;
use crate::server::sniff::Kind;
use log::Log;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use url::Url;

/// Every proxy limit: a name, a default (here) and a flag (`rpc proxy --help`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// `--max-connections`: client connections open at once; more wait in the listen queue.
    pub max_connections: usize,
    /// `--max-body`: largest HTTP body (request or answer) or raw-tcp value the proxy decodes
    /// and holds, in bytes; a bigger HTTP body is answered 413 (from the client) or 502 (from
    /// the server). gRPC messages are streamed and never held: a bigger one is forwarded unread.
    pub max_body: u64,
    /// `--header-timeout`: how long a client may take to send its first bytes and headers (and a
    /// TLS handshake).
    pub header_timeout: Duration,
    /// `--idle-timeout`: how long a kept-alive HTTP/1.1 connection may wait for its next request
    /// (at most `--header-timeout`, hyper's timer covers both), and how long a raw-tcp (or
    /// tunnelled) connection may stay silent both ways before it is closed. HTTP/2 clients are
    /// pinged instead, and their connection closes when a ping goes unanswered.
    pub idle_timeout: Duration,
    /// `--body-timeout`: how long a client may take to send an HTTP body once its headers are in.
    pub body_timeout: Duration,
    /// `--connect-timeout`: how long connecting to the upstream server (and asking its gRPC
    /// reflection) may take.
    pub connect_timeout: Duration,
    /// `--drain-timeout`: after SIGINT/SIGTERM, how long calls in flight may take to finish
    /// before their connections are closed.
    pub drain_timeout: Duration,
    /// `--max-log-queue`: log lines waiting for a slow stdout; more are dropped and counted.
    pub max_log_queue: usize,
    /// `--max-streams`: HTTP/2 streams (gRPC calls) open at once on one client connection.
    pub max_streams: usize,
    /// `--max-konts`: Reach continuations remembered while they wait for their `/kont` (the
    /// oldest are forgotten first: their conversation is then logged without its origin).
    pub max_konts: usize,
    /// `--max-pending`: raw-tcp calls (JSON-RPC calls on a stream, each way) remembered on one
    /// connection while they wait for their answers (the oldest are forgotten: their answers are
    /// shown without their call); as many subscriptions remembered to label notifications.
    pub max_pending: usize,
    /// `--max-header-block`: the longest Content-Length header block read on a stream, in bytes
    /// (longer: the stream's messages are no longer logged; its bytes still pass).
    pub max_header_block: usize,
    /// `--record-notifications`: with `--record`, how many notifications of each subscription a
    /// client opened on a stream are recorded (the first ones), for `rpc replay` to compare.
    pub record_notifications: usize,
}

impl Limits {
    /// The defaults with no limit flags: those of `rpc serve` where both have the limit.
    pub const DEFAULT: Limits = Limits {
        max_connections: crate::server::Limits::DEFAULT.max_connections,
        max_body: crate::server::Limits::DEFAULT.max_body,
        header_timeout: crate::server::Limits::DEFAULT.header_timeout,
        idle_timeout: crate::server::Limits::DEFAULT.idle_timeout,
        body_timeout: crate::server::Limits::DEFAULT.body_timeout,
        connect_timeout: Duration::from_secs(10),
        drain_timeout: Duration::from_secs(10),
        max_log_queue: crate::server::Limits::DEFAULT.max_log_queue,
        max_streams: crate::server::Limits::DEFAULT.max_streams,
        max_konts: crate::server::Limits::DEFAULT.max_konts,
        max_pending: 10_000,
        max_header_block: crate::framing::DEFAULT_MAX_HEADER_BLOCK,
        record_notifications: 3,
    };
}

/// What `rpc proxy` was asked to do: built at the command line's edge (`cli.rs`).
#[derive(Debug, Clone)]
pub struct Config {
    /// `--listen HOST:PORT` (port 0: the OS picks) or `unix:PATH`.
    pub listen: String,
    /// `--socket-mode`: the mode of a `unix:PATH` socket (0600 by default).
    pub socket_mode: u32,
    /// `--to`: where every connection goes; `https://` and `grpcs://` use TLS.
    pub upstream: Url,
    /// TLS toward the upstream (`--cacert`, `-k`), and `--schema` for gRPC messages.
    pub client: client::Options,
    /// `--tls` / `--cert --key`: TLS on the listening side.
    pub tls: Option<TlsSource>,
    pub limits: Limits,
    pub style: log::Style,
    /// `--record FILE`: every call, as `rpc repl --record` writes it.
    pub record: Option<PathBuf>,
    /// `--stdio`: one client on the proxy's own stdin and stdout instead of a listener.
    pub stdio: Option<StdioMode>,
}

/// `rpc proxy --stdio`'s settings.
#[derive(Debug, Clone)]
pub struct StdioMode {
    /// `--log FILE`: the log there instead of stderr.
    pub log: Option<PathBuf>,
    /// `--framing`: how messages are cut; None: each direction's first bytes tell.
    pub framing: Option<crate::framing::Framing>,
}

/// What every connection shares.
pub struct Shared {
    pub config: Config,
    pub log: Log,
    /// `HOST:PORT` of the upstream (`unix:PATH`, `stdio:CMD`), as logs name it.
    pub target: String,
    /// Where the upstream's bytes go.
    pub place: crate::connect::Place,
    /// What HTTP's `Host` and HTTP/2's `:authority` say to the upstream: `HOST:PORT`, or through
    /// a Unix socket the `--to` URL's host (`localhost` for `unix:PATH`).
    pub authority: String,
    pub upstream_tls: bool,
    /// Client connections so far: the number each one is logged with.
    next_conn: AtomicU64,
    /// Reach interactive calls in progress, by continuation id (see [`http1`]).
    pub konts: http1::Konts,
    /// The gRPC schema, learnt once from the upstream (or `--schema`).
    pub grpc_schema: grpc::SchemaCache,
}

impl Shared {
    /// A new connection to the upstream server for client connection `conn`, or None when it
    /// cannot be had (logged on that connection).
    pub async fn upstream_for(&self, conn: u64) -> Option<Box<dyn Stream>> {
        match self.connect_upstream(&[]).await {
            Ok(upstream) => Some(upstream),
            Err(e) => {
                self.log
                    .note(conn, &format!("cannot reach the server: {e}"));
                None
            }
        }
    }

    /// A new connection to the upstream server (TLS for `https://`/`grpcs://`, offering
    /// `alpn`), within `--connect-timeout`.
    pub async fn connect_upstream(&self, alpn: &[&[u8]]) -> Result<Box<dyn Stream>> {
        let work = client::http::open_stream(
            &self.config.upstream,
            &self.place,
            &self.config.client,
            alpn,
            self.upstream_tls,
        );
        tokio::time::timeout(self.config.limits.connect_timeout, work)
            .await
            .map_err(|_| {
                Error::transport(
                    &self.target,
                    client::failure::Cause::TimedOut(self.config.limits.connect_timeout),
                )
            })?
    }
}

/// TLS on the listening side: `rpc serve`'s certificate (self-signed, or `--cert`/`--key`), with
/// ALPN offering `h2` only when the server is gRPC (`--to grpc://` or `grpcs://`). Otherwise a
/// client that can do both (curl) would pick HTTP/2 for a server that may speak only HTTP/1.1.
pub struct ListenTls {
    acceptor: tokio_rustls::TlsAcceptor,
    fingerprint: String,
    origin: String,
}

impl ListenTls {
    fn new(source: &TlsSource, upstream: &Url) -> Result<ListenTls> {
        let tls = crate::server::tls::Tls::new(source)?;
        let mut config = (**tls.acceptor.config()).clone();
        config.alpn_protocols = if matches!(upstream.scheme(), "grpc" | "grpcs") {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        Ok(ListenTls {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            fingerprint: tls.fingerprint,
            origin: tls.origin,
        })
    }

    fn accept<S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin>(
        &self,
        stream: S,
    ) -> tokio_rustls::Accept<S> {
        self.acceptor.accept(stream)
    }
}

/// `rpc proxy`: bind, print `listening on HOST:PORT`, forward until SIGINT/SIGTERM, then stop
/// accepting and let the calls in flight finish (within `--drain-timeout`; a second signal stops
/// at once, exit 130).
pub async fn run(config: Config) -> Result<()> {
    if config.stdio.is_some() {
        return stdio::run(config).await;
    }
    let listener = Listener::bind(&config.listen, config.socket_mode).await?;
    let tls = match &config.tls {
        Some(source) => Some(ListenTls::new(source, &config.upstream)?),
        None => None,
    };
    let place = client::place_of(&config.upstream, config.client.unix_socket.as_deref())?;
    let target = place.shown();
    let upstream_tls = matches!(config.upstream.scheme(), "https" | "grpcs");
    let recorder = recorder(&config, &target, upstream_tls)?;
    let signalled = crate::server::shutdown_signal()?;
    let addr = listener.local()?;
    let shared = Arc::new(Shared {
        log: Log::new(
            config.style,
            crate::linelog::Sink::Stdout,
            config.limits.max_log_queue,
            recorder,
        ),
        authority: authority_of(&config.upstream, &place),
        target,
        place,
        upstream_tls,
        next_conn: AtomicU64::new(1),
        konts: http1::Konts::default(),
        grpc_schema: grpc::SchemaCache::default(),
        config,
    });
    println!("listening on {addr}");
    if let Some(tls) = &tls {
        eprintln!(
            "rpc proxy: TLS with {}, SHA-256 fingerprint {}",
            tls.origin, tls.fingerprint
        );
    }
    eprintln!(
        "rpc proxy: forwarding to {} ({})",
        shared.config.upstream,
        if upstream_tls { "TLS" } else { "plain" }
    );
    let shutdown = CancellationToken::new();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        signalled.await;
        eprintln!(
            "rpc proxy: shutting down, finishing calls in flight (a second signal stops at once)"
        );
        stop.cancel();
        if let Ok(again) = crate::server::shutdown_signal() {
            again.await;
            eprintln!("rpc proxy: stopped at once");
            std::process::exit(130);
        }
    });
    accept(listener, Arc::clone(&shared), tls.map(Arc::new), shutdown).await;
    shared.log.flush();
    eprintln!("rpc proxy: stopped");
    Ok(())
}

/// The `Host`/`:authority` toward the upstream at `place`: its `HOST:PORT`, or over a Unix socket
/// or to a child the URL's own (`localhost` when it names none, as curl and grpc-go say).
pub fn authority_of(upstream: &url::Url, place: &crate::connect::Place) -> String {
    if let crate::connect::Place::Tcp(target) = place {
        return target.clone();
    }
    match (upstream.host_str(), upstream.port()) {
        (Some(host), Some(port)) if !host.is_empty() => format!("{host}:{port}"),
        (Some(host), None) if !host.is_empty() => host.to_owned(),
        _ => "localhost".to_owned(),
    }
}

/// `--record`'s recorder, naming the upstream at `target`.
fn recorder(
    config: &Config,
    target: &str,
    tls: bool,
) -> Result<Option<(crate::record::Recorder, log::Upstream)>> {
    let Some(path) = &config.record else {
        return Ok(None);
    };
    let upstream = log::Upstream {
        target: target.to_owned(),
        tls,
    };
    Ok(Some((crate::record::Recorder::open(path)?, upstream)))
}

/// Accepts connections, at most `--max-connections` at once, until `shutdown`.
async fn accept(
    listener: Listener,
    shared: Arc<Shared>,
    tls: Option<Arc<ListenTls>>,
    shutdown: CancellationToken,
) {
    let tracker = TaskTracker::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(
        shared.config.limits.max_connections,
    ));
    loop {
        // A slot first: over the limit, connections wait in the kernel's listen queue.
        let permit = tokio::select! {
            _ = shutdown.cancelled() => break,
            permit = Arc::clone(&slots).acquire_owned() => permit,
        };
        let Ok(permit) = permit else { break };
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, peer)) => {
                let conn = shared.next_conn.fetch_add(1, Ordering::Relaxed);
                let shared = Arc::clone(&shared);
                let (tls, shutdown) = (tls.clone(), shutdown.clone());
                tracker.spawn(async move {
                    handle(stream, peer, conn, &shared, tls, shutdown).await;
                    drop(permit);
                });
            }
            Err(e) => {
                eprintln!("rpc proxy: accept failed: {}", crate::error::plain(&e));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    drop(listener);
    tracker.close();
    let drain = shared.config.limits.drain_timeout;
    if tokio::time::timeout(drain, tracker.wait()).await.is_err() {
        eprintln!(
            "rpc proxy: calls still in flight after --drain-timeout ({} s): closing their connections",
            drain.as_secs_f64()
        );
    }
}

/// One client connection: sniffed, then forwarded by what it speaks.
async fn handle(
    mut stream: Conn,
    peer: Peer,
    conn: u64,
    shared: &Arc<Shared>,
    tls: Option<Arc<ListenTls>>,
    shutdown: CancellationToken,
) {
    let wait = shared.config.limits.header_timeout;
    let prefix = tokio::select! {
        _ = shutdown.cancelled() => return,
        prefix = tokio::time::timeout(wait, crate::server::read_prefix(&mut stream)) => prefix,
    };
    let Ok(Ok(Some((kind, mut prefix)))) = prefix else {
        return;
    };
    // `rpc serve` takes any other first byte for HTTP and answers 400 if it is not; the proxy
    // must not: what is not an HTTP request line goes through unread.
    let kind = match kind {
        Kind::Http if !is_http(&mut stream, &mut prefix, wait).await => {
            shared.log.note(
                conn,
                &format!("connection from {peer}: not a protocol rpc reads, tunnelled unread"),
            );
            let stream = crate::server::io::Prefixed::new(prefix, stream);
            return tunnel::forward(stream, conn, shared, shutdown).await;
        }
        kind => kind,
    };
    shared.log.note(
        conn,
        &format!("connection from {peer} ({})", kind_name(kind)),
    );
    let stream = crate::server::io::Prefixed::new(prefix, stream);
    match (kind, tls) {
        (Kind::Http, _) => http1::forward(stream, conn, shared, shutdown).await,
        (Kind::Http2, _) => grpc::forward(stream, conn, shared, shutdown).await,
        (Kind::RawTcp, _) => rawtcp::forward(stream, conn, shared, shutdown).await,
        (Kind::JsonStream, _) => stream::forward(stream, conn, shared, shutdown).await,
        (Kind::Tls, Some(tls)) => {
            match tokio::time::timeout(wait, tls.accept(stream)).await {
                // ALPN says which HTTP the client chose, as in `rpc serve`.
                Ok(Ok(secure)) if secure.get_ref().1.alpn_protocol() == Some(b"h2") => {
                    shared.log.note(conn, "TLS, ALPN h2: HTTP/2");
                    grpc::forward(secure, conn, shared, shutdown).await
                }
                Ok(Ok(secure)) => {
                    shared.log.note(conn, "TLS: HTTP/1.1");
                    http1::forward(secure, conn, shared, shutdown).await
                }
                Ok(Err(e)) => shared.log.note(conn, &format!("TLS handshake failed: {e}")),
                Err(_) => shared.log.note(conn, "TLS handshake timed out"),
            }
        }
        (Kind::Tls, None) => {
            shared.log.note(
                conn,
                "TLS from the client and no --tls here: tunnelled unread to the server",
            );
            tunnel::forward(stream, conn, shared, shutdown).await
        }
    }
    shared.log.note(conn, "connection closed");
}

/// Reads on (within `wait`) until the first word of the request line is whole, and says whether
/// it is an HTTP method: 1 to 16 uppercase letters followed by a space.
async fn is_http(stream: &mut Conn, prefix: &mut Vec<u8>, wait: Duration) -> bool {
    use tokio::io::AsyncReadExt;
    const LONGEST: usize = 16;
    let read_on = async {
        loop {
            let start = prefix
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .unwrap_or(0);
            let word = &prefix[start..];
            if word.contains(&b' ') || word.len() > LONGEST {
                return;
            }
            let mut chunk = [0u8; 64];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => prefix.extend_from_slice(&chunk[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(wait, read_on).await;
    let text = String::from_utf8_lossy(prefix);
    let text = text.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '\u{feff}');
    match text.split_once(' ') {
        Some((method, _)) => {
            (1..=LONGEST).contains(&method.len()) && method.bytes().all(|b| b.is_ascii_uppercase())
        }
        None => false,
    }
}

/// Serves a hyper connection until it ends, or until `shutdown`: then it is told to finish the
/// requests it has (HTTP/2: GOAWAY) and closes.
async fn serve_until<C: hyper_util::server::graceful::GracefulConnection>(
    connection: C,
    shutdown: &CancellationToken,
) {
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

/// The lock, also after a panic elsewhere poisoned it: what it guards (log state, queues) stays
/// usable.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Http => "HTTP/1.1",
        Kind::Http2 => "HTTP/2",
        Kind::RawTcp => "raw-tcp",
        Kind::JsonStream => "JSON-RPC on the stream",
        Kind::Tls => "TLS",
    }
}
