//! A tap on a connection: the bytes HTTP writes and reads, copied as they pass, so `-vv` shows
//! what really went on the wire (every header, in order, as hyper wrote it; TLS below it is not
//! shown), not a rendering made beside it. Only kept while the trace dumps the wire, and never
//! more than [`MAX_TAPPED`] bytes per direction.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Most bytes a tap keeps per direction; the rest is counted, not copied.
pub const MAX_TAPPED: usize = 1 << 20;

/// What a tap saw, shared with whoever dumps it.
#[derive(Debug)]
pub struct Tapped {
    pub sent: Vec<u8>,
    pub received: Vec<u8>,
    /// Bytes past the limit that were not kept, per direction.
    pub sent_dropped: usize,
    pub received_dropped: usize,
    /// Most bytes kept per direction: [`MAX_TAPPED`], or fewer for a tap that only needs the
    /// first bytes (what a server said before a failed handshake).
    limit: usize,
}

impl Default for Tapped {
    fn default() -> Tapped {
        Tapped::first(MAX_TAPPED)
    }
}

impl Tapped {
    /// A tap that keeps the first `limit` bytes of each direction.
    pub fn first(limit: usize) -> Tapped {
        Tapped {
            sent: Vec::new(),
            received: Vec::new(),
            sent_dropped: 0,
            received_dropped: 0,
            limit,
        }
    }

    fn keep(limit: usize, buffer: &mut Vec<u8>, dropped: &mut usize, bytes: &[u8]) {
        let room = limit.saturating_sub(buffer.len());
        let kept = bytes.len().min(room);
        buffer.extend_from_slice(&bytes[..kept]);
        *dropped += bytes.len() - kept;
    }
}

/// A stream whose traffic is copied into a shared [`Tapped`] when one is given.
pub struct Tap<S> {
    inner: S,
    tapped: Option<Arc<Mutex<Tapped>>>,
}

impl<S> Tap<S> {
    /// Wraps `inner`; with `tapped` None nothing is copied.
    pub fn new(inner: S, tapped: Option<Arc<Mutex<Tapped>>>) -> Tap<S> {
        Tap { inner, tapped }
    }

    fn record(&self, sent: bool, bytes: &[u8]) {
        let Some(tapped) = &self.tapped else {
            return;
        };
        // A poisoned lock only means another copy panicked: the dump is best effort.
        let mut tapped = tapped.lock().unwrap_or_else(|e| e.into_inner());
        let Tapped {
            sent: sent_bytes,
            received,
            sent_dropped,
            received_dropped,
            limit,
        } = &mut *tapped;
        if sent {
            Tapped::keep(*limit, sent_bytes, sent_dropped, bytes);
        } else {
            Tapped::keep(*limit, received, received_dropped, bytes);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            this.record(false, &buf.filled()[before..]);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, bytes);
        if let Poll::Ready(Ok(n)) = polled {
            this.record(true, &bytes[..n]);
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn both_directions_are_copied_and_bounded() {
        let (near, mut far) = tokio::io::duplex(64);
        let tapped = Arc::new(Mutex::new(Tapped::default()));
        let mut tap = Tap::new(near, Some(Arc::clone(&tapped)));
        tap.write_all(b"hello").await.unwrap();
        far.write_all(b"world").await.unwrap();
        let mut got = [0u8; 5];
        tap.read_exact(&mut got).await.unwrap();
        let tapped = tapped.lock().unwrap();
        assert_eq!(tapped.sent, b"hello");
        assert_eq!(tapped.received, b"world");
        let mut buffer = Vec::new();
        let mut dropped = 0;
        Tapped::keep(
            MAX_TAPPED,
            &mut buffer,
            &mut dropped,
            &vec![0u8; MAX_TAPPED + 3],
        );
        assert_eq!((buffer.len(), dropped), (MAX_TAPPED, 3));
    }
}
