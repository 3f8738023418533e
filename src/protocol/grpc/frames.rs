//! gRPC's Length-Prefixed-Messages cut out of a byte stream, for the places that read the bytes
//! themselves rather than through tonic: `rpc bench`, `rpc proxy` and the client's `-vv` tap.
//! A compressed message is inflated with the stream's `grpc-encoding` (gzip or deflate, as
//! tonic does), never beyond a bound.
//!
//! Spec: <https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md> ("Length-Prefixed-Message")
//! and <https://github.com/grpc/grpc/blob/master/doc/compression.md>.

use super::message::{read_prefix, PREFIX_LEN};
use bytes::{Buf, Bytes, BytesMut};
use std::io::Read;

/// A stream's `grpc-encoding`: how its compressed messages are compressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Deflate,
    /// An encoding `rpc` does not read (`zstd`, `snappy`…), by name.
    Other(String),
}

impl Encoding {
    /// The encoding a `grpc-encoding` header value names (none: identity).
    pub fn named(value: Option<&str>) -> Encoding {
        match value.map(str::trim) {
            None | Some("") | Some("identity") => Encoding::Identity,
            Some("gzip") => Encoding::Gzip,
            Some("deflate") => Encoding::Deflate,
            Some(other) => Encoding::Other(other.to_owned()),
        }
    }

    /// The encoding of the headers of a stream.
    pub fn of(headers: &http::HeaderMap) -> Encoding {
        Encoding::named(headers.get("grpc-encoding").and_then(|v| v.to_str().ok()))
    }

    /// The header value: `gzip`, `deflate`.
    pub fn name(&self) -> &str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Deflate => "deflate",
            Encoding::Other(name) => name,
        }
    }
}

/// A compressed message's bytes inflated, at most `max` bytes of them; the error says why not.
pub fn inflate(encoding: &Encoding, bytes: &[u8], max: usize) -> Result<Vec<u8>, String> {
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let mut out = Vec::new();
    let read = match encoding {
        Encoding::Gzip => flate2::read::GzDecoder::new(bytes)
            .take(limit)
            .read_to_end(&mut out),
        // gRPC's "deflate" is zlib's format (RFC 1950), as grpc-go and tonic write it.
        Encoding::Deflate => flate2::read::ZlibDecoder::new(bytes)
            .take(limit)
            .read_to_end(&mut out),
        Encoding::Identity => {
            return Err(
                "the message is flagged compressed but the stream has no grpc-encoding".into(),
            )
        }
        Encoding::Other(name) => {
            return Err(format!("compressed with {name}, which rpc does not read"))
        }
    };
    read.map_err(|e| format!("its {} bytes do not inflate ({e})", encoding.name()))?;
    if out.len() > max {
        return Err(format!("it inflates to more than {max} bytes"));
    }
    Ok(out)
}

/// A message's 5-byte prefix: whether it is compressed, and its length on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix {
    pub compressed: bool,
    pub len: usize,
}

impl std::fmt::Display for Prefix {
    /// The prefix's bytes in hex, as `-vv` shows them: `0000000009`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02x}{:08x}", u8::from(self.compressed), self.len)
    }
}

/// One message cut off a stream.
#[derive(Debug, PartialEq)]
pub enum Piece {
    /// A whole message's protobuf bytes, inflated when it was compressed.
    Message(Bytes),
    /// A message passed by unread: over the bound, or compressed in a way that cannot be read.
    Unread(String),
}

/// Cuts the bytes of one direction of a stream into messages, holding at most one message in
/// progress (up to `max` bytes); a bigger one is skipped as its bytes pass.
#[derive(Debug)]
pub struct Splitter {
    pending: BytesMut,
    /// Bytes of a message being skipped that are still to come.
    skipping: usize,
    max: usize,
    encoding: Encoding,
}

impl Splitter {
    /// A splitter for a stream whose compressed messages use `encoding`, messages bounded by
    /// `max` bytes (compressed and inflated).
    pub fn new(max: usize, encoding: Encoding) -> Splitter {
        Splitter {
            pending: BytesMut::new(),
            skipping: 0,
            max,
            encoding,
        }
    }

    /// The messages `data` completes, in order, each with its prefix.
    pub fn push(&mut self, mut data: &[u8]) -> Vec<(Prefix, Piece)> {
        let mut pieces = Vec::new();
        if self.skipping > 0 {
            let skipped = self.skipping.min(data.len());
            self.skipping -= skipped;
            data = &data[skipped..];
        }
        self.pending.extend_from_slice(data);
        while let Some((compressed, len)) = read_prefix(&self.pending) {
            let prefix = Prefix { compressed, len };
            if len > self.max {
                let why = format!("{len} bytes, over the bound of {}", self.max);
                pieces.push((prefix, Piece::Unread(why)));
                self.pending.advance(PREFIX_LEN);
                let here = len.min(self.pending.len());
                self.pending.advance(here);
                self.skipping = len - here;
                continue;
            }
            if self.pending.len() < PREFIX_LEN + len {
                break;
            }
            self.pending.advance(PREFIX_LEN);
            let body = self.pending.split_to(len).freeze();
            let piece = match compressed {
                false => Piece::Message(body),
                true => match inflate(&self.encoding, &body, self.max) {
                    Ok(inflated) => Piece::Message(Bytes::from(inflated)),
                    Err(why) => Piece::Unread(why),
                },
            };
            pieces.push((prefix, piece));
        }
        pieces
    }

    /// Bytes of a message begun but not complete: a stream that ends with some is cut short.
    pub fn holds_partial(&self) -> bool {
        !self.pending.is_empty() || self.skipping > 0
    }
}

/// A message framed as gRPC frames it: the flag, the 4-byte length, the bytes (compressed with
/// `encoding` when it is gzip or deflate).
pub fn frame(message: &[u8], encoding: &Encoding) -> Vec<u8> {
    use std::io::Write;
    let compressed = match encoding {
        Encoding::Gzip => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(message).and_then(|()| gz.finish()).ok()
        }
        Encoding::Deflate => {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
            z.write_all(message).and_then(|()| z.finish()).ok()
        }
        _ => None,
    };
    let (flag, body) = match &compressed {
        Some(bytes) => (1u8, bytes.as_slice()),
        None => (0u8, message),
    };
    let mut framed = Vec::with_capacity(body.len() + PREFIX_LEN);
    framed.push(flag);
    framed.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_be_bytes());
    framed.extend_from_slice(body);
    framed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(pieces: &[(Prefix, Piece)]) -> Vec<Vec<u8>> {
        pieces
            .iter()
            .filter_map(|(_, piece)| match piece {
                Piece::Message(bytes) => Some(bytes.to_vec()),
                Piece::Unread(_) => None,
            })
            .collect()
    }

    #[test]
    fn messages_are_cut_across_frames_and_big_ones_skipped() {
        let mut splitter = Splitter::new(4, Encoding::Identity);
        assert!(splitter.push(&[0, 0, 0]).is_empty());
        assert_eq!(messages(&splitter.push(&[0, 2, 8, 5, 0])), [vec![8, 5]]);
        // A 6-byte message is over the bound: skipped, even split across frames.
        let skipped = splitter.push(&[0, 0, 0, 6, 1, 2]);
        assert!(matches!(skipped.as_slice(), [(_, Piece::Unread(_))]));
        assert_eq!(
            messages(&splitter.push(&[3, 4, 5, 6, 0, 0, 0, 0, 1, 9])),
            [vec![9]]
        );
        assert!(!splitter.holds_partial());
        splitter.push(&[0, 0]);
        assert!(splitter.holds_partial());
    }

    #[test]
    fn gzip_and_deflate_messages_are_inflated_and_bounded() {
        let message = b"hello hello hello hello".to_vec();
        for encoding in [Encoding::Gzip, Encoding::Deflate] {
            let framed = frame(&message, &encoding);
            assert_eq!(framed[0], 1, "{encoding:?} sets the compressed flag");
            let mut splitter = Splitter::new(64, encoding.clone());
            assert_eq!(
                messages(&splitter.push(&framed)),
                std::slice::from_ref(&message)
            );
            let mut small = Splitter::new(10, encoding.clone());
            let framed_small = frame(&message, &encoding);
            assert!(
                framed_small.len() - PREFIX_LEN <= 10 || !small.push(&framed_small).is_empty(),
                "a message over the bound is passed by"
            );
            assert!(inflate(&encoding, &framed[PREFIX_LEN..], 10).is_err());
        }
        let unreadable = frame(&message, &Encoding::Gzip);
        let mut wrong = Splitter::new(64, Encoding::Other("zstd".into()));
        assert!(
            matches!(wrong.push(&unreadable).as_slice(), [(_, Piece::Unread(why))] if why.contains("zstd"))
        );
        assert_eq!(
            Prefix {
                compressed: true,
                len: 9
            }
            .to_string(),
            "0100000009"
        );
        assert_eq!(Encoding::named(Some("gzip")), Encoding::Gzip);
        assert_eq!(Encoding::named(None), Encoding::Identity);
    }
}
