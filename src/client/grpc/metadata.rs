//! gRPC metadata from `-H`, and as `-vv` shows it. Keys ending in `-bin` carry bytes: base64 on
//! the wire (PROTOCOL-HTTP2.md, "Custom-Metadata"), so a `-H 'x-token-bin: AAH+/w=='` value is
//! taken as the base64 of the bytes to send, and such values are shown decoded.

use crate::error::{Error, Result};
use base64::Engine as _;

/// The headers gRPC sets itself; `-H` cannot give them.
const RESERVED: &[&str] = &[
    "content-type",
    "te",
    "grpc-timeout",
    "grpc-encoding",
    "grpc-accept-encoding",
    "grpc-status",
    "grpc-message",
    "user-agent",
];

/// base64 as gRPC peers write it: padded or not (PROTOCOL-HTTP2.md says both are accepted).
pub fn engine() -> base64::engine::GeneralPurpose {
    base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    )
}

/// The metadata of `headers` (lower-cased names, in order), then `authorization` for `basic`
/// credentials unless a header gave one. Errors: a header gRPC sets itself, a `-bin` value that
/// is not base64, a name or value that cannot be metadata.
pub fn from_headers(
    headers: &[(String, String)],
    basic: Option<String>,
) -> Result<Vec<(String, String)>> {
    let mut metadata = Vec::new();
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if RESERVED.contains(&name.as_str()) {
            return Err(Error::usage(format!(
                "-H {name}: gRPC sets this header itself (use -t for grpc-timeout, --compress \
                 for grpc-encoding)"
            )));
        }
        if name.ends_with("-bin") && engine().decode(value.trim()).is_err() {
            return Err(Error::usage(format!(
                "-H {name}: the value of a -bin key is the base64 of the bytes to send (gRPC's \
                 binary metadata); {value:?} is not base64"
            )));
        }
        metadata.push((name, value.trim().to_owned()));
    }
    if let Some(basic) = basic {
        if !metadata.iter().any(|(name, _)| name == "authorization") {
            metadata.push(("authorization".into(), basic));
        }
    }
    Ok(metadata)
}

/// Puts `metadata` (from [`from_headers`]) on a request: `-bin` values as the bytes they
/// encode, the others as text.
pub fn apply(metadata: &[(String, String)], map: &mut tonic::metadata::MetadataMap) -> Result<()> {
    for (name, value) in metadata {
        let invalid = || Error::usage(format!("-H {name}: cannot be gRPC metadata"));
        if name.ends_with("-bin") {
            let key = tonic::metadata::BinaryMetadataKey::from_bytes(name.as_bytes())
                .map_err(|_| invalid())?;
            let bytes = engine().decode(value).map_err(|_| invalid())?;
            map.append_bin(
                key,
                tonic::metadata::BinaryMetadataValue::from_bytes(&bytes),
            );
        } else {
            let key = tonic::metadata::AsciiMetadataKey::from_bytes(name.as_bytes())
                .map_err(|_| invalid())?;
            map.append(key, value.parse().map_err(|_| invalid())?);
        }
    }
    Ok(())
}

/// `name: value` lines (CRLF-ended) of HTTP/2 headers or trailers, pseudo-headers left out; a
/// `-bin` value is shown as sent and, after it, as the bytes it stands for.
pub fn header_lines(headers: &http::HeaderMap) -> String {
    let mut text = String::new();
    for (name, value) in headers {
        let shown = String::from_utf8_lossy(value.as_bytes());
        text.push_str(&format!("{name}: {shown}"));
        if name.as_str().ends_with("-bin") {
            match engine().decode(value.as_bytes()) {
                Ok(bytes) => text.push_str(&format!(" [{}]", hex(&bytes))),
                Err(_) => text.push_str(" [not base64]"),
            }
        }
        text.push_str("\r\n");
    }
    text
}

/// `00 01 fe ff`.
pub fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_keys_carry_base64_of_bytes_and_show_decoded() {
        let given = vec![("X-Token-Bin".to_owned(), "AAH+/w==".to_owned())];
        let metadata = from_headers(&given, None).unwrap();
        let mut map = tonic::metadata::MetadataMap::new();
        apply(&metadata, &mut map).unwrap();
        let value = map.get_bin("x-token-bin").unwrap();
        assert_eq!(value.to_bytes().unwrap().as_ref(), [0x00, 0x01, 0xfe, 0xff]);
        let headers = map.into_headers();
        assert!(header_lines(&headers).contains("[00 01 fe ff]"));
        let bad = vec![("x-token-bin".to_owned(), "not base64!".to_owned())];
        assert!(from_headers(&bad, None)
            .unwrap_err()
            .to_string()
            .contains("base64"));
        let reserved = vec![("TE".to_owned(), "x".to_owned())];
        assert!(from_headers(&reserved, None).is_err());
    }
}
