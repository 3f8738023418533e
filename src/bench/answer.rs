//! Reading answers off the wire for `rpc bench`: HTTP/1.1 answer heads parsed in place
//! (httparse, no copies), raw-tcp values cut by the protocol's framer, and every answer checked
//! with the protocol's own decoder, so a wrong answer counts as an error, never as a success.

use super::stats::Failure;
use crate::protocol::answer::{self, AnswerError, Mode, Reply};
use crate::protocol::Proto;

/// Most header lines an answer may carry; more is an invalid answer.
const MAX_HEADERS: usize = 32;

/// One complete HTTP answer found at the start of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpAnswer {
    pub status: u16,
    /// Where the body sits in the buffer.
    pub body: std::ops::Range<usize>,
    /// Bytes the whole answer takes (head and body).
    pub len: usize,
    /// The server closes the connection after this answer.
    pub close: bool,
}

/// Finds the first complete HTTP answer in `buf`; None when more bytes are needed. `eof` says the
/// server has closed, which ends a body that has neither a length nor chunks.
pub fn parse_http(buf: &[u8], eof: bool) -> Result<Option<HttpAnswer>, Failure> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut head = httparse::Response::new(&mut headers);
    let head_len = match head.parse(buf) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(Failure::Invalid),
    };
    let status = head.code.unwrap_or(0);
    let mut content_length = None;
    // HTTP/1.0 closes unless it says otherwise; HTTP/1.1 stays open unless it says otherwise.
    let mut close = head.version == Some(0);
    for header in head.headers.iter() {
        if header.name.eq_ignore_ascii_case("content-length") {
            let text = std::str::from_utf8(header.value).map_err(|_| Failure::Invalid)?;
            content_length = Some(text.trim().parse::<usize>().map_err(|_| Failure::Invalid)?);
        } else if header.name.eq_ignore_ascii_case("connection") {
            close = connection_closes(header.value, close);
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            // Every server this was built to measure sends a length; chunks are not worth the code.
            return Err(Failure::Unsupported);
        }
    }
    let body_len = match content_length {
        Some(n) => n,
        None if status == 204 || status == 304 || (100..200).contains(&status) => 0,
        // No length: the body runs until the server closes.
        None if eof => buf.len() - head_len,
        None => return Ok(None),
    };
    let len = head_len + body_len;
    if buf.len() < len {
        return Ok(None);
    }
    Ok(Some(HttpAnswer {
        status,
        body: head_len..len,
        len,
        close: close || content_length.is_none(),
    }))
}

fn connection_closes(value: &[u8], default: bool) -> bool {
    let value = String::from_utf8_lossy(value);
    let has = |word: &str| {
        value
            .split(',')
            .any(|v| v.trim().eq_ignore_ascii_case(word))
    };
    if has("close") {
        true
    } else if has("keep-alive") {
        false
    } else {
        default
    }
}

/// Remembers the last answer the decoder accepted: the same request gets byte-identical answers
/// from most methods, and bytes equal to accepted bytes need no second decoding. This keeps the
/// load generator's own cost per call near wrk's while every answer is still checked.
#[derive(Debug, Default)]
pub struct Checked {
    status: u16,
    body: Vec<u8>,
}

impl Checked {
    /// Like [`check_http`], skipping the decoder for a repeat of the last accepted answer.
    pub fn http(&mut self, proto: Proto, status: u16, body: &[u8]) -> Result<(), Failure> {
        if status == self.status && body == self.body.as_slice() {
            return Ok(());
        }
        check_http(proto, status, body)?;
        self.remember(status, body);
        Ok(())
    }

    /// Like [`check_raw`], skipping the decoder for a repeat of the last accepted answer.
    pub fn raw(&mut self, proto: Proto, frame: &[u8]) -> Result<(), Failure> {
        if self.status == RAW && frame == self.body.as_slice() {
            return Ok(());
        }
        check_raw(proto, frame)?;
        self.remember(RAW, frame);
        Ok(())
    }

    fn remember(&mut self, status: u16, body: &[u8]) {
        self.status = status;
        self.body.clear();
        self.body.extend_from_slice(body);
    }
}

/// The `status` a remembered raw-tcp answer has (no HTTP status is 1).
const RAW: u16 = 1;

/// Checks one HTTP answer with the protocol's answer rule (the one `rpc call` reads answers
/// with). A load test counts more strictly than a call: a result under an error status is a
/// failure of that status.
pub fn check_http(proto: Proto, status: u16, body: &[u8]) -> Result<(), Failure> {
    check(proto, Reply::Http { status, body })
}

/// Checks one answer framed off a TCP stream (raw-tcp: one JSON value).
pub fn check_raw(proto: Proto, frame: &[u8]) -> Result<(), Failure> {
    check(proto, Reply::Frame(frame))
}

fn check(proto: Proto, reply: Reply<'_>) -> Result<(), Failure> {
    let outcome = (proto.spec().read_answer)(reply, 1, Mode::Single).and_then(answer::single);
    let status = reply.status().unwrap_or_default();
    match outcome {
        Ok(Ok(_)) if reply.is_success() => Ok(()),
        // Reach gives a bare error status a fault whose code is the status: count it as one.
        Ok(Err(fault)) if !reply.is_success() && fault.code == i64::from(status) => {
            Err(Failure::Http(status))
        }
        Ok(Err(fault)) | Err(AnswerError::Refused(fault)) => Err(Failure::Server(fault.code)),
        Ok(Ok(_)) | Err(AnswerError::Status { .. }) => Err(Failure::Http(status)),
        Err(AnswerError::Invalid(_)) => Err(Failure::Invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keep_alive_answer_with_a_length() {
        let buf = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhelloHTTP/1.1";
        let answer = parse_http(buf, false).unwrap().unwrap();
        assert_eq!(answer.status, 200);
        assert_eq!(&buf[answer.body.clone()], b"hello");
        assert_eq!(answer.len, 43);
        assert!(!answer.close);
    }

    #[test]
    fn partial_answers_wait_for_more() {
        assert_eq!(
            parse_http(b"HTTP/1.1 200 OK\r\ncontent-le", false),
            Ok(None)
        );
        assert_eq!(
            parse_http(b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhel", false),
            Ok(None)
        );
    }

    #[test]
    fn http_1_0_closes_and_a_body_without_length_ends_at_eof() {
        let buf = b"HTTP/1.0 200 OK\r\nContent-length: 2\r\n\r\nok";
        assert!(parse_http(buf, false).unwrap().unwrap().close);
        let buf = b"HTTP/1.1 200 OK\r\n\r\nuntil the end";
        assert_eq!(parse_http(buf, false), Ok(None));
        let answer = parse_http(buf, true).unwrap().unwrap();
        assert_eq!(&buf[answer.body], b"until the end");
        assert!(answer.close);
    }

    #[test]
    fn a_repeated_answer_is_accepted_and_a_different_one_checked() {
        let mut checked = Checked::default();
        let ok = br#"{"jsonrpc":"2.0","result":5,"id":1}"#;
        assert_eq!(checked.http(Proto::JsonRpc, 200, ok), Ok(()));
        assert_eq!(checked.http(Proto::JsonRpc, 200, ok), Ok(()));
        assert_eq!(
            checked.http(Proto::JsonRpc, 500, ok),
            Err(Failure::Http(500))
        );
        assert_eq!(
            checked.http(Proto::JsonRpc, 200, b"{}"),
            Err(Failure::Invalid)
        );
        assert_eq!(checked.raw(Proto::RawTcp, b"5"), Ok(()));
        assert_eq!(checked.raw(Proto::RawTcp, b"[5"), Err(Failure::Invalid));
    }

    #[test]
    fn answers_are_checked_by_protocol() {
        let ok = br#"{"jsonrpc":"2.0","result":5,"id":1}"#;
        assert_eq!(check_http(Proto::JsonRpc, 200, ok), Ok(()));
        let fault = br#"{"jsonrpc":"2.0","error":{"code":-32601,"message":"no"},"id":1}"#;
        assert_eq!(
            check_http(Proto::JsonRpc, 200, fault),
            Err(Failure::Server(-32601))
        );
        assert_eq!(
            check_http(Proto::JsonRpc, 502, b"bad gateway"),
            Err(Failure::Http(502))
        );
        assert_eq!(
            check_http(Proto::JsonRpc, 200, b"nonsense"),
            Err(Failure::Invalid)
        );
        assert_eq!(check_http(Proto::Reach, 200, b"5"), Ok(()));
        assert_eq!(
            check_http(Proto::Reach, 404, b"no such path"),
            Err(Failure::Http(404))
        );
        let reach_error = br#"{"error":{"code":1000,"message":"division by zero"}}"#;
        assert_eq!(
            check_http(Proto::Reach, 400, reach_error),
            Err(Failure::Server(1000))
        );
        assert_eq!(check_raw(Proto::RawTcp, b"5\n"), Ok(()));
        assert_eq!(
            check_raw(
                Proto::RawTcp,
                br#"{"error":{"code":1000,"message":"division by zero"}}"#
            ),
            Err(Failure::Server(1000))
        );
    }
}
