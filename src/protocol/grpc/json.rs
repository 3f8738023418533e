//! Messages ⇄ proto3 JSON (<https://protobuf.dev/programming-guides/json/>), on prost-reflect's
//! mapping, with what a command-line tool needs on top of it:
//!
//! - reading: an unknown field names the nearest one (`netwrk` → "did you mean network?"); a
//!   value prost-reflect refuses names its field path and the type expected
//!   (`inner.children[1].depth`); proto2 `required` fields are checked; an `Any` whose type
//!   nobody knows may be given as grpcurl prints it, `{"@type": URL, "@value": BASE64}`;
//! - writing: 64-bit integers as exact JSON numbers, every field shown (a zero is an answer too),
//!   and an `Any` whose type is not in the message's pool, or whose bytes are not that type, as
//!   `{"@type": URL, "@value": BASE64}` with the rest of the message intact.
//!
//! An `Any`'s type is looked up in the pool of the message that holds it; the gRPC client adds
//! the types a server's reflection knows before reading or writing ([`missing_any_types`],
//! [`missing_any_types_in_json`]).

use base64::Engine as _;
use prost::Message;
use prost_reflect::{
    Cardinality, DescriptorPool, DeserializeOptions, DynamicMessage, FieldDescriptor, Kind, MapKey,
    MessageDescriptor, ReflectMessage, SerializeOptions, Value,
};
use serde_json::{Map, Value as Json};

const ANY: &str = "google.protobuf.Any";
/// The key of an unknown `Any`'s bytes, as grpcurl prints them.
const OPAQUE_VALUE: &str = "@value";

/// A message from proto3 JSON; the error is a sentence that names the field.
pub fn from_json(descriptor: &MessageDescriptor, json: &Json) -> Result<DynamicMessage, String> {
    let mut scan = Scan::default();
    scan_message(descriptor, json, &mut Vec::new(), &mut scan)?;
    if let Some(name) = scan.missing.first() {
        return Err(format!(
            "{}: no type {name} is known (not in the schema nor the server's reflection); give \
             such an Any as {{\"@type\": URL, \"@value\": BASE64}}",
            descriptor.full_name()
        ));
    }
    let json = with_placeholders(json, &scan.opaque);
    let options = DeserializeOptions::new().deny_unknown_fields(true);
    let mut tracked = serde_path_to_error::Track::new();
    let deserializer = serde_path_to_error::Deserializer::new(&json, &mut tracked);
    let mut message =
        DynamicMessage::deserialize_with_options(descriptor.clone(), deserializer, &options)
            .map_err(|e| value_error(descriptor, &json, &tracked.path(), &e.to_string()))?;
    for opaque in &scan.opaque {
        put_opaque(&mut message, &opaque.path, &opaque.any);
    }
    check_required(&message, "")?;
    Ok(message)
}

/// The message as JSON (see the module's rules). Never fails: a message prost-reflect cannot
/// write is shown as its type and bytes.
pub fn to_json(message: &DynamicMessage) -> Json {
    if message.descriptor().full_name() == ANY {
        return any_json(message);
    }
    let opaque: Vec<FieldDescriptor> = message
        .fields()
        .filter(|(_, value)| holds_opaque(value))
        .map(|(field, _)| field)
        .collect();
    if opaque.is_empty() {
        return plain(message);
    }
    let mut rest = message.clone();
    opaque.iter().for_each(|field| rest.clear_field(field));
    let mut json = plain(&rest);
    if let Json::Object(object) = &mut json {
        for field in &opaque {
            // Same key, same place: an IndexMap keeps a replaced entry where it was.
            object.insert(
                field.json_name().to_owned(),
                value_json(&message.get_field(field)),
            );
        }
    }
    json
}

/// The type names of the `Any`s in `message` (at any depth, inside other `Any`s too) that its
/// pool does not hold, each once.
pub fn missing_any_types(message: &DynamicMessage) -> Vec<String> {
    let mut missing = Vec::new();
    collect_missing(message, &mut missing);
    missing
}

/// The type names given by `"@type"` where `json` holds an `Any` for a `descriptor` message,
/// that the descriptor's pool does not hold, each once.
pub fn missing_any_types_in_json(descriptor: &MessageDescriptor, json: &Json) -> Vec<String> {
    let mut scan = Scan::default();
    let _ = scan_message(descriptor, json, &mut Vec::new(), &mut scan);
    let mut names = scan.missing;
    names.extend(
        scan.opaque
            .into_iter()
            .map(|o| type_name(&o.any.type_url).to_owned()),
    );
    names.dedup();
    names
}

/// The message name of an `Any`'s type URL (`type.googleapis.com/pkg.Msg` → `pkg.Msg`).
pub fn type_name(type_url: &str) -> &str {
    type_url.rsplit('/').next().unwrap_or(type_url)
}

/// `{"@type": URL, "@value": BASE64}`: an `Any` shown as what it is without its type.
pub fn opaque_json(type_url: &str, bytes: &[u8]) -> Json {
    let mut object = Map::new();
    object.insert("@type".into(), Json::String(type_url.to_owned()));
    object.insert(
        OPAQUE_VALUE.into(),
        Json::String(base64::engine::general_purpose::STANDARD.encode(bytes)),
    );
    Json::Object(object)
}

// ---------------------------------------------------------------------------------------------
// Writing

/// prost-reflect's JSON of a message with no opaque `Any` in it.
fn plain(message: &DynamicMessage) -> Json {
    let options = SerializeOptions::new()
        .stringify_64_bit_integers(false)
        .skip_default_fields(false);
    message
        .serialize_with_options(serde_json::value::Serializer, &options)
        .unwrap_or_else(|_| {
            opaque_json(
                &format!("type.googleapis.com/{}", message.descriptor().full_name()),
                &message.encode_to_vec(),
            )
        })
}

/// The JSON of a field value that holds an opaque `Any` (so a message, a list or a map of them).
fn value_json(value: &Value) -> Json {
    match value {
        Value::Message(message) => to_json(message),
        Value::List(items) => Json::Array(items.iter().map(value_json).collect()),
        Value::Map(entries) => {
            let mut keys: Vec<&MapKey> = entries.keys().collect();
            keys.sort_by_key(|key| map_key_text(key));
            Json::Object(
                keys.into_iter()
                    .map(|key| (map_key_text(key), value_json(&entries[key])))
                    .collect(),
            )
        }
        // Scalars hold no Any; fields of scalars are never passed here.
        _ => Json::Null,
    }
}

fn map_key_text(key: &MapKey) -> String {
    match key {
        MapKey::Bool(b) => b.to_string(),
        MapKey::I32(n) => n.to_string(),
        MapKey::I64(n) => n.to_string(),
        MapKey::U32(n) => n.to_string(),
        MapKey::U64(n) => n.to_string(),
        MapKey::String(s) => s.clone(),
    }
}

/// An `Any`: its message in the proto3 form when its type is known and its bytes decode, else
/// opaque.
fn any_json(any: &DynamicMessage) -> Json {
    let (type_url, bytes) = any_parts(any);
    let Some(inner) = unpacked(any, &type_url, &bytes) else {
        return opaque_json(&type_url, &bytes);
    };
    if !holds_opaque(&Value::Message(inner.clone())) {
        return plain(any);
    }
    let mut object = Map::new();
    object.insert("@type".into(), Json::String(type_url.clone()));
    match to_json(&inner) {
        Json::Object(fields) if type_name(&type_url) != ANY => object.extend(fields),
        other => {
            object.insert("value".into(), other);
        }
    }
    Json::Object(object)
}

/// An `Any`'s type URL and bytes.
fn any_parts(any: &DynamicMessage) -> (String, Vec<u8>) {
    let type_url = any
        .get_field_by_name("type_url")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let bytes = any
        .get_field_by_name("value")
        .and_then(|v| v.as_bytes().map(|b| b.to_vec()))
        .unwrap_or_default();
    (type_url, bytes)
}

/// The message inside an `Any`, when its pool knows the type and the bytes decode as it.
fn unpacked(any: &DynamicMessage, type_url: &str, bytes: &[u8]) -> Option<DynamicMessage> {
    let descriptor = any
        .descriptor()
        .parent_pool()
        .get_message_by_name(type_name(type_url))?;
    DynamicMessage::decode(descriptor, bytes).ok()
}

/// Whether a value holds, at any depth, an `Any` that cannot be shown in the proto3 form.
fn holds_opaque(value: &Value) -> bool {
    match value {
        Value::Message(message) if message.descriptor().full_name() == ANY => {
            let (type_url, bytes) = any_parts(message);
            match unpacked(message, &type_url, &bytes) {
                Some(inner) => holds_opaque(&Value::Message(inner)),
                None => true,
            }
        }
        Value::Message(message) => message.fields().any(|(_, value)| holds_opaque(value)),
        Value::List(items) => items.iter().any(holds_opaque),
        Value::Map(entries) => entries.values().any(holds_opaque),
        _ => false,
    }
}

fn collect_missing(message: &DynamicMessage, missing: &mut Vec<String>) {
    if message.descriptor().full_name() == ANY {
        let (type_url, bytes) = any_parts(message);
        let name = type_name(&type_url);
        let descriptor = message.descriptor();
        let pool = descriptor.parent_pool();
        if pool.get_message_by_name(name).is_none() {
            if !name.is_empty() && !missing.iter().any(|m| m == name) {
                missing.push(name.to_owned());
            }
        } else if let Some(inner) = unpacked(message, &type_url, &bytes) {
            collect_missing(&inner, missing);
        }
        return;
    }
    for (_, value) in message.fields() {
        collect_missing_in(value, missing);
    }
}

fn collect_missing_in(value: &Value, missing: &mut Vec<String>) {
    match value {
        Value::Message(message) => collect_missing(message, missing),
        Value::List(items) => items.iter().for_each(|v| collect_missing_in(v, missing)),
        Value::Map(entries) => entries
            .values()
            .for_each(|v| collect_missing_in(v, missing)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// One step into a JSON document: a key or an index.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// What a pass over the JSON found: `Any` types the pool lacks, and `Any`s given opaque.
#[derive(Default)]
struct Scan {
    missing: Vec<String>,
    opaque: Vec<Opaque>,
}

/// An `Any` given as `{"@type", "@value"}` whose type the pool lacks, and where it is.
struct Opaque {
    path: Vec<Step>,
    any: prost_types::Any,
}

/// Walks `json` as a `descriptor` message: unknown field names are an error; `Any`s are noted.
fn scan_message(
    descriptor: &MessageDescriptor,
    json: &Json,
    path: &mut Vec<Step>,
    scan: &mut Scan,
) -> Result<(), String> {
    if descriptor.full_name() == ANY {
        return scan_any(descriptor.parent_pool(), json, path, scan);
    }
    // Well-known types whose JSON is not an object of fields are prost-reflect's to read.
    let (Json::Object(object), false) = (json, free_form(descriptor.full_name())) else {
        return Ok(());
    };
    for (key, value) in object {
        let field = descriptor
            .get_field_by_json_name(key)
            .or_else(|| descriptor.get_field_by_name(key))
            .ok_or_else(|| unknown_field(descriptor, path, key))?;
        path.push(Step::Key(key.clone()));
        scan_field(&field, value, path, scan)?;
        path.pop();
    }
    Ok(())
}

fn scan_field(
    field: &FieldDescriptor,
    json: &Json,
    path: &mut Vec<Step>,
    scan: &mut Scan,
) -> Result<(), String> {
    let kind = if field.is_map() {
        match field.kind() {
            Kind::Message(entry) => entry.map_entry_value_field().kind(),
            other => other,
        }
    } else {
        field.kind()
    };
    let Kind::Message(message) = kind else {
        return Ok(());
    };
    match json {
        Json::Array(items) if field.is_list() => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i));
                scan_message(&message, item, path, scan)?;
                path.pop();
            }
            Ok(())
        }
        Json::Object(entries) if field.is_map() => {
            for (key, item) in entries {
                path.push(Step::Key(key.clone()));
                scan_message(&message, item, path, scan)?;
                path.pop();
            }
            Ok(())
        }
        other => scan_message(&message, other, path, scan),
    }
}

/// An `Any` in JSON: its type's fields beside `@type`, its well-known type's JSON under `value`,
/// or `@value` bytes for a type nobody knows.
fn scan_any(
    pool: &DescriptorPool,
    json: &Json,
    path: &mut Vec<Step>,
    scan: &mut Scan,
) -> Result<(), String> {
    let Json::Object(object) = json else {
        return Ok(());
    };
    let Some(Json::String(type_url)) = object.get("@type") else {
        return Ok(());
    };
    let name = type_name(type_url);
    if let Some(Json::String(encoded)) = object.get(OPAQUE_VALUE) {
        if object.len() == 2 && pool.get_message_by_name(name).is_none() {
            let value = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|e| format!("{}: @value is not base64 ({e})", shown_path(path)))?;
            scan.opaque.push(Opaque {
                path: path.clone(),
                any: prost_types::Any {
                    type_url: type_url.clone(),
                    value,
                },
            });
            return Ok(());
        }
    }
    let Some(inner) = pool.get_message_by_name(name) else {
        if !scan.missing.iter().any(|m| m == name) {
            scan.missing.push(name.to_owned());
        }
        return Ok(());
    };
    if is_well_known(name) {
        return match object.get("value") {
            Some(value) => scan_message(&inner, value, path, scan),
            None => Ok(()),
        };
    }
    let fields: Map<String, Json> = object
        .iter()
        .filter(|(key, _)| *key != "@type")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    scan_message(&inner, &Json::Object(fields), path, scan)
}

/// The JSON with each opaque `Any` replaced by an `Any` of `google.protobuf.Empty` (a type every
/// schema of the client holds), which [`put_opaque`] replaces once prost-reflect has read the rest.
fn with_placeholders(json: &Json, opaque: &[Opaque]) -> Json {
    if opaque.is_empty() {
        return json.clone();
    }
    let mut json = json.clone();
    for item in opaque {
        if let Some(slot) = json_at_mut(&mut json, &item.path) {
            *slot = serde_json::json!({"@type": "type.googleapis.com/google.protobuf.Empty", "value": {}});
        }
    }
    json
}

fn json_at_mut<'a>(json: &'a mut Json, path: &[Step]) -> Option<&'a mut Json> {
    path.iter().try_fold(json, |json, step| match step {
        Step::Key(key) => json.get_mut(key.as_str()),
        Step::Index(i) => json.get_mut(*i),
    })
}

/// Puts an opaque `Any` at `path` in `message` (the `Any` field itself, an element of a
/// repeated `Any`, or a map value), through the messages on the way.
fn put_opaque(message: &mut DynamicMessage, path: &[Step], any: &prost_types::Any) {
    let Some((Step::Key(key), rest)) = path.split_first() else {
        return;
    };
    let descriptor = message.descriptor();
    let Some(field) = descriptor
        .get_field_by_json_name(key)
        .or_else(|| descriptor.get_field_by_name(key))
    else {
        return;
    };
    let slot = message.get_field_mut(&field);
    let target = match (slot, rest.split_first()) {
        (Value::List(items), Some((Step::Index(i), rest))) => items.get_mut(*i).map(|v| (v, rest)),
        (Value::Map(entries), Some((Step::Key(k), rest))) => entries
            .iter_mut()
            .find(|(key, _)| map_key_text(key) == *k)
            .map(|(_, v)| (v, rest)),
        (value, _) => Some((value, rest)),
    };
    let Some((Value::Message(inner), rest)) = target else {
        return;
    };
    if rest.is_empty() {
        inner.clear();
        let _ = inner.transcode_from(any);
    } else {
        put_opaque(inner, rest, any);
    }
}

/// Well-known types whose proto3 JSON is not an object of their fields.
fn free_form(name: &str) -> bool {
    is_well_known(name) && name != ANY
}

fn is_well_known(name: &str) -> bool {
    name.starts_with("google.protobuf.")
        && matches!(
            &name["google.protobuf.".len()..],
            "Any"
                | "Timestamp"
                | "Duration"
                | "Struct"
                | "FloatValue"
                | "DoubleValue"
                | "Int32Value"
                | "Int64Value"
                | "UInt32Value"
                | "UInt64Value"
                | "BoolValue"
                | "StringValue"
                | "BytesValue"
                | "FieldMask"
                | "ListValue"
                | "Value"
                | "Empty"
        )
}

fn unknown_field(descriptor: &MessageDescriptor, path: &[Step], key: &str) -> String {
    let names: Vec<String> = descriptor.fields().map(|f| f.name().to_owned()).collect();
    let near = super::schema::nearest(key, &names);
    let place = match path {
        [] => descriptor.full_name().to_owned(),
        _ => format!("{} ({})", shown_path(path), descriptor.full_name()),
    };
    let hint = match near.first() {
        Some(name) => format!("did you mean {name}?"),
        None if names.is_empty() => "it has no fields".into(),
        None => format!("its fields are {}", names.join(", ")),
    };
    format!("{place} has no field {key}: {hint}")
}

/// `inner.children[1].depth`.
fn shown_path(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Step::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

/// A value prost-reflect refused, in words: where, what was given, what was expected, why.
fn value_error(
    descriptor: &MessageDescriptor,
    json: &Json,
    path: &serde_path_to_error::Path,
    why: &str,
) -> String {
    let steps: Vec<Step> = path
        .iter()
        .filter_map(|segment| match segment {
            serde_path_to_error::Segment::Map { key } => Some(Step::Key(key.clone())),
            serde_path_to_error::Segment::Seq { index } => Some(Step::Index(*index)),
            _ => None,
        })
        .collect();
    if steps.is_empty() {
        return format!("not a {} message: {why}", descriptor.full_name());
    }
    let given = json_at(json, &steps)
        .map(|value| format!("; {} is not one", short(value)))
        .unwrap_or_default();
    let expected = match field_at(descriptor, &steps) {
        Some((field, element)) => format!(" takes {}", expected(&field, element)),
        None => String::new(),
    };
    format!("field {}{expected}{given} ({why})", shown_path(&steps))
}

fn json_at<'a>(json: &'a Json, path: &[Step]) -> Option<&'a Json> {
    path.iter().try_fold(json, |json, step| match step {
        Step::Key(key) => json.get(key.as_str()),
        Step::Index(i) => json.get(*i),
    })
}

/// The given value, compact and at most 60 characters.
fn short(value: &Json) -> String {
    let text = value.to_string();
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// The field a JSON path ends at, and whether it ends at one element of it (a list item or a
/// map value) rather than the whole field.
fn field_at(descriptor: &MessageDescriptor, path: &[Step]) -> Option<(FieldDescriptor, bool)> {
    let mut message = descriptor.clone();
    let mut field: Option<FieldDescriptor> = None;
    let mut element = false;
    for step in path {
        match (step, &field) {
            (Step::Index(_), Some(f)) if f.is_list() && !element => element = true,
            (Step::Key(_), Some(f)) if f.is_map() && !element => element = true,
            (Step::Key(key), _) => {
                if let Some(f) = &field {
                    message = element_message(f)?;
                }
                field = Some(
                    message
                        .get_field_by_json_name(key)
                        .or_else(|| message.get_field_by_name(key))?,
                );
                element = false;
            }
            _ => return None,
        }
    }
    field.map(|f| (f, element))
}

/// The message type of a field's values (a map's value type).
fn element_message(field: &FieldDescriptor) -> Option<MessageDescriptor> {
    match field.kind() {
        Kind::Message(entry) if field.is_map() => {
            entry.map_entry_value_field().kind().as_message().cloned()
        }
        Kind::Message(message) => Some(message),
        _ => None,
    }
}

/// What a field takes, in words: `an int64 (a whole number from -2^63 to 2^63-1)`, `a JSON
/// array of …`, `one of LOW, HIGH`.
pub fn expected(field: &FieldDescriptor, element: bool) -> String {
    if field.is_map() && !element {
        return "a JSON object".into();
    }
    if field.is_list() && !element {
        return format!("a JSON array, each item {}", kind_words(&field.kind()));
    }
    let kind = match field.kind() {
        Kind::Message(entry) if field.is_map() => entry.map_entry_value_field().kind(),
        other => other,
    };
    kind_words(&kind)
}

fn kind_words(kind: &Kind) -> String {
    match kind {
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            format!("{} (a whole number from -2^63 to 2^63-1)", article(kind))
        }
        Kind::Uint64 | Kind::Fixed64 => {
            format!("{} (a whole number from 0 to 2^64-1)", article(kind))
        }
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            format!("{} (a whole number from -2^31 to 2^31-1)", article(kind))
        }
        Kind::Uint32 | Kind::Fixed32 => {
            format!("{} (a whole number from 0 to 2^32-1)", article(kind))
        }
        Kind::Double | Kind::Float => format!(
            "{} (a number, or \"NaN\", \"Infinity\", \"-Infinity\")",
            article(kind)
        ),
        Kind::Bool => "a bool (true or false)".into(),
        Kind::String => "a string".into(),
        Kind::Bytes => "bytes (base64 text)".into(),
        Kind::Enum(e) => {
            let names: Vec<String> = e.values().map(|v| v.name().to_owned()).take(8).collect();
            format!(
                "{} (one of {}, or its number)",
                e.full_name(),
                names.join(", ")
            )
        }
        Kind::Message(m) => match m.full_name() {
            "google.protobuf.Timestamp" => {
                "a Timestamp (RFC 3339 text such as 2026-01-01T00:00:00Z)".into()
            }
            "google.protobuf.Duration" => "a Duration (text such as 1.5s)".into(),
            "google.protobuf.FieldMask" => "a FieldMask (text such as a.b,c)".into(),
            name => format!("a {name} message (a JSON object)"),
        },
    }
}

/// `an int64`, `a uint64`, `a double`…
fn article(kind: &Kind) -> String {
    let name = super::describe::kind_name(kind);
    let vowel = name.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {name}", if vowel { "an" } else { "a" })
}

/// proto2's `required` fields, at any depth: a missing one is named with its path.
fn check_required(message: &DynamicMessage, path: &str) -> Result<(), String> {
    let descriptor = message.descriptor();
    for field in descriptor.fields() {
        let here = match path {
            "" => field.name().to_owned(),
            path => format!("{path}.{}", field.name()),
        };
        if field.cardinality() == Cardinality::Required && !message.has_field(&field) {
            return Err(format!(
                "{here} is required by {} ({}): give it, e.g. {}:=…",
                descriptor.full_name(),
                expected(&field, false),
                field.name()
            ));
        }
        if !message.has_field(&field) {
            continue;
        }
        match &*message.get_field(&field) {
            Value::Message(inner) => check_required(inner, &here)?,
            Value::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let Value::Message(inner) = item {
                        check_required(inner, &format!("{here}[{i}]"))?;
                    }
                }
            }
            Value::Map(entries) => {
                for (key, item) in entries {
                    if let Value::Message(inner) = item {
                        check_required(inner, &format!("{here}[{}]", map_key_text(key)))?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::schema::Schema;
    use super::*;
    use serde_json::json;

    /// A schema with a message holding Anys, nested messages, a oneof and proto2's required.
    fn schema() -> Schema {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.proto");
        std::fs::write(
            &path,
            r#"syntax = "proto2";
            import "google/protobuf/any.proto";
            package t;
            message Box {
              repeated google.protobuf.Any items = 1;
              optional string note = 2;
              optional Inner inner = 3;
              message Inner { required int64 depth = 1; repeated Inner children = 2; }
            }"#,
        )
        .unwrap();
        let mut schema = Schema::new();
        schema.add_file(&path, &[]).unwrap();
        schema
    }

    fn boxed(schema: &Schema) -> MessageDescriptor {
        schema.pool().get_message_by_name("t.Box").unwrap()
    }

    #[test]
    fn an_any_nobody_knows_is_shown_opaque_and_sent_back_the_same() {
        let schema = schema();
        let given = json!({
            "items": [
                {"@type": "type.googleapis.com/nowhere.Thing", "@value": "CAE="},
                {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "1.500s"},
            ],
            "note": "kept",
        });
        let message = from_json(&boxed(&schema), &given).unwrap();
        let shown = to_json(&message);
        assert_eq!(shown["items"], given["items"]);
        assert_eq!(shown["note"], "kept", "the rest of the message is intact");
        assert_eq!(missing_any_types(&message), ["nowhere.Thing"]);
    }

    #[test]
    fn errors_name_the_field_path_the_type_and_the_nearest_name() {
        let schema = schema();
        let descriptor = boxed(&schema);
        let deep = json!({"inner": {"depth": 1, "children": [{"depth": 2}, {"depth": "x"}]}});
        let error = from_json(&descriptor, &deep).unwrap_err();
        assert!(
            error.contains("field inner.children[1].depth takes an int64"),
            "{error}"
        );
        assert!(error.contains("\"x\" is not one"), "{error}");
        let typo = from_json(&descriptor, &json!({"nots": "x"})).unwrap_err();
        assert!(typo.contains("did you mean note?"), "{typo}");
        let missing = from_json(&descriptor, &json!({"inner": {"children": [{}]}})).unwrap_err();
        assert!(missing.contains("inner.depth is required"), "{missing}");
        let unknown_any =
            json!({"items": [{"@type": "type.googleapis.com/nowhere.Thing", "a": 1}]});
        let error = from_json(&descriptor, &unknown_any).unwrap_err();
        assert!(
            error.contains("nowhere.Thing") && error.contains("@value"),
            "{error}"
        );
    }
}
