//! Telling protocols apart on one port by the first bytes of a connection.

/// What a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain HTTP/1.x (JSON-RPC, XML-RPC, Reach, health).
    Http,
    /// A TLS ClientHello (record type 0x16): HTTPS.
    Tls,
    /// A JSON array: the raw-TCP JSON protocol.
    RawTcp,
    /// A JSON object: JSON-RPC 2.0 objects on the stream (geth-style IPC, Electrum).
    JsonStream,
    /// The HTTP/2 connection preface (`PRI * HTTP/2.0`): gRPC with prior knowledge.
    Http2,
}

/// Classifies a connection by its first byte that is neither blank nor part of a UTF-8
/// byte-order mark; None while only those have arrived.
pub fn classify(prefix: &[u8]) -> Option<Kind> {
    let mut rest = prefix;
    loop {
        rest = rest.trim_ascii_start();
        match rest.strip_prefix(crate::protocol::BOM) {
            Some(after) => rest = after,
            // Part of a mark, the rest still to come.
            None if !rest.is_empty() && crate::protocol::BOM.starts_with(rest) => return None,
            None => break,
        }
    }
    let first = *rest.first()?;
    // `PRI` (the HTTP/2 preface) and `POST`/`PUT` share their first byte.
    if first == b'P' {
        return match rest.get(1)? {
            b'R' => Some(Kind::Http2),
            _ => Some(Kind::Http),
        };
    }
    Some(match first {
        // A JSON-RPC batch is an array of objects; a raw-tcp call an array starting with its
        // method's name.
        b'[' => match rest[1..].trim_ascii_start().first()? {
            b'{' => Kind::JsonStream,
            _ => Kind::RawTcp,
        },
        b'{' => Kind::JsonStream,
        0x16 => Kind::Tls,
        _ => Kind::Http,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_non_blank_byte_decides() {
        assert_eq!(classify(b"POST / HTTP/1.1"), Some(Kind::Http));
        assert_eq!(classify(b"  \n[\"add\",1,2]"), Some(Kind::RawTcp));
        assert_eq!(
            classify(b"[ {\"jsonrpc\":\"2.0\"}]"),
            Some(Kind::JsonStream)
        );
        assert_eq!(
            classify(b"[ "),
            None,
            "a batch or a call: the next byte says"
        );
        assert_eq!(classify(&[0x16, 3, 1]), Some(Kind::Tls));
        assert_eq!(classify(b"{\"jsonrpc\":\"2.0\"}"), Some(Kind::JsonStream));
        assert_eq!(classify(b" \r\n"), None);
        assert_eq!(classify(b"\xEF\xBB\xBF[1]"), Some(Kind::RawTcp));
        assert_eq!(classify(b"\xEF\xBB"), None);
        assert_eq!(classify(b"\xEFPOST"), Some(Kind::Http));
        assert_eq!(classify(b"PRI * HTTP/2.0\r\n"), Some(Kind::Http2));
        assert_eq!(classify(b"P"), None);
        assert_eq!(classify(b"PUT /"), Some(Kind::Http));
    }
}
