//! Pure codecs, one per protocol: bytes in, calls or outcomes out, and back. No sockets here; the
//! client transports and the server both use these, so each protocol is written once.

pub mod answer;
pub mod grpc;
pub mod json;
pub mod jsonrpc;
pub mod rawtcp;
pub mod reach;
pub mod xmlrpc;

#[cfg(test)]
mod roundtrip_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn every_protocol_has_exactly_one_row() {
        for proto in Proto::value_variants() {
            let rows = PROTOCOLS.iter().filter(|s| s.proto == *proto).count();
            assert_eq!(rows, 1, "{proto:?}");
            assert_eq!(proto.spec().proto, *proto);
        }
        let order: Vec<Proto> = PROTOCOLS.iter().map(|s| s.proto).collect();
        assert_eq!(order, Proto::value_variants());
    }

    #[test]
    fn names_aliases_and_schemes_come_from_the_table() {
        assert_eq!(Proto::parse("XML"), Ok(Proto::XmlRpc));
        assert_eq!(Proto::parse("raw"), Ok(Proto::RawTcp));
        assert!(Proto::parse("soap")
            .unwrap_err()
            .contains("json-rpc, xml-rpc, reach, raw-tcp, grpc, lsp"));
        assert_eq!(Proto::for_scheme("tcp"), Proto::RawTcp);
        assert_eq!(Proto::for_scheme("https"), Proto::JsonRpc);
    }
}

use crate::framing::Framing;
use crate::value::Value;
use indexmap::IndexMap;

/// The protocols `rpc` speaks. Everything `rpc` knows about one, beyond its codec, driver and
/// server glue, is its row in [`PROTOCOLS`]; read it with [`Proto::spec`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Proto {
    JsonRpc,
    XmlRpc,
    Reach,
    RawTcp,
    Grpc,
    Lsp,
}

/// What carries a protocol's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// HTTP(S) POSTs; `--curl` prints curl lines, `-k`/`--cacert` apply.
    Http,
    /// A plain TCP connection (never TLS); `--curl` prints `printf … | nc -N`.
    Tcp,
    /// HTTP/2: cleartext with prior knowledge, or TLS with ALPN `h2`.
    Http2,
    /// JSON-RPC messages on a byte stream (a child's pipes, a Unix socket, a TCP connection),
    /// cut by the row's framing.
    Stream,
}

/// How a protocol carries several calls at once (`rpc call A + B`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batching {
    /// One request holding an array of calls, answered by an array (JSON-RPC).
    Array,
    /// One `system.multicall` call whose result holds one answer per call (XML-RPC).
    Multicall,
    /// One request after the other, each answered before the next (Reach; gRPC's unary calls,
    /// on one connection).
    Sequential,
    /// Back to back on one connection, answered in order (raw-tcp).
    Pipelined,
}

/// How `rpc list` and `rpc describe` ask a server what it offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Introspection {
    /// `rpc.discover` (OpenRPC), falling back to `system.listMethods` and friends.
    OpenRpcThenSystem,
    /// `system.listMethods`, `system.methodHelp`, `system.methodSignature` only: XML-RPC peers
    /// rarely know `rpc.discover`, and some answer it with a fault of their own, not -32601.
    System,
    /// gRPC server reflection (`grpc.reflection.v1`, else `v1alpha`), or `--schema` files.
    Reflection,
    /// None: the protocol names no way to list methods (LSP: what a server does is in the
    /// capabilities of its `initialize` answer).
    None,
}

/// One protocol, declared once: every command reads these facts here instead of matching on
/// [`Proto`] itself.
#[derive(Debug)]
pub struct Spec {
    pub proto: Proto,
    /// The name `-P` takes and messages use.
    pub name: &'static str,
    /// Other names `-P` accepts.
    pub aliases: &'static [&'static str],
    /// One line for `--help` and completions.
    pub about: &'static str,
    pub transport: Transport,
    /// On a bare byte stream (`unix:`, `stdio:`, `tcp://`), the framing its messages use; None:
    /// it travels only over HTTP (`--unix-socket` puts that on a Unix socket).
    pub stream_framing: Option<Framing>,
    /// URL schemes whose endpoints speak this protocol when `-P` is not given.
    pub default_for_schemes: &'static [&'static str],
    /// The path an HTTP endpoint typed without one gets (XML-RPC's `/RPC2`).
    pub default_path: Option<&'static str>,
    pub batching: Batching,
    /// Whether calls can be sent without wanting an answer (`--notify`).
    pub notifications: bool,
    pub introspection: Introspection,
    /// Whether a call can call the client back while it runs (Reach's `Kont`/`/kont`).
    pub interactive: bool,
    /// The word for an error answer in messages: `error -32601: …` or XML-RPC's `fault 3: …`.
    pub error_word: &'static str,
    /// Names of the error codes, by number, where the protocol has them (gRPC's statuses:
    /// `error NOT_FOUND (5): …`).
    pub code_names: &'static [&'static str],
    /// The rule that turns an answer into one outcome per call (see [`answer`]).
    pub read_answer: answer::Rule,
}

/// Every protocol `rpc` speaks, in the order help, completions and `rpc serve`'s banner list them.
pub const PROTOCOLS: &[Spec] = &[
    Spec {
        proto: Proto::JsonRpc,
        name: "json-rpc",
        aliases: &["json", "jsonrpc"],
        about: "JSON-RPC 2.0 over HTTP(S) POST, or as objects on a stream (unix:, stdio:, tcp://)",
        transport: Transport::Http,
        stream_framing: Some(Framing::Ndjson),
        default_for_schemes: &["http", "https", "unix", "stdio", "ws", "wss"],
        default_path: None,
        batching: Batching::Array,
        notifications: true,
        introspection: Introspection::OpenRpcThenSystem,
        interactive: false,
        error_word: "error",
        code_names: &[],
        read_answer: jsonrpc::read_answer,
    },
    Spec {
        proto: Proto::XmlRpc,
        name: "xml-rpc",
        aliases: &["xml", "xmlrpc"],
        about: "XML-RPC over HTTP(S) POST",
        transport: Transport::Http,
        stream_framing: None,
        default_for_schemes: &[],
        default_path: Some("/RPC2"),
        batching: Batching::Multicall,
        notifications: false,
        introspection: Introspection::System,
        interactive: false,
        error_word: "fault",
        code_names: &[],
        read_answer: xmlrpc::read_answer,
    },
    Spec {
        proto: Proto::Reach,
        name: "reach",
        aliases: &[],
        about: "The Reach RPC protocol: POST /<method> with a JSON array",
        transport: Transport::Http,
        stream_framing: None,
        default_for_schemes: &[],
        default_path: None,
        batching: Batching::Sequential,
        notifications: false,
        introspection: Introspection::OpenRpcThenSystem,
        interactive: true,
        error_word: "error",
        code_names: &[],
        read_answer: reach::read_answer,
    },
    Spec {
        proto: Proto::RawTcp,
        name: "raw-tcp",
        aliases: &["tcp", "raw"],
        about: "One JSON array per request over a TCP connection",
        transport: Transport::Tcp,
        stream_framing: Some(Framing::Json),
        default_for_schemes: &["tcp"],
        default_path: None,
        batching: Batching::Pipelined,
        notifications: false,
        introspection: Introspection::OpenRpcThenSystem,
        interactive: false,
        error_word: "error",
        code_names: &[],
        read_answer: rawtcp::read_answer,
    },
    Spec {
        proto: Proto::Grpc,
        name: "grpc",
        aliases: &[],
        about: "gRPC over HTTP/2: grpc:// cleartext, grpcs:// TLS",
        transport: Transport::Http2,
        stream_framing: None,
        default_for_schemes: &["grpc", "grpcs"],
        default_path: None,
        batching: Batching::Sequential,
        notifications: false,
        introspection: Introspection::Reflection,
        interactive: false,
        error_word: "error",
        code_names: grpc::STATUS_NAMES,
        read_answer: grpc::read_answer,
    },
    Spec {
        proto: Proto::Lsp,
        name: "lsp",
        aliases: &["language-server"],
        about: "The Language Server Protocol: JSON-RPC 2.0 with Content-Length framing and its \
                lifecycle, over stdio:, unix: or tcp://",
        transport: Transport::Stream,
        stream_framing: Some(Framing::ContentLength),
        default_for_schemes: &[],
        default_path: None,
        batching: Batching::Sequential,
        notifications: true,
        introspection: Introspection::None,
        interactive: false,
        error_word: "error",
        code_names: &[],
        read_answer: jsonrpc::read_answer,
    },
];

impl Spec {
    /// How this protocol is reached on a server listening on `addr` (`HOST:PORT` or
    /// `unix:PATH`), as `rpc call`'s words: `http(s)://HOST:PORT/RPC2` with `https` when `tls`,
    /// `tcp://…`, `grpc(s)://…`; on a Unix socket, the HTTP ones with `--unix-socket PATH`, and
    /// JSON on the stream as `unix:PATH`.
    pub fn server_url(&self, addr: &str, tls: bool) -> String {
        if let Some(path) = addr.strip_prefix("unix:") {
            return match self.transport {
                Transport::Tcp => format!("-P {} {addr}", self.name),
                Transport::Stream => format!("-P {} {addr}", self.name),
                Transport::Http => format!(
                    "--unix-socket {path} http://localhost{}",
                    self.default_path.unwrap_or("/")
                ),
                Transport::Http2 => format!("--unix-socket {path} grpc://localhost"),
            };
        }
        match self.transport {
            Transport::Tcp => format!("tcp://{addr}"),
            Transport::Stream => format!("-P {} tcp://{addr}", self.name),
            Transport::Http => {
                let scheme = if tls { "https" } else { "http" };
                format!("{scheme}://{addr}{}", self.default_path.unwrap_or("/"))
            }
            Transport::Http2 => {
                let scheme = if tls { "grpcs" } else { "grpc" };
                format!("{scheme}://{addr}")
            }
        }
    }

    /// Whether `rpc serve` answers this protocol (the client dialects of JSON-RPC on a stream,
    /// such as LSP, it does not).
    pub fn served(&self) -> bool {
        self.transport != Transport::Stream
    }
}

impl Proto {
    /// This protocol's row in [`PROTOCOLS`].
    pub fn spec(self) -> &'static Spec {
        // Every variant has its row (a unit test holds it), so the fallback is never taken.
        PROTOCOLS
            .iter()
            .find(|spec| spec.proto == self)
            .unwrap_or(&PROTOCOLS[0])
    }

    /// The name `-P` takes: `json-rpc`, `xml-rpc`, `reach`, `raw-tcp`, `grpc`.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// A protocol by name or alias, without regard to case; the error lists the names.
    pub fn parse(name: &str) -> Result<Proto, String> {
        let name = name.trim();
        PROTOCOLS
            .iter()
            .find(|spec| {
                spec.name.eq_ignore_ascii_case(name)
                    || spec.aliases.iter().any(|a| a.eq_ignore_ascii_case(name))
            })
            .map(|spec| spec.proto)
            .ok_or_else(|| {
                let names: Vec<&str> = PROTOCOLS.iter().map(|spec| spec.name).collect();
                format!("unknown protocol {name:?}: use {}", names.join(", "))
            })
    }

    /// The protocol an endpoint with this URL scheme speaks when `-P` is not given: the first
    /// row that claims the scheme, else JSON-RPC.
    pub fn for_scheme(scheme: &str) -> Proto {
        PROTOCOLS
            .iter()
            .find(|spec| spec.default_for_schemes.contains(&scheme))
            .map_or(Proto::JsonRpc, |spec| spec.proto)
    }
}

/// `-P` reads the table: names, aliases and help come from [`PROTOCOLS`].
impl clap::ValueEnum for Proto {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            Proto::JsonRpc,
            Proto::XmlRpc,
            Proto::Reach,
            Proto::RawTcp,
            Proto::Grpc,
            Proto::Lsp,
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let spec = self.spec();
        Some(
            clap::builder::PossibleValue::new(spec.name)
                .aliases(spec.aliases.iter().copied())
                .help(spec.about),
        )
    }
}

/// The one limits type of every decoder: what a server (or a client reading an answer) accepts
/// before it refuses a document. Each codec reads the bounds that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most arrays/objects (JSON) or arrays/structs (XML-RPC) nested in one another.
    pub max_depth: usize,
    /// Most calls in one batch (a JSON-RPC array, an XML-RPC multicall).
    pub max_batch: usize,
    /// Largest document, in bytes (where the transport has not bounded it already).
    pub max_bytes: usize,
}

impl Limits {
    /// What a client applies to answers: the transport has already bounded the size by
    /// `--max-response`, so only the depth is bounded here (at serde_json's own bound).
    pub const CLIENT: Limits = Limits {
        max_depth: 128,
        max_batch: usize::MAX,
        max_bytes: usize::MAX,
    };

    /// The client's limits with another depth bound.
    pub const fn with_depth(max_depth: usize) -> Limits {
        Limits {
            max_depth,
            ..Limits::CLIENT
        }
    }
}

/// The UTF-8 byte-order mark, which some peers put before a document (Windows tools, one popular
/// Java XML-RPC client); every decoder skips it.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// `bytes` without a leading byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// Parameters of one call: by position or by name.
#[derive(Debug, Clone, PartialEq)]
pub enum Params {
    Positional(Vec<Value>),
    Named(IndexMap<String, Value>),
}

impl Params {
    pub fn empty() -> Self {
        Params::Positional(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Params::Positional(v) => v.is_empty(),
            Params::Named(m) => m.is_empty(),
        }
    }

    /// The JSON the trace prints: an array for positional, an object for named.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Params::Positional(v) => {
                serde_json::Value::Array(v.iter().map(Value::to_json).collect())
            }
            Params::Named(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }
}

/// One call: a method and its parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub method: String,
    pub params: Params,
}

/// An error answer, in JSON-RPC's terms; every protocol carries the same codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub code: i64,
    pub message: String,
    pub data: Option<serde_json::Value>,
}

impl Fault {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Fault {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// The JSON form: `{"code": …, "message": …, "data"?: …}`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut obj = serde_json::Map::new();
        obj.insert("code".into(), self.code.into());
        obj.insert("message".into(), self.message.clone().into());
        if let Some(data) = &self.data {
            obj.insert("data".into(), data.clone());
        }
        serde_json::Value::Object(obj)
    }
}

impl Fault {
    /// A fault from an error member as servers write it: `{"code", "message", "data"?}`, or for
    /// peers of looser protocols (JSON-RPC 1.0, raw-tcp tutorial servers) a bare string or any
    /// other value, kept as the message with code -32603.
    pub fn from_error_json(error: &serde_json::Value) -> Fault {
        let code = error.get("code").and_then(serde_json::Value::as_i64);
        let message = error.get("message").and_then(serde_json::Value::as_str);
        match (code, message, error) {
            (Some(code), Some(message), _) => Fault {
                code,
                message: message.to_owned(),
                data: error.get("data").cloned(),
            },
            (_, _, serde_json::Value::String(text)) => {
                Fault::new(codes::INTERNAL_ERROR, text.clone())
            }
            _ => Fault::new(codes::INTERNAL_ERROR, error.to_string()),
        }
    }
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error {}: {}", self.code, self.message)?;
        if let Some(data) = &self.data {
            write!(f, " ({data})")?;
        }
        Ok(())
    }
}

/// What one call came to.
pub type Outcome = Result<Value, Fault>;

/// Error codes shared by every protocol (JSON-RPC 2.0 section 5.1, plus the service's own).
pub mod codes {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    /// A server limit refused the request (too large, too deep, too many).
    pub const LIMIT_EXCEEDED: i64 = -32000;
    /// Application errors of the math service: 1000–1099.
    pub const DIVISION_BY_ZERO: i64 = 1000;
    pub const INTEGER_OVERFLOW: i64 = 1001;
    pub const NOT_FINITE: i64 = 1002;
}
