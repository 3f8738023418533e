//! The LSP (and DAP) base protocol: a header block (`Content-Length: N`, maybe `Content-Type`),
//! each line ending in `\r\n`, a blank line, then N bytes of message
//! (<https://microsoft.github.io/language-server-protocol/specifications/base/0.9/specification/>).
//! A length over the bound is refused before a byte of its message is kept, and a header block
//! longer than its bound (`--max-header-block`) is no header block.

use super::{Bounds, FrameError, Unframe};

/// `Content-Length: N\r\n\r\n` and the message.
pub fn frame(message: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", message.len()).into_bytes();
    framed.extend_from_slice(message);
    framed
}

pub struct Reader {
    pending: Vec<u8>,
    /// The length of the message whose headers were read, its bytes still coming.
    body: Option<usize>,
    max: usize,
    max_header_block: usize,
}

impl Reader {
    pub fn new(bounds: Bounds) -> Reader {
        Reader {
            pending: Vec::new(),
            body: None,
            max: bounds.message,
            max_header_block: bounds.header_block,
        }
    }

    /// Reads a whole header block at the front, if there is one, leaving the body.
    fn headers(&mut self) -> Result<Option<usize>, FrameError> {
        // A header block starts with a header's name: a stream that starts with anything else
        // (a JSON value, a log line's punctuation) is not this framing, said at once rather than
        // after waiting for a blank line that will never come.
        if let Some(&first) = self.pending.iter().find(|b| !b.is_ascii_whitespace()) {
            if !first.is_ascii_alphabetic() {
                let start: String = String::from_utf8_lossy(&self.pending)
                    .trim_start()
                    .chars()
                    .take(60)
                    .collect();
                return Err(FrameError::Malformed(format!(
                    "{start:?} where a Content-Length header should start (is it another framing? \
                     see --framing)"
                )));
            }
        }
        let Some(end) = self.pending.windows(4).position(|w| w == b"\r\n\r\n") else {
            if self.pending.len() > self.max_header_block {
                return Err(FrameError::Malformed(format!(
                    "no end to a header block after {} bytes (not the Content-Length base \
                     protocol, or raise --max-header-block)",
                    self.max_header_block
                )));
            }
            return Ok(None);
        };
        let block: Vec<u8> = self.pending.drain(..end + 4).collect();
        let text = String::from_utf8_lossy(&block[..end]);
        let length = text
            .split("\r\n")
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
            .map(|(_, value)| value.trim());
        let Some(length) = length else {
            return Err(FrameError::Malformed(format!(
                "a header block without Content-Length: {:?}",
                text.chars().take(80).collect::<String>()
            )));
        };
        let length: u64 = length.parse().map_err(|_| {
            FrameError::Malformed(format!("Content-Length {length:?} is not a number"))
        })?;
        match usize::try_from(length) {
            Ok(n) if n <= self.max => Ok(Some(n)),
            _ => Err(FrameError::TooLarge(self.max)),
        }
    }
}

impl Unframe for Reader {
    fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    fn next(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if self.body.is_none() {
            // Blank lines between messages are tolerated, as editors' readers do.
            while self.pending.starts_with(b"\r\n") {
                self.pending.drain(..2);
            }
            self.body = self.headers()?;
        }
        match self.body {
            Some(length) if self.pending.len() >= length => {
                self.body = None;
                Ok(Some(self.pending.drain(..length).collect()))
            }
            _ => Ok(None),
        }
    }

    fn finish(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if let Some(message) = self.next()? {
            return Ok(Some(message));
        }
        match self.body.is_some() || !self.pending.trim_ascii().is_empty() {
            true => Err(FrameError::Truncated),
            false => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_length_that_lies_or_is_huge_and_headers_that_never_end_are_refused() {
        let mut huge = Reader::new(Bounds::message(1 << 20));
        huge.push(b"Content-Length: 99999999999\r\n\r\n{");
        assert_eq!(huge.next(), Err(FrameError::TooLarge(1 << 20)));
        let junk = b"X-Junk: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(300);
        let mut endless = Reader::new(Bounds::message(1 << 20));
        endless.push(&junk);
        assert!(matches!(endless.next(), Err(FrameError::Malformed(_))));
        let mut roomy = Reader::new(Bounds {
            message: 64,
            header_block: 1 << 20,
        });
        roomy.push(&junk);
        assert_eq!(roomy.next(), Ok(None), "within a raised --max-header-block");
        let mut lying = Reader::new(Bounds::message(1 << 20));
        lying.push(b"Content-Length: 50\r\n\r\n{\"short\":1}");
        assert_eq!(
            lying.next(),
            Ok(None),
            "waits for the bytes it was promised"
        );
        assert_eq!(lying.finish(), Err(FrameError::Truncated));
        let mut json = Reader::new(Bounds::message(64));
        json.push(b"{\"jsonrpc\":\"2.0\"}\n");
        assert!(
            matches!(json.next(), Err(FrameError::Malformed(m)) if m.contains("--framing")),
            "another framing is said at once"
        );
        let mut typed = Reader::new(Bounds::message(64));
        typed.push(b"content-length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}");
        assert_eq!(typed.next(), Ok(Some(b"{}".to_vec())));
    }
}
