//! The raw-TCP JSON protocol of socket RPC tutorials: the client writes one JSON array
//! `["method", arg1, …]`, the server writes back one JSON value. No length prefix and no required
//! newline, so the hard part is *framing*: [`Framer`] finds where one JSON value ends in a byte
//! stream, whatever way the bytes were split, without waiting for the peer to close, and refuses a
//! value larger than a named limit instead of truncating it.
//!
//! Framing rule: leading blanks are skipped; a value that starts with `[` or `{` ends at its matching
//! bracket, a string at its closing quote (brackets and escaped quotes inside strings do not count);
//! any other token (`5`, `true`, …) ends at the first blank or structural byte, or when the peer
//! closes — a bare number cannot end sooner, since more digits may follow.
//!
//! Answers: a result is sent as its JSON value, an error as `{"error": {"code": …, "message": …}}`,
//! each followed by `\n` so line-reading clients work too.
//!
//! [`read_frame`] drives a framer from any async reader; the client and the server share it, and
//! it knows no sockets. Wire examples and limits: docs/protocols.md, section "Raw TCP".

use super::json::{self, JsonError, StringState};
use super::{codes, Call, Fault, Outcome, Params};
use crate::value::Value;
use serde_json::Value as Json;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// Why no value could be framed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The value grew past the limit before it ended.
    #[error("message larger than {0} bytes")]
    TooLarge(usize),
    /// The peer closed in the middle of a value.
    #[error("the connection closed in the middle of a JSON value")]
    Truncated,
}

/// Where the scan of the current value stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// Only blanks so far.
    Blank,
    /// Inside an array or object, `depth` brackets deep.
    Container { depth: usize, strings: StringState },
    /// Inside a top-level string.
    Str { escaped: bool },
    /// Inside a bare token: a number, `true`, `false`, `null` or garbage.
    Token,
    /// After `matched` bytes of a byte-order mark before a value.
    Bom { matched: usize },
}

/// What one byte does to the value being scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// A blank before the value: not part of it.
    Skip,
    /// Part of the value, which goes on.
    Continue,
    /// The last byte of the value.
    EndsWith,
    /// Not part of the value, which ended just before it (tokens end this way).
    EndsBefore,
}

fn is_structural(byte: u8) -> bool {
    matches!(byte, b'[' | b']' | b'{' | b'}' | b'"' | b',' | b':')
}

impl Scan {
    fn step(&mut self, byte: u8) -> Step {
        match *self {
            Scan::Blank => self.start(byte),
            Scan::Container { depth, strings } => self.in_container(depth, strings, byte),
            Scan::Str { escaped } => match (escaped, byte) {
                (true, _) => {
                    *self = Scan::Str { escaped: false };
                    Step::Continue
                }
                (false, b'\\') => {
                    *self = Scan::Str { escaped: true };
                    Step::Continue
                }
                (false, b'"') => Step::EndsWith,
                _ => Step::Continue,
            },
            Scan::Token if byte.is_ascii_whitespace() || is_structural(byte) => Step::EndsBefore,
            Scan::Token => Step::Continue,
            Scan::Bom { matched } if super::BOM.get(matched) == Some(&byte) => {
                if matched + 1 == super::BOM.len() {
                    // A whole mark: skipped like a blank.
                    *self = Scan::Blank;
                    Step::Skip
                } else {
                    *self = Scan::Bom {
                        matched: matched + 1,
                    };
                    Step::Continue
                }
            }
            // Not a mark after all: garbage the parser refuses.
            Scan::Bom { .. } => {
                *self = Scan::Token;
                self.step(byte)
            }
        }
    }

    fn start(&mut self, byte: u8) -> Step {
        match byte {
            b if b.is_ascii_whitespace() => return Step::Skip,
            b'[' | b'{' => {
                *self = Scan::Container {
                    depth: 1,
                    strings: StringState::default(),
                }
            }
            b'"' => *self = Scan::Str { escaped: false },
            0xEF => *self = Scan::Bom { matched: 1 },
            // A stray closing bracket, comma or colon is a one-byte value; the parser refuses it.
            b']' | b'}' | b',' | b':' => return Step::EndsWith,
            _ => *self = Scan::Token,
        }
        Step::Continue
    }

    fn in_container(&mut self, mut depth: usize, mut strings: StringState, byte: u8) -> Step {
        if strings.outside(byte) {
            match byte {
                b'[' | b'{' => depth += 1,
                b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Step::EndsWith;
                    }
                }
                _ => {}
            }
        }
        *self = Scan::Container { depth, strings };
        Step::Continue
    }
}

/// Cuts a byte stream into JSON values. Feed it with [`Framer::push`], take values with
/// [`Framer::next_frame`], and call [`Framer::finish`] when the peer closes. Every byte is scanned
/// once, and it holds at most one value in progress plus the bytes pushed after it.
#[derive(Debug)]
pub struct Framer {
    buf: Vec<u8>,
    /// Index in `buf` of the first byte of the value in progress (blanks before it are dropped).
    start: usize,
    /// Index in `buf` of the next byte to scan.
    pos: usize,
    scan: Scan,
    max: usize,
}

impl Framer {
    /// A framer refusing values longer than `max` bytes.
    pub fn new(max: usize) -> Self {
        Framer {
            buf: Vec::new(),
            start: 0,
            pos: 0,
            scan: Scan::Blank,
            max,
        }
    }

    /// Appends bytes received from the peer.
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete value, if the bytes pushed so far hold one.
    pub fn next_frame(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        while self.pos < self.buf.len() {
            let byte = self.buf[self.pos];
            match self.scan.step(byte) {
                Step::Skip => {
                    self.pos += 1;
                    self.start = self.pos;
                }
                Step::Continue => self.pos += 1,
                Step::EndsWith => {
                    self.pos += 1;
                    return self.take_frame().map(Some);
                }
                Step::EndsBefore => return self.take_frame().map(Some),
            }
            if self.pos - self.start > self.max {
                return Err(FrameError::TooLarge(self.max));
            }
        }
        self.drop_consumed_blanks();
        Ok(None)
    }

    /// The peer closed: a pending token is complete, anything else pending was cut off.
    pub fn finish(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        match self.next_frame()? {
            Some(frame) => Ok(Some(frame)),
            None => match self.scan {
                Scan::Blank => Ok(None),
                Scan::Token | Scan::Bom { .. } => self.take_frame().map(Some),
                Scan::Container { .. } | Scan::Str { .. } => Err(FrameError::Truncated),
            },
        }
    }

    /// True when bytes of a value have arrived but the value has not ended.
    pub fn has_partial(&self) -> bool {
        self.scan != Scan::Blank
    }

    /// Takes a bare token (a number, `true`, …) that nothing has ended yet as complete; None when
    /// no token is pending.
    pub fn end_token(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        self.token_pending().then(|| self.take_frame())
    }

    /// True when a bare token is pending, which only a blank, a bracket or the close would end.
    pub fn token_pending(&self) -> bool {
        self.scan == Scan::Token
    }

    fn take_frame(&mut self) -> Result<Vec<u8>, FrameError> {
        let frame = self.buf[self.start..self.pos].to_vec();
        if frame.len() > self.max {
            return Err(FrameError::TooLarge(self.max));
        }
        self.buf.drain(..self.pos);
        self.start = 0;
        self.pos = 0;
        self.scan = Scan::Blank;
        Ok(frame)
    }

    /// Forgets blanks already scanned, so a stream of blanks cannot grow the buffer.
    fn drop_consumed_blanks(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.pos -= self.start;
            self.start = 0;
        }
    }
}

/// How reading one value from a stream ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Read {
    /// A complete value; `closed` tells whether the peer closed right after it (a token can only
    /// end that way when no blank follows it).
    Value { frame: Vec<u8>, closed: bool },
    /// The peer closed between values.
    Closed,
}

/// Reads from `reader` until `framer` holds one complete value, or the peer closes.
/// An I/O error is the outer error, a framing failure the inner one.
///
/// With `token_grace`, a bare token followed by that long a silence is taken as complete: a server
/// that answers `5` with no newline and keeps the connection open would otherwise never be
/// understood, since more digits could always follow.
pub async fn read_frame<R: AsyncRead + Unpin>(
    reader: &mut R,
    framer: &mut Framer,
    token_grace: Option<Duration>,
) -> std::io::Result<Result<Read, FrameError>> {
    let mut chunk = [0u8; 8192];
    loop {
        match framer.next_frame() {
            Ok(Some(frame)) => {
                return Ok(Ok(Read::Value {
                    frame,
                    closed: false,
                }))
            }
            Ok(None) => {}
            Err(e) => return Ok(Err(e)),
        }
        let n = match token_grace.filter(|_| framer.token_pending()) {
            Some(grace) => match tokio::time::timeout(grace, reader.read(&mut chunk)).await {
                Ok(n) => n?,
                Err(_silence) => return Ok(ended_token(framer)),
            },
            None => reader.read(&mut chunk).await?,
        };
        if n == 0 {
            return Ok(match framer.finish() {
                Ok(Some(frame)) => Ok(Read::Value {
                    frame,
                    closed: true,
                }),
                Ok(None) => Ok(Read::Closed),
                Err(e) => Err(e),
            });
        }
        framer.push(&chunk[..n]);
    }
}

fn ended_token(framer: &mut Framer) -> Result<Read, FrameError> {
    match framer.end_token() {
        Some(Ok(frame)) => Ok(Read::Value {
            frame,
            closed: false,
        }),
        Some(Err(e)) => Err(e),
        // Only called when a token is pending.
        None => Ok(Read::Closed),
    }
}

// ---------------------------------------------------------------------------------------------
// Client side

/// `["method", arg1, …]` followed by a newline (harmless to `json.loads`, and it lets line-based
/// servers see the end). Raw-tcp has positional arguments only.
pub fn encode_request(call: &Call) -> Result<Vec<u8>, String> {
    let Params::Positional(args) = &call.params else {
        return Err(format!(
            "raw-tcp passes arguments by position only; {} got NAME:=VALUE arguments",
            call.method
        ));
    };
    let mut items = Vec::with_capacity(args.len() + 1);
    items.push(Json::String(call.method.clone()));
    items.extend(args.iter().map(Value::to_json));
    let mut bytes = Json::Array(items).to_string().into_bytes();
    bytes.push(b'\n');
    Ok(bytes)
}

/// The answer rule: each frame answers one call.
pub fn read_answer(
    reply: super::answer::Reply<'_>,
    _count: usize,
    _mode: super::answer::Mode,
) -> Result<Vec<Outcome>, super::answer::AnswerError> {
    decode_answer(reply.body())
        .map(|outcome| vec![outcome])
        .map_err(super::answer::AnswerError::Invalid)
}

/// Reads one answer: an object whose only member is `error` is the server's error, anything else
/// is the result. An `error` that is not `{"code", "message"}` (tutorial servers send a bare
/// string) is kept as the message, with code -32603.
pub fn decode_answer(frame: &[u8]) -> Result<Outcome, String> {
    let doc = json::parse(frame, super::Limits::CLIENT.max_depth)
        .map_err(|e| format!("not JSON: {e}"))?;
    match doc.as_object() {
        Some(obj) if obj.len() == 1 && obj.contains_key("error") => {
            Ok(Err(Fault::from_error_json(&obj["error"])))
        }
        _ => Value::from_json(&doc).map(Ok).map_err(|e| e.to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// Server side

/// Decodes one request. A fault with code -32700 means the stream cannot be trusted any more (the
/// server answers and closes); other faults leave the framing intact.
pub fn decode_request(frame: &[u8], limits: super::Limits) -> Result<Call, Fault> {
    let doc = match json::parse(frame, limits.max_depth) {
        Ok(doc) => doc,
        Err(JsonError::Syntax(e)) => {
            return Err(Fault::new(codes::PARSE_ERROR, format!("Parse error: {e}")))
        }
        Err(e @ JsonError::TooDeep(_)) => {
            return Err(Fault::new(
                codes::INVALID_REQUEST,
                format!("Invalid request: {e} (the server's --max-depth)"),
            ))
        }
        Err(e @ JsonError::IntegerOutOfRange(_)) => {
            return Err(Fault::new(
                codes::INVALID_PARAMS,
                format!("Invalid params: {e}"),
            ))
        }
    };
    let shape_error = || {
        Fault::new(
            codes::INVALID_REQUEST,
            "Invalid request: expected a JSON array [\"method\", arg1, ...]",
        )
    };
    let Json::Array(items) = doc else {
        return Err(shape_error());
    };
    let Some((Json::String(method), args)) = items.split_first() else {
        return Err(shape_error());
    };
    let args = args
        .iter()
        .map(Value::from_json)
        .collect::<Result<_, _>>()
        .map_err(|e| Fault::new(codes::INVALID_PARAMS, format!("Invalid params: {e}")))?;
    Ok(Call {
        method: method.clone(),
        params: Params::Positional(args),
    })
}

/// One answer on the wire: the result's JSON, or `{"error": {…}}`, then a newline.
pub fn encode_answer(outcome: &Outcome) -> Vec<u8> {
    let doc = match outcome {
        Ok(value) => value.to_json(),
        Err(fault) => serde_json::json!({ "error": fault.to_json() }),
    };
    let mut bytes = doc.to_string().into_bytes();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Frames `bytes` pushed in the given pieces, then closes.
    fn frames_of(pieces: &[&[u8]], max: usize) -> Result<Vec<String>, FrameError> {
        let mut framer = Framer::new(max);
        let mut out = Vec::new();
        for piece in pieces {
            framer.push(piece);
            while let Some(frame) = framer.next_frame()? {
                out.push(String::from_utf8(frame).unwrap());
            }
        }
        while let Some(frame) = framer.finish()? {
            out.push(String::from_utf8(frame).unwrap());
        }
        Ok(out)
    }

    const STREAM: &str = r#" ["add",1,2]{"a":"]}\"["}  "x\"]" 42 true
[[],[{}]]-1.5e3"#;
    const VALUES: [&str; 7] = [
        r#"["add",1,2]"#,
        r#"{"a":"]}\"["}"#,
        r#""x\"]""#,
        "42",
        "true",
        "[[],[{}]]",
        "-1.5e3",
    ];

    #[test]
    fn finds_each_value_without_newlines() {
        assert_eq!(frames_of(&[STREAM.as_bytes()], 1024).unwrap(), VALUES);
    }

    #[test]
    fn one_byte_at_a_time() {
        let pieces: Vec<&[u8]> = STREAM.as_bytes().chunks(1).collect();
        assert_eq!(frames_of(&pieces, 1024).unwrap(), VALUES);
    }

    #[test]
    fn a_byte_order_mark_before_a_value_is_skipped_one_byte_at_a_time_too() {
        let stream = b"\xEF\xBB\xBF[\"add\",2,3]\n\xEF\xBB\xBF5 ";
        let pieces: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(frames_of(&pieces, 1024).unwrap(), [r#"["add",2,3]"#, "5"]);
        // Bytes that only start like a mark are a value of their own, which the parser refuses.
        let mut framer = Framer::new(100);
        framer.push(b"\xEF[1]");
        assert_eq!(framer.next_frame(), Ok(Some(b"\xEF".to_vec())));
        let garbage = decode_request(b"\xEF[\"x\"]", crate::protocol::Limits::CLIENT);
        assert_eq!(garbage.unwrap_err().code, codes::PARSE_ERROR);
        let marked = decode_request(b"\xEF\xBB\xBF[\"x\"]", crate::protocol::Limits::CLIENT);
        assert_eq!(marked.unwrap().method, "x");
    }

    #[test]
    fn a_container_ends_without_waiting_for_close() {
        let mut framer = Framer::new(100);
        framer.push(br#"["add", 1, "#);
        assert_eq!(framer.next_frame(), Ok(None));
        assert!(framer.has_partial());
        framer.push(br#"2]["#);
        assert_eq!(framer.next_frame(), Ok(Some(br#"["add", 1, 2]"#.to_vec())));
        assert_eq!(framer.next_frame(), Ok(None));
    }

    #[test]
    fn a_number_needs_a_blank_or_the_close() {
        let mut framer = Framer::new(100);
        framer.push(b"12");
        assert_eq!(framer.next_frame(), Ok(None));
        framer.push(b"3\n");
        assert_eq!(framer.next_frame(), Ok(Some(b"123".to_vec())));
        framer.push(b"7");
        assert_eq!(framer.finish(), Ok(Some(b"7".to_vec())));
    }

    #[test]
    fn a_pending_token_can_be_ended_by_the_reader() {
        let mut framer = Framer::new(100);
        framer.push(b"[1] 42");
        assert_eq!(framer.end_token(), None, "no token pending before scanning");
        assert_eq!(framer.next_frame(), Ok(Some(b"[1]".to_vec())));
        assert_eq!(framer.next_frame(), Ok(None));
        assert_eq!(framer.end_token(), Some(Ok(b"42".to_vec())));
        assert!(!framer.has_partial());
    }

    #[tokio::test]
    async fn read_frame_takes_a_token_after_a_silence_only_when_asked() {
        let (mut client, mut server) = tokio::io::duplex(64);
        tokio::io::AsyncWriteExt::write_all(&mut server, b"5")
            .await
            .unwrap();
        let mut framer = Framer::new(100);
        let grace = Some(Duration::from_millis(20));
        let read = read_frame(&mut client, &mut framer, grace).await.unwrap();
        let expected = Read::Value {
            frame: b"5".to_vec(),
            closed: false,
        };
        assert_eq!(read, Ok(expected));
        tokio::io::AsyncWriteExt::write_all(&mut server, b"7")
            .await
            .unwrap();
        let waiting = read_frame(&mut client, &mut framer, None);
        let outcome = tokio::time::timeout(Duration::from_millis(100), waiting).await;
        assert!(
            outcome.is_err(),
            "without a grace a number waits for more digits"
        );
    }

    #[test]
    fn values_over_the_limit_are_refused_not_truncated() {
        assert_eq!(frames_of(&[b"[1,2,3]"], 7).unwrap(), ["[1,2,3]"]);
        assert_eq!(frames_of(&[b"[1,2,3,4]"], 7), Err(FrameError::TooLarge(7)));
        // Refused as soon as the limit is passed, long before any end comes.
        let mut framer = Framer::new(10);
        framer.push(&[b'['; 11]);
        assert_eq!(framer.next_frame(), Err(FrameError::TooLarge(10)));
        // Blanks between values do not count.
        let blanks = format!("{}[1]", " ".repeat(50));
        assert_eq!(frames_of(&[blanks.as_bytes()], 3).unwrap(), ["[1]"]);
    }

    #[test]
    fn closing_mid_value_is_truncation() {
        assert_eq!(frames_of(&[b"[1,"], 100), Err(FrameError::Truncated));
        assert_eq!(frames_of(&[b"\"abc"], 100), Err(FrameError::Truncated));
        assert_eq!(frames_of(&[b" \n "], 100).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn stray_closers_are_one_byte_values() {
        assert_eq!(frames_of(&[b"}[1]"], 100).unwrap(), ["}", "[1]"]);
    }

    fn json_value() -> impl Strategy<Value = Json> {
        let leaf = prop_oneof![
            Just(Json::Null),
            any::<bool>().prop_map(Json::Bool),
            any::<i64>().prop_map(Json::from),
            "[\\[\\]{}\"\\\\a-z ]{0,8}".prop_map(Json::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
                prop::collection::vec(("[a-z\\]\"]{0,4}", inner), 0..6)
                    .prop_map(|pairs| Json::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_split_gives_the_same_values(
            values in prop::collection::vec(json_value(), 1..5),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        ) {
            // Values separated by a blank only where a token needs one to end.
            let texts: Vec<String> = values.iter().map(Json::to_string).collect();
            let stream = texts.join(" ");
            let bytes = stream.as_bytes();
            let mut offsets: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
            offsets.extend([0, bytes.len()]);
            offsets.sort_unstable();
            let pieces: Vec<&[u8]> = offsets.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
            prop_assert_eq!(frames_of(&pieces, usize::MAX).unwrap(), texts);
        }
    }

    #[test]
    fn requests_are_arrays_led_by_a_method_name() {
        let call =
            decode_request(br#"["add", 2, 3]"#, crate::protocol::Limits::with_depth(8)).unwrap();
        assert_eq!(call.method, "add");
        assert_eq!(
            call.params,
            Params::Positional(vec![Value::Int(2), Value::Int(3)])
        );
        let code = |frame: &[u8]| {
            decode_request(frame, crate::protocol::Limits::with_depth(8))
                .unwrap_err()
                .code
        };
        assert_eq!(code(b"[\"add\" 1]"), codes::PARSE_ERROR);
        assert_eq!(code(b"}"), codes::PARSE_ERROR);
        assert_eq!(code(b"5"), codes::INVALID_REQUEST);
        assert_eq!(code(b"[]"), codes::INVALID_REQUEST);
        assert_eq!(code(b"[1, 2]"), codes::INVALID_REQUEST);
        assert_eq!(code(b"{\"method\":\"add\"}"), codes::INVALID_REQUEST);
        assert_eq!(code(b"[[[[[[[[[[1]]]]]]]]]]"), codes::INVALID_REQUEST);
        assert_eq!(
            code(br#"["echo", {"$base64": "not base64!"}]"#),
            codes::INVALID_PARAMS
        );
    }

    #[test]
    fn answers_end_with_a_newline() {
        assert_eq!(encode_answer(&Ok(Value::Int(5))), b"5\n");
        assert_eq!(
            String::from_utf8(encode_answer(&Err(Fault::new(-32601, "nope")))).unwrap(),
            "{\"error\":{\"code\":-32601,\"message\":\"nope\"}}\n"
        );
    }

    #[test]
    fn client_encodes_positional_calls_only() {
        let call = Call {
            method: "add".into(),
            params: Params::Positional(vec![Value::Int(2), Value::Int(3)]),
        };
        assert_eq!(encode_request(&call).unwrap(), b"[\"add\",2,3]\n");
        let named = Call {
            method: "add".into(),
            params: Params::Named(Default::default()),
        };
        assert!(encode_request(&named).is_err());
    }

    #[test]
    fn client_tells_errors_from_results() {
        assert_eq!(decode_answer(b"5"), Ok(Ok(Value::Int(5))));
        let fault = decode_answer(br#"{"error":{"code":-32601,"message":"nope"}}"#)
            .unwrap()
            .unwrap_err();
        assert_eq!((fault.code, fault.message.as_str()), (-32601, "nope"));
        let bare = decode_answer(br#"{"error":"Unknown method"}"#)
            .unwrap()
            .unwrap_err();
        assert_eq!(bare.code, codes::INTERNAL_ERROR);
        assert_eq!(bare.message, "Unknown method");
        // An object with more than `error` in it is a result.
        assert!(decode_answer(br#"{"error":1,"x":2}"#).unwrap().is_ok());
        assert!(decode_answer(b"nope").is_err());
    }
}
