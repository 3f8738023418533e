//! What `rpc serve` is told: the address, TLS, the Reach API key and every limit. Built once, at
//! the command line's edge (`cli.rs`) or in-process (`rpc demo`, tests), from [`Limits::DEFAULT`],
//! which is also what the flags show as their defaults. Durations are kept once, as [`Duration`]s.

use std::path::PathBuf;
use std::time::Duration;

/// Everything `rpc serve` needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// `HOST:PORT` to listen on (port 0 picks a free one), or `unix:PATH`.
    pub addr: String,
    /// `--socket-mode`: the mode of a `unix:PATH` socket (0600 by default).
    pub socket_mode: u32,
    /// No per-call log line on stderr.
    pub quiet: bool,
    /// HTTPS on the same port, and where its certificate comes from.
    pub tls: Option<TlsSource>,
    /// The `X-API-Key` the Reach endpoints demand; None: no key asked.
    pub api_key: Option<String>,
    pub limits: Limits,
    /// `--stdio`: one client on the server's own stdin and stdout (JSON-RPC objects, one per
    /// line), no listener; `addr` is then unused.
    pub stdio: bool,
}

impl Config {
    /// A server on `addr` with no TLS, no key, and every limit at its default.
    pub fn new(addr: impl Into<String>) -> Config {
        Config {
            addr: addr.into(),
            socket_mode: crate::connect::listen::DEFAULT_SOCKET_MODE,
            quiet: false,
            tls: None,
            api_key: None,
            limits: Limits::DEFAULT,
            stdio: false,
        }
    }
}

/// Where the HTTPS certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// Made at start for `localhost` and `127.0.0.1`, signed by itself.
    SelfSigned,
    /// A PEM certificate chain and its PEM private key.
    Files { cert: PathBuf, key: PathBuf },
}

/// Every server limit: a name, a default (here) and a flag (`rpc serve --help`); docs/security.md
/// shows what each refusal looks like on each protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// `--max-body`: largest request body, in bytes (larger: HTTP 413).
    pub max_body: u64,
    /// `--max-batch`: most calls in one JSON-RPC batch or XML-RPC multicall.
    pub max_batch: usize,
    /// `--max-depth`: deepest nesting of arrays/objects (JSON) or arrays/structs (XML-RPC).
    pub max_depth: usize,
    /// `--max-message`: largest raw-tcp request, in bytes.
    pub max_message: usize,
    /// `--idle-timeout`: how long a raw-tcp or keep-alive HTTP connection may wait for its next
    /// request.
    pub idle_timeout: Duration,
    /// `--header-timeout`: how long a client may take to send a request's first bytes and headers
    /// (and a TLS handshake).
    pub header_timeout: Duration,
    /// `--body-timeout`: how long a client may take to send an HTTP body once its headers are in.
    pub body_timeout: Duration,
    /// `--max-connections`: most connections open at once.
    pub max_connections: usize,
    /// `--max-sleep`: the longest `sleep` the service grants.
    pub max_sleep: Duration,
    /// `--kont-timeout`: how long a Reach continuation handle stays valid.
    pub kont_timeout: Duration,
    /// `--max-konts`: most Reach continuations waiting at once.
    pub max_konts: usize,
    /// `--max-log-queue`: most per-call log lines waiting for a slow stderr.
    pub max_log_queue: usize,
    /// `--max-streams`: most HTTP/2 streams (gRPC calls) open at once on one connection.
    pub max_streams: usize,
    /// `--max-header-list`: largest HTTP/2 header list a request may send, in bytes.
    pub max_header_list: usize,
    /// `--max-resets`: most streams a client may reset (or make the server reset) on one
    /// connection before it is closed: the Rapid Reset flood (CVE-2023-44487).
    pub max_resets: usize,
    /// `--max-routes`: most routes the gRPC Router's table holds.
    pub max_routes: usize,
    /// `--max-subscriptions`: most subscriptions one WebSocket connection may hold.
    pub max_subscriptions: usize,
    /// `--max-ws-queue`: most messages waiting to be written to one WebSocket client; a client
    /// that lets more pile up (it does not read) is cut off.
    pub max_ws_queue: usize,
}

impl Limits {
    /// The defaults of `rpc serve` with no limit flags.
    pub const DEFAULT: Limits = Limits {
        max_body: 4 * 1024 * 1024,
        max_batch: 100,
        max_depth: 64,
        max_message: 1024 * 1024,
        idle_timeout: Duration::from_secs(30),
        header_timeout: Duration::from_secs(10),
        body_timeout: Duration::from_secs(30),
        max_connections: 1024,
        max_sleep: Duration::from_secs(10),
        kont_timeout: Duration::from_secs(300),
        max_konts: 1000,
        max_log_queue: 65536,
        max_streams: 100,
        max_header_list: 16 * 1024,
        max_resets: 100,
        max_routes: 10_000,
        max_subscriptions: 16,
        max_ws_queue: 1024,
    };
}

impl Limits {
    /// The bounds the codecs apply to a request.
    pub fn codec(&self) -> crate::protocol::Limits {
        crate::protocol::Limits {
            max_depth: self.max_depth,
            max_batch: self.max_batch,
            max_bytes: usize::try_from(self.max_body).unwrap_or(usize::MAX),
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::DEFAULT
    }
}
