//! Framings (CONTRACT.md, "Transports"): where one message ends in a byte stream. A protocol picks
//! its framing (raw-tcp and JSON-RPC on a stream: one JSON value after another; LSP: `Content-Length`
//! headers; MCP over stdio: one JSON value per line) and `--framing` overrides it on any byte stream.
//! The client, `rpc proxy` and the tests read and write messages only through here.
//!
//! Adding a framing is one file here and one row of [`FRAMINGS`] (and its arms in [`Framing`]).

mod content_length;
mod json;
mod ndjson;

/// A way to cut a byte stream into messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// One JSON value after another, whitespace or nothing between (raw-tcp's framer); a message
    /// is written followed by a newline.
    Json,
    /// One JSON value per line (newline-delimited JSON).
    Ndjson,
    /// `Content-Length: N` headers, a blank line, then N bytes (the LSP and DAP base protocol).
    ContentLength,
}

/// A framing as `--framing` names it and the docs describe it.
pub struct Row {
    pub framing: Framing,
    pub name: &'static str,
    pub help: &'static str,
}

/// The framings, one row each.
pub const FRAMINGS: &[Row] = &[
    Row {
        framing: Framing::Json,
        name: "json",
        help: "one JSON value after another (raw-tcp's framing; written with a newline)",
    },
    Row {
        framing: Framing::Ndjson,
        name: "ndjson",
        help: "one JSON value per line",
    },
    Row {
        framing: Framing::ContentLength,
        name: "content-length",
        help: "Content-Length headers, a blank line, the message (LSP's base protocol)",
    },
];

/// Why a stream cannot be cut into messages; the stream is unusable after it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("a message larger than {0} bytes")]
    TooLarge(usize),
    #[error("the stream ended in the middle of a message")]
    Truncated,
    #[error("{0}")]
    Malformed(String),
}

/// Cuts the bytes of one direction of a stream into messages, holding at most one message in
/// progress.
pub trait Unframe: Send {
    /// Takes the bytes that came.
    fn push(&mut self, bytes: &[u8]);
    /// The next whole message; None until one is complete.
    fn next(&mut self) -> Result<Option<Vec<u8>>, FrameError>;
    /// At the end of the stream: a last message that ended with it, or an error for one cut short.
    fn finish(&mut self) -> Result<Option<Vec<u8>>, FrameError>;
}

/// What a reader holds at most, in bytes: one message (`--max-response` in the client,
/// `--max-body` in the proxy) and, before a `Content-Length` message's blank line, its headers
/// (`--max-header-block`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub message: usize,
    pub header_block: usize,
}

/// `--max-header-block`'s default: LSP's headers are two short lines, so a block this long is a
/// stream that is not the base protocol.
pub const DEFAULT_MAX_HEADER_BLOCK: usize = 8 * 1024;

impl Bounds {
    /// Messages of at most `message` bytes, headers within the default.
    pub fn message(message: usize) -> Bounds {
        Bounds {
            message,
            header_block: DEFAULT_MAX_HEADER_BLOCK,
        }
    }
}

impl Framing {
    /// The framing `--framing` names, by its row.
    pub fn named(name: &str) -> Option<Framing> {
        FRAMINGS
            .iter()
            .find(|row| row.name == name)
            .map(|row| row.framing)
    }

    /// Its name, as `--framing` takes it.
    pub fn name(self) -> &'static str {
        FRAMINGS
            .iter()
            .find(|row| row.framing == self)
            .map_or("json", |row| row.name)
    }

    /// One message's bytes on the wire.
    pub fn frame(self, message: &[u8]) -> Vec<u8> {
        match self {
            Framing::Json | Framing::Ndjson => ndjson::frame(message),
            Framing::ContentLength => content_length::frame(message),
        }
    }

    /// A reader that holds no more than `bounds`.
    pub fn reader(self, bounds: Bounds) -> Box<dyn Unframe> {
        match self {
            Framing::Json => Box::new(json::Reader::new(bounds.message)),
            Framing::Ndjson => Box::new(ndjson::Reader::new(bounds.message)),
            Framing::ContentLength => Box::new(content_length::Reader::new(bounds)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every framing reads back what it writes, split anywhere.
    #[test]
    fn every_framing_reads_what_it_writes_split_anywhere() {
        let messages: Vec<&[u8]> = vec![br#"{"a":1}"#, "{\"é\":\"\\n\"}".as_bytes(), br#"[1,2]"#];
        for row in FRAMINGS {
            let wire: Vec<u8> = messages.iter().flat_map(|m| row.framing.frame(m)).collect();
            for step in [1, 3, wire.len()] {
                let mut reader = row.framing.reader(Bounds::message(1024));
                let mut got = Vec::new();
                for chunk in wire.chunks(step) {
                    reader.push(chunk);
                    while let Some(message) = reader.next().unwrap() {
                        got.push(message);
                    }
                }
                assert_eq!(reader.finish(), Ok(None), "{}", row.name);
                assert_eq!(got, messages, "{} by {step}", row.name);
            }
            assert_eq!(Framing::named(row.name), Some(row.framing));
        }
    }

    #[test]
    fn bounds_hold_on_every_framing() {
        for row in FRAMINGS {
            let mut reader = row.framing.reader(Bounds::message(8));
            reader.push(&row.framing.frame(br#"{"long":"more than eight"}"#));
            assert_eq!(reader.next(), Err(FrameError::TooLarge(8)), "{}", row.name);
            let mut cut = row.framing.reader(Bounds::message(64));
            let wire = row.framing.frame(br#"{"a":1}"#);
            cut.push(&wire[..wire.len() - 2]);
            assert_eq!(cut.next(), Ok(None));
            assert_eq!(cut.finish(), Err(FrameError::Truncated), "{}", row.name);
        }
    }
}
