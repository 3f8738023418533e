//! gRPC messages known only at run time: built from command-line words or proto3 JSON, printed
//! as JSON, and framed by tonic through [`DynamicCodec`].
//!
//! Words follow `rpc call`'s rules, read by each field's type: `NAME:=VALUE` sets a field (a
//! string field takes the text as it is, so `mask:=255.0.0.0` needs no quoting; a message, map or
//! repeated field takes JSON), positional ARGs fill the fields in declaration order. Output is
//! the proto3 JSON mapping except that 64-bit integers are exact JSON numbers, as on every other
//! protocol.

pub use super::json::{from_json, to_json};
use bytes::{Buf, BufMut};
use prost::Message;
use prost_reflect::{DynamicMessage, FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Map, Value as Json};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::Status;

/// A request message from `NAME:=VALUE` words or positional words; the error says which word
/// does not fit which field.
pub fn from_words(
    descriptor: &MessageDescriptor,
    words: &[String],
) -> Result<DynamicMessage, String> {
    from_json(descriptor, &words_json(descriptor, words)?)
}

/// The proto3 JSON of a message given as `NAME:=VALUE` words or positional words (see
/// [`from_words`]), before it is read as the message.
pub fn words_json(descriptor: &MessageDescriptor, words: &[String]) -> Result<Json, String> {
    // A well-known type whose JSON is not an object (a wrapper, `Value`, `Timestamp`…) is the
    // one word itself: `Sleep 2` sends the DoubleValue 2.
    if let [word] = words {
        if bare_json(descriptor) && named(word).is_none() {
            let json = match serde_json::from_str(word) {
                Ok(json) if descriptor.full_name() != "google.protobuf.StringValue" => json,
                _ => Json::String(word.clone()),
            };
            return Ok(json);
        }
    }
    let fields: Vec<FieldDescriptor> = descriptor.fields().collect();
    let mut object = Map::new();
    let mut position = 0;
    for word in words {
        let (field, text) = match named(word) {
            Some((name, text)) => {
                let field = descriptor
                    .get_field_by_name(name)
                    .or_else(|| descriptor.get_field_by_json_name(name))
                    .ok_or_else(|| unknown_field(descriptor, name))?;
                (field, text)
            }
            None => {
                let field = fields.get(position).cloned().ok_or_else(|| {
                    format!(
                        "{} has {} field(s); {word:?} is one word too many",
                        descriptor.full_name(),
                        fields.len()
                    )
                })?;
                position += 1;
                (field, word.as_str())
            }
        };
        object.insert(field.json_name().to_owned(), word_as_json(&field, text)?);
    }
    Ok(Json::Object(object))
}

/// Whether the message's proto3 JSON form is a bare value rather than an object.
fn bare_json(descriptor: &MessageDescriptor) -> bool {
    let name = descriptor.full_name();
    name.starts_with("google.protobuf.")
        && (name.ends_with("Value")
            || matches!(
                name,
                "google.protobuf.Timestamp"
                    | "google.protobuf.Duration"
                    | "google.protobuf.FieldMask"
            ))
        && name != "google.protobuf.Struct"
}

/// `NAME:=VALUE`, when the word has that form with NAME a field-like identifier.
fn named(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once(":=")?;
    let ident = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    ident.then_some((name, value))
}

/// A word read by its field's type: the text as is for a string (or a JSON string literal,
/// unquoted), else JSON; an enum also by its name, bytes as base64 text, a float or double also
/// as `NaN`, `Infinity` or `-Infinity` (proto3 JSON's spelling).
fn word_as_json(field: &FieldDescriptor, text: &str) -> Result<Json, String> {
    let scalar = !field.is_list() && !field.is_map();
    match field.kind() {
        Kind::String | Kind::Bytes if scalar => Ok(match serde_json::from_str::<Json>(text) {
            Ok(Json::String(unquoted)) if text.starts_with('"') => Json::String(unquoted),
            _ => Json::String(text.to_owned()),
        }),
        Kind::Enum(_) if scalar => {
            Ok(serde_json::from_str(text).unwrap_or_else(|_| Json::String(text.to_owned())))
        }
        Kind::Double | Kind::Float
            if scalar && matches!(text, "NaN" | "Infinity" | "-Infinity") =>
        {
            Ok(Json::String(text.to_owned()))
        }
        _ => serde_json::from_str(text).map_err(|_| {
            format!(
                "field {} takes {}; {text:?} is not one",
                field.name(),
                super::json::expected(field, false)
            )
        }),
    }
}

fn unknown_field(descriptor: &MessageDescriptor, name: &str) -> String {
    let names: Vec<String> = descriptor.fields().map(|f| f.name().to_owned()).collect();
    let hint = match super::schema::nearest(name, &names).first() {
        Some(near) => format!("did you mean {near}?"),
        None if names.is_empty() => "it has no fields".into(),
        None => format!("its fields are {}", names.join(", ")),
    };
    format!("{} has no field {name}: {hint}", descriptor.full_name())
}

/// tonic's codec for messages known only at run time: encodes any [`DynamicMessage`], decodes
/// into the descriptor given.
#[derive(Debug, Clone)]
pub struct DynamicCodec {
    decode_as: MessageDescriptor,
}

impl DynamicCodec {
    /// A codec whose decoder reads `decode_as` messages.
    pub fn new(decode_as: MessageDescriptor) -> DynamicCodec {
        DynamicCodec { decode_as }
    }
}

impl Codec for DynamicCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynamicEncoder;
    type Decoder = DynamicDecoder;

    fn encoder(&mut self) -> DynamicEncoder {
        DynamicEncoder
    }

    fn decoder(&mut self) -> DynamicDecoder {
        DynamicDecoder(self.decode_as.clone())
    }
}

/// Encodes a message's protobuf bytes into tonic's frame buffer.
#[derive(Debug)]
pub struct DynamicEncoder;

impl Encoder for DynamicEncoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn encode(&mut self, item: DynamicMessage, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        item.encode(dst)
            .map_err(|e| Status::internal(format!("cannot encode the message: {e}")))
    }
}

/// Decodes one frame's bytes as the descriptor's message.
#[derive(Debug)]
pub struct DynamicDecoder(MessageDescriptor);

impl Decoder for DynamicDecoder {
    type Item = DynamicMessage;
    type Error = Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<DynamicMessage>, Status> {
        let bytes = src.copy_to_bytes(src.remaining());
        DynamicMessage::decode(self.0.clone(), bytes)
            .map(Some)
            .map_err(|e| {
                let why = format!("the message is not a valid {}: {e}", self.0.full_name());
                // The status is ours, not the peer's: its source says so (a client reports it
                // as an invalid answer, never as the server's INTERNAL).
                let mut status = Status::internal(why.clone());
                status.set_source(std::sync::Arc::new(InvalidMessage(why)));
                status
            })
    }
}

/// A message that could not be decoded as its descriptor's type.
#[derive(Debug)]
pub struct InvalidMessage(pub String);

impl std::fmt::Display for InvalidMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidMessage {}

/// Bytes of the prefix of every gRPC message: a compressed flag, then a 4-byte big-endian length
/// (PROTOCOL-HTTP2.md, "Length-Prefixed-Message").
pub const PREFIX_LEN: usize = 5;

/// A message's prefix at the start of `bytes`: whether the message is compressed, and its length
/// after the prefix. None until [`PREFIX_LEN`] bytes are there.
pub fn read_prefix(bytes: &[u8]) -> Option<(bool, usize)> {
    let prefix: &[u8; PREFIX_LEN] = bytes.get(..PREFIX_LEN)?.try_into().ok()?;
    let len = u32::from_be_bytes([prefix[1], prefix[2], prefix[3], prefix[4]]);
    Some((prefix[0] != 0, len as usize))
}

/// Writes `message` with its 5-byte gRPC frame prefix (uncompressed), as `--dry-run` and `--curl`
/// show a request body.
pub fn framed(message: &DynamicMessage) -> Vec<u8> {
    let body = message.encode_to_vec();
    let mut framed = Vec::with_capacity(body.len() + PREFIX_LEN);
    framed.put_u8(0);
    framed.put_u32(u32::try_from(body.len()).unwrap_or(u32::MAX));
    framed.extend_from_slice(&body);
    framed
}

#[cfg(test)]
mod tests {
    use super::super::schema::Schema;
    use super::*;
    use serde_json::json;

    fn seed() -> Schema {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("routetable.proto");
        std::fs::write(&path, include_str!("../../server/grpc/routetable.proto")).unwrap();
        let mut schema = Schema::builtin().unwrap();
        schema.add_file(&path, &[]).unwrap();
        schema
    }

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn words_are_read_by_field_type() {
        let schema = seed();
        let route = schema.pool().get_message_by_name("Route").unwrap();
        let message = from_words(
            &route,
            &words(&["dest:=10.0.0.0", "mask:=255.0.0.0", "metric:=3"]),
        )
        .unwrap();
        assert_eq!(
            to_json(&message),
            json!({"dest": "10.0.0.0", "mask": "255.0.0.0", "nh": "", "metric": 3, "interface": ""})
        );
        let positional =
            from_words(&route, &words(&["10.0.0.0", "255.0.0.0", "1.2.3.4", "7"])).unwrap();
        assert_eq!(to_json(&positional)["nh"], "1.2.3.4");
        assert_eq!(to_json(&positional)["metric"], 7);
        let error = from_words(&route, &words(&["metric:=many"])).unwrap_err();
        assert!(
            error.contains("metric") && error.contains("number"),
            "{error}"
        );
        let error = from_words(&route, &words(&["dst:=1"])).unwrap_err();
        assert!(
            error.contains("no field dst") && error.contains("dest"),
            "{error}"
        );
    }

    #[test]
    fn sixty_four_bit_integers_print_as_numbers_and_frames_carry_a_prefix() {
        let schema = Schema::builtin().unwrap();
        let int64 = schema
            .pool()
            .get_message_by_name("google.protobuf.Int64Value")
            .unwrap();
        let message = from_json(&int64, &json!("9007199254740993")).unwrap();
        assert_eq!(to_json(&message).to_string(), "9007199254740993");
        assert_eq!(framed(&message)[..5], [0, 0, 0, 0, 9]);
        assert_eq!(read_prefix(&framed(&message)), Some((false, 9)));
        assert_eq!(read_prefix(&[1, 0, 0, 1, 0]), Some((true, 256)));
        assert_eq!(read_prefix(&[0, 0, 0]), None);
    }
}
