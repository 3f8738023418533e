//! One JSON value per line (newline-delimited JSON, as MCP's stdio transport writes messages). A
//! line is a message as it is: whether it is JSON is for the reader of the message to say, naming
//! the line (a server that logs to stdout breaks this framing, and the error must show it).

use super::{FrameError, Unframe};

/// A message and its newline.
pub fn frame(message: &[u8]) -> Vec<u8> {
    let mut framed = Vec::with_capacity(message.len() + 1);
    framed.extend_from_slice(message);
    framed.push(b'\n');
    framed
}

pub struct Reader {
    pending: Vec<u8>,
    /// Bytes of `pending` already known to hold no newline.
    scanned: usize,
    max: usize,
}

impl Reader {
    pub fn new(max: usize) -> Reader {
        Reader {
            pending: Vec::new(),
            scanned: 0,
            max,
        }
    }
}

impl Unframe for Reader {
    fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    fn next(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        loop {
            let Some(at) = self.pending[self.scanned..]
                .iter()
                .position(|b| *b == b'\n')
            else {
                self.scanned = self.pending.len();
                return match self.pending.len() > self.max {
                    true => Err(FrameError::TooLarge(self.max)),
                    false => Ok(None),
                };
            };
            let end = self.scanned + at;
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            self.scanned = 0;
            let line = line.trim_ascii();
            if line.len() > self.max {
                return Err(FrameError::TooLarge(self.max));
            }
            if !line.is_empty() {
                return Ok(Some(line.to_vec()));
            }
        }
    }

    fn finish(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        if let Some(message) = self.next()? {
            return Ok(Some(message));
        }
        let rest = std::mem::take(&mut self.pending);
        let rest = rest.trim_ascii();
        // A last line without its newline is a message cut short unless it is whole JSON.
        match rest.is_empty() {
            true => Ok(None),
            false if serde_json::from_slice::<serde::de::IgnoredAny>(rest).is_ok() => {
                Ok(Some(rest.to_vec()))
            }
            false => Err(FrameError::Truncated),
        }
    }
}
