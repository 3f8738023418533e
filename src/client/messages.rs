//! How a stream transport's messages travel: cut from a byte stream by a framing (a Unix socket,
//! a TCP connection, a child's pipes), or as WebSocket messages (RFC 6455, by tokio-tungstenite),
//! one JSON-RPC message per text frame. [`super::stream`] reads and writes through these two
//! enums alone, so a session (ids, notifications, the server's requests) is the same on both.

use crate::connect::{Conn, Reader, Writer};
use crate::framing::{FrameError, Framing, Unframe};
use crate::trace::{Direction, Trace};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::{self, Message};

/// A WebSocket over any of rpc's connections.
pub type WsStream = tokio_tungstenite::WebSocketStream<Conn>;

/// Bytes read from a byte stream at a time.
const CHUNK: usize = 16 * 1024;

/// The writing half.
pub enum Outgoing {
    Framed { writer: Writer, framing: Framing },
    WebSocket(SplitSink<WsStream, Message>),
}

/// The reading half.
pub enum Incoming {
    Framed {
        reader: Reader,
        unframe: Box<dyn Unframe>,
        chunk: Vec<u8>,
    },
    WebSocket(SplitStream<WsStream>),
}

/// Why no more messages come.
#[derive(Debug)]
pub enum ReadError {
    /// The framing refused what came (too large, not this framing, cut short).
    Frame(FrameError),
    /// Reading failed, or the connection was dropped, for this reason.
    Closed(String),
    /// The peer ended the connection properly, for this reason: a WebSocket close frame (`the
    /// server closed the WebSocket (1001: going away)`).
    Finished(String),
}

impl Outgoing {
    /// A byte stream's writer, messages framed by `framing`.
    pub fn framed(writer: Writer, framing: Framing) -> Outgoing {
        Outgoing::Framed { writer, framing }
    }

    /// Sends one message (framed and flushed; or one text frame), dumped at `-vv` as it goes.
    pub async fn send(&mut self, message: &[u8], trace: Trace) -> std::io::Result<()> {
        match self {
            Outgoing::Framed { writer, framing } => {
                let framed = framing.frame(message);
                trace.wire(Direction::Sent, trim_newline(&framed));
                writer.write_all(&framed).await?;
                writer.flush().await
            }
            Outgoing::WebSocket(sink) => {
                let text = String::from_utf8_lossy(message).into_owned();
                let frame = Message::text(text);
                trace.wire(Direction::Sent, &frame_dump(&frame));
                sink.send(frame).await.map_err(ws_io)
            }
        }
    }

    /// A WebSocket ping (`--ping-interval`), dumped at `-vv`; nothing on a byte stream.
    pub async fn ping(&mut self, trace: Trace) -> std::io::Result<()> {
        match self {
            Outgoing::Framed { .. } => Ok(()),
            Outgoing::WebSocket(sink) => {
                let frame = Message::Ping(Default::default());
                trace.wire(Direction::Sent, &frame_dump(&frame));
                sink.send(frame).await.map_err(ws_io)
            }
        }
    }

    /// Ends the writing side: a byte stream shut down, a WebSocket's close frame sent (normal
    /// closure). Whether the peer's answer is worth waiting for: the WebSocket's echo of the
    /// close frame, yes; a byte stream's end, no (a child exits only once its stdin, held by the
    /// reader too, is dropped).
    pub async fn close(&mut self, trace: Trace) -> bool {
        match self {
            Outgoing::Framed { writer, .. } => {
                let _ = writer.shutdown().await;
                false
            }
            Outgoing::WebSocket(sink) => {
                let frame = Message::Close(Some(tungstenite::protocol::CloseFrame {
                    code: tungstenite::protocol::frame::coding::CloseCode::Normal,
                    reason: "".into(),
                }));
                trace.wire(Direction::Sent, &frame_dump(&frame));
                sink.send(frame).await.is_ok()
            }
        }
    }
}

impl Incoming {
    /// A byte stream's reader, messages cut by `unframe`.
    pub fn framed(reader: Reader, unframe: Box<dyn Unframe>) -> Incoming {
        Incoming::Framed {
            reader,
            unframe,
            chunk: vec![0u8; CHUNK],
        }
    }

    /// The next message; None when the peer has ended cleanly (a byte stream's end between
    /// messages, a WebSocket closed after our close frame). Pings and pongs are dumped at `-vv`
    /// (tungstenite answers pings itself).
    pub async fn next(&mut self, trace: Trace) -> Result<Option<Vec<u8>>, ReadError> {
        match self {
            Incoming::Framed {
                reader,
                unframe,
                chunk,
            } => next_framed(reader, unframe.as_mut(), chunk, trace).await,
            Incoming::WebSocket(stream) => next_ws(stream, trace).await,
        }
    }
}

async fn next_framed(
    reader: &mut Reader,
    unframe: &mut dyn Unframe,
    chunk: &mut [u8],
    trace: Trace,
) -> Result<Option<Vec<u8>>, ReadError> {
    loop {
        if let Some(message) = unframe.next().map_err(ReadError::Frame)? {
            trace.wire(Direction::Received, &message);
            return Ok(Some(message));
        }
        let n = reader.read(chunk).await.map_err(|e| {
            ReadError::Closed(format!("reading failed: {}", crate::error::plain(&e)))
        })?;
        if n == 0 {
            let last = unframe.finish().map_err(ReadError::Frame)?;
            if let Some(message) = &last {
                trace.wire(Direction::Received, message);
            }
            return Ok(last);
        }
        unframe.push(&chunk[..n]);
    }
}

async fn next_ws(
    stream: &mut SplitStream<WsStream>,
    trace: Trace,
) -> Result<Option<Vec<u8>>, ReadError> {
    loop {
        let frame = match stream.next().await {
            None => return Ok(None),
            Some(Ok(frame)) => frame,
            Some(Err(e)) => return ws_read_error(e),
        };
        trace.wire(Direction::Received, &frame_dump(&frame));
        match frame {
            Message::Text(text) => return Ok(Some(text.as_bytes().to_vec())),
            // Some servers send JSON in binary frames: a message all the same.
            Message::Binary(bytes) => return Ok(Some(bytes.to_vec())),
            Message::Close(frame) => {
                return Err(ReadError::Finished(closed_by("the server", frame.as_ref())))
            }
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
    }
}

/// tungstenite's settings with every message (and so every frame) at most `max` bytes: a bigger
/// one is refused on its header, before a byte of it is kept.
pub fn bounded(max: usize) -> tungstenite::protocol::WebSocketConfig {
    tungstenite::protocol::WebSocketConfig::default()
        .max_message_size(Some(max))
        .max_frame_size(Some(max))
}

/// A close frame, said: `the server closed the WebSocket (1001: going away)`, `… (1000)`.
pub fn closed_by(who: &str, frame: Option<&tungstenite::protocol::CloseFrame>) -> String {
    match frame {
        None => format!("{who} closed the WebSocket"),
        Some(frame) if frame.reason.is_empty() => {
            format!("{who} closed the WebSocket ({})", u16::from(frame.code))
        }
        Some(frame) => format!(
            "{who} closed the WebSocket ({}: {})",
            u16::from(frame.code),
            frame.reason
        ),
    }
}

/// A tungstenite error while reading, as the transport's words.
fn ws_read_error(e: tungstenite::Error) -> Result<Option<Vec<u8>>, ReadError> {
    use tungstenite::error::CapacityError;
    match e {
        // Closed after the close handshake: a clean end.
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => Ok(None),
        tungstenite::Error::Capacity(CapacityError::MessageTooLong { max_size, .. }) => {
            Err(ReadError::Frame(FrameError::TooLarge(max_size)))
        }
        tungstenite::Error::Protocol(
            tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
        ) => Err(ReadError::Closed(
            "the server dropped the connection without a close frame".into(),
        )),
        tungstenite::Error::Protocol(why) => Err(ReadError::Frame(FrameError::Malformed(format!(
            "not a valid WebSocket frame: {why}"
        )))),
        tungstenite::Error::Utf8(_) => Err(ReadError::Frame(FrameError::Malformed(
            "a text frame that is not UTF-8".into(),
        ))),
        tungstenite::Error::Io(e) => Err(ReadError::Closed(format!(
            "reading failed: {}",
            crate::error::plain(&e)
        ))),
        other => Err(ReadError::Closed(other.to_string())),
    }
}

fn ws_io(e: tungstenite::Error) -> std::io::Error {
    match e {
        tungstenite::Error::Io(e) => e,
        other => std::io::Error::new(std::io::ErrorKind::BrokenPipe, other.to_string()),
    }
}

/// A frame as `-vv` shows it: its opcode and length, then its payload (text as it is).
pub fn frame_dump(frame: &Message) -> Vec<u8> {
    let (kind, payload): (&str, &[u8]) = match frame {
        Message::Text(text) => ("text", text.as_bytes()),
        Message::Binary(bytes) => ("binary", bytes),
        Message::Ping(bytes) => ("ping", bytes),
        Message::Pong(bytes) => ("pong", bytes),
        Message::Close(Some(close)) => ("close", close.reason.as_bytes()),
        Message::Close(None) => ("close", b""),
        Message::Frame(frame) => ("frame", frame.payload()),
    };
    // A close frame's payload is its 2-byte code, then the reason.
    let code = match frame {
        Message::Close(Some(close)) => Some(u16::from(close.code)),
        _ => None,
    };
    let length = payload.len() + code.map_or(0, |_| 2);
    let mut dump = format!("[{kind} frame, {length} bytes]").into_bytes();
    if let Some(code) = code {
        dump.extend_from_slice(format!(" {code}").as_bytes());
    }
    if !payload.is_empty() {
        dump.push(b' ');
        dump.extend_from_slice(payload);
    }
    dump
}

fn trim_newline(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\n").unwrap_or(bytes)
}
