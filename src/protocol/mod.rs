//! Pure codecs, one per protocol: bytes in, calls or outcomes out, and back. No sockets here; the
//! client transports and the server both use these, so each protocol is written once.

pub mod json;
pub mod jsonrpc;
pub mod rawtcp;
pub mod reach;
pub mod xmlrpc;

#[cfg(test)]
mod roundtrip_tests;

use crate::value::Value;
use indexmap::IndexMap;

/// The protocols `rpc` speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Proto {
    /// JSON-RPC 2.0 over HTTP(S) POST
    #[value(name = "json-rpc", aliases = ["json", "jsonrpc"])]
    JsonRpc,
    /// XML-RPC over HTTP(S) POST
    #[value(name = "xml-rpc", aliases = ["xml", "xmlrpc"])]
    XmlRpc,
    /// The Reach RPC protocol: POST /<method> with a JSON array
    #[value(name = "reach")]
    Reach,
    /// One JSON array per request over a TCP connection
    #[value(name = "raw-tcp", aliases = ["tcp", "raw"])]
    RawTcp,
}

impl Proto {
    pub fn name(self) -> &'static str {
        match self {
            Proto::JsonRpc => "json-rpc",
            Proto::XmlRpc => "xml-rpc",
            Proto::Reach => "reach",
            Proto::RawTcp => "raw-tcp",
        }
    }
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
