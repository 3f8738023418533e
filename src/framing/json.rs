//! One JSON value after another, as raw-tcp frames its stream: the framer of
//! [`crate::protocol::rawtcp`], which scans each byte once and keeps its state between reads.

use super::{FrameError, Unframe};
use crate::protocol::rawtcp;

pub struct Reader(rawtcp::Framer);

impl Reader {
    pub fn new(max: usize) -> Reader {
        Reader(rawtcp::Framer::new(max))
    }
}

fn error(e: rawtcp::FrameError) -> FrameError {
    match e {
        rawtcp::FrameError::TooLarge(max) => FrameError::TooLarge(max),
        rawtcp::FrameError::Truncated => FrameError::Truncated,
    }
}

impl Unframe for Reader {
    fn push(&mut self, bytes: &[u8]) {
        self.0.push(bytes);
    }

    fn next(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        self.0.next_frame().map_err(error)
    }

    fn finish(&mut self) -> Result<Option<Vec<u8>>, FrameError> {
        self.0.finish().map_err(error)
    }
}
